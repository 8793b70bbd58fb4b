/*
 * Our AMR / AMR-WB payloads as an independent parser reads them: Wireshark's AMR
 * dissector (tshark). Payloads of random frame types, Q bits, CMRs and one to four
 * frames are built in both modes for both codecs, written to a pcap as RTP, and
 * tshark's CMR, F, FT and Q fields must be what we built, with no expert warnings (it
 * checks the bandwidth-efficient padding and the payload length against the ToC).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/amr_payload.h"
#include "codec/rtp_map.h"
#include "codec_testutil.h"

#define PACKETS 60

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = test_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }
static void put16(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }

/* Ethernet + IPv4 + UDP 5004 -> 5004 around an RTP packet */
static void pcap_packet(FILE *f, unsigned i, const uint8_t *rtp, size_t len)
{
	uint8_t h[42] = { 0 };
	size_t ip_len = 20 + 8 + len;

	h[12] = 0x08;
	h[14] = 0x45;
	h[16] = (uint8_t)(ip_len >> 8), h[17] = (uint8_t)ip_len;
	h[22] = 64, h[23] = 17;
	h[26] = 127, h[29] = 1, h[30] = 127, h[33] = 1;
	h[34] = 0x13, h[35] = 0x8c, h[36] = 0x13, h[37] = 0x8c; /* 5004 */
	h[38] = (uint8_t)((8 + len) >> 8), h[39] = (uint8_t)(8 + len);
	put32(f, i), put32(f, 0), put32(f, (uint32_t)(42 + len)), put32(f, (uint32_t)(42 + len));
	fwrite(h, 1, sizeof(h), f);
	fwrite(rtp, 1, len, f);
}

struct built {
	unsigned cmr, n, f[4], ft[4], q[4];
};

static unsigned pick_ft(enum amr_codec c)
{
	for (;;) {
		unsigned ft = (unsigned)(rand() % 16);

		if (amr_ft_bits(c, ft) >= 0)
			return ft;
	}
}

/* "1,0" -> {1, 0}; return how many */
static unsigned list(const char *s, unsigned *v)
{
	unsigned n = 0;

	while (*s && *s != '\t' && n < 8) {
		v[n++] = (unsigned)strtoul(s, (char **)&s, 10);
		if (*s == ',')
			s++;
	}
	return n;
}

static void against_tshark(enum amr_codec c, bool oa)
{
	const struct amr_format fmt = { c, oa, 0 };
	const char *w = c == AMR_WB ? "wb" : "nb";
	static struct built b[PACKETS];
	char path[128], cmd[800], line[512], err[160];
	uint8_t pkt[1500];
	unsigned i = 0;
	FILE *f, *p;

	if (!have_tool("tshark")) {
		fprintf(stderr, "# tshark is not installed (scripts/install-deps.sh installs it)\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/amr-%s-%s.pcap", dir, w, oa ? "oa" : "be");
	f = fopen(path, "wb");
	assert_non_null(f);
	put32(f, 0xa1b2c3d4), put16(f, 2), put16(f, 4), put32(f, 0), put32(f, 0);
	put32(f, 65535), put32(f, 1);
	srand(c * 2 + oa);
	for (i = 0; i < PACKETS; i++) {
		struct amr_payload pl;
		int n;

		memset(&pl, 0, sizeof(pl));
		pl.cmr = (uint8_t)(rand() % 4 ? (unsigned)rand() % amr_modes(c) : AMR_CMR_NONE);
		pl.nframes = 1 + (unsigned)rand() % 4;
		b[i].cmr = pl.cmr;
		b[i].n = pl.nframes;
		for (unsigned k = 0; k < pl.nframes; k++) {
			pl.frame[k].ft = (uint8_t)pick_ft(c);
			pl.frame[k].q = (uint8_t)(rand() % 5 != 0);
			for (unsigned j = 0; j < AMR_MAX_FRAME_BYTES; j++)
				pl.frame[k].data[j] = (uint8_t)rand();
			b[i].f[k] = k + 1 < pl.nframes;
			b[i].ft[k] = pl.frame[k].ft;
			b[i].q[k] = pl.frame[k].q;
		}
		rtp_header_write(pkt, 96, false, (uint16_t)i, i * 320, 0x1234);
		n = amr_payload_build(&fmt, &pl, pkt + 12, sizeof(pkt) - 12, err, sizeof(err));
		if (n < 0)
			fail_msg("build: %s", err);
		pcap_packet(f, i, pkt, 12 + (size_t)n);
	}
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "tshark -r %s -o 'amr.encoding.version:RFC 3267 %s' -o 'amr.mode:%s AMR' "
		 "-d udp.port==5004,rtp -d rtp.pt==96,amr -T fields -e amr.%s.cmr -e amr.toc.f "
		 "-e amr.%s.toc.ft -e amr.toc.q -e _ws.expert.message 2>/dev/null",
		 path, oa ? "octet aligned" : "BW-efficient", c == AMR_WB ? "Wideband" : "Narrowband",
		 w, w);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (i = 0; fgets(line, sizeof(line), p); i++) {
		unsigned v[4][8], n[4] = { 0 };
		char *s = line, *expert;

		assert_true(i < PACKETS);
		for (int k = 0; k < 4; k++) {
			n[k] = list(s, v[k]);
			s = strchr(s, '\t');
			assert_non_null(s);
			s++;
		}
		expert = s;
		expert[strcspn(expert, "\n")] = 0;
		if (n[0] != 1 || v[0][0] != b[i].cmr || n[1] != b[i].n || n[2] != b[i].n ||
		    n[3] != b[i].n || *expert)
			fail_msg("packet %u: tshark says \"%s\"", i, line);
		for (unsigned k = 0; k < b[i].n; k++)
			if (v[1][k] != b[i].f[k] || v[2][k] != b[i].ft[k] || v[3][k] != b[i].q[k])
				fail_msg("packet %u frame %u: tshark F %u FT %u Q %u, built %u %u %u", i, k,
					 v[1][k], v[2][k], v[3][k], b[i].f[k], b[i].ft[k], b[i].q[k]);
	}
	pclose(p);
	assert_int_equal(i, PACKETS);
}

static void wb_oa(void **s) { (void)s; against_tshark(AMR_WB, true); }
static void wb_be(void **s) { (void)s; against_tshark(AMR_WB, false); }
static void nb_oa(void **s) { (void)s; against_tshark(AMR_NB, true); }
static void nb_be(void **s) { (void)s; against_tshark(AMR_NB, false); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wb_oa),
		cmocka_unit_test(wb_be),
		cmocka_unit_test(nb_oa),
		cmocka_unit_test(nb_be),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
