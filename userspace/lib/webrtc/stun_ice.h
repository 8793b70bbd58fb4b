/*
 * The ICE-lite responder (RFC 8445 sections 2.5 and 7.3): answer the browser's Binding
 * requests on the gateway's host candidate. A pure function: request bytes, credentials
 * and the source address in; response bytes (or nothing) and what the request said out.
 * Every answered request also refreshes consent (RFC 7675); the caller keeps the time.
 */
#ifndef NWIT_STUN_ICE_H
#define NWIT_STUN_ICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "webrtc/stun.h"

struct stun_ice_creds {
	const char *local_ufrag, *local_pwd; /* ours, from our SDP */
	const char *remote_ufrag;	     /* the browser's, or NULL to accept any */
};

struct stun_ice_request {
	uint16_t error_code; /* error sent back (400, 401, 420, 487), 0 for success */
	bool authenticated;  /* USERNAME and MESSAGE-INTEGRITY matched */
	bool use_candidate, controlling;
	uint32_t priority;
	uint64_t tiebreaker;
};

/*
 * Handle one datagram from src. Returns the length of the response written to out (a
 * Binding success response, or a signed error response whose code is in
 * req->error_code), 0 when nothing is to be sent (indications, responses, and every
 * request that is not authenticated: req->error_code then says 400 or 401 for the
 * counters, nothing goes back), or -EBADMSG for a malformed message (drop it; RFC 8489
 * section 6.3), -ENOSPC when out is too small. why explains every refusal and drop.
 */
int stun_ice_handle(const uint8_t *pkt, size_t len, const struct stun_ice_creds *creds,
		    const struct sockaddr *src, uint8_t *out, size_t outcap,
		    struct stun_ice_request *req, char *why, size_t whylen);

#endif
