/* message/cpim (RFC 3862) with IMDN headers (RFC 5438), and pager-mode body checks. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/counters.h"
#include "core/reason.h"
#include "cpim/cpim.h"
#include "core/utf8.h"

#define IMDN_URN "urn:ietf:params:imdn"

#define fail(err, errlen, rc, ...) reason_set(err, errlen, rc, __VA_ARGS__)

static int copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* "Display Name <uri>" or "<uri>": the uri */
static int angle_uri(const char *v, size_t n, char *out, size_t cap)
{
	const char *lt = memchr(v, '<', n), *gt;

	if (!lt)
		return -1;
	gt = memchr(lt, '>', (size_t)(v + n - lt));
	if (!gt || gt == lt + 1 || memchr(lt + 1, '<', (size_t)(gt - lt - 1)))
		return -1;
	return copy(out, cap, lt + 1, (size_t)(gt - lt - 1));
}

struct lines {
	const char *p, *end;
};

/* Next CRLF-terminated line: its length, -1 at a bare LF or CR, -2 when none is left. */
static long next_line(struct lines *l, const char **line)
{
	const char *q = l->p;

	while (q < l->end && *q != '\r' && *q != '\n')
		q++;
	if (q >= l->end)
		return -2;
	if (*q == '\n' || q + 1 >= l->end || q[1] != '\n')
		return -1;
	*line = l->p;
	l->p = q + 2;
	return q - *line;
}

/* name ":" [";" params] SP value: name and value split out */
static int split_header(const char *line, size_t n, const char **name, size_t *name_len,
			const char **value, size_t *value_len)
{
	const char *colon = memchr(line, ':', n), *v, *end = line + n;

	if (!colon || colon == line)
		return -1;
	for (const char *q = line; q < colon; q++)
		if (!isalnum((unsigned char)*q) && *q != '-' && *q != '.' && *q != '_')
			return -1;
	v = colon + 1;
	if (v < end && *v == ';') /* header parameters (";lang=fr"): skipped */
		while (v < end && *v != ' ')
			v++;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	for (const char *q = v; q < end; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t')
			return -1;
	*name = line;
	*name_len = (size_t)(colon - line);
	*value = v;
	*value_len = (size_t)(end - v);
	return 0;
}

static bool is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(name, want, n);
}

int cpim_parse(const uint8_t *buf, size_t len, struct cpim *c, char *err, size_t errlen)
{
	struct lines l = { (const char *)buf, (const char *)buf + len };
	char imdn_prefix[32] = "";
	const char *line, *name, *v;
	size_t name_len, vn, content_length = (size_t)-1;
	long n;

	memset(c, 0, sizeof(*c));
	if (memchr(buf, '\0', len))
		return fail(err, errlen, -EBADMSG, "NUL in a CPIM message");
	/* the message headers, then the MIME headers of the content */
	for (int block = 0; block < 2; block++) {
		for (int count = 0;; count++) {
			n = next_line(&l, &line);
			if (n == -2)
				return fail(err, errlen, -EBADMSG, "no blank line after the %s headers",
					    block ? "MIME" : "CPIM");
			if (n == -1)
				return fail(err, errlen, -EBADMSG, "a line not ended by CRLF");
			if (n == 0)
				break;
			if (n > CPIM_LINE_MAX || count >= CPIM_HEADER_LINES_MAX)
				return fail(err, errlen, -E2BIG, "too many or too long header lines");
			if (split_header(line, (size_t)n, &name, &name_len, &v, &vn) < 0)
				return fail(err, errlen, -EBADMSG, "bad header line \"%.*s\"",
					    (int)(n > 40 ? 40 : n), line);
			if (block == 1) {
				if (is(name, name_len, "Content-Type")) {
					if (copy(c->content_type, sizeof(c->content_type), v, vn) < 0 ||
					    !memchr(v, '/', vn))
						return fail(err, errlen, -EBADMSG, "bad Content-Type");
				} else if (is(name, name_len, "Content-Length")) {
					content_length = 0;
					if (vn == 0 || vn > 9)
						return fail(err, errlen, -EBADMSG, "bad Content-Length");
					for (size_t i = 0; i < vn; i++) {
						if (!isdigit((unsigned char)v[i]))
							return fail(err, errlen, -EBADMSG,
								    "bad Content-Length");
						content_length = content_length * 10 + (size_t)(v[i] - '0');
					}
				}
				continue;
			}
			if (is(name, name_len, "From") || is(name, name_len, "To")) {
				char *dst = name_len == 4 ? c->from : c->to;

				if (dst[0])
					return fail(err, errlen, -EBADMSG, "two %.*s headers",
						    (int)name_len, name);
				if (angle_uri(v, vn, dst, CPIM_URI_MAX) < 0)
					return fail(err, errlen, -EBADMSG, "bad %.*s: no <URI>",
						    (int)name_len, name);
			} else if (is(name, name_len, "DateTime")) {
				if (copy(c->datetime, sizeof(c->datetime), v, vn) < 0)
					return fail(err, errlen, -E2BIG, "DateTime too long");
			} else if (is(name, name_len, "NS")) {
				/* NS: prefix <urn>: remember the prefix IMDN uses */
				const char *sp = memchr(v, ' ', vn);
				char urn[64];

				if (sp && angle_uri(sp, (size_t)(v + vn - sp), urn, sizeof(urn)) == 0 &&
				    !strcasecmp(urn, IMDN_URN) &&
				    copy(imdn_prefix, sizeof(imdn_prefix), v, (size_t)(sp - v)) < 0)
					return fail(err, errlen, -E2BIG, "NS prefix too long");
			} else if (imdn_prefix[0] && name_len > strlen(imdn_prefix) + 1 &&
				   !strncasecmp(name, imdn_prefix, strlen(imdn_prefix)) &&
				   name[strlen(imdn_prefix)] == '.') {
				const char *field = name + strlen(imdn_prefix) + 1;
				size_t fl = name_len - strlen(imdn_prefix) - 1;
				char *dst = is(field, fl, "Message-ID") ? c->imdn_message_id :
					    is(field, fl, "Disposition-Notification") ? c->imdn_disposition :
					    NULL;

				if (dst && copy(dst, CPIM_VALUE_MAX, v, vn) < 0)
					return fail(err, errlen, -E2BIG, "IMDN header too long");
			}
		}
	}
	if (!c->from[0] || !c->to[0])
		return fail(err, errlen, -EBADMSG, "From or To missing");
	if (!c->content_type[0])
		return fail(err, errlen, -EBADMSG, "Content-Type missing");
	c->body = (const uint8_t *)l.p;
	c->body_len = (size_t)(l.end - l.p);
	if (content_length != (size_t)-1) {
		if (content_length > c->body_len)
			return fail(err, errlen, -EMSGSIZE,
				    "Content-Length %zu but %zu bytes of content", content_length,
				    c->body_len);
		c->body_len = content_length;
	}
	return 0;
}

