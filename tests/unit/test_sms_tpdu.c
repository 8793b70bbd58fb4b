/*
 * SMS TPDUs (3GPP TS 23.040) and their text (TS 23.038) against published PDUs:
 *  - "hellohello" SMS-SUBMIT and SMS-DELIVER, the classic examples of the "SMS messages
 *    and the PDU format" page (dreamfabric.com, mirrored at turbocontrol.com/CoolStuff);
 *  - "Is Wonderful" SMS-SUBMIT (Visual Studio Magazine, September 2004, table 2);
 *  - "hello" in UCS-2 (Neoway N11 AT command manual, AT+CMGS example);
 *  - part 1 of 8 of a concatenated SMS-DELIVER captured from a phone (Gammu's test suite,
 *    github.com/gammu/gammu tests/), with its service centre address;
 *  - an SMS-STATUS-REPORT received from a modem (amro.blogspot.com, "Receiving SMS
 *    status report message", 2007);
 *  - two SMS-DELIVERs of pduDecoder's sample input (github.com/arthurpalves/pduDecoder,
 *    sample-input.txt): "How are you?" and an operator notice from a short code;
 *  - addresses and 7-bit texts of Device::Gsm's tests (perl5-device-gsm t/20pdu.t);
 *  - code points of TS 23.038 tables 6.2.1 and 6.2.1.1.
 * Expected values come from those sources or from the tables, never from the code.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/counters.h"
#include "core/hex.h"
#include "sms/sms_text.h"
#include "sms/sms_tpdu.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s) / 2;

	assert_int_equal(hex_decode(s, out, n), 0);
	return n;
}

static void assert_hex(const uint8_t *b, size_t n, const char *want)
{
	char got[600];

	assert_true(n * 2 < sizeof(got));
	hex_encode(b, n, got);
	for (char *p = got; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_string_equal(got, want);
}

static void gsm7_packing(void **state)
{
	static const struct {
		const char *text, *packed;
	} v[] = {
		{ "hellohello", "E8329BFD4697D9EC37" },
		{ "The quick fox jumps over the lazy dog",
		  "54741914AFA7C76B90F98D07A9EB6DF81CF4B697E5203ABA0C6287F57910F97D06" },
	};
	uint8_t septets[200], packed[200], back[200], want[200];
	char text[400];
	size_t n, wl;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)v[i].text, strlen(v[i].text),
						    septets, sizeof(septets), &n), 0);
		assert_int_equal(n, strlen(v[i].text));
		wl = unhex(v[i].packed, want);
		assert_int_equal(sms_gsm7_pack(septets, n, 0, packed), wl);
		assert_memory_equal(packed, want, wl);
		assert_int_equal(sms_gsm7_unpack(want, wl, 0, n, back), 0);
		assert_int_equal(sms_gsm7_to_utf8(back, n, text, sizeof(text), NULL), 0);
		assert_string_equal(text, v[i].text);
		/* one septet more than the octets hold */
		assert_int_equal(sms_gsm7_unpack(want, wl, 0, wl * 8 / 7 + 1, back), -EBADMSG);
	}
}

