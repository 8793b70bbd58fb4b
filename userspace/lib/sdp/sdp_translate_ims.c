/*
 * IMS calls: IMS offer -> browser offer, then browser answer -> IMS answer.
 *
 * The browser offer bundles every m= line on one transport, so a payload type number
 * may be used by one m= line only (RFC 8843 section 9.1): where the IMS offer uses the
 * same number in audio and video, the browser side gets a free dynamic number instead
 * and the rewrite tables carry the difference.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp/sdp_translate_util.h"

static uint32_t mask_of(const struct sdp_webrtc_local *wl, const struct sdp_ims_local *il)
{
	return (wl->codecs ? wl->codecs : SDP_CODECS_WEBRTC) &
	       (il->codecs ? il->codecs : SDP_CODECS_IMS);
}

/* The IMS number if free in the bundle, else the first free dynamic number. */
static int pick_pt(bool used[128], uint8_t want)
{
	if (!used[want])
		return want;
	for (int pt = 96; pt < 128; pt++)
		if (!used[pt])
			return pt;
	for (int pt = 35; pt < 64; pt++) /* RFC 3551 unassigned range, as browsers use */
		if (!used[pt])
			return pt;
	return -1;
}

static int offer_rejected(struct sdp_session *s, const struct sdp_media *om,
			  const struct sdp_xlate_stream *st)
{
	struct sdp_media *m = sdp_add_media(s, om->type, 0, "UDP/TLS/RTP/SAVPF");
	int rc;

	if (!m)
		return -ENOMEM;
	rc = sdp_media_add_fmt(s, m, om->fmt[0]);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "mid", "%s", st->mid);
	return rc;
}

/* The offerer's direction, with RFC 3264 section 8.4's old hold (c=0.0.0.0) folded in. */
static enum sdp_direction offer_direction(const struct sdp_session *s, const struct sdp_media *m)
{
	const struct sdp_conn *c = m->conn.present ? &m->conn : &s->conn;
	enum sdp_direction d = xl_direction(s, m);

	if (c->af == AF_INET && strcmp(c->addr, "0.0.0.0") == 0) {
		if (d == SDP_DIR_SENDRECV)
			return SDP_DIR_SENDONLY;
		if (d == SDP_DIR_RECVONLY)
			return SDP_DIR_INACTIVE;
	}
	return d;
}

static int offer_stream(struct sdp_session *s, const struct sdp_session *offer, unsigned i,
			const struct sdp_webrtc_local *wl, const struct sdp_ims_local *il,
			uint32_t mask, bool used[128], struct sdp_xlate *x, char *err,
			size_t errlen)
{
	const struct sdp_media *om = &offer->media[i];
	struct sdp_xlate_stream *st = &x->s[i];
	struct sdp_codec all[SDP_CODEC_MAX], kept[SDP_XLATE_MAX_PT];
	unsigned nkept, nmedia;
	bool avpf = strcmp(om->proto, "RTP/AVPF") == 0;
	struct sdp_media *m;
	uint16_t port;
	int n, rc;

	rc = xl_ims_port(il, xl_rtp_ordinal(x, i), &port, err, errlen);
	if (rc < 0)
		return rc;
	if (om->port == 0 || port == 0)
		return offer_rejected(s, om, st);
	n = sdp_codecs_parse(om, all, err, errlen);
	if (n < 0)
		return n;
	nkept = xl_filter_codecs(all, (unsigned)n, mask, kept, SDP_XLATE_MAX_PT, &nmedia);
	if (nmedia == 0)
		return offer_rejected(s, om, st);
	rc = xl_read_ims_remote(offer, om, st, err, errlen);
	if (rc < 0)
		return rc;
	st->ims_dir = offer_direction(offer, om);

	m = sdp_add_media(s, om->type, wl->port, "UDP/TLS/RTP/SAVPF");
	if (!m)
		return -ENOMEM;
	rc = xl_add_webrtc_transport(s, m, wl, SDP_SETUP_ACTPASS); /* RFC 8842 section 5.2 */
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "mid", "%s", st->mid);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, xl_direction_name(st->ims_dir), NULL);
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, "rtcp-mux", NULL);
	for (unsigned k = 0; k < nkept && !rc; k++) {
		int pt = pick_pt(used, kept[k].pt);

		if (pt < 0)
			return xl_fail(err, errlen, -E2BIG, "no free RTP payload type left in the bundle");
		used[pt] = true;
		st->pairs[k].webrtc_pt = (uint8_t)pt;
		st->pairs[k].ims_pt = kept[k].pt;
		rc = xl_add_codec(s, m, &kept[k], (uint8_t)pt, kept[k].fmtp);
		/* feedback only where the IMS side may send it (RFC 4585 needs AVPF) */
		for (int f = 0; !rc && avpf && xl_rtcp_fb_kinds[f]; f++)
			if (xl_has_rtcp_fb(om, kept[k].pt, xl_rtcp_fb_kinds[f]))
				rc = sdp_attrs_add(s, &m->attrs, "rtcp-fb", "%d %s", pt,
						   xl_rtcp_fb_kinds[f]);
	}
	st->npairs = nkept;
	if (!rc)
		rc = xl_copy_ptime(s, m, om);
	if (!rc && xl_dir_sends(st->ims_dir))
		rc = xl_add_webrtc_ssrc(s, m, wl, (unsigned)st->webrtc_index, st->mid);
	return rc;
}

