/* SIP messages of calls: parsing with osip2, building as text (sip_msg.h). */
#include "sip/sip_msg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>
#include <osipparser2/osip_parser.h>

#include "core/counters.h"
#include "sip/sip_sub.h"

#ifndef NWIT_VERSION
#define NWIT_VERSION "unknown"
#endif

void sip_msg_init(void)
{
	static int done;

	if (!done) {
		parser_init();
		done = 1;
	}
}

static int fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* Copy an osip-allocated string (freed here) into dst; -E2BIG when it does not fit. */
static int take(char *dst, size_t size, char *s)
{
	size_t n;

	if (!s)
		return -ENOENT;
	n = strlen(s);
	if (n >= size) {
		osip_free(s);
		return -E2BIG;
	}
	memcpy(dst, s, n + 1);
	osip_free(s);
	return 0;
}

static int copy(char *dst, size_t size, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= size)
		return -E2BIG;
	memcpy(dst, s ? s : "", n + 1);
	return 0;
}

/* Header text has no control characters (a CR or LF would split a header we write). */
static int clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return 0;
	return 1;
}

static const char *find_body(const char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
			return buf + i + 4;
	return NULL;
}

static int parse_fields(osip_message_t *o, const char *buf, size_t len, struct sip_msg *m,
			char *why, size_t whylen)
{
	osip_generic_param_t *p = NULL;
	osip_header_t *h = NULL;
	osip_contact_t *c = NULL;
	char *s = NULL;
	int n;

	if (MSG_IS_REQUEST(o)) {
		m->is_request = 1;
		if (!o->sip_method || !o->req_uri || copy(m->method, sizeof(m->method), o->sip_method))
			return fail(why, whylen, "request without a usable method or Request-URI");
		if (osip_uri_to_str(o->req_uri, &s) != 0 || take(m->ruri, sizeof(m->ruri), s))
			return fail(why, whylen, "Request-URI missing or too long");
	} else {
		m->status = o->status_code;
		if (m->status < 100 || m->status > 699)
			return fail(why, whylen, "status code %d out of range", m->status);
		if (copy(m->reason, sizeof(m->reason), o->reason_phrase))
			m->reason[0] = '\0';
	}
	if (!o->call_id || osip_call_id_to_str(o->call_id, &s) != 0 ||
	    take(m->call_id, sizeof(m->call_id), s))
		return fail(why, whylen, "Call-ID missing or too long");
	if (!o->cseq || !o->cseq->number || !o->cseq->method)
		return fail(why, whylen, "CSeq missing");
	{
		char *end;
		unsigned long v = strtoul(o->cseq->number, &end, 10);

		if (*end || end == o->cseq->number || v > 0x7fffffffUL)
			return fail(why, whylen, "CSeq number is not a 31-bit number");
		m->cseq = (uint32_t)v;
	}
	if (m->is_request) {
		if (strcmp(o->cseq->method, m->method) != 0 &&
		    !(strcmp(m->method, "ACK") == 0 && strcmp(o->cseq->method, "INVITE") == 0))
			return fail(why, whylen, "CSeq method %.32s differs from %.32s",
				    o->cseq->method, m->method);
	} else if (copy(m->method, sizeof(m->method), o->cseq->method)) {
		return fail(why, whylen, "CSeq method too long");
	}
	if (!o->from || !o->to || !o->from->url || !o->to->url)
		return fail(why, whylen, "From or To missing");
	if (osip_from_to_str(o->from, &s) != 0 || take(m->from, sizeof(m->from), s) ||
	    osip_to_to_str(o->to, &s) != 0 || take(m->to, sizeof(m->to), s) ||
	    osip_uri_to_str(o->from->url, &s) != 0 || take(m->from_uri, sizeof(m->from_uri), s) ||
	    osip_uri_to_str(o->to->url, &s) != 0 || take(m->to_uri, sizeof(m->to_uri), s))
		return fail(why, whylen, "From or To too long");
	if (o->from->displayname && copy(m->from_display, sizeof(m->from_display),
					 o->from->displayname))
		m->from_display[0] = '\0';
	if (osip_from_get_tag(o->from, &p) == 0 && p && p->gvalue &&
	    copy(m->from_tag, sizeof(m->from_tag), p->gvalue))
		return fail(why, whylen, "From tag too long");
	p = NULL;
	if (osip_to_get_tag(o->to, &p) == 0 && p && p->gvalue &&
	    copy(m->to_tag, sizeof(m->to_tag), p->gvalue))
		return fail(why, whylen, "To tag too long");
	n = osip_list_size(&o->vias);
	if (n <= 0)
		return fail(why, whylen, "no Via");
	if (n > SIP_MSG_VIAS_MAX)
		return fail(why, whylen, "%d Vias (limit %d)", n, SIP_MSG_VIAS_MAX);
	for (int i = 0; i < n; i++) {
		osip_via_t *v = osip_list_get(&o->vias, i);

		if (osip_via_to_str(v, &s) != 0 || take(m->vias[i], sizeof(m->vias[i]), s))
			return fail(why, whylen, "Via %d unusable or too long", i + 1);
		if (i == 0) {
			p = NULL;
			if (osip_via_param_get_byname(v, "branch", &p) != 0 || !p || !p->gvalue ||
			    copy(m->branch, sizeof(m->branch), p->gvalue))
				return fail(why, whylen, "top Via has no usable branch");
		}
	}
	m->n_vias = n;
	if (osip_message_get_contact(o, 0, &c) >= 0 && c && c->url) {
		if (osip_uri_to_str(c->url, &s) != 0 || take(m->contact_uri, sizeof(m->contact_uri), s))
			return fail(why, whylen, "Contact unusable or too long");
	}
	n = osip_list_size(&o->record_routes);
	if (n > SIP_MSG_ROUTES_MAX)
		return fail(why, whylen, "%d Record-Route entries (limit %d)", n, SIP_MSG_ROUTES_MAX);
	for (int i = 0; i < n; i++) {
		osip_record_route_t *rr = osip_list_get(&o->record_routes, i);

		if (osip_record_route_to_str(rr, &s) != 0 || take(m->rr[i], sizeof(m->rr[i]), s))
			return fail(why, whylen, "Record-Route %d unusable or too long", i + 1);
	}
	m->n_rr = n;
	if (o->content_type && o->content_type->type && o->content_type->subtype) {
		snprintf(m->ctype, sizeof(m->ctype), "%.60s/%.60s", o->content_type->type,
			 o->content_type->subtype);
		/* the full value only when type/subtype above is not cut short */
		if (strlen(o->content_type->type) > 60 || strlen(o->content_type->subtype) > 60 ||
		    osip_content_type_to_str(o->content_type, &s) != 0 ||
		    take(m->ctype_full, sizeof(m->ctype_full), s) || !clean(m->ctype_full))
			m->ctype_full[0] = '\0';
	}
	m->session_expires = -1;
	if (osip_message_header_get_byname(o, "session-expires", 0, &h) >= 0 && h && h->hvalue) {
		char *end;
		long v = strtol(h->hvalue, &end, 10);

		if (end != h->hvalue && v > 0 && v < 86400 * 7) {
			const char *r = strstr(end, "refresher=");

			m->session_expires = v;
			if (r && (strncasecmp(r + 10, "uac", 3) == 0 || strncasecmp(r + 10, "uas", 3) == 0))
				snprintf(m->se_refresher, sizeof(m->se_refresher), "%.3s", r + 10);
		}
	}
	h = NULL;
	if (osip_message_header_get_byname(o, "require", 0, &h) >= 0 && h && h->hvalue)
		snprintf(m->require, sizeof(m->require), "%s", h->hvalue);
	h = NULL;
	if (osip_message_header_get_byname(o, "warning", 0, &h) >= 0 && h && h->hvalue)
		snprintf(m->warning, sizeof(m->warning), "%s", h->hvalue);
	{
		const char *b = find_body(buf, len);
		size_t avail = b ? len - (size_t)(b - buf) : 0;

		if (o->content_length && o->content_length->value) {
			long cl = strtol(o->content_length->value, NULL, 10);

			if (cl < 0 || (size_t)cl > avail)
				return fail(why, whylen, "Content-Length %ld but %zu bytes of body", cl,
					    avail);
			avail = (size_t)cl;
		}
		if (b && avail) {
			m->body = b;
			m->body_len = avail;
		}
	}
	if (!clean(m->from) || !clean(m->to) || !clean(m->call_id) || !clean(m->ruri) ||
	    !clean(m->contact_uri))
		return fail(why, whylen, "control characters in a header");
	return 0;
}

