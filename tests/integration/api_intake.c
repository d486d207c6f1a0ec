/* SPDX-License-Identifier: ISC */
/*
 * api_intake.c — a reporter POSTs /api/v1/cases and gets, in the same
 * answer, a case reference, a status link and first steps: what to do, what
 * not to do, what to keep, and whom to report to with the legal deadlines.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"

TestSuite(api_intake, .fini = harness_cleanup, .timeout = 60);

/* A non-empty string member, asserted. */
static const char *text_of(const json_t *obj, const char *key, const char *where)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_string(v) && json_string_length(v) > 0,
	          "%s: \"%s\" should be a non-empty string", where, key);
	return json_string_value(v);
}

/* A non-empty array of objects each carrying a non-empty "text". */
static void check_text_list(const json_t *guidance, const char *key)
{
	json_t *list = json_object_get(guidance, key);
	size_t i;
	json_t *e;

	cr_assert(json_is_array(list) && json_array_size(list) > 0,
	          "guidance.%s should be a non-empty array", key);
	json_array_foreach(list, i, e)
	{
		char where[64];

		snprintf(where, sizeof where, "guidance.%s[%zu]", key, i);
		text_of(e, "text", where);
	}
}

/* The shape every guidance has, whatever the incident. */
static void check_guidance_shape(const json_t *g, const char *type)
{
	json_t *steps = json_object_get(g, "steps");
	json_t *report_to = json_object_get(g, "report_to");
	size_t i;
	json_t *e;

	cr_assert(json_is_object(g), "the answer should carry a guidance object");
	cr_assert_str_eq(text_of(g, "playbook", "guidance"), type,
	                 "guidance.playbook should be the incident type");
	text_of(g, "title", "guidance");
	text_of(g, "callback", "guidance");
	check_text_list(g, "steps");
	check_text_list(g, "dont");
	check_text_list(g, "evidence");
	json_array_foreach(steps, i, e)
	{
		json_t *sources = json_object_get(e, "sources");

		cr_assert(json_is_array(sources) && json_array_size(sources) > 0,
		          "guidance.steps[%zu].sources should name what the step rests on", i);
	}
	/* Empty is fine: an insider case with no personal data has no one to notify. */
	cr_assert(json_is_array(report_to), "guidance.report_to should be an array");
	json_array_foreach(report_to, i, e)
	{
		char where[64];

		snprintf(where, sizeof where, "guidance.report_to[%zu]", i);
		text_of(e, "target", where);
		text_of(e, "name", where);
		text_of(e, "text", where);
	}
}

/* Every text the reporter reads, for language checks. */
static size_t collect_texts(const json_t *g, const char **out, size_t cap)
{
	static const char *const lists[] = {"steps", "dont", "evidence", "report_to"};
	size_t n = 0;

	if (n < cap)
		out[n++] = json_string_value(json_object_get(g, "title"));
	if (n < cap)
		out[n++] = json_string_value(json_object_get(g, "callback"));
	for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
		size_t i;
		json_t *e;

		json_array_foreach(json_object_get(g, lists[l]), i, e)
		{
			if (n < cap)
				out[n++] = json_string_value(json_object_get(e, "text"));
			if (json_is_string(json_object_get(e, "name")) && n < cap)
				out[n++] = json_string_value(json_object_get(e, "name"));
		}
	}
	return n;
}

/* A time two days back at 20:30 UTC: already the next day in Japan. */
static time_t evening_utc_two_days_ago(void)
{
	time_t t = time(NULL) - 2 * 86400;

	return t - t % 86400 + 20 * 3600 + 30 * 60;
}

