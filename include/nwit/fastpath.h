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
};

struct nwit_dev_info {
	__u32 flags;	/* enum nwit_dev_flags */
	__u32 pad;
};

#define NWIT_MAX_DEVICES 64

#endif
