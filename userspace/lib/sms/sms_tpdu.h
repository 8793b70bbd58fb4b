/*
 * Short message transfer layer (3GPP TS 23.040): the TPDUs a phone sends and receives.
 *
 *   SMS-SUBMIT         MS -> SC   sms_submit_encode / sms_submit_decode, sms_submit_text
 *   SMS-DELIVER        SC -> MS   sms_deliver_decode / sms_deliver_encode
 *   SMS-STATUS-REPORT  SC -> MS   sms_status_report_decode
 *   SMS-SUBMIT-REPORT  SC -> MS   sms_submit_report_decode (in RP-ACK / RP-ERROR)
 *   SMS-DELIVER-REPORT MS -> SC   sms_deliver_report_encode (in RP-ACK / RP-ERROR)
 *
 * and their fields: addresses (9.1.2.5), time stamps (9.2.3.11), the validity period
 * (9.2.3.12), the data coding scheme (TS 23.038 section 4) and the user data with its
 * header (9.2.3.24). Decoders read only inside the buffer they are given, check every
 * length against it, and return -EBADMSG with the reason in err; encoders return the
 * number of octets written, -EINVAL for a value the field cannot hold, -ENOSPC.
 */
#ifndef NWIT_SMS_TPDU_H
#define NWIT_SMS_TPDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMS_UD_MAX 140		/* octets of TP-User-Data */
#define SMS_UD_SEPTETS_MAX 160	/* septets of TP-User-Data */
#define SMS_TPDU_MAX 176	/* the largest TPDU (SMS-SUBMIT with an absolute VP: 164) */
#define SMS_TP_ADDR_DIGITS_MAX 20
#define SMS_ADDR_TEXT_MAX 64	/* digits, or an alphanumeric address in UTF-8 */

/* TP-MTI (9.2.3.1), the two low bits of the first octet */
#define SMS_MTI_DELIVER 0	/* SC -> MS; MS -> SC: SMS-DELIVER-REPORT */
#define SMS_MTI_SUBMIT 1	/* MS -> SC; SC -> MS: SMS-SUBMIT-REPORT */
#define SMS_MTI_STATUS 2	/* SC -> MS: SMS-STATUS-REPORT; MS -> SC: SMS-COMMAND */

/* Type of number and numbering plan (9.1.2.5) */
#define SMS_TON_UNKNOWN 0
#define SMS_TON_INTERNATIONAL 1
#define SMS_TON_NATIONAL 2
#define SMS_TON_ALPHANUMERIC 5
#define SMS_NPI_UNKNOWN 0
#define SMS_NPI_ISDN 1

struct sms_addr {
	uint8_t ton; /* 0..7 */
	uint8_t npi; /* 0..15 */
	/* Digits 0-9 * # a b c without '+' (international numbers have ton 1), or, with
	 * ton 5, the alphanumeric address in UTF-8. */
	char text[SMS_ADDR_TEXT_MAX];
};

/*
 * "+46708251358" (international, E.164) or "0708251358" (unknown type, E.164 plan); the
 * visual separators - . ( ) of tel URIs (RFC 3966) are dropped. 0 or -EINVAL.
 */
int sms_addr_parse(const char *s, struct sms_addr *a);

/*
 * The phone number of a URI an app addresses: "tel:+46708251358" (RFC 3966; parameters
 * after ';' ignored) or "sip:+46708251358@host;user=phone" (RFC 3261 19.1.6; also sips).
 * 0 or -EINVAL (another scheme, a SIP URI without user=phone, not a number).
 */
int sms_addr_from_uri(const char *uri, struct sms_addr *a);

/* "+46708251358" for international numbers, the digits or text otherwise. 0, -ENOSPC. */
int sms_addr_format(const struct sms_addr *a, char *out, size_t cap);

/*
 * TP address: length in digits, type of address, semi-octets (9.1.2.5). Writes at most
 * 12 octets; alphanumeric addresses are not written (-EINVAL).
 */
