/*
 * G.711 against sox's implementation: every input G.711 defines (14-bit samples for
 * mu-law, 13-bit for A-law, given as 16-bit samples whose low bits are zero: sox rounds
 * other 16-bit samples to that precision first, we truncate, as the reference code of
 * G.711's Sun implementation does) encoded, and every one of the 256 codes decoded,
 * compared octet for octet and sample for sample with what sox writes.
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

#include "codec/g711.h"
#include "codec_testutil.h"

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

static size_t slurp(const char *path, void *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void spit(const char *path, const void *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void against_sox(int alaw)
{
	static int16_t all[65536], dec[256], ref_dec[256 + 16];
	static uint8_t ref[65536 + 16], codes[256];
	const char *t = alaw ? "al" : "ul";
	char in[128], out[128], cmd[512];

	if (!have_tool("sox")) {
		fprintf(stderr, "# sox is not installed (scripts/install-deps.sh installs it)\n");
		skip();
	}
	for (int i = 0; i < 65536; i++)
		all[i] = (int16_t)((i - 32768) & (alaw ? ~7 : ~3));
	snprintf(in, sizeof(in), "%s/all.s16", dir);
	snprintf(out, sizeof(out), "%s/all.%s", dir, t);
	spit(in, all, sizeof(all));
	snprintf(cmd, sizeof(cmd), "sox -D -t s16 -r 8000 -c 1 %s -t %s %s", in, t, out);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(slurp(out, ref, sizeof(ref)), 65536);
	for (int i = 0; i < 65536; i++) {
		uint8_t mine = alaw ? g711_alaw_encode(all[i]) : g711_ulaw_encode(all[i]);

		if (mine != ref[i])
			fail_msg("%s encode %d: 0x%02x, sox 0x%02x", t, all[i], mine, ref[i]);
	}
	for (int i = 0; i < 256; i++)
		codes[i] = (uint8_t)i;
	snprintf(in, sizeof(in), "%s/codes.%s", dir, t);
	snprintf(out, sizeof(out), "%s/codes.s16", dir);
	spit(in, codes, sizeof(codes));
	snprintf(cmd, sizeof(cmd), "sox -D -t %s -r 8000 -c 1 %s -t s16 %s", t, in, out);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(slurp(out, ref_dec, sizeof(ref_dec)), 512);
	g711_decode(alaw, codes, 256, dec);
	for (int i = 0; i < 256; i++)
		if (dec[i] != ref_dec[i])
			fail_msg("%s decode 0x%02x: %d, sox %d", t, i, dec[i], ref_dec[i]);
}

static void ulaw(void **state) { (void)state; against_sox(0); }
static void alaw(void **state) { (void)state; against_sox(1); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ulaw),
		cmocka_unit_test(alaw),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
