/*
 * ICE-lite Binding responder (RFC 8445 section 7.3, RFC 8489 section 9.1.3 checks).
 * Only a request that proves it knows our ice-pwd (USERNAME and MESSAGE-INTEGRITY match)
 * is answered, errors included: anything else is refused silently, so that a forged
 * source address cannot turn the gateway into a reflector (a 20-byte request used to get
 * a 48-byte error back) and a scanner learns nothing. RFC 8489 would answer 400/401;
 * a browser never sends such a request to the candidate it got from our SDP.
 */
#include "webrtc/stun_ice.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Error response: ERROR-CODE, UNKNOWN-ATTRIBUTES for 420, MESSAGE-INTEGRITY when the
 * request authenticated (RFC 8489 section 9.1.3), FINGERPRINT (RFC 8445 section 7). */
static int error_response(const struct stun_msg *m, uint16_t code, const char *reason,
			  const struct stun_ice_creds *c, bool sign, uint8_t *out, size_t outcap)
{
	struct stun_writer w;

	stun_writer_init(&w, out, outcap, STUN_BINDING | STUN_CLASS_ERROR, m->tid);
	stun_put_error(&w, code, reason);
	if (code == 420) {
		uint8_t list[2 * STUN_MAX_UNKNOWN];

		for (unsigned i = 0; i < m->n_unknown; i++) {
			list[2 * i] = (uint8_t)(m->unknown[i] >> 8);
			list[2 * i + 1] = (uint8_t)m->unknown[i];
		}
		stun_put_attr(&w, STUN_ATTR_UNKNOWN_ATTRIBUTES, list, 2 * m->n_unknown);
	}
	if (sign)
		stun_put_integrity(&w, (const uint8_t *)c->local_pwd, strlen(c->local_pwd));
	stun_put_fingerprint(&w);
	return stun_finish(&w);
}

static bool username_ok(const struct stun_msg *m, const struct stun_ice_creds *c)
{
	size_t l = strlen(c->local_ufrag);

	/* RFC 8445 section 7.2.2: "<receiver's ufrag>:<sender's ufrag>" */
	if (m->username_len <= l || memcmp(m->username, c->local_ufrag, l) != 0 ||
	    m->username[l] != ':')
		return false;
	if (!c->remote_ufrag)
		return true;
	return m->username_len - l - 1 == strlen(c->remote_ufrag) &&
	       memcmp(m->username + l + 1, c->remote_ufrag, m->username_len - l - 1) == 0;
}

int stun_ice_handle(const uint8_t *pkt, size_t len, const struct stun_ice_creds *creds,
		    const struct sockaddr *src, uint8_t *out, size_t outcap,
		    struct stun_ice_request *req, char *why, size_t whylen)
{
	struct stun_msg m;
	struct stun_writer w;
	int rc;

	memset(req, 0, sizeof(*req));
	if (whylen)
		why[0] = '\0';
	rc = stun_parse(pkt, len, &m, why, whylen);
	if (rc < 0)
		return rc;
	if ((m.type & STUN_CLASS_MASK) != STUN_CLASS_REQUEST) {
		snprintf(why, whylen, "not a request (type 0x%04x): nothing to answer", m.type);
		return 0;
	}
	if ((m.type & ~STUN_CLASS_MASK) != STUN_BINDING) {
		req->error_code = 400;
		snprintf(why, whylen, "request for method 0x%04x, not Binding", m.type);
		return 0;	/* unauthenticated: silent */
	}
	if (!m.has_fingerprint || !m.username || !m.has_integrity) {
		req->error_code = 400;
		snprintf(why, whylen, "Binding request without %s",
			 !m.has_fingerprint ? "FINGERPRINT" : !m.username ? "USERNAME"
									 : "MESSAGE-INTEGRITY");
		return 0;	/* unauthenticated: silent */
	}
	if (!username_ok(&m, creds)) {
		req->error_code = 401;
		snprintf(why, whylen, "USERNAME \"%.*s\" is not \"%s:%s\"",
			 m.username_len > 64 ? 64 : (int)m.username_len, (const char *)m.username,
			 creds->local_ufrag, creds->remote_ufrag ? creds->remote_ufrag : "*");
		return 0;	/* unauthenticated: silent */
	}
	rc = stun_check_integrity(&m, (const uint8_t *)creds->local_pwd, strlen(creds->local_pwd));
	if (rc == -EIO)
		return rc;
	if (rc < 0) {
		req->error_code = 401;
		snprintf(why, whylen, "MESSAGE-INTEGRITY does not match our ice-pwd");
		return 0;	/* unauthenticated: silent */
	}
	req->authenticated = true;
	req->use_candidate = m.use_candidate;
	req->controlling = m.has_controlling;
	req->priority = m.priority;
	req->tiebreaker = m.tiebreaker;
	if (m.n_unknown) {
		req->error_code = 420;
		snprintf(why, whylen, "comprehension-required attribute 0x%04x not understood",
			 m.unknown[0]);
		return error_response(&m, 420, "Unknown Attribute", creds, true, out, outcap);
	}
	if (m.has_controlled) {
		/* a lite agent is always controlled (RFC 8445 section 6.1.1): the full agent
		 * must take the controlling role, so tell it there is a conflict */
		req->error_code = 487;
		snprintf(why, whylen, "the peer claims the controlled role too");
		return error_response(&m, 487, "Role Conflict", creds, true, out, outcap);
	}
	if (!m.has_priority) {
		req->error_code = 400;
		snprintf(why, whylen, "Binding request without PRIORITY");
		return error_response(&m, 400, "Bad Request", creds, true, out, outcap);
	}
	stun_writer_init(&w, out, outcap, STUN_BINDING | STUN_CLASS_SUCCESS, m.tid);
	stun_put_xor_address(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, src);
	stun_put_integrity(&w, (const uint8_t *)creds->local_pwd, strlen(creds->local_pwd));
	stun_put_fingerprint(&w);
	return stun_finish(&w);
}
