/* File transfer of one call: data channel "msrp" <-> MSRP over TCP (b2bua_msrp.h). */
#include "calls/b2bua_msrp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <openssl/rand.h>

#include "core/log.h"
#include "media/media.h"
#include "media/media_dc.h"
#include "msrp/msrp.h"
#include "msrp/msrp_bridge.h"

#define IMS_CHUNK 2048		  /* chunk data toward IMS: Kamailio's relay reads frames of a few KiB */
#define DC_MAX_MESSAGE 262144	  /* our a=max-message-size toward the browser */
#define DC_QUEUE_HIGH (8u << 20)  /* stop reading IMS while this much waits for SCTP */
#define IN_CAP (512u << 10)	  /* one frame: 8 KiB of headers + 256 KiB of data fit */
#define LOST_GRACE_MS 1000	  /* let the failure REPORTs leave before the call ends */

struct b2bua_msrp {
	struct event_base *base;
	int fd;				/* bound, until connected or listening */
	char ims_uri[MSRP_URI_MAX + 64], dc_uri[MSRP_URI_MAX + 64];
	struct msrp_bridge_config bc;
	struct msrp_bridge *bridge;
	bool started, have_dc_peer, open_ours, rtp, we_connect;
	struct media_dc *dc;		/* owned by the call's media */
	int dc_stream;			/* the channel with protocol "msrp", -1 until open */
	struct bufferevent *bev;
	struct evconnlistener *lst;
	bool connected, ims_lost, dc_lost, lost_told;
	uint8_t *in;
	size_t in_len;
	struct event *lost_ev, *resume_ev;
	char why[200];
	b2bua_msrp_lost_cb lost;
	void *arg;
	struct {
		uint64_t frames_from_ims, frames_from_dc, other_dc_messages, unsent_ims, unsent_dc,
			reports_on_loss;
	} st;
};

bool b2bua_msrp_wanted(const struct sdp_session *offer)
{
	for (unsigned i = 0; i < offer->nmedia; i++) {
		const struct sdp_media *m = &offer->media[i];

		if (m->port && ((strcmp(m->type, "application") == 0 &&
				 strcmp(m->proto, "UDP/DTLS/SCTP") == 0) ||
				(strcmp(m->type, "message") == 0 && strstr(m->proto, "MSRP"))))
			return true;
	}
	return false;
}

static void random_id(char *out, size_t n)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t r[32];

	if (n > sizeof(r) || RAND_bytes(r, (int)n) != 1)
		abort();
	for (size_t i = 0; i < n; i++)
		out[i] = al[r[i] % (sizeof(al) - 1)];
	out[n] = '\0';
}

