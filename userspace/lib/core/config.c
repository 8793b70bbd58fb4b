#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ini.h>

#ifndef NWIT_BPF_DIR
#define NWIT_BPF_DIR "/usr/local/lib/nwit/bpf"
#endif

#include "core/hex.h"

enum key_type {
	KEY_INVALID = 0,
	KEY_STRING,	/* bounded string */
	KEY_PATH,	/* absolute path */
	KEY_UINT,	/* decimal, within [min, max] */
	KEY_ADDRESS,	/* IPv4 or IPv6 literal */
	KEY_LOG_LEVEL,
	KEY_FASTPATH_MODE,
	KEY_FASTPATH_AES,
	KEY_HOST_LIST,	/* hostnames or address literals, comma or space separated */
	KEY_HOSTNAME,	/* a domain name */
	KEY_IDENTITY,	/* printable, no spaces, quotes or backslashes */
	KEY_URI_LIST,	/* sip:, sips: or tel: URIs, comma or space separated */
	KEY_SECRET,	/* printable string, never echoed in messages */
	KEY_HEX,	/* exactly 2 * size hex digits into a byte array */
	KEY_TRANSPORT,	/* udp or tcp */
};

struct key_desc {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;		/* buffer size for strings */
	unsigned long min, max;	/* for KEY_UINT */
};

#define FIELD(f) offsetof(struct nwit_config, f), sizeof(((struct nwit_config *)0)->f)

static const struct key_desc schema[] = {
	{ "general", "log_level", KEY_LOG_LEVEL, FIELD(log_level), 0, 0 },
	{ "general", "control_socket", KEY_PATH, FIELD(control_socket), 0, 0 },
	{ "general", "state_dir", KEY_PATH, FIELD(state_dir), 0, 0 },
	{ "app", "http_address", KEY_ADDRESS, FIELD(http_address), 0, 0 },
	{ "app", "http_port", KEY_UINT, FIELD(http_port), 1, 65535 },
	{ "app", "jwks_file", KEY_PATH, FIELD(app_jwks_file), 0, 0 },
	{ "app", "revocation_file", KEY_PATH, FIELD(app_revocation_file), 0, 0 },
	{ "app", "token_issuer", KEY_STRING, FIELD(app_token_issuer), 0, 0 },
	{ "app", "audience", KEY_STRING, FIELD(app_audience), 0, 0 },
	{ "app", "max_message_size", KEY_UINT, FIELD(app_max_message_size), 1024, 1048576 },
	{ "app", "max_connections", KEY_UINT, FIELD(app_max_connections), 1, 4096 },
	{ "app", "auth_timeout", KEY_UINT, FIELD(app_auth_timeout), 1, 3600 },
	{ "app", "https_port", KEY_UINT, FIELD(app_https_port), 1, 65535 },
	{ "app", "tls_certificate", KEY_PATH, FIELD(app_tls_certificate), 0, 0 },
	{ "app", "tls_key", KEY_PATH, FIELD(app_tls_key), 0, 0 },
	{ "app", "max_token_lifetime", KEY_UINT, FIELD(app_max_token_lifetime), 60, 2592000 },
	{ "app", "max_unauthorized", KEY_UINT, FIELD(app_max_unauthorized), 1, 4096 },
	{ "app", "max_per_address", KEY_UINT, FIELD(app_max_per_address), 1, 4096 },
	{ "app", "http_timeout", KEY_UINT, FIELD(app_http_timeout), 1, 300 },
	{ "app", "private_network_origins", KEY_STRING, FIELD(app_pna_origins), 0, 0 },
	{ "fastpath", "mode", KEY_FASTPATH_MODE, FIELD(fastpath_mode), 0, 0 },
	{ "fastpath", "aes", KEY_FASTPATH_AES, FIELD(fastpath_aes), 0, 0 },
	{ "fastpath", "bpf_object_dir", KEY_PATH, FIELD(bpf_object_dir), 0, 0 },
	{ "fastpath", "pin_path", KEY_PATH, FIELD(pin_path), 0, 0 },
	{ "ims", "pcscf", KEY_HOST_LIST, FIELD(ims_pcscf), 0, 0 },
	{ "ims", "pcscf_port", KEY_UINT, FIELD(ims_pcscf_port), 1, 65535 },
	{ "ims", "transport", KEY_TRANSPORT, FIELD(ims_transport), 0, 0 },
	{ "ims", "home_domain", KEY_HOSTNAME, FIELD(ims_home_domain), 0, 0 },
	{ "ims", "impi", KEY_IDENTITY, FIELD(ims_impi), 0, 0 },
	{ "ims", "impu", KEY_URI_LIST, FIELD(ims_impu), 0, 0 },
	{ "ims", "password", KEY_SECRET, FIELD(ims_password), 0, 0 },
	{ "ims", "k", KEY_HEX, FIELD(ims_k), 0, 0 },
	{ "ims", "op", KEY_HEX, FIELD(ims_op), 0, 0 },
	{ "ims", "opc", KEY_HEX, FIELD(ims_opc), 0, 0 },
	{ "ims", "amf", KEY_HEX, FIELD(ims_amf), 0, 0 },
	{ "ims", "sqn", KEY_HEX, FIELD(ims_sqn), 0, 0 },
	{ "ims", "expires", KEY_UINT, FIELD(ims_expires), 1, 0x7fffffff },
	{ "ims", "local_address", KEY_ADDRESS, FIELD(ims_local_address), 0, 0 },
	{ "ims", "reg_event_expires", KEY_UINT, FIELD(ims_reg_event_expires), 0, 0x7fffffff },
	{ "ims", "message_cpim", KEY_UINT, FIELD(ims_message_cpim), 0, 1 },
	{ "calls", "ring_timeout", KEY_UINT, FIELD(calls_ring_timeout), 5, 3600 },
	{ "calls", "ice_timeout", KEY_UINT, FIELD(calls_ice_timeout), 5, 300 },
};

