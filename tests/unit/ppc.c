/* SPDX-License-Identifier: ISC */
/* Unit tests: the report duty to the Personal Information Protection
 * Commission and its dates (施行規則 第7条; guideline 3-5-3). */
#include <criterion/criterion.h>
#include <string.h>

#include "ppc.h"
#include "text.h"

/* UTC milliseconds of a Japan-time "YYYY-MM-DDTHH:MM". */
static int64_t jst(const char *s)
{
	int64_t ms = 0;

	cr_assert_eq(text_jst_local_parse(s, &ms), 0, "%s", s);
	return ms;
}

static struct ppc_facts facts(enum tri personal, bool malicious_type)
{
	struct ppc_facts f = {.personal_data = personal,
	                      .sensitive_data = TRI_NO,
	                      .financial_harm = TRI_NO,
	                      .over_1000 = TRI_NO,
	                      .malicious_type = malicious_type};

	return f;
}

/* The company knew at WHEN, Japan time ("YYYY-MM-DDTHH:MM"). */
static void knew_at(struct ppc_facts *f, const char *when)
{
	f->known = true;
	f->known_at_ms = jst(when);
}

static char *text_of(const struct ppc_clock *c, enum lang lang)
{
	struct buf b;

	buf_init(&b, 8192);
	cr_assert_eq(ppc_text(c, lang, &b), 0);
	return b.data; /* the caller frees */
}

Test(ppc, a_late_ransomware_report_is_required_and_overdue_everywhere_it_is_said)
{
	struct ppc_facts f = facts(TRI_YES, true);
	struct ppc_clock c;
	char *ja, *en;

	knew_at(&f, "2026-11-28T09:00");
	ppc_assess(&f, jst("2026-12-04T10:00"), &c);
	cr_assert_eq(c.reportable, PPC_REQUIRED);
	cr_assert_eq(c.reasons, PPC_MALICIOUS);
	cr_assert_str_eq(c.prelim_due, "2026-12-03");
	cr_assert(c.prelim_overdue, "six days after the company knew, day 5 has passed");
	cr_assert_not(c.final_overdue);
	cr_assert_eq(c.final_days, 60);
	cr_assert_str_eq(c.final_due, "2027-01-27");
	ja = text_of(&c, LANG_JA);
	en = text_of(&c, LANG_EN);
	cr_assert_not_null(
	    strstr(ja, "期限を過ぎています。わかっている範囲ですぐに報告してください"), "%s", ja);
	cr_assert_not_null(strstr(en, "The deadline has passed"), "%s", en);
	cr_assert_not_null(strstr(ja, "本人"), "the people affected must be told: %s", ja);
	cr_assert_null(strstr(ja, "〜2026"), "no window that opens on day 3: %s", ja);
	free(ja);
	free(en);
}

Test(ppc, a_stolen_laptop_with_customers_data_is_required_with_60_days_a_lost_one_is_not)
{
	struct ppc_facts f = facts(TRI_YES, false);
	struct ppc_clock c;
	char *ja;

	f.lost_device = true;
	f.lost_or_stolen = LOS_STOLEN;
	knew_at(&f, "2026-12-01T18:00");
	ppc_assess(&f, jst("2026-12-01T19:00"), &c);
	cr_assert_eq(c.reportable, PPC_REQUIRED,
	             "a theft is a deliberate act, even for one person");
	cr_assert_eq(c.final_days, 60);
	cr_assert_str_eq(c.final_due, "2027-01-30");

	f.lost_or_stolen = LOS_LOST;
	ppc_assess(&f, jst("2026-12-01T19:00"), &c);
	cr_assert_eq(c.reportable, PPC_NOT_REQUIRED);
	cr_assert_eq(c.final_days, 30);
	ja = text_of(&c, LANG_JA);
	cr_assert_not_null(strstr(ja, "必要ないと考えられます"), "%s", ja);
	cr_assert_null(strstr(ja, "確報の期限"), "no final date when no report is due: %s", ja);
	free(ja);

	/* Not known whether lost or stolen: the dates of a theft, a likely report. */
	f.lost_or_stolen = LOS_UNKNOWN;
	ppc_assess(&f, jst("2026-12-01T19:00"), &c);
	cr_assert_eq(c.reportable, PPC_LIKELY);
	cr_assert_eq(c.final_days, 60);
}

