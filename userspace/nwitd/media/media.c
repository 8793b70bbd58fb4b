/* Media of one call: ICE-lite, DTLS-SRTP and the relay between the two sides (media.h). */
#include "media/media.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/log.h"
#include "media/media_dc.h"
#include "media/media_dtls.h"
#include "webrtc/bundle_demux.h"
#include "media/media_fastpath.h"
#include "relay/relay.h"
#include "webrtc/stun_ice.h"
#include "media/media_state.h"

#define CONSENT_TIMEOUT_S 30	/* RFC 7675 5.1 */
#define ICE_TIMEOUT_DEFAULT_S 30	/* no check at all after the answer */
#define IMS_PORT_MIN 20000
#define IMS_PORT_MAX 39998

static const char ice_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void random_ice(char *out, size_t n)
{
	uint8_t r[32];

	if (n > sizeof(r) || RAND_bytes(r, (int)n) != 1)
		abort();
	for (size_t i = 0; i < n; i++)
		out[i] = ice_chars[r[i] & 63];
	out[n] = '\0';
}

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

uint16_t media_sa_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port :
						((const struct sockaddr_in *)ss)->sin_port);
}

static int sa_fill(struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		return 0;
	}
	return -EINVAL;
}

static void fail_later(struct media *m, const char *why)
{
	if (m->failed)
		return;
	m->failed = 1;
	snprintf(m->fail_why, sizeof(m->fail_why), "%s", why);
	event_active(m->fail_ev, EV_TIMEOUT, 0);
}

static void on_fail_ev(evutil_socket_t fd, short what, void *arg)
{
	struct media *m = arg;

	(void)fd;
	(void)what;
	log_warnx("media: %s", m->fail_why);
	m->fail(m->arg, m->fail_why);	/* may free m */
}

static int nused(const struct media *m)
{
	int n = 0;

	for (unsigned i = 0; i < m->npairs; i++)
		n += m->s[i].used;
	return n;
}

static void stream_start_flow(struct media *m, struct media_stream *st)
{
	struct relay_flow_desc d;
	struct relay_side_desc *b = &d.side[RELAY_SIDE_BROWSER], *i = &d.side[RELAY_SIDE_IMS];

	if (st->flow || !st->used || !m->have_keys || !m->bremote_len || !m->configured)
		return;
	memset(&d, 0, sizeof(d));
	b->local[0] = m->blocal;
	b->remote[0] = m->bremote;
	b->rtcp_mux = 1;
	b->suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
	memcpy(b->in_key, m->keys.remote_key, sizeof(b->in_key));
	memcpy(b->in_salt, m->keys.remote_salt, sizeof(b->in_salt));
	memcpy(b->out_key, m->keys.local_key, sizeof(b->out_key));
	memcpy(b->out_salt, m->keys.local_salt, sizeof(b->out_salt));
	memcpy(b->pt_map, st->pt_to_webrtc, sizeof(b->pt_map));
	i->local[0] = st->ilocal[0];
	i->local[1] = st->ilocal[1];
	i->remote[0] = st->ims_remote[0];
	i->remote[1] = st->ims_remote[1];
	i->suite = SRTP_SUITE_INVALID;
	memcpy(i->pt_map, st->pt_to_ims, sizeof(i->pt_map));
	i->strip_ext = 1;
	st->flow = relay_flow_new(&d);
	OPENSSL_cleanse(&d, sizeof(d));
	if (!st->flow) {
		fail_later(m, "cannot create the relay flow");
		return;
	}
	log_info("media: relaying browser port %u <-> IMS port %u (%s%s%s, userspace relay)",
		 media_sa_port(&m->blocal), media_sa_port(&st->ilocal[0]),
		 st->kind == SDP_STREAM_VIDEO ? "video" : "audio", st->mid[0] ? ", mid " : "",
		 st->mid);
}

