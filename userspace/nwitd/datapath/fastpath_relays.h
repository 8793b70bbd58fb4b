/*
 * The operator flows nwitd relays in userspace because the fast path cannot carry them
 * (mode = off, no BPF, no bpf_crypto): a table of flow specs, paired into relay flows
 * on their own UDP sockets (fastpath_relay.h, relay_udp.h).
 */
#ifndef NWITD_FASTPATH_RELAYS_H
#define NWITD_FASTPATH_RELAYS_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "fastpath/fastpath_spec.h"

#define FP_RELAYS_MAX 256

struct fp_relays;

struct fp_relays *fp_relays_new(struct event_base *base);
void fp_relays_free(struct fp_relays *t);

/*
 * Add spec, or replace the flow of its id. A flow that is the reverse of an unpaired
 * one joins it (that relay restarts with both directions). Returns 0 or -errno with a
 * reason in err.
 */
int fp_relays_add(struct fp_relays *t, const struct fastpath_spec *spec, char *err,
		  size_t errlen);
/* Remove flow id (its partner goes on alone, restarted). 0 or -ENOENT. */
int fp_relays_del(struct fp_relays *t, uint32_t id);
int fp_relays_has(const struct fp_relays *t, uint32_t id);
size_t fp_relays_count(const struct fp_relays *t);

/* Append the flows (id 0: all) with their counters to arr, "path": "relay". */
void fp_relays_flows_json(const struct fp_relays *t, uint32_t id, json_t *arr);
/* {"flows": n, "drops": {reason: n}, "rx":..,"tx":..,"wakeups":..,...} over all relays. */
json_t *fp_relays_stats_json(const struct fp_relays *t);

#endif
