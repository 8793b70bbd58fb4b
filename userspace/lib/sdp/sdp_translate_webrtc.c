/*
 * Browser calls: browser offer -> IMS offer, then IMS answer -> browser answer.
 *
 * The IMS offer keeps the browser's payload type numbers (they are unique across the
 * bundle already). The browser answer keeps the browser's numbers too (RFC 3264 section
 * 6.1), so only an IMS answerer that renumbers makes the rewrite tables non-identity.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sdp/sdp_translate_util.h"

static uint32_t mask_of(const struct sdp_webrtc_local *wl, const struct sdp_ims_local *il)
{
	return (wl->codecs ? wl->codecs : SDP_CODECS_WEBRTC) &
	       (il->codecs ? il->codecs : SDP_CODECS_IMS);
}

/* An m= line refused on the IMS side: port 0 and the first format of the source. */
static int add_rejected(struct sdp_session *s, const char *type, const char *proto,
			const char *fmt)
{
	struct sdp_media *m = sdp_add_media(s, type, 0, proto);

	if (!m)
		return -ENOMEM;
	return sdp_media_add_fmt(s, m, fmt);
}

static int offer_stream(const struct sdp_session *offer, unsigned i, uint32_t mask,
			const struct sdp_ims_local *il, struct sdp_xlate *x,
			struct sdp_session *out, const char *group, char *err, size_t errlen)
{
	const struct sdp_media *om = &offer->media[i];
	struct sdp_xlate_stream *st = &x->s[i];
	struct sdp_codec all[SDP_CODEC_MAX], kept[SDP_XLATE_MAX_PT];
	unsigned nkept, nmedia;
	struct sdp_media *m;
	uint16_t port;
	int n, rc;

	rc = xl_ims_port(il, xl_rtp_ordinal(x, i), &port, err, errlen);
	if (rc < 0)
		return rc;
	if (port == 0 || om->port == 0 || !xl_is_webrtc_rtp(om))
		return add_rejected(out, om->type, "RTP/AVP", om->fmt[0]);
	if (!sdp_attrs_has(&om->attrs, "rtcp-mux"))
		return xl_fail(err, errlen, -ENOTSUP, "m= line %u: no a=rtcp-mux", om->line);
	if (!xl_in_group(group, st->mid))
		return xl_fail(err, errlen, -ENOTSUP, "m= line %u: mid \"%s\" is not in a BUNDLE group",
			       om->line, st->mid);
	n = sdp_codecs_parse(om, all, err, errlen);
	if (n < 0)
		return n;
	nkept = xl_filter_codecs(all, (unsigned)n, mask, kept, SDP_XLATE_MAX_PT, &nmedia);
	if (nmedia == 0)
		return add_rejected(out, om->type, "RTP/AVP", om->fmt[0]);

	m = sdp_add_media(out, om->type, port, "RTP/AVP");
	if (!m)
		return -ENOMEM;
	for (unsigned k = 0; k < nkept; k++) {
		rc = xl_add_codec(out, m, &kept[k], kept[k].pt, kept[k].fmtp);
		if (rc < 0)
			return rc;
		st->pairs[k].webrtc_pt = kept[k].pt;
		st->pairs[k].ims_pt = kept[k].pt;
	}
	st->npairs = nkept;
	st->webrtc_dir = xl_direction(offer, om);
	rc = xl_copy_ptime(out, m, om);
	if (!rc)
		rc = sdp_attrs_add(out, &m->attrs, xl_direction_name(st->webrtc_dir), NULL);
	return rc;
}

int sdp_xlate_webrtc_offer(const struct sdp_session *offer, const struct sdp_webrtc_local *wl,
			   const struct sdp_ims_local *il, struct sdp_xlate *x,
			   struct sdp_session **out, char *err, size_t errlen)
{
	const char *group = xl_bundle_group(offer);
	uint32_t mask = mask_of(wl, il);
	struct sdp_session *s;
	unsigned nims = 0, nactive = 0, nav = 0;
	int rc, first_active = -1;

