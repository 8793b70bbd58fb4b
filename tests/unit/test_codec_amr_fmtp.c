/*
 * AMR / AMR-WB SDP parameters (RFC 4867 section 8.1) and the encoder's mode control:
 * the fmtp lines IMS networks and baresip send parse to their values; out-of-range
 * values, unknown modes, repeats and what we do not implement (crc, robust-sorting,
 * interleaving) are refused with their reasons; what we write parses back. Mode
 * control follows CMRs within the mode-set, mode-change-period and -neighbor.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec/amr_fmtp.h"
#include "codec/amr_mode.h"

static void parses(void **state)
{
	struct amr_fmtp f;
	char err[160] = "";

	(void)state;
	/* TS 26.114 / IR.92 style */
	assert_int_equal(amr_fmtp_parse(AMR_WB, "mode-change-capability=2;max-red=0", &f, err,
					sizeof(err)), 0);
	assert_false(f.octet_align);
	assert_int_equal(f.mode_set, 0);
	assert_int_equal(f.mode_change_capability, 2);
	assert_int_equal(f.mode_change_period, 1);
	assert_int_equal(f.max_red, 0);
	assert_int_equal(amr_fmtp_parse(AMR_NB, "octet-align=1; mode-set=0,2,5,7; "
					"mode-change-period=2; mode-change-neighbor=1; max-red=220",
					&f, err, sizeof(err)), 0);
	assert_true(f.octet_align);
	assert_int_equal(f.mode_set, 1 << 0 | 1 << 2 | 1 << 5 | 1 << 7);
	assert_int_equal(f.mode_change_period, 2);
	assert_int_equal(f.mode_change_neighbor, 1);
	assert_int_equal(f.max_red, 220);
	/* names are case-insensitive, unknown parameters and empty ones are ignored */
	assert_int_equal(amr_fmtp_parse(AMR_WB, "Octet-Align=1;; foo=bar ; mode-set=8 ;", &f, err,
					sizeof(err)), 0);
	assert_true(f.octet_align);
	assert_int_equal(f.mode_set, 1 << 8);
	assert_int_equal(amr_fmtp_parse(AMR_WB, "", &f, err, sizeof(err)), 0);
	assert_int_equal(f.max_red, -1);
	assert_int_equal(amr_fmtp_parse(AMR_NB, "crc=0; robust-sorting=0", &f, err, sizeof(err)), 0);
}

static void refuses(void **state)
{
	static const struct {
		enum amr_codec c;
		const char *fmtp;
		int rc;
		const char *says;
	} cases[] = {
		{ AMR_NB, "mode-set=8", -EINVAL, "not a mode of AMR" },
		{ AMR_WB, "mode-set=0,9", -EINVAL, "not a mode of AMR-WB" },
		{ AMR_WB, "mode-set=1,1", -EINVAL, "twice" },
		{ AMR_WB, "mode-set=1,", -EINVAL, "mode-set" },
		{ AMR_WB, "mode-set=a", -EINVAL, "mode-set" },
		{ AMR_WB, "octet-align=2", -EINVAL, "octet-align=2" },
		{ AMR_WB, "octet-align=", -EINVAL, "octet-align" },
		{ AMR_WB, "mode-change-period=3", -EINVAL, "mode-change-period" },
		{ AMR_WB, "mode-change-period=0", -EINVAL, "mode-change-period" },
		{ AMR_WB, "mode-change-capability=0", -EINVAL, "mode-change-capability" },
		{ AMR_WB, "mode-change-neighbor=2", -EINVAL, "mode-change-neighbor" },
		{ AMR_WB, "max-red=30", -EINVAL, "max-red" },
		{ AMR_WB, "max-red=65540", -EINVAL, "max-red" },
		{ AMR_WB, "max-red=-20", -EINVAL, "max-red" },
		{ AMR_WB, "octet-align=1; octet-align=1", -EINVAL, "twice" },
		{ AMR_WB, "octet-align", -EINVAL, "no value" },
		{ AMR_NB, "octet-align=1; crc=1", -ENOTSUP, "crc=1" },
		{ AMR_NB, "octet-align=1; robust-sorting=1", -ENOTSUP, "robust-sorting" },
		{ AMR_NB, "octet-align=1; interleaving=4", -ENOTSUP, "interleaving" },
	};
	struct amr_fmtp f;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		int rc = amr_fmtp_parse(cases[i].c, cases[i].fmtp, &f, err, sizeof(err));

		if (rc != cases[i].rc || !strstr(err, cases[i].says))
			fail_msg("\"%s\": %d \"%s\"", cases[i].fmtp, rc, err);
	}
}

