/* SPDX-License-Identifier: ISC */
/*
 * dash_xmpp.c — the dashboard with the relay running: a specialist's chat
 * app acknowledges the alert over a real Prosody, and the coordinator sees
 * who took the case and how long it took, in the queue, the figures, the
 * per-specialist CSV (whose names are neutralised: a roster is typed by
 * people too) and /metrics (connected, messages sent).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "fixture.h"
#include "harness.h"
#include "htmlscan.h"
#include "prosody.h"
#include "specialist.h"
#include "world.h"

#define DOMAIN      WORLD_DOMAIN
#define BOT         WORLD_BOT
#define BOT_PW      "bot-password"
#define SPEC        "osaka"
#define SPEC_JID    SPEC "@" DOMAIN
#define SPEC_PW     "osaka-password"
#define SPEC_NAME   "=SUM(1+1) 大阪 一郎"
#define USER        "coord"
#define PASSWORD    "hana-ame-sora-2026"
#define ALERT_MS    8000

static void fini(void)
{
	harness_cleanup();
	prosody_cleanup();
}

TestSuite(dash_xmpp, .fini = fini, .timeout = 120);

Test(dash_xmpp, an_ack_over_xmpp_shows_who_took_the_case_and_how_fast)
{
	static const struct world_member team[] = {
	    {.id = SPEC, .name = SPEC_NAME, .prefectures = "27", .password = SPEC_PW},
	};
	static const struct world_options o = {.bot_password = BOT_PW, .no_coordinator = 1};
	struct world w;
	struct harness_daemon *d;
	struct specialist_client *app;
	struct dash_client c = {0};
	struct harness_response res;
	char want[128];
	json_t *body, *ans, *doc;

	world_begin(&w, team, 1, &o);
	d = w.d;
	dash_user_add(d, USER, PASSWORD);
	world_start(&w);
	app = w.app[0];

	body = fixture_intake_new("ransomware", "ja");
	fixture_json_set(body, "prefecture", "27");
	ans = fixture_case_create(d, body);
	snprintf(want, sizeof want, "New case %s", fixture_json_string(ans, "ref"));
	cr_assert_eq(specialist_wait_message(app, want, ALERT_MS, NULL), 0, "no alert");
	cr_assert_eq(specialist_send(app, BOT, "ack"), 0);
	cr_assert_eq(specialist_wait_message(app, "you have this case", ALERT_MS, NULL), 0,
	             "the ack was not confirmed");
	doc = fixture_case_wait_event(d, fixture_json_string(ans, "ref"),
	                              fixture_json_string(ans, "token"), "acknowledged", 5000);
	json_decref(doc);

	c.d = d;
	cr_assert_eq(dash_login(&c, USER, PASSWORD, NULL), 303);
	dash_get(&c, "/dashboard", &res);
	cr_assert_eq(res.status, 200);
	cr_expect(htmlscan_page_has_text(res.body.data, SPEC_NAME " (" SPEC_JID ")"),
	          "the queue says who acknowledged");
	cr_expect_neq(strstr(res.body.data, "class=\"ack-time\">"), NULL, "and after how long");
	cr_expect_neq(strstr(res.body.data, "初回連絡"), NULL, "the first contact clock now runs");
	harness_response_fini(&res);

	dash_get(&c, "/api/v1/stats?group=specialist", &res);
	cr_assert_eq(res.status, 200);
	doc = fixture_response_json(&res);
	{
		json_t *g = fixture_json_find(json_object_get(doc, "groups"), "key", SPEC_JID);
		json_t *ack;

		cr_assert_not_null(g, "a row for the specialist: %s", res.body.data);
		ack = json_object_get(json_object_get(g, "clocks"), "ack");
		cr_expect_eq(json_integer_value(json_object_get(ack, "count")), 1);
		cr_expect(json_real_value(json_object_get(ack, "median_s")) > 0, "time to ack");
	}
	json_decref(doc);
	harness_response_fini(&res);

	dash_get(&c, "/dashboard/figures.csv?group=specialist", &res);
	cr_assert_eq(res.status, 200);
	cr_expect_neq(strstr(res.body.data, "\"'" SPEC_NAME " (" SPEC_JID ")\""), NULL,
	              "a name that starts like a formula is neutralised:\n%s", res.body.data);
	cr_expect_null(strstr(res.body.data, ",\"" SPEC_NAME), "never left as a formula");
	harness_response_fini(&res);

	harness_get(d, "/metrics", &res);
	cr_expect_neq(strstr(res.body.data, "kakekomi_xmpp_connected 1\n"), NULL);
	cr_expect_null(strstr(res.body.data, "kakekomi_alerts_sent_total{channel=\"xmpp\"} 0\n"),
	               "the alert and the confirmations count as sent");
	cr_expect_neq(strstr(res.body.data, "kakekomi_time_to_ack_seconds_count{region=\"kinki\"} 1\n"),
	              NULL, "%s", res.body.data);
	harness_response_fini(&res);

	json_decref(ans);
	json_decref(body);
	world_close(&w);
}
