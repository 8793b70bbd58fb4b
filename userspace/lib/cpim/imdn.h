/*
 * IMDN documents (RFC 5438 section 7): the message/imdn+xml body of a delivery, display
 * or processing notification for a pager-mode message, read and written.
 *
 *   <imdn xmlns="urn:ietf:params:xml:ns:imdn">
 *     <message-id>34jk324j</message-id>
 *     <datetime>2008-04-04T12:16:49-05:00</datetime>
 *     <recipient-uri>im:bob@example.com</recipient-uri>             (optional)
 *     <original-recipient-uri>im:bob@example.com</original-recipient-uri> (optional)
 *     <delivery-notification><status><delivered/></status></delivery-notification>
 *   </imdn>
 */
#ifndef NWIT_IMDN_H
#define NWIT_IMDN_H

#include <stddef.h>
#include <stdint.h>

#include "cpim/cpim.h"

#define IMDN_NS "urn:ietf:params:xml:ns:imdn"
#define IMDN_CONTENT_TYPE "message/imdn+xml"
#define IMDN_MAX_BYTES 4096

enum imdn_kind {
	IMDN_DELIVERY = 1,
	IMDN_DISPLAY,
	IMDN_PROCESSING,
};

enum imdn_status {
	IMDN_DELIVERED = 1, /* delivery */
	IMDN_FAILED,	    /* delivery */
	IMDN_DISPLAYED,	    /* display */
	IMDN_PROCESSED,	    /* processing */
	IMDN_STORED,	    /* processing */
	IMDN_FORBIDDEN,	    /* any */
	IMDN_ERROR,	    /* any */
};

struct imdn {
	char message_id[CPIM_VALUE_MAX];
	char datetime[CPIM_VALUE_MAX];
	char recipient_uri[CPIM_URI_MAX];	   /* "" when absent */
	char original_recipient_uri[CPIM_URI_MAX]; /* "" when absent */
	enum imdn_kind kind;
	enum imdn_status status;
};

/*
 * Parse an IMDN document: well-formed XML without DOCTYPE or entities, root imdn in the
 * IMDN namespace, message-id and datetime, exactly one notification whose status is
 * one its kind allows (RFC 5438 section 7.1). Unknown elements are skipped. 0, or
 * -EBADMSG / -E2BIG (over IMDN_MAX_BYTES, a value over its field) with the reason in
 * err; counted in imdn_malformed.
 */
int imdn_parse(const uint8_t *xml, size_t len, struct imdn *n, char *err, size_t errlen);

/* Write n as an IMDN document: its length, -EINVAL (a status its kind lacks, no
 * message-id), -ENOSPC. */
int imdn_build(const struct imdn *n, char *out, size_t cap);

const char *imdn_kind_name(enum imdn_kind k);	  /* "delivery-notification" */
const char *imdn_status_name(enum imdn_status s); /* "delivered" */

#endif