int sms_tp_addr_encode(const struct sms_addr *a, uint8_t *out, size_t cap);
/* 0 with *used octets, or -EBADMSG. Alphanumeric addresses are decoded to UTF-8. */
int sms_tp_addr_decode(const uint8_t *in, size_t len, struct sms_addr *a, size_t *used,
		       char *err, size_t errlen);

/*
 * RP address (TS 24.011 8.2.5.1, 8.2.5.2): length in octets, type of address, BCD digits,
 * at most 20 digits. present=false writes or reads the empty address (one octet 0).
 */
int sms_rp_addr_encode(const struct sms_addr *a, bool present, uint8_t *out, size_t cap);
int sms_rp_addr_decode(const uint8_t *in, size_t len, struct sms_addr *a, bool *present,
		       size_t *used, char *err, size_t errlen);

/* TP-SCTS, TP-DT (9.2.3.11): local time and its offset from UTC */
struct sms_time {
	uint8_t year; /* 0..99, of 20YY */
	uint8_t month, day, hour, minute, second;
	int8_t tz_quarters; /* quarters of an hour east of UTC, -79..79 */
};
int sms_time_decode(const uint8_t in[7], struct sms_time *t, char *err, size_t errlen);
void sms_time_encode(const struct sms_time *t, uint8_t out[7]);
/* "2099-03-29T15:16:59+02:00". 0 or -ENOSPC. */
int sms_time_format(const struct sms_time *t, char *out, size_t cap);

/* TP-VP relative (9.2.3.12.1): the shortest period of at least `minutes` (max 63 weeks) */
uint8_t sms_vp_relative(unsigned minutes);
unsigned sms_vp_relative_minutes(uint8_t vp);

/* TP-DCS (TS 23.038 section 4) */
enum sms_alphabet {
	SMS_ALPHABET_GSM7 = 1,
	SMS_ALPHABET_8BIT,
	SMS_ALPHABET_UCS2,
};
struct sms_dcs {
	enum sms_alphabet alphabet;
	int msg_class;	 /* 0..3, or -1 when the DCS gives none */
	bool compressed; /* TS 23.042 compression: not supported */
};
/* Every value decodes: reserved codings are the GSM 7-bit alphabet (TS 23.038 4). */
void sms_dcs_decode(uint8_t dcs, struct sms_dcs *d);

/* Concatenated short messages (9.2.3.24.1, 9.2.3.24.8) */
#define SMS_IEI_CONCAT8 0x00
#define SMS_IEI_CONCAT16 0x08
struct sms_concat {
	uint16_t ref;
	uint8_t total; /* parts, 1..255 */
	uint8_t seq;   /* this part, 1..total */
	bool ref16;    /* IEI 0x08 (16-bit reference) rather than 0x00 */
};

/* TP-UD with its header, its length given by TP-UDL (9.2.3.16, 9.2.3.24) */
struct sms_ud {
	enum sms_alphabet alphabet;
	bool has_udh;
	uint8_t udh[SMS_UD_MAX]; /* the information elements, without the UDHL octet */
	size_t udh_len;
	bool has_concat; /* a valid concatenation element was in the header */
	struct sms_concat concat;
	/* a national language shift element (IEI 0x24, 0x25) was in the header: its tables
	 * are not supported, the text decodes with the default ones */
	bool national_language;
	uint8_t data[SMS_UD_SEPTETS_MAX]; /* after the header: septets (GSM 7-bit) or octets */
	size_t len;
};

/*
 * The information elements of a user data header: well formed (each inside the
 * header), the last concatenation element taken (9.2.3.24: a repeated element counts
 * once, the last), and one with a zero total or a sequence number outside 1..total
 * ignored as 9.2.3.24.1 says. 0 or -EBADMSG.
 */
int sms_udh_parse(const uint8_t *ies, size_t len, bool *has_concat, struct sms_concat *c,
		  char *err, size_t errlen);
