/* What a call's media shows in `nwitctl status`: per stream and direction (media.h). */
#include "media/media.h"

#include <stdio.h>
#include <string.h>

#include "media/media_dc.h"
#include "media/media_fastpath.h"
#include "media/media_state.h"
#include "relay/relay.h"

static void dir_add(struct relay_dir_stats *sum, const struct relay_dir_stats *st)
{
	sum->packets += st->packets;
	sum->bytes += st->bytes;
	for (int i = 0; i < RELAY_DROP__COUNT; i++)
		sum->drops[i] += st->drops[i];
}

static json_t *dir_json(const struct relay_dir_stats *st)
{
	json_t *drops = json_object();

	for (int i = 1; i < RELAY_DROP__COUNT; i++)
		if (st->drops[i])
			json_object_set_new(drops, relay_drop_name((enum relay_drop)i),
					    json_integer((json_int_t)st->drops[i]));
	return json_pack("{s:I,s:I,s:o}", "packets", (json_int_t)st->packets, "bytes",
			 (json_int_t)st->bytes, "drops", drops);
}

/* Kernel counters of the flows given, summed: {"flows": [ids], "packets": n, ...}. */
static json_t *fp_sum_json(const struct media *m, const uint32_t *ids, unsigned n)
{
	json_t *flows = json_array(), *o;
	json_int_t v[5] = { 0 };
	static const char *const names[5] = { "packets", "bytes", "dropped", "to_stack", "unknown_ssrc" };

	for (unsigned i = 0; i < n; i++) {
		json_t *one;

		if (!ids[i])
			continue;
		one = media_fp_stats(m->fpath, ids[i]);
		for (int k = 0; k < 5; k++)
			v[k] += json_integer_value(json_object_get(one, names[k]));
		json_decref(one);
		json_array_append_new(flows, json_integer(ids[i]));
	}
	if (!json_array_size(flows)) {
		json_decref(flows);
		return json_null();
	}
	o = json_pack("{s:o}", "flows", flows);
	for (int k = 0; k < 5; k++)
		json_object_set_new(o, names[k], json_integer(v[k]));
	return o;
}

static json_t *stream_json(const struct media *m, const struct media_stream *st)
{
	json_t *o = json_pack("{s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I}",
			      "kind", st->kind == SDP_STREAM_VIDEO ? "video" : "audio",
			      "mid", st->mid, "ims_port", media_sa_port(&st->ilocal[0]),
			      "rx_ims", (json_int_t)st->st.rx_ims,
			      "tx_ims", (json_int_t)st->st.tx_ims,
			      "tx_browser", (json_int_t)st->st.tx_browser,
			      "rtp_relayed_from_browser",
			      (json_int_t)st->st.rtp_in_userspace[RELAY_SIDE_BROWSER],
			      "rtp_relayed_from_ims",
			      (json_int_t)st->st.rtp_in_userspace[RELAY_SIDE_IMS],
			      "ssrc_collisions", (json_int_t)st->st.ssrc_collision);

	if (o && st->flow) {
		json_object_set_new(o, "from_browser",
				    dir_json(relay_flow_stats(st->flow, RELAY_SIDE_BROWSER)));
		json_object_set_new(o, "from_ims",
				    dir_json(relay_flow_stats(st->flow, RELAY_SIDE_IMS)));
	}
	if (o && m->fpath)
		json_object_set_new(o, "fastpath", json_pack("{s:o,s:o}",
			"from_browser", fp_sum_json(m, &st->fp_flow[RELAY_SIDE_BROWSER], 1),
			"from_ims", fp_sum_json(m, &st->fp_flow[RELAY_SIDE_IMS], 1)));
	return o;
}

/*
 * The call's media; the top-level counters are sums over its streams ("streams" lists
 * each one). path: "fastpath" when the kernel carries both directions of every stream.
 */
json_t *media_stats_json(const struct media *m)
{
	struct relay_dir_stats fb = { 0 }, fi = { 0 };
	uint64_t tx_ims = 0, tx_browser = 0, rx_ims = 0, rb = 0, ri = 0;
	uint32_t ids[2][MEDIA_MAX_STREAMS] = { { 0 } };
	unsigned nflow = 0, nstreams = 0, nfp = 0, nfp_any = 0;
	json_t *streams = json_array(), *o;
	const char *path;

	for (unsigned i = 0; i < m->npairs; i++) {
		const struct media_stream *st = &m->s[i];

		rx_ims += st->st.rx_ims;
		tx_ims += st->st.tx_ims;
		tx_browser += st->st.tx_browser;
		rb += st->st.rtp_in_userspace[RELAY_SIDE_BROWSER];
		ri += st->st.rtp_in_userspace[RELAY_SIDE_IMS];
		ids[0][i] = st->fp_flow[RELAY_SIDE_BROWSER];
		ids[1][i] = st->fp_flow[RELAY_SIDE_IMS];
		if (!st->used)
			continue;
		nstreams++;
		nfp += st->fp_flow[0] && st->fp_flow[1];
		nfp_any += st->fp_flow[0] || st->fp_flow[1];
		if (st->flow) {
			nflow++;
			dir_add(&fb, relay_flow_stats(st->flow, RELAY_SIDE_BROWSER));
			dir_add(&fi, relay_flow_stats(st->flow, RELAY_SIDE_IMS));
		}
		json_array_append_new(streams, stream_json(m, st));
	}
	path = !nflow ? "setup" : nfp == nstreams ? "fastpath" : nfp_any ? "fastpath+relay" :
		"userspace-relay";
	o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:b,s:i,s:i,s:o}",
		      "path", path,
		      "stun_ok", (json_int_t)m->st.stun_ok,
		      "stun_bad", (json_int_t)m->st.stun_bad,
		      "stun_unauthorized", (json_int_t)m->st.stun_unauth,
		      "dtls_datagrams", (json_int_t)m->st.dtls_in,
		      "media_before_keys", (json_int_t)m->st.media_early,
		      "media_of_no_stream", (json_int_t)m->st.no_stream,
		      "rx_browser", (json_int_t)m->st.rx_browser,
		      "rx_ims", (json_int_t)rx_ims,
		      "tx_ims", (json_int_t)tx_ims,
		      "other", (json_int_t)m->st.other,
		      "dtls_done", media_dtls_done(m->dtls),
		      "ice_done", m->bremote_len != 0,
		      "browser_port", media_browser_port(m),
		      "ims_port", media_ims_port(m),
		      "streams", streams);

	if (o && nflow) {
		json_object_set_new(o, "from_browser", dir_json(&fb));
		json_object_set_new(o, "from_ims", dir_json(&fi));
		json_object_set_new(o, "tx_browser", json_integer((json_int_t)tx_browser));
		json_object_set_new(o, "rtp_relayed_from_browser", json_integer((json_int_t)rb));
		json_object_set_new(o, "rtp_relayed_from_ims", json_integer((json_int_t)ri));
	}
	if (o && m->dc)
		json_object_set_new(o, "datachannel", media_dc_stats_json(m->dc));
	if (o && m->fpath)
		json_object_set_new(o, "fastpath", json_pack("{s:o,s:o,s:i}",
				    "from_browser", fp_sum_json(m, ids[0], m->npairs),
				    "from_ims", fp_sum_json(m, ids[1], m->npairs),
				    "bundle_flow", (int)m->fp_bundle));
	return o;
}