Test(ppc, a_misdirected_mail_with_twenty_addresses_and_nothing_sensitive_is_not_required)
{
	struct ppc_facts f = facts(TRI_YES, false); /* data_leak is not malicious */
	struct ppc_clock c;
	char *ja, *en;

	knew_at(&f, "2026-12-03T11:00");
	ppc_assess(&f, jst("2026-12-03T12:00"), &c);
	cr_assert_eq(c.reportable, PPC_NOT_REQUIRED);
	cr_assert_str_eq(ppc_reportable_name(c.reportable), "not_required");
	ja = text_of(&c, LANG_JA);
	en = text_of(&c, LANG_EN);
	cr_assert_not_null(strstr(ja, "1,000人超のどれにも当たらないため"), "the reason: %s", ja);
	cr_assert_not_null(strstr(en, "not required by law (no sensitive data"), "%s", en);
	free(ja);
	free(en);

	/* One sensitive item makes it required, even for one person. */
	f.sensitive_data = TRI_YES;
	ppc_assess(&f, jst("2026-12-03T12:00"), &c);
	cr_assert_eq(c.reportable, PPC_REQUIRED);
	cr_assert_eq(c.final_days, 30, "sensitive data alone is not a deliberate act");
	/* More than 1,000 people too. */
	f.sensitive_data = TRI_NO;
	f.over_1000 = TRI_YES;
	ppc_assess(&f, jst("2026-12-03T12:00"), &c);
	cr_assert_eq(c.reportable, PPC_REQUIRED);
	/* Not knowing one of them: likely, and the text says which. */
	f.over_1000 = TRI_UNKNOWN;
	ppc_assess(&f, jst("2026-12-03T12:00"), &c);
	cr_assert_eq(c.reportable, PPC_LIKELY);
	ja = text_of(&c, LANG_JA);
	cr_assert_not_null(strstr(ja, "1,000人を超える"), "%s", ja);
	free(ja);
}

Test(ppc, no_personal_data_means_no_entry)
{
	struct ppc_facts f = facts(TRI_NO, true);
	struct ppc_clock c;
	char *ja;

	ppc_assess(&f, jst("2026-12-03T12:00"), &c);
	cr_assert_not(c.applies);
	ja = text_of(&c, LANG_JA);
	cr_assert(ja == NULL || ja[0] == '\0', "%s", ja);
	free(ja);
}

Test(ppc, without_the_moment_the_answer_says_as_soon_as_possible_and_from_when_to_count)
{
	struct ppc_facts f = facts(TRI_YES, true);
	struct ppc_clock c;
	char *ja, *en;

	ppc_assess(&f, jst("2026-12-03T12:00"), &c);
	cr_assert_not(c.dated);
	cr_assert_not(c.prelim_overdue);
	ja = text_of(&c, LANG_JA);
	en = text_of(&c, LANG_EN);
	cr_assert_not_null(strstr(ja, "できるだけ早く"), "%s", ja);
	cr_assert_not_null(strstr(ja, "会社の誰かが最初に気づいた、または知らされた時から"), "%s",
	                   ja);
	cr_assert_not_null(strstr(ja, "60日以内"), "%s", ja);
	cr_assert_not_null(strstr(en, "from when anyone in the company first knew"), "%s", en);
	free(ja);
	free(en);
}

/* Calendar dates in Japan time: month ends, leap years, the year's end,
 * and a moment that is another day in UTC. */
Test(ppc, dates_fall_on_the_right_calendar_day)
{
	static const struct {
		const char *known;
		bool malicious;
		const char *prelim, *final;
	} cases[] = {
	    {"2026-01-31T10:00", false, "2026-02-05", "2026-03-02"},
	    {"2026-01-31T10:00", true, "2026-02-05", "2026-04-01"},
	    {"2028-01-31T10:00", false, "2028-02-05", "2028-03-01"}, /* leap year */
	    {"2028-02-29T10:00", false, "2028-03-05", "2028-03-30"},
	    {"2027-02-24T10:00", false, "2027-03-01", "2027-03-26"}, /* not a leap year */
	    {"2026-12-29T10:00", true, "2027-01-03", "2027-02-27"},
	    {"2027-01-01T08:00", false, "2027-01-06", "2027-01-31"}, /* 2026-12-31 in UTC */
	    {"2026-11-30T23:59", false, "2026-12-05", "2026-12-30"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ppc_facts f = facts(TRI_YES, cases[i].malicious);
		struct ppc_clock c;

		f.sensitive_data = TRI_YES;
		knew_at(&f, cases[i].known);
		ppc_assess(&f, f.known_at_ms, &c);
		cr_assert_str_eq(c.prelim_due, cases[i].prelim, "%s: preliminary", cases[i].known);
		cr_assert_str_eq(c.final_due, cases[i].final, "%s: final", cases[i].known);
	}
}

/* A date is overdue from the next day on, in Japan time. */
Test(ppc, a_date_is_overdue_only_once_its_day_has_ended_in_japan)
{
	struct ppc_facts f = facts(TRI_YES, false);
	struct ppc_clock c;

	f.sensitive_data = TRI_YES;
	knew_at(&f, "2026-11-01T10:00");
	ppc_assess(&f, jst("2026-11-06T23:59"), &c);
	cr_assert_str_eq(c.prelim_due, "2026-11-06");
	cr_assert_not(c.prelim_overdue);
	ppc_assess(&f, jst("2026-11-07T00:00"), &c);
	cr_assert(c.prelim_overdue);
	cr_assert_not(c.final_overdue);
	/* Known late: 40 days ago, the final date has passed too. */
	ppc_assess(&f, jst("2026-12-11T09:00"), &c);
	cr_assert_str_eq(c.final_due, "2026-12-01");
	cr_assert(c.final_overdue);
}