/* Whether a header that sms_udh_parse() accepted holds an element iei. */
bool sms_udh_has(const uint8_t *ies, size_t len, uint8_t iei);
#define SMS_IEI_NATIONAL_SINGLE_SHIFT 0x24
#define SMS_IEI_NATIONAL_LOCKING_SHIFT 0x25

/* Append a concatenation element to ud's header (sets has_udh). 0 or -ENOSPC. */
int sms_udh_add_concat(struct sms_ud *ud, const struct sms_concat *c);

/*
 * TP-UDL and TP-UD at in (len octets left): alphabet from the DCS, udhi from the first
 * octet. 0 with *used octets, or -EBADMSG (a length beyond the buffer or the 140-octet
 * limit, a header longer than the data, a bad header).
 */
int sms_ud_decode(const uint8_t *in, size_t len, bool udhi, enum sms_alphabet alphabet,
		  struct sms_ud *ud, size_t *used, char *err, size_t errlen);
/* Write TP-UDL and TP-UD: octets written, -EMSGSIZE (over 140 octets), -ENOSPC. */
int sms_ud_encode(const struct sms_ud *ud, uint8_t *out, size_t cap);

/*
 * The text of user data (data/len in alphabet) as NUL-terminated UTF-8: 0 with *outlen,
 * -EPROTONOSUPPORT (8-bit data is not text), -EBADMSG (bad UCS-2), -ENOSPC.
 */
int sms_text_from_data(enum sms_alphabet alphabet, const uint8_t *data, size_t len, char *out,
		       size_t cap, size_t *outlen);
int sms_ud_text(const struct sms_ud *ud, char *out, size_t cap, size_t *outlen);

/*
 * TP-PI (9.2.3.27) at in, extension octets skipped: 0 with *used, or -EBADMSG. Then the
 * TP-PID, TP-DCS and TP-UDL/TP-UD it announces (absent ones are 0 / has_ud false).
 */
int sms_pi_decode(const uint8_t *in, size_t len, uint8_t *pi, size_t *used, char *err,
		  size_t errlen);
int sms_pi_fields_decode(const uint8_t *in, size_t len, uint8_t pi, bool udhi, uint8_t *pid,
			 uint8_t *dcs, bool *has_ud, struct sms_ud *ud, size_t *used, char *err,
			 size_t errlen);

/* TP-VPF (9.2.3.3) */
#define SMS_VPF_NONE 0
#define SMS_VPF_ENHANCED 1
#define SMS_VPF_RELATIVE 2
#define SMS_VPF_ABSOLUTE 3

struct sms_submit {
	bool rd;  /* TP-RD: reject duplicates */
	bool srr; /* TP-SRR: status report requested */
	bool rp;  /* TP-RP: reply path */
	uint8_t mr; /* TP-MR */
	struct sms_addr da;
	uint8_t pid, dcs;
	uint8_t vpf;
	uint8_t vp[7]; /* relative: vp[0]; enhanced and absolute: 7 octets */
	struct sms_ud ud; /* ud.alphabet must match dcs */
};
int sms_submit_encode(const struct sms_submit *s, uint8_t *out, size_t cap);
int sms_submit_decode(const uint8_t *in, size_t len, struct sms_submit *s, char *err,
		      size_t errlen);

struct sms_deliver {
	bool mms; /* TP-MMS set: no more messages waiting */
	bool lp;  /* TP-LP: loop prevention */
	bool sri; /* TP-SRI: the sender asked for a status report */
	bool rp;
	struct sms_addr oa;
	uint8_t pid, dcs;
	struct sms_dcs dcs_info;
	struct sms_time scts;
	struct sms_ud ud;
};
int sms_deliver_decode(const uint8_t *in, size_t len, struct sms_deliver *d, char *err,
		       size_t errlen);