static void maybe_start_flow(struct media *m)
{
	for (unsigned i = 0; i < m->npairs && !m->failed; i++)
		stream_start_flow(m, &m->s[i]);
}

static void fastpath_unprogram_stream(struct media *m, struct media_stream *st)
{
	for (int i = 0; i < 2; i++) {
		media_fp_del(m->fpath, st->fp_flow[i]);
		st->fp_flow[i] = 0;
	}
}

static void fastpath_unprogram(struct media *m)
{
	for (unsigned i = 0; i < m->npairs; i++)
		fastpath_unprogram_stream(m, &m->s[i]);
	media_fp_del(m->fpath, m->fp_bundle);
	m->fp_bundle = 0;
}

static void stream_stop_flow(struct media *m, struct media_stream *st)
{
	if (!st->flow)
		return;
	fastpath_unprogram(m);	/* the bundled flow names every stream's SSRCs */
	relay_flow_free(st->flow);
	st->flow = NULL;
}

static void stop_flows(struct media *m)
{
	for (unsigned i = 0; i < m->npairs; i++)
		stream_stop_flow(m, &m->s[i]);
}

static void on_dtls_done(void *arg, int ok, const struct media_dtls_keys *keys, const char *why)
{
	struct media *m = arg;

	if (!ok) {
		fail_later(m, why ? why : "DTLS failed");
		return;
	}
	m->keys = *keys;
	m->have_keys = 1;
	if (m->dc && media_dc_start(m->dc, m->dtls) < 0)
		fail_later(m, "cannot start the data channels' SCTP association");
	maybe_start_flow(m);
}

static void fastpath_program(struct media *m, struct media_stream *st, enum relay_side from,
			     uint32_t ssrc);

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One RTP/RTCP datagram from side `from` for stream st: translate, send, learn. */
static void relay_out(struct media *m, struct media_stream *st, enum relay_side from,
		      enum relay_port port, const struct sockaddr *src, uint8_t *buf, size_t len)
{
	const struct relay_flow_desc *d;
	enum relay_port out;
	int rtcp = port == RELAY_PORT_RTCP || relay_is_rtcp(buf, len);
	uint32_t ssrc = len >= 12 && !rtcp ? be32(buf + 8) : len >= 8 ? be32(buf + 4) : 0;
	int rc;

	if (!st->flow) {
		m->st.media_early++;
		return;
	}
	if (from == RELAY_SIDE_IMS && len >= 8) {
		/* one SRTP master key for the whole bundle: an SSRC is one stream's only */
		int owner = bundle_demux_find(&m->ims_ssrcs, ssrc);

		if (owner >= 0 && (unsigned)owner != st->idx) {
			st->st.ssrc_collision++;
			LOG_RATELIMITED(LOG_LEVEL_WARN, "media: colliding IMS SSRCs dropped",
					"media: SSRC %u from IMS port %u already arrived on IMS "
					"port %u: dropped (it would reuse SRTP keystream)", ssrc,
					media_sa_port(&st->ilocal[0]), media_sa_port(&m->s[owner].ilocal[0]));
			return;
		}
		if (owner < 0 && m->ims_ssrcs.nssrc >= BUNDLE_MAX_SSRCS) {
			/* an SSRC that could not be remembered could later collide unseen */
			st->st.ssrc_collision++;
			LOG_RATELIMITED(LOG_LEVEL_WARN, "media: IMS SSRCs over the limit dropped",
					"media: SSRC %u from IMS port %u dropped: the call already "
					"has %d IMS SSRCs", ssrc, media_sa_port(&st->ilocal[0]),
					BUNDLE_MAX_SSRCS);
			return;
		}
	}
	rc = relay_translate(st->flow, from, port, src, buf, &len, RELAY_BUF_SIZE, &out);
	if (rc < 0)
		return;	/* counted in the flow's drop reasons */
	if (from == RELAY_SIDE_IMS)
		bundle_demux_learn(&m->ims_ssrcs, ssrc, st->idx);	/* room: checked above */
	else if (!rtcp)
		bundle_demux_learn(&m->demux, ssrc, st->idx);
	if (!rtcp) {
		st->st.rtp_in_userspace[from]++;
		if (m->fpath && !st->fp_flow[from] && !m->fp_failed)
			fastpath_program(m, st, from, ssrc);
	}
	d = relay_flow_desc(st->flow);
	if (from == RELAY_SIDE_BROWSER) {
		const struct sockaddr_storage *dst = &d->side[RELAY_SIDE_IMS].remote[out];

		if (sendto(st->ifd[out], buf, len, 0, (const struct sockaddr *)dst, sa_len(dst)) >= 0)
			st->st.tx_ims++;
	} else if (sendto(m->bfd, buf, len, 0, (const struct sockaddr *)&m->bremote,
			  m->bremote_len) >= 0) {
		st->st.tx_browser++;
	}
}

