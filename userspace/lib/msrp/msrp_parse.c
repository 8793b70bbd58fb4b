/* MSRP frame parser (RFC 4975 section 9), bounded by struct msrp_limits. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/counters.h"
#include "msrp/msrp.h"

void msrp_limits_default(struct msrp_limits *l)
{
	l->max_header = 8192;
	l->max_chunk = 256 * 1024;
	l->max_message = 64ull << 20;
	l->max_concurrent = 8;
}

struct ctx {
	enum msrp_error *why;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5)))
static int fail(struct ctx *c, int rc, enum msrp_error why, const char *fmt, ...)
{
	static const enum counter_id counter[] = {
		[MSRP_ERR_SYNTAX] = COUNTER_MSRP_MALFORMED,
		[MSRP_ERR_BYTE_RANGE] = COUNTER_MSRP_BAD_BYTE_RANGE,
		[MSRP_ERR_END_LINE] = COUNTER_MSRP_BAD_END_LINE,
		[MSRP_ERR_OVERSIZE] = COUNTER_MSRP_OVERSIZE,
	};
	va_list ap;

	if (c->why)
		*c->why = why;
	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	counter_inc(counter[why]);
	return rc;
}

/* ident = ALPHANUM 3*31ident-char; ident-char = alphanum / "." / "-" / "+" / "%" / "=" */
static bool ident_ok(const char *s, size_t n)
{
	if (n < 4 || n > MSRP_IDENT_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-+%=", s[i]))
			return false;
	return true;
}

/* A decimal number of at most 19 digits over [p, end). */
static int number(const char *p, const char *end, uint64_t *v)
{
	if (p >= end || end - p > 19)
		return -1;
	*v = 0;
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		*v = *v * 10 + (uint64_t)(*p - '0');
	}
	return 0;
}

static void copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int parse_byte_range(struct ctx *c, const char *v, size_t n, struct msrp_frame *f)
{
	const char *end = v + n, *dash = memchr(v, '-', n), *slash;

	slash = dash ? memchr(dash, '/', (size_t)(end - dash)) : NULL;
	if (!dash || !slash ||
	    number(v, dash, &f->range_start) < 0 || f->range_start == 0)
		goto bad;
	if (slash - dash == 2 && dash[1] == '*')
		f->range_end = MSRP_RANGE_UNKNOWN;
	else if (number(dash + 1, slash, &f->range_end) < 0)
		goto bad;
	if (end - slash == 2 && slash[1] == '*')
		f->range_total = MSRP_RANGE_UNKNOWN;
	else if (number(slash + 1, end, &f->range_total) < 0)
		goto bad;
	if (f->range_end != MSRP_RANGE_UNKNOWN && f->range_end + 1 < f->range_start)
		goto bad; /* end = start - 1 is an empty chunk */
	if (f->range_total != MSRP_RANGE_UNKNOWN &&
	    ((f->range_end != MSRP_RANGE_UNKNOWN && f->range_end > f->range_total) ||
	     f->range_start > f->range_total + 1))
		goto bad;
	f->has_byte_range = true;
	return 0;
bad:
	return fail(c, -ERANGE, MSRP_ERR_BYTE_RANGE, "bad Byte-Range \"%.*s\"",
		    (int)(n > 60 ? 60 : n), v);
}

static int parse_report(const char *v, size_t n, bool partial_ok, enum msrp_report *r)
{
	if (n == 3 && !memcmp(v, "yes", 3))
		*r = MSRP_REPORT_YES;
	else if (n == 2 && !memcmp(v, "no", 2))
		*r = MSRP_REPORT_NO;
	else if (partial_ok && n == 7 && !memcmp(v, "partial", 7))
		*r = MSRP_REPORT_PARTIAL;
	else
		return -1;
	return 0;
}

