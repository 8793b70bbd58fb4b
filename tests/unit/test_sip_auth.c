/* Digest (RFC 2617 worked example), challenge parsing, base64 and the AKA nonce. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sip/sip_auth.h"

/* RFC 2617 section 3.5: the response for Mufasa / "Circle Of Life". */
static void rfc2617_example(void **state)
{
	char out[33];
	const char *pw = "Circle Of Life";

	(void)state;
	assert_int_equal(sip_auth_digest_response("Mufasa", "testrealm@host.com",
						  (const uint8_t *)pw, strlen(pw), "GET",
						  "/dir/index.html",
						  "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
						  "0a4f113b", "auth", out), 0);
	assert_string_equal(out, "6629fae49393a05397450978507c4ef1");
}

/* The same through challenge parsing and header building. */
static void rfc2617_example_header(void **state)
{
	struct sip_auth_challenge c;
	char hdr[SIP_AUTH_HEADER_MAX];
	const char *pw = "Circle Of Life";
	struct sip_auth_answer a = {
		.username = "Mufasa", .password = (const uint8_t *)pw, .password_len = strlen(pw),
		.method = "GET", .uri = "/dir/index.html", .nc = 1, .cnonce = "0a4f113b",
	};

	(void)state;
	assert_int_equal(sip_auth_parse_challenge(
		"Digest\r\n realm=\"testrealm@host.com\",\r\n qop=\"auth,auth-int\",\r\n"
		" nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
		" opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", &c), 0);
	assert_int_equal(c.alg, SIP_AUTH_ALG_MD5);
	assert_true(c.qop_auth);
	assert_true(c.has_opaque);
	assert_string_equal(c.realm, "testrealm@host.com");
	assert_true(sip_auth_build_authorization(&c, &a, hdr, sizeof(hdr)) > 0);
	assert_string_equal(hdr,
		"Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
		"response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, qop=auth, "
		"nc=00000001, cnonce=\"0a4f113b\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
	assert_int_equal(sip_auth_build_authorization(&c, &a, hdr, 40), -EMSGSIZE);
}

/* Without qop (RFC 2069 form): MD5(HA1:nonce:HA2), checked against a value computed by
 * hand with md5sum: HA1 = md5("alice:example.com:secret"), HA2 = md5("REGISTER:sip:example.com"). */
static void no_qop(void **state)
{
	char out[33];

	(void)state;
	assert_int_equal(sip_auth_digest_response("alice", "example.com",
						  (const uint8_t *)"secret", 6, "REGISTER",
						  "sip:example.com", "abc", NULL, NULL, NULL, out), 0);
	assert_string_equal(out, "dbe98f00688a08a2dbda0b12e8c71319");
}

static void aka_challenge(void **state)
{
	struct sip_auth_challenge c;
	uint8_t rand[16], autn[16];

	(void)state;
	/* base64 of 16 x 0x11 then 16 x 0x22 */
	assert_int_equal(sip_auth_parse_challenge(
		"Digest realm=\"ims.example.net\", algorithm=AKAv1-MD5, qop=\"auth\", "
		"nonce=\"ERERERERERERERERERERESIiIiIiIiIiIiIiIiIiIiI=\"", &c), 0);
	assert_int_equal(c.alg, SIP_AUTH_ALG_AKAV1_MD5);
	assert_int_equal(sip_auth_aka_nonce(c.nonce, rand, autn), 0);
	assert_int_equal(rand[0], 0x11);
	assert_int_equal(rand[15], 0x11);
	assert_int_equal(autn[0], 0x22);
	assert_int_equal(autn[15], 0x22);
	/* 31 bytes: too short for RAND and AUTN */
	assert_int_equal(sip_auth_aka_nonce("ERERERERERERERERERERESIiIiIiIiIiIiIiIiIiIg==", rand, autn),
			 -EBADMSG);
	assert_int_equal(sip_auth_aka_nonce("not base64!", rand, autn), -EINVAL);
	assert_int_equal(sip_auth_aka_nonce("", rand, autn), -EBADMSG);
}

static void bad_challenges(void **state)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
		{ "Basic realm=\"x\"", -EINVAL },
		{ "Digest", -EINVAL },
		{ "Digest nonce=\"n\"", -EINVAL },			/* no realm */
		{ "Digest realm=\"r\"", -EINVAL },			/* no nonce */
		{ "Digest realm=\"r\", nonce=\"n\", nonce=\"m\"", -EINVAL },
		{ "Digest realm=\"r\", nonce=\"n", -EINVAL },		/* unterminated */
		{ "Digest realm=\"r\" nonce=\"n\"", -EINVAL },		/* no comma */
		{ "Digest realm=\"r\", nonce=\"n\",", -EINVAL },
		{ "Digest realm=\"a\\\"b\", nonce=\"n\"", -EINVAL },	/* quote in a value */
		{ "Digest realm=\"a\x01\", nonce=\"n\"", -EINVAL },
		{ "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256", -ENOTSUP },
		{ "Digest realm=\"r\", nonce=\"n\", algorithm=AKAv2-MD5", -ENOTSUP },
		{ "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"", -ENOTSUP },
		{ "Digest realm=\"r\", nonce=\"n\", qop=\"auth\", =x", -EINVAL },
	};
	struct sip_auth_challenge c;
	char big[600];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = sip_auth_parse_challenge(cases[i].text, &c);

		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): got %d, want %d", i, cases[i].text, rc,
				 cases[i].rc);
	}
	snprintf(big, sizeof(big), "Digest realm=\"r\", nonce=\"%0500d\"", 0);
	assert_int_equal(sip_auth_parse_challenge(big, &c), -EMSGSIZE);
	/* unknown parameters, token values, stale, odd case */
	assert_int_equal(sip_auth_parse_challenge(
		"DIGEST REALM=r, Nonce=abc, stale=TRUE, foo=\"bar\", algorithm=md5", &c), 0);
	assert_true(c.stale);
	assert_false(c.qop_auth);
	assert_string_equal(c.nonce, "abc");
}

