/* SPDX-License-Identifier: ISC */
/*
 * html_form.c — the report form a panicking reporter opens on a phone: it
 * asks every question without JavaScript, answers with a reference, the
 * first steps and a status link, and when something is missing it keeps
 * everything typed and says next to the field what to fix. Whatever was
 * typed is shown as text, never run as markup.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"
#include "htmlscan.h"

TestSuite(html_form, .fini = harness_cleanup, .timeout = 60);

#define FORM_TYPE      "application/x-www-form-urlencoded"
#define MARKUP         "<script>alert(1)</script>"
#define MARKUP_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt;"

struct form_field {
	const char *key;
	const char *value; /* NULL leaves the field out */
};

/* What a reporter fills in on the Japanese form. */
static const struct form_field form_defaults[] = {
    {"incident_type", "ransomware"},
    {"still_happening", "yes"},
    {"money_involved", "no"},
    {"personal_data", "no"},
    {"noticed", "now"},
    {"noticed_at", ""},
    {"company", "株式会社フォーム商事"},
    {"prefecture", "27"},
    {"name", "佐藤 一郎"},
    {"phone", "06-1234-5678"},
    {"email", "ichiro@example.jp"},
    {"description", "画面に「ファイルを暗号化した」と表示されています"},
    {"lang", "ja"},
};

#define FORM_FIELDS (sizeof form_defaults / sizeof form_defaults[0])

/* The value the form will send for key, after overrides. */
static const char *form_value(const struct form_field *over, size_t n_over, const char *key)
{
	for (size_t i = 0; i < n_over; i++)
		if (strcmp(over[i].key, key) == 0)
			return over[i].value;
	for (size_t i = 0; i < FORM_FIELDS; i++)
		if (strcmp(form_defaults[i].key, key) == 0)
			return form_defaults[i].value;
	return NULL;
}

/* POST the form (defaults with overrides) to path; res as harness_post. */
static void form_submit(struct harness_daemon *d, const char *path, const struct form_field *over,
                        size_t n_over, struct harness_response *res)
{
	struct harness_buf b = {.max = 64 * 1024};

	for (size_t i = 0; i < FORM_FIELDS; i++) {
		const char *v = form_value(over, n_over, form_defaults[i].key);

		if (v != NULL)
			fixture_form_add(&b, form_defaults[i].key, v);
	}
	harness_post(d, path, FORM_TYPE, b.data, b.len, res);
	harness_buf_fini(&b);
}

static void get_page(struct harness_daemon *d, const char *path, struct harness_response *res)
{
	harness_get(d, path, res);
	cr_assert(res->status == 200, "GET %s: want 200, got %ld", path, res->status);
}

/* Asserts a radio button name=value exists; returns its tag. */
static struct htmlscan_tag radio(const char *page, const char *name, const char *value)
{
	struct htmlscan_tag tag;
	char type[32];

	cr_assert(htmlscan_find_control(page, name, value, &tag),
	          "the form should have an input name=\"%s\" value=\"%s\"", name, value);
	cr_assert(htmlscan_attr(&tag, "type", type, sizeof type) && strcasecmp(type, "radio") == 0,
	          "input %s=%s should be a radio button", name, value);
	return tag;
}

/* Option values of the select called name, as "|v1|v2|...|". */
static void select_options(const char *page, const char *name, char *out, size_t cap)
{
	struct htmlscan_tag sel, opt;
	const char *end;
	const char *p;
	size_t len = 1;

	snprintf(out, cap, "|");
	if (!htmlscan_find_control(page, name, NULL, &sel) || strcmp(sel.name, "select") != 0)
		return;
	end = htmlscan_close(&sel);
	for (p = sel.end; htmlscan_next(p, "option", &opt) && opt.start < end; p = opt.end) {
		char v[64];

		if (!htmlscan_attr(&opt, "value", v, sizeof v))
			htmlscan_text(&opt, v, sizeof v);
		if (len + strlen(v) + 2 < cap) {
			len += (size_t)snprintf(out + len, cap - len, "%s|", v);
		}
	}
}

/* 1 when the option value of select name carries "selected". */
static int option_selected(const char *page, const char *name, const char *value)
{
	struct htmlscan_tag sel, opt;
	const char *end;
	char v[64];

	if (!htmlscan_find_control(page, name, NULL, &sel))
		return 0;
	end = htmlscan_close(&sel);
	for (const char *p = sel.end; htmlscan_next(p, "option", &opt) && opt.start < end;
	     p = opt.end)
		if (htmlscan_attr(&opt, "value", v, sizeof v) && strcmp(v, value) == 0)
			return htmlscan_attr(&opt, "selected", v, sizeof v);
	return 0;
}

