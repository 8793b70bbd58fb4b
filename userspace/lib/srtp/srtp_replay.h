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
 * Sender-side probation of sequence jumps (RFC 3550 appendix A.1, applied to the index an
 * SRTP sender commits): a packet more than SRTP_MAX_DROPOUT indexes ahead of the highest
 * one sent is a jump; it is taken only when SRTP_JUMP_CONFIRM packets follow it in
 * sequence (seq + 1, seq + 2, ...) with no in-order packet between. The jump and the
 * packets before the confirming one are refused, and nothing of them is committed, so
 * one forged packet cannot move the index (and the replay window behind it) ahead of the
 * real sender. A packet within SRTP_MAX_DROPOUT clears a pending jump.
 */
#define SRTP_MAX_DROPOUT 3000
#define SRTP_JUMP_CONFIRM 2

struct srtp_jump_probation {
	uint16_t next_seq;	/* the sequence number that continues the pending jump */
	uint16_t seen;		/* packets of the pending jump so far; 0: none pending */
};

/*
 * For a packet of index (its sequence number the low 16 bits) on a sender whose highest
 * sent index is highest (started: anything sent yet): 0 to send it (and commit it),
 * -1 to refuse it as an unconfirmed jump. Updates the probation state.
 */
static inline int srtp_jump_check(struct srtp_jump_probation *p, int started,
				  uint64_t highest, uint64_t index)
{
	uint16_t seq = (uint16_t)index;

	if (!started || index <= highest + SRTP_MAX_DROPOUT) {
		p->seen = 0;
		return 0;
	}
	if (p->seen && seq == p->next_seq)
		p->seen++;
	else
		p->seen = 1;
	p->next_seq = (uint16_t)(seq + 1);
	if (p->seen > SRTP_JUMP_CONFIRM) {
		p->seen = 0;
		return 0;
	}
	return -1;
}

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