static void writes(void **state)
{
	struct amr_fmtp f, g;
	struct amr_format fmt;
	char buf[160], err[160];

	(void)state;
	amr_fmtp_default(&f);
	assert_int_equal(amr_fmtp_format(&f, buf, sizeof(buf)), 0);
	f.octet_align = true;
	f.mode_set = 1 << 0 | 1 << 1 | 1 << 2;
	f.mode_change_capability = 2;
	f.max_red = 0;
	assert_true(amr_fmtp_format(&f, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "mode-set=0,1,2; octet-align=1; mode-change-capability=2; max-red=0");
	assert_int_equal(amr_fmtp_parse(AMR_WB, buf, &g, err, sizeof(err)), 0);
	assert_memory_equal(&f, &g, sizeof(f));
	assert_int_equal(amr_fmtp_format(&f, buf, 10), -ENOSPC);
	amr_fmtp_format_of(AMR_WB, &g, &fmt);
	assert_int_equal(fmt.codec, AMR_WB);
	assert_true(fmt.octet_align);
	assert_int_equal(fmt.mode_set, 7);
}

static void mode_control(void **state)
{
	struct amr_mode_ctl m;
	struct amr_fmtp f;

	(void)state;
	amr_fmtp_default(&f);
	amr_mode_init(&m, AMR_WB, &f);
	assert_int_equal(amr_mode_next(&m), 8); /* no mode-set, no request: the highest */
	f.mode_set = 1 << 0 | 1 << 2 | 1 << 5 | 1 << 7;
	amr_mode_init(&m, AMR_NB, &f);
	assert_int_equal(amr_mode_next(&m), 7);
	amr_mode_request(&m, 6); /* not above 6: 5 */
	assert_int_equal(amr_mode_next(&m), 5);
	amr_mode_request(&m, 1);
	assert_int_equal(amr_mode_next(&m), 0);
	amr_mode_request(&m, 9); /* not a mode: ignored */
	assert_int_equal(amr_mode_next(&m), 0);
	amr_mode_request(&m, 15);
	assert_int_equal(amr_mode_next(&m), 7);
	/* mode-change-neighbor: one step through the set per change */
	f.mode_change_neighbor = 1;
	amr_mode_init(&m, AMR_NB, &f);
	amr_mode_request(&m, 0);
	assert_int_equal(amr_mode_next(&m), 5);
	assert_int_equal(amr_mode_next(&m), 2);
	assert_int_equal(amr_mode_next(&m), 0);
	assert_int_equal(amr_mode_next(&m), 0);
	/* mode-change-period=2: changes only at even frame numbers */
	f.mode_change_neighbor = 0;
	f.mode_change_period = 2;
	amr_mode_init(&m, AMR_NB, &f);
	assert_int_equal(amr_mode_next(&m), 7); /* frame 0 */
	amr_mode_request(&m, 2);
	assert_int_equal(amr_mode_next(&m), 7); /* frame 1: no change */
	assert_int_equal(amr_mode_next(&m), 2); /* frame 2 */
	/* a request below the whole set: the lowest of the set */
	f.mode_set = 1 << 4 | 1 << 6;
	f.mode_change_period = 1;
	amr_mode_init(&m, AMR_WB, &f);
	amr_mode_request(&m, 1);
	assert_int_equal(amr_mode_next(&m), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses),
		cmocka_unit_test(refuses),
		cmocka_unit_test(writes),
		cmocka_unit_test(mode_control),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
