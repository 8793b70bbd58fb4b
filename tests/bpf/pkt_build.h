/*
 * Test packet builder for the BPF tests: Ethernet (optional), IPv4 or IPv6, UDP or
 * TCP around a payload, with valid IPv4 and UDP checksums. Header-only (each
 * tests/bpf/test_*.c is its own binary).
 */
#ifndef NWIT_TEST_PKT_BUILD_H
#define NWIT_TEST_PKT_BUILD_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PKT_MAX 2048

struct pkt_spec {
	int l2;			/* 1: prepend an Ethernet header */
	int v6;			/* 1: IPv6, 0: IPv4 */
	int proto;		/* IPPROTO_UDP or IPPROTO_TCP */
	uint8_t src[16], dst[16];	/* v4 uses the first 4 bytes */
	uint16_t sport, dport;	/* host order */
	uint8_t tos;
};

static inline uint32_t csum_add_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The UDP checksum of the datagram at l4 (len bytes) as it should be, host order. */
static inline uint16_t udp_csum_expected(int v6, const uint8_t *src, const uint8_t *dst,
					 const uint8_t *l4, size_t len)
{
	uint32_t sum = 0;
	uint8_t tmp[PKT_MAX];
	uint16_t c;

	memcpy(tmp, l4, len);
	tmp[6] = tmp[7] = 0;
	sum = csum_add_bytes(sum, src, v6 ? 16 : 4);
	sum = csum_add_bytes(sum, dst, v6 ? 16 : 4);
	sum += IPPROTO_UDP + (uint32_t)len;
	sum = csum_add_bytes(sum, tmp, len);
	c = csum_fold(sum);
	return c ? c : 0xffff;
}

/* Build the packet into out (PKT_MAX bytes); returns its length. */
static inline size_t pkt_build(const struct pkt_spec *s, const uint8_t *payload, size_t plen,
			       uint8_t *out)
{
	size_t off = 0, l3, l4, l4len;

	if (s->l2) {
		static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };

		memcpy(out, macs, 12);
		out[12] = s->v6 ? 0x86 : 0x08;
		out[13] = s->v6 ? 0xdd : 0x00;
		off = 14;
	}
	l3 = off;
	l4len = (s->proto == IPPROTO_TCP ? 20 : 8) + plen;
	if (s->v6) {
		memset(out + l3, 0, 40);
		out[l3] = 0x60 | (s->tos >> 4);
		out[l3 + 1] = (uint8_t)(s->tos << 4);
		out[l3 + 4] = (uint8_t)(l4len >> 8);
		out[l3 + 5] = (uint8_t)l4len;
		out[l3 + 6] = (uint8_t)s->proto;
		out[l3 + 7] = 64;
		memcpy(out + l3 + 8, s->src, 16);
		memcpy(out + l3 + 24, s->dst, 16);
		l4 = l3 + 40;
	} else {
		uint16_t c;

		memset(out + l3, 0, 20);
		out[l3] = 0x45;
		out[l3 + 1] = s->tos;
		out[l3 + 2] = (uint8_t)((20 + l4len) >> 8);
		out[l3 + 3] = (uint8_t)(20 + l4len);
		out[l3 + 8] = 64;
		out[l3 + 9] = (uint8_t)s->proto;
		memcpy(out + l3 + 12, s->src, 4);
		memcpy(out + l3 + 16, s->dst, 4);
		c = csum_fold(csum_add_bytes(0, out + l3, 20));
		out[l3 + 10] = (uint8_t)(c >> 8);
		out[l3 + 11] = (uint8_t)c;
		l4 = l3 + 20;
	}
	memset(out + l4, 0, l4len - plen);
	out[l4] = (uint8_t)(s->sport >> 8);
	out[l4 + 1] = (uint8_t)s->sport;
	out[l4 + 2] = (uint8_t)(s->dport >> 8);
	out[l4 + 3] = (uint8_t)s->dport;
	if (s->proto == IPPROTO_TCP) {
		out[l4 + 12] = 5 << 4;
		memcpy(out + l4 + 20, payload, plen);
	} else {
		uint16_t c;

		out[l4 + 4] = (uint8_t)(l4len >> 8);
		out[l4 + 5] = (uint8_t)l4len;
		memcpy(out + l4 + 8, payload, plen);
		c = udp_csum_expected(s->v6, s->src, s->dst, out + l4, l4len);
		out[l4 + 6] = (uint8_t)(c >> 8);
		out[l4 + 7] = (uint8_t)c;
	}
	return l4 + l4len;
}

#endif
