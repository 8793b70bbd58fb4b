/* Operator flows relayed in userspace (see fastpath_relays.h). */
#include "datapath/fastpath_relays.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "fastpath/fastpath_relay.h"
#include "core/log.h"
#include "relay/relay_udp.h"

struct fp_relay {
	struct fastpath_spec spec;
	struct fp_relay *peer;		/* the reverse flow sharing udp, or NULL */
	struct relay_udp *udp;		/* NULL when it could not be restarted */
};

struct fp_relays {
	struct event_base *base;
	struct fp_relay *flows[FP_RELAYS_MAX];
};

struct fp_relays *fp_relays_new(struct event_base *base)
{
	struct fp_relays *t = calloc(1, sizeof(*t));

	if (t)
		t->base = base;
	return t;
}

static void relay_free(struct fp_relay *r)
{
	if (!r)
		return;
	OPENSSL_cleanse(&r->spec, sizeof(r->spec));
	free(r);
}

void fp_relays_free(struct fp_relays *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < FP_RELAYS_MAX; i++) {
		struct fp_relay *r = t->flows[i];

		if (!r)
			continue;
		if (r->peer) {	/* shared: the partner must not free it again */
			r->peer->udp = NULL;
			r->peer->peer = NULL;
		}
		relay_udp_free(r->udp);
		relay_free(r);
	}
	free(t);
}

static struct fp_relay **slot_of(const struct fp_relays *t, uint32_t id)
{
	for (size_t i = 0; i < FP_RELAYS_MAX; i++)
		if (t->flows[i] && t->flows[i]->spec.flow.flow_id == id)
			return (struct fp_relay **)&t->flows[i];
	return NULL;
}

int fp_relays_has(const struct fp_relays *t, uint32_t id)
{
	return slot_of(t, id) != NULL;
}

size_t fp_relays_count(const struct fp_relays *t)
{
	size_t n = 0;

	for (size_t i = 0; i < FP_RELAYS_MAX; i++)
		n += t->flows[i] != NULL;
	return n;
}

/* The SSRCs a flow declares, with its ROC, on the relay's SRTP session of its SRTP side. */
static int declare_ssrcs(struct relay_udp *u, const struct fastpath_spec *s)
{
	int outgoing = s->flow.action == NWIT_ACTION_RTP_TO_SRTP;
	int rc;

	if (s->flow.action == NWIT_ACTION_FORWARD)
		return 0;
	for (size_t i = 0; i < s->n_ssrcs; i++) {
		rc = relay_flow_add_stream(relay_udp_flow(u), RELAY_SIDE_BROWSER, outgoing,
					   s->ssrcs[i], s->roc);
		if (rc)
			return rc;
	}
	return 0;
}

/* Start the relay of a (and of its reverse b, may be NULL); both share it. */
static int start(struct fp_relays *t, struct fp_relay *a, struct fp_relay *b, char *err,
		 size_t errlen)
{
	struct relay_flow_desc desc;
	struct relay_udp *u;
	int rc;

	rc = fastpath_spec_relay_desc(&a->spec, b ? &b->spec : NULL, &desc, err, errlen);
	if (rc)
		goto out;
	u = relay_udp_new(t->base, &desc, NULL, NULL);
	if (!u) {
		rc = -errno;
		snprintf(err, errlen, "relay: cannot open the sockets of flow %u: %s",
			 a->spec.flow.flow_id, strerror(errno));
		goto out;
	}
	rc = declare_ssrcs(u, &a->spec);
	if (!rc && b)
		rc = declare_ssrcs(u, &b->spec);
	if (rc) {
		snprintf(err, errlen, "relay: cannot declare the SSRCs of flow %u: %s",
			 a->spec.flow.flow_id, strerror(-rc));
		relay_udp_free(u);
		goto out;
	}
	a->udp = u;
	a->peer = b;
	if (b) {
		b->udp = u;
		b->peer = a;
	}
out:
	OPENSSL_cleanse(&desc, sizeof(desc));
	return rc;
}

/* r's partner lost it: run the partner alone (its relay restarts). */
static void orphan(struct fp_relays *t, struct fp_relay *r)
{
	struct fp_relay *p = r->peer;
	char err[256];

	relay_udp_free(r->udp);
	r->udp = NULL;
	r->peer = NULL;
	if (!p)
		return;
	p->udp = NULL;
	p->peer = NULL;
	if (start(t, p, NULL, err, sizeof(err)))
		log_warnx("relay: flow %u could not go on alone: %s", p->spec.flow.flow_id, err);
}

int fp_relays_del(struct fp_relays *t, uint32_t id)
{
	struct fp_relay **slot = slot_of(t, id);

	if (!slot)
		return -ENOENT;
	orphan(t, *slot);
	relay_free(*slot);
	*slot = NULL;
	return 0;
}

