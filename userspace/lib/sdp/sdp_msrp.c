/* MSRP media descriptions: m=message and data channel a=dcmap/a=dcsa (see sdp_msrp.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/counters.h"
#include "sdp/sdp_msrp.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	counter_inc(COUNTER_MSRP_MALFORMED);
	return -EINVAL;
}

static int copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int number(const char *s, size_t n, uint64_t *v)
{
	if (n == 0 || n > 18)
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

/* name:"..." type:a/b size:N hash:alg:value, in any order (RFC 5547 section 6) */
static int file_selector(const char *v, struct sdp_msrp_file *f)
{
	const char *p = v;

	memset(f, 0, sizeof(*f));
	f->present = true;
	while (*p) {
		const char *end;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (!strncmp(p, "name:\"", 6)) {
			p += 6;
			end = strchr(p, '"');
			if (!end || copy(f->name, sizeof(f->name), p, (size_t)(end - p)) < 0)
				return -1;
			p = end + 1;
			if (*p && *p != ' ')
				return -1;
			continue;
		}
		end = p + strcspn(p, " ");
		if (!strncmp(p, "type:", 5)) {
			if (copy(f->type, sizeof(f->type), p + 5, (size_t)(end - p - 5)) < 0 ||
			    !memchr(p + 5, '/', (size_t)(end - p - 5)))
				return -1;
		} else if (!strncmp(p, "size:", 5)) {
			if (number(p + 5, (size_t)(end - p - 5), &f->size) < 0)
				return -1;
		} else if (!strncmp(p, "hash:", 5)) {
			const char *colon = memchr(p + 5, ':', (size_t)(end - p - 5));

			if (!colon || colon == p + 5 ||
			    copy(f->hash_alg, sizeof(f->hash_alg), p + 5, (size_t)(colon - p - 5)) < 0 ||
			    copy(f->hash, sizeof(f->hash), colon + 1, (size_t)(end - colon - 1)) < 0 ||
			    !f->hash[0])
				return -1;
		} else {
			return -1;
		}
		p = end;
	}
	return 0;
}

