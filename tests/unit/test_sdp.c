/*
 * SDP parser/serializer: real offers and answers (Chromium 156, baresip 1.0) parse and
 * serialize back byte for byte; fields land where RFC 8866 puts them; each kind of
 * malformed input is refused with its line number and reason; limits hold.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "sdp/sdp.h"

static char *read_data(const char *name, size_t *len)
{
	const char *top = getenv("NWIT_TOP");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/unit/sdp/%s", top ? top : ".", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (set NWIT_TOP to the repository)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void round_trip(const char *name)
{
	size_t len, outlen;
	char *in = read_data(name, &len), *out;
	struct sdp_session *s;
	char err[SDP_ERR_MAX];

	if (sdp_parse(in, len, &s, err, sizeof(err)) != 0)
		fail_msg("%s: %s", name, err);
	assert_int_equal(sdp_serialize(s, &out, &outlen), 0);
	assert_int_equal(outlen, len);
	assert_memory_equal(out, in, len);
	free(out);
	sdp_free(s);
	free(in);
}

static void round_trip_real(void **state)
{
	(void)state;
	round_trip("chromium156_av_dc_offer.sdp");
	round_trip("chromium156_audio_offer.sdp");
	round_trip("baresip100_av_offer.sdp");
	round_trip("baresip100_av_answer.sdp");
}

static void chromium_fields(void **state)
{
	size_t len;
	char *in = read_data("chromium156_av_dc_offer.sdp", &len);
	struct sdp_session *s;
	char err[SDP_ERR_MAX];
	const struct sdp_media *m;

	(void)state;
	assert_int_equal(sdp_parse(in, len, &s, err, sizeof(err)), 0);
	assert_string_equal(s->origin.username, "-");
	assert_string_equal(s->origin.sess_id, "2510164803097156618");
	assert_string_equal(s->origin.sess_version, "2");
	assert_string_equal(s->origin.addr, "127.0.0.1");
	assert_false(s->conn.present);
	assert_string_equal(sdp_attrs_get(&s->attrs, "group"), "BUNDLE 0 1 2");
	assert_string_equal(sdp_attrs_get(&s->attrs, "extmap-allow-mixed"), "");
	assert_int_equal(s->nmedia, 3);

	m = &s->media[0];
	assert_string_equal(m->type, "audio");
	assert_int_equal(m->port, 42365);
	assert_string_equal(m->proto, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(m->nfmt, 8);
	assert_string_equal(m->fmt[0], "111");
	assert_string_equal(m->fmt[7], "126");
	assert_true(m->conn.present);
	assert_int_equal(m->conn.af, AF_INET);
	assert_string_equal(m->conn.addr, "198.51.100.7");
	assert_int_equal(m->line, 8);
	assert_string_equal(sdp_attrs_get(&m->attrs, "rtcp"), "9 IN IP4 0.0.0.0");
	assert_string_equal(sdp_attrs_get(&m->attrs, "ice-pwd"), "0lmbAwrbjEL5PCTjUtiSlTnM");
	assert_true(sdp_attrs_has(&m->attrs, "rtcp-mux"));
	assert_int_equal(m->attrs.n, 31);
	/* the two ssrc lines end the audio section */
	assert_int_equal(sdp_attrs_find(&m->attrs, "ssrc", 0), 29);
	assert_int_equal(sdp_attrs_find(&m->attrs, "ssrc", 30), 30);
	assert_int_equal(sdp_attrs_find(&m->attrs, "ssrc", 31), -1);

	m = &s->media[1];
	assert_string_equal(m->type, "video");
	assert_int_equal(m->nfmt, 23);
	assert_string_equal(m->fmt[22], "120");
	assert_string_equal(sdp_attrs_get(&m->attrs, "ssrc-group"), "FID 1027050249 4178740845");

	m = &s->media[2];
	assert_string_equal(m->type, "application");
	assert_string_equal(m->proto, "UDP/DTLS/SCTP");
	assert_int_equal(m->nfmt, 1);
	assert_string_equal(m->fmt[0], "webrtc-datachannel");
	assert_string_equal(sdp_attrs_get(&m->attrs, "sctp-port"), "5000");
	assert_int_equal(m->line, 166);
	sdp_free(s);
	free(in);
}

