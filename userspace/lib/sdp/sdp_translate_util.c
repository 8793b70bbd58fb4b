/* Pieces shared by the two call directions of the SDP translator. */
#include "sdp/sdp_translate_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int xl_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

bool xl_is_webrtc_rtp(const struct sdp_media *m)
{
	return strcmp(m->proto, "UDP/TLS/RTP/SAVPF") == 0 ||
	       strcmp(m->proto, "UDP/TLS/RTP/SAVP") == 0;
}

bool xl_is_ims_rtp(const struct sdp_media *m)
{
	return strcmp(m->proto, "RTP/AVP") == 0 || strcmp(m->proto, "RTP/AVPF") == 0;
}

enum sdp_stream_kind xl_kind(const struct sdp_media *m)
{
	if (strcmp(m->type, "audio") == 0 && (xl_is_webrtc_rtp(m) || xl_is_ims_rtp(m)))
		return SDP_STREAM_AUDIO;
	if (strcmp(m->type, "video") == 0 && (xl_is_webrtc_rtp(m) || xl_is_ims_rtp(m)))
		return SDP_STREAM_VIDEO;
	if (strcmp(m->type, "application") == 0 && strcmp(m->proto, "UDP/DTLS/SCTP") == 0 &&
	    m->nfmt == 1 && strcmp(m->fmt[0], "webrtc-datachannel") == 0)
		return SDP_STREAM_DATACHANNEL;
	return SDP_STREAM_OTHER;
}

static const char *const dir_names[] = {
	[SDP_DIR_SENDRECV] = "sendrecv",
	[SDP_DIR_SENDONLY] = "sendonly",
	[SDP_DIR_RECVONLY] = "recvonly",
	[SDP_DIR_INACTIVE] = "inactive",
};

static enum sdp_direction direction_of(const struct sdp_attrs *l)
{
	for (unsigned i = 0; i < l->n; i++)
		for (int d = SDP_DIR_SENDRECV; d <= SDP_DIR_INACTIVE; d++)
			if (!l->a[i].value && strcmp(l->a[i].name, dir_names[d]) == 0)
				return (enum sdp_direction)d;
	return SDP_DIR_NONE;
}

enum sdp_direction xl_direction(const struct sdp_session *s, const struct sdp_media *m)
{
	enum sdp_direction d = direction_of(&m->attrs);

	if (d == SDP_DIR_NONE)
		d = direction_of(&s->attrs);
	return d == SDP_DIR_NONE ? SDP_DIR_SENDRECV : d;
}

const char *xl_direction_name(enum sdp_direction d)
{
	return d >= SDP_DIR_SENDRECV && d <= SDP_DIR_INACTIVE ? dir_names[d] : "sendrecv";
}

bool xl_dir_sends(enum sdp_direction d)
{
	return d == SDP_DIR_SENDRECV || d == SDP_DIR_SENDONLY;
}

int xl_setup(const struct sdp_session *s, const struct sdp_media *m)
{
	const char *v = sdp_attrs_get(&m->attrs, "setup");

	if (!v)
		v = sdp_attrs_get(&s->attrs, "setup");
	if (!v)
		return SDP_SETUP_NONE;
	if (strcmp(v, "actpass") == 0)
		return SDP_SETUP_ACTPASS;
	if (strcmp(v, "active") == 0)
		return SDP_SETUP_ACTIVE;
	if (strcmp(v, "passive") == 0)
		return SDP_SETUP_PASSIVE;
	return -1; /* holdconn or garbage */
}

int xl_new_session(const char *addr, uint64_t sess_id, uint64_t sess_version,
		   struct sdp_session **out)
{
	struct sdp_session *s = sdp_new();
	int rc = -ENOMEM;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->origin.username = "-";
	s->origin.sess_id = sdp_printf(s, "%" PRIu64, sess_id);
	s->origin.sess_version = sdp_printf(s, "%" PRIu64, sess_version);
	s->origin.addr = sdp_strdup(s, addr);
	s->name = "-";
	if (!s->origin.sess_id || !s->origin.sess_version || !s->origin.addr)
		goto err;
	rc = sdp_conn_set(s, &s->conn, addr);
	if (rc < 0)
		goto err;
	s->origin.af = s->conn.af;
	*out = s;
	return 0;
err:
	sdp_free(s);
	return rc;
}

