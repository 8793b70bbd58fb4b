/*
 * SMS over IP checked by an independent decoder: RP messages and TPDUs made by
 * userspace/lib/sms are carried in SIP MESSAGE bodies (Content-Type
 * application/vnd.3gpp.sms, TS 24.341) in a pcap, and Wireshark's gsm_a_rp and gsm_sms
 * dissectors (tshark) must read back the values the test put in: message types and
 * references, addresses, TP-SRR, the validity period, the concatenation header of each
 * part, the RP-Cause and TP-FCS, and the text in GSM 7-bit (with the extension table) and
 * UCS-2. Skipped (77) when tshark is not installed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sms/sms_rp.h"
#include "sms/sms_text.h"
#include "sms/sms_tpdu.h"

#define MAX_FRAMES 16
#define FIELDS                                                                        \
	X(RP_TYPE, "gsm_a.rp.msg_type")                                               \
	X(RP_MR, "gsm_a.rp.rp_message_reference")                                     \
	X(RP_CAUSE, "gsm_a.rp.cause")                                                 \
	X(TP_MTI, "gsm_sms.tp-mti")                                                   \
	X(TP_MR, "gsm_sms.tp-mr")                                                     \
	X(TP_DA, "gsm_sms.tp-da")                                                     \
	X(TP_OA, "gsm_sms.tp-oa")                                                     \
	X(TP_SRR, "gsm_sms.tp-srr")                                                   \
	X(TP_VP, "gsm_sms.vp.validity_period")                                        \
	X(TP_FCS, "gsm_sms.tp-fcs")                                                   \
	X(UDH_REF, "gsm_sms.udh.mm.msg_id")                                           \
	X(UDH_PARTS, "gsm_sms.udh.mm.msg_parts")                                      \
	X(UDH_PART, "gsm_sms.udh.mm.msg_part")                                        \
	X(TEXT, "gsm_sms.sms_text")

enum field {
#define X(id, name) F_##id,
	FIELDS
#undef X
	F__COUNT
};
static const char *const field_names[] = {
#define X(id, name) name,
	FIELDS
#undef X
};

struct frame {
	uint8_t body[SMS_RP_MAX];
	size_t len;
	const char *want[F__COUNT]; /* NULL: not checked */
};

static struct frame frames[MAX_FRAMES];
static size_t nframes;
static char got[MAX_FRAMES][F__COUNT][1024];

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

/* One IPv4/UDP datagram carrying a SIP MESSAGE with body, raw IP link type. */
static void write_frame(FILE *f, const uint8_t *body, size_t len, unsigned i)
{
	char sip[512];
	uint8_t pkt[2048];
	int h = snprintf(sip, sizeof(sip),
			 "MESSAGE sip:+27381000015@ims.example.net;user=phone SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%u\r\n"
			 "From: <sip:+15551230001@ims.example.net>;tag=%u\r\n"
			 "To: <sip:+27381000015@ims.example.net;user=phone>\r\n"
			 "Call-ID: sms%u@192.0.2.1\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n"
			 "Content-Type: application/vnd.3gpp.sms\r\nContent-Length: %zu\r\n\r\n",
			 i, i, i, len);
	size_t udp = 8 + (size_t)h + len, ip = 20 + udp;

	assert_true(h > 0 && ip <= sizeof(pkt));
	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(ip >> 8), pkt[3] = (uint8_t)ip;
	pkt[8] = 64, pkt[9] = 17;
	memcpy(pkt + 12, (uint8_t[]){ 192, 0, 2, 1, 192, 0, 2, 2 }, 8);
	pkt[20] = 0x13, pkt[21] = 0xc4, pkt[22] = 0x13, pkt[23] = 0xc4; /* 5060 */
	pkt[24] = (uint8_t)(udp >> 8), pkt[25] = (uint8_t)udp;
	memcpy(pkt + 28, sip, (size_t)h);
	memcpy(pkt + 28 + h, body, len);
	put32(f, i), put32(f, 0), put32(f, (uint32_t)ip), put32(f, (uint32_t)ip);
	fwrite(pkt, 1, ip, f);
}

