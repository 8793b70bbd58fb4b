/* The reason an SMS decoder or encoder gives with its error code. */
#ifndef NWIT_SMS_ERR_H
#define NWIT_SMS_ERR_H

#include <stddef.h>

/* Write the reason into err (errlen bytes, may be NULL) and return rc. */
__attribute__((format(printf, 4, 5)))
int sms_fail(char *err, size_t errlen, int rc, const char *fmt, ...);

#endif
