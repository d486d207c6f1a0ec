/* SPDX-License-Identifier: ISC */
/*
 * dash_cases.c — what a coordinator does with cases: the queue shows every
 * open case with its age, place, type and the clock that runs; opening a
 * case shows the reporter's details and puts that very view on the
 * timeline (where the reporter never sees it); notes, "contacted",
 * "resolve" and "reassign" change the case for everyone; and whatever a
 * reporter typed shows as text, never as markup.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dash.h"
#include "fixture.h"
#include "harness.h"
#include "htmlscan.h"

TestSuite(dash_cases, .fini = harness_cleanup, .timeout = 90);

#define USER     "kenji"
#define PASSWORD "mizu-kaze-hoshi-2026"

struct world {
	struct harness_daemon *d;
	struct dash_client c;
};

/* A daemon (with EXTRA configuration, or NULL) and a coordinator logged in. */
static void open_world_with(struct world *w, const char *extra)
{
	memset(w, 0, sizeof *w);
	w->d = harness_daemon_new();
	if (extra != NULL)
		harness_daemon_config_append(w->d, "%s", extra);
	dash_user_add(w->d, USER, PASSWORD);
	harness_daemon_start(w->d);
	w->c.d = w->d;
	cr_assert_eq(dash_login(&w->c, USER, PASSWORD, NULL), 303);
}

static void open_world(struct world *w)
{
	open_world_with(w, NULL);
}

