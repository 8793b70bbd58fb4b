/* REGISTER building, SIP stream framing and response parsing (osip2's parser). */
#include "sip/sip_reg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "sip/sip_msg.h"
#include "sip/sip_sub.h"

#ifndef NWIT_VERSION
#define NWIT_VERSION "unknown"
#endif

int sip_reg_build(const struct sip_reg_request *r, char *out, size_t outlen)
{
	int v6 = strchr(r->local_host, ':') != NULL;
	const char *lb = v6 ? "[" : "", *rb = v6 ? "]" : "";
	int tcp = strcasecmp(r->transport, "TCP") == 0;
	int n;

	n = snprintf(out, outlen,
		     "REGISTER sip:%s SIP/2.0\r\n"
		     "Via: SIP/2.0/%s %s%s%s:%u;branch=%s;rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <%s>;tag=%s\r\n"
		     "To: <%s>\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: %u REGISTER\r\n"
		     "Contact: <sip:%s%s%s:%u%s>;expires=%u\r\n"
		     "Expires: %u\r\n"
		     "%s%s%s"
		     "Supported: path\r\n"
		     "User-Agent: nwitd/" NWIT_VERSION "\r\n"
		     "Content-Length: 0\r\n"
		     "\r\n",
		     r->domain,
		     tcp ? "TCP" : "UDP", lb, r->local_host, rb, r->local_port, r->branch,
		     r->impu, r->from_tag,
		     r->impu,
		     r->call_id,
		     r->cseq,
		     lb, r->local_host, rb, r->local_port, tcp ? ";transport=tcp" : "", r->expires,
		     r->expires,
		     r->authorization ? "Authorization: " : "",
		     r->authorization ? r->authorization : "", r->authorization ? "\r\n" : "");
	return n < 0 || (size_t)n >= outlen ? -EMSGSIZE : n;
}

/* --- stream framing ----------------------------------------------------------- */

static const char *find_blank_line(const char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
			return buf + i;
	return NULL;
}

/* Value of Content-Length / l in the header block [start, end); -1 absent, -2 bad. */
static long content_length(const char *start, const char *end)
{
	long found = -1;
	const char *line = start;

	while (line < end) {
		const char *eol = line, *p;
		size_t name_len;

		while (eol < end && *eol != '\r')
			eol++;
		p = line;
		while (p < eol && *p != ':' && *p != ' ' && *p != '\t')
			p++;
		name_len = (size_t)(p - line);
		if ((name_len == 14 && strncasecmp(line, "Content-Length", 14) == 0) ||
		    (name_len == 1 && (*line == 'l' || *line == 'L'))) {
			long v = 0;
			int digits = 0;

			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			if (p >= eol || *p != ':')
				return -2;
			p++;
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			while (p < eol && isdigit((unsigned char)*p) && digits < 7) {
				v = v * 10 + (*p++ - '0');
				digits++;
			}
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			if (digits == 0 || p != eol || found >= 0)
				return -2;	/* not a number, too large, or twice */
			found = v;
		}
		line = eol + 2;
	}
	return found;
}

long sip_frame_length(const char *buf, size_t len)
{
	size_t skip = 0;
	const char *blank;
	long clen, total;

	while (skip + 1 < len && buf[skip] == '\r' && buf[skip + 1] == '\n')
		skip += 2;
	if (skip == len || (skip + 1 == len && buf[skip] == '\r'))
		return skip == len && skip > 0 ? (long)skip : 0;
	blank = find_blank_line(buf + skip, len - skip);
	if (!blank)
		return len - skip > SIP_MSG_MAX ? -EBADMSG : 0;
	clen = content_length(buf + skip, blank + 2);
	if (clen < 0)
		return -EBADMSG;	/* RFC 3261 18.3: mandatory on streams */
	total = (long)skip + (long)(blank + 4 - (buf + skip)) + clen;
	if (total - (long)skip > SIP_MSG_MAX)
		return -EBADMSG;
	return (size_t)total <= len ? total : 0;
}