int sip_msg_parse_keep(const char *buf, size_t len, struct sip_msg *m, char *why,
		       size_t whylen)
{
	osip_message_t *o = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	if (why && whylen)
		why[0] = '\0';
	counter_inc(COUNTER_SIP_PARSES);
	if (len == 0 || len > SIP_MSG_MAX_BYTES)
		return fail(why, whylen, "message of %zu bytes (limit %d)", len, SIP_MSG_MAX_BYTES);
	if (memchr(buf, '\0', len))
		return fail(why, whylen, "NUL byte in the message");
	sip_msg_init();
	if (osip_message_init(&o) != 0)
		return -ENOMEM;
	if (osip_message_parse(o, buf, len) != 0) {
		osip_message_free(o);
		return fail(why, whylen, "not a SIP message (osip2 cannot parse it)");
	}
	rc = parse_fields(o, buf, len, m, why, whylen);
	if (rc < 0) {
		osip_message_free(o);
		memset(m, 0, sizeof(*m));
		return rc;
	}
	m->raw = buf;
	m->raw_len = len;
	m->osip = o;
	return 0;
}

void sip_msg_release(struct sip_msg *m)
{
	if (m && m->osip) {
		osip_message_free(m->osip);
		m->osip = NULL;
	}
}

void sip_msg_copy(struct sip_msg *dst, const struct sip_msg *src)
{
	*dst = *src;
	dst->raw = NULL;
	dst->raw_len = 0;
	dst->osip = NULL;
	dst->body = NULL;
	dst->body_len = 0;
}

