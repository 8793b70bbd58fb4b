// SPDX-License-Identifier: GPL-2.0-only
/*
 * nwit fast path entry points. XDP and TC ingress run the same core (pipeline.h):
 * every UDP datagram is classified per RFC 7983 and counted; STUN, DTLS, anything
 * unknown and RTP/RTCP of unknown flows are left to the stack so they reach nwitd's
 * sockets; media of a known flow is translated and forwarded here.
 * nwit_crypto_setup (SEC("syscall")) installs the AES contexts of one SSRC.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "nwit/fastpath.h"
#include "crypto_setup.h"
#include "pipeline.h"

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int nwit_xdp(struct xdp_md *ctx)
{
	return fastpath(ctx, 1);
}

SEC("tc")
int nwit_tc(struct __sk_buff *skb)
{
	return fastpath(skb, 0);
}
