/*
 * Pager-mode messages (SIP MESSAGE, RFC 3428) between web apps and IMS: the
 * message/cpim wrapper (RFC 3862) IMS uses, with the IMDN headers of RFC 5438, and the
 * checks a body passes before it goes either way (type, size, UTF-8 text).
 *
 * A message/cpim body:
 *   From: <sip:alice@example.com>           CPIM message headers
 *   To: <sip:bob@example.com>
 *   DateTime: 2000-12-13T13:40:00-08:00
 *   NS: imdn <urn:ietf:params:imdn>
 *   imdn.Message-ID: 34jk324j
 *                                           (blank line)
 *   Content-Type: text/plain;charset=utf-8  MIME headers of the content
 *                                           (blank line)
 *   Here is the text of my message.         the content
 */
#ifndef NWIT_CPIM_H
#define NWIT_CPIM_H

#include <stddef.h>
#include <stdint.h>

#define CPIM_URI_MAX 256
#define CPIM_VALUE_MAX 128
#define CPIM_HEADER_LINES_MAX 32 /* in each of the two header blocks */
#define CPIM_LINE_MAX 1024

struct cpim {
	char from[CPIM_URI_MAX];	  /* the URI inside <>, display name dropped */
	char to[CPIM_URI_MAX];
	char datetime[CPIM_VALUE_MAX];	  /* "" when absent */
	char imdn_message_id[CPIM_VALUE_MAX]; /* "" when absent */
	char imdn_disposition[CPIM_VALUE_MAX]; /* imdn.Disposition-Notification, "" when absent */
	char content_type[CPIM_VALUE_MAX];
	const uint8_t *body; /* points into the parsed buffer */
	size_t body_len;
};

/*
 * Parse a message/cpim body. 0, or -EBADMSG (syntax: missing From/To/Content-Type, a
 * line without ':', bare LF, no blank line), -E2BIG (too many header lines, a line over
 * CPIM_LINE_MAX, a value over its field), -EMSGSIZE (Content-Length larger than the
 * content), with the reason in err.
 */
int cpim_parse(const uint8_t *buf, size_t len, struct cpim *c, char *err, size_t errlen);

/*
 * Write c (from, to, datetime and the IMDN fields when set, content_type, body) as a
 * message/cpim body. Its length, -ENOSPC, or -EINVAL (a field with CR/LF or '<>').
 */
int cpim_build(const struct cpim *c, uint8_t *buf, size_t cap);

/* What a pager-mode body may be. */
struct pager_limits {
	size_t max_body;	/* SIP MESSAGE body, bytes (default 1300: RFC 3428 section 9) */
	size_t max_text;	/* text inside, bytes */
};
void pager_limits_default(struct pager_limits *l);

/*
 * Check a body of content_type (text/plain, optionally with parameters, or
 * message/cpim wrapping text/plain) before it is relayed, and find its text.
 * 0 with text/text_len (and *cpim filled for message/cpim), or -EMSGSIZE (over a limit),
 * -EPROTONOSUPPORT (another content type, or a charset other than UTF-8/US-ASCII),
 * -EILSEQ (not UTF-8), -EBADMSG (bad CPIM), with the reason in err.
 */
int pager_check(const char *content_type, const uint8_t *body, size_t len,
		const struct pager_limits *lim, struct cpim *cpim, const uint8_t **text,
		size_t *text_len, char *err, size_t errlen);

#endif
