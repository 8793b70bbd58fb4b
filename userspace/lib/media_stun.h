/*
 * The ICE-lite side of connectivity checks (RFC 8445 section 7.3, RFC 5389): a Binding
 * request from the browser is checked (USERNAME "<our ufrag>:<its ufrag>",
 * MESSAGE-INTEGRITY keyed with our ice-pwd, FINGERPRINT) and answered with a Binding
 * success response carrying XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
 * Each answered request is also a consent refresh (RFC 7675). Pure functions; the input is
 * untrusted (tests/fuzz/fuzz_media_stun.c).
 */
#ifndef NWIT_MEDIA_STUN_H
#define NWIT_MEDIA_STUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define MEDIA_STUN_MAX 1500

struct media_stun_req {
	int use_candidate;	/* USE-CANDIDATE present */
	int controlling;	/* ICE-CONTROLLING present */
};

/* Is this datagram STUN by RFC 7983 (first byte 0..3) and the magic cookie? */
int media_stun_is_stun(const uint8_t *pkt, size_t len);

/*
 * Handle one STUN datagram received from src. Returns the length of the response written
 * to out (a Binding success response), 0 when nothing is to be answered (a response or
 * an indication), -EBADMSG for malformed STUN, -EACCES when USERNAME or
 * MESSAGE-INTEGRITY do not match our credentials, -EPROTO for a method other than Binding.
 * why explains failures.
 */
int media_stun_answer(const uint8_t *pkt, size_t len, const char *local_ufrag,
		      const char *local_pwd, const struct sockaddr *src, uint8_t *out,
		      size_t outlen, struct media_stun_req *req, char *why, size_t whylen);

/* CRC-32 (ISO 3309, as in STUN FINGERPRINT). */
uint32_t media_stun_crc32(const uint8_t *p, size_t n);

#endif
