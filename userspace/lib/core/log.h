/* Logging for nwitd and its libraries: stderr or syslog, four levels. */
#ifndef NWIT_LOG_H
#define NWIT_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_INVALID = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Start logging under the name ident; to_syslog selects syslog instead of stderr. */
void log_init(const char *ident, enum log_level level, int to_syslog);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Parse "warn", "info" or "debug"; returns LOG_LEVEL_INVALID otherwise. */
enum log_level log_level_from_name(const char *name);
const char *log_level_name(enum log_level level);

/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Route libbpf's messages into this log (warn -> warn, info -> info, debug -> debug). */
void log_route_libbpf(void);

#endif
