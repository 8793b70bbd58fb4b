/* An MSRP connection over TCP on a bufferevent (see msrp_conn.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "core/counters.h"
#include "core/log.h"
#include "msrp/msrp_conn.h"

#define OUT_HIGH_WATER (512 * 1024) /* stop writing chunks above this much queued output */
#define WINDOW 16 /* chunks sent and not yet answered: a relay has bounded queues */

struct msrp_conn {
	struct bufferevent *bev;
	struct msrp_limits lim;
	struct msrp_conn_cbs cbs;
	void *arg;
	struct msrp_reasm *reasm;
	unsigned n_sessions;
	struct msrp_uri sessions[MSRP_CONN_MAX_SESSIONS];
	char auth_tid[MSRP_IDENT_MAX + 1];
	char skip_tid[MSRP_IDENT_MAX + 1]; /* a refused frame being skipped */
	/* the message going out */
	bool sending;
	uint8_t *out_data;
	struct msrp_chunker chunker;
	char inflight[WINDOW][MSRP_IDENT_MAX + 1]; /* tids of unanswered chunks */
	unsigned n_inflight;
	uint8_t *frame; /* one chunk's frame */
	size_t frame_cap;
	bool closed;
};

static void close_conn(struct msrp_conn *c, const char *why)
{
	if (c->closed)
		return;
	c->closed = true;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->cbs.on_closed)
		c->cbs.on_closed(c->arg, c, why);
}

static void write_bytes(struct msrp_conn *c, const uint8_t *p, int n)
{
	if (n > 0)
		bufferevent_write(c->bev, p, (size_t)n);
}

static void respond(struct msrp_conn *c, const struct msrp_frame *req, unsigned status)
{
	uint8_t buf[4096];

	if (!msrp_wants_response(req, status))
		return;
	write_bytes(c, buf, msrp_build_response(req, status, NULL, buf, sizeof(buf)));
}

static const struct msrp_uri *find_session(struct msrp_conn *c, const struct msrp_frame *f)
{
	const struct msrp_uri *last = &f->to.uri[f->to.n - 1];

	for (unsigned i = 0; i < c->n_sessions; i++)
		if (msrp_uri_equal(&c->sessions[i], last))
			return &c->sessions[i];
	return NULL;
}

static void pump(struct msrp_conn *c)
{
	while (c->sending && !c->closed && c->n_inflight < WINDOW &&
	       evbuffer_get_length(bufferevent_get_output(c->bev)) < OUT_HIGH_WATER) {
		int n = msrp_chunker_next(&c->chunker, c->frame, c->frame_cap);

		if (n < 0) {
			log_warnx("msrp: cannot write a chunk of message %s (%s)",
				  c->chunker.tmpl.message_id, strerror(-n));
			c->sending = false;
			break;
		}
		if (n == 0) {
			c->sending = false;
			break;
		}
		write_bytes(c, c->frame, n);
		memcpy(c->inflight[c->n_inflight++], c->chunker.last_tid, MSRP_IDENT_MAX + 1);
	}
	if (!c->sending) {
		free(c->out_data);
		c->out_data = NULL;
	}
}

static void on_request(struct msrp_conn *c, const struct msrp_frame *f)
{
	const struct msrp_uri *session = find_session(c, f);
	struct msrp_message m = { 0 };
	uint64_t received;
	bool aborted;
	char err[160];
	int rc;

	if (!session) {
		counter_inc(COUNTER_MSRP_WRONG_TO_PATH);
		char uri[MSRP_URI_MAX * 2 + 32];

		msrp_uri_format(&f->to.uri[f->to.n - 1], uri, sizeof(uri));
		LOG_RATELIMITED(LOG_LEVEL_WARN, "msrp: frames for unknown sessions refused",
				"msrp: %s %s for %s, a session we do not have: 481",
				f->method_name, f->tid, uri);
		respond(c, f, 481);
		return;
	}
	switch (f->method) {
	case MSRP_SEND:
		rc = msrp_reasm_add(c->reasm, f, &m, &aborted, &received, err, sizeof(err));
		if (rc < 0) {
			unsigned status = rc == -ERANGE ? 423 : rc == -EINVAL ? 400 : 413;

			LOG_RATELIMITED(LOG_LEVEL_WARN, "msrp: chunks refused",
					"msrp: chunk %s refused: %s: %u", f->tid, err, status);
			respond(c, f, status);
			return;
		}
		respond(c, f, 200);
		if (rc == 1) {
			if (f->success_report == MSRP_REPORT_YES) {
				uint8_t buf[4096];

				write_bytes(c, buf, msrp_build_report(f, m.len, m.len, 200, NULL,
								      buf, sizeof(buf)));
			}
			if (c->cbs.on_message)
				c->cbs.on_message(c->arg, c, session, &m);
			free(m.data);
		}
		return;
	case MSRP_REPORT:
		if (c->cbs.on_sent)
			c->cbs.on_sent(c->arg, c, f->message_id, f->status_code);
		return;
	default:
		respond(c, f, 501);
		return;
	}
}

