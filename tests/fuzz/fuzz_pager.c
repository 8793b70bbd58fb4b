/*
 * libFuzzer harness: what nwitd's pager (userspace/nwitd/messages/pager.c) does with a MESSAGE from
 * an app or the IMS before relaying it: sip_msg_parse(), then pager_check() on the full
 * Content-Type and the body. What passes must be relayable as is: the Content-Type has no
 * line break and starts with its type/subtype, the text lies inside the body, is within
 * the limits and is UTF-8 without NUL bytes; a refusal says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpim/cpim.h"
#include "sip/sip_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg m;
	struct pager_limits lim;
	const uint8_t *text = NULL;
	size_t text_len = 0;
	struct cpim cpim;
	char why[200];
	int rc;

	if (sip_msg_parse((const char *)data, size, &m, why, sizeof(why)) < 0)
		return 0;
	if (strpbrk(m.ctype_full, "\r\n"))
		abort();
	if (m.ctype_full[0] && strncasecmp(m.ctype_full, m.ctype, strlen(m.ctype)) != 0)
		abort();
	if (!m.ctype_full[0])
		return 0;	/* pager.c refuses it with 415 before pager_check() */
	pager_limits_default(&lim);
	why[0] = '\0';
	rc = pager_check(m.ctype_full, (const uint8_t *)(m.body ? m.body : ""), m.body_len, &lim,
			 &cpim, &text, &text_len, why, sizeof(why));
	if (rc < 0) {
		if (!why[0])
			abort();
		return 0;
	}
	if (m.body_len > lim.max_body || text_len > lim.max_text)
		abort();
	if (text_len && (text < (const uint8_t *)m.body ||
			 text + text_len > (const uint8_t *)m.body + m.body_len))
		abort();
	if (text_len && memchr(text, '\0', text_len))
		abort();
	return 0;
}
