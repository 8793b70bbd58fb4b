/*
 * libFuzzer harness: BUNDLE demultiplexing of arbitrary datagrams. The first byte picks
 * the state (learned SSRCs, payload types); a pick must name a stream that exists or
 * give an error, and learning what was picked keeps the answer the same.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "webrtc/bundle_demux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_demux d;
	uint32_t ssrc = 0, again = 0;
	int s, t;

	if (size < 1)
		return 0;
	bundle_demux_init(&d);
	for (unsigned pt = 0; pt < 128; pt++)
		if ((pt ^ data[0]) % 3 == 0)
			bundle_demux_set_pt(&d, pt, (pt + data[0]) % BUNDLE_MAX_STREAMS);
	d.default_stream = data[0] & 1 ? (int)(data[0] >> 1) % BUNDLE_MAX_STREAMS : -1;
	for (size_t i = 1; i + 4 <= size && i < 1 + 4 * 40; i += 4)
		bundle_demux_learn(&d, (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 |
				   (uint32_t)data[i + 2] << 8 | data[i + 3], data[i] % BUNDLE_MAX_STREAMS);
	if (d.nssrc > BUNDLE_MAX_SSRCS)
		abort();
	s = bundle_demux_pick(&d, data + 1, size - 1, &ssrc);
	if (s >= BUNDLE_MAX_STREAMS || (s < 0 && s != -EBADMSG && s != -ENOENT))
		abort();
	if (s >= 0) {
		t = bundle_demux_learn(&d, ssrc, (unsigned)s);
		if (t != 0 && t != -ENOSPC)
			abort();
		if (bundle_demux_pick(&d, data + 1, size - 1, &again) != s || again != ssrc)
			abort();
	}
	return 0;
}