#define SCHEMA_LEN (sizeof(schema) / sizeof(schema[0]))
_Static_assert(SCHEMA_LEN <= 128, "widen nwit_config.seen");

static const char *const fastpath_mode_names[] = {
	[FASTPATH_MODE_AUTO] = "auto",
	[FASTPATH_MODE_BPF] = "bpf",
	[FASTPATH_MODE_OFF] = "off",
};

const char *fastpath_mode_name(enum fastpath_mode mode)
{
	if (mode <= FASTPATH_MODE_INVALID || mode > FASTPATH_MODE_OFF)
		return "invalid";
	return fastpath_mode_names[mode];
}

static enum fastpath_mode fastpath_mode_from_name(const char *name)
{
	for (int m = FASTPATH_MODE_AUTO; m <= FASTPATH_MODE_OFF; m++)
		if (strcmp(name, fastpath_mode_names[m]) == 0)
			return (enum fastpath_mode)m;
	return FASTPATH_MODE_INVALID;
}

static const char *const fastpath_aes_names[] = {
	[FASTPATH_AES_FIXED_TIME] = "fixed-time",
	[FASTPATH_AES_GENERIC] = "generic",
	[FASTPATH_AES_BPF] = "bpf",
};

const char *fastpath_aes_name(enum fastpath_aes aes)
{
	if (aes <= FASTPATH_AES_INVALID || aes > FASTPATH_AES_BPF)
		return "invalid";
	return fastpath_aes_names[aes];
}

static enum fastpath_aes fastpath_aes_from_name(const char *name)
{
	for (int a = FASTPATH_AES_FIXED_TIME; a <= FASTPATH_AES_BPF; a++)
		if (strcmp(name, fastpath_aes_names[a]) == 0)
			return (enum fastpath_aes)a;
	return FASTPATH_AES_INVALID;
}

const char *ims_transport_name(enum ims_transport transport)
{
	switch (transport) {
	case IMS_TRANSPORT_UDP:
		return "udp";
	case IMS_TRANSPORT_TCP:
		return "tcp";
	case IMS_TRANSPORT_INVALID:
		break;
	}
	return "invalid";
}

