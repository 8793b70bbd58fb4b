/*
 * MSRP media descriptions, both forms:
 *   IMS:      m=message <port> TCP/MSRP *   with a=path, a=accept-types,
 *             a=accept-wrapped-types, a=max-size (RFC 4975 section 8), a=setup (RFC 6135),
 *             a=file-selector, a=file-transfer-id (RFC 5547), a direction attribute;
 *   browser:  the same attributes of one data channel, in a=dcmap:<stream>
 *             subprotocol="msrp";label="..." and a=dcsa:<stream> <attribute> lines of an
 *             m=application ... webrtc-datachannel section (RFC 8864, RFC 8873).
 */
#ifndef NWIT_SDP_MSRP_H
#define NWIT_SDP_MSRP_H

#include <stdbool.h>
#include <stdint.h>

#include "msrp/msrp.h"
#include "sdp/sdp.h"

enum sdp_msrp_setup { SDP_MSRP_SETUP_NONE = 0, SDP_MSRP_ACTIVE, SDP_MSRP_PASSIVE,
		      SDP_MSRP_ACTPASS };
enum sdp_msrp_dir { SDP_MSRP_SENDRECV = 0, SDP_MSRP_SENDONLY, SDP_MSRP_RECVONLY,
		    SDP_MSRP_INACTIVE };

/* a=file-selector (RFC 5547 section 6) */
struct sdp_msrp_file {
	bool present;
	char name[256];	    /* unquoted; may be "" */
	char type[128];	    /* "image/jpeg", "" when absent */
	uint64_t size;	    /* 0 when absent */
	char hash_alg[16];  /* "sha-1", "" when absent */
	char hash[128];	    /* "72:24:..." */
};

struct sdp_msrp {
	struct msrp_path path;
	char accept_types[256];		/* space separated, as written */
	char accept_wrapped_types[256];	/* "" when absent */
	uint64_t max_size;		/* 0 when absent */
	enum sdp_msrp_setup setup;
	enum sdp_msrp_dir dir;
	struct sdp_msrp_file file;
	char file_transfer_id[128];	/* "" when absent */
};

/*
 * Read an m=message section (TCP/MSRP or TCP/TLS/MSRP, format "*"). 0, or -EINVAL with
 * the reason in err (another kind of section, no or bad a=path, no a=accept-types, a bad
 * a=setup, a=max-size or a=file-selector). Counted (msrp_malformed) when refused.
 */
int sdp_msrp_from_media(const struct sdp_media *m, struct sdp_msrp *out, char *err,
			size_t errlen);

/* Add the attributes of in to m (an m=message section the caller made). 0, -E2BIG, -ENOMEM. */
int sdp_msrp_to_media(struct sdp_session *s, struct sdp_media *m, const struct sdp_msrp *in);

/*
 * Find the data channel with subprotocol "msrp" in an m=application section and read
 * its a=dcsa attributes: stream id and label out. 0, -ENOENT when there is none,
 * -EINVAL (bad a=dcmap or a=dcsa) with the reason in err.
 */
int sdp_dc_msrp_from_media(const struct sdp_media *m, uint16_t *stream, char *label,
			   size_t label_cap, struct sdp_msrp *out, char *err, size_t errlen);

/* Add a=dcmap:<stream> subprotocol="msrp";label="<label>" and its a=dcsa lines. */
int sdp_dc_msrp_to_media(struct sdp_session *s, struct sdp_media *m, uint16_t stream,
			 const char *label, const struct sdp_msrp *in);

#endif
