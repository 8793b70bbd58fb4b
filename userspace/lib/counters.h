/*
 * Named event counters of nwitd (errors, refusals, reloads). `nwitctl stats`
 * shows them. Add a counter by adding one line to COUNTER_LIST.
 */
#ifndef NWIT_COUNTERS_H
#define NWIT_COUNTERS_H

#include <stdint.h>

#include <jansson.h>

#define COUNTER_LIST(X)                                                         \
	X(CTL_REQUESTS, "ctl_requests", "control requests answered")             \
	X(CTL_BAD_REQUESTS, "ctl_bad_requests", "malformed control requests")    \
	X(CTL_UNKNOWN_COMMANDS, "ctl_unknown_commands", "unknown control commands") \
	X(CTL_OVERSIZE, "ctl_oversize", "control lines over the size limit")     \
	X(CONFIG_RELOADS, "config_reloads", "configurations reloaded")           \
	X(IMS_REGISTERS_SENT, "ims_registers_sent", "REGISTER requests sent (not retransmissions)") \
	X(IMS_REGISTRATIONS, "ims_registrations", "successful (re-)registrations")  \
	X(IMS_MALFORMED, "ims_malformed_responses", "malformed or unusable SIP responses") \
	X(IMS_AUTH_FAILURES, "ims_auth_failures", "registrations refused or credentials rejected") \
	X(IMS_TRANSPORT_ERRORS, "ims_transport_errors", "P-CSCF transport errors and timeouts") \
	X(IMS_AKA_RESYNCS, "ims_aka_resyncs", "IMS-AKA resynchronisations (AUTS sent)") \
	X(CONFIG_RELOAD_FAILURES, "config_reload_failures", "reloads refused")

enum counter_id {
#define X(id, name, help) COUNTER_##id,
	COUNTER_LIST(X)
#undef X
	COUNTER__COUNT
};

void counter_inc(enum counter_id id);
uint64_t counter_get(enum counter_id id);
void counters_reset(void);

/* {"name": value, ...} for every counter. */
json_t *counters_to_json(void);

#endif
