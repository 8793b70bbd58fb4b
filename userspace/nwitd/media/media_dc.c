/* WebRTC data channels of a call over its DTLS association (media_dc.h). */
#include "media/media_dc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "webrtc/datachannel.h"
#include "core/counters.h"
#include "core/log.h"
#include "media/media_dtls.h"

#define DC_TICK_MS 20

struct media_dc {
	struct event_base *base;
	struct media_dc_config cfg;
	struct media_dc_cbs cbs;
	void *arg;
	struct media_dtls *dtls;
	struct dc_assoc *a;
	bool up, down;
	char why[160];
	struct {
		uint64_t packets_out, packets_in, write_errors, messages_in, messages_out,
			send_errors;
	} st;
};

/* usrsctp's timers are process-wide: one libevent timer while any association lives */
static struct {
	struct event *ev;
	unsigned users;
	struct timespec last;
} g_tick;

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct timespec now;
	long ms;

	(void)fd;
	(void)what;
	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - g_tick.last.tv_sec) * 1000 + (now.tv_nsec - g_tick.last.tv_nsec) / 1000000;
	if (ms > 0) {
		g_tick.last = now;
		dc_handle_timers((unsigned)ms);
	}
}

static int tick_ref(struct event_base *base)
{
	struct timeval tv = { 0, DC_TICK_MS * 1000 };

	if (g_tick.users++)
		return 0;
	g_tick.ev = event_new(base, -1, EV_PERSIST, on_tick, NULL);
	if (!g_tick.ev || event_add(g_tick.ev, &tv) < 0) {
		g_tick.users = 0;
		if (g_tick.ev)
			event_free(g_tick.ev);
		g_tick.ev = NULL;
		return -ENOMEM;
	}
	clock_gettime(CLOCK_MONOTONIC, &g_tick.last);
	return 0;
}

static void tick_unref(void)
{
	if (!g_tick.users || --g_tick.users)
		return;
	event_free(g_tick.ev);
	g_tick.ev = NULL;
}

static void set_down(struct media_dc *d, const char *why)
{
	if (d->down)
		return;
	d->down = true;
	snprintf(d->why, sizeof(d->why), "%s", why);
	log_info("media: data channels over: %s", why);
	if (d->cbs.on_state)
		d->cbs.on_state(d->arg, false, why);
}

static void dc_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct media_dc *d = arg;

	d->st.packets_out++;
	if (media_dtls_write(d->dtls, pkt, len) < 0)
		d->st.write_errors++; /* SCTP sees it as a lost packet */
}

static void dc_state(void *arg, struct dc_assoc *a, bool up, const char *why)
{
	struct media_dc *d = arg;

	(void)a;
	if (up) {
		d->up = true;
		log_info("media: SCTP association up (data channels)");
		if (d->cbs.on_state)
			d->cbs.on_state(d->arg, true, NULL);
	} else {
		set_down(d, why ? why : "SCTP association ended");
	}
}

static void dc_opened(void *arg, struct dc_assoc *a, uint16_t stream, const char *label,
		      const char *protocol)
{
	struct media_dc *d = arg;

	(void)a;
	log_info("media: data channel %u \"%s\" open (protocol \"%s\")", stream, label, protocol);
	if (d->cbs.on_open)
		d->cbs.on_open(d->arg, stream, label, protocol);
}

static void dc_message(void *arg, struct dc_assoc *a, uint16_t stream, const uint8_t *data,
		       size_t len, bool binary)
{
	struct media_dc *d = arg;

	(void)a;
	d->st.messages_in++;
	if (d->cbs.on_message)
		d->cbs.on_message(d->arg, stream, data, len, binary);
}

static void dc_closed(void *arg, struct dc_assoc *a, uint16_t stream)
{
	struct media_dc *d = arg;

	(void)a;
	if (d->cbs.on_close)
		d->cbs.on_close(d->arg, stream);
}

