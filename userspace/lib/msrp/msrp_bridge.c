/* MSRP between a data channel and a TCP session toward IMS (see msrp_bridge.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/counters.h"
#include "core/log.h"
#include "msrp/msrp_bridge.h"

#define PENDING_MAX 256 /* forwarded chunks awaiting their response */
#define RANGE_SLACK 48	/* Byte-Range digits a piece may add to the frame's headers */

struct pending {
	bool used;
	char tid[MSRP_IDENT_MAX + 1];	/* the forwarded frame's */
	enum msrp_bridge_side sender;	/* where the chunk came from */
	char message_id[MSRP_IDENT_MAX + 1];
	enum msrp_report failure_report;
	uint64_t start, end, total;
};

struct msrp_bridge {
	struct msrp_bridge_config cfg;
	struct msrp_bridge_out out;
	void *arg;
	struct msrp_bridge_stats stats;
	struct pending pend[PENDING_MAX];
	unsigned evict;
	uint8_t *buf;
	size_t cap;
};

struct msrp_bridge *msrp_bridge_new(const struct msrp_bridge_config *cfg,
				    const struct msrp_bridge_out *out, void *arg)
{
	struct msrp_bridge *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->cfg = *cfg;
	b->out = *out;
	b->arg = arg;
	b->cap = cfg->lim.max_chunk + cfg->lim.max_header + MSRP_FRAME_OVERHEAD;
	b->buf = malloc(b->cap);
	if (!b->buf || !cfg->peer[0].n || !cfg->peer[1].n) {
		free(b->buf);
		free(b);
		return NULL;
	}
	return b;
}

void msrp_bridge_free(struct msrp_bridge *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b);
}

const struct msrp_bridge_stats *msrp_bridge_stats(const struct msrp_bridge *b)
{
	return &b->stats;
}

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void emit(struct msrp_bridge *b, enum msrp_bridge_side to, int n)
{
	if (n > 0)
		b->out.send(b->arg, to, b->buf, (size_t)n);
	else
		log_warnx("msrp bridge: cannot write a frame for the %s side: %s",
			  to == MSRP_SIDE_DC ? "data channel" : "IMS", strerror(-n));
}

static void respond(struct msrp_bridge *b, enum msrp_bridge_side to,
		    const struct msrp_frame *req, unsigned status)
{
	if (req->is_request && req->tid[0] && req->to.n && req->from.n &&
	    msrp_wants_response(req, status))
		emit(b, to, msrp_build_response(req, status, NULL, b->buf, b->cap));
}

static void remember(struct msrp_bridge *b, const struct msrp_frame *g, enum msrp_bridge_side sender,
		     enum msrp_report fr)
{
	struct pending *p = NULL;

	for (unsigned i = 0; i < PENDING_MAX && !p; i++)
		if (!b->pend[i].used)
			p = &b->pend[i];
	if (!p) { /* the oldest slot goes: its response will be ignored */
		p = &b->pend[b->evict];
		b->evict = (b->evict + 1) % PENDING_MAX;
	}
	p->used = true;
	memcpy(p->tid, g->tid, sizeof(p->tid));
	memcpy(p->message_id, g->message_id, sizeof(p->message_id));
	p->sender = sender;
	p->failure_report = fr;
	p->start = g->range_start;
	p->end = g->range_end;
	p->total = g->range_total;
}

/* A failure REPORT to the sender of the chunks p stood for. */
static void failure_report(struct msrp_bridge *b, const struct pending *p, uint64_t start,
			   uint64_t end, unsigned status)
{
	struct msrp_frame r = { .is_request = true, .method = MSRP_REPORT, .cont = '$' };

	strcpy(r.method_name, "REPORT");
	msrp_new_ident(r.tid);
	r.to = b->cfg.peer[p->sender];
	r.from.n = 1;
	r.from.uri[0] = b->cfg.local[p->sender];
	memcpy(r.message_id, p->message_id, sizeof(r.message_id));
	r.has_byte_range = true;
	r.range_start = start;
	r.range_end = end;
	r.range_total = p->total;
	r.has_status = true;
	r.status_code = status;
	snprintf(r.status_reason, sizeof(r.status_reason), "%s", msrp_status_text(status));
	b->stats.failure_reports++;
	emit(b, p->sender, msrp_build(&r, b->buf, b->cap));
}

/* An error response to a forwarded chunk: a failure REPORT back to its sender. */
static void on_response(struct msrp_bridge *b, const struct msrp_frame *f)
{
	struct pending *p = NULL;

	for (unsigned i = 0; i < PENDING_MAX && !p; i++)
		if (b->pend[i].used && !strcmp(b->pend[i].tid, f->tid))
			p = &b->pend[i];
	if (!p)
		return; /* not ours, or evicted */
	p->used = false;
	if (f->status < 300 || p->failure_report == MSRP_REPORT_NO)
		return;
	failure_report(b, p, p->start, p->end, f->status);
}

unsigned msrp_bridge_side_lost(struct msrp_bridge *b, enum msrp_bridge_side lost)
{
	unsigned reports = 0;

	for (unsigned i = 0; i < PENDING_MAX; i++) {
		struct pending *p = &b->pend[i];
		uint64_t start, end;

		if (!p->used || p->sender == lost)
			continue;
		/* every unanswered chunk of this message, as one range */
		start = p->start;
		end = p->end;
		for (unsigned k = i + 1; k < PENDING_MAX; k++) {
			struct pending *q = &b->pend[k];

			if (q->used && q->sender == p->sender &&
			    !strcmp(q->message_id, p->message_id)) {
				if (q->start < start)
					start = q->start;
				if (q->end > end)
					end = q->end;
				q->used = false;
			}
		}
		p->used = false;
		if (p->failure_report != MSRP_REPORT_NO) {
			failure_report(b, p, start, end, 408);
			reports++;
		}
	}
	return reports;
}