/* dcs_info is not read: the alphabet is ud.alphabet, which must match dcs. */
int sms_deliver_encode(const struct sms_deliver *d, uint8_t *out, size_t cap);

/* TP-ST (9.2.3.15) */
enum sms_status_class {
	SMS_STATUS_DELIVERED = 1, /* 0x00-0x1f: transaction completed */
	SMS_STATUS_PENDING,	  /* 0x20-0x3f: temporary error, the SC still trying */
	SMS_STATUS_FAILED,	  /* 0x40-0x7f: permanent error, or the SC no longer trying */
};
/* Reserved values (bit 7 set) are failures. */
enum sms_status_class sms_status_classify(uint8_t st);

struct sms_status_report {
	bool mms, lp;
	bool srq; /* TP-SRQ: the report is for an SMS-COMMAND */
	uint8_t mr; /* TP-MR of the SMS-SUBMIT it reports on */
	struct sms_addr ra;
	struct sms_time scts; /* when the SC received the message */
	struct sms_time dt;   /* discharge time */
	uint8_t st;
	bool has_pi;
	uint8_t pi;
	uint8_t pid, dcs; /* when TP-PI says so, else 0 */
	bool has_ud;
	struct sms_ud ud;
};
int sms_status_report_decode(const uint8_t *in, size_t len, struct sms_status_report *r,
			     char *err, size_t errlen);

/* SMS-SUBMIT-REPORT (9.2.2.2a): in RP-ACK (error=false) or RP-ERROR (error=true) */
struct sms_submit_report {
	bool has_fcs;
	uint8_t fcs; /* TP-FCS (9.2.3.22), RP-ERROR only */
	uint8_t pi;
	struct sms_time scts;
};
int sms_submit_report_decode(const uint8_t *in, size_t len, bool error,
			     struct sms_submit_report *r, char *err, size_t errlen);

/* TP-FCS values a phone sends in an SMS-DELIVER-REPORT (9.2.3.22) */
#define SMS_FCS_MEMORY_EXCEEDED 0xd3
#define SMS_FCS_UNSPECIFIED 0xff
/*
 * SMS-DELIVER-REPORT (9.2.2.1a) without optional parameters: for RP-ACK (error=false)
 * or RP-ERROR with the failure cause fcs. Octets written or -ENOSPC.
 */
int sms_deliver_report_encode(bool error, uint8_t fcs, uint8_t *out, size_t cap);

/* One SMS-SUBMIT of a text cut into parts. */
struct sms_tpdu_buf {
	uint8_t data[SMS_TPDU_MAX];
	size_t len;
	uint8_t mr;
};
struct sms_submit_req {
	const char *to;		      /* "+46708251358" or national digits */
	const uint8_t *text;	      /* UTF-8 */
	size_t text_len;
	bool srr;		      /* status report requested for each part */
	unsigned validity_minutes;    /* 0: no TP-VP; else relative, rounded up */
	bool ref16;		      /* 16-bit concatenation reference (IEI 0x08) */
};

/*
 * Encode text as SMS-SUBMITs: GSM 7-bit when every character is in the default alphabet
 * or its extension table, UCS-2 otherwise; one part up to 160 septets / 70 UCS-2 units,
 * else parts of 153 (152 with ref16) septets / 67 (66) units with a concatenation
 * header, never cutting an escape sequence or a surrogate pair. Each part takes the
 * next TP-MR after *last_mr (9.2.3.6), a concatenated message the next reference after
 * *last_ref; both are advanced only on success. 0 with *nparts, -EINVAL (address),
 * -EILSEQ (not UTF-8, or a NUL character), -EMSGSIZE (more than max_parts parts; at
 * most 255).
 */
int sms_submit_text(const struct sms_submit_req *r, uint8_t *last_mr, uint16_t *last_ref,
		    struct sms_tpdu_buf *parts, size_t max_parts, size_t *nparts, char *err,
		    size_t errlen);

#endif
