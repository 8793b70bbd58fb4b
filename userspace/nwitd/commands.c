/* The control commands nwitd answers. Add one by adding a handler and a table row. */
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "core/counters.h"
#include "datapath/fastpath_svc.h"
#include "nwitd.h"
#include "service.h"

#ifndef NWIT_VERSION
#define NWIT_VERSION "unknown"
#endif

static json_t *cmd_status(struct nwitd *d, json_t *args, char *err, size_t errlen)
{
	json_t *status;

	(void)args;
	(void)err;
	(void)errlen;
	status = json_pack("{s:s, s:I, s:I, s:{s:s, s:s, s:s, s:s?}}",
			 "version", NWIT_VERSION,
			 "pid", (json_int_t)getpid(),
			 "uptime_s", (json_int_t)(time(NULL) - d->started),
			 "config",
			 "path", d->conf_path,
			 "log_level", log_level_name(d->conf.log_level),
			 "fastpath_mode", fastpath_mode_name(d->conf.fastpath_mode),
			 "last_reload_error",
			 d->last_reload_error[0] ? d->last_reload_error : NULL);
	if (status)
		services_report(d, status, 0);
	return status;
}

static json_t *cmd_stats(struct nwitd *d, json_t *args, char *err, size_t errlen)
{
	json_t *stats;

	(void)args;
	(void)err;
	(void)errlen;
	stats = json_pack("{s:o}", "counters", counters_to_json());
	if (stats)
		services_report(d, stats, 1);
	return stats;
}

static json_t *cmd_reload(struct nwitd *d, json_t *args, char *err, size_t errlen)
{
	(void)args;
	if (nwitd_reload(d) < 0) {
		snprintf(err, errlen, "%s", d->last_reload_error);
		return NULL;
	}
	return json_pack("{s:s}", "config", d->conf_path);
}

static const struct ctl_command commands[] = {
	{ "status", cmd_status, "daemon, configuration and service state" },
	{ "stats", cmd_stats, "event and error counters" },
	{ "reload", cmd_reload, "parse the configuration again; keep the old one if it is bad" },
	{ "flow-add", fastpath_cmd_flow_add, "add or replace a fast path flow (see nwitctl.8)" },
	{ "flow-del", fastpath_cmd_flow_del, "remove a fast path flow and its SRTP contexts" },
	{ "flow-list", fastpath_cmd_flow_list, "fast path flows with their counters" },
};

const struct ctl_command *ctl_command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
