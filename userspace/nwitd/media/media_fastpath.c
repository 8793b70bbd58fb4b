/* A call's RTP in the BPF fast path (media_fastpath.h). */
#include "media/media_fastpath.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "fastpath/fastpath.h"
#include "fastpath/fwd_guard.h"
#include "core/log.h"

/* Flow ids for calls; nwitctl flow-add uses what operators pick, below this range. */
#define CALL_FLOW_MIN 3072u
#define CALL_FLOW_MAX (NWIT_MAX_FLOWS - 1u)

static uint32_t next_id = CALL_FLOW_MIN;
static unsigned int attached[16];	/* ingress devices this process attached to */

static int fill_addr(const struct sockaddr_storage *ss, uint8_t out[16], __be16 *port,
		     uint8_t *family)
{
	memset(out, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		memcpy(out, &s4->sin_addr, 4);
		*port = s4->sin_port;
		*family = NWIT_FAMILY_IPV4;
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		memcpy(out, &s6->sin6_addr, 16);
		*port = s6->sin6_port;
		*family = NWIT_FAMILY_IPV6;
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* The device holding local address ss (where packets from that address leave). */
static unsigned int ifindex_of(const struct sockaddr_storage *ss)
{
	struct ifaddrs *ifa, *i;
	unsigned int idx = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i && !idx; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != ss->ss_family)
			continue;
		if (ss->ss_family == AF_INET &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr ==
			    ((const struct sockaddr_in *)ss)->sin_addr.s_addr)
			idx = if_nametoindex(i->ifa_name);
		if (ss->ss_family == AF_INET6 &&
		    memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
			   &((const struct sockaddr_in6 *)ss)->sin6_addr, 16) == 0)
			idx = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(ifa);
	return idx;
}

static uint32_t take_id(void)
{
	uint32_t id = next_id;

	next_id = next_id >= CALL_FLOW_MAX ? CALL_FLOW_MIN : next_id + 1;
	return id;
}

/* The key and flow of direction d (flow_id left 0), the ingress device attached. */
static int prepare(struct fastpath *fp, const struct media_fp_dir *d, struct nwit_flow_key *k,
		   struct nwit_flow *f, char *err, size_t errlen)
{
	struct nwit_flow_key key;
	struct nwit_flow flow;
	unsigned int in_if = ifindex_of(&d->dst), out_if = ifindex_of(&d->out_src);
	uint8_t fam_out;
	int rc, raw;

	memset(&key, 0, sizeof(key));
	memset(&flow, 0, sizeof(flow));
	if (!in_if || !out_if) {
		snprintf(err, errlen, "no device holds the %s address", !in_if ? "ingress" : "egress");
		return -ENODEV;
	}
	if (fill_addr(&d->src, key.src, &key.sport, &key.family) < 0 ||
	    fill_addr(&d->dst, key.dst, &key.dport, &key.family) < 0 ||
	    fill_addr(&d->out_src, flow.out_src, &flow.out_sport, &fam_out) < 0 ||
	    fill_addr(&d->out_dst, flow.out_dst, &flow.out_dport, &flow.out_family) < 0 ||
	    fam_out != flow.out_family || key.family != flow.out_family) {
		snprintf(err, errlen, "addresses of different families");
		return -EAFNOSUPPORT;
	}
	/* bpf_fib_lookup() answers only for a device that forwards */
	rc = fwd_guard_enable(out_if, flow.out_family == NWIT_FAMILY_IPV6, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		char name[IF_NAMESIZE] = "?";

		if_indextoname(out_if, name);
		log_info("fast path: forwarding turned on for %s behind the nftables guard "
			 "(table inet %s drops what the stack would forward from it)", name,
			 FWD_GUARD_TABLE);
	}
	flow.action = (uint8_t)d->action;
	flow.out_ifindex = out_if;
	raw = fastpath_device_is_raw_ip(out_if);
	if (raw == 0)
		flow.flags |= NWIT_FLOW_EGRESS_L2;
	if (d->strip_ext)
		flow.flags |= NWIT_FLOW_STRIP_EXT;
	if (d->rtcp_to_stack)
		flow.flags |= NWIT_FLOW_RTCP_TO_STACK;
	memcpy(flow.pt_map, d->pt_map, sizeof(flow.pt_map));
	/* TC ingress: redirecting into a veth from XDP needs a program on the peer */
	{
		size_t i, n = sizeof(attached) / sizeof(attached[0]);

		for (i = 0; i < n && attached[i] && attached[i] != in_if; i++)
			;
		if (i == n || attached[i] != in_if) {
			rc = fastpath_attach(fp, in_if, FASTPATH_HOOK_TC);
			if (rc < 0) {
				snprintf(err, errlen, "cannot attach to the ingress device: %s",
					 strerror(-rc));
				return rc;
			}
			if (i < n)
				attached[i] = in_if;
		}
	}
	*k = key;
	*f = flow;
	return 0;
}

