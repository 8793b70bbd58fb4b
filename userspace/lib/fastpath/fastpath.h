/*
 * The fast path controller's view of the kernel: load the BPF object, pin its maps by
 * name under a pin path (re-adopting the maps a previous run pinned, so forwarding and
 * flows survive a restart), attach to devices (XDP native or generic, TC clsact
 * ingress), and manage flows, SSRC crypto contexts and counters.
 */
#ifndef NWIT_FASTPATH_H_USER
#define NWIT_FASTPATH_H_USER

#include <stdint.h>

#include <jansson.h>

#include "nwit/fastpath.h"
#include "srtp/srtp_kdf.h"

struct fastpath;

enum fastpath_hook {
	FASTPATH_HOOK_INVALID = 0,
	FASTPATH_HOOK_XDP,	/* native XDP, generic XDP where native is refused */
	FASTPATH_HOOK_TC,	/* TC clsact ingress */
};

/*
 * Mount bpffs when missing, load the programs, pin the maps under pin_path (reusing
 * pinned ones). The programs with the bpf_crypto kfuncs (kernel >= 6.10) are tried
 * first, then those without (AES in BPF only). SRTP contexts get the AES aes when it
 * can be set up; otherwise SRTP flows are left to the relay (fastpath_crypto_available()
 * is 0, fastpath_aes_unavailable() says why). Returns 0 or -errno (the reason is logged).
 */
int fastpath_open(const char *pin_path, enum nwit_aes_impl aes, struct fastpath **out);
/* Free the userspace side; programs stay attached and maps stay pinned. */
void fastpath_close(struct fastpath *fp);

/* 1 when maps were found pinned from an earlier run. */
int fastpath_adopted(const struct fastpath *fp);
/* 1 when SRTP flows can be handled in the kernel (the AES asked for can be set up). */
int fastpath_crypto_available(const struct fastpath *fp);
/* The AES SRTP contexts get; NWIT_AES_INVALID when SRTP is relayed. */
enum nwit_aes_impl fastpath_aes(const struct fastpath *fp);
/* Why the AES asked for cannot be used, or NULL. */
const char *fastpath_aes_unavailable(const struct fastpath *fp);
/* 1 when the programs with the bpf_crypto kfuncs are loaded (0: nwit_fastpath_plain). */
int fastpath_has_bpf_crypto(const struct fastpath *fp);

/*
 * Attach the entry point of hook on ifindex (replacing an earlier nwit program) and
 * record whether the device carries raw IP (no Ethernet header). Returns 0 or -errno.
 */
int fastpath_attach(struct fastpath *fp, unsigned int ifindex, enum fastpath_hook hook);
/* Re-attach this run's programs on every device a previous run attached. */
int fastpath_reattach_all(struct fastpath *fp);
int fastpath_detach(struct fastpath *fp, unsigned int ifindex);
/* 1 when the device has no link-layer header (TUN, rmnet-style); 0; or -errno. */
int fastpath_device_is_raw_ip(unsigned int ifindex);

/* Add or replace a flow; an egress device is entered in the XDP devmap. */
int fastpath_flow_add(struct fastpath *fp, const struct nwit_flow_key *key,
		      const struct nwit_flow *flow);
/*
 * The flow that packets of ssrc take on bundled flow bundle_id (one with
 * NWIT_FLOW_BUNDLE): flow has its own flow_id (stats, SRTP contexts) and must not be
 * bundled. Returns 0 or -errno.
 */
int fastpath_bundle_add(struct fastpath *fp, uint32_t bundle_id, uint32_t ssrc,
			const struct nwit_flow *flow);
/*
 * Remove a flow and its SSRC contexts: a flow of nwit_flows (with the bundle entries of
 * a bundled one) or a flow reached through nwit_bundle. -ENOENT when there is none.
 */
int fastpath_flow_del(struct fastpath *fp, uint32_t flow_id);

/*
 * SRTP context of ssrc on flow_id from a master key and salt (RFC 3711 KDF, kdr 0), with
 * the fast path's AES; -EOPNOTSUPP when it has none. roc: initial rollover counter.
 */
int fastpath_ssrc_add(struct fastpath *fp, uint32_t flow_id, uint32_t ssrc,
		      enum nwit_srtp_profile profile,
		      const uint8_t master_key[SRTP_KDF_MASTER_KEY_LEN],
		      const uint8_t master_salt[SRTP_KDF_MASTER_SALT_LEN], uint32_t roc);

/* Per-CPU counters summed. */
int fastpath_flow_stats(struct fastpath *fp, uint32_t flow_id, struct nwit_flow_stat *out);
int fastpath_drop_stats(struct fastpath *fp, uint64_t packets[NWIT_DROP__COUNT]);

const char *fastpath_drop_reason_name(enum nwit_drop_reason r);
const char *fastpath_class_name(enum nwit_pkt_class c);
const char *fastpath_action_name(enum nwit_flow_action a);

/* [{flow...}, ...] with counters; flow_id 0 = all flows. */
json_t *fastpath_flows_json(struct fastpath *fp, uint32_t flow_id);
/* {"drops": {reason: n}, "classes": {class: n}} */
json_t *fastpath_stats_json(struct fastpath *fp);

#endif