/* The ppc entry's deadlines counted from the Japanese date of noticed. */
static void check_ppc_deadlines(const json_t *g, time_t noticed, int days)
{
	json_t *ppc = fixture_json_find(json_object_get(g, "report_to"), "target", "ppc");
	json_t *deadline, *pre, *fin;
	char want[16];

	cr_assert(ppc != NULL, "report_to should list the PPC (target \"ppc\")");
	deadline = json_object_get(ppc, "deadline");
	pre = json_object_get(deadline, "preliminary");
	fin = json_object_get(deadline, "final");
	cr_assert(json_is_object(pre) && json_is_object(fin),
	          "ppc.deadline should have preliminary and final");
	cr_assert_null(json_object_get(pre, "earliest"),
	               "the preliminary report is due as soon as possible: no window that "
	               "opens on day 3");
	cr_assert(json_is_true(json_object_get(pre, "as_soon_as_possible")));
	fixture_date_jst(noticed, 5, want, sizeof want);
	cr_assert_str_eq(fixture_json_string(pre, "due"), want,
	                 "preliminary report: at the latest about the JST date known + 5");
	cr_assert(json_is_true(json_object_get(pre, "approximate")),
	          "the preliminary window should be marked approximate");
	fixture_date_jst(noticed, days, want, sizeof want);
	cr_assert_str_eq(fixture_json_string(fin, "due"), want,
	                 "final report should be due on the JST date noticed + %d", days);
	cr_assert(json_is_integer(json_object_get(fin, "days")) &&
	              json_integer_value(json_object_get(fin, "days")) == days,
	          "final.days should be %d", days);
}

/*
 * What a fresh daemon answers a TYPE report in LANG (NULL: none given) with
 * FIELD set to VALUE (FIELD NULL: the fixture's body as it is). The daemon
 * is gone by the time the caller reads the answer, which is the caller's.
 */
static json_t *answer_to(const char *type, const char *lang, const char *field, const char *value)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new(type, lang);
	json_t *ans;

	harness_daemon_start(d);
	if (field != NULL)
		fixture_json_set(body, field, value);
	ans = fixture_case_create(d, body);
	json_decref(body);
	harness_daemon_finish(d);
	return ans;
}

/* Does the answer to a TYPE report with personal_data ANSWER list the PPC? */
static int ppc_listed(const char *type, const char *answer)
{
	json_t *ans = answer_to(type, "ja", "personal_data", answer);
	int listed =
	    fixture_json_find(json_object_get(json_object_get(ans, "guidance"), "report_to"),
	                      "target", "ppc") != NULL;

	json_decref(ans);
	return listed;
}

Test(api_intake, ransomware_report_answers_with_first_steps_and_status_link)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "ja");
	json_t *ans;
	const char *ref, *token, *received;
	char want[512];
	long long received_ms;

	harness_daemon_start(d);
	fixture_json_set(body, "still_happening", "yes");
	ans = fixture_case_create(d, body);
	ref = fixture_json_string(ans, "ref");
	token = fixture_json_string(ans, "token");
	cr_assert(fixture_ref_is_valid(ref), "ref \"%s\" should match %s", ref,
	          FIXTURE_REF_PATTERN);
	cr_assert(strlen(token) >= 22, "a token of >= 128 random bits is longer than \"%s\"",
	          token);
	snprintf(want, sizeof want, "%s/cases/%s?t=%s", d->base_url, ref, token);
	cr_assert_str_eq(fixture_json_string(ans, "status_url"), want,
	                 "status_url should be <public_url>/cases/<ref>?t=<token>");
	received = fixture_json_string(ans, "received_at");
	cr_assert(fixture_time_is_utc(received), "received_at \"%s\" should be RFC 3339 UTC",
	          received);
	fixture_time_parse_ms(received, &received_ms);
	cr_assert(llabs(received_ms / 1000 - (long long)time(NULL)) < 300,
	          "received_at \"%s\" should be about now", received);
	check_guidance_shape(json_object_get(ans, "guidance"), "ransomware");
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(api_intake, ransomware_report_names_the_osaka_police_and_the_emergency_numbers)
{
	json_t *ans = answer_to("ransomware", "ja", "prefecture", "27"), *police;
	const char *text;

	police = fixture_json_find(json_object_get(json_object_get(ans, "guidance"), "report_to"),
	                           "target", "police");
	cr_assert(police != NULL, "ransomware guidance should say to report to the police");
	text = fixture_json_string(police, "text");
	cr_assert(strstr(text, "大阪府警察") != NULL,
	          "police text should name 大阪府警察 for prefecture 27: %s", text);
	cr_assert(strstr(text, "#9110") != NULL, "police text should give #9110: %s", text);
	cr_assert(strstr(text, "110") != NULL, "police text should give 110: %s", text);
	json_decref(ans);
}

