/*
 * RFC 3680 reginfo documents on expat.
 *
 * Why expat (libexpat1-dev) rather than libxml2: we only need a streaming pass that picks
 * a handful of attributes and one text element out of a small document, which is what
 * expat's SAX handlers do with no tree, no global state and no network or file access of
 * its own. Its safety knobs are explicit: a DOCTYPE stops the parser here (reginfo has no
 * DTD, so no entity can be declared, let alone expanded or loaded), no external entity
 * handler is installed, and expat >= 2.4 limits entity amplification anyway.
 */
#include "sip/reginfo.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#define NS "urn:ietf:params:xml:ns:reginfo"
#define SEP '|'
#define DEPTH_MAX 32

enum kind { K_OTHER = 0, K_REGINFO, K_REGISTRATION, K_CONTACT, K_URI };

struct ctx {
	XML_Parser p;
	struct reginfo *out;
	int depth;
	enum kind stack[DEPTH_MAX];
	int rc;
	char *why;
	size_t whylen;
	int seen_root;
	size_t uri_len;
	int uri_seen;
};

static const char *const event_names[] = {
	[REGINFO_EV_REGISTERED] = "registered", [REGINFO_EV_CREATED] = "created",
	[REGINFO_EV_REFRESHED] = "refreshed",   [REGINFO_EV_SHORTENED] = "shortened",
	[REGINFO_EV_EXPIRED] = "expired",       [REGINFO_EV_DEACTIVATED] = "deactivated",
	[REGINFO_EV_PROBATION] = "probation",   [REGINFO_EV_UNREGISTERED] = "unregistered",
	[REGINFO_EV_REJECTED] = "rejected",
};

static const char *const reg_state_names[] = {
	[REGINFO_REG_INIT] = "init",
	[REGINFO_REG_ACTIVE] = "active",
	[REGINFO_REG_TERMINATED] = "terminated",
};

const char *reginfo_event_name(enum reginfo_event e)
{
	if ((unsigned int)e < sizeof(event_names) / sizeof(event_names[0]) && event_names[e])
		return event_names[e];
	return "unknown";
}

const char *reginfo_reg_state_name(enum reginfo_reg_state s)
{
	if ((unsigned int)s < sizeof(reg_state_names) / sizeof(reg_state_names[0]) &&
	    reg_state_names[s])
		return reg_state_names[s];
	return "unknown";
}

static void stop(struct ctx *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void stop(struct ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->rc == 0) {
		c->rc = rc;
		va_start(ap, fmt);
		vsnprintf(c->why, c->whylen, fmt, ap);
		va_end(ap);
	}
	XML_StopParser(c->p, XML_FALSE);
}

static const char *attr(const XML_Char **atts, const char *name)
{
	for (int i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], name) == 0)	/* unqualified attributes have no namespace */
			return atts[i + 1];
	return NULL;
}