static void check_form(const char *page, const char *label)
{
	static const char *const answers[] = {"yes", "no", "unknown"};
	static const char *const questions[] = {"still_happening", "money_involved",
	                                        "personal_data"};
	static const char *const noticed[] = {"now", "today", "at"};
	static const char *const texts[] = {"company", "name", "phone", "email"};
	struct htmlscan_tag tag;
	char v[2048];
	char want[16];

	cr_assert(htmlscan_next(page, "form", &tag), "%s: no <form>", label);
	cr_assert(htmlscan_attr(&tag, "method", v, sizeof v) && strcasecmp(v, "post") == 0,
	          "%s: the form should use method=post", label);
	cr_assert(htmlscan_next(page, "meta", &tag), "%s: no <meta>", label);
	{
		const char *p = page;
		int viewport = 0;

		while (!viewport && htmlscan_next(p, "meta", &tag)) {
			viewport =
			    htmlscan_attr(&tag, "name", v, sizeof v) && strcmp(v, "viewport") == 0;
			p = tag.end;
		}
		cr_assert(viewport, "%s: <meta name=\"viewport\"> is missing", label);
	}
	for (int i = 0; i < FIXTURE_TYPES; i++)
		radio(page, "incident_type", fixture_incident_types[i]);
	for (size_t q = 0; q < 3; q++)
		for (size_t a = 0; a < 3; a++)
			radio(page, questions[q], answers[a]);
	for (size_t i = 0; i < 3; i++)
		radio(page, "noticed", noticed[i]);
	cr_assert(htmlscan_find_control(page, "noticed_at", NULL, &tag), "%s: no noticed_at",
	          label);
	cr_assert(htmlscan_attr(&tag, "type", v, sizeof v) && strcmp(v, "datetime-local") == 0,
	          "%s: noticed_at should be a datetime-local input", label);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		cr_assert(htmlscan_find_control(page, texts[i], NULL, &tag) &&
		              strcmp(tag.name, "input") == 0,
		          "%s: no text input name=\"%s\"", label, texts[i]);
	cr_assert(htmlscan_find_control(page, "description", NULL, &tag),
	          "%s: no description field", label);
	select_options(page, "prefecture", v, sizeof v);
	for (int code = 1; code <= 47; code++) {
		snprintf(want, sizeof want, "|%02d|", code);
		cr_assert(strstr(v, want) != NULL,
		          "%s: the prefecture select should offer %02d (has %s)", label, code, v);
	}
	cr_assert(strstr(v, "|48|") == NULL, "%s: there is no prefecture 48", label);
	if (htmlscan_find_control(page, "lang", NULL, &tag) && strcmp(tag.name, "select") == 0) {
		select_options(page, "lang", v, sizeof v);
		cr_assert(strstr(v, "|ja|") && strstr(v, "|en|"), "%s: lang should offer ja and en",
		          label);
	} else {
		radio(page, "lang", "ja");
		radio(page, "lang", "en");
	}
}

/* GET the form at PATH from a fresh daemon and check every question on
 * it; with JAPANESE, also that it is in Japanese. */
static void check_form_at(const char *path, int japanese)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	char label[64];

	harness_daemon_start(d);
	get_page(d, path, &res);
	snprintf(label, sizeof label, "GET %s", path);
	check_form(res.body.data, label);
	if (japanese)
		cr_assert(fixture_text_has_japanese(res.body.data),
		          "the default form should be Japanese");
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(html_form, japanese_report_form_asks_every_question_without_javascript)
{
	check_form_at("/report", 1);
}

Test(html_form, english_report_form_asks_every_question_without_javascript)
{
	check_form_at("/report?lang=en", 0);
}

/* 1 when page holds one of the needles. */
static int has_any(const char *page, const char *const *needles, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasestr(page, needles[i]) != NULL)
			return 1;
	return 0;
}

Test(html_form, report_form_says_to_use_another_device_than_the_affected_pc)
{
	static const char *const ja_other[] = {"別の", "他の", "ほかの", "以外"};
	static const char *const ja_device[] = {"端末",     "機器", "スマホ",  "スマートフォン",
	                                        "パソコン", "PC",   "デバイス"};
	static const char *const en_other[] = {"another", "different", "other", "not the"};
	static const char *const en_device[] = {"device", "phone", "computer", "PC"};
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response ja, en;

	harness_daemon_start(d);
	get_page(d, "/report", &ja);
	get_page(d, "/report?lang=en", &en);
	cr_assert(has_any(ja.body.data, ja_other, 4) && has_any(ja.body.data, ja_device, 7),
	          "the Japanese form should say to use another device (別の端末 …)");
	cr_assert(has_any(en.body.data, en_other, 4) && has_any(en.body.data, en_device, 4),
	          "the English form should say to use another device");
	harness_response_fini(&ja);
	harness_response_fini(&en);
	harness_daemon_finish(d);
}

