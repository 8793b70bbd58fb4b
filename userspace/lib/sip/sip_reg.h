/*
 * The SIP messages of IMS registration (RFC 3261 10, TS 24.229 5.1.1): building REGISTER
 * requests, framing SIP over a stream (TCP), and taking apart the responses with osip2's
 * parser into the few facts the registration state machine needs. Everything parsed here
 * comes from the network: bounded, validated, fuzzed (tests/fuzz/fuzz_sip_response.c).
 */
#ifndef NWIT_SIP_REG_H
#define NWIT_SIP_REG_H

#include <stddef.h>
#include <stdint.h>

#include "sip/sip_auth.h"

#define SIP_MSG_MAX 65535	/* largest SIP message we accept */
#define SIP_REG_ROUTES_MAX 8	/* Service-Route entries kept */
#define SIP_REG_URIS_MAX 8	/* P-Associated-URI entries kept */
#define SIP_REG_VALUE_MAX 256
#define SIP_EXPIRES_MAX 0x7fffffffL

struct sip_reg_request {
	const char *transport;	/* "UDP" or "TCP" */
	const char *local_host;	/* our address as text (IPv6 without brackets) */
	unsigned int local_port;
	const char *domain;	/* home network domain: Request-URI sip:domain */
	const char *impu;	/* From and To */
	const char *from_tag;
	const char *call_id;
	uint32_t cseq;
	const char *branch;	/* z9hG4bK... */
	uint32_t expires;	/* 0 = remove the binding */
	const char *authorization;	/* header value or NULL */
};

/* Write a REGISTER request. Returns its length or -EMSGSIZE. */
int sip_reg_build(const struct sip_reg_request *r, char *out, size_t outlen);

/*
 * TCP framing: the total length of the first complete message in buf (headers, blank line,
 * Content-Length bytes of body), 0 when more bytes are needed, -EBADMSG when the stream
 * cannot be a SIP message (no Content-Length on a stream, oversize, garbage).
 * Leading CRLF keep-alives are counted in the returned length.
 */
long sip_frame_length(const char *buf, size_t len);

struct sip_reg_response {
	int status;
	uint32_t cseq;
	char call_id[SIP_REG_VALUE_MAX];
	char branch[SIP_REG_VALUE_MAX];

	/* 401 / 407 */
	int challenges;			/* WWW-Authenticate headers seen */
	int challenge_rc;		/* sip_auth_parse_challenge() of the only one */
	struct sip_auth_challenge challenge;

	/* 2xx: expiry of our binding (Contact expires=, else Expires header), -1 when absent */
	long expires;
	/* 423 */
	long min_expires;
	int n_routes, n_uris;
	char routes[SIP_REG_ROUTES_MAX][SIP_REG_VALUE_MAX];
	char uris[SIP_REG_URIS_MAX][SIP_REG_VALUE_MAX];
	/* what was wrong with a header we had to ignore, for the log ("" if nothing) */
	char warning[128];
};

/* Call once before parsing (osip2's parser tables). */
void sip_reg_parser_init(void);

struct sip_msg;

/*
 * Read a response to our REGISTER out of m, parsed by sip_msg_parse_keep() (nwitd's
 * router parses each message once). Same results as sip_reg_parse_response().
 */
int sip_reg_read_response(const struct sip_msg *m, const char *contact_host,
			  unsigned int contact_port, struct sip_reg_response *out, char *why,
			  size_t whylen);

/*
 * Parse a response to our REGISTER. contact_host/contact_port pick our binding among the
 * Contacts of a 2xx. Returns 0, or -EBADMSG with a reason in why (not SIP, a request, no
 * Via branch, no CSeq or Call-ID, a REGISTER 2xx with an absurd expires value).
 */
int sip_reg_parse_response(const char *buf, size_t len, const char *contact_host,
			   unsigned int contact_port, struct sip_reg_response *out, char *why,
			   size_t whylen);

#endif
