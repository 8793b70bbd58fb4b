/* MSRP frame writer, transaction responses, REPORTs and chunking (RFC 4975). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "msrp/msrp.h"

struct out {
	uint8_t *buf;
	size_t cap, len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf((char *)o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

static void put_bytes(struct out *o, const uint8_t *p, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_path(struct out *o, const char *name, const struct msrp_path *p)
{
	char uri[MSRP_URI_MAX * 2 + 32];

	put(o, "%s:", name);
	for (unsigned i = 0; i < p->n; i++) {
		if (msrp_uri_format(&p->uri[i], uri, sizeof(uri)) < 0) {
			o->full = true;
			return;
		}
		put(o, " %s", uri);
	}
	put(o, "\r\n");
}

static void put_range_part(struct out *o, uint64_t v)
{
	if (v == MSRP_RANGE_UNKNOWN)
		put(o, "*");
	else
		put(o, "%llu", (unsigned long long)v);
}

static const char *report_name(enum msrp_report r)
{
	switch (r) {
	case MSRP_REPORT_YES: return "yes";
	case MSRP_REPORT_NO: return "no";
	case MSRP_REPORT_PARTIAL: return "partial";
	default: return NULL;
	}
}

int msrp_build(const struct msrp_frame *f, uint8_t *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };
	const char *r;

	if (!f->tid[0] || !f->to.n || !f->from.n || (f->body_len && !f->content_type[0]) ||
	    (f->is_request && !f->method_name[0]) || cap == 0)
		return -EINVAL;
	if (f->is_request)
		put(&o, "MSRP %s %s\r\n", f->tid, f->method_name);
	else
		put(&o, "MSRP %s %03u%s%s\r\n", f->tid, f->status, f->comment[0] ? " " : "",
		    f->comment);
	put_path(&o, "To-Path", &f->to);
	put_path(&o, "From-Path", &f->from);
	if (f->message_id[0])
		put(&o, "Message-ID: %s\r\n", f->message_id);
	if (f->has_byte_range) {
		put(&o, "Byte-Range: %llu-", (unsigned long long)f->range_start);
		put_range_part(&o, f->range_end);
		put(&o, "/");
		put_range_part(&o, f->range_total);
		put(&o, "\r\n");
	}
	if ((r = report_name(f->success_report)))
		put(&o, "Success-Report: %s\r\n", r);
	if ((r = report_name(f->failure_report)))
		put(&o, "Failure-Report: %s\r\n", r);
	if (f->has_status)
		put(&o, "Status: 000 %03u%s%s\r\n", f->status_code, f->status_reason[0] ? " " : "",
		    f->status_reason);
	if (f->extra[0])
		put(&o, "%s", f->extra);
	if (f->content_type[0]) {
		put(&o, "Content-Type: %s\r\n\r\n", f->content_type);
		put_bytes(&o, f->body, f->body_len);
		put(&o, "\r\n");
	}
	put(&o, "-------%s%c\r\n", f->tid, f->cont ? f->cont : '$');
	return o.full ? -ENOSPC : (int)o.len;
}

void msrp_new_ident(char out[MSRP_IDENT_MAX + 1])
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint8_t r[16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		static unsigned fallback;

		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (uint8_t)(++fallback * 131u + i * 7u);
	}
	for (size_t i = 0; i < sizeof(r); i++)
		out[i] = alnum[r[i] % (sizeof(alnum) - 1)];
	out[sizeof(r)] = '\0';
}

void msrp_new_tid_for(char out[MSRP_IDENT_MAX + 1], const uint8_t *data, size_t len)
{
	char end_line[MSRP_IDENT_MAX + 8];

	for (int tries = 0; tries < 16; tries++) {
		msrp_new_ident(out);
		snprintf(end_line, sizeof(end_line), "-------%s", out);
		if (!data || !memmem(data, len, end_line, strlen(end_line)))
			return;
	}
}

const char *msrp_status_text(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 408: return "Request Timeout";
	case 413: return "Message Too Large";
	case 415: return "Unsupported Media Type";
	case 423: return "Interval Out-of-Bounds";
	case 481: return "Session Does Not Exist";
	case 501: return "Not Implemented";
	case 506: return "Session Already Bound";
	default: return status < 300 ? "OK" : "Error";
	}
}

bool msrp_wants_response(const struct msrp_frame *req, unsigned status)
{
	if (!req->is_request || req->method == MSRP_REPORT)
		return false; /* REPORTs are never answered (RFC 4975 section 7.1.2) */
	if (req->failure_report == MSRP_REPORT_NO)
		return false;
	if (req->failure_report == MSRP_REPORT_PARTIAL)
		return status != 200;
	return true;
}