/* The IMS peer's m=message section as a browser data channel section. */
static int offer_msrp(struct sdp_session *s, const struct sdp_media *om,
		      const struct sdp_webrtc_local *wl, struct sdp_xlate *x, char *err,
		      size_t errlen)
{
	struct sdp_xlate_stream *st = &x->s[x->msrp.stream];
	struct sdp_media *m;
	char why[160];
	int rc;

	if (sdp_msrp_from_media(om, &x->msrp.ims, why, sizeof(why)) < 0)
		return xl_fail(err, errlen, -EINVAL, "m= line %u: %s", om->line, why);
	m = sdp_add_media(s, "application", wl->port, "UDP/DTLS/SCTP");
	if (!m)
		return -ENOMEM;
	rc = xl_add_webrtc_datachannel(s, m, wl, st->mid, SDP_SETUP_ACTPASS);
	/* the channel itself is opened with DCEP (protocol "msrp"); a=dcmap describes it */
	if (!rc)
		rc = xl_msrp_add_dc(s, m, wl, 0, &x->msrp.ims, err, errlen);
	return rc;
}

int sdp_xlate_ims_offer(const struct sdp_session *offer, const struct sdp_ims_local *il,
			const struct sdp_webrtc_local *wl, struct sdp_xlate *x,
			struct sdp_session **out, char *err, size_t errlen)
{
	uint32_t mask = mask_of(wl, il);
	bool used[128] = { false };
	char bundle[SDP_MAX_MEDIA * 34 + 8] = "BUNDLE";
	struct sdp_session *s;
	unsigned nweb = 0, nactive = 0;
	int rc;

