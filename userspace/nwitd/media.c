/* Media of one call: ICE-lite, DTLS-SRTP and the relay between the two sides (media.h). */
#include "media.h"

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

#include "log.h"
#include "media_dc.h"
#include "media_dtls.h"
#include "media_fastpath.h"
#include "relay.h"
#include "stun_ice.h"

#define CONSENT_TIMEOUT_S 30	/* RFC 7675 5.1 */
#define ICE_TIMEOUT_S 30	/* no check at all after the answer */
#define IMS_PORT_MIN 20000
#define IMS_PORT_MAX 39998

struct media {
	struct event_base *base;
	int bfd, ifd[2];
	struct event *bev, *iev[2], *tick, *fail_ev;
	struct sockaddr_storage blocal, ilocal[2];
	char ufrag[9], pwd[25];
	char peer_ufrag[257];		/* the browser's, once its SDP is known */

	/* from the SDP answer step */
	int configured;
	int rtp;			/* an audio/video stream to relay (else data channels only) */
	int dtls_client;
	char fp_alg[16], fp[200];
	struct sockaddr_storage ims_remote[2];
	uint8_t pt_to_ims[128], pt_to_webrtc[128];
	time_t configured_at;

	/* ICE */
	struct sockaddr_storage bremote;
	socklen_t bremote_len;
	time_t last_consent;

	/* DTLS and the relay */
	struct media_dtls *dtls;
	int have_keys;
	struct media_dtls_keys keys;
	struct relay_flow *flow;
	struct media_dc *dc;		/* data channels, when the call has them */

	/* the BPF fast path, when loaded: one kernel flow per direction */
	struct fastpath *fpath;
	uint32_t fp_flow[2];		/* by enum relay_side of the sender */
	int fp_failed;

	media_fail_cb fail;
	void *arg;
	char fail_why[200];
	int failed;

	struct {
		uint64_t stun_ok, stun_bad, stun_unauth, dtls_in, media_early, other;
		uint64_t rx_browser, rx_ims, tx_browser, tx_ims;
		uint64_t rtp_in_userspace[2];	/* RTP (not RTCP) relayed here, by sender */
	} st;
};

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

static uint16_t sa_port(const struct sockaddr_storage *ss)
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

