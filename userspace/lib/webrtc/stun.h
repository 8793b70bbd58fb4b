/*
 * STUN messages (RFC 8489): a bounded parser, a writer, MESSAGE-INTEGRITY (HMAC-SHA1,
 * short-term credentials: the key is the password) and FINGERPRINT (CRC-32 XOR
 * 0x5354554e), plus the attributes ICE (RFC 8445) adds.
 */
#ifndef NWIT_STUN_H
#define NWIT_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER_LEN 20
#define STUN_MAGIC_COOKIE 0x2112A442u
#define STUN_MAX_MSG 1500
#define STUN_FINGERPRINT_XOR 0x5354554eu

/* message type = method | class bits (RFC 8489 section 5) */
#define STUN_BINDING 0x0001
#define STUN_CLASS_REQUEST 0x0000
#define STUN_CLASS_INDICATION 0x0010
#define STUN_CLASS_SUCCESS 0x0100
#define STUN_CLASS_ERROR 0x0110
#define STUN_CLASS_MASK 0x0110

#define STUN_ATTR_MAPPED_ADDRESS 0x0001
#define STUN_ATTR_USERNAME 0x0006
#define STUN_ATTR_MESSAGE_INTEGRITY 0x0008
#define STUN_ATTR_ERROR_CODE 0x0009
#define STUN_ATTR_UNKNOWN_ATTRIBUTES 0x000A
#define STUN_ATTR_REALM 0x0014
#define STUN_ATTR_NONCE 0x0015
#define STUN_ATTR_MESSAGE_INTEGRITY_SHA256 0x001C
#define STUN_ATTR_PASSWORD_ALGORITHM 0x001D
#define STUN_ATTR_USERHASH 0x001E
#define STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define STUN_ATTR_PRIORITY 0x0024
#define STUN_ATTR_USE_CANDIDATE 0x0025
#define STUN_ATTR_PASSWORD_ALGORITHMS 0x8002
#define STUN_ATTR_ALTERNATE_DOMAIN 0x8003
#define STUN_ATTR_SOFTWARE 0x8022
#define STUN_ATTR_ALTERNATE_SERVER 0x8023
#define STUN_ATTR_FINGERPRINT 0x8028
#define STUN_ATTR_ICE_CONTROLLED 0x8029
#define STUN_ATTR_ICE_CONTROLLING 0x802A

#define STUN_MAX_UNKNOWN 8

struct stun_msg {
	const uint8_t *buf; /* the message as received (not copied) */
	size_t len;
	uint16_t type;
	const uint8_t *tid; /* 12 bytes */
	const uint8_t *username;
	uint16_t username_len;
	const uint8_t *software;
	uint16_t software_len;
	bool has_integrity, has_fingerprint;
	size_t integrity_off; /* offset of the MESSAGE-INTEGRITY attribute header */
	bool has_priority, use_candidate, has_controlling, has_controlled;
	uint32_t priority;
	uint64_t tiebreaker;
	bool has_xor_mapped;
	struct sockaddr_storage xor_mapped;
	uint16_t error_code; /* 300-699 when ERROR-CODE is present, else 0 */
	/* comprehension-required attributes (type < 0x8000) this parser does not know */
	unsigned n_unknown;
	uint16_t unknown[STUN_MAX_UNKNOWN];
};

/* True when buf looks like STUN (RFC 7983 first byte 0-3, magic cookie). */
bool stun_is_stun(const uint8_t *buf, size_t len);

/*
 * Parse a STUN message. Checks the header, attribute bounds and padding, that only
 * FINGERPRINT follows MESSAGE-INTEGRITY and FINGERPRINT is last, and the FINGERPRINT
 * value when present. Returns 0 or -EBADMSG with the reason in err.
 */
int stun_parse(const uint8_t *buf, size_t len, struct stun_msg *m, char *err, size_t errlen);

/* Check MESSAGE-INTEGRITY with key; 0, -EACCES on mismatch, -ENOENT when absent, -EIO. */
int stun_check_integrity(const struct stun_msg *m, const uint8_t *key, size_t keylen);

/* CRC-32 of buf XOR 0x5354554e (RFC 8489 section 14.7). */
uint32_t stun_fingerprint(const uint8_t *buf, size_t len);

/* Writer: attributes are appended in call order; errors stick until stun_finish(). */
struct stun_writer {
	uint8_t *buf;
	size_t cap, len;
	uint8_t pad; /* padding byte value (0 unless a test needs another) */
	int err;
};

void stun_writer_init(struct stun_writer *w, uint8_t *buf, size_t cap, uint16_t type,
		      const uint8_t tid[12]);
void stun_put_attr(struct stun_writer *w, uint16_t type, const void *val, size_t len);
void stun_put_u32(struct stun_writer *w, uint16_t type, uint32_t v);
void stun_put_u64(struct stun_writer *w, uint16_t type, uint64_t v);
void stun_put_xor_address(struct stun_writer *w, uint16_t type, const struct sockaddr *sa);
void stun_put_error(struct stun_writer *w, uint16_t code, const char *reason);
void stun_put_integrity(struct stun_writer *w, const uint8_t *key, size_t keylen);
void stun_put_fingerprint(struct stun_writer *w);
/* Length of the message, or -ENOSPC / -EINVAL / -EIO from the first failed put. */
int stun_finish(const struct stun_writer *w);

#endif
