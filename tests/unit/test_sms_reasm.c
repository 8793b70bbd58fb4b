/*
 * Reassembly of concatenated short messages: parts in any order, an escape sequence or a
 * surrogate pair split across parts, parts of mixed alphabets, the real part 1 of 8 of
 * Gammu's test PDU, duplicates, the limits on messages and parts, other senders and
 * references kept apart, and the timeout (the caller's clock) giving what was held.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/counters.h"
#include "core/hex.h"
#include "sms/sms_reasm.h"
#include "sms/sms_text.h"

static struct sms_addr alice, bob;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(sms_addr_parse("+15551230001", &alice), 0);
	assert_int_equal(sms_addr_parse("+15551230002", &bob), 0);
	return 0;
}

/* User data of part seq/total (reference ref) with UTF-8 text in GSM 7-bit or UCS-2. */
static struct sms_ud part(enum sms_alphabet a, uint16_t ref, uint8_t total, uint8_t seq,
			  const char *text)
{
	struct sms_ud ud = { .alphabet = a };

	if (total) {
		ud.has_concat = true;
		ud.concat = (struct sms_concat){ .ref = ref, .total = total, .seq = seq };
	}
	if (a == SMS_ALPHABET_GSM7)
		assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)text, strlen(text), ud.data,
						    sizeof(ud.data), &ud.len), 0);
	else
		assert_int_equal(sms_ucs2_from_utf8((const uint8_t *)text, strlen(text), ud.data,
						    sizeof(ud.data), &ud.len), 0);
	return ud;
}

static struct sms_reasm *new_reasm(unsigned messages, unsigned parts, uint64_t timeout)
{
	struct sms_reasm_limits l = { messages, parts, timeout };
	struct sms_reasm *r = sms_reasm_new(&l);

	assert_non_null(r);
	return r;
}

static void in_any_order(void **state)
{
	struct sms_reasm *r = new_reasm(8, 16, 60000);
	struct sms_reasm_msg m;
	struct sms_ud p1 = part(SMS_ALPHABET_GSM7, 0x63, 3, 1, "one, "),
		      p2 = part(SMS_ALPHABET_GSM7, 0x63, 3, 2, "two, "),
		      p3 = part(SMS_ALPHABET_GSM7, 0x63, 3, 3, "three");
	char err[128];

	(void)state;
	assert_int_equal(sms_reasm_add(r, &alice, &p3, 1000, &m, err, sizeof(err)), 0);
	assert_int_equal(sms_reasm_add(r, &alice, &p1, 1001, &m, err, sizeof(err)), 0);
	assert_int_equal(sms_reasm_pending(r), 1);
	/* the same part again: a retransmission */
	assert_int_equal(sms_reasm_add(r, &alice, &p1, 1002, &m, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "part 1 of 3"));
	assert_int_equal(sms_reasm_add(r, &alice, &p2, 1003, &m, err, sizeof(err)), 1);
	assert_string_equal(m.text, "one, two, three");
	assert_int_equal(m.text_len, 15);
	assert_int_equal(m.received, 3);
	assert_int_equal(m.concat.total, 3);
	assert_int_equal(m.concat.ref, 0x63);
	assert_string_equal(m.oa.text, "15551230001");
	assert_int_equal(sms_reasm_pending(r), 0);
	/* a message that was not cut is complete at once */
	p1 = part(SMS_ALPHABET_UCS2, 0, 0, 0, "один");
	assert_int_equal(sms_reasm_add(r, &alice, &p1, 1004, &m, err, sizeof(err)), 1);
	assert_string_equal(m.text, "один");
	assert_int_equal(m.concat.total, 1);
	sms_reasm_free(r);
}