static void ipv6_and_lf_only(void **state)
{
	const char *text = "v=0\n"
			   "o=alice 1 2 IN IP6 2001:db8::1\n"
			   "s= \n"
			   "i=a session\n"
			   "c=IN IP6 2001:db8::1\n"
			   "b=AS:64\n"
			   "t=0 0\n"
			   "m=audio 49170/2 RTP/AVP 0\n"
			   "i=voice\n"
			   "c=IN IP6 2001:db8::2\n"
			   "b=TIAS:64000\n"
			   "a=rtpmap:0 PCMU/8000\n";
	const char *want = "v=0\r\n"
			   "o=alice 1 2 IN IP6 2001:db8::1\r\n"
			   "s= \r\n"
			   "i=a session\r\n"
			   "c=IN IP6 2001:db8::1\r\n"
			   "b=AS:64\r\n"
			   "t=0 0\r\n"
			   "m=audio 49170/2 RTP/AVP 0\r\n"
			   "i=voice\r\n"
			   "c=IN IP6 2001:db8::2\r\n"
			   "b=TIAS:64000\r\n"
			   "a=rtpmap:0 PCMU/8000\r\n";
	struct sdp_session *s;
	char err[SDP_ERR_MAX], *out;
	size_t len;

	(void)state;
	if (sdp_parse(text, strlen(text), &s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(s->origin.af, AF_INET6);
	assert_int_equal(s->conn.af, AF_INET6);
	assert_string_equal(s->media[0].conn.addr, "2001:db8::2");
	assert_int_equal(s->media[0].port, 49170);
	assert_int_equal(s->media[0].nports, 2);
	assert_string_equal(s->media[0].info, "voice");
	assert_int_equal(sdp_serialize(s, &out, &len), 0);
	assert_string_equal(out, want);
	free(out);
	sdp_free(s);
}

static void built_session(void **state)
{
	struct sdp_session *s = sdp_new();
	struct sdp_media *m;
	char *out;
	size_t len;

	(void)state;
	assert_non_null(s);
	s->origin.username = "-";
	s->origin.sess_id = sdp_printf(s, "%llu", 1234567890123ULL);
	s->origin.sess_version = "1";
	s->origin.af = AF_INET;
	s->origin.addr = "192.0.2.1";
	s->name = "-";
	assert_int_equal(sdp_conn_set(s, &s->conn, "192.0.2.1"), 0);
	assert_int_equal(sdp_conn_set(s, &s->conn, "192.0.2.999"), -EINVAL);
	assert_int_equal(sdp_attrs_add(s, &s->attrs, "ice-lite", NULL), 0);
	m = sdp_add_media(s, "audio", 40000, "RTP/AVP");
	assert_non_null(m);
	assert_int_equal(sdp_media_add_fmt(s, m, "8"), 0);
	assert_int_equal(sdp_media_add_fmt(s, m, "101"), 0);
	assert_int_equal(sdp_attrs_add(s, &m->attrs, "rtpmap", "%d %s/%d", 101,
				       "telephone-event", 8000), 0);
	assert_int_equal(sdp_serialize(s, &out, &len), 0);
	assert_string_equal(out, "v=0\r\n"
				 "o=- 1234567890123 1 IN IP4 192.0.2.1\r\n"
				 "s=-\r\n"
				 "c=IN IP4 192.0.2.1\r\n"
				 "t=0 0\r\n"
				 "a=ice-lite\r\n"
				 "m=audio 40000 RTP/AVP 8 101\r\n"
				 "a=rtpmap:101 telephone-event/8000\r\n");
	assert_int_equal(len, strlen(out));
	free(out);
	sdp_free(s);
}

#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
#define HEADC HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\n"

struct bad_case {
	const char *text;
	int rc;
	const char *err;
};

static const struct bad_case bad_cases[] = {
	{ "", -EINVAL, "empty description" },
	{ "o=- 1 1 IN IP4 192.0.2.1\r\n", -EINVAL, "line 1: description must start with v=" },
	{ "V=0\r\n", -EINVAL, "line 1: not a \"<letter>=<value>\" line" },
	{ "v=1\r\n", -EINVAL, "line 1: unsupported SDP version \"1\"" },
	{ "v=0\r\ns=-\r\n", -EINVAL, "line 2: v=, o=, s= must be the first three lines" },
	{ "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n", -EINVAL, "line 2: o= needs 6 fields" },
	{ "v=0\r\no=- x 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n", -EINVAL,
	  "line 2: o= session id and version must be decimal numbers" },
	{ "v=0\r\no=- 1 1 ATM NSAP x\r\ns=-\r\nt=0 0\r\n", -EINVAL,
	  "line 2: o= network/address type \"ATM NSAP\" is not IN IP4/IP6" },
	{ "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=\r\n", -EINVAL, "line 3: empty s=" },
	{ HEAD "a=x\r\nt=0 0\r\n", -EINVAL, "line 5: t= is out of order or repeated" },
	{ HEAD "c=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n", -EINVAL,
	  "line 5: c= is out of order or repeated" },
	{ HEAD "m=audio 1 RTP/AVP 0\r\n", -EINVAL, "line 4: m= before any t= line" },
	{ HEAD "r=1 2 3\r\n", -EINVAL, "line 4: r= without t=" },
	{ HEAD "t=0 0\r\nm=audio 1 RTP/AVP 0\r\n", -EINVAL,
	  "line 5: media section without c= and no session c=" },
	{ HEADC "x=1\r\n", -EINVAL, "line 6: x= is not allowed at session level" },
	{ HEADC "m=audio 1 RTP/AVP 0\r\nt=0 0\r\n", -EINVAL,
	  "line 7: t= is not allowed in a media section" },
	{ HEADC "m=audio 1 RTP/AVP 0\r\na=x\r\nc=IN IP4 192.0.2.1\r\n", -EINVAL,
	  "line 8: c= is out of order or repeated" },
	{ HEADC "m=audio 70000 RTP/AVP 0\r\n", -EINVAL,
	  "line 6: m= port \"70000\" is not a number from 0 to 65535" },
	{ HEADC "m=audio 1/0 RTP/AVP 0\r\n", -EINVAL, "line 6: m= number of ports" },
	{ HEADC "m=audio 1 RTP/AVP 128\r\n", -EINVAL,
	  "line 6: m= RTP payload type \"128\" is not 0-127" },
	{ HEADC "m=audio 1 RTP/AVP 0 0\r\n", -EINVAL, "line 6: m= lists format 0 twice" },
	{ HEADC "m=audio 1 RTP/AVP\r\n", -EINVAL, "line 6: m= needs" },
	{ HEADC "m=audio  1 RTP/AVP 0\r\n", -EINVAL,
	  "line 6: m= fields must be separated by single spaces" },
	{ HEADC "m=audio 1 RTP/AVP 0 \r\n", -EINVAL,
	  "line 6: m= fields must be separated by single spaces" },
	{ HEAD "c=IN IP4 233.252.0.1/127\r\nt=0 0\r\n", -EINVAL,
	  "line 4: c= multicast addresses are not supported" },
	{ HEAD "c=IN IP4 192.0.2.300\r\nt=0 0\r\n", -EINVAL,
	  "line 4: c= address \"192.0.2.300\" is not an IP4 literal" },
	{ HEAD "c=IN IP6 192.0.2.3\r\nt=0 0\r\n", -EINVAL,
	  "line 4: c= address \"192.0.2.3\" is not an IP6 literal" },
	{ HEAD "c=IN IP4 host.example\r\nt=0 0\r\n", -EINVAL, "line 4: c= address" },
	{ HEAD "b=AS\r\n", -EINVAL, "line 4: b= needs" },
	{ HEADC "a=\r\n", -EINVAL, "line 6: a= without an attribute name" },
	{ HEADC "a=bad name:1\r\n", -EINVAL, "line 6: a= attribute name has a character" },
	{ HEADC "\r\n", -EINVAL, "line 6: not a \"<letter>=<value>\" line" },
	{ HEADC "a=x\rb\r\n", -EINVAL, "line 6: stray carriage return" },
	{ HEADC "a=x\0y\r\n", -EINVAL, "line 6: NUL byte in line" },
	{ HEAD, -EINVAL, "description ends before its v=, o=, s= and t= lines" },
};

static void bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		/* the NUL case carries its length past the NUL */
		size_t len = strstr(c->err, "NUL") ? strlen(HEADC) + 8 : strlen(c->text);
		struct sdp_session *s = (void *)1;
		char err[SDP_ERR_MAX];
		int rc = sdp_parse(c->text, len, &s, err, sizeof(err));

		if (rc != c->rc || strncmp(err, c->err, strlen(c->err)) != 0)
			fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, rc, err, c->rc,
				 c->err);
		assert_null(s);
	}
}

