/* SPDX-License-Identifier: ISC */
/* Unit tests: the playbook set as loaded from the project's real playbooks —
 * the prefectures' cybercrime desks and the source register. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pbfixture.h"
#include "playbook.h"

TestSuite(playbook, .init = pbfixture_setup, .fini = pbfixture_teardown);

Test(playbook, a_prefecture_without_a_verified_desk_has_none)
{
	const struct pb_prefecture *p = playbook_prefecture(pbfixture_set, "01");

	cr_assert_not_null(p);
	cr_assert_not(p->cyber_desk.present);
	cr_assert_null(p->cyber_desk.phone);
	cr_assert_null(p->cyber_desk.url);
	cr_assert_null(p->cyber_desk.name.s[LANG_JA]);
	cr_assert_null(p->cyber_desk.hours.s[LANG_EN]);
	cr_assert_null(p->cyber_desk.source);
}

Test(playbook, kanagawa_has_its_hotline_with_source_and_date)
{
	const struct pb_cyber_desk *k = &playbook_prefecture(pbfixture_set, "14")->cyber_desk;

	cr_assert(k->present);
	cr_assert_str_eq(k->phone, "045-681-3180");
	cr_assert_not_null(strstr(k->name.s[LANG_JA], "神奈川県警察"));
	cr_assert_not_null(strstr(k->name.s[LANG_EN], "Kanagawa"));
	cr_assert_not_null(k->source);
	cr_assert_str_eq(k->checked, "2026-12-04");
}

Test(playbook, every_desk_names_its_source_and_the_day_it_was_checked)
{
	size_t desks = 0;

	for (size_t i = 0; i < playbook_prefecture_count(pbfixture_set); i++) {
		const struct pb_cyber_desk *c =
		    &playbook_prefecture_at(pbfixture_set, i)->cyber_desk;

		if (!c->present)
			continue;
		desks++;
		cr_assert_not_null(c->source, "prefecture %zu", i + 1);
		cr_assert(strncmp(c->source, "http", 4) == 0, "prefecture %zu: %s", i + 1,
		          c->source);
		cr_assert_not_null(c->checked, "prefecture %zu", i + 1);
		cr_assert(c->phone != NULL || c->url != NULL, "prefecture %zu", i + 1);
		cr_assert((c->hours.s[LANG_JA] == NULL) == (c->hours.s[LANG_EN] == NULL));
	}
	cr_assert_gt(desks, 0);
}

Test(playbook, every_tag_of_every_item_is_in_the_register)
{
	for (size_t b = 0; b < playbook_count(pbfixture_set); b++) {
		const struct playbook *pb = playbook_at(pbfixture_set, b);
		const struct pb_item *lists[3] = {pb->steps, pb->dont, pb->evidence};
		const size_t counts[3] = {pb->nsteps, pb->ndont, pb->nevidence};

		for (int l = 0; l < 3; l++)
			for (size_t i = 0; i < counts[l]; i++)
				for (size_t s = 0; lists[l][i].sources[s] != NULL; s++)
					cr_assert_not_null(
					    playbook_source(pbfixture_set, lists[l][i].sources[s]),
					    "%s %s: %s", pb->id, lists[l][i].id,
					    lists[l][i].sources[s]);
	}
}

/* The commission's first report is "as soon as possible", 3 to 5 days being
 * the outer bound: every English text that gives the days says so. */
Test(playbook, the_first_report_is_never_a_window_that_opens_on_day_three)
{
	for (size_t b = 0; b < playbook_count(pbfixture_set); b++) {
		const struct playbook *pb = playbook_at(pbfixture_set, b);

		for (size_t i = 0; i < pb->nsteps; i++) {
			const char *en = pb->steps[i].text.s[LANG_EN];
			const char *ja = pb->steps[i].text.s[LANG_JA];

			if (strstr(en, "3 to 5 days") != NULL)
				cr_assert_not_null(strstr(en, "at the latest"), "%s %s: %s", pb->id,
				                   pb->steps[i].id, en);
			if (strstr(ja, "3〜5日") != NULL)
				cr_assert_not_null(strstr(ja, "遅くとも"), "%s %s: %s", pb->id,
				                   pb->steps[i].id, ja);
		}
	}
}
