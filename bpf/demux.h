/* RFC 7983 (and RFC 5764 §5.1.2) demultiplexing by the first payload byte. */
#ifndef NWIT_BPF_DEMUX_H
#define NWIT_BPF_DEMUX_H

#include "nwit/fastpath.h"

static __always_inline enum nwit_pkt_class classify_first_byte(__u8 b)
{
	if (b <= 3)
		return NWIT_CLASS_STUN;
	if (b >= 16 && b <= 19)
		return NWIT_CLASS_ZRTP;
	if (b >= 20 && b <= 63)
		return NWIT_CLASS_DTLS;
	if (b >= 64 && b <= 79)
		return NWIT_CLASS_TURN;
	if (b >= 128 && b <= 191)
		return NWIT_CLASS_RTP_RTCP;
	return NWIT_CLASS_UNKNOWN;
}

#endif
