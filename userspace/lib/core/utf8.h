/* UTF-8 validation (RFC 3629): no overlong forms, surrogates or code points over U+10FFFF. */
#ifndef NWIT_UTF8_H
#define NWIT_UTF8_H

#include <stddef.h>
#include <stdint.h>

int utf8_valid(const uint8_t *s, size_t len);

#endif
