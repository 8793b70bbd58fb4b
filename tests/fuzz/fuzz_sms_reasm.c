/*
 * libFuzzer harness: the concatenated SMS reassembler driven by a stream of parts and
 * clock steps. Each record is: sender (1 octet), reference, total, sequence, alphabet,
 * length, that many data octets, and a time step. It never holds more than its limits,
 * every complete or expired message is valid UTF-8, and refusals say why.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "sms/sms_reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_expired(void *arg, const struct sms_reasm_msg *m)
{
	(void)arg;
	if (m->received >= m->concat.total || !utf8_valid((const uint8_t *)m->text, m->text_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sms_reasm_limits lim = { 3, 6, 1000 };
	struct sms_reasm *r = sms_reasm_new(&lim);
	static const char *const senders[] = { "15551230001", "15551230002" };
	struct sms_reasm_msg m;
	uint64_t now = 0;
	size_t o = 0;

	if (!r)
		abort();
	while (size - o >= 7) {
		struct sms_ud ud = { 0 };
		struct sms_addr oa = { .ton = 1, .npi = 1 };
		char err[128] = "";
		int rc;

		strcpy(oa.text, senders[data[o] & 1]);
		ud.has_concat = data[o + 2] > 0;
		ud.concat = (struct sms_concat){ .ref = data[o + 1], .total = data[o + 2],
						 .seq = data[o + 3] };
		if (ud.has_concat && (ud.concat.seq == 0 || ud.concat.seq > ud.concat.total))
			ud.has_concat = false; /* as sms_udh_parse gives it */
		ud.alphabet = 1 + data[o + 4] % 3;
		ud.len = data[o + 5] % (SMS_UD_SEPTETS_MAX + 1);
		o += 6;
		if (ud.len > size - o - 1)
			break;
		memcpy(ud.data, data + o, ud.len);
		if (ud.alphabet == SMS_ALPHABET_GSM7)
			for (size_t i = 0; i < ud.len; i++)
				ud.data[i] &= 0x7f;
		o += ud.len;
		now += data[o++] * 10u;
		sms_reasm_expire(r, now, on_expired, NULL);
		rc = sms_reasm_add(r, &oa, &ud, now, &m, err, sizeof(err));
		if (rc == 1 && (m.received != m.concat.total ||
				!utf8_valid((const uint8_t *)m.text, m.text_len) ||
				strlen(m.text) != m.text_len))
			abort();
		if (rc < 0 && !err[0])
			abort();
		if (sms_reasm_pending(r) > lim.max_messages)
			abort();
	}
	sms_reasm_free(r);
	return 0;
}
