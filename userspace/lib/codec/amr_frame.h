/*
 * AMR (3GPP TS 26.101) and AMR-WB (TS 26.201) frame types as RFC 4867 carries them:
 * how many speech bits each frame type has, which are speech, comfort noise (SID) or
 * empty, and the one-octet frame header of the storage format (RFC 4867 section 5.3),
 * which is also what opencore-amr's decoders and encoders read and write.
 */
#ifndef NWIT_CODEC_AMR_FRAME_H
#define NWIT_CODEC_AMR_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum amr_codec {
	AMR_NB = 0, /* AMR, 8 kHz, modes 0-7 */
	AMR_WB = 1, /* AMR-WB, 16 kHz, modes 0-8 */
};

#define AMR_FT_NO_DATA 15
#define AMR_WB_FT_SPEECH_LOST 14
#define AMR_NB_FT_SID 8
#define AMR_WB_FT_SID 9
#define AMR_CMR_NONE 15
/* AMR-WB 23.85 kbit/s: 477 bits */
#define AMR_MAX_FRAME_BITS 477
#define AMR_MAX_FRAME_BYTES ((AMR_MAX_FRAME_BITS + 7) / 8)
/* 20 ms per frame */
#define AMR_FRAME_MS 20

/* Number of speech modes: 8 for AMR, 9 for AMR-WB. */
unsigned amr_modes(enum amr_codec c);
/* The sampling (and RTP clock) rate: 8000 or 16000. */
unsigned amr_rate(enum amr_codec c);
/* Samples in a 20 ms frame: 160 or 320. */
unsigned amr_frame_samples(enum amr_codec c);
/* "AMR" or "AMR-WB", the SDP encoding name. */
const char *amr_codec_name(enum amr_codec c);

/*
 * Speech or comfort noise bits of frame type ft, 0 for NO_DATA (and AMR-WB's
 * SPEECH_LOST), or -EINVAL for a frame type this payload format does not carry: AMR 9-14
 * and AMR-WB 10-13 (RFC 4867 section 4.3.2: the whole packet is discarded).
 */
int amr_ft_bits(enum amr_codec c, unsigned ft);
bool amr_ft_is_speech(enum amr_codec c, unsigned ft);
bool amr_ft_is_sid(enum amr_codec c, unsigned ft);
/* Bit rate of speech mode `mode` in bit/s (12200 for AMR mode 7), 0 if not a mode. */
unsigned amr_mode_bitrate(enum amr_codec c, unsigned mode);

/* One frame, its speech bits MSB first and zero padded to an octet boundary. */
struct amr_frame {
	uint8_t ft;
	uint8_t q;     /* 1 = good, 0 = damaged (RFC 4867 section 4.3.2) */
	uint16_t bits; /* amr_ft_bits(ft) */
	uint8_t data[AMR_MAX_FRAME_BYTES];
};

/*
 * The storage format's frame (header octet 0 FT Q 0 0, then the speech bits padded to
 * octets): write into out (room for 1 + AMR_MAX_FRAME_BYTES), return its length.
 */
size_t amr_frame_to_storage(const struct amr_frame *f, uint8_t *out);
/*
 * Read one storage-format frame from p; return the octets it took, or -EBADMSG (a header
 * with its padding bits set, or fewer octets than its frame type needs) or -EINVAL (a
 * frame type this format does not carry), with the reason in err.
 */
int amr_frame_from_storage(enum amr_codec c, const uint8_t *p, size_t len, struct amr_frame *f,
			   char *err, size_t errlen);

#endif
