/*
 * SDP (RFC 8866): a strict, bounded parser and a serializer over our own data model.
 *
 * Why not osip2's sdp_message_*: its parser accepts lines in any order and unknown
 * junk without saying where, reports failures as a bare -1 with no line number, has no
 * bounds on the number of lines, attributes or media sections, and its accessors walk
 * linked lists by index (quadratic over Chromium's ~180-line offers). A translator that
 * faces untrusted offers from browsers and IMS peers needs the opposite: line-numbered
 * errors, hard limits, and O(1) access to m-lines and attributes. The model below keeps
 * every line it accepts, so parse -> serialize keeps the meaning of the input.
 *
 * Strings in a session live in the session's own storage (sdp_strdup/sdp_printf) and
 * are freed with it.
 */
#ifndef NWIT_SDP_H
#define NWIT_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_BYTES 65536	/* whole description */
#define SDP_MAX_LINES 1024
#define SDP_MAX_LINE_LEN 1024	/* without the line end */
#define SDP_MAX_MEDIA 16
#define SDP_MAX_ATTRS 256	/* per level (session, or one media section) */
#define SDP_MAX_FMTS 64		/* formats on one m= line */
#define SDP_MAX_BW 4		/* b= lines per level */
#define SDP_MAX_EXTRA 8		/* i= u= e= p= lines at session level */
#define SDP_MAX_TIMES 8		/* t= r= z= lines */
#define SDP_ERR_MAX 160

struct sdp_attr {
	const char *name;
	const char *value; /* NULL for a property attribute ("a=rtcp-mux") */
};

struct sdp_attrs {
	unsigned n;
	struct sdp_attr a[SDP_MAX_ATTRS];
};

/* "c=IN IP4 192.0.2.1": unicast IP literals only. */
struct sdp_conn {
	bool present;
	int af; /* AF_INET or AF_INET6 */
	const char *addr;
};

/* A line kept as it came: type letter and value. */
struct sdp_line {
	char type;
	const char *value;
};

struct sdp_media {
	const char *type;  /* audio, video, application, message, ... */
	uint16_t port;
	uint16_t nports;   /* 0 when the m= line has no "/<number of ports>" */
	const char *proto; /* RTP/AVP, UDP/TLS/RTP/SAVPF, UDP/DTLS/SCTP, ... */
	unsigned nfmt;
	const char *fmt[SDP_MAX_FMTS];
	const char *info; /* i=, or NULL */
	struct sdp_conn conn;
	unsigned nbw;
	const char *bw[SDP_MAX_BW];
	struct sdp_attrs attrs;
	unsigned line; /* line number of the m= line when parsed, else 0 */
};

struct sdp_string;

struct sdp_session {
	struct {
		const char *username, *sess_id, *sess_version;
		int af;
		const char *addr;
	} origin;
	const char *name;
	unsigned nextra;
	struct sdp_line extra[SDP_MAX_EXTRA]; /* i= u= e= p= in order */
	struct sdp_conn conn;
	unsigned nbw;
	const char *bw[SDP_MAX_BW];
	unsigned ntimes;
	struct sdp_line times[SDP_MAX_TIMES]; /* t= r= z= in order */
	struct sdp_attrs attrs;
	unsigned nmedia;
	struct sdp_media media[SDP_MAX_MEDIA];
	struct sdp_string *strings; /* storage of every string above */
};

/*
 * Parse len bytes of buf. On success *out is a new session (sdp_free it) and 0 is
 * returned. On failure returns -EINVAL (malformed, with "line N: reason" in err),
 * -E2BIG (a limit exceeded, also explained in err) or -ENOMEM.
 */
int sdp_parse(const char *buf, size_t len, struct sdp_session **out, char *err, size_t errlen);

/*
 * Write s as SDP text with CRLF line ends. *out is malloc'd and NUL-terminated, *len
 * its length. Returns 0, -EINVAL when s lacks a mandatory field, or -ENOMEM.
 */
int sdp_serialize(const struct sdp_session *s, char **out, size_t *len);

/* An empty session ("v=0", "t=0 0" are written by the serializer when times is empty). */
struct sdp_session *sdp_new(void);
void sdp_free(struct sdp_session *s);

/* Copies owned by s; NULL on allocation failure. */
const char *sdp_strdup(struct sdp_session *s, const char *str);
const char *sdp_printf(struct sdp_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Add an m= section; returns NULL when SDP_MAX_MEDIA are used or on allocation failure. */
struct sdp_media *sdp_add_media(struct sdp_session *s, const char *type, uint16_t port,
				const char *proto);
/* Add a format to m; -E2BIG when full, -ENOMEM. */
int sdp_media_add_fmt(struct sdp_session *s, struct sdp_media *m, const char *fmt);

/*
 * Append "a=name[:value]" to l; value_fmt NULL adds a property attribute.
 * Returns 0, -E2BIG when l is full, -ENOMEM.
 */
int sdp_attrs_add(struct sdp_session *s, struct sdp_attrs *l, const char *name,
		  const char *value_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Index of the first attribute named name at or after *from, or -1; name compared exactly. */
int sdp_attrs_find(const struct sdp_attrs *l, const char *name, unsigned from);
/* Value of the first attribute named name: "" for a property, NULL when absent. */
const char *sdp_attrs_get(const struct sdp_attrs *l, const char *name);
bool sdp_attrs_has(const struct sdp_attrs *l, const char *name);

/* Set c= of a media section or session from an IP literal; -EINVAL when not one. */
int sdp_conn_set(struct sdp_session *s, struct sdp_conn *c, const char *addr);

#endif
