/* SPDX-License-Identifier: ISC */
/*
 * log — timestamped lines on standard error, written with one write(2) so
 * that lines from the writer thread and the loop never interleave.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_level log_threshold = LOG_LEVEL_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

size_t log_escape(const char *in, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;

	if (cap == 0)
		return 0;
	for (; *p != '\0'; p++) {
		char esc[8];
		size_t k = 0;

		if (*p == '\n') {
			/* A continuation never starts at column 0, where a line's
			 * timestamp is. */
			memcpy(esc, "\n    ", 5);
			k = 5;
		} else if (*p < 0x20 || *p == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[*p >> 4];
			esc[3] = hex[*p & 15];
			k = 4;
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls in UTF-8 (0x9b is a terminal's CSI) */
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[p[1] >> 4];
			esc[3] = hex[p[1] & 15];
			k = 4;
			p++;
		} else {
			esc[0] = (char)*p;
			k = 1;
		}
		if (n + k >= cap)
			break;
		memcpy(out + n, esc, k);
		n += k;
	}
	out[n] = '\0';
	return n;
}

void log_write(enum log_level level, int errnum, const char *fmt, ...)
{
	char line[2048], msg[2048];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof line - n, ".%03ldZ %-5s ", ts.tv_nsec / 1000000,
	             level_names[level]);
	if (r > 0)
		n += (size_t)r;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	n += log_escape(msg, line + n, sizeof line - n);
	if (n >= sizeof line - 1)
		n = sizeof line - 2;
	if (errnum != 0) {
		char ebuf[128];
		r = snprintf(line + n, sizeof line - n, ": %s",
		             strerror_r(errnum, ebuf, sizeof ebuf));
		if (r > 0)
			n += (size_t)r;
		if (n >= sizeof line - 1)
			n = sizeof line - 2;
	}
	line[n++] = '\n';
	/* One write per line; a short write to stderr is not worth a retry loop. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
