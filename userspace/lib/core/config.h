/*
 * nwit.conf: an INI-style file (see nwit.conf.5) parsed with inih.
 * Every key is described once in a schema table (config.c); unknown sections,
 * unknown keys, duplicates and bad values are errors reported as FILE:LINE: reason.
 */
#ifndef NWIT_CONFIG_H
#define NWIT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/log.h"

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

/*
 * [fastpath] aes: how the kernel fast path runs AES for SRTP (docs/fastpath.md). The
 * values are those of enum nwit_aes_impl (include/nwit/fastpath.h).
 */
enum fastpath_aes {
	FASTPATH_AES_INVALID = 0,
	FASTPATH_AES_FIXED_TIME,	/* bpf_crypto ecb(aes): constant-time; the default */
	FASTPATH_AES_GENERIC,		/* bpf_crypto ecb(aes-generic): table-based */
	FASTPATH_AES_BPF,		/* AES-128 in BPF: table-based, needs no bpf_crypto */
};

enum ims_transport {
	IMS_TRANSPORT_INVALID = 0,
	IMS_TRANSPORT_UDP,
	IMS_TRANSPORT_TCP,
};

#define IMS_PCSCF_MAX 4		/* addresses in [ims] pcscf */
#define IMS_IMPU_MAX 4		/* URIs in [ims] impu */

struct nwit_config {
	/* [general] */
	enum log_level log_level;
	char control_socket[CONFIG_PATH_MAX];
	char state_dir[CONFIG_PATH_MAX];

	/* [app] */
	char http_address[64];
	uint32_t http_port;
	char app_jwks_file[CONFIG_PATH_MAX];	/* operator public keys (JWK set) */
	char app_revocation_file[CONFIG_PATH_MAX];	/* revoked token ids; "" = none */
	char app_token_issuer[128];	/* required "iss"; "" = not checked */
	char app_audience[128];		/* this device, the tokens' "aud" */
	uint32_t app_max_message_size;	/* bytes of one WebSocket message */
	uint32_t app_max_connections;
	uint32_t app_auth_timeout;	/* s for a WebSocket to present a valid token */
	uint32_t app_https_port;	/* 0: no HTTPS/WSS listener */
	char app_tls_certificate[CONFIG_PATH_MAX];	/* PEM chain for https_port */
	char app_tls_key[CONFIG_PATH_MAX];
	uint32_t app_max_token_lifetime;	/* s: longest exp - iat of a token accepted */
	uint32_t app_max_unauthorized;	/* WebSockets without a valid token at once */
	uint32_t app_max_per_address;	/* unanswered HTTP + unauthorized WebSockets per IP */
	uint32_t app_http_timeout;	/* s for a request's headers and body to arrive */
	char app_pna_origins[512];	/* origins given Access-Control-Allow-Private-Network */

	/* [fastpath] */
	enum fastpath_mode fastpath_mode;
	enum fastpath_aes fastpath_aes;
	char bpf_object_dir[CONFIG_PATH_MAX];
	char pin_path[CONFIG_PATH_MAX];

	/* [ims] (active when pcscf is set; see nwit.conf.5) */
	char ims_pcscf[256];		/* hosts or addresses, comma or space separated */
	uint32_t ims_pcscf_port;
	enum ims_transport ims_transport;
	char ims_home_domain[128];
	char ims_impi[128];
	char ims_impu[512];		/* SIP or tel URIs, comma or space separated */
	char ims_password[128];		/* Digest password, or ... */
	uint8_t ims_k[16];		/* ... a software ISIM: K, OP or OPc, AMF */
	uint8_t ims_op[16];
	uint8_t ims_opc[16];
	uint8_t ims_amf[2];
	uint8_t ims_sqn[6];		/* initial highest accepted SQN (state file wins) */
	uint32_t ims_expires;
	char ims_local_address[64];
	uint32_t ims_reg_event_expires;	/* reg event SUBSCRIBE expiry; 0 = do not subscribe */
	uint32_t ims_message_cpim;	/* 1: pager-mode text goes to IMS as message/cpim */

	/* [calls] */
	uint32_t calls_ring_timeout;	/* s a call may ring before it is given up */
	uint32_t calls_ice_timeout;	/* s after the answer for the browser's first STUN check */

	/* bookkeeping: which keys were set, by schema index */
	uint64_t seen[2];
};

void config_set_defaults(struct nwit_config *conf);

/* Load path over the defaults. On error returns -1 and writes "path:line: reason" to err. */
int config_load_file(const char *path, struct nwit_config *conf, char *err, size_t errlen);

/* Whether conf holds IMS secrets ([ims] password, k, op, opc). */
int config_has_secrets(const struct nwit_config *conf);

/*
 * For a file with secrets (config_perms.c): -1 with a message when st (the opened file)
 * is readable by users other than its owner through the directories of path.
 */
struct stat;
int config_check_private(const char *path, const struct stat *st, char *err, size_t errlen);

/* Same from a string (name is used in messages only). */
int config_load_string(const char *name, const char *text, struct nwit_config *conf,
		       char *err, size_t errlen);

const char *fastpath_mode_name(enum fastpath_mode mode);
/* "fixed-time", "generic", "bpf"; "invalid" for anything else. */
const char *fastpath_aes_name(enum fastpath_aes aes);
const char *ims_transport_name(enum ims_transport transport);

/* Was [section] name set in the file (as opposed to left at its default)? */
int config_is_set(const struct nwit_config *conf, const char *section, const char *name);

/*
 * Split a comma/space separated list value (ims_pcscf, ims_impu) into at most max items
 * of size itemlen each. Returns the count.
 */
int config_split_list(const char *value, char items[][256], int max);

#endif
