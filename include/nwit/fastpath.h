/*
 * The kernel/user ABI of the nwit fast path: map names, pin path, counters.
 * Shared by bpf/ and userspace/; plain fixed-width types and explicit padding only.
 * Zero is never a valid value in an enum.
 */
#ifndef NWIT_FASTPATH_H
#define NWIT_FASTPATH_H

#ifdef __BPF__
/* vmlinux.h provides __u8 ... __u64 */
#else
#include <linux/bpf.h>	/* struct bpf_spin_lock */
#include <linux/types.h>
#endif

#define NWIT_PIN_PATH_DEFAULT "/sys/fs/bpf/nwit"

/* How a received UDP datagram was classified (RFC 7983 first-byte demux). */
enum nwit_pkt_class {
	NWIT_CLASS_INVALID = 0,
	NWIT_CLASS_NOT_UDP,	/* not IPv4/IPv6 UDP: left to the stack */
	NWIT_CLASS_STUN,	/* first byte 0..3 */
	NWIT_CLASS_ZRTP,	/* 16..19 */
	NWIT_CLASS_DTLS,	/* 20..63 */
	NWIT_CLASS_TURN,	/* 64..79 */
	NWIT_CLASS_RTP_RTCP,	/* 128..191 */
	NWIT_CLASS_UNKNOWN,	/* anything else */
	NWIT_CLASS_MALFORMED,	/* truncated headers */
	NWIT_CLASS__COUNT,
};

/* One slot of the per-CPU "nwit_class_stats" array, indexed by enum nwit_pkt_class. */
struct nwit_class_stat {
	__u64 packets;
	__u64 bytes;
};

/* Value of the "nwit_devices" hash map, keyed by ifindex (__u32); set by the controller. */
enum nwit_dev_flags {
	NWIT_DEV_RAW_IP = 1 << 0,	/* no L2 header: TUN, rmnet-style LTE devices */
	NWIT_DEV_ATTACHED_XDP = 1 << 1,	/* the controller attached nwit_xdp here */
	NWIT_DEV_ATTACHED_TC = 1 << 2,	/* ... nwit_tc at clsact ingress */
};

struct nwit_dev_info {
	__u32 flags;	/* enum nwit_dev_flags */
	__u32 pad;
};

#define NWIT_MAX_DEVICES 64

/* ------------------------------------------------------------------------------------
 * Flows: media forwarded and translated in the kernel.
 *
 * A flow is one ingress 5-tuple (map "nwit_flows", key struct nwit_flow_key, value struct
 * nwit_flow). Its SRTP crypto contexts are per SSRC (map "nwit_srtp", key struct
 * nwit_ssrc_key, value struct nwit_srtp_ctx); the AES session keys never sit in a map the
 * controller reads: they are handed to the SEC("syscall") program "nwit_crypto_setup"
 * (struct nwit_crypto_setup_args), which, per the AES implementation asked for, creates
 * bpf_crypto ecb() contexts (kept as kptrs, out of reach of map lookups) or expands the
 * keys for the AES written in BPF, in the BPF-private map "nwit_aes" under the same key.
 * ------------------------------------------------------------------------------------ */

/* Map names, pinned under the pin path (NWIT_PIN_PATH_DEFAULT unless configured). */
#define NWIT_MAP_FLOWS "nwit_flows"
#define NWIT_MAP_SRTP "nwit_srtp"
#define NWIT_MAP_AES "nwit_aes"
#define NWIT_MAP_FLOW_STATS "nwit_flow_stats"
#define NWIT_MAP_DROP_STATS "nwit_drop_stats"
#define NWIT_MAP_CLASS_STATS "nwit_class_stats"
#define NWIT_MAP_DEVICES "nwit_devices"
#define NWIT_MAP_TX_PORTS "nwit_tx_ports"
#define NWIT_MAP_BUNDLE "nwit_bundle"

#define NWIT_MAX_FLOWS 4096		/* flow ids are 1 .. NWIT_MAX_FLOWS - 1 */
#define NWIT_MAX_SSRCS 8192
/* Largest UDP payload the kernel transforms; bigger packets are dropped and counted. */
#define NWIT_MAX_PAYLOAD 1500

enum nwit_family {
	NWIT_FAMILY_INVALID = 0,
	NWIT_FAMILY_IPV4,
	NWIT_FAMILY_IPV6,
};

