/*
 * DTLS-SRTP helper: certificates and a=fingerprint (checked against a digest computed
 * here from the DER bytes), a full handshake between two instances over datagram queues
 * with the RFC 5764 key layout sliced by hand from the exporter output, retransmission
 * of a lost ClientHello, and refusal of a certificate that does not match the
 * fingerprint on either side.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "webrtc/dtls_srtp.h"

static void certificate_and_fingerprint(void **state)
{
	struct dtls_srtp_cert *c;
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	char want[128], lower[128], fp[DTLS_SRTP_FINGERPRINT_MAX];
	int derlen;
	size_t n;

	(void)state;
	assert_int_equal(dtls_srtp_cert_new("nwit", 30, &c), 0);
	assert_int_equal(EVP_PKEY_get_base_id(c->key), EVP_PKEY_EC);
	assert_int_equal(X509_verify(c->cert, c->key), 1); /* self-signed */

	/* SHA-256 of the DER certificate, formatted per RFC 8122 by hand */
	derlen = i2d_X509(c->cert, &der);
	assert_true(derlen > 0);
	assert_int_equal(EVP_Digest(der, (size_t)derlen, md, &mdlen, EVP_sha256(), NULL), 1);
	OPENSSL_free(der);
	n = (size_t)snprintf(want, sizeof(want), "sha-256 ");
	for (unsigned i = 0; i < mdlen; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%02X", i ? ":" : "", md[i]);
	assert_string_equal(c->fingerprint, want);
	assert_int_equal(strlen(c->fingerprint), 8 + 32 * 3 - 1);

	/* the value part checks in either case; one digit off does not */
	for (n = 0; want[8 + n]; n++)
		lower[n] = (char)tolower((unsigned char)want[8 + n]);
	lower[n] = '\0';
	assert_int_equal(dtls_srtp_fingerprint_check(c->cert, "sha-256", lower), 0);
	assert_int_equal(dtls_srtp_fingerprint_check(c->cert, "SHA-256", want + 8), 0);
	lower[0] = lower[0] == '0' ? '1' : '0';
	assert_int_equal(dtls_srtp_fingerprint_check(c->cert, "sha-256", lower), -EACCES);
	assert_int_equal(dtls_srtp_fingerprint_check(c->cert, "sha-1", want + 8), -EACCES);
	assert_int_equal(dtls_srtp_fingerprint_check(c->cert, "md5", want + 8), -ENOTSUP);
	assert_int_equal(dtls_srtp_fingerprint_check(c->cert, "sha-256", "AB:C"), -EINVAL);
	assert_int_equal(dtls_srtp_fingerprint_check(c->cert, "sha-256", "AB;CD"), -EINVAL);
	assert_int_equal(dtls_srtp_fingerprint(c->cert, "sha-1", fp, sizeof(fp)), 0);
	assert_int_equal(strlen(fp), 6 + 20 * 3 - 1);
	assert_int_equal(dtls_srtp_fingerprint(c->cert, "sha-256", fp, 50), -ENOSPC);
	dtls_srtp_cert_free(c);
}

/* Split "alg value" into two strings. */
static void split_fp(const char *fp, char *alg, char *value)
{
	const char *sp = strchr(fp, ' ');

	assert_non_null(sp);
	memcpy(alg, fp, (size_t)(sp - fp));
	alg[sp - fp] = '\0';
	strcpy(value, sp + 1);
}

static struct dtls_srtp *new_side(const struct dtls_srtp_cert *mine,
				  const struct dtls_srtp_cert *peer, bool client)
{
	char alg[16], value[DTLS_SRTP_FINGERPRINT_MAX], err[200];
	struct dtls_srtp *d;

	split_fp(peer->fingerprint, alg, value);
	d = dtls_srtp_new(mine, client, alg, value, err, sizeof(err));
	if (!d)
		fail_msg("%s", err);
	return d;
}

