/*
 * Data channels on usrsctp (Debian libusrsctp-dev) in its thread-less mode: SCTP runs
 * only inside our calls (input, send, timers), so callbacks come from the caller's own
 * thread. See datachannel.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <usrsctp.h>

#include "core/counters.h"
#include "webrtc/datachannel.h"
#include "webrtc/dcep.h"
#include "core/log.h"

struct pending {
	struct pending *next;
	uint16_t stream;
	uint32_t ppid;
	size_t len;
	uint8_t data[];
};

struct channel {
	bool used, acked;
	uint16_t stream;
	char label[DCEP_LABEL_MAX + 1], protocol[DCEP_LABEL_MAX + 1];
	uint8_t *buf; /* a message being gathered from partial deliveries */
	size_t len, cap;
	uint32_t ppid;
	bool discard; /* the message being gathered went over max_message */
};

struct dc_assoc {
	struct dc_assoc *next; /* live associations, for the output callback */
	struct socket *sock;
	struct dc_config cfg;
	struct dc_cbs cbs;
	void *arg;
	bool up, closing;
	uint16_t next_stream;
	struct channel ch[DC_MAX_CHANNELS];
	struct pending *q_head, *q_tail;
	size_t queued;
};

/* usrsctp's packets over AF_CONN come out a few bytes over the path MTU it is given
 * (9 with 0.9.5): give it less, so that every packet fits one DTLS record */
#define MTU_SLACK 32

static bool initialised;
static struct dc_assoc *live;

static int conn_output(void *addr, void *buf, size_t len, uint8_t tos, uint8_t set_df)
{
	for (struct dc_assoc *a = live; a; a = a->next)
		if (a == addr && a->cbs.send_packet)
			a->cbs.send_packet(a->arg, buf, len);
	return 0; /* a packet we could not pass on is lost: SCTP retransmits */
}

int dc_global_init(void)
{
	if (initialised)
		return 0;
	usrsctp_init_nothreads(0, conn_output, NULL);
	usrsctp_sysctl_set_sctp_ecn_enable(0);
	usrsctp_sysctl_set_sctp_pr_enable(1);
	usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
	usrsctp_sysctl_set_sctp_max_chunks_on_queue(10 * 1024);
	usrsctp_sysctl_set_sctp_init_rtx_max_default(5);
	usrsctp_sysctl_set_sctp_assoc_rtx_max_default(5);
	usrsctp_sysctl_set_sctp_path_rtx_max_default(5);
	/* retransmit sooner than RFC 4960's 1 s minimum: browsers' SCTP does too */
	usrsctp_sysctl_set_sctp_rto_min_default(200);
	usrsctp_sysctl_set_sctp_rto_initial_default(1000);
	usrsctp_sysctl_set_sctp_rto_max_default(10000);
	initialised = true;
	return 0;
}

void dc_handle_timers(unsigned elapsed_ms)
{
	if (initialised)
		usrsctp_handle_timers(elapsed_ms);
}

static struct channel *find(struct dc_assoc *a, uint16_t stream)
{
	for (unsigned i = 0; i < DC_MAX_CHANNELS; i++)
		if (a->ch[i].used && a->ch[i].stream == stream)
			return &a->ch[i];
	return NULL;
}

static struct channel *add(struct dc_assoc *a, uint16_t stream)
{
	for (unsigned i = 0; i < DC_MAX_CHANNELS; i++) {
		if (!a->ch[i].used) {
			memset(&a->ch[i], 0, sizeof(a->ch[i]));
			a->ch[i].used = true;
			a->ch[i].stream = stream;
			return &a->ch[i];
		}
	}
	return NULL;
}