int config_is_set(const struct nwit_config *conf, const char *section, const char *name)
{
	for (size_t i = 0; i < SCHEMA_LEN; i++)
		if (strcmp(schema[i].section, section) == 0 && strcmp(schema[i].name, name) == 0)
			return (conf->seen[i / 64] >> (i % 64)) & 1;
	return 0;
}

int config_split_list(const char *value, char items[][256], int max)
{
	int n = 0;

	while (*value && n < max) {
		size_t len;

		value += strspn(value, ", \t");
		len = strcspn(value, ", \t");
		if (len == 0)
			break;
		if (len > 255)
			len = 255;
		memcpy(items[n], value, len);
		items[n][len] = '\0';
		n++;
		value += strcspn(value, ", \t");
	}
	return n;
}

/* A DNS name: labels of letters, digits and '-', separated by dots. */
static int valid_hostname(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)ch) || ch == '-') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0;
}

static int valid_host(const char *s, size_t len)
{
	char buf[256];
	unsigned char addr[sizeof(struct in6_addr)];

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1 ||
	       valid_hostname(buf, len);
}

static int valid_identity(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '"' || *s == '\\' ||
		    *s == '<' || *s == '>' || *s == ',')
			return 0;
	return 1;
}

/* Check each item of a comma/space list; returns the count or -1 (bad item in *bad). */
static int check_list(const char *value, int uris, int max, const char **bad, size_t *badlen)
{
	int n = 0;

	while (*value) {
		size_t len;

		value += strspn(value, ", \t");
		len = strcspn(value, ", \t");
		if (len == 0)
			break;
		*bad = value;
		*badlen = len;
		if (++n > max)
			return -2;
		if (uris) {
			char buf[256];

			if (len >= sizeof(buf))
				return -1;
			memcpy(buf, value, len);
			buf[len] = '\0';
			if (!valid_identity(buf) || (strncmp(buf, "sip:", 4) != 0 &&
						    strncmp(buf, "sips:", 5) != 0 &&
						    strncmp(buf, "tel:", 4) != 0) ||
			    strlen(buf) < 5)
				return -1;
		} else if (!valid_host(value, len)) {
			return -1;
		}
		value += len;
	}
	return n;
}

void config_set_defaults(struct nwit_config *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->log_level = LOG_LEVEL_INFO;
	snprintf(conf->control_socket, sizeof(conf->control_socket), "/run/nwit/nwitd.sock");
	snprintf(conf->state_dir, sizeof(conf->state_dir), "/var/lib/nwit");
	snprintf(conf->http_address, sizeof(conf->http_address), "127.0.0.1");
	conf->http_port = 8461;
	snprintf(conf->app_jwks_file, sizeof(conf->app_jwks_file), "/etc/nwit/operator-jwks.json");
	snprintf(conf->app_audience, sizeof(conf->app_audience), "nwit-device");
	conf->app_max_message_size = 65536;
	conf->app_max_connections = 64;
	conf->app_auth_timeout = 10;
	conf->app_max_token_lifetime = 86400;
	conf->app_max_unauthorized = 16;
	conf->app_max_per_address = 8;
	conf->app_http_timeout = 10;
	conf->fastpath_mode = FASTPATH_MODE_AUTO;
	conf->fastpath_aes = FASTPATH_AES_FIXED_TIME;
	snprintf(conf->bpf_object_dir, sizeof(conf->bpf_object_dir), "%s", NWIT_BPF_DIR);
	snprintf(conf->pin_path, sizeof(conf->pin_path), "/sys/fs/bpf/nwit");
	conf->ims_pcscf_port = 5060;
	conf->ims_transport = IMS_TRANSPORT_UDP;
	conf->ims_expires = 600000;	/* TS 24.229 5.1.1.2.1 */
	conf->ims_reg_event_expires = 600000;	/* TS 24.229 5.1.1.3 */
	conf->calls_ring_timeout = 120;
	conf->calls_ice_timeout = 30;
}

