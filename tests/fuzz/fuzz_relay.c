/*
 * libFuzzer harness: the relay core on arbitrary datagrams. Byte 0 picks the flow, the
 * side and the port; the rest is the datagram. Flow A has an SRTP browser side and a
 * plain IMS side; flow B is plain on both sides so that arbitrary RTP reaches the
 * payload type rewrite and the header extension stripping. Whatever the relay forwards
 * from the IMS side of flow A must unprotect, with the browser's keys, to the input
 * with only the payload type changed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t ks[30] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9,
				3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7 };

static void describe(struct relay_flow_desc *d, int srtp)
{
	memset(d, 0, sizeof(*d));
	d->side[RELAY_SIDE_BROWSER].rtcp_mux = 1;
	if (srtp) {
		d->side[RELAY_SIDE_BROWSER].suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
		memcpy(d->side[RELAY_SIDE_BROWSER].in_key, ks, 16);
		memcpy(d->side[RELAY_SIDE_BROWSER].in_salt, ks + 16, 14);
		memcpy(d->side[RELAY_SIDE_BROWSER].out_key, ks, 16);
		memcpy(d->side[RELAY_SIDE_BROWSER].out_salt, ks + 16, 14);
	}
	for (int pt = 0; pt < 128; pt += 3) {
		d->side[RELAY_SIDE_IMS].pt_map[pt] = (uint8_t)(RELAY_PT_MAPPED | (127 - pt));
		d->side[RELAY_SIDE_BROWSER].pt_map[pt] = (uint8_t)(RELAY_PT_MAPPED | (127 - pt));
	}
	d->side[RELAY_SIDE_IMS].strip_ext = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct relay_flow_desc d;
	struct relay_flow *f;
	struct srtp_session *check = NULL;
	enum relay_side from;
	enum relay_port port, out;
	uint8_t pkt[RELAY_BUF_SIZE], orig[RELAY_BUF_SIZE];
	size_t len;
	int srtp, rc;

	if (size < 1 || size - 1 > RELAY_MAX_PACKET + 10)
		return 0;
	srtp = data[0] & 1;
	from = data[0] & 2 ? RELAY_SIDE_IMS : RELAY_SIDE_BROWSER;
	port = data[0] & 4 ? RELAY_PORT_RTCP : RELAY_PORT_RTP;
	len = size - 1;
	memcpy(pkt, data + 1, len);
	memcpy(orig, data + 1, len);
	describe(&d, srtp);
	f = relay_flow_new(&d);
	if (!f)
		abort();
	rc = relay_translate(f, from, port, NULL, pkt, &len, sizeof(pkt), &out);
	if (rc < 0 && rc != -EPROTO && rc != -EINVAL && rc != -EBADMSG && rc != -EALREADY &&
	    rc != -EMSGSIZE)
		abort();
	if (rc == 0 && srtp && from == RELAY_SIDE_IMS) {
		int rtcp = port == RELAY_PORT_RTCP;

		check = srtp_session_new(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, ks, ks + 16,
					 SRTP_F_ANY_SSRC, 0);
		if (!check)
			abort();
		rc = rtcp ? srtp_session_unprotect_rtcp(check, pkt, &len)
			  : srtp_session_unprotect_rtp(check, pkt, &len);
		if (rc != 0 || len != size - 1)
			abort();
		if (!rtcp) {
			uint8_t map = d.side[RELAY_SIDE_BROWSER].pt_map[orig[1] & 0x7f];

			if (map)
				orig[1] = (uint8_t)((orig[1] & 0x80) | (map & 0x7f));
		}
		if (memcmp(pkt, orig, len) != 0)
			abort();
	}
	if (rc == 0 && from == RELAY_SIDE_BROWSER && len > size - 1)
		abort();	/* toward IMS a packet never grows */
	srtp_session_free(check);
	relay_flow_free(f);
	return 0;
}
