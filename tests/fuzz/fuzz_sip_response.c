/*
 * libFuzzer harness: what the IMS registration takes from the network. One input is a SIP
 * response (or a TCP byte stream of them): stream framing, osip2 parsing into the
 * registration facts, the WWW-Authenticate challenge, the AKA nonce (base64 RAND || AUTN),
 * the software ISIM on whatever RAND/AUTN comes out, and the Authorization we would send.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aka/aka.h"
#include "sip/sip_auth.h"
#include "sip/sip_reg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct aka_provider *isim;

static void answer(const struct sip_auth_challenge *c)
{
	static const uint8_t auts[14] = { 1, 2, 3 };
	char hdr[SIP_AUTH_HEADER_MAX];
	struct sip_auth_answer a = {
		.username = "alice@ims.example.net", .password = (const uint8_t *)"pw",
		.password_len = 2, .method = "REGISTER", .uri = "sip:ims.example.net", .nc = 1,
		.cnonce = "0a4f113b",
	};
	uint8_t rand[16], autn[16];
	struct aka_result r;
	int n;

	n = sip_auth_build_authorization(c, &a, hdr, sizeof(hdr));
	if (n >= (int)sizeof(hdr))
		abort();
	a.auts = auts;
	sip_auth_build_authorization(c, &a, hdr, 100);
	if (sip_auth_aka_nonce(c->nonce, rand, autn) == 0 &&
	    aka_authenticate(isim, rand, autn, &r) == 0 && r.status == AKA_STATUS_INVALID)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_reg_response *resp;
	struct sip_auth_challenge c;
	const char *buf = (const char *)data;
	char why[128], *text;
	size_t off = 0;

	if (!isim) {
		/* TS 35.208 set 1 key; no state file, so nothing touches the disk */
		struct aka_soft_params p = { .state_path = NULL };

		memset(p.k, 0x46, sizeof(p.k));
		memset(p.opc, 0xcd, sizeof(p.opc));
		isim = aka_soft_new(&p, why, sizeof(why));
		if (!isim)
			abort();
	}
	resp = malloc(sizeof(*resp));
	if (!resp)
		return 0;

	/* as a TCP stream: each framed message in turn */
	while (off < size) {
		long n = sip_frame_length(buf + off, size - off);

		if (n <= 0)
			break;
		if ((size_t)n > size - off)
			abort();
		if (sip_reg_parse_response(buf + off, (size_t)n, "127.0.0.1", 5060, resp, why,
					   sizeof(why)) == 0 &&
		    resp->challenges == 1 && resp->challenge_rc == 0)
			answer(&resp->challenge);
		off += (size_t)n;
	}
	/* as one datagram */
	if (sip_reg_parse_response(buf, size, "127.0.0.1", 5060, resp, why, sizeof(why)) == 0 &&
	    resp->challenges == 1 && resp->challenge_rc == 0)
		answer(&resp->challenge);
	else if (why[0] == '\0' && resp->status == 0)
		abort();	/* a refusal always says why */

	/* the bytes as a WWW-Authenticate value */
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (sip_auth_parse_challenge(text, &c) == 0)
			answer(&c);
		free(text);
	}
	free(resp);
	return 0;
}
