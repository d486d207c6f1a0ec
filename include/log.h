/* SPDX-License-Identifier: ISC */
/*
 * log — one line per event on standard error: "LEVEL module: what: why".
 *
 * Levels below the configured one cost a comparison: the macros skip their
 * arguments entirely. Secrets (passwords, tokens, phone numbers) are never
 * passed to these functions; callers log case references instead.
 */
#ifndef KK_LOG_H
#define KK_LOG_H

#include <stddef.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

extern enum log_level log_threshold;

/* Parses "debug", "info", "warn" or "error". Returns 0, or -EINVAL. */
int log_level_parse(const char *s, enum log_level *out);

/*
 * Copies IN to OUT (CAP bytes, always NUL-terminated, cut when full) so that
 * it cannot forge a log line or drive a terminal: control characters
 * (C0, DEL and UTF-8 C1) become "\xNN", and a newline is followed by an
 * indent, so that no continuation starts where a line's timestamp is.
 * Returns the length written. log_write applies it to every message, so a
 * name or an address from outside can be logged as it is.
 */
size_t log_escape(const char *in, char *out, size_t cap);

/* Writes one formatted line at LEVEL (escaped with log_escape). With
 * errnum != 0, appends ": strerror". */
void log_write(enum log_level level, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_at(lvl, errnum, ...)                                                                   \
	do {                                                                                       \
		if ((lvl) >= log_threshold)                                                        \
			log_write((lvl), (errnum), __VA_ARGS__);                                   \
	} while (0)

#define log_debug(...) log_at(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_info(...)  log_at(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_warnx(...) log_at(LOG_LEVEL_WARN, 0, __VA_ARGS__)
/* log_warn(err, ...): err is a negative errno, as returned everywhere here. */
#define log_warn(err, ...)  log_at(LOG_LEVEL_WARN, -(err), __VA_ARGS__)
#define log_errorx(...)     log_at(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_error(err, ...) log_at(LOG_LEVEL_ERROR, -(err), __VA_ARGS__)

#endif
