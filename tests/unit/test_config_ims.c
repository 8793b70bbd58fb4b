/* nwit.conf [ims]: accepted identities and credentials, and each kind of error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"

static int load(const char *text, struct nwit_config *conf, char *err)
{
	config_set_defaults(conf);
	err[0] = '\0';
	return config_load_string("test.conf", text, conf, err, CONFIG_ERR_MAX);
}

#define IDENTITY                                      \
	"[ims]\n"                                     \
	"pcscf = pcscf.ims.example.net, 192.0.2.7\n"  \
	"home_domain = ims.example.net\n"             \
	"impi = alice@ims.example.net\n"              \
	"impu = sip:alice@ims.example.net tel:+15551234\n"

static void defaults(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load("", &conf, err), 0);
	assert_false(config_is_set(&conf, "ims", "pcscf"));
	assert_int_equal(conf.ims_pcscf_port, 5060);
	assert_int_equal(conf.ims_transport, IMS_TRANSPORT_UDP);
	assert_int_equal(conf.ims_expires, 600000);
	assert_int_equal(conf.ims_reg_event_expires, 600000);
	assert_int_equal(conf.ims_message_cpim, 0);
}

static void digest_identity(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX], items[IMS_IMPU_MAX][256];

	(void)state;
	assert_int_equal(load(IDENTITY "password = s3cret pass\ntransport = tcp\n"
			      "pcscf_port = 5070\nexpires = 60\nlocal_address = 127.0.0.1\n"
			      "reg_event_expires = 0\nmessage_cpim = 1\n",
			      &conf, err), 0);
	assert_string_equal(err, "");
	assert_int_equal(conf.ims_transport, IMS_TRANSPORT_TCP);
	assert_string_equal(ims_transport_name(conf.ims_transport), "tcp");
	assert_int_equal(conf.ims_pcscf_port, 5070);
	assert_int_equal(conf.ims_expires, 60);
	assert_int_equal(conf.ims_reg_event_expires, 0);
	assert_int_equal(conf.ims_message_cpim, 1);
	assert_string_equal(conf.ims_password, "s3cret pass");
	assert_string_equal(conf.ims_local_address, "127.0.0.1");
	assert_int_equal(config_split_list(conf.ims_pcscf, items, IMS_PCSCF_MAX), 2);
	assert_string_equal(items[0], "pcscf.ims.example.net");
	assert_string_equal(items[1], "192.0.2.7");
	assert_int_equal(config_split_list(conf.ims_impu, items, IMS_IMPU_MAX), 2);
	assert_string_equal(items[0], "sip:alice@ims.example.net");
	assert_string_equal(items[1], "tel:+15551234");
	assert_true(config_is_set(&conf, "ims", "password"));
	assert_false(config_is_set(&conf, "ims", "k"));
}

static void isim_identity(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(IDENTITY "k = 465B5CE8B199B49FAA5F0A2EE238A6BC\n"
			      "op = cdc202d5123e20f62b6d676ac72cb318\namf = b9b9\n"
			      "sqn = ff9bb4d0b5e7\n", &conf, err), 0);
	assert_int_equal(conf.ims_k[0], 0x46);
	assert_int_equal(conf.ims_k[15], 0xbc);
	assert_int_equal(conf.ims_op[0], 0xcd);
	assert_int_equal(conf.ims_amf[1], 0xb9);
	assert_int_equal(conf.ims_sqn[5], 0xe7);
	assert_true(config_is_set(&conf, "ims", "op"));
	assert_false(config_is_set(&conf, "ims", "opc"));

	assert_int_equal(load(IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
			      "opc = cd63cb71954a9f4e48a5994e37a02baf\n", &conf, err), 0);
	assert_int_equal(conf.ims_opc[15], 0xaf);
}

struct bad_case {
	const char *text;
	const char *expect;
};

static void errors(void **state)
{
	static const struct bad_case cases[] = {
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6b\nop = cdc202d5123e20f62b6d676ac72cb318\n",
		  "test.conf:6: [ims] k: expected 32 hex digits (16 bytes)" },
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bc00\n",
		  "test.conf:6: [ims] k: expected 32 hex digits (16 bytes)" },
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bg\n",
		  "test.conf:6: [ims] k: expected 32 hex digits (16 bytes)" },
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bc\nopc = cd63\n",
		  "test.conf:7: [ims] opc: expected 32 hex digits (16 bytes)" },
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bc\nop = cdc202d5123e20f62b6d676ac72cb318\n"
		  "amf = b9b9b9\n", "test.conf:8: [ims] amf: expected 4 hex digits (2 bytes)" },
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bc\nop = cdc202d5123e20f62b6d676ac72cb318\n"
		  "sqn = 12345\n", "test.conf:8: [ims] sqn: expected 12 hex digits (6 bytes)" },
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bc\n",
		  "test.conf: [ims]: with k, set exactly one of op and opc" },
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bc\nop = cdc202d5123e20f62b6d676ac72cb318\n"
		  "opc = cd63cb71954a9f4e48a5994e37a02baf\n",
		  "test.conf: [ims]: with k, set exactly one of op and opc" },
		{ IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6bc\nop = cdc202d5123e20f62b6d676ac72cb318\n"
		  "password = x\n",
		  "test.conf: [ims]: set either password (Digest) or k with op or opc (IMS-AKA), not both" },
		{ IDENTITY, "test.conf: [ims]: set either password (Digest) or k with op or opc "
			    "(IMS-AKA), none is set" },
		{ IDENTITY "password = x\nop = cdc202d5123e20f62b6d676ac72cb318\n",
		  "test.conf: [ims] op: only used with k (IMS-AKA)" },
		{ "[ims]\npcscf = 192.0.2.1\nimpi = a@b\nimpu = sip:a@b\npassword = x\n",
		  "test.conf: [ims] home_domain: missing (needed to register)" },
		{ "[ims]\npcscf = bad_host!\n",
		  "test.conf:2: [ims] pcscf: 'bad_host!' is not a host name or an IPv4 or IPv6 address" },
		{ "[ims]\npcscf = a b c d e\n", "test.conf:2: [ims] pcscf: more than 4 entries" },
		{ "[ims]\npcscf = ,\n", "test.conf:2: [ims] pcscf: empty list" },
		{ "[ims]\nimpu = alice@example.net\n",
		  "test.conf:2: [ims] impu: 'alice@example.net' is not a sip:, sips: or tel: URI" },
		{ "[ims]\nimpi = al\"ice\n",
		  "test.conf:2: [ims] impi: 'al\"ice' has spaces, quotes or control characters" },
		{ "[ims]\nhome_domain = ims..example\n",
		  "test.conf:2: [ims] home_domain: 'ims..example' is not a domain name" },
		{ "[ims]\ntransport = sctp\n", "test.conf:2: [ims] transport: 'sctp' is not one of udp, tcp" },
		{ "[ims]\nexpires = 0\n", "test.conf:2: [ims] expires: 0 is out of range 1..2147483647" },
		{ "[ims]\npcscf_port = 65536\n",
		  "test.conf:2: [ims] pcscf_port: 65536 is out of range 1..65535" },
		{ "[ims]\nlocal_address = pc.example\n",
		  "test.conf:2: [ims] local_address: 'pc.example' is not an IPv4 or IPv6 address" },
		{ "[ims]\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n",
		  "test.conf:3: [ims] k: set twice" },
		{ "[ims]\nnosuch = 1\n", "test.conf:2: unknown key 'nosuch' in section [ims]" },
	};
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load(cases[i].text, &conf, err) != -1)
			fail_msg("case %zu accepted: %s", i, cases[i].text);
		if (strcmp(err, cases[i].expect) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i, err, cases[i].expect);
	}
}

/* Secrets are never echoed back in an error message. */
static void secrets_not_echoed(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(IDENTITY "k = 465b5ce8b199b49faa5f0a2ee238a6zz\n", &conf, err), -1);
	assert_null(strstr(err, "465b5ce8"));
	assert_int_equal(load(IDENTITY "password = top\x01secret\n", &conf, err), -1);
	assert_null(strstr(err, "secret"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(digest_identity),
		cmocka_unit_test(isim_identity),
		cmocka_unit_test(errors),
		cmocka_unit_test(secrets_not_echoed),
	};

	return cmocka_run_group_tests_name("config_ims", tests, NULL, NULL);
}