int xl_add_codec(struct sdp_session *s, struct sdp_media *m, const struct sdp_codec *c,
		 uint8_t pt, const char *fmtp)
{
	char num[4];
	int rc;

	snprintf(num, sizeof(num), "%u", pt);
	rc = sdp_media_add_fmt(s, m, num);
	if (!rc && c->channels > 1)
		rc = sdp_attrs_add(s, &m->attrs, "rtpmap", "%u %s/%u/%u", pt, c->name, c->clock,
				   c->channels);
	else if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "rtpmap", "%u %s/%u", pt, c->name, c->clock);
	if (!rc && fmtp && *fmtp)
		rc = sdp_attrs_add(s, &m->attrs, "fmtp", "%u %s", pt, fmtp);
	return rc;
}

int xl_copy_ptime(struct sdp_session *s, struct sdp_media *to, const struct sdp_media *from)
{
	static const char *const names[] = { "ptime", "maxptime" };
	int rc = 0;

	for (size_t i = 0; i < 2 && !rc; i++) {
		const char *v = sdp_attrs_get(&from->attrs, names[i]);

		if (v && *v)
			rc = sdp_attrs_add(s, &to->attrs, names[i], "%s", v);
	}
	return rc;
}

int xl_add_webrtc_transport(struct sdp_session *s, struct sdp_media *m,
			    const struct sdp_webrtc_local *wl, enum sdp_setup setup)
{
	static const char *const setup_names[] = {
		[SDP_SETUP_ACTPASS] = "actpass",
		[SDP_SETUP_ACTIVE] = "active",
		[SDP_SETUP_PASSIVE] = "passive",
	};
	int rc;

	rc = sdp_attrs_add(s, &m->attrs, "ice-ufrag", "%s", wl->ice_ufrag);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "ice-pwd", "%s", wl->ice_pwd);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "fingerprint", "%s", wl->fingerprint);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "setup", "%s", setup_names[setup]);
	/* the one host candidate of an ICE-lite agent (RFC 8445 section 5.1.2.1:
	 * type preference 126, local preference 65535, component 1) */
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "candidate", "1 1 udp %u %s %u typ host",
				   (126u << 24) | (65535u << 8) | (256u - 1), wl->addr, wl->port);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "end-of-candidates", NULL);
	return rc;
}

int xl_add_webrtc_ssrc(struct sdp_session *s, struct sdp_media *m,
		       const struct sdp_webrtc_local *wl, unsigned i, const char *mid)
{
	int rc = 0;

	if (wl->msid_stream)
		rc = sdp_attrs_add(s, &m->attrs, "msid", "%s %s-%s", wl->msid_stream,
				   wl->msid_stream, mid);
	if (!rc && i < SDP_MAX_MEDIA && wl->ssrc[i] && wl->cname)
		rc = sdp_attrs_add(s, &m->attrs, "ssrc", "%u cname:%s", wl->ssrc[i], wl->cname);
	return rc;
}

static const char *media_or_session(const struct sdp_session *s, const struct sdp_media *m,
				    const char *name)
{
	const char *v = sdp_attrs_get(&m->attrs, name);

	return v ? v : sdp_attrs_get(&s->attrs, name);
}

int xl_read_webrtc_transport(const struct sdp_session *s, const struct sdp_media *m,
			     struct sdp_xlate *x, char *err, size_t errlen)
{
	const char *ufrag = media_or_session(s, m, "ice-ufrag");
	const char *pwd = media_or_session(s, m, "ice-pwd");
	const char *fp = media_or_session(s, m, "fingerprint");
	const char *sp;

