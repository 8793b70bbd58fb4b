/*
 * Forwarding for the fast path, kept safe.
 *
 * bpf_fib_lookup() answers only for devices that forward (net.<family>.conf.<dev>.
 * forwarding), but turning that on alone would let the stack itself route between the
 * browser's LAN and the LTE bearer. fwd_guard_enable() first puts the device into the set
 * "guarded" of the nftables table `inet nwit_guard`, whose forward chain counts and drops
 * everything the stack would forward from a guarded device (the fast path's redirects
 * never pass that hook), and only then turns forwarding on. Table, set, chain and rule
 * are written in one netlink batch: they appear together or not at all, and writing them
 * again (another device, a restarted nwitd) keeps one rule.
 *
 * A device that already forwards is left alone: its routing is the owner's. What was set
 * stays after nwitd exits, like the pinned flows that need it.
 */
#ifndef NWIT_FWD_GUARD_H
#define NWIT_FWD_GUARD_H

#include <stddef.h>

#define FWD_GUARD_TABLE "nwit_guard"
#define FWD_GUARD_CHAIN "forward"
#define FWD_GUARD_SET "guarded"

/* 1 when ifindex forwards packets of that family, 0 when not, -errno when unknown. */
int fwd_forwarding(unsigned int ifindex, int ipv6);

/*
 * Make ifindex forward packets of that family behind the guard. Returns 1 when forwarding
 * was turned on here, 0 when it was on already (nothing changed), or -errno with what was
 * attempted in err.
 */
int fwd_guard_enable(unsigned int ifindex, int ipv6, char *err, size_t errlen);

#endif