int sip_msg_parse(const char *buf, size_t len, struct sip_msg *m, char *why, size_t whylen)
{
	int rc = sip_msg_parse_keep(buf, len, m, why, whylen);

	sip_msg_release(m);
	m->raw = NULL;
	m->raw_len = 0;
	return rc;
}

int sip_msg_header(const struct sip_msg *m, const char *name, char compact, char *out,
		   size_t outlen)
{
	if (!m->raw)
		return -ENOENT;
	return sip_sub_header(m->raw, m->raw_len, name, compact, out, outlen);
}

void sip_msg_random(char *out, size_t outlen, const char *prefix)
{
	unsigned char r[8];
	size_t n = prefix ? strlen(prefix) : 0;

	if (outlen == 0)
		return;
	if (RAND_bytes(r, sizeof(r)) != 1)
		abort();	/* no randomness: nothing safe to do */
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, prefix ? prefix : "", n);
	for (size_t i = 0; i < sizeof(r) && n + 2 < outlen; i++, n += 2)
		snprintf(out + n, 3, "%02x", r[i]);
	out[n] = '\0';
}

/* Append formatted text at *pos; -EMSGSIZE when out is full. */
static int put(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= outlen)
		return -EMSGSIZE;
	va_start(ap, fmt);
	n = vsnprintf(out + *pos, outlen - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outlen - *pos)
		return -EMSGSIZE;
	*pos += (size_t)n;
	return 0;
}

static int put_body(char *out, size_t outlen, size_t *pos, const char *extra, const char *ctype,
		    const char *body, size_t body_len)
{
	if (extra && put(out, outlen, pos, "%s", extra))
		return -EMSGSIZE;
	if (body && body_len && ctype && put(out, outlen, pos, "Content-Type: %s\r\n", ctype))
		return -EMSGSIZE;
	if (put(out, outlen, pos, "Content-Length: %zu\r\n\r\n", body ? body_len : 0))
		return -EMSGSIZE;
	if (body && body_len) {
		if (body_len >= outlen - *pos)
			return -EMSGSIZE;
		memcpy(out + *pos, body, body_len);
		*pos += body_len;
		out[*pos] = '\0';
	}
	return (int)*pos;
}

