/* SPDX-License-Identifier: ISC */
/*
 * api_status.c — the reporter (or their app) reads the case back with the
 * token from the first answer: what they sent, the guidance and the
 * timeline. Anyone without the right token learns nothing, not even
 * whether the reference exists.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

TestSuite(api_status, .fini = harness_cleanup, .timeout = 60);

static const char *const intake_fields[] = {
    "incident_type", "company",         "prefecture",     "name",          "phone", "email",
    "description",   "still_happening", "money_involved", "personal_data", "lang",
};

/* What only the reporter and the acknowledging specialist may see. */
static const char *const private_fields[] = {"company", "name", "phone", "email"};

/* A body that uses every field, none left to defaults. */
static json_t *full_body(void)
{
	json_t *body = fixture_intake_new("data_leak", "en");

	fixture_json_set(body, "still_happening", "unknown");
	fixture_json_set(body, "money_involved", "yes");
	fixture_json_set(body, "personal_data", "yes");
	fixture_json_set(body, "prefecture", "01");
	return body;
}

Test(api_status, reporter_reads_back_the_case_with_the_bearer_token)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = full_body();
	json_t *ans, *doc, *timeline, *e;
	const char *ref, *token;
	long long at;
	size_t i;

	harness_daemon_start(d);
	ans = fixture_case_create(d, body);
	ref = fixture_json_string(ans, "ref");
	token = fixture_json_string(ans, "token");
	doc = fixture_case_wait_event(d, ref, token, "guidance_delivered", 2000);
	cr_assert_str_eq(fixture_json_string(doc, "ref"), ref, "the case should carry its ref");
	for (size_t f = 0; f < sizeof intake_fields / sizeof intake_fields[0]; f++)
		cr_assert_str_eq(fixture_json_string(doc, intake_fields[f]),
		                 fixture_json_string(body, intake_fields[f]),
		                 "%s should come back as sent", intake_fields[f]);
	cr_assert(json_string_length(json_object_get(doc, "state")) > 0, "the case has a state");
	cr_assert_str_eq(fixture_json_string(json_object_get(doc, "guidance"), "playbook"),
	                 "data_leak", "the case carries its guidance");
	timeline = json_object_get(doc, "timeline");
	cr_assert(json_is_array(timeline), "the case has a timeline");
	json_array_foreach(timeline, i, e)
	{
		const char *when = fixture_json_string(e, "at");

		fixture_json_string(e, "event");
		cr_assert(fixture_time_is_utc(when),
		          "timeline[%zu].at \"%s\" should be RFC 3339 UTC", i, when);
	}
	cr_assert(fixture_timeline_at(doc, "received", &at), "the timeline should show received");
	cr_assert(fixture_timeline_at(doc, "guidance_delivered", &at),
	          "within 2 s of the answer the timeline should show guidance_delivered");
	json_decref(doc);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

/*
 * Start D, report BODY and GET /api/v1/cases/REF without a bearer token,
 * with ?t=TOKEN when WITH_TOKEN, into RES. Returns the intake answer, the
 * caller's.
 */
static json_t *report_and_get(struct harness_daemon *d, const json_t *body, int with_token,
                              struct harness_response *res)
{
	json_t *ans;
	char path[512];

	harness_daemon_start(d);
	ans = fixture_case_create(d, body);
	snprintf(path, sizeof path, "/api/v1/cases/%s%s%s", fixture_json_string(ans, "ref"),
	         with_token ? "?t=" : "", with_token ? fixture_json_string(ans, "token") : "");
	harness_get(d, path, res);
	return ans;
}

Test(api_status, reporter_reads_back_the_case_with_the_token_in_the_link)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("lost_device", "ja");
	struct harness_response res;
	json_t *ans = report_and_get(d, body, 1, &res), *doc;

	cr_assert(res.status == 200, "GET with ?t=: want 200, got %ld:\n%.500s", res.status,
	          res.body.data);
	doc = fixture_response_json(&res);
	cr_assert_str_eq(fixture_json_string(doc, "company"), fixture_json_string(body, "company"),
	                 "the company should come back as sent");
	json_decref(doc);
	harness_response_fini(&res);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

static void get_bearer(struct harness_daemon *d, const char *ref, const char *token,
                       struct harness_response *res)
{
	char path[256];

	snprintf(path, sizeof path, "/api/v1/cases/%s", ref);
	harness_get_bearer(d, path, token, res);
}

Test(api_status, wrong_token_answers_exactly_like_an_unknown_case)
{
	fixture_wrong_token_is_unknown(harness_daemon_new(), "ransomware", get_bearer);
}

Test(api_status, one_reporters_token_does_not_open_another_case)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *b1 = fixture_intake_new("phishing", "ja");
	json_t *b2 = fixture_intake_new("phishing", "ja");
	struct harness_response res;
	char path[256];
	json_t *a1, *a2;

	harness_daemon_start(d);
	a1 = fixture_case_create(d, b1);
	a2 = fixture_case_create(d, b2);
	snprintf(path, sizeof path, "/api/v1/cases/%s", fixture_json_string(a2, "ref"));
	harness_get_bearer(d, path, fixture_json_string(a1, "token"), &res);
	cr_assert(res.status == 404, "case 1's token on case 2 should get 404, got %ld",
	          res.status);
	cr_assert(strstr(res.body.data, fixture_json_string(b2, "phone")) == NULL,
	          "case 2 must not leak");
	harness_response_fini(&res);
	json_decref(a1);
	json_decref(a2);
	json_decref(b1);
	json_decref(b2);
	harness_daemon_finish(d);
}

Test(api_status, case_is_not_disclosed_without_a_token)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("insider", "ja");
	struct harness_response res;
	json_t *ans = report_and_get(d, body, 0, &res);

	cr_assert(res.status == 404 || res.status == 401,
	          "no token should get 404 (or 401), got %ld", res.status);
	for (size_t i = 0; i < sizeof private_fields / sizeof private_fields[0]; i++)
		cr_assert(
		    strstr(res.body.data, fixture_json_string(body, private_fields[i])) == NULL,
		    "without a token the %s must not show: %s", private_fields[i], res.body.data);
	harness_response_fini(&res);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(api_status, markup_in_fields_comes_back_verbatim_in_json)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("defacement", "ja");
	json_t *ans, *doc;

	harness_daemon_start(d);
	fixture_json_set(body, "company", "<script>alert(1)</script>");
	fixture_json_set(body, "description", "a \"quoted\" & <b>bold</b> claim");
	ans = fixture_case_create(d, body);
	doc = fixture_case_fetch(d, fixture_json_string(ans, "ref"),
	                         fixture_json_string(ans, "token"));
	cr_assert_str_eq(fixture_json_string(doc, "company"), "<script>alert(1)</script>",
	                 "JSON carries the company exactly as typed");
	cr_assert_str_eq(fixture_json_string(doc, "description"),
	                 "a \"quoted\" & <b>bold</b> claim",
	                 "JSON carries the description exactly as typed");
	json_decref(doc);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}