static void gsm7_tables(void **state)
{
	/* TS 23.038 table 6.2.1: characters and their septets */
	static const char text[] = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ ¤¡ÄÖÑÜ§¿äöñüà";
	static const uint8_t want[] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
		0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
		0x1a, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x24, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
		0x60, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
	};
	/* table 6.2.1.1: the extension table */
	static const char ext[] = "\f^{}\\[~]|€";
	static const uint8_t ext_want[] = {
		0x1b, 0x0a, 0x1b, 0x14, 0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x2f,
		0x1b, 0x3c, 0x1b, 0x3d, 0x1b, 0x3e, 0x1b, 0x40, 0x1b, 0x65,
	};
	static const uint8_t odd[] = { 0x1b, 0x41, 0x1b, 0x1b, 0x31, 0x1b };
	uint8_t s[200];
	char back[400];
	size_t n;

	(void)state;
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)text, strlen(text), s, sizeof(s), &n), 0);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(s, want, sizeof(want));
	assert_int_equal(sms_gsm7_to_utf8(want, sizeof(want), back, sizeof(back), NULL), 0);
	assert_string_equal(back, text);
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)ext, strlen(ext), s, sizeof(s), &n), 0);
	assert_int_equal(n, sizeof(ext_want));
	assert_memory_equal(s, ext_want, sizeof(ext_want));
	assert_int_equal(sms_gsm7_to_utf8(ext_want, sizeof(ext_want), back, sizeof(back), NULL), 0);
	assert_string_equal(back, ext);
	/* an escape before a code without extension: the default character; escape escape
	 * and a trailing escape: a space (TS 23.038 6.2.1.1) */
	assert_int_equal(sms_gsm7_to_utf8(odd, sizeof(odd), back, sizeof(back), NULL), 0);
	assert_string_equal(back, "A 1 ");
	/* not in the tables: c cedilla (only the capital is), backtick, CJK */
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)"\xc3\xa7", 2, s, sizeof(s), &n), -ERANGE);
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)"`", 1, s, sizeof(s), &n), -ERANGE);
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)"日", 3, s, sizeof(s), &n), -ERANGE);
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)"\xc3", 1, s, sizeof(s), &n), -EILSEQ);
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)"\xed\xa0\x80", 3, s, sizeof(s), &n),
			 -EILSEQ); /* a surrogate */
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)"abc", 3, s, 2, &n), -ENOSPC);
	assert_int_equal(sms_gsm7_to_utf8((const uint8_t *)"\x80", 1, back, sizeof(back), NULL),
			 -EINVAL);
}

static void ucs2(void **state)
{
	/* U+1F600 is D83D DE00 in UTF-16 */
	static const char text[] = "Grüße \xf0\x9f\x98\x80 日本";
	uint8_t want[64], out[64];
	char back[64];
	size_t wl, n;

	(void)state;
	wl = unhex("0047007200FC00DF00650020D83DDE000020" "65E5672C", want);
	assert_int_equal(sms_ucs2_from_utf8((const uint8_t *)text, strlen(text), out, sizeof(out), &n), 0);
	assert_int_equal(n, wl);
	assert_memory_equal(out, want, wl);
	assert_int_equal(sms_ucs2_to_utf8(want, wl, back, sizeof(back), NULL), 0);
	assert_string_equal(back, text);
	assert_int_equal(sms_ucs2_to_utf8(want, wl - 1, back, sizeof(back), NULL), -EBADMSG);
	assert_int_equal(sms_ucs2_to_utf8((const uint8_t *)"\xd8\x3d\x00\x41", 4, back,
					  sizeof(back), NULL), -EBADMSG); /* lone high surrogate */
	assert_int_equal(sms_ucs2_to_utf8((const uint8_t *)"\xde\x00", 2, back, sizeof(back), NULL),
			 -EBADMSG); /* lone low surrogate */
	assert_int_equal(sms_ucs2_to_utf8((const uint8_t *)"\xd8\x3d", 2, back, sizeof(back), NULL),
			 -EBADMSG); /* cut pair */
	/* NUL characters would cut texts short: refused both ways */
	assert_int_equal(sms_ucs2_to_utf8((const uint8_t *)"\x00\x41\x00\x00", 4, back,
					  sizeof(back), NULL), -EBADMSG);
	assert_int_equal(sms_ucs2_from_utf8((const uint8_t *)"a\0b", 3, out, sizeof(out), &n), -EILSEQ);
}

