/*
 * Encoder mode control for AMR / AMR-WB: codec mode requests within the mode-set and
 * the mode-change-period / mode-change-neighbor restrictions (RFC 4867 8.1).
 */
#include "codec/amr_mode.h"

static unsigned highest(uint16_t set)
{
	unsigned m = 0;

	for (unsigned i = 0; i < 16; i++)
		if (set & (1u << i))
			m = i;
	return m;
}

static unsigned lowest(uint16_t set)
{
	for (unsigned i = 0; i < 16; i++)
		if (set & (1u << i))
			return i;
	return 0;
}

/* The mode the peer asks for, within the set */
static unsigned target(const struct amr_mode_ctl *m)
{
	uint16_t below;

	if (m->requested == AMR_CMR_NONE)
		return highest(m->set);
	below = (uint16_t)(m->set & ((2u << m->requested) - 1));
	return below ? highest(below) : lowest(m->set);
}

void amr_mode_init(struct amr_mode_ctl *m, enum amr_codec c, const struct amr_fmtp *peer)
{
	uint16_t all = (uint16_t)((1u << amr_modes(c)) - 1);

	m->codec = c;
	m->set = peer->mode_set & all ? peer->mode_set & all : all;
	m->period = peer->mode_change_period == 2 ? 2 : 1;
	m->neighbor = peer->mode_change_neighbor != 0;
	m->requested = AMR_CMR_NONE;
	m->frames = 0;
	m->mode = (uint8_t)target(m);
}

void amr_mode_request(struct amr_mode_ctl *m, unsigned cmr)
{
	if (cmr == AMR_CMR_NONE || cmr < amr_modes(m->codec))
		m->requested = (uint8_t)cmr;
}

unsigned amr_mode_next(struct amr_mode_ctl *m)
{
	unsigned want = target(m), cur = m->mode;

	if (want != cur && m->frames % m->period == 0) {
		if (m->neighbor) {
			/* one step through the set toward want */
			int step = want > cur ? 1 : -1;
			unsigned next = cur;

			for (int i = (int)cur + step; i >= 0 && i < 16; i += step)
				if (m->set & (1u << i)) {
					next = (unsigned)i;
					break;
				}
			cur = next;
		} else {
			cur = want;
		}
		m->mode = (uint8_t)cur;
	}
	m->frames++;
	return m->mode;
}