/* Ingress 5-tuple (UDP only). IPv4 addresses use the first 4 bytes, the rest is zero. */
struct nwit_flow_key {
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;
	__be16 dport;
	__u8 family;		/* enum nwit_family */
	__u8 pad[3];
};

enum nwit_flow_action {
	NWIT_ACTION_INVALID = 0,
	NWIT_ACTION_SRTP_TO_RTP,	/* unprotect SRTP/SRTCP, forward RTP/RTCP */
	NWIT_ACTION_RTP_TO_SRTP,	/* protect RTP/RTCP, forward SRTP/SRTCP */
	NWIT_ACTION_FORWARD,		/* rewrite and forward, no crypto */
};

enum nwit_flow_flags {
	NWIT_FLOW_EGRESS_L2 = 1 << 0,	/* egress device carries Ethernet (else raw IP) */
	NWIT_FLOW_SET_DSCP = 1 << 1,	/* write dscp into the IP header */
	NWIT_FLOW_STRIP_EXT = 1 << 2,	/* SRTP->RTP: remove the RTP header extension */
	/*
	 * Handled by the TC program even where XDP is attached: XDP cannot transmit to
	 * the egress (an XDP redirect into a TUN device is dropped), so XDP passes it on.
	 */
	NWIT_FLOW_TC_ONLY = 1 << 3,
	/*
	 * BUNDLE (RFC 8843): several streams share this 5-tuple and each SSRC takes its own
	 * flow from "nwit_bundle" (below); of this entry only flow_id, flags and
	 * out_family are used.
	 */
	NWIT_FLOW_BUNDLE = 1 << 4,
	/*
	 * RTCP (RFC 5761 demux) on this flow goes to the stack untouched: the egress side
	 * takes RTCP on a port of its own (RTP/AVP without rtcp-mux), which the flow's one
	 * destination port cannot express; the controller relays it.
	 */
	NWIT_FLOW_RTCP_TO_STACK = 1 << 5,
};

/* pt_map[pt] = NWIT_PT_MAPPED | new_pt rewrites payload type pt; 0 keeps it. */
#define NWIT_PT_MAPPED 0x80

struct nwit_flow {
	__u32 flow_id;		/* 1 .. NWIT_MAX_FLOWS - 1: stats slot, SSRC context key */
	__u8 action;		/* enum nwit_flow_action */
	__u8 flags;		/* enum nwit_flow_flags */
	__u8 dscp;		/* 0..63, used with NWIT_FLOW_SET_DSCP */
	__u8 out_family;	/* enum nwit_family; must equal the ingress family */
	/* Rewritten addresses and ports (network order); all-zero keeps the field. */
	__u8 out_src[16];
	__u8 out_dst[16];
	__be16 out_sport;
	__be16 out_dport;
	/* Egress device; 0 hands the rewritten packet to the stack (XDP_PASS/TC_ACT_OK). */
	__u32 out_ifindex;
	__u8 pt_map[128];
};

struct nwit_ssrc_key {
	__u32 flow_id;
	__be32 ssrc;
};

/*
 * Map "nwit_bundle" (hash, NWIT_MAX_SSRCS entries): for a flow with NWIT_FLOW_BUNDLE,
 * key {that flow's flow_id, SSRC} -> the flow a packet of that SSRC takes (its RTP SSRC,
 * or an RTCP packet's sender SSRC). The value is a whole struct nwit_flow with its own
 * flow_id: its stats slot and the key of its SRTP contexts; it must not be bundled
 * itself. Packets of an SSRC without an entry go to the stack (counted in to_stack of
 * the bundled flow), where the controller learns the new stream.
 */

enum nwit_srtp_profile {
	NWIT_SRTP_INVALID = 0,
	NWIT_SRTP_AES_CM_128_HMAC_SHA1_80,
	NWIT_SRTP_AES_CM_128_HMAC_SHA1_32,	/* 32-bit SRTP tag; SRTCP keeps 80 bits */
};

/*
 * Keying of one of SRTP / SRTCP: the session salt and the HMAC-SHA1 states after the
 * first block of (auth_key ^ ipad) and (auth_key ^ opad), computed by the controller,
 * as five host-order words each.
 */
struct nwit_srtp_keying {
	__u8 salt[14];
	__u8 pad[2];
	__u32 ipad_state[5];
	__u32 opad_state[5];
};

