/* SPDX-License-Identifier: ISC */
/*
 * api_playbooks.c — the playbooks behind the guidance can be listed and
 * read, so partners and apps can show the same first steps.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

TestSuite(api_playbooks, .fini = harness_cleanup, .timeout = 60);

/*
 * 1 when some string inside v (searched depth-first) satisfies want_ja:
 * holds Japanese when want_ja, or holds letters and no Japanese otherwise.
 */
static int holds_text(const json_t *v, int want_ja)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		int has_letter = 0;

		for (const char *p = s; *p; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
				has_letter = 1;
		return want_ja ? fixture_text_has_japanese(s)
		               : has_letter && !fixture_text_has_japanese(s) && strlen(s) > 8;
	}
	if (json_is_object(v)) {
		const char *k;
		json_t *e;

		json_object_foreach((json_t *)v, k, e)
		{
			if (strcmp(k, "id") != 0 && strcmp(k, "sources") != 0 &&
			    holds_text(e, want_ja))
				return 1;
		}
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
		{
			if (holds_text(e, want_ja))
				return 1;
		}
	}
	return 0;
}

/* GET PATH from a fresh daemon into RES (the caller frees it) and assert
 * status WANT; returns the body as JSON (the caller's) when WANT is 200. */
static json_t *fetch(const char *path, long want, struct harness_response *res)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *doc = NULL;

	harness_daemon_start(d);
	harness_get(d, path, res);
	cr_assert(res->status == want, "GET %s: want %ld, got %ld", path, want, res->status);
	if (want == 200)
		doc = fixture_response_json(res);
	harness_daemon_finish(d);
	return doc;
}

Test(api_playbooks, playbook_list_offers_all_twelve_incident_types)
{
	struct harness_response res;
	json_t *doc = fetch("/api/v1/playbooks", 200, &res), *list;

	list = json_object_get(doc, "playbooks");
	cr_assert(json_is_array(list), "\"playbooks\" should be an array: %.500s", res.body.data);
	cr_assert(json_array_size(list) == FIXTURE_TYPES, "want %d playbooks, got %zu",
	          FIXTURE_TYPES, json_array_size(list));
	for (int i = 0; i < FIXTURE_TYPES; i++) {
		json_t *pb = fixture_json_find(list, "id", fixture_incident_types[i]);

		cr_assert(pb != NULL, "the list should offer %s", fixture_incident_types[i]);
		cr_assert(json_object_get(pb, "name") != NULL, "playbook %s should have a name",
		          fixture_incident_types[i]);
	}
	json_decref(doc);
	harness_response_fini(&res);
}

Test(api_playbooks, ransomware_playbook_has_its_steps_in_japanese_and_english)
{
	struct harness_response res;
	json_t *doc = fetch("/api/v1/playbooks/ransomware", 200, &res), *steps, *e;
	size_t i;

	cr_assert_str_eq(fixture_json_string(doc, "id"), "ransomware", "the playbook's id");
	steps = json_object_get(doc, "steps");
	cr_assert(json_is_array(steps) && json_array_size(steps) > 0,
	          "the playbook should list its steps: %.500s", res.body.data);
	json_array_foreach(steps, i, e)
	{
		char *dump = json_dumps(e, JSON_COMPACT);

		cr_assert(holds_text(e, 1), "step %zu should have Japanese text: %s", i, dump);
		cr_assert(holds_text(e, 0), "step %zu should have English text: %s", i, dump);
		free(dump);
	}
	json_decref(doc);
	harness_response_fini(&res);
}

Test(api_playbooks, unknown_playbook_is_not_found)
{
	struct harness_response res;

	fetch("/api/v1/playbooks/alien_invasion", 404, &res);
	harness_response_fini(&res);
}

/* Every report-to target a playbook names is one its own steps speak of:
 * DDoS tells the reporter to inform the industry's ministry, so the list
 * carries the regulator. */
Test(api_playbooks, ddos_lists_the_ministry_its_steps_name)
{
	struct harness_response res;
	json_t *doc = fetch("/api/v1/playbooks/ddos", 200, &res);

	cr_assert_not_null(fixture_json_find(json_object_get(doc, "report_to"), "target", "police"),
	                   "ddos should report to the police: %.500s", res.body.data);
	cr_assert_not_null(
	    fixture_json_find(json_object_get(doc, "report_to"), "target", "regulator"),
	    "ddos should list the regulator its steps name: %.500s", res.body.data);
	json_decref(doc);
	harness_response_fini(&res);
}