static void on_response(struct msrp_conn *c, const struct msrp_frame *f)
{
	for (unsigned i = 0; i < c->n_inflight; i++) {
		if (!strcmp(c->inflight[i], f->tid)) {
			memmove(c->inflight[i], c->inflight[i + 1],
				(c->n_inflight - i - 1) * sizeof(c->inflight[0]));
			c->n_inflight--;
			pump(c);
			break;
		}
	}
	if (c->auth_tid[0] && !strcmp(f->tid, c->auth_tid)) {
		struct msrp_path use = { 0 };
		const char *h = strstr(f->extra, "Use-Path:");

		c->auth_tid[0] = '\0';
		if (h) {
			const char *v = h + 9, *e = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			if (!e || msrp_path_parse(v, (size_t)(e - v), &use) < 0) {
				log_warnx("msrp: AUTH answered with a bad Use-Path");
				use.n = 0;
			}
		}
		if (c->cbs.on_auth)
			c->cbs.on_auth(c->arg, c, f->status, use.n ? &use : NULL);
		return;
	}
	if (f->status >= 300 && !strcmp(f->tid, c->chunker.last_tid) && c->cbs.on_sent)
		c->cbs.on_sent(c->arg, c, c->chunker.tmpl.message_id, f->status);
}

/* Where does the frame with this tid end? Its length, or 0 when not in buf. */
static size_t frame_end(const uint8_t *buf, size_t len, const char *tid)
{
	char pat[MSRP_IDENT_MAX + 16];
	int n = snprintf(pat, sizeof(pat), "\n-------%s", tid);
	const uint8_t *p = buf;

	while ((p = memmem(p, len - (size_t)(p - buf), pat, (size_t)n))) {
		size_t at = (size_t)(p - buf) + (size_t)n;

		if (at + 3 <= len && strchr("$+#", buf[at]) && buf[at] && buf[at + 1] == '\r' &&
		    buf[at + 2] == '\n')
			return at + 3;
		p++;
	}
	return 0;
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct msrp_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t max = c->lim.max_header + c->lim.max_chunk + 64;

	while (!c->closed && evbuffer_get_length(in) > 0) {
		size_t len = evbuffer_get_length(in), want = len < max ? len : max, skip;
		uint8_t *buf = evbuffer_pullup(in, (ssize_t)want);
		struct msrp_frame f;
		enum msrp_error why;
		char err[160];
		int n;

		if (c->skip_tid[0]) { /* the rest of a refused frame, read and dropped */
			size_t keep = strlen(c->skip_tid) + 12; /* a split end-line */

			skip = frame_end(buf, want, c->skip_tid);
			if (!skip) {
				if (want > keep)
					evbuffer_drain(in, want - keep);
				return;
			}
			c->skip_tid[0] = '\0';
			evbuffer_drain(in, skip);
			continue;
		}
		n = msrp_parse(buf, want, false, &c->lim, &f, &why, err, sizeof(err));
		if (n == 0)
			return;
		if (n > 0) {
			if (f.is_request)
				on_request(c, &f);
			else
				on_response(c, &f);
			evbuffer_drain(in, (size_t)n);
			continue;
		}
		if (f.tid[0] && f.to.n && f.from.n && f.is_request)
			respond(c, &f, n == -EMSGSIZE ? 413 : n == -ERANGE ? 423 : 400);
		/* bad but delimited by its end-line: skip it; otherwise the stream is lost */
		if (f.tid[0] && f.to.n && f.from.n && why != MSRP_ERR_END_LINE) {
			LOG_RATELIMITED(LOG_LEVEL_WARN, "msrp: frames refused",
					"msrp: refused frame %s: %s", f.tid, err);
			memcpy(c->skip_tid, f.tid, sizeof(c->skip_tid));
			continue;
		}
		log_warnx("msrp: refused a frame: %s; closing the connection", err);
		close_conn(c, err);
		return;
	}
}

