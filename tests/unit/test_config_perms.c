/* nwit.conf with IMS secrets: refused when other users can read it, used when they cannot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static const char *const with_password =
	"[ims]\npcscf = 192.0.2.10\nhome_domain = ims.example.net\nimpi = alice\n"
	"impu = sip:alice@ims.example.net\npassword = s3cret\n";
static const char *const with_k =
	"[ims]\npcscf = 192.0.2.10\nhome_domain = ims.example.net\nimpi = alice\n"
	"impu = sip:alice@ims.example.net\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
	"opc = cd63cb71954a9f4e48a5994e37a02baf\n";
static const char *const no_secrets = "[app]\nhttp_port = 8461\n";

static char dir[64], sub[96], file[128];

static int load(const char *text, mode_t dir_mode, mode_t file_mode, char *err, size_t len)
{
	struct nwit_config c;
	FILE *f;

	chmod(dir, dir_mode);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(file, file_mode);
	config_set_defaults(&c);
	err[0] = '\0';
	return config_load_file(file, &c, err, len);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nwit-perms.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sub, sizeof(sub), "%s/etc", dir);
	if (mkdir(sub, 0755) < 0)
		return -1;
	snprintf(file, sizeof(file), "%s/nwit.conf", sub);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(file);
	rmdir(sub);
	rmdir(dir);
	return 0;
}

static void secrets_need_a_private_file(void **state)
{
	char err[CONFIG_ERR_MAX], want[CONFIG_ERR_MAX];

	(void)state;
	/* /tmp/x (0755) / etc (0755) / nwit.conf (0644): any user reads the password */
	assert_int_equal(load(with_password, 0755, 0644, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: holds IMS secrets but is readable by every user "
		 "(mode 0644); refusing to use it: chmod 600 %s", file, file);
	assert_string_equal(err, want);
	/* the same for the ISIM's K and OPc, and for a group-readable file */
	assert_int_equal(load(with_k, 0755, 0644, err, sizeof(err)), -1);
	assert_int_equal(load(with_k, 0755, 0640, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "readable by its group (mode 0640)"));
	/* 0600: fine */
	assert_int_equal(load(with_password, 0755, 0600, err, sizeof(err)), 0);
	assert_int_equal(load(with_k, 0755, 0600, err, sizeof(err)), 0);
	/* a 0644 file no other user can reach (its directory is 0700) is private */
	assert_int_equal(load(with_password, 0700, 0644, err, sizeof(err)), 0);
	/* ... unless the group can pass */
	assert_int_equal(load(with_password, 0710, 0644, err, sizeof(err)), -1);
	/* a file without secrets may be readable */
	assert_int_equal(load(no_secrets, 0755, 0644, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(secrets_need_a_private_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