	memset(x, 0, sizeof(*x));
	x->msrp.stream = -1;
	*out = NULL;
	rc = xl_new_session(wl->addr, wl->sess_id, wl->sess_version, &s);
	if (rc < 0)
		return xl_fail(err, errlen, rc, "cannot start the browser offer (local address \"%s\")",
			       wl->addr);
	for (unsigned i = 0; i < offer->nmedia; i++) {
		struct sdp_xlate_stream *st = &x->s[i];
		const struct sdp_media *om = &offer->media[i];

		st->kind = xl_kind(om);
		st->ims_index = (int)i;
		st->webrtc_index = -1;
		if (xl_is_ims_msrp(om) && xl_msrp_wanted(wl, il) && x->msrp.stream < 0 && om->port) {
			/* file transfer: the MSRP session becomes a data channel */
			st->kind = SDP_STREAM_MSRP;
			st->webrtc_index = (int)nweb++;
			snprintf(st->mid, sizeof(st->mid), "%d", st->webrtc_index);
			x->msrp.stream = (int)i;
			rc = offer_msrp(s, om, wl, x, err, errlen);
			if (rc < 0)
				goto err;
			nactive++;
			strcat(bundle, " ");
			strcat(bundle, st->mid);
			continue;
		}
		if (st->kind != SDP_STREAM_AUDIO && st->kind != SDP_STREAM_VIDEO)
			continue;
		st->webrtc_index = (int)nweb++;
		snprintf(st->mid, sizeof(st->mid), "%d", st->webrtc_index);
		rc = offer_stream(s, offer, i, wl, il, mask, used, x, err, errlen);
		if (rc < 0)
			goto err;
		if (st->npairs) {
			nactive++;
			strcat(bundle, " ");
			strcat(bundle, st->mid);
		}
	}
	x->nstreams = offer->nmedia;
	if (nactive == 0) {
		x->warning = nweb ? 305 : 304;
		rc = xl_fail(err, errlen, -EPROTONOSUPPORT,
			     nweb ? "no audio or video codec in common with the browser"
				  : "the offer has no RTP/AVP audio or video and no MSRP to carry");
		goto err;
	}
	rc = sdp_attrs_add(s, &s->attrs, "group", "%s", bundle);
	if (!rc)
		rc = sdp_attrs_add(s, &s->attrs, "ice-lite", NULL);
	if (rc < 0)
		goto err;
	rc = 0;
err:
	return xl_finish(s, rc, out, "browser offer", err, errlen);
}

static int answer_rejected(struct sdp_session *s, const struct sdp_media *om)
{
	struct sdp_media *m = sdp_add_media(s, om->type, 0, om->proto);

	if (!m)
		return -ENOMEM;
	return sdp_media_add_fmt(s, m, om->fmt[0]);
}

/* The browser's answer to our data channel section as the answer to the IMS m=message. */
static int answer_msrp(struct sdp_session *s, const struct sdp_media *om,
		       const struct sdp_session *answer, const struct sdp_ims_local *il,
		       struct sdp_xlate *x, char *err, size_t errlen)
{
	const struct sdp_media *am = &answer->media[x->s[x->msrp.stream].webrtc_index];
	struct sdp_msrp from = x->msrp.ims;
	enum sdp_msrp_setup setup;
	int rc;

	x->msrp.active = false;
	if (am->port == 0)
		return xl_msrp_add_rejected_ims(s);
	if (xl_kind(am) != SDP_STREAM_DATACHANNEL)
		return xl_fail(err, errlen, -EINVAL,
			       "browser answer m= line %u is \"%s %s\" where the offer had a data channel",
			       am->line, am->type, am->proto);
	rc = xl_msrp_read_dc(am, &x->msrp, err, errlen);
	if (rc < 0)
		return rc;
	/* the gateway stands in for the browser: its a=dcsa when it wrote any, else the
	 * counterpart of the offer (RFC 5547: a sendonly push is answered recvonly) */
	if (x->msrp.dc_mapped) {
		snprintf(from.accept_types, sizeof(from.accept_types), "%s", x->msrp.dc.accept_types);
		from.dir = x->msrp.dc.dir;
	} else if (from.dir == SDP_MSRP_SENDONLY || from.dir == SDP_MSRP_RECVONLY) {
		from.dir = from.dir == SDP_MSRP_SENDONLY ? SDP_MSRP_RECVONLY : SDP_MSRP_SENDONLY;
	}
	/* RFC 4975 section 5.4: without a=setup the offerer connects; RFC 6135 otherwise */
	x->msrp.we_connect = x->msrp.ims.setup == SDP_MSRP_PASSIVE ||
			     x->msrp.ims.setup == SDP_MSRP_ACTPASS;
	setup = x->msrp.we_connect ? SDP_MSRP_ACTIVE : SDP_MSRP_PASSIVE;
	rc = xl_msrp_add_ims(s, il, &from, setup, err, errlen);
	if (!rc) {
		x->msrp.active = true;
		x->s[x->msrp.stream].active = true;
	}
	(void)om;
	return rc;
}

