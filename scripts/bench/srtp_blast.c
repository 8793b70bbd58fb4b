/*
 * Packet source for scripts/bench/fastpath_pps.sh (built by the script with cc, linked
 * with libsrtp2). Builds COUNT distinct RTP packets of SIZE bytes (seq 1000 + i, so a
 * replay window never drops one), protects them with libsrtp2 in srtp mode, prints
 * "ready", waits for one byte on stdin, then sends them all with sendmmsg, as fast as it
 * can or at RATE packets a second (in bursts of at most 8), and prints "sent N".
 *
 *   srtp_blast rtp|srtp KEYHEX SSRC SRC_IP SPORT DST_IP DPORT COUNT SIZE [RATE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#define BATCH 32
#define MAX_SIZE 1500

static int sock_for(const char *ip, const char *port, int bind_it, struct sockaddr_storage *ss,
		    socklen_t *sl)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai;
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

int main(int argc, char **argv)
{
	static uint8_t key[30];
	struct sockaddr_storage dst;
	socklen_t dl = 0;
	srtp_policy_t pol;
	srtp_t s = NULL;
	uint8_t *pkts;
	int *lens, fd;
	unsigned int count, size, slot, i, sent = 0, rate = 0, burst = BATCH;
	struct timespec t0, due;
	uint32_t ssrc;
	char go;

	if ((argc != 10 && argc != 11) || srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "usage: srtp_blast rtp|srtp KEYHEX SSRC SRC_IP SPORT DST_IP DPORT "
			"COUNT SIZE [RATE]\n");
		return 2;
	}
	if (argc == 11) {
		rate = (unsigned int)atoi(argv[10]);
		burst = 8;
	}
	ssrc = (uint32_t)strtoul(argv[3], NULL, 0);
	count = (unsigned int)atoi(argv[8]);
	size = (unsigned int)atoi(argv[9]);
	if (size < 12 || size > MAX_SIZE || count == 0)
		return 2;
	if (strcmp(argv[1], "srtp") == 0) {
		for (i = 0; i < 30; i++)
			if (sscanf(argv[2] + 2 * i, "%2hhx", &key[i]) != 1)
				return 2;
		memset(&pol, 0, sizeof(pol));
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		pol.ssrc.type = ssrc_specific;
		pol.ssrc.value = ssrc;
		pol.key = key;
		pol.window_size = 128;
		if (srtp_create(&s, &pol) != srtp_err_status_ok)
			return 1;
	}
	slot = size + 16;	/* room for the SRTP tag */
	pkts = malloc((size_t)count * slot);
	lens = malloc((size_t)count * sizeof(*lens));
	if (!pkts || !lens)
		return 1;
	for (i = 0; i < count; i++) {
		uint8_t *b = pkts + (size_t)i * slot;
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
		memset(b + 12, (int)(i & 0xff), size - 12);
		lens[i] = (int)size;
		if (s && srtp_protect(s, b, &lens[i]) != srtp_err_status_ok)
			return 1;
	}
	fd = sock_for(argv[4], argv[5], 1, NULL, NULL);
	if (fd < 0 || sock_for(argv[6], argv[7], 0, &dst, &dl) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	if (read(0, &go, 1) != 1)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count;) {
		struct mmsghdr m[BATCH];
		struct iovec iov[BATCH];
		unsigned int n = count - i < burst ? count - i : burst, j;
		int rc;

		if (rate) {
			/* packet i is due at t0 + i / rate */
			uint64_t ns = (uint64_t)i * 1000000000ull / rate + (uint64_t)t0.tv_nsec;

			due.tv_sec = t0.tv_sec + (time_t)(ns / 1000000000ull);
			due.tv_nsec = (long)(ns % 1000000000ull);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
		}
		memset(m, 0, sizeof(m));
		for (j = 0; j < n; j++) {
			iov[j].iov_base = pkts + (size_t)(i + j) * slot;
			iov[j].iov_len = (size_t)lens[i + j];
			m[j].msg_hdr.msg_iov = &iov[j];
			m[j].msg_hdr.msg_iovlen = 1;
			m[j].msg_hdr.msg_name = &dst;
			m[j].msg_hdr.msg_namelen = dl;
		}
		rc = sendmmsg(fd, m, n, 0);
		if (rc < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			perror("sendmmsg");
			break;
		}
		if (rc <= 0)
			continue;	/* a full queue: try again */
		i += (unsigned int)rc;
		sent += (unsigned int)rc;
	}
	printf("sent %u\n", sent);
	return 0;
}
