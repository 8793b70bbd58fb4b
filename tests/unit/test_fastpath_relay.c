/* Operator flows as userspace relay flows: the pairing rule and the relay description. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fastpath/fastpath_relay.h"

/* key||salt = bytes 0..29 and 100..129 */
#define KEY_A "AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
#define KEY_B "AES_CM_128_HMAC_SHA1_80 inline:ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CB"
#define KEY_B32 "AES_CM_128_HMAC_SHA1_32 inline:ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CB"

static int parse(struct fastpath_spec *sp, ...)
{
	json_t *args = json_object();
	const char *k;
	char err[256];
	va_list ap;
	int rc;

	va_start(ap, sp);
	while ((k = va_arg(ap, const char *)))
		json_object_set_new(args, k, json_string(va_arg(ap, const char *)));
	va_end(ap);
	rc = fastpath_spec_parse(args, sp, err, sizeof(err));
	json_decref(args);
	return rc;
}

/* browser 192.0.2.10:5000 <-> 192.0.2.1:6000 gateway 198.51.100.1:7000 <-> 198.51.100.20:8000 ims */
static void to_ims(struct fastpath_spec *sp, const char *out_dst)
{
	assert_int_equal(parse(sp, "id", "1", "in", "lo", "src", "192.0.2.10:5000",
			       "dst", "192.0.2.1:6000", "action", "srtp-to-rtp",
			       "out_src", "198.51.100.1:7000", "out_dst", out_dst, "dscp", "ef",
			       "pt", "111:0", "ssrc", "0x1111", "key", KEY_A, NULL), 0);
}

static void to_browser(struct fastpath_spec *sp, const char *src, const char *key)
{
	assert_int_equal(parse(sp, "id", "2", "in", "lo", "src", src,
			       "dst", "198.51.100.1:7000", "action", "rtp-to-srtp",
			       "out_src", "192.0.2.1:6000", "out_dst", "192.0.2.10:5000",
			       "pt", "0:111", "ssrc", "0x2222", "key", key, NULL), 0);
}

static void expect_ep(const struct sockaddr_storage *ss, const char *ip, unsigned int port)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	struct in_addr a;

	inet_pton(AF_INET, ip, &a);
	assert_int_equal(ss->ss_family, AF_INET);
	assert_int_equal(s4->sin_addr.s_addr, a.s_addr);
	assert_int_equal(ntohs(s4->sin_port), port);
}

static void bytes_from(uint8_t *b, size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(first + i);
}

static void pairing_rule(void **state)
{
	struct fastpath_spec a, b, c;

	(void)state;
	to_ims(&a, "198.51.100.20:8000");
	to_browser(&b, "198.51.100.20:8000", KEY_B);
	to_browser(&c, "198.51.100.20:8002", KEY_B);	/* ims sends from another port */
	assert_true(fastpath_spec_is_reverse(&a, &b));
	assert_true(fastpath_spec_is_reverse(&b, &a));
	assert_false(fastpath_spec_is_reverse(&a, &c));
	assert_false(fastpath_spec_is_reverse(&a, &a));	/* same direction twice */
	b.flow.action = NWIT_ACTION_SRTP_TO_RTP;	/* both unprotect: no pair */
	assert_false(fastpath_spec_is_reverse(&a, &b));
	assert_int_equal(fastpath_spec_relay_in_side(&a), RELAY_SIDE_BROWSER);
	assert_int_equal(fastpath_spec_relay_in_side(&c), RELAY_SIDE_IMS);
}

