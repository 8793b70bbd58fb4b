/*
 * The operator's revocation list: a text file with one token id (jti) per line;
 * blank lines and lines starting with '#' are ignored.
 */
#ifndef NWIT_JWS_REVOKE_H
#define NWIT_JWS_REVOKE_H

#include <stddef.h>

#define REVOKE_MAX_ENTRIES 100000
#define REVOKE_MAX_JTI 128

struct jws_revocation {
	char **jti;	/* sorted */
	size_t count;
};

struct jws_revocation *jws_revocation_parse(const char *text, size_t len, char *err,
					    size_t errlen);
struct jws_revocation *jws_revocation_load_file(const char *path, char *err, size_t errlen);
void jws_revocation_free(struct jws_revocation *list);
int jws_revocation_has(const struct jws_revocation *list, const char *jti);

#endif
