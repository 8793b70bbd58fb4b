/* The userspace media relay: relay_translate() between UDP sockets on libevent. */
#include "relay/relay_udp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

#define BATCH 32

struct relay_sock {
	struct relay_udp *r;
	enum relay_side side;
	enum relay_port port;
	int fd;
	struct event *ev;
	struct sockaddr_storage local;
};

struct relay_udp {
	struct relay_flow *flow;
	relay_udp_other_cb other;
	void *arg;
	struct relay_sock socks[2][2];	/* [side][port]; port RTCP unused with rtcp-mux */
	struct relay_udp_stats stats;
	/* batch buffers, allocated once */
	uint8_t bufs[BATCH][RELAY_BUF_SIZE];
	struct sockaddr_storage srcs[BATCH];
	struct iovec rx_iov[BATCH], tx_iov[2][BATCH];
	struct mmsghdr rx_msgs[BATCH], tx_msgs[2][BATCH];
};

static socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static int nsocks(const struct relay_side_desc *s)
{
	return s->rtcp_mux ? 1 : 2;
}

static void flush(struct relay_udp *r, struct relay_sock *to, struct mmsghdr *msgs,
		  unsigned int n)
{
	unsigned int done = 0;
	int rc;

	while (done < n) {
		rc = sendmmsg(to->fd, msgs + done, n - done, MSG_DONTWAIT);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			/* a full socket buffer or an ICMP error from the peer: drop the rest */
			r->stats.tx_errors += n - done;
			return;
		}
		done += (unsigned int)rc;
		r->stats.tx += (unsigned int)rc;
	}
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct relay_sock *sk = arg;
	struct relay_udp *r = sk->r;
	const struct relay_flow_desc *d = relay_flow_desc(r->flow);
	enum relay_side to = sk->side == RELAY_SIDE_BROWSER ? RELAY_SIDE_IMS : RELAY_SIDE_BROWSER;
	unsigned int ntx[2] = { 0, 0 };
	enum relay_port out;
	int n;

	(void)what;
	r->stats.wakeups++;
	for (int i = 0; i < BATCH; i++) {
		r->rx_iov[i].iov_base = r->bufs[i];
		r->rx_iov[i].iov_len = RELAY_MAX_PACKET + 1;	/* +1: see oversize datagrams */
		memset(&r->rx_msgs[i].msg_hdr, 0, sizeof(r->rx_msgs[i].msg_hdr));
		r->rx_msgs[i].msg_hdr.msg_iov = &r->rx_iov[i];
		r->rx_msgs[i].msg_hdr.msg_iovlen = 1;
		r->rx_msgs[i].msg_hdr.msg_name = &r->srcs[i];
		r->rx_msgs[i].msg_hdr.msg_namelen = sizeof(r->srcs[i]);
	}
	n = recvmmsg(fd, r->rx_msgs, BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			r->stats.rx_errors++;	/* e.g. ECONNREFUSED from an earlier send */
		return;
	}
	r->stats.rx += (unsigned int)n;
	for (int i = 0; i < n; i++) {
		size_t len = r->rx_msgs[i].msg_len;
		int rc;

		if (r->rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
			len = RELAY_MAX_PACKET + 1;	/* counted as too big */
		rc = relay_translate(r->flow, sk->side, sk->port, (struct sockaddr *)&r->srcs[i],
				     r->bufs[i], &len, RELAY_BUF_SIZE, &out);
		if (rc == -EPROTO) {
			r->stats.other++;
			if (r->other)
				r->other(r, sk->side, sk->port, (int)fd, r->bufs[i], len,
					 (struct sockaddr *)&r->srcs[i],
					 r->rx_msgs[i].msg_hdr.msg_namelen, r->arg);
			continue;
		}
		if (rc < 0)
			continue;	/* counted by relay_translate */
		{
			struct iovec *iov = &r->tx_iov[out][ntx[out]];
			struct mmsghdr *m = &r->tx_msgs[out][ntx[out]];
			const struct sockaddr_storage *dst = &d->side[to].remote[out];

			iov->iov_base = r->bufs[i];
			iov->iov_len = len;
			memset(&m->msg_hdr, 0, sizeof(m->msg_hdr));
			m->msg_hdr.msg_iov = iov;
			m->msg_hdr.msg_iovlen = 1;
			m->msg_hdr.msg_name = (void *)dst;
			m->msg_hdr.msg_namelen = addr_len(dst);
			ntx[out]++;
		}
	}
	for (int p = 0; p < 2; p++)
		if (ntx[p])
			flush(r, &r->socks[to][p], r->tx_msgs[p], ntx[p]);
}

