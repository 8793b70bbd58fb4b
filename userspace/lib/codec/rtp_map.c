/*
 * RTP header reading and timestamp / sequence mapping across a transcoder.
 */
#include <errno.h>
#include <string.h>

#include "codec/rtp_map.h"
#include "srtp/srtp.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int rtp_view_parse(const uint8_t *pkt, size_t len, struct rtp_view *v)
{
	int h = rtp_header_len(pkt, len);
	size_t end = len;

	if (h < 0)
		return -EINVAL;
	if (pkt[0] & 0x20) {
		/* RFC 3550 5.1: the last octet counts the padding, itself included */
		if ((size_t)h == len || !pkt[len - 1] || pkt[len - 1] > len - (size_t)h)
			return -EINVAL;
		end -= pkt[len - 1];
	}
	v->marker = pkt[1] >> 7;
	v->pt = pkt[1] & 0x7f;
	v->seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	v->ts = be32(pkt + 4);
	v->ssrc = be32(pkt + 8);
	v->payload = pkt + h;
	v->payload_len = end - (size_t)h;
	return 0;
}

size_t rtp_header_write(uint8_t *out, uint8_t pt, bool marker, uint16_t seq, uint32_t ts,
			uint32_t ssrc)
{
	out[0] = 0x80;
	out[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7f));
	out[2] = (uint8_t)(seq >> 8);
	out[3] = (uint8_t)seq;
	put_be32(out + 4, ts);
	put_be32(out + 8, ssrc);
	return 12;
}

void rtp_map_init(struct rtp_map *m, uint32_t in_rate, uint32_t out_rate, uint32_t out_ssrc,
		  uint16_t first_seq, uint32_t first_ts)
{
	memset(m, 0, sizeof(*m));
	m->in_rate = in_rate;
	m->out_rate = out_rate;
	m->out_ssrc = out_ssrc;
	m->out_seq = first_seq;
	m->out_first = first_ts;
	m->out_next_ts = first_ts;
}

static uint32_t scale(const struct rtp_map *m, int64_t d)
{
	return (uint32_t)(d * m->out_rate / m->in_rate);
}

int rtp_map_in(struct rtp_map *m, const struct rtp_view *v, uint32_t *out_ts)
{
	if (!m->started || v->ssrc != m->in_ssrc) {
		/* a new input stream continues the output's timeline */
		if (m->started)
			m->out_first = m->out_next_ts;
		m->started = true;
		m->in_ssrc = v->ssrc;
		m->in_seq = v->seq;
		m->in_last_ts = v->ts;
		m->in_ext = m->in_first = (int64_t)1 << 32;
		*out_ts = m->out_first;
		return 0;
	}
	if ((int16_t)(v->seq - m->in_seq) <= 0)
		return -EALREADY;
	m->in_seq = v->seq;
	m->in_ext += (int32_t)(v->ts - m->in_last_ts);
	m->in_last_ts = v->ts;
	*out_ts = m->out_first + scale(m, m->in_ext - m->in_first);
	return 0;
}

size_t rtp_map_out(struct rtp_map *m, uint8_t *out, uint8_t pt, bool marker, uint32_t ts,
		   uint32_t duration)
{
	size_t n = rtp_header_write(out, pt, marker, m->out_seq++, ts, m->out_ssrc);

	if (!m->sent_any || (int32_t)(ts + duration - m->out_next_ts) > 0)
		m->out_next_ts = ts + duration;
	m->sent_any = true;
	return n;
}

uint32_t rtp_map_duration(const struct rtp_map *m, uint32_t d)
{
	uint64_t v = (uint64_t)d * m->out_rate / m->in_rate;

	return v > 0xffff ? 0xffff : (uint32_t)v;
}

int rtp_map_telephone_event(const struct rtp_map *m, const uint8_t *payload, size_t len,
			    uint8_t *out, size_t cap)
{
	if (!len || len % 4 || len > cap)
		return -EINVAL;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t d = rtp_map_duration(m, (uint32_t)(payload[i + 2] << 8 | payload[i + 3]));

		out[i] = payload[i];
		out[i + 1] = payload[i + 1];
		out[i + 2] = (uint8_t)(d >> 8);
		out[i + 3] = (uint8_t)d;
	}
	return (int)len;
}
