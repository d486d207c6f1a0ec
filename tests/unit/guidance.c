/* SPDX-License-Identifier: ISC */
/* Unit tests: the guidance a reporter reads, fitted to their answers, from
 * the project's real playbooks. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pbfixture.h"
#include "guidance.h"
#include "text.h"

TestSuite(guidance, .init = pbfixture_setup, .fini = pbfixture_teardown);

static struct guidance_facts facts(const char *type, const char *pref, enum tri money, enum tri pd)
{
	struct guidance_facts f = {.incident_type = type,
	                           .prefecture = pref,
	                           .money_involved = money,
	                           .personal_data = pd};

	f.ppc.personal_data = pd;
	f.ppc.sensitive_data = f.ppc.financial_harm = f.ppc.over_1000 = TRI_UNKNOWN;
	f.ppc.lost_device = strcmp(type, "lost_device") == 0;
	f.ppc.lost_or_stolen = f.ppc.lost_device ? LOS_UNKNOWN : LOS_UNSET;
	f.ppc.known = true;
	cr_assert_eq(text_rfc3339_parse("2026-11-22T10:00:00+09:00", &f.ppc.known_at_ms), 0);
	f.now_ms = f.ppc.known_at_ms;
	return f;
}

static const struct guidance_report *find(const struct guidance *g, const char *target)
{
	for (size_t i = 0; i < g->nreport; i++)
		if (strcmp(g->report[i].target->id, target) == 0)
			return &g->report[i];
	return NULL;
}

/* Builds the guidance for F in L into G (guidance_fini frees it) and
 * returns its entry for TARGET, asserting that both are there. */
static const struct guidance_report *report_to(struct guidance *g, const struct guidance_facts *f,
                                               enum lang l, const char *target)
{
	const struct guidance_report *p;

	cr_assert_eq(guidance_build(g, pbfixture_set, f, l), 0);
	p = find(g, target);
	cr_assert_not_null(p, "no entry for %s", target);
	return p;
}

/* Asserts that the text of P says WHAT. */
static void says(const struct guidance_report *p, const char *what)
{
	cr_assert_not_null(strstr(p->text, what), "no \"%s\" in: %s", what, p->text);
}

/* The deadline object of the commission's entry in G as JSON (free with
 * json_decref), asserting that there is one. */
static json_t *ppc_deadline(const struct guidance *g)
{
	json_t *doc = guidance_to_json(g, NULL);
	json_t *list = json_object_get(doc, "report_to");
	json_t *dl = NULL;

	for (size_t i = 0; i < json_array_size(list) && dl == NULL; i++) {
		json_t *it = json_array_get(list, i);

		if (strcmp(json_string_value(json_object_get(it, "target")), "ppc") == 0)
			dl = json_incref(json_object_get(it, "deadline"));
	}
	json_decref(doc);
	cr_assert_not_null(dl, "no deadline for the commission");
	return dl;
}

Test(guidance, money_sent_puts_the_bank_first)
{
	struct guidance g;
	struct guidance_facts f = facts("phishing", "13", TRI_YES, TRI_NO);

	cr_assert_eq(guidance_build(&g, pbfixture_set, &f, LANG_EN), 0);
	cr_assert_gt(g.nreport, 1);
	cr_assert_str_eq(g.report[0].target->id, "bank");
	cr_assert_not(g.report[0].conditional);
	guidance_fini(&g);
}

Test(guidance, no_money_and_no_personal_data_means_no_bank_and_no_commission)
{
	struct guidance g;
	struct guidance_facts f = facts("ransomware", "27", TRI_NO, TRI_NO);

	cr_assert_eq(guidance_build(&g, pbfixture_set, &f, LANG_JA), 0);
	cr_assert_null(find(&g, "bank"));
	cr_assert_null(find(&g, "ppc"));
	cr_assert_not_null(find(&g, "police"));
	guidance_fini(&g);
}

Test(guidance, ransomware_in_osaka_names_the_osaka_police_with_9110_and_110)
{
	struct guidance g;
	struct guidance_facts f = facts("ransomware", "27", TRI_NO, TRI_NO);
	const struct guidance_report *p;

	p = report_to(&g, &f, LANG_JA, "police");
	says(p, "大阪府警察");
	says(p, "#9110");
	says(p, "110");
	guidance_fini(&g);
	p = report_to(&g, &f, LANG_EN, "police");
	says(p, "Osaka Prefectural Police");
	guidance_fini(&g);
}

Test(guidance, personal_data_in_a_ransomware_case_gives_commission_dates_with_60_days)
{
	struct guidance g;
	struct guidance_facts f = facts("ransomware", "27", TRI_NO, TRI_YES);
	const struct guidance_report *p;

	p = report_to(&g, &f, LANG_EN, "ppc");
	cr_assert(p->has_deadline);
	cr_assert_eq(p->clock.reportable, PPC_REQUIRED, "an attack is a deliberate act");
	cr_assert_str_eq(p->clock.prelim_due, "2026-11-27");
	cr_assert_eq(p->clock.final_days, 60);
	cr_assert_str_eq(p->clock.final_due, "2027-01-21");
	says(p, "approximate");
	says(p, "as soon as possible");
	guidance_fini(&g);
}

