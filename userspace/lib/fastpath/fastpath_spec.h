/*
 * A fast path flow as an operator gives it (nwitctl flow add, see nwitctl.8): a JSON
 * object of strings, parsed into the kernel flow, its ingress device and hook, and the
 * SRTP keying of its SSRCs.
 */
#ifndef NWIT_FASTPATH_SPEC_H
#define NWIT_FASTPATH_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fastpath/fastpath.h"
#include "sdp/sdes_inline.h"

#define FASTPATH_SPEC_MAX_SSRCS 8

struct fastpath_spec {
	struct nwit_flow_key key;
	struct nwit_flow flow;
	unsigned int in_ifindex;
	enum fastpath_hook hook;
	uint32_t ssrcs[FASTPATH_SPEC_MAX_SSRCS];
	size_t n_ssrcs;
	int has_key;
	struct sdes_inline_key inline_key;
	uint32_t roc;
};

/*
 * Parse args: id, in, src, dst, action (required); hook, out, out_src, out_dst, dscp,
 * pt, ext, ssrc, key, roc (optional). Returns 0, or -EINVAL / -ENODEV / -ENOTSUP with a
 * reason in err.
 */
int fastpath_spec_parse(json_t *args, struct fastpath_spec *out, char *err, size_t errlen);

#endif