/* Status: namespace SP status-code [SP text-reason]; namespace is "000" */
static int parse_status(const char *v, size_t n, struct msrp_frame *f)
{
	uint64_t code;

	if (n < 7 || memcmp(v, "000 ", 4) || number(v + 4, v + 7, &code) < 0 || code < 100 ||
	    (n > 7 && v[7] != ' '))
		return -1;
	f->has_status = true;
	f->status_code = (unsigned)code;
	if (n > 8)
		copy(f->status_reason, sizeof(f->status_reason), v + 8, n - 8);
	return 0;
}

static int parse_start_line(struct ctx *c, const char *p, size_t n, struct msrp_frame *f)
{
	const char *end = p + n, *sp1, *sp2;

	if (n < 5 || memcmp(p, "MSRP ", 5))
		return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "the frame does not start with \"MSRP \"");
	p += 5;
	sp1 = memchr(p, ' ', (size_t)(end - p));
	if (!sp1 || !ident_ok(p, (size_t)(sp1 - p)))
		return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad transaction id");
	copy(f->tid, sizeof(f->tid), p, (size_t)(sp1 - p));
	p = sp1 + 1;
	if (end - p >= 3 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && (end - p == 3 || p[3] == ' ')) {
		f->is_request = false;
		f->status = (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
		if (f->status < 100)
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad status code");
		if (end - p > 4)
			copy(f->comment, sizeof(f->comment), p + 4, (size_t)(end - p - 4));
		return 0;
	}
	sp2 = p;
	while (sp2 < end && isupper((unsigned char)*sp2))
		sp2++;
	if (sp2 != end || sp2 == p || (size_t)(sp2 - p) >= sizeof(f->method_name))
		return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad method");
	f->is_request = true;
	copy(f->method_name, sizeof(f->method_name), p, (size_t)(sp2 - p));
	if (!strcmp(f->method_name, "SEND"))
		f->method = MSRP_SEND;
	else if (!strcmp(f->method_name, "REPORT"))
		f->method = MSRP_REPORT;
	else if (!strcmp(f->method_name, "AUTH"))
		f->method = MSRP_AUTH;
	else
		f->method = MSRP_OTHER;
	return 0;
}

static int parse_header(struct ctx *c, const char *p, size_t n, unsigned index,
			struct msrp_frame *f)
{
	const char *colon = memchr(p, ':', n), *v;
	size_t name_len, vn;

	if (n >= 5 && !memcmp(p, "MSRP ", 5))
		return fail(c, -EBADMSG, MSRP_ERR_END_LINE,
			    "a new frame starts before the end-line of transaction %s", f->tid);
	if (!colon || colon == p)
		return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "a header line without a name");
	name_len = (size_t)(colon - p);
	for (size_t i = 0; i < name_len; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-')
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad header name");
	v = colon + 1;
	while (v < p + n && *v == ' ')
		v++;
	vn = (size_t)(p + n - v);
	for (size_t i = 0; i < vn; i++)
		if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "control character in a header");