	if (!ufrag || !pwd || strlen(ufrag) < 4 || strlen(ufrag) > 256 || strlen(pwd) < 22 ||
	    strlen(pwd) > 256)
		return xl_fail(err, errlen, -EINVAL,
			       "m= line %u: missing or malformed a=ice-ufrag/a=ice-pwd", m->line);
	if (!fp)
		return xl_fail(err, errlen, -ENOTSUP, "m= line %u: no a=fingerprint (DTLS-SRTP required)",
			       m->line);
	sp = strchr(fp, ' ');
	if (!sp || (size_t)(sp - fp) >= sizeof(x->fingerprint_alg) ||
	    strlen(sp + 1) >= sizeof(x->fingerprint) || !sp[1])
		return xl_fail(err, errlen, -EINVAL, "m= line %u: malformed a=fingerprint", m->line);
	snprintf(x->ice_ufrag, sizeof(x->ice_ufrag), "%s", ufrag);
	snprintf(x->ice_pwd, sizeof(x->ice_pwd), "%s", pwd);
	snprintf(x->fingerprint_alg, sizeof(x->fingerprint_alg), "%.*s", (int)(sp - fp), fp);
	snprintf(x->fingerprint, sizeof(x->fingerprint), "%s", sp + 1);
	return 0;
}

uint32_t xl_first_ssrc(const struct sdp_media *m)
{
	const char *v = sdp_attrs_get(&m->attrs, "ssrc");
	char *end;
	unsigned long long ssrc;

	if (!v)
		return 0;
	ssrc = strtoull(v, &end, 10);
	return end != v && ssrc <= UINT32_MAX ? (uint32_t)ssrc : 0;
}

int xl_read_ims_remote(const struct sdp_session *s, const struct sdp_media *m,
		       struct sdp_xlate_stream *st, char *err, size_t errlen)
{
	const struct sdp_conn *c = m->conn.present ? &m->conn : &s->conn;
	const char *rtcp = sdp_attrs_get(&m->attrs, "rtcp");

	snprintf(st->ims_addr, sizeof(st->ims_addr), "%s", c->addr);
	st->ims_rtp_port = m->port;
	st->ims_rtcp_port = m->port + 1;
	if (rtcp && *rtcp) {
		/* RFC 3605: "a=rtcp:<port> [IN IP4 <address>]"; only the port is used */
		char *end;
		unsigned long p = strtoul(rtcp, &end, 10);

		if (end == rtcp || p == 0 || p > 65535 || (*end && *end != ' '))
			return xl_fail(err, errlen, -EINVAL, "m= line %u: malformed a=rtcp:%s",
				       m->line, rtcp);
		st->ims_rtcp_port = (uint16_t)p;
	}
	return 0;
}

const char *const xl_rtcp_fb_kinds[] = { "nack", "nack pli", "ccm fir", NULL };

bool xl_has_rtcp_fb(const struct sdp_media *m, uint8_t pt, const char *fb)
{
	char num[4];

	snprintf(num, sizeof(num), "%u", pt);
	for (int i = sdp_attrs_find(&m->attrs, "rtcp-fb", 0); i >= 0;
	     i = sdp_attrs_find(&m->attrs, "rtcp-fb", (unsigned)i + 1)) {
		const char *v = m->attrs.a[i].value, *sp;

		if (!v || !(sp = strchr(v, ' ')) || strcmp(sp + 1, fb) != 0)
			continue;
		if ((sp - v == 1 && v[0] == '*') ||
		    ((size_t)(sp - v) == strlen(num) && strncmp(v, num, strlen(num)) == 0))
			return true;
	}
	return false;
}

unsigned xl_filter_codecs(const struct sdp_codec *in, unsigned n, uint32_t mask,
			  struct sdp_codec *out, unsigned max, unsigned *n_media_codecs)
{
	unsigned k = 0, media = 0;

