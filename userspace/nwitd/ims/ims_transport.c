/*
 * The connection of the IMS registration to its P-CSCF (ims/ims_reg_state.h): UDP or
 * TCP, framing of the TCP stream (sip_frame_length), sending; what it reads goes up to the
 * router unread.
 */
#include "ims/ims_reg.h"
#include "ims/ims_reg_state.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aka/aka.h"
#include "core/counters.h"
#include "core/hex.h"
#include "ims/ims_regevent.h"
#include "core/log.h"
#include "aka/milenage.h"
#include "nwitd.h"
#include "service.h"
#include "sip/sip_auth.h"
#include "sip/sip_msg.h"
#include "sip/sip_reg.h"

/* --- connection ------------------------------------------------------------------------ */

void ims_close_connection(struct ims_reg *r)
{
	if (r->ev_udp) {
		event_free(r->ev_udp);
		r->ev_udp = NULL;
	}
	if (r->bev) {
		bufferevent_free(r->bev);	/* closes fd */
		r->bev = NULL;
		r->fd = -1;
	}
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	ims_reg_abort(r);
}

/* What the P-CSCF sent goes up unread: the router parses it once and routes it. */
static void handle_message(struct ims_reg *r, const char *buf, size_t len)
{
	const struct leg_events *e = &r->d->events;

	if (e->ims_message)
		e->ims_message(e->ctx, buf, len);
}

static void on_udp_readable(evutil_socket_t fd, short what, void *arg)
{
	struct ims_reg *r = arg;
	static char buf[SIP_MSG_MAX + 2];

	(void)what;
	for (int i = 0; i < 32 && r->fd == fd; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			ims_transport_failed(r, "UDP receive failed: %s", strerror(errno));
			return;
		}
		if ((size_t)n > SIP_MSG_MAX) {
			counter_inc(COUNTER_IMS_MALFORMED);
			LOG_RATELIMITED(LOG_LEVEL_WARN, "ims: oversized datagrams dropped",
					"ims: dropped a %zd-byte datagram (limit %d)", n, SIP_MSG_MAX);
			continue;
		}
		handle_message(r, buf, (size_t)n);
	}
}

static void on_tcp_read(struct bufferevent *bev, void *arg)
{
	struct ims_reg *r = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (r->bev == bev) {
		size_t avail = evbuffer_get_length(in), look = avail;
		const char *data;
		long total;

		if (avail == 0)
			return;
		if (look > SIP_MSG_MAX + 4)
			look = SIP_MSG_MAX + 4;
		data = (const char *)evbuffer_pullup(in, (ssize_t)look);
		total = sip_frame_length(data, look);
		if (total < 0) {
			counter_inc(COUNTER_IMS_MALFORMED);
			ims_transport_failed(r, "unframeable data on the TCP connection");
			return;
		}
		if (total == 0)
			return;
		{
			char *copy = malloc((size_t)total);

			if (!copy) {
				ims_transport_failed(r, "out of memory");
				return;
			}
			evbuffer_remove(in, copy, (size_t)total);
			/* bare CRLF keep-alives (RFC 5626) have nothing to parse */
			if (strspn(copy, "\r\n") < (size_t)total)
				handle_message(r, copy, (size_t)total);
			free(copy);
		}
	}
}

