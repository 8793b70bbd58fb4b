/* Parsing of operator flow specifications (see fastpath_spec.h and nwitctl.8). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "fastpath/fastpath_spec.h"

static const char *arg(json_t *args, const char *name)
{
	json_t *v = json_object_get(args, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* "192.0.2.1:4000" or "[2001:db8::1]:4000" */
static int parse_endpoint(const char *s, uint8_t *family, uint8_t addr[16], __be16 *port)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	uint32_t p;
	size_t hl;

	if (!s)
		return -EINVAL;
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		colon = close + 1;
		*family = NWIT_FAMILY_IPV6;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hl);
		host[hl] = '\0';
		*family = NWIT_FAMILY_IPV4;
	}
	if (parse_u32(colon + 1, 65535, &p) || p == 0)
		return -EINVAL;
	memset(addr, 0, 16);
	if (inet_pton(*family == NWIT_FAMILY_IPV6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return -EINVAL;
	*port = htons((uint16_t)p);
	return 0;
}

static int parse_dscp(const char *s, uint8_t *out)
{
	static const struct { const char *name; uint8_t v; } names[] = {
		{ "ef", 46 }, { "af41", 34 }, { "af42", 36 }, { "af43", 38 }, { "cs0", 0 },
		{ "cs5", 40 }, { "cs4", 32 },
	};
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].v;
			return 0;
		}
	if (parse_u32(s, 63, &v))
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

/* "0:8,111:96" */
static int parse_pt_map(const char *s, uint8_t map[128])
{
	char buf[512], *save = NULL, *tok;
	uint32_t from, to;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *c = strchr(tok, ':');

		if (!c)
			return -EINVAL;
		*c = '\0';
		if (parse_u32(tok, 127, &from) || parse_u32(c + 1, 127, &to))
			return -EINVAL;
		map[from] = (uint8_t)(NWIT_PT_MAPPED | to);
	}
	return 0;
}

static int parse_ssrcs(const char *s, struct fastpath_spec *out)
{
	char buf[256], *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (out->n_ssrcs == FASTPATH_SPEC_MAX_SSRCS)
			return -EINVAL;
		if (parse_u32(tok, UINT32_MAX, &out->ssrcs[out->n_ssrcs]))
			return -EINVAL;
		out->n_ssrcs++;
	}
	return 0;
}

#define FAIL(code, ...)                                          \
	do {                                                     \
		snprintf(err, errlen, __VA_ARGS__);              \
		rc = (code);                                     \
		goto fail;                                       \
	} while (0)