static void base64_round_trip(void **state)
{
	uint8_t in[40], out[40];
	char text[64];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 5);
	for (size_t n = 0; n <= sizeof(in); n++) {
		int w = sip_base64_encode(in, n, text, sizeof(text));

		assert_int_equal(w, (int)((n + 2) / 3 * 4));
		assert_int_equal(sip_base64_decode(text, (size_t)w, out, sizeof(out), &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(in, out, n);
	}
	assert_int_equal(sip_base64_encode((const uint8_t *)"foobar", 6, text, sizeof(text)), 8);
	assert_string_equal(text, "Zm9vYmFy");	/* RFC 4648 section 10 */
	assert_int_equal(sip_base64_decode("Zm9=YmFy", 8, out, sizeof(out), &len), -EINVAL);
	assert_int_equal(sip_base64_decode("Zm9vYmFy", 8, out, 5, &len), -EMSGSIZE);
	assert_int_equal(sip_base64_decode("Zg=", 3, out, sizeof(out), &len), -EINVAL);
}

static void initial_authorization(void **state)
{
	char hdr[200];

	(void)state;
	assert_true(sip_auth_build_initial("user@ims.example.net", "ims.example.net",
					   "sip:ims.example.net", hdr, sizeof(hdr)) > 0);
	assert_string_equal(hdr, "Digest username=\"user@ims.example.net\", "
			    "realm=\"ims.example.net\", nonce=\"\", uri=\"sip:ims.example.net\", "
			    "response=\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc2617_example),
		cmocka_unit_test(rfc2617_example_header),
		cmocka_unit_test(no_qop),
		cmocka_unit_test(aka_challenge),
		cmocka_unit_test(bad_challenges),
		cmocka_unit_test(base64_round_trip),
		cmocka_unit_test(initial_authorization),
	};

	return cmocka_run_group_tests_name("sip_auth", tests, NULL, NULL);
}