/* Hand the direction whose first authentic RTP packet just passed to the kernel. */
static void fastpath_program(struct media *m, struct media_stream *st, enum relay_side from,
			     uint32_t ssrc)
{
	const struct relay_flow_desc *d = relay_flow_desc(st->flow);
	struct media_fp_dir dir = { .ssrc = ssrc };
	char err[160];
	int rc;

	if (from == RELAY_SIDE_BROWSER) {
		dir.action = NWIT_ACTION_SRTP_TO_RTP;
		dir.src = m->bremote;
		dir.dst = m->blocal;
		dir.out_src = st->ilocal[0];
		dir.out_dst = st->ims_remote[0];
		dir.pt_map = d->side[RELAY_SIDE_IMS].pt_map;
		dir.strip_ext = 1;
		dir.key = m->keys.remote_key;
		dir.salt = m->keys.remote_salt;
	} else {
		dir.action = NWIT_ACTION_RTP_TO_SRTP;
		dir.src = st->ims_remote[0];
		dir.dst = st->ilocal[0];
		dir.out_src = m->blocal;
		dir.out_dst = m->bremote;
		dir.pt_map = d->side[RELAY_SIDE_BROWSER].pt_map;
		dir.key = m->keys.local_key;
		dir.salt = m->keys.local_salt;
	}
	/*
	 * RTCP stays with the relay: it reaches the IMS RTCP port, and the SRTCP state of
	 * every SSRC has one owner (an IMS peer that sends RTCP to our RTP port as well as
	 * to the RTCP port must not get two SRTCP indexes for one SSRC).
	 */
	dir.rtcp_to_stack = 1;
	if (from == RELAY_SIDE_BROWSER && nused(m) > 1) {
		/* several streams share the browser's 5-tuple: the kernel flow picks by SSRC */
		rc = media_fp_bundle_add(m->fpath, &dir, &m->fp_bundle, &st->fp_flow[from], err,
					 sizeof(err));
	} else {
		rc = media_fp_add(m->fpath, &dir, &st->fp_flow[from], err, sizeof(err));
	}
	if (rc < 0) {
		m->fp_failed = 1;
		log_warnx("media: fast path flow for RTP from the %s side not programmed (%s): the "
			  "userspace relay carries this call", from == RELAY_SIDE_BROWSER ? "browser" :
			  "IMS", err);
		return;
	}
	log_info("media: fast path flow %u carries %s RTP from the %s side (SSRC %u)",
		 st->fp_flow[from], st->kind == SDP_STREAM_VIDEO ? "video" : "audio",
		 from == RELAY_SIDE_BROWSER ? "browser" : "IMS", ssrc);
}

