/*
 * Neighbour priming for the fast path: XDP cannot resolve a next hop's MAC address, so
 * when a flow is added the kernel is asked (rtnetlink) to resolve the next hop towards
 * the flow's destination before media arrives.
 */
#ifndef NWIT_FASTPATH_NEIGH_H
#define NWIT_FASTPATH_NEIGH_H

#include <stdint.h>

/*
 * Find the route to dst (family AF_INET or AF_INET6; 4 or 16 bytes) and start neighbour
 * resolution of its next hop (NTF_USE). Returns 0 or -errno.
 */
int fastpath_neigh_prime(int family, const uint8_t *dst);

#endif
