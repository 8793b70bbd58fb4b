/*
 * Reassembly of chunked MSRP messages (RFC 4975 section 5.1) by Message-ID and
 * Byte-Range. Chunks of one message must arrive in order (one TCP connection keeps it);
 * repeated bytes (a resent chunk) are ignored when they lie wholly before the next
 * expected byte.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/counters.h"
#include "core/reason.h"
#include "msrp/msrp.h"

struct pending {
	bool used;
	char message_id[MSRP_IDENT_MAX + 1];
	char content_type[MSRP_CTYPE_MAX];
	uint64_t total; /* MSRP_RANGE_UNKNOWN while not known */
	uint8_t *data;
	size_t len, cap;
};

struct msrp_reasm {
	struct msrp_limits lim;
	unsigned n;
	struct pending *p;
};

struct msrp_reasm *msrp_reasm_new(const struct msrp_limits *lim)
{
	struct msrp_reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->lim = *lim;
	r->p = calloc(lim->max_concurrent ? lim->max_concurrent : 1, sizeof(*r->p));
	if (!r->p) {
		free(r);
		return NULL;
	}
	return r;
}

static void drop(struct msrp_reasm *r, struct pending *p)
{
	free(p->data);
	memset(p, 0, sizeof(*p));
	r->n--;
}

void msrp_reasm_free(struct msrp_reasm *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->lim.max_concurrent; i++)
		free(r->p[i].data);
	free(r->p);
	free(r);
}

unsigned msrp_reasm_pending(const struct msrp_reasm *r)
{
	return r->n;
}

/* a refused chunk: counted, with its reason */
#define fail(err, errlen, rc, ...) \
	(counter_inc(COUNTER_MSRP_REASSEMBLY_ERRORS), reason_set(err, errlen, rc, __VA_ARGS__))

int msrp_reasm_add(struct msrp_reasm *r, const struct msrp_frame *c,
		   struct msrp_message *done, bool *aborted, uint64_t *received, char *err,
		   size_t errlen)
{
	struct pending *p = NULL, *free_slot = NULL;
	uint64_t start, total;
	size_t skip, n;

	*aborted = false;
	*received = 0;
	if (!c->message_id[0])
		return fail(err, errlen, -EINVAL, "a chunk without Message-ID");
	/* without Byte-Range the chunk is the whole message (section 7.1.1) */
	start = c->has_byte_range ? c->range_start : 1;
	total = c->has_byte_range ? c->range_total : (c->cont == '$' ? c->body_len : MSRP_RANGE_UNKNOWN);
	if (total != MSRP_RANGE_UNKNOWN && total > r->lim.max_message)
		return fail(err, errlen, -EMSGSIZE, "message %s of %llu bytes is over %llu",
			    c->message_id, (unsigned long long)total,
			    (unsigned long long)r->lim.max_message);
	for (unsigned i = 0; i < r->lim.max_concurrent; i++) {
		if (r->p[i].used && !strcmp(r->p[i].message_id, c->message_id))
			p = &r->p[i];
		else if (!r->p[i].used && !free_slot)
			free_slot = &r->p[i];
	}
	if (!p) {
		if (c->cont == '#')
			goto aborted_new;
		if (start != 1)
			return fail(err, errlen, -ERANGE,
				    "message %s starts at byte %llu, not 1", c->message_id,
				    (unsigned long long)start);
		if (!free_slot)
			return fail(err, errlen, -EUSERS,
				    "already %u messages being reassembled", r->n);
		p = free_slot;
		p->used = true;
		snprintf(p->message_id, sizeof(p->message_id), "%s", c->message_id);
		snprintf(p->content_type, sizeof(p->content_type), "%s", c->content_type);
		p->total = total;
		r->n++;
	}
	if (total != MSRP_RANGE_UNKNOWN) {
		if (p->total == MSRP_RANGE_UNKNOWN) {
			if (p->len > total)
				goto range;
			p->total = total;
		} else if (p->total != total) {
			goto range;
		}
	}
	/* in order: the chunk starts at or before the next expected byte */
	if (start - 1 > p->len)
		goto range;
	skip = (size_t)(p->len - (start - 1));
	if (skip && skip >= c->body_len)
		goto dup; /* wholly repeated */
	if (skip && memcmp(p->data + start - 1, c->body, skip))
		goto range; /* overlap with different bytes */
	n = c->body_len - skip;
	if (p->len + n > r->lim.max_message ||
	    (p->total != MSRP_RANGE_UNKNOWN && p->len + n > p->total)) {
		int rc = fail(err, errlen, -EMSGSIZE, "message %s grows over its limit",
			      c->message_id);

		drop(r, p);
		return rc;
	}
	if (p->len + n > p->cap) {
		size_t want = p->total != MSRP_RANGE_UNKNOWN ? (size_t)p->total : (p->len + n) * 2;
		uint8_t *d;

		if (want < p->len + n)
			want = p->len + n;
		if (want > r->lim.max_message)
			want = (size_t)r->lim.max_message;
		d = realloc(p->data, want ? want : 1);
		if (!d) {
			drop(r, p);
			return -ENOMEM;
		}
		p->data = d;
		p->cap = want;
	}
	if (n)
		memcpy(p->data + p->len, c->body + skip, n);
	p->len += n;
	*received = p->len;
	if (c->cont == '#') {
		drop(r, p);
		goto aborted_new;
	}
	if (c->cont == '$' && p->total != MSRP_RANGE_UNKNOWN && p->len != p->total)
		goto range; /* the last chunk, but bytes are missing */
	if (c->cont == '$') {
		snprintf(done->message_id, sizeof(done->message_id), "%s", p->message_id);
		snprintf(done->content_type, sizeof(done->content_type), "%s", p->content_type);
		done->data = p->data ? p->data : malloc(1);
		done->len = p->len;
		p->data = NULL;
		drop(r, p);
		if (!done->data)
			return -ENOMEM;
		return 1;
	}
	return 0;
dup:
	*received = p->len;
	return 0;
range:
	{
		int rc = fail(err, errlen, -ERANGE,
			      "chunk %llu-%llu/%llu of message %s does not follow byte %zu",
			      (unsigned long long)start,
			      (unsigned long long)(start - 1 + c->body_len),
			      (unsigned long long)total, c->message_id, p->len);

		drop(r, p);
		return rc;
	}
aborted_new:
	*aborted = true;
	return 0;
}