static void addresses(void **state)
{
	static const struct {
		const char *in, *hex;
	} v[] = {
		{ "3289287791", "0A812398827719" },
		{ "+393289287791", "0C91932398827719" },
		{ "347101010", "098143171010F0" },
		{ "+39347101010", "0B919343171010F0" },
		{ "+46708251358", "0B916407281553F8" },
	};
	struct sms_addr a, b;
	uint8_t out[16], in[16];
	char err[128], txt[32];
	size_t used;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(sms_addr_parse(v[i].in, &a), 0);
		n = sms_tp_addr_encode(&a, out, sizeof(out));
		assert_int_equal(n, strlen(v[i].hex) / 2);
		assert_hex(out, (size_t)n, v[i].hex);
		assert_int_equal(sms_tp_addr_decode(out, (size_t)n, &b, &used, err, sizeof(err)), 0);
		assert_int_equal(used, (size_t)n);
		assert_int_equal(sms_addr_format(&b, txt, sizeof(txt)), 0);
		assert_string_equal(txt, v[i].in);
	}
	/* tel URI visual separators (RFC 3966) */
	assert_int_equal(sms_addr_parse("+1-555-(123).4567", &a), 0);
	assert_string_equal(a.text, "15551234567");
	assert_int_equal(a.ton, SMS_TON_INTERNATIONAL);
	/* the URIs apps address */
	assert_int_equal(sms_addr_from_uri("tel:+1-555-123-4567;phone-context=+1", &a), 0);
	assert_string_equal(a.text, "15551234567");
	assert_int_equal(a.ton, SMS_TON_INTERNATIONAL);
	assert_int_equal(sms_addr_from_uri("sip:+46708251358@ims.example.net;user=phone", &a), 0);
	assert_string_equal(a.text, "46708251358");
	assert_int_equal(sms_addr_from_uri("SIPS:0708251358@ims.example.net;transport=tcp;USER=phone",
					   &a), 0);
	assert_int_equal(a.ton, SMS_TON_UNKNOWN);
	assert_string_equal(a.text, "0708251358");
	assert_int_equal(sms_addr_from_uri("sip:+46708251358@ims.example.net", &a), -EINVAL);
	assert_int_equal(sms_addr_from_uri("sip:+46708251358@ims.example.net;user=phonex", &a), -EINVAL);
	assert_int_equal(sms_addr_from_uri("sip:bob@ims.example.net;user=phone", &a), -EINVAL);
	assert_int_equal(sms_addr_from_uri("sip:+4670;x=1@ims.example.net;user=phone", &a), -EINVAL);
	assert_int_equal(sms_addr_from_uri("tel:", &a), -EINVAL);
	assert_int_equal(sms_addr_from_uri("mailto:+4670", &a), -EINVAL);
	assert_int_equal(sms_addr_from_uri("sip:@host;user=phone", &a), -EINVAL);
	assert_int_equal(sms_addr_parse("", &a), -EINVAL);
	assert_int_equal(sms_addr_parse("+", &a), -EINVAL);
	assert_int_equal(sms_addr_parse("sip:bob@example.com", &a), -EINVAL);
	assert_int_equal(sms_addr_parse("123456789012345678901", &a), -EINVAL); /* 21 digits */
	/* a filler inside the digits, a length past the end, over 20 digits */
	unhex("0491F132", in);
	assert_int_equal(sms_tp_addr_decode(in, 4, &b, &used, err, sizeof(err)), -EBADMSG);
	unhex("0591214365", in);
	assert_int_equal(sms_tp_addr_decode(in, 4, &b, &used, err, sizeof(err)), -EBADMSG);
	unhex("159111111111111111111111", in);
	assert_int_equal(sms_tp_addr_decode(in, 12, &b, &used, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "21 digits"));
}

static void submit_hellohello(void **state)
{
	struct sms_submit_req r = {
		.to = "+46708251358",
		.text = (const uint8_t *)"hellohello",
		.text_len = 10,
		.validity_minutes = 4 * 24 * 60,
	};
	struct sms_tpdu_buf parts[2];
	uint8_t mr = 0xff;
	uint16_t ref = 7;
	size_t n;
	char err[128];

	(void)state;
	/* TP-MR "00": the message reference after 255 */
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 2, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_hex(parts[0].data, parts[0].len, "11000B916407281553F80000AA0AE8329BFD4697D9EC37");
	assert_int_equal(parts[0].mr, 0);
	assert_int_equal(mr, 0);
	assert_int_equal(ref, 7); /* not concatenated: the reference is not used */
	/* the next message takes the next reference, with a status report requested */
	r.srr = true;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 2, &n, err, sizeof(err)), 0);
	assert_hex(parts[0].data, parts[0].len, "31010B916407281553F80000AA0AE8329BFD4697D9EC37");
	assert_int_equal(mr, 1);
}