static void on_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	struct ims_reg *r = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		log_debug("ims: TCP connected to %s", r->peer_text);
		return;
	}
	if (what & BEV_EVENT_EOF)
		ims_transport_failed(r, "the P-CSCF closed the TCP connection");
	else if (what & BEV_EVENT_ERROR)
		ims_transport_failed(r, "TCP connection failed: %s",
				 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

int ims_open_connection(struct ims_reg *r)
{
	const struct nwit_config *c = &r->d->conf;
	struct addrinfo hints = { .ai_family = AF_UNSPEC }, *res = NULL;
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char port[8], host[INET6_ADDRSTRLEN];
	const char *name = r->pcscf[r->pcscf_idx];
	int tcp = r->transport == IMS_TRANSPORT_TCP, rc;

	sip_txn_layer_set_reliable(r->txns, tcp);	/* TCP: no retransmissions */
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	snprintf(port, sizeof(port), "%u", r->port);
	snprintf(r->peer_text, sizeof(r->peer_text), "%s:%u/%s", name, r->port,
		 ims_transport_name(r->transport));
	/* Resolution blocks the loop briefly; a P-CSCF is normally an address literal. */
	rc = getaddrinfo(name, port, &hints, &res);
	if (rc != 0) {
		ims_transport_failed(r, "cannot resolve P-CSCF %s: %s", name, gai_strerror(rc));
		return -1;
	}
	r->fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		freeaddrinfo(res);
		ims_transport_failed(r, "socket: %s", strerror(errno));
		return -1;
	}
	if (c->ims_local_address[0]) {
		struct addrinfo lh = { .ai_family = res->ai_family, .ai_socktype = res->ai_socktype,
				       .ai_flags = AI_NUMERICHOST | AI_PASSIVE }, *lres = NULL;

		if (getaddrinfo(c->ims_local_address, "0", &lh, &lres) != 0 ||
		    bind(r->fd, lres->ai_addr, lres->ai_addrlen) < 0) {
			if (lres)
				freeaddrinfo(lres);
			freeaddrinfo(res);
			ims_transport_failed(r, "cannot bind local_address %s: %s",
					 c->ims_local_address, strerror(errno));
			return -1;
		}
		freeaddrinfo(lres);
	}
	if (res->ai_family == AF_INET6 || res->ai_family == AF_INET) {
		char a[INET6_ADDRSTRLEN] = "";

		getnameinfo(res->ai_addr, res->ai_addrlen, a, sizeof(a), NULL, 0, NI_NUMERICHOST);
		snprintf(r->peer_text, sizeof(r->peer_text), "%s%s%s:%u/%s",
			 res->ai_family == AF_INET6 ? "[" : "", a,
			 res->ai_family == AF_INET6 ? "]" : "", r->port,
			 ims_transport_name(r->transport));
	}
	if (tcp) {
		r->bev = bufferevent_socket_new(r->base, r->fd, BEV_OPT_CLOSE_ON_FREE);
		if (!r->bev || bufferevent_socket_connect(r->bev, res->ai_addr,
							  (int)res->ai_addrlen) < 0) {
			freeaddrinfo(res);
			if (!r->bev) {
				close(r->fd);
				r->fd = -1;
			}
			ims_transport_failed(r, "TCP connect to %s failed", r->peer_text);
			return -1;
		}
		bufferevent_setcb(r->bev, on_tcp_read, NULL, on_tcp_event, r);
		bufferevent_enable(r->bev, EV_READ | EV_WRITE);
	} else {
		if (connect(r->fd, res->ai_addr, res->ai_addrlen) < 0) {
			freeaddrinfo(res);
			ims_transport_failed(r, "UDP connect to %s failed: %s", r->peer_text,
					 strerror(errno));
			return -1;
		}
		r->ev_udp = event_new(r->base, r->fd, EV_READ | EV_PERSIST, on_udp_readable, r);
		if (!r->ev_udp || event_add(r->ev_udp, NULL) < 0) {
			freeaddrinfo(res);
			ims_transport_failed(r, "cannot watch the UDP socket");
			return -1;
		}
	}
	freeaddrinfo(res);
	if (getsockname(r->fd, (struct sockaddr *)&local, &len) < 0 ||
	    getnameinfo((struct sockaddr *)&local, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		ims_transport_failed(r, "cannot learn the local address: %s", strerror(errno));
		return -1;
	}
	snprintf(r->local_host, sizeof(r->local_host), "%s", host);
	r->local_port = (unsigned int)atoi(port);
	return 0;
}

/* --- sending ---------------------------------------------------------------------------- */

/* On the connection, whatever the registration's state (the transactions' transport). */
int ims_wire_send(void *ctx, const char *buf, size_t len)
{
	struct ims_reg *r = ctx;

	if (r->fd < 0 && !r->bev)
		return -ENOTCONN;
	if (r->bev)
		return bufferevent_write(r->bev, buf, len) == 0 ? 0 : -EIO;
	if (send(r->fd, buf, len, 0) < 0)
		return -errno;
	return 0;
}

/* The IMS side of legs.h: only while registered. len 0 only asks whether it could. */
int ims_transport_send(void *ctx, const char *buf, size_t len)
{
	struct ims_reg *r = ctx;

	if (!r || (r->state != REG_REGISTERED && r->state != REG_REFRESHING) ||
	    (r->fd < 0 && !r->bev))
		return -ENOTCONN;
	return len ? ims_wire_send(r, buf, len) : 0;
}
