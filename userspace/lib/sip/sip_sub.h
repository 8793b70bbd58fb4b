/*
 * The few SIP-events (RFC 6665) facts a subscriber needs beyond sip_msg.c: a header's
 * value from the raw header block (Event, Subscription-State, Expires, WWW-Authenticate),
 * and the Subscription-State value taken apart. Input comes from the network: bounded,
 * fuzzed (tests/fuzz/fuzz_reginfo.c).
 */
#ifndef NWIT_SIP_SUB_H
#define NWIT_SIP_SUB_H

#include <stddef.h>

/*
 * Copy the value of the first header called name (or its compact form, 0 for none) in the
 * header block of msg into out, trimmed. Returns its length, -ENOENT when absent,
 * -EMSGSIZE when it does not fit.
 */
int sip_sub_header(const char *msg, size_t len, const char *name, char compact, char *out,
		   size_t outlen);

enum sip_sub_substate { SIP_SUB_ACTIVE = 1, SIP_SUB_PENDING, SIP_SUB_TERMINATED };

struct sip_sub_state {
	enum sip_sub_substate state;
	long expires;		/* -1 when absent */
	long retry_after;	/* -1 when absent */
	char reason[32];	/* "" when absent */
};

/* Parse a Subscription-State value. Returns 0 or -EBADMSG. */
int sip_sub_parse_state(const char *value, struct sip_sub_state *out);

/* Does an Event value name package (its id parameter, if any, ignored)? */
int sip_sub_event_is(const char *value, const char *package);

/* A non-negative decimal of at most 10 digits with optional blanks around, or -1. */
long sip_sub_number(const char *s);

#endif
