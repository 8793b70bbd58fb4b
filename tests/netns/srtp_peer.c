/*
 * Test peer for the fast path netns tests (built by the test with cc, linked with
 * libsrtp2, the independent oracle). Packet i of a stream is deterministic: RTP seq
 * 1000 + i, timestamp 160 i, PT 0, a payload of 160 + 100 (i % 5) bytes derived from i.
 *
 *   srtp_peer send rtp|srtp KEYHEX SSRC SRC_IP SPORT DST_IP DPORT COUNT INTERVAL_US FIRST
 *   srtp_peer recv rtp|srtp KEYHEX SSRC BIND_IP PORT COUNT TIMEOUT_MS
 *
 * send sends packets FIRST .. FIRST + COUNT - 1 (a later stream continues the sequence).
 *
 * send protects with libsrtp2 when asked; recv unprotects with libsrtp2 when asked and
 * compares each packet with the expected plaintext; it prints
 * "received N matched M bad B" and exits 0 when all COUNT packets matched.
 */
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

static size_t make_packet(uint8_t *b, unsigned int i, uint32_t ssrc)
{
	size_t plen = 160 + 100 * (i % 5), j;
	uint16_t seq = (uint16_t)(1000 + i);
	uint32_t ts = 160 * i;

	b[0] = 0x80;
	b[1] = 0;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = (uint8_t)(ts >> 24);
	b[5] = (uint8_t)(ts >> 16);
	b[6] = (uint8_t)(ts >> 8);
	b[7] = (uint8_t)ts;
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (j = 0; j < plen; j++)
		b[12 + j] = (uint8_t)(i * 31 + j);
	return 12 + plen;
}

static int sock_for(const char *ip, const char *port, int bind_it, struct sockaddr_storage *ss,
		    socklen_t *sl)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_DGRAM }, *ai;
	int fd;

	if (getaddrinfo(ip, port, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && bind_it && bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		perror("bind");
		close(fd);
		fd = -1;
	}
	if (ss) {
		memcpy(ss, ai->ai_addr, ai->ai_addrlen);
		*sl = ai->ai_addrlen;
	}
	freeaddrinfo(ai);
	return fd;
}

static srtp_t session(const char *keyhex, uint32_t ssrc, int inbound)
{
	static uint8_t key[30];
	srtp_policy_t pol;
	srtp_t s;
	size_t i;

	for (i = 0; i < 30; i++)
		if (sscanf(keyhex + 2 * i, "%2hhx", &key[i]) != 1)
			return NULL;
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_specific;
	pol.ssrc.value = ssrc;
	pol.key = key;
	pol.window_size = 128;
	return srtp_create(&s, &pol) == srtp_err_status_ok ? s : NULL;
}

int main(int argc, char **argv)
{
	uint8_t buf[2048], exp[2048];
	int srtp_mode, fd;
	uint32_t ssrc;
	srtp_t s = NULL;

	if (argc < 9 || srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "usage: see the comment at the top of srtp_peer.c\n");
		return 2;
	}
	srtp_mode = strcmp(argv[2], "srtp") == 0;
	ssrc = (uint32_t)strtoul(argv[4], NULL, 0);
	if (srtp_mode && !(s = session(argv[3], ssrc, strcmp(argv[1], "recv") == 0))) {
		fprintf(stderr, "cannot create the libsrtp2 session\n");
		return 2;
	}
	if (strcmp(argv[1], "send") == 0 && argc == 12) {
		struct sockaddr_storage dst;
		socklen_t dl;
		unsigned int i, count = (unsigned int)atoi(argv[9]), first = (unsigned int)atoi(argv[11]);
		long interval = atol(argv[10]);
		int dfd;

		fd = sock_for(argv[5], argv[6], 1, NULL, NULL);
		dfd = sock_for(argv[7], argv[8], 0, &dst, &dl);
		if (fd < 0 || dfd < 0)
			return 2;
		close(dfd);
		for (i = first; i < first + count; i++) {
			int len = (int)make_packet(buf, i, ssrc);
			struct timespec ts = { 0, interval * 1000 };

			if (s && srtp_protect(s, buf, &len) != srtp_err_status_ok)
				return 2;
			if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&dst, dl) < 0)
				perror("sendto");
			nanosleep(&ts, NULL);
		}
		printf("sent %u\n", count);
		return 0;
	}
	if (strcmp(argv[1], "recv") == 0 && argc == 9) {
		unsigned int count = (unsigned int)atoi(argv[7]), got = 0, ok = 0, bad = 0;
		int timeout = atoi(argv[8]);
		struct pollfd pfd;

		fd = sock_for(argv[5], argv[6], 1, NULL, NULL);
		if (fd < 0)
			return 2;
		pfd.fd = fd;
		pfd.events = POLLIN;
		printf("ready\n");
		fflush(stdout);
		while (ok < count && poll(&pfd, 1, timeout) > 0) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			int len = (int)n;
			unsigned int i;
			size_t elen;

			if (n < 12)
				continue;
			got++;
			if (s && srtp_unprotect(s, buf, &len) != srtp_err_status_ok) {
				bad++;
				continue;
			}
			i = (unsigned int)(uint16_t)((buf[2] << 8 | buf[3]) - 1000);
			elen = make_packet(exp, i, ssrc);
			if ((size_t)len == elen && memcmp(buf, exp, elen) == 0)
				ok++;
			else
				bad++;
		}
		printf("received %u matched %u bad %u\n", got, ok, bad);
		return ok == count ? 0 : 1;
	}
	fprintf(stderr, "usage: see the comment at the top of srtp_peer.c\n");
	return 2;
}
