/* DCEP messages (RFC 8832 section 5). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/counters.h"
#include "core/reason.h"
#include "webrtc/dcep.h"

/* a refused message: counted, with its reason */
#define fail(err, errlen, rc, ...) \
	(counter_inc(COUNTER_DCEP_MALFORMED), reason_set(err, errlen, rc, __VA_ARGS__))

int dcep_parse(const uint8_t *m, size_t len, struct dcep_open *o, char *err, size_t errlen)
{
	size_t label_len, proto_len;

	if (len == 0)
		return fail(err, errlen, -EBADMSG, "empty DCEP message");
	if (m[0] == DCEP_ACK) {
		if (len != 1)
			return fail(err, errlen, -EBADMSG, "DATA_CHANNEL_ACK with %zu extra bytes",
				    len - 1);
		return DCEP_ACK;
	}
	if (m[0] != DCEP_OPEN)
		return fail(err, errlen, -ENOTSUP, "unknown DCEP message type 0x%02x", m[0]);
	if (len < DCEP_OPEN_HEADER)
		return fail(err, errlen, -EBADMSG, "DATA_CHANNEL_OPEN of %zu bytes is too short",
			    len);
	memset(o, 0, sizeof(*o));
	o->channel_type = m[1];
	switch (o->channel_type & ~DCEP_UNORDERED) {
	case DCEP_RELIABLE:
	case DCEP_PARTIAL_REXMIT:
	case DCEP_PARTIAL_TIMED:
		break;
	default:
		return fail(err, errlen, -EBADMSG, "unknown channel type 0x%02x", m[1]);
	}
	o->priority = (uint16_t)(m[2] << 8 | m[3]);
	o->reliability = (uint32_t)m[4] << 24 | (uint32_t)m[5] << 16 | (uint32_t)m[6] << 8 | m[7];
	label_len = (size_t)(m[8] << 8 | m[9]);
	proto_len = (size_t)(m[10] << 8 | m[11]);
	if (DCEP_OPEN_HEADER + label_len + proto_len != len)
		return fail(err, errlen, -EBADMSG,
			    "label (%zu) and protocol (%zu) lengths do not add up to %zu bytes",
			    label_len, proto_len, len);
	if (label_len > DCEP_LABEL_MAX || proto_len > DCEP_LABEL_MAX)
		return fail(err, errlen, -ENAMETOOLONG, "label or protocol over %d bytes",
			    DCEP_LABEL_MAX);
	if (memchr(m + DCEP_OPEN_HEADER, '\0', label_len + proto_len))
		return fail(err, errlen, -EBADMSG, "NUL in the label or protocol");
	memcpy(o->label, m + DCEP_OPEN_HEADER, label_len);
	memcpy(o->protocol, m + DCEP_OPEN_HEADER + label_len, proto_len);
	return DCEP_OPEN;
}

int dcep_build_open(const struct dcep_open *o, uint8_t *buf, size_t cap)
{
	size_t ll = strlen(o->label), pl = strlen(o->protocol);

	if (ll > DCEP_LABEL_MAX || pl > DCEP_LABEL_MAX)
		return -EINVAL;
	if (cap < DCEP_OPEN_HEADER + ll + pl)
		return -ENOSPC;
	buf[0] = DCEP_OPEN;
	buf[1] = o->channel_type;
	buf[2] = (uint8_t)(o->priority >> 8);
	buf[3] = (uint8_t)o->priority;
	buf[4] = (uint8_t)(o->reliability >> 24);
	buf[5] = (uint8_t)(o->reliability >> 16);
	buf[6] = (uint8_t)(o->reliability >> 8);
	buf[7] = (uint8_t)o->reliability;
	buf[8] = (uint8_t)(ll >> 8);
	buf[9] = (uint8_t)ll;
	buf[10] = (uint8_t)(pl >> 8);
	buf[11] = (uint8_t)pl;
	memcpy(buf + DCEP_OPEN_HEADER, o->label, ll);
	memcpy(buf + DCEP_OPEN_HEADER + ll, o->protocol, pl);
	return (int)(DCEP_OPEN_HEADER + ll + pl);
}

int dcep_build_ack(uint8_t *buf, size_t cap)
{
	if (cap < 1)
		return -ENOSPC;
	buf[0] = DCEP_ACK;
	return 1;
}
