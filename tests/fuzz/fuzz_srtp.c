/*
 * libFuzzer harness: the SRTP/SRTCP transform on arbitrary packets. The first byte picks
 * the operation: unprotect as SRTP or SRTCP (untrusted input from the network: any
 * error code but a crash, and the packet is left alone on refusal), or protect then
 * unprotect with a second session (must give back the same bytes).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srtp/srtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t master[30] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41,
	0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static int known_error(int rc)
{
	return rc == -EINVAL || rc == -EBADMSG || rc == -EALREADY || rc == -ENOENT ||
	       rc == -ENOSPC || rc == -ENOBUFS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum srtp_suite suite;
	struct srtp_session *a = NULL, *b = NULL;
	uint8_t *pkt, *orig;
	size_t len, cap;
	int op, rc;

	if (size < 1)
		return 0;
	op = data[0] & 3;
	suite = data[0] & 4 ? SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 : SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
	data++;
	size--;
	cap = size + SRTP_SESSION_MAX_TRAILER_LEN;
	pkt = malloc(cap);
	orig = malloc(size ? size : 1);
	a = srtp_session_new(suite, master, master + 16, SRTP_F_ANY_SSRC, 4);
	b = srtp_session_new(suite, master, master + 16, SRTP_F_ANY_SSRC, 4);
	if (!pkt || !orig || !a || !b)
		goto out;
	memcpy(pkt, data, size);
	memcpy(orig, data, size);
	len = size;
	switch (op) {
	case 0:
	case 1:
		rc = op == 0 ? srtp_session_unprotect_rtp(a, pkt, &len)
			     : srtp_session_unprotect_rtcp(a, pkt, &len);
		if (rc < 0 && (!known_error(rc) || len != size || memcmp(pkt, orig, size)))
			abort();
		if (rc == 0 && len > size)
			abort();
		break;
	case 2:
	case 3:
		rc = op == 2 ? srtp_session_protect_rtp(a, pkt, &len, cap)
			     : srtp_session_protect_rtcp(a, pkt, &len, cap);
		if (rc < 0) {
			if (!known_error(rc))
				abort();
			break;
		}
		rc = op == 2 ? srtp_session_unprotect_rtp(b, pkt, &len)
			     : srtp_session_unprotect_rtcp(b, pkt, &len);
		if (rc != 0 || len != size || memcmp(pkt, orig, size))
			abort();
		break;
	}
out:
	srtp_session_free(a);
	srtp_session_free(b);
	free(pkt);
	free(orig);
	return 0;
}