/* --- response parsing ------------------------------------------------------------ */

static void osip_trace_discard(const char *fi, int li, osip_trace_level_t level,
			       const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

void sip_reg_parser_init(void)
{
	static int done;

	if (!done) {
		/* osip2 prints its parse errors itself; we report them our way. */
		osip_trace_initialize_func(OSIP_FATAL, osip_trace_discard);
		for (int l = OSIP_FATAL; l < END_TRACE_LEVEL; l++)
			osip_trace_disable_level((osip_trace_level_t)l);
		parser_init();
		done = 1;
	}
}

/* Split a header value on commas outside <> and quotes into list (trimmed). */
static void add_list_items(const char *value, char list[][SIP_REG_VALUE_MAX], int max, int *n,
			   struct sip_reg_response *out, const char *what)
{
	const char *p = value, *start = value;
	int angle = 0, quote = 0;

	for (;; p++) {
		if (*p == '"')
			quote = !quote;
		else if (!quote && *p == '<')
			angle++;
		else if (!quote && *p == '>' && angle > 0)
			angle--;
		if (*p == '\0' || (*p == ',' && !angle && !quote)) {
			const char *e = p;
			size_t len;

			while (start < e && (*start == ' ' || *start == '\t'))
				start++;
			while (e > start && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			len = (size_t)(e - start);
			if (len > 0) {
				if (*n >= max || len >= SIP_REG_VALUE_MAX)
					snprintf(out->warning, sizeof(out->warning),
						 "%s: entry dropped (more than %d, or over %d bytes)",
						 what, max, SIP_REG_VALUE_MAX - 1);
				else {
					memcpy(list[*n], start, len);
					list[*n][len] = '\0';
					(*n)++;
				}
			}
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
}

static void copy_bounded(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static int host_matches(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return 0;
	if (*a == '[')
		a++;
	if (*b == '[')
		b++;
	la = strcspn(a, "]");
	lb = strcspn(b, "]");
	return la == lb && strncasecmp(a, b, la) == 0;
}

static int fail(char *why, size_t whylen, const char *reason)
{
	snprintf(why, whylen, "%s", reason);
	return -EBADMSG;
}

int sip_reg_read_response(const struct sip_msg *m, const char *contact_host,
			  unsigned int contact_port, struct sip_reg_response *out, char *why,
			  size_t whylen)
{
	osip_message_t *msg = m->osip;
	osip_via_t *via = NULL;
	osip_generic_param_t *branch = NULL;
	osip_header_t *h = NULL;
	char *str = NULL;
	int rc = -EBADMSG;

	memset(out, 0, sizeof(*out));
	out->expires = -1;
	out->min_expires = -1;
	why[0] = '\0';
	if (!msg)
		return fail(why, whylen, "not a parsed SIP message");
	if (!MSG_IS_RESPONSE(msg) || msg->status_code < 100 || msg->status_code > 699) {
		fail(why, whylen, "not a SIP response");
		goto out;
	}
	out->status = msg->status_code;
	if (!msg->cseq || !msg->cseq->number || !msg->cseq->method ||
	    strcmp(msg->cseq->method, "REGISTER") != 0) {
		fail(why, whylen, "no CSeq for REGISTER");
		goto out;
	}
	{
		long c = sip_sub_number(msg->cseq->number);

		if (c < 0 || c > 0xffffffffL) {
			fail(why, whylen, "bad CSeq number");
			goto out;
		}
		out->cseq = (uint32_t)c;
	}
	if (!msg->call_id || osip_call_id_to_str(msg->call_id, &str) != 0 || !str) {
		fail(why, whylen, "no Call-ID");
		goto out;
	}
	copy_bounded(out->call_id, sizeof(out->call_id), str);
	osip_free(str);
	str = NULL;
	if (osip_message_get_via(msg, 0, &via) < 0 || !via ||
	    osip_via_param_get_byname(via, "branch", &branch) != 0 || !branch ||
	    !branch->gvalue) {
		fail(why, whylen, "no Via branch");
		goto out;
	}
	copy_bounded(out->branch, sizeof(out->branch), branch->gvalue);

	/* challenges */
	out->challenges = osip_list_size(&msg->www_authenticates);
	if (out->challenges == 1) {
		osip_www_authenticate_t *wa = osip_list_get(&msg->www_authenticates, 0);

		if (wa && osip_www_authenticate_to_str(wa, &str) == 0 && str)
			out->challenge_rc = sip_auth_parse_challenge(str, &out->challenge);
		else
			out->challenge_rc = -EINVAL;
		osip_free(str);
		str = NULL;
	}

	if (osip_message_header_get_byname(msg, "min-expires", 0, &h) >= 0 && h) {
		out->min_expires = sip_sub_number(h->hvalue);
		if (out->min_expires < 0 || out->min_expires > SIP_EXPIRES_MAX) {
			fail(why, whylen, "bad Min-Expires value");
			goto out;
		}
	}

	if (out->status >= 200 && out->status < 300) {
		osip_contact_t *ct;
		long hdr_expires = -1;

		if (osip_message_get_expires(msg, 0, &h) >= 0 && h) {
			hdr_expires = sip_sub_number(h->hvalue);
			if (hdr_expires < 0 || hdr_expires > SIP_EXPIRES_MAX) {
				fail(why, whylen, "bad Expires value");
				goto out;
			}
		}
		for (int pos = 0; osip_message_get_contact(msg, pos, &ct) >= 0; pos++) {
			osip_generic_param_t *e = NULL;
			unsigned int port;

			if (!ct || !ct->url || !host_matches(ct->url->host, contact_host))
				continue;
			port = ct->url->port ? (unsigned int)atoi(ct->url->port) : 5060;
			if (port != contact_port)
				continue;
			if (osip_contact_param_get_byname(ct, "expires", &e) == 0 && e) {
				long v = sip_sub_number(e->gvalue);

				if (v < 0 || v > SIP_EXPIRES_MAX) {
					fail(why, whylen, "bad Contact expires value");
					goto out;
				}
				out->expires = v;
			}
			break;
		}
		if (out->expires < 0)
			out->expires = hdr_expires;
		/* get_byname searches from pos and returns the index it found */
		for (int pos = 0;
		     (pos = osip_message_header_get_byname(msg, "service-route", pos, &h)) >= 0; pos++)
			if (h && h->hvalue)
				add_list_items(h->hvalue, out->routes, SIP_REG_ROUTES_MAX,
					       &out->n_routes, out, "Service-Route");
		/* get_byname searches from pos and returns the index it found */
		for (int pos = 0;
		     (pos = osip_message_header_get_byname(msg, "p-associated-uri", pos, &h)) >= 0; pos++)
			if (h && h->hvalue)
				add_list_items(h->hvalue, out->uris, SIP_REG_URIS_MAX, &out->n_uris,
					       out, "P-Associated-URI");
	}
	rc = 0;
out:
	return rc;
}

int sip_reg_parse_response(const char *buf, size_t len, const char *contact_host,
			   unsigned int contact_port, struct sip_reg_response *out, char *why,
			   size_t whylen)
{
	struct sip_msg *m;
	int rc;

	memset(out, 0, sizeof(*out));
	out->expires = -1;
	out->min_expires = -1;
	why[0] = '\0';
	if (len == 0 || len > SIP_MSG_MAX)
		return fail(why, whylen, "empty or oversize message");
	m = malloc(sizeof(*m));
	if (!m)
		return fail(why, whylen, "out of memory");
	rc = sip_msg_parse_keep(buf, len, m, why, whylen);
	if (rc == 0)
		rc = sip_reg_read_response(m, contact_host, contact_port, out, why, whylen);
	sip_msg_release(m);
	free(m);
	return rc;
}