static int answer_stream(struct sdp_session *s, const struct sdp_session *ims_offer, unsigned i,
			 const struct sdp_session *answer, const struct sdp_ims_local *il,
			 struct sdp_xlate *x, char *err, size_t errlen)
{
	const struct sdp_media *om = &ims_offer->media[i];
	struct sdp_xlate_stream *st = &x->s[i];
	const struct sdp_media *am;
	struct sdp_codec oc[SDP_CODEC_MAX], ac[SDP_CODEC_MAX];
	bool used[SDP_XLATE_MAX_PT] = { false };
	const struct sdp_codec *acc_i[SDP_XLATE_MAX_PT], *acc_w[SDP_XLATE_MAX_PT];
	unsigned nacc = 0, nmedia = 0;
	struct sdp_media *m;
	uint16_t port;
	int no, na, rc;

	if (st->webrtc_index < 0 || st->npairs == 0)
		return answer_rejected(s, om);
	am = &answer->media[st->webrtc_index];
	if (am->port == 0)
		return answer_rejected(s, om);
	if (strcmp(am->type, om->type) != 0 || !xl_is_webrtc_rtp(am))
		return xl_fail(err, errlen, -EINVAL,
			       "browser answer m= line %u is \"%s %s\" where the offer had %s UDP/TLS/RTP/SAVPF",
			       am->line, am->type, am->proto, om->type);
	if (!sdp_attrs_has(&am->attrs, "rtcp-mux"))
		return xl_fail(err, errlen, -ENOTSUP, "browser answer m= line %u: no a=rtcp-mux",
			       am->line);
	rc = xl_ims_port(il, xl_rtp_ordinal(x, i), &port, err, errlen);
	if (rc < 0)
		return rc;
	if (port == 0)
		return answer_rejected(s, om);
	rc = xl_parse_codecs(om, oc, &no, am, ac, &na, err, errlen);
	if (rc < 0)
		return rc;
	for (int a = 0; a < na && nacc < SDP_XLATE_MAX_PT; a++) {
		/* the browser should answer with our numbers; match by number, then codec */
		for (int pass = 0; pass < 2; pass++) {
			unsigned p;
			const struct sdp_codec *ic = NULL;

			for (p = 0; p < st->npairs; p++) {
				if (used[p] || (pass == 0 && st->pairs[p].webrtc_pt != ac[a].pt))
					continue;
				for (int k = 0; k < no; k++)
					if (oc[k].pt == st->pairs[p].ims_pt)
						ic = &oc[k];
				if (ic && sdp_codec_match(ic, &ac[a]))
					break;
				ic = NULL;
			}
			if (!ic)
				continue;
			used[p] = true;
			acc_i[nacc] = ic;
			acc_w[nacc++] = &ac[a];
			xl_map_add(st->to_ims, &st->n_to_ims, st->pairs[p].webrtc_pt, ic->pt, ic->id);
			xl_map_add(st->to_webrtc, &st->n_to_webrtc, ic->pt, ac[a].pt, ic->id);
			if (ic->id != SDP_CODEC_TELEPHONE_EVENT)
				nmedia++;
			break;
		}
	}
	if (nmedia == 0)
		return xl_fail(err, errlen, -EINVAL,
			       "browser answer m= line %u accepts no codec that the offer listed",
			       am->line);
	/* a browser that renumbered sends with the numbers of its answer */
	for (unsigned k = 0; k < nacc; k++)
		xl_map_add(st->to_ims, &st->n_to_ims, acc_w[k]->pt, acc_i[k]->pt, acc_i[k]->id);
	st->active = true;
	st->webrtc_dir = xl_direction(answer, am);
	st->webrtc_ssrc = xl_first_ssrc(am);