static int open_sock(struct relay_udp *r, struct event_base *base, enum relay_side side,
		     enum relay_port port, const struct relay_side_desc *s)
{
	struct relay_sock *sk = &r->socks[side][port];
	const struct sockaddr_storage *local = &s->local[port];
	socklen_t len = sizeof(sk->local);
	int one = 1, tos = s->dscp << 2, rcvbuf = 1 << 20;
	const char *what;

	sk->r = r;
	sk->side = side;
	sk->port = port;
	what = "creating the socket";
	sk->fd = socket(local->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sk->fd < 0)
		goto fail;
	what = "setting IPV6_V6ONLY";
	if (local->ss_family == AF_INET6 &&
	    setsockopt(sk->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	what = "setting the DSCP";
	if (s->dscp &&
	    (local->ss_family == AF_INET6
		     ? setsockopt(sk->fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos))
		     : setsockopt(sk->fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos))) < 0)
		goto fail;
	/* room for bursts (video key frames); best effort, the kernel caps it at rmem_max */
	setsockopt(sk->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	what = "binding";
	if (bind(sk->fd, (const struct sockaddr *)local, addr_len(local)) < 0)
		goto fail;
	what = "reading the bound address";
	if (getsockname(sk->fd, (struct sockaddr *)&sk->local, &len) < 0)
		goto fail;
	what = "adding the read event";
	sk->ev = event_new(base, sk->fd, EV_READ | EV_PERSIST, on_read, sk);
	if (!sk->ev || event_add(sk->ev, NULL) < 0) {
		errno = ENOMEM;
		goto fail;
	}
	return 0;
fail:
	log_warn("relay: %s for the %s %s socket failed", what,
		 side == RELAY_SIDE_BROWSER ? "browser" : "IMS", port == RELAY_PORT_RTP ? "RTP" : "RTCP");
	return -errno;
}

struct relay_udp *relay_udp_new(struct event_base *base, const struct relay_flow_desc *desc,
				relay_udp_other_cb other, void *arg)
{
	struct relay_udp *r;
	int rc = -ENOMEM;

	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	for (int s = 0; s < 2; s++)
		for (int p = 0; p < 2; p++)
			r->socks[s][p].fd = -1;
	r->other = other;
	r->arg = arg;
	r->flow = relay_flow_new(desc);
	if (!r->flow) {
		rc = -errno;
		goto fail;
	}
	for (int s = 0; s < 2; s++) {
		for (int p = 0; p < nsocks(&desc->side[s]); p++) {
			rc = open_sock(r, base, (enum relay_side)s, (enum relay_port)p, &desc->side[s]);
			if (rc < 0)
				goto fail;
		}
	}
	return r;
fail:
	log_warnx("relay: starting the UDP relay failed: %s", strerror(-rc));
	relay_udp_free(r);
	errno = -rc;
	return NULL;
}

void relay_udp_free(struct relay_udp *r)
{
	if (!r)
		return;
	for (int s = 0; s < 2; s++) {
		for (int p = 0; p < 2; p++) {
			if (r->socks[s][p].ev)
				event_free(r->socks[s][p].ev);
			if (r->socks[s][p].fd >= 0)
				close(r->socks[s][p].fd);
		}
	}
	relay_flow_free(r->flow);
	free(r);
}

int relay_udp_local_addr(const struct relay_udp *r, enum relay_side side,
			 enum relay_port port, struct sockaddr_storage *out)
{
	const struct relay_sock *sk = &r->socks[side & 1][port & 1];

	if (sk->fd < 0)
		return -ENOENT;
	*out = sk->local;
	return 0;
}

struct relay_flow *relay_udp_flow(const struct relay_udp *r)
{
	return r->flow;
}

const struct relay_udp_stats *relay_udp_stats(const struct relay_udp *r)
{
	return &r->stats;
}

static json_t *dir_json(const struct relay_dir_stats *st)
{
	json_t *drops = json_object();

	for (int i = 1; i < RELAY_DROP__COUNT; i++)
		json_object_set_new(drops, relay_drop_name((enum relay_drop)i),
				    json_integer((json_int_t)st->drops[i]));
	return json_pack("{s:I,s:I,s:o}", "packets", (json_int_t)st->packets, "bytes",
			 (json_int_t)st->bytes, "drops", drops);
}

json_t *relay_udp_stats_json(const struct relay_udp *r)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}",
			 "wakeups", (json_int_t)r->stats.wakeups, "rx", (json_int_t)r->stats.rx,
			 "tx", (json_int_t)r->stats.tx, "rx_errors", (json_int_t)r->stats.rx_errors,
			 "tx_errors", (json_int_t)r->stats.tx_errors, "other",
			 (json_int_t)r->stats.other,
			 "browser", dir_json(relay_flow_stats(r->flow, RELAY_SIDE_BROWSER)),
			 "ims", dir_json(relay_flow_stats(r->flow, RELAY_SIDE_IMS)));
}