static bool field_ok(const char *s)
{
	return !strpbrk(s, "\r\n<>");
}

int cpim_build(const struct cpim *c, uint8_t *buf, size_t cap)
{
	int n;

	if (!c->from[0] || !c->to[0] || !c->content_type[0] || !field_ok(c->from) ||
	    !field_ok(c->to) || !field_ok(c->datetime) || !field_ok(c->imdn_message_id) ||
	    !field_ok(c->imdn_disposition) || !field_ok(c->content_type))
		return -EINVAL;
	n = snprintf((char *)buf, cap, "From: <%s>\r\nTo: <%s>\r\n%s%s%s%s%s%s%s%s%s"
		     "\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		     c->from, c->to, c->datetime[0] ? "DateTime: " : "", c->datetime,
		     c->datetime[0] ? "\r\n" : "",
		     c->imdn_message_id[0] ? "NS: imdn <" IMDN_URN ">\r\nimdn.Message-ID: " : "",
		     c->imdn_message_id, c->imdn_message_id[0] ? "\r\n" : "",
		     c->imdn_message_id[0] && c->imdn_disposition[0] ?
			     "imdn.Disposition-Notification: " : "",
		     c->imdn_message_id[0] ? c->imdn_disposition : "",
		     c->imdn_message_id[0] && c->imdn_disposition[0] ? "\r\n" : "",
		     c->content_type, c->body_len);
	if (n < 0 || (size_t)n + c->body_len > cap)
		return -ENOSPC;
	if (c->body_len)
		memcpy(buf + n, c->body, c->body_len);
	return n + (int)c->body_len;
}

void pager_limits_default(struct pager_limits *l)
{
	l->max_body = 1300;
	l->max_text = 1024;
}

/* text/plain with no charset, or charset utf-8 / us-ascii */
static int text_plain(const char *type, char *err, size_t errlen)
{
	const char *semi, *cs;

	while (*type == ' ')
		type++;
	semi = strchr(type, ';');
	if (strncasecmp(type, "text/plain", 10) || (type[10] && type[10] != ';' && type[10] != ' '))
		return fail(err, errlen, -EPROTONOSUPPORT, "content type \"%.60s\" is not text/plain",
			    type);
	for (cs = semi; cs; cs = strchr(cs + 1, ';')) {
		const char *p = cs + 1;

		while (*p == ' ')
			p++;
		if (!strncasecmp(p, "charset=", 8)) {
			p += 8;
			if (*p == '"')
				p++;
			if (strncasecmp(p, "utf-8", 5) && strncasecmp(p, "us-ascii", 8))
				return fail(err, errlen, -EPROTONOSUPPORT,
					    "charset \"%.20s\" is not UTF-8", p);
		}
	}
	return 0;
}

static int check(const char *content_type, const uint8_t *body, size_t len,
		 const struct pager_limits *lim, struct cpim *cpim, const uint8_t **text,
		 size_t *text_len, char *err, size_t errlen)
{
	const char *inner = content_type;
	int rc;

	if (len > lim->max_body)
		return fail(err, errlen, -EMSGSIZE, "a body of %zu bytes is over %zu", len,
			    lim->max_body);
	*text = body;
	*text_len = len;
	while (*content_type == ' ')
		content_type++;
	if (!strncasecmp(content_type, "message/cpim", 12) &&
	    (!content_type[12] || content_type[12] == ';' || content_type[12] == ' ')) {
		rc = cpim_parse(body, len, cpim, err, errlen);
		if (rc < 0)
			return rc;
		inner = cpim->content_type;
		*text = cpim->body;
		*text_len = cpim->body_len;
	}
	rc = text_plain(inner, err, errlen);
	if (rc < 0)
		return rc;
	if (*text_len > lim->max_text)
		return fail(err, errlen, -EMSGSIZE, "a text of %zu bytes is over %zu", *text_len,
			    lim->max_text);
	if (!utf8_valid(*text, *text_len))
		return fail(err, errlen, -EILSEQ, "the text is not UTF-8");
	return 0;
}

int pager_check(const char *content_type, const uint8_t *body, size_t len,
		const struct pager_limits *lim, struct cpim *cpim, const uint8_t **text,
		size_t *text_len, char *err, size_t errlen)
{
	int rc = check(content_type, body, len, lim, cpim, text, text_len, err, errlen);

	if (rc < 0)
		counter_inc(COUNTER_PAGER_REFUSED);
	return rc;
}
