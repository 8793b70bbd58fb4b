/*
 * SRTP and SRTCP (RFC 3711) for the AES_CM_128_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32
 * suites (RFC 4568 6.2.1: the _32 suite shortens only the SRTP tag; SRTCP keeps an
 * 80-bit tag), on OpenSSL EVP (AES-128-CTR, HMAC-SHA1).
 *
 * One srtp_session holds the session keys derived from one master key and salt (kdr 0,
 * no MKI) and the per-SSRC stream state: the sender's ROC and SRTCP index, the
 * receiver's ROC, highest sequence number and 128-packet replay windows (SRTP and SRTCP).
 * Packets are transformed in place; the session allocates nothing per packet. A session
 * is not locked: one thread uses it at a time.
 *
 * Errors of the packet functions:
 *   -EINVAL   malformed or truncated packet (not RTP/RTCP version 2, too short for its
 *             header and tag), or an index that cannot be estimated;
 *   -EBADMSG  authentication tag mismatch (checked before anything is decrypted);
 *   -EALREADY replayed packet, or older than the replay window;
 *   -ENOENT   unknown SSRC and the session does not create streams on the fly;
 *   -ENOSPC   protect: the buffer has no room for the tag (and SRTCP index);
 *   -ENOBUFS  a new stream would exceed the session's stream limit;
 *   -ERANGE   protect: a jump of more than SRTP_MAX_DROPOUT ahead of the highest index
 *             sent, not (yet) confirmed by SRTP_JUMP_CONFIRM packets following it
 *             (srtp_replay.h); nothing was committed;
 *   -EIO      OpenSSL failed.
 * On error the packet buffer may hold garbage only for -EIO; otherwise it is untouched.
 */
#ifndef NWIT_SRTP_H
#define NWIT_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include "srtp/srtp_kdf.h"

enum srtp_suite {
	SRTP_SUITE_INVALID = 0,
	SRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
	SRTP_SUITE_AES_CM_128_HMAC_SHA1_32,
};

#define SRTP_SUITE_MAX_TAG_LEN 10
#define SRTCP_TAG_LEN 10
#define SRTCP_INDEX_LEN 4
/* The most bytes protect adds to an RTP or RTCP packet. */
#define SRTP_SESSION_MAX_TRAILER_LEN (SRTCP_INDEX_LEN + SRTP_SUITE_MAX_TAG_LEN)
#define SRTP_DEFAULT_MAX_STREAMS 64

/* Session flags. */
#define SRTP_F_ANY_SSRC 0x1	/* create streams for unknown SSRCs (after the tag checks) */

struct srtp_stats {
	uint64_t protected_rtp, unprotected_rtp, protected_rtcp, unprotected_rtcp;
	uint64_t auth_fail, replay, malformed, unknown_ssrc, no_room, errors;
	uint64_t seq_jump;	/* protect: unconfirmed sequence jumps refused */
};

struct srtp_session;

/* Name <-> suite: "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32". */
enum srtp_suite srtp_suite_from_name(const char *name, size_t len);
const char *srtp_suite_name(enum srtp_suite suite);
/* SRTP authentication tag length of a suite (10 or 4), 0 for an invalid suite. */
size_t srtp_suite_tag_len(enum srtp_suite suite);

/*
 * A session for suite with the given master key and salt. flags: SRTP_F_*; max_streams
 * 0 means SRTP_DEFAULT_MAX_STREAMS. Returns NULL with errno set (EINVAL, ENOMEM, EIO).
 */
struct srtp_session *srtp_session_new(enum srtp_suite suite,
				      const uint8_t master_key[SRTP_KDF_MASTER_KEY_LEN],
				      const uint8_t master_salt[SRTP_KDF_MASTER_SALT_LEN],
				      unsigned int flags, unsigned int max_streams);
void srtp_session_free(struct srtp_session *s);

/*
 * Declare a stream for ssrc whose sender and receiver ROC start at roc (the receiver
 * takes its first sequence number from the first authentic packet). Returns 0,
 * -EEXIST, -ENOBUFS or -ENOMEM.
 */
int srtp_session_add_stream(struct srtp_session *s, uint32_t ssrc, uint32_t roc);
int srtp_session_del_stream(struct srtp_session *s, uint32_t ssrc);
/* The sender's and receiver's ROC of ssrc; -ENOENT when there is no such stream. */
int srtp_session_get_roc(const struct srtp_session *s, uint32_t ssrc, uint32_t *tx_roc,
			 uint32_t *rx_roc);

const struct srtp_stats *srtp_session_stats(const struct srtp_session *s);
enum srtp_suite srtp_session_suite(const struct srtp_session *s);

/*
 * RTP -> SRTP in place: *len is the RTP packet length on entry and the SRTP length on
 * return; cap is the buffer size (at least *len + the tag length).
 */
int srtp_session_protect_rtp(struct srtp_session *s, uint8_t *pkt, size_t *len, size_t cap);
/* SRTP -> RTP in place: *len shrinks by the tag length. */
int srtp_session_unprotect_rtp(struct srtp_session *s, uint8_t *pkt, size_t *len);
/* RTCP -> SRTCP (encrypted, E = 1) in place; cap >= *len + 14. */
int srtp_session_protect_rtcp(struct srtp_session *s, uint8_t *pkt, size_t *len, size_t cap);
/* SRTCP -> RTCP in place (E = 0 packets are authenticated only). */
int srtp_session_unprotect_rtcp(struct srtp_session *s, uint8_t *pkt, size_t *len);

/* Length of the RTP header (fixed part, CSRCs, extension) of pkt, or -EINVAL. */
int rtp_header_len(const uint8_t *pkt, size_t len);

#endif