static int sa_from(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	char h[MSRP_URI_MAX];
	size_t n = strlen(host);

	memset(ss, 0, sizeof(*ss));
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		snprintf(h, sizeof(h), "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(h, sizeof(h), "%s", host);
	if (inet_pton(AF_INET, h, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

static void tell_lost_later(struct b2bua_msrp *s)
{
	struct timeval tv = { 0, LOST_GRACE_MS * 1000 };

	if (s->rtp || s->lost_told)
		return;	/* the call goes on with its audio/video */
	s->lost_told = true;
	evtimer_add(s->lost_ev, &tv);
}

static void on_lost_ev(evutil_socket_t fd, short what, void *arg)
{
	struct b2bua_msrp *s = arg;
	char why[220];

	(void)fd;
	(void)what;
	snprintf(why, sizeof(why), "file transfer: %s", s->why);
	s->lost(s->arg, why);	/* may end the call (freed later, from the loop) */
}

static void ims_lost(struct b2bua_msrp *s, const char *why)
{
	unsigned n = 0;

	if (s->ims_lost)
		return;
	s->ims_lost = true;
	if (s->bev) {
		bufferevent_free(s->bev);
		s->bev = NULL;
	}
	if (s->bridge)
		n = msrp_bridge_side_lost(s->bridge, MSRP_SIDE_IMS);
	s->st.reports_on_loss += n;
	if (!s->dc_lost)
		snprintf(s->why, sizeof(s->why), "IMS side: %s", why);
	log_info("msrp: the IMS side is gone (%s); %u failure REPORT(s) to the browser", why, n);
	tell_lost_later(s);
}

static void dc_lost(struct b2bua_msrp *s, const char *why)
{
	unsigned n = 0;

	if (s->dc_lost)
		return;
	s->dc_lost = true;
	if (s->bridge)
		n = msrp_bridge_side_lost(s->bridge, MSRP_SIDE_DC);
	s->st.reports_on_loss += n;
	if (!s->ims_lost)
		snprintf(s->why, sizeof(s->why), "browser side: %s", why);
	log_info("msrp: the browser side is gone (%s); %u failure REPORT(s) to IMS", why, n);
	tell_lost_later(s);
}

/* --- the bridge's output ------------------------------------------------------------------ */

static void bridge_send(void *arg, enum msrp_bridge_side to, const uint8_t *frame, size_t len)
{
	struct b2bua_msrp *s = arg;

	if (to == MSRP_SIDE_IMS) {
		if (!s->bev || s->ims_lost || bufferevent_write(s->bev, frame, len) < 0)
			s->st.unsent_ims++;
	} else if (s->dc_lost || s->dc_stream < 0 ||
		   media_dc_send(s->dc, (uint16_t)s->dc_stream, frame, len, true) < 0) {
		s->st.unsent_dc++;
	}
}

static void read_ims(struct b2bua_msrp *s);

static int make_bridge(struct b2bua_msrp *s)
{
	static const struct msrp_bridge_out out = { bridge_send };

	s->bridge = msrp_bridge_new(&s->bc, &out, s);
	if (!s->bridge)
		return -ENOMEM;
	if (s->bev)
		bufferevent_enable(s->bev, EV_READ);
	return 0;
}

/* --- IMS side: TCP ------------------------------------------------------------------------- */

static void read_ims(struct b2bua_msrp *s)
{
	struct evbuffer *in;
	size_t off = 0;

	if (!s->bev || !s->bridge)
		return;
	in = bufferevent_get_input(s->bev);
	while (evbuffer_get_length(in) && s->in_len < IN_CAP) {
		int n = evbuffer_remove(in, s->in + s->in_len, IN_CAP - s->in_len);

		if (n <= 0)
			break;
		s->in_len += (size_t)n;
		for (;;) {
			struct msrp_frame f;
			char err[160];
			int len = msrp_parse(s->in + off, s->in_len - off, false, &s->bc.lim, &f, NULL,
					     err, sizeof(err));

			if (len == 0)
				break;
			if (len < 0) {
				char why[200];

				snprintf(why, sizeof(why), "unreadable MSRP from IMS: %s", err);
				ims_lost(s, why);
				return;
			}
			s->st.frames_from_ims++;
			if (msrp_bridge_input(s->bridge, MSRP_SIDE_IMS, s->in + off, (size_t)len, err,
					      sizeof(err)) < 0)
				LOG_RATELIMITED(LOG_LEVEL_INFO, "msrp: IMS frames refused",
						"msrp: from IMS: %s", err);
			off += (size_t)len;
			if (s->ims_lost)
				return;
		}
		memmove(s->in, s->in + off, s->in_len - off);
		s->in_len -= off;
		off = 0;
		/* the browser's side takes its time: wait while SCTP has much queued */
		if (media_dc_queued(s->dc) > DC_QUEUE_HIGH) {
			struct timeval tv = { 0, 20000 };

			bufferevent_disable(s->bev, EV_READ);
			evtimer_add(s->resume_ev, &tv);
			return;
		}
	}
	if (s->in_len >= IN_CAP)
		ims_lost(s, "a frame from IMS exceeds the buffer");
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct b2bua_msrp *s = arg;
	struct timeval tv = { 0, 20000 };

	(void)fd;
	(void)what;
	if (!s->bev || s->ims_lost)
		return;
	if (media_dc_queued(s->dc) > DC_QUEUE_HIGH / 2) {
		evtimer_add(s->resume_ev, &tv);
		return;
	}
	bufferevent_enable(s->bev, EV_READ);
	read_ims(s);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	read_ims(arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct b2bua_msrp *s = arg;
	char why[160];

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		s->connected = true;
		log_info("msrp: connected toward IMS (%s)", s->ims_uri);
		return;
	}
	snprintf(why, sizeof(why), "%s",
		 what & BEV_EVENT_EOF ? "the connection was closed" :
		 !s->connected ? "cannot connect to the first hop" : "connection error");
	if (what & BEV_EVENT_ERROR) {
		int e = EVUTIL_SOCKET_ERROR();

		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (%s)",
			 evutil_socket_error_to_string(e));
	}
	ims_lost(s, why);
}

static int take_connection(struct b2bua_msrp *s, int fd, bool connecting,
			   const struct sockaddr *to, socklen_t tolen)
{
	s->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!s->bev) {
		close(fd);
		return -ENOMEM;
	}
	bufferevent_setcb(s->bev, on_read, NULL, on_event, s);
	/* Kamailio's relay queues what we do not read and drops the connection at its
	 * tcp_conn_wq_max: read in large gulps (libevent's default is 16 KiB a wakeup) */
	bufferevent_set_max_single_read(s->bev, IN_CAP);
	/* frames from IMS wait until the bridge knows the browser's path */
	bufferevent_disable(s->bev, EV_READ);
	bufferevent_enable(s->bev, EV_WRITE);
	if (s->bridge)
		bufferevent_enable(s->bev, EV_READ);
	if (connecting && bufferevent_socket_connect(s->bev, to, (int)tolen) < 0)
		return -errno ? -errno : -EIO;
	if (!connecting)
		s->connected = true;
	return 0;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	struct b2bua_msrp *s = arg;

	(void)l;
	(void)sa;
	(void)salen;
	if (s->bev || s->ims_lost) {
		close(fd);
		return;
	}
	evutil_make_socket_nonblocking(fd);
	log_info("msrp: the IMS side connected to %s", s->ims_uri);
	if (take_connection(s, fd, false, NULL, 0) < 0)
		ims_lost(s, "cannot take the connection");
	evconnlistener_disable(s->lst);
}

/* --- browser side: the data channel ------------------------------------------------------- */

static void dc_state(void *arg, bool up, const char *why)
{
	struct b2bua_msrp *s = arg;
	uint16_t stream;

	if (!up) {
		dc_lost(s, why);
		return;
	}
	/* a call from IMS: we open the channel (the browser answered our offer) */
	if (s->open_ours && s->dc_stream < 0 && media_dc_open(s->dc, "msrp", "msrp", &stream) < 0)
		dc_lost(s, "cannot open the msrp data channel");
}

static void dc_open(void *arg, uint16_t stream, const char *label, const char *protocol)
{
	struct b2bua_msrp *s = arg;

	(void)label;
	if (s->dc_stream < 0 && strcasecmp(protocol, "msrp") == 0)
		s->dc_stream = stream;
}

static void dc_message(void *arg, uint16_t stream, const uint8_t *data, size_t len, bool binary)
{
	struct b2bua_msrp *s = arg;
	char err[160];

	(void)binary;
	if ((int)stream != s->dc_stream || s->dc_lost) {
		s->st.other_dc_messages++;
		return;
	}
	s->st.frames_from_dc++;
	if (!s->bridge) {
		/* the browser's first frame names its path (its From-Path) */
		struct msrp_frame f;

		if (msrp_parse(data, len, true, &s->bc.lim, &f, NULL, err, sizeof(err)) <= 0 ||
		    !f.is_request || !f.from.n) {
			log_info("msrp: the browser's first frame is not a request: %s", err);
			return;
		}
		s->bc.peer[MSRP_SIDE_DC] = f.from;
		if (make_bridge(s) < 0) {
			dc_lost(s, "out of memory");
			return;
		}
		read_ims(s);
	}
	if (msrp_bridge_input(s->bridge, MSRP_SIDE_DC, data, len, err, sizeof(err)) < 0)
		LOG_RATELIMITED(LOG_LEVEL_INFO, "msrp: browser frames refused",
				"msrp: from the browser: %s", err);
}

static void dc_close(void *arg, uint16_t stream)
{
	struct b2bua_msrp *s = arg;

	if ((int)stream == s->dc_stream)
		dc_lost(s, "the browser closed the msrp channel");
}

/* --- life cycle ---------------------------------------------------------------------------- */

struct b2bua_msrp *b2bua_msrp_new(struct event_base *base, const char *ims_addr,
				  const char *lan_addr, uint16_t browser_port,
				  b2bua_msrp_lost_cb lost, void *arg)
{
	struct b2bua_msrp *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t len;
	char id[16];
	int one = 1;

	if (!s)
		return NULL;
	s->base = base;
	s->fd = -1;
	s->dc_stream = -1;
	s->lost = lost;
	s->arg = arg;
	s->in = malloc(IN_CAP);
	s->lost_ev = evtimer_new(base, on_lost_ev, s);
	s->resume_ev = evtimer_new(base, on_resume, s);
	if (!s->in || !s->lost_ev || !s->resume_ev)
		goto fail;
	if (sa_from(ims_addr, 0, &ss, &len) < 0) {
		log_warnx("msrp: IMS-side address %s is not an IP literal", ims_addr);
		goto fail;
	}
	s->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s->fd, (struct sockaddr *)&ss, len) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0) {
		log_warnx("msrp: cannot bind a TCP socket on %s: %s", ims_addr, strerror(errno));
		goto fail;
	}
	evutil_make_socket_nonblocking(s->fd);
	random_id(id, 10);
	snprintf(s->ims_uri, sizeof(s->ims_uri), "msrp://%s%s%s:%u/%s;tcp",
		 ss.ss_family == AF_INET6 ? "[" : "", ims_addr, ss.ss_family == AF_INET6 ? "]" : "",
		 ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
						  ((struct sockaddr_in *)&ss)->sin_port), id);
	random_id(id, 10);
	snprintf(s->dc_uri, sizeof(s->dc_uri), "msrp://%s%s%s:%u/%s;dc",
		 strchr(lan_addr, ':') ? "[" : "", lan_addr, strchr(lan_addr, ':') ? "]" : "",
		 browser_port, id);
	if (msrp_uri_parse(s->ims_uri, strlen(s->ims_uri), &s->bc.local[MSRP_SIDE_IMS]) < 0 ||
	    msrp_uri_parse(s->dc_uri, strlen(s->dc_uri), &s->bc.local[MSRP_SIDE_DC]) < 0) {
		log_warnx("msrp: cannot make our URIs (%s, %s)", s->ims_uri, s->dc_uri);
		goto fail;
	}
	msrp_limits_default(&s->bc.lim);
	return s;