struct parse_state {
	struct nwit_config *conf;
	char reason[CONFIG_ERR_MAX];	/* reason of the first error */
};

static int fail(struct parse_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parse_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->reason[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
		va_end(ap);
	}
	return 0; /* inih: this line is an error */
}

static int set_string(struct parse_state *st, const struct key_desc *k, const char *value,
		      char *dst)
{
	size_t len = strlen(value);

	if (len >= k->size)
		return fail(st, "[%s] %s: value longer than %zu characters", k->section,
			    k->name, k->size - 1);
	memcpy(dst, value, len + 1);
	return 1;
}

static int set_value(struct parse_state *st, const struct key_desc *k, const char *value)
{
	char *field = (char *)st->conf + k->offset;

	if (value[0] == '\0')
		return fail(st, "[%s] %s: empty value", k->section, k->name);
	switch (k->type) {
	case KEY_STRING:
		return set_string(st, k, value, field);
	case KEY_PATH:
		if (value[0] != '/')
			return fail(st, "[%s] %s: '%s' is not an absolute path", k->section,
				    k->name, value);
		return set_string(st, k, value, field);
	case KEY_ADDRESS: {
		unsigned char buf[sizeof(struct in6_addr)];

		if (inet_pton(AF_INET, value, buf) != 1 && inet_pton(AF_INET6, value, buf) != 1)
			return fail(st, "[%s] %s: '%s' is not an IPv4 or IPv6 address",
				    k->section, k->name, value);
		return set_string(st, k, value, field);
	}
	case KEY_UINT: {
		unsigned long v;
		char *end;

		errno = 0;
		if (value[0] < '0' || value[0] > '9')
			return fail(st, "[%s] %s: '%s' is not a number", k->section, k->name,
				    value);
		v = strtoul(value, &end, 10);
		if (errno || *end != '\0')
			return fail(st, "[%s] %s: '%s' is not a number", k->section, k->name,
				    value);
		if (v < k->min || v > k->max)
			return fail(st, "[%s] %s: %lu is out of range %lu..%lu", k->section,
				    k->name, v, k->min, k->max);
		*(uint32_t *)(void *)field = (uint32_t)v;
		return 1;
	}
	case KEY_LOG_LEVEL: {
		enum log_level level = log_level_from_name(value);

		if (level == LOG_LEVEL_INVALID)
			return fail(st, "[%s] %s: '%s' is not one of warn, info, debug",
				    k->section, k->name, value);
		*(enum log_level *)(void *)field = level;
		return 1;
	}
	case KEY_FASTPATH_MODE: {
		enum fastpath_mode mode = fastpath_mode_from_name(value);

		if (mode == FASTPATH_MODE_INVALID)
			return fail(st, "[%s] %s: '%s' is not one of auto, bpf, off",
				    k->section, k->name, value);
		*(enum fastpath_mode *)(void *)field = mode;
		return 1;
	}
	case KEY_FASTPATH_AES: {
		enum fastpath_aes aes = fastpath_aes_from_name(value);

		if (aes == FASTPATH_AES_INVALID)
			return fail(st, "[%s] %s: '%s' is not one of fixed-time, generic, bpf",
				    k->section, k->name, value);
		*(enum fastpath_aes *)(void *)field = aes;
		return 1;
	}
	case KEY_HOST_LIST:
	case KEY_URI_LIST: {
		const char *bad = value;
		size_t badlen = 0;
		int uris = k->type == KEY_URI_LIST;
		int max = uris ? IMS_IMPU_MAX : IMS_PCSCF_MAX;
		int n = check_list(value, uris, max, &bad, &badlen);

		if (n == -2)
			return fail(st, "[%s] %s: more than %d entries", k->section, k->name, max);
		if (n < 0)
			return fail(st, "[%s] %s: '%.*s' is not %s", k->section, k->name,
				    (int)(badlen > 80 ? 80 : badlen), bad,
				    uris ? "a sip:, sips: or tel: URI" :
					   "a host name or an IPv4 or IPv6 address");
		if (n == 0)
			return fail(st, "[%s] %s: empty list", k->section, k->name);
		return set_string(st, k, value, field);
	}
	case KEY_HOSTNAME:
		if (!valid_hostname(value, strlen(value)))
			return fail(st, "[%s] %s: '%s' is not a domain name", k->section, k->name,
				    value);
		return set_string(st, k, value, field);
	case KEY_IDENTITY:
		if (!valid_identity(value))
			return fail(st, "[%s] %s: '%s' has spaces, quotes or control characters",
				    k->section, k->name, value);
		return set_string(st, k, value, field);
	case KEY_SECRET:
		for (const char *p = value; *p; p++)
			if ((unsigned char)*p < ' ' || *p == 0x7f)
				return fail(st, "[%s] %s: control characters in the value",
					    k->section, k->name);
		return set_string(st, k, value, field);
	case KEY_HEX:
		if (hex_decode(value, (uint8_t *)field, k->size) < 0)
			return fail(st, "[%s] %s: expected %zu hex digits (%zu bytes)", k->section,
				    k->name, 2 * k->size, k->size);
		return 1;
	case KEY_TRANSPORT:
		if (strcmp(value, "udp") == 0)
			*(enum ims_transport *)(void *)field = IMS_TRANSPORT_UDP;
		else if (strcmp(value, "tcp") == 0)
			*(enum ims_transport *)(void *)field = IMS_TRANSPORT_TCP;
		else
			return fail(st, "[%s] %s: '%s' is not one of udp, tcp", k->section,
				    k->name, value);
		return 1;
	case KEY_INVALID:
		break;
	}
	return fail(st, "[%s] %s: internal error: no type", k->section, k->name);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	int known_section = 0;

	for (size_t i = 0; i < SCHEMA_LEN; i++) {
		const struct key_desc *k = &schema[i];

		if (strcmp(k->section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(k->name, name) != 0)
			continue;
		if (st->conf->seen[i / 64] & (1ULL << (i % 64)))
			return fail(st, "[%s] %s: set twice", section, name);
		st->conf->seen[i / 64] |= 1ULL << (i % 64);
		return set_value(st, k, value);
	}
	if (section[0] == '\0')
		return fail(st, "'%s' appears before any [section]", name);
	if (!known_section)
		return fail(st, "unknown section [%s]", section);
	return fail(st, "unknown key '%s' in section [%s]", name, section);
}

static int finish(const char *name, int rc, struct parse_state *st, char *err, size_t errlen)
{
	if (rc == 0)
		return 0;
	if (rc < 0)
		snprintf(err, errlen, "%s: out of memory while parsing", name);
	else if (st->reason[0] != '\0')
		snprintf(err, errlen, "%s:%d: %s", name, rc, st->reason);
	else
		snprintf(err, errlen, "%s:%d: syntax error: expected '[section]' or 'name = value'",
			 name, rc);
	return -1;
}

/* [ims] as a whole: everything needed to register, and one kind of credential. */
static int check_ims(const char *name, const struct nwit_config *conf, char *err, size_t errlen)
{
	static const char *const needed[] = { "pcscf", "home_domain", "impi", "impu" };
	static const char *const isim_only[] = { "op", "opc", "amf", "sqn" };
	int any = 0, has_k, has_pw;

	for (size_t i = 0; i < SCHEMA_LEN; i++)
		if (strcmp(schema[i].section, "ims") == 0 && config_is_set(conf, "ims", schema[i].name))
			any = 1;
	if (!any)
		return 0;
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!config_is_set(conf, "ims", needed[i])) {
			snprintf(err, errlen, "%s: [ims] %s: missing (needed to register)", name,
				 needed[i]);
			return -1;
		}
	has_k = config_is_set(conf, "ims", "k");
	has_pw = config_is_set(conf, "ims", "password");
	if (has_k == has_pw) {
		snprintf(err, errlen, "%s: [ims]: set either password (Digest) or k with op or "
			 "opc (IMS-AKA), %s", name, has_k ? "not both" : "none is set");
		return -1;
	}
	if (!has_k) {
		for (size_t i = 0; i < sizeof(isim_only) / sizeof(isim_only[0]); i++)
			if (config_is_set(conf, "ims", isim_only[i])) {
				snprintf(err, errlen, "%s: [ims] %s: only used with k (IMS-AKA)",
					 name, isim_only[i]);
				return -1;
			}
		return 0;
	}
	if (config_is_set(conf, "ims", "op") == config_is_set(conf, "ims", "opc")) {
		snprintf(err, errlen, "%s: [ims]: with k, set exactly one of op and opc", name);
		return -1;
	}
	return 0;
}