	m = sdp_add_media(s, om->type, port, om->proto);
	if (!m)
		return -ENOMEM;
	for (unsigned k = 0; k < nacc && !rc; k++) {
		/* the browser's fmtp: the parameters it receives with */
		rc = xl_add_codec(s, m, acc_i[k], acc_i[k]->pt, acc_w[k]->fmtp);
		for (int f = 0; !rc && strcmp(om->proto, "RTP/AVPF") == 0 && xl_rtcp_fb_kinds[f]; f++)
			if (xl_has_rtcp_fb(om, acc_i[k]->pt, xl_rtcp_fb_kinds[f]) &&
			    xl_has_rtcp_fb(am, acc_w[k]->pt, xl_rtcp_fb_kinds[f]))
				rc = sdp_attrs_add(s, &m->attrs, "rtcp-fb", "%u %s", acc_i[k]->pt,
						   xl_rtcp_fb_kinds[f]);
	}
	if (!rc)
		rc = xl_copy_ptime(s, m, am);
	/* the gateway stands in for the browser: its direction is ours */
	if (!rc)
		rc = sdp_attrs_add(s, &m->attrs, xl_direction_name(st->webrtc_dir), NULL);
	return rc;
}

int sdp_xlate_webrtc_answer(const struct sdp_session *ims_offer,
			    const struct sdp_session *webrtc_answer, const struct sdp_ims_local *il,
			    struct sdp_xlate *x, struct sdp_session **out, char *err,
			    size_t errlen)
{
	struct sdp_session *s = NULL;
	unsigned nweb = 0, naccepted = 0;
	int rc, setup = SDP_SETUP_NONE;

	*out = NULL;
	for (unsigned i = 0; i < x->nstreams; i++)
		nweb += x->s[i].webrtc_index >= 0;
	if (x->nstreams != ims_offer->nmedia)
		return xl_fail(err, errlen, -EINVAL, "the IMS offer does not match the translation state");
	if (webrtc_answer->nmedia != nweb)
		return xl_fail(err, errlen, -EINVAL, "browser answer has %u m= lines, the offer had %u",
			       webrtc_answer->nmedia, nweb);
	/* the browser's transport: from its first accepted m= line */
	for (unsigned i = 0; i < webrtc_answer->nmedia; i++) {
		const struct sdp_media *am = &webrtc_answer->media[i];

		if (am->port == 0)
			continue;
		rc = xl_read_webrtc_transport(webrtc_answer, am, x, err, errlen);
		if (rc < 0)
			return rc;
		setup = xl_setup(webrtc_answer, am);
		if (setup != SDP_SETUP_ACTIVE && setup != SDP_SETUP_PASSIVE)
			return xl_fail(err, errlen, -EINVAL,
				       "browser answer m= line %u: a=setup must be active or passive",
				       am->line);
		break;
	}
	rc = xl_new_session(il->addr, il->sess_id, il->sess_version, &s);
	if (rc < 0)
		return xl_fail(err, errlen, rc, "cannot start the IMS answer (local address \"%s\")",
			       il->addr);
	for (unsigned i = 0; i < x->nstreams; i++) {
		x->s[i].active = false;
		x->s[i].n_to_ims = x->s[i].n_to_webrtc = 0;
		if ((int)i == x->msrp.stream)
			rc = answer_msrp(s, &ims_offer->media[i], webrtc_answer, il, x, err, errlen);
		else
			rc = answer_stream(s, ims_offer, i, webrtc_answer, il, x, err, errlen);
		if (rc < 0)
			goto err;
		naccepted += x->s[i].active;
	}
	if (naccepted == 0) {
		x->warning = 304;
		rc = xl_fail(err, errlen, -EPROTONOSUPPORT, x->msrp.stream >= 0 ?
			     "the browser accepted no audio, video or data channel" :
			     "the browser accepted no audio or video");
		goto err;
	}
	/* the browser active = DTLS client, so the gateway is the server, and back */
	x->dtls_role = setup == SDP_SETUP_ACTIVE ? SDP_DTLS_ROLE_SERVER : SDP_DTLS_ROLE_CLIENT;
	rc = 0;
err:
	return xl_finish(s, rc, out, "IMS answer", err, errlen);
}
