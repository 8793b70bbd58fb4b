/*
 * libFuzzer harness: RFC 4867 AMR / AMR-WB payloads and fmtp lines. The first octet
 * picks the codec, the mode and a mode-set; the rest is the payload. Every refusal says
 * why; what parses is built again, and the build parses back to the same frames; an
 * fmtp that parses is written and parses back to the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/amr_fmtp.h"
#include "codec/amr_payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void payload(const uint8_t *data, size_t size)
{
	struct amr_format fmt = {
		.codec = data[0] & 1 ? AMR_WB : AMR_NB,
		.octet_align = data[0] & 2,
		.mode_set = data[0] & 4 ? (uint16_t)(data[0] >> 3) : 0,
	};
	static struct amr_payload pl, back;
	static uint8_t out[2048];
	char err[200] = "";
	int n;

	if (amr_payload_parse(&fmt, data + 1, size - 1, &pl, err, sizeof(err)) < 0) {
		if (!err[0] || pl.nframes)
			abort();
		return;
	}
	fmt.mode_set = 0; /* frames outside the set were accepted; build them too */
	n = amr_payload_build(&fmt, &pl, out, sizeof(out), err, sizeof(err));
	if (n < 0)
		abort();
	if (amr_payload_parse(&fmt, out, (size_t)n, &back, err, sizeof(err)) != 0 ||
	    back.warnings || back.cmr != pl.cmr || back.nframes != pl.nframes)
		abort();
	for (unsigned i = 0; i < pl.nframes; i++)
		if (back.frame[i].ft != pl.frame[i].ft || back.frame[i].q != pl.frame[i].q ||
		    memcmp(back.frame[i].data, pl.frame[i].data, sizeof(pl.frame[i].data)))
			abort();
}

static void fmtp(const uint8_t *data, size_t size)
{
	enum amr_codec c = data[0] & 1 ? AMR_WB : AMR_NB;
	struct amr_fmtp f, g;
	char text[512], out[512], err[200] = "";
	size_t n = size - 1 < sizeof(text) - 1 ? size - 1 : sizeof(text) - 1;

	memcpy(text, data + 1, n);
	text[n] = 0;
	if (amr_fmtp_parse(c, text, &f, err, sizeof(err)) < 0) {
		if (!err[0])
			abort();
		return;
	}
	if (amr_fmtp_format(&f, out, sizeof(out)) < 0 ||
	    amr_fmtp_parse(c, out, &g, err, sizeof(err)) != 0 || memcmp(&f, &g, sizeof(f)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	payload(data, size);
	fmtp(data, size);
	return 0;
}
