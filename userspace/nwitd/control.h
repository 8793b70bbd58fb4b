/* The UNIX control socket that nwitctl talks to (one JSON line per request). */
#ifndef NWITD_CONTROL_H
#define NWITD_CONTROL_H

#include <jansson.h>

struct nwitd;
struct ctl_server;

/* Listen on path (a stale socket file is replaced; a live one is an error). */
struct ctl_server *ctl_server_start(struct nwitd *d, const char *path);
void ctl_server_stop(struct ctl_server *srv);

/*
 * A control command: returns a result object (new reference), or NULL with a
 * reason in err. The table lives in commands.c.
 */
typedef json_t *(*ctl_handler)(struct nwitd *d, json_t *args, char *err, size_t errlen);

struct ctl_command {
	const char *name;
	ctl_handler handler;
	const char *help;
};

const struct ctl_command *ctl_command_find(const char *name);

#endif
