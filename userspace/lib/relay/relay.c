/* Media relay core: SRTP <-> RTP translation of one datagram, no I/O. */
#include "relay/relay.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/log.h"

struct relay_flow {
	struct relay_flow_desc desc;
	struct srtp_session *in[2];	/* unprotects what a side sends; NULL when plain */
	struct srtp_session *out[2];	/* protects what we send to a side */
	struct relay_dir_stats stats[2];
};

static const char *const drop_names[RELAY_DROP__COUNT] = {
	[RELAY_DROP_INVALID] = "invalid",
	[RELAY_DROP_NOT_MEDIA] = "not_media",
	[RELAY_DROP_WRONG_SOURCE] = "wrong_source",
	[RELAY_DROP_MALFORMED] = "malformed",
	[RELAY_DROP_AUTH_FAIL] = "auth_fail",
	[RELAY_DROP_REPLAY] = "replay",
	[RELAY_DROP_UNKNOWN_SSRC] = "unknown_ssrc",
	[RELAY_DROP_TOO_BIG] = "too_big",
	[RELAY_DROP_ERROR] = "error",
	[RELAY_DROP_SEQ_JUMP] = "seq_jump",
};

const char *relay_drop_name(enum relay_drop reason)
{
	return (unsigned int)reason < RELAY_DROP__COUNT ? drop_names[reason] : "invalid";
}

int relay_sockaddr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return 0;
}

void relay_flow_free(struct relay_flow *f)
{
	if (!f)
		return;
	for (int i = 0; i < 2; i++) {
		srtp_session_free(f->in[i]);
		srtp_session_free(f->out[i]);
	}
	OPENSSL_cleanse(f, sizeof(*f));
	free(f);
}

struct relay_flow *relay_flow_new(const struct relay_flow_desc *desc)
{
	struct relay_flow *f;
	int err = EINVAL;

	f = calloc(1, sizeof(*f));
	if (!f) {
		log_warnx("relay: creating a flow failed: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	f->desc = *desc;
	for (int i = 0; i < 2; i++) {
		const struct relay_side_desc *s = &desc->side[i];

		if (s->suite == SRTP_SUITE_INVALID)
			continue;
		if (srtp_suite_tag_len(s->suite) == 0) {
			log_warnx("relay: creating a flow failed: side %d has an unknown suite %d",
				  i, (int)s->suite);
			goto fail;
		}
		/* BUNDLE: streams appear as their SSRCs do, after their first authentic packet */
		f->in[i] = srtp_session_new(s->suite, s->in_key, s->in_salt, SRTP_F_ANY_SSRC, 0);
		if (!f->in[i])
			goto fail_errno;
		f->out[i] = srtp_session_new(s->suite, s->out_key, s->out_salt, SRTP_F_ANY_SSRC, 0);
		if (!f->out[i])
			goto fail_errno;
	}
	return f;

fail_errno:
	err = errno;
	log_warnx("relay: creating a flow failed: the SRTP sessions could not be set up");
fail:
	relay_flow_free(f);
	errno = err;
	return NULL;
}

const struct relay_flow_desc *relay_flow_desc(const struct relay_flow *f)
{
	return &f->desc;
}

int relay_flow_set_remote(struct relay_flow *f, enum relay_side side, enum relay_port port,
			  const struct sockaddr *addr, socklen_t len)
{
	struct relay_side_desc *s = &f->desc.side[side & 1];
	struct sockaddr_storage *dst = &s->remote[s->rtcp_mux ? 0 : port & 1];

	if ((addr->sa_family != AF_INET && addr->sa_family != AF_INET6) ||
	    len > sizeof(*dst) ||
	    len < (addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
					      : sizeof(struct sockaddr_in6)))
		return -EINVAL;
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, addr, len);
	return 0;
}

int relay_flow_add_stream(struct relay_flow *f, enum relay_side side, int outgoing,
			  uint32_t ssrc, uint32_t roc)
{
	struct srtp_session *s = outgoing ? f->out[side & 1] : f->in[side & 1];
	int rc;

	if (!s)
		return -EINVAL;
	rc = srtp_session_add_stream(s, ssrc, roc);
	return rc == -EEXIST ? 0 : rc;
}

const struct relay_dir_stats *relay_flow_stats(const struct relay_flow *f, enum relay_side side)
{
	return &f->stats[side & 1];
}

static int drop(struct relay_flow *f, enum relay_side from, int rc)
{
	enum relay_drop reason;

	switch (rc) {
	case -EPROTO: reason = RELAY_DROP_NOT_MEDIA; break;
	case -EPERM: reason = RELAY_DROP_WRONG_SOURCE; break;
	case -EMSGSIZE: reason = RELAY_DROP_TOO_BIG; break;
	case -EINVAL: reason = RELAY_DROP_MALFORMED; break;
	case -EBADMSG: reason = RELAY_DROP_AUTH_FAIL; break;
	case -EALREADY: reason = RELAY_DROP_REPLAY; break;
	case -ENOENT: reason = RELAY_DROP_UNKNOWN_SSRC; break;
	case -ERANGE: reason = RELAY_DROP_SEQ_JUMP; break;
	default: reason = RELAY_DROP_ERROR; break;
	}
	f->stats[from].drops[reason]++;
	return rc;
}

/* Remove the RTP header extension (RFC 3550 5.3.1) of a valid RTP packet. */
static void strip_extension(uint8_t *pkt, size_t *len)
{
	size_t start, ext;

	if (!(pkt[0] & 0x10))
		return;
	start = 12 + 4 * (size_t)(pkt[0] & 0x0f);
	ext = 4 + 4 * (size_t)((pkt[start + 2] << 8) | pkt[start + 3]);
	memmove(pkt + start, pkt + start + ext, *len - start - ext);
	*len -= ext;
	pkt[0] &= (uint8_t)~0x10;
}

int relay_translate(struct relay_flow *f, enum relay_side from, enum relay_port port,
		    const struct sockaddr *src, uint8_t *pkt, size_t *len, size_t cap,
		    enum relay_port *out_port)
{
	const struct relay_side_desc *in_side, *out_side;
	enum relay_side to;
	uint8_t map;
	size_t n = *len;
	int rtcp, rc;