static void handle_stun(struct media *m, const uint8_t *buf, size_t len,
			const struct sockaddr_storage *src, socklen_t srclen)
{
	uint8_t out[STUN_MAX_MSG];
	const struct stun_ice_creds creds = {
		.local_ufrag = m->ufrag, .local_pwd = m->pwd,
		.remote_ufrag = m->peer_ufrag[0] ? m->peer_ufrag : NULL,
	};
	struct stun_ice_request req;
	char why[160];
	int n = stun_ice_handle(buf, len, &creds, (const struct sockaddr *)src, out, sizeof(out),
				&req, why, sizeof(why));

	if (n > 0)
		sendto(m->bfd, out, (size_t)n, 0, (const struct sockaddr *)src, srclen);
	if (n < 0 || req.error_code) {
		if (n >= 0 && req.error_code == 401)
			m->st.stun_unauth++;
		else
			m->st.stun_bad++;
		LOG_RATELIMITED(LOG_LEVEL_WARN, "media: STUN requests refused",
				"media: STUN from the browser refused: %s", why);
		return;
	}
	if (n == 0 || !req.authenticated)
		return;
	m->st.stun_ok++;
	if (!m->bremote_len || req.use_candidate) {
		if (!m->bremote_len || !relay_sockaddr_equal((const struct sockaddr *)src,
							    (const struct sockaddr *)&m->bremote)) {
			/* the browser nominated another pair: follow it */
			stop_flows(m);
			memcpy(&m->bremote, src, srclen);
			m->bremote_len = srclen;
			if (m->dtls)
				media_dtls_set_peer(m->dtls, (const struct sockaddr *)src, srclen);
			maybe_start_flow(m);
		}
	}
	if (relay_sockaddr_equal((const struct sockaddr *)src, (const struct sockaddr *)&m->bremote))
		m->last_consent = time(NULL);
}

static void on_browser(evutil_socket_t fd, short what, void *arg)
{
	struct media *m = arg;
	uint8_t buf[RELAY_BUF_SIZE];
	struct sockaddr_storage src;

	(void)what;
	for (int i = 0; i < 32 && !m->failed; i++) {
		socklen_t srclen = sizeof(src);
		ssize_t n = recvfrom(fd, buf, RELAY_MAX_PACKET + 1, 0, (struct sockaddr *)&src,
				     &srclen);
		uint32_t ssrc;
		int k;

		if (n < 0)
			return;
		m->st.rx_browser++;
		if (n == 0)
			continue;
		if (buf[0] <= 3) {
			handle_stun(m, buf, (size_t)n, &src, srclen);
		} else if (buf[0] >= 20 && buf[0] <= 63) {
			m->st.dtls_in++;
			if (m->dtls)
				media_dtls_input(m->dtls, buf, (size_t)n, (struct sockaddr *)&src, srclen);
		} else if (buf[0] >= 128 && buf[0] <= 191) {
			k = bundle_demux_pick(&m->demux, buf, (size_t)n, &ssrc);
			if (k < 0 || (unsigned)k >= m->npairs || !m->s[k].used) {
				m->st.no_stream++;
				if (m->configured)
					LOG_RATELIMITED(LOG_LEVEL_WARN, "media: unknown browser RTP dropped",
						"media: RTP/RTCP from the browser (SSRC %u, payload "
						"type %u) belongs to no stream: dropped", k == -EBADMSG ?
						0 : ssrc, n > 1 ? buf[1] & 0x7f : 0);
				continue;
			}
			relay_out(m, &m->s[k], RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
				  (struct sockaddr *)&src, buf, (size_t)n);
		} else {
			m->st.other++;
		}
	}
}