static void maybe_start_flow(struct media *m)
{
	struct relay_flow_desc d;
	struct relay_side_desc *b = &d.side[RELAY_SIDE_BROWSER], *i = &d.side[RELAY_SIDE_IMS];

	if (m->flow || !m->have_keys || !m->bremote_len || !m->configured || !m->rtp)
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
	memcpy(b->pt_map, m->pt_to_webrtc, sizeof(b->pt_map));
	i->local[0] = m->ilocal[0];
	i->local[1] = m->ilocal[1];
	i->remote[0] = m->ims_remote[0];
	i->remote[1] = m->ims_remote[1];
	i->suite = SRTP_SUITE_INVALID;
	memcpy(i->pt_map, m->pt_to_ims, sizeof(i->pt_map));
	i->strip_ext = 1;
	m->flow = relay_flow_new(&d);
	OPENSSL_cleanse(&d, sizeof(d));
	if (!m->flow) {
		fail_later(m, "cannot create the relay flow");
		return;
	}
	log_info("media: relaying browser port %u <-> IMS port %u (userspace relay)",
		 sa_port(&m->blocal), sa_port(&m->ilocal[0]));
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

static void fastpath_program(struct media *m, enum relay_side from, uint32_t ssrc);

static void relay_out(struct media *m, enum relay_side from, enum relay_port port,
		      const struct sockaddr *src, uint8_t *buf, size_t len)
{
	const struct relay_flow_desc *d;
	enum relay_port out;
	int rc;

	if (!m->flow) {
		m->st.media_early++;
		return;
	}
	{
		uint32_t ssrc = len >= 12 ? (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 |
						    (uint32_t)buf[10] << 8 | buf[11] : 0;
		int rtp = port == RELAY_PORT_RTP && !relay_is_rtcp(buf, len);

		rc = relay_translate(m->flow, from, port, src, buf, &len, RELAY_BUF_SIZE, &out);
		if (rc < 0)
			return;	/* counted in the flow's drop reasons */
		if (rtp) {
			m->st.rtp_in_userspace[from]++;
			if (m->fpath && !m->fp_flow[from] && !m->fp_failed)
				fastpath_program(m, from, ssrc);
		}
	}
	d = relay_flow_desc(m->flow);
	if (from == RELAY_SIDE_BROWSER) {
		const struct sockaddr_storage *dst = &d->side[RELAY_SIDE_IMS].remote[out];

		if (sendto(m->ifd[out], buf, len, 0, (const struct sockaddr *)dst, sa_len(dst)) >= 0)
			m->st.tx_ims++;
	} else if (sendto(m->bfd, buf, len, 0, (const struct sockaddr *)&m->bremote,
			  m->bremote_len) >= 0) {
		m->st.tx_browser++;
	}
}

/* Hand the direction whose first authentic RTP packet just passed to the kernel. */
static void fastpath_program(struct media *m, enum relay_side from, uint32_t ssrc)
{
	const struct relay_flow_desc *d = relay_flow_desc(m->flow);
	struct media_fp_dir dir = { .ssrc = ssrc };
	char err[160];
	int rc;

	if (from == RELAY_SIDE_BROWSER) {
		dir.action = NWIT_ACTION_SRTP_TO_RTP;
		dir.src = m->bremote;
		dir.dst = m->blocal;
		dir.out_src = m->ilocal[0];
		dir.out_dst = m->ims_remote[0];
		dir.pt_map = d->side[RELAY_SIDE_IMS].pt_map;
		dir.strip_ext = 1;
		dir.key = m->keys.remote_key;
		dir.salt = m->keys.remote_salt;
	} else {
		dir.action = NWIT_ACTION_RTP_TO_SRTP;
		dir.src = m->ims_remote[0];
		dir.dst = m->ilocal[0];
		dir.out_src = m->blocal;
		dir.out_dst = m->bremote;
		dir.pt_map = d->side[RELAY_SIDE_BROWSER].pt_map;
		dir.key = m->keys.local_key;
		dir.salt = m->keys.local_salt;
	}
	rc = media_fp_add(m->fpath, &dir, &m->fp_flow[from], err, sizeof(err));
	if (rc < 0) {
		m->fp_failed = 1;
		log_warnx("media: fast path flow for RTP from the %s side not programmed (%s): the "
			  "userspace relay carries this call", from == RELAY_SIDE_BROWSER ? "browser" :
			  "IMS", err);
		return;
	}
	log_info("media: fast path flow %u carries RTP from the %s side (SSRC %u)",
		 m->fp_flow[from], from == RELAY_SIDE_BROWSER ? "browser" : "IMS", ssrc);
}

static void fastpath_unprogram(struct media *m)
{
	for (int i = 0; i < 2; i++) {
		media_fp_del(m->fpath, m->fp_flow[i]);
		m->fp_flow[i] = 0;
	}
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
		if ((m->st.stun_bad + m->st.stun_unauth) % 100 == 1)
			log_warnx("media: STUN from the browser refused: %s", why);
		return;
	}
	if (n == 0 || !req.authenticated)
		return;
	m->st.stun_ok++;
	if (!m->bremote_len || req.use_candidate) {
		if (!m->bremote_len || !relay_sockaddr_equal((const struct sockaddr *)src,
							    (const struct sockaddr *)&m->bremote)) {
			if (m->flow) {
				/* the browser nominated another pair: follow it */
				fastpath_unprogram(m);
				relay_flow_free(m->flow);
				m->flow = NULL;
			}
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
			relay_out(m, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, (struct sockaddr *)&src, buf,
				  (size_t)n);
		} else {
			m->st.other++;
		}
	}
}

static void on_ims(evutil_socket_t fd, short what, void *arg)
{
	struct media *m = arg;
	uint8_t buf[RELAY_BUF_SIZE];
	struct sockaddr_storage src;
	enum relay_port port = fd == m->ifd[1] ? RELAY_PORT_RTCP : RELAY_PORT_RTP;

	(void)what;
	for (int i = 0; i < 32 && !m->failed; i++) {
		socklen_t srclen = sizeof(src);
		ssize_t n = recvfrom(fd, buf, RELAY_MAX_PACKET + 1, 0, (struct sockaddr *)&src,
				     &srclen);

		if (n < 0)
			return;
		m->st.rx_ims++;
		relay_out(m, RELAY_SIDE_IMS, port, (struct sockaddr *)&src, buf, (size_t)n);
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
	if (!m->bremote_len && now - m->configured_at > ICE_TIMEOUT_S)
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

static int open_ims_pair(struct media *m, const char *addr)
{
	uint16_t r;

	for (int tries = 0; tries < 64; tries++) {
		uint16_t port;

		if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
			return -EIO;
		port = (uint16_t)(IMS_PORT_MIN + (r % ((IMS_PORT_MAX - IMS_PORT_MIN) / 2)) * 2);
		if (sa_fill(&m->ilocal[0], addr, port) < 0 || sa_fill(&m->ilocal[1], addr, port + 1) < 0)
			return -EINVAL;
		if (bind_udp(&m->ilocal[0], &m->ifd[0]) < 0)
			continue;
		if (bind_udp(&m->ilocal[1], &m->ifd[1]) < 0) {
			close(m->ifd[0]);
			m->ifd[0] = -1;
			continue;
		}
		return 0;
	}
	return -EADDRINUSE;
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
	m->fpath = fp;
	m->bfd = m->ifd[0] = m->ifd[1] = -1;
	m->fail = fail;
	m->arg = arg;
	random_ice(m->ufrag, 8);
	random_ice(m->pwd, 24);
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
	rc = open_ims_pair(m, ims_addr);
	if (rc < 0) {
		log_warnx("media: cannot bind an RTP/RTCP port pair on %s: %s", ims_addr,
			  strerror(-rc));
		goto fail;
	}
	m->bev = event_new(base, m->bfd, EV_READ | EV_PERSIST, on_browser, m);
	m->iev[0] = event_new(base, m->ifd[0], EV_READ | EV_PERSIST, on_ims, m);
	m->iev[1] = event_new(base, m->ifd[1], EV_READ | EV_PERSIST, on_ims, m);
	m->tick = event_new(base, -1, EV_PERSIST, on_tick, m);
	m->fail_ev = event_new(base, -1, 0, on_fail_ev, m);
	if (!m->bev || !m->iev[0] || !m->iev[1] || !m->tick || !m->fail_ev ||
	    event_add(m->bev, NULL) < 0 || event_add(m->iev[0], NULL) < 0 ||
	    event_add(m->iev[1], NULL) < 0 || event_add(m->tick, &sec) < 0)
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
	for (int i = 0; i < 2; i++) {
		if (m->iev[i])
			event_free(m->iev[i]);
		if (m->ifd[i] >= 0)
			close(m->ifd[i]);
	}
	if (m->tick)
		event_free(m->tick);
	if (m->fail_ev)
		event_free(m->fail_ev);
	if (m->bfd >= 0)
		close(m->bfd);
	media_dtls_free(m->dtls);
	fastpath_unprogram(m);
	relay_flow_free(m->flow);
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

uint16_t media_browser_port(const struct media *m)
{
	return sa_port(&m->blocal);
}

uint16_t media_ims_port(const struct media *m)
{
	return sa_port(&m->ilocal[0]);
}

const char *media_ice_ufrag(const struct media *m)
{
	return m->ufrag;
}

const char *media_ice_pwd(const struct media *m)
{
	return m->pwd;
}

int media_configure(struct media *m, const struct sdp_xlate *x)
{
	const struct sdp_xlate_stream *s = NULL;

	for (unsigned i = 0; i < x->nstreams; i++)
		if (x->s[i].active && (x->s[i].kind == SDP_STREAM_AUDIO ||
				       x->s[i].kind == SDP_STREAM_VIDEO)) {
			s = &x->s[i];
			break;
		}
	m->rtp = s != NULL;
	if (!s && !x->msrp.active)
		return -ENOENT;
	if (s && (sa_fill(&m->ims_remote[0], s->ims_addr, s->ims_rtp_port) < 0 ||
	    sa_fill(&m->ims_remote[1], s->ims_addr, s->ims_rtcp_port ? s->ims_rtcp_port :
								       s->ims_rtp_port + 1) < 0))
		return -EINVAL;
	memset(m->pt_to_ims, 0, sizeof(m->pt_to_ims));
	memset(m->pt_to_webrtc, 0, sizeof(m->pt_to_webrtc));
	for (unsigned i = 0; s && i < s->n_to_ims; i++)
		if (s->to_ims[i].from < 128 && s->to_ims[i].from != s->to_ims[i].to)
			m->pt_to_ims[s->to_ims[i].from] = RELAY_PT_MAPPED | s->to_ims[i].to;
	for (unsigned i = 0; s && i < s->n_to_webrtc; i++)
		if (s->to_webrtc[i].from < 128 && s->to_webrtc[i].from != s->to_webrtc[i].to)
			m->pt_to_webrtc[s->to_webrtc[i].from] = RELAY_PT_MAPPED | s->to_webrtc[i].to;
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
	} else if (m->flow) {
		/* a re-offer changed the IMS side: restart the flow with the new description */
		fastpath_unprogram(m);
		relay_flow_free(m->flow);
		m->flow = NULL;
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
	return m->flow != NULL;
}

static json_t *dir_json(const struct relay_dir_stats *st)
{
	json_t *drops = json_object();

	for (int i = 1; i < RELAY_DROP__COUNT; i++)
		if (st->drops[i])
			json_object_set_new(drops, relay_drop_name((enum relay_drop)i),
					    json_integer((json_int_t)st->drops[i]));
	return json_pack("{s:I,s:I,s:o}", "packets", (json_int_t)st->packets, "bytes",
			 (json_int_t)st->bytes, "drops", drops);
}

json_t *media_stats_json(const struct media *m)
{
	const char *path = !m->flow ? "setup" : m->fp_flow[0] && m->fp_flow[1] ? "fastpath" :
		m->fp_flow[0] || m->fp_flow[1] ? "fastpath+relay" : "userspace-relay";
	json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:b,s:i,s:i}",
			      "path", path,
			      "stun_ok", (json_int_t)m->st.stun_ok,
			      "stun_bad", (json_int_t)m->st.stun_bad,
			      "stun_unauthorized", (json_int_t)m->st.stun_unauth,
			      "dtls_datagrams", (json_int_t)m->st.dtls_in,
			      "media_before_keys", (json_int_t)m->st.media_early,
			      "rx_browser", (json_int_t)m->st.rx_browser,
			      "rx_ims", (json_int_t)m->st.rx_ims,
			      "tx_ims", (json_int_t)m->st.tx_ims,
			      "dtls_done", media_dtls_done(m->dtls),
			      "ice_done", m->bremote_len != 0,
			      "browser_port", media_browser_port(m),
			      "ims_port", media_ims_port(m));

	if (o && m->flow) {
		json_object_set_new(o, "from_browser",
				    dir_json(relay_flow_stats(m->flow, RELAY_SIDE_BROWSER)));
		json_object_set_new(o, "from_ims", dir_json(relay_flow_stats(m->flow, RELAY_SIDE_IMS)));
		json_object_set_new(o, "tx_browser", json_integer((json_int_t)m->st.tx_browser));
		json_object_set_new(o, "rtp_relayed_from_browser",
				    json_integer((json_int_t)m->st.rtp_in_userspace[RELAY_SIDE_BROWSER]));
		json_object_set_new(o, "rtp_relayed_from_ims",
				    json_integer((json_int_t)m->st.rtp_in_userspace[RELAY_SIDE_IMS]));
	}
	if (o && m->dc)
		json_object_set_new(o, "datachannel", media_dc_stats_json(m->dc));
	if (o && m->fpath)
		json_object_set_new(o, "fastpath", json_pack("{s:o,s:o}",
				    "from_browser", media_fp_stats(m->fpath, m->fp_flow[RELAY_SIDE_BROWSER]),
				    "from_ims", media_fp_stats(m->fpath, m->fp_flow[RELAY_SIDE_IMS])));
	return o;
}
