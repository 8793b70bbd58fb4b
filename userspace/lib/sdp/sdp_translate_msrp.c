/*
 * MSRP file transfer in the SDP translation (sdp_translate.h): a browser data channel
 * section <-> an IMS m=message TCP/MSRP section. The gateway is the MSRP peer of both
 * sides, so each side gets the gateway's own a=path and the other attributes
 * (accept-types, max-size, RFC 5547 file-selector and file-transfer-id, direction) are
 * carried across.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp_translate_util.h"

bool xl_msrp_wanted(const struct sdp_webrtc_local *wl, const struct sdp_ims_local *il)
{
	return wl->msrp_dc_uri && il->msrp_uri;
}

static int uint_attr(const struct sdp_media *m, const char *name, unsigned long max,
		     unsigned long dflt, unsigned long *out, char *err, size_t errlen)
{
	const char *v = sdp_attrs_get(&m->attrs, name);
	char *end;

	*out = dflt;
	if (!v)
		return 0;
	*out = strtoul(v, &end, 10);
	if (end == v || *end || *out > max)
		return xl_fail(err, errlen, -EINVAL, "m= line %u: bad a=%s:%s", m->line, name, v);
	return 0;
}

int xl_msrp_read_dc(const struct sdp_media *m, struct sdp_xlate_msrp *ms, char *err,
		    size_t errlen)
{
	unsigned long port, mms;
	char label[64], why[160];
	int rc;

	rc = uint_attr(m, "sctp-port", 65535, 5000, &port, err, errlen);
	if (!rc)
		rc = uint_attr(m, "max-message-size", UINT32_MAX, 65536, &mms, err, errlen);
	if (rc < 0)
		return rc;
	/* RFC 8841 section 6: 0 means "any size"; we still send no more than the default */
	ms->dc_sctp_port = port ? (uint16_t)port : 5000;
	ms->dc_max_message = mms ? (uint32_t)mms : 65536;
	rc = sdp_dc_msrp_from_media(m, &ms->dc_stream, label, sizeof(label), &ms->dc, why,
				    sizeof(why));
	if (rc == -ENOENT) {
		ms->dc_mapped = false;
		memset(&ms->dc, 0, sizeof(ms->dc));
		return 0;
	}
	if (rc < 0)
		return xl_fail(err, errlen, -EINVAL, "m= line %u: MSRP data channel: %s", m->line,
			       why);
	ms->dc_mapped = true;
	return 0;
}

/* Our attributes for one side: our path, the rest from the other side's peer. */
static int ours(const char *uri, const struct sdp_msrp *from, enum sdp_msrp_setup setup,
		struct sdp_msrp *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	if (msrp_path_parse(uri, strlen(uri), &o->path) < 0 || o->path.n != 1)
		return xl_fail(err, errlen, -EINVAL, "our MSRP URI \"%s\" is not valid", uri);
	if (from) {
		snprintf(o->accept_types, sizeof(o->accept_types), "%s", from->accept_types);
		snprintf(o->accept_wrapped_types, sizeof(o->accept_wrapped_types), "%s",
			 from->accept_wrapped_types);
		o->max_size = from->max_size;
		o->dir = from->dir;
		o->file = from->file;
		snprintf(o->file_transfer_id, sizeof(o->file_transfer_id), "%s",
			 from->file_transfer_id);
	}
	if (!o->accept_types[0])
		snprintf(o->accept_types, sizeof(o->accept_types), "*");
	o->setup = setup;
	return 0;
}

/* The direction the gateway states for a peer that wrote dir (it stands in for it). */
int xl_msrp_add_ims(struct sdp_session *s, const struct sdp_ims_local *il,
		    const struct sdp_msrp *from, enum sdp_msrp_setup setup, char *err,
		    size_t errlen)
{
	struct sdp_msrp o;
	struct sdp_media *m;
	int rc = ours(il->msrp_uri, from, setup, &o, err, errlen);

	if (rc < 0)
		return rc;
	m = sdp_add_media(s, "message", o.path.uri[0].port, "TCP/MSRP");
	if (!m)
		return -ENOMEM;
	rc = sdp_media_add_fmt(s, m, "*");
	if (!rc)
		rc = sdp_msrp_to_media(s, m, &o);
	return rc;
}

int xl_msrp_add_dc(struct sdp_session *s, struct sdp_media *m, const struct sdp_webrtc_local *wl,
		   uint16_t stream, const struct sdp_msrp *from, char *err, size_t errlen)
{
	struct sdp_msrp o;
	int rc = ours(wl->msrp_dc_uri, from, SDP_MSRP_SETUP_NONE, &o, err, errlen);

	if (rc < 0)
		return rc;
	return sdp_dc_msrp_to_media(s, m, stream, "msrp", &o);
}

int xl_msrp_add_rejected_ims(struct sdp_session *s)
{
	struct sdp_media *m = sdp_add_media(s, "message", 0, "TCP/MSRP");

	if (!m)
		return -ENOMEM;
	return sdp_media_add_fmt(s, m, "*");
}

bool xl_is_ims_msrp(const struct sdp_media *m)
{
	return strcmp(m->type, "message") == 0 &&
	       (strcmp(m->proto, "TCP/MSRP") == 0 || strcmp(m->proto, "TCP/TLS/MSRP") == 0);
}
