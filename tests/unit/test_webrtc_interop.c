/*
 * The browser-facing pieces against real Chromium: headless Chromium (driven by
 * tests/e2e/webrtc_interop.js) offers audio+video; sdp_translate answers it as the
 * ICE-lite gateway; stun_ice answers its connectivity checks; dtls_srtp completes the
 * handshake in the role the answer chose (both roles are run); and the browser's SRTP of
 * both bundled m= lines is decrypted by libsrtp2 with the keys dtls_srtp exported.
 *
 * Runs in a network namespace of its own (unshare), so nothing leaves the machine and
 * nothing is left behind. Skipped without root, node, Chromium or the npm packages.
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
#include <srtp2/srtp.h>

#include "webrtc/dtls_srtp.h"
#include "sdp/sdp.h"
#include "sdp/sdp_translate.h"
#include "webrtc/stun_ice.h"

static char skip_reason[4200];

static char driver[4096];

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static bool on_path(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* A private network namespace with lo up; 77 (skip, with the reason) or -1 on failure. */
static int prepare(void)
{
	const char *top = getenv("NWIT_TOP");
	struct ifreq ifr = { .ifr_name = "lo" };
	char modules[4096];
	int fd;

	if (!top)
		top = ".";
	snprintf(driver, sizeof(driver), "%s/tests/e2e/webrtc_interop.js", top);
	snprintf(modules, sizeof(modules), "%s/tests/e2e/node_modules/playwright-core", top);
	if (!on_path("node") || access(getenv("CHROMIUM") ? getenv("CHROMIUM") : "/usr/bin/chromium",
				       X_OK) != 0)
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
	return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

static char *read_file(const char *path, size_t *len)
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
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct media_result {
	int stun_ok, stun_errors, use_candidate, srtp_ok, srtp_bad;
	uint32_t ssrcs[8];
	unsigned nssrc;
	bool pt_seen[128];
	bool dtls_connected;
	uint16_t profile;
	char dtls_error[160];
};

static void note_ssrc(struct media_result *r, uint32_t ssrc)
{
	for (unsigned i = 0; i < r->nssrc; i++)
		if (r->ssrcs[i] == ssrc)
			return;
	if (r->nssrc < 8)
		r->ssrcs[r->nssrc++] = ssrc;
}

/* Serve one browser on fd until both bundled streams delivered SRTP or time runs out. */
static void serve(int fd, const struct sdp_xlate *x, const struct dtls_srtp_cert *cert,
		  const char *ufrag, const char *pwd, struct media_result *r)
{
	struct stun_ice_creds creds = { .local_ufrag = ufrag, .local_pwd = pwd,
					.remote_ufrag = x->ice_ufrag };
	struct sockaddr_storage peer;
	socklen_t peer_len = 0;
	char err[200];
	struct dtls_srtp *d = dtls_srtp_new(cert, x->dtls_role == SDP_DTLS_ROLE_CLIENT,
					    x->fingerprint_alg, x->fingerprint, err, sizeof(err));
	srtp_t srtp = NULL;
	bool started = false;
	long end = now_ms() + 15000;

	if (!d)
		fail_msg("%s", err);
	while (now_ms() < end && (r->nssrc < 2 || r->srtp_ok < 40)) {
		uint8_t pkt[2048], out[2048];
		struct sockaddr_storage src;
		socklen_t slen = sizeof(src);
		long t = dtls_srtp_timeout_ms(d);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int len;

		if (poll(&p, 1, t >= 0 && t < 100 ? (int)t : 100) != 1) {
			if (started && dtls_srtp_on_timeout(d) < 0)
				break;
			goto flush;
		}
		n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&src, &slen);
		if (n <= 0)
			continue;
		if (pkt[0] < 4) { /* STUN (RFC 7983) */
			struct stun_ice_request q;
			char why[128];

			len = stun_ice_handle(pkt, (size_t)n, &creds, (struct sockaddr *)&src, out,
					      sizeof(out), &q, why, sizeof(why));
			if (len > 0)
				sendto(fd, out, (size_t)len, 0, (struct sockaddr *)&src, slen);
			if (len > 0 && q.error_code == 0) {
				r->stun_ok++;
				r->use_candidate |= q.use_candidate;
				peer = src;
				peer_len = slen;
				if (!started && dtls_srtp_start(d) == 0)
					started = true;
			} else if (len != 0) {
				r->stun_errors++;
			}
		} else if (pkt[0] >= 20 && pkt[0] <= 63) { /* DTLS */
			if (!peer_len) {
				peer = src;
				peer_len = slen;
			}
			if (!started && dtls_srtp_start(d) == 0)
				started = true;
			if (dtls_srtp_input(d, pkt, (size_t)n) < 0)
				break;
			if (dtls_srtp_connected(d) && !srtp) {
				struct dtls_srtp_keys k;
				uint8_t key[30];
				srtp_policy_t pol;

				assert_int_equal(dtls_srtp_keys(d, &k), 0);
				r->profile = k.profile;
				memcpy(key, k.remote_key, 16);
				memcpy(key + 16, k.remote_salt, 14);
				memset(&pol, 0, sizeof(pol));
				srtp_crypto_policy_set_rtp_default(&pol.rtp);
				srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
				pol.ssrc.type = ssrc_any_inbound;
				pol.key = key;
				pol.window_size = 1024;
				assert_int_equal(srtp_create(&srtp, &pol), srtp_err_status_ok);
			}
		} else if (pkt[0] >= 128 && pkt[0] <= 191 && srtp && n >= 12 &&
			   (pkt[1] < 192 || pkt[1] > 223)) { /* SRTP, not SRTCP (RFC 5761) */
			len = (int)n;
			if (srtp_unprotect(srtp, pkt, &len) == srtp_err_status_ok) {
				r->srtp_ok++;
				r->pt_seen[pkt[1] & 0x7f] = true;
				note_ssrc(r, (uint32_t)pkt[8] << 24 | (uint32_t)pkt[9] << 16 |
						     (uint32_t)pkt[10] << 8 | pkt[11]);
			} else {
				r->srtp_bad++;
			}
		}
flush:
		while (peer_len && (len = dtls_srtp_output(d, out, sizeof(out))) > 0)
			sendto(fd, out, (size_t)len, 0, (struct sockaddr *)&peer, peer_len);
	}
	r->dtls_connected = dtls_srtp_connected(d);
	snprintf(r->dtls_error, sizeof(r->dtls_error), "%s", dtls_srtp_error(d));
	if (srtp)
		srtp_dealloc(srtp);
	dtls_srtp_free(d);
}

