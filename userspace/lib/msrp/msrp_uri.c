/* MSRP URIs and paths (RFC 4975 section 9):
 *   MSRP-URI   = msrp-scheme "://" authority ["/" session-id] ";" transport *(";" param)
 *   session-id = 1*( unreserved / "+" / "=" / "/" )
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msrp/msrp.h"

static bool unreserved(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool session_char(char c)
{
	return unreserved(c) || c == '+' || c == '=' || c == '/' || c == '%';
}

/* reg-name / IPv4 characters, userinfo allowed before '@' */
static bool host_char(char c)
{
	return unreserved(c) || c == '%' || c == '!' || c == '$' || c == '&' || c == '\'' ||
	       c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == '=';
}

int msrp_uri_parse(const char *s, size_t len, struct msrp_uri *u)
{
	const char *p = s, *end = s + len, *h, *semi;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (len > 7 && !strncasecmp(p, "msrps://", 8)) {
		u->secure = true;
		p += 8;
	} else if (len > 6 && !strncasecmp(p, "msrp://", 7)) {
		p += 7;
	} else {
		return -EINVAL;
	}
	/* authority: [userinfo "@"] host [":" port] */
	h = p;
	for (const char *q = p; q < end && *q != '/' && *q != ';'; q++)
		if (*q == '@')
			h = q + 1;
	for (const char *q = p; q < h - 1; q++)
		if (!host_char(*q) && *q != ':')
			return -EINVAL;
	p = h;
	if (p < end && *p == '[') { /* IPv6reference */
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (!rb || rb - p < 3)
			return -EINVAL;
		for (const char *q = p + 1; q < rb; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' && *q != '.')
				return -EINVAL;
		p = rb + 1;
	} else {
		while (p < end && host_char(*p))
			p++;
	}
	n = (size_t)(p - h);
	if (n == 0 || n >= sizeof(u->host))
		return -EINVAL;
	memcpy(u->host, h, n);
	if (p < end && *p == ':') {
		unsigned long port = 0;

		if (++p >= end || !isdigit((unsigned char)*p))
			return -EINVAL;
		while (p < end && isdigit((unsigned char)*p)) {
			port = port * 10 + (unsigned long)(*p++ - '0');
			if (port > 65535)
				return -EINVAL;
		}
		if (port == 0)
			return -EINVAL;
		u->port = (uint16_t)port;
	}
	if (p < end && *p == '/') {
		h = ++p;
		while (p < end && session_char(*p))
			p++;
		n = (size_t)(p - h);
		if (n == 0 || n >= sizeof(u->session))
			return -EINVAL;
		memcpy(u->session, h, n);
	}
	/* ";" transport *( ";" URI-parameter ) */
	if (p >= end || *p != ';')
		return -EINVAL;
	h = ++p;
	semi = memchr(p, ';', (size_t)(end - p));
	if (!semi)
		semi = end;
	n = (size_t)(semi - h);
	if (n == 0 || n >= sizeof(u->transport))
		return -EINVAL;
	for (const char *q = h; q < semi; q++)
		if (!isalnum((unsigned char)*q))
			return -EINVAL;
	memcpy(u->transport, h, n);
	for (p = semi; p < end; p++) /* parameters: token characters, '=' and ';' */
		if (!unreserved(*p) && *p != ';' && *p != '=' && *p != '%')
			return -EINVAL;
	return 0;
}

int msrp_uri_format(const struct msrp_uri *u, char *out, size_t cap)
{
	char port[8] = "";
	int n;

	if (u->port)
		snprintf(port, sizeof(port), ":%u", u->port);
	n = snprintf(out, cap, "msrp%s://%s%s%s%s;%s", u->secure ? "s" : "", u->host, port,
		     u->session[0] ? "/" : "", u->session, u->transport);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}

bool msrp_uri_equal(const struct msrp_uri *a, const struct msrp_uri *b)
{
	return a->secure == b->secure && !strcasecmp(a->host, b->host) && a->port == b->port &&
	       !strcmp(a->session, b->session) && !strcasecmp(a->transport, b->transport);
}

int msrp_path_parse(const char *s, size_t len, struct msrp_path *p)
{
	const char *q = s, *end = s + len;

	p->n = 0;
	while (q < end) {
		const char *sp;
		int rc;

		while (q < end && *q == ' ')
			q++;
		if (q >= end)
			break;
		sp = memchr(q, ' ', (size_t)(end - q));
		if (!sp)
			sp = end;
		if (p->n >= MSRP_PATH_MAX)
			return -E2BIG;
		rc = msrp_uri_parse(q, (size_t)(sp - q), &p->uri[p->n]);
		if (rc < 0)
			return rc;
		p->n++;
		q = sp;
	}
	return p->n ? 0 : -EINVAL;
}