Test(api_intake, english_report_gets_guidance_without_any_japanese_text)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "en");
	const char *texts[256];
	json_t *ans, *g, *police;
	const char *text;
	size_t n;

	harness_daemon_start(d);
	fixture_json_set(body, "prefecture", "27");
	fixture_json_set(body, "personal_data", "unknown");
	fixture_json_set(body, "money_involved", "yes");
	ans = fixture_case_create(d, body);
	g = json_object_get(ans, "guidance");
	check_guidance_shape(g, "ransomware");
	n = collect_texts(g, texts, sizeof texts / sizeof texts[0]);
	for (size_t i = 0; i < n; i++)
		cr_assert(texts[i] != NULL && !fixture_text_has_japanese(texts[i]),
		          "English guidance should hold no Japanese text: \"%s\"",
		          texts[i] ? texts[i] : "(missing)");
	police = fixture_json_find(json_object_get(g, "report_to"), "target", "police");
	cr_assert(police != NULL, "ransomware guidance should say to report to the police");
	text = fixture_json_string(police, "text");
	cr_assert(strstr(text, "Osaka Prefectural Police") != NULL,
	          "police text should name Osaka Prefectural Police: %s", text);
	cr_assert(strstr(text, "#9110") != NULL && strstr(text, "110") != NULL,
	          "police text should give #9110 and 110: %s", text);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(api_intake, japanese_report_gets_guidance_in_japanese)
{
	json_t *ans = answer_to("phishing", "ja", NULL, NULL), *g, *steps, *e;
	size_t i;

	g = json_object_get(ans, "guidance");
	check_guidance_shape(g, "phishing");
	cr_assert(fixture_text_has_japanese(fixture_json_string(g, "title")),
	          "Japanese guidance title: %s", fixture_json_string(g, "title"));
	cr_assert(fixture_text_has_japanese(fixture_json_string(g, "callback")),
	          "Japanese call-back text: %s", fixture_json_string(g, "callback"));
	steps = json_object_get(g, "steps");
	json_array_foreach(steps, i, e)
	{
		const char *text = fixture_json_string(e, "text");

		cr_assert(fixture_text_has_japanese(text), "Japanese step %zu: %s", i, text);
	}
	json_decref(ans);
}

Test(api_intake, report_without_a_language_is_answered_in_japanese)
{
	json_t *ans = answer_to("malware", NULL, NULL, NULL);
	json_t *g = json_object_get(ans, "guidance");

	check_guidance_shape(g, "malware");
	cr_assert(fixture_text_has_japanese(fixture_json_string(g, "title")),
	          "with no lang the guidance should be Japanese: %s",
	          fixture_json_string(g, "title"));
	json_decref(ans);
}

Test(api_intake, money_sent_puts_the_bank_first_in_whom_to_report_to)
{
	json_t *ans = answer_to("bec", "ja", "money_involved", "yes");
	json_t *first =
	    json_array_get(json_object_get(json_object_get(ans, "guidance"), "report_to"), 0);

	cr_assert(first != NULL, "report_to should not be empty");
	cr_assert_str_eq(fixture_json_string(first, "target"), "bank",
	                 "when money was sent the bank comes first");
	json_decref(ans);
}

/* A TYPE report with personal data at risk, noticed two days ago in the
 * evening: the PPC's final report is due DAYS after the Japanese date. */
static void check_ppc_report(const char *type, int days)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new(type, "ja");
	time_t noticed = evening_utc_two_days_ago();
	char at[32];
	json_t *ans;

	harness_daemon_start(d);
	fixture_time_rfc3339(noticed, at, sizeof at);
	fixture_json_set(body, "noticed_at", at);
	fixture_json_set(body, "personal_data", "yes");
	ans = fixture_case_create(d, body);
	check_ppc_deadlines(json_object_get(ans, "guidance"), noticed, days);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(api_intake, personal_data_at_risk_adds_the_ppc_with_preliminary_and_60_day_final_deadlines)
{
	check_ppc_report("ransomware", 60);
}