static void drop_channel(struct channel *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

/* Hand one message to SCTP: 0, -EAGAIN (no room now), -errno. */
static int sctp_send(struct dc_assoc *a, uint16_t stream, uint32_t ppid, const uint8_t *data,
		     size_t len)
{
	struct sctp_sendv_spa spa = { 0 };

	spa.sendv_sndinfo.snd_sid = stream;
	spa.sendv_sndinfo.snd_ppid = htonl(ppid);
	spa.sendv_sndinfo.snd_flags = SCTP_EOR;
	spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
	if (usrsctp_sendv(a->sock, data, len, NULL, 0, &spa, sizeof(spa), SCTP_SENDV_SPA, 0) >= 0)
		return 0;
	if (errno == EWOULDBLOCK || errno == EAGAIN || errno == ENOBUFS)
		return -EAGAIN;
	return -errno;
}

static void flush(struct dc_assoc *a)
{
	while (a->q_head && a->up) {
		struct pending *p = a->q_head;
		int rc = sctp_send(a, p->stream, p->ppid, p->data, p->len);

		if (rc == -EAGAIN)
			return;
		if (rc < 0)
			log_warnx("datachannel: cannot send %zu bytes on stream %u: %s", p->len,
				  p->stream, strerror(-rc));
		a->q_head = p->next;
		if (!a->q_head)
			a->q_tail = NULL;
		a->queued -= p->len;
		free(p);
	}
}

/* Send now, or queue behind what already waits (keeps the order). */
static int send_or_queue(struct dc_assoc *a, uint16_t stream, uint32_t ppid,
			 const uint8_t *data, size_t len)
{
	struct pending *p;
	int rc;

	if (!a->q_head && a->up) {
		rc = sctp_send(a, stream, ppid, data, len);
		if (rc != -EAGAIN)
			return rc;
	}
	if (a->queued + len > a->cfg.queue_max)
		return -ENOBUFS;
	p = malloc(sizeof(*p) + len);
	if (!p)
		return -ENOMEM;
	p->next = NULL;
	p->stream = stream;
	p->ppid = ppid;
	p->len = len;
	memcpy(p->data, data, len);
	if (a->q_tail)
		a->q_tail->next = p;
	else
		a->q_head = p;
	a->q_tail = p;
	a->queued += len;
	return 0;
}

static void on_dcep(struct dc_assoc *a, uint16_t stream, const uint8_t *m, size_t len)
{
	struct dcep_open o;
	struct channel *c;
	char err[128];
	uint8_t ack[1];

	switch (dcep_parse(m, len, &o, err, sizeof(err))) {
	case DCEP_OPEN:
		if (find(a, stream)) {
			counter_inc(COUNTER_DCEP_MALFORMED);
			log_warnx("datachannel: DATA_CHANNEL_OPEN for stream %u, which is open",
				  stream);
			return;
		}
		if ((stream & 1) == (a->cfg.dtls_client ? 0 : 1)) {
			counter_inc(COUNTER_DCEP_MALFORMED);
			log_warnx("datachannel: the peer opened stream %u, one of ours (RFC 8832 "
				  "section 6)", stream);
			return;
		}
		c = add(a, stream);
		if (!c) {
			log_warnx("datachannel: refusing channel \"%s\": %d channels already",
				  o.label, DC_MAX_CHANNELS);
			dc_close(a, stream);
			return;
		}
		c->acked = true;
		memcpy(c->label, o.label, sizeof(c->label));
		memcpy(c->protocol, o.protocol, sizeof(c->protocol));
		if (send_or_queue(a, stream, DC_PPID_DCEP, ack, (size_t)dcep_build_ack(ack, 1)) < 0)
			log_warnx("datachannel: cannot acknowledge channel \"%s\"", o.label);
		if ((o.channel_type & ~DCEP_UNORDERED) != DCEP_RELIABLE)
			log_info("datachannel: channel \"%s\" asks for partial reliability; we "
				 "send reliably", o.label);
		if (a->cbs.on_open)
			a->cbs.on_open(a->arg, a, stream, c->label, c->protocol);
		return;
	case DCEP_ACK:
		c = find(a, stream);
		if (!c || c->acked) {
			counter_inc(COUNTER_DCEP_MALFORMED);
			log_warnx("datachannel: DATA_CHANNEL_ACK for stream %u, which awaits none",
				  stream);
			return;
		}
		c->acked = true;
		if (a->cbs.on_open)
			a->cbs.on_open(a->arg, a, stream, c->label, c->protocol);
		return;
	default:
		log_warnx("datachannel: bad DCEP message on stream %u: %s", stream, err);
	}
}

static void on_data(struct dc_assoc *a, uint16_t stream, uint32_t ppid, const uint8_t *data,
		    size_t len, bool eor)
{
	struct channel *c;

	if (ppid == DC_PPID_DCEP) {
		if (eor && len <= DCEP_OPEN_HEADER + 2 * DCEP_LABEL_MAX)
			on_dcep(a, stream, data, len);
		else
			counter_inc(COUNTER_DCEP_MALFORMED);
		return;
	}
	c = find(a, stream);
	if (!c) {
		counter_inc(COUNTER_DC_MESSAGES_DROPPED);
		log_warnx("datachannel: %zu bytes on stream %u, which has no channel", len, stream);
		return;
	}
	if (ppid != DC_PPID_STRING && ppid != DC_PPID_BINARY && ppid != DC_PPID_STRING_EMPTY &&
	    ppid != DC_PPID_BINARY_EMPTY) {
		counter_inc(COUNTER_DC_MESSAGES_DROPPED);
		log_warnx("datachannel: PPID %u on channel \"%s\" is not one we know", ppid, c->label);
		return;
	}
	c->acked = true; /* data implies the ACK (RFC 8832 section 6) */
	if (!c->discard && c->len + len > a->cfg.max_message) {
		counter_inc(COUNTER_DC_MESSAGES_DROPPED);
		log_warnx("datachannel: a message on \"%s\" is over %zu bytes: dropped", c->label,
			  a->cfg.max_message);
		c->discard = true;
	}
	if (!c->discard && len) {
		if (c->len + len > c->cap) {
			size_t cap = c->cap ? c->cap : 4096;
			uint8_t *b;

			while (cap < c->len + len)
				cap *= 2;
			if (cap > a->cfg.max_message)
				cap = a->cfg.max_message;
			b = realloc(c->buf, cap);
			if (!b) {
				c->discard = true;
				counter_inc(COUNTER_DC_MESSAGES_DROPPED);
				goto end;
			}
			c->buf = b;
			c->cap = cap;
		}
		memcpy(c->buf + c->len, data, len);
		c->len += len;
	}
end:
	if (!eor)
		return;
	if (!c->discard && a->cbs.on_message) {
		bool empty = ppid == DC_PPID_STRING_EMPTY || ppid == DC_PPID_BINARY_EMPTY;

		a->cbs.on_message(a->arg, a, stream, c->buf, empty ? 0 : c->len,
				  ppid == DC_PPID_BINARY || ppid == DC_PPID_BINARY_EMPTY);
	}
	c->len = 0;
	c->discard = false;
}

static void on_stream_reset(struct dc_assoc *a, const struct sctp_stream_reset_event *e)
{
	size_t n = (e->strreset_length - sizeof(*e)) / sizeof(uint16_t);

	if (!(e->strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN))
		return;
	for (size_t i = 0; i < n; i++) {
		uint16_t s = e->strreset_stream_list[i];
		struct channel *c = find(a, s);

		if (!c)
			continue;
		drop_channel(c);
		dc_close(a, s); /* our direction too (RFC 8831 section 6.7) */
		if (a->cbs.on_close)
			a->cbs.on_close(a->arg, a, s);
	}
}

static void on_notification(struct dc_assoc *a, const union sctp_notification *n, size_t len)
{
	if (len < sizeof(n->sn_header) || n->sn_header.sn_length != len)
		return;
	switch (n->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		switch (n->sn_assoc_change.sac_state) {
		case SCTP_COMM_UP:
			a->up = true;
			if (a->cbs.on_state)
				a->cbs.on_state(a->arg, a, true, "connected");
			flush(a);
			break;
		case SCTP_RESTART:
			/* the peer's INIT re-made the association: stream sequence state restarts */
			log_warnx("datachannel: the peer restarted the SCTP association");
			break;
		case SCTP_COMM_LOST:
		case SCTP_SHUTDOWN_COMP:
		case SCTP_CANT_STR_ASSOC:
			a->up = false;
			if (a->cbs.on_state)
				a->cbs.on_state(a->arg, a, false,
						n->sn_assoc_change.sac_state == SCTP_SHUTDOWN_COMP ?
							"shut down" : "lost");
			break;
		}
		break;
	case SCTP_STREAM_RESET_EVENT:
		on_stream_reset(a, &n->sn_strreset_event);
		break;
	case SCTP_SENDER_DRY_EVENT:
		flush(a);
		break;
	default:
		break;
	}
}

static int on_receive(struct socket *sock, union sctp_sockstore addr, void *data, size_t len,
		      struct sctp_rcvinfo rcv, int flags, void *ulp)
{
	struct dc_assoc *a = ulp;

	if (!data) { /* the association is over */
		if (a->up && !a->closing) {
			a->up = false;
			if (a->cbs.on_state)
				a->cbs.on_state(a->arg, a, false, "closed");
		}
		return 1;
	}
	if (!a->closing) {
		if (flags & MSG_NOTIFICATION)
			on_notification(a, data, len);
		else
			on_data(a, rcv.rcv_sid, ntohl(rcv.rcv_ppid), data, len, flags & MSG_EOR);
	}
	free(data);
	return 1;
}

static int on_send_ready(struct socket *sock, uint32_t sb_free, void *ulp)
{
	struct dc_assoc *a = ulp;

	if (!a->closing)
		flush(a);
	return 0;
}

struct dc_assoc *dc_assoc_new(const struct dc_config *cfg, const struct dc_cbs *cbs, void *arg,
			      char *err, size_t errlen)
{
	static const uint16_t events[] = { SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT,
					   SCTP_SENDER_DRY_EVENT, SCTP_REMOTE_ERROR,
					   SCTP_SHUTDOWN_EVENT };
	struct dc_assoc *a = calloc(1, sizeof(*a));
	struct sockaddr_conn sconn = { .sconn_family = AF_CONN };
	struct sctp_assoc_value av = { .assoc_id = SCTP_ALL_ASSOC,
				       .assoc_value = SCTP_ENABLE_RESET_STREAM_REQ };
	struct sctp_initmsg im = { .sinit_num_ostreams = DC_MAX_STREAMS,
				   .sinit_max_instreams = DC_MAX_STREAMS };
	struct sctp_paddrparams pp = { 0 };
	struct linger lg = { 1, 0 };
	const char *what = "out of memory";
	int one = 1, sndbuf, rcvbuf;

	if (!a || dc_global_init() < 0)
		goto err;
	a->cfg = *cfg;
	if (!a->cfg.local_port)
		a->cfg.local_port = DC_DEFAULT_SCTP_PORT;
	if (!a->cfg.remote_port)
		a->cfg.remote_port = DC_DEFAULT_SCTP_PORT;
	if (!a->cfg.remote_max_message)
		a->cfg.remote_max_message = 65536;
	if (!a->cfg.max_message)
		a->cfg.max_message = 262144;
	if (!a->cfg.queue_max)
		a->cfg.queue_max = 16u << 20;
	if (!a->cfg.mtu)
		a->cfg.mtu = 1100;
	/* the send buffer holds the largest message we send whole, twice */
	if (a->cfg.remote_max_message > (4u << 20))
		a->cfg.remote_max_message = 4u << 20;
	sndbuf = (int)(2 * a->cfg.remote_max_message < (1u << 20) ? (1u << 20)
								   : 2 * a->cfg.remote_max_message);
	rcvbuf = 4 << 20;
	a->cbs = *cbs;
	a->arg = arg;
	a->next_stream = cfg->dtls_client ? 0 : 1;
	a->next = live;
	live = a;
	usrsctp_register_address(a);
	what = "cannot make the SCTP socket";
	a->sock = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, on_receive, on_send_ready,
				 (uint32_t)sndbuf / 2, a);
	if (!a->sock)
		goto err;
	what = "cannot set the SCTP socket options";
	pp.spp_flags = SPP_PMTUD_DISABLE;
	pp.spp_pathmtu = a->cfg.mtu - MTU_SLACK;
	if (usrsctp_set_non_blocking(a->sock, 1) < 0 ||
	    usrsctp_setsockopt(a->sock, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0 ||
	    usrsctp_setsockopt(a->sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0 ||
	    usrsctp_setsockopt(a->sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0 ||
	    usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof(av)) < 0 ||
	    usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one)) < 0 ||
	    usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im)) < 0 ||
	    usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp)) < 0)
		goto err;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		struct sctp_event ev = { .se_assoc_id = SCTP_ALL_ASSOC, .se_on = 1,
					 .se_type = events[i] };

		if (usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) < 0)
			goto err;
	}
	what = "cannot bind the SCTP socket";
	sconn.sconn_port = htons(a->cfg.local_port);
	sconn.sconn_addr = a;
	if (usrsctp_bind(a->sock, (struct sockaddr *)&sconn, sizeof(sconn)) < 0)
		goto err;
	return a;