/* The SRTP context of d's SSRC on flow_id; the flow is removed again on failure. */
static int add_ssrc(struct fastpath *fp, const struct media_fp_dir *d, uint32_t flow_id,
		    char *err, size_t errlen)
{
	int rc = fastpath_ssrc_add(fp, flow_id, d->ssrc, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, d->key,
				   d->salt, 0);

	if (rc < 0) {
		fastpath_flow_del(fp, flow_id);
		snprintf(err, errlen, "cannot install the SRTP context of SSRC %u: %s", d->ssrc,
			 strerror(-rc));
	}
	return rc;
}

int media_fp_add(struct fastpath *fp, const struct media_fp_dir *d, uint32_t *flow_id,
		 char *err, size_t errlen)
{
	struct nwit_flow_key key;
	struct nwit_flow flow;
	int rc = prepare(fp, d, &key, &flow, err, errlen);

	if (rc < 0)
		return rc;
	flow.flow_id = take_id();
	fastpath_flow_del(fp, flow.flow_id);	/* a stale flow of a long-gone call */
	rc = fastpath_flow_add(fp, &key, &flow);
	if (rc < 0) {
		snprintf(err, errlen, "cannot add the flow: %s", strerror(-rc));
		return rc;
	}
	rc = add_ssrc(fp, d, flow.flow_id, err, errlen);
	if (rc < 0)
		return rc;
	*flow_id = flow.flow_id;
	return 0;
}

int media_fp_bundle_add(struct fastpath *fp, const struct media_fp_dir *d, uint32_t *bundle_id,
			uint32_t *flow_id, char *err, size_t errlen)
{
	struct nwit_flow_key key;
	struct nwit_flow flow;
	int rc = prepare(fp, d, &key, &flow, err, errlen);

	if (rc < 0)
		return rc;
	if (!*bundle_id) {
		struct nwit_flow top = flow;

		top.flow_id = take_id();
		top.flags |= NWIT_FLOW_BUNDLE;
		fastpath_flow_del(fp, top.flow_id);
		rc = fastpath_flow_add(fp, &key, &top);
		if (rc < 0) {
			snprintf(err, errlen, "cannot add the bundled flow: %s", strerror(-rc));
			return rc;
		}
		*bundle_id = top.flow_id;
	}
	flow.flow_id = take_id();
	fastpath_flow_del(fp, flow.flow_id);
	rc = fastpath_bundle_add(fp, *bundle_id, d->ssrc, &flow);
	if (rc < 0) {
		snprintf(err, errlen, "cannot add the flow of SSRC %u to bundled flow %u: %s",
			 d->ssrc, *bundle_id, strerror(-rc));
		return rc;
	}
	rc = add_ssrc(fp, d, flow.flow_id, err, errlen);
	if (rc < 0)
		return rc;
	*flow_id = flow.flow_id;
	return 0;
}

void media_fp_del(struct fastpath *fp, uint32_t flow_id)
{
	if (fp && flow_id)
		fastpath_flow_del(fp, flow_id);
}

json_t *media_fp_stats(struct fastpath *fp, uint32_t flow_id)
{
	struct nwit_flow_stat st;

	if (!fp || !flow_id || fastpath_flow_stats(fp, flow_id, &st) < 0)
		return json_null();
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "flow", (json_int_t)flow_id, "packets",
			 (json_int_t)st.packets, "bytes", (json_int_t)st.bytes, "dropped",
			 (json_int_t)st.dropped, "to_stack", (json_int_t)st.to_stack,
			 "unknown_ssrc", (json_int_t)st.unknown_ssrc);
}
