/* nwit.conf [app]: the authorization and limit keys, their defaults and their errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"

static void defaults(void **state)
{
	struct nwit_config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	config_set_defaults(&c);
	assert_int_equal(config_load_string("t.conf", "", &c, err, sizeof(err)), 0);
	assert_string_equal(c.app_jwks_file, "/etc/nwit/operator-jwks.json");
	assert_string_equal(c.app_revocation_file, "");
	assert_string_equal(c.app_token_issuer, "");
	assert_string_equal(c.app_audience, "nwit-device");
	assert_int_equal(c.app_max_message_size, 65536);
	assert_int_equal(c.app_max_connections, 64);
	assert_int_equal(c.app_auth_timeout, 10);
	assert_int_equal(c.app_https_port, 0);
	assert_int_equal(c.app_max_token_lifetime, 86400);
	assert_int_equal(c.app_max_unauthorized, 16);
	assert_int_equal(c.app_max_per_address, 8);
	assert_int_equal(c.app_http_timeout, 10);
	assert_string_equal(c.app_pna_origins, "");
}

static void all_keys(void **state)
{
	struct nwit_config c;
	char err[CONFIG_ERR_MAX];
	const char *text = "[app]\njwks_file = /tmp/k.json\nrevocation_file = /tmp/r\n"
			   "token_issuer = op.example\naudience = dev-7\n"
			   "max_message_size = 1024\nmax_connections = 4096\nauth_timeout = 5\n"
			   "max_token_lifetime = 600\nmax_unauthorized = 3\nmax_per_address = 2\n"
			   "http_timeout = 4\nprivate_network_origins = https://app.example\n";

	(void)state;
	config_set_defaults(&c);
	assert_int_equal(config_load_string("t.conf", text, &c, err, sizeof(err)), 0);
	assert_string_equal(c.app_jwks_file, "/tmp/k.json");
	assert_string_equal(c.app_revocation_file, "/tmp/r");
	assert_string_equal(c.app_token_issuer, "op.example");
	assert_string_equal(c.app_audience, "dev-7");
	assert_int_equal(c.app_max_message_size, 1024);
	assert_int_equal(c.app_max_connections, 4096);
	assert_int_equal(c.app_auth_timeout, 5);
	assert_int_equal(c.app_max_token_lifetime, 600);
	assert_int_equal(c.app_max_unauthorized, 3);
	assert_int_equal(c.app_max_per_address, 2);
	assert_int_equal(c.app_http_timeout, 4);
	assert_string_equal(c.app_pna_origins, "https://app.example");
}

static void errors(void **state)
{
	static const char *const cases[][2] = {
		{ "[app]\njwks_file = keys.json\n",
		  "t.conf:2: [app] jwks_file: 'keys.json' is not an absolute path" },
		{ "[app]\nmax_message_size = 100\n",
		  "t.conf:2: [app] max_message_size: 100 is out of range 1024..1048576" },
		{ "[app]\nmax_connections = 0\n",
		  "t.conf:2: [app] max_connections: 0 is out of range 1..4096" },
		{ "[app]\naudience =\n", "t.conf:2: [app] audience: empty value" },
		{ "[app]\nmax_token_lifetime = 31536000\n",
		  "t.conf:2: [app] max_token_lifetime: 31536000 is out of range 60..2592000" },
		{ "[app]\nhttp_timeout = 0\n",
		  "t.conf:2: [app] http_timeout: 0 is out of range 1..300" },
		{ "[app]\nhttps_port = 8443\ntls_certificate = /tmp/c.pem\n",
		  "t.conf: [app] https_port needs tls_certificate and tls_key" },
		{ "[app]\nhttps_port = 8461\ntls_certificate = /c\ntls_key = /k\n",
		  "t.conf: [app] https_port must differ from http_port" },
	};
	struct nwit_config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_set_defaults(&c);
		assert_int_equal(config_load_string("t.conf", cases[i][0], &c, err, sizeof(err)),
				 -1);
		assert_string_equal(err, cases[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(all_keys),
		cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
