/*
 * MSRP (RFC 4975) frames: parse one request or response from a byte stream, build one,
 * cut a message into SEND chunks, answer, and write REPORTs. Everything is bounded by
 * struct msrp_limits; a bad frame gets a negative errno, a reason and a counter.
 *
 * A frame (RFC 4975 section 9):
 *   MSRP <tid> <METHOD>            or   MSRP <tid> <code> [comment]
 *   To-Path: <uri> ...             (first header)
 *   From-Path: <uri> ...           (second header)
 *   Message-ID / Byte-Range / Success-Report / Failure-Report / Status / ... headers
 *   [Content-Type: <type> CRLF CRLF <data> CRLF]
 *   -------<tid><$|+|#> CRLF
 */
#ifndef NWIT_MSRP_H
#define NWIT_MSRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSRP_PATH_MAX 6	    /* URIs in one To-Path / From-Path (endpoint + relays) */
#define MSRP_URI_MAX 256    /* characters of one URI */
#define MSRP_IDENT_MAX 32   /* transaction id and Message-ID: ident = 4..32 characters */
#define MSRP_CTYPE_MAX 128
#define MSRP_REASON_MAX 96
#define MSRP_EXTRA_MAX 256  /* other headers kept verbatim (Use-Path, Expires, ...) */

/* The defaults (msrp_limits_default) are what nwit accepts from a peer. */
struct msrp_limits {
	size_t max_header;	  /* start line + headers, bytes (default 8 KiB) */
	size_t max_chunk;	  /* data of one chunk (default 256 KiB) */
	uint64_t max_message;	  /* total of one message (default 64 MiB) */
	unsigned max_concurrent;  /* messages being reassembled at once (default 8) */
};
void msrp_limits_default(struct msrp_limits *l);

/* msrp://host:port/session;tcp (RFC 4975 section 9; the session part may be empty in a
 * relay's URI, RFC 4976). Comparison rules: msrp_uri_equal. */
struct msrp_uri {
	bool secure;			/* msrps */
	char host[MSRP_URI_MAX];	/* as written, IPv6 with its brackets */
	uint16_t port;			/* 0 when absent */
	char session[MSRP_URI_MAX];	/* "" for a relay */
	char transport[16];		/* "tcp" or another token */
};

struct msrp_path {
	unsigned n;
	struct msrp_uri uri[MSRP_PATH_MAX];
};

/* Parse one URI (len bytes, not NUL terminated). 0 or -EINVAL. */
int msrp_uri_parse(const char *s, size_t len, struct msrp_uri *u);
/* "msrp://host:port/session;tcp" into out. Length, or -ENOSPC. */
int msrp_uri_format(const struct msrp_uri *u, char *out, size_t cap);
/* RFC 4975 section 6.1: scheme, host (any case), port, session id (exact), transport. */
bool msrp_uri_equal(const struct msrp_uri *a, const struct msrp_uri *b);
/* Parse a space separated list of URIs. 0, -EINVAL, -E2BIG for too many. */
int msrp_path_parse(const char *s, size_t len, struct msrp_path *p);

enum msrp_method { MSRP_NONE = 0, MSRP_SEND, MSRP_REPORT, MSRP_AUTH, MSRP_OTHER };
enum msrp_report { MSRP_REPORT_UNSET = 0, MSRP_REPORT_YES, MSRP_REPORT_NO,
		   MSRP_REPORT_PARTIAL };

#define MSRP_RANGE_UNKNOWN UINT64_MAX /* '*' in Byte-Range */

struct msrp_frame {
	bool is_request;
	enum msrp_method method;
	char method_name[16];		/* as written, for MSRP_OTHER */
	unsigned status;		/* responses: 200, 400, ... */
	char comment[MSRP_REASON_MAX];	/* responses: the text after the code */
	char tid[MSRP_IDENT_MAX + 1];
	struct msrp_path to, from;
	char message_id[MSRP_IDENT_MAX + 1]; /* "" when absent */
	bool has_byte_range;
	uint64_t range_start, range_end, range_total; /* end/total may be MSRP_RANGE_UNKNOWN */
	enum msrp_report success_report, failure_report;
	bool has_status;		/* Status: 000 <code> [reason] (REPORT) */
	unsigned status_code;
	char status_reason[MSRP_REASON_MAX];
	char content_type[MSRP_CTYPE_MAX]; /* "" when no body */
	char extra[MSRP_EXTRA_MAX];	/* other headers, "Name: value\r\n" each */
	const uint8_t *body;		/* points into the parsed buffer (or the caller's data) */
	size_t body_len;
	char cont;			/* '$' complete, '+' more chunks follow, '#' aborted */
};

/* What went wrong, for counters and for the status of the answer. */
enum msrp_error {
	MSRP_OK = 0,
	MSRP_ERR_SYNTAX,	/* malformed start line, header or URI */
	MSRP_ERR_BYTE_RANGE,	/* bad Byte-Range, or the data does not match it */
	MSRP_ERR_END_LINE,	/* no end-line, or a bad continuation flag */
	MSRP_ERR_OVERSIZE,	/* header block, chunk or message over the limits */
};