/* A non-negative decimal of at most 10 digits, or -1. */
static long number(const char *s)
{
	long v = 0;
	int n = 0;

	if (!s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || ++n > 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return n ? v : -1;
}

static int lookup(const char *s, const char *const *names, size_t n)
{
	if (!s)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (names[i] && strcmp(s, names[i]) == 0)
			return (int)i;
	return 0;
}

static int copy_attr(struct ctx *c, char *dst, size_t cap, const char *v, const char *what)
{
	size_t len = v ? strlen(v) : 0;

	if (len >= cap) {
		stop(c, -EBADMSG, "%s attribute too long", what);
		return -1;
	}
	memcpy(dst, v ? v : "", len + 1);
	return 0;
}

static void start_reginfo(struct ctx *c, const XML_Char **atts)
{
	const char *st = attr(atts, "state");

	c->seen_root = 1;
	c->out->version = number(attr(atts, "version"));
	if (c->out->version < 0) {
		stop(c, -EBADMSG, "reginfo: missing or invalid version");
		return;
	}
	if (st && strcmp(st, "full") == 0)
		c->out->full = 1;
	else if (!st || strcmp(st, "partial") != 0) {
		stop(c, -EBADMSG, "reginfo: state must be full or partial");
		return;
	}
}

static void start_registration(struct ctx *c, const XML_Char **atts)
{
	struct reginfo_registration *g;
	const char *aor = attr(atts, "aor");

	if (c->out->n_regs >= REGINFO_REGS_MAX) {
		stop(c, -E2BIG, "more than %d registrations", REGINFO_REGS_MAX);
		return;
	}
	g = &c->out->regs[c->out->n_regs++];
	g->state = (enum reginfo_reg_state)lookup(attr(atts, "state"), reg_state_names,
						  sizeof(reg_state_names) / sizeof(*reg_state_names));
	if (!aor || !*aor || !g->state) {
		stop(c, -EBADMSG, "registration: missing aor or invalid state");
		return;
	}
	if (copy_attr(c, g->aor, sizeof(g->aor), aor, "aor") == 0)
		copy_attr(c, g->id, sizeof(g->id), attr(atts, "id"), "registration id");
}

static void start_contact(struct ctx *c, const XML_Char **atts)
{
	struct reginfo_registration *g = &c->out->regs[c->out->n_regs - 1];
	struct reginfo_contact *ct;
	const char *st = attr(atts, "state"), *v;

	if (g->n_contacts >= REGINFO_CONTACTS_MAX) {
		stop(c, -E2BIG, "more than %d contacts in a registration",
		     REGINFO_CONTACTS_MAX);
		return;
	}
	ct = &g->contacts[g->n_contacts++];
	ct->expires = ct->retry_after = -1;
	if (st && strcmp(st, "active") == 0)
		ct->state = REGINFO_CONTACT_ACTIVE;
	else if (st && strcmp(st, "terminated") == 0)
		ct->state = REGINFO_CONTACT_TERMINATED;
	ct->event = (enum reginfo_event)lookup(attr(atts, "event"), event_names,
					       sizeof(event_names) / sizeof(*event_names));
	if (!ct->state || !ct->event) {
		stop(c, -EBADMSG, "contact: missing or invalid state or event");
		return;
	}
	if ((v = attr(atts, "expires")) && (ct->expires = number(v)) < 0) {
		stop(c, -EBADMSG, "contact: invalid expires \"%.40s\"", v);
		return;
	}
	if ((v = attr(atts, "retry-after")) && (ct->retry_after = number(v)) < 0) {
		stop(c, -EBADMSG, "contact: invalid retry-after \"%.40s\"", v);
		return;
	}
	copy_attr(c, ct->id, sizeof(ct->id), attr(atts, "id"), "contact id");
	c->uri_seen = 0;
}

static void on_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct ctx *c = data;
	enum kind parent = c->depth ? c->stack[c->depth - 1] : K_OTHER, k = K_OTHER;
	int ours = strncmp(name, NS "|", sizeof(NS)) == 0;
	const char *local = ours ? name + sizeof(NS) : NULL;

	if (c->rc)
		return;
	if (c->depth >= DEPTH_MAX) {
		stop(c, -EBADMSG, "elements nested too deeply");
		return;
	}
	if (c->depth == 0) {
		if (!ours || strcmp(local, "reginfo") != 0) {
			stop(c, -EBADMSG, "root element is not reginfo (" NS ")");
			return;
		}
		k = K_REGINFO;
		start_reginfo(c, atts);
	} else if (ours && parent == K_REGINFO && strcmp(local, "registration") == 0) {
		k = K_REGISTRATION;
		start_registration(c, atts);
	} else if (ours && parent == K_REGISTRATION && strcmp(local, "contact") == 0) {
		k = K_CONTACT;
		start_contact(c, atts);
	} else if (ours && parent == K_CONTACT && strcmp(local, "uri") == 0) {
		if (c->uri_seen++) {
			stop(c, -EBADMSG, "contact: more than one uri");
			return;
		}
		k = K_URI;
		c->uri_len = 0;
	}
	/* anything else (display-name, unknown-param, extensions) is skipped */
	c->stack[c->depth++] = k;
}

static void on_end(void *data, const XML_Char *name)
{
	struct ctx *c = data;
	enum kind k;

	(void)name;
	if (c->rc || c->depth == 0)
		return;
	k = c->stack[--c->depth];
	if (k == K_CONTACT) {
		struct reginfo_registration *g = &c->out->regs[c->out->n_regs - 1];

		if (!g->contacts[g->n_contacts - 1].uri[0])
			stop(c, -EBADMSG, "contact without a uri");
	}
}

static void on_text(void *data, const XML_Char *s, int len)
{
	struct ctx *c = data;
	struct reginfo_registration *g;
	struct reginfo_contact *ct;

	if (c->rc || c->depth == 0 || c->stack[c->depth - 1] != K_URI)
		return;
	g = &c->out->regs[c->out->n_regs - 1];
	ct = &g->contacts[g->n_contacts - 1];
	for (int i = 0; i < len; i++) {
		if (isspace((unsigned char)s[i]) && (c->uri_len == 0))
			continue;	/* leading white space */
		if (c->uri_len + 1 >= sizeof(ct->uri)) {
			stop(c, -EBADMSG, "contact uri too long");
			return;
		}
		ct->uri[c->uri_len++] = s[i];
	}
	ct->uri[c->uri_len] = '\0';
	while (c->uri_len > 0 && isspace((unsigned char)ct->uri[c->uri_len - 1]))
		ct->uri[--c->uri_len] = '\0';
}

