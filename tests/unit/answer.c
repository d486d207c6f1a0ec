/* SPDX-License-Identifier: ISC */
/* Unit tests: what a reporter's chat answer means. */
#include <criterion/criterion.h>
#include <errno.h>

#include "answer.h"
#include "pbfixture.h"
#include "text.h"

TestSuite(answer, .init = pbfixture_setup, .fini = pbfixture_teardown);

static const char *fold(const char *s)
{
	static char out[256];

	text_fold_ascii(s, out, sizeof out);
	return out;
}

Test(answer, yes_no_and_dont_know_in_both_languages_and_by_number)
{
	static const struct {
		const char *text;
		int rc;
		enum tri t;
	} rows[] = {
	    {"1", 0, TRI_YES},         {"YES", 0, TRI_YES},   {"はい", 0, TRI_YES},
	    {"2", 0, TRI_NO},          {"NO", 0, TRI_NO},       {"ありません", 0, TRI_NO},
	    {"3", 0, TRI_UNKNOWN},     {"わからない", 0, TRI_UNKNOWN},
	    {"Don't know", 0, TRI_UNKNOWN}, {"maybe", -EINVAL, TRI_UNKNOWN},
	    {"", -EINVAL, TRI_UNKNOWN}, {"4", -EINVAL, TRI_UNKNOWN},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		enum tri t = TRI_UNKNOWN;

		cr_assert_eq(answer_tri(fold(rows[i].text), &t), rows[i].rc, "\"%s\"", rows[i].text);
		if (rows[i].rc == 0)
			cr_assert_eq(t, rows[i].t, "\"%s\"", rows[i].text);
	}
}

Test(answer, when_the_company_knew_is_now_today_unknown_or_a_past_japan_time)
{
	const int64_t now = 1795309200000LL; /* 2026-11-22T01:00:00Z, 10:00 JST */
	enum noticed_kind k;
	int64_t at = 0;

	cr_assert_eq(answer_noticed(fold("1"), now, &k, &at), 0);
	cr_assert_eq(k, NOTICED_NOW);
	cr_assert_eq(at, now);
	cr_assert_eq(answer_noticed(fold("今日"), now, &k, &at), 0);
	cr_assert_eq(k, NOTICED_TODAY);
	cr_assert_eq(answer_noticed(fold("わかりません"), now, &k, &at), 0);
	cr_assert_eq(k, NOTICED_UNKNOWN);
	cr_assert_eq(answer_noticed(fold("2026-11-22 09:30"), now, &k, &at), 0);
	cr_assert_eq(k, NOTICED_AT);
	cr_assert_eq(at, now - 30 * 60 * 1000, "09:30 JST is half an hour before 10:00 JST");
	cr_assert_eq(answer_noticed(fold("2026-11-22 11:00"), now, &k, &at), -ERANGE,
	             "an hour from now is in the future");
	cr_assert_eq(answer_noticed(fold("yesterday evening"), now, &k, &at), -EINVAL);
}

Test(answer, a_prefecture_by_number_english_or_japanese_name_with_or_without_its_suffix)
{
	static const struct {
		const char *text;
		int n;
	} rows[] = {
	    {"27", 27}, {"Osaka", 27}, {"大阪府", 27}, {"大阪", 27}, {"東京都", 13},
	    {"東京", 13}, {"47", 47},  {"48", -1},     {"0", -1},     {"大", -1},
	    {"", -1},    {"osaka!", -1},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		cr_assert_eq(answer_prefecture(pbfixture_set, fold(rows[i].text)), rows[i].n,
		             "\"%s\"", rows[i].text);
}

Test(answer, the_type_from_free_text_lost_or_stolen_and_the_words_that_work_anywhere)
{
	enum lost_or_stolen los;

	cr_assert_str_eq(answer_guess_type(fold("身代金を要求する画面が出た")), "ransomware");
	cr_assert_str_eq(answer_guess_type(fold("Our files are Encrypted")), "ransomware");
	cr_assert_str_eq(answer_guess_type(fold("請求書の振込先が変わった")), "bec");
	cr_assert_null(answer_guess_type(fold("something odd")));
	cr_assert_eq(answer_lost(fold("盗まれた"), &los), 0);
	cr_assert_eq(los, LOS_STOLEN);
	cr_assert_eq(answer_lost(fold("1"), &los), 0);
	cr_assert_eq(los, LOS_LOST);
	cr_assert_eq(answer_lost(fold("maybe"), &los), -EINVAL);
	cr_assert(answer_is(fold("キャンセル"), ANSWER_CANCEL));
	cr_assert(answer_is(fold("Ｈｅｌｐ"), ANSWER_HELP));
	cr_assert(answer_is(fold("戻る"), ANSWER_BACK));
	cr_assert_not(answer_is(fold("help me"), ANSWER_HELP));
	cr_assert_eq(answer_number(fold("3."), 12), 3);
	cr_assert_eq(answer_number(fold("13"), 12), -1);
	cr_assert(answer_has_japanese("大阪です"));
	cr_assert_not(answer_has_japanese("Osaka"));
}
