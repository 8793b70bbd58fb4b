/*
 * libFuzzer harness: what the reg event subscriber takes from the network. The input is
 * a NOTIFY: its Event and Subscription-State headers (sip_sub.c) and its body, a reginfo
 * document (reginfo.c on expat), with our contact matched against every contact found.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/reginfo.h"
#include "sip/sip_sub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reginfo ri;
	const char *buf = (const char *)data, *body = buf;
	size_t body_len = size;
	struct sip_sub_state st;
	char v[256], why[160];

	if (sip_sub_header(buf, size, "Event", 'o', v, sizeof(v)) >= 0)
		(void)sip_sub_event_is(v, "reg");
	if (sip_sub_header(buf, size, "Subscription-State", 0, v, sizeof(v)) >= 0)
		(void)sip_sub_parse_state(v, &st);
	for (size_t i = 0; i + 3 < size; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
			body = buf + i + 4;
			body_len = size - i - 4;
			break;
		}
	if (reginfo_parse(body, body_len, &ri, why, sizeof(why)) == 0) {
		if (ri.n_regs > REGINFO_REGS_MAX)
			abort();
		for (int r = 0; r < ri.n_regs; r++) {
			if (ri.regs[r].n_contacts > REGINFO_CONTACTS_MAX ||
			    strlen(ri.regs[r].aor) >= REGINFO_URI_MAX)
				abort();
			(void)reginfo_same_aor(ri.regs[r].aor, "sip:alice@ims.example.net");
			for (int c = 0; c < ri.regs[r].n_contacts; c++) {
				(void)reginfo_contact_is(ri.regs[r].contacts[c].uri, "127.0.0.1", 5062);
				(void)reginfo_contact_is(ri.regs[r].contacts[c].uri, "[::1]", 5060);
			}
		}
	} else if (!why[0]) {
		abort();	/* every refusal says why */
	}
	return 0;
}
