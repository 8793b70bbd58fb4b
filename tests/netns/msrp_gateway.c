/*
 * The gateway side of tests/netns/test_msrp_dc_bridge.sh, from the library pieces only:
 * it answers Chromium's data channel offer as an ICE-lite peer (stun_ice, dtls_srtp,
 * datachannel), AUTHs at an MSRP relay over TCP, and joins the channel with protocol
 * "msrp" to the relay with msrp_bridge (browser side: msrp://gw.invalid/g1;dc toward
 * msrp://browser.invalid/b1;dc; IMS side: LOCAL toward the path read from TO_IN). Its
 * own IMS-side path goes to PATH_OUT once the browser's channel is open.
 *
 *   msrp_gateway DIR RELAY_IP:PORT LOCAL_URI PATH_OUT TO_IN
 *
 * DIR holds offer.sdp (from the browser), answer.sdp (ours) and result.txt (the
 * browser's verdict, which ends the run). Prints "BRIDGE <counts>" at the end, and
 * "LOST <why> reports=<n>" when the browser went away (msrp_bridge_side_lost).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "webrtc/datachannel.h"
#include "webrtc/dtls_srtp.h"
#include "core/log.h"
#include "msrp/msrp_bridge.h"
#include "webrtc/stun_ice.h"

#define DC_LOCAL "msrp://gw.invalid/g1;dc"
#define DC_PEER "msrp://browser.invalid/b1;dc"

static struct {
	int udp, tcp;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct dtls_srtp *dtls;
	struct dc_assoc *dc;
	struct dc_config cfg;
	struct msrp_bridge *bridge;
	int msrp_stream;
	uint8_t in[1 << 20];
	size_t in_len;
	unsigned dc_errors;
	bool lost;
} g = { .msrp_stream = -1 };

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void die(const char *what)
{
	fprintf(stderr, "msrp_gateway: %s\n", what);
	exit(1);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *wait_file(const char *path, long ms)
{
	for (long end = now_ms() + ms; now_ms() < end; usleep(20000))
		if (access(path, R_OK) == 0)
			return read_file(path);
	return NULL;
}

static int sdp_attr(const char *sdp, const char *name, char *out, size_t cap)
{
	char key[64];
	const char *p, *e;

	snprintf(key, sizeof(key), "a=%s:", name);
	if (!(p = strstr(sdp, key)))
		return -1;
	p += strlen(key);
	e = p + strcspn(p, "\r\n");
	if ((size_t)(e - p) >= cap)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			poll(&pf, 1, 100);
			continue;
		}
		if (w <= 0)
			die("writing to the relay failed");
		p += w;
		n -= (size_t)w;
	}
}

static void send_datagrams(void)
{
	uint8_t out[2048];
	int len;

	while (g.peer_len && (len = dtls_srtp_output(g.dtls, out, sizeof(out))) > 0)
		sendto(g.udp, out, (size_t)len, 0, (struct sockaddr *)&g.peer, g.peer_len);
}

/* --- bridge, data channel, DTLS callbacks ------------------------------------------ */

static void bridge_send(void *arg, enum msrp_bridge_side to, const uint8_t *frame, size_t len)
{
	if (to == MSRP_SIDE_IMS)
		write_all(g.tcp, frame, len);
	else if (g.lost || g.msrp_stream < 0 ||
		 dc_send(g.dc, (uint16_t)g.msrp_stream, frame, len, true) < 0)
		g.dc_errors++;
}

/* The browser is gone (SCTP lost or DTLS closed): failure REPORTs for what it missed. */
static void browser_lost(const char *why)
{
	if (g.lost)
		return;
	g.lost = true;
	printf("LOST %s reports=%u\n", why, msrp_bridge_side_lost(g.bridge, MSRP_SIDE_DC));
	fflush(stdout);
}

static void on_state(void *arg, struct dc_assoc *a, bool up, const char *why)
{
	if (!up)
		browser_lost(why);
}

static void on_packet(void *arg, const uint8_t *pkt, size_t len)
{
	if (dtls_srtp_write(g.dtls, pkt, len) == 0)
		send_datagrams();
}

static void on_open(void *arg, struct dc_assoc *a, uint16_t stream, const char *label,
		    const char *protocol)
{
	if (!strcmp(protocol, "msrp"))
		g.msrp_stream = stream;
}