static void submit_decode_published(void **state)
{
	struct sms_submit s;
	uint8_t b[200], out[200];
	char err[128], text[200];
	size_t n;

	(void)state;
	/* Visual Studio Magazine: TP-PID 0x20 (telematic interworking), VP 0xAD (7 days) */
	n = unhex("11E50A9156692904562000AD0CC939E8FA7693CB72739D0D", b);
	assert_int_equal(sms_submit_decode(b, n, &s, err, sizeof(err)), 0);
	assert_int_equal(s.mr, 0xe5);
	assert_int_equal(s.da.ton, SMS_TON_INTERNATIONAL);
	assert_string_equal(s.da.text, "6596924065");
	assert_int_equal(s.pid, 0x20);
	assert_int_equal(s.vpf, SMS_VPF_RELATIVE);
	assert_int_equal(sms_vp_relative_minutes(s.vp[0]), 7 * 24 * 60);
	assert_int_equal(sms_ud_text(&s.ud, text, sizeof(text), NULL), 0);
	assert_string_equal(text, "Is Wonderful");
	assert_int_equal(sms_submit_encode(&s, out, sizeof(out)), n);
	assert_memory_equal(out, b, n);

	/* Neoway: "hello" in UCS-2 to a national number, no validity period */
	n = unhex("01000B813124819396F300080A00680065006C006C006F", b);
	assert_int_equal(sms_submit_decode(b, n, &s, err, sizeof(err)), 0);
	assert_int_equal(s.da.ton, SMS_TON_UNKNOWN);
	assert_int_equal(s.da.npi, SMS_NPI_ISDN);
	assert_string_equal(s.da.text, "13421839693");
	assert_int_equal(s.ud.alphabet, SMS_ALPHABET_UCS2);
	assert_int_equal(s.vpf, SMS_VPF_NONE);
	assert_int_equal(sms_ud_text(&s.ud, text, sizeof(text), NULL), 0);
	assert_string_equal(text, "hello");
	assert_int_equal(sms_submit_encode(&s, out, sizeof(out)), n);
	assert_memory_equal(out, b, n);
	/* SMS-DELIVER is not an SMS-SUBMIT; one octet more or less */
	assert_int_equal(sms_submit_decode((const uint8_t *)"\x00", 1, &s, err, sizeof(err)), -EBADMSG);
	assert_int_equal(sms_submit_decode(b, n - 1, &s, err, sizeof(err)), -EBADMSG);
	b[n] = 0;
	assert_int_equal(sms_submit_decode(b, n + 1, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "after the user data"));
}

static void deliver_hellohello(void **state)
{
	struct sms_deliver d;
	uint8_t b[200], out[200];
	char err[128], text[200], when[40];
	size_t n;

	(void)state;
	n = unhex("040BC87238880900F10000993092516195800AE8329BFD4697D9EC37", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), 0);
	assert_true(d.mms);
	assert_false(d.sri);
	assert_int_equal(d.oa.ton, 4); /* subscriber number */
	assert_int_equal(d.oa.npi, 8); /* national numbering plan */
	assert_string_equal(d.oa.text, "27838890001");
	assert_int_equal(sms_time_format(&d.scts, when, sizeof(when)), 0);
	assert_string_equal(when, "2099-03-29T15:16:59+02:00");
	assert_int_equal(d.ud.alphabet, SMS_ALPHABET_GSM7);
	assert_int_equal(sms_ud_text(&d.ud, text, sizeof(text), NULL), 0);
	assert_string_equal(text, "hellohello");
	assert_int_equal(sms_deliver_encode(&d, out, sizeof(out)), n);
	assert_memory_equal(out, b, n);
}

#define GLOBE_TEXT "Ang iyong GLOBE SUPERDUO # 082-3309182 ay mag-e-expire sa 2012-07-25 16:15:29."

static void deliver_published(void **state)
{
	struct sms_deliver d;
	uint8_t b[200];
	char err[128], text[200], when[40];
	size_t n;

	(void)state;
	n = unhex("040B911346610089F60000208062917314080CC8F71D14969741F977FD07", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), 0);
	assert_int_equal(d.oa.ton, SMS_TON_INTERNATIONAL);
	assert_string_equal(d.oa.text, "31641600986");
	assert_int_equal(d.scts.year, 2);
	assert_int_equal(d.scts.month, 8);
	assert_int_equal(d.scts.day, 26);
	assert_int_equal(d.scts.second, 41);
	assert_int_equal(sms_ud_text(&d.ud, text, sizeof(text), NULL), 0);
	assert_string_equal(text, "How are you?");
	/* from short code 8888 (numbering plan 5), TP-PID 0x39, time zone +8 h */
	n = unhex("04048588883900216052618181234E41F71994CEBFDD67D091F9141641D32AB42825569FA0110886"
		  "93B56633582E869381C279503B7C6E955B653C3C2D2F83E661900C1693B560B796AC068AD974B1"
		  "9A4E967301", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), 0);
	assert_int_equal(d.oa.ton, SMS_TON_UNKNOWN);
	assert_int_equal(d.oa.npi, 5);
	assert_string_equal(d.oa.text, "8888");
	assert_int_equal(d.pid, 0x39);
	assert_int_equal(sms_time_format(&d.scts, when, sizeof(when)), 0);
	assert_string_equal(when, "2012-06-25T16:18:18+08:00");
	assert_int_equal(sms_ud_text(&d.ud, text, sizeof(text), NULL), 0);
	assert_string_equal(text, GLOBE_TEXT);
}

