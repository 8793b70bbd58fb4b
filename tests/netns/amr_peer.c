/*
 * Test peer for test_amr_baresip.sh: plays the browser side of a transcoded call
 * against a real AMR-WB / AMR phone (baresip's amr module). It calls the phone with an
 * SDP offer of only AMR-WB (or only AMR), octet-aligned; then for --seconds it encodes a
 * tone with libopus as a browser would, passes the Opus packets through the transcoder
 * (codec/xcode.h) and sends the AMR packets to the phone; what the phone sends back goes
 * through the transcoder to Opus and is decoded by libopus into --out (a 48 kHz WAV).
 * Then BYE. Prints the transcoder's counters; exits non-zero on any refusal.
 *
 *   amr_peer --phone 127.0.0.1:5070 --codec AMR-WB|AMR --hz 440 --seconds 4 --out rx.wav
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <opus/opus.h>

#include "codec/amr_fmtp.h"
#include "codec/rtp_map.h"
#include "codec/xcode.h"

#define SIP_PORT 5062
#define RTP_PORT 6000

static int sip_fd, rtp_fd;
static struct sockaddr_in phone, phone_rtp;
static char call_id[64], from_tag[32], to_tag[64];

static void die(const char *msg)
{
	fprintf(stderr, "amr_peer: %s\n", msg);
	exit(1);
}

static int udp_bind(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("cannot bind a UDP socket on 127.0.0.1");
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sip_send(const char *method, unsigned cseq, const char *body)
{
	char msg[4096];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "%s sip:bob@%s:%u SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=z9hG4bK%s%u\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:page@127.0.0.1>;tag=%s\r\n"
		     "To: <sip:bob@%s:%u>%s%s\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: %u %s\r\n"
		     "Contact: <sip:page@127.0.0.1:%d>\r\n"
		     "%s"
		     "Content-Length: %zu\r\n\r\n%s",
		     method, inet_ntoa(phone.sin_addr), ntohs(phone.sin_port), SIP_PORT, method, cseq,
		     from_tag, inet_ntoa(phone.sin_addr), ntohs(phone.sin_port),
		     to_tag[0] ? ";tag=" : "", to_tag, call_id, cseq,
		     strcmp(method, "ACK") ? method : "ACK", SIP_PORT,
		     body ? "Content-Type: application/sdp\r\n" : "", body ? strlen(body) : 0,
		     body ? body : "");
	if (sendto(sip_fd, msg, (size_t)n, 0, (struct sockaddr *)&phone, sizeof(phone)) != n)
		die("cannot send SIP");
}

/* wait for a final response to `method`; return its status, the message in buf */
static int sip_final(const char *method, char *buf, size_t cap, double timeout)
{
	double end = now() + timeout;

	while (now() < end) {
		struct pollfd p = { .fd = sip_fd, .events = POLLIN };
		ssize_t n;
		int status;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(sip_fd, buf, cap - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		if (sscanf(buf, "SIP/2.0 %d", &status) != 1 || !strstr(buf, method))
			continue; /* a request from the phone, or another transaction */
		if (status >= 200)
			return status;
	}
	return -1;
}

/* a header's value in a SIP message (first match, case-insensitive name) */
static const char *header(const char *msg, const char *name, char *out, size_t cap)
{
	const char *p = msg;
	size_t nl = strlen(name);

	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1, *e = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			snprintf(out, cap, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
			return out;
		}
	}
	return NULL;
}