static void straddling(void **state)
{
	struct sms_reasm *r = new_reasm(8, 16, 60000);
	struct sms_reasm_msg m;
	struct sms_ud p1 = part(SMS_ALPHABET_GSM7, 1, 2, 1, "price 5€"),
		      p2 = part(SMS_ALPHABET_GSM7, 1, 2, 2, "!");
	char err[128];

	(void)state;
	/* move the extension code of € into part 2: the escape ends part 1 */
	assert_int_equal(p1.data[p1.len - 1], 0x65);
	p1.len--;
	memmove(p2.data + 1, p2.data, p2.len++);
	p2.data[0] = 0x65;
	assert_int_equal(sms_reasm_add(r, &bob, &p1, 0, &m, err, sizeof(err)), 0);
	assert_int_equal(sms_reasm_add(r, &bob, &p2, 0, &m, err, sizeof(err)), 1);
	assert_string_equal(m.text, "price 5€!");
	/* a surrogate pair split in the middle (U+1F600 = D83D DE00) */
	p1 = part(SMS_ALPHABET_UCS2, 2, 2, 1, "a\xf0\x9f\x98\x80");
	p2 = part(SMS_ALPHABET_UCS2, 2, 2, 2, "b");
	p1.len -= 2;
	memmove(p2.data + 2, p2.data, p2.len);
	p2.data[0] = 0xde, p2.data[1] = 0x00, p2.len += 2;
	assert_int_equal(sms_reasm_add(r, &bob, &p2, 0, &m, err, sizeof(err)), 0);
	assert_int_equal(sms_reasm_add(r, &bob, &p1, 0, &m, err, sizeof(err)), 1);
	assert_string_equal(m.text, "a\xf0\x9f\x98\x80" "b");
	/* mixed alphabets: each part decoded alone */
	p1 = part(SMS_ALPHABET_GSM7, 3, 2, 1, "abc ");
	p2 = part(SMS_ALPHABET_UCS2, 3, 2, 2, "日本");
	assert_int_equal(sms_reasm_add(r, &bob, &p1, 0, &m, err, sizeof(err)), 0);
	assert_int_equal(sms_reasm_add(r, &bob, &p2, 0, &m, err, sizeof(err)), 1);
	assert_string_equal(m.text, "abc 日本");
	sms_reasm_free(r);
}

static void real_part(void **state)
{
	/* part 1 of 8 of Gammu's concatenated SMS-DELIVER (see test_sms_tpdu.c) */
	static const char pdu[] =
		"400B918406290000F4000002219221351140A005000363080140CCB7BCDC06A5E1F37A1B447EB3DF72"
		"D03C4D0785DB653A0B347EBBE7E531BD4CAFCB4161721A9E9E8FD3EE33A8CC4ED35D206899CD2EBBE9"
		"E579BC5E06D9D3F47019E42EC7EB6550F95C9ED3C37316C81CAE8FD3E2FA1C5496BFE7A0B49B054A87"
		"C775767A0E4AC3E7F5B60B34ADCFE16537393D9F9741E4F4D99D9ECFD36D10FC2DA7D3D3";
	struct sms_reasm *r = new_reasm(2, 8, 60000);
	struct sms_reasm_msg m;
	struct sms_deliver d;
	struct sms_ud rest;
	uint8_t b[200];
	char err[128], want[600], word[8];
	size_t n = strlen(pdu) / 2;

	(void)state;
	assert_int_equal(hex_decode(pdu, b, n), 0);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), 0);
	assert_int_equal(sms_reasm_add(r, &d.oa, &d.ud, 0, &m, err, sizeof(err)), 0);
	strcpy(want, " Lorem ipsum dolor sit amet, consectetur adipiscing elit. Pellentesque "
		     "vitae neque egestas, faucibus eros in, iaculis ipsum. Suspendisse dignissim "
		     "portti");
	for (uint8_t seq = 2; seq <= 8; seq++) {
		snprintf(word, sizeof(word), " <%u>", seq);
		strcat(want, word);
		rest = part(SMS_ALPHABET_GSM7, 0x63, 8, seq, word);
		assert_int_equal(sms_reasm_add(r, &d.oa, &rest, seq, &m, err, sizeof(err)),
				 seq == 8 ? 1 : 0);
	}
	assert_string_equal(m.text, want);
	assert_string_equal(m.oa.text, "48609200004");
	sms_reasm_free(r);
}