static void deliver_concatenated(void **state)
{
	static const char pdu[] =
		"07918497900000F6"
		"400B918406290000F4000002219221351140A005000363080140CCB7BCDC06A5E1F37A1B447EB3DF72"
		"D03C4D0785DB653A0B347EBBE7E531BD4CAFCB4161721A9E9E8FD3EE33A8CC4ED35D206899CD2EBBE9"
		"E579BC5E06D9D3F47019E42EC7EB6550F95C9ED3C37316C81CAE8FD3E2FA1C5496BFE7A0B49B054A87"
		"C775767A0E4AC3E7F5B60B34ADCFE16537393D9F9741E4F4D99D9ECFD36D10FC2DA7D3D3";
	static const char want[] =
		" Lorem ipsum dolor sit amet, consectetur adipiscing elit. Pellentesque vitae "
		"neque egestas, faucibus eros in, iaculis ipsum. Suspendisse dignissim portti";
	struct sms_deliver d;
	struct sms_addr sc;
	uint8_t b[300];
	char err[128], text[400];
	size_t n, used;
	bool present;

	(void)state;
	n = unhex(pdu, b);
	/* the service centre address in front has the RP address format */
	assert_int_equal(sms_rp_addr_decode(b, n, &sc, &present, &used, err, sizeof(err)), 0);
	assert_true(present);
	assert_int_equal(used, 8);
	assert_int_equal(sc.ton, SMS_TON_INTERNATIONAL);
	assert_string_equal(sc.text, "48790900006");
	assert_int_equal(sms_deliver_decode(b + 8, n - 8, &d, err, sizeof(err)), 0);
	assert_string_equal(d.oa.text, "48609200004");
	assert_true(d.ud.has_udh);
	assert_true(d.ud.has_concat);
	assert_int_equal(d.ud.concat.ref, 0x63);
	assert_int_equal(d.ud.concat.total, 8);
	assert_int_equal(d.ud.concat.seq, 1);
	assert_false(d.ud.concat.ref16);
	assert_int_equal(d.ud.len, 153);
	assert_false(d.ud.national_language);
	assert_int_equal(sms_ud_text(&d.ud, text, sizeof(text), NULL), 0);
	assert_string_equal(text, want);
	/* its header with a Turkish locking shift element (IEI 0x25) added and no text:
	 * TP-UDL 11 septets (9 header octets and 5 fill bits): flagged */
	n = unhex("440B918406290000F4000002219221351140" "0B" "08" "0003630801" "250101" "00", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), 0);
	assert_true(d.ud.national_language);
	assert_true(d.ud.has_concat);
	assert_int_equal(d.ud.len, 0);
}