static void on_message(void *arg, struct dc_assoc *a, uint16_t stream, const uint8_t *data,
		       size_t len, bool binary)
{
	char err[160];

	if ((int)stream != g.msrp_stream)
		return;
	if (msrp_bridge_input(g.bridge, MSRP_SIDE_DC, data, len, err, sizeof(err)) < 0)
		fprintf(stderr, "msrp_gateway: from the browser: %s\n", err);
}

static void on_dtls_data(void *arg, const uint8_t *data, size_t len)
{
	if (g.dc)
		dc_assoc_input(g.dc, data, len);
}

/* Frames from the relay into the bridge; 1 when the AUTH answer (with *use) came. */
static int read_tcp(struct msrp_path *use)
{
	struct msrp_limits lim;
	ssize_t n = recv(g.tcp, g.in + g.in_len, sizeof(g.in) - g.in_len, 0);
	size_t off = 0;
	int authed = 0;

	if (n == 0)
		die("the relay closed the connection");
	if (n < 0)
		return errno == EAGAIN ? 0 : (die("reading from the relay failed"), 0);
	g.in_len += (size_t)n;
	msrp_limits_default(&lim);
	for (;;) {
		struct msrp_frame f;
		char err[160];
		int len = msrp_parse(g.in + off, g.in_len - off, false, &lim, &f, NULL, err,
				     sizeof(err));

		if (len == 0)
			break;
		if (len < 0) {
			fprintf(stderr, "msrp_gateway: from the relay: %s\n", err);
			exit(1);
		}
		if (use && !f.is_request) {
			const char *h = strstr(f.extra, "Use-Path: ");

			if (f.status != 200 || !h ||
			    msrp_path_parse(h + 10, strcspn(h + 10, "\r\n"), use) < 0)
				die("AUTH refused");
			authed = 1;
		} else if (g.bridge &&
			   msrp_bridge_input(g.bridge, MSRP_SIDE_IMS, g.in + off, (size_t)len, err,
					     sizeof(err)) < 0) {
			fprintf(stderr, "msrp_gateway: from IMS: %s\n", err);
		}
		off += (size_t)len;
	}
	memmove(g.in, g.in + off, g.in_len - off);
	g.in_len -= off;
	return authed;
}

/* Our IMS-side path (the relay's Use-Path, then our URI) for the IMS endpoint. */
static void publish_path(const char *file, const struct msrp_path *use, const struct msrp_uri *local)
{
	char tmp[512], uri[MSRP_URI_MAX * 2 + 32];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write the path");
	for (unsigned i = 0; i < use->n; i++) {
		msrp_uri_format(&use->uri[i], uri, sizeof(uri));
		fprintf(f, "%s ", uri);
	}
	msrp_uri_format(local, uri, sizeof(uri));
	fprintf(f, "%s\n", uri);
	fclose(f);
	rename(tmp, file);
}