int fp_relays_add(struct fp_relays *t, const struct fastpath_spec *spec, char *err,
		  size_t errlen)
{
	struct fp_relay *r, *partner = NULL, **slot = NULL;
	struct relay_flow_desc check;
	int rc;

	/* refuse a bad spec before touching the flow it replaces */
	rc = fastpath_spec_relay_desc(spec, NULL, &check, err, errlen);
	OPENSSL_cleanse(&check, sizeof(check));
	if (rc)
		return rc;
	fp_relays_del(t, spec->flow.flow_id);
	for (size_t i = 0; i < FP_RELAYS_MAX; i++) {
		if (!t->flows[i]) {
			if (!slot)
				slot = &t->flows[i];
			continue;
		}
		if (!partner && !t->flows[i]->peer &&
		    fastpath_spec_is_reverse(spec, &t->flows[i]->spec))
			partner = t->flows[i];
	}
	if (!slot) {
		snprintf(err, errlen, "relay: no room for another flow (at most %d)",
			 FP_RELAYS_MAX);
		return -ENOSPC;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "relay: out of memory");
		return -ENOMEM;
	}
	r->spec = *spec;
	if (partner) {
		relay_udp_free(partner->udp);	/* its sockets are ours to share now */
		partner->udp = NULL;
	}
	rc = start(t, r, partner, err, errlen);
	if (rc) {
		char why[256];

		/* the partner goes on alone, as before */
		if (partner && start(t, partner, NULL, why, sizeof(why)))
			log_warnx("relay: flow %u could not be restarted alone: %s",
				  partner->spec.flow.flow_id, why);
		relay_free(r);
		return rc;
	}
	*slot = r;
	return 0;
}

static void ep_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, len, "%s:%u", a, ntohs(s4->sin_port));
	}
}

static json_t *flow_json(const struct fp_relay *r)
{
	const struct fastpath_spec *s = &r->spec;
	enum relay_side in = fastpath_spec_relay_in_side(s);
	struct relay_dir_stats st = { 0 };
	char src[64], dst[64], osrc[64], odst[64];
	json_t *drops = json_object();
	uint64_t dropped = 0;

	if (r->udp)
		st = *relay_flow_stats(relay_udp_flow(r->udp), in);
	for (int i = 1; i < RELAY_DROP__COUNT; i++) {
		dropped += st.drops[i];
		json_object_set_new(drops, relay_drop_name((enum relay_drop)i),
				    json_integer((json_int_t)st.drops[i]));
	}
	/* from the spec, so a relay that could not restart still says what it was */
	{
		struct relay_flow_desc d = { 0 };
		char e[8];

		fastpath_spec_relay_desc(s, NULL, &d, e, sizeof(e));
		ep_text(&d.side[in].remote[0], src, sizeof(src));
		ep_text(&d.side[in].local[0], dst, sizeof(dst));
		ep_text(&d.side[in ^ 1].local[0], osrc, sizeof(osrc));
		ep_text(&d.side[in ^ 1].remote[0], odst, sizeof(odst));
		OPENSSL_cleanse(&d, sizeof(d));
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, "
			 "s:o?, s:b, s:o}",
			 "id", (json_int_t)s->flow.flow_id,
			 "action", fastpath_action_name(s->flow.action),
			 "path", "relay",
			 "src", src, "dst", dst, "out_src", osrc, "out_dst", odst,
			 "out", "relay",
			 "dscp", (s->flow.flags & NWIT_FLOW_SET_DSCP) ? (json_int_t)s->flow.dscp
								       : (json_int_t)-1,
			 "packets", (json_int_t)st.packets, "bytes", (json_int_t)st.bytes,
			 "dropped", (json_int_t)dropped, "to_stack", (json_int_t)0,
			 "paired_with", r->peer ? json_integer((json_int_t)r->peer->spec.flow.flow_id)
						: NULL,
			 "running", r->udp != NULL, "drops", drops);
}

void fp_relays_flows_json(const struct fp_relays *t, uint32_t id, json_t *arr)
{
	for (size_t i = 0; i < FP_RELAYS_MAX; i++) {
		const struct fp_relay *r = t->flows[i];

		if (r && (!id || r->spec.flow.flow_id == id))
			json_array_append_new(arr, flow_json(r));
	}
}

json_t *fp_relays_stats_json(const struct fp_relays *t)
{
	uint64_t drops[RELAY_DROP__COUNT] = { 0 };
	struct relay_udp_stats sum = { 0 };
	json_t *d = json_object();
	size_t n = 0;

	for (size_t i = 0; i < FP_RELAYS_MAX; i++) {
		const struct fp_relay *r = t->flows[i];
		const struct relay_udp_stats *u;

		if (!r)
			continue;
		n++;
		/* a pair shares one relay: count it once, from its first entry */
		if (!r->udp || (r->peer && r->peer < r))
			continue;
		u = relay_udp_stats(r->udp);
		sum.wakeups += u->wakeups;
		sum.rx += u->rx;
		sum.tx += u->tx;
		sum.rx_errors += u->rx_errors;
		sum.tx_errors += u->tx_errors;
		sum.other += u->other;
		for (int s = 0; s < 2; s++) {
			const struct relay_dir_stats *st =
				relay_flow_stats(relay_udp_flow(r->udp), (enum relay_side)s);

			for (int k = 1; k < RELAY_DROP__COUNT; k++)
				drops[k] += st->drops[k];
		}
	}
	for (int k = 1; k < RELAY_DROP__COUNT; k++)
		json_object_set_new(d, relay_drop_name((enum relay_drop)k),
				    json_integer((json_int_t)drops[k]));
	return json_pack("{s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "flows", (json_int_t)n, "drops", d,
			 "wakeups", (json_int_t)sum.wakeups, "rx", (json_int_t)sum.rx,
			 "tx", (json_int_t)sum.tx, "rx_errors", (json_int_t)sum.rx_errors,
			 "tx_errors", (json_int_t)sum.tx_errors, "other", (json_int_t)sum.other);
}