	from &= 1;
	to = from == RELAY_SIDE_BROWSER ? RELAY_SIDE_IMS : RELAY_SIDE_BROWSER;
	in_side = &f->desc.side[from];
	out_side = &f->desc.side[to];
	if (in_side->no_rx)
		return drop(f, from, -EPERM);
	if (n > RELAY_MAX_PACKET)
		return drop(f, from, -EMSGSIZE);
	/* RFC 7983: 128..191 is RTP/RTCP; STUN, DTLS and the rest are not ours */
	if (n < 1 || pkt[0] < 128 || pkt[0] > 191)
		return drop(f, from, -EPROTO);
	if (src) {
		const struct sockaddr *want =
			(const struct sockaddr *)&in_side->remote[in_side->rtcp_mux ? 0 : port & 1];

		if (want->sa_family != AF_UNSPEC && !relay_sockaddr_equal(src, want))
			return drop(f, from, -EPERM);
	}
	rtcp = in_side->rtcp_mux ? relay_is_rtcp(pkt, n) : port == RELAY_PORT_RTCP;

	if (f->in[from]) {
		rc = rtcp ? srtp_session_unprotect_rtcp(f->in[from], pkt, &n)
			  : srtp_session_unprotect_rtp(f->in[from], pkt, &n);
		if (rc < 0)
			return drop(f, from, rc);
	} else if (rtcp ? n < 8 : rtp_header_len(pkt, n) < 0) {
		return drop(f, from, -EINVAL);
	}

	if (!rtcp) {
		map = out_side->pt_map[pkt[1] & 0x7f];
		if (map & RELAY_PT_MAPPED)
			pkt[1] = (uint8_t)((pkt[1] & 0x80) | (map & 0x7f));
		if (out_side->strip_ext)
			strip_extension(pkt, &n);
	}

	if (f->out[to]) {
		rc = rtcp ? srtp_session_protect_rtcp(f->out[to], pkt, &n, cap)
			  : srtp_session_protect_rtp(f->out[to], pkt, &n, cap);
		if (rc < 0)
			return drop(f, from, rc);
	}
	*len = n;
	*out_port = out_side->rtcp_mux || !rtcp ? RELAY_PORT_RTP : RELAY_PORT_RTCP;
	f->stats[from].packets++;
	f->stats[from].bytes += n;
	return 0;
}
