/* SPDX-License-Identifier: ISC */
/*
 * attack_markup.c — script and markup typed into every field of a report
 * come back as text everywhere a person reads them: the answer page, the
 * status page, the JSON API and the specialist's chat alert. Nothing is
 * ever interpreted as markup.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"
#include "prosody.h"
#include "specialist.h"
#include "world.h"

static void attack_fini(void)
{
	harness_cleanup();
	prosody_cleanup();
}

TestSuite(attack_markup, .fini = attack_fini, .timeout = 120);

static const char *const payloads[] = {
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(2)</script>",
    "'; DROP TABLE cases; --",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "<iframe src=//example.invalid></iframe>",
};

/* Raw markup that must never appear in a page. */
static const char *const forbidden[] = {
    "<script>alert", "<img src=x", "<svg/onload", "<iframe src", "</textarea><script>",
};

static void assert_no_raw_markup(const char *page, const char *where)
{
	for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
		cr_assert_null(strstr(page, forbidden[i]), "%s carries raw markup \"%s\"", where,
		               forbidden[i]);
}

Test(attack_markup, payloads_in_every_field_are_shown_as_text_on_the_pages_and_kept_verbatim)
{
	struct harness_daemon *d = harness_daemon_new();

	harness_daemon_start(d);
	for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
		json_t *body = fixture_intake_new("defacement", "en");
		json_t *ans, *doc;
		struct harness_response res;
		char path[1024], name[256];
		const char *url;

		snprintf(name, sizeof name, "%s name", payloads[i]);
		fixture_json_set(body, "company", payloads[i]);
		fixture_json_set(body, "name", name);
		fixture_json_set(body, "description", payloads[i]);
		ans = fixture_case_create(d, body);
		url = fixture_json_string(ans, "status_url");
		cr_assert_not_null(url);
		snprintf(path, sizeof path, "%s&lang=en", strstr(url, "/cases/"));
		harness_get(d, path, &res);
		cr_assert_eq(res.status, 200);
		assert_no_raw_markup(res.body.data, "the status page");
		if (strchr(payloads[i], '<') != NULL)
			cr_assert_not_null(strstr(res.body.data, "&lt;"), "the payload should show, escaped");
		harness_response_fini(&res);
		doc = fixture_case_fetch(d, fixture_json_string(ans, "ref"), fixture_json_string(ans, "token"));
		cr_assert_str_eq(fixture_json_string(doc, "company"), payloads[i],
		                 "the API gives back what was typed, byte for byte");
		cr_assert_str_eq(fixture_json_string(doc, "description"), payloads[i]);
		json_decref(doc);
		json_decref(ans);
		json_decref(body);
	}
	/* The form's answer page and the form sent back with an error. */
	for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
		struct harness_buf form = {0};
		struct harness_response res;

		fixture_form_add(&form, "incident_type", "phishing");
		fixture_form_add(&form, "prefecture", "13");
		fixture_form_add(&form, "company", payloads[i]);
		fixture_form_add(&form, "name", payloads[i]);
		fixture_form_add(&form, "description", payloads[i]);
		fixture_form_add(&form, "phone", "03-1234-5678");
		harness_post(d, "/report?lang=en", "application/x-www-form-urlencoded", form.data,
		             form.len, &res);
		cr_assert_eq(res.status, 200, "the form report failed: %ld", res.status);
		assert_no_raw_markup(res.body.data, "the answer page");
		harness_response_fini(&res);
		harness_buf_fini(&form);

		memset(&form, 0, sizeof form);
		fixture_form_add(&form, "incident_type", "phishing");
		fixture_form_add(&form, "company", payloads[i]);
		fixture_form_add(&form, "name", payloads[i]);
		fixture_form_add(&form, "description", payloads[i]);
		harness_post(d, "/report", "application/x-www-form-urlencoded", form.data, form.len, &res);
		cr_assert_eq(res.status, 400, "a form without a phone should come back: %ld", res.status);
		assert_no_raw_markup(res.body.data, "the form sent back");
		harness_response_fini(&res);
		harness_buf_fini(&form);
	}
	harness_daemon_finish(d);
}

Test(attack_markup, the_chat_alert_carries_the_payload_as_plain_text)
{
	/* The roster's columns beyond id, name, jid and prefectures left empty. */
	static const struct world_member team[] = {
	    {.id = "osaka", .name = "Osaka", .prefectures = "27", .specialties = "",
	     .languages = "", .password = "osakapass"},
	};
	static const struct world_options o = {.no_coordinator = 1};
	struct world w;
	struct harness_daemon *d;
	struct specialist_client *app;
	char needle[64];
	json_t *body, *ans;
	char *alert = NULL;

	world_open(&w, team, 1, &o);
	d = w.d;
	app = w.app[0];

	body = fixture_intake_new("defacement", "ja");
	fixture_json_set(body, "prefecture", "27");
	fixture_json_set(body, "description", "<script>alert(1)</script> & <b>bold</b>");
	ans = fixture_case_create(d, body);
	snprintf(needle, sizeof needle, "New case %s", fixture_json_string(ans, "ref"));
	cr_assert_eq(specialist_wait_message(app, needle, 5000, &alert), 0, "no alert reached the app");
	cr_assert_not_null(strstr(alert, "<script>alert(1)</script> & <b>bold</b>"),
	                   "the alert should carry the description as the same plain text: %s", alert);
	cr_assert_null(strstr(alert, fixture_json_string(body, "phone")),
	               "an alert must never carry the reporter's phone");
	free(alert);
	json_decref(ans);
	json_decref(body);
	world_close(&w);
}