int fastpath_spec_parse(json_t *args, struct fastpath_spec *out, char *err, size_t errlen)
{
	const char *s, *reason = NULL;
	uint8_t fam;
	uint32_t v;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(args))
		FAIL(-EINVAL, "flow: arguments must be an object");
	if (parse_u32(arg(args, "id"), NWIT_MAX_FLOWS - 1, &v) || v == 0)
		FAIL(-EINVAL, "flow: id must be 1..%d", NWIT_MAX_FLOWS - 1);
	out->flow.flow_id = v;

	s = arg(args, "in");
	if (!s)
		FAIL(-EINVAL, "flow: in (the ingress device) is required");
	out->in_ifindex = if_nametoindex(s);
	if (!out->in_ifindex)
		FAIL(-ENODEV, "flow: no device %s", s);
	s = arg(args, "hook");
	if (!s || strcmp(s, "xdp") == 0)
		out->hook = FASTPATH_HOOK_XDP;
	else if (strcmp(s, "tc") == 0)
		out->hook = FASTPATH_HOOK_TC;
	else
		FAIL(-EINVAL, "flow: hook must be xdp or tc");

	if (parse_endpoint(arg(args, "src"), &out->key.family, out->key.src, &out->key.sport))
		FAIL(-EINVAL, "flow: src must be ADDRESS:PORT ([v6]:PORT)");
	if (parse_endpoint(arg(args, "dst"), &fam, out->key.dst, &out->key.dport) ||
	    fam != out->key.family)
		FAIL(-EINVAL, "flow: dst must be ADDRESS:PORT of the same family as src");
	out->flow.out_family = out->key.family;

	s = arg(args, "action");
	if (s && strcmp(s, "srtp-to-rtp") == 0)
		out->flow.action = NWIT_ACTION_SRTP_TO_RTP;
	else if (s && strcmp(s, "rtp-to-srtp") == 0)
		out->flow.action = NWIT_ACTION_RTP_TO_SRTP;
	else if (s && strcmp(s, "forward") == 0)
		out->flow.action = NWIT_ACTION_FORWARD;
	else
		FAIL(-EINVAL, "flow: action must be srtp-to-rtp, rtp-to-srtp or forward");

	s = arg(args, "out");
	if (s && strcmp(s, "stack") != 0) {
		int raw;

		out->flow.out_ifindex = if_nametoindex(s);
		if (!out->flow.out_ifindex)
			FAIL(-ENODEV, "flow: no device %s", s);
		raw = fastpath_device_is_raw_ip(out->flow.out_ifindex);
		if (raw < 0)
			FAIL(raw, "flow: cannot inspect device %s", s);
		if (!raw)
			out->flow.flags |= NWIT_FLOW_EGRESS_L2;
	}
	if ((s = arg(args, "out_src")) &&
	    (parse_endpoint(s, &fam, out->flow.out_src, &out->flow.out_sport) ||
	     fam != out->key.family))
		FAIL(-EINVAL, "flow: out_src must be ADDRESS:PORT of the flow's family");
	if ((s = arg(args, "out_dst")) &&
	    (parse_endpoint(s, &fam, out->flow.out_dst, &out->flow.out_dport) ||
	     fam != out->key.family))
		FAIL(-EINVAL, "flow: out_dst must be ADDRESS:PORT of the flow's family");
	/* RTP header extensions are not negotiated towards IMS: stripped by default there */
	s = arg(args, "ext");
	if (!s)
		s = out->flow.action == NWIT_ACTION_SRTP_TO_RTP ? "strip" : "keep";
	if (strcmp(s, "strip") == 0)
		out->flow.flags |= NWIT_FLOW_STRIP_EXT;
	else if (strcmp(s, "keep") != 0)
		FAIL(-EINVAL, "flow: ext must be strip or keep");
	if (out->flow.action != NWIT_ACTION_SRTP_TO_RTP && (out->flow.flags & NWIT_FLOW_STRIP_EXT))
		FAIL(-EINVAL, "flow: ext=strip applies to srtp-to-rtp flows only");
	if ((s = arg(args, "dscp"))) {
		if (parse_dscp(s, &out->flow.dscp))
			FAIL(-EINVAL, "flow: dscp must be 0..63, ef or af4N");
		out->flow.flags |= NWIT_FLOW_SET_DSCP;
	}
	if ((s = arg(args, "pt")) && parse_pt_map(s, out->flow.pt_map))
		FAIL(-EINVAL, "flow: pt must be IN:OUT[,IN:OUT...] with types 0..127");
	if ((s = arg(args, "ssrc")) && parse_ssrcs(s, out))
		FAIL(-EINVAL, "flow: ssrc must be a comma-separated list of up to %d numbers",
		     FASTPATH_SPEC_MAX_SSRCS);
	if ((s = arg(args, "roc")) && parse_u32(s, UINT32_MAX, &out->roc))
		FAIL(-EINVAL, "flow: roc must be a 32-bit number");
	if ((s = arg(args, "key"))) {
		rc = sdes_inline_parse(s, strlen(s), &out->inline_key, &reason);
		if (rc)
			FAIL(rc, "flow: key: %s", reason ? reason : "not an RFC 4568 inline key");
		out->has_key = 1;
	}
	if (out->flow.action != NWIT_ACTION_FORWARD && (!out->has_key || !out->n_ssrcs))
		FAIL(-EINVAL, "flow: %s needs key and ssrc",
		     fastpath_action_name(out->flow.action));
	return 0;
fail:
	OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}
