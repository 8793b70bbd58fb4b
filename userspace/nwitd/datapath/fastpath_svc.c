/*
 * The fast path in nwitd: load the BPF programs and pin (or re-adopt) their maps at
 * start, leave them attached and pinned at exit so media keeps flowing, and answer the
 * flow commands. When BPF or bpf_crypto is missing, media is for the userspace relay:
 * said once, loudly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <sys/socket.h>

#include "fastpath/fastpath.h"
#include "fastpath/fastpath_neigh.h"
#include "datapath/fastpath_relays.h"
#include "fastpath/fastpath_spec.h"
#include "datapath/fastpath_svc.h"
#include "core/log.h"
#include "nwitd.h"

struct fastpath_svc {
	struct fastpath *fp;
	char why_not[256];	/* why media goes to the userspace relay, "" when it does not */
	struct fp_relays *relays;	/* operator flows the fast path cannot carry */
	int relay_warned;		/* the first relayed flow was announced */
};

/* [fastpath] aes values are those of the kernel ABI */
_Static_assert((int)FASTPATH_AES_FIXED_TIME == (int)NWIT_AES_FIXED_TIME &&
		       (int)FASTPATH_AES_GENERIC == (int)NWIT_AES_GENERIC &&
		       (int)FASTPATH_AES_BPF == (int)NWIT_AES_BPF,
	       "enum fastpath_aes follows enum nwit_aes_impl");

static int fp_start(struct nwitd *d)
{
	struct fastpath_svc *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	d->fastpath = s;
	s->relays = fp_relays_new(d->base);
	if (!s->relays)
		return -ENOMEM;
	if (d->conf.fastpath_mode == FASTPATH_MODE_OFF) {
		snprintf(s->why_not, sizeof(s->why_not), "turned off in the configuration");
		log_info("fast path: off by configuration; media goes through the userspace relay");
		return 0;
	}
	err = fastpath_open(d->conf.pin_path, (enum nwit_aes_impl)d->conf.fastpath_aes, &s->fp);
	if (err) {
		if (d->conf.fastpath_mode == FASTPATH_MODE_BPF)
			return err;
		snprintf(s->why_not, sizeof(s->why_not), "BPF fast path unavailable: %s",
			 strerror(-err));
		log_warnx("**** fast path: cannot load the BPF programs (%s): ALL MEDIA GOES "
			  "THROUGH THE USERSPACE RELAY ****", strerror(-err));
		return 0;
	}
	if (!fastpath_crypto_available(s->fp)) {
		snprintf(s->why_not, sizeof(s->why_not), "%s: SRTP flows are relayed in userspace",
			 fastpath_aes_unavailable(s->fp));
		log_warnx("**** fast path: %s: SRTP MEDIA GOES THROUGH THE USERSPACE RELAY ****",
			  fastpath_aes_unavailable(s->fp));
	} else if (fastpath_aes(s->fp) != NWIT_AES_FIXED_TIME) {
		log_warnx("fast path: SRTP runs with table-based AES (aes = %s): not "
			  "constant-time, see docs/fastpath.md",
			  fastpath_aes_name((enum fastpath_aes)fastpath_aes(s->fp)));
	}
	if (fastpath_adopted(s->fp)) {
		err = fastpath_reattach_all(s->fp);
		if (err)
			log_warnx("fast path: could not re-attach on every device: %s",
				  strerror(-err));
	}
	log_info("fast path: loaded, maps pinned under %s", d->conf.pin_path);
	return 0;
}

static void fp_stop(struct nwitd *d)
{
	struct fastpath_svc *s = d->fastpath;

	if (!s)
		return;
	/* programs stay attached and maps pinned: forwarding goes on without us */
	fastpath_close(s->fp);
	fp_relays_free(s->relays);
	free(s);
	d->fastpath = NULL;
}

static json_t *fp_status(struct nwitd *d)
{
	struct fastpath_svc *s = d->fastpath;

	if (!s)
		return NULL;
	return json_pack("{s:b, s:b, s:s, s:b, s:b, s:b, s:s, s:s?, s:I}",
			 "loaded", s->fp != NULL,
			 "crypto", s->fp && fastpath_crypto_available(s->fp),
			 "aes", s->fp && fastpath_crypto_available(s->fp)
				 ? fastpath_aes_name((enum fastpath_aes)fastpath_aes(s->fp)) : "none",
			 "constant_time", s->fp && fastpath_aes(s->fp) == NWIT_AES_FIXED_TIME,
			 "bpf_crypto", s->fp && fastpath_has_bpf_crypto(s->fp),
			 "adopted", s->fp && fastpath_adopted(s->fp),
			 "pin_path", d->conf.pin_path,
			 "relay_reason", s->why_not[0] ? s->why_not : NULL,
			 "relay_flows", (json_int_t)(s->relays ? fp_relays_count(s->relays) : 0));
}

