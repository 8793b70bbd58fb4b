/*
 * A call's media in the BPF fast path: one kernel flow per direction of RTP and stream
 * (the browser's streams share one bundled 5-tuple flow that picks them by SSRC), programmed
 * once the userspace relay has seen the first packet of that direction (its SSRC) and
 * the DTLS keys are known. From then on the kernel rewrites and (un)protects the packets
 * and redirects them out of the other side's device; they no longer reach nwitd.
 * STUN, DTLS and RTCP (from either side: the IMS side's RTCP port is not the RTP
 * flow's) stay in userspace.
 */
#ifndef NWITD_MEDIA_FASTPATH_H
#define NWITD_MEDIA_FASTPATH_H

#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "nwit/fastpath.h"
#include "srtp/srtp_kdf.h"

struct fastpath;

struct media_fp_dir {
	enum nwit_flow_action action;	/* SRTP_TO_RTP (from the browser) or RTP_TO_SRTP */
	struct sockaddr_storage src, dst;	/* as received */
	struct sockaddr_storage out_src, out_dst;	/* as sent */
	const uint8_t *pt_map;		/* 128 entries, NWIT_PT_MAPPED | pt or 0 */
	int strip_ext;
	int rtcp_to_stack;		/* RTCP left to the relay (NWIT_FLOW_RTCP_TO_STACK) */
	uint32_t ssrc;
	const uint8_t *key, *salt;	/* SRTP master key of that SSRC */
};

/*
 * Program one direction; *flow_id receives the kernel flow id. Returns 0 or -errno with a
 * reason in err (no device for an address, map full, no bpf_crypto).
 */
int media_fp_add(struct fastpath *fp, const struct media_fp_dir *d, uint32_t *flow_id,
		 char *err, size_t errlen);
/*
 * Program one stream of the browser's bundled 5-tuple: on the first call (*bundle_id 0)
 * the 5-tuple's flow is made with NWIT_FLOW_BUNDLE; then d's SSRC gets its own flow
 * (*flow_id) under it. Returns 0 or -errno with a reason in err.
 */
int media_fp_bundle_add(struct fastpath *fp, const struct media_fp_dir *d, uint32_t *bundle_id,
			uint32_t *flow_id, char *err, size_t errlen);
/* Remove a flow (a bundled one with its streams' entries, or one stream's). */
void media_fp_del(struct fastpath *fp, uint32_t flow_id);
/* {"flow": id, "packets": n, "bytes": n, "dropped": n, "to_stack": n} */
json_t *media_fp_stats(struct fastpath *fp, uint32_t flow_id);

#endif