err:
	if (errlen)
		snprintf(err, errlen, "data channels: %s%s%s", what, errno ? ": " : "",
			 errno ? strerror(errno) : "");
	dc_assoc_free(a);
	return NULL;
}

int dc_assoc_connect(struct dc_assoc *a)
{
	struct sockaddr_conn sconn = { .sconn_family = AF_CONN };

	sconn.sconn_port = htons(a->cfg.remote_port);
	sconn.sconn_addr = a;
	if (usrsctp_connect(a->sock, (struct sockaddr *)&sconn, sizeof(sconn)) < 0 &&
	    errno != EINPROGRESS)
		return -errno;
	{
		struct sctp_paddrparams pp = { 0 };

		memcpy(&pp.spp_address, &sconn, sizeof(sconn));
		pp.spp_flags = SPP_PMTUD_DISABLE;
		pp.spp_pathmtu = a->cfg.mtu - MTU_SLACK;
		if (usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp,
				       sizeof(pp)) < 0)
			return -errno;
	}
	return 0;
}

void dc_assoc_free(struct dc_assoc *a)
{
	struct pending *p, *next;

	if (!a)
		return;
	a->closing = true;
	if (a->sock)
		usrsctp_close(a->sock); /* SO_LINGER 0: an ABORT goes out now */
	usrsctp_deregister_address(a);
	for (struct dc_assoc **pp = &live; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	}
	for (unsigned i = 0; i < DC_MAX_CHANNELS; i++)
		free(a->ch[i].buf);
	for (p = a->q_head; p; p = next) {
		next = p->next;
		free(p);
	}
	free(a);
}