static void status_report(void **state)
{
	struct sms_status_report r;
	uint8_t b[100];
	char err[128], when[40];
	size_t n;

	(void)state;
	n = unhex("06000B910221815716F2709021510121807090215101718000", b);
	assert_int_equal(sms_status_report_decode(b, n, &r, err, sizeof(err)), 0);
	assert_true(r.mms);
	assert_false(r.srq);
	assert_int_equal(r.mr, 0);
	assert_int_equal(r.ra.ton, SMS_TON_INTERNATIONAL);
	assert_string_equal(r.ra.text, "20121875612");
	assert_int_equal(sms_time_format(&r.scts, when, sizeof(when)), 0);
	assert_string_equal(when, "2007-09-12T15:10:12+02:00");
	assert_int_equal(sms_time_format(&r.dt, when, sizeof(when)), 0);
	assert_string_equal(when, "2007-09-12T15:10:17+02:00");
	assert_int_equal(r.st, 0);
	assert_false(r.has_pi);
	assert_int_equal(sms_status_classify(r.st), SMS_STATUS_DELIVERED);
	assert_int_equal(sms_status_classify(0x21), SMS_STATUS_PENDING);  /* congestion */
	assert_int_equal(sms_status_classify(0x41), SMS_STATUS_FAILED);   /* incompatible dest. */
	assert_int_equal(sms_status_classify(0x62), SMS_STATUS_FAILED);   /* no response */
	assert_int_equal(sms_status_classify(0x80), SMS_STATUS_FAILED);   /* reserved */
	/* with TP-PI announcing TP-PID and TP-DCS (UCS-2) and user data "ok" */
	n = unhex("06000B910221815716F2709021510121807090215101718000" "07" "0008" "04006F006B", b);
	assert_int_equal(sms_status_report_decode(b, n, &r, err, sizeof(err)), 0);
	assert_true(r.has_pi);
	assert_true(r.has_ud);
	assert_int_equal(r.dcs, 0x08);
	assert_int_equal(r.ud.len, 4);
	/* TP-PI announcing user data that is not there; a bad time stamp */
	n = unhex("06000B910221815716F270902151012180709021510171800004", b);
	assert_int_equal(sms_status_report_decode(b, n, &r, err, sizeof(err)), -EBADMSG);
	n = unhex("06000B910221815716F270F02151012180709021510171800000", b);
	assert_int_equal(sms_status_report_decode(b, n, &r, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "month"));
}

static void validity(void **state)
{
	(void)state;
	/* TS 23.040 9.2.3.12.1 */
	assert_int_equal(sms_vp_relative_minutes(0), 5);
	assert_int_equal(sms_vp_relative_minutes(143), 12 * 60);
	assert_int_equal(sms_vp_relative_minutes(144), 12 * 60 + 30);
	assert_int_equal(sms_vp_relative_minutes(167), 24 * 60);
	assert_int_equal(sms_vp_relative_minutes(168), 2 * 24 * 60);
	assert_int_equal(sms_vp_relative_minutes(196), 30 * 24 * 60);
	assert_int_equal(sms_vp_relative_minutes(197), 5 * 7 * 24 * 60);
	assert_int_equal(sms_vp_relative_minutes(255), 63 * 7 * 24 * 60);
	assert_int_equal(sms_vp_relative(1), 0);
	assert_int_equal(sms_vp_relative(721), 144);
	assert_int_equal(sms_vp_relative(4 * 24 * 60), 0xaa);
	assert_int_equal(sms_vp_relative(100u * 7 * 24 * 60), 255);
}

/* Decode every part and check the concatenation header and the text of each. */
static void check_parts(const struct sms_tpdu_buf *p, size_t n, bool ref16, uint16_t ref,
			const char *const *texts)
{
	struct sms_submit s;
	char err[128], text[400];

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sms_submit_decode(p[i].data, p[i].len, &s, err, sizeof(err)), 0);
		assert_true(s.ud.has_concat);
		assert_int_equal(s.ud.concat.ref16, ref16);
		assert_int_equal(s.ud.concat.ref, ref);
		assert_int_equal(s.ud.concat.total, n);
		assert_int_equal(s.ud.concat.seq, i + 1);
		assert_int_equal(s.mr, p[i].mr);
		assert_int_equal(sms_ud_text(&s.ud, text, sizeof(text), NULL), 0);
		assert_string_equal(text, texts[i]);
	}
}