static void on_ims(evutil_socket_t fd, short what, void *arg)
{
	struct media_stream *st = arg;
	struct media *m = st->m;
	uint8_t buf[RELAY_BUF_SIZE];
	struct sockaddr_storage src;
	enum relay_port port = fd == st->ifd[1] ? RELAY_PORT_RTCP : RELAY_PORT_RTP;

	(void)what;
	for (int i = 0; i < 32 && !m->failed; i++) {
		socklen_t srclen = sizeof(src);
		ssize_t n = recvfrom(fd, buf, RELAY_MAX_PACKET + 1, 0, (struct sockaddr *)&src,
				     &srclen);

		if (n < 0)
			return;
		st->st.rx_ims++;
		relay_out(m, st, RELAY_SIDE_IMS, port, (struct sockaddr *)&src, buf, (size_t)n);
	}
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct media *m = arg;
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	if (!m->configured || m->failed)
		return;
	if (!m->bremote_len && now - m->configured_at > (time_t)m->ice_timeout_s)
		fail_later(m, "ICE never completed: no connectivity check from the browser");
	else if (m->bremote_len && now - m->last_consent > CONSENT_TIMEOUT_S)
		fail_later(m, "the browser's consent expired (no STUN check for 30 s)");
}

static int bind_udp(const struct sockaddr_storage *ss, int *fd_out)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)ss, sa_len(ss)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	*fd_out = fd;
	return 0;
}

static void stream_close(struct media_stream *st)
{
	for (int i = 0; i < 2; i++) {
		if (st->iev[i])
			event_free(st->iev[i]);
		st->iev[i] = NULL;
		if (st->ifd[i] >= 0)
			close(st->ifd[i]);
		st->ifd[i] = -1;
	}
}

/* Open IMS port pair number idx (an even RTP port and the next one for RTCP). */
static int open_ims_pair(struct media *m, unsigned idx)
{
	struct media_stream *st = &m->s[idx];
	uint16_t r;

	for (int tries = 0; tries < 64; tries++) {
		uint16_t port;

		if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
			return -EIO;
		port = (uint16_t)(IMS_PORT_MIN + (r % ((IMS_PORT_MAX - IMS_PORT_MIN) / 2)) * 2);
		if (sa_fill(&st->ilocal[0], m->ims_addr, port) < 0 ||
		    sa_fill(&st->ilocal[1], m->ims_addr, port + 1) < 0)
			return -EINVAL;
		if (bind_udp(&st->ilocal[0], &st->ifd[0]) < 0)
			continue;
		if (bind_udp(&st->ilocal[1], &st->ifd[1]) < 0) {
			close(st->ifd[0]);
			st->ifd[0] = -1;
			continue;
		}
		for (int p = 0; p < 2; p++) {
			st->iev[p] = event_new(m->base, st->ifd[p], EV_READ | EV_PERSIST, on_ims, st);
			if (!st->iev[p] || event_add(st->iev[p], NULL) < 0) {
				stream_close(st);
				return -ENOMEM;
			}
		}
		return 0;
	}
	return -EADDRINUSE;
}

int media_ims_reserve(struct media *m, unsigned n)
{
	int rc;

	if (n > MEDIA_MAX_STREAMS)
		n = MEDIA_MAX_STREAMS;
	while (m->npairs < n) {
		rc = open_ims_pair(m, m->npairs);
		if (rc < 0) {
			log_warnx("media: cannot bind RTP/RTCP port pair %u on %s: %s", m->npairs + 1,
				  m->ims_addr, strerror(-rc));
			return rc;
		}
		m->npairs++;
	}
	return 0;
}

static void stream_free(struct media_stream *st)
{
	stream_close(st);
	relay_flow_free(st->flow);
	st->flow = NULL;
}

