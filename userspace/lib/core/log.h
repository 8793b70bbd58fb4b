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

/*
 * One rate limit for every log line a peer can cause per packet or per message: at most
 * burst lines per window seconds, the rest only counted; the first line allowed after a
 * window that suppressed some is preceded by "<what>: N more suppressed in W s". One
 * static struct log_ratelimit per call site (or per kind of line):
 *	static struct log_ratelimit rl = LOG_RATELIMIT("b2bua: P-CSCF messages ignored");
 *	log_ratelimited(&rl, LOG_LEVEL_INFO, "b2bua: message from the P-CSCF ignored: %s", why);
 */
#define LOG_RL_BURST 10
#define LOG_RL_WINDOW 10
struct log_ratelimit {
	const char *what;	/* names the suppressed lines in the summary */
	unsigned int burst, window;
	long long start;	/* CLOCK_MONOTONIC s the window began; 0: none yet */
	unsigned int logged;
	unsigned long long suppressed;	/* in the current window */
	unsigned long long total_suppressed;
};
#define LOG_RATELIMIT(what_) { .what = (what_), .burst = LOG_RL_BURST, .window = LOG_RL_WINDOW }

/* A rate-limited line with its own limit, in one statement. */
#define LOG_RATELIMITED(level, what, ...)                                                  \
	do {                                                                               \
		static struct log_ratelimit rl_ = LOG_RATELIMIT(what);                      \
		log_ratelimited(&rl_, (level), __VA_ARGS__);                              \
	} while (0)

/* Whether a line at level may be written now (and the summary first, when due). */
int log_ratelimit_allow(struct log_ratelimit *rl, enum log_level level);
/* The same at a given CLOCK_MONOTONIC second (tests). */
int log_ratelimit_allow_at(struct log_ratelimit *rl, enum log_level level, long long now);
void log_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Route libbpf's messages into this log (warn -> warn, info -> info, debug -> debug). */
void log_route_libbpf(void);

#endif
