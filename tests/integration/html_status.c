/* SPDX-License-Identifier: ISC */
/*
 * html_status.c — the status page the reporter opens from the link in the
 * first answer: their reference, the first steps again and the timeline.
 * Without the right token it shows nothing, exactly like a case that does
 * not exist.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fixture.h"
#include "harness.h"
#include "htmlscan.h"

TestSuite(html_status, .fini = harness_cleanup, .timeout = 60);

/* The path part of the answer's status_url (asserting it is ours). */
static void status_path(const struct harness_daemon *d, const json_t *ans, char *out, size_t cap)
{
	const char *url = fixture_json_string(ans, "status_url");
	size_t n = strlen(d->base_url);

	cr_assert(strncmp(url, d->base_url, n) == 0, "status_url %s is not under %s", url,
	          d->base_url);
	snprintf(out, cap, "%s", url + n);
}

/* Start D, report BODY and GET its status page into RES (asserting 200);
 * returns the intake answer, the caller's. */
static json_t *open_status_page(struct harness_daemon *d, const json_t *body,
                                struct harness_response *res)
{
	char path[512];
	json_t *ans;

	harness_daemon_start(d);
	ans = fixture_case_create(d, body);
	status_path(d, ans, path, sizeof path);
	harness_get(d, path, res);
	cr_assert(res->status == 200, "GET %s: want 200, got %ld", path, res->status);
	return ans;
}

Test(html_status, status_page_shows_reference_steps_and_timeline)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "ja");
	struct harness_response res;
	struct htmlscan_tag tag;
	json_t *ans = open_status_page(d, body, &res);
	const char *ref, *first_step;

	ref = fixture_json_string(ans, "ref");
	first_step = fixture_json_string(
	    json_array_get(json_object_get(json_object_get(ans, "guidance"), "steps"), 0), "text");
	cr_assert(strstr(res.body.data, ref) != NULL, "the status page should show %s", ref);
	cr_assert(htmlscan_page_has_text(res.body.data, first_step),
	          "the status page should repeat the first step \"%s\"", first_step);
	cr_assert(htmlscan_find_id(res.body.data, "timeline", &tag),
	          "the status page should have an element with id=\"timeline\"");
	harness_response_fini(&res);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

static void get_page(struct harness_daemon *d, const char *ref, const char *token,
                     struct harness_response *res)
{
	char path[512];

	snprintf(path, sizeof path, "/cases/%s?t=%s", ref, token);
	harness_get(d, path, res);
}

Test(html_status, status_page_for_a_wrong_token_looks_exactly_like_an_unknown_case)
{
	fixture_wrong_token_is_unknown(harness_daemon_new(), "ransomware", get_page);
}

Test(html_status, status_page_shows_typed_markup_as_text)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("defacement", "ja");
	struct harness_response res;
	json_t *ans;

	fixture_json_set(body, "company", "<script>alert(1)</script>");
	ans = open_status_page(d, body, &res);
	cr_assert(strstr(res.body.data, "<script>alert") == NULL,
	          "typed markup must never come back as a <script> tag");
	cr_assert(strstr(res.body.data, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
	          "the company should be shown, escaped as &lt;script&gt;");
	harness_response_fini(&res);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(html_status, status_page_sends_security_headers)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "en");
	struct harness_response res;
	json_t *ans = open_status_page(d, body, &res);
	char v[2048];

	cr_assert(harness_response_header(&res, "Content-Security-Policy", v, sizeof v),
	          "the status page should send a Content-Security-Policy");
	cr_assert(harness_response_header(&res, "X-Content-Type-Options", v, sizeof v) &&
	              strcasecmp(v, "nosniff") == 0,
	          "the status page should send X-Content-Type-Options: nosniff");
	harness_response_fini(&res);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}
