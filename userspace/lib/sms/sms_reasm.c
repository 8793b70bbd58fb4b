/* Reassembly of concatenated short messages (3GPP TS 23.040 9.2.3.24.1). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/counters.h"
#include "core/reason.h"
#include "sms/sms_reasm.h"

struct part {
	bool have;
	enum sms_alphabet alphabet;
	size_t len;
	uint8_t data[SMS_UD_SEPTETS_MAX];
};

struct entry {
	bool used;
	struct sms_addr oa;
	struct sms_concat concat;
	uint64_t first_ms;
	unsigned received;
	struct part *parts; /* concat.total of them */
};

struct sms_reasm {
	struct sms_reasm_limits lim;
	struct entry *e;
	uint8_t *joined; /* max_parts * SMS_UD_SEPTETS_MAX */
	char *text;	 /* the UTF-8 of that: at most 3 bytes per septet or UCS-2 octet */
	size_t text_cap;
};

void sms_reasm_limits_default(struct sms_reasm_limits *l)
{
	l->max_messages = 8;
	l->max_parts = 16;
	l->timeout_ms = 600000;
}

struct sms_reasm *sms_reasm_new(const struct sms_reasm_limits *l)
{
	struct sms_reasm *r;

	if (!l->max_messages || l->max_messages > 4096 || !l->max_parts || l->max_parts > 255) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->lim = *l;
	r->text_cap = (size_t)l->max_parts * SMS_UD_SEPTETS_MAX * 3 + 1;
	r->e = calloc(l->max_messages, sizeof(*r->e));
	r->joined = malloc((size_t)l->max_parts * SMS_UD_SEPTETS_MAX);
	r->text = malloc(r->text_cap);
	if (!r->e || !r->joined || !r->text) {
		sms_reasm_free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

static void entry_clear(struct entry *e)
{
	free(e->parts);
	memset(e, 0, sizeof(*e));
}

void sms_reasm_free(struct sms_reasm *r)
{
	if (!r)
		return;
	for (unsigned i = 0; r->e && i < r->lim.max_messages; i++)
		entry_clear(&r->e[i]);
	free(r->e);
	free(r->joined);
	free(r->text);
	free(r);
}

static bool same_message(const struct entry *e, const struct sms_addr *oa,
			 const struct sms_concat *c)
{
	return e->used && e->concat.ref == c->ref && e->concat.ref16 == c->ref16 &&
	       e->concat.total == c->total && e->oa.ton == oa->ton &&
	       strcmp(e->oa.text, oa->text) == 0;
}

/*
 * The text of the parts held, in order, into r->text. Parts of one alphabet are joined
 * before decoding (an escape or a surrogate pair may straddle two parts); with mixed
 * alphabets each part is decoded alone. skip_bad drops parts that do not decode.
 */
static int join(struct sms_reasm *r, const struct entry *e, bool skip_bad, size_t *text_len)
{
	enum sms_alphabet a = 0;
	bool mixed = false;
	size_t n = 0, o = 0, l;
	int rc;

	for (unsigned i = 0; i < e->concat.total; i++) {
		if (!e->parts[i].have)
			continue;
		if (a && e->parts[i].alphabet != a)
			mixed = true;
		a = e->parts[i].alphabet;
	}
	r->text[0] = '\0';
	if (!mixed) {
		for (unsigned i = 0; i < e->concat.total; i++) {
			if (!e->parts[i].have)
				continue;
			memcpy(r->joined + n, e->parts[i].data, e->parts[i].len);
			n += e->parts[i].len;
		}
		rc = a ? sms_text_from_data(a, r->joined, n, r->text, r->text_cap, text_len) : 0;
		if (!a)
			*text_len = 0;
		if (rc == 0 || !skip_bad)
			return rc;
	}
	for (unsigned i = 0; i < e->concat.total; i++) {
		const struct part *p = &e->parts[i];

		if (!p->have)
			continue;
		rc = sms_text_from_data(p->alphabet, p->data, p->len, r->text + o, r->text_cap - o,
					&l);
		if (rc < 0) {
			r->text[o] = '\0';
			if (!skip_bad)
				return rc;
			continue;
		}
		o += l;
	}
	*text_len = o;
	return 0;
}

static void fill_msg(const struct sms_reasm *r, const struct entry *e, size_t text_len,
		     struct sms_reasm_msg *msg)
{
	msg->oa = e->oa;
	msg->concat = e->concat;
	msg->concat.seq = 0;
	msg->received = e->received;
	msg->text = r->text;
	msg->text_len = text_len;
}

__attribute__((format(printf, 4, 5)))
static int refuse(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	counter_inc(COUNTER_SMS_REASSEMBLY_ERRORS);
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int sms_reasm_add(struct sms_reasm *r, const struct sms_addr *oa, const struct sms_ud *ud,
		  uint64_t now_ms, struct sms_reasm_msg *msg, char *err, size_t errlen)
{
	struct entry *e = NULL, *free_e = NULL, single = { 0 };
	struct part one;
	size_t text_len;
	int rc;

	if (ud->len > SMS_UD_SEPTETS_MAX ||
	    (ud->has_concat && (ud->concat.seq == 0 || ud->concat.seq > ud->concat.total)))
		return refuse(err, errlen, -EINVAL, "user data of %zu units, part %u of %u", ud->len,
			      ud->concat.seq, ud->concat.total);
	if (ud->alphabet == SMS_ALPHABET_8BIT)
		return refuse(err, errlen, -EPROTONOSUPPORT, "8-bit user data is not text");
	if (!ud->has_concat || ud->concat.total == 1) {
		one.have = true;
		one.alphabet = ud->alphabet;
		one.len = ud->len;
		memcpy(one.data, ud->data, ud->len);
		single.oa = *oa;
		single.concat.total = 1;
		single.received = 1;
		single.parts = &one;
		rc = join(r, &single, false, &text_len);
		if (rc < 0)
			return refuse(err, errlen, rc, "the text does not decode");
		fill_msg(r, &single, text_len, msg);
		return 1;
	}
	if (ud->concat.total > r->lim.max_parts)
		return refuse(err, errlen, -EMSGSIZE, "message of %u parts (at most %u)",
			      ud->concat.total, r->lim.max_parts);
	for (unsigned i = 0; i < r->lim.max_messages; i++) {
		if (same_message(&r->e[i], oa, &ud->concat))
			e = &r->e[i];
		else if (!r->e[i].used && !free_e)
			free_e = &r->e[i];
	}
	if (!e) {
		if (!free_e)
			return refuse(err, errlen, -ENOBUFS, "%u incomplete messages held already",
				      r->lim.max_messages);
		e = free_e;
		e->parts = calloc(ud->concat.total, sizeof(*e->parts));
		if (!e->parts)
			return reason_set(err, errlen, -ENOMEM, "no memory for %u parts",
					ud->concat.total);
		e->used = true;
		e->oa = *oa;
		e->concat = ud->concat;
		e->first_ms = now_ms;
	}
	if (e->parts[ud->concat.seq - 1].have)
		return reason_set(err, errlen, -EEXIST, "part %u of %u (reference %u) already held",
				ud->concat.seq, ud->concat.total, ud->concat.ref);
	e->parts[ud->concat.seq - 1] = (struct part){ .have = true, .alphabet = ud->alphabet,
						      .len = ud->len };
	memcpy(e->parts[ud->concat.seq - 1].data, ud->data, ud->len);
	if (++e->received < e->concat.total)
		return 0;
	rc = join(r, e, false, &text_len);
	if (rc == 0)
		fill_msg(r, e, text_len, msg);
	entry_clear(e);
	if (rc < 0)
		return refuse(err, errlen, rc, "the joined text does not decode");
	return 1;
}

unsigned sms_reasm_expire(struct sms_reasm *r, uint64_t now_ms, sms_reasm_expired_fn cb,
			  void *arg)
{
	struct sms_reasm_msg msg;
	unsigned dropped = 0;
	size_t text_len;

	for (unsigned i = 0; i < r->lim.max_messages; i++) {
		struct entry *e = &r->e[i];

		if (!e->used || now_ms - e->first_ms < r->lim.timeout_ms || now_ms < e->first_ms)
			continue;
		join(r, e, true, &text_len);
		fill_msg(r, e, text_len, &msg);
		if (cb)
			cb(arg, &msg);
		entry_clear(e);
		counter_inc(COUNTER_SMS_REASSEMBLY_TIMEOUTS);
		dropped++;
	}
	return dropped;
}

int sms_reasm_next_expiry(const struct sms_reasm *r, uint64_t *when_ms)
{
	bool any = false;

	for (unsigned i = 0; i < r->lim.max_messages; i++) {
		const struct entry *e = &r->e[i];

		if (e->used && (!any || e->first_ms + r->lim.timeout_ms < *when_ms)) {
			*when_ms = e->first_ms + r->lim.timeout_ms;
			any = true;
		}
	}
	return any ? 0 : -ENOENT;
}

unsigned sms_reasm_pending(const struct sms_reasm *r)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->lim.max_messages; i++)
		n += r->e[i].used;
	return n;
}
