/*
 * Data channels against real Chromium: headless Chromium (driven by
 * tests/e2e/datachannel_interop.js) offers two data channels ("chat" with protocol
 * "msrp", and "aux"); we answer as an ICE-lite gateway with a=sctp-port and
 * a=max-message-size (RFC 8841), answer its STUN checks (stun_ice), run DTLS (dtls_srtp,
 * as server and as client) and SCTP with DCEP over it (datachannel). The page sends
 * text messages and 1 MiB of random bytes (in binary messages as large as Chromium
 * allows); we check each text and the joined binary against the SHA-256 the page
 * computed with WebCrypto (DIR/sent.txt) with our own (OpenSSL), and echo every message
 * back; the page checks the echoes.
 *
 * Runs in a network namespace of its own (unshare). Skipped without root, node,
 * Chromium or the npm packages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "webrtc/datachannel.h"
#include "webrtc/dtls_srtp.h"
#include "webrtc/stun_ice.h"

#define OUR_MAX_MESSAGE (2u << 20)

static char skip_reason[4200], driver[4096];

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int prepare(void)
{
	const char *top = getenv("NWIT_TOP") ? getenv("NWIT_TOP") : ".";
	struct ifreq ifr = { .ifr_name = "lo" };
	char modules[4096];
	int fd;

	snprintf(driver, sizeof(driver), "%s/tests/e2e/datachannel_interop.js", top);
	snprintf(modules, sizeof(modules), "%s/tests/e2e/node_modules/playwright-core", top);
	if (system("command -v node >/dev/null 2>&1") != 0 ||
	    access(getenv("CHROMIUM") ? getenv("CHROMIUM") : "/usr/bin/chromium", X_OK) != 0)
		snprintf(skip_reason, sizeof(skip_reason), "node or chromium is not installed");
	else if (access(driver, R_OK) != 0)
		snprintf(skip_reason, sizeof(skip_reason), "%s not found (set NWIT_TOP)", driver);
	else if (access(modules, R_OK) != 0)
		snprintf(skip_reason, sizeof(skip_reason),
			 "npm packages missing: (cd tests/e2e && npm ci)");
	else if (unshare(CLONE_NEWNET) != 0)
		snprintf(skip_reason, sizeof(skip_reason), "cannot make a network namespace: %s",
			 strerror(errno));
	if (skip_reason[0]) {
		printf("skipped: %s\n", skip_reason);
		return 77;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		return -1;
	close(fd);
	return dc_global_init();
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
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The value of the first "a=<name>:" line in sdp, up to the end of line. */
static bool sdp_attr(const char *sdp, const char *name, char *out, size_t cap)
{
	char key[64];
	const char *p, *e;

	snprintf(key, sizeof(key), "a=%s:", name);
	p = strstr(sdp, key);
	if (!p)
		return false;
	p += strlen(key);
	e = p + strcspn(p, "\r\n");
	if ((size_t)(e - p) >= cap)
		return false;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return true;
}

struct got {
	char line[16][160]; /* "chat text 13 <sha-256>" as the page writes them */
	unsigned n;
};

struct gw {
	int fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct dtls_srtp *dtls;
	struct dc_assoc *dc;
	struct dc_config cfg;
	bool dc_up;
	unsigned opened;
	char labels[4][64], protocols[4][64];
	uint16_t streams[4];
	struct got got;
	EVP_MD_CTX *bin_sha;
	size_t bin_len, bin_largest;
	unsigned bin_pieces, echo_errors;
};

static void send_datagrams(struct gw *g)
{
	uint8_t out[2048];
	int len;

	while (g->peer_len && (len = dtls_srtp_output(g->dtls, out, sizeof(out))) > 0)
		sendto(g->fd, out, (size_t)len, 0, (struct sockaddr *)&g->peer, g->peer_len);
}

static void on_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct gw *g = arg;

	if (dtls_srtp_write(g->dtls, pkt, len) == 0)
		send_datagrams(g);
}