#define IS(name) (name_len == sizeof(name) - 1 && !strncasecmp(p, name, name_len))
	if ((index == 0) != IS("To-Path") || (index == 1) != IS("From-Path"))
		return fail(c, -EBADMSG, MSRP_ERR_SYNTAX,
			    "To-Path and From-Path must be the first two headers");
	if (IS("To-Path") || IS("From-Path")) {
		int rc = msrp_path_parse(v, vn, index == 0 ? &f->to : &f->from);

		if (rc < 0)
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad %s URI list",
				    index == 0 ? "To-Path" : "From-Path");
	} else if (IS("Message-ID")) {
		if (!ident_ok(v, vn))
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad Message-ID");
		copy(f->message_id, sizeof(f->message_id), v, vn);
	} else if (IS("Byte-Range")) {
		if (f->has_byte_range)
			return fail(c, -ERANGE, MSRP_ERR_BYTE_RANGE, "two Byte-Range headers");
		return parse_byte_range(c, v, vn, f);
	} else if (IS("Success-Report")) {
		if (parse_report(v, vn, false, &f->success_report) < 0)
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad Success-Report");
	} else if (IS("Failure-Report")) {
		if (parse_report(v, vn, true, &f->failure_report) < 0)
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad Failure-Report");
	} else if (IS("Status")) {
		if (parse_status(v, vn, f) < 0)
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad Status");
	} else if (IS("Content-Type")) {
		if (vn == 0 || vn >= sizeof(f->content_type) || !memchr(v, '/', vn))
			return fail(c, -EBADMSG, MSRP_ERR_SYNTAX, "bad Content-Type");
		copy(f->content_type, sizeof(f->content_type), v, vn);
	} else {
		size_t used = strlen(f->extra);

		/* kept when they fit (Use-Path, Expires, WWW-Authenticate...), else dropped */
		if (used + n + 3 <= sizeof(f->extra)) {
			memcpy(f->extra + used, p, n);
			memcpy(f->extra + used + n, "\r\n", 3);
		}
	}
#undef IS
	return 0;
}

/* "-------" tid flag CRLF at p? 1 yes (flag stored), 0 not an end-line, -1 bad flag,
 * -2 need more bytes. */
static int end_line_at(const char *p, size_t avail, const struct msrp_frame *f, char *flag)
{
	size_t tl = strlen(f->tid), need = 7 + tl + 3;

	if (avail < 7 + tl)
		return memcmp(p, "-------", avail < 7 ? avail : 7) ? 0 : -2;
	if (memcmp(p, "-------", 7) || memcmp(p + 7, f->tid, tl))
		return 0;
	if (avail < need)
		return -2;
	if (!strchr("$+#", p[7 + tl]) || p[7 + tl] == '\0' || p[8 + tl] != '\r' ||
	    p[9 + tl] != '\n')
		return -1;
	*flag = p[7 + tl];
	return 1;
}

int msrp_parse(const uint8_t *buf, size_t len, bool eof, const struct msrp_limits *lim,
	       struct msrp_frame *f, enum msrp_error *why, char *err, size_t errlen)
{
	struct ctx c = { .why = why, .err = err, .errlen = errlen };
	const char *s = (const char *)buf, *p, *nl;
	size_t off = 0, tl;
	unsigned index = 0;
	int rc;

	memset(f, 0, sizeof(*f));
	if (why)
		*why = MSRP_OK;
	if (err && errlen)
		err[0] = '\0';

	/* start line and headers, up to the end-line or the blank line before the data */
	for (;;) {
		size_t line_len;

		nl = memmem(s + off, len - off, "\r\n", 2);
		if (!nl) {
			if (len > lim->max_header)
				return fail(&c, -EMSGSIZE, MSRP_ERR_OVERSIZE,
					    "header block over %zu bytes", lim->max_header);
			if (eof && len)
				return fail(&c, -EBADMSG, MSRP_ERR_END_LINE,
					    "the stream ended inside a frame (no end-line)");
			return 0;
		}
		line_len = (size_t)(nl - (s + off));
		if ((size_t)(nl - s) + 2 > lim->max_header)
			return fail(&c, -EMSGSIZE, MSRP_ERR_OVERSIZE, "header block over %zu bytes",
				    lim->max_header);
		p = s + off;
		if (memchr(p, '\0', line_len))
			return fail(&c, -EBADMSG, MSRP_ERR_SYNTAX, "NUL in the header block");
		if (off == 0) {
			rc = parse_start_line(&c, p, line_len, f);
			if (rc < 0)
				return rc;
			off = line_len + 2;
			continue;
		}
		if (line_len == 0) { /* the data follows */
			if (!f->content_type[0])
				return fail(&c, -EBADMSG, MSRP_ERR_SYNTAX,
					    "data without a Content-Type");
			off += 2;
			break;
		}
		{
			char flag;
			int el = end_line_at(p, line_len + 2, f, &flag);

			if (el == 1) {
				if (f->content_type[0])
					return fail(&c, -EBADMSG, MSRP_ERR_SYNTAX,
						    "Content-Type without data");
				f->cont = flag;
				off += line_len + 2;
				goto done;
			}
			if (el == -1)
				return fail(&c, -EBADMSG, MSRP_ERR_END_LINE,
					    "bad continuation flag in the end-line");
		}
		rc = parse_header(&c, p, line_len, index++, f);
		if (rc < 0)
			return rc;
		off += line_len + 2;
	}