/* Forward request f from one side to the other, in pieces that side takes. */
static int forward(struct msrp_bridge *b, enum msrp_bridge_side from, const struct msrp_frame *f)
{
	enum msrp_bridge_side to = from == MSRP_SIDE_DC ? MSRP_SIDE_IMS : MSRP_SIDE_DC;
	struct msrp_frame g = *f;
	size_t piece = f->body_len, off = 0;
	uint64_t start;

	g.to = b->cfg.peer[to];
	g.from.n = 1;
	g.from.uri[0] = b->cfg.local[to];
	g.extra[0] = '\0'; /* hop-by-hop headers stay on their hop */
	if (f->method == MSRP_SEND && !g.has_byte_range) { /* the whole message (7.1.1) */
		g.has_byte_range = true;
		g.range_start = 1;
		g.range_end = f->body_len;
		g.range_total = f->cont == '$' ? f->body_len : MSRP_RANGE_UNKNOWN;
	}
	start = g.range_start;
	if (f->method == MSRP_SEND && f->body_len) {
		size_t limit = b->cfg.max_chunk[to] ? b->cfg.max_chunk[to] : f->body_len;
		int hl;

		/* what a frame of these headers costs without its data */
		g.body_len = 0;
		hl = msrp_build(&g, b->buf, b->cap);
		if (hl < 0)
			return hl;
		if (b->cfg.max_frame[to]) {
			if (b->cfg.max_frame[to] <= (size_t)hl + RANGE_SLACK)
				return -EMSGSIZE;
			if (limit > b->cfg.max_frame[to] - (size_t)hl - RANGE_SLACK)
				limit = b->cfg.max_frame[to] - (size_t)hl - RANGE_SLACK;
		}
		if (piece > limit)
			piece = limit;
	}
	do {
		size_t n = f->body_len - off < piece ? f->body_len - off : piece;
		bool last = off + n >= f->body_len;

		msrp_new_tid_for(g.tid, f->body ? f->body + off : NULL, n);
		g.body = f->body ? f->body + off : NULL;
		g.body_len = n;
		if (f->method == MSRP_SEND) {
			g.range_start = start + off;
			g.range_end = start + off + n - 1;
			if (n == 0)
				g.range_end = start - 1 + f->body_len; /* an empty chunk */
			g.cont = last ? f->cont : '+';
		}
		emit(b, to, msrp_build(&g, b->buf, b->cap));
		b->stats.forwarded[to]++;
		if (f->method == MSRP_SEND)
			remember(b, &g, from, f->failure_report);
		off += n;
	} while (off < f->body_len);
	return 0;
}

int msrp_bridge_input(struct msrp_bridge *b, enum msrp_bridge_side from, const uint8_t *frame,
		      size_t len, char *err, size_t errlen)
{
	const struct msrp_uri *last;
	struct msrp_frame f;
	enum msrp_error why;
	char perr[160];
	int n;

	n = msrp_parse(frame, len, true, &b->cfg.lim, &f, &why, perr, sizeof(perr));
	if (n < 0) {
		respond(b, from, &f, n == -EMSGSIZE ? 413 : n == -ERANGE ? 423 : 400);
		b->stats.refused[from]++;
		set_err(err, errlen, "%s", perr);
		return n;
	}
	if ((size_t)n != len) {
		counter_inc(COUNTER_MSRP_MALFORMED);
		respond(b, from, &f, 400);
		b->stats.refused[from]++;
		set_err(err, errlen, "%zu bytes after the frame (one frame per message)",
			len - (size_t)n);
		return -EBADMSG;
	}
	if (!f.is_request) {
		on_response(b, &f);
		return 0;
	}
	/* ours, from the peer of this side (its own URI last in From-Path) */
	last = &b->cfg.peer[from].uri[b->cfg.peer[from].n - 1];
	if (!msrp_uri_equal(&f.to.uri[f.to.n - 1], &b->cfg.local[from]) ||
	    !msrp_uri_equal(&f.from.uri[f.from.n - 1], last)) {
		counter_inc(COUNTER_MSRP_WRONG_TO_PATH);
		respond(b, from, &f, 481);
		b->stats.refused[from]++;
		set_err(err, errlen, "%s %s is not for this session", f.method_name, f.tid);
		return -ENOENT;
	}
	switch (f.method) {
	case MSRP_SEND:
	case MSRP_REPORT:
		n = forward(b, from, &f);
		if (n < 0) {
			respond(b, from, &f, n == -EMSGSIZE ? 413 : 400);
			b->stats.refused[from]++;
			set_err(err, errlen, "cannot forward %s %s: %s", f.method_name, f.tid,
				strerror(-n));
			return n;
		}
		if (f.method == MSRP_SEND)
			respond(b, from, &f, 200);
		return 0;
	default:
		respond(b, from, &f, 501);
		b->stats.refused[from]++;
		set_err(err, errlen, "method %s is not bridged", f.method_name);
		return -EOPNOTSUPP;
	}
}
