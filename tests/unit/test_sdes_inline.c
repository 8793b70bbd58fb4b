/*
 * RFC 4568 inline keys: the RFC's own example key, round trips through the formatter,
 * and every kind of refusal with its error code. Expected bytes were decoded with an
 * independent base64 implementation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/hex.h"
#include "sdp/sdes_inline.h"

#define RFC_KEY "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
#define B3_KEY "4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqvm"

static int parse(const char *s, struct sdes_inline_key *k)
{
	const char *why = NULL;
	int rc = sdes_inline_parse(s, strlen(s), k, &why);

	assert_true(rc == 0 ? why == NULL : why != NULL);
	return rc;
}

static int parse_attr(const char *s, struct sdes_inline_key *k)
{
	const char *why = NULL;
	int rc = sdes_crypto_attr_parse(s, strlen(s), k, &why);

	assert_true(rc == 0 ? why == NULL : why != NULL);
	return rc;
}

static void expect_rfc_key(const struct sdes_inline_key *k)
{
	uint8_t key[16], salt[14];

	assert_int_equal(hex_decode("3d2d6e40255e7821426a75667239293f", key, 16), 0);
	assert_int_equal(hex_decode("2c2335685c603d265d7b71695051", salt, 14), 0);
	assert_memory_equal(k->key, key, 16);
	assert_memory_equal(k->salt, salt, 14);
}

static void rfc_example_key(void **state)
{
	struct sdes_inline_key k;

	(void)state;
	assert_int_equal(parse("AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, &k), 0);
	assert_int_equal(k.suite, SRTP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(k.lifetime, 0);
	expect_rfc_key(&k);
	assert_int_equal(parse("AES_CM_128_HMAC_SHA1_32\tinline:" RFC_KEY "|2^20", &k), 0);
	assert_int_equal(k.suite, SRTP_SUITE_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(k.lifetime, 1048576);
	expect_rfc_key(&k);
	assert_int_equal(parse("  AES_CM_128_HMAC_SHA1_80   INLINE:" RFC_KEY "|1000000 ", &k), 0);
	assert_int_equal(k.lifetime, 1000000);
}

static void attribute_form(void **state)
{
	struct sdes_inline_key k;

	(void)state;
	assert_int_equal(parse_attr("1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20", &k), 0);
	assert_int_equal(k.tag, 1);
	expect_rfc_key(&k);
	assert_int_equal(parse_attr("123456789 AES_CM_128_HMAC_SHA1_32 inline:" RFC_KEY
				    " KDR=0 WSH=128", &k), 0);
	assert_int_equal(k.tag, 123456789);
	/* The RFC 4568 section 4 example itself uses an MKI: refused, not misread. */
	assert_int_equal(parse_attr("1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|1:4", &k),
			 -ENOTSUP);
	assert_int_equal(parse_attr("1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " KDR=1", &k),
			 -ENOTSUP);
	assert_int_equal(parse_attr("1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY
				    " UNENCRYPTED_SRTP", &k), -ENOTSUP);
	assert_int_equal(parse_attr("1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " WSH=10", &k),
			 -EINVAL);
	assert_int_equal(parse_attr("1234567890 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, &k),
			 -EINVAL);
	assert_int_equal(parse_attr("x AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, &k), -EINVAL);
	assert_int_equal(parse_attr("1AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, &k), -EINVAL);
}

static void refusals(void **state)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
		{ "", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 ", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 key:" RFC_KEY, -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80inline:" RFC_KEY, -ENOTSUP },
		{ "AES_CM_256_HMAC_SHA1_80 inline:" RFC_KEY, -ENOTSUP },
		{ "AEAD_AES_128_GCM inline:" RFC_KEY, -ENOTSUP },
		{ "F8_128_HMAC_SHA1_80 inline:" RFC_KEY, -ENOTSUP },
		/* base64: bad character, short, long, padding, base64url alphabet */
		{ "AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB!", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBRAAAA", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaV==", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB_", -EINVAL },
		/* lifetimes */
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|0", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^49", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|281474976710657", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|99999999999999999999999", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|-5", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|2^20", -EINVAL },
		/* MKI: well-formed ones are unsupported, malformed ones are errors */
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|1:4", -ENOTSUP },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|1:4", -ENOTSUP },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|1:0", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|1:129", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|:4", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|1:4|2^20", -EINVAL },
		/* several keys, trailing text */
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY ";inline:" RFC_KEY, -ENOTSUP },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " KDR=0", -EINVAL },
		{ "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\n", -EINVAL },
	};
	struct sdes_inline_key k;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("# %s\n", cases[i].text);
		memset(&k, 0x55, sizeof(k));
		assert_int_equal(parse(cases[i].text, &k), cases[i].rc);
		/* nothing of a refused key is left behind */
		assert_int_equal(k.suite, SRTP_SUITE_INVALID);
		for (size_t j = 0; j < sizeof(k.key); j++)
			assert_int_equal(k.key[j], 0);
	}
}

