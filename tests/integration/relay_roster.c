/* SPDX-License-Identifier: ISC */
/*
 * relay_roster.c — the roster coordinators keep with kakekomictl. A good
 * file replaces the roster and the running daemon puts its people on call
 * within seconds; a file with one bad row is refused whole, naming the
 * line, so a typo never takes half a prefecture off call.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "fixture.h"
#include "harness.h"

#define PICKUP_MS 6000 /* the daemon polls the roster version every 2 s */

#define COORD    "coordinator"
#define COORD_PW "Kinki-roster-watch-2026"

TestSuite(relay_roster, .fini = harness_cleanup, .timeout = 60);

#define HEADER                                                                                     \
	"id,name,jid,email,phone,prefectures,specialties,languages,onsite,first_consult_free,"     \
	"active\n"

static void write_file(struct harness_daemon *d, const char *name, const char *text, char *path,
                       size_t cap)
{
	FILE *f;

	harness_path_join(path, cap, d->dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0, "cannot write %s", path);
}

Test(relay_roster, a_roster_with_one_bad_row_is_refused_whole_naming_the_line)
{
	struct harness_daemon *d = harness_daemon_new();
	struct dash_client coord = {.d = d};
	struct harness_response res;
	struct harness_output out;
	char good[PATH_MAX], bad[PATH_MAX];
	json_t *doc, *list, *kato;
	long long at;

	dash_user_add(d, COORD, COORD_PW);
	harness_daemon_start(d);
	cr_assert_eq(dash_login(&coord, COORD, COORD_PW, &res), 303,
	             "the coordinator cannot log in");
	harness_response_fini(&res);
	/* Names and schedules are for coordinators only. */
	harness_get(d, "/api/v1/oncall?prefecture=27", &res);
	cr_assert_eq(res.status, 401, "GET /api/v1/oncall without a session: %ld", res.status);
	harness_response_fini(&res);
	write_file(d, "good.csv",
	           HEADER "kato,Kato Aya,kato@kk.test,,,27,ransomware;malware,ja;en,yes,no,yes\n",
	           good, sizeof good);
	write_file(d, "bad.csv",
	           HEADER "tanaka,Tanaka Hiroshi,tanaka@kk.test,,,27,all,ja;en,yes,no,yes\n"
	                  "suzuki,Suzuki Ichiro,suzuki@kk.test,,,kinki,all,ja,no,no,yes\n"
	                  "mori,Mori Ken,mori@kk.test,,,99,all,ja,no,no,yes\n"
	                  "ito,Ito Mai,ito@kk.test,,,27,phishing,en,no,no,yes\n",
	           bad, sizeof bad);

	harness_daemon_ctl(d, &out, "roster", "import", good, NULL);
	cr_assert_eq(out.status, 0, "a good roster should import:\n%s%s", out.out.data,
	             out.err.data);
	cr_assert_not_null(strstr(out.out.data, "imported 1 specialists"), "said:\n%s",
	                   out.out.data);
	harness_output_fini(&out);

	doc = dash_oncall_wait(&coord, "27", "kato", PICKUP_MS);
	cr_assert_str_eq(fixture_json_string(doc, "prefecture"), "27");
	cr_assert(fixture_time_parse_ms(fixture_json_string(doc, "at"), &at) == 0,
	          "\"at\" should be RFC 3339");
	cr_assert(json_is_boolean(json_object_get(doc, "scheduled")));
	cr_assert_not(json_is_true(json_object_get(doc, "scheduled")),
	              "no schedule was set: everyone serving Osaka is on call");
	list = json_object_get(doc, "oncall");
	kato = fixture_json_find(list, "id", "kato");
	cr_assert_not_null(kato, "the running daemon did not pick up the new roster within %d ms",
	                   PICKUP_MS);
	cr_assert_eq(json_array_size(list), 1u);
	cr_assert_str_eq(fixture_json_string(kato, "name"), "Kato Aya");
	cr_assert_not_null(json_object_get(kato, "specialties"));
	cr_assert_neq(strlen(fixture_json_string(kato, "why")), 0u, "say why he is on call");
	json_decref(doc);

	harness_daemon_ctl(d, &out, "roster", "import", bad, NULL);
	cr_assert_eq(out.status, 1, "a roster with a bad row should exit 1, got %d", out.status);
	cr_assert_not_null(strstr(out.err.data, "line 4"),
	                   "the bad row (prefecture 99) is on line 4; stderr:\n%s", out.err.data);
	cr_assert_null(strstr(out.out.data, "imported"), "nothing may be imported:\n%s",
	               out.out.data);
	harness_output_fini(&out);

	/* Nothing changed: Kato is still the only one on call for Osaka. */
	harness_daemon_ctl(d, &out, "oncall", "27", NULL);
	cr_assert_eq(out.status, 0, "oncall 27:\n%s%s", out.out.data, out.err.data);
	cr_assert_not_null(strstr(out.out.data, "kato"), "oncall 27:\n%s", out.out.data);
	cr_assert_null(strstr(out.out.data, "tanaka@"),
	               "a row of the refused file was imported:\n%s", out.out.data);
	cr_assert_null(strstr(out.out.data, "ito@"), "a row of the refused file was imported:\n%s",
	               out.out.data);
	harness_output_fini(&out);
	doc = dash_get_json(&coord, "/api/v1/oncall?prefecture=27");
	list = json_object_get(doc, "oncall");
	cr_assert_eq(json_array_size(list), 1u, "the daemon's on-call list changed");
	cr_assert_null(fixture_json_find(list, "id", "tanaka"));
	json_decref(doc);

	harness_daemon_finish(d);
}
