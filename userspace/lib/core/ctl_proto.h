/*
 * Control protocol between nwitctl and nwitd over a UNIX stream socket.
 * One JSON object per line each way:
 *   request:  {"cmd": "status", "args": {...}}
 *   reply:    {"ok": true, "result": {...}}  or  {"ok": false, "error": "reason"}
 */
#ifndef NWIT_CTL_PROTO_H
#define NWIT_CTL_PROTO_H

#include <stddef.h>

#include <jansson.h>

#define CTL_MAX_LINE 65536
#define CTL_MAX_CMD 32

struct ctl_request {
	char cmd[CTL_MAX_CMD];
	json_t *args;	/* an object, never NULL after a successful parse; caller decrefs */
};

/* Parse one request line (without the newline). Returns 0, or -1 with a reason in err. */
int ctl_request_parse(const char *line, size_t len, struct ctl_request *req, char *err,
		      size_t errlen);
void ctl_request_clear(struct ctl_request *req);

/* Encode a request line, newline included; returns malloc'ed text or NULL. */
char *ctl_request_encode(const char *cmd, json_t *args);

/* Encode replies, newline included; they steal the reference to result. */
char *ctl_reply_ok(json_t *result);
char *ctl_reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse a reply line. On {"ok":true} returns 0 and *result (new reference);
 * on {"ok":false} returns 1 with the daemon's reason in err; -1 if malformed.
 */
int ctl_reply_parse(const char *line, size_t len, json_t **result, char *err, size_t errlen);

#endif