Test(api_intake, data_leak_final_report_to_the_ppc_is_due_in_30_days)
{
	check_ppc_report("data_leak", 30);
}

Test(api_intake, noticed_at_with_a_japan_offset_counts_from_the_japanese_date)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "en");
	char date[16];
	char at[40];
	long long ms;
	json_t *ans;

	harness_daemon_start(d);
	/* 01:00 in Japan two days ago is still the day before in UTC. */
	fixture_date_jst(time(NULL), -2, date, sizeof date);
	snprintf(at, sizeof at, "%sT01:00:00+09:00", date);
	cr_assert(fixture_time_parse_ms(at, &ms) == 0, "bad test time %s", at);
	fixture_json_set(body, "noticed_at", at);
	fixture_json_set(body, "personal_data", "yes");
	ans = fixture_case_create(d, body);
	check_ppc_deadlines(json_object_get(ans, "guidance"), (time_t)(ms / 1000), 60);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(api_intake, personal_data_unknown_still_lists_the_ppc)
{
	cr_assert(ppc_listed("unauthorized_access", "unknown"),
	          "personal_data \"unknown\" should still list the PPC");
}

Test(api_intake, no_personal_data_leaves_the_ppc_out)
{
	cr_assert_not(ppc_listed("ransomware", "no"),
	              "personal_data \"no\" should not list the PPC");
}

Test(api_intake, every_incident_type_gets_its_own_first_steps)
{
	struct harness_daemon *d = harness_daemon_new();

	harness_daemon_start(d);
	for (int i = 0; i < FIXTURE_TYPES; i++) {
		const char *type = fixture_incident_types[i];
		json_t *body = fixture_intake_new(type, i % 2 ? "en" : "ja");
		json_t *ans = fixture_case_create(d, body);

		check_guidance_shape(json_object_get(ans, "guidance"), type);
		json_decref(ans);
		json_decref(body);
	}
	harness_daemon_finish(d);
}

Test(api_intake, two_reports_get_different_references_and_tokens)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *b1 = fixture_intake_new("ddos", "ja");
	json_t *b2 = fixture_intake_new("ddos", "ja");
	json_t *a1, *a2;

	harness_daemon_start(d);
	a1 = fixture_case_create(d, b1);
	a2 = fixture_case_create(d, b2);
	cr_assert_str_neq(fixture_json_string(a1, "ref"), fixture_json_string(a2, "ref"),
	                  "two cases should not share a reference");
	cr_assert_str_neq(fixture_json_string(a1, "token"), fixture_json_string(a2, "token"),
	                  "two cases should not share a token");
	json_decref(a1);
	json_decref(a2);
	json_decref(b1);
	json_decref(b2);
	harness_daemon_finish(d);
}

/* The PPC entry of an answer or of a fetched case. */
static json_t *ppc_deadline(json_t *doc)
{
	json_t *ppc = fixture_json_find(json_object_get(json_object_get(doc, "guidance"), "report_to"),
	                                "target", "ppc");

	cr_assert_not_null(ppc, "report_to should list the PPC");
	return ppc;
}

/* Known in the company six days ago, personal data: the preliminary date
 * has passed, and the answer says so, in words and in the API, and again
 * when the case is fetched later. */
Test(api_intake, a_report_six_days_after_the_company_knew_is_told_it_is_overdue)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "ja");
	json_t *ans, *ppc, *dl, *doc;
	char at[32];

	harness_daemon_start(d);
	fixture_time_rfc3339(time(NULL) - 6 * 86400, at, sizeof at);
	fixture_json_set(body, "noticed_at", at);
	fixture_json_set(body, "personal_data", "yes");
	ans = fixture_case_create(d, body);
	ppc = ppc_deadline(ans);
	dl = json_object_get(ppc, "deadline");
	cr_assert(json_is_true(json_object_get(dl, "overdue")), "the deadline should say overdue");
	cr_assert(json_is_true(json_object_get(json_object_get(dl, "preliminary"), "overdue")));
	cr_assert_str_eq(fixture_json_string(dl, "reportable"), "required");
	cr_assert_not_null(
	    strstr(fixture_json_string(ppc, "text"), "期限を過ぎています。わかっている範囲ですぐに報告してください"),
	    "%s", fixture_json_string(ppc, "text"));
	doc = fixture_case_fetch(d, fixture_json_string(ans, "ref"), fixture_json_string(ans, "token"));
	cr_assert(json_is_true(json_object_get(json_object_get(ppc_deadline(doc), "deadline"), "overdue")),
	          "the status API should say overdue too");
	json_decref(doc);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