/* [app]: HTTPS needs its certificate and key, on a port of its own. */
static int check_app(const char *name, const struct nwit_config *conf, char *err,
		     size_t errlen)
{
	if (!conf->app_https_port)
		return 0;
	if (!conf->app_tls_certificate[0] || !conf->app_tls_key[0]) {
		snprintf(err, errlen, "%s: [app] https_port needs tls_certificate and tls_key",
			 name);
		return -1;
	}
	if (conf->app_https_port == conf->http_port) {
		snprintf(err, errlen, "%s: [app] https_port must differ from http_port", name);
		return -1;
	}
	return 0;
}

static int check_whole(const char *name, struct nwit_config *conf, char *err, size_t errlen)
{
	struct sockaddr_un sun;

	if (strlen(conf->control_socket) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: [general] control_socket: longer than %zu characters",
			 name, sizeof(sun.sun_path) - 1);
		return -1;
	}
	if (check_app(name, conf, err, errlen) < 0)
		return -1;
	return check_ims(name, conf, err, errlen);
}

/*
 * inih silently cuts lines longer than its buffer and parses the rest as a new line;
 * refuse such lines (and NUL bytes) before inih sees them.
 */
static int check_lines(const char *name, const char *text, size_t len, char *err,
		       size_t errlen)
{
	size_t line = 1, col = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\0') {
			snprintf(err, errlen, "%s:%zu: NUL byte in the file", name, line);
			return -1;
		}
		if (text[i] == '\n') {
			line++;
			col = 0;
		} else if (++col > CONFIG_MAX_LINE) {
			snprintf(err, errlen, "%s:%zu: line longer than %d characters", name, line,
				 CONFIG_MAX_LINE);
			return -1;
		}
	}
	return 0;
}