/* One MSRP attribute (name, value or NULL); unknown ones are ignored. */
static int attr(const char *name, const char *value, struct sdp_msrp *o, char *err,
		size_t errlen)
{
	static const char *const dirs[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
	size_t vn = value ? strlen(value) : 0;

	for (unsigned i = 0; i < 4; i++) {
		if (!strcmp(name, dirs[i])) {
			o->dir = (enum sdp_msrp_dir)i;
			return 0;
		}
	}
	if (!value)
		return 0;
	if (!strcmp(name, "path")) {
		if (msrp_path_parse(value, vn, &o->path) < 0)
			return fail(err, errlen, "bad a=path \"%.80s\"", value);
	} else if (!strcmp(name, "accept-types")) {
		if (!vn || copy(o->accept_types, sizeof(o->accept_types), value, vn) < 0)
			return fail(err, errlen, "bad a=accept-types");
	} else if (!strcmp(name, "accept-wrapped-types")) {
		if (copy(o->accept_wrapped_types, sizeof(o->accept_wrapped_types), value, vn) < 0)
			return fail(err, errlen, "bad a=accept-wrapped-types");
	} else if (!strcmp(name, "max-size")) {
		if (number(value, vn, &o->max_size) < 0)
			return fail(err, errlen, "bad a=max-size \"%.40s\"", value);
	} else if (!strcmp(name, "setup")) {
		if (!strcmp(value, "active"))
			o->setup = SDP_MSRP_ACTIVE;
		else if (!strcmp(value, "passive"))
			o->setup = SDP_MSRP_PASSIVE;
		else if (!strcmp(value, "actpass"))
			o->setup = SDP_MSRP_ACTPASS;
		else
			return fail(err, errlen, "bad a=setup \"%.40s\"", value);
	} else if (!strcmp(name, "file-selector")) {
		if (file_selector(value, &o->file) < 0)
			return fail(err, errlen, "bad a=file-selector \"%.80s\"", value);
	} else if (!strcmp(name, "file-transfer-id")) {
		if (!vn || copy(o->file_transfer_id, sizeof(o->file_transfer_id), value, vn) < 0)
			return fail(err, errlen, "bad a=file-transfer-id");
	}
	return 0;
}

static int check(const struct sdp_msrp *o, char *err, size_t errlen)
{
	if (!o->path.n)
		return fail(err, errlen, "no a=path");
	if (!o->accept_types[0])
		return fail(err, errlen, "no a=accept-types");
	return 0;
}

int sdp_msrp_from_media(const struct sdp_media *m, struct sdp_msrp *o, char *err,
			size_t errlen)
{
	memset(o, 0, sizeof(*o));
	if (strcmp(m->type, "message") ||
	    (strcmp(m->proto, "TCP/MSRP") && strcmp(m->proto, "TCP/TLS/MSRP")) || m->nfmt != 1 ||
	    strcmp(m->fmt[0], "*"))
		return fail(err, errlen, "not an MSRP section (m=%s %s)", m->type, m->proto);
	for (unsigned i = 0; i < m->attrs.n; i++) {
		int rc = attr(m->attrs.a[i].name, m->attrs.a[i].value, o, err, errlen);

		if (rc < 0)
			return rc;
	}
	return check(o, err, errlen);
}

static int add_attrs(struct sdp_session *s, struct sdp_attrs *l, const char *prefix,
		     const struct sdp_msrp *in)
{
	static const char *const dirs[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
	static const char *const setups[] = { NULL, "active", "passive", "actpass" };
	char path[MSRP_PATH_MAX * (MSRP_URI_MAX * 2 + 40)] = "";
	size_t used = 0;
	int rc = 0;

	for (unsigned i = 0; i < in->path.n; i++) {
		int n;

		if (i)
			path[used++] = ' ';
		n = msrp_uri_format(&in->path.uri[i], path + used, sizeof(path) - used);
		if (n < 0)
			return -E2BIG;
		used += (size_t)n;
	}
#define ADD(name, ...) (rc = rc ? rc : sdp_attrs_add(s, l, prefix[0] ? "dcsa" : name, __VA_ARGS__))
	if (prefix[0]) {
		ADD("", "%s accept-types:%s", prefix, in->accept_types);
		if (in->accept_wrapped_types[0])
			ADD("", "%s accept-wrapped-types:%s", prefix, in->accept_wrapped_types);
		if (in->max_size)
			ADD("", "%s max-size:%llu", prefix, (unsigned long long)in->max_size);
		ADD("", "%s path:%s", prefix, path);
		if (in->setup)
			ADD("", "%s setup:%s", prefix, setups[in->setup]);
		if (in->dir != SDP_MSRP_SENDRECV)
			ADD("", "%s %s", prefix, dirs[in->dir]);
	} else {
		ADD("accept-types", "%s", in->accept_types);
		if (in->accept_wrapped_types[0])
			ADD("accept-wrapped-types", "%s", in->accept_wrapped_types);
		if (in->max_size)
			ADD("max-size", "%llu", (unsigned long long)in->max_size);
		ADD("path", "%s", path);
		if (in->setup)
			ADD("setup", "%s", setups[in->setup]);
		if (in->dir != SDP_MSRP_SENDRECV)
			rc = rc ? rc : sdp_attrs_add(s, l, dirs[in->dir], NULL);
	}
	if (in->file.present) {
		char sel[700];
		int n = snprintf(sel, sizeof(sel), "name:\"%s\"", in->file.name);

		if (in->file.type[0])
			n += snprintf(sel + n, sizeof(sel) - (size_t)n, " type:%s", in->file.type);
		if (in->file.size)
			n += snprintf(sel + n, sizeof(sel) - (size_t)n, " size:%llu",
				      (unsigned long long)in->file.size);
		if (in->file.hash_alg[0])
			snprintf(sel + n, sizeof(sel) - (size_t)n, " hash:%s:%s", in->file.hash_alg,
				 in->file.hash);
		if (prefix[0])
			ADD("", "%s file-selector:%s", prefix, sel);
		else
			ADD("file-selector", "%s", sel);
	}
	if (in->file_transfer_id[0]) {
		if (prefix[0])
			ADD("", "%s file-transfer-id:%s", prefix, in->file_transfer_id);
		else
			ADD("file-transfer-id", "%s", in->file_transfer_id);
	}
#undef ADD
	return rc;
}

int sdp_msrp_to_media(struct sdp_session *s, struct sdp_media *m, const struct sdp_msrp *in)
{
	return add_attrs(s, &m->attrs, "", in);
}

/* "0 subprotocol=\"msrp\";label=\"chat\"": stream, and whether subprotocol is msrp */
static int dcmap(const char *v, uint16_t *stream, bool *msrp, char *label, size_t label_cap)
{
	const char *p = v;
	uint64_t id;
	size_t n = strspn(p, "0123456789");

	if (number(p, n, &id) < 0 || id > 65534 || (p[n] && p[n] != ' '))
		return -1;
	*stream = (uint16_t)id;
	*msrp = false;
	if (label_cap)
		label[0] = '\0';
	p += n;
	while (*p == ' ' || *p == ';')
		p++;
	while (*p) {
		const char *eq = strchr(p, '='), *val, *end;

		if (!eq)
			return -1;
		val = eq + 1;
		if (*val == '"') {
			end = strchr(val + 1, '"');
			if (!end)
				return -1;
			val++;
		} else {
			end = val + strcspn(val, ";");
		}
		if (eq - p == 11 && !strncmp(p, "subprotocol", 11))
			*msrp = end - val == 4 && !strncasecmp(val, "msrp", 4);
		else if (eq - p == 5 && !strncmp(p, "label", 5) &&
			 copy(label, label_cap, val, (size_t)(end - val)) < 0)
			return -1;
		p = *end == '"' ? end + 1 : end;
		while (*p == ';' || *p == ' ')
			p++;
	}
	return 0;
}

int sdp_dc_msrp_from_media(const struct sdp_media *m, uint16_t *stream, char *label,
			   size_t label_cap, struct sdp_msrp *o, char *err, size_t errlen)
{
	bool found = false;

	memset(o, 0, sizeof(*o));
	for (int i = sdp_attrs_find(&m->attrs, "dcmap", 0); i >= 0 && !found;
	     i = sdp_attrs_find(&m->attrs, "dcmap", (unsigned)i + 1)) {
		bool msrp;

		if (!m->attrs.a[i].value ||
		    dcmap(m->attrs.a[i].value, stream, &msrp, label, label_cap) < 0)
			return fail(err, errlen, "bad a=dcmap");
		found = msrp;
	}
	if (!found)
		return -ENOENT;
	for (int i = sdp_attrs_find(&m->attrs, "dcsa", 0); i >= 0;
	     i = sdp_attrs_find(&m->attrs, "dcsa", (unsigned)i + 1)) {
		const char *v = m->attrs.a[i].value, *sp, *colon;
		char name[64], *value = NULL;
		uint64_t id;
		int rc;

		if (!v || !(sp = strchr(v, ' ')) || number(v, (size_t)(sp - v), &id) < 0)
			return fail(err, errlen, "bad a=dcsa");
		if (id != *stream)
			continue;
		colon = strchr(sp + 1, ':');
		if (copy(name, sizeof(name), sp + 1,
			 colon ? (size_t)(colon - sp - 1) : strlen(sp + 1)) < 0)
			return fail(err, errlen, "bad a=dcsa");
		if (colon)
			value = (char *)colon + 1;
		rc = attr(name, value, o, err, errlen);
		if (rc < 0)
			return rc;
	}
	return check(o, err, errlen);
}

int sdp_dc_msrp_to_media(struct sdp_session *s, struct sdp_media *m, uint16_t stream,
			 const char *label, const struct sdp_msrp *in)
{
	char prefix[8];
	int rc;

	if (strchr(label, '"'))
		return -EINVAL;
	rc = sdp_attrs_add(s, &m->attrs, "dcmap", "%u subprotocol=\"msrp\";label=\"%s\"", stream,
			   label);
	if (rc < 0)
		return rc;
	snprintf(prefix, sizeof(prefix), "%u", stream);
	return add_attrs(s, &m->attrs, prefix, in);
}