/* Write the frames to a pcap, run tshark over it, and fill got[][]. */
static void run_tshark(void)
{
	char path[] = "/tmp/test_sms_tshark.XXXXXX", cmd[2048], line[8192];
	int fd = mkstemp(path), n = 0;
	FILE *f, *p;

	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	put32(f, 0xa1b2c3d4);
	fwrite((uint16_t[]){ 2, 4 }, 2, 2, f);
	put32(f, 0), put32(f, 0), put32(f, 65535), put32(f, 101); /* LINKTYPE_RAW */
	for (size_t i = 0; i < nframes; i++)
		write_frame(f, frames[i].body, frames[i].len, (unsigned)i + 1);
	assert_int_equal(fclose(f), 0);

	n = snprintf(cmd, sizeof(cmd),
		     "tshark -n -r %s -o gsm_sms.reassemble:FALSE -T fields -E separator=/t "
		     "-E occurrence=a -E aggregator='|' -e frame.number", path);
	for (int i = 0; i < F__COUNT; i++)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " -e %s", field_names[i]);
	snprintf(cmd + n, sizeof(cmd) - (size_t)n, " 2>/dev/null");
	p = popen(cmd, "r");
	assert_non_null(p);
	memset(got, 0, sizeof(got));
	while (fgets(line, sizeof(line), p)) {
		char *save, *tok;
		long fn;

		line[strcspn(line, "\n")] = 0;
		save = line;
		tok = strsep(&save, "\t");
		fn = strtol(tok, NULL, 10);
		if (fn < 1 || fn > (long)nframes)
			continue;
		for (int i = 0; i < F__COUNT && (tok = strsep(&save, "\t")); i++)
			snprintf(got[fn - 1][i], sizeof(got[0][0]), "%s", tok);
	}
	assert_int_equal(pclose(p), 0);
	unlink(path);
}

static void check_all(void)
{
	int bad = 0;

	run_tshark();
	for (size_t i = 0; i < nframes; i++)
		for (int k = 0; k < F__COUNT; k++) {
			if (!frames[i].want[k] || strcmp(frames[i].want[k], got[i][k]) == 0)
				continue;
			print_error("frame %zu: %s is \"%s\", wanted \"%s\"\n", i + 1,
				    field_names[k], got[i][k], frames[i].want[k]);
			bad++;
		}
	assert_int_equal(bad, 0);
}

static struct frame *add_rp(const struct sms_rp *rp)
{
	struct frame *f = &frames[nframes++];
	int n;

	assert_true(nframes <= MAX_FRAMES);
	memset(f->want, 0, sizeof(f->want));
	n = sms_rp_encode(rp, f->body, sizeof(f->body));
	assert_true(n > 0);
	f->len = (size_t)n;
	return f;
}

/* RP-DATA toward the SC +27381000015 with one TPDU. */
static struct frame *add_submit(uint8_t rp_mr, const struct sms_tpdu_buf *t)
{
	struct sms_rp rp = { .mti = SMS_RP_DATA_MS, .mr = rp_mr, .has_da = true,
			     .user_data = t->data, .user_data_len = t->len };

	assert_int_equal(sms_addr_parse("+27381000015", &rp.da), 0);
	return add_rp(&rp);
}

static int setup(void **state)
{
	(void)state;
	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		printf("skipped: tshark is not installed\n");
		exit(77);
	}
	nframes = 0;
	return 0;
}

static void submit_single(void **state)
{
	static const char ext[] = "Price: 5€ [ok] {x} ~|^\\ @£$¥ ÆØÅ ΔΩ";
	static const char ucs[] = "Grüße, Привет, 日本語 \xf0\x9f\x98\x80";
	struct sms_submit_req r = { .to = "+46708251358", .srr = true,
				    .validity_minutes = 4 * 24 * 60 };
	struct sms_tpdu_buf t[4];
	struct frame *f;
	uint8_t mr = 4;
	uint16_t ref = 0;
	size_t n;
	char err[128];

	(void)state;
	r.text = (const uint8_t *)"hellohello";
	r.text_len = 10;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, t, 4, &n, err, sizeof(err)), 0);
	f = add_submit(42, &t[0]);
	f->want[F_RP_TYPE] = "0x00"; /* RP-DATA (MS to network) */
	f->want[F_RP_MR] = "0x2a";
	f->want[F_TP_MTI] = "1";
	f->want[F_TP_MR] = "5";
	f->want[F_TP_DA] = "46708251358";
	f->want[F_TP_SRR] = "1";
	f->want[F_TP_VP] = "170"; /* 0xAA: 4 days */
	f->want[F_TEXT] = "hellohello";

	r.text = (const uint8_t *)ext;
	r.text_len = strlen(ext);
	r.srr = false;
	r.validity_minutes = 0;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, t, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	f = add_submit(43, &t[0]);
	f->want[F_TP_MR] = "6";
	f->want[F_TP_SRR] = "0";
	f->want[F_TP_VP] = "";
	f->want[F_TEXT] = ext;

	r.text = (const uint8_t *)ucs;
	r.text_len = strlen(ucs);
	r.to = "0708251358";
	assert_int_equal(sms_submit_text(&r, &mr, &ref, t, 4, &n, err, sizeof(err)), 0);
	f = add_submit(44, &t[0]);
	f->want[F_TP_MR] = "7";
	f->want[F_TP_DA] = "0708251358";
	f->want[F_TEXT] = ucs;
	check_all();
}

