/*
 * STUN (RFC 8489) and the ICE-lite responder against the RFC 5769 test vectors: the
 * sample request and both sample responses parse, authenticate with the published
 * password and carry the published values, and the writer rebuilds all three byte for
 * byte. Then the responder's answers: success with XOR-MAPPED-ADDRESS (IPv4, IPv6),
 * 487 to the RFC's ICE-CONTROLLED request, 420, and silence toward unauthenticated requests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "webrtc/stun.h"
#include "webrtc/stun_ice.h"

#define PASSWORD "VOkJxbRl1RmTxUk/WvJxBt"

/* RFC 5769 section 2.1 */
static const uint8_t sample_request[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e,
	0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24,
	0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1,
	0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68,
	0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
	0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5,
	0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 section 2.2: 192.0.2.1 port 32853 */
static const uint8_t sample_ipv4_response[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
	0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
	0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b,
	0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 section 2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853 */
static const uint8_t sample_ipv6_response[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02,
	0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5,
	0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6,
	0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* The Binding request chrome_like_request() builds, computed independently (Python's
 * hmac and zlib) for USERNAME evtj:h6vY, ICE-CONTROLLING 0x0102030405060708,
 * USE-CANDIDATE and PRIORITY 1853824767; also a fuzz seed. */
static const uint8_t independent_request[] = {
	0x00, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
	0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x00, 0x06, 0x00, 0x09,
	0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x00, 0x00, 0x00,
	0x80, 0x2a, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x00, 0x25, 0x00, 0x00, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x7f, 0x1e, 0xff,
	0x00, 0x08, 0x00, 0x14, 0x7b, 0x62, 0xa8, 0x55, 0x66, 0x8d, 0x96, 0x14,
	0x18, 0xa1, 0xec, 0x91, 0x4c, 0x03, 0x88, 0x54, 0x37, 0x05, 0x50, 0x43,
	0x80, 0x28, 0x00, 0x04, 0xac, 0xce, 0xb0, 0x18,
};

static const uint8_t tid[12] = { 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
				 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae };

static struct sockaddr_in v4(const char *addr, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6 v6(const char *addr, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	return sin6;
}

static void rfc5769_request(void **state)
{
	struct stun_msg m;
	char err[128];

	(void)state;
	assert_true(stun_is_stun(sample_request, sizeof(sample_request)));
	if (stun_parse(sample_request, sizeof(sample_request), &m, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(m.type, 0x0001);
	assert_memory_equal(m.tid, tid, 12);
	assert_int_equal(m.username_len, 9);
	assert_memory_equal(m.username, "evtj:h6vY", 9);
	assert_int_equal(m.software_len, 16);
	assert_memory_equal(m.software, "STUN test client", 16);
	assert_true(m.has_priority);
	assert_int_equal(m.priority, 0x6e0001ff);
	assert_true(m.has_controlled);
	assert_false(m.has_controlling);
	assert_true(m.tiebreaker == 0x932ff9b151263b36ull);
	assert_true(m.has_fingerprint);
	assert_int_equal(m.n_unknown, 0);
	assert_int_equal(stun_check_integrity(&m, (const uint8_t *)PASSWORD, strlen(PASSWORD)), 0);
	assert_int_equal(stun_check_integrity(&m, (const uint8_t *)"VOkJxbRl1RmTxUk/WvJxBu", 22),
			 -EACCES);
}

static void rfc5769_responses(void **state)
{
	struct stun_msg m;
	char err[128], addr[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&m.xor_mapped;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&m.xor_mapped;

	(void)state;
	if (stun_parse(sample_ipv4_response, sizeof(sample_ipv4_response), &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(m.type, 0x0101);
	assert_true(m.has_xor_mapped);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_string_equal(inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr)), "192.0.2.1");
	assert_int_equal(ntohs(sin->sin_port), 32853);
	assert_int_equal(stun_check_integrity(&m, (const uint8_t *)PASSWORD, strlen(PASSWORD)), 0);

	if (stun_parse(sample_ipv6_response, sizeof(sample_ipv6_response), &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_string_equal(inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr)),
			    "2001:db8:1234:5678:11:2233:4455:6677");
	assert_int_equal(ntohs(sin6->sin6_port), 32853);
	assert_int_equal(stun_check_integrity(&m, (const uint8_t *)PASSWORD, strlen(PASSWORD)), 0);
}

/* The writer rebuilds the three vectors (the RFC pads with spaces, hence pad = 0x20). */
static void rfc5769_written(void **state)
{
	uint8_t buf[STUN_MAX_MSG];
	struct stun_writer w;
	struct sockaddr_in a4 = v4("192.0.2.1", 32853);
	struct sockaddr_in6 a6 = v6("2001:db8:1234:5678:11:2233:4455:6677", 32853);

	(void)state;
	stun_writer_init(&w, buf, sizeof(buf), 0x0001, tid);
	w.pad = 0x20;
	stun_put_attr(&w, STUN_ATTR_SOFTWARE, "STUN test client", 16);
	stun_put_u32(&w, STUN_ATTR_PRIORITY, 0x6e0001ff);
	stun_put_u64(&w, STUN_ATTR_ICE_CONTROLLED, 0x932ff9b151263b36ull);
	stun_put_attr(&w, STUN_ATTR_USERNAME, "evtj:h6vY", 9);
	stun_put_integrity(&w, (const uint8_t *)PASSWORD, strlen(PASSWORD));
	stun_put_fingerprint(&w);
	assert_int_equal(stun_finish(&w), sizeof(sample_request));
	assert_memory_equal(buf, sample_request, sizeof(sample_request));

	stun_writer_init(&w, buf, sizeof(buf), 0x0101, tid);
	w.pad = 0x20;
	stun_put_attr(&w, STUN_ATTR_SOFTWARE, "test vector", 11);
	stun_put_xor_address(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&a4);
	stun_put_integrity(&w, (const uint8_t *)PASSWORD, strlen(PASSWORD));
	stun_put_fingerprint(&w);
	assert_int_equal(stun_finish(&w), sizeof(sample_ipv4_response));
	assert_memory_equal(buf, sample_ipv4_response, sizeof(sample_ipv4_response));

	stun_writer_init(&w, buf, sizeof(buf), 0x0101, tid);
	w.pad = 0x20;
	stun_put_attr(&w, STUN_ATTR_SOFTWARE, "test vector", 11);
	stun_put_xor_address(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&a6);
	stun_put_integrity(&w, (const uint8_t *)PASSWORD, strlen(PASSWORD));
	stun_put_fingerprint(&w);
	assert_int_equal(stun_finish(&w), sizeof(sample_ipv6_response));
	assert_memory_equal(buf, sample_ipv6_response, sizeof(sample_ipv6_response));

	/* no room: the error sticks */
	stun_writer_init(&w, buf, 24, 0x0101, tid);
	stun_put_attr(&w, STUN_ATTR_SOFTWARE, "test vector", 11);
	stun_put_fingerprint(&w);
	assert_int_equal(stun_finish(&w), -ENOSPC);
}

static void malformed(void **state)
{
	uint8_t buf[sizeof(sample_request)];
	struct stun_msg m;
	char err[128];

	(void)state;
	assert_int_equal(stun_parse(sample_request, 19, &m, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "19 bytes is shorter than a STUN header");
	/* one bit flipped in the body: FINGERPRINT catches it */
	memcpy(buf, sample_request, sizeof(buf));
	buf[30] ^= 1;
	assert_int_equal(stun_parse(buf, sizeof(buf), &m, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "FINGERPRINT does not match");
	/* the datagram is longer than the length field */
	assert_int_equal(stun_parse(sample_request, sizeof(sample_request) - 4, &m, err,
				    sizeof(err)), -EBADMSG);
	assert_string_equal(err, "length field 88 does not match the 104 byte datagram");
	memcpy(buf, sample_request, sizeof(buf));
	buf[4] = 0;
	assert_int_equal(stun_parse(buf, sizeof(buf), &m, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "no magic cookie");
	memcpy(buf, sample_request, sizeof(buf));
	buf[0] = 0x40;
	assert_false(stun_is_stun(buf, sizeof(buf)));
	assert_int_equal(stun_parse(buf, sizeof(buf), &m, err, sizeof(err)), -EBADMSG);
	/* USERNAME claims more bytes than the message has */
	memcpy(buf, sample_request, sizeof(buf));
	buf[62] = 0x01;
	assert_int_equal(stun_parse(buf, sizeof(buf), &m, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "attribute 0x0006 of 265 bytes runs past the end");
}

/* A Binding request as Chromium sends it, signed with password pwd. */
static size_t chrome_like_request(uint8_t *buf, const char *username, const char *pwd,
				  bool controlled, uint16_t extra_attr)
{
	struct stun_writer w;
	int n;

	stun_writer_init(&w, buf, STUN_MAX_MSG, 0x0001, tid);
	stun_put_attr(&w, STUN_ATTR_USERNAME, username, strlen(username));
	if (extra_attr)
		stun_put_u32(&w, extra_attr, 0);
	stun_put_u64(&w, controlled ? STUN_ATTR_ICE_CONTROLLED : STUN_ATTR_ICE_CONTROLLING,
		     0x0102030405060708ull);
	stun_put_attr(&w, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_put_u32(&w, STUN_ATTR_PRIORITY, 1853824767);
	stun_put_integrity(&w, (const uint8_t *)pwd, strlen(pwd));
	stun_put_fingerprint(&w);
	n = stun_finish(&w);
	assert_true(n > 0);
	return (size_t)n;
}

static const struct stun_ice_creds creds = {
	.local_ufrag = "evtj", .local_pwd = PASSWORD, .remote_ufrag = "h6vY",
};

static void lite_success(void **state)
{
	uint8_t req[STUN_MAX_MSG], out[STUN_MAX_MSG];
	struct sockaddr_in src4 = v4("198.51.100.7", 54321);
	struct sockaddr_in6 src6 = v6("2001:db8::7", 40001);
	struct stun_ice_request r;
	struct stun_msg m;
	char why[128], addr[INET6_ADDRSTRLEN];
	size_t n = chrome_like_request(req, "evtj:h6vY", PASSWORD, false, 0);
	int len;

	(void)state;
	assert_int_equal(n, sizeof(independent_request));
	assert_memory_equal(req, independent_request, n);
	len = stun_ice_handle(req, n, &creds, (struct sockaddr *)&src4, out, sizeof(out), &r, why,
			      sizeof(why));
	assert_true(len > 0);
	assert_int_equal(r.error_code, 0);
	assert_true(r.authenticated && r.use_candidate && r.controlling);
	assert_int_equal(r.priority, 1853824767);
	assert_int_equal(stun_parse(out, (size_t)len, &m, why, sizeof(why)), 0);
	assert_int_equal(m.type, 0x0101);
	assert_memory_equal(m.tid, tid, 12);
	assert_true(m.has_fingerprint);
	assert_int_equal(stun_check_integrity(&m, (const uint8_t *)PASSWORD, strlen(PASSWORD)), 0);
	/* XOR-MAPPED-ADDRESS of 198.51.100.7:54321 worked out by hand: port 0xd431 ^ 0x2112,
	 * address c6.33.64.07 ^ 21.12.a4.42 */
	assert_int_equal(len, 20 + 12 + 24 + 8);
	assert_memory_equal(out + 20, "\x00\x20\x00\x08\x00\x01\xf5\x23\xe7\x21\xc0\x45", 12);
	assert_true(m.has_xor_mapped);
	assert_string_equal(inet_ntop(AF_INET, &((struct sockaddr_in *)&m.xor_mapped)->sin_addr,
				      addr, sizeof(addr)), "198.51.100.7");

	len = stun_ice_handle(req, n, &creds, (struct sockaddr *)&src6, out, sizeof(out), &r, why,
			      sizeof(why));
	assert_true(len > 0);
	assert_int_equal(stun_parse(out, (size_t)len, &m, why, sizeof(why)), 0);
	assert_string_equal(inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&m.xor_mapped)->sin6_addr,
				      addr, sizeof(addr)), "2001:db8::7");
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&m.xor_mapped)->sin6_port), 40001);

	/* any remote ufrag when the browser's is not known yet */
	{
		struct stun_ice_creds any = { .local_ufrag = "evtj", .local_pwd = PASSWORD };

		n = chrome_like_request(req, "evtj:zzzz", PASSWORD, false, 0);
		assert_true(stun_ice_handle(req, n, &any, (struct sockaddr *)&src4, out,
					    sizeof(out), &r, why, sizeof(why)) > 0);
		assert_int_equal(r.error_code, 0);
	}
}

/* Handle pkt and return the error code of the response (after checking it is signed or not). */
static uint16_t answered_error(const uint8_t *pkt, size_t n, bool signed_, char *why,
			       size_t whylen)
{
	uint8_t out[STUN_MAX_MSG];
	struct sockaddr_in src = v4("198.51.100.7", 54321);
	struct stun_ice_request r;
	struct stun_msg m;
	char err[128];
	int len = stun_ice_handle(pkt, n, &creds, (struct sockaddr *)&src, out, sizeof(out), &r,
				  why, whylen);

	assert_true(len > 0);
	if (stun_parse(out, (size_t)len, &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(m.type, 0x0111);
	assert_true(m.has_fingerprint);
	assert_int_equal(m.has_integrity, signed_);
	if (signed_)
		assert_int_equal(stun_check_integrity(&m, (const uint8_t *)PASSWORD,
						      strlen(PASSWORD)), 0);
	assert_int_equal(m.error_code, r.error_code);
	return m.error_code;
}

/* An unauthenticated request: refused with a code for the counters, nothing sent back. */
static uint16_t silent_refusal(const uint8_t *pkt, size_t n, char *why, size_t whylen)
{
	uint8_t out[STUN_MAX_MSG];
	struct sockaddr_in src = v4("198.51.100.7", 54321);
	struct stun_ice_request r;
	int len = stun_ice_handle(pkt, n, &creds, (struct sockaddr *)&src, out, sizeof(out), &r,
				  why, whylen);

	assert_int_equal(len, 0);
	assert_false(r.authenticated);
	assert_true(r.error_code == 400 || r.error_code == 401);
	return r.error_code;
}

static void lite_refusals(void **state)
{
	uint8_t req[STUN_MAX_MSG], out[STUN_MAX_MSG];
	struct sockaddr_in src = v4("198.51.100.7", 54321);
	struct stun_ice_request r;
	struct stun_writer w;
	char why[128];
	size_t n;

	(void)state;
	/* the RFC 5769 request carries ICE-CONTROLLED: a lite agent answers 487 */
	assert_int_equal(answered_error(sample_request, sizeof(sample_request), true, why,
					sizeof(why)), 487);
	assert_string_equal(why, "the peer claims the controlled role too");

	n = chrome_like_request(req, "evtj:h6vY", "wrong password........", false, 0);
	assert_int_equal(silent_refusal(req, n, why, sizeof(why)), 401);
	assert_string_equal(why, "MESSAGE-INTEGRITY does not match our ice-pwd");

	n = chrome_like_request(req, "nope:h6vY", PASSWORD, false, 0);
	assert_int_equal(silent_refusal(req, n, why, sizeof(why)), 401);
	assert_string_equal(why, "USERNAME \"nope:h6vY\" is not \"evtj:h6vY\"");

	n = chrome_like_request(req, "evtj:other", PASSWORD, false, 0);
	assert_int_equal(silent_refusal(req, n, why, sizeof(why)), 401);

	n = chrome_like_request(req, "evtj:h6vY", PASSWORD, false, 0x0031);
	assert_int_equal(answered_error(req, n, true, why, sizeof(why)), 420);
	assert_string_equal(why, "comprehension-required attribute 0x0031 not understood");

	/* no MESSAGE-INTEGRITY */
	stun_writer_init(&w, req, sizeof(req), 0x0001, tid);
	stun_put_attr(&w, STUN_ATTR_USERNAME, "evtj:h6vY", 9);
	stun_put_fingerprint(&w);
	n = (size_t)stun_finish(&w);
	assert_int_equal(silent_refusal(req, n, why, sizeof(why)), 400);
	assert_string_equal(why, "Binding request without MESSAGE-INTEGRITY");

	/* no FINGERPRINT */
	stun_writer_init(&w, req, sizeof(req), 0x0001, tid);
	stun_put_attr(&w, STUN_ATTR_USERNAME, "evtj:h6vY", 9);
	stun_put_integrity(&w, (const uint8_t *)PASSWORD, strlen(PASSWORD));
	n = (size_t)stun_finish(&w);
	assert_int_equal(silent_refusal(req, n, why, sizeof(why)), 400);
	assert_string_equal(why, "Binding request without FINGERPRINT");

	/* a bare 20-byte Binding request (a reflection probe) gets nothing back */
	stun_writer_init(&w, req, sizeof(req), 0x0001, tid);
	n = (size_t)stun_finish(&w);
	assert_int_equal(n, 20);
	assert_int_equal(silent_refusal(req, n, why, sizeof(why)), 400);
	/* another method, unauthenticated: nothing either */
	stun_writer_init(&w, req, sizeof(req), 0x0002, tid);
	stun_put_fingerprint(&w);
	n = (size_t)stun_finish(&w);
	assert_int_equal(silent_refusal(req, n, why, sizeof(why)), 400);

	/* a Binding indication (keepalive) and a response get no answer */
	stun_writer_init(&w, req, sizeof(req), 0x0011, tid);
	stun_put_fingerprint(&w);
	n = (size_t)stun_finish(&w);
	assert_int_equal(stun_ice_handle(req, n, &creds, (struct sockaddr *)&src, out,
					 sizeof(out), &r, why, sizeof(why)), 0);
	assert_int_equal(stun_ice_handle(sample_ipv4_response, sizeof(sample_ipv4_response), &creds,
					 (struct sockaddr *)&src, out, sizeof(out), &r, why,
					 sizeof(why)), 0);
	/* garbage is dropped with a reason */
	assert_int_equal(stun_ice_handle((const uint8_t *)"\x80\x00hello, this is RTP!", 21, &creds,
					 (struct sockaddr *)&src, out, sizeof(out), &r, why,
					 sizeof(why)), -EBADMSG);
	assert_string_equal(why, "the first two bits are not zero");
	/* a response that does not fit */
	n = chrome_like_request(req, "evtj:h6vY", PASSWORD, false, 0);
	assert_int_equal(stun_ice_handle(req, n, &creds, (struct sockaddr *)&src, out, 40, &r, why,
					 sizeof(why)), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5769_request),
		cmocka_unit_test(rfc5769_responses),
		cmocka_unit_test(rfc5769_written),
		cmocka_unit_test(malformed),
		cmocka_unit_test(lite_success),
		cmocka_unit_test(lite_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
