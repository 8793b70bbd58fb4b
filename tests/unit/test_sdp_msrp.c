/*
 * MSRP media descriptions: the RFC 5547 file transfer offer and an RFC 8873 data channel
 * section (a=dcmap / a=dcsa) parse to the values written in them; what we write parses
 * back to the same values (both forms); bad sections are refused with their reasons.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include <cmocka.h>

#include "sdp/sdp.h"
#include "sdp/sdp_msrp.h"

/* RFC 5547 section 9.1 (the offer's m=message section) */
static const char rfc5547[] =
	"v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=-\r\n"
	"c=IN IP4 192.0.2.10\r\nt=0 0\r\n"
	"m=message 7654 TCP/MSRP *\r\n"
	"i=This is my latest picture\r\n"
	"a=sendonly\r\n"
	"a=accept-types:message/cpim\r\n"
	"a=accept-wrapped-types:*\r\n"
	"a=path:msrp://atlanta.example.com:7654/jshA7we;tcp\r\n"
	"a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:32349 "
	"hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E\r\n"
	"a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd\r\n"
	"a=file-disposition:attachment\r\n"
	"a=file-date:creation:\"Mon, 15 May 2006 15:01:31 +0300\"\r\n"
	"a=file-icon:cid:id2@alicepc.example.com\r\n"
	"a=file-range:1-32349\r\n";

/* RFC 8873 style: MSRP in a data channel of a WebRTC offer */
static const char rfc8873[] =
	"v=0\r\no=- 1 1 IN IP6 2001:db8::3\r\ns=-\r\nt=0 0\r\n"
	"m=application 54111 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	"c=IN IP6 2001:db8::3\r\n"
	"a=max-message-size:100000\r\n"
	"a=sctp-port:5000\r\n"
	"a=setup:actpass\r\n"
	"a=dcmap:2 subprotocol=\"bfcp\";label=\"floor\"\r\n"
	"a=dcmap:0 subprotocol=\"msrp\";label=\"chat\"\r\n"
	"a=dcsa:0 accept-types:message/cpim text/plain\r\n"
	"a=dcsa:0 path:msrp://alice.example.com:10001/2s93i93idj;dc\r\n"
	"a=dcsa:2 setup:garbage-for-another-channel\r\n";

static struct sdp_session *parse(const char *text)
{
	struct sdp_session *s;
	char err[SDP_ERR_MAX];