void dc_assoc_input(struct dc_assoc *a, const uint8_t *pkt, size_t len)
{
	usrsctp_conninput(a, pkt, len, 0);
}

bool dc_assoc_up(const struct dc_assoc *a)
{
	return a->up;
}

int dc_open(struct dc_assoc *a, const char *label, const char *protocol, uint16_t *stream)
{
	struct dcep_open o = { .channel_type = DCEP_RELIABLE };
	uint8_t msg[DCEP_OPEN_HEADER + 2 * DCEP_LABEL_MAX];
	struct channel *c;
	int n, rc;

	if (!a->up)
		return -ENOTCONN;
	if (strlen(label) > DCEP_LABEL_MAX || strlen(protocol) > DCEP_LABEL_MAX)
		return -EINVAL;
	while (a->next_stream < DC_MAX_STREAMS && find(a, a->next_stream))
		a->next_stream += 2;
	if (a->next_stream >= DC_MAX_STREAMS)
		return -ENOSPC;
	c = add(a, a->next_stream);
	if (!c)
		return -ENOSPC;
	strcpy(o.label, label);
	strcpy(o.protocol, protocol);
	strcpy(c->label, label);
	strcpy(c->protocol, protocol);
	n = dcep_build_open(&o, msg, sizeof(msg));
	rc = n < 0 ? n : send_or_queue(a, c->stream, DC_PPID_DCEP, msg, (size_t)n);
	if (rc < 0) {
		drop_channel(c);
		return rc;
	}
	*stream = c->stream;
	a->next_stream += 2;
	return 0;
}