int main(int argc, char **argv)
{
	static const struct dc_cbs cbs = { on_packet, on_state, on_open, on_message, NULL };
	const struct msrp_bridge_out bout = { bridge_send };
	struct stun_ice_creds creds = { .local_ufrag = "gw4u",
					.local_pwd = "gatewaypassword0123456" };
	struct sockaddr_in a = { .sin_family = AF_INET }, src4 = { .sin_family = AF_INET };
	struct msrp_bridge_config bc = { 0 };
	struct msrp_path use = { 0 };
	struct msrp_uri local;
	struct dtls_srtp_cert *cert;
	socklen_t alen = sizeof(a);
	char path[512], err[200], ufrag[64], fp[256], alg[16], val[200], mid[32], mms[32];
	char answer[4096], relay_ip[64], *text;
	int relay_port, one = 1;
	long last, end, done_at = 0;
	bool published = false;
	FILE *f;

	if (argc != 6 || sscanf(argv[2], "%63[^:]:%d", relay_ip, &relay_port) != 2 ||
	    msrp_uri_parse(argv[3], strlen(argv[3]), &local) < 0)
		die("usage: msrp_gateway DIR RELAY_IP:PORT LOCAL_URI PATH_OUT TO_IN");
	log_init("msrp_gateway", LOG_LEVEL_INFO, 0);
	signal(SIGPIPE, SIG_IGN);

	/* MSRP toward IMS: AUTH at the relay, publish our path, read the peer's */
	g.tcp = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(g.tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, local.host, &src4.sin_addr);
	src4.sin_port = htons(local.port);
	a.sin_port = htons((uint16_t)relay_port);
	inet_pton(AF_INET, relay_ip, &a.sin_addr);
	if (bind(g.tcp, (struct sockaddr *)&src4, sizeof(src4)) < 0 ||
	    connect(g.tcp, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("cannot connect to the relay");
	{
		struct msrp_frame auth = { .is_request = true, .method = MSRP_AUTH, .cont = '$' };
		uint8_t buf[1024];
		int n;

		strcpy(auth.method_name, "AUTH");
		msrp_new_ident(auth.tid);
		auth.to.n = auth.from.n = 1;
		auth.to.uri[0] = local;
		snprintf(auth.to.uri[0].host, sizeof(auth.to.uri[0].host), "%s", relay_ip);
		auth.to.uri[0].port = (uint16_t)relay_port;
		auth.to.uri[0].session[0] = '\0';
		auth.from.uri[0] = local;
		n = msrp_build(&auth, buf, sizeof(buf));
		write_all(g.tcp, buf, (size_t)n);
		while (!read_tcp(&use))
			;
	}
	fcntl(g.tcp, F_SETFL, O_NONBLOCK);
	text = wait_file(argv[5], 20000);
	if (!text)
		die("no path from the IMS side");
	text[strcspn(text, "\r\n")] = '\0';
	while (strlen(text) && text[strlen(text) - 1] == ' ')
		text[strlen(text) - 1] = '\0';

	/* the bridge */
	msrp_limits_default(&bc.lim);
	msrp_uri_parse(DC_LOCAL, strlen(DC_LOCAL), &bc.local[MSRP_SIDE_DC]);
	msrp_path_parse(DC_PEER, strlen(DC_PEER), &bc.peer[MSRP_SIDE_DC]);
	bc.local[MSRP_SIDE_IMS] = local;
	if (msrp_path_parse(text, strlen(text), &bc.peer[MSRP_SIDE_IMS]) < 0)
		die("bad IMS path");
	free(text);
	bc.max_chunk[MSRP_SIDE_IMS] = 2048; /* what Kamailio's relay reads comfortably */

	/* the browser: its offer, our answer */
	snprintf(path, sizeof(path), "%s/offer.sdp", argv[1]);
	text = wait_file(path, 30000);
	if (!text || sdp_attr(text, "ice-ufrag", ufrag, sizeof(ufrag)) < 0 ||
	    sdp_attr(text, "fingerprint", fp, sizeof(fp)) < 0 ||
	    sdp_attr(text, "mid", mid, sizeof(mid)) < 0 || sscanf(fp, "%15s %199s", alg, val) != 2)
		die("no usable offer");
	g.cfg.remote_max_message = sdp_attr(text, "max-message-size", mms, sizeof(mms)) == 0 ?
					   strtoul(mms, NULL, 10) : 65536;
	free(text);
	bc.max_frame[MSRP_SIDE_DC] = g.cfg.remote_max_message;
	g.bridge = msrp_bridge_new(&bc, &bout, NULL);
	creds.remote_ufrag = ufrag;
	if (dtls_srtp_cert_new("nwit", 1, &cert) < 0)
		die("no certificate");
	g.udp = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	if (bind(g.udp, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(g.udp, (struct sockaddr *)&a, &alen) < 0)
		die("no UDP socket");
	snprintf(answer, sizeof(answer),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE %s\r\n"
		 "a=ice-lite\r\nm=application %u UDP/DTLS/SCTP webrtc-datachannel\r\n"
		 "c=IN IP4 127.0.0.1\r\na=mid:%s\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
		 "a=fingerprint:%s\r\na=setup:passive\r\na=sctp-port:%u\r\n"
		 "a=max-message-size:%u\r\n"
		 "a=dcmap:0 subprotocol=\"msrp\";label=\"chat\"\r\n"
		 "a=dcsa:0 accept-types:*\r\na=dcsa:0 path:" DC_LOCAL "\r\n"
		 "a=candidate:1 1 udp 2130706431 127.0.0.1 %u typ host\r\na=end-of-candidates\r\n",
		 mid, ntohs(a.sin_port), mid, creds.local_ufrag, creds.local_pwd, cert->fingerprint,
		 DC_DEFAULT_SCTP_PORT, 1u << 20, ntohs(a.sin_port));
	snprintf(path, sizeof(path), "%s/answer.sdp.tmp", argv[1]);
	f = fopen(path, "w");
	if (!f)
		die("cannot write the answer");
	fputs(answer, f);
	fclose(f);
	{
		char final[512];

		snprintf(final, sizeof(final), "%s/answer.sdp", argv[1]);
		rename(path, final);
	}
	g.dtls = dtls_srtp_new(cert, false, alg, val, err, sizeof(err));
	if (!g.dtls)
		die(err);
	dtls_srtp_set_data_cb(g.dtls, on_dtls_data, NULL);
	g.cfg.max_message = 1u << 20;

	snprintf(path, sizeof(path), "%s/result.txt", argv[1]);
	last = now_ms();
	for (end = now_ms() + 120000; now_ms() < end;) {
		struct pollfd p[2] = { { .fd = g.udp, .events = POLLIN }, { .fd = g.tcp, .events = POLLIN } };
		uint8_t pkt[2048], out[2048];
		struct sockaddr_storage src;
		socklen_t slen = sizeof(src);
		ssize_t n;
		int len;

		/* the IMS side may start once the browser's channel is open */
		if (g.msrp_stream >= 0 && !published) {
			publish_path(argv[4], &use, &local);
			published = true;
		}
		if (!done_at && access(path, R_OK) == 0)
			done_at = now_ms();
		if (done_at && now_ms() - done_at > 1500)
			break;
		poll(p, 2, 5);
		if (p[1].revents)
			read_tcp(NULL);
		if (p[0].revents &&
		    (n = recvfrom(g.udp, pkt, sizeof(pkt), 0, (struct sockaddr *)&src, &slen)) > 0) {
			if (pkt[0] < 4) {
				struct stun_ice_request q;
				char why[128];

				len = stun_ice_handle(pkt, (size_t)n, &creds, (struct sockaddr *)&src, out,
						      sizeof(out), &q, why, sizeof(why));
				if (len > 0)
					sendto(g.udp, out, (size_t)len, 0, (struct sockaddr *)&src, slen);
				if (len > 0 && q.error_code == 0 && !g.peer_len) {
					g.peer = src;
					g.peer_len = slen;
					dtls_srtp_start(g.dtls);
				}
			} else if (pkt[0] >= 20 && pkt[0] <= 63) {
				if (!g.peer_len) {
					g.peer = src;
					g.peer_len = slen;
					dtls_srtp_start(g.dtls);
				}
				if (!g.lost && dtls_srtp_input(g.dtls, pkt, (size_t)n) < 0)
					browser_lost(dtls_srtp_error(g.dtls));
			}
		} else if (g.peer_len && !g.lost && dtls_srtp_on_timeout(g.dtls) < 0) {
			die(dtls_srtp_error(g.dtls));
		}
		if (dtls_srtp_connected(g.dtls) && !g.dc) {
			g.cfg.mtu = (unsigned)dtls_srtp_data_mtu(g.dtls);
			g.dc = dc_assoc_new(&g.cfg, &cbs, NULL, err, sizeof(err));
			if (!g.dc || dc_assoc_connect(g.dc) < 0)
				die("no SCTP association");
		}
		if (now_ms() - last >= 10) {
			dc_handle_timers((unsigned)(now_ms() - last));
			last = now_ms();
		}
		send_datagrams();
	}
	{
		const struct msrp_bridge_stats *st = msrp_bridge_stats(g.bridge);

		printf("BRIDGE forwarded_to_dc=%llu forwarded_to_ims=%llu refused_dc=%llu "
		       "refused_ims=%llu failure_reports=%llu dc_errors=%u\n",
		       (unsigned long long)st->forwarded[MSRP_SIDE_DC],
		       (unsigned long long)st->forwarded[MSRP_SIDE_IMS],
		       (unsigned long long)st->refused[MSRP_SIDE_DC],
		       (unsigned long long)st->refused[MSRP_SIDE_IMS],
		       (unsigned long long)st->failure_reports, g.dc_errors);
	}
	dc_assoc_free(g.dc);
	dtls_srtp_free(g.dtls);
	dtls_srtp_cert_free(cert);
	msrp_bridge_free(g.bridge);
	close(g.tcp);
	close(g.udp);
	return done_at ? 0 : 1;
}