static void one_way_description(void **state)
{
	struct relay_flow_desc d;
	struct fastpath_spec a;
	uint8_t key[16], salt[14];
	char err[256];

	(void)state;
	to_ims(&a, "198.51.100.20:8000");
	assert_int_equal(fastpath_spec_relay_desc(&a, NULL, &d, err, sizeof(err)), 0);
	expect_ep(&d.side[RELAY_SIDE_BROWSER].local[0], "192.0.2.1", 6000);
	expect_ep(&d.side[RELAY_SIDE_BROWSER].remote[0], "192.0.2.10", 5000);
	expect_ep(&d.side[RELAY_SIDE_IMS].local[0], "198.51.100.1", 7000);
	expect_ep(&d.side[RELAY_SIDE_IMS].remote[0], "198.51.100.20", 8000);
	assert_int_equal(d.side[RELAY_SIDE_BROWSER].suite, SRTP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(d.side[RELAY_SIDE_IMS].suite, SRTP_SUITE_INVALID);
	bytes_from(key, sizeof(key), 0);
	bytes_from(salt, sizeof(salt), 16);
	assert_memory_equal(d.side[RELAY_SIDE_BROWSER].in_key, key, 16);
	assert_memory_equal(d.side[RELAY_SIDE_BROWSER].in_salt, salt, 14);
	assert_true(d.side[RELAY_SIDE_BROWSER].rtcp_mux && d.side[RELAY_SIDE_IMS].rtcp_mux);
	/* one-way: nothing comes back from ims; the rewrite applies to what goes there */
	assert_true(d.side[RELAY_SIDE_IMS].no_rx);
	assert_false(d.side[RELAY_SIDE_BROWSER].no_rx);
	assert_int_equal(d.side[RELAY_SIDE_IMS].dscp, 46);
	assert_true(d.side[RELAY_SIDE_IMS].strip_ext);
	assert_int_equal(d.side[RELAY_SIDE_IMS].pt_map[111], RELAY_PT_MAPPED | 0);
}

static void pair_description(void **state)
{
	struct relay_flow_desc d;
	struct fastpath_spec a, b;
	uint8_t key_a[16], key_b[16];
	char err[256];

	(void)state;
	to_ims(&a, "198.51.100.20:8000");
	to_browser(&b, "198.51.100.20:8000", KEY_B);
	assert_int_equal(fastpath_spec_relay_desc(&b, &a, &d, err, sizeof(err)), 0);
	bytes_from(key_a, sizeof(key_a), 0);
	bytes_from(key_b, sizeof(key_b), 100);
	assert_memory_equal(d.side[RELAY_SIDE_BROWSER].in_key, key_a, 16);
	assert_memory_equal(d.side[RELAY_SIDE_BROWSER].out_key, key_b, 16);
	assert_false(d.side[RELAY_SIDE_BROWSER].no_rx || d.side[RELAY_SIDE_IMS].no_rx);
	expect_ep(&d.side[RELAY_SIDE_BROWSER].local[0], "192.0.2.1", 6000);
	expect_ep(&d.side[RELAY_SIDE_IMS].remote[0], "198.51.100.20", 8000);
	assert_int_equal(d.side[RELAY_SIDE_IMS].pt_map[111], RELAY_PT_MAPPED | 0);
	assert_int_equal(d.side[RELAY_SIDE_BROWSER].pt_map[0], RELAY_PT_MAPPED | 111);
	assert_false(d.side[RELAY_SIDE_BROWSER].strip_ext);
	assert_int_equal(d.side[RELAY_SIDE_BROWSER].dscp, 0);
	/* and the relay takes it */
	struct relay_flow *f = relay_flow_new(&d);
	assert_non_null(f);
	relay_flow_free(f);
}

static void refusals(void **state)
{
	struct relay_flow_desc d;
	struct fastpath_spec a, b, c;
	char err[256];

	(void)state;
	to_ims(&a, "198.51.100.20:8000");
	to_browser(&b, "198.51.100.20:8000", KEY_B32);
	err[0] = '\0';
	assert_int_equal(fastpath_spec_relay_desc(&a, &b, &d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "suites"));
	to_browser(&b, "198.51.100.20:8002", KEY_B);
	assert_int_equal(fastpath_spec_relay_desc(&a, &b, &d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "reverse"));
	assert_int_equal(parse(&c, "id", "3", "in", "lo", "src", "192.0.2.10:5000",
			       "dst", "192.0.2.1:6000", "action", "srtp-to-rtp", "ssrc", "1",
			       "key", KEY_A, NULL), 0);
	assert_int_equal(fastpath_spec_relay_desc(&c, NULL, &d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "out_src and out_dst"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pairing_rule),
		cmocka_unit_test(one_way_description),
		cmocka_unit_test(pair_description),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
