/* Control protocol: requests and replies round-trip; malformed lines are refused with reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ctl_proto.h"

static void request_round_trip(void **state)
{
	json_t *args = json_pack("{s:s,s:i}", "flow", "a", "n", 3);
	char *line = ctl_request_encode("flow-add", args);
	struct ctl_request req;
	char err[256];

	(void)state;
	assert_non_null(line);
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_int_equal(ctl_request_parse(line, strlen(line) - 1, &req, err, sizeof(err)), 0);
	assert_string_equal(req.cmd, "flow-add");
	assert_true(json_equal(req.args, args));
	ctl_request_clear(&req);
	json_decref(args);
	free(line);
}

static void request_without_args_gets_empty_object(void **state)
{
	const char *line = "{\"cmd\":\"status\"}";
	struct ctl_request req;
	char err[256];

	(void)state;
	assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, sizeof(err)), 0);
	assert_true(json_is_object(req.args));
	assert_int_equal(json_object_size(req.args), 0);
	ctl_request_clear(&req);
}

static void malformed_requests_refused(void **state)
{
	static const struct {
		const char *line;
		const char *reason_prefix;
	} cases[] = {
		{ "", "request is not JSON" },
		{ "not json", "request is not JSON" },
		{ "{\"cmd\":", "request is not JSON" },
		{ "[1,2]", "request is not a JSON object" },
		{ "\"status\"", "request is not JSON" },
		{ "{}", "request has no \"cmd\" string" },
		{ "{\"cmd\":5}", "request has no \"cmd\" string" },
		{ "{\"cmd\":\"\"}", "\"cmd\" is not a command name" },
		{ "{\"cmd\":\"Status\"}", "\"cmd\" is not a command name" },
		{ "{\"cmd\":\"a b\"}", "\"cmd\" is not a command name" },
		{ "{\"cmd\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "\"cmd\" is not a command name" },
		{ "{\"cmd\":\"status\",\"args\":[]}", "\"args\" is not an object" },
		{ "{\"cmd\":\"status\",\"cmd\":\"stats\"}", "request is not JSON" },
	};
	struct ctl_request req;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = ctl_request_parse(cases[i].line, strlen(cases[i].line), &req, err,
					   sizeof(err));

		if (rc != -1 || strncmp(err, cases[i].reason_prefix,
					strlen(cases[i].reason_prefix)) != 0)
			fail_msg("case %zu '%s': rc=%d err='%s'", i, cases[i].line, rc, err);
		assert_null(req.args);
	}
}

static void embedded_nul_refused(void **state)
{
	const char line[] = "{\"cmd\":\"status\"}\0trailing";
	struct ctl_request req;
	char err[256];

	(void)state;
	assert_int_equal(ctl_request_parse(line, sizeof(line) - 1, &req, err, sizeof(err)), -1);
}

static void oversize_request_refused(void **state)
{
	size_t len = CTL_MAX_LINE + 1;
	char *line = malloc(len);
	struct ctl_request req;
	char err[256];

	(void)state;
	memset(line, ' ', len);
	assert_int_equal(ctl_request_parse(line, len, &req, err, sizeof(err)), -1);
	assert_string_equal(err, "request longer than 65536 bytes");
	free(line);
}

static void replies(void **state)
{
	char *ok = ctl_reply_ok(json_pack("{s:i}", "x", 1));
	char *bad = ctl_reply_error("unknown command '%s'", "zap");
	json_t *result;
	char err[256];

	(void)state;
	assert_int_equal(ctl_reply_parse(ok, strlen(ok), &result, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(result, "x")), 1);
	json_decref(result);
	assert_int_equal(ctl_reply_parse(bad, strlen(bad), &result, err, sizeof(err)), 1);
	assert_null(result);
	assert_string_equal(err, "unknown command 'zap'");
	assert_int_equal(ctl_reply_parse("{\"ok\":1}", 8, &result, err, sizeof(err)), -1);
	assert_string_equal(err, "reply has no boolean \"ok\"");
	assert_int_equal(ctl_reply_parse("{\"ok\":true}", 11, &result, err, sizeof(err)), -1);
	assert_int_equal(ctl_reply_parse("}", 1, &result, err, sizeof(err)), -1);
	free(ok);
	free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_round_trip),
		cmocka_unit_test(request_without_args_gets_empty_object),
		cmocka_unit_test(malformed_requests_refused),
		cmocka_unit_test(embedded_nul_refused),
		cmocka_unit_test(oversize_request_refused),
		cmocka_unit_test(replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