/* CSP present, no inline script allowed, nosniff. */
static void check_security_headers(const struct harness_response *res, const char *label)
{
	char csp[2048], nosniff[64];
	char *save = NULL;

	cr_assert(harness_response_header(res, "Content-Security-Policy", csp, sizeof csp),
	          "%s: Content-Security-Policy header is missing", label);
	cr_assert(harness_response_header(res, "X-Content-Type-Options", nosniff, sizeof nosniff) &&
	              strcasecmp(nosniff, "nosniff") == 0,
	          "%s: X-Content-Type-Options should be nosniff", label);
	for (char *dir = strtok_r(csp, ";", &save); dir != NULL; dir = strtok_r(NULL, ";", &save)) {
		while (*dir == ' ')
			dir++;
		if (strncmp(dir, "script-src", 10) == 0 || strncmp(dir, "default-src", 11) == 0)
			cr_assert(strstr(dir, "'unsafe-inline'") == NULL,
			          "%s: the CSP must not allow inline script: %s", label, dir);
	}
}

Test(html_form, report_form_sends_security_headers)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;

	harness_daemon_start(d);
	get_page(d, "/report", &res);
	check_security_headers(&res, "GET /report");
	harness_response_fini(&res);
	get_page(d, "/report?lang=en", &res);
	check_security_headers(&res, "GET /report?lang=en");
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(html_form, report_form_runs_no_inline_script)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	struct htmlscan_tag tag;
	char v[512];

	harness_daemon_start(d);
	get_page(d, "/report", &res);
	for (const char *p = res.body.data; htmlscan_next(p, "script", &tag); p = tag.end)
		cr_assert(htmlscan_attr(&tag, "src", v, sizeof v),
		          "every <script> should load a file (the CSP forbids inline script)");
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

/*
 * Check a success page: the reference in #case-ref, the steps in an <ol>,
 * and #status-link pointing at the status URL. Fills ref and token.
 */
static void check_result_page(struct harness_daemon *d, const struct harness_response *res,
                              char *ref, size_t ref_cap, char *token, size_t token_cap)
{
	const char *page = res->body.data;
	struct htmlscan_tag tag;
	char text[4096], href[1024], prefix[256];
	const char *kk;
	json_t *doc;
	const char *first_step;

	cr_assert(res->status == 200 || res->status == 201,
	          "POST /report: want 200 (or 201), got %ld:\n%.1500s", res->status, page);
	cr_assert(htmlscan_find_id(page, "case-ref", &tag), "no element with id=\"case-ref\"");
	htmlscan_text(&tag, text, sizeof text);
	kk = strstr(text, "KK-");
	cr_assert(kk != NULL && strlen(kk) >= 10, "#case-ref should show the reference: \"%s\"",
	          text);
	snprintf(ref, ref_cap, "%.10s", kk);
	cr_assert(fixture_ref_is_valid(ref), "#case-ref shows \"%s\", not a reference", ref);
	cr_assert(htmlscan_find_id(page, "status-link", &tag),
	          "no element with id=\"status-link\"");
	cr_assert(htmlscan_attr(&tag, "href", href, sizeof href), "#status-link has no href");
	snprintf(prefix, sizeof prefix, "%s/cases/%s?t=", d->base_url, ref);
	cr_assert(strncmp(href, prefix, strlen(prefix)) == 0,
	          "#status-link href \"%s\" should be the status URL %s<token>", href, prefix);
	cr_assert(fixture_url_param(href, "t", token, token_cap), "no token in %s", href);
	cr_assert(htmlscan_next(page, "ol", &tag), "the steps should be in an ordered list");
	htmlscan_text(&tag, text, sizeof text);
	doc = fixture_case_fetch(d, ref, token);
	first_step = fixture_json_string(
	    json_array_get(json_object_get(json_object_get(doc, "guidance"), "steps"), 0), "text");
	cr_assert(strstr(text, first_step) != NULL,
	          "the ordered list should start with the first step \"%s\", has \"%.500s\"",
	          first_step, text);
	json_decref(doc);
}

