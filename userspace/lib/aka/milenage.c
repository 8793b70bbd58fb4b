/* MILENAGE per 3GPP TS 35.206 section 4.1, on OpenSSL's AES-128-ECB. */
#include "aka/milenage.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* E_K(in): one AES-128 block. */
static int aes_block(const uint8_t k[16], const uint8_t in[16], uint8_t out[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len = 0, ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, k, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_EncryptUpdate(ctx, out, &len, in, 16) == 1 && len == 16;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

int milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
	uint8_t tmp[16];
	int rc = aes_block(k, op, tmp);

	if (rc < 0)
		return rc;
	for (int i = 0; i < 16; i++)
		opc[i] = tmp[i] ^ op[i];
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return 0;
}

/* TEMP = E_K(RAND xor OPc) */
static int temp_block(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		      uint8_t temp[16])
{
	uint8_t in[16];
	int rc;

	for (int i = 0; i < 16; i++)
		in[i] = rand[i] ^ opc[i];
	rc = aes_block(k, in, temp);
	OPENSSL_cleanse(in, sizeof(in));
	return rc;
}

/*
 * OUTn = E_K(rot(x xor OPc, r) xor c) xor OPc, where rot shifts toward the most
 * significant bit by r bits (always a whole number of bytes here) and c has its only
 * set bits in the last byte.
 */
static int out_block(const uint8_t k[16], const uint8_t opc[16], const uint8_t x[16],
		     unsigned int r_bytes, uint8_t c_last, uint8_t out[16])
{
	uint8_t in[16];
	int rc;

	for (int i = 0; i < 16; i++)
		in[i] = x[(i + r_bytes) % 16] ^ opc[(i + r_bytes) % 16];
	in[15] ^= c_last;
	rc = aes_block(k, in, out);
	for (int i = 0; rc == 0 && i < 16; i++)
		out[i] ^= opc[i];
	OPENSSL_cleanse(in, sizeof(in));
	return rc;
}

int milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
	uint8_t temp[16], in1[16], x[16], out1[16];
	int rc;

	rc = temp_block(k, opc, rand, temp);
	if (rc < 0)
		goto out;
	/* IN1 = SQN || AMF || SQN || AMF */
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, in1, 8);
	/* OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc, r1 = 64, c1 = 0. */
	for (int i = 0; i < 16; i++)
		x[i] = in1[(i + 8) % 16] ^ opc[(i + 8) % 16] ^ temp[i];
	rc = aes_block(k, x, out1);
	if (rc < 0)
		goto out;
	for (int i = 0; i < 16; i++)
		out1[i] ^= opc[i];
	if (mac_a)
		memcpy(mac_a, out1, 8);
	if (mac_s)
		memcpy(mac_s, out1 + 8, 8);
out:
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(out1, sizeof(out1));
	return rc;
}

int milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		   uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
		   uint8_t ak_star[6])
{
	uint8_t temp[16], out[16];
	int rc;

	rc = temp_block(k, opc, rand, temp);
	if (rc < 0)
		goto done;
	if (res || ak) {	/* OUT2: r2 = 0, c2 = 1; f5 = OUT2[0..47], f2 = OUT2[64..127] */
		rc = out_block(k, opc, temp, 0, 0x01, out);
		if (rc < 0)
			goto done;
		if (ak)
			memcpy(ak, out, 6);
		if (res)
			memcpy(res, out + 8, 8);
	}
	if (ck) {		/* OUT3: r3 = 32, c3 = 2 */
		rc = out_block(k, opc, temp, 4, 0x02, out);
		if (rc < 0)
			goto done;
		memcpy(ck, out, 16);
	}
	if (ik) {		/* OUT4: r4 = 64, c4 = 4 */
		rc = out_block(k, opc, temp, 8, 0x04, out);
		if (rc < 0)
			goto done;
		memcpy(ik, out, 16);
	}
	if (ak_star) {		/* OUT5: r5 = 96, c5 = 8; f5* = OUT5[0..47] */
		rc = out_block(k, opc, temp, 12, 0x08, out);
		if (rc < 0)
			goto done;
		memcpy(ak_star, out, 6);
	}
done:
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}