struct media *media_new(struct event_base *base, struct fastpath *fp, const char *lan_addr,
			const char *ims_addr, media_fail_cb fail, void *arg)
{
	struct media *m = calloc(1, sizeof(*m));
	struct timeval sec = { 1, 0 };
	socklen_t len = sizeof(m->blocal);
	int rc;

	if (!m)
		return NULL;
	m->base = base;
	m->ice_timeout_s = ICE_TIMEOUT_DEFAULT_S;
	m->fpath = fp;
	m->bfd = -1;
	for (unsigned i = 0; i < MEDIA_MAX_STREAMS; i++) {
		m->s[i].m = m;
		m->s[i].idx = i;
		m->s[i].ifd[0] = m->s[i].ifd[1] = -1;
	}
	bundle_demux_init(&m->demux);
	bundle_demux_init(&m->ims_ssrcs);
	m->fail = fail;
	m->arg = arg;
	random_ice(m->ufrag, 8);
	random_ice(m->pwd, 24);
	snprintf(m->ims_addr, sizeof(m->ims_addr), "%s", ims_addr);
	if (sa_fill(&m->blocal, lan_addr, 0) < 0) {
		log_warnx("media: browser-side address %s is not an IP literal", lan_addr);
		goto fail;
	}
	rc = bind_udp(&m->blocal, &m->bfd);
	if (rc < 0 || getsockname(m->bfd, (struct sockaddr *)&m->blocal, &len) < 0) {
		log_warnx("media: cannot bind a UDP socket on %s: %s", lan_addr,
			  strerror(rc < 0 ? -rc : errno));
		goto fail;
	}
	m->bev = event_new(base, m->bfd, EV_READ | EV_PERSIST, on_browser, m);
	m->tick = event_new(base, -1, EV_PERSIST, on_tick, m);
	m->fail_ev = event_new(base, -1, 0, on_fail_ev, m);
	if (!m->bev || !m->tick || !m->fail_ev || event_add(m->bev, NULL) < 0 ||
	    event_add(m->tick, &sec) < 0)
		goto fail;
	/* the first pair always: a call has at least one stream */
	if (media_ims_reserve(m, 1) < 0)
		goto fail;
	return m;
fail:
	media_free(m);
	return NULL;
}

