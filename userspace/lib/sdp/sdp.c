/* SDP parser and serializer (RFC 8866 section 5 grammar, strict order, bounded). */
#include "sdp/sdp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct sdp_string {
	struct sdp_string *next;
	char text[];
};

struct sdp_session *sdp_new(void)
{
	return calloc(1, sizeof(struct sdp_session));
}

void sdp_free(struct sdp_session *s)
{
	struct sdp_string *p, *next;

	if (!s)
		return;
	for (p = s->strings; p; p = next) {
		next = p->next;
		free(p);
	}
	free(s);
}

static const char *store(struct sdp_session *s, const char *str, size_t len)
{
	struct sdp_string *p = malloc(sizeof(*p) + len + 1);

	if (!p)
		return NULL;
	memcpy(p->text, str, len);
	p->text[len] = '\0';
	p->next = s->strings;
	s->strings = p;
	return p->text;
}

const char *sdp_strdup(struct sdp_session *s, const char *str)
{
	return store(s, str, strlen(str));
}

static const char *vprintf_store(struct sdp_session *s, const char *fmt, va_list ap)
{
	char *tmp = NULL;
	const char *r;
	int n = vasprintf(&tmp, fmt, ap);

	if (n < 0)
		return NULL;
	r = store(s, tmp, (size_t)n);
	free(tmp);
	return r;
}

const char *sdp_printf(struct sdp_session *s, const char *fmt, ...)
{
	va_list ap;
	const char *r;

	va_start(ap, fmt);
	r = vprintf_store(s, fmt, ap);
	va_end(ap);
	return r;
}

struct sdp_media *sdp_add_media(struct sdp_session *s, const char *type, uint16_t port,
				const char *proto)
{
	struct sdp_media *m;

	if (s->nmedia >= SDP_MAX_MEDIA)
		return NULL;
	m = &s->media[s->nmedia];
	memset(m, 0, sizeof(*m));
	m->type = sdp_strdup(s, type);
	m->proto = sdp_strdup(s, proto);
	if (!m->type || !m->proto)
		return NULL;
	m->port = port;
	s->nmedia++;
	return m;
}

int sdp_media_add_fmt(struct sdp_session *s, struct sdp_media *m, const char *fmt)
{
	if (m->nfmt >= SDP_MAX_FMTS)
		return -E2BIG;
	m->fmt[m->nfmt] = sdp_strdup(s, fmt);
	if (!m->fmt[m->nfmt])
		return -ENOMEM;
	m->nfmt++;
	return 0;
}

int sdp_attrs_add(struct sdp_session *s, struct sdp_attrs *l, const char *name,
		  const char *value_fmt, ...)
{
	struct sdp_attr *a;
	va_list ap;

	if (l->n >= SDP_MAX_ATTRS)
		return -E2BIG;
	a = &l->a[l->n];
	a->name = sdp_strdup(s, name);
	a->value = NULL;
	if (value_fmt) {
		va_start(ap, value_fmt);
		a->value = vprintf_store(s, value_fmt, ap);
		va_end(ap);
		if (!a->value)
			return -ENOMEM;
	}
	if (!a->name)
		return -ENOMEM;
	l->n++;
	return 0;
}

