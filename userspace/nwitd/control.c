#include "control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/queue.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "core/counters.h"
#include "core/ctl_proto.h"
#include "core/log.h"
#include "nwitd.h"

struct ctl_client {
	TAILQ_ENTRY(ctl_client) entry;
	struct ctl_server *srv;
	struct bufferevent *bev;
};

struct ctl_server {
	struct nwitd *d;
	struct evconnlistener *listener;
	TAILQ_HEAD(, ctl_client) clients;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void client_free(struct ctl_client *c)
{
	TAILQ_REMOVE(&c->srv->clients, c, entry);
	bufferevent_free(c->bev);
	free(c);
}

static void send_line(struct bufferevent *bev, char *line)
{
	if (!line) {
		log_warnx("control: cannot encode a reply (out of memory)");
		return;
	}
	bufferevent_write(bev, line, strlen(line));
	free(line);
}

static char *dispatch(struct nwitd *d, const char *line, size_t len)
{
	struct ctl_request req;
	const struct ctl_command *cmd;
	char err[512] = "";
	json_t *result;

	if (ctl_request_parse(line, len, &req, err, sizeof(err)) < 0) {
		counter_inc(COUNTER_CTL_BAD_REQUESTS);
		log_debug("control: refused a request: %s", err);
		return ctl_reply_error("%s", err);
	}
	cmd = ctl_command_find(req.cmd);
	if (!cmd) {
		counter_inc(COUNTER_CTL_UNKNOWN_COMMANDS);
		ctl_request_clear(&req);
		return ctl_reply_error("unknown command '%s'", req.cmd);
	}
	counter_inc(COUNTER_CTL_REQUESTS);
	result = cmd->handler(d, req.args, err, sizeof(err));
	ctl_request_clear(&req);
	if (!result)
		return ctl_reply_error("%s: %s", cmd->name, err[0] ? err : "failed");
	return ctl_reply_ok(result);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct ctl_client *c = arg;
	struct ctl_server *srv = c->srv;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		send_line(bev, dispatch(srv->d, line, len));
		free(line);
	}
	if (evbuffer_get_length(in) > CTL_MAX_LINE) {
		counter_inc(COUNTER_CTL_OVERSIZE);
		log_warnx("control: closing a client that sent over %d bytes without a newline",
			  CTL_MAX_LINE);
		send_line(bev, ctl_reply_error("request longer than %d bytes", CTL_MAX_LINE));
		evbuffer_drain(in, evbuffer_get_length(in));
		bufferevent_disable(bev, EV_READ);
		bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	/* A client we stopped reading from is closed once its error reply is out. */
	if (!(bufferevent_get_enabled(bev) & EV_READ))
		client_free(arg);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	struct ctl_server *srv = arg;
	struct ctl_client *c;

	(void)l;
	(void)sa;
	(void)salen;
	c = calloc(1, sizeof(*c));
	if (c)
		c->bev = bufferevent_socket_new(srv->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c || !c->bev) {
		log_warnx("control: cannot set up a client connection (out of memory)");
		free(c);
		close(fd);
		return;
	}
	c->srv = srv;
	TAILQ_INSERT_TAIL(&srv->clients, c, entry);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_MAX_LINE + 1);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* Remove path if it is a socket nobody listens on; refuse if a daemon answers there. */
static int clear_stale_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(path) < 0 ? -errno : 0;
}

struct ctl_server *ctl_server_start(struct nwitd *d, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_server *srv;
	mode_t old_mask;
	int rc;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control: socket path %s is too long", path);
		return NULL;
	}
	rc = clear_stale_socket(path);
	if (rc < 0) {
		errno = -rc;
		log_warn("control: cannot take over %s", path);
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->d = d;
	TAILQ_INIT(&srv->clients);
	memcpy(srv->path, path, strlen(path) + 1);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	/* Only root may control the daemon: no window where the socket is open to others. */
	old_mask = umask(0177);
	srv->listener = evconnlistener_new_bind(d->base, on_accept, srv,
						LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
						(struct sockaddr *)&sun, sizeof(sun));
	umask(old_mask);
	if (!srv->listener) {
		log_warn("control: cannot listen on %s", path);
		free(srv);
		return NULL;
	}
	log_info("control: listening on %s", path);
	return srv;
}

void ctl_server_stop(struct ctl_server *srv)
{
	if (!srv)
		return;
	while (!TAILQ_EMPTY(&srv->clients))
		client_free(TAILQ_FIRST(&srv->clients));
	evconnlistener_free(srv->listener);
	unlink(srv->path);
	free(srv);
}
