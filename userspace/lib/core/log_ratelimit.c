/* The rate limit of log lines that peers can cause (log.h). */
#include <stdarg.h>
#include <time.h>

#include "core/log.h"

int log_ratelimit_allow_at(struct log_ratelimit *rl, enum log_level level, long long now)
{
	if (level == LOG_LEVEL_INVALID || level > log_get_level())
		return 0;
	if (!rl->start || now - rl->start >= (long long)rl->window || now < rl->start) {
		if (rl->suppressed) {
			const char *fmt = "%s: %llu more suppressed in %u s";

			if (level == LOG_LEVEL_WARN)
				log_warnx(fmt, rl->what, rl->suppressed, rl->window);
			else if (level == LOG_LEVEL_INFO)
				log_info(fmt, rl->what, rl->suppressed, rl->window);
			else
				log_debug(fmt, rl->what, rl->suppressed, rl->window);
		}
		rl->start = now;
		rl->logged = 0;
		rl->suppressed = 0;
	}
	if (rl->logged < rl->burst) {
		rl->logged++;
		return 1;
	}
	rl->suppressed++;
	rl->total_suppressed++;
	return 0;
}

int log_ratelimit_allow(struct log_ratelimit *rl, enum log_level level)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* +1: a window start of 0 means "none yet" */
	return log_ratelimit_allow_at(rl, level, (long long)ts.tv_sec + 1);
}

void log_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_ratelimit_allow(rl, level))
		return;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
