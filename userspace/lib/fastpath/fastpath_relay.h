/*
 * Operator flows (fastpath_spec.h) carried by the userspace relay (relay.h) when the
 * BPF fast path cannot take them. A flow spec is one direction; the relay binds the
 * gateway's addresses the flow names (dst on the ingress side, out_src on the egress
 * side). Two flows pair into one relay flow when each is the other's reverse: a's
 * src, dst, out_src, out_dst are b's out_dst, out_src, dst, src, and one is
 * srtp-to-rtp while the other is rtp-to-srtp (or both forward). They then share the
 * sockets: SRTP in and out on one browser-side 5-tuple, RTP in and out on one IMS-side
 * 5-tuple. A flow without such a partner is one-way: its egress side relays nothing.
 */
#ifndef NWIT_FASTPATH_RELAY_H
#define NWIT_FASTPATH_RELAY_H

#include <stddef.h>

#include "fastpath/fastpath_spec.h"
#include "relay/relay.h"

/* 1 when a and b are each other's reverse (see above), else 0. */
int fastpath_spec_is_reverse(const struct fastpath_spec *a, const struct fastpath_spec *b);

/* The relay side a flow's packets arrive from: the IMS side for rtp-to-srtp, else browser. */
enum relay_side fastpath_spec_relay_in_side(const struct fastpath_spec *a);

/*
 * The relay flow for a alone (b NULL) or for the pair a, b (b the reverse of a). Returns
 * 0, or -EINVAL with a reason in err (a flow without out_src/out_dst, keys of different
 * suites in a pair). out holds keys: OPENSSL_cleanse it after use.
 */
int fastpath_spec_relay_desc(const struct fastpath_spec *a, const struct fastpath_spec *b,
			     struct relay_flow_desc *out, char *err, size_t errlen);

#endif
