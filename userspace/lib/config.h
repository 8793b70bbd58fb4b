/*
 * nwit.conf: an INI-style file (see nwit.conf.5) parsed with inih.
 * Every key is described once in a schema table (config.c); unknown sections,
 * unknown keys, duplicates and bad values are errors reported as FILE:LINE: reason.
 */
#ifndef NWIT_CONFIG_H
#define NWIT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define CONFIG_DEFAULT_PATH "/etc/nwit/nwit.conf"
#define CONFIG_PATH_MAX 256
#define CONFIG_ERR_MAX 512
#define CONFIG_MAX_LINE 1024
#define CONFIG_MAX_FILE (1024 * 1024)

enum fastpath_mode {
	FASTPATH_MODE_INVALID = 0,
	FASTPATH_MODE_AUTO,	/* load BPF, fall back to the userspace relay */
	FASTPATH_MODE_BPF,	/* BPF or fail */
	FASTPATH_MODE_OFF,	/* userspace relay only */
};

struct nwit_config {
	/* [general] */
	enum log_level log_level;
	char control_socket[CONFIG_PATH_MAX];
	char state_dir[CONFIG_PATH_MAX];

	/* [app] */
	char http_address[64];
	uint32_t http_port;

	/* [fastpath] */
	enum fastpath_mode fastpath_mode;
	char bpf_object_dir[CONFIG_PATH_MAX];
	char pin_path[CONFIG_PATH_MAX];

	/* bookkeeping: which keys were set, by schema index */
	uint64_t seen[2];
};

void config_set_defaults(struct nwit_config *conf);

/* Load path over the defaults. On error returns -1 and writes "path:line: reason" to err. */
int config_load_file(const char *path, struct nwit_config *conf, char *err, size_t errlen);

/* Same from a string (name is used in messages only). */
int config_load_string(const char *name, const char *text, struct nwit_config *conf,
		       char *err, size_t errlen);

const char *fastpath_mode_name(enum fastpath_mode mode);

#endif
