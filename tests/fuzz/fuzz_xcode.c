/*
 * libFuzzer harness: the transcoder with arbitrary packets from either leg. The first
 * octet picks AMR-WB or AMR, the payload mode, the direction, and whether the rest is a
 * whole packet or a payload behind a valid RTP header of the negotiated payload type
 * (so that the AMR parser, the AMR decoders and the Opus decoder see the bytes). Every
 * refusal must say why; whatever is sent must be RTP of our payload types.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/rtp_map.h"
#include "codec/xcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[2048], out[1500];
	enum xcode_dir dir;
	struct xcode_config c;
	struct xcode *x;
	struct rtp_view v;
	char err[200];
	size_t len;
	int rc;

	if (size < 1 || size > 1400)
		return 0;
	xcode_config_default(&c, data[0] & 0x10 ? XCODE_WEB_PCMU : XCODE_WEB_OPUS,
			     data[0] & 1 ? AMR_WB : AMR_NB);
	c.ims_fmtp.octet_align = data[0] & 2;
	c.web_te_pt = 101;
	c.ims_te_pt = 100;
	dir = data[0] & 4 ? XCODE_TO_WEB : XCODE_TO_IMS;
	if (xcode_new(&c, &x, err, sizeof(err)) != 0)
		abort();
	if (data[0] & 8) {
		len = size - 1;
		memcpy(pkt, data + 1, len);
	} else {
		uint8_t pt = dir == XCODE_TO_WEB ? c.ims_pt : c.web_pt;

		if (data[0] & 0x20)
			pt = dir == XCODE_TO_WEB ? 100 : 101;
		rtp_header_write(pkt, pt, false, 1, 1000, 42);
		memcpy(pkt + 12, data + 1, size - 1);
		len = size + 11;
	}
	/* twice: the second packet is a duplicate and must be refused */
	for (int i = 0; i < 2; i++) {
		err[0] = 0;
		rc = xcode_packet(x, dir, pkt, len, out, sizeof(out), err, sizeof(err));
		if (rc < 0 && !err[0])
			abort();
		if (rc > 0) {
			if (rtp_view_parse(out, (size_t)rc, &v) < 0)
				abort();
			if (dir == XCODE_TO_WEB && v.pt != c.web_pt && v.pt != 101)
				abort();
			if (dir == XCODE_TO_IMS && v.pt != c.ims_pt && v.pt != 100)
				abort();
			if (i == 1)
				abort();
		}
	}
	xcode_free(x);
	return 0;
}
