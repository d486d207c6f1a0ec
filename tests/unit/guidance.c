/* Unit tests: the guidance a reporter reads, fitted to their answers, from
 * the project's real playbooks. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guidance.h"
#include "text.h"

static struct playbook_set *set;

static void load(void)
{
	const char *src = getenv("KK_SRC");
	char dir[4096];
	struct buf errors;

	snprintf(dir, sizeof dir, "%s/playbooks", src != NULL ? src : ".");
	buf_init(&errors, 65536);
	cr_assert_eq(playbook_set_load(dir, &set, &errors), 0, "%s", errors.data);
	buf_fini(&errors);
}

static void unload(void)
{
	playbook_set_free(set);
}

TestSuite(guidance, .init = load, .fini = unload);

static struct guidance_facts facts(const char *type, const char *pref, enum tri money, enum tri pd)
{
	struct guidance_facts f = {type, pref, money, pd, 0};

	cr_assert_eq(text_rfc3339_parse("2026-11-22T10:00:00+09:00", &f.noticed_at_ms), 0);
	return f;
}

static const struct guidance_report *find(const struct guidance *g, const char *target)
{
	for (size_t i = 0; i < g->nreport; i++)
		if (strcmp(g->report[i].target->id, target) == 0)
			return &g->report[i];
	return NULL;
}

Test(guidance, money_sent_puts_the_bank_first)
{
	struct guidance g;
	struct guidance_facts f = facts("phishing", "13", TRI_YES, TRI_NO);

	cr_assert_eq(guidance_build(&g, set, &f, LANG_EN), 0);
	cr_assert_gt(g.nreport, 1);
	cr_assert_str_eq(g.report[0].target->id, "bank");
	cr_assert_not(g.report[0].conditional);
	guidance_fini(&g);
}

Test(guidance, no_money_and_no_personal_data_means_no_bank_and_no_commission)
{
	struct guidance g;
	struct guidance_facts f = facts("ransomware", "27", TRI_NO, TRI_NO);

	cr_assert_eq(guidance_build(&g, set, &f, LANG_JA), 0);
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

	cr_assert_eq(guidance_build(&g, set, &f, LANG_JA), 0);
	p = find(&g, "police");
	cr_assert_not_null(p);
	cr_assert_not_null(strstr(p->text, "大阪府警察"), "%s", p->text);
	cr_assert_not_null(strstr(p->text, "#9110"));
	cr_assert_not_null(strstr(p->text, "110"));
	guidance_fini(&g);
	cr_assert_eq(guidance_build(&g, set, &f, LANG_EN), 0);
	cr_assert_not_null(strstr(find(&g, "police")->text, "Osaka Prefectural Police"));
	guidance_fini(&g);
}

Test(guidance, personal_data_in_a_ransomware_case_gives_commission_dates_with_60_days)
{
	struct guidance g;
	struct guidance_facts f = facts("ransomware", "27", TRI_NO, TRI_YES);
	const struct guidance_report *p;

	cr_assert_eq(guidance_build(&g, set, &f, LANG_EN), 0);
	p = find(&g, "ppc");
	cr_assert_not_null(p);
	cr_assert(p->has_deadline);
	cr_assert_str_eq(p->prelim_earliest, "2026-11-25");
	cr_assert_str_eq(p->prelim_latest, "2026-11-27");
	cr_assert_eq(p->final_days, 60);
	cr_assert_str_eq(p->final_due, "2027-01-21");
	cr_assert_not_null(strstr(p->text, "approximate"));
	guidance_fini(&g);
}

Test(guidance, an_accidental_leak_gives_the_30_day_final_report)
{
	struct guidance g;
	struct guidance_facts f = facts("data_leak", "01", TRI_NO, TRI_YES);
	const struct guidance_report *p;

	cr_assert_eq(guidance_build(&g, set, &f, LANG_JA), 0);
	p = find(&g, "ppc");
	cr_assert_not_null(p);
	cr_assert_eq(p->final_days, 30);
	cr_assert_str_eq(p->final_due, "2026-12-22");
	cr_assert_not_null(strstr(p->text, "目安"));
	guidance_fini(&g);
}

Test(guidance, dont_know_about_personal_data_still_shows_the_commission_marked_conditional)
{
	struct guidance g;
	struct guidance_facts f = facts("unknown", "47", TRI_UNKNOWN, TRI_UNKNOWN);

	cr_assert_eq(guidance_build(&g, set, &f, LANG_EN), 0);
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

			cr_assert_eq(guidance_build(&g, set, &f, (enum lang)l), 0, "%s", playbook_types[i]);
			cr_assert_gt(g.pb->nsteps, 0);
			j = guidance_to_json(&g, NULL);
			cr_assert_gt(json_array_size(json_object_get(j, "steps")), 0);
			cr_assert_gt(json_array_size(json_object_get(j, "report_to")), 0);
			json_decref(j);
			guidance_fini(&g);
		}
	}
}