	memset(x, 0, sizeof(*x));
	x->msrp.stream = -1;
	*out = NULL;
	rc = xl_new_session(il->addr, il->sess_id, il->sess_version, &s);
	if (rc < 0)
		return xl_fail(err, errlen, rc, "cannot start the IMS offer (local address \"%s\")",
			       il->addr);
	for (unsigned i = 0; i < offer->nmedia; i++) {
		const struct sdp_media *om = &offer->media[i];
		struct sdp_xlate_stream *st = &x->s[i];
		const char *mid = sdp_attrs_get(&om->attrs, "mid");

		st->kind = xl_kind(om);
		st->webrtc_index = (int)i;
		st->ims_index = -1;
		snprintf(st->mid, sizeof(st->mid), "%s", mid ? mid : "");
		st->webrtc_ssrc = xl_first_ssrc(om);
		if (st->kind == SDP_STREAM_DATACHANNEL && xl_msrp_wanted(wl, il) &&
		    x->msrp.stream < 0 && om->port && xl_in_group(group, st->mid)) {
			/* file transfer: the data channel becomes an MSRP session toward IMS */
			st->ims_index = (int)nims++;
			x->msrp.stream = (int)i;
			rc = xl_msrp_read_dc(om, &x->msrp, err, errlen);
			if (!rc)
				rc = xl_msrp_add_ims(s, il, x->msrp.dc_mapped ? &x->msrp.dc : NULL,
						     SDP_MSRP_ACTIVE, err, errlen);
			if (rc < 0)
				goto err;
			nactive++;
			if (first_active < 0)
				first_active = (int)i;
			continue;
		}
		if (st->kind != SDP_STREAM_AUDIO && st->kind != SDP_STREAM_VIDEO)
			continue;
		nav++;
		st->ims_index = (int)nims++;
		rc = offer_stream(offer, i, mask, il, x, s, group, err, errlen);
		if (rc < 0)
			goto err;
		if (st->npairs) {
			nactive++;
			if (first_active < 0)
				first_active = (int)i;
		}
	}
	x->nstreams = offer->nmedia;
	if (nactive == 0) {
		x->warning = nav ? 305 : 304;
		rc = xl_fail(err, errlen, -EPROTONOSUPPORT,
			     nav ? "no audio or video codec in common with the IMS side"
			     : xl_msrp_wanted(wl, il) ? "the offer has no audio, video or data channel to carry to IMS"
				 : "the offer has no audio or video to carry to IMS");
		goto err;
	}
	rc = xl_read_webrtc_transport(offer, &offer->media[first_active], x, err, errlen);
	if (rc < 0)
		goto err;
	rc = 0;
err:
	return xl_finish(s, rc, out, "IMS offer", err, errlen);
}

/* Our a=setup in an answer to the browser's offer (RFC 5763 section 5, RFC 8842). */
static int answer_setup(const struct sdp_session *offer, const struct sdp_media *om,
			const struct sdp_webrtc_local *wl, enum sdp_setup *setup, char *err,
			size_t errlen)
{
	switch (xl_setup(offer, om)) {
	case SDP_SETUP_ACTPASS:
		*setup = wl->answer_setup == SDP_SETUP_PASSIVE ? SDP_SETUP_PASSIVE : SDP_SETUP_ACTIVE;
		return 0;
	case SDP_SETUP_ACTIVE:
	case SDP_SETUP_NONE: /* RFC 4145 section 4: an offer without a=setup is active */
		*setup = SDP_SETUP_PASSIVE;
		return 0;
	case SDP_SETUP_PASSIVE:
		*setup = SDP_SETUP_ACTIVE;
		return 0;
	}
	return xl_fail(err, errlen, -ENOTSUP, "m= line %u: a=setup:%s is not supported", om->line,
		       sdp_attrs_get(&om->attrs, "setup") ?: sdp_attrs_get(&offer->attrs, "setup"));
}

/* A browser m= line refused in the answer: port 0, not in the BUNDLE group. */
static int answer_rejected(struct sdp_session *s, const struct sdp_media *om,
			   const struct sdp_xlate_stream *st)
{
	struct sdp_media *m = sdp_add_media(s, om->type, 0, om->proto);
	int rc;

	if (!m)
		return -ENOMEM;
	rc = sdp_media_add_fmt(s, m, om->fmt[0]);
	if (!rc && st->mid[0])
		rc = sdp_attrs_add(s, &m->attrs, "mid", "%s", st->mid);
	return rc;
}

static int answer_datachannel(struct sdp_session *s, const struct sdp_session *offer,
			      const struct sdp_media *om, const struct sdp_webrtc_local *wl,
			      struct sdp_xlate_stream *st, enum sdp_setup setup)
{
	struct sdp_media *m = sdp_add_media(s, om->type, wl->port, om->proto);
	int rc;

	if (!m)
		return -ENOMEM;
	rc = xl_add_webrtc_datachannel(s, m, wl, st->mid, setup);
	st->active = true;
	st->webrtc_dir = xl_direction(offer, om);
	return rc;
}