Test(guidance, an_accidental_leak_gives_the_30_day_final_report)
{
	struct guidance g;
	struct guidance_facts f = facts("data_leak", "01", TRI_NO, TRI_YES);
	const struct guidance_report *p;

	p = report_to(&g, &f, LANG_JA, "ppc");
	cr_assert_eq(p->clock.final_days, 30);
	cr_assert_str_eq(p->clock.final_due, "2026-12-22");
	says(p, "目安");
	guidance_fini(&g);
}

Test(guidance, dont_know_about_personal_data_still_shows_the_commission_marked_conditional)
{
	struct guidance g;
	struct guidance_facts f = facts("unknown", "47", TRI_UNKNOWN, TRI_UNKNOWN);

	cr_assert_eq(guidance_build(&g, pbfixture_set, &f, LANG_EN), 0);
	cr_assert_not_null(find(&g, "ppc"));
	cr_assert(find(&g, "ppc")->conditional);
	cr_assert_not_null(find(&g, "bank"));
	cr_assert(find(&g, "bank")->conditional);
	guidance_fini(&g);
}

Test(guidance, every_playbook_answers_in_both_languages)
{
	for (size_t i = 0; i < PLAYBOOK_TYPES; i++) {
		struct guidance g;
		struct guidance_facts f = facts(playbook_types[i], "13", TRI_UNKNOWN, TRI_UNKNOWN);

		for (int l = 0; l < LANG_COUNT; l++) {
			json_t *j;

			cr_assert_eq(guidance_build(&g, pbfixture_set, &f, (enum lang)l), 0, "%s",
			             playbook_types[i]);
			cr_assert_gt(g.pb->nsteps, 0);
			j = guidance_to_json(&g, NULL);
			cr_assert_gt(json_array_size(json_object_get(j, "steps")), 0);
			cr_assert_gt(json_array_size(json_object_get(j, "report_to")), 0);
			json_decref(j);
			guidance_fini(&g);
		}
	}
}

/* The done-when of the legal clock, through the whole guidance. */
Test(guidance, a_stolen_laptop_is_required_with_60_days_and_a_misdirected_mail_is_not_required)
{
	struct guidance g;
	struct guidance_facts f = facts("lost_device", "13", TRI_NO, TRI_YES);
	const struct guidance_report *p;
	json_t *dl;

	f.ppc.sensitive_data = f.ppc.financial_harm = f.ppc.over_1000 = TRI_NO;
	f.ppc.lost_or_stolen = LOS_STOLEN;
	p = report_to(&g, &f, LANG_JA, "ppc");
	cr_assert_eq(p->clock.reportable, PPC_REQUIRED);
	cr_assert_eq(p->clock.final_days, 60);
	says(p, "報告が必要です");
	guidance_fini(&g);

	f = facts("data_leak", "13", TRI_NO, TRI_YES);
	f.ppc.sensitive_data = f.ppc.financial_harm = f.ppc.over_1000 = TRI_NO;
	p = report_to(&g, &f, LANG_EN, "ppc");
	cr_assert_eq(p->clock.reportable, PPC_NOT_REQUIRED);
	cr_assert_null(strstr(p->text, "Final report due"), "%s", p->text);
	dl = ppc_deadline(&g);
	cr_assert_str_eq(json_string_value(json_object_get(dl, "reportable")), "not_required");
	cr_assert_not_null(
	    strstr(json_string_value(json_object_get(dl, "reason")), "not required by law"));
	cr_assert_null(json_object_get(dl, "final"), "no final date when none is due");
	json_decref(dl);
	guidance_fini(&g);
}

Test(guidance, a_report_made_six_days_after_the_company_knew_is_marked_overdue)
{
	struct guidance g;
	struct guidance_facts f = facts("ransomware", "27", TRI_NO, TRI_YES);
	const struct guidance_report *p;
	json_t *dl;

	f.now_ms = f.ppc.known_at_ms + 6LL * 86400000;
	p = report_to(&g, &f, LANG_JA, "ppc");
	says(p, "期限を過ぎています");
	dl = ppc_deadline(&g);
	cr_assert(json_is_true(json_object_get(dl, "overdue")));
	cr_assert(json_is_true(json_object_get(json_object_get(dl, "preliminary"), "overdue")));
	cr_assert(json_is_false(json_object_get(json_object_get(dl, "final"), "overdue")));
	json_decref(dl);
	guidance_fini(&g);
}

/* Where the prefecture's own desk was verified, the police entry gives it
 * with its phone and the date its page was read; elsewhere the NPA list. */
Test(guidance, the_police_entry_gives_the_prefectures_verified_desk_with_its_date)
{
	struct guidance g;
	struct guidance_facts f = facts("ransomware", "14", TRI_NO, TRI_NO);
	const struct guidance_report *p;

	p = report_to(&g, &f, LANG_JA, "police");
	says(p, "045-681-3180");
	says(p, "2026-12-04 確認");
	guidance_fini(&g);
	f = facts("ransomware", "47", TRI_NO, TRI_NO);
	p = report_to(&g, &f, LANG_EN, "police");
	says(p, "npa.go.jp/bureau/cyber/soudan.html");
	cr_assert_null(strstr(p->text, "checked"), "no desk claimed where none was verified");
	guidance_fini(&g);
}