/* Move every queued datagram from one side to the other; returns how many. */
static int pump(struct dtls_srtp *from, struct dtls_srtp *to)
{
	uint8_t buf[2048];
	int n, moved = 0;

	while ((n = dtls_srtp_output(from, buf, sizeof(buf))) > 0) {
		assert_true(n <= DTLS_SRTP_MTU);
		dtls_srtp_input(to, buf, (size_t)n);
		moved++;
	}
	assert_true(n == 0);
	return moved;
}

static void run_handshake(struct dtls_srtp *c, struct dtls_srtp *s)
{
	for (int round = 0; round < 10 && !(dtls_srtp_connected(c) && dtls_srtp_connected(s));
	     round++) {
		pump(c, s);
		pump(s, c);
	}
}

static void handshake_and_keys(void **state)
{
	struct dtls_srtp_cert *cc, *sc;
	struct dtls_srtp *c, *s;
	struct dtls_srtp_keys ck, sk;
	uint8_t m[60];

	(void)state;
	assert_int_equal(dtls_srtp_cert_new("client", 30, &cc), 0);
	assert_int_equal(dtls_srtp_cert_new("server", 30, &sc), 0);
	c = new_side(cc, sc, true);
	s = new_side(sc, cc, false);
	assert_int_equal(dtls_srtp_keys(c, &ck), -EAGAIN);
	assert_int_equal(dtls_srtp_start(s), 0); /* the server waits */
	assert_int_equal(pump(s, c), 0);
	assert_int_equal(dtls_srtp_start(c), 0);
	run_handshake(c, s);
	if (!dtls_srtp_connected(c) || !dtls_srtp_connected(s))
		fail_msg("not connected: client \"%s\", server \"%s\"", dtls_srtp_error(c),
			 dtls_srtp_error(s));
	assert_string_equal(SSL_get_version(dtls_srtp_ssl(c)), "DTLSv1.2");
	assert_int_equal(dtls_srtp_keys(c, &ck), 0);
	assert_int_equal(dtls_srtp_keys(s, &sk), 0);
	assert_int_equal(ck.profile, 0x0001);
	/* what one side sends with is what the other receives with */
	assert_memory_equal(ck.local_key, sk.remote_key, 16);
	assert_memory_equal(ck.local_salt, sk.remote_salt, 14);
	assert_memory_equal(ck.remote_key, sk.local_key, 16);
	assert_memory_equal(ck.remote_salt, sk.local_salt, 14);
	assert_memory_not_equal(ck.local_key, ck.remote_key, 16);
	/* RFC 5764 section 4.2, sliced by hand: client key, server key, client salt,
	 * server salt */
	assert_int_equal(SSL_export_keying_material(dtls_srtp_ssl(c), m, sizeof(m),
						    "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0), 1);
	assert_memory_equal(ck.local_key, m, 16);
	assert_memory_equal(sk.local_key, m + 16, 16);
	assert_memory_equal(ck.local_salt, m + 32, 14);
	assert_memory_equal(sk.local_salt, m + 46, 14);
	/* nothing is left to send, no timer runs */
	assert_int_equal(pump(c, s) + pump(s, c), 0);
	assert_int_equal(dtls_srtp_timeout_ms(c), -1);
	dtls_srtp_free(c);
	dtls_srtp_free(s);
	dtls_srtp_cert_free(cc);
	dtls_srtp_cert_free(sc);
}

static void lost_client_hello(void **state)
{
	struct dtls_srtp_cert *cc, *sc;
	struct dtls_srtp *c, *s;
	uint8_t buf[2048];
	long ms;
	struct timespec ts;

	(void)state;
	assert_int_equal(dtls_srtp_cert_new("client", 1, &cc), 0);
	assert_int_equal(dtls_srtp_cert_new("server", 1, &sc), 0);
	c = new_side(cc, sc, true);
	s = new_side(sc, cc, false);
	assert_int_equal(dtls_srtp_start(c), 0);
	assert_true(dtls_srtp_output(c, buf, sizeof(buf)) > 0); /* lost on the way */
	assert_int_equal(dtls_srtp_output(c, buf, sizeof(buf)), 0);
	ms = dtls_srtp_timeout_ms(c);
	assert_true(ms > 0 && ms <= 250);
	assert_int_equal(dtls_srtp_on_timeout(c), 0); /* too early: nothing happens */
	assert_int_equal(dtls_srtp_output(c, buf, sizeof(buf)), 0);
	ts.tv_sec = 0;
	ts.tv_nsec = (ms + 20) * 1000000L;
	nanosleep(&ts, NULL);
	assert_int_equal(dtls_srtp_on_timeout(c), 0);
	assert_true(dtls_srtp_timeout_ms(c) > 250); /* the timer doubled */
	run_handshake(c, s);
	assert_true(dtls_srtp_connected(c) && dtls_srtp_connected(s));
	dtls_srtp_free(c);
	dtls_srtp_free(s);
	dtls_srtp_cert_free(cc);
	dtls_srtp_cert_free(sc);
}

/* The server expects another certificate than the client presents (and then the reverse). */
static void fingerprint_mismatch(void **state)
{
	struct dtls_srtp_cert *cc, *sc, *other;
	struct dtls_srtp *c, *s;
	char err[200];

	(void)state;
	assert_int_equal(dtls_srtp_cert_new("client", 1, &cc), 0);
	assert_int_equal(dtls_srtp_cert_new("server", 1, &sc), 0);
	assert_int_equal(dtls_srtp_cert_new("other", 1, &other), 0);

	c = new_side(cc, sc, true);
	s = new_side(sc, other, false);
	assert_int_equal(dtls_srtp_start(c), 0);
	run_handshake(c, s);
	assert_false(dtls_srtp_connected(s));
	assert_true(dtls_srtp_failed(s));
	assert_string_equal(dtls_srtp_error(s), "the peer's certificate does not match its a=fingerprint");
	pump(s, c); /* the alert */
	assert_true(dtls_srtp_failed(c));
	assert_false(dtls_srtp_connected(c));
	dtls_srtp_free(c);
	dtls_srtp_free(s);

	c = new_side(cc, other, true);
	s = new_side(sc, cc, false);
	assert_int_equal(dtls_srtp_start(c), 0);
	run_handshake(c, s);
	assert_true(dtls_srtp_failed(c));
	assert_string_equal(dtls_srtp_error(c), "the peer's certificate does not match its a=fingerprint");
	assert_false(dtls_srtp_connected(s));
	dtls_srtp_free(c);
	dtls_srtp_free(s);

	assert_null(dtls_srtp_new(cc, true, "md5", "AB:CD", err, sizeof(err)));
	assert_string_equal(err, "DTLS-SRTP: unsupported peer fingerprint hash function");
	assert_null(dtls_srtp_new(cc, true, "sha-256", "AB:CD:", err, sizeof(err)));
	assert_string_equal(err, "DTLS-SRTP: malformed peer fingerprint");
	dtls_srtp_cert_free(cc);
	dtls_srtp_cert_free(sc);
	dtls_srtp_cert_free(other);
}

/* Garbage after or instead of a handshake fails cleanly, never crashes. */
static void garbage_input(void **state)
{
	struct dtls_srtp_cert *sc;
	struct dtls_srtp *s;
	static const uint8_t junk[] = { 0x16, 0xfe, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					0x00, 0x00, 0x00, 0xff, 0x01, 0x02 };

	(void)state;
	assert_int_equal(dtls_srtp_cert_new("server", 1, &sc), 0);
	s = new_side(sc, sc, false);
	assert_int_equal(dtls_srtp_start(s), 0);
	/* DTLS drops bad records silently (RFC 6347 section 4.1.2.7) */
	assert_int_equal(dtls_srtp_input(s, junk, sizeof(junk)), 0);
	assert_int_equal(dtls_srtp_input(s, junk, 3), 0);
	assert_false(dtls_srtp_connected(s));
	dtls_srtp_free(s);
	dtls_srtp_cert_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(certificate_and_fingerprint),
		cmocka_unit_test(handshake_and_keys),
		cmocka_unit_test(lost_client_hello),
		cmocka_unit_test(fingerprint_mismatch),
		cmocka_unit_test(garbage_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
