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

#define DOMAIN      "kk.test"
#define BOT         "bot@" DOMAIN
#define BOT_PW      "bot-password"
#define SPEC        "osaka"
#define SPEC_JID    SPEC "@" DOMAIN
#define SPEC_PW     "osaka-password"
#define SPEC_NAME   "=SUM(1+1) 大阪 一郎"
#define USER        "coord"
#define PASSWORD    "hana-ame-sora-2026"
#define PRESENCE_MS 15000
#define ALERT_MS    8000

static void fini(void)
{
	harness_cleanup();
	prosody_cleanup();
}

TestSuite(dash_xmpp, .fini = fini, .timeout = 120);

Test(dash_xmpp, an_ack_over_xmpp_shows_who_took_the_case_and_how_fast)
{
	struct prosody *p = prosody_start(DOMAIN);
	struct harness_daemon *d;
	struct specialist_client *app;
	struct dash_client c = {0};
	struct harness_response res;
	struct harness_output out;
	char roster[PATH_MAX], want[128];
	json_t *body, *ans, *doc;
	FILE *f;

	cr_assert_not_null(p, "Prosody did not start (see its log above)");
	cr_assert_eq(prosody_register(p, "bot", BOT_PW), 0);
	cr_assert_eq(prosody_register(p, SPEC, SPEC_PW), 0);
	d = harness_daemon_new();
	harness_daemon_config_append(d,
	                             "[xmpp]\njid = %s\npassword = %s\nhost = %s\nport = %u\n"
	                             "tls = required\nca_file = %s\n[escalation]\nsteps = 60s\n",
	                             BOT, BOT_PW, prosody_host(p), prosody_port(p),
	                             prosody_ca_file(p));
	dash_user_add(d, USER, PASSWORD);
	harness_daemon_start(d);
	app = specialist_connect(SPEC_JID, SPEC_PW, prosody_host(p), prosody_port(p),
	                         prosody_ca_file(p));
	cr_assert_not_null(app);
	harness_path_join(roster, sizeof roster, d->dir, "roster.csv");
	f = fopen(roster, "w");
	cr_assert_not_null(f);
	fprintf(f, "id,name,jid,email,phone,prefectures,specialties,languages,onsite,"
	           "first_consult_free,active\n%s,%s,%s,,,27,all,ja;en,no,no,yes\n",
	        SPEC, SPEC_NAME, SPEC_JID);
	cr_assert_eq(fclose(f), 0);
	harness_daemon_ctl(d, &out, "roster", "import", roster, NULL);
	cr_assert_eq(out.status, 0, "%s%s", out.out.data, out.err.data);
	harness_output_fini(&out);
	cr_assert_eq(specialist_wait_presence(app, BOT, SPECIALIST_PRESENCE_AVAILABLE, PRESENCE_MS),
	             0, "the bot never came online for the specialist");

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
	harness_daemon_finish(d);
	specialist_free(app);
	prosody_free(p);
}
