#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <bpf/libbpf.h>

static enum log_level current_level = LOG_LEVEL_INFO;
static int use_syslog;
static const char *log_ident = "nwit";

static const char *const level_names[] = {
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void log_init(const char *ident, enum log_level level, int to_syslog)
{
	log_ident = ident;
	current_level = level;
	use_syslog = to_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	if (level != LOG_LEVEL_INVALID)
		current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

enum log_level log_level_from_name(const char *name)
{
	for (size_t i = 1; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (enum log_level)i;
	return LOG_LEVEL_INVALID;
}

const char *log_level_name(enum log_level level)
{
	if (level <= LOG_LEVEL_INVALID || level > LOG_LEVEL_DEBUG)
		return "invalid";
	return level_names[level];
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int syslog_prio[] = {
		[LOG_LEVEL_WARN] = LOG_WARNING,
		[LOG_LEVEL_INFO] = LOG_INFO,
		[LOG_LEVEL_DEBUG] = LOG_DEBUG,
	};
	int saved_errno = errno;

	if (level > current_level || level == LOG_LEVEL_INVALID)
		goto out;
	if (use_syslog) {
		vsyslog(syslog_prio[level], fmt, ap);
	} else {
		char stamp[32];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s %s: ", stamp, ts.tv_nsec / 1000000,
			log_ident, level_names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
out:
	errno = saved_errno;
}

static void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/* Log "prefix" + the formatted message, followed by ": strerror(err)" when err is set. */
static void log_with(const char *prefix, int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void log_with(const char *prefix, int err, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err)
		log_msg(LOG_LEVEL_WARN, "%s%s: %s", prefix, msg, strerror(err));
	else
		log_msg(LOG_LEVEL_WARN, "%s%s", prefix, msg);
}

void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_with("", err, fmt, ap);
	va_end(ap);
}

#define LOG_AT(name, level)                   \
	void name(const char *fmt, ...)       \
	{                                     \
		va_list ap;                   \
		va_start(ap, fmt);            \
		log_vmsg(level, fmt, ap);     \
		va_end(ap);                   \
	}

LOG_AT(log_warnx, LOG_LEVEL_WARN)
LOG_AT(log_info, LOG_LEVEL_INFO)
LOG_AT(log_debug, LOG_LEVEL_DEBUG)

void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_with("fatal: ", err, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_with("fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const enum log_level map[] = {
		[LIBBPF_WARN] = LOG_LEVEL_WARN,
		[LIBBPF_INFO] = LOG_LEVEL_INFO,
		[LIBBPF_DEBUG] = LOG_LEVEL_DEBUG,
	};
	char msg[1024];
	size_t len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = '\0';
	log_msg(map[level], "libbpf: %s", msg);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