/* Build a description of n repetitions of line after a valid head. */
static char *repeat_lines(const char *head, const char *line, unsigned n, size_t *len)
{
	size_t hl = strlen(head), ll = strlen(line);
	char *buf = malloc(hl + ll * n + 1);

	assert_non_null(buf);
	memcpy(buf, head, hl);
	for (unsigned i = 0; i < n; i++)
		memcpy(buf + hl + ll * i, line, ll);
	buf[hl + ll * n] = '\0';
	*len = hl + ll * n;
	return buf;
}

static void expect_limit(const char *head, const char *line, unsigned n, int rc,
			 const char *err_want)
{
	size_t len;
	char *buf = repeat_lines(head, line, n, &len);
	struct sdp_session *s;
	char err[SDP_ERR_MAX];
	int got = sdp_parse(buf, len, &s, err, sizeof(err));

	if (got != rc || !strstr(err, err_want))
		fail_msg("%u x \"%s\": got %d \"%s\", want %d \"%s\"", n, line, got, err, rc,
			 err_want);
	if (got == 0)
		sdp_free(s);
	free(buf);
}

static void limits(void **state)
{
	char longline[SDP_MAX_LINE_LEN + 8];
	char fmts[SDP_MAX_FMTS * 4 + 64], unit[64 * 8];
	size_t n;

	(void)state;
	/* exactly at each limit: accepted */
	expect_limit(HEADC, "a=x\r\n", SDP_MAX_ATTRS, 0, "");
	expect_limit(HEADC, "m=audio 0 RTP/AVP 0\r\n", SDP_MAX_MEDIA, 0, "");
	/* one over: refused with the reason */
	expect_limit(HEADC, "a=x\r\n", SDP_MAX_ATTRS + 1, -E2BIG,
		     "line 262: more than 256 attributes at one level");
	expect_limit(HEADC, "m=audio 0 RTP/AVP 0\r\n", SDP_MAX_MEDIA + 1, -E2BIG,
		     "line 22: more than 16 media sections");
	expect_limit(HEADC, "m=audio 0 RTP/AVP 0\r\nb=AS:1\r\n", 1, 0, "");
	expect_limit(HEADC "m=audio 0 RTP/AVP 0\r\n", "b=AS:1\r\n", SDP_MAX_BW + 1, -E2BIG,
		     "line 11: more than 4 b= lines");
	/* 16 sections of 64 lines after the 5 head lines: line 1025 is one too many */
	n = (size_t)snprintf(unit, sizeof(unit), "m=audio 0 RTP/AVP 0\r\n");
	for (int i = 0; i < 63; i++)
		n += (size_t)snprintf(unit + n, sizeof(unit) - n, "a=x\r\n");
	expect_limit(HEADC, unit, SDP_MAX_MEDIA, -E2BIG, "line 1025: more than 1024 lines");
	expect_limit(HEADC, "a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
		     1000, -E2BIG, "over the 65536 byte limit");

	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "a=", 2);
	memcpy(longline + SDP_MAX_LINE_LEN, "\r\n", 3);
	expect_limit(HEADC, longline, 1, 0, "");
	memcpy(longline + SDP_MAX_LINE_LEN, "x\r\n", 4);
	expect_limit(HEADC, longline, 1, -E2BIG, "line 6: line longer than 1024 bytes");

	n = (size_t)snprintf(fmts, sizeof(fmts), "m=audio 1 RTP/AVP");
	for (int i = 0; i <= SDP_MAX_FMTS; i++)
		n += (size_t)snprintf(fmts + n, sizeof(fmts) - n, " %d", i);
	snprintf(fmts + n, sizeof(fmts) - n, "\r\n");
	expect_limit(HEADC, fmts, 1, -E2BIG, "line 6: m= has more than 64 formats");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_real),
		cmocka_unit_test(chromium_fields),
		cmocka_unit_test(ipv6_and_lf_only),
		cmocka_unit_test(built_session),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
