/* nwit.conf parser: accepted files, and each kind of error with its line and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static int load(const char *text, struct nwit_config *conf, char *err)
{
	config_set_defaults(conf);
	err[0] = '\0';
	return config_load_string("test.conf", text, conf, err, CONFIG_ERR_MAX);
}

static void defaults_without_file(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load("", &conf, err), 0);
	assert_int_equal(conf.log_level, LOG_LEVEL_INFO);
	assert_string_equal(conf.control_socket, "/run/nwit/nwitd.sock");
	assert_int_equal(conf.http_port, 8461);
	assert_int_equal(conf.fastpath_mode, FASTPATH_MODE_AUTO);
	assert_int_equal(conf.fastpath_aes, FASTPATH_AES_FIXED_TIME);
}

static void full_file(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];
	const char *text =
		"; a comment\n"
		"# another\n"
		"[general]\n"
		"log_level = debug\n"
		"control_socket = /tmp/x.sock ; inline comment\n"
		"state_dir=/var/lib/nwit-test\n"
		"\n"
		"[app]\n"
		"http_address = ::1\n"
		"http_port = 65535\n"
		"[fastpath]\n"
		"mode = off\n"
		"aes = bpf\n"
		"pin_path = /sys/fs/bpf/nwit-test\n";

	(void)state;
	assert_int_equal(load(text, &conf, err), 0);
	assert_int_equal(conf.log_level, LOG_LEVEL_DEBUG);
	assert_string_equal(conf.control_socket, "/tmp/x.sock");
	assert_string_equal(conf.state_dir, "/var/lib/nwit-test");
	assert_string_equal(conf.http_address, "::1");
	assert_int_equal(conf.http_port, 65535);
	assert_int_equal(conf.fastpath_mode, FASTPATH_MODE_OFF);
	assert_int_equal(conf.fastpath_aes, FASTPATH_AES_BPF);
	assert_string_equal(fastpath_aes_name(conf.fastpath_aes), "bpf");
	assert_string_equal(conf.pin_path, "/sys/fs/bpf/nwit-test");
}

struct bad_case {
	const char *text;
	const char *expect; /* the exact message */
};

static void each_error_names_line_and_reason(void **state)
{
	static const struct bad_case cases[] = {
		{ "[general]\nlog_level = loud\n",
		  "test.conf:2: [general] log_level: 'loud' is not one of warn, info, debug" },
		{ "[general]\n\n\nbogus = 1\n",
		  "test.conf:4: unknown key 'bogus' in section [general]" },
		{ "[nosuch]\nx = 1\n", "test.conf:2: unknown section [nosuch]" },
		{ "log_level = info\n", "test.conf:1: 'log_level' appears before any [section]" },
		{ "[app]\nhttp_port = 0\n", "test.conf:2: [app] http_port: 0 is out of range 1..65535" },
		{ "[app]\nhttp_port = 70000\n",
		  "test.conf:2: [app] http_port: 70000 is out of range 1..65535" },
		{ "[app]\nhttp_port = 80x\n", "test.conf:2: [app] http_port: '80x' is not a number" },
		{ "[app]\nhttp_port = -1\n", "test.conf:2: [app] http_port: '-1' is not a number" },
		{ "[app]\nhttp_port = 99999999999999999999999\n",
		  "test.conf:2: [app] http_port: '99999999999999999999999' is not a number" },
		{ "[app]\nhttp_address = localhost\n",
		  "test.conf:2: [app] http_address: 'localhost' is not an IPv4 or IPv6 address" },
		{ "[general]\nstate_dir = relative/dir\n",
		  "test.conf:2: [general] state_dir: 'relative/dir' is not an absolute path" },
		{ "[general]\nstate_dir =\n", "test.conf:2: [general] state_dir: empty value" },
		{ "[fastpath]\nmode = fast\n",
		  "test.conf:2: [fastpath] mode: 'fast' is not one of auto, bpf, off" },
		{ "[fastpath]\n\naes = aesni\n",
		  "test.conf:3: [fastpath] aes: 'aesni' is not one of fixed-time, generic, bpf" },
		{ "[general]\nlog_level = info\nlog_level = warn\n",
		  "test.conf:3: [general] log_level: set twice" },
		{ "[general]\nthis line has no equals sign\n",
		  "test.conf:2: syntax error: expected '[section]' or 'name = value'" },
		{ "[general\n", "test.conf:1: syntax error: expected '[section]' or 'name = value'" },
		/* the first error is reported, not the last */
		{ "[general]\nx = 1\ny = 2\n", "test.conf:2: unknown key 'x' in section [general]" },
	};
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load(cases[i].text, &conf, err);

		if (rc != -1 || strcmp(err, cases[i].expect) != 0)
			fail_msg("case %zu: rc=%d err='%s', expected '%s'", i, rc, err,
				 cases[i].expect);
	}
}

static void overlong_values_refused(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];
	char text[2048];
	char longpath[300];
	char longline[1100];

	(void)state;
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	snprintf(text, sizeof(text), "[general]\nstate_dir = %s\n", longpath);
	assert_int_equal(load(text, &conf, err), -1);
	assert_non_null(strstr(err, "test.conf:2: [general] state_dir: value longer than 255"));

	/* fits the field but not a UNIX socket address */
	longpath[150] = '\0';
	snprintf(text, sizeof(text), "[general]\ncontrol_socket = %s\n", longpath);
	assert_int_equal(load(text, &conf, err), -1);
	assert_string_equal(err, "test.conf: [general] control_socket: longer than 107 characters");

	/* a line inih could not hold whole is refused, not cut */
	memset(longline, ' ', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	snprintf(text, sizeof(text), "[general]\n\nlog_level = info%s\n", longline);
	assert_int_equal(load(text, &conf, err), -1);
	assert_string_equal(err, "test.conf:3: line longer than 1024 characters");
}

static void nul_byte_refused(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];
	char path[] = "/tmp/nwit-config-test.XXXXXX";
	const char text[] = "[general]\nlog_level = info\0\n";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (int)sizeof(text) - 1);
	close(fd);
	config_set_defaults(&conf);
	assert_int_equal(config_load_file(path, &conf, err, sizeof(err)), -1);
	unlink(path);
	assert_non_null(strstr(err, ":2: NUL byte in the file"));
}

static void missing_file(void **state)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];

	(void)state;
	config_set_defaults(&conf);
	assert_int_equal(config_load_file("/nonexistent/nwit.conf", &conf, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/nwit.conf: cannot open: No such file or directory");
}

static void file_and_string_agree(void **state)
{
	const char *text = "[general]\nlog_level = warn\n[app]\nhttp_port = 9000\n";
	char path[] = "/tmp/nwit-config-test.XXXXXX";
	struct nwit_config a, b;
	char err[CONFIG_ERR_MAX];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	config_set_defaults(&a);
	assert_int_equal(config_load_file(path, &a, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(load(text, &b, err), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_without_file),
		cmocka_unit_test(full_file),
		cmocka_unit_test(each_error_names_line_and_reason),
		cmocka_unit_test(overlong_values_refused),
		cmocka_unit_test(nul_byte_refused),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(file_and_string_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