void media_free(struct media *m)
{
	if (!m)
		return;
	media_dc_free(m->dc);	/* its SCTP ABORT still leaves on the socket */
	if (m->bev)
		event_free(m->bev);
	if (m->tick)
		event_free(m->tick);
	if (m->fail_ev)
		event_free(m->fail_ev);
	if (m->bfd >= 0)
		close(m->bfd);
	media_dtls_free(m->dtls);
	fastpath_unprogram(m);
	for (unsigned i = 0; i < MEDIA_MAX_STREAMS; i++)
		stream_free(&m->s[i]);
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

uint16_t media_browser_port(const struct media *m)
{
	return media_sa_port(&m->blocal);
}

uint16_t media_ims_port(const struct media *m)
{
	return media_sa_port(&m->s[0].ilocal[0]);
}

unsigned media_ims_ports(const struct media *m, uint16_t *ports, unsigned max)
{
	unsigned n = m->npairs < max ? m->npairs : max;

	for (unsigned i = 0; i < n; i++)
		ports[i] = media_sa_port(&m->s[i].ilocal[0]);
	return n;
}

const char *media_ice_ufrag(const struct media *m)
{
	return m->ufrag;
}

const char *media_ice_pwd(const struct media *m)
{
	return m->pwd;
}

void media_set_ice_timeout(struct media *m, unsigned seconds)
{
	m->ice_timeout_s = seconds;
}

/* The stream description of IMS port pair st from translated stream s. */
static int stream_configure(struct media *m, struct media_stream *st,
			    const struct sdp_xlate_stream *s)
{
	struct sockaddr_storage r0, r1;

	if (sa_fill(&r0, s->ims_addr, s->ims_rtp_port) < 0 ||
	    sa_fill(&r1, s->ims_addr, s->ims_rtcp_port ? s->ims_rtcp_port :
							 s->ims_rtp_port + 1) < 0)
		return -EINVAL;
	st->ims_remote[0] = r0;
	st->ims_remote[1] = r1;
	st->kind = s->kind;
	snprintf(st->mid, sizeof(st->mid), "%s", s->mid);
	memset(st->pt_to_ims, 0, sizeof(st->pt_to_ims));
	memset(st->pt_to_webrtc, 0, sizeof(st->pt_to_webrtc));
	for (unsigned i = 0; i < s->n_to_ims; i++) {
		if (s->to_ims[i].from >= 128)
			continue;
		bundle_demux_set_pt(&m->demux, s->to_ims[i].from, st->idx);
		if (s->to_ims[i].from != s->to_ims[i].to)
			st->pt_to_ims[s->to_ims[i].from] = RELAY_PT_MAPPED | s->to_ims[i].to;
	}
	for (unsigned i = 0; i < s->n_to_webrtc; i++)
		if (s->to_webrtc[i].from < 128 && s->to_webrtc[i].from != s->to_webrtc[i].to)
			st->pt_to_webrtc[s->to_webrtc[i].from] = RELAY_PT_MAPPED | s->to_webrtc[i].to;
	/* the browser's signalled SSRC decides before any payload type (RFC 8843 9.2) */
	if (s->webrtc_ssrc)
		bundle_demux_learn(&m->demux, s->webrtc_ssrc, st->idx);
	st->used = 1;
	return 0;
}

int media_configure(struct media *m, const struct sdp_xlate *x)
{
	int was_used[MEDIA_MAX_STREAMS], n = 0;

	for (unsigned i = 0; i < MEDIA_MAX_STREAMS; i++) {
		was_used[i] = m->s[i].used;
		m->s[i].used = 0;
	}
	bundle_demux_clear_pts(&m->demux);
	m->demux.default_stream = -1;
	/* port pair k carries the k-th audio/video m= line (an m=message line takes none) */
	for (unsigned i = 0, k = 0; i < x->nstreams; i++) {
		const struct sdp_xlate_stream *s = &x->s[i];

		if (s->kind != SDP_STREAM_AUDIO && s->kind != SDP_STREAM_VIDEO)
			continue;
		k++;
		if (!s->active || s->ims_index < 0 || k - 1 >= m->npairs)
			continue;
		if (m->s[k - 1].used || stream_configure(m, &m->s[k - 1], s) < 0)
			return -EINVAL;
		if (m->demux.default_stream < 0)
			m->demux.default_stream = (int)(k - 1);
		n++;
	}
	if (!n && !x->msrp.active)
		return -ENOENT;	/* neither RTP nor a file transfer */
	for (unsigned i = 0; i < MEDIA_MAX_STREAMS; i++)
		if (was_used[i] && !m->s[i].used)
			bundle_demux_forget_stream(&m->demux, i);
	snprintf(m->peer_ufrag, sizeof(m->peer_ufrag), "%s", x->ice_ufrag);
	if (!m->configured) {
		snprintf(m->fp_alg, sizeof(m->fp_alg), "%s", x->fingerprint_alg);
		snprintf(m->fp, sizeof(m->fp), "%s", x->fingerprint);
		m->dtls_client = x->dtls_role == SDP_DTLS_ROLE_CLIENT;
		m->dtls = media_dtls_new(m->base, m->bfd, m->dtls_client, m->fp_alg, m->fp,
					 on_dtls_done, m);
		if (!m->dtls)
			return -EIO;
		if (m->bremote_len)
			media_dtls_set_peer(m->dtls, (struct sockaddr *)&m->bremote, m->bremote_len);
		m->configured = 1;
		m->configured_at = time(NULL);
	} else {
		/* a re-offer changed the session: restart the flows with the new description */
		stop_flows(m);
		m->fp_failed = 0;
	}
	maybe_start_flow(m);
	return 0;
}

int media_attach_dc(struct media *m, struct media_dc *dc)
{
	if (m->dc)
		return -EBUSY;
	m->dc = dc;
	if (m->have_keys && media_dc_start(dc, m->dtls) < 0)
		fail_later(m, "cannot start the data channels' SCTP association");
	return 0;
}

int media_running(const struct media *m)
{
	for (unsigned i = 0; i < m->npairs; i++)
		if (m->s[i].flow)
			return 1;
	return 0;
}
