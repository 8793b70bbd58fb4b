/*
 * IMDN documents (RFC 5438 section 7) on expat, for the same reasons as reginfo
 * (sip/reginfo.c): a streaming pass, no tree, a DOCTYPE or entity declaration stops the
 * parser, no external entities.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <expat.h>

#include "core/counters.h"
#include "cpim/imdn.h"

#define SEP '|'
#define DEPTH_MAX 16

enum elem {
	E_OTHER = 0, E_IMDN, E_MESSAGE_ID, E_DATETIME, E_RECIPIENT, E_ORIGINAL, E_NOTIFICATION,
	E_STATUS, E_STATUS_VALUE,
};

static const char *const kind_names[] = {
	[IMDN_DELIVERY] = "delivery-notification",
	[IMDN_DISPLAY] = "display-notification",
	[IMDN_PROCESSING] = "processing-notification",
};

static const char *const status_names[] = {
	[IMDN_DELIVERED] = "delivered", [IMDN_FAILED] = "failed",
	[IMDN_DISPLAYED] = "displayed", [IMDN_PROCESSED] = "processed",
	[IMDN_STORED] = "stored",	[IMDN_FORBIDDEN] = "forbidden",
	[IMDN_ERROR] = "error",
};

#define N_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))
#define N_STATUS (sizeof(status_names) / sizeof(status_names[0]))

const char *imdn_kind_name(enum imdn_kind k)
{
	return (unsigned)k < N_KINDS && kind_names[k] ? kind_names[k] : "unknown";
}

const char *imdn_status_name(enum imdn_status s)
{
	return (unsigned)s < N_STATUS && status_names[s] ? status_names[s] : "unknown";
}

/* Whether a notification of kind k may carry status s (RFC 5438 section 7.1). */
static bool allowed(enum imdn_kind k, enum imdn_status s)
{
	switch (s) {
	case IMDN_DELIVERED:
	case IMDN_FAILED:
		return k == IMDN_DELIVERY;
	case IMDN_DISPLAYED:
		return k == IMDN_DISPLAY;
	case IMDN_PROCESSED:
	case IMDN_STORED:
		return k == IMDN_PROCESSING;
	case IMDN_FORBIDDEN:
	case IMDN_ERROR:
		return k >= IMDN_DELIVERY && k <= IMDN_PROCESSING;
	default:
		return false;
	}
}

struct ctx {
	XML_Parser p;
	struct imdn *n;
	int depth;
	enum elem stack[DEPTH_MAX];
	int rc;
	char *err;
	size_t errlen;
	char *text;   /* the field being filled, or NULL */
	size_t text_cap, text_len;
	unsigned seen; /* bit per elem */
	unsigned notifications, statuses;
};

__attribute__((format(printf, 3, 4)))
static void stop(struct ctx *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->rc == 0) {
		c->rc = rc;
		if (c->err && c->errlen) {
			va_start(ap, fmt);
			vsnprintf(c->err, c->errlen, fmt, ap);
			va_end(ap);
		}
	}
	XML_StopParser(c->p, XML_FALSE);
}

static int lookup(const char *local, const char *const *names, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (names[i] && strcmp(local, names[i]) == 0)
			return (int)i;
	return 0;
}

/* A field element: once only, its text into dst. */
static enum elem field(struct ctx *c, enum elem e, const char *name, char *dst, size_t cap)
{
	if (c->seen & 1u << e) {
		stop(c, -EBADMSG, "more than one %s", name);
		return E_OTHER;
	}
	c->seen |= 1u << e;
	c->text = dst;
	c->text_cap = cap;
	c->text_len = 0;
	dst[0] = '\0';
	return e;
}