static void submit_concatenated(void **state)
{
	char a200[201], a152e[200], p1[200], p2[200], zh[400], zh2[64];
	const char *texts[2] = { p1, p2 };
	struct sms_submit_req r = { .to = "+15551234" };
	struct sms_tpdu_buf parts[4];
	uint8_t mr = 10;
	uint16_t ref = 0xff;
	size_t n;
	char err[128];

	(void)state;
	memset(a200, 'a', 200);
	a200[200] = 0;
	r.text = (const uint8_t *)a200;
	r.text_len = 200;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ref, 0); /* 8-bit reference after 255 */
	assert_int_equal(mr, 12);
	assert_int_equal(parts[0].mr, 11);
	assert_int_equal(parts[1].mr, 12);
	/* first octet: TP-UDHI, SMS-SUBMIT; header 05 00 03 <ref> <total> <seq>; TP-UDL 160
	 * (7 header septets, one fill bit, 153 text septets) */
	assert_hex(parts[0].data, 17, "410B08915155214300" "00A0050003000201");
	memcpy(p1, a200, 153), p1[153] = 0;
	memcpy(p2, a200, 47), p2[47] = 0;
	check_parts(parts, n, false, 0, texts);
	assert_int_equal(parts[1].data[10], 7 + 47);

	/* an escape sequence is not cut: 151 + 2 septets do not fit in 152 */
	memset(a152e, 'a', 151);
	strcpy(a152e + 151, "€bbbbbbbb");
	r.text = (const uint8_t *)a152e;
	r.text_len = strlen(a152e);
	r.ref16 = true;
	ref = 0xfffe;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ref, 0xffff);
	/* 16-bit reference: header 06 08 04 FF FF 02 01 (8 septets), 151 text septets */
	assert_hex(parts[0].data, 18, "410D089151552143" "00009F060804FFFF0201");
	memcpy(p1, a152e, 151), p1[151] = 0;
	strcpy(p2, "€bbbbbbbb");
	check_parts(parts, n, true, 0xffff, texts);

	/* UCS-2: 66 units (132 octets) in part one, since the pair after them needs 4 */
	zh[0] = 0;
	for (int i = 0; i < 66; i++)
		strcat(zh, "ж");
	strcpy(p1, zh);
	strcpy(zh2, "\xf0\x9f\x98\x80жжжжж");
	strcat(zh, zh2);
	strcpy(p2, zh2);
	r.text = (const uint8_t *)zh;
	r.text_len = strlen(zh);
	r.ref16 = false;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	check_parts(parts, n, false, 0, texts);
	/* 70 UCS-2 characters fit in one part */
	zh[0] = 0;
	for (int i = 0; i < 70; i++)
		strcat(zh, "ж");
	r.text_len = strlen(zh);
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(parts[0].len, 11 + 140);

	/* refusals leave TP-MR and the reference alone */
	mr = 5, ref = 9;
	r.text = (const uint8_t *)a200;
	r.text_len = 200;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 1, &n, err, sizeof(err)), -EMSGSIZE);
	r.text = (const uint8_t *)"\xff";
	r.text_len = 1;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 4, &n, err, sizeof(err)), -EILSEQ);
	r.text = (const uint8_t *)"a\0b";
	r.text_len = 3;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 4, &n, err, sizeof(err)), -EILSEQ);
	r.text = (const uint8_t *)"x";
	r.text_len = 1;
	r.to = "bob";
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 4, &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(mr, 5);
	assert_int_equal(ref, 9);
	/* an empty text is one empty part */
	r.to = "+15551234";
	r.text_len = 0;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, parts, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(parts[0].data[parts[0].len - 1], 0);
}

static void user_data_header(void **state)
{
	struct sms_concat c;
	bool has;
	char err[128];

	(void)state;
	/* port addressing then concatenation */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x05\x04\x0b\x84\x23\xf0\x00\x03\x2a\x03\x02",
				       11, &has, &c, err, sizeof(err)), 0);
	assert_true(has);
	assert_int_equal(c.ref, 0x2a);
	assert_int_equal(c.total, 3);
	assert_int_equal(c.seq, 2);
	/* sequence 0 or past the total: the element is ignored (9.2.3.24.1) */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x00\x03\x2a\x03\x00", 5, &has, &c, err,
				       sizeof(err)), 0);
	assert_false(has);
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x00\x03\x2a\x03\x04", 5, &has, &c, err,
				       sizeof(err)), 0);
	assert_false(has);
	/* a repeated element: the last counts */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x00\x03\x01\x02\x01\x08\x04\x12\x34\x05\x05",
				       11, &has, &c, err, sizeof(err)), 0);
	assert_true(has);
	assert_true(c.ref16);
	assert_int_equal(c.ref, 0x1234);
	assert_int_equal(c.seq, 5);
	/* malformed: an element past the header, a cut element, a concatenation of 2 octets */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x00\x03\x2a\x03", 4, &has, &c, err,
				       sizeof(err)), -EBADMSG);
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x00", 1, &has, &c, err, sizeof(err)),
			 -EBADMSG);
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x00\x02\x2a\x03", 4, &has, &c, err,
				       sizeof(err)), -EBADMSG);
}

