/* Demultiplexing of a BUNDLE group's packets to their streams (bundle_demux.h). */
#include "webrtc/bundle_demux.h"

#include <errno.h>
#include <string.h>

void bundle_demux_init(struct bundle_demux *d)
{
	memset(d, 0, sizeof(*d));
	d->default_stream = -1;
}

void bundle_demux_clear_pts(struct bundle_demux *d)
{
	memset(d->pt_stream, 0, sizeof(d->pt_stream));
}

int bundle_demux_set_pt(struct bundle_demux *d, unsigned pt, unsigned stream)
{
	if (pt > 127 || stream >= BUNDLE_MAX_STREAMS)
		return -EINVAL;
	d->pt_stream[pt] = (uint8_t)(stream + 1);
	return 0;
}

int bundle_demux_find(const struct bundle_demux *d, uint32_t ssrc)
{
	for (unsigned i = 0; i < d->nssrc; i++)
		if (d->ssrc[i].ssrc == ssrc)
			return d->ssrc[i].stream;
	return -ENOENT;
}

int bundle_demux_learn(struct bundle_demux *d, uint32_t ssrc, unsigned stream)
{
	int cur = bundle_demux_find(d, ssrc);

	if (stream >= BUNDLE_MAX_STREAMS)
		return -EINVAL;
	if (cur >= 0)
		return (unsigned)cur == stream ? 0 : -EEXIST;
	if (d->nssrc >= BUNDLE_MAX_SSRCS)
		return -ENOSPC;
	d->ssrc[d->nssrc].ssrc = ssrc;
	d->ssrc[d->nssrc].stream = (uint8_t)stream;
	d->nssrc++;
	return 0;
}

int bundle_demux_forget_stream(struct bundle_demux *d, unsigned stream)
{
	unsigned k = 0, n = d->nssrc;

	for (unsigned i = 0; i < d->nssrc; i++)
		if (d->ssrc[i].stream != stream)
			d->ssrc[k++] = d->ssrc[i];
	d->nssrc = k;
	return (int)(n - k);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int bundle_demux_pick(const struct bundle_demux *d, const uint8_t *pkt, size_t len,
		      uint32_t *ssrc)
{
	int s;

	if (len < 8 || (pkt[0] >> 6) != 2)
		return -EBADMSG;
	if (pkt[1] >= 192 && pkt[1] <= 223) {	/* RTCP (RFC 5761 section 4) */
		*ssrc = be32(pkt + 4);
		s = bundle_demux_find(d, *ssrc);
		if (s >= 0)
			return s;
		return d->default_stream >= 0 ? d->default_stream : -ENOENT;
	}
	if (len < 12)
		return -EBADMSG;
	*ssrc = be32(pkt + 8);
	s = bundle_demux_find(d, *ssrc);
	if (s >= 0)
		return s;
	s = d->pt_stream[pkt[1] & 0x7f];
	return s ? s - 1 : -ENOENT;
}