	/* data, then CRLF and the end-line: "\r\n-------" tid flag "\r\n" */
	tl = strlen(f->tid);
	for (size_t from = off;;) {
		const char *hit = memmem(s + from, len - from, "\r\n-------", 9);
		size_t data_len, avail;
		char flag;
		int el;

		if (!hit) {
			if (len - off > lim->max_chunk + 9 + tl + 3)
				return fail(&c, -EMSGSIZE, MSRP_ERR_OVERSIZE,
					    "chunk data over %zu bytes", lim->max_chunk);
			if (eof)
				return fail(&c, -EBADMSG, MSRP_ERR_END_LINE,
					    "the stream ended before the end-line of %s", f->tid);
			return 0;
		}
		data_len = (size_t)(hit - (s + off));
		if (data_len > lim->max_chunk)
			return fail(&c, -EMSGSIZE, MSRP_ERR_OVERSIZE, "chunk data over %zu bytes",
				    lim->max_chunk);
		avail = len - (size_t)(hit + 2 - s);
		el = end_line_at(hit + 2, avail, f, &flag);
		if (el == -2) {
			if (eof)
				return fail(&c, -EBADMSG, MSRP_ERR_END_LINE,
					    "the stream ended inside the end-line of %s", f->tid);
			return 0;
		}
		if (el == -1)
			return fail(&c, -EBADMSG, MSRP_ERR_END_LINE,
				    "bad continuation flag in the end-line");
		if (el == 0) { /* dashes in the data */
			from = (size_t)(hit - s) + 1;
			continue;
		}
		f->body = buf + off;
		f->body_len = data_len;
		f->cont = flag;
		off = (size_t)(hit - s) + 2 + 7 + tl + 3;
		break;
	}

done:
	if (f->to.n == 0 || f->from.n == 0)
		return fail(&c, -EBADMSG, MSRP_ERR_SYNTAX, "no To-Path or From-Path");
	if (f->is_request && f->method == MSRP_SEND) {
		if (!f->message_id[0])
			return fail(&c, -EBADMSG, MSRP_ERR_SYNTAX, "SEND without Message-ID");
		if (f->has_byte_range && f->range_end != MSRP_RANGE_UNKNOWN &&
		    f->range_end - f->range_start + 1 != f->body_len)
			return fail(&c, -ERANGE, MSRP_ERR_BYTE_RANGE,
				    "Byte-Range %llu-%llu does not match %zu bytes of data",
				    (unsigned long long)f->range_start,
				    (unsigned long long)f->range_end, f->body_len);
		if (f->has_byte_range && f->range_total != MSRP_RANGE_UNKNOWN &&
		    f->range_start - 1 + f->body_len > f->range_total)
			return fail(&c, -ERANGE, MSRP_ERR_BYTE_RANGE,
				    "chunk data goes beyond the total of %llu bytes",
				    (unsigned long long)f->range_total);
	}
	if (f->is_request && f->method == MSRP_REPORT && (!f->message_id[0] || !f->has_status))
		return fail(&c, -EBADMSG, MSRP_ERR_SYNTAX, "REPORT without Message-ID or Status");
	if (!f->is_request && f->body_len)
		return fail(&c, -EBADMSG, MSRP_ERR_SYNTAX, "a response with data");
	return (int)off;
}