/* A case reported in PREF; the answer (ref, token) is the caller's. */
static json_t *report(struct world *w, const char *type, const char *pref, const char *company)
{
	json_t *body = fixture_intake_new(type, "ja");
	json_t *ans;

	fixture_json_set(body, "prefecture", pref);
	if (company != NULL)
		fixture_json_set(body, "company", company);
	ans = fixture_case_create(w->d, body);
	json_object_set(ans, "sent", body);
	json_decref(body);
	return ans;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The reporter's own view of the timeline: does it mention EVENT? */
static int reporter_sees(struct world *w, const json_t *ans, const char *event)
{
	json_t *doc = fixture_case_fetch(w->d, fixture_json_string(ans, "ref"),
	                                 fixture_json_string(ans, "token"));
	char *text = fixture_json_dump(doc);
	int seen = strstr(text, event) != NULL;

	free(text);
	json_decref(doc);
	return seen;
}

/* POSTs ACTION on case REF with the session's CSRF token and the fields
 * NOTE, SPECIALIST and REPORT where they are not NULL. */
static void post_fields(struct world *w, const char *ref, const char *action, const char *note,
                        const char *specialist, const char *report, struct harness_response *res)
{
	struct harness_buf form = {0};
	char path[64];

	snprintf(path, sizeof path, "/dashboard/cases/%s", ref);
	fixture_form_add(&form, "csrf", w->c.csrf);
	fixture_form_add(&form, "action", action);
	if (note != NULL)
		fixture_form_add(&form, "note", note);
	if (specialist != NULL)
		fixture_form_add(&form, "specialist", specialist);
	if (report != NULL)
		fixture_form_add(&form, "report", report);
	dash_post(&w->c, path, form.data, res);
	harness_buf_fini(&form);
}

static void post_action(struct world *w, const char *ref, const char *action, const char *note,
                        const char *specialist, struct harness_response *res)
{
	post_fields(w, ref, action, note, specialist, NULL, res);
}

/* ACTION (with REPORT) on REF, answered with the redirect to its page. */
static void act(struct world *w, const char *ref, const char *action, const char *report)
{
	struct harness_response res;

	post_fields(w, ref, action, NULL, NULL, report, &res);
	cr_assert_eq(res.status, 303, "%s %s: HTTP %ld", action, report != NULL ? report : "",
	             res.status);
	harness_response_fini(&res);
}

Test(dash_cases, a_new_case_shows_in_the_queue_with_the_acknowledge_clock_running)
{
	struct world w;
	json_t *a, *b;
	struct harness_response res;
	struct htmlscan_tag row;
	char text[2048], want[64];

	open_world(&w);
	a = report(&w, "ransomware", "27", NULL);
	b = report(&w, "phishing", "01", NULL);
	dash_get(&w.c, "/dashboard", &res);
	cr_assert_eq(res.status, 200);
	snprintf(want, sizeof want, "data-ref=\"%s\"", fixture_json_string(a, "ref"));
	cr_assert_neq(strstr(res.body.data, want), NULL, "the queue lists %s", want);
	{
		const char *at = strstr(res.body.data, want);

		while (at > res.body.data && strncmp(at, "<tr", 3) != 0)
			at--;
		cr_assert(htmlscan_next(at, "tr", &row));
	}
	htmlscan_text(&row, text, sizeof text);
	cr_expect_neq(strstr(text, "大阪府"), NULL, "prefecture: %s", text);
	cr_expect_neq(strstr(text, "ランサムウェア"), NULL, "type: %s", text);
	cr_expect_neq(strstr(text, "引き受け"), NULL, "the acknowledge clock runs: %s", text);
	cr_expect_neq(strstr(text, "目標 15m00s"), NULL, "against its 15-minute target: %s", text);
	cr_expect_null(strstr(text, "遅延"), "a fresh case is not late: %s", text);
	cr_expect_neq(strstr(res.body.data, fixture_json_string(b, "ref")), NULL);
	cr_expect_neq(strstr(res.body.data, "id=\"open-count\">2<"), NULL, "two open cases");
	/* No reporter details on the queue: those are only on the recorded view. */
	cr_expect_null(strstr(res.body.data, fixture_json_string(json_object_get(a, "sent"), "phone")));
	harness_response_fini(&res);
	json_decref(a);
	json_decref(b);
	harness_daemon_finish(w.d);
}

Test(dash_cases, every_view_of_the_reporters_details_is_on_the_timeline_but_not_the_reporters)
{
	struct world w;
	json_t *a;
	const json_t *sent;
	struct harness_response res;
	char path[64];

	open_world(&w);
	a = report(&w, "malware", "13", NULL);
	sent = json_object_get(a, "sent");
	snprintf(path, sizeof path, "/dashboard/cases/%s", fixture_json_string(a, "ref"));
	dash_get(&w.c, path, &res);
	cr_assert_eq(res.status, 200, "%s", res.body.data);
	cr_expect(htmlscan_page_has_text(res.body.data, fixture_json_string(sent, "name")));
	cr_expect(htmlscan_page_has_text(res.body.data, fixture_json_string(sent, "phone")));
	cr_expect(htmlscan_page_has_text(res.body.data, fixture_json_string(sent, "company")));
	cr_expect_eq(count_of(res.body.data, "class=\"event-details_viewed\""), 1,
	             "the page that shows the details already lists this view");
	cr_expect_neq(strstr(res.body.data, "coordinator:" USER), NULL, "who viewed");
	harness_response_fini(&res);
	dash_get(&w.c, path, &res);
	cr_expect_eq(count_of(res.body.data, "class=\"event-details_viewed\""), 2, "each view counts");
	harness_response_fini(&res);
	cr_expect(!reporter_sees(&w, a, "details_viewed"),
	          "the reporter's status never shows the coordinators' views");
	json_decref(a);
	harness_daemon_finish(w.d);
}

Test(dash_cases, notes_contact_and_resolve_change_the_case_for_everyone)
{
	struct world w;
	json_t *a;
	struct harness_response res;
	char path[64], location[128];
	const char *ref;

	open_world(&w);
	a = report(&w, "bec", "26", NULL);
	ref = fixture_json_string(a, "ref");
	snprintf(path, sizeof path, "/dashboard/cases/%s", ref);
	dash_get(&w.c, path, &res); /* for the page's token */
	harness_response_fini(&res);

	post_action(&w, ref, "note", "社長に電話予定 <b>15時</b>", NULL, &res);
	cr_expect_eq(res.status, 303);
	cr_assert(harness_response_header(&res, "Location", location, sizeof location));
	cr_expect_neq(strstr(location, "done=note"), NULL, "%s", location);
	harness_response_fini(&res);
	post_action(&w, ref, "contacted", NULL, NULL, &res);
	cr_expect_eq(res.status, 303);
	harness_response_fini(&res);

	dash_get(&w.c, path, &res);
	cr_expect(htmlscan_page_has_text(res.body.data, "社長に電話予定 <b>15時</b>"),
	          "the note shows as typed");
	cr_expect_null(strstr(res.body.data, "<b>15時</b>"), "and never as markup");
	cr_expect_neq(strstr(res.body.data, "class=\"event-contacted\""), NULL);
	cr_expect_neq(strstr(res.body.data, "id=\"state\">連絡済<"), NULL, "state: contacted");
	harness_response_fini(&res);
	cr_expect(reporter_sees(&w, a, "contacted"), "the reporter sees the contact");
	cr_expect(!reporter_sees(&w, a, "社長に電話予定"), "but not the coordinators' notes");

	post_action(&w, ref, "resolve", "バックアップから復旧", NULL, &res);
	cr_expect_eq(res.status, 303);
	harness_response_fini(&res);
	dash_get(&w.c, "/dashboard", &res);
	cr_expect_null(strstr(res.body.data, ref), "a resolved case leaves the queue");
	harness_response_fini(&res);
	cr_expect(reporter_sees(&w, a, "resolved"));

	post_action(&w, ref, "resolve", NULL, NULL, &res);
	cr_assert(harness_response_header(&res, "Location", location, sizeof location));
	cr_expect_neq(strstr(location, "refused=resolved"), NULL, "resolving twice changes nothing");
	harness_response_fini(&res);
	post_action(&w, ref, "note", "", NULL, &res);
	cr_expect_eq(res.status, 400, "an empty note is refused");
	harness_response_fini(&res);
	json_decref(a);
	harness_daemon_finish(w.d);
}

Test(dash_cases, reassigning_hands_the_case_and_the_reporters_details_to_the_specialist)
{
	struct world w;
	json_t *a, *oncall;
	struct harness_response res;
	struct harness_output out;
	char path[PATH_MAX], roster[PATH_MAX];
	const char *ref;
	FILE *f;

	open_world(&w);
	harness_path_join(roster, sizeof roster, w.d->dir, "roster.csv");
	f = fopen(roster, "w");
	cr_assert_not_null(f);
	fprintf(f, "id,name,jid,email,phone,prefectures,specialties,languages,onsite,"
	           "first_consult_free,active\n"
	           "sato,佐藤 次郎,sato@kk.test,,,27,all,ja,no,no,yes\n");
	cr_assert_eq(fclose(f), 0);
	harness_daemon_ctl(w.d, &out, "roster", "import", roster, NULL);
	cr_assert_eq(out.status, 0, "%s%s", out.out.data, out.err.data);
	harness_output_fini(&out);
	/* The daemon picks the roster up within a poll of two seconds. */
	oncall = dash_oncall_wait(&w.c, "27", "sato", 6000);
	cr_assert_not_null(fixture_json_find(json_object_get(oncall, "oncall"), "id", "sato"),
	                   "the running daemon did not pick up the imported roster");
	json_decref(oncall);

	a = report(&w, "ransomware", "27", NULL);
	ref = fixture_json_string(a, "ref");
	snprintf(path, sizeof path, "/dashboard/cases/%s", ref);
	dash_get(&w.c, path, &res);
	cr_expect_neq(strstr(res.body.data, "<option value=\"sato\">"), NULL,
	              "the roster's specialists are offered");
	harness_response_fini(&res);
	post_action(&w, ref, "reassign", NULL, "sato", &res);
	cr_expect_eq(res.status, 303, "%s", res.body.data);
	harness_response_fini(&res);
	dash_get(&w.c, path, &res);
	cr_expect(htmlscan_page_has_text(res.body.data, "佐藤 次郎 (sato@kk.test)"),
	          "the case page says who has it");
	cr_expect_neq(strstr(res.body.data, "class=\"event-reassigned\""), NULL);
	cr_expect_neq(strstr(res.body.data, "class=\"event-contact_revealed\""), NULL,
	              "handing over the details is on the timeline");
	harness_response_fini(&res);
	dash_get(&w.c, "/dashboard", &res);
	cr_expect(htmlscan_page_has_text(res.body.data, "佐藤 次郎 (sato@kk.test)"),
	          "the queue says who has it");
	harness_response_fini(&res);
	post_action(&w, ref, "reassign", NULL, "nobody-like-this", &res);
	cr_expect_eq(res.status, 400, "only specialists on the roster");
	harness_response_fini(&res);
	json_decref(a);
	harness_daemon_finish(w.d);
}

Test(dash_cases, markup_typed_by_a_reporter_shows_as_text_on_the_dashboard)
{
	struct world w;
	json_t *a;
	struct harness_response res;
	char path[64];

	open_world(&w);
	a = report(&w, "defacement", "40", "<script>alert('x')</script><img src=x onerror=alert(1)>");
	snprintf(path, sizeof path, "/dashboard/cases/%s", fixture_json_string(a, "ref"));
	dash_get(&w.c, path, &res);
	cr_assert_eq(res.status, 200);
	cr_expect(htmlscan_page_has_text(res.body.data,
	                                 "<script>alert('x')</script><img src=x onerror=alert(1)>"));
	cr_expect_null(strstr(res.body.data, "<script"), "no script element on the page");
	cr_expect_null(strstr(res.body.data, "<img"), "no image element either");
	harness_response_fini(&res);
	dash_get(&w.c, "/dashboard/cases/KK-0000-00", &res);
	cr_expect_eq(res.status, 404, "an unknown reference");
	harness_response_fini(&res);
	dash_get(&w.c, "/dashboard/cases/%3Cscript%3E", &res);
	cr_expect_eq(res.status, 404);
	cr_expect_null(strstr(res.body.data, "<script"));
	harness_response_fini(&res);
	json_decref(a);
	harness_daemon_finish(w.d);
}

/* kakekomictl deadlines lists something as OVERDUE exactly when WANT says. */
static void expect_overdue(struct world *w, int want, const char *why)
{
	struct harness_output out;

	harness_daemon_ctl(w->d, &out, "deadlines", NULL);
	cr_assert_eq(strstr(out.out.data, "OVERDUE") != NULL, want, "%s:\n%s", why, out.out.data);
	harness_output_fini(&out);
}

/* A case known in the company six days ago with personal data: the case
 * page gives the commission's two dates, the preliminary one overdue; a
 * coordinator records that the company filed it, and then it says so and
 * kakekomictl deadlines no longer lists it as overdue. */
Test(dash_cases, the_case_page_shows_the_legal_deadlines_overdue_and_records_a_filed_report)
{
	struct world w;
	json_t *body = fixture_intake_new("ransomware", "ja");
	json_t *a;
	struct harness_response res;
	char path[64], at[32];
	const char *ref;

	open_world(&w);
	fixture_time_rfc3339(time(NULL) - 6 * 86400, at, sizeof at);
	fixture_json_set(body, "noticed_at", at);
	fixture_json_set(body, "personal_data", "yes");
	a = fixture_case_create(w.d, body);
	json_decref(body);
	ref = fixture_json_string(a, "ref");
	snprintf(path, sizeof path, "/dashboard/cases/%s", ref);
	dash_get(&w.c, path, &res);
	cr_assert_eq(res.status, 200);
	cr_assert_not_null(strstr(res.body.data, "class=\"deadline overdue\" id=\"deadline-preliminary\""),
	                   "the preliminary report should show as overdue");
	cr_assert_not_null(strstr(res.body.data, "class=\"deadline due\" id=\"deadline-final\""),
	                   "the final report is still to come");
	cr_assert(htmlscan_page_has_text(res.body.data, "期限を過ぎています。わかっている範囲ですぐに報告してください。"));
	harness_response_fini(&res);
	expect_overdue(&w, 1, "the preliminary report is overdue");

	act(&w, ref, "ppc_reported", "preliminary");
	dash_get(&w.c, path, &res);
	cr_assert_not_null(strstr(res.body.data, "class=\"deadline reported\" id=\"deadline-preliminary\""),
	                   "after recording it, the preliminary report shows as reported");
	cr_assert_not_null(strstr(res.body.data, "class=\"event-ppc_preliminary_reported\""));
	harness_response_fini(&res);
	expect_overdue(&w, 0, "a filed report is not overdue");

	/* The final report is due weeks after the case is closed: a resolved
	 * case still records it. */
	act(&w, ref, "resolve", NULL);
	dash_get(&w.c, path, &res);
	cr_assert_not_null(strstr(res.body.data, "id=\"form-reported-final\""),
	                   "a resolved case should still offer to record the final report");
	harness_response_fini(&res);
	act(&w, ref, "ppc_reported", "final");
	dash_get(&w.c, path, &res);
	cr_assert_not_null(strstr(res.body.data, "class=\"deadline reported\" id=\"deadline-final\""),
	                   "the final report recorded after the case was resolved");
	harness_response_fini(&res);
	json_decref(a);
	harness_daemon_finish(w.d);
}

/* The drafts of the reports, filled from a case: for the commission the
 * nine items of 施行規則 第8条 with what is known and the rest marked to
 * be written, on the dashboard (the view recorded, English labels on
 * request) and from kakekomictl; none for a case without personal data. */
Test(dash_cases, report_drafts_are_filled_from_the_case_for_the_commission_the_police_and_ipa)
{
	static const char *const items[] = {"(1) 概要", "(2) 漏えい等が発生し", "(3) 漏えい等が発生し",
	                                    "(4) 原因", "(5) 二次被害", "(6) 本人への対応",
	                                    "(7) 公表の実施状況", "(8) 再発防止のための措置",
	                                    "(9) その他参考となる事項"};
	struct world w;
	json_t *body = fixture_intake_new("lost_device", "ja");
	json_t *a, *none;
	struct harness_response res;
	struct harness_output out;
	char path[96];
	const char *ref;
	long long views;

	open_world(&w);
	fixture_json_set(body, "personal_data", "yes");
	fixture_json_set(body, "lost_or_stolen", "stolen");
	fixture_json_set(body, "over_1000", "no");
	fixture_json_set(body, "description", "営業のノートPCを電車の網棚から盗まれた");
	a = fixture_case_create(w.d, body);
	json_decref(body);
	ref = fixture_json_string(a, "ref");

	snprintf(path, sizeof path, "/dashboard/cases/%s/draft?to=ppc", ref);
	views = harness_db_int(w.d, "SELECT count(*) FROM events WHERE kind = 'details_viewed'", NULL);
	dash_get(&w.c, path, &res);
	cr_assert_eq(res.status, 200, "%ld", res.status);
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		cr_assert(htmlscan_page_has_text(res.body.data, items[i]), "the draft lacks %s", items[i]);
	cr_assert(htmlscan_page_has_text(res.body.data, "盗難(不正の目的によるもの)"), "the cause");
	cr_assert(htmlscan_page_has_text(res.body.data, "1,000人以下"), "the number of people");
	cr_assert(htmlscan_page_has_text(res.body.data, "電車の網棚"), "the summary");
	cr_assert(htmlscan_page_has_text(res.body.data, "要記入"), "the items still to write");
	harness_response_fini(&res);
	cr_assert_eq(harness_db_int(w.d, "SELECT count(*) FROM events WHERE kind = 'details_viewed'",
	                            NULL),
	             views + 1, "the draft shows the reporter's details: its view is recorded");
	snprintf(path, sizeof path, "/dashboard/cases/%s/draft?to=police&lang=en", ref);
	dash_get(&w.c, path, &res);
	cr_assert_eq(res.status, 200);
	cr_assert(htmlscan_page_has_text(res.body.data, "Evidence kept"), "English labels");
	harness_response_fini(&res);

	harness_daemon_ctl(w.d, &out, "report-draft", ref, "--to", "ppc", NULL);
	cr_assert_eq(out.status, 0, "%s", out.err.data);
	cr_assert_not_null(strstr(out.out.data, "(8) 再発防止のための措置 [要記入 / to write]"), "%s",
	                   out.out.data);
	cr_assert_not_null(strstr(out.out.data, "(60日)"), "a theft: 60 days\n%s", out.out.data);
	harness_output_fini(&out);
	harness_daemon_ctl(w.d, &out, "report-draft", ref, "--to", "ipa", "--lang", "en", NULL);
	cr_assert_eq(out.status, 0);
	cr_assert_not_null(strstr(out.out.data, "/ Summary"), "%s", out.out.data);
	harness_output_fini(&out);
	harness_daemon_ctl(w.d, &out, "report-draft", "KK-0000-00", NULL);
	cr_assert_eq(out.status, 1);
	cr_assert_not_null(strstr(out.err.data, "no case KK-0000-00"), "%s", out.err.data);
	harness_output_fini(&out);
	none = report(&w, "ddos", "13", NULL); /* personal data: no */
	harness_daemon_ctl(w.d, &out, "report-draft", fixture_json_string(none, "ref"), NULL);
	cr_assert_eq(out.status, 1);
	cr_assert_not_null(strstr(out.err.data, "no personal data"), "%s", out.err.data);
	harness_output_fini(&out);
	json_decref(none);
	json_decref(a);
	harness_daemon_finish(w.d);
}

/* Both style sheets come from web/, read at start: the reporter's and the
 * coordinators'. */
Test(dash_cases, the_style_sheets_are_served_from_the_web_folder)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	char type[64];

	harness_daemon_start(d);
	harness_get(d, "/static/dash.css", &res);
	cr_assert_eq(res.status, 200);
	cr_assert(harness_response_header(&res, "Content-Type", type, sizeof type));
	cr_assert_not_null(strstr(type, "text/css"), "%s", type);
	cr_assert_not_null(strstr(res.body.data, "coordinators' dashboard"), "web/dash.css");
	harness_response_fini(&res);
	harness_get(d, "/static/app.css", &res);
	cr_assert_eq(res.status, 200);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

/* A coordinator on a busy day takes many actions in a row: they are not
 * reports, and the limit on reports from one address does not slow them
 * down (its burst is 10). */
Test(dash_cases, many_dashboard_actions_in_a_row_are_not_throttled_as_reports)
{
	struct world w;
	struct harness_response res;
	json_t *a;
	char note[32];

	/* Loopback limited as any reporter's address is. */
	open_world_with(&w, "[http]\nrate_exempt = 192.0.2.1\n");
	a = report(&w, "phishing", "27", NULL);
	for (int i = 0; i < 25; i++) {
		snprintf(note, sizeof note, "note %d", i);
		post_action(&w, fixture_json_string(a, "ref"), "note", note, NULL, &res);
		cr_assert_eq(res.status, 303, "action %d of 25 got HTTP %ld: %.300s", i + 1,
		             res.status, res.body.data != NULL ? res.body.data : "");
		harness_response_fini(&res);
	}
	json_decref(a);
	harness_daemon_finish(w.d);
}
