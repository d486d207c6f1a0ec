/* SPDX-License-Identifier: ISC */
/* Unit tests: what a report must contain, and the messages that say what to fix. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "intake.h"
#include "pbfixture.h"
#include "text.h"

static int64_t now;

static void load(void)
{
	pbfixture_setup();
	cr_assert_eq(text_rfc3339_parse("2026-11-22T12:00:00+09:00", &now), 0);
}

TestSuite(intake, .init = load, .fini = pbfixture_teardown);

/* A source of fields: pairs of name and value, NULL-terminated. */
static int pairs_get(void *src, const char *field, const char **value)
{
	const char **kv = src;

	for (; kv[0] != NULL; kv += 2) {
		if (strcmp(kv[0], field) == 0) {
			*value = kv[1];
			return 0;
		}
	}
	return -ENOENT;
}

/* Checks the pairs KV, given as KIND, at the suite's now. */
static int check(enum intake_source kind, const char **kv, struct case_input *in,
                 struct intake_errors *errs)
{
	return intake_check(pbfixture_set, kind, pairs_get, kv, now, in, errs);
}

/* Asserts that KV is refused with its first message on FIELD, naming WORD. */
static void refused_on(enum intake_source kind, const char **kv, const char *field,
                       const char *word)
{
	struct case_input in;
	struct intake_errors errs;

	cr_assert_eq(check(kind, kv, &in, &errs), -EINVAL);
	cr_assert_str_eq(errs.e[0].field, field);
	cr_assert_not_null(strstr(errs.e[0].msg[LANG_EN], word), "%s", errs.e[0].msg[LANG_EN]);
}

#define GOOD "incident_type", "ransomware", "prefecture", "27", "company", "Acme 株式会社", \
	     "name", "山田 太郎", "phone", "06-1234-5678"

Test(intake, a_minimal_report_is_accepted_with_dont_know_defaults)
{
	const char *kv[] = {GOOD, NULL};
	struct case_input in;
	struct intake_errors errs;

	cr_assert_eq(check(INTAKE_JSON, kv, &in, &errs), 0);
	cr_assert_str_eq(in.incident_type, "ransomware");
	cr_assert_eq(in.money_involved, TRI_UNKNOWN);
	cr_assert_eq(in.sensitive_data, TRI_UNKNOWN);
	cr_assert_eq(in.lost_or_stolen, LOS_UNSET, "asked only for a lost device");
	/* When the company knew was not given: not known, not "now". */
	cr_assert_eq(in.noticed, NOTICED_UNKNOWN);
	cr_assert_eq(in.noticed_at_ms, now);
	cr_assert_eq(in.lang, LANG_JA);
	case_input_fini(&in);
}

Test(intake, a_missing_phone_is_reported_on_the_phone_field)
{
	const char *kv[] = {"incident_type", "ransomware", "prefecture", "27", "company", "Acme",
	                    "name", "Taro", NULL};
	struct case_input in;
	struct intake_errors errs;

	cr_assert_eq(check(INTAKE_JSON, kv, &in, &errs), -EINVAL);
	cr_assert_eq(errs.n, 1);
	cr_assert_str_eq(errs.e[0].field, "phone");
	cr_assert_not_null(strstr(errs.e[0].msg[LANG_EN], "phone"));
}

Test(intake, unknown_prefecture_and_type_are_each_reported)
{
	const char *kv[] = {"incident_type", "virus", "prefecture", "48", "company", "A", "name", "B",
	                    "phone", "0612345678", NULL};
	struct case_input in;
	struct intake_errors errs;

	cr_assert_eq(check(INTAKE_JSON, kv, &in, &errs), -EINVAL);
	cr_assert_not_null(intake_error_for(&errs, "incident_type"));
	cr_assert_not_null(intake_error_for(&errs, "prefecture"));
}

Test(intake, a_time_in_the_future_is_refused)
{
	const char *kv[] = {GOOD, "noticed_at", "2026-11-23T12:00:00+09:00", NULL};

	refused_on(INTAKE_JSON, kv, "noticed_at", "future");
}

