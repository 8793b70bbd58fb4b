/*
 * libFuzzer harness: DTLS-SRTP server and client fed arbitrary datagrams (the input is
 * cut into datagrams by 2-byte big-endian length prefixes). No crash, no leak, and a
 * failure always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webrtc/dtls_srtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dtls_srtp_cert *cert;

static void feed(struct dtls_srtp *d, const uint8_t *data, size_t size)
{
	uint8_t out[2048];

	while (size >= 2) {
		size_t n = (size_t)(data[0] << 8 | data[1]);

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (dtls_srtp_input(d, data, n) < 0 && !dtls_srtp_error(d)[0])
			abort();
		while (dtls_srtp_output(d, out, sizeof(out)) > 0)
			;
		data += n;
		size -= n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char alg[] = "sha-256", err[200];
	struct dtls_srtp *d;

	if (!cert && dtls_srtp_cert_new("fuzz", 1, &cert) < 0)
		abort();
	for (int client = 0; client < 2; client++) {
		d = dtls_srtp_new(cert, client, alg, cert->fingerprint + 8, err, sizeof(err));
		if (!d)
			abort();
		dtls_srtp_start(d);
		feed(d, data, size);
		dtls_srtp_free(d);
	}
	return 0;
}