Test(html_form, submitting_the_japanese_form_shows_reference_steps_and_status_link)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res, status;
	char ref[32], token[256], path[512];
	json_t *doc;

	harness_daemon_start(d);
	form_submit(d, "/report", NULL, 0, &res);
	check_result_page(d, &res, ref, sizeof ref, token, sizeof token);
	check_security_headers(&res, "POST /report");
	doc = fixture_case_fetch(d, ref, token);
	cr_assert_str_eq(fixture_json_string(doc, "company"), form_value(NULL, 0, "company"),
	                 "the case should hold the company typed");
	cr_assert_str_eq(fixture_json_string(doc, "phone"), form_value(NULL, 0, "phone"),
	                 "the case should hold the phone typed");
	cr_assert_str_eq(fixture_json_string(doc, "prefecture"), "27", "prefecture");
	cr_assert_str_eq(fixture_json_string(doc, "lang"), "ja", "call-back language");
	snprintf(path, sizeof path, "/cases/%s?t=%s", ref, token);
	get_page(d, path, &status);
	cr_assert(strstr(status.body.data, ref) != NULL, "the status link should open the case");
	harness_response_fini(&status);
	json_decref(doc);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(html_form, submitting_the_english_form_shows_reference_steps_and_status_link)
{
	static const struct form_field over[] = {
	    {"incident_type", "phishing"},
	    {"company", "Acme Trading KK"},
	    {"name", "Jane Smith"},
	    {"description", "I typed my password into a fake login page"},
	    {"lang", "en"},
	};
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	char ref[32], token[256];
	json_t *doc;

	harness_daemon_start(d);
	form_submit(d, "/report?lang=en", over, sizeof over / sizeof over[0], &res);
	check_result_page(d, &res, ref, sizeof ref, token, sizeof token);
	doc = fixture_case_fetch(d, ref, token);
	cr_assert_str_eq(fixture_json_string(doc, "incident_type"), "phishing", "incident type");
	cr_assert_str_eq(fixture_json_string(doc, "lang"), "en", "call-back language");
	json_decref(doc);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(html_form, missing_phone_keeps_everything_typed_and_marks_the_phone_field)
{
	static const struct form_field over[] = {{"phone", ""}};
	static const char *const kept[] = {"company", "name", "email"};
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	struct htmlscan_tag tag;
	char v[1024];
	const char *page;

	harness_daemon_start(d);
	form_submit(d, "/report", over, 1, &res);
	page = res.body.data;
	cr_assert(res.status == 400 || res.status == 422,
	          "a form without a phone should get 400 (or 422), got %ld", res.status);
	cr_assert(htmlscan_find_id(page, "err-phone", &tag), "no message with id=\"err-phone\"");
	htmlscan_text(&tag, v, sizeof v);
	cr_assert(v[0] != '\0', "#err-phone should say what to fix");
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		cr_assert(htmlscan_find_control(page, kept[i], NULL, &tag), "the %s field is gone",
		          kept[i]);
		cr_assert(htmlscan_attr(&tag, "value", v, sizeof v), "the %s field lost its value",
		          kept[i]);
		cr_assert_str_eq(v, form_value(NULL, 0, kept[i]),
		                 "the %s field should keep what was typed", kept[i]);
	}
	cr_assert(htmlscan_find_control(page, "description", NULL, &tag), "description is gone");
	if (strcmp(tag.name, "textarea") == 0)
		htmlscan_text(&tag, v, sizeof v);
	else
		htmlscan_attr(&tag, "value", v, sizeof v);
	cr_assert_str_eq(v, form_value(NULL, 0, "description"), "the description should be kept");
	tag = radio(page, "incident_type", "ransomware");
	cr_assert(htmlscan_attr(&tag, "checked", v, sizeof v), "ransomware should stay chosen");
	tag = radio(page, "still_happening", "yes");
	cr_assert(htmlscan_attr(&tag, "checked", v, sizeof v), "still_happening=yes should stay");
	cr_assert(option_selected(page, "prefecture", "27"), "prefecture 27 should stay selected");
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(html_form, form_error_page_shows_typed_markup_as_text)
{
	static const struct form_field over[] = {{"phone", ""}, {"company", MARKUP}};
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	struct htmlscan_tag tag;
	char v[256];

	harness_daemon_start(d);
	form_submit(d, "/report", over, 2, &res);
	cr_assert(res.status == 400 || res.status == 422, "want 400 (or 422), got %ld", res.status);
	cr_assert(strstr(res.body.data, "<script>alert") == NULL,
	          "typed markup must never come back as a <script> tag");
	cr_assert(strstr(res.body.data, MARKUP_ESCAPED) != NULL,
	          "typed markup should come back escaped as %s", MARKUP_ESCAPED);
	cr_assert(htmlscan_find_control(res.body.data, "company", NULL, &tag) &&
	              htmlscan_attr(&tag, "value", v, sizeof v),
	          "the company field lost its value");
	cr_assert_str_eq(v, MARKUP, "the company field should keep exactly what was typed");
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(html_form, result_page_shows_typed_markup_as_text)
{
	static const struct form_field over[] = {{"company", MARKUP}};
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;

	harness_daemon_start(d);
	form_submit(d, "/report", over, 1, &res);
	cr_assert(res.status == 200 || res.status == 201, "want 200 (or 201), got %ld:\n%.1000s",
	          res.status, res.body.data);
	cr_assert(strstr(res.body.data, "<script>alert") == NULL,
	          "typed markup must never come back as a <script> tag");
	cr_assert(strstr(res.body.data, MARKUP_ESCAPED) != NULL,
	          "the company should be shown, escaped as %s", MARKUP_ESCAPED);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

/* The ppc preliminary "due" date (the latest of about 3 to 5 days) of the
 * case behind a result page. */
static void ppc_prelim_due(struct harness_daemon *d, const struct harness_response *res, char *out,
                         size_t cap)
{
	char ref[32], token[256];
	json_t *doc, *ppc;

	check_result_page(d, res, ref, sizeof ref, token, sizeof token);
	doc = fixture_case_fetch(d, ref, token);
	ppc = fixture_json_find(json_object_get(json_object_get(doc, "guidance"), "report_to"),
	                        "target", "ppc");
	cr_assert(ppc != NULL, "personal data at risk: report_to should list the PPC");
	snprintf(out, cap, "%s",
	         fixture_json_string(
	             json_object_get(json_object_get(ppc, "deadline"), "preliminary"), "due"));
	json_decref(doc);
}

Test(html_form, time_noticed_on_the_form_is_read_as_japan_time)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	char day[16], at[32], got[32], want[16];
	struct form_field over[] = {
	    {"incident_type", "data_leak"},
	    {"personal_data", "yes"},
	    {"noticed", "at"},
	    {"noticed_at", at},
	};

	harness_daemon_start(d);
	/* 23:30 in Japan is 14:30 UTC the same day: read as UTC it would move a day. */
	fixture_date_jst(time(NULL), -2, day, sizeof day);
	snprintf(at, sizeof at, "%sT23:30", day);
	form_submit(d, "/report", over, sizeof over / sizeof over[0], &res);
	ppc_prelim_due(d, &res, got, sizeof got);
	fixture_date_jst(time(NULL), -2 + 5, want, sizeof want);
	cr_assert_str_eq(got, want, "known %s JST: the preliminary report is due by about %s", at,
	                 want);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(html_form, noticed_today_counts_from_todays_japanese_date)
{
	static const struct form_field over[] = {
	    {"incident_type", "data_leak"},
	    {"personal_data", "yes"},
	    {"noticed", "today"},
	};
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	char got[32], want[16];

	harness_daemon_start(d);
	form_submit(d, "/report", over, sizeof over / sizeof over[0], &res);
	ppc_prelim_due(d, &res, got, sizeof got);
	fixture_date_jst(time(NULL), 5, want, sizeof want);
	cr_assert_str_eq(got, want, "known today: the preliminary report is due by about %s", want);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

/* Known in the company six days ago: the answer page says plainly that the
 * preliminary report is overdue, and the form asked when the company knew
 * without choosing an answer for the reporter. */
Test(html_form, a_late_report_with_personal_data_is_told_the_deadline_has_passed)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	char day[16], at[32];
	struct form_field over[] = {
	    {"incident_type", "ransomware"},
	    {"personal_data", "yes"},
	    {"noticed", "at"},
	    {"noticed_at", at},
	};

	harness_daemon_start(d);
	harness_get(d, "/report", &res);
	cr_assert_eq(res.status, 200);
	cr_assert_not_null(strstr(res.body.data, "会社の誰かが最初に気づいた、または知らされたのはいつですか"),
	                   "the form should ask when the company knew");
	cr_assert_null(strstr(res.body.data, "name=\"noticed\" value=\"now\" checked"),
	               "nothing should be chosen for the reporter");
	harness_response_fini(&res);
	fixture_date_jst(time(NULL), -6, day, sizeof day);
	snprintf(at, sizeof at, "%sT10:00", day);
	form_submit(d, "/report", over, sizeof over / sizeof over[0], &res);
	cr_assert_eq(res.status, 200);
	cr_assert_not_null(strstr(res.body.data, "期限を過ぎています。わかっている範囲ですぐに報告してください"),
	                   "the answer page should say the deadline has passed");
	harness_response_fini(&res);
	harness_daemon_finish(d);
}