static void limits(void **state)
{
	struct sms_reasm *r = new_reasm(2, 4, 60000);
	uint64_t before = counter_get(COUNTER_SMS_REASSEMBLY_ERRORS);
	struct sms_reasm_msg m;
	struct sms_ud p;
	char err[128];

	(void)state;
	/* a sender's two messages and another sender's use the table separately */
	p = part(SMS_ALPHABET_GSM7, 9, 2, 1, "a");
	assert_int_equal(sms_reasm_add(r, &alice, &p, 0, &m, err, sizeof(err)), 0);
	p = part(SMS_ALPHABET_GSM7, 9, 2, 1, "b");
	assert_int_equal(sms_reasm_add(r, &bob, &p, 0, &m, err, sizeof(err)), 0);
	p = part(SMS_ALPHABET_GSM7, 10, 2, 1, "c");
	assert_int_equal(sms_reasm_add(r, &alice, &p, 0, &m, err, sizeof(err)), -ENOBUFS);
	assert_non_null(strstr(err, "2 incomplete messages"));
	p = part(SMS_ALPHABET_GSM7, 9, 2, 2, "B");
	assert_int_equal(sms_reasm_add(r, &bob, &p, 0, &m, err, sizeof(err)), 1);
	assert_string_equal(m.text, "bB");
	/* more parts than allowed; 8-bit data */
	p = part(SMS_ALPHABET_GSM7, 11, 5, 1, "x");
	assert_int_equal(sms_reasm_add(r, &alice, &p, 0, &m, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "5 parts (at most 4)"));
	p.alphabet = SMS_ALPHABET_8BIT;
	assert_int_equal(sms_reasm_add(r, &alice, &p, 0, &m, err, sizeof(err)), -EPROTONOSUPPORT);
	/* UCS-2 that does not decode once joined */
	p = part(SMS_ALPHABET_UCS2, 12, 2, 1, "x");
	p.data[0] = 0xdc;
	assert_int_equal(sms_reasm_add(r, &bob, &p, 0, &m, err, sizeof(err)), 0);
	p = part(SMS_ALPHABET_UCS2, 12, 2, 2, "y");
	assert_int_equal(sms_reasm_add(r, &bob, &p, 0, &m, err, sizeof(err)), -EBADMSG);
	assert_int_equal(sms_reasm_pending(r), 1); /* alice's ref 9 */
	/* user data no decoder makes */
	p = part(SMS_ALPHABET_GSM7, 13, 2, 3, "x");
	assert_int_equal(sms_reasm_add(r, &bob, &p, 0, &m, err, sizeof(err)), -EINVAL);
	p.concat.seq = 1;
	p.len = SMS_UD_SEPTETS_MAX + 1;
	assert_int_equal(sms_reasm_add(r, &bob, &p, 0, &m, err, sizeof(err)), -EINVAL);
	assert_int_equal(counter_get(COUNTER_SMS_REASSEMBLY_ERRORS), before + 6);
	sms_reasm_free(r);

	struct sms_reasm_limits bad = { 0, 4, 1 };
	assert_null(sms_reasm_new(&bad));
	bad = (struct sms_reasm_limits){ 1, 256, 1 };
	assert_null(sms_reasm_new(&bad));
}

struct expired {
	unsigned calls;
	char text[64];
	unsigned received, total;
};

static void on_expired(void *arg, const struct sms_reasm_msg *m)
{
	struct expired *e = arg;

	e->calls++;
	snprintf(e->text, sizeof(e->text), "%s", m->text);
	e->received = m->received;
	e->total = m->concat.total;
}

static void timeout(void **state)
{
	struct sms_reasm *r = new_reasm(4, 16, 30000);
	uint64_t before = counter_get(COUNTER_SMS_REASSEMBLY_TIMEOUTS), when;
	struct expired e = { 0 };
	struct sms_reasm_msg m;
	struct sms_ud p;
	char err[128];

	(void)state;
	assert_int_equal(sms_reasm_next_expiry(r, &when), -ENOENT);
	p = part(SMS_ALPHABET_GSM7, 5, 3, 1, "first ");
	assert_int_equal(sms_reasm_add(r, &alice, &p, 10000, &m, err, sizeof(err)), 0);
	p = part(SMS_ALPHABET_GSM7, 5, 3, 3, "third");
	assert_int_equal(sms_reasm_add(r, &alice, &p, 20000, &m, err, sizeof(err)), 0);
	p = part(SMS_ALPHABET_GSM7, 6, 2, 1, "later");
	assert_int_equal(sms_reasm_add(r, &bob, &p, 25000, &m, err, sizeof(err)), 0);
	assert_int_equal(sms_reasm_next_expiry(r, &when), 0);
	assert_int_equal(when, 40000);
	assert_int_equal(sms_reasm_expire(r, 39999, on_expired, &e), 0);
	assert_int_equal(e.calls, 0);
	assert_int_equal(sms_reasm_expire(r, 40000, on_expired, &e), 1);
	assert_int_equal(e.calls, 1);
	assert_string_equal(e.text, "first third");
	assert_int_equal(e.received, 2);
	assert_int_equal(e.total, 3);
	assert_int_equal(sms_reasm_next_expiry(r, &when), 0);
	assert_int_equal(when, 55000);
	/* the missing part arriving after the timeout starts a new message */
	p = part(SMS_ALPHABET_GSM7, 5, 3, 2, "second ");
	assert_int_equal(sms_reasm_add(r, &alice, &p, 41000, &m, err, sizeof(err)), 0);
	assert_int_equal(sms_reasm_pending(r), 2);
	assert_int_equal(sms_reasm_expire(r, 100000, NULL, NULL), 2);
	assert_int_equal(sms_reasm_pending(r), 0);
	assert_int_equal(counter_get(COUNTER_SMS_REASSEMBLY_TIMEOUTS), before + 3);
	sms_reasm_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(in_any_order, setup),
		cmocka_unit_test_setup(straddling, setup),
		cmocka_unit_test_setup(real_part, setup),
		cmocka_unit_test_setup(limits, setup),
		cmocka_unit_test_setup(timeout, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