static void on_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct ctx *c = data;
	enum elem parent = c->depth ? c->stack[c->depth - 1] : E_OTHER, e = E_OTHER;
	bool ours = strncmp(name, IMDN_NS "|", sizeof(IMDN_NS)) == 0;
	const char *local = ours ? name + sizeof(IMDN_NS) : "";
	int k;

	(void)atts;
	if (c->rc)
		return;
	if (c->depth >= DEPTH_MAX) {
		stop(c, -EBADMSG, "elements nested too deeply");
		return;
	}
	if (c->depth == 0) {
		if (!ours || strcmp(local, "imdn") != 0) {
			stop(c, -EBADMSG, "root element is not imdn (" IMDN_NS ")");
			return;
		}
		e = E_IMDN;
	} else if (ours && parent == E_IMDN) {
		if (strcmp(local, "message-id") == 0)
			e = field(c, E_MESSAGE_ID, local, c->n->message_id, sizeof(c->n->message_id));
		else if (strcmp(local, "datetime") == 0)
			e = field(c, E_DATETIME, local, c->n->datetime, sizeof(c->n->datetime));
		else if (strcmp(local, "recipient-uri") == 0)
			e = field(c, E_RECIPIENT, local, c->n->recipient_uri,
				  sizeof(c->n->recipient_uri));
		else if (strcmp(local, "original-recipient-uri") == 0)
			e = field(c, E_ORIGINAL, local, c->n->original_recipient_uri,
				  sizeof(c->n->original_recipient_uri));
		else if ((k = lookup(local, kind_names, N_KINDS))) {
			if (c->notifications++) {
				stop(c, -EBADMSG, "more than one notification");
				return;
			}
			c->n->kind = (enum imdn_kind)k;
			e = E_NOTIFICATION;
		}
	} else if (ours && parent == E_NOTIFICATION && strcmp(local, "status") == 0) {
		e = E_STATUS;
	} else if (ours && parent == E_STATUS && (k = lookup(local, status_names, N_STATUS))) {
		if (c->statuses++) {
			stop(c, -EBADMSG, "more than one status");
			return;
		}
		c->n->status = (enum imdn_status)k;
		e = E_STATUS_VALUE;
	}
	/* anything else (subject, extensions) is skipped */
	c->stack[c->depth++] = e;
}

static void on_end(void *data, const XML_Char *name)
{
	struct ctx *c = data;

	(void)name;
	if (c->rc || c->depth == 0)
		return;
	c->depth--;
	if (c->text) {
		/* trailing white space goes when the element ends: text comes in pieces */
		while (c->text_len && strchr(" \t\r\n", c->text[c->text_len - 1]))
			c->text[--c->text_len] = '\0';
		c->text = NULL;
	}
}

static void on_text(void *data, const XML_Char *s, int len)
{
	struct ctx *c = data;

	if (c->rc || !c->text || c->depth == 0)
		return;
	for (int i = 0; i < len; i++) {
		bool space = s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n';

		if (space && c->text_len == 0)
			continue;
		if (c->text_len + 1 >= c->text_cap) {
			stop(c, -E2BIG, "%s longer than %zu bytes",
			     c->stack[c->depth - 1] == E_MESSAGE_ID ? "message-id" : "a value",
			     c->text_cap - 1);
			return;
		}
		c->text[c->text_len++] = s[i];
	}
	c->text[c->text_len] = '\0';
}

static void on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
		       const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	stop(data, -EBADMSG, "DOCTYPE refused (no DTDs or entities in IMDN)");
}

static void on_entity_decl(void *data, const XML_Char *name, int is_param,
			   const XML_Char *value, int value_len, const XML_Char *base,
			   const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
	(void)pubid, (void)notation;
	stop(data, -EBADMSG, "entity declaration refused");
}

