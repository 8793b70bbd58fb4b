/*
 * SRTP packet index estimation (RFC 3711 section 3.3.1 and Appendix A) and a 128-packet
 * replay window (section 3.3.2), as pure functions over plain integers so that every
 * user (the userspace transform, its tests, a BPF port) applies the same rules.
 */
#ifndef NWIT_SRTP_REPLAY_H
#define NWIT_SRTP_REPLAY_H

#include <stdint.h>

#define SRTP_REPLAY_WINDOW 128

/*
 * The 48-bit index of a packet with sequence number seq, given the receiver's rollover
 * counter roc and highest sequence number s_l. Returns the index, or -1 when the guess
 * would fall before index 0 (ROC 0 and a sequence number from "before" s_l) or past
 * 2^48 (the ROC would wrap: the keys must be changed first).
 */
static inline int64_t srtp_index_estimate(uint32_t roc, uint16_t s_l, uint16_t seq)
{
	int64_t v = roc;

	if (s_l < 32768) {
		if ((int32_t)seq - (int32_t)s_l > 32768)
			v = (int64_t)roc - 1;
	} else if ((int32_t)s_l - 32768 > (int32_t)seq) {
		v = (int64_t)roc + 1;
	}
	if (v < 0 || v > (int64_t)UINT32_MAX)
		return -1;
	return (v << 16) | seq;
}

/*
 * Replay window: bit i of mask is set when index (highest - i) was accepted.
 * A zeroed struct is an empty window (nothing received yet).
 */
struct srtp_replay_window {
	uint64_t highest;
	uint64_t mask[2];	/* mask[0] bits 0-63, mask[1] bits 64-127 */
	uint32_t started;
	uint32_t pad;
};

/* 0 when index may be accepted, -1 when it was seen or is older than the window. */
static inline int srtp_replay_check(const struct srtp_replay_window *w, uint64_t index)
{
	uint64_t delta;

	if (!w->started || index > w->highest)
		return 0;
	delta = w->highest - index;
	if (delta >= SRTP_REPLAY_WINDOW)
		return -1;
	return (w->mask[delta / 64] >> (delta % 64)) & 1 ? -1 : 0;
}

/* Record an accepted index (after its tag was verified and srtp_replay_check passed). */
static inline void srtp_replay_add(struct srtp_replay_window *w, uint64_t index)
{
	uint64_t shift, delta;

	if (!w->started) {
		w->started = 1;
		w->highest = index;
		w->mask[0] = 1;
		w->mask[1] = 0;
		return;
	}
	if (index > w->highest) {
		shift = index - w->highest;
		if (shift >= SRTP_REPLAY_WINDOW) {
			w->mask[0] = w->mask[1] = 0;
		} else if (shift >= 64) {
			w->mask[1] = w->mask[0] << (shift - 64);
			w->mask[0] = 0;
		} else {
			w->mask[1] = (w->mask[1] << shift) | (w->mask[0] >> (64 - shift));
			w->mask[0] <<= shift;
		}
		w->mask[0] |= 1;
		w->highest = index;
		return;
	}
	delta = w->highest - index;
	if (delta < SRTP_REPLAY_WINDOW)
		w->mask[delta / 64] |= (uint64_t)1 << (delta % 64);
}

#endif
