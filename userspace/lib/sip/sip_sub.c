/* Header values and Subscription-State for the reg event subscriber (RFC 6665). */
#include "sip/sip_sub.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

long sip_sub_number(const char *s)
{
	long v = 0;
	int n = 0;

	if (!s)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; isdigit((unsigned char)*s); s++) {
		if (++n > 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return n > 0 && *s == '\0' ? v : -1;
}

int sip_sub_header(const char *msg, size_t len, const char *name, char compact, char *out,
		   size_t outlen)
{
	size_t nlen = strlen(name), i = 0;

	/* skip the start line */
	while (i < len && msg[i] != '\n')
		i++;
	i++;
	while (i < len) {
		const char *line = msg + i, *eol = memchr(line, '\n', len - i), *p, *e;
		size_t ll = eol ? (size_t)(eol - line) : len - i, n;

		if (ll == 0 || (ll == 1 && line[0] == '\r'))
			break;	/* end of the header block */
		p = line;
		while (p < line + ll && *p != ':' && *p != ' ' && *p != '\t')
			p++;
		n = (size_t)(p - line);
		if ((n == nlen && strncasecmp(line, name, nlen) == 0) ||
		    (compact && n == 1 && tolower((unsigned char)*line) == tolower((unsigned char)compact))) {
			while (p < line + ll && (*p == ' ' || *p == '\t'))
				p++;
			if (p < line + ll && *p == ':') {
				p++;
				e = line + ll;
				while (p < e && (*p == ' ' || *p == '\t'))
					p++;
				while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
					e--;
				if ((size_t)(e - p) >= outlen)
					return -EMSGSIZE;
				memcpy(out, p, (size_t)(e - p));
				out[e - p] = '\0';
				return (int)(e - p);
			}
		}
		i += ll + 1;
	}
	return -ENOENT;
}

/* The next ";name=value" parameter of s into name/value; returns the rest or NULL. */
static const char *next_param(const char *s, char *name, size_t nl, char *value, size_t vl)
{
	size_t n;

	s = strchr(s, ';');
	if (!s)
		return NULL;
	s++;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, "=; \t");
	snprintf(name, nl, "%.*s", (int)n, s);
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	value[0] = '\0';
	if (*s == '=') {
		s++;
		while (*s == ' ' || *s == '\t')
			s++;
		n = strcspn(s, ";");
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		snprintf(value, vl, "%.*s", (int)n, s);
	}
	return s;
}

int sip_sub_parse_state(const char *value, struct sip_sub_state *out)
{
	size_t n = strcspn(value, "; \t");
	char name[32], v[64];
	const char *p = value;

	memset(out, 0, sizeof(*out));
	out->expires = out->retry_after = -1;
	if (n == 6 && strncasecmp(value, "active", 6) == 0)
		out->state = SIP_SUB_ACTIVE;
	else if (n == 7 && strncasecmp(value, "pending", 7) == 0)
		out->state = SIP_SUB_PENDING;
	else if (n == 10 && strncasecmp(value, "terminated", 10) == 0)
		out->state = SIP_SUB_TERMINATED;
	else
		return -EBADMSG;
	while ((p = next_param(p, name, sizeof(name), v, sizeof(v)))) {
		if (strcasecmp(name, "expires") == 0 &&
		    (out->expires = sip_sub_number(v)) < 0)
			return -EBADMSG;
		if (strcasecmp(name, "retry-after") == 0 &&
		    (out->retry_after = sip_sub_number(v)) < 0)
			return -EBADMSG;
		if (strcasecmp(name, "reason") == 0)
			snprintf(out->reason, sizeof(out->reason), "%s", v);
	}
	return 0;
}

int sip_sub_event_is(const char *value, const char *package)
{
	size_t n = strcspn(value, "; \t");

	return n == strlen(package) && strncasecmp(value, package, n) == 0;
}