static void on_write(struct bufferevent *bev, void *arg)
{
	pump(arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct msrp_conn *c = arg;

	if (what & BEV_EVENT_EOF) {
		struct evbuffer *in = bufferevent_get_input(bev);

		if (evbuffer_get_length(in)) {
			counter_inc(COUNTER_MSRP_BAD_END_LINE);
			close_conn(c, "the peer closed the connection inside a frame");
		} else {
			close_conn(c, "the peer closed the connection");
		}
	} else if (what & BEV_EVENT_ERROR) {
		close_conn(c, "connection error");
	}
}

struct msrp_conn *msrp_conn_new(struct event_base *base, int fd, const struct msrp_limits *lim,
				const struct msrp_conn_cbs *cbs, void *arg)
{
	struct msrp_conn *c = calloc(1, sizeof(*c));

	if (!c)
		goto err;
	c->lim = *lim;
	c->cbs = *cbs;
	c->arg = arg;
	c->reasm = msrp_reasm_new(lim);
	c->frame_cap = lim->max_chunk + MSRP_FRAME_OVERHEAD;
	c->frame = malloc(c->frame_cap);
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->reasm || !c->frame || !c->bev)
		goto err;
	/* a full frame's worth of input at most, so a flood cannot grow the buffer */
	bufferevent_setwatermark(c->bev, EV_READ, 0, lim->max_header + lim->max_chunk + 1024);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
err:
	log_warnx("msrp: cannot set up a connection: out of memory");
	if (c && !c->bev)
		close(fd);
	msrp_conn_free(c);
	return NULL;
}

void msrp_conn_free(struct msrp_conn *c)
{
	if (!c)
		return;
	if (c->bev)
		bufferevent_free(c->bev);
	msrp_reasm_free(c->reasm);
	free(c->frame);
	free(c->out_data);
	free(c);
}

int msrp_conn_add_session(struct msrp_conn *c, const struct msrp_uri *local)
{
	if (c->n_sessions >= MSRP_CONN_MAX_SESSIONS)
		return -ENOSPC;
	c->sessions[c->n_sessions++] = *local;
	return 0;
}

int msrp_conn_auth(struct msrp_conn *c, const struct msrp_uri *relay,
		   const struct msrp_uri *local)
{
	struct msrp_frame f = { .is_request = true, .method = MSRP_AUTH, .cont = '$' };
	uint8_t buf[2048];
	int n;

	strcpy(f.method_name, "AUTH");
	msrp_new_ident(f.tid);
	f.to.n = f.from.n = 1;
	f.to.uri[0] = *relay;
	f.from.uri[0] = *local;
	n = msrp_build(&f, buf, sizeof(buf));
	if (n < 0)
		return n;
	memcpy(c->auth_tid, f.tid, sizeof(c->auth_tid));
	write_bytes(c, buf, n);
	return 0;
}

int msrp_conn_send(struct msrp_conn *c, const struct msrp_path *to, const struct msrp_uri *local,
		   const char *content_type, const uint8_t *data, size_t len, size_t max_chunk,
		   char message_id[MSRP_IDENT_MAX + 1])
{
	struct msrp_frame tmpl = { .success_report = MSRP_REPORT_YES };

	if (c->sending)
		return -EBUSY;
	if (c->closed)
		return -ENOTCONN;
	if (!to->n || max_chunk == 0 || max_chunk > c->lim.max_chunk ||
	    strlen(content_type) >= sizeof(tmpl.content_type))
		return -EINVAL;
	c->out_data = malloc(len ? len : 1);
	if (!c->out_data)
		return -ENOMEM;
	memcpy(c->out_data, data, len);
	tmpl.to = *to;
	tmpl.from.n = 1;
	tmpl.from.uri[0] = *local;
	msrp_new_ident(tmpl.message_id);
	strcpy(tmpl.content_type, content_type);
	memcpy(message_id, tmpl.message_id, sizeof(tmpl.message_id));
	msrp_chunker_init(&c->chunker, &tmpl, c->out_data, len, max_chunk);
	c->sending = true;
	pump(c);
	return 0;
}

bool msrp_conn_send_done(const struct msrp_conn *c)
{
	return !c->sending;
}