/* Not NUL-terminated input: the parser stays inside len. */
static void length_bounded(void **state)
{
	const char *s = "AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20 trailing";
	struct sdes_inline_key k;

	(void)state;
	assert_int_equal(sdes_inline_parse(s, strlen(s) - 9, &k, NULL), 0);
	assert_int_equal(k.lifetime, 1u << 20);
	assert_int_equal(sdes_inline_parse(s, strlen(s), &k, NULL), -EINVAL);
	assert_int_equal(sdes_inline_parse(s, 30, &k, NULL), -EINVAL);
}

static void format_known(void **state)
{
	struct sdes_inline_key k;
	char out[SDES_INLINE_MAX];

	(void)state;
	memset(&k, 0, sizeof(k));
	k.suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
	assert_int_equal(hex_decode("E1F97A0D3E018BE0D64FA32C06DE4139", k.key, 16), 0);
	assert_int_equal(hex_decode("0EC675AD498AFEEBB6960B3AABE6", k.salt, 14), 0);
	assert_int_equal(sdes_inline_format(&k, out, sizeof(out)),
			 (int)strlen("AES_CM_128_HMAC_SHA1_80 inline:" B3_KEY));
	assert_string_equal(out, "AES_CM_128_HMAC_SHA1_80 inline:" B3_KEY);
	k.lifetime = 1u << 31;
	k.tag = 7;
	k.suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_32;
	assert_true(sdes_crypto_attr_format(&k, out, sizeof(out)) > 0);
	assert_string_equal(out, "7 AES_CM_128_HMAC_SHA1_32 inline:" B3_KEY "|2^31");
	k.lifetime = 1000;
	assert_true(sdes_inline_format(&k, out, sizeof(out)) > 0);
	assert_string_equal(out, "AES_CM_128_HMAC_SHA1_32 inline:" B3_KEY "|1000");
	assert_int_equal(sdes_inline_format(&k, out, 20), -ENOSPC);
	k.suite = SRTP_SUITE_INVALID;
	assert_int_equal(sdes_inline_format(&k, out, sizeof(out)), -EINVAL);
}

static void round_trip(void **state)
{
	struct sdes_inline_key k, back;
	char out[SDES_INLINE_MAX];

	(void)state;
	for (unsigned int i = 0; i < 200; i++) {
		memset(&k, 0, sizeof(k));
		k.suite = i & 1 ? SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 : SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
		for (unsigned int j = 0; j < 16; j++)
			k.key[j] = (uint8_t)(i * 31 + j * 7);
		for (unsigned int j = 0; j < 14; j++)
			k.salt[j] = (uint8_t)(i * 17 + j * 13);
		k.lifetime = i % 3 == 0 ? 0 : i % 3 == 1 ? (uint64_t)1 << (i % 49) : i + 1;
		k.tag = i;
		assert_true(sdes_crypto_attr_format(&k, out, sizeof(out)) > 0);
		assert_int_equal(sdes_crypto_attr_parse(out, strlen(out), &back, NULL), 0);
		assert_memory_equal(&k, &back, sizeof(k));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_example_key),
		cmocka_unit_test(attribute_form),
		cmocka_unit_test(refusals),
		cmocka_unit_test(length_bounded),
		cmocka_unit_test(format_known),
		cmocka_unit_test(round_trip),
	};

	return cmocka_run_group_tests_name("sdes_inline", tests, NULL, NULL);
}
