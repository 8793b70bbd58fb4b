/*
 * libFuzzer harness: the MSRP frame parser on arbitrary streams (frame after frame, as a
 * connection reads them), with small limits. Every refusal says why; every frame parsed
 * must rebuild into a frame that parses again to the same values; SEND chunks go through
 * reassembly, responses and REPORTs are built for them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msrp/msrp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rebuild(const struct msrp_frame *f, const struct msrp_limits *lim)
{
	static uint8_t out[1 << 16];
	struct msrp_frame g;
	char err[160];
	int n;

	n = msrp_build(f, out, sizeof(out));
	if (n == -ENOSPC)
		return;
	if (n < 0)
		abort(); /* a parsed frame is always writable */
	if (msrp_parse(out, (size_t)n, true, lim, &g, NULL, err, sizeof(err)) != n)
		abort();
	if (g.is_request != f->is_request || strcmp(g.tid, f->tid) || g.body_len != f->body_len ||
	    (f->body_len && memcmp(g.body, f->body, f->body_len)) || g.to.n != f->to.n ||
	    g.from.n != f->from.n || g.cont != f->cont || strcmp(g.message_id, f->message_id) ||
	    g.range_start != f->range_start || g.range_end != f->range_end ||
	    g.range_total != f->range_total || g.status_code != f->status_code)
		abort();
	for (unsigned i = 0; i < f->to.n; i++)
		if (!msrp_uri_equal(&f->to.uri[i], &g.to.uri[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[4096];
	struct msrp_limits lim = {
		.max_header = 1024, .max_chunk = 2048, .max_message = 8192, .max_concurrent = 2,
	};
	struct msrp_reasm *r = msrp_reasm_new(&lim);
	size_t off = 0;

	if (!r)
		return 0;
	while (off < size) {
		struct msrp_frame f;
		struct msrp_message m;
		enum msrp_error why;
		uint64_t received;
		bool aborted;
		char err[160] = "";
		int n = msrp_parse(data + off, size - off, true, &lim, &f, &why, err, sizeof(err));

		if (n < 0 && (!err[0] || why == MSRP_OK))
			abort(); /* every refusal says why */
		if (n <= 0)
			break;
		check_rebuild(&f, &lim);
		if (f.is_request && f.method == MSRP_SEND) {
			int rc = msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err));

			if (rc == 1) {
				if (m.len > lim.max_message)
					abort();
				free(m.data);
			}
			(void)msrp_build_response(&f, rc < 0 ? 413 : 200, NULL, out, sizeof(out));
			(void)msrp_build_report(&f, received, received, 200, NULL, out,
						sizeof(out));
		}
		off += (size_t)n;
	}
	msrp_reasm_free(r);
	return 0;
}