struct session {
	char dir[64];
	pid_t pid;
	int fd;
	uint16_t port;
	struct dtls_srtp_cert *cert;
};

/* A scratch folder, our certificate, a UDP socket on 127.0.0.1 and the browser driver. */
static void start(struct session *s, const char *mode)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	char path[128];

	snprintf(s->dir, sizeof(s->dir), "/tmp/nwit-interop.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	assert_int_equal(dtls_srtp_cert_new("nwit", 1, &s->cert), 0);
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s->fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int log;

		setpgid(0, 0);
		snprintf(path, sizeof(path), "%s/driver.log", s->dir);
		log = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(log, 1);
		dup2(log, 2);
		execlp("node", "node", driver, s->dir, mode, (char *)NULL);
		_exit(127);
	}
	setpgid(s->pid, s->pid);
}

static void stop_driver(struct session *s)
{
	int status;
	long end;

	for (end = now_ms() + 20000; now_ms() < end && waitpid(s->pid, &status, WNOHANG) == 0;)
		usleep(50000);
	if (now_ms() >= end) {
		kill(-s->pid, SIGKILL); /* the driver and the browser it started */
		waitpid(s->pid, &status, 0);
	}
}

static struct sdp_session *wait_sdp(struct session *s, const char *name)
{
	char path[128], err[SDP_ERR_MAX], *text;
	struct sdp_session *sdp;
	size_t len;
	long end;

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	for (end = now_ms() + 30000; now_ms() < end && access(path, R_OK) != 0;)
		usleep(20000);
	text = read_file(path, &len);
	if (!text) {
		kill(-s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		fail_msg("the browser wrote no %s (see %s/driver.log)", name, s->dir);
	}
	if (sdp_parse(text, len, &sdp, err, sizeof(err)) != 0)
		fail_msg("Chromium's %s does not parse: %s", name, err);
	free(text);
	return sdp;
}

static void publish_sdp(struct session *s, const char *name, const struct sdp_session *sdp)
{
	char tmp[128], final[128], *text;
	size_t len;
	FILE *f;

	assert_int_equal(sdp_serialize(sdp, &text, &len), 0);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", s->dir, name);
	snprintf(final, sizeof(final), "%s/%s", s->dir, name);
	f = fopen(tmp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	assert_int_equal(rename(tmp, final), 0);
	free(text);
}

/* Serve the media, then check what both ends saw. */
static void finish(struct session *s, const struct sdp_xlate *x, const char *ufrag,
		   const char *pwd, enum sdp_dtls_role want_role)
{
	struct media_result r = { 0 };
	char path[128], cmd[160], *result;
	size_t len;

	serve(s->fd, x, s->cert, ufrag, pwd, &r);
	close(s->fd);
	stop_driver(s);
	snprintf(path, sizeof(path), "%s/result.txt", s->dir);
	result = read_file(path, &len);
	print_message("# STUN answered %d (errors %d, USE-CANDIDATE %d), DTLS %s as %s%s%s, "
		      "SRTP decrypted %d from %u SSRCs, failed %d, browser: %s",
		      r.stun_ok, r.stun_errors, r.use_candidate,
		      r.dtls_connected ? "connected" : "NOT connected",
		      x->dtls_role == SDP_DTLS_ROLE_CLIENT ? "client" : "server",
		      r.dtls_error[0] ? ": " : "", r.dtls_error, r.srtp_ok, r.nssrc, r.srtp_bad,
		      result ? result : "no result\n");
	assert_int_equal(x->dtls_role, want_role);
	assert_non_null(result);
	assert_string_equal(result, "connected\n");
	assert_true(r.stun_ok > 0 && r.use_candidate);
	assert_int_equal(r.stun_errors, 0);
	assert_true(r.dtls_connected);
	assert_int_equal(r.profile, DTLS_SRTP_PROFILE_AES128_CM_SHA1_80);
	assert_true(r.srtp_ok >= 40);
	assert_int_equal(r.srtp_bad, 0);
	/* both bundled m= lines: the SSRCs Chromium announced for audio and video */
	for (unsigned m = 0; m < 2; m++) {
		bool seen = false;
		uint32_t want = 0;

		for (unsigned i = 0; i < x->nstreams; i++)
			if (x->s[i].webrtc_index == (int)m)
				want = x->s[i].webrtc_ssrc;
		assert_true(want != 0);
		for (unsigned i = 0; i < r.nssrc; i++)
			seen |= r.ssrcs[i] == want;
		if (!seen)
			fail_msg("no SRTP from browser m= line %u's SSRC %u", m, want);
	}
	/* every payload type the browser sent is one the fast path knows how to rewrite */
	for (unsigned pt = 0; pt < 128; pt++) {
		bool mapped = false;

		if (!r.pt_seen[pt])
			continue;
		for (unsigned i = 0; i < x->nstreams; i++)
			for (unsigned k = 0; k < x->s[i].n_to_ims; k++)
				mapped |= x->s[i].to_ims[k].from == pt;
		if (!mapped)
			fail_msg("the browser sent payload type %u, which no to_ims table lists", pt);
	}
	free(result);
	dtls_srtp_cert_free(s->cert);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		print_message("could not remove %s\n", s->dir);
}

static void local_webrtc(struct sdp_webrtc_local *wl, const struct session *s,
			 enum sdp_setup answer_setup)
{
	memset(wl, 0, sizeof(*wl));
	wl->addr = "127.0.0.1";
	wl->port = s->port;
	wl->ice_ufrag = "gw4u";
	wl->ice_pwd = "gatewaypassword0123456";
	wl->fingerprint = s->cert->fingerprint;
	wl->answer_setup = answer_setup;
	wl->cname = "nwit";
	wl->msid_stream = "nwit";
	wl->sess_id = 1;
	wl->sess_version = 1;
}

/* The browser calls: its offer, our answer (the IMS peer takes everything offered). */
static void browser_offers(enum sdp_setup answer_setup)
{
	struct sdp_ims_local il = { .addr = "198.51.100.1", .rtp_port = { 40000, 40002 } };
	struct sdp_webrtc_local wl;
	struct sdp_session *offer, *ims_offer, *answer;
	struct sdp_xlate x;
	struct session s;
	char err[256];

	start(&s, "offer");
	local_webrtc(&wl, &s, answer_setup);
	offer = wait_sdp(&s, "offer.sdp");
	if (sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)) != 0 ||
	    /* our own IMS offer stands for an IMS answer that accepts everything */
	    sdp_xlate_ims_answer(offer, ims_offer, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("translating Chromium's offer: %s", err);
	publish_sdp(&s, "answer.sdp", answer);
	finish(&s, &x, wl.ice_ufrag, wl.ice_pwd,
	       answer_setup == SDP_SETUP_PASSIVE ? SDP_DTLS_ROLE_SERVER : SDP_DTLS_ROLE_CLIENT);
	sdp_free(answer);
	sdp_free(ims_offer);
	sdp_free(offer);
}

static void gateway_dtls_client(void **state)
{
	(void)state;
	browser_offers(SDP_SETUP_ACTIVE);
}

static void gateway_dtls_server(void **state)
{
	(void)state;
	browser_offers(SDP_SETUP_PASSIVE);
}

/* baresip calls the browser: our offer from its real offer, Chromium's answer back. */
static void ims_offers(void **state)
{
	struct sdp_ims_local il = { .addr = "198.51.100.1", .rtp_port = { 40000, 40002 } };
	struct sdp_webrtc_local wl;
	struct sdp_session *ims_offer, *offer, *answer, *ims_answer;
	struct sdp_xlate x;
	struct session s;
	char path[4200], err[256], *text;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/unit/sdp/baresip100_av_offer.sdp",
		 getenv("NWIT_TOP") ? getenv("NWIT_TOP") : ".");
	text = read_file(path, &len);
	assert_non_null(text);
	assert_int_equal(sdp_parse(text, len, &ims_offer, err, sizeof(err)), 0);
	free(text);
	start(&s, "answer");
	local_webrtc(&wl, &s, SDP_SETUP_NONE);
	if (sdp_xlate_ims_offer(ims_offer, &il, &wl, &x, &offer, err, sizeof(err)) != 0)
		fail_msg("translating baresip's offer: %s", err);
	publish_sdp(&s, "offer.sdp", offer);
	answer = wait_sdp(&s, "answer.sdp");
	if (sdp_xlate_webrtc_answer(ims_offer, answer, &il, &x, &ims_answer, err, sizeof(err)) != 0)
		fail_msg("translating Chromium's answer: %s", err);
	/* Chromium answers a=setup:active (RFC 8829 section 5.3.1): we are the server */
	finish(&s, &x, wl.ice_ufrag, wl.ice_pwd, SDP_DTLS_ROLE_SERVER);
	sdp_free(ims_answer);
	sdp_free(answer);
	sdp_free(offer);
	sdp_free(ims_offer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gateway_dtls_client),
		cmocka_unit_test(gateway_dtls_server),
		cmocka_unit_test(ims_offers),
	};

	int rc = prepare();

	if (rc == 77) /* the runner reads exit status 77 as skipped, the last line as why */
		return 77;
	if (rc < 0) {
		fprintf(stderr, "cannot bring lo up in the test's network namespace: %s\n",
			strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
