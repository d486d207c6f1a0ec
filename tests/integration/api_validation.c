/* SPDX-License-Identifier: ISC */
/*
 * api_validation.c — a report the daemon cannot accept is refused with a
 * status and a JSON error that names the field to fix, so the reporter's
 * app can point at it; nothing malformed gets into a case.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"

TestSuite(api_validation, .fini = harness_cleanup, .timeout = 60);

/*
 * POST text with the content type and assert the status and the JSON
 * error: a non-empty "error" and "field" equal to field (NULL: JSON null).
 */
static void expect_refused(struct harness_daemon *d, const char *content_type, const char *text,
                           size_t len, long status, const char *field)
{
	struct harness_response res;
	json_t *doc, *f;

	harness_post(d, "/api/v1/cases", content_type, text, len, &res);
	cr_assert(res.status == status, "want %ld for field %s, got %ld:\n%.1000s", status,
	          field ? field : "null", res.status, res.body.data);
	doc = fixture_response_json(&res);
	cr_assert(json_is_string(json_object_get(doc, "error")) &&
	              json_string_length(json_object_get(doc, "error")) > 0,
	          "the error body should say what is wrong: %s", res.body.data);
	f = json_object_get(doc, "field");
	if (field == NULL)
		cr_assert(json_is_null(f), "\"field\" should be null: %s", res.body.data);
	else
		cr_assert(json_is_string(f) && strcmp(json_string_value(f), field) == 0,
		          "\"field\" should be \"%s\": %s", field, res.body.data);
	json_decref(doc);
	harness_response_fini(&res);
}

/* Send body as JSON and expect 400 naming field. */
static void expect_field_refused(struct harness_daemon *d, const json_t *body, const char *field)
{
	char *text = fixture_json_dump(body);

	expect_refused(d, "application/json", text, strlen(text), 400, field);
	free(text);
}

/* A report of TYPE with FIELD set to the JSON VALUE (taken over; the field
 * removed when VALUE is NULL; nothing changed when FIELD is NULL) is
 * refused, naming WANT. */
static void refused_with(const char *type, const char *field, json_t *value, const char *want)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new(type, "ja");

	harness_daemon_start(d);
	if (field != NULL && value != NULL)
		cr_assert_eq(json_object_set_new(body, field, value), 0);
	else if (field != NULL)
		json_object_del(body, field);
	expect_field_refused(d, body, want);
	json_decref(body);
	harness_daemon_finish(d);
}

/* As refused_with, with the text VALUE (NULL: the field removed). */
static void refused_when(const char *type, const char *field, const char *value, const char *want)
{
	refused_with(type, field, value != NULL ? json_string(value) : NULL, want);
}

Test(api_validation, report_without_a_phone_number_is_refused_naming_the_phone_field)
{
	refused_when("ransomware", "phone", NULL, "phone");
}

Test(api_validation, prefecture_48_is_refused_as_unknown)
{
	refused_when("ransomware", "prefecture", "48", "prefecture");
}

Test(api_validation, prefecture_code_with_trailing_letters_is_refused)
{
	refused_when("ransomware", "prefecture", "27x", "prefecture");
}

Test(api_validation, unknown_incident_type_is_refused)
{
	refused_when("alien_invasion", NULL, NULL, "incident_type");
}

Test(api_validation, answer_other_than_yes_no_or_unknown_is_refused)
{
	refused_when("ransomware", "still_happening", "maybe", "still_happening");
}

Test(api_validation, incident_noticed_tomorrow_is_refused)
{
	char at[32];

	fixture_time_rfc3339(time(NULL) + 86400, at, sizeof at);
	refused_when("ransomware", "noticed_at", at, "noticed_at");
}

Test(api_validation, noticed_at_that_is_not_rfc3339_is_refused)
{
	refused_when("ransomware", "noticed_at", "2025/01/01 10:00", "noticed_at");
}