int sip_msg_build_request(const struct sip_req_spec *r, char *out, size_t outlen)
{
	size_t pos = 0;

	if (put(out, outlen, &pos,
		"%s %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n", r->method, r->ruri, r->via))
		return -EMSGSIZE;
	for (int i = 0; i < r->n_routes; i++)
		if (put(out, outlen, &pos, "Route: %s\r\n", r->routes[i]))
			return -EMSGSIZE;
	if (put(out, outlen, &pos, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u %s\r\n",
		r->from, r->to, r->call_id, r->cseq, r->cseq_method ? r->cseq_method : r->method))
		return -EMSGSIZE;
	if (r->contact && put(out, outlen, &pos, "Contact: %s\r\n", r->contact))
		return -EMSGSIZE;
	if (put(out, outlen, &pos, "User-Agent: nwitd/" NWIT_VERSION "\r\n"))
		return -EMSGSIZE;
	return put_body(out, outlen, &pos, r->extra, r->ctype, r->body, r->body_len);
}

int sip_msg_build_response(const struct sip_msg *req, int status, const char *reason,
			   const char *to_tag, const char *contact, const char *extra,
			   const char *ctype, const char *body, size_t body_len, char *out,
			   size_t outlen)
{
	size_t pos = 0;

	if (put(out, outlen, &pos, "SIP/2.0 %d %s\r\n", status,
		reason ? reason : sip_msg_reason(status)))
		return -EMSGSIZE;
	for (int i = 0; i < req->n_vias; i++)
		if (put(out, outlen, &pos, "Via: %s\r\n", req->vias[i]))
			return -EMSGSIZE;
	if (put(out, outlen, &pos, "From: %s\r\nTo: %s", req->from, req->to))
		return -EMSGSIZE;
	if (!req->to_tag[0] && to_tag && status > 100 &&
	    put(out, outlen, &pos, ";tag=%s", to_tag))
		return -EMSGSIZE;
	if (put(out, outlen, &pos, "\r\nCall-ID: %s\r\nCSeq: %u %s\r\n", req->call_id, req->cseq,
		req->method))
		return -EMSGSIZE;
	if (contact && put(out, outlen, &pos, "Contact: %s\r\n", contact))
		return -EMSGSIZE;
	if (put(out, outlen, &pos, "Server: nwitd/" NWIT_VERSION "\r\n"))
		return -EMSGSIZE;
	return put_body(out, outlen, &pos, extra, ctype, body, body_len);
}

int sip_msg_build_reply(const struct sip_msg *req, int status, const char *reason,
			const char *extra, char *out, size_t outlen)
{
	char tag[24];

	sip_msg_random(tag, sizeof(tag), NULL);
	return sip_msg_build_response(req, status, reason, tag, NULL, extra, NULL, NULL, 0, out,
				      outlen);
}

const char *sip_msg_reason(int status)
{
	switch (status) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 181: return "Call Is Being Forwarded";
	case 182: return "Queued";
	case 183: return "Session Progress";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 415: return "Unsupported Media Type";
	case 420: return "Bad Extension";
	case 422: return "Session Interval Too Small";
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 488: return "Not Acceptable Here";
	case 491: return "Request Pending";
	case 500: return "Server Internal Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Server Time-out";
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	case 604: return "Does Not Exist Anywhere";
	case 606: return "Not Acceptable";
	default: return "Unknown";
	}
}

int sip_msg_map_failure(int status)
{
	if (status < 300 || status > 699)
		return 500;
	switch (status) {
	case 401:
	case 407:
		return 403;	/* the app cannot answer the network's challenge */
	case 400: case 403: case 404: case 408: case 410: case 413: case 414: case 415:
	case 416: case 420: case 421: case 422: case 423: case 480: case 481: case 482:
	case 483: case 484: case 485: case 486: case 487: case 488: case 491: case 493:
	case 500: case 501: case 502: case 503: case 504: case 505: case 513:
	case 600: case 603: case 604: case 606:
		return status;
	default:
		return status / 100 * 100;
	}
}

int sip_msg_same_token(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}