enum nwit_srtp_ctx_flags {
	NWIT_SRTP_SEEN = 1 << 0,	/* an SRTP packet was accepted/sent: index is valid */
	NWIT_SRTCP_SEEN = 1 << 1,	/* same for SRTCP */
};

/*
 * One SSRC in one direction. The controller writes keying, profile and the initial roc;
 * the programs keep the rest. index/window form a 64-packet window (bit i: index - i was
 * accepted): unprotect refuses replays with it, protect refuses to use an index twice
 * (that would reuse keystream).
 */
struct nwit_srtp_ctx {
	struct nwit_srtp_keying rtp;
	struct nwit_srtp_keying rtcp;
	__u8 profile;		/* enum nwit_srtp_profile */
	__u8 flags;		/* enum nwit_srtp_ctx_flags */
	__u8 pad[2];
	__u32 roc;		/* initial ROC until the first packet, then unused */
	__u64 index;		/* highest SRTP index (ROC << 16 | SEQ) */
	__u64 window;
	__u32 srtcp_index;	/* highest SRTCP index received / last sent */
	__u32 pad2;
	__u64 srtcp_window;
	/* taken by the programs around window updates; the controller never sets it */
	struct bpf_spin_lock lock;
	__u32 pad3;
};

/*
 * How the fast path runs AES for one SSRC (chosen per SSRC at nwit_crypto_setup).
 * FIXED_TIME and GENERIC need the bpf_crypto kfuncs (kernel >= 6.10); BPF needs nothing.
 * Only FIXED_TIME is constant-time; GENERIC and BPF look up tables indexed by key-dependent
 * bytes, which leaks through the CPU caches to code sharing them (docs/fastpath.md).
 */
enum nwit_aes_impl {
	NWIT_AES_INVALID = 0,
	NWIT_AES_FIXED_TIME,	/* bpf_crypto "ecb(aes)": the kernel's aes-fixed-time */
	NWIT_AES_GENERIC,	/* bpf_crypto "ecb(aes-generic)": table-based, in the kernel */
	NWIT_AES_BPF,		/* AES-128 written in BPF (T-tables in .rodata) */
	NWIT_AES__COUNT,
};

/* ctx_in of the SEC("syscall") program nwit_crypto_setup; err is written back. */
struct nwit_crypto_setup_args {
	struct nwit_ssrc_key key;
	__u8 rtp_key[16];	/* SRTP session encryption key */
	__u8 rtcp_key[16];	/* SRTCP session encryption key */
	__s32 err;		/* 0 or -errno (-EOPNOTSUPP: that AES is not in this object) */
	__u32 aes;		/* enum nwit_aes_impl */
};

/* Per-CPU, per flow ("nwit_flow_stats", array indexed by flow_id). */
struct nwit_flow_stat {
	__u64 packets;		/* forwarded */
	__u64 bytes;		/* forwarded, as sent */
	__u64 dropped;
	__u64 to_stack;		/* handed to the stack (no egress, no neighbour, new SSRC) */
	/* of to_stack: RTP/RTCP of an SSRC without a context, left for the relay */
	__u64 unknown_ssrc;
};

/* Why the fast path dropped a packet ("nwit_drop_stats", per-CPU array by reason). */
enum nwit_drop_reason {
	NWIT_DROP_INVALID = 0,
	NWIT_DROP_MALFORMED,	/* RTP/RTCP header or lengths do not parse */
	/*
	 * Not counted any more: a packet of an SSRC without a context goes to the stack
	 * (nwit_flow_stat.unknown_ssrc), so that the relay carries a peer's new SSRC.
	 */
	NWIT_DROP_UNKNOWN_SSRC,
	NWIT_DROP_AUTH_FAIL,	/* authentication tag mismatch */
	NWIT_DROP_REPLAY,	/* index already seen or older than the window */
	NWIT_DROP_NO_CRYPTO,	/* context without an AES key in the kernel */
	NWIT_DROP_CRYPTO_ERROR,	/* bpf_crypto_encrypt failed */
	NWIT_DROP_TOO_BIG,	/* payload over NWIT_MAX_PAYLOAD */
	NWIT_DROP_NO_ROUTE,	/* FIB lookup found no route */
	NWIT_DROP_RESIZE,	/* the packet could not be grown or shrunk */
	NWIT_DROP_BAD_FLOW,	/* flow entry inconsistent (family, action) */
	NWIT_DROP__COUNT,
};

struct nwit_drop_stat {
	__u64 packets;
	__u64 bytes;
};

#endif
