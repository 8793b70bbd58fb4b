/*
 * libFuzzer harness: MSRP media descriptions (m=message, and a=dcmap/a=dcsa of data
 * channel sections) from arbitrary SDP. Every refusal says why; what is read is written
 * into a new description and read back to the same path, types and file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp/sdp.h"
#include "sdp/sdp_msrp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct sdp_msrp *a, const struct sdp_msrp *b)
{
	if (a->path.n != b->path.n || strcmp(a->accept_types, b->accept_types) ||
	    a->setup != b->setup || a->dir != b->dir || a->max_size != b->max_size ||
	    a->file.present != b->file.present || strcmp(a->file.name, b->file.name) ||
	    a->file.size != b->file.size || strcmp(a->file_transfer_id, b->file_transfer_id))
		abort();
	for (unsigned i = 0; i < a->path.n; i++)
		if (!msrp_uri_equal(&a->path.uri[i], &b->path.uri[i]))
			abort();
}

static void round_trip(const struct sdp_msrp *o, bool dc, uint16_t stream)
{
	struct sdp_session *t = sdp_new(), *u;
	struct sdp_msrp back;
	struct sdp_media *m;
	char err[SDP_ERR_MAX], label[64], *text;
	uint16_t st;
	size_t len;

	if (!t)
		return;
	t->origin.username = "-";
	t->origin.sess_id = t->origin.sess_version = "1";
	t->origin.af = AF_INET;
	t->origin.addr = "192.0.2.1";
	t->name = "-";
	sdp_conn_set(t, &t->conn, "192.0.2.1");
	m = dc ? sdp_add_media(t, "application", 9, "UDP/DTLS/SCTP")
	       : sdp_add_media(t, "message", 2855, "TCP/MSRP");
	if (!m || sdp_media_add_fmt(t, m, dc ? "webrtc-datachannel" : "*") < 0 ||
	    (dc ? sdp_dc_msrp_to_media(t, m, stream, "chat", o) : sdp_msrp_to_media(t, m, o)) < 0 ||
	    sdp_serialize(t, &text, &len) < 0) {
		sdp_free(t);
		return; /* over a limit of the SDP model: not ours to judge */
	}
	sdp_free(t);
	if (sdp_parse(text, len, &u, err, sizeof(err)) == 0) {
		if ((dc ? sdp_dc_msrp_from_media(&u->media[0], &st, label, sizeof(label), &back, err,
						 sizeof(err))
			: sdp_msrp_from_media(&u->media[0], &back, err, sizeof(err))) != 0)
			abort();
		same(o, &back);
		sdp_free(u);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session *s;
	char err[SDP_ERR_MAX];

	if (sdp_parse((const char *)data, size, &s, err, sizeof(err)) != 0)
		return 0;
	for (unsigned i = 0; i < s->nmedia; i++) {
		struct sdp_msrp o;
		char label[64];
		uint16_t stream;
		int rc;

		err[0] = 0;
		rc = sdp_msrp_from_media(&s->media[i], &o, err, sizeof(err));
		if (rc < 0 && !err[0])
			abort();
		if (rc == 0)
			round_trip(&o, false, 0);
		err[0] = 0;
		rc = sdp_dc_msrp_from_media(&s->media[i], &stream, label, sizeof(label), &o, err,
					    sizeof(err));
		if (rc < 0 && rc != -ENOENT && !err[0])
			abort();
		if (rc == 0 && !strchr(label, '"'))
			round_trip(&o, true, stream);
	}
	sdp_free(s);
	return 0;
}