static int parse_text(const char *name, const char *text, size_t len,
		      struct nwit_config *conf, char *err, size_t errlen)
{
	struct parse_state st = { .conf = conf };
	int rc;

	if (check_lines(name, text, len, err, errlen) < 0)
		return -1;
	/* Debian's inih takes its options at run time. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = CONFIG_MAX_LINE + 3;
	ini_allow_multiline = false;
	rc = ini_parse_string(text, on_key, &st);
	if (finish(name, rc, &st, err, errlen) < 0)
		return -1;
	return check_whole(name, conf, err, errlen);
}

int config_has_secrets(const struct nwit_config *conf)
{
	return config_is_set(conf, "ims", "password") || config_is_set(conf, "ims", "k") ||
	       config_is_set(conf, "ims", "op") || config_is_set(conf, "ims", "opc");
}

int config_load_string(const char *name, const char *text, struct nwit_config *conf,
		       char *err, size_t errlen)
{
	return parse_text(name, text, strlen(text), conf, err, errlen);
}

int config_load_file(const char *path, struct nwit_config *conf, char *err, size_t errlen)
{
	size_t cap = CONFIG_MAX_FILE + 1, len;
	struct stat st;
	char *text;
	FILE *f;
	int rc;

	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0) {
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	text = malloc(cap + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory while reading", path);
		return -1;
	}
	len = fread(text, 1, cap, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = -1;
	} else if (len > CONFIG_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, CONFIG_MAX_FILE);
		rc = -1;
	} else {
		text[len] = '\0';
		rc = parse_text(path, text, len, conf, err, errlen);
		if (rc == 0 && config_has_secrets(conf))
			rc = config_check_private(path, &st, err, errlen);
	}
	fclose(f);
	free(text);
	return rc;
}
