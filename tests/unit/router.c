/* SPDX-License-Identifier: ISC */
/* Unit tests: whom each step of an escalation alerts, and why. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pbfixture.h"
#include "router.h"
#include "text.h"

TestSuite(router, .init = pbfixture_setup, .fini = pbfixture_teardown);

/* a: Osaka, every specialty, Japanese; e: Osaka, English only; r: Osaka,
 * ransomware only; k: Kyoto (Kinki); t: Tokyo; z: Osaka, no longer active. */
static const char *const people = "id,name,jid,prefectures,specialties,languages,active\n"
                                  "a,A,a@example.jp,27,,ja,\n"
                                  "e,E,e@example.jp,27,,en,\n"
                                  "r,R,r@example.jp,27,ransomware,ja,\n"
                                  "k,K,k@example.jp,26,,ja,\n"
                                  "t,T,t@example.jp,13,,ja,\n"
                                  "z,Z,z@example.jp,27,,ja,no\n";

static bool picked(const struct router_result *res, const char *id)
{
	for (size_t i = 0; i < res->n; i++)
		if (strcmp(res->p[i].id, id) == 0)
			return true;
	return false;
}

static struct config cfg_with_coordinator(void)
{
	static char coord[] = "coord@example.jp";
	struct config c;

	memset(&c, 0, sizeof c);
	c.esc_coordinators[0] = coord;
	c.esc_ncoordinators = 1;
	return c;
}

Test(router, each_step_widens_the_circle_and_only_fitting_active_people_are_picked)
{
	struct roster *r = pbfixture_roster(people);
	struct config cfg = cfg_with_coordinator();
	struct router_case malware_ja = {"27", "malware", LANG_JA};
	struct router_result res;

	cr_assert_eq(router_pick(r, pbfixture_set, &cfg, &malware_ja, ROUTER_PREFECTURE, 0, &res),
	             0);
	cr_assert(picked(&res, "a"), "%s", res.summary);
	cr_assert_not(picked(&res, "e"), "a Japanese reporter: the English-only specialist waits");
	cr_assert_not(picked(&res, "r"), "ransomware only, not malware");
	cr_assert_not(picked(&res, "z"), "inactive");
	cr_assert_not(picked(&res, "k"), "another prefecture");
	cr_assert_neq(res.summary[0], '\0');
	for (size_t i = 0; i < res.n; i++)
		cr_assert_neq(res.p[i].why[0], '\0', "every pick says why");

	cr_assert_eq(router_pick(r, pbfixture_set, &cfg, &malware_ja, ROUTER_REGION, 0, &res), 0);
	cr_assert(picked(&res, "k"), "the Kinki pool: %s", res.summary);
	cr_assert_not(picked(&res, "t"), "Tokyo is not Kinki");

	cr_assert_eq(router_pick(r, pbfixture_set, &cfg, &malware_ja, ROUTER_NATIONAL, 0, &res), 0);
	cr_assert_eq(res.n, 1u);
	cr_assert_str_eq(res.p[0].jid, "coord@example.jp");
	roster_free(r);
}

Test(router, without_a_roster_or_a_known_prefecture_only_the_coordinators_remain)
{
	struct config cfg = cfg_with_coordinator();
	struct router_case nowhere = {"99", "malware", LANG_JA};
	struct router_case osaka = {"27", "malware", LANG_JA};
	struct router_result res;

	cr_assert_eq(router_pick(NULL, pbfixture_set, &cfg, &osaka, ROUTER_PREFECTURE, 0, &res), 0);
	cr_assert_eq(res.n, 0u, "no roster: nobody at the prefecture's step");
	cr_assert_neq(res.summary[0], '\0', "and the timeline says so");
	cr_assert_eq(router_pick(NULL, pbfixture_set, &cfg, &nowhere, ROUTER_NATIONAL, 0, &res), 0);
	cr_assert_eq(res.n, 1u);
	cr_assert_str_eq(router_step_name(ROUTER_REGION), "region");
}
