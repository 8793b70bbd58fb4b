/*
 * The software ISIM: a challenge built from TS 35.208 test set 1 (AUTN assembled by hand
 * from the published SQN, AK and f1), MAC failure, stale SQN and the AUTS round trip,
 * the TS 33.102 Annex C window, and the persisted SQN state (reload, corrupt file).
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

#include "aka/aka.h"
#include "core/hex.h"

/* TS 35.208 test set 1 */
#define K1 "465b5ce8b199b49faa5f0a2ee238a6bc"
#define OPC1 "cd63cb71954a9f4e48a5994e37a02baf"
#define RAND1 "23553cbe9637a89d218ae64dae47bf35"
/* SQN ff9bb4d0b607 xor AK aa689c648370 = 55f328b43577, AMF b9b9, MAC-A = f1 */
#define AUTN1 "55f328b43577b9b94a9ffac354dfafb3"
#define RES1 "a54211d5e3ba50bf"
#define CK1 "b40ba9a3c58b2a05bbf0d987b21bf8cb"
#define IK1 "f769bcd751044604127672711c6d3441"
#define SQN1 0xff9bb4d0b607ULL

struct fixture {
	char dir[64];
	char path[128];
	struct aka_soft_params params;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/nwit-aka.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/isim.sqn", f->dir);
	hex_decode(K1, f->params.k, 16);
	hex_decode(OPC1, f->params.opc, 16);
	f->params.state_path = f->path;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char tmp[140];