Test(intake, the_form_reads_the_time_noticed_in_japan_time)
{
	const char *kv[] = {GOOD, "noticed", "at", "noticed_at", "2026-11-22T09:30", NULL};
	struct case_input in;
	struct intake_errors errs;
	int64_t want;

	cr_assert_eq(check(INTAKE_FORM, kv, &in, &errs), 0);
	cr_assert_eq(text_rfc3339_parse("2026-11-22T00:30:00Z", &want), 0);
	cr_assert_eq(in.noticed_at_ms, want);
	cr_assert_eq(in.noticed, NOTICED_AT);
	case_input_fini(&in);
}

Test(intake, control_characters_in_a_name_are_refused_but_a_multiline_description_is_fine)
{
	const char *kv[] = {"incident_type", "malware", "prefecture", "01", "company", "A",
	                    "name", "Taro\x07", "phone", "0612345678", "description", "line 1\nline 2", NULL};
	struct case_input in;
	struct intake_errors errs;

	cr_assert_eq(check(INTAKE_JSON, kv, &in, &errs), -EINVAL);
	cr_assert_eq(errs.n, 1);
	cr_assert_str_eq(errs.e[0].field, "name");
}

Test(intake, invalid_utf8_is_refused_with_a_message)
{
	const char *kv[] = {GOOD, "description", "\xff\xfe", NULL};

	refused_on(INTAKE_FORM, kv, "description", "UTF-8");
}

Test(intake, markup_is_kept_as_typed)
{
	const char *kv[] = {"incident_type", "defacement", "prefecture", "13", "company",
	                    "<script>alert(1)</script>", "name", "<b>x</b>", "phone", "0312345678", NULL};
	struct case_input in;
	struct intake_errors errs;

	cr_assert_eq(check(INTAKE_JSON, kv, &in, &errs), 0);
	cr_assert_str_eq(in.company, "<script>alert(1)</script>");
	case_input_fini(&in);
}

Test(intake, overly_long_text_is_refused)
{
	char longname[400];
	const char *kv[] = {GOOD, NULL, NULL, NULL};
	struct case_input in;
	struct intake_errors errs;

	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	kv[4] = "company";
	kv[5] = longname;
	cr_assert_eq(check(INTAKE_JSON, kv, &in, &errs), -EINVAL);
	cr_assert_str_eq(errs.e[0].field, "company");
}

Test(intake, the_appi_conditions_and_lost_or_stolen_are_read_and_checked)
{
	const char *kv[] = {"incident_type", "lost_device", "prefecture", "27", "company", "Acme",
	                    "name", "Taro", "phone", "06-1234-5678", "sensitive_data", "no",
	                    "financial_harm", "yes", "over_1000", "unknown", "lost_or_stolen",
	                    "stolen", NULL};
	const char *bad[] = {GOOD, "lost_or_stolen", "borrowed", "over_1000", "many", NULL};
	const char *unset[] = {"incident_type", "lost_device", "prefecture", "27", "company",
	                       "Acme", "name", "Taro", "phone", "06-1234-5678", NULL};
	struct case_input in;
	struct intake_errors errs;

	cr_assert_eq(check(INTAKE_JSON, kv, &in, &errs), 0);
	cr_assert_eq(in.sensitive_data, TRI_NO);
	cr_assert_eq(in.financial_harm, TRI_YES);
	cr_assert_eq(in.over_1000, TRI_UNKNOWN);
	cr_assert_eq(in.lost_or_stolen, LOS_STOLEN);
	case_input_fini(&in);
	cr_assert_eq(check(INTAKE_JSON, unset, &in, &errs), 0);
	cr_assert_eq(in.lost_or_stolen, LOS_UNKNOWN, "a lost device not said lost or stolen");
	case_input_fini(&in);
	cr_assert_eq(check(INTAKE_JSON, bad, &in, &errs), -EINVAL);
	cr_assert_not_null(intake_error_for(&errs, "lost_or_stolen"));
	cr_assert_not_null(intake_error_for(&errs, "over_1000"));
}