/* Personal data of fewer than 1,000 people, nothing sensitive, no
 * financial harm: none of the four conditions of a required report. */
static void few_people_nothing_sensitive(json_t *body)
{
	fixture_json_set(body, "personal_data", "yes");
	fixture_json_set(body, "sensitive_data", "no");
	fixture_json_set(body, "financial_harm", "no");
	fixture_json_set(body, "over_1000", "no");
}

/* A stolen laptop with customers' data: a deliberate act, so 60 days and
 * "required" even for one person; the same laptop lost is not reportable. */
Test(api_intake, a_stolen_laptop_with_customers_data_gets_60_days_and_required)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("lost_device", "en");
	json_t *ans, *dl;

	harness_daemon_start(d);
	few_people_nothing_sensitive(body);
	fixture_json_set(body, "lost_or_stolen", "stolen");
	ans = fixture_case_create(d, body);
	dl = json_object_get(ppc_deadline(ans), "deadline");
	cr_assert_str_eq(fixture_json_string(dl, "reportable"), "required");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(dl, "final"), "days")), 60);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(dl, "reasons"), 0)),
	                 "deliberate_act");
	json_decref(ans);
	fixture_json_set(body, "lost_or_stolen", "lost");
	ans = fixture_case_create(d, body);
	dl = json_object_get(ppc_deadline(ans), "deadline");
	cr_assert_str_eq(fixture_json_string(dl, "reportable"), "not_required");
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

/* A mail sent to the wrong address with 20 customers' addresses and
 * nothing sensitive: no deliberate act, none of the four conditions. */
Test(api_intake, a_misdirected_mail_with_twenty_addresses_is_not_required_and_says_why)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("data_leak", "ja");
	json_t *ans, *ppc, *dl;

	harness_daemon_start(d);
	few_people_nothing_sensitive(body);
	fixture_json_set(body, "description", "取引先20社のメールアドレスを宛先に入れて誤送信しました");
	ans = fixture_case_create(d, body);
	ppc = ppc_deadline(ans);
	dl = json_object_get(ppc, "deadline");
	cr_assert_str_eq(fixture_json_string(dl, "reportable"), "not_required");
	cr_assert_not_null(strstr(fixture_json_string(dl, "reason"), "どれにも当たらないため"), "%s",
	                   fixture_json_string(dl, "reason"));
	cr_assert_null(json_object_get(dl, "final"), "no final date when no report is due");
	cr_assert(json_is_false(json_object_get(dl, "notify_individuals")));
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

/* noticed_at left out (not known): as soon as possible, and from when to count. */
Test(api_intake, without_noticed_at_the_answer_says_as_soon_as_possible_and_from_when_to_count)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "en");
	json_t *ans, *ppc, *dl, *doc;

	harness_daemon_start(d);
	json_object_del(body, "noticed_at");
	fixture_json_set(body, "personal_data", "yes");
	ans = fixture_case_create(d, body);
	ppc = ppc_deadline(ans);
	dl = json_object_get(ppc, "deadline");
	cr_assert(json_is_null(json_object_get(json_object_get(dl, "preliminary"), "due")));
	cr_assert(json_is_true(json_object_get(json_object_get(dl, "preliminary"), "as_soon_as_possible")));
	cr_assert_not_null(strstr(fixture_json_string(ppc, "text"),
	                          "from when anyone in the company first knew"),
	                   "%s", fixture_json_string(ppc, "text"));
	doc = fixture_case_fetch(d, fixture_json_string(ans, "ref"), fixture_json_string(ans, "token"));
	cr_assert_str_eq(fixture_json_string(doc, "noticed"), "unknown");
	cr_assert(json_is_null(json_object_get(doc, "noticed_at")));
	json_decref(doc);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}