static json_t *fp_stats(struct nwitd *d)
{
	struct fastpath_svc *s = d->fastpath;
	json_t *st;

	if (!s)
		return NULL;
	st = s->fp ? fastpath_stats_json(s->fp) : json_object();
	/* operator flows relayed in userspace: their counters under "relay" */
	if (st && s->relays && (!s->fp || fp_relays_count(s->relays)))
		json_object_set_new(st, "relay", fp_relays_stats_json(s->relays));
	return st;
}

const struct nwitd_service fastpath_service = {
	.name = "fastpath",
	.start = fp_start,
	.stop = fp_stop,
	.status = fp_status,
	.stats = fp_stats,
};

static struct fastpath *loaded(struct nwitd *d, char *err, size_t errlen)
{
	struct fastpath_svc *s = d->fastpath;

	if (!s || !s->fp) {
		snprintf(err, errlen, "the BPF fast path is not loaded (%s)",
			 s && s->why_not[0] ? s->why_not : "not started");
		return NULL;
	}
	return s->fp;
}

static enum nwit_srtp_profile profile_of(enum srtp_suite suite)
{
	return suite == SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 ? NWIT_SRTP_AES_CM_128_HMAC_SHA1_32
							   : NWIT_SRTP_AES_CM_128_HMAC_SHA1_80;
}

/* The fast path cannot carry spec (not loaded, or SRTP without bpf_crypto): relay it. */
static json_t *relay_flow_add(struct fastpath_svc *s, const struct fastpath_spec *spec,
			      char *err, size_t errlen)
{
	json_t *arr;

	if (fp_relays_add(s->relays, spec, err, errlen))
		return NULL;
	if (s->fp)	/* a fast path flow of the same id is replaced */
		fastpath_flow_del(s->fp, spec->flow.flow_id);
	if (!s->relay_warned) {
		log_warnx("**** fast path: flow %u and any later flow it cannot carry GO THROUGH "
			  "THE USERSPACE RELAY (%s) ****", spec->flow.flow_id,
			  s->why_not[0] ? s->why_not : "no bpf_crypto");
		s->relay_warned = 1;
	}
	log_info("relay: flow %u added (%s, %zu SSRC)", spec->flow.flow_id,
		 fastpath_action_name(spec->flow.action), spec->n_ssrcs);
	arr = json_array();
	if (arr)
		fp_relays_flows_json(s->relays, spec->flow.flow_id, arr);
	return arr;
}

