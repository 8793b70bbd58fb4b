/*
 * SIP messages of calls (RFC 3261) for the B2BUA: taking a request or response apart
 * into the facts a dialog needs (osip2's parser), building requests and responses as
 * text, and matching messages to dialogs. Everything parsed here comes from a web app or
 * the IMS network: bounded, validated, fuzzed (tests/fuzz/fuzz_sip_msg.c).
 */
#ifndef NWIT_SIP_MSG_H
#define NWIT_SIP_MSG_H

#include <stddef.h>
#include <stdint.h>

#define SIP_MSG_MAX_BYTES 65535
#define SIP_MSG_TOKEN_MAX 128	/* Call-ID, tags, branch, method */
#define SIP_MSG_HDR_MAX 512	/* From, To, Contact, one Via, one Route entry */
#define SIP_MSG_VIAS_MAX 8
#define SIP_MSG_ROUTES_MAX 8

struct osip_message;

struct sip_msg {
	/* the message as received: set by sip_msg_parse_keep() until sip_msg_release() */
	const char *raw;
	size_t raw_len;
	struct osip_message *osip;	/* osip2's parse of raw, for the few who need more */
	int is_request;
	char method[SIP_MSG_TOKEN_MAX];	/* request method, or the CSeq method of a response */
	int status;			/* responses */
	char reason[SIP_MSG_TOKEN_MAX];
	char ruri[SIP_MSG_HDR_MAX];	/* requests */
	char call_id[SIP_MSG_TOKEN_MAX];
	char from_tag[SIP_MSG_TOKEN_MAX], to_tag[SIP_MSG_TOKEN_MAX];
	char from[SIP_MSG_HDR_MAX], to[SIP_MSG_HDR_MAX];	/* header values, tags included */
	char from_uri[SIP_MSG_HDR_MAX], to_uri[SIP_MSG_HDR_MAX];
	char from_display[SIP_MSG_TOKEN_MAX];
	uint32_t cseq;
	char branch[SIP_MSG_TOKEN_MAX];	/* of the top Via */
	int n_vias;
	char vias[SIP_MSG_VIAS_MAX][SIP_MSG_HDR_MAX];
	char contact_uri[SIP_MSG_HDR_MAX];	/* "" when absent */
	int n_rr;			/* Record-Route entries in message order */
	char rr[SIP_MSG_ROUTES_MAX][SIP_MSG_HDR_MAX];
	char ctype[SIP_MSG_TOKEN_MAX];	/* Content-Type "type/subtype" or "" */
	char ctype_full[SIP_MSG_TOKEN_MAX];	/* with its parameters; "" when absent or too long */
	const char *body;		/* points into the parsed buffer; NULL when none */
	size_t body_len;
	long session_expires;		/* Session-Expires delta, -1 when absent */
	char se_refresher[8];		/* its refresher parameter: "uac", "uas" or "" */
	char require[SIP_MSG_TOKEN_MAX];	/* Require header value(s), "" when absent */
	char warning[SIP_MSG_HDR_MAX];	/* Warning header value, "" when absent */
};

/* Call once (osip2's parser tables). */
void sip_msg_init(void);

/*
 * Parse len bytes of buf into *m (m->body points into buf). Returns 0, or -EBADMSG with
 * a reason in why: not SIP, missing Call-ID/CSeq/From/To/Via branch, CSeq method not the
 * request method, a header value over its bound, more than the bounded number of Vias.
 * Each call counts one parse (counter sip_parses): nwitd parses every message once.
 */
int sip_msg_parse(const char *buf, size_t len, struct sip_msg *m, char *why, size_t whylen);
/*
 * The same, keeping buf (m->raw, which must outlive m) and osip2's message (m->osip) for
 * readers of headers the struct does not carry. Release with sip_msg_release().
 */
int sip_msg_parse_keep(const char *buf, size_t len, struct sip_msg *m, char *why,
		       size_t whylen);
void sip_msg_release(struct sip_msg *m);
/* Copy the parsed fields of src to dst, without what points into src's buffers (raw,
 * osip, body): for keeping a request after its message is gone. */
void sip_msg_copy(struct sip_msg *dst, const struct sip_msg *src);
/*
 * The value of the first header name (or its compact form, 0 for none) of a message
 * parsed with sip_msg_parse_keep(): its length, -ENOENT when absent, -EMSGSIZE when it
 * does not fit out (sip_sub_header() semantics).
 */
int sip_msg_header(const struct sip_msg *m, const char *name, char compact, char *out,
		   size_t outlen);

/* "z9hG4bK" + 16 random hex digits (branch), or 16 random hex digits (tags, Call-IDs). */
void sip_msg_random(char *out, size_t outlen, const char *prefix);

/* A request to write: every header value complete (no "Name: "), NULL = left out. */
struct sip_req_spec {
	const char *method, *ruri;
	const char *via;		/* "SIP/2.0/UDP host:port;branch=...;rport" */
	int n_routes;
	const char *const *routes;	/* "<sip:...;lr>" each, in order */
	const char *from, *to;		/* with their tags */
	const char *call_id;
	uint32_t cseq;
	const char *cseq_method;	/* NULL = method (ACK and CANCEL differ for 2xx/CANCEL) */
	const char *contact;		/* "<sip:...>" */
	const char *extra;		/* more header lines, each ending in CRLF */
	const char *ctype;		/* Content-Type of body */
	const char *body;
	size_t body_len;
};

/* Returns the length written to out, or -EMSGSIZE. */
int sip_msg_build_request(const struct sip_req_spec *r, char *out, size_t outlen);

/*
 * A response to request req (its Vias, From, To, Call-ID, CSeq copied; to_tag added to
 * To when To has none and to_tag is not NULL). contact/extra/body as in sip_req_spec.
 * Returns the length or -EMSGSIZE.
 */
int sip_msg_build_response(const struct sip_msg *req, int status, const char *reason,
			   const char *to_tag, const char *contact, const char *extra,
			   const char *ctype, const char *body, size_t body_len, char *out,
			   size_t outlen);

/* A response without body or Contact to a request that belongs to nothing of ours (a new
 * random To tag); returns the length or -EMSGSIZE. */
int sip_msg_build_reply(const struct sip_msg *req, int status, const char *reason,
			const char *extra, char *out, size_t outlen);

/* The default reason phrase of a status code ("Unknown" when there is none). */
const char *sip_msg_reason(int status);

/*
 * Map a final failure status from one leg to what the other leg gets (RFC 3261 16.7 /
 * 21.4: 401/407 from IMS are not forwarded to an app that cannot answer them; unknown
 * codes collapse to the x00 of their class).
 */
int sip_msg_map_failure(int status);

/* Is value (a From/To value) carrying tag tag (case-sensitive compare)? */
int sip_msg_same_token(const char *a, const char *b);

#endif