int dc_send(struct dc_assoc *a, uint16_t stream, const uint8_t *data, size_t len, bool binary)
{
	static const uint8_t zero = 0;

	if (!a->up)
		return -ENOTCONN;
	if (!find(a, stream))
		return -ENOENT;
	if (len > a->cfg.remote_max_message)
		return -EMSGSIZE;
	if (len == 0) /* RFC 8831 section 6.6: one byte under the "empty" PPIDs */
		return send_or_queue(a, stream, binary ? DC_PPID_BINARY_EMPTY : DC_PPID_STRING_EMPTY,
				     &zero, 1);
	return send_or_queue(a, stream, binary ? DC_PPID_BINARY : DC_PPID_STRING, data, len);
}

size_t dc_queued(const struct dc_assoc *a)
{
	return a->queued;
}

int dc_close(struct dc_assoc *a, uint16_t stream)
{
	/* struct sctp_reset_streams ends in a flexible array: room for one stream id */
	union {
		struct sctp_reset_streams r;
		uint8_t bytes[sizeof(struct sctp_reset_streams) + sizeof(uint16_t)];
	} srs;
	struct channel *c = find(a, stream);

	if (c)
		drop_channel(c);
	memset(&srs, 0, sizeof(srs));
	srs.r.srs_assoc_id = SCTP_ALL_ASSOC;
	srs.r.srs_flags = SCTP_STREAM_RESET_OUTGOING;
	srs.r.srs_number_streams = 1;
	srs.r.srs_stream_list[0] = stream;
	if (usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, &srs, sizeof(srs)) < 0)
		return -errno;
	return 0;
}

const char *dc_protocol(const struct dc_assoc *a, uint16_t stream)
{
	for (unsigned i = 0; i < DC_MAX_CHANNELS; i++)
		if (a->ch[i].used && a->ch[i].stream == stream)
			return a->ch[i].protocol;
	return NULL;
}