json_t *fastpath_cmd_flow_add(struct nwitd *d, json_t *args, char *err, size_t errlen)
{
	struct fastpath_svc *s = d->fastpath;
	struct fastpath *fp;
	struct fastpath_spec spec;
	json_t *res = NULL;
	size_t i;
	int rc;

	if (!s || !s->relays) {
		snprintf(err, errlen, "the fast path service is not started");
		return NULL;
	}
	fp = s->fp;
	if (fastpath_spec_parse(args, &spec, err, errlen))
		return NULL;
	if (!fp || (spec.flow.action != NWIT_ACTION_FORWARD && !fastpath_crypto_available(fp))) {
		res = relay_flow_add(s, &spec, err, errlen);
		goto out;
	}
	if (fp_relays_has(s->relays, spec.flow.flow_id))
		fp_relays_del(s->relays, spec.flow.flow_id);
	/*
	 * XDP cannot transmit into a raw-IP device (a redirect into a TUN is dropped): such
	 * flows run in TC, attached next to XDP. A flow asked for TC is TC's too.
	 */
	if (spec.flow.out_ifindex && !(spec.flow.flags & NWIT_FLOW_EGRESS_L2))
		spec.hook = FASTPATH_HOOK_TC;
	if (spec.hook == FASTPATH_HOOK_TC)
		spec.flow.flags |= NWIT_FLOW_TC_ONLY;
	rc = fastpath_attach(fp, spec.in_ifindex, spec.hook);
	if (rc) {
		snprintf(err, errlen, "cannot attach to the ingress device: %s", strerror(-rc));
		goto out;
	}
	fastpath_flow_del(fp, spec.flow.flow_id);	/* replacing: old SSRCs go too */
	rc = fastpath_flow_add(fp, &spec.key, &spec.flow);
	if (rc) {
		snprintf(err, errlen, "cannot add the flow: %s", strerror(-rc));
		goto out;
	}
	for (i = 0; i < spec.n_ssrcs; i++) {
		rc = fastpath_ssrc_add(fp, spec.flow.flow_id, spec.ssrcs[i],
				       profile_of(spec.inline_key.suite), spec.inline_key.key,
				       spec.inline_key.salt, spec.roc);
		if (rc) {
			snprintf(err, errlen, "cannot install the SRTP context of SSRC %u: %s",
				 spec.ssrcs[i], strerror(-rc));
			fastpath_flow_del(fp, spec.flow.flow_id);
			goto out;
		}
	}
	if (spec.flow.flags & NWIT_FLOW_EGRESS_L2) {
		/* XDP cannot resolve a next hop: have the kernel do it before media comes */
		static const uint8_t zero[16];
		const uint8_t *dst = memcmp(spec.flow.out_dst, zero, 16) ? spec.flow.out_dst
									  : spec.key.dst;

		rc = fastpath_neigh_prime(spec.key.family == NWIT_FAMILY_IPV6 ? AF_INET6 : AF_INET,
					  dst);
		if (rc)
			log_warnx("fast path: flow %u: cannot start neighbour resolution: %s",
				  spec.flow.flow_id, strerror(-rc));
	}
	log_info("fast path: flow %u added (%s, %zu SSRC)", spec.flow.flow_id,
		 fastpath_action_name(spec.flow.action), spec.n_ssrcs);
	res = fastpath_flows_json(fp, spec.flow.flow_id);
out:
	OPENSSL_cleanse(&spec, sizeof(spec));
	return res;
}

static int flow_id_arg(json_t *args, uint32_t *id, int required, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, "id");
	char *end;
	unsigned long n;

	*id = 0;
	if (!v && !required)
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "flow: id is required");
		return -EINVAL;
	}
	n = strtoul(json_string_value(v), &end, 0);
	if (*end || !*json_string_value(v) || n == 0 || n >= NWIT_MAX_FLOWS) {
		snprintf(err, errlen, "flow: id must be 1..%d", NWIT_MAX_FLOWS - 1);
		return -EINVAL;
	}
	*id = (uint32_t)n;
	return 0;
}

json_t *fastpath_cmd_flow_del(struct nwitd *d, json_t *args, char *err, size_t errlen)
{
	struct fastpath_svc *s = d->fastpath;
	struct fastpath *fp;
	uint32_t id;
	int rc;

	if (flow_id_arg(args, &id, 1, err, errlen))
		return NULL;
	if (s && s->relays && fp_relays_del(s->relays, id) == 0) {
		log_info("relay: flow %u deleted", id);
		return json_pack("{s:I}", "deleted", (json_int_t)id);
	}
	fp = loaded(d, err, errlen);
	if (!fp)
		return NULL;
	rc = fastpath_flow_del(fp, id);
	if (rc) {
		snprintf(err, errlen, "cannot delete flow %u: %s", id, strerror(-rc));
		return NULL;
	}
	log_info("fast path: flow %u deleted", id);
	return json_pack("{s:I}", "deleted", (json_int_t)id);
}

json_t *fastpath_cmd_flow_list(struct nwitd *d, json_t *args, char *err, size_t errlen)
{
	struct fastpath_svc *s = d->fastpath;
	json_t *arr, *f;
	uint32_t id;
	size_t i;

	if (!s || flow_id_arg(args, &id, 0, err, errlen))
		return NULL;
	arr = s->fp ? fastpath_flows_json(s->fp, id) : json_array();
	if (!arr)
		return NULL;
	json_array_foreach(arr, i, f)
		json_object_set_new(f, "path", json_string("fastpath"));
	if (s->relays)
		fp_relays_flows_json(s->relays, id, arr);
	return json_pack("{s:o}", "flows", arr);
}

struct fastpath *fastpath_svc_handle(struct nwitd *d)
{
	struct fastpath_svc *s = d->fastpath;

	return s && s->fp && fastpath_crypto_available(s->fp) ? s->fp : NULL;
}
