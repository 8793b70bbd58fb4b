/* Operator flows as userspace relay flows (see fastpath_relay.h). */
#include "fastpath/fastpath_relay.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

static int ep_equal(const uint8_t a[16], __be16 ap, const uint8_t b[16], __be16 bp)
{
	return ap == bp && memcmp(a, b, 16) == 0;
}

int fastpath_spec_is_reverse(const struct fastpath_spec *a, const struct fastpath_spec *b)
{
	const struct nwit_flow *fa = &a->flow, *fb = &b->flow;
	int actions = (fa->action == NWIT_ACTION_SRTP_TO_RTP &&
		       fb->action == NWIT_ACTION_RTP_TO_SRTP) ||
		      (fa->action == NWIT_ACTION_RTP_TO_SRTP &&
		       fb->action == NWIT_ACTION_SRTP_TO_RTP) ||
		      (fa->action == NWIT_ACTION_FORWARD && fb->action == NWIT_ACTION_FORWARD);

	return actions && a->key.family == b->key.family &&
	       ep_equal(a->key.src, a->key.sport, fb->out_dst, fb->out_dport) &&
	       ep_equal(a->key.dst, a->key.dport, fb->out_src, fb->out_sport) &&
	       ep_equal(fa->out_src, fa->out_sport, b->key.dst, b->key.dport) &&
	       ep_equal(fa->out_dst, fa->out_dport, b->key.src, b->key.sport);
}

enum relay_side fastpath_spec_relay_in_side(const struct fastpath_spec *a)
{
	return a->flow.action == NWIT_ACTION_RTP_TO_SRTP ? RELAY_SIDE_IMS : RELAY_SIDE_BROWSER;
}

static void sockaddr_of(uint8_t family, const uint8_t addr[16], __be16 port,
			struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (family == NWIT_FAMILY_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr, 16);
		s6->sin6_port = port;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)out;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, addr, 4);
		s4->sin_port = port;
	}
}

/* One direction of the relay flow: what a's ingress side sends goes out of its egress. */
static void fill_direction(const struct fastpath_spec *a, struct relay_flow_desc *d)
{
	enum relay_side in = fastpath_spec_relay_in_side(a);
	struct relay_side_desc *si = &d->side[in], *se = &d->side[in ^ 1];
	const struct sdes_inline_key *k = &a->inline_key;

	sockaddr_of(a->key.family, a->key.dst, a->key.dport, &si->local[RELAY_PORT_RTP]);
	sockaddr_of(a->key.family, a->key.src, a->key.sport, &si->remote[RELAY_PORT_RTP]);
	sockaddr_of(a->key.family, a->flow.out_src, a->flow.out_sport, &se->local[RELAY_PORT_RTP]);
	sockaddr_of(a->key.family, a->flow.out_dst, a->flow.out_dport, &se->remote[RELAY_PORT_RTP]);
	si->rtcp_mux = se->rtcp_mux = 1;
	if (a->flow.action == NWIT_ACTION_SRTP_TO_RTP) {
		si->suite = k->suite;
		memcpy(si->in_key, k->key, sizeof(si->in_key));
		memcpy(si->in_salt, k->salt, sizeof(si->in_salt));
	} else if (a->flow.action == NWIT_ACTION_RTP_TO_SRTP) {
		se->suite = k->suite;
		memcpy(se->out_key, k->key, sizeof(se->out_key));
		memcpy(se->out_salt, k->salt, sizeof(se->out_salt));
	}
	memcpy(se->pt_map, a->flow.pt_map, sizeof(se->pt_map));
	se->strip_ext = !!(a->flow.flags & NWIT_FLOW_STRIP_EXT);
	se->dscp = (a->flow.flags & NWIT_FLOW_SET_DSCP) ? a->flow.dscp : 0;
}

int fastpath_spec_relay_desc(const struct fastpath_spec *a, const struct fastpath_spec *b,
			     struct relay_flow_desc *out, char *err, size_t errlen)
{
	struct relay_side_desc *srtp;

	memset(out, 0, sizeof(*out));
	if (!a->flow.out_sport || !a->flow.out_dport || (b && (!b->flow.out_sport ||
							       !b->flow.out_dport))) {
		snprintf(err, errlen, "flow: the userspace relay needs out_src and out_dst "
			 "(it sends from a socket of its own)");
		return -EINVAL;
	}
	if (b && !fastpath_spec_is_reverse(a, b)) {
		snprintf(err, errlen, "flow: flows %u and %u are not each other's reverse",
			 a->flow.flow_id, b->flow.flow_id);
		return -EINVAL;
	}
	if (b && a->has_key && b->has_key && a->inline_key.suite != b->inline_key.suite) {
		snprintf(err, errlen, "flow: flows %u and %u pair up but use different SRTP suites",
			 a->flow.flow_id, b->flow.flow_id);
		return -EINVAL;
	}
	fill_direction(a, out);
	if (b) {
		fill_direction(b, out);
		return 0;
	}
	/*
	 * One-way: the egress side only receives from us. Its SRTP session for the other
	 * direction is never used (no_rx drops first); give it the same key so it is valid.
	 */
	out->side[fastpath_spec_relay_in_side(a) ^ 1].no_rx = 1;
	srtp = &out->side[RELAY_SIDE_BROWSER];
	if (a->flow.action == NWIT_ACTION_SRTP_TO_RTP) {
		memcpy(srtp->out_key, srtp->in_key, sizeof(srtp->out_key));
		memcpy(srtp->out_salt, srtp->in_salt, sizeof(srtp->out_salt));
	} else if (a->flow.action == NWIT_ACTION_RTP_TO_SRTP) {
		memcpy(srtp->in_key, srtp->out_key, sizeof(srtp->in_key));
		memcpy(srtp->in_salt, srtp->out_salt, sizeof(srtp->in_salt));
	}
	return 0;
}
