/* SPDX-License-Identifier: ISC */
/*
 * text — checks and conversions for text that comes from outside: UTF-8
 * validity, control characters, phone numbers, RFC 3339 and JST times.
 *
 * Pure functions with no state; times are milliseconds since the Unix epoch
 * in UTC (int64_t). Japan has no daylight saving time, so JST is UTC+9.
 */
#ifndef KK_TEXT_H
#define KK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_JST_OFFSET_MS (9LL * 3600 * 1000)

/* Returns true when the N bytes at S are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). */
bool text_utf8_valid(const char *s, size_t n);

/* The index of S among the N stored names NAMES (an enum's name table,
 * NULL entries never match), or -1. */
int text_name_index(const char *const *names, size_t n, const char *s);

/* Returns the number of code points in the valid UTF-8 string S. */
size_t text_utf8_count(const char *s);

/*
 * Returns true when S contains a control character: C0 (except tab, CR and
 * LF when MULTILINE), DEL, C1, or the line/paragraph separators U+2028/9.
 * S must be valid UTF-8.
 */
bool text_has_control(const char *s, bool multiline);

/* Returns a malloc'd copy of S without leading and trailing white space,
 * ASCII or the ideographic space U+3000; NULL on allocation failure. */
char *text_trim_dup(const char *s);

/*
 * Normalises a phone number typed on a phone: full-width digits, hyphens,
 * plus sign, parentheses and spaces become ASCII; the separators ' ', '-',
 * '(' and ')' are kept. Writes the result to OUT (size N). Returns 0, or
 * -EINVAL when anything else appears or there are not 10 to 15 digits, or
 * -E2BIG when OUT is too small.
 */
int text_phone_normalize(const char *in, char *out, size_t n);

/*
 * Copies IN to OUT (size N) the way people type on phones is compared:
 * full-width ASCII (U+FF01..U+FF5E) becomes ASCII, the ideographic space a
 * space, and ASCII letters lower case; everything else is kept. The result
 * is cut short rather than overflow OUT, and always NUL-terminated.
 */
void text_fold_ascii(const char *in, char *out, size_t n);

/*
 * Parses an RFC 3339 date-time ("2026-11-22T10:05:00+09:00", fractions
 * and 'Z' allowed, 't'/'z'/' ' accepted as RFC 3339 permits) into UTC
 * milliseconds. Returns 0 or -EINVAL.
 */
int text_rfc3339_parse(const char *s, int64_t *ms);

/* Parses an HTML datetime-local value in JST ("2026-11-22T10:05", seconds
 * optional) into UTC milliseconds. Returns 0 or -EINVAL. */
int text_jst_local_parse(const char *s, int64_t *ms);

/* Formats UTC milliseconds as "2026-11-22T01:05:00.000Z" into OUT[32]. */
void text_rfc3339_format(int64_t ms, char out[32]);

/* Formats UTC milliseconds in JST with strftime's FMT into OUT (size N). */
void text_jst_format(int64_t ms, const char *fmt, char *out, size_t n)
    __attribute__((format(strftime, 2, 0)));

/* Returns the JST calendar date of MS plus DAYS days as "YYYY-MM-DD" in OUT[11]. */
void text_jst_date_plus(int64_t ms, int days, char out[11]);

/* Returns the current time in UTC milliseconds. */
int64_t text_now_ms(void);

/* Returns a monotonic clock reading in microseconds. */
int64_t text_mono_us(void);

#endif
