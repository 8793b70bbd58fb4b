/*
 * MSRP test endpoint on msrp_conn: connects to a relay (from a fixed local port, so the
 * relay can reach it by its URI), AUTHs, writes its full path (Use-Path + own URI) to
 * --path-out, waits for the other endpoint's path in --to-in, sends --send FILE in
 * chunks, and stores each message it receives as --recv-dir/<n> (printing its SHA-256).
 * Done when its own message got a 200 REPORT and --expect messages arrived; then it
 * prints "COUNTERS <json>" and exits 0 (1 when unfinished: SIGTERM, --timeout, errors).
 *
 *   msrp_peer --relay 127.0.0.1:2855 --local msrp://127.0.0.1:4001/sa;tcp
 *             [--path-out F] [--to-in F] [--send FILE] [--chunk N] [--expect N]
 *             [--recv-dir D] [--timeout S] [--max-chunk N (what it accepts)]
 *             [--relay-first] [--wait-peer]
 * --relay-first: --to-in holds the peer's SDP a=path, and our relay (the AUTH's
 * Use-Path) goes before it (RFC 4976 section 5). --wait-peer: send only after the peer's
 * first request arrived (the bodiless SEND that binds the session, RFC 4975 section 5.4;
 * printed as BOUND and not counted as a message). Failure REPORTs print as
 * "REPORT <id> <status>" like the others and make the run fail.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <openssl/sha.h>

#include "core/counters.h"
#include "core/log.h"
#include "msrp/msrp_conn.h"

static struct {
	struct event_base *base;
	struct msrp_conn *conn;
	struct msrp_uri local, relay;
	const char *path_out, *to_in, *send_file, *recv_dir;
	size_t chunk;
	unsigned expect, received;
	bool authed, sent, reported, failed, relay_first, wait_peer, peer_seen;
	struct msrp_path use;
	char sent_id[MSRP_IDENT_MAX + 1];
	struct event *poll_ev;
} p = { .chunk = 2048 };

static void finish_if_done(void)
{
	struct timeval drain = { 0, 300000 }; /* let the last REPORT go out */

	if (p.failed || ((!p.send_file || p.reported) && p.received >= p.expect && p.authed))
		event_base_loopexit(p.base, &drain);
}

static void on_message(void *arg, struct msrp_conn *c, const struct msrp_uri *s,
		       const struct msrp_message *m)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char name[512];
	FILE *f;

	if (m->len == 0) {
		if (!p.peer_seen)
			printf("BOUND\n");
		fflush(stdout);
		p.peer_seen = true;
		return;
	}
	SHA256(m->data, m->len, md);
	printf("RECEIVED %zu ", m->len);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		printf("%02x", md[i]);
	printf(" %s\n", m->content_type);
	fflush(stdout);
	if (p.recv_dir) {
		snprintf(name, sizeof(name), "%s/%u", p.recv_dir, p.received);
		f = fopen(name, "wb");
		if (!f || fwrite(m->data, 1, m->len, f) != m->len)
			fprintf(stderr, "msrp_peer: cannot write %s\n", name);
		if (f)
			fclose(f);
	}
	p.received++;
	finish_if_done();
}

static void on_sent(void *arg, struct msrp_conn *c, const char *id, unsigned status)
{
	printf("REPORT %s %u\n", id, status);
	fflush(stdout);
	if (strcmp(id, p.sent_id))
		return;
	if (status == 200)
		p.reported = true;
	else
		p.failed = true;
	finish_if_done();
}

static void on_auth(void *arg, struct msrp_conn *c, unsigned status,
		    const struct msrp_path *use)
{
	char uri[MSRP_URI_MAX * 2 + 32];
	FILE *f;

	if (status != 200 || !use) {
		fprintf(stderr, "msrp_peer: AUTH answered %u\n", status);
		p.failed = true;
		finish_if_done();
		return;
	}
	p.authed = true;
	p.use = *use;
	if (p.path_out) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s.tmp", p.path_out);
		f = fopen(tmp, "w");
		if (!f)
			exit(2);
		for (unsigned i = 0; i < use->n; i++) {
			msrp_uri_format(&use->uri[i], uri, sizeof(uri));
			fprintf(f, "%s ", uri);
		}
		msrp_uri_format(&p.local, uri, sizeof(uri));
		fprintf(f, "%s\n", uri);
		fclose(f);
		rename(tmp, p.path_out);
	}
	printf("AUTHED\n");
	fflush(stdout);
	finish_if_done();
}

static void on_closed(void *arg, struct msrp_conn *c, const char *why)
{
	fprintf(stderr, "msrp_peer: connection over: %s\n", why);
	p.failed = true;
	finish_if_done();
}