/*
 * Parse one frame from the start of buf. eof: nothing more will come after len bytes.
 * Returns the frame's length (> 0), 0 when more bytes are needed, or
 *   -EBADMSG (syntax, end-line), -ERANGE (byte range), -EMSGSIZE (over a limit),
 * with the reason in err and the class in *why (either may be NULL). f->body points
 * into buf. A failed stream cannot be resynchronised: close the connection.
 */
int msrp_parse(const uint8_t *buf, size_t len, bool eof, const struct msrp_limits *lim,
	       struct msrp_frame *f, enum msrp_error *why, char *err, size_t errlen);

/* Write f (with f->body) as one frame. Its length, -ENOSPC, or -EINVAL for a frame that
 * cannot be written (no tid, no paths, a body without Content-Type). */
int msrp_build(const struct msrp_frame *f, uint8_t *buf, size_t cap);

/* A fresh random transaction id / Message-ID (16 alphanumerics). */
void msrp_new_ident(char out[MSRP_IDENT_MAX + 1]);
/* A fresh transaction id whose end-line does not occur in data (RFC 4975 section 7.1). */
void msrp_new_tid_for(char out[MSRP_IDENT_MAX + 1], const uint8_t *data, size_t len);

/* The bytes a frame without its data needs, to size buffers: start line, headers, end-line. */
#define MSRP_FRAME_OVERHEAD 4096u

/*
 * Does this request want a transaction response, and which? (RFC 4975 section 7.2:
 * Failure-Report "no" wants none, "partial" only a failure.) status 200 or an error.
 */
bool msrp_wants_response(const struct msrp_frame *req, unsigned status);

/*
 * The transaction response to req: same tid, To-Path = req's From-Path, From-Path = the
 * last URI of req's To-Path (the responder). Returns the response's length or -errno.
 */
int msrp_build_response(const struct msrp_frame *req, unsigned status, const char *comment,
			uint8_t *buf, size_t cap);

/*
 * A REPORT for a message whose SEND (any of its chunks) was req: Byte-Range
 * 1-<received>/<total>, Status 000 <status> <reason>. Returns its length or -errno.
 */
int msrp_build_report(const struct msrp_frame *req, uint64_t received, uint64_t total,
		      unsigned status, const char *reason, uint8_t *buf, size_t cap);

/* The reason phrase of an MSRP status code ("OK", "Bad Request", ...). */
const char *msrp_status_text(unsigned status);

/*
 * Cut a message of total bytes into SEND chunks of at most max_chunk bytes:
 *   struct msrp_chunker c; msrp_chunker_init(&c, &tmpl, data, total, max_chunk);
 *   while ((n = msrp_chunker_next(&c, buf, cap)) > 0) send(buf, n);
 * tmpl carries To-Path, From-Path, Message-ID, Content-Type and the report settings;
 * each chunk gets a new tid, Byte-Range start-end/total and '+' or '$'.
 */
struct msrp_chunker {
	struct msrp_frame tmpl;
	const uint8_t *data;
	uint64_t total, off;
	size_t max_chunk;
	bool done;
	char last_tid[MSRP_IDENT_MAX + 1];
};
void msrp_chunker_init(struct msrp_chunker *c, const struct msrp_frame *tmpl,
		       const uint8_t *data, uint64_t total, size_t max_chunk);
/* The next chunk's length, 0 when all were written, -ENOSPC when cap is too small. */
int msrp_chunker_next(struct msrp_chunker *c, uint8_t *buf, size_t cap);

/*
 * Reassembly of chunked messages by Message-ID and Byte-Range, in order per message
 * (one connection keeps the order), duplicates ignored, at most max_concurrent
 * messages of at most max_message bytes at once.
 */
struct msrp_reasm;
struct msrp_reasm *msrp_reasm_new(const struct msrp_limits *lim);
void msrp_reasm_free(struct msrp_reasm *r);

struct msrp_message {
	char message_id[MSRP_IDENT_MAX + 1];
	char content_type[MSRP_CTYPE_MAX];
	uint8_t *data; /* malloc'ed, the caller frees it */
	size_t len;
};

/*
 * Add one SEND chunk. Returns 1 with *done filled when the message is complete, 0 when
 * more chunks are needed (or the message was aborted with '#': *aborted set), or
 *   -ERANGE (gap, overlap with other data, beyond the total: 423-class),
 *   -EMSGSIZE (over max_message: 413), -EUSERS (too many messages at once: 413),
 *   -EINVAL (no Message-ID), -ENOMEM,
 * with the reason in err. *received: bytes of this message so far (for REPORTs).
 */
int msrp_reasm_add(struct msrp_reasm *r, const struct msrp_frame *chunk,
		   struct msrp_message *done, bool *aborted, uint64_t *received, char *err,
		   size_t errlen);
/* Messages being reassembled now. */
unsigned msrp_reasm_pending(const struct msrp_reasm *r);

#endif