	unlink(f->path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
	unlink(tmp);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void set_initial(struct fixture *f, uint64_t sqn)
{
	f->params.has_initial_sqn = 1;
	for (int i = 5; i >= 0; i--, sqn >>= 8)
		f->params.initial_sqn[i] = (uint8_t)sqn;
}

static void expect_hex(const uint8_t *got, size_t len, const char *want)
{
	char buf[65];

	hex_encode(got, len, buf);
	assert_string_equal(buf, want);
}

static struct aka_provider *open_isim(struct fixture *f)
{
	char err[256] = "";
	struct aka_provider *p = aka_soft_new(&f->params, err, sizeof(err));

	if (!p)
		fail_msg("aka_soft_new: %s", err);
	return p;
}

static void set1_accepted_and_persisted(void **state)
{
	struct fixture *f = *state;
	uint8_t rand[16], autn[16];
	struct aka_result r;
	struct aka_provider *p;

	set_initial(f, SQN1 - 32);	/* same IND, SEQ one lower */
	p = open_isim(f);
	hex_decode(RAND1, rand, 16);
	hex_decode(AUTN1, autn, 16);
	assert_int_equal(aka_authenticate(p, rand, autn, &r), 0);
	assert_int_equal(r.status, AKA_STATUS_OK);
	assert_int_equal(r.res_len, 8);
	expect_hex(r.res, 8, RES1);
	expect_hex(r.ck, 16, CK1);
	expect_hex(r.ik, 16, IK1);
	assert_true(aka_soft_highest_sqn(p) == SQN1);

	/* The same challenge again is a replay: synchronisation failure. */
	assert_int_equal(aka_authenticate(p, rand, autn, &r), 0);
	assert_int_equal(r.status, AKA_STATUS_SYNC_FAILURE);
	aka_provider_free(p);

	/* After a restart the state comes from the file, not from the initial SQN. */
	p = open_isim(f);
	assert_true(aka_soft_highest_sqn(p) == SQN1);
	assert_int_equal(aka_authenticate(p, rand, autn, &r), 0);
	assert_int_equal(r.status, AKA_STATUS_SYNC_FAILURE);
	aka_provider_free(p);
}

static void mac_failure(void **state)
{
	struct fixture *f = *state;
	uint8_t rand[16], autn[16];
	struct aka_result r;
	struct aka_provider *p;

	set_initial(f, SQN1 - 32);
	p = open_isim(f);
	hex_decode(RAND1, rand, 16);
	hex_decode(AUTN1, autn, 16);
	autn[15] ^= 1;
	assert_int_equal(aka_authenticate(p, rand, autn, &r), 0);
	assert_int_equal(r.status, AKA_STATUS_MAC_FAILURE);
	/* nothing was accepted */
	assert_true(aka_soft_highest_sqn(p) == SQN1 - 32);
	aka_provider_free(p);
}

/* Stale SQN: AUTS carries SQN_MS; the network side recovers it and checks MAC-S. */
static void stale_sqn_auts_round_trip(void **state)
{
	struct fixture *f = *state;
	uint8_t rand[16], autn[16], sqn_ms[6];
	struct aka_result r;
	struct aka_provider *p;
	char hexbuf[13];

	set_initial(f, SQN1 + 32);	/* the ISIM already saw a newer SQN */
	p = open_isim(f);
	hex_decode(RAND1, rand, 16);
	hex_decode(AUTN1, autn, 16);
	assert_int_equal(aka_authenticate(p, rand, autn, &r), 0);
	assert_int_equal(r.status, AKA_STATUS_SYNC_FAILURE);
	assert_int_equal(aka_check_auts(f->params.k, f->params.opc, rand, r.auts, sqn_ms), 0);
	hex_encode(sqn_ms, 6, hexbuf);
	assert_string_equal(hexbuf, "ff9bb4d0b627");	/* SQN1 + 32 */
	/* AUTS's first part is SQN_MS xor AK* with AK* = f5* of set 1 (451e8beca43b) */
	expect_hex(r.auts, 6, "ba853f3c121c");
	r.auts[13] ^= 0x80;
	assert_int_equal(aka_check_auts(f->params.k, f->params.opc, rand, r.auts, sqn_ms),
			 -EBADMSG);

	/* The network resynchronises and sends SQN_MS + 32: accepted. */
	{
		uint8_t sqn[6], amf[2] = { 0xb9, 0xb9 };
		uint64_t v = SQN1 + 64;

		for (int i = 5; i >= 0; i--, v >>= 8)
			sqn[i] = (uint8_t)v;
		assert_int_equal(aka_make_autn(f->params.k, f->params.opc, rand, sqn, amf, autn), 0);
		assert_int_equal(aka_authenticate(p, rand, autn, &r), 0);
		assert_int_equal(r.status, AKA_STATUS_OK);
		expect_hex(r.res, 8, RES1);
	}
	aka_provider_free(p);
}

/* Annex C: other IND slots accept lower SEQs; a jump beyond delta is refused. */
static void window(void **state)
{
	struct fixture *f = *state;
	uint8_t rand[16], autn[16], sqn_b[6], amf[2] = { 0x80, 0x00 };
	struct aka_result r;
	struct aka_provider *p;
	const uint64_t base = 0x000000100000ULL;	/* SEQ 0x8000, IND 0 */
	const struct {
		uint64_t sqn;
		enum aka_status want;
	} steps[] = {
		{ base + 32 + 1, AKA_STATUS_OK },	/* SEQ +1, IND 1 */
		{ base - 32 * 5 + 2, AKA_STATUS_OK },	/* older SEQ but IND 2 unused: fine */
		{ base - 32 * 6 + 2, AKA_STATUS_SYNC_FAILURE },	/* IND 2: below the last one there */
		{ base + 32 * 3, AKA_STATUS_OK },	/* IND 0, above base */
		{ base + 32 * 3, AKA_STATUS_SYNC_FAILURE },	/* replay */
		{ base + 32 * (AKA_DELTA + 10), AKA_STATUS_SYNC_FAILURE },	/* too far */
	};

	set_initial(f, base);
	p = open_isim(f);
	hex_decode(RAND1, rand, 16);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint64_t v = steps[i].sqn;

		for (int j = 5; j >= 0; j--, v >>= 8)
			sqn_b[j] = (uint8_t)v;
		assert_int_equal(aka_make_autn(f->params.k, f->params.opc, rand, sqn_b, amf, autn),
				 0);
		assert_int_equal(aka_authenticate(p, rand, autn, &r), 0);
		if (r.status != steps[i].want)
			fail_msg("step %zu: %s, want %s", i, aka_status_name(r.status),
				 aka_status_name(steps[i].want));
	}
	aka_provider_free(p);
}

static void corrupt_state_refused(void **state)
{
	struct fixture *f = *state;
	char err[256] = "";
	FILE *out;

	out = fopen(f->path, "w");
	assert_non_null(out);
	fputs("nwit-isim-sqn 1\n0 zzzz\n", out);
	fclose(out);
	assert_null(aka_soft_new(&f->params, err, sizeof(err)));
	assert_non_null(strstr(err, "corrupt sequence number state"));

	out = fopen(f->path, "w");
	fputs("", out);
	fclose(out);
	assert_null(aka_soft_new(&f->params, err, sizeof(err)));

	/* SQN stored under the wrong IND */
	out = fopen(f->path, "w");
	fputs("nwit-isim-sqn 1\n3 000000000021\n", out);
	fclose(out);
	assert_null(aka_soft_new(&f->params, err, sizeof(err)));

	/* a valid file with one entry */
	out = fopen(f->path, "w");
	fputs("nwit-isim-sqn 1\n1 000000000021\n", out);
	fclose(out);
	{
		struct aka_provider *p = aka_soft_new(&f->params, err, sizeof(err));

		assert_non_null(p);
		assert_true(aka_soft_highest_sqn(p) == 0x21);
		aka_provider_free(p);
	}
}

static void unwritable_state_dir(void **state)
{
	struct fixture *f = *state;
	char err[256] = "";

	f->params.state_path = "/nonexistent-nwit-dir/isim.sqn";
	assert_null(aka_soft_new(&f->params, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot write"));
	f->params.state_path = f->path;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(set1_accepted_and_persisted, setup, teardown),
		cmocka_unit_test_setup_teardown(mac_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_sqn_auts_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(window, setup, teardown),
		cmocka_unit_test_setup_teardown(corrupt_state_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(unwritable_state_dir, setup, teardown),
	};

	return cmocka_run_group_tests_name("aka", tests, NULL, NULL);
}