fail:
	b2bua_msrp_free(s);
	return NULL;
}

void b2bua_msrp_free(struct b2bua_msrp *s)
{
	if (!s)
		return;
	if (s->bev)
		bufferevent_free(s->bev);
	if (s->lst)
		evconnlistener_free(s->lst);	/* closes fd */
	else if (s->fd >= 0)
		close(s->fd);
	if (s->lost_ev)
		event_free(s->lost_ev);
	if (s->resume_ev)
		event_free(s->resume_ev);
	msrp_bridge_free(s->bridge);
	free(s->in);
	free(s);
}

const char *b2bua_msrp_ims_uri(const struct b2bua_msrp *s)
{
	return s->ims_uri;
}

const char *b2bua_msrp_dc_uri(const struct b2bua_msrp *s)
{
	return s->dc_uri;
}

int b2bua_msrp_start(struct b2bua_msrp *s, const struct sdp_xlate *x, struct media *m,
		     char *err, size_t errlen)
{
	static const struct media_dc_cbs cbs = { dc_state, dc_open, dc_message, dc_close };
	const struct sdp_xlate_msrp *ms = &x->msrp;
	struct media_dc_config cfg = { 0 };
	struct sockaddr_storage to;
	socklen_t tolen;
	int rc, fd;

	if (s->started)
		return 0;
	if (!ms->active || ms->stream < 0 || !ms->ims.path.n) {
		snprintf(err, errlen, "no MSRP session was negotiated");
		return -EINVAL;
	}
	s->started = true;
	s->bc.peer[MSRP_SIDE_IMS] = ms->ims.path;
	s->bc.max_frame[MSRP_SIDE_DC] = ms->dc_max_message;
	s->bc.max_chunk[MSRP_SIDE_IMS] = IMS_CHUNK;
	s->open_ours = x->s[ms->stream].kind == SDP_STREAM_MSRP;
	s->we_connect = ms->we_connect;
	for (unsigned i = 0; i < x->nstreams; i++)
		s->rtp |= x->s[i].active && (x->s[i].kind == SDP_STREAM_AUDIO ||
					     x->s[i].kind == SDP_STREAM_VIDEO);
	if (ms->dc_mapped && ms->dc.path.n) {
		s->bc.peer[MSRP_SIDE_DC] = ms->dc.path;
		if (make_bridge(s) < 0) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}

	/* the data channels on the call's DTLS association */
	cfg.remote_port = ms->dc_sctp_port;
	cfg.max_message = DC_MAX_MESSAGE;
	cfg.remote_max_message = ms->dc_max_message;
	s->dc = media_dc_new(s->base, &cfg, &cbs, s);
	if (!s->dc || media_attach_dc(m, s->dc) < 0) {
		if (s->dc)
			media_dc_free(s->dc);
		s->dc = NULL;
		snprintf(err, errlen, "cannot set up data channels");
		return -EIO;
	}

	/* toward IMS */
	fd = s->fd;
	if (s->we_connect) {
		const struct msrp_uri *hop = &ms->ims.path.uri[0];

		if (sa_from(hop->host, hop->port ? hop->port : 2855, &to, &tolen) < 0) {
			snprintf(err, errlen, "the first hop of the IMS peer's path (%s) is not an IP address",
				 hop->host);
			return -EINVAL;
		}
		s->fd = -1;
		rc = take_connection(s, fd, true, (struct sockaddr *)&to, tolen);
		if (rc < 0) {
			snprintf(err, errlen, "cannot connect to %s:%u: %s", hop->host, hop->port,
				 strerror(-rc));
			return rc;
		}
		log_info("msrp: connecting from %s to %s:%u", s->ims_uri, hop->host,
			 hop->port ? hop->port : 2855);
	} else {
		s->lst = evconnlistener_new(s->base, on_accept, s, LEV_OPT_CLOSE_ON_FREE, 4, fd);
		if (!s->lst) {
			snprintf(err, errlen, "cannot listen on %s", s->ims_uri);
			return -EIO;
		}
		s->fd = -1;
		log_info("msrp: waiting for the IMS side on %s", s->ims_uri);
	}
	return 0;
}

