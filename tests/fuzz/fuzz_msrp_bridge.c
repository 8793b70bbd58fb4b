/*
 * libFuzzer harness: the MSRP bridge on arbitrary frames from either side (the first
 * byte of each record picks the side, the next two its length). Every frame the bridge
 * writes must parse, and fit the data channel's frame limit when it goes there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msrp/msrp_bridge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DC_MAX_FRAME 700

static struct msrp_limits lim;

static void on_send(void *arg, enum msrp_bridge_side to, const uint8_t *frame, size_t len)
{
	struct msrp_frame f;
	char err[160];
	struct msrp_limits big = lim;

	big.max_chunk = 1 << 20;
	big.max_header = 1 << 16;
	if (msrp_parse(frame, len, true, &big, &f, NULL, err, sizeof(err)) != (int)len)
		abort();
	if (to == MSRP_SIDE_DC && len > DC_MAX_FRAME && f.body_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const uris[] = { "msrp://gw.invalid/g1;dc", "msrp://192.0.2.1:2855/g2;tcp",
					    "msrp://browser.invalid/b1;dc",
					    "msrp://198.51.100.1:2855/r9;tcp msrp://203.0.113.5:4001/p7;tcp" };
	static const struct msrp_bridge_out o = { on_send };
	struct msrp_bridge_config c = { 0 };
	struct msrp_bridge *b;
	size_t off = 0;

	if (size == 0)
		return 0;
	msrp_limits_default(&lim);
	lim.max_chunk = 4096;
	lim.max_header = 2048;
	c.lim = lim;
	msrp_uri_parse(uris[0], strlen(uris[0]), &c.local[0]);
	msrp_uri_parse(uris[1], strlen(uris[1]), &c.local[1]);
	msrp_path_parse(uris[2], strlen(uris[2]), &c.peer[0]);
	msrp_path_parse(uris[3], strlen(uris[3]), &c.peer[1]);
	c.max_frame[MSRP_SIDE_DC] = DC_MAX_FRAME;
	c.max_chunk[MSRP_SIDE_IMS] = 100;
	b = msrp_bridge_new(&c, &o, NULL);
	if (!b)
		abort();
	while (size - off >= 3) {
		enum msrp_bridge_side side = data[off] & 1 ? MSRP_SIDE_IMS : MSRP_SIDE_DC;
		size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
		char err[160];

		off += 3;
		if (n > size - off)
			n = size - off;
		(void)msrp_bridge_input(b, side, data + off, n, err, sizeof(err));
		off += n;
	}
	if (data[0] & 2)
		(void)msrp_bridge_side_lost(b, data[0] & 4 ? MSRP_SIDE_IMS : MSRP_SIDE_DC);
	msrp_bridge_free(b);
	return 0;
}
