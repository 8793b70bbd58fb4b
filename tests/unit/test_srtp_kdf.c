/*
 * SRTP key derivation and AES-CM keystream against RFC 3711 Appendix B.2 and B.3.
 * The SRTCP labels have no published vectors; test_srtp_libsrtp checks them through
 * libsrtp2.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/hex.h"
#include "srtp/srtp_kdf.h"

static void expect_hex(const uint8_t *got, size_t len, const char *want)
{
	char buf[2 * 128 + 1];
	char lower[2 * 128 + 1];
	size_t i;

	assert_true(len <= 128);
	hex_encode(got, len, buf);
	for (i = 0; want[i]; i++)
		lower[i] = (char)(want[i] >= 'A' && want[i] <= 'F' ? want[i] + 32 : want[i]);
	lower[i] = '\0';
	assert_string_equal(buf, lower);
}

/* B.2: the keystream blocks 0, 1, 2 and 0xfeff, 0xff00, 0xff01 for IV F0..FD 0000. */
static void aes_cm_keystream_b2(void **state)
{
	uint8_t key[16], iv[16];
	static uint8_t ks[0xff02 * 16];

	(void)state;
	assert_int_equal(hex_decode("2B7E151628AED2A6ABF7158809CF4F3C", key, 16), 0);
	assert_int_equal(hex_decode("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", iv, 16), 0);
	assert_int_equal(srtp_aes_cm_keystream(key, iv, ks, sizeof(ks)), 0);
	expect_hex(ks + 0 * 16, 16, "E03EAD0935C95E80E166B16DD92B4EB4");
	expect_hex(ks + 1 * 16, 16, "D23513162B02D0F72A43A2FE4A5F97AB");
	expect_hex(ks + 2 * 16, 16, "41E95B3BB0A2E8DD477901E4FCA894C0");
	expect_hex(ks + 0xfeff * 16, 16, "EC8CDF7398607CB0F2D21675EA9EA1E4");
	expect_hex(ks + 0xff00 * 16, 16, "362B7C3C6773516318A077D7FC5073AE");
	expect_hex(ks + 0xff01 * 16, 16, "6A2CC3787889374FBEB4C81B17BA6C44");
}

static const char b3_master_key[] = "E1F97A0D3E018BE0D64FA32C06DE4139";
static const char b3_master_salt[] = "0EC675AD498AFEEBB6960B3AABE6";
static const char b3_cipher_key[] = "C61E7A93744F39EE10734AFE3FF7A087";
static const char b3_cipher_salt[] = "30CBBC08863D8C85D49DB34A9AE1";
/* All 94 octets the RFC lists for the authentication key (six AES blocks). */
static const char b3_auth_key[] =
	"CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
	"E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
	"6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2";

static void kdf_b3_single_labels(void **state)
{
	uint8_t mk[16], ms[14], out[94];

	(void)state;
	assert_int_equal(hex_decode(b3_master_key, mk, 16), 0);
	assert_int_equal(hex_decode(b3_master_salt, ms, 14), 0);
	assert_int_equal(srtp_kdf(mk, ms, SRTP_LABEL_RTP_ENC, out, 16), 0);
	expect_hex(out, 16, b3_cipher_key);
	assert_int_equal(srtp_kdf(mk, ms, SRTP_LABEL_RTP_SALT, out, 14), 0);
	expect_hex(out, 14, b3_cipher_salt);
	assert_int_equal(srtp_kdf(mk, ms, SRTP_LABEL_RTP_AUTH, out, 94), 0);
	expect_hex(out, 94, b3_auth_key);
}

static void kdf_b3_session_keys(void **state)
{
	uint8_t mk[16], ms[14], other[20];
	struct srtp_session_keys keys;

	(void)state;
	assert_int_equal(hex_decode(b3_master_key, mk, 16), 0);
	assert_int_equal(hex_decode(b3_master_salt, ms, 14), 0);
	memset(&keys, 0xaa, sizeof(keys));
	assert_int_equal(srtp_derive_session_keys(mk, ms, &keys), 0);
	expect_hex(keys.rtp_enc, 16, b3_cipher_key);
	expect_hex(keys.rtp_salt, 14, b3_cipher_salt);
	expect_hex(keys.rtp_auth, 20, "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");

	/* The SRTCP keys use labels 3-5: they differ from the SRTP ones and from each
	 * other, and each equals the single-label derivation. */
	assert_memory_not_equal(keys.rtcp_enc, keys.rtp_enc, 16);
	assert_memory_not_equal(keys.rtcp_auth, keys.rtp_auth, 20);
	assert_memory_not_equal(keys.rtcp_salt, keys.rtp_salt, 14);
	assert_int_equal(srtp_kdf(mk, ms, SRTP_LABEL_RTCP_ENC, other, 16), 0);
	assert_memory_equal(other, keys.rtcp_enc, 16);
	assert_int_equal(srtp_kdf(mk, ms, SRTP_LABEL_RTCP_AUTH, other, 20), 0);
	assert_memory_equal(other, keys.rtcp_auth, 20);
	assert_int_equal(srtp_kdf(mk, ms, SRTP_LABEL_RTCP_SALT, other, 14), 0);
	assert_memory_equal(other, keys.rtcp_salt, 14);
}

static void kdf_rejects_bad_length(void **state)
{
	uint8_t mk[16] = { 0 }, ms[14] = { 0 }, out[1];

	(void)state;
	assert_int_equal(srtp_kdf(mk, ms, SRTP_LABEL_RTP_ENC, out, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aes_cm_keystream_b2),
		cmocka_unit_test(kdf_b3_single_labels),
		cmocka_unit_test(kdf_b3_session_keys),
		cmocka_unit_test(kdf_rejects_bad_length),
	};

	return cmocka_run_group_tests_name("srtp_kdf", tests, NULL, NULL);
}
