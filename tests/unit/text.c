/* SPDX-License-Identifier: ISC */
/* Unit tests: checks on text from outside, and the clocks' time formats. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "text.h"

Test(text, phone_typed_in_full_width_japanese_is_normalised)
{
	char out[41];

	cr_assert_eq(text_phone_normalize("０９０ー１２３４ー５６７８", out, sizeof out), 0);
	cr_assert_str_eq(out, "090-1234-5678");
	cr_assert_eq(text_phone_normalize("+81 (6) 1234 5678", out, sizeof out), 0);
	cr_assert_str_eq(out, "+81 (6) 1234 5678");
}

Test(text, phone_with_letters_or_too_few_digits_is_refused)
{
	char out[41];

	cr_assert_eq(text_phone_normalize("06-1234-567x", out, sizeof out), -EINVAL);
	cr_assert_eq(text_phone_normalize("110", out, sizeof out), -EINVAL);
	cr_assert_eq(text_phone_normalize("1234567890123456", out, sizeof out), -EINVAL);
	cr_assert_eq(text_phone_normalize("06+1234-5678", out, sizeof out), -EINVAL);
}

Test(text, rfc3339_times_with_offsets_become_the_same_instant)
{
	int64_t a, b, c;

	cr_assert_eq(text_rfc3339_parse("2026-11-22T10:00:00+09:00", &a), 0);
	cr_assert_eq(text_rfc3339_parse("2026-11-22T01:00:00Z", &b), 0);
	cr_assert_eq(text_rfc3339_parse("2026-11-21t20:00:00.000-05:00", &c), 0);
	cr_assert_eq(a, b);
	cr_assert_eq(b, c);
	cr_assert_eq(b, 1795309200000LL);
}

Test(text, malformed_rfc3339_is_refused)
{
	int64_t t;
	const char *bad[] = {"2026-11-22", "2026-11-22T10:00:00", "2026-02-30T10:00:00Z",
	                     "2026-11-22T24:00:00Z", "2026-11-22T10:00:00+9:00", "2026-11-22T10:00:00Zjunk",
	                     "２０２６-11-22T10:00:00Z", ""};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(text_rfc3339_parse(bad[i], &t), -EINVAL, "accepted \"%s\"", bad[i]);
}

Test(text, datetime_local_is_read_as_japan_time)
{
	int64_t t, u;

	cr_assert_eq(text_jst_local_parse("2026-11-22T10:00", &t), 0);
	cr_assert_eq(text_rfc3339_parse("2026-11-22T01:00:00Z", &u), 0);
	cr_assert_eq(t, u);
}

Test(text, deadline_dates_cross_months_and_years_in_jst)
{
	int64_t t;
	char d[11];

	/* 23:30 JST on 31 December is still 31 December in Japan. */
	cr_assert_eq(text_rfc3339_parse("2026-12-31T14:30:00Z", &t), 0);
	text_jst_date_plus(t, 0, d);
	cr_assert_str_eq(d, "2026-12-31");
	text_jst_date_plus(t, 3, d);
	cr_assert_str_eq(d, "2027-01-03");
	text_jst_date_plus(t, 60, d);
	cr_assert_str_eq(d, "2027-03-01");
}

Test(text, invalid_utf8_is_detected)
{
	cr_assert(text_utf8_valid("日本語 abc", strlen("日本語 abc")));
	cr_assert_not(text_utf8_valid("\xff", 1));
	cr_assert_not(text_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
	cr_assert_not(text_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	cr_assert_not(text_utf8_valid("\xe6\x97", 2));         /* cut short */
	cr_assert_not(text_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
}

Test(text, control_characters_are_found_but_newlines_allowed_in_multiline_text)
{
	cr_assert(text_has_control("a\x07", false));
	cr_assert(text_has_control("a\nb", false));
	cr_assert_not(text_has_control("a\nb\r\n\tc", true));
	cr_assert(text_has_control("a\xc2\x85", true));     /* NEL, a C1 control */
	cr_assert(text_has_control("a\xe2\x80\xa8", true)); /* LINE SEPARATOR */
	cr_assert_not(text_has_control("株式会社<テスト>", false));
}

Test(text, trimming_removes_ideographic_spaces)
{
	char *t = text_trim_dup("\xe3\x80\x80 山田 太郎 \xe3\x80\x80\n");

	cr_assert_str_eq(t, "山田 太郎");
	free(t);
}
