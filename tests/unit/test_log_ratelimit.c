/* log_ratelimit: bursts per window, a summary of what was suppressed, levels respected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"

/* Run fn with stderr captured; returns what it wrote (caller frees). */
static char *captured(void (*fn)(void))
{
	FILE *f = tmpfile();
	int saved = dup(2);
	char *out = calloc(1, 1 << 16);
	size_t n;

	assert_non_null(f);
	assert_non_null(out);
	fflush(stderr);
	dup2(fileno(f), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(out, 1, (1 << 16) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

static unsigned count(const char *text, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static struct log_ratelimit rl = LOG_RATELIMIT("test: flood lines");

static void flood(void)
{
	/* 100k lines in one second, then one more 10 s later, then a quiet window */
	for (int i = 0; i < 100000; i++)
		if (log_ratelimit_allow_at(&rl, LOG_LEVEL_INFO, 1000))
			log_info("test: flood line %d", i);
	if (log_ratelimit_allow_at(&rl, LOG_LEVEL_INFO, 1000 + LOG_RL_WINDOW))
		log_info("test: flood line after the window");
	if (log_ratelimit_allow_at(&rl, LOG_LEVEL_INFO, 1000 + 3 * LOG_RL_WINDOW))
		log_info("test: flood line much later");
}

static void bursts_and_summary(void **state)
{
	char *out;

	(void)state;
	log_init("test", LOG_LEVEL_INFO, 0);
	out = captured(flood);
	print_message("%.400s...\n", out);
	assert_int_equal(count(out, "test: flood line "), LOG_RL_BURST + 2);
	assert_int_equal(count(out, "test: flood lines: 99990 more suppressed in 10 s"), 1);
	/* the summary comes before the first line of the next window, and only once */
	assert_true(strstr(out, "more suppressed") < strstr(out, "after the window"));
	assert_int_equal(count(out, "more suppressed"), 1);
	assert_int_equal(rl.total_suppressed, 99990);
	free(out);
}

static struct log_ratelimit rl_debug = LOG_RATELIMIT("test: debug lines");

static void debug_lines(void)
{
	for (int i = 0; i < 50; i++)
		log_ratelimited(&rl_debug, LOG_LEVEL_DEBUG, "test: debug line %d", i);
	LOG_RATELIMITED(LOG_LEVEL_WARN, "test: macro lines", "test: macro line");
}

static void level_respected(void **state)
{
	char *out;

	(void)state;
	log_init("test", LOG_LEVEL_INFO, 0);
	out = captured(debug_lines);
	/* debug lines are neither written nor counted as suppressed at level info */
	assert_int_equal(count(out, "test: debug line"), 0);
	assert_int_equal(rl_debug.total_suppressed, 0);
	assert_int_equal(count(out, "test: macro line"), 1);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bursts_and_summary),
		cmocka_unit_test(level_respected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