static void dtls_data(void *arg, const uint8_t *data, size_t len)
{
	struct media_dc *d = arg;

	d->st.packets_in++;
	if (d->a)
		dc_assoc_input(d->a, data, len);
}

static void dtls_closed(void *arg, const char *why)
{
	char buf[200];

	snprintf(buf, sizeof(buf), "DTLS association closed: %s", why ? why : "");
	set_down(arg, buf);
}

struct media_dc *media_dc_new(struct event_base *base, const struct media_dc_config *cfg,
			      const struct media_dc_cbs *cbs, void *arg)
{
	struct media_dc *d;

	if (dc_global_init() < 0) {
		log_warnx("media: cannot start usrsctp for data channels");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->base = base;
	d->cfg = *cfg;
	d->cbs = *cbs;
	d->arg = arg;
	return d;
}

int media_dc_start(struct media_dc *d, struct media_dtls *t)
{
	static const struct dc_cbs cbs = { dc_packet, dc_state, dc_opened, dc_message, dc_closed };
	struct dc_config c = { 0 };
	char err[160];
	int mtu;

	if (d->a || d->down)
		return 0;
	mtu = media_dtls_data_mtu(t);
	if (mtu <= 0)
		return -EIO;
	c.local_port = DC_DEFAULT_SCTP_PORT;
	c.remote_port = d->cfg.remote_port ? d->cfg.remote_port : DC_DEFAULT_SCTP_PORT;
	c.dtls_client = media_dtls_is_client(t);
	c.max_message = d->cfg.max_message;
	c.remote_max_message = d->cfg.remote_max_message;
	c.mtu = (unsigned)mtu;
	d->dtls = t;
	if (tick_ref(d->base) < 0)
		return -ENOMEM;
	d->a = dc_assoc_new(&c, &cbs, d, err, sizeof(err));
	if (!d->a) {
		tick_unref();
		log_warnx("media: cannot make the SCTP association: %s", err);
		return -EIO;
	}
	media_dtls_set_data_cb(t, dtls_data, dtls_closed, d);
	if (dc_assoc_connect(d->a) < 0) {
		log_warnx("media: cannot start the SCTP association");
		return -EIO;
	}
	return 0;
}

void media_dc_free(struct media_dc *d)
{
	if (!d)
		return;
	if (d->a) {
		dc_assoc_free(d->a);
		tick_unref();
	}
	if (d->dtls)
		media_dtls_set_data_cb(d->dtls, NULL, NULL, NULL);
	free(d);
}

int media_dc_send(struct media_dc *d, uint16_t stream, const uint8_t *data, size_t len,
		  bool binary)
{
	int rc = d->a && !d->down ? dc_send(d->a, stream, data, len, binary) : -ENOTCONN;

	if (rc < 0)
		d->st.send_errors++;
	else
		d->st.messages_out++;
	return rc;
}

int media_dc_open(struct media_dc *d, const char *label, const char *protocol,
		  uint16_t *stream)
{
	return d->a && !d->down ? dc_open(d->a, label, protocol, stream) : -ENOTCONN;
}

size_t media_dc_queued(const struct media_dc *d)
{
	return d->a ? dc_queued(d->a) : 0;
}

json_t *media_dc_stats_json(const struct media_dc *d)
{
	const struct stat_row rows[] = {
		{ "sctp_packets_in", d->st.packets_in },
		{ "sctp_packets_out", d->st.packets_out },
		{ "dtls_write_errors", d->st.write_errors },
		{ "messages_in", d->st.messages_in },
		{ "messages_out", d->st.messages_out },
		{ "send_errors", d->st.send_errors },
		{ "queued", (uint64_t)media_dc_queued(d) },
	};
	json_t *o = STAT_ROWS_JSON(rows);

	if (o)
		json_object_set_new(o, "state", json_string(d->down ? "closed" : d->up ? "up" :
							    d->a ? "connecting" : "waiting"));
	if (o && d->down)
		json_object_set_new(o, "end_reason", json_string(d->why));
	return o;
}
