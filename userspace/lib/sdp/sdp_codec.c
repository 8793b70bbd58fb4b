/* RTP payload formats of an SDP media section and the pass-through matching rules. */
#include "sdp/sdp_codec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum sdp_codec_id id;
} known[] = {
	{ "opus", SDP_CODEC_OPUS },
	{ "PCMU", SDP_CODEC_PCMU },
	{ "PCMA", SDP_CODEC_PCMA },
	{ "telephone-event", SDP_CODEC_TELEPHONE_EVENT },
	{ "AMR-WB", SDP_CODEC_AMR_WB },
	{ "H264", SDP_CODEC_H264 },
	{ "VP8", SDP_CODEC_VP8 },
};

static enum sdp_codec_id codec_id(const char *name)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(name, known[i].name) == 0)
			return known[i].id;
	return SDP_CODEC_OTHER;
}

/* Value of key in an fmtp parameter list "k1=v1;k2=v2" (spaces allowed after ';'). */
static bool fmtp_param(const char *fmtp, const char *key, char *val, size_t vlen)
{
	size_t klen = strlen(key);
	const char *p = fmtp;

	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t n;

		while (*p == ' ')
			p++;
		n = end ? (size_t)(end - p) : strlen(p);
		if (n > klen && strncasecmp(p, key, klen) == 0 && p[klen] == '=') {
			n -= klen + 1;
			if (n >= vlen)
				n = vlen - 1;
			memcpy(val, p + klen + 1, n);
			val[n] = '\0';
			while (n && val[n - 1] == ' ')
				val[--n] = '\0';
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static int parse_h264(struct sdp_codec *c, char *err, size_t errlen)
{
	char v[16];
	unsigned long plid;
	char *end;

	/* RFC 6184 section 8.1: defaults are Baseline level 1.0 and mode 0 */
	c->h264_profile = 0x42;
	c->h264_iop = 0;
	c->h264_level = 0x0a;
	c->h264_mode = 0;
	if (!c->fmtp)
		return 0;
	if (fmtp_param(c->fmtp, "profile-level-id", v, sizeof(v))) {
		plid = strtoul(v, &end, 16);
		if (strlen(v) != 6 || *end) {
			snprintf(err, errlen, "H264 payload type %u: profile-level-id \"%s\" is not 6 hex digits",
				 c->pt, v);
			return -EINVAL;
		}
		c->h264_profile = (uint8_t)(plid >> 16);
		c->h264_iop = (uint8_t)(plid >> 8);
		c->h264_level = (uint8_t)plid;
	}
	if (fmtp_param(c->fmtp, "packetization-mode", v, sizeof(v))) {
		if (strcmp(v, "0") && strcmp(v, "1") && strcmp(v, "2")) {
			snprintf(err, errlen, "H264 payload type %u: packetization-mode \"%s\" is not 0, 1 or 2",
				 c->pt, v);
			return -EINVAL;
		}
		c->h264_mode = (uint8_t)(v[0] - '0');
	}
	return 0;
}

/* "a=rtpmap:<pt> <name>/<clock>[/<channels>]" */
static int parse_rtpmap(struct sdp_codec *c, const char *v, char *err, size_t errlen)
{
	const char *sp = strchr(v, ' '), *slash;
	char *end;
	unsigned long clock, ch = 1;
	size_t n;

	if (!sp)
		goto bad;
	sp++;
	slash = strchr(sp, '/');
	if (!slash || slash == sp || (size_t)(slash - sp) >= sizeof(c->name))
		goto bad;
	n = (size_t)(slash - sp);
	memcpy(c->name, sp, n);
	c->name[n] = '\0';
	clock = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || clock == 0 || clock > 1000000)
		goto bad;
	if (*end == '/') {
		const char *chs = end + 1;

		ch = strtoul(chs, &end, 10);
		if (end == chs || ch == 0 || ch > 255)
			goto bad;
	}
	if (*end)
		goto bad;
	c->id = codec_id(c->name);
	c->clock = (uint32_t)clock;
	c->channels = (uint8_t)ch;
	return 0;
bad:
	snprintf(err, errlen, "a=rtpmap:%s is not \"<pt> <name>/<clock>[/<channels>]\"", v);
	return -EINVAL;
}

/* Payload type number at the start of an rtpmap/fmtp value, or -1. */
static int leading_pt(const char *v)
{
	char *end;
	long pt = strtol(v, &end, 10);

	if (end == v || *end != ' ' || pt < 0 || pt > 127)
		return -1;
	return (int)pt;
}

int sdp_codecs_parse(const struct sdp_media *m, struct sdp_codec *out, char *err,
		     size_t errlen)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->nfmt && n < SDP_CODEC_MAX; i++) {
		struct sdp_codec *c = &out[n];
		int pt = atoi(m->fmt[i]);
		bool mapped = false;

		memset(c, 0, sizeof(*c));
		c->pt = (uint8_t)pt;
		c->channels = 1;
		for (unsigned a = 0; a < m->attrs.n; a++) {
			const struct sdp_attr *at = &m->attrs.a[a];

			if (!at->value || leading_pt(at->value) != pt)
				continue;
			if (strcmp(at->name, "rtpmap") == 0 && !mapped) {
				if (parse_rtpmap(c, at->value, err, errlen) < 0)
					return -EINVAL;
				mapped = true;
			} else if (strcmp(at->name, "fmtp") == 0 && !c->fmtp) {
				c->fmtp = strchr(at->value, ' ') + 1;
			}
		}
		if (!mapped) {
			/* RFC 3551 static types we care about; other static ones stay OTHER */
			if (pt == 0) {
				c->id = SDP_CODEC_PCMU;
				strcpy(c->name, "PCMU");
				c->clock = 8000;
			} else if (pt == 8) {
				c->id = SDP_CODEC_PCMA;
				strcpy(c->name, "PCMA");
				c->clock = 8000;
			} else if (pt < 96) {
				c->id = SDP_CODEC_OTHER;
			} else {
				snprintf(err, errlen, "dynamic payload type %d has no a=rtpmap", pt);
				return -EINVAL;
			}
		}
		if (c->id == SDP_CODEC_H264 && parse_h264(c, err, errlen) < 0)
			return -EINVAL;
		if (c->id == SDP_CODEC_AMR_WB && c->fmtp) {
			char v[8];

			c->amr_octet_align = fmtp_param(c->fmtp, "octet-align", v, sizeof(v)) &&
					     strcmp(v, "1") == 0;
		}
		n++;
	}
	return (int)n;
}

