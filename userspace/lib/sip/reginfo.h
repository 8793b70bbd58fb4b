/*
 * The registration event package's document (RFC 3680 section 5, application/reginfo+xml):
 * taking a NOTIFY body apart into registrations and their contacts. The body comes from
 * the network: size-bounded, no DOCTYPE (so no entity of any kind is declared, expanded or
 * fetched), bounded nesting and counts, fuzzed (tests/fuzz/fuzz_reginfo.c).
 */
#ifndef NWIT_REGINFO_H
#define NWIT_REGINFO_H

#include <stddef.h>

#define REGINFO_MAX_BYTES 65536	/* larger documents are refused before parsing */
#define REGINFO_REGS_MAX 8	/* registrations kept (more: -E2BIG) */
#define REGINFO_CONTACTS_MAX 8	/* contacts kept per registration (more: -E2BIG) */
#define REGINFO_URI_MAX 256
#define REGINFO_ID_MAX 64

enum reginfo_reg_state { REGINFO_REG_INIT = 1, REGINFO_REG_ACTIVE, REGINFO_REG_TERMINATED };
enum reginfo_contact_state { REGINFO_CONTACT_ACTIVE = 1, REGINFO_CONTACT_TERMINATED };
enum reginfo_event {
	REGINFO_EV_REGISTERED = 1,
	REGINFO_EV_CREATED,
	REGINFO_EV_REFRESHED,
	REGINFO_EV_SHORTENED,
	REGINFO_EV_EXPIRED,
	REGINFO_EV_DEACTIVATED,
	REGINFO_EV_PROBATION,
	REGINFO_EV_UNREGISTERED,
	REGINFO_EV_REJECTED,
};

struct reginfo_contact {
	char uri[REGINFO_URI_MAX];
	char id[REGINFO_ID_MAX];
	enum reginfo_contact_state state;
	enum reginfo_event event;
	long expires;		/* -1 when absent */
	long retry_after;	/* -1 when absent */
};

struct reginfo_registration {
	char aor[REGINFO_URI_MAX];
	char id[REGINFO_ID_MAX];
	enum reginfo_reg_state state;
	int n_contacts;
	struct reginfo_contact contacts[REGINFO_CONTACTS_MAX];
};

struct reginfo {
	long version;
	int full;		/* state="full" (else "partial") */
	int n_regs;
	struct reginfo_registration regs[REGINFO_REGS_MAX];
};

/*
 * Parse a reginfo document. Returns 0, -E2BIG (document over REGINFO_MAX_BYTES, or more
 * registrations/contacts than kept), or -EBADMSG (not well-formed, a DOCTYPE, not reginfo,
 * a missing or invalid required attribute, too deep); why says what.
 */
int reginfo_parse(const char *buf, size_t len, struct reginfo *out, char *why, size_t whylen);

const char *reginfo_event_name(enum reginfo_event e);
const char *reginfo_reg_state_name(enum reginfo_reg_state s);

/*
 * Is uri (a SIP URI, maybe in <>) the contact sip:host:port (default port 5060)? Host
 * compared case-insensitively, IPv6 with or without brackets; user part and parameters
 * are ignored.
 */
int reginfo_contact_is(const char *uri, const char *host, unsigned int port);

/* Same SIP URI for an AoR comparison: scheme, user and host (case-insensitive host), <> ignored. */
int reginfo_same_aor(const char *a, const char *b);

#endif