int sdp_attrs_find(const struct sdp_attrs *l, const char *name, unsigned from)
{
	for (unsigned i = from; i < l->n; i++)
		if (strcmp(l->a[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *sdp_attrs_get(const struct sdp_attrs *l, const char *name)
{
	int i = sdp_attrs_find(l, name, 0);

	if (i < 0)
		return NULL;
	return l->a[i].value ? l->a[i].value : "";
}

bool sdp_attrs_has(const struct sdp_attrs *l, const char *name)
{
	return sdp_attrs_find(l, name, 0) >= 0;
}

int sdp_conn_set(struct sdp_session *s, struct sdp_conn *c, const char *addr)
{
	unsigned char buf[16];
	int af = strchr(addr, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(af, addr, buf) != 1)
		return -EINVAL;
	c->addr = sdp_strdup(s, addr);
	if (!c->addr)
		return -ENOMEM;
	c->af = af;
	c->present = true;
	return 0;
}

/* --- parser ----------------------------------------------------------------------- */

struct parser {
	struct sdp_session *s;
	unsigned line;
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int rc, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!p->errlen)
		return rc;
	if (p->line)
		n = snprintf(p->err, p->errlen, "line %u: ", p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

/* RFC 8866 token-char */
static bool is_token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+-.^_`{|}~", c);
}

static bool is_token(const char *t)
{
	if (!*t)
		return false;
	for (; *t; t++)
		if (!is_token_char((unsigned char)*t))
			return false;
	return true;
}

static bool is_digits(const char *t, size_t maxlen)
{
	size_t n = strlen(t);

	if (n == 0 || n > maxlen)
		return false;
	for (; *t; t++)
		if (!isdigit((unsigned char)*t))
			return false;
	return true;
}

/*
 * Split value (a writable copy) into at most max fields on single spaces. Returns the
 * number of fields, or -1 when a field is empty (double space, leading/trailing space).
 */
static int split(char *value, char **fields, int max)
{
	int n = 0;
	char *p = value;

	for (;;) {
		char *sp = strchr(p, ' ');

		if (n == max)
			return max + 1;
		if (sp)
			*sp = '\0';
		if (!*p)
			return -1;
		fields[n++] = p;
		if (!sp)
			return n;
		p = sp + 1;
	}
}

static int parse_addrtype(const char *nettype, const char *addrtype)
{
	if (strcmp(nettype, "IN") != 0)
		return -1;
	if (strcmp(addrtype, "IP4") == 0)
		return AF_INET;
	if (strcmp(addrtype, "IP6") == 0)
		return AF_INET6;
	return -1;
}

static int parse_origin(struct parser *p, char *v)
{
	char *f[6];
	int n = split(v, f, 6);

	if (n != 6)
		return fail(p, -EINVAL, "o= needs 6 fields separated by single spaces");
	if (!is_digits(f[1], 20) || !is_digits(f[2], 20))
		return fail(p, -EINVAL, "o= session id and version must be decimal numbers");
	p->s->origin.af = parse_addrtype(f[3], f[4]);
	if (p->s->origin.af < 0)
		return fail(p, -EINVAL, "o= network/address type \"%s %s\" is not IN IP4/IP6",
			    f[3], f[4]);
	if (!is_token(f[0]))
		return fail(p, -EINVAL, "o= username is not a token");
	for (const char *c = f[5]; *c; c++)
		if (!is_token_char((unsigned char)*c) && *c != ':')
			return fail(p, -EINVAL, "o= address \"%s\" is not a host name or IP literal",
				    f[5]);
	if (!(p->s->origin.username = sdp_strdup(p->s, f[0])) ||
	    !(p->s->origin.sess_id = sdp_strdup(p->s, f[1])) ||
	    !(p->s->origin.sess_version = sdp_strdup(p->s, f[2])) ||
	    !(p->s->origin.addr = sdp_strdup(p->s, f[5])))
		return -ENOMEM;
	return 0;
}

static int parse_conn(struct parser *p, char *v, struct sdp_conn *c)
{
	char *f[3];
	unsigned char buf[16];
	int af;

	if (split(v, f, 3) != 3)
		return fail(p, -EINVAL, "c= needs \"IN IP4|IP6 <address>\"");
	af = parse_addrtype(f[0], f[1]);
	if (af < 0)
		return fail(p, -EINVAL, "c= network/address type \"%s %s\" is not IN IP4/IP6",
			    f[0], f[1]);
	if (strchr(f[2], '/'))
		return fail(p, -EINVAL, "c= multicast addresses are not supported");
	if (inet_pton(af, f[2], buf) != 1)
		return fail(p, -EINVAL, "c= address \"%s\" is not an %s literal", f[2], f[1]);
	c->af = af;
	c->addr = sdp_strdup(p->s, f[2]);
	if (!c->addr)
		return -ENOMEM;
	c->present = true;
	return 0;
}

static int parse_bw(struct parser *p, const char *v, unsigned *nbw, const char **bw)
{
	const char *colon = strchr(v, ':');
	char type[64];

	if (!colon || (size_t)(colon - v) >= sizeof(type))
		return fail(p, -EINVAL, "b= needs \"<type>:<bandwidth>\"");
	memcpy(type, v, (size_t)(colon - v));
	type[colon - v] = '\0';
	if (!is_token(type) || !is_digits(colon + 1, 10))
		return fail(p, -EINVAL, "b= needs \"<type>:<bandwidth>\"");
	if (*nbw >= SDP_MAX_BW)
		return fail(p, -E2BIG, "more than %d b= lines", SDP_MAX_BW);
	bw[*nbw] = sdp_strdup(p->s, v);
	if (!bw[*nbw])
		return -ENOMEM;
	(*nbw)++;
	return 0;
}

static int parse_attr(struct parser *p, const char *v, struct sdp_attrs *l)
{
	const char *colon = strchr(v, ':');
	size_t nlen = colon ? (size_t)(colon - v) : strlen(v);
	struct sdp_attr *a;

	if (nlen == 0)
		return fail(p, -EINVAL, "a= without an attribute name");
	for (size_t i = 0; i < nlen; i++)
		if (!is_token_char((unsigned char)v[i]))
			return fail(p, -EINVAL, "a= attribute name has a character not allowed in a token");
	if (l->n >= SDP_MAX_ATTRS)
		return fail(p, -E2BIG, "more than %d attributes at one level", SDP_MAX_ATTRS);
	a = &l->a[l->n];
	a->name = store(p->s, v, nlen);
	a->value = colon ? sdp_strdup(p->s, colon + 1) : NULL;
	if (!a->name || (colon && !a->value))
		return -ENOMEM;
	l->n++;
	return 0;
}

static bool is_rtp_proto(const char *proto)
{
	return strstr(proto, "RTP/") != NULL;
}

static int parse_media(struct parser *p, char *v)
{
	char *f[3 + SDP_MAX_FMTS];
	int n = split(v, f, 3 + SDP_MAX_FMTS);
	struct sdp_media *m;
	char *slash, *end;
	unsigned long port, nports = 0;

	if (n < 0)
		return fail(p, -EINVAL, "m= fields must be separated by single spaces");
	if (n > 3 + SDP_MAX_FMTS)
		return fail(p, -E2BIG, "m= has more than %d formats", SDP_MAX_FMTS);
	if (n < 4)
		return fail(p, -EINVAL, "m= needs \"<media> <port> <proto> <fmt> ...\"");
	if (p->s->nmedia >= SDP_MAX_MEDIA)
		return fail(p, -E2BIG, "more than %d media sections", SDP_MAX_MEDIA);
	if (!is_token(f[0]))
		return fail(p, -EINVAL, "m= media type \"%s\" is not a token", f[0]);
	slash = strchr(f[1], '/');
	if (slash) {
		*slash = '\0';
		if (!is_digits(slash + 1, 5) || (nports = strtoul(slash + 1, &end, 10)) == 0 ||
		    nports > 65535)
			return fail(p, -EINVAL, "m= number of ports is not a number from 1 to 65535");
	}
	if (!is_digits(f[1], 5) || (port = strtoul(f[1], &end, 10)) > 65535)
		return fail(p, -EINVAL, "m= port \"%s\" is not a number from 0 to 65535", f[1]);
	for (const char *c = f[2]; *c; c++)
		if (!is_token_char((unsigned char)*c) && *c != '/')
			return fail(p, -EINVAL, "m= transport \"%s\" is not a token", f[2]);
	for (int i = 3; i < n; i++) {
		if (!is_token(f[i]))
			return fail(p, -EINVAL, "m= format \"%s\" is not a token", f[i]);
		if (is_rtp_proto(f[2]) && (!is_digits(f[i], 3) || atoi(f[i]) > 127))
			return fail(p, -EINVAL, "m= RTP payload type \"%s\" is not 0-127", f[i]);
		for (int j = 3; j < i; j++)
			if (strcmp(f[i], f[j]) == 0)
				return fail(p, -EINVAL, "m= lists format %s twice", f[i]);
	}
	m = sdp_add_media(p->s, f[0], (uint16_t)port, f[2]);
	if (!m)
		return -ENOMEM;
	m->nports = (uint16_t)nports;
	m->line = p->line;
	for (int i = 3; i < n; i++)
		if (sdp_media_add_fmt(p->s, m, f[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int add_line(struct parser *p, struct sdp_line *lines, unsigned *n, unsigned max,
		    char type, const char *v)
{
	if (*n >= max)
		return fail(p, -E2BIG, "more than %u %c= lines", max, type);
	lines[*n].type = type;
	lines[*n].value = sdp_strdup(p->s, v);
	if (!lines[*n].value)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static bool printable_text(const char *v)
{
	for (; *v; v++)
		if (*v == '\r')
			return false;
	return true;
}

/* Rank of a session-level line type in RFC 8866's order; -1 when not allowed there. */
static int session_rank(char t)
{
	static const char order[] = "vosiuepcbtrzka";
	const char *c = strchr(order, t);

	return c && t ? (int)(c - order) : -1;
}

static int media_rank(char t)
{
	static const char order[] = "micbka";
	const char *c = strchr(order, t);

	return c && t ? (int)(c - order) : -1;
}

/* Types that may appear more than once at their level. */
static bool repeatable(char t, bool in_media)
{
	return in_media ? t == 'b' || t == 'a' : strchr("epbtrza", t) != NULL;
}

static int parse_line(struct parser *p, char type, char *v, int *rank, bool *in_media)
{
	struct sdp_session *s = p->s;
	struct sdp_media *m = *in_media ? &s->media[s->nmedia - 1] : NULL;
	int r;

	if (type == 'm') {
		if (s->ntimes == 0)
			return fail(p, -EINVAL, "m= before any t= line");
		*in_media = true;
		*rank = 0;
		return parse_media(p, v);
	}
	r = *in_media ? media_rank(type) : session_rank(type);
	if (r < 0)
		return fail(p, -EINVAL, "%c= is not allowed %s", type,
			    *in_media ? "in a media section" : "at session level");
	if (r < *rank || (r == *rank && !repeatable(type, *in_media)))
		return fail(p, -EINVAL, "%c= is out of order or repeated", type);
	if (!*in_media && type == 'r' && s->ntimes == 0)
		return fail(p, -EINVAL, "r= without t=");
	*rank = r;

	switch (type) {
	case 'v':
		if (strcmp(v, "0") != 0)
			return fail(p, -EINVAL, "unsupported SDP version \"%s\"", v);
		return 0;
	case 'o':
		return parse_origin(p, v);
	case 's':
		if (!*v)
			return fail(p, -EINVAL, "empty s= (use \"s= \" or \"s=-\")");
		s->name = sdp_strdup(s, v);
		return s->name ? 0 : -ENOMEM;
	case 'i':
		if (m) {
			m->info = sdp_strdup(s, v);
			return m->info ? 0 : -ENOMEM;
		}
		/* fall through */
	case 'u':
	case 'e':
	case 'p':
		return add_line(p, s->extra, &s->nextra, SDP_MAX_EXTRA, type, v);
	case 'c':
		return parse_conn(p, v, m ? &m->conn : &s->conn);
	case 'b':
		return parse_bw(p, v, m ? &m->nbw : &s->nbw, m ? m->bw : s->bw);
	case 't': {
		char *f[2];

		if (split(v, f, 2) != 2 || !is_digits(f[0], 20) || !is_digits(f[1], 20))
			return fail(p, -EINVAL, "t= needs \"<start> <stop>\" decimal times");
		f[1][-1] = ' '; /* undo the split: keep "<start> <stop>" */
		return add_line(p, s->times, &s->ntimes, SDP_MAX_TIMES, 't', f[0]);
	}
	case 'r':
	case 'z':
		return add_line(p, s->times, &s->ntimes, SDP_MAX_TIMES, type, v);
	case 'k':
		return 0; /* obsolete (RFC 8866 section 5.12): accepted and dropped */
	case 'a':
		return parse_attr(p, v, m ? &m->attrs : &s->attrs);
	}
	return fail(p, -EINVAL, "unknown line type %c=", type);
}

static int check_media_conn(struct parser *p)
{
	const struct sdp_session *s = p->s;

	if (s->conn.present)
		return 0;
	for (unsigned i = 0; i < s->nmedia; i++)
		if (!s->media[i].conn.present) {
			p->line = s->media[i].line;
			return fail(p, -EINVAL, "media section without c= and no session c=");
		}
	return 0;
}

int sdp_parse(const char *buf, size_t len, struct sdp_session **out, char *err, size_t errlen)
{
	struct parser p = { .err = err, .errlen = errlen };
	char line[SDP_MAX_LINE_LEN + 1];
	size_t pos = 0;
	int rank = -1, rc;
	bool in_media = false;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (len > SDP_MAX_BYTES)
		return fail(&p, -E2BIG, "description of %zu bytes is over the %d byte limit", len,
			    SDP_MAX_BYTES);
	if (len == 0)
		return fail(&p, -EINVAL, "empty description");
	p.s = sdp_new();
	if (!p.s)
		return -ENOMEM;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;

		p.line++;
		if (p.line > SDP_MAX_LINES) {
			rc = fail(&p, -E2BIG, "more than %d lines", SDP_MAX_LINES);
			goto err;
		}
		if (n && buf[pos + n - 1] == '\r')
			n--;
		if (n > SDP_MAX_LINE_LEN) {
			rc = fail(&p, -E2BIG, "line longer than %d bytes", SDP_MAX_LINE_LEN);
			goto err;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos = end + 1;
		if (memchr(line, '\0', n)) {
			rc = fail(&p, -EINVAL, "NUL byte in line");
			goto err;
		}
		if (n < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
			rc = fail(&p, -EINVAL, "not a \"<letter>=<value>\" line");
			goto err;
		}
		if (!printable_text(line + 2)) {
			rc = fail(&p, -EINVAL, "stray carriage return");
			goto err;
		}
		if (p.line == 1 && line[0] != 'v') {
			rc = fail(&p, -EINVAL, "description must start with v=");
			goto err;
		}
		if ((p.line == 2 && line[0] != 'o') || (p.line == 3 && line[0] != 's')) {
			rc = fail(&p, -EINVAL, "v=, o=, s= must be the first three lines");
			goto err;
		}
		rc = parse_line(&p, line[0], line + 2, &rank, &in_media);
		if (rc < 0) {
			if (rc == -ENOMEM)
				fail(&p, rc, "out of memory");
			goto err;
		}
	}
	p.line = 0;
	if (!p.s->name || p.s->ntimes == 0) {
		rc = fail(&p, -EINVAL, "description ends before its v=, o=, s= and t= lines");
		goto err;
	}
	rc = check_media_conn(&p);
	if (rc < 0)
		goto err;
	*out = p.s;
	return 0;
err:
	sdp_free(p.s);
	return rc;
}

/* --- serializer ------------------------------------------------------------------- */

static void put_conn(FILE *f, const struct sdp_conn *c)
{
	if (c->present)
		fprintf(f, "c=IN %s %s\r\n", c->af == AF_INET6 ? "IP6" : "IP4", c->addr);
}

static void put_attrs(FILE *f, const struct sdp_attrs *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (l->a[i].value)
			fprintf(f, "a=%s:%s\r\n", l->a[i].name, l->a[i].value);
		else
			fprintf(f, "a=%s\r\n", l->a[i].name);
	}
}

int sdp_serialize(const struct sdp_session *s, char **out, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	*out = NULL;
	*len = 0;
	if (!s->origin.username || !s->origin.sess_id || !s->origin.sess_version ||
	    !s->origin.addr || !s->name)
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "v=0\r\no=%s %s %s IN %s %s\r\ns=%s\r\n", s->origin.username,
		s->origin.sess_id, s->origin.sess_version,
		s->origin.af == AF_INET6 ? "IP6" : "IP4", s->origin.addr, s->name);
	for (unsigned i = 0; i < s->nextra; i++)
		fprintf(f, "%c=%s\r\n", s->extra[i].type, s->extra[i].value);
	put_conn(f, &s->conn);
	for (unsigned i = 0; i < s->nbw; i++)
		fprintf(f, "b=%s\r\n", s->bw[i]);
	if (s->ntimes == 0)
		fputs("t=0 0\r\n", f);
	for (unsigned i = 0; i < s->ntimes; i++)
		fprintf(f, "%c=%s\r\n", s->times[i].type, s->times[i].value);
	put_attrs(f, &s->attrs);
	for (unsigned i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];

		fprintf(f, "m=%s %u", m->type, m->port);
		if (m->nports)
			fprintf(f, "/%u", m->nports);
		fprintf(f, " %s", m->proto);
		for (unsigned j = 0; j < m->nfmt; j++)
			fprintf(f, " %s", m->fmt[j]);
		fputs("\r\n", f);
		if (m->info)
			fprintf(f, "i=%s\r\n", m->info);
		put_conn(f, &m->conn);
		for (unsigned j = 0; j < m->nbw; j++)
			fprintf(f, "b=%s\r\n", m->bw[j]);
		put_attrs(f, &m->attrs);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*len = size;
	return 0;
}
