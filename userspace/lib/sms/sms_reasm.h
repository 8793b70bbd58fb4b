/*
 * Reassembly of concatenated short messages (3GPP TS 23.040 9.2.3.24.1, 9.2.3.24.8):
 * parts are matched by originator address, reference and number of parts, held in a
 * bounded table, and joined in order when the last one arrives. Pure: the caller gives
 * the time, and calls sms_reasm_expire() (at sms_reasm_next_expiry(), and before adding)
 * to drop messages whose parts stopped coming.
 */
#ifndef NWIT_SMS_REASM_H
#define NWIT_SMS_REASM_H

#include <stdint.h>

#include "sms/sms_tpdu.h"

struct sms_reasm_limits {
	unsigned max_messages; /* incomplete messages held at once (default 8) */
	unsigned max_parts;    /* parts of one message, 1..255 (default 16) */
	uint64_t timeout_ms;   /* since its first part (default 600000: 10 minutes) */
};
void sms_reasm_limits_default(struct sms_reasm_limits *l);

struct sms_reasm;

/* A reassembled message, or what was held of one that timed out. */
struct sms_reasm_msg {
	struct sms_addr oa;
	struct sms_concat concat; /* seq is 0; total 1 for a message that was not cut */
	unsigned received;	  /* parts held (== concat.total when complete) */
	const char *text;	  /* UTF-8, NUL-terminated; valid until the next call */
	size_t text_len;
};

/* NULL on bad limits (-EINVAL) or no memory, with errno set. */
struct sms_reasm *sms_reasm_new(const struct sms_reasm_limits *l);
void sms_reasm_free(struct sms_reasm *r);

/*
 * Add the user data of one SMS-DELIVER from oa. 1 with *msg when a message is complete
 * (a message without a concatenation element is complete at once), 0 when the part is
 * held, -EEXIST (that part is already held: a retransmission, nothing changes),
 * -EMSGSIZE (more parts than max_parts), -ENOBUFS (max_messages incomplete messages
 * held), -EPROTONOSUPPORT (8-bit data is not text), -EBADMSG (the joined text is not
 * valid UCS-2), -EINVAL (user data no decoder gives: over 160 units, a part number
 * outside 1..total), with the reason in err. Refusals count in sms_reassembly_errors.
 */
int sms_reasm_add(struct sms_reasm *r, const struct sms_addr *oa, const struct sms_ud *ud,
		  uint64_t now_ms, struct sms_reasm_msg *msg, char *err, size_t errlen);

/*
 * Drop every message held timeout_ms or longer; for each, cb gets the text of the parts
 * held, in order. Returns the number dropped (counted in sms_reassembly_timeouts).
 */
typedef void (*sms_reasm_expired_fn)(void *arg, const struct sms_reasm_msg *msg);
unsigned sms_reasm_expire(struct sms_reasm *r, uint64_t now_ms, sms_reasm_expired_fn cb,
			  void *arg);

/* When the next message expires: 0 with *when_ms, or -ENOENT when none is held. */
int sms_reasm_next_expiry(const struct sms_reasm *r, uint64_t *when_ms);
/* Incomplete messages held. */
unsigned sms_reasm_pending(const struct sms_reasm *r);

#endif
