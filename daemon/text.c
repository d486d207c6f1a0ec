/* SPDX-License-Identifier: ISC */
/*
 * text — validation and time helpers for untrusted text; see text.h.
 *
 * The RFC 3339 reader is strict on purpose: it accepts exactly the grammar of
 * RFC 3339 section 5.6, nothing a locale or strptime would add.
 */
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int text_name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

bool text_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

size_t text_utf8_count(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool text_has_control(const char *str, bool multiline)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s != '\0'; s++) {
		if (*s < 0x20) {
			if (multiline && (*s == '\n' || *s == '\r' || *s == '\t'))
				continue;
			return true;
		}
		if (*s == 0x7f)
			return true;
		/* C1 controls U+0080..U+009F are encoded C2 80..C2 9F. */
		if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
			return true;
		/* U+2028 and U+2029 are E2 80 A8 / E2 80 A9. */
		if (*s == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
			return true;
	}
	return false;
}

static bool ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the white space at S (which is NUL-terminated), or 0. */
static size_t space_len(const char *s)
{
	if (ascii_space(*s))
		return 1;
	if (s[0] == '\xe3' && s[1] == '\x80' && s[2] == '\x80')
		return 3;
	return 0;
}

char *text_trim_dup(const char *s)
{
	size_t n;
	size_t k;
	char *out;

	while ((k = space_len(s)) != 0)
		s += k;
	n = strlen(s);
	for (;;) {
		if (n >= 1 && ascii_space(s[n - 1]))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* Full-width forms U+FF01..U+FF5E are EF BC 81..EF BD 9E; the ASCII
 * character is the code point minus 0xFEE0. */
static int fullwidth_ascii(const unsigned char *s)
{
	unsigned cp;

	if (s[0] != 0xef || (s[1] != 0xbc && s[1] != 0xbd) || (s[2] & 0xc0) != 0x80)
		return -1;
	cp = ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
	cp |= 0xf000;
	if (cp < 0xff01 || cp > 0xff5e)
		return -1;
	return (int)(cp - 0xfee0);
}

/* True when S starts with the three bytes of SEQ. Stops at S's end, where
 * memcmp would read past it (a cut-off sequence in text not yet checked
 * as UTF-8). */
static bool seq3(const unsigned char *s, const char *seq)
{
	return strncmp((const char *)s, seq, 3) == 0;
}

void text_fold_ascii(const char *in, char *out, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = 0;

	if (n == 0)
		return;
	while (*s != '\0' && len + 1 < n) {
		int c = fullwidth_ascii(s);

		if (c >= 0) {
			s += 3;
		} else if (seq3(s, "\xe3\x80\x80")) {
			c = ' ';
			s += 3;
		} else {
			c = *s++;
		}
		out[len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
	}
	out[len] = '\0';
}

int text_phone_normalize(const char *in, char *out, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = 0;
	int digits = 0;

	while (*s != '\0') {
		int c;

		if (*s < 0x80) {
			c = *s++;
		} else if ((c = fullwidth_ascii(s)) >= 0) {
			s += 3;
		} else if (seq3(s, "\xe3\x83\xbc") || seq3(s, "\xe2\x80\x90") ||
		           seq3(s, "\xe2\x80\x91") || seq3(s, "\xe2\x80\x93") ||
		           seq3(s, "\xe2\x88\x92")) {
			/* katakana prolonged sound mark, hyphen, non-breaking hyphen,
			 * en dash and minus sign: all typed as a hyphen on phones */
			c = '-';
			s += 3;
		} else if (seq3(s, "\xe3\x80\x80")) {
			c = ' ';
			s += 3;
		} else {
			return -EINVAL;
		}
		if (c >= '0' && c <= '9')
			digits++;
		else if (c == '+') {
			if (len != 0)
				return -EINVAL;
		} else if (c != '-' && c != ' ' && c != '(' && c != ')')
			return -EINVAL;
		if (len + 1 >= n)
			return -E2BIG;
		out[len++] = (char)c;
	}
	out[len] = '\0';
	if (digits < 10 || digits > 15)
		return -EINVAL;
	return 0;
}

static int digits_at(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Reads "YYYY-MM-DD?HH:MM" (SEP any of SEPS) and, when WANT_SECONDS, ":SS".
 * Returns the number of bytes read, or -EINVAL. */
static int parse_civil(const char *s, const char *seps, bool seconds_required, struct tm *tm)
{
	int y, mo, d, h, mi, se = 0;
	int used = 16;

	if (strlen(s) < 16 || digits_at(s, 4, &y) < 0 || s[4] != '-' ||
	    digits_at(s + 5, 2, &mo) < 0 || s[7] != '-' || digits_at(s + 8, 2, &d) < 0 ||
	    s[10] == '\0' || strchr(seps, s[10]) == NULL || digits_at(s + 11, 2, &h) < 0 ||
	    s[13] != ':' || digits_at(s + 14, 2, &mi) < 0)
		return -EINVAL;
	if (s[16] == ':') {
		if (digits_at(s + 17, 2, &se) < 0)
			return -EINVAL;
		used = 19;
	} else if (seconds_required) {
		return -EINVAL;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || se > 60)
		return -EINVAL;
	memset(tm, 0, sizeof *tm);
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = se == 60 ? 59 : se;
	return used;
}

int text_rfc3339_parse(const char *s, int64_t *ms)
{
	struct tm tm;
	int used = parse_civil(s, "Tt ", true, &tm);
	int64_t frac_ms = 0;
	int64_t offset_min = 0;
	const char *p;

	if (used < 0)
		return -EINVAL;
	p = s + used;
	if (*p == '.') {
		int scale = 100;
		int nd = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, nd++) {
			frac_ms += (*p - '0') * scale;
			scale /= 10;
		}
		if (nd == 0 || nd > 9)
			return -EINVAL;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;

		if (digits_at(p + 1, 2, &oh) < 0 || p[3] != ':' || digits_at(p + 4, 2, &om) < 0 ||
		    oh > 23 || om > 59)
			return -EINVAL;
		offset_min = oh * 60 + om;
		if (*p == '-')
			offset_min = -offset_min;
		p += 6;
	} else {
		return -EINVAL;
	}
	if (*p != '\0')
		return -EINVAL;
	*ms = (int64_t)timegm(&tm) * 1000 + frac_ms - offset_min * 60000;
	return 0;
}

int text_jst_local_parse(const char *s, int64_t *ms)
{
	struct tm tm;
	int used = parse_civil(s, "T ", false, &tm);

	if (used < 0 || s[used] != '\0')
		return -EINVAL;
	*ms = (int64_t)timegm(&tm) * 1000 - TEXT_JST_OFFSET_MS;
	return 0;
}

static void ms_to_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);

	gmtime_r(&t, tm);
}

void text_rfc3339_format(int64_t ms, char out[32])
{
	struct tm tm;
	size_t n;
	int64_t rem = ms % 1000;

	if (rem < 0)
		rem += 1000;
	ms_to_tm(ms, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)rem);
}

void text_jst_format(int64_t ms, const char *fmt, char *out, size_t n)
{
	struct tm tm;

	ms_to_tm(ms + TEXT_JST_OFFSET_MS, &tm);
	/* FMT is checked at each call site through the attribute in text.h. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(out, n, fmt, &tm) == 0 && n > 0)
		out[0] = '\0';
#pragma GCC diagnostic pop
}

void text_jst_date_plus(int64_t ms, int days, char out[11])
{
	text_jst_format(ms + (int64_t)days * 86400000, "%Y-%m-%d", out, 11);
}

int64_t text_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t text_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