	if (sdp_parse(text, strlen(text), &s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return s;
}

static void ims_file_offer(void **state)
{
	struct sdp_session *s = parse(rfc5547), *t;
	struct sdp_msrp o, back;
	struct sdp_media *m;
	char err[160], *text;
	size_t len;

	(void)state;
	assert_int_equal(sdp_msrp_from_media(&s->media[0], &o, err, sizeof(err)), 0);
	assert_int_equal(o.dir, SDP_MSRP_SENDONLY);
	assert_string_equal(o.accept_types, "message/cpim");
	assert_string_equal(o.accept_wrapped_types, "*");
	assert_int_equal(o.path.n, 1);
	assert_string_equal(o.path.uri[0].host, "atlanta.example.com");
	assert_int_equal(o.path.uri[0].port, 7654);
	assert_string_equal(o.path.uri[0].session, "jshA7we");
	assert_true(o.file.present);
	assert_string_equal(o.file.name, "My cool picture.jpg");
	assert_string_equal(o.file.type, "image/jpeg");
	assert_int_equal(o.file.size, 32349);
	assert_string_equal(o.file.hash_alg, "sha-1");
	assert_string_equal(o.file.hash, "72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E");
	assert_string_equal(o.file_transfer_id, "vBnG916bdberum2fFEABR1FR3ExZMUrd");
	assert_int_equal(o.setup, SDP_MSRP_SETUP_NONE);

	/* ours, written and read back */
	t = sdp_new();
	o.setup = SDP_MSRP_ACTPASS;
	o.max_size = 10485760;
	m = sdp_add_media(t, "message", 2855, "TCP/MSRP");
	assert_non_null(m);
	assert_int_equal(sdp_media_add_fmt(t, m, "*"), 0);
	assert_int_equal(sdp_msrp_to_media(t, m, &o), 0);
	assert_int_equal(sdp_attrs_add(t, &t->attrs, "x-test", NULL), 0);
	t->origin.username = "-";
	t->origin.sess_id = t->origin.sess_version = "1";
	t->origin.af = AF_INET;
	t->origin.addr = "192.0.2.1";
	t->name = "-";
	assert_int_equal(sdp_conn_set(t, &t->conn, "192.0.2.1"), 0);
	assert_int_equal(sdp_serialize(t, &text, &len), 0);
	assert_non_null(strstr(text, "m=message 2855 TCP/MSRP *\r\n"));
	assert_non_null(strstr(text, "a=path:msrp://atlanta.example.com:7654/jshA7we;tcp\r\n"));
	assert_non_null(strstr(text, "a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg "
				     "size:32349 hash:sha-1:72:24:"));
	sdp_free(t);
	t = parse(text);
	free(text);
	assert_int_equal(sdp_msrp_from_media(&t->media[0], &back, err, sizeof(err)), 0);
	assert_int_equal(back.setup, SDP_MSRP_ACTPASS);
	assert_int_equal(back.max_size, 10485760);
	assert_int_equal(back.dir, SDP_MSRP_SENDONLY);
	assert_true(msrp_uri_equal(&back.path.uri[0], &o.path.uri[0]));
	assert_int_equal(back.file.size, 32349);
	assert_string_equal(back.file.name, o.file.name);
	assert_string_equal(back.file_transfer_id, o.file_transfer_id);
	sdp_free(t);
	sdp_free(s);
}

static void data_channel(void **state)
{
	struct sdp_session *s = parse(rfc8873), *t;
	struct sdp_msrp o, back;
	struct sdp_media *m;
	uint16_t stream;
	char err[160], label[64], *text;
	size_t len;

	(void)state;
	assert_int_equal(sdp_dc_msrp_from_media(&s->media[0], &stream, label, sizeof(label), &o,
						err, sizeof(err)),
			 0);
	assert_int_equal(stream, 0);
	assert_string_equal(label, "chat");
	assert_string_equal(o.accept_types, "message/cpim text/plain");
	assert_string_equal(o.path.uri[0].transport, "dc");
	assert_string_equal(o.path.uri[0].session, "2s93i93idj");

	t = sdp_new();
	t->origin.username = "-";
	t->origin.sess_id = t->origin.sess_version = "1";
	t->origin.af = AF_INET;
	t->origin.addr = "192.0.2.1";
	t->name = "-";
	assert_int_equal(sdp_conn_set(t, &t->conn, "192.0.2.1"), 0);
	m = sdp_add_media(t, "application", 9, "UDP/DTLS/SCTP");
	assert_int_equal(sdp_media_add_fmt(t, m, "webrtc-datachannel"), 0);
	o.setup = SDP_MSRP_PASSIVE;
	assert_int_equal(sdp_dc_msrp_to_media(t, m, 1, "chat", &o), 0);
	assert_int_equal(sdp_serialize(t, &text, &len), 0);
	assert_non_null(strstr(text, "a=dcmap:1 subprotocol=\"msrp\";label=\"chat\"\r\n"));
	assert_non_null(strstr(text, "a=dcsa:1 path:msrp://alice.example.com:10001/2s93i93idj;dc\r\n"));
	assert_non_null(strstr(text, "a=dcsa:1 setup:passive\r\n"));
	sdp_free(t);
	t = parse(text);
	free(text);
	assert_int_equal(sdp_dc_msrp_from_media(&t->media[0], &stream, label, sizeof(label), &back,
						err, sizeof(err)),
			 0);
	assert_int_equal(stream, 1);
	assert_int_equal(back.setup, SDP_MSRP_PASSIVE);
	assert_string_equal(back.accept_types, o.accept_types);
	sdp_free(t);
	sdp_free(s);
}

static void refused(void **state)
{
	static const char *const bad[] = {
		"m=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\n", /* no path */
		"m=message 7654 TCP/MSRP *\r\na=path:msrp://a.example.com:1/s;tcp\r\n", /* no types */
		"m=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\na=path:http://x/;tcp\r\n",
		"m=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\n"
		"a=path:msrp://a.example.com:1/s;tcp\r\na=setup:sideways\r\n",
		"m=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\n"
		"a=path:msrp://a.example.com:1/s;tcp\r\na=max-size:lots\r\n",
		"m=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\n"
		"a=path:msrp://a.example.com:1/s;tcp\r\na=file-selector:name:\"unterminated\r\n",
		"m=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\n"
		"a=path:msrp://a.example.com:1/s;tcp\r\na=file-selector:colour:blue\r\n",
		"m=message 7654 TCP/MSRP 0\r\na=accept-types:text/plain\r\n"
		"a=path:msrp://a.example.com:1/s;tcp\r\n",
		"m=audio 7654 RTP/AVP 0\r\n",
	};
	char text[1024], err[160];
	struct sdp_msrp o;
	uint16_t stream;
	char label[16];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sdp_session *s;

		snprintf(text, sizeof(text), "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
			 "t=0 0\r\n%s", bad[i]);
		s = parse(text);
		err[0] = 0;
		assert_int_equal(sdp_msrp_from_media(&s->media[0], &o, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != 0);
		sdp_free(s);
	}
	/* a data channel section without an msrp channel, and one with a bad dcmap */
	{
		struct sdp_session *s = parse(
			"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
			"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
			"a=dcmap:2 subprotocol=\"bfcp\"\r\n");

		assert_int_equal(sdp_dc_msrp_from_media(&s->media[0], &stream, label, sizeof(label),
							&o, err, sizeof(err)),
				 -ENOENT);
		sdp_free(s);
		s = parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
			  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
			  "a=dcmap:x subprotocol=\"msrp\"\r\n");
		assert_int_equal(sdp_dc_msrp_from_media(&s->media[0], &stream, label, sizeof(label),
							&o, err, sizeof(err)),
				 -EINVAL);
		sdp_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ims_file_offer),
		cmocka_unit_test(data_channel),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