static uint8_t *read_file(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	struct stat st;
	uint8_t *d;

	if (!f || fstat(fileno(f), &st) < 0)
		return NULL;
	d = malloc((size_t)st.st_size + 1);
	if (d && fread(d, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(d);
		d = NULL;
	}
	fclose(f);
	*len = (size_t)st.st_size;
	return d;
}

/* Wait for the other endpoint's path, then send. */
static void poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, 50000 };
	struct msrp_path to;
	char line[2048];
	uint8_t *data;
	size_t len;
	FILE *f;
	int rc;

	if (p.sent || !p.authed || (p.wait_peer && !p.peer_seen) || !(f = fopen(p.to_in, "r"))) {
		event_add(p.poll_ev, &tv);
		return;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		event_add(p.poll_ev, &tv);
		return;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	while (strlen(line) && line[strlen(line) - 1] == ' ')
		line[strlen(line) - 1] = '\0';
	if (msrp_path_parse(line, strlen(line), &to) < 0) {
		fprintf(stderr, "msrp_peer: bad path \"%s\"\n", line);
		p.failed = true;
		finish_if_done();
		return;
	}
	if (p.relay_first) {
		struct msrp_path full = p.use;

		for (unsigned i = 0; i < to.n && full.n < MSRP_PATH_MAX; i++)
			full.uri[full.n++] = to.uri[i];
		to = full;
	}
	data = read_file(p.send_file, &len);
	if (!data) {
		fprintf(stderr, "msrp_peer: cannot read %s\n", p.send_file);
		p.failed = true;
		finish_if_done();
		return;
	}
	rc = msrp_conn_send(p.conn, &to, &p.local, "application/octet-stream", data, len, p.chunk,
			    p.sent_id);
	free(data);
	if (rc < 0) {
		fprintf(stderr, "msrp_peer: cannot send: %s\n", strerror(-rc));
		p.failed = true;
		finish_if_done();
		return;
	}
	p.sent = true;
	printf("SENDING %s %zu\n", p.sent_id, len);
	fflush(stdout);
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(p.base);
}

static int connect_from(const struct msrp_uri *local, const char *relay)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	char host[64];
	int one = 1, fd, port;

	if (sscanf(relay, "%63[^:]:%d", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &dst.sin_addr) != 1 ||
	    inet_pton(AF_INET, local->host, &src.sin_addr) != 1)
		return -EINVAL;
	dst.sin_port = htons((uint16_t)port);
	src.sin_port = htons(local->port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	evutil_make_socket_nonblocking(fd);
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "relay", 1, 0, 'r' },	   { "local", 1, 0, 'l' },   { "path-out", 1, 0, 'o' },
		{ "to-in", 1, 0, 'i' },	   { "send", 1, 0, 's' },    { "chunk", 1, 0, 'c' },
		{ "expect", 1, 0, 'e' },   { "recv-dir", 1, 0, 'd' }, { "timeout", 1, 0, 't' },
		{ "max-chunk", 1, 0, 'm' }, { "relay-first", 0, 0, 'R' }, { "wait-peer", 0, 0, 'W' },
		{ 0 },
	};
	const struct msrp_conn_cbs cbs = { on_message, on_sent, on_auth, on_closed };
	const char *relay = NULL, *local = NULL;
	struct timeval timeout = { 60, 0 }, now = { 0, 0 };
	struct event *term, *tmo;
	struct msrp_limits lim;
	size_t max_chunk = 0;
	json_t *counters;
	char *dump;
	int o, fd, rc = 0;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'r': relay = optarg; break;
		case 'l': local = optarg; break;
		case 'o': p.path_out = optarg; break;
		case 'i': p.to_in = optarg; break;
		case 's': p.send_file = optarg; break;
		case 'c': p.chunk = strtoul(optarg, NULL, 10); break;
		case 'e': p.expect = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': p.recv_dir = optarg; break;
		case 't': timeout.tv_sec = strtol(optarg, NULL, 10); break;
		case 'm': max_chunk = strtoul(optarg, NULL, 10); break;
		case 'R': p.relay_first = true; break;
		case 'W': p.wait_peer = true; break;
		default: return 2;
		}
	}
	log_init("msrp_peer", LOG_LEVEL_INFO, 0);
	if (!relay || !local || msrp_uri_parse(local, strlen(local), &p.local) < 0 ||
	    (p.send_file && !p.to_in)) {
		fprintf(stderr, "msrp_peer: --relay and a valid --local are needed\n");
		return 2;
	}
	p.relay = p.local;
	p.relay.session[0] = '\0';
	{
		char host[64];
		int port;

		if (sscanf(relay, "%63[^:]:%d", host, &port) != 2)
			return 2;
		snprintf(p.relay.host, sizeof(p.relay.host), "%s", host);
		p.relay.port = (uint16_t)port;
	}
	signal(SIGPIPE, SIG_IGN);
	msrp_limits_default(&lim);
	if (max_chunk)
		lim.max_chunk = max_chunk;
	if (p.chunk > lim.max_chunk)
		p.chunk = lim.max_chunk;
	p.base = event_base_new();
	fd = connect_from(&p.local, relay);
	if (fd < 0) {
		fprintf(stderr, "msrp_peer: cannot connect to %s: %s\n", relay, strerror(-fd));
		event_base_free(p.base);
		return 1;
	}
	p.conn = msrp_conn_new(p.base, fd, &lim, &cbs, NULL);
	if (!p.conn || msrp_conn_add_session(p.conn, &p.local) < 0 ||
	    msrp_conn_auth(p.conn, &p.relay, &p.local) < 0)
		return 1;
	term = evsignal_new(p.base, SIGTERM, on_stop, NULL);
	tmo = evtimer_new(p.base, on_stop, NULL);
	p.poll_ev = evtimer_new(p.base, poll_cb, NULL);
	event_add(term, NULL);
	event_add(tmo, &timeout);
	if (p.send_file)
		event_add(p.poll_ev, &now);
	event_base_dispatch(p.base);

	if (p.failed || (p.send_file && !p.reported) || p.received < p.expect) {
		fprintf(stderr, "msrp_peer: unfinished: sent %d reported %d received %u/%u\n",
			p.sent, p.reported, p.received, p.expect);
		rc = 1;
	}
	counters = counters_to_json();
	dump = json_dumps(counters, JSON_COMPACT | JSON_SORT_KEYS);
	printf("COUNTERS %s\n", dump);
	free(dump);
	json_decref(counters);
	msrp_conn_free(p.conn);
	event_free(term);
	event_free(tmo);
	event_free(p.poll_ev);
	event_base_free(p.base);
	return rc;
}