int msrp_build_response(const struct msrp_frame *req, unsigned status, const char *comment,
			uint8_t *buf, size_t cap)
{
	struct msrp_frame r = { .is_request = false, .status = status, .cont = '$' };

	if (!req->to.n || !req->from.n || status < 100 || status > 999)
		return -EINVAL;
	memcpy(r.tid, req->tid, sizeof(r.tid));
	snprintf(r.comment, sizeof(r.comment), "%s", comment ? comment : msrp_status_text(status));
	r.to = req->from;
	r.from.n = 1;
	r.from.uri[0] = req->to.uri[req->to.n - 1];
	return msrp_build(&r, buf, cap);
}

int msrp_build_report(const struct msrp_frame *req, uint64_t received, uint64_t total,
		      unsigned status, const char *reason, uint8_t *buf, size_t cap)
{
	struct msrp_frame r = { .is_request = true, .method = MSRP_REPORT, .cont = '$' };

	if (!req->to.n || !req->from.n || !req->message_id[0] || status < 100 || status > 999)
		return -EINVAL;
	strcpy(r.method_name, "REPORT");
	msrp_new_ident(r.tid);
	r.to = req->from;
	r.from.n = 1;
	r.from.uri[0] = req->to.uri[req->to.n - 1];
	memcpy(r.message_id, req->message_id, sizeof(r.message_id));
	r.has_byte_range = true;
	r.range_start = 1;
	r.range_end = received;
	r.range_total = total;
	r.has_status = true;
	r.status_code = status;
	snprintf(r.status_reason, sizeof(r.status_reason), "%s",
		 reason ? reason : msrp_status_text(status));
	return msrp_build(&r, buf, cap);
}

void msrp_chunker_init(struct msrp_chunker *c, const struct msrp_frame *tmpl,
		       const uint8_t *data, uint64_t total, size_t max_chunk)
{
	memset(c, 0, sizeof(*c));
	c->tmpl = *tmpl;
	c->tmpl.is_request = true;
	c->tmpl.method = MSRP_SEND;
	strcpy(c->tmpl.method_name, "SEND");
	c->data = data;
	c->total = total;
	c->max_chunk = max_chunk ? max_chunk : 1;
}

int msrp_chunker_next(struct msrp_chunker *c, uint8_t *buf, size_t cap)
{
	struct msrp_frame f = c->tmpl;
	uint64_t n;
	int len;

	if (c->done)
		return 0;
	n = c->total - c->off;
	if (n > c->max_chunk)
		n = c->max_chunk;
	msrp_new_tid_for(f.tid, c->data + c->off, (size_t)n);
	f.has_byte_range = true;
	f.range_start = c->off + 1;
	f.range_end = c->off + n;
	f.range_total = c->total;
	f.body = c->data + c->off;
	f.body_len = (size_t)n;
	f.cont = c->off + n == c->total ? '$' : '+';
	len = msrp_build(&f, buf, cap);
	if (len < 0)
		return len;
	memcpy(c->last_tid, f.tid, sizeof(c->last_tid));
	c->off += n;
	if (c->off == c->total)
		c->done = true;
	return len;
}
