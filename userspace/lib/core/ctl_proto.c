#include "core/ctl_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int valid_cmd_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return 0;
	return 1;
}

int ctl_request_parse(const char *line, size_t len, struct ctl_request *req, char *err,
		      size_t errlen)
{
	json_error_t jerr;
	json_t *root, *cmd, *args;
	const char *name;

	memset(req, 0, sizeof(*req));
	if (len > CTL_MAX_LINE) {
		snprintf(err, errlen, "request longer than %d bytes", CTL_MAX_LINE);
		return -1;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "request is not JSON: %s at column %d", jerr.text,
			 jerr.column);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "request is not a JSON object");
		goto fail;
	}
	cmd = json_object_get(root, "cmd");
	if (!json_is_string(cmd)) {
		snprintf(err, errlen, "request has no \"cmd\" string");
		goto fail;
	}
	name = json_string_value(cmd);
	if (strlen(name) >= CTL_MAX_CMD || !valid_cmd_name(name)) {
		snprintf(err, errlen, "\"cmd\" is not a command name");
		goto fail;
	}
	args = json_object_get(root, "args");
	if (args && !json_is_object(args)) {
		snprintf(err, errlen, "\"args\" is not an object");
		goto fail;
	}
	snprintf(req->cmd, sizeof(req->cmd), "%s", name);
	req->args = args ? json_incref(args) : json_object();
	json_decref(root);
	if (!req->args) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
fail:
	json_decref(root);
	return -1;
}

void ctl_request_clear(struct ctl_request *req)
{
	json_decref(req->args);
	req->args = NULL;
}

static char *encode_line(json_t *obj)
{
	char *text, *line;
	size_t len;

	if (!obj)
		return NULL;
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!text)
		return NULL;
	len = strlen(text);
	line = realloc(text, len + 2);
	if (!line) {
		free(text);
		return NULL;
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	return line;
}

char *ctl_request_encode(const char *cmd, json_t *args)
{
	json_t *obj = json_pack("{s:s}", "cmd", cmd);

	if (obj && args)
		json_object_set(obj, "args", args);
	return encode_line(obj);
}

char *ctl_reply_ok(json_t *result)
{
	return encode_line(json_pack("{s:b,s:o}", "ok", 1, "result", result ? result : json_object()));
}

char *ctl_reply_error(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return encode_line(json_pack("{s:b,s:s}", "ok", 0, "error", reason));
}

int ctl_reply_parse(const char *line, size_t len, json_t **result, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *ok;
	int rc = -1;

	*result = NULL;
	root = json_loadb(line, len, 0, &jerr);
	if (!root) {
		snprintf(err, errlen, "reply is not JSON: %s", jerr.text);
		return -1;
	}
	ok = json_object_get(root, "ok");
	if (json_is_true(ok)) {
		json_t *res = json_object_get(root, "result");

		if (!res) {
			snprintf(err, errlen, "reply has no \"result\"");
			goto out;
		}
		*result = json_incref(res);
		rc = 0;
	} else if (json_is_false(ok)) {
		json_t *reason = json_object_get(root, "error");

		snprintf(err, errlen, "%s",
			 json_is_string(reason) ? json_string_value(reason) : "unspecified error");
		rc = 1;
	} else {
		snprintf(err, errlen, "reply has no boolean \"ok\"");
	}
out:
	json_decref(root);
	return rc;
}