	for (unsigned i = 0; i < n && k < max; i++) {
		if (in[i].id == SDP_CODEC_TELEPHONE_EVENT || !(mask & SDP_CODEC_BIT(in[i].id)))
			continue;
		out[k++] = in[i];
		media++;
	}
	/* RFC 4733 events only at the clock rate of a kept audio codec */
	for (unsigned i = 0; i < n && k < max; i++) {
		bool rate_kept = false;

		if (in[i].id != SDP_CODEC_TELEPHONE_EVENT ||
		    !(mask & SDP_CODEC_BIT(SDP_CODEC_TELEPHONE_EVENT)))
			continue;
		for (unsigned j = 0; j < media; j++)
			rate_kept |= out[j].clock == in[i].clock;
		if (rate_kept)
			out[k++] = in[i];
	}
	*n_media_codecs = media;
	return k;
}

int xl_ims_port(const struct sdp_ims_local *il, unsigned i, uint16_t *port, char *err,
		size_t errlen)
{
	*port = i < SDP_MAX_MEDIA ? il->rtp_port[i] : 0;
	if (*port % 2 || *port == 65535)
		return xl_fail(err, errlen, -EINVAL,
			       "local RTP port %u for IMS m= line %u is not even", *port, i);
	return 0;
}

void xl_map_add(struct sdp_pt_map *map, unsigned *n, uint8_t from, uint8_t to,
		enum sdp_codec_id codec)
{
	for (unsigned i = 0; i < *n; i++)
		if (map[i].from == from)
			return;
	if (*n >= SDP_XLATE_MAX_PT)
		return;
	map[*n].from = from;
	map[*n].to = to;
	map[*n].codec = codec;
	(*n)++;
}

const char *xl_bundle_group(const struct sdp_session *s)
{
	for (int i = sdp_attrs_find(&s->attrs, "group", 0); i >= 0;
	     i = sdp_attrs_find(&s->attrs, "group", (unsigned)i + 1)) {
		const char *v = s->attrs.a[i].value;

		if (v && strncmp(v, "BUNDLE", 6) == 0 && (v[6] == ' ' || !v[6]))
			return v + 6;
	}
	return NULL;
}

bool xl_in_group(const char *group, const char *mid)
{
	size_t n = strlen(mid);

	if (!group || !n)
		return false;
	for (const char *p = group; (p = strstr(p, mid)); p += n)
		if ((p == group || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

unsigned xl_rtp_ordinal(const struct sdp_xlate *x, unsigned i)
{
	unsigned n = 0;

	for (unsigned j = 0; j < i && j < SDP_MAX_MEDIA; j++)
		n += x->s[j].kind == SDP_STREAM_AUDIO || x->s[j].kind == SDP_STREAM_VIDEO;
	return n;
}

int xl_add_webrtc_datachannel(struct sdp_session *s, struct sdp_media *m,
			      const struct sdp_webrtc_local *wl, const char *mid,
			      enum sdp_setup setup)
{
	int rc = sdp_media_add_fmt(s, m, "webrtc-datachannel");

	if (!rc)
		rc = xl_add_webrtc_transport(s, m, wl, setup);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "mid", "%s", mid);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "sctp-port", "%u", wl->sctp_port);
	if (!rc && wl->max_message_size)
		rc = sdp_attrs_add(s, &m->attrs, "max-message-size", "%u", wl->max_message_size);
	return rc;
}

int xl_finish(struct sdp_session *s, int rc, struct sdp_session **out, const char *what,
	      char *err, size_t errlen)
{
	if (rc == 0) {
		*out = s;
		return 0;
	}
	if (rc == -ENOMEM)
		xl_fail(err, errlen, rc, "out of memory building the %s", what);
	sdp_free(s);
	return rc;
}

int xl_parse_codecs(const struct sdp_media *om, struct sdp_codec *oc, int *no,
		    const struct sdp_media *am, struct sdp_codec *ac, int *na, char *err,
		    size_t errlen)
{
	*no = sdp_codecs_parse(om, oc, err, errlen);
	if (*no < 0)
		return *no;
	*na = sdp_codecs_parse(am, ac, err, errlen);
	return *na < 0 ? *na : 0;
}
