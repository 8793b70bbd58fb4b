/*
 * nwitctl token keygen: make an operator signing key (private PEM) and its JWK set.
 * nwitctl token issue:  sign app authorization claims (docs/app-api.md) with that key.
 */
#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "auth/jws.h"
#include "auth/jws_b64url.h"
#include "auth/jws_claims.h"

static void token_usage(void)
{
	fprintf(stderr,
		"usage: nwitctl token keygen [-t ec|ed25519] [-a] -K kid private.pem jwks.json\n"
		"         -a  add the key to an existing JWK set (key rotation)\n"
		"       nwitctl token issue -k private.pem [-K kid] -i issuer -a audience\n"
		"         -p app_id -o origin [-o origin ...] -s 'voice video messaging file-transfer'\n"
		"         [-l lifetime_s (3600; negative: already expired)]\n"
		"         [-b not_before_offset_s (0)] [-j jti (random)]\n");
	exit(2);
}

static json_t *public_jwk(EVP_PKEY *key, const char *kid)
{
	uint8_t pub[65];
	char x[64], y[64];
	size_t len = sizeof(pub);

	if (EVP_PKEY_is_a(key, "ED25519")) {
		if (EVP_PKEY_get_raw_public_key(key, pub, &len) != 1 || len != 32)
			return NULL;
		b64url_encode(pub, 32, x);
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed25519",
				 "kid", kid, "use", "sig", "alg", "EdDSA", "x", x);
	}
	if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
					    &len) != 1 || len != 65)
		return NULL;
	b64url_encode(pub + 1, 32, x);
	b64url_encode(pub + 33, 32, y);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256",
			 "kid", kid, "use", "sig", "alg", "ES256", "x", x, "y", y);
}

static int write_private(EVP_PKEY *key, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ok;

	if (!f) {
		fprintf(stderr, "nwitctl: cannot create %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "nwitctl: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static int cmd_keygen(int argc, char **argv)
{
	const char *type = "ec", *kid = NULL;
	json_t *set = NULL, *jwk;
	EVP_PKEY *key;
	int add = 0, ch, rc = 1;

	while ((ch = getopt(argc, argv, "+t:K:a")) != -1) {
		switch (ch) {
		case 't':
			type = optarg;
			break;
		case 'K':
			kid = optarg;
			break;
		case 'a':
			add = 1;
			break;
		default:
			token_usage();
		}
	}
	if (!kid || optind + 2 != argc)
		token_usage();
	if (strcmp(type, "ec") == 0)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (strcmp(type, "ed25519") == 0)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	else
		token_usage();
	if (!key) {
		fprintf(stderr, "nwitctl: cannot generate a %s key\n", type);
		return 1;
	}
	if (add) {
		json_error_t jerr;

		set = json_load_file(argv[optind + 1], 0, &jerr);
		if (!set || !json_is_array(json_object_get(set, "keys"))) {
			fprintf(stderr, "nwitctl: %s: not a JWK set: %s\n", argv[optind + 1],
				jerr.text);
			goto out;
		}
	} else {
		set = json_pack("{s:[]}", "keys");
	}
	jwk = public_jwk(key, kid);
	if (!set || !jwk) {
		fprintf(stderr, "nwitctl: cannot export the public key\n");
		json_decref(jwk);
		goto out;
	}
	json_array_append_new(json_object_get(set, "keys"), jwk);
	if (write_private(key, argv[optind]) < 0)
		goto out;
	if (json_dump_file(set, argv[optind + 1], JSON_INDENT(2)) < 0) {
		fprintf(stderr, "nwitctl: cannot write %s\n", argv[optind + 1]);
		goto out;
	}
	rc = 0;
out:
	json_decref(set);
	EVP_PKEY_free(key);
	return rc;
}

static int parse_seconds(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end || end == s ? -1 : 0;
}

static int cmd_issue(int argc, char **argv)
{
	const char *keyfile = NULL, *kid = NULL, *iss = NULL, *aud = NULL, *app = NULL;
	const char *scope = NULL, *jti = NULL;
	long long lifetime = 3600, nbf_off = 0, now = (long long)time(NULL);
	json_t *origins = json_array(), *claims = NULL;
	char jtibuf[33], err[256], *tok = NULL;
	EVP_PKEY *key = NULL;
	int ch, rc = 1;
	FILE *f;

	while ((ch = getopt(argc, argv, "+k:K:i:a:p:o:s:l:b:j:")) != -1) {
		switch (ch) {
		case 'k': keyfile = optarg; break;
		case 'K': kid = optarg; break;
		case 'i': iss = optarg; break;
		case 'a': aud = optarg; break;
		case 'p': app = optarg; break;
		case 'o': json_array_append_new(origins, json_string(optarg)); break;
		case 's': scope = optarg; break;
		case 'j': jti = optarg; break;
		case 'l':
			if (parse_seconds(optarg, &lifetime) < 0)
				token_usage();
			break;
		case 'b':
			if (parse_seconds(optarg, &nbf_off) < 0)
				token_usage();
			break;
		default:
			token_usage();
		}
	}
	if (!keyfile || !iss || !aud || !app || !scope || json_array_size(origins) == 0 ||
	    optind != argc)
		token_usage();
	if (!jti) {
		uint8_t r[16];

		if (RAND_bytes(r, sizeof(r)) != 1)
			goto out;
		for (int i = 0; i < 16; i++)
			snprintf(jtibuf + 2 * i, 3, "%02x", r[i]);
		jti = jtibuf;
	}
	f = fopen(keyfile, "re");
	if (!f) {
		fprintf(stderr, "nwitctl: cannot open %s: %s\n", keyfile, strerror(errno));
		goto out;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key) {
		fprintf(stderr, "nwitctl: %s: not a PEM private key\n", keyfile);
		goto out;
	}
	claims = json_pack("{s:s, s:s, s:s, s:O, s:s, s:I, s:I, s:I, s:s}", "iss", iss, "aud",
			   aud, "app_id", app, "origins", origins, "scope", scope, "iat",
			   (json_int_t)now, "nbf", (json_int_t)(now + nbf_off), "exp",
			   (json_int_t)(now + lifetime), "jti", jti);
	if (!claims)
		goto out;
	tok = jws_sign(claims, key, kid, err, sizeof(err));
	if (!tok) {
		fprintf(stderr, "nwitctl: cannot sign: %s\n", err);
		goto out;
	}
	printf("%s\n", tok);
	rc = 0;
out:
	free(tok);
	json_decref(claims);
	json_decref(origins);
	EVP_PKEY_free(key);
	return rc;
}

int token_main(int argc, char **argv)
{
	if (argc < 2)
		token_usage();
	optind = 0; /* glibc: start a fresh scan of the sub-command's arguments */
	if (strcmp(argv[1], "keygen") == 0)
		return cmd_keygen(argc - 1, argv + 1);
	if (strcmp(argv[1], "issue") == 0)
		return cmd_issue(argc - 1, argv + 1);
	token_usage();
	return 2;
}
