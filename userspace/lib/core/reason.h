/* The reason a parser gives for refusing its input (reason.c). */
#ifndef NWIT_REASON_H
#define NWIT_REASON_H

#include <stddef.h>

/* Write the formatted reason into why (when why is not NULL and whylen > 0); returns rc. */
int reason_set(char *why, size_t whylen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