Test(api_validation, invalid_utf8_in_the_company_name_is_refused)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "ja");
	struct harness_response res;
	char *text, *mark;
	json_t *doc, *f;

	harness_daemon_start(d);
	fixture_json_set(body, "company", "Bad#Bytes Ltd");
	text = fixture_json_dump(body);
	mark = strchr(text, '#');
	cr_assert(mark != NULL, "marker lost");
	*mark = (char)0xff;
	harness_post(d, "/api/v1/cases", "application/json", text, strlen(text), &res);
	cr_assert(res.status == 400, "raw byte 0xff should get 400, got %ld:\n%.1000s", res.status,
	          res.body.data);
	doc = fixture_response_json(&res);
	cr_assert(json_is_string(json_object_get(doc, "error")), "error body: %s", res.body.data);
	/* A JSON parser stops before it knows the field: "company" or null. */
	f = json_object_get(doc, "field");
	cr_assert(json_is_null(f) ||
	              (json_is_string(f) && strcmp(json_string_value(f), "company") == 0),
	          "\"field\" should be \"company\" (or null): %s", res.body.data);
	json_decref(doc);
	harness_response_fini(&res);
	free(text);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(api_validation, control_character_in_the_name_is_refused)
{
	refused_when("ransomware", "name", "山田\a太郎", "name");
}

Test(api_validation, number_where_the_phone_text_belongs_is_refused_naming_the_field)
{
	refused_with("ransomware", "phone", json_integer(312345678), "phone");
}

Test(api_validation, boolean_where_an_answer_belongs_is_refused_naming_the_field)
{
	refused_with("ransomware", "money_involved", json_true(), "money_involved");
}

Test(api_validation, body_that_is_not_json_is_refused_with_a_null_field)
{
	struct harness_daemon *d = harness_daemon_new();
	static const char text[] = "incident_type=ransomware&phone=0312345678";

	harness_daemon_start(d);
	expect_refused(d, "application/json", text, strlen(text), 400, NULL);
	harness_daemon_finish(d);
}

/* A valid report whose description makes the body about 70 KiB. */
static char *oversized_body(void)
{
	json_t *body = fixture_intake_new("ransomware", "ja");
	size_t n = 70 * 1024;
	char *filler = malloc(n + 1);
	char *text;

	cr_assert(filler != NULL, "out of memory");
	memset(filler, 'A', n);
	filler[n] = '\0';
	fixture_json_set(body, "description", filler);
	text = fixture_json_dump(body);
	free(filler);
	json_decref(body);
	return text;
}

Test(api_validation, body_over_64_kib_is_refused_with_413)
{
	struct harness_daemon *d = harness_daemon_new();
	char *text = oversized_body();
	struct harness_response res;

	harness_daemon_start(d);
	harness_post(d, "/api/v1/cases", "application/json", text, strlen(text), &res);
	cr_assert(res.status == 413, "a %zu-byte body should get 413, got %ld:\n%.500s",
	          strlen(text), res.status, res.body.data);
	harness_response_fini(&res);
	free(text);
	harness_daemon_finish(d);
}

Test(api_validation, chunked_body_over_64_kib_is_refused_with_413)
{
	struct harness_daemon *d = harness_daemon_new();
	char *text = oversized_body();
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct harness_response res;
	struct harness_request req;
	char url[256];

	harness_daemon_start(d);
	snprintf(url, sizeof url, "%s/api/v1/cases", d->base_url);
	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = text;
	req.body_len = strlen(text);
	req.chunked = 1;
	harness_http_send(NULL, &req, &res);
	cr_assert(res.status == 413,
	          "a %zu-byte chunked body should get 413, got %ld (%s):\n%.500s", strlen(text),
	          res.status, res.error, res.body.data);
	harness_response_fini(&res);
	free(text);
	harness_daemon_finish(d);
}

Test(api_validation, plain_text_content_type_is_refused_with_415)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "ja");
	char *text = fixture_json_dump(body);
	struct harness_response res;

	harness_daemon_start(d);
	harness_post(d, "/api/v1/cases", "text/plain", text, strlen(text), &res);
	cr_assert(res.status == 415, "text/plain should get 415, got %ld:\n%.500s", res.status,
	          res.body.data);
	harness_response_fini(&res);
	free(text);
	json_decref(body);
	harness_daemon_finish(d);
}