/* The browser's MSRP data channel after the IMS peer's answer to our m=message. */
static int answer_msrp(struct sdp_session *s, const struct sdp_session *offer,
		       const struct sdp_media *om, const struct sdp_media *am,
		       const struct sdp_webrtc_local *wl, struct sdp_xlate *x, enum sdp_setup setup,
		       char *err, size_t errlen)
{
	struct sdp_xlate_stream *st = &x->s[x->msrp.stream];
	char why[160];
	int rc;

	x->msrp.active = false;
	if (am->port == 0 || setup == SDP_SETUP_NONE)
		return answer_rejected(s, om, st);
	if (!xl_is_ims_msrp(am))
		return xl_fail(err, errlen, -EINVAL,
			       "IMS answer m= line %u is \"%s %s\" where the offer had message TCP/MSRP",
			       am->line, am->type, am->proto);
	if (sdp_msrp_from_media(am, &x->msrp.ims, why, sizeof(why)) < 0)
		return xl_fail(err, errlen, -EINVAL, "IMS answer m= line %u: %s", am->line, why);
	/* we offered a=setup:active (RFC 6135); a peer that insists on connecting is let in */
	x->msrp.we_connect = x->msrp.ims.setup != SDP_MSRP_ACTIVE;
	x->msrp.active = true;
	rc = answer_datachannel(s, offer, om, wl, st, setup);
	if (!rc)
		rc = xl_msrp_add_dc(s, &s->media[s->nmedia - 1], wl,
				    x->msrp.dc_mapped ? x->msrp.dc_stream : 0, &x->msrp.ims, err,
				    errlen);
	return rc;
}

static int answer_stream(struct sdp_session *s, const struct sdp_session *offer, unsigned i,
			 const struct sdp_session *ims_answer, const struct sdp_webrtc_local *wl,
			 struct sdp_xlate *x, enum sdp_setup setup, char *err, size_t errlen)
{
	const struct sdp_media *om = &offer->media[i];
	struct sdp_xlate_stream *st = &x->s[i];
	const struct sdp_media *am = &ims_answer->media[st->ims_index];
	struct sdp_codec oc[SDP_CODEC_MAX], ac[SDP_CODEC_MAX];
	const struct sdp_codec *acc_b[SDP_XLATE_MAX_PT], *acc_a[SDP_XLATE_MAX_PT];
	bool used[SDP_XLATE_MAX_PT] = { false };
	unsigned nacc = 0, nmedia = 0;
	struct sdp_media *m;
	int no, na, rc;

	if (st->npairs == 0 || am->port == 0)
		return answer_rejected(s, om, st);
	if (strcmp(am->type, om->type) != 0 || !xl_is_ims_rtp(am))
		return xl_fail(err, errlen, -EINVAL,
			       "IMS answer m= line %u is \"%s %s\" where the offer had %s RTP/AVP",
			       am->line, am->type, am->proto, om->type);
	rc = xl_parse_codecs(om, oc, &no, am, ac, &na, err, errlen);
	if (rc < 0)
		return rc;
	/* in the answerer's order of preference, each offered codec at most once */
	for (int a = 0; a < na && nacc < SDP_XLATE_MAX_PT; a++) {
		for (unsigned p = 0; p < st->npairs; p++) {
			const struct sdp_codec *bc = NULL;

			if (used[p])
				continue;
			for (int k = 0; k < no; k++)
				if (oc[k].pt == st->pairs[p].webrtc_pt)
					bc = &oc[k];
			if (!bc || !sdp_codec_match(bc, &ac[a]))
				continue;
			used[p] = true;
			acc_b[nacc] = bc;
			acc_a[nacc++] = &ac[a];
			xl_map_add(st->to_ims, &st->n_to_ims, bc->pt, ac[a].pt, bc->id);
			xl_map_add(st->to_webrtc, &st->n_to_webrtc, st->pairs[p].ims_pt, bc->pt,
				   bc->id);
			if (bc->id != SDP_CODEC_TELEPHONE_EVENT)
				nmedia++;
			break;
		}
	}
	if (nmedia == 0)
		return xl_fail(err, errlen, -EINVAL,
			       "IMS answer m= line %u accepts no codec that the offer listed",
			       am->line);
	/* an answerer that renumbered may send with its own numbers (RFC 3264 says it
	 * should not): accept those too where they collide with no offered number */
	for (unsigned k = 0; k < nacc; k++) {
		bool taken = false;

		for (unsigned p = 0; p < st->npairs; p++)
			taken |= st->pairs[p].ims_pt == acc_a[k]->pt;
		if (!taken)
			xl_map_add(st->to_webrtc, &st->n_to_webrtc, acc_a[k]->pt, acc_b[k]->pt,
				   acc_b[k]->id);
	}
	rc = xl_read_ims_remote(ims_answer, am, st, err, errlen);
	if (rc < 0)
		return rc;
	st->active = true;
	st->webrtc_dir = xl_direction(offer, om);
	st->ims_dir = xl_direction(ims_answer, am);