static void put_le(FILE *f, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

static void write_wav(const char *path, const int16_t *pcm, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		die("cannot write the WAV file");
	fwrite("RIFF", 1, 4, f), put_le(f, (uint32_t)(36 + n * 2), 4), fwrite("WAVEfmt ", 1, 8, f);
	put_le(f, 16, 4), put_le(f, 1, 2), put_le(f, 1, 2), put_le(f, 48000, 4);
	put_le(f, 96000, 4), put_le(f, 2, 2), put_le(f, 16, 2), fwrite("data", 1, 4, f);
	put_le(f, (uint32_t)(n * 2), 4);
	for (size_t i = 0; i < n; i++)
		put_le(f, (uint16_t)pcm[i], 2);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *phone_arg = "127.0.0.1:5070", *codec = "AMR-WB", *out = "rx.wav";
	double hz = 440, seconds = 4;
	char sdp[1024], buf[8192], val[512], err[256], needle[64];
	struct xcode_config c;
	struct xcode *x;
	OpusEncoder *enc;
	OpusDecoder *dec;
	static int16_t rx[48000 * 30];
	size_t rx_n = 0;
	unsigned pt = 0, rtp_port = 0, refused = 0;
	const char *p;
	int status, rc;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--phone")) phone_arg = argv[i + 1];
		else if (!strcmp(argv[i], "--codec")) codec = argv[i + 1];
		else if (!strcmp(argv[i], "--hz")) hz = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--out")) out = argv[i + 1];
		else die("unknown option");
	}
	if (seconds > 25)
		die("--seconds: at most 25");
	phone.sin_family = AF_INET;
	phone.sin_port = htons((uint16_t)atoi(strchr(phone_arg, ':') + 1));
	inet_pton(AF_INET, "127.0.0.1", &phone.sin_addr);
	sip_fd = udp_bind(SIP_PORT);
	rtp_fd = udp_bind(RTP_PORT);
	srand((unsigned)getpid());
	snprintf(call_id, sizeof(call_id), "amr%d%d@127.0.0.1", getpid(), rand());
	snprintf(from_tag, sizeof(from_tag), "t%d", rand());

	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %d RTP/AVP 96\r\na=rtpmap:96 %s/%d\r\na=fmtp:96 octet-align=1\r\n"
		 "a=ptime:20\r\na=sendrecv\r\n",
		 RTP_PORT, codec, strcmp(codec, "AMR") ? 16000 : 8000);
	sip_send("INVITE", 1, sdp);
	status = sip_final("INVITE", buf, sizeof(buf), 10);
	printf("INVITE: %d\n", status);
	if (status != 200)
		die("the phone did not answer 200");
	if (!header(buf, "To", val, sizeof(val)) || !(p = strstr(val, "tag=")))
		die("200 without a To tag");
	snprintf(to_tag, sizeof(to_tag), "%.*s", (int)strcspn(p + 4, ";>"), p + 4);
	sip_send("ACK", 1, NULL);

	/* the answer: its port, its payload type for the codec, its fmtp */
	if (!(p = strstr(buf, "m=audio ")) || sscanf(p, "m=audio %u", &rtp_port) != 1 || !rtp_port)
		die("the answer has no audio port");
	snprintf(needle, sizeof(needle), " %s/", codec);
	for (p = strstr(buf, "a=rtpmap:"); p; p = strstr(p + 1, "a=rtpmap:"))
		if (!strncmp(p + 9 + strspn(p + 9, "0123456789"), needle, strlen(needle))) {
			pt = (unsigned)atoi(p + 9);
			break;
		}
	if (!p)
		die("the answer does not keep the codec");
	xcode_config_default(&c, XCODE_WEB_OPUS, strcmp(codec, "AMR") ? AMR_WB : AMR_NB);
	c.ims_pt = (uint8_t)pt;
	snprintf(needle, sizeof(needle), "a=fmtp:%u ", pt);
	if ((p = strstr(buf, needle))) {
		snprintf(val, sizeof(val), "%.*s", (int)strcspn(p + strlen(needle), "\r\n"),
			 p + strlen(needle));
		printf("answer fmtp: %s\n", val);
		if (amr_fmtp_parse(c.ims, val, &c.ims_fmtp, err, sizeof(err)) < 0) {
			fprintf(stderr, "amr_peer: the answer's fmtp: %s\n", err);
			return 1;
		}
	}
	if (!c.ims_fmtp.octet_align)
		die("the answer is not octet-aligned");
	phone_rtp = phone;
	phone_rtp.sin_port = htons((uint16_t)rtp_port);
	printf("phone RTP port %u, payload type %u\n", rtp_port, pt);

	if (xcode_new(&c, &x, err, sizeof(err)) < 0)
		die(err);
	enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &rc);
	dec = opus_decoder_create(48000, 1, &rc);
	if (!enc || !dec)
		die("libopus");
	opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));

	double t0 = now();
	unsigned frames = (unsigned)(seconds * 50);
	for (unsigned i = 0; i < frames; i++) {
		uint8_t pkt[1500], o[1500];
		int16_t pcm[960];
		int n;

		for (int k = 0; k < 960; k++)
			pcm[k] = (int16_t)lrint(8000 * sin(2 * M_PI * hz * (i * 960 + k) / 48000.0));
		rtp_header_write(pkt, 111, i == 0, (uint16_t)(1000 + i), 5000 + i * 960, 0xc0ffee);
		n = opus_encode(enc, pcm, 960, pkt + 12, 1400);
		rc = xcode_packet(x, XCODE_TO_IMS, pkt, 12 + (size_t)n, o, sizeof(o), err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "amr_peer: toward the phone: %s\n", err);
			refused++;
		} else if (rc > 0) {
			sendto(rtp_fd, o, (size_t)rc, 0, (struct sockaddr *)&phone_rtp, sizeof(phone_rtp));
		}
		/* until the next 20 ms tick, take what the phone sends */
		for (;;) {
			double wait = t0 + (i + 1) * 0.02 - now();
			struct pollfd pf = { .fd = rtp_fd, .events = POLLIN };
			ssize_t len;

			if (wait <= 0 || poll(&pf, 1, (int)(wait * 1000) + 1) <= 0)
				break;
			len = recv(rtp_fd, pkt, sizeof(pkt), 0);
			if (len <= 0)
				continue;
			rc = xcode_packet(x, XCODE_TO_WEB, pkt, (size_t)len, o, sizeof(o), err, sizeof(err));
			if (rc < 0) {
				fprintf(stderr, "amr_peer: from the phone: %s\n", err);
				refused++;
				continue;
			}
			struct rtp_view v;

			if (rc > 0 && !rtp_view_parse(o, (size_t)rc, &v) &&
			    rx_n + 5760 < sizeof(rx) / sizeof(rx[0])) {
				n = opus_decode(dec, v.payload, (opus_int32)v.payload_len, rx + rx_n, 5760, 0);
				if (n > 0)
					rx_n += (size_t)n;
			}
		}
	}
	sip_send("BYE", 2, NULL);
	status = sip_final("BYE", buf, sizeof(buf), 5);
	printf("BYE: %d\n", status);
	write_wav(out, rx, rx_n);
	{
		const struct xcode_stats *s = xcode_get_stats(x);

		printf("to phone: %llu in, %llu out; from phone: %llu in, %llu out; "
		       "refused %llu, ignored %llu, late %llu, bad %llu, codec errors %llu\n",
		       (unsigned long long)s->packets_in[XCODE_TO_IMS],
		       (unsigned long long)s->packets_out[XCODE_TO_IMS],
		       (unsigned long long)s->packets_in[XCODE_TO_WEB],
		       (unsigned long long)s->packets_out[XCODE_TO_WEB],
		       (unsigned long long)s->amr_refused, (unsigned long long)s->amr_ignored,
		       (unsigned long long)(s->late[0] + s->late[1]),
		       (unsigned long long)(s->bad_rtp[0] + s->bad_rtp[1]),
		       (unsigned long long)(s->codec_errors[0] + s->codec_errors[1]));
		if (s->packets_out[XCODE_TO_WEB] < frames / 2)
			refused++;
	}
	opus_encoder_destroy(enc);
	opus_decoder_destroy(dec);
	xcode_free(x);
	return refused || status != 200 ? 1 : 0;
}