static void submit_concatenated(void **state)
{
	static char text[600], parts_text[4][400];
	struct sms_submit_req r = { .to = "+46708251358" };
	struct sms_tpdu_buf t[4];
	struct frame *f;
	uint8_t mr = 0xfe;
	uint16_t ref = 0x41;
	size_t n, o = 0;
	char err[128];

	(void)state;
	/* 400 characters with extension-table ones: 3 parts, none cutting an escape */
	for (int i = 0; o < 400; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s%03d ", i % 7 ? "" : "€", i);
	text[400] = 0;
	r.text = (const uint8_t *)text;
	r.text_len = 400;
	assert_int_equal(sms_submit_text(&r, &mr, &ref, t, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	/* what each part must hold: the text cut at 153 septets, € taking two */
	o = 0;
	for (size_t p = 0; p < n; p++) {
		size_t septets = 0, start = o;

		while (text[o] && septets + (text[o] == '\xe2' ? 2 : 1) <= 153) {
			septets += text[o] == '\xe2' ? 2 : 1;
			o += text[o] == '\xe2' ? 3 : 1;
		}
		memcpy(parts_text[p], text + start, o - start);
		parts_text[p][o - start] = 0;
	}
	assert_int_equal(text[o], 0);
	for (size_t p = 0; p < n; p++) {
		static const char *const mrs[] = { "255", "0", "1" }, *const seq[] = { "1", "2", "3" };

		f = add_submit((uint8_t)(100 + p), &t[p]);
		f->want[F_TP_MR] = mrs[p];
		f->want[F_UDH_REF] = "66"; /* 0x42 */
		f->want[F_UDH_PARTS] = "3";
		f->want[F_UDH_PART] = seq[p];
		f->want[F_TEXT] = parts_text[p];
	}
	check_all();
}

static void ucs2_concatenated_ref16(void **state)
{
	static char text[800], p1[400], p2[400];
	struct sms_submit_req r = { .to = "+46708251358", .ref16 = true };
	struct sms_tpdu_buf t[4];
	struct frame *f;
	uint8_t mr = 0;
	uint16_t ref = 0x1233;
	size_t n;
	char err[128];

	(void)state;
	/* 80 Cyrillic letters: 66 in part one (132 octets with a 16-bit reference), 14 after */
	text[0] = p1[0] = p2[0] = 0;
	for (int i = 0; i < 80; i++) {
		const char *c = i % 2 ? "ж" : "Я";

		strcat(text, c);
		strcat(i < 66 ? p1 : p2, c);
	}
	r.text = (const uint8_t *)text;
	r.text_len = strlen(text);
	assert_int_equal(sms_submit_text(&r, &mr, &ref, t, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	f = add_submit(1, &t[0]);
	f->want[F_UDH_REF] = "4660"; /* 0x1234 */
	f->want[F_UDH_PARTS] = "2";
	f->want[F_UDH_PART] = "1";
	f->want[F_TEXT] = p1;
	f = add_submit(2, &t[1]);
	f->want[F_UDH_PART] = "2";
	f->want[F_TEXT] = p2;
	check_all();
}

/* SMS-DELIVERs from public material (see test_sms_tpdu.c), read by tshark as by us */
static void deliver_published(void **state)
{
	static const struct {
		const char *hex, *oa, *text;
	} v[] = {
		{ "040B911346610089F60000208062917314080CC8F71D14969741F977FD07", "31641600986",
		  "How are you?" },
		{ "04048588883900216052618181234E41F71994CEBFDD67D091F9141641D32AB42825569FA011"
		  "088693B56633582E869381C279503B7C6E955B653C3C2D2F83E661900C1693B560B796AC068AD9"
		  "74B19A4E967301", "8888",
		  "Ang iyong GLOBE SUPERDUO # 082-3309182 ay mag-e-expire sa 2012-07-25 16:15:29." },
		{ "400B918406290000F4000002219221351140A005000363080140CCB7BCDC06A5E1F37A1B447EB3DF"
		  "72D03C4D0785DB653A0B347EBBE7E531BD4CAFCB4161721A9E9E8FD3EE33A8CC4ED35D206899CD2E"
		  "BBE9E579BC5E06D9D3F47019E42EC7EB6550F95C9ED3C37316C81CAE8FD3E2FA1C5496BFE7A0B49B"
		  "054A87C775767A0E4AC3E7F5B60B34ADCFE16537393D9F9741E4F4D99D9ECFD36D10FC2DA7D3D3",
		  "48609200004",
		  " Lorem ipsum dolor sit amet, consectetur adipiscing elit. Pellentesque vitae "
		  "neque egestas, faucibus eros in, iaculis ipsum. Suspendisse dignissim portti" },
	};
	struct sms_rp rp = { .mti = SMS_RP_DATA_NET, .has_oa = true };
	static uint8_t tpdu[3][SMS_TPDU_MAX];
	struct sms_deliver d;
	struct frame *f;
	char err[128], text[400];

	(void)state;
	assert_int_equal(sms_addr_parse("+27381000015", &rp.oa), 0);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].hex) / 2;

		for (size_t k = 0; k < n; k++)
			sscanf(v[i].hex + 2 * k, "%2hhx", &tpdu[i][k]);
		assert_int_equal(sms_deliver_decode(tpdu[i], n, &d, err, sizeof(err)), 0);
		assert_int_equal(sms_ud_text(&d.ud, text, sizeof(text), NULL), 0);
		assert_string_equal(text, v[i].text);
		assert_string_equal(d.oa.text, v[i].oa);
		rp.mr = (uint8_t)i;
		rp.user_data = tpdu[i];
		rp.user_data_len = n;
		f = add_rp(&rp);
		f->want[F_TP_MTI] = "0";
		f->want[F_TP_OA] = v[i].oa;
		f->want[F_TEXT] = v[i].text;
	}
	check_all();
}

static void deliver_and_answers(void **state)
{
	struct sms_deliver d = { .mms = true, .dcs = 0x00, .ud.alphabet = SMS_ALPHABET_GSM7 };
	uint8_t tpdu[SMS_TPDU_MAX], report[8];
	struct sms_rp rp = { .mti = SMS_RP_DATA_NET, .mr = 0x80, .has_oa = true };
	struct frame *f;
	int n;

	(void)state;
	assert_int_equal(sms_addr_parse("+15551230002", &d.oa), 0);
	d.scts = (struct sms_time){ 26, 12, 8, 1, 2, 3, 4 };
	assert_int_equal(sms_gsm7_from_utf8((const uint8_t *)"Meet at 10:30?", 14, d.ud.data,
					    sizeof(d.ud.data), &d.ud.len), 0);
	n = sms_deliver_encode(&d, tpdu, sizeof(tpdu));
	assert_true(n > 0);
	assert_int_equal(sms_addr_parse("+27381000015", &rp.oa), 0);
	rp.user_data = tpdu;
	rp.user_data_len = (size_t)n;
	f = add_rp(&rp);
	f->want[F_RP_TYPE] = "0x01";
	f->want[F_RP_MR] = "0x80";
	f->want[F_TP_MTI] = "0";
	f->want[F_TP_OA] = "15551230002";
	f->want[F_TEXT] = "Meet at 10:30?";

	/* RP-ACK with an SMS-DELIVER-REPORT */
	memset(&rp, 0, sizeof(rp));
	rp.mti = SMS_RP_ACK_MS;
	rp.mr = 0x80;
	rp.user_data = report;
	rp.user_data_len = (size_t)sms_deliver_report_encode(false, 0, report, sizeof(report));
	f = add_rp(&rp);
	f->want[F_RP_TYPE] = "0x02";
	f->want[F_RP_MR] = "0x80";
	f->want[F_TP_FCS] = "";

	/* RP-ERROR: memory capacity exceeded, with TP-FCS 0xD3 */
	rp.mti = SMS_RP_ERROR_MS;
	rp.mr = 0x81;
	rp.cause = SMS_RP_CAUSE_MEMORY_EXCEEDED;
	rp.user_data_len = (size_t)sms_deliver_report_encode(true, SMS_FCS_MEMORY_EXCEEDED,
							     report, sizeof(report));
	f = add_rp(&rp);
	f->want[F_RP_TYPE] = "0x04";
	f->want[F_RP_MR] = "0x81";
	f->want[F_RP_CAUSE] = "22";
	f->want[F_TP_FCS] = "0xd3";

	memset(&rp, 0, sizeof(rp));
	rp.mti = SMS_RP_SMMA;
	rp.mr = 0x82;
	f = add_rp(&rp);
	f->want[F_RP_TYPE] = "0x06";
	f->want[F_RP_MR] = "0x82";
	check_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(submit_single, setup),
		cmocka_unit_test_setup(submit_concatenated, setup),
		cmocka_unit_test_setup(ucs2_concatenated_ref16, setup),
		cmocka_unit_test_setup(deliver_published, setup),
		cmocka_unit_test_setup(deliver_and_answers, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