static void on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
		       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	stop(data, -EBADMSG, "DOCTYPE refused (no entities or DTDs in reginfo)");
}

static void on_entity_decl(void *data, const XML_Char *name, int is_param,
			   const XML_Char *value, int value_len, const XML_Char *base,
			   const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	stop(data, -EBADMSG, "entity declaration refused");
}

int reginfo_parse(const char *buf, size_t len, struct reginfo *out, char *why, size_t whylen)
{
	struct ctx c = { .out = out, .why = why, .whylen = whylen };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	if (len > REGINFO_MAX_BYTES) {
		snprintf(why, whylen, "document of %zu bytes (limit %d)", len, REGINFO_MAX_BYTES);
		return -E2BIG;
	}
	c.p = XML_ParserCreateNS(NULL, SEP);
	if (!c.p) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	XML_SetUserData(c.p, &c);
	XML_SetElementHandler(c.p, on_start, on_end);
	XML_SetCharacterDataHandler(c.p, on_text);
	XML_SetStartDoctypeDeclHandler(c.p, on_doctype);
	XML_SetEntityDeclHandler(c.p, on_entity_decl);
	XML_SetParamEntityParsing(c.p, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_Parse(c.p, buf, (int)len, XML_TRUE) != XML_STATUS_OK) {
		if (c.rc) {
			rc = c.rc;
		} else {
			snprintf(why, whylen, "not well-formed XML: %s at line %lu",
				 XML_ErrorString(XML_GetErrorCode(c.p)),
				 (unsigned long)XML_GetCurrentLineNumber(c.p));
			rc = -EBADMSG;
		}
	} else if (c.rc) {
		rc = c.rc;
	} else if (!c.seen_root) {
		snprintf(why, whylen, "no reginfo element");
		rc = -EBADMSG;
	}
	XML_ParserFree(c.p);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* Split a SIP URI into user@host part pointers: skip "<", scheme; host ends at ; > ? or end. */
static int split_uri(const char *uri, const char **scheme_end, const char **host, size_t *host_len,
		     unsigned int *port)
{
	const char *p, *at, *end;

	while (*uri == ' ' || *uri == '<')
		uri++;
	if (strncasecmp(uri, "sip:", 4) == 0)
		p = uri + 4;
	else if (strncasecmp(uri, "sips:", 5) == 0)
		p = uri + 5;
	else
		return -1;
	*scheme_end = p;
	end = p + strcspn(p, ";>?");
	at = memchr(p, '@', (size_t)(end - p));
	p = at ? at + 1 : p;
	*port = 5060;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (!rb)
			return -1;
		*host = p + 1;
		*host_len = (size_t)(rb - p - 1);
		p = rb + 1;
	} else {
		*host = p;
		*host_len = strcspn(p, ":;>?");
		if (*host + *host_len > end)
			*host_len = (size_t)(end - *host);
		p += *host_len;
	}
	if (p < end && *p == ':') {
		long v = 0;

		for (p++; p < end && isdigit((unsigned char)*p) && v < 65536; p++)
			v = v * 10 + (*p - '0');
		if (v <= 0 || v > 65535)
			return -1;
		*port = (unsigned int)v;
	}
	return 0;
}

int reginfo_contact_is(const char *uri, const char *host, unsigned int port)
{
	const char *s, *h;
	size_t hl, want;
	unsigned int p;

	if (!uri || !host || split_uri(uri, &s, &h, &hl, &p) < 0)
		return 0;
	if (*host == '[')
		host++;
	want = strcspn(host, "]");
	return p == port && hl == want && strncasecmp(h, host, hl) == 0;
}

int reginfo_same_aor(const char *a, const char *b)
{
	const char *sa, *sb, *ha, *hb;
	size_t la, lb;
	unsigned int pa, pb;

	if (!a || !b || split_uri(a, &sa, &ha, &la, &pa) < 0 ||
	    split_uri(b, &sb, &hb, &lb, &pb) < 0)
		return 0;
	/* user parts compare exactly, hosts case-insensitively */
	return (size_t)(ha - sa) == (size_t)(hb - sb) && strncmp(sa, sb, (size_t)(ha - sa)) == 0 &&
	       la == lb && strncasecmp(ha, hb, la) == 0 && pa == pb;
}
