/*
 * Deadlines for the app endpoint's HTTP connections. evhttp's timeout restarts with every
 * byte, so a client trickling a header byte at a time (slowloris) would hold a
 * connection for ever. Every connection evhttp accepts is tracked here from its first
 * moment (evhttp_set_bevcb): its request must be complete within [app] http_timeout of
 * the connection opening or of the previous answer, and one address may hold at most
 * [app] max_per_address such connections. A connection over a limit is shut down;
 * evhttp then sees it end and frees it. A connection that becomes a WebSocket leaves
 * this file's care (app_ws.c has its own limits).
 *
 * evhttp gives no hook when it frees a connection, so each tracked bufferevent is held
 * with a reference of ours: evhttp's bufferevent_free clears its callbacks, which a
 * sweep once a second (only while connections are tracked) notices before letting go.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "app/app_http.h"
#include "core/counters.h"
#include "core/log.h"
#include "nwitd.h"

struct app_conn {
	LIST_ENTRY(app_conn) link;
	struct bufferevent *bev;	/* referenced by us: valid until untrack() */
	time_t deadline;		/* the pending request must be complete by then */
	char addr[INET6_ADDRSTRLEN];	/* the peer's address, "" until first checked */
	int shut;			/* shut down; waiting for evhttp to let go */
};

static void untrack(struct app_http *a, struct app_conn *c)
{
	LIST_REMOVE(c, link);
	a->n_conns--;
	bufferevent_decref(c->bev);	/* closes the socket if evhttp is done with it */
	free(c);
}

/* The peer's address as text; "" when it cannot be known. */
static void peer_addr(evutil_socket_t fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const void *p = NULL;

	out[0] = '\0';
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET)
		p = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		p = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	if (!p || !inet_ntop(ss.ss_family, p, out, (socklen_t)len))
		out[0] = '\0';
}

static void shut(struct app_conn *c, enum counter_id counter, const char *why)
{
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	counter_inc(counter);
	LOG_RATELIMITED(LOG_LEVEL_INFO, "app: HTTP connections closed",
			"app: HTTP connection from %s closed: %s", c->addr[0] ? c->addr : "?",
			why);
	c->shut = 1;
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

static unsigned from_addr(struct app_http *a, const char *addr)
{
	struct app_conn *c;
	unsigned n = 0;

	LIST_FOREACH(c, &a->conns, link)
		if (!c->shut && c->addr[0] && strcmp(c->addr, addr) == 0)
			n++;
	return n;
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct app_http *a = arg;
	const struct nwit_config *conf = &a->d->conf;
	struct app_conn *c, *next;
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	for (c = LIST_FIRST(&a->conns); c; c = next) {
		bufferevent_data_cb rcb, wcb;
		bufferevent_event_cb ecb;

		next = LIST_NEXT(c, link);
		bufferevent_getcb(c->bev, &rcb, &wcb, &ecb, NULL);
		if (!rcb && !wcb && !ecb) {
			untrack(a, c);	/* evhttp freed the connection */
			continue;
		}
		if (c->shut)
			continue;
		if (!c->addr[0]) {
			/* a new connection: its address is known now */
			peer_addr(bufferevent_getfd(c->bev), c->addr, sizeof(c->addr));
			if (c->addr[0] && from_addr(a, c->addr) > conf->app_max_per_address) {
				shut(c, COUNTER_APP_HTTP_TOO_MANY, "over max_per_address");
				continue;
			}
		}
		if (now >= c->deadline)
			shut(c, COUNTER_APP_HTTP_TIMEOUTS,
			     "no complete request within http_timeout");
	}
	if (!LIST_EMPTY(&a->conns)) {
		struct timeval tv = { 1, 0 };

		evtimer_add(a->conn_sweep, &tv);
	}
}

struct bufferevent *app_conn_track(struct app_http *a, struct bufferevent *bev)
{
	struct timeval now = { 0, 0 };
	struct app_conn *c;

	if (!bev)
		return NULL;
	if (!a->conn_sweep)
		a->conn_sweep = evtimer_new(a->d->base, on_sweep, a);
	c = calloc(1, sizeof(*c));
	if (!c || !a->conn_sweep) {
		/* untracked, it still works; only without the deadline */
		free(c);
		log_warnx("app: cannot track an HTTP connection: out of memory");
		return bev;
	}
	bufferevent_incref(bev);
	c->bev = bev;
	c->deadline = time(NULL) + a->d->conf.app_http_timeout;
	LIST_INSERT_HEAD(&a->conns, c, link);
	a->n_conns++;
	/* the first sweep right after evhttp set the socket: the per-address check */
	evtimer_add(a->conn_sweep, &now);
	return bev;
}

static struct app_conn *find(struct app_http *a, struct bufferevent *bev)
{
	struct app_conn *c;

	LIST_FOREACH(c, &a->conns, link)
		if (c->bev == bev)
			return c;
	return NULL;
}

void app_conn_answered(struct app_http *a, struct bufferevent *bev)
{
	struct app_conn *c = find(a, bev);

	if (c)
		c->deadline = time(NULL) + a->d->conf.app_http_timeout;
}

void app_conn_upgraded(struct app_http *a, struct bufferevent *bev)
{
	struct app_conn *c = find(a, bev);

	if (c)
		untrack(a, c);
}

void app_conn_free_all(struct app_http *a)
{
	while (!LIST_EMPTY(&a->conns))
		untrack(a, LIST_FIRST(&a->conns));
	if (a->conn_sweep)
		event_free(a->conn_sweep);
	a->conn_sweep = NULL;
}
