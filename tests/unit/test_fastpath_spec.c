/* Operator flow specifications (nwitctl flow add): accepted forms and each refusal. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fastpath/fastpath_spec.h"

#define KEY80 "AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"

/* Parse a flat object built from "name", "value", ... NULL. */
static int parse(struct fastpath_spec *sp, char *err, ...)
{
	json_t *args = json_object();
	const char *k;
	va_list ap;
	int rc;

	va_start(ap, err);
	while ((k = va_arg(ap, const char *)))
		json_object_set_new(args, k, json_string(va_arg(ap, const char *)));
	va_end(ap);
	err[0] = '\0';
	rc = fastpath_spec_parse(args, sp, err, 256);
	json_decref(args);
	return rc;
}

static void full_srtp_to_rtp(void **state)
{
	struct fastpath_spec sp;
	char err[256];
	uint8_t a[4];

	(void)state;
	assert_int_equal(parse(&sp, err, "id", "7", "in", "lo", "hook", "tc",
			       "src", "192.0.2.1:5000", "dst", "192.0.2.2:6000",
			       "action", "srtp-to-rtp", "out_src", "198.51.100.1:7000",
			       "out_dst", "198.51.100.2:8000", "dscp", "ef", "pt", "111:96,0:8",
			       "ssrc", "0x1111,42", "key", KEY80, "roc", "3", NULL), 0);
	assert_int_equal(sp.flow.flow_id, 7);
	assert_int_equal(sp.hook, FASTPATH_HOOK_TC);
	assert_int_equal(sp.in_ifindex, 1);
	assert_int_equal(sp.key.family, NWIT_FAMILY_IPV4);
	inet_pton(AF_INET, "192.0.2.1", a);
	assert_memory_equal(sp.key.src, a, 4);
	assert_int_equal(ntohs(sp.key.sport), 5000);
	assert_int_equal(ntohs(sp.key.dport), 6000);
	assert_int_equal(sp.flow.action, NWIT_ACTION_SRTP_TO_RTP);
	inet_pton(AF_INET, "198.51.100.2", a);
	assert_memory_equal(sp.flow.out_dst, a, 4);
	assert_int_equal(ntohs(sp.flow.out_sport), 7000);
	assert_int_equal(sp.flow.dscp, 46);
	assert_true(sp.flow.flags & NWIT_FLOW_SET_DSCP);
	assert_true(sp.flow.flags & NWIT_FLOW_STRIP_EXT);	/* default towards IMS */
	assert_int_equal(sp.flow.out_ifindex, 0);
	assert_int_equal(sp.flow.pt_map[111], NWIT_PT_MAPPED | 96);
	assert_int_equal(sp.flow.pt_map[0], NWIT_PT_MAPPED | 8);
	assert_int_equal(sp.flow.pt_map[8], 0);
	assert_int_equal(sp.n_ssrcs, 2);
	assert_int_equal(sp.ssrcs[0], 0x1111);
	assert_int_equal(sp.ssrcs[1], 42);
	assert_int_equal(sp.roc, 3);
	assert_int_equal(sp.inline_key.suite, SRTP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(sp.inline_key.key[15], 15);
	assert_int_equal(sp.inline_key.salt[13], 29);
}

static void forward_v6_with_loopback_egress(void **state)
{
	struct fastpath_spec sp;
	char err[256];

	(void)state;
	assert_int_equal(parse(&sp, err, "id", "4095", "in", "lo", "src", "[2001:db8::1]:5000",
			       "dst", "[2001:db8::2]:6000", "action", "forward", "out", "lo",
			       "dscp", "34", NULL), 0);
	assert_int_equal(sp.hook, FASTPATH_HOOK_XDP);
	assert_int_equal(sp.key.family, NWIT_FAMILY_IPV6);
	assert_int_equal(sp.key.src[15], 1);
	assert_int_equal(sp.flow.out_ifindex, 1);
	assert_true(sp.flow.flags & NWIT_FLOW_EGRESS_L2);	/* loopback carries a header */
	assert_false(sp.flow.flags & NWIT_FLOW_STRIP_EXT);
	assert_int_equal(sp.flow.dscp, 34);
}

#define REFUSED(code, needle, ...)                                               \
	do {                                                                     \
		assert_int_equal(parse(&sp, err, __VA_ARGS__, NULL), code);      \
		if (!strstr(err, needle))                                        \
			fail_msg("reason \"%s\" lacks \"%s\"", err, needle);     \
	} while (0)

static void refusals(void **state)
{
	struct fastpath_spec sp;
	char err[256];
	json_t *not_object;

	(void)state;
	REFUSED(-EINVAL, "id", "in", "lo");
	REFUSED(-EINVAL, "id", "id", "0", "in", "lo");
	REFUSED(-EINVAL, "id", "id", "4096", "in", "lo");
	REFUSED(-EINVAL, "id", "id", "12x", "in", "lo");
	REFUSED(-EINVAL, "in", "id", "1");
	REFUSED(-ENODEV, "no device", "id", "1", "in", "nwit-no-such-dev");
	REFUSED(-EINVAL, "hook", "id", "1", "in", "lo", "hook", "kprobe");
	REFUSED(-EINVAL, "src", "id", "1", "in", "lo", "src", "192.0.2.1", "dst", "192.0.2.2:1",
		"action", "forward");
	REFUSED(-EINVAL, "src", "id", "1", "in", "lo", "src", "192.0.2.1:0", "dst",
		"192.0.2.2:1", "action", "forward");
	REFUSED(-EINVAL, "src", "id", "1", "in", "lo", "src", "192.0.2.1:65536", "dst",
		"192.0.2.2:1", "action", "forward");
	REFUSED(-EINVAL, "src", "id", "1", "in", "lo", "src", "[2001:db8::1:5000", "dst",
		"192.0.2.2:1", "action", "forward");
	REFUSED(-EINVAL, "same family", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"[2001:db8::2]:1", "action", "forward");
	REFUSED(-EINVAL, "action", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "encrypt");
	REFUSED(-ENODEV, "no device", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "forward", "out", "nwit-no-such-dev");
	REFUSED(-EINVAL, "out_dst", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "forward", "out_dst", "[2001:db8::2]:1");
	REFUSED(-EINVAL, "dscp", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "forward", "dscp", "64");
	REFUSED(-EINVAL, "pt", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "forward", "pt", "0:128");
	REFUSED(-EINVAL, "pt", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "forward", "pt", "0-8");
	REFUSED(-EINVAL, "ext", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "forward", "ext", "strip");
	REFUSED(-EINVAL, "ssrc", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "forward", "ssrc", "1,2,3,4,5,6,7,8,9");
	REFUSED(-EINVAL, "ssrc", "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
		"192.0.2.2:1", "action", "forward", "ssrc", "0x100000000");
	REFUSED(-EINVAL, "needs key and ssrc", "id", "1", "in", "lo", "src", "192.0.2.1:1",
		"dst", "192.0.2.2:1", "action", "rtp-to-srtp", "ssrc", "1");
	REFUSED(-EINVAL, "needs key and ssrc", "id", "1", "in", "lo", "src", "192.0.2.1:1",
		"dst", "192.0.2.2:1", "action", "rtp-to-srtp", "key", KEY80);
	assert_true(parse(&sp, err, "id", "1", "in", "lo", "src", "192.0.2.1:1", "dst",
			  "192.0.2.2:1", "action", "rtp-to-srtp", "ssrc", "1", "key",
			  "AES_CM_128_HMAC_SHA1_80 inline:AAEC", NULL) < 0);
	assert_non_null(strstr(err, "key"));
	not_object = json_string("x");
	assert_int_equal(fastpath_spec_parse(not_object, &sp, err, sizeof(err)), -EINVAL);
	json_decref(not_object);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_srtp_to_rtp),
		cmocka_unit_test(forward_v6_with_loopback_egress),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
