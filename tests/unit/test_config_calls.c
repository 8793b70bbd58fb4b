/* nwit.conf [calls]: defaults, accepted values and out-of-range refusals. */
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

static void defaults(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load("", &conf, err), 0);
	assert_int_equal(conf.calls_ring_timeout, 120);
	assert_int_equal(conf.calls_ice_timeout, 30);
}

static void values_taken(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load("[calls]\nring_timeout = 5\nice_timeout = 300\n", &conf, err), 0);
	assert_string_equal(err, "");
	assert_int_equal(conf.calls_ring_timeout, 5);
	assert_int_equal(conf.calls_ice_timeout, 300);
	assert_true(config_is_set(&conf, "calls", "ring_timeout"));
}

static void out_of_range_refused(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "[calls]\nring_timeout = 4\n",
		  "test.conf:2: [calls] ring_timeout: 4 is out of range 5..3600" },
		{ "[calls]\nring_timeout = 3601\n",
		  "test.conf:2: [calls] ring_timeout: 3601 is out of range 5..3600" },
		{ "[calls]\n\nice_timeout = 0\n",
		  "test.conf:3: [calls] ice_timeout: 0 is out of range 5..300" },
		{ "[calls]\nice_timeout = soon\n", NULL },
		{ "[calls]\nanswer_timeout = 10\n",
		  "test.conf:2: unknown key 'answer_timeout' in section [calls]" },
	};
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_not_equal(load(cases[i].text, &conf, err), 0);
		if (cases[i].err)
			assert_string_equal(err, cases[i].err);
		else
			assert_non_null(strstr(err, "test.conf:2: [calls] ice_timeout"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(values_taken),
		cmocka_unit_test(out_of_range_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