static void on_state(void *arg, struct dc_assoc *a, bool up, const char *why)
{
	((struct gw *)arg)->dc_up = up;
}

static void on_open(void *arg, struct dc_assoc *a, uint16_t stream, const char *label,
		    const char *protocol)
{
	struct gw *g = arg;

	if (g->opened < 4) {
		snprintf(g->labels[g->opened], 64, "%s", label);
		snprintf(g->protocols[g->opened], 64, "%s", protocol);
		g->streams[g->opened++] = stream;
	}
}

static const char *label_of(struct gw *g, uint16_t stream)
{
	for (unsigned i = 0; i < g->opened; i++)
		if (g->streams[i] == stream)
			return g->labels[i];
	return "?";
}

static void hex_digest(const unsigned char md[SHA256_DIGEST_LENGTH], char *hex)
{
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

static void on_message(void *arg, struct dc_assoc *a, uint16_t stream, const uint8_t *data,
		       size_t len, bool binary)
{
	struct gw *g = arg;
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];

	if (binary) { /* the binary messages are the pieces of one blob */
		if (!g->bin_sha) {
			g->bin_sha = EVP_MD_CTX_new();
			assert_int_equal(EVP_DigestInit_ex(g->bin_sha, EVP_sha256(), NULL), 1);
		}
		assert_int_equal(EVP_DigestUpdate(g->bin_sha, data, len), 1);
		g->bin_len += len;
		g->bin_pieces++;
		if (len > g->bin_largest)
			g->bin_largest = len;
	} else if (g->got.n < 16) {
		SHA256(data, len, md);
		hex_digest(md, hex);
		snprintf(g->got.line[g->got.n++], sizeof(g->got.line[0]), "%s text %zu %s",
			 label_of(g, stream), len, hex);
	}
	if (dc_send(a, stream, data, len, binary) < 0) /* echo */
		g->echo_errors++;
}

static void on_dtls_data(void *arg, const uint8_t *data, size_t len)
{
	struct gw *g = arg;

	if (g->dc)
		dc_assoc_input(g->dc, data, len);
}

static const struct dc_cbs cbs = { on_packet, on_state, on_open, on_message, NULL };

