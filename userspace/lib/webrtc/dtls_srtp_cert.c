/* DTLS-SRTP identity: self-signed ECDSA certificate and a=fingerprint (RFC 8122). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "webrtc/dtls_srtp.h"

void dtls_srtp_cert_free(struct dtls_srtp_cert *c)
{
	if (!c)
		return;
	X509_free(c->cert);
	EVP_PKEY_free(c->key);
	free(c);
}

int dtls_srtp_cert_new(const char *common_name, unsigned days, struct dtls_srtp_cert **out)
{
	struct dtls_srtp_cert *c = calloc(1, sizeof(*c));
	unsigned char serial[8];
	X509_NAME *name;
	ASN1_INTEGER *sn = NULL;
	BIGNUM *bn = NULL;
	int rc = -EIO;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->key = EVP_EC_gen("P-256");
	c->cert = X509_new();
	if (!c->key || !c->cert)
		goto err;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto err;
	serial[0] &= 0x7f; /* a positive serial number */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	sn = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	name = X509_get_subject_name(c->cert);
	if (!sn || X509_set_version(c->cert, 2) != 1 ||
	    X509_set_serialNumber(c->cert, sn) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(c->cert), -86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c->cert), (long)days * 86400) ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
				       (const unsigned char *)common_name, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(c->cert, name) != 1 ||
	    X509_set_pubkey(c->cert, c->key) != 1 ||
	    X509_sign(c->cert, c->key, EVP_sha256()) == 0)
		goto err;
	rc = dtls_srtp_fingerprint(c->cert, "sha-256", c->fingerprint, sizeof(c->fingerprint));
	if (rc < 0)
		goto err;
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	*out = c;
	return 0;
err:
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	dtls_srtp_cert_free(c);
	return rc;
}

/* RFC 8122 section 5 hash function names -> OpenSSL digests */
static const EVP_MD *digest_of(const char *alg)
{
	static const struct {
		const char *name;
		const EVP_MD *(*md)(void);
	} algs[] = {
		{ "sha-1", EVP_sha1 },	   { "sha-224", EVP_sha224 }, { "sha-256", EVP_sha256 },
		{ "sha-384", EVP_sha384 }, { "sha-512", EVP_sha512 },
	};

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcasecmp(alg, algs[i].name) == 0)
			return algs[i].md();
	return NULL;
}

int dtls_srtp_fingerprint(X509 *cert, const char *alg, char *out, size_t outlen)
{
	const EVP_MD *md = digest_of(alg);
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t pos;

	if (!md)
		return -ENOTSUP;
	if (X509_digest(cert, md, d, &n) != 1)
		return -EIO;
	pos = strlen(alg) + 1;
	if (outlen < pos + 3 * (size_t)n)
		return -ENOSPC;
	snprintf(out, outlen, "%s ", alg);
	for (unsigned int i = 0; i < n; i++)
		pos += (size_t)snprintf(out + pos, outlen - pos, i ? ":%02X" : "%02X", d[i]);
	return 0;
}

int dtls_srtp_fingerprint_check(X509 *cert, const char *alg, const char *value)
{
	const EVP_MD *md = digest_of(alg);
	unsigned char d[EVP_MAX_MD_SIZE], want[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t len = strlen(value), count;

	if (!md)
		return -ENOTSUP;
	if ((len + 1) % 3 || (count = (len + 1) / 3) > sizeof(want))
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		const char *p = value + 3 * i;
		char hex[3] = { p[0], p[1], 0 };

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i + 1 < count && p[2] != ':'))
			return -EINVAL;
		want[i] = (unsigned char)strtoul(hex, NULL, 16);
	}
	if (X509_digest(cert, md, d, &n) != 1)
		return -EIO;
	if (n != count || CRYPTO_memcmp(d, want, n) != 0)
		return -EACCES;
	return 0;
}