json_t *b2bua_msrp_json(const struct b2bua_msrp *s)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:i,s:I,s:I,s:I,s:I,s:I,s:I}",
			      "ims_uri", s->ims_uri, "dc_uri", s->dc_uri,
			      "ims", s->ims_lost ? "lost" : s->connected ? "connected" :
				     s->started ? (s->we_connect ? "connecting" : "listening") : "idle",
			      "bridged", s->bridge != NULL, "browser_lost", s->dc_lost,
			      "ims_lost", s->ims_lost, "channel", s->dc_stream,
			      "frames_from_ims", (json_int_t)s->st.frames_from_ims,
			      "frames_from_browser", (json_int_t)s->st.frames_from_dc,
			      "other_dc_messages", (json_int_t)s->st.other_dc_messages,
			      "unsent_to_ims", (json_int_t)s->st.unsent_ims,
			      "unsent_to_browser", (json_int_t)s->st.unsent_dc,
			      "failure_reports_on_loss", (json_int_t)s->st.reports_on_loss);

	if (o && s->bridge) {
		const struct msrp_bridge_stats *b = msrp_bridge_stats(s->bridge);

		json_object_set_new(o, "bridge", json_pack("{s:I,s:I,s:I,s:I,s:I}",
				    "forwarded_to_browser", (json_int_t)b->forwarded[MSRP_SIDE_DC],
				    "forwarded_to_ims", (json_int_t)b->forwarded[MSRP_SIDE_IMS],
				    "refused_from_browser", (json_int_t)b->refused[MSRP_SIDE_DC],
				    "refused_from_ims", (json_int_t)b->refused[MSRP_SIDE_IMS],
				    "failure_reports", (json_int_t)b->failure_reports));
	}
	if (o && s->why[0])
		json_object_set_new(o, "end_reason", json_string(s->why));
	return o;
}
