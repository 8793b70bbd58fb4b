#include "auth/jws_revoke.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REVOKE_MAX_FILE (REVOKE_MAX_ENTRIES * (REVOKE_MAX_JTI + 1))

void jws_revocation_free(struct jws_revocation *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->jti[i]);
	free(list->jti);
	free(list);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

struct jws_revocation *jws_revocation_parse(const char *text, size_t len, char *err,
					    size_t errlen)
{
	struct jws_revocation *list = calloc(1, sizeof(*list));
	size_t cap = 0, lineno = 0, pos = 0;

	if (!list)
		goto nomem;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + 1;
		lineno++;
		while (n > 0 && is_space(line[0])) {
			line++;
			n--;
		}
		while (n > 0 && is_space(line[n - 1]))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		if (memchr(line, '\0', n) || n >= REVOKE_MAX_JTI) {
			snprintf(err, errlen, "line %zu: not a token id (NUL or over %d bytes)",
				 lineno, REVOKE_MAX_JTI - 1);
			goto fail;
		}
		if (list->count == REVOKE_MAX_ENTRIES) {
			snprintf(err, errlen, "more than %d entries", REVOKE_MAX_ENTRIES);
			goto fail;
		}
		if (list->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **bigger = realloc(list->jti, ncap * sizeof(*bigger));

			if (!bigger)
				goto nomem;
			list->jti = bigger;
			cap = ncap;
		}
		if (!(list->jti[list->count] = strndup(line, n)))
			goto nomem;
		list->count++;
	}
	if (list->count)
		qsort(list->jti, list->count, sizeof(*list->jti), cmp);
	return list;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	jws_revocation_free(list);
	return NULL;
}

struct jws_revocation *jws_revocation_load_file(const char *path, char *err, size_t errlen)
{
	struct jws_revocation *list = NULL;
	char inner[256], *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			char *bigger;

			if (cap > REVOKE_MAX_FILE) {
				snprintf(err, errlen, "%s: larger than %d bytes", path,
					 REVOKE_MAX_FILE);
				goto out;
			}
			bigger = realloc(text, cap ? cap * 2 : 4096);
			if (!bigger) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			text = bigger;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	list = jws_revocation_parse(text, len, inner, sizeof(inner));
	if (!list)
		snprintf(err, errlen, "%s: %s", path, inner);
out:
	fclose(f);
	free(text);
	return list;
}

int jws_revocation_has(const struct jws_revocation *list, const char *jti)
{
	if (!list || !list->count || !jti)
		return 0;
	return bsearch(&jti, list->jti, list->count, sizeof(*list->jti), cmp) != NULL;
}