static int parse(const uint8_t *xml, size_t len, struct imdn *n, char *err, size_t errlen)
{
	struct ctx c = { .n = n, .err = err, .errlen = errlen };
	int rc = 0;

	if (len > IMDN_MAX_BYTES) {
		snprintf(err, errlen, "document of %zu bytes (limit %d)", len, IMDN_MAX_BYTES);
		return -E2BIG;
	}
	c.p = XML_ParserCreateNS(NULL, SEP);
	if (!c.p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	XML_SetUserData(c.p, &c);
	XML_SetElementHandler(c.p, on_start, on_end);
	XML_SetCharacterDataHandler(c.p, on_text);
	XML_SetStartDoctypeDeclHandler(c.p, on_doctype);
	XML_SetEntityDeclHandler(c.p, on_entity_decl);
	XML_SetParamEntityParsing(c.p, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_Parse(c.p, (const char *)xml, (int)len, XML_TRUE) != XML_STATUS_OK) {
		rc = c.rc ? c.rc : -EBADMSG;
		if (!c.rc)
			snprintf(err, errlen, "not well-formed XML: %s at line %lu",
				 XML_ErrorString(XML_GetErrorCode(c.p)),
				 (unsigned long)XML_GetCurrentLineNumber(c.p));
	} else if (c.rc) {
		rc = c.rc;
	} else if (!n->message_id[0] || !n->datetime[0]) {
		snprintf(err, errlen, "no %s", n->message_id[0] ? "datetime" : "message-id");
		rc = -EBADMSG;
	} else if (!c.notifications || !c.statuses) {
		snprintf(err, errlen, "no %s", c.notifications ? "status" : "notification");
		rc = -EBADMSG;
	} else if (!allowed(n->kind, n->status)) {
		snprintf(err, errlen, "status %s in a %s", imdn_status_name(n->status),
			 imdn_kind_name(n->kind));
		rc = -EBADMSG;
	}
	XML_ParserFree(c.p);
	return rc;
}

int imdn_parse(const uint8_t *xml, size_t len, struct imdn *n, char *err, size_t errlen)
{
	int rc;

	memset(n, 0, sizeof(*n));
	rc = parse(xml, len, n, err, errlen);
	if (rc < 0) {
		memset(n, 0, sizeof(*n));
		counter_inc(COUNTER_IMDN_MALFORMED);
	}
	return rc;
}

/* Append s with XML escapes. */
static int put_escaped(char *out, size_t cap, size_t *o, const char *s)
{
	for (; *s; s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
			      : *s == '"' ? "&quot;" : *s == '\'' ? "&apos;" : NULL;
		size_t l = e ? strlen(e) : 1;

		if (*o + l >= cap)
			return -ENOSPC;
		memcpy(out + *o, e ? e : s, l);
		*o += l;
	}
	out[*o] = '\0';
	return 0;
}

__attribute__((format(printf, 4, 5)))
static int put(char *out, size_t cap, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + *o, cap - *o, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *o)
		return -ENOSPC;
	*o += (size_t)n;
	return 0;
}

static int put_field(char *out, size_t cap, size_t *o, const char *name, const char *v)
{
	if (!v[0])
		return 0;
	if (put(out, cap, o, "  <%s>", name) || put_escaped(out, cap, o, v) ||
	    put(out, cap, o, "</%s>\r\n", name))
		return -ENOSPC;
	return 0;
}

int imdn_build(const struct imdn *n, char *out, size_t cap)
{
	size_t o = 0;

	if (!n->message_id[0] || !n->datetime[0] || !allowed(n->kind, n->status))
		return -EINVAL;
	if (cap == 0 ||
	    put(out, cap, &o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
			      "<imdn xmlns=\"" IMDN_NS "\">\r\n") ||
	    put_field(out, cap, &o, "message-id", n->message_id) ||
	    put_field(out, cap, &o, "datetime", n->datetime) ||
	    put_field(out, cap, &o, "recipient-uri", n->recipient_uri) ||
	    put_field(out, cap, &o, "original-recipient-uri", n->original_recipient_uri) ||
	    put(out, cap, &o, "  <%s>\r\n    <status>\r\n      <%s/>\r\n    </status>\r\n"
			      "  </%s>\r\n</imdn>\r\n",
		imdn_kind_name(n->kind), imdn_status_name(n->status), imdn_kind_name(n->kind)))
		return -ENOSPC;
	return (int)o;
}