	m = sdp_add_media(s, om->type, wl->port, om->proto);
	if (!m)
		return -ENOMEM;
	rc = xl_add_webrtc_transport(s, m, wl, setup);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "mid", "%s", st->mid);
	/* the gateway stands in for the IMS peer: its direction is ours */
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, xl_direction_name(st->ims_dir), NULL);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "rtcp-mux", NULL);
	for (unsigned k = 0; k < nacc && !rc; k++)
		/* the IMS peer's fmtp: the parameters it receives with */
		rc = xl_add_codec(s, m, acc_b[k], acc_b[k]->pt, acc_a[k]->fmtp);
	if (!rc)
		rc = xl_copy_ptime(s, m, am);
	if (!rc && xl_dir_sends(st->ims_dir))
		rc = xl_add_webrtc_ssrc(s, m, wl, i, st->mid);
	return rc;
}

int sdp_xlate_ims_answer(const struct sdp_session *webrtc_offer,
			 const struct sdp_session *ims_answer, const struct sdp_webrtc_local *wl,
			 struct sdp_xlate *x, struct sdp_session **out, char *err, size_t errlen)
{
	struct sdp_session *s = NULL;
	enum sdp_setup setup = SDP_SETUP_NONE;
	unsigned nims = 0, naccepted = 0;
	char bundle[SDP_MAX_MEDIA * 34 + 8] = "BUNDLE";
	int rc;

	*out = NULL;
	for (unsigned i = 0; i < x->nstreams; i++)
		nims += x->s[i].ims_index >= 0;
	if (x->nstreams != webrtc_offer->nmedia)
		return xl_fail(err, errlen, -EINVAL, "the browser offer does not match the translation state");
	if (ims_answer->nmedia != nims)
		return xl_fail(err, errlen, -EINVAL, "IMS answer has %u m= lines, the offer had %u",
			       ims_answer->nmedia, nims);
	for (unsigned i = 0; i < x->nstreams && setup == SDP_SETUP_NONE; i++)
		if (x->s[i].npairs || (int)i == x->msrp.stream) {
			rc = answer_setup(webrtc_offer, &webrtc_offer->media[i], wl, &setup, err,
					  errlen);
			if (rc < 0)
				return rc;
		}
	rc = xl_new_session(wl->addr, wl->sess_id, wl->sess_version, &s);
	if (rc < 0)
		return xl_fail(err, errlen, rc, "cannot start the browser answer (local address \"%s\")",
			       wl->addr);
	for (unsigned i = 0; i < x->nstreams; i++) {
		const struct sdp_media *om = &webrtc_offer->media[i];
		struct sdp_xlate_stream *st = &x->s[i];

		st->active = false;
		st->n_to_ims = st->n_to_webrtc = 0;
		if ((int)i == x->msrp.stream)
			rc = answer_msrp(s, webrtc_offer, om, &ims_answer->media[st->ims_index], wl, x,
					 setup, err, errlen);
		else if (st->kind == SDP_STREAM_DATACHANNEL && wl->datachannel && om->port &&
		    setup != SDP_SETUP_NONE && xl_in_group(xl_bundle_group(webrtc_offer), st->mid))
			rc = answer_datachannel(s, webrtc_offer, om, wl, st, setup);
		else if (st->ims_index < 0)
			rc = answer_rejected(s, om, st);
		else
			rc = answer_stream(s, webrtc_offer, i, ims_answer, wl, x, setup, err, errlen);
		if (rc < 0)
			goto err;
		if (st->active) {
			naccepted += st->kind != SDP_STREAM_DATACHANNEL || (int)i == x->msrp.stream;
			strcat(bundle, " ");
			strcat(bundle, st->mid);
		}
	}
	if (naccepted == 0) {
		x->warning = 304;
		rc = xl_fail(err, errlen, -EPROTONOSUPPORT, x->msrp.stream >= 0 ?
			     "the IMS side accepted no audio, video or file transfer" :
			     "the IMS side accepted no audio or video");
		goto err;
	}
	rc = sdp_attrs_add(s, &s->attrs, "group", "%s", bundle);
	if (!rc)
		rc = sdp_attrs_add(s, &s->attrs, "ice-lite", NULL);
	if (rc < 0)
		goto err;
	x->dtls_role = setup == SDP_SETUP_ACTIVE ? SDP_DTLS_ROLE_CLIENT : SDP_DTLS_ROLE_SERVER;
	rc = 0;
err:
	return xl_finish(s, rc, out, "browser answer", err, errlen);
}