/*
 * Constrained Baseline can be written with several profile_idc/profile-iop pairs
 * (RFC 6184 section 8.1 table 5); fold them into one value so they match each other.
 */
static unsigned h264_profile(const struct sdp_codec *c)
{
	if ((c->h264_profile == 0x42 && (c->h264_iop & 0x40)) ||
	    (c->h264_profile == 0x4d && (c->h264_iop & 0x80)) ||
	    (c->h264_profile == 0x58 && (c->h264_iop & 0xc0) == 0xc0))
		return 0x42e0;
	return (unsigned)c->h264_profile << 8 | (c->h264_iop & 0xfc);
}

bool sdp_codec_match(const struct sdp_codec *a, const struct sdp_codec *b)
{
	if (a->id != b->id || a->id == SDP_CODEC_NONE || a->id == SDP_CODEC_OTHER)
		return false;
	if (a->clock != b->clock)
		return false;
	switch (a->id) {
	case SDP_CODEC_OPUS:
		return a->channels == 2 && b->channels == 2; /* RFC 7587: always opus/48000/2 */
	case SDP_CODEC_AMR_WB:
		return a->amr_octet_align == b->amr_octet_align && a->channels == b->channels;
	case SDP_CODEC_H264:
		/* the level may differ (it is negotiated down); profile and mode may not */
		return h264_profile(a) == h264_profile(b) && a->h264_mode == b->h264_mode;
	default:
		return a->channels == b->channels;
	}
}