static void run_browser(bool we_are_dtls_client)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct dtls_srtp_cert *cert;
	struct stun_ice_creds creds = { .local_ufrag = "gw4u",
					.local_pwd = "gatewaypassword0123456" };
	char dir[64] = "/tmp/nwit-dc.XXXXXX", path[128], err[200], *offer, *result, *sent;
	char ufrag[64], fp[256], fp_alg[16], fp_val[200], mid[32], mms[32], answer[4096];
	struct gw g = { 0 };
	pid_t pid;
	long end, last;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(dtls_srtp_cert_new("nwit", 1, &cert), 0);
	g.fd = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(g.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(g.fd, (struct sockaddr *)&a, &alen), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int log;

		setpgid(0, 0);
		snprintf(path, sizeof(path), "%s/driver.log", dir);
		log = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(log, 1);
		dup2(log, 2);
		execlp("node", "node", driver, dir, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);

	/* Chromium's offer: one m=application line */
	snprintf(path, sizeof(path), "%s/offer.sdp", dir);
	for (end = now_ms() + 30000; now_ms() < end && access(path, R_OK) != 0;)
		usleep(20000);
	offer = read_file(path);
	if (!offer) {
		kill(-pid, SIGKILL);
		fail_msg("the browser wrote no offer (see %s/driver.log)", dir);
	}
	assert_non_null(strstr(offer, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel"));
	assert_true(sdp_attr(offer, "ice-ufrag", ufrag, sizeof(ufrag)));
	assert_true(sdp_attr(offer, "fingerprint", fp, sizeof(fp)));
	assert_true(sdp_attr(offer, "mid", mid, sizeof(mid)));
	assert_int_equal(sscanf(fp, "%15s %199s", fp_alg, fp_val), 2);
	g.cfg.remote_max_message = sdp_attr(offer, "max-message-size", mms, sizeof(mms)) ?
					   strtoul(mms, NULL, 10) : 65536; /* RFC 8841 section 6 */
	assert_true(g.cfg.remote_max_message > 0);
	free(offer);
	creds.remote_ufrag = ufrag;

	snprintf(answer, sizeof(answer),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		 "a=group:BUNDLE %s\r\na=ice-lite\r\n"
		 "m=application %u UDP/DTLS/SCTP webrtc-datachannel\r\n"
		 "c=IN IP4 127.0.0.1\r\na=mid:%s\r\n"
		 "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=fingerprint:%s\r\na=setup:%s\r\n"
		 "a=sctp-port:%u\r\na=max-message-size:%u\r\n"
		 "a=candidate:1 1 udp 2130706431 127.0.0.1 %u typ host\r\na=end-of-candidates\r\n",
		 mid, ntohs(a.sin_port), mid, creds.local_ufrag, creds.local_pwd,
		 cert->fingerprint, we_are_dtls_client ? "active" : "passive",
		 DC_DEFAULT_SCTP_PORT, OUR_MAX_MESSAGE, ntohs(a.sin_port));
	snprintf(path, sizeof(path), "%s/answer.sdp.tmp", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(answer, f);
	fclose(f);
	{
		char final[128];

		snprintf(final, sizeof(final), "%s/answer.sdp", dir);
		assert_int_equal(rename(path, final), 0);
	}

	g.dtls = dtls_srtp_new(cert, we_are_dtls_client, fp_alg, fp_val, err, sizeof(err));
	assert_non_null(g.dtls);
	dtls_srtp_set_data_cb(g.dtls, on_dtls_data, &g);
	g.cfg.dtls_client = we_are_dtls_client;
	g.cfg.max_message = OUR_MAX_MESSAGE;
	snprintf(path, sizeof(path), "%s/result.txt", dir);
	last = now_ms();
	for (end = now_ms() + 45000; now_ms() < end && access(path, R_OK) != 0;) {
		struct pollfd p = { .fd = g.fd, .events = POLLIN };
		uint8_t pkt[2048], out[2048];
		struct sockaddr_storage src;
		socklen_t slen = sizeof(src);
		long t = dtls_srtp_timeout_ms(g.dtls);
		ssize_t n;
		int len;

		if (poll(&p, 1, t >= 0 && t < 10 ? (int)t : 10) == 1 &&
		    (n = recvfrom(g.fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&src, &slen)) > 0) {
			if (pkt[0] < 4) { /* STUN */
				struct stun_ice_request q;
				char why[128];

				len = stun_ice_handle(pkt, (size_t)n, &creds, (struct sockaddr *)&src,
						      out, sizeof(out), &q, why, sizeof(why));
				if (len > 0)
					sendto(g.fd, out, (size_t)len, 0, (struct sockaddr *)&src, slen);
				if (len > 0 && q.error_code == 0 && !g.peer_len) {
					g.peer = src;
					g.peer_len = slen;
					assert_int_equal(dtls_srtp_start(g.dtls), 0);
				}
			} else if (pkt[0] >= 20 && pkt[0] <= 63) { /* DTLS */
				if (!g.peer_len) {
					g.peer = src;
					g.peer_len = slen;
					assert_int_equal(dtls_srtp_start(g.dtls), 0);
				}
				if (dtls_srtp_input(g.dtls, pkt, (size_t)n) < 0)
					fail_msg("DTLS failed: %s", dtls_srtp_error(g.dtls));
			}
		} else if (g.peer_len && dtls_srtp_on_timeout(g.dtls) < 0) {
			fail_msg("DTLS failed: %s", dtls_srtp_error(g.dtls));
		}
		if (dtls_srtp_connected(g.dtls) && !g.dc) {
			g.cfg.mtu = (unsigned)dtls_srtp_data_mtu(g.dtls);
			g.dc = dc_assoc_new(&g.cfg, &cbs, &g, err, sizeof(err));
			if (!g.dc)
				fail_msg("%s", err);
			assert_int_equal(dc_assoc_connect(g.dc), 0);
		}
		if (now_ms() - last >= 10) {
			dc_handle_timers((unsigned)(now_ms() - last));
			last = now_ms();
		}
		send_datagrams(&g);
	}
	/* let the driver finish and the browser close */
	for (end = now_ms() + 10000; now_ms() < end && waitpid(pid, NULL, WNOHANG) == 0;)
		usleep(50000);
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, WNOHANG);

	result = read_file(path);
	snprintf(path, sizeof(path), "%s/sent.txt", dir);
	sent = read_file(path);
	if (g.bin_len && g.got.n < 16) {
		unsigned char md[SHA256_DIGEST_LENGTH];
		char hex[2 * SHA256_DIGEST_LENGTH + 1];

		assert_int_equal(EVP_DigestFinal_ex(g.bin_sha, md, NULL), 1);
		hex_digest(md, hex);
		snprintf(g.got.line[g.got.n++], sizeof(g.got.line[0]), "chat binary %zu %s",
			 g.bin_len, hex);
	}
	print_message("# %zu binary bytes in %u messages of at most %zu\n", g.bin_len,
		      g.bin_pieces, g.bin_largest);
	print_message("# DTLS %s as %s, SCTP %s, channels %u (%s/%s, %s/%s), browser: %s",
		      dtls_srtp_connected(g.dtls) ? "connected" : "NOT connected",
		      we_are_dtls_client ? "client" : "server", g.dc_up ? "up" : "down", g.opened,
		      g.labels[0], g.protocols[0], g.labels[1], g.protocols[1],
		      result ? result : "no result\n");
	assert_non_null(result);
	if (strncmp(result, "ok", 2) != 0)
		fail_msg("the browser says: %s (see %s/driver.log)", result, dir);
	assert_int_equal(g.opened, 2);
	assert_string_equal(g.labels[0], "chat");
	assert_string_equal(g.protocols[0], "msrp");
	assert_string_equal(g.labels[1], "aux");
	/* Chromium is the DTLS client when we are not: its streams are even then */
	assert_int_equal(g.streams[0] % 2, we_are_dtls_client ? 1 : 0);
	assert_int_equal(g.echo_errors, 0);
	/* what we received, message by message, is what the page says it sent */
	assert_non_null(sent);
	{
		char *save = NULL, *line = strtok_r(sent, "\n", &save);
		unsigned i = 0, chat = 0, aux = 0;

		for (; line; line = strtok_r(NULL, "\n", &save), i++) {
			bool found = false;

			/* per channel order is kept; across channels it may interleave */
			for (unsigned k = 0; k < g.got.n; k++)
				if (!strcmp(g.got.line[k], line))
					found = true;
			if (!found)
				fail_msg("the page sent \"%s\", which we did not receive", line);
			chat += !strncmp(line, "chat ", 5);
			aux += !strncmp(line, "aux ", 4);
		}
		assert_int_equal(i, 5);
		assert_int_equal(g.got.n, 5);
		assert_int_equal(chat, 4);
		assert_int_equal(aux, 1);
	}
	EVP_MD_CTX_free(g.bin_sha);
	free(sent);
	free(result);
	dc_assoc_free(g.dc);
	dtls_srtp_free(g.dtls);
	dtls_srtp_cert_free(cert);
	close(g.fd);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		print_message("could not remove %s\n", dir);
}

static void gateway_dtls_server(void **state)
{
	(void)state;
	run_browser(false);
}

static void gateway_dtls_client(void **state)
{
	(void)state;
	run_browser(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gateway_dtls_server),
		cmocka_unit_test(gateway_dtls_client),
	};
	int rc = prepare();

	if (rc == 77)
		return 77;
	if (rc < 0) {
		fprintf(stderr, "cannot bring lo up in the test's network namespace: %s\n",
			strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
