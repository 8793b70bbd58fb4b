/*
 * The userspace relay's forwarding cost on loopback: a sender thread blasts SRTP packets
 * (172 B and 1200 B RTP before the tag) at the relay's browser socket with sendmmsg; the
 * relay (relay_udp.h, main thread, libevent) translates them to RTP toward an IMS socket
 * nobody reads. Reports packets forwarded per CPU-second of the relay thread (and CPU ns
 * per packet, syscalls included) — the number the kernel fast path is compared against.
 *
 *   bench_relay_udp [packets]     (default 200000 per size)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "relay/relay_udp.h"
#include "srtp/srtp.h"

static uint8_t key_salt[30] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5,
				6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

struct sender {
	int fd;
	struct sockaddr_in dst;
	uint8_t *pkts;
	size_t stride, len;
	unsigned int n;
	atomic_int done;
};

static void *send_all(void *arg)
{
	struct sender *s = arg;
	struct mmsghdr msgs[64];
	struct iovec iov[64];

	for (unsigned int i = 0; i < s->n; i += 64) {
		unsigned int k = s->n - i < 64 ? s->n - i : 64;

		for (unsigned int j = 0; j < k; j++) {
			iov[j].iov_base = s->pkts + (size_t)(i + j) * s->stride;
			iov[j].iov_len = s->len;
			memset(&msgs[j], 0, sizeof(msgs[j]));
			msgs[j].msg_hdr.msg_iov = &iov[j];
			msgs[j].msg_hdr.msg_iovlen = 1;
			msgs[j].msg_hdr.msg_name = &s->dst;
			msgs[j].msg_hdr.msg_namelen = sizeof(s->dst);
		}
		if (sendmmsg(s->fd, msgs, k, 0) < 0)
			perror("sendmmsg");
		/* pace a little so the relay's receive buffer is not simply overrun */
		if ((i / 64) % 4 == 3)
			usleep(50);
	}
	atomic_store(&s->done, 1);
	return NULL;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sender *s = ((void **)arg)[0];
	struct event_base *base = ((void **)arg)[1];
	static uint64_t last_rx;
	const struct relay_udp_stats *st = relay_udp_stats(((void **)arg)[2]);

	(void)fd;
	(void)what;
	if (atomic_load(&s->done) && st->rx == last_rx)
		event_base_loopbreak(base);
	last_rx = st->rx;
}

static int udp_sock(struct sockaddr_storage *bound)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(*bound);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 4 << 20;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)bound, &len) < 0) {
		perror("bench_relay_udp: socket");
		exit(1);
	}
	return fd;
}

static void run(size_t size, unsigned int n)
{
	struct relay_flow_desc d;
	struct sockaddr_storage b_remote, i_remote, relay_b;
	struct event_base *base = event_base_new();
	struct sender s = { 0 };
	struct srtp_session *tx;
	struct relay_udp *r;
	struct event *tick;
	struct timespec c0, c1, w0, w1;
	struct timeval tv = { 0, 20000 };
	pthread_t th;
	void *targ[3];
	double cpu, wall;
	uint64_t fwd;

	memset(&d, 0, sizeof(d));
	s.fd = udp_sock(&b_remote);
	int sink = udp_sock(&i_remote);
	d.side[RELAY_SIDE_BROWSER].remote[0] = b_remote;
	d.side[RELAY_SIDE_IMS].remote[0] = i_remote;
	d.side[RELAY_SIDE_IMS].remote[1] = i_remote;
	for (int k = 0; k < 2; k++) {
		struct sockaddr_in *l = (struct sockaddr_in *)&d.side[k].local[0];

		l->sin_family = AF_INET;
		l->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		d.side[k].local[1] = d.side[k].local[0];
	}
	d.side[RELAY_SIDE_BROWSER].rtcp_mux = 1;
	d.side[RELAY_SIDE_BROWSER].suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
	memcpy(d.side[RELAY_SIDE_BROWSER].in_key, key_salt, 16);
	memcpy(d.side[RELAY_SIDE_BROWSER].in_salt, key_salt + 16, 14);
	memcpy(d.side[RELAY_SIDE_BROWSER].out_key, key_salt, 16);
	memcpy(d.side[RELAY_SIDE_BROWSER].out_salt, key_salt + 16, 14);
	r = relay_udp_new(base, &d, NULL, NULL);
	if (!r || relay_udp_local_addr(r, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, &relay_b) < 0) {
		fprintf(stderr, "bench_relay_udp: starting the relay failed\n");
		exit(1);
	}
	memcpy(&s.dst, &relay_b, sizeof(s.dst));

	/* the browser's packets, protected up front */
	tx = srtp_session_new(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, key_salt, key_salt + 16,
			      SRTP_F_ANY_SSRC, 0);
	s.stride = RELAY_BUF_SIZE;
	s.pkts = malloc((size_t)n * s.stride);
	s.n = n;
	if (!tx || !s.pkts)
		exit(1);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = s.pkts + (size_t)i * s.stride;
		size_t len = size;

		memset(p, 0x33, size);
		p[0] = 0x80;
		p[1] = 111;
		p[2] = (uint8_t)(i >> 8);
		p[3] = (uint8_t)i;
		p[8] = 1;
		if (srtp_session_protect_rtp(tx, p, &len, s.stride) < 0)
			exit(1);
		s.len = len;
	}

	targ[0] = &s;
	targ[1] = base;
	targ[2] = r;
	tick = event_new(base, -1, EV_PERSIST, on_tick, targ);
	event_add(tick, &tv);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	pthread_create(&th, NULL, send_all, &s);
	event_base_dispatch(base);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	pthread_join(th, NULL);

	cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
	fwd = relay_udp_stats(r)->tx;
	printf("%-6zu %-9u %-9llu %-9llu %-11.0f %-10.0f %-8.2f %.2f\n", size, n,
	       (unsigned long long)relay_udp_stats(r)->rx, (unsigned long long)fwd,
	       fwd / cpu, cpu * 1e9 / (double)fwd,
	       (double)relay_udp_stats(r)->rx / (double)relay_udp_stats(r)->wakeups, wall);
	event_free(tick);
	relay_udp_free(r);
	srtp_session_free(tx);
	event_base_free(base);
	free(s.pkts);
	close(s.fd);
	close(sink);
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 200000;

	printf("# userspace relay on loopback, SRTP -> RTP, AES_CM_128_HMAC_SHA1_80;"
	       " pps_cpu = forwarded per CPU-second of the relay thread\n");
	printf("%-6s %-9s %-9s %-9s %-11s %-10s %-8s %s\n", "size", "sent", "received",
	       "forwarded", "pps_cpu", "ns_cpu/pkt", "batch", "wall_s");
	run(172, n);
	run(1200, n);
	return 0;
}