static void malformed(void **state)
{
	struct sms_deliver d;
	uint8_t b[300];
	char err[128];
	size_t n;
	uint64_t before = counter_get(COUNTER_SMS_TPDU_MALFORMED);

	(void)state;
	/* TP-UDL 161 septets */
	n = unhex("040BC87238880900F1000099309251619580A1E8329BFD4697D9EC37", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "TP-UDL 161"));
	/* TP-UDL 11 septets need 10 octets, 9 are there */
	n = unhex("040BC87238880900F10000993092516195800BE8329BFD4697D9EC37", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "past the end"));
	/* TP-UDHI with a header longer than the user data */
	n = unhex("440BC87238880900F1000099309251619580" "07" "0900032A030100", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), -EBADMSG);
	/* TP-UDHI with TP-UDL 0 */
	n = unhex("440BC87238880900F1000099309251619580" "00", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), -EBADMSG);
	/* cut inside the time stamp, an SMS-SUBMIT, nothing */
	n = unhex("040BC87238880900F1000099309251", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), -EBADMSG);
	n = unhex("11000B916407281553F80000AA0AE8329BFD4697D9EC37", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), -EBADMSG);
	assert_int_equal(sms_deliver_decode(b, 0, &d, err, sizeof(err)), -EBADMSG);
	assert_int_equal(counter_get(COUNTER_SMS_TPDU_MALFORMED), before + 7);
	/* 8-bit data is not text; UCS-2 of odd length */
	n = unhex("040BC87238880900F100049930925161958002CAFE", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), 0);
	assert_int_equal(d.ud.alphabet, SMS_ALPHABET_8BIT);
	assert_int_equal(sms_ud_text(&d.ud, (char *)b + 100, 100, NULL), -EPROTONOSUPPORT);
	n = unhex("040BC87238880900F10008993092516195800300410A", b);
	assert_int_equal(sms_deliver_decode(b, n, &d, err, sizeof(err)), 0);
	assert_int_equal(sms_ud_text(&d.ud, (char *)b + 100, 100, NULL), -EBADMSG);
}

static void reports(void **state)
{
	struct sms_submit_report r;
	uint8_t b[40];
	char err[128], when[40];
	size_t n;
	int l;

	(void)state;
	/* SMS-SUBMIT-REPORT for RP-ACK: TP-PI 0, TP-SCTS */
	n = unhex("0100" "99309251619580", b);
	assert_int_equal(sms_submit_report_decode(b, n, false, &r, err, sizeof(err)), 0);
	assert_false(r.has_fcs);
	assert_int_equal(sms_time_format(&r.scts, when, sizeof(when)), 0);
	assert_string_equal(when, "2099-03-29T15:16:59+02:00");
	/* for RP-ERROR: TP-FCS 0xC5 (SM rejected, duplicate) */
	n = unhex("01C500" "99309251619580", b);
	assert_int_equal(sms_submit_report_decode(b, n, true, &r, err, sizeof(err)), 0);
	assert_true(r.has_fcs);
	assert_int_equal(r.fcs, 0xc5);
	assert_int_equal(sms_submit_report_decode(b, 3, true, &r, err, sizeof(err)), -EBADMSG);
	/* SMS-DELIVER-REPORT: RP-ACK, and RP-ERROR with memory capacity exceeded */
	l = sms_deliver_report_encode(false, 0, b, sizeof(b));
	assert_hex(b, (size_t)l, "0000");
	l = sms_deliver_report_encode(true, SMS_FCS_MEMORY_EXCEEDED, b, sizeof(b));
	assert_hex(b, (size_t)l, "00D300");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gsm7_packing),
		cmocka_unit_test(gsm7_tables),
		cmocka_unit_test(ucs2),
		cmocka_unit_test(addresses),
		cmocka_unit_test(submit_hellohello),
		cmocka_unit_test(submit_decode_published),
		cmocka_unit_test(deliver_hellohello),
		cmocka_unit_test(deliver_published),
		cmocka_unit_test(deliver_concatenated),
		cmocka_unit_test(status_report),
		cmocka_unit_test(validity),
		cmocka_unit_test(submit_concatenated),
		cmocka_unit_test(user_data_header),
		cmocka_unit_test(malformed),
		cmocka_unit_test(reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
