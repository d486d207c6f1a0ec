/* SPDX-License-Identifier: ISC */
/*
 * dash_figures.c — the numbers coordinators report upward: per-prefecture
 * figures as JSON, the figures page with its tile map and histogram, CSV
 * exports a Japanese spreadsheet opens correctly (BOM) and safely, and
 * /metrics in a form Prometheus's own checker accepts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "fixture.h"
#include "harness.h"
#include "htmlscan.h"

TestSuite(dash_figures, .fini = harness_cleanup, .timeout = 120);

#define USER     "mika"
#define PASSWORD "yama-kawa-tsuki-2026"

static struct harness_daemon *start(struct dash_client *c)
{
	struct harness_daemon *d = harness_daemon_new();

	/* A target of one second, so that the test can see one broken. */
	harness_daemon_config_append(d, "[targets]\ncontact = 1s\nonsite = 4h\n");
	dash_user_add(d, USER, PASSWORD);
	harness_daemon_start(d);
	memset(c, 0, sizeof *c);
	c->d = d;
	cr_assert_eq(dash_login(c, USER, PASSWORD, NULL), 303);
	return d;
}

static json_t *report(struct harness_daemon *d, const char *type, const char *pref)
{
	json_t *body = fixture_intake_new(type, "ja");
	json_t *ans;

	fixture_json_set(body, "prefecture", pref);
	ans = fixture_case_create(d, body);
	json_decref(body);
	return ans;
}

/*
 * A logged-in coordinator (c) on a fresh daemon with one ransomware case
 * in Osaka, and the page at PATH in RES (asserted 200). Returns the case's
 * intake answer, the caller's.
 */
static json_t *one_case_then(struct dash_client *c, const char *path, struct harness_response *res)
{
	json_t *a = report(start(c), "ransomware", "27");

	dash_get(c, path, res);
	cr_assert_eq(res->status, 200, "%s: %s", path, res->body.data);
	return a;
}

static void contacted(struct dash_client *c, const char *ref)
{
	struct harness_response res;
	struct harness_buf form = {0};
	char path[64];

	snprintf(path, sizeof path, "/dashboard/cases/%s", ref);
	dash_get(c, path, &res);
	harness_response_fini(&res);
	fixture_form_add(&form, "csrf", c->csrf);
	fixture_form_add(&form, "action", "contacted");
	dash_post(c, path, form.data, &res);
	cr_assert_eq(res.status, 303);
	harness_response_fini(&res);
	harness_buf_fini(&form);
}

static json_t *stats(struct dash_client *c, const char *query)
{
	char path[256];

	snprintf(path, sizeof path, "/api/v1/stats%s", query);
	return dash_get_json(c, path);
}

/* GET PATH and expect status WANT. */
static void expect_status(struct dash_client *c, const char *path, long want, const char *why)
{
	struct harness_response res;

	dash_get(c, path, &res);
	cr_expect_eq(res.status, want, "%s: %s", path, why);
	harness_response_fini(&res);
}

static json_t *group(json_t *doc, const char *key)
{
	json_t *g = fixture_json_find(json_object_get(doc, "groups"), "key", key);

	cr_assert_not_null(g, "no group %s", key);
	return g;
}

static long long int_at(json_t *o, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(json_object_get(json_object_get(o, a), b), c);

	cr_assert(json_is_integer(v), "%s.%s.%s is not a number", a, b, c);
	return json_integer_value(v);
}

Test(dash_figures, the_stats_api_counts_cases_and_clocks_per_prefecture_and_region)
{
	struct dash_client c;
	struct harness_daemon *d = start(&c);
	json_t *a = report(d, "ransomware", "27"), *b = report(d, "ransomware", "27");
	json_t *e = report(d, "phishing", "13");
	json_t *doc, *osaka;

	fixture_wait_past(fixture_json_string(a, "received_at"), 1000); /* the contact target */
	contacted(&c, fixture_json_string(a, "ref"));
	doc = stats(&c, "?group=prefecture");
	cr_expect_eq(json_integer_value(json_object_get(doc, "cases")), 3);
	cr_expect_str_eq(fixture_json_string(doc, "group"), "prefecture");
	cr_expect_eq(json_array_size(json_object_get(doc, "groups")), 47, "every prefecture");
	osaka = group(doc, "27");
	cr_expect_str_eq(fixture_json_string(osaka, "name"), "大阪府");
	cr_expect_eq(json_integer_value(json_object_get(osaka, "cases")), 2);
	cr_expect_eq(int_at(osaka, "clocks", "guidance", "count"), 2,
	             "both reporters got their first steps");
	cr_expect_eq(int_at(osaka, "clocks", "contact", "count"), 1);
	cr_expect_eq(int_at(osaka, "clocks", "contact", "over_target"), 1,
	             "contacted after more than the one-second target");
	cr_expect(json_is_number(json_object_get(
	              json_object_get(json_object_get(osaka, "clocks"), "contact"), "median_s")));
	cr_expect(json_is_null(json_object_get(
	              json_object_get(json_object_get(osaka, "clocks"), "ack"), "median_s")),
	          "no acknowledgement yet: no median");
	cr_expect_eq(int_at(doc, "total", "guidance", "count"), 3);
	cr_expect_eq(json_real_value(json_object_get(json_object_get(doc, "targets"), "contact")),
	             1.0);
	cr_expect(json_is_null(json_object_get(json_object_get(doc, "targets"), "resolve")));
	json_decref(doc);

	doc = stats(&c, "?group=region");
	cr_expect_eq(json_integer_value(json_object_get(group(doc, "kinki"), "cases")), 2);
	cr_expect_eq(json_integer_value(json_object_get(group(doc, "kanto"), "cases")), 1);
	json_decref(doc);
	doc = stats(&c, "?group=type&from=2000-01-01");
	cr_expect_eq(json_integer_value(json_object_get(group(doc, "ransomware"), "cases")), 2);
	json_decref(doc);
	doc = stats(&c, "?from=2000-01-01&to=2000-01-31");
	cr_expect_eq(json_integer_value(json_object_get(doc, "cases")), 0, "nothing back then");
	json_decref(doc);
	expect_status(&c, "/api/v1/stats?group=nonsense", 400, "no such grouping");
	expect_status(&c, "/api/v1/stats?from=2026-02-01&to=2026-01-01", 400, "from after to");
	json_decref(a);
	json_decref(b);
	json_decref(e);
	harness_daemon_finish(d);
}

Test(dash_figures, the_figures_page_draws_47_tiles_and_the_histogram_without_scripts)
{
	struct dash_client c;
	struct harness_response res;
	json_t *a = one_case_then(&c, "/dashboard/figures?group=region&clock=guidance", &res);
	struct harness_daemon *d = c.d;
	size_t tiles = 0;

	for (const char *p = strstr(res.body.data, "<g class=\"tile\""); p != NULL;
	     p = strstr(p + 1, "<g class=\"tile\""))
		tiles++;
	cr_expect_eq(tiles, 47, "one tile per prefecture");
	cr_expect_neq(strstr(res.body.data, "id=\"histogram\""), NULL);
	cr_expect_neq(strstr(res.body.data, "id=\"overview\""), NULL);
	cr_expect_neq(strstr(res.body.data, "<tr data-key=\"kinki\">"), NULL, "grouped by region");
	cr_expect_null(strstr(res.body.data, "<script"));
	harness_response_fini(&res);

	dash_get(&c, "/dashboard/map.svg", &res);
	cr_assert_eq(res.status, 200);
	{
		char ctype[128];

		cr_assert(harness_response_header(&res, "Content-Type", ctype, sizeof ctype));
		cr_expect_neq(strstr(ctype, "image/svg+xml"), NULL, "%s", ctype);
	}
	cr_expect_eq(strncmp(res.body.data, "<?xml", 5), 0, "a file of its own");
	harness_response_fini(&res);
	expect_status(&c, "/dashboard/figures?from=2026-01-01&to=2026-12-31&group=day", 200,
	              "a year of days fits");
	expect_status(&c, "/dashboard/figures?from=2000-01-01&to=2026-12-31&group=day", 400,
	              "27 years of days do not");
	json_decref(a);
	harness_daemon_finish(d);
}

Test(dash_figures, csv_exports_start_with_a_bom_and_neutralise_formulas)
{
	struct dash_client c;
	struct harness_response res;
	json_t *a = one_case_then(&c, "/dashboard/cases.csv", &res);
	struct harness_daemon *d = c.d;
	char disposition[256], ctype[128];

	cr_expect_eq(memcmp(res.body.data, "\xef\xbb\xbf", 3), 0, "UTF-8 byte-order mark");
	cr_expect_eq(strncmp(res.body.data + 3, "\"ref\",\"received_jst\"", 20), 0, "%.80s",
	             res.body.data);
	cr_expect_neq(strstr(res.body.data, fixture_json_string(a, "ref")), NULL);
	cr_expect_neq(strstr(res.body.data, "\"大阪府\""), NULL, "Japanese as UTF-8");
	cr_expect_null(strstr(res.body.data, "山田"), "no reporter's name in an export");
	cr_assert(harness_response_header(&res, "Content-Disposition", disposition,
	                                  sizeof disposition));
	cr_expect_neq(strstr(disposition, "attachment; filename=\"kakekomi-cases-"), NULL, "%s",
	              disposition);
	cr_assert(harness_response_header(&res, "Content-Type", ctype, sizeof ctype));
	cr_expect_neq(strstr(ctype, "text/csv"), NULL);
	harness_response_fini(&res);

	dash_get(&c, "/dashboard/figures.csv?group=type", &res);
	cr_assert_eq(res.status, 200);
	cr_expect_eq(memcmp(res.body.data, "\xef\xbb\xbf\"group\",\"key\",\"name\"", 23), 0);
	cr_expect_neq(strstr(res.body.data, "\"type\",\"ransomware\",\"ランサムウェア\",\"ack\",900,1,0"),
	              NULL, "%s", res.body.data);
	harness_response_fini(&res);
	json_decref(a);
	harness_daemon_finish(d);
}

Test(dash_figures, metrics_pass_promtool_and_count_reports_by_channel_type_and_region)
{
	struct dash_client c;
	struct harness_daemon *d = start(&c);
	json_t *a = report(d, "ransomware", "27"), *b = report(d, "ransomware", "26");
	struct harness_response res;
	struct harness_output out;
	char path[PATH_MAX], ctype[128];
	const char *argv[] = {"/bin/sh", "-c", "promtool check metrics < \"$1\"", "sh", path, NULL};
	FILE *f;

	/* The first guidance is recorded once each answer has gone out. */
	json_decref(fixture_case_wait_event(d, fixture_json_string(a, "ref"),
	                                    fixture_json_string(a, "token"), "guidance_delivered",
	                                    2000));
	json_decref(fixture_case_wait_event(d, fixture_json_string(b, "ref"),
	                                    fixture_json_string(b, "token"), "guidance_delivered",
	                                    2000));
	/* No session: Prometheus scrapes without one. */
	harness_get(d, "/metrics", &res);
	cr_assert_eq(res.status, 200);
	cr_assert(harness_response_header(&res, "Content-Type", ctype, sizeof ctype));
	cr_expect_neq(strstr(ctype, "text/plain; version=0.0.4"), NULL, "%s", ctype);
	cr_expect_neq(strstr(res.body.data, "kakekomi_reports_total{channel=\"api\","
	                                    "type=\"ransomware\",region=\"kinki\"} 2\n"),
	              NULL, "%s", res.body.data);
	cr_expect_neq(strstr(res.body.data, "kakekomi_time_to_first_guidance_seconds_bucket{"
	                                    "region=\"kinki\",le=\"1\"} 2\n"),
	              NULL);
	cr_expect_neq(strstr(res.body.data, "kakekomi_time_to_ack_seconds_bucket{region=\"kanto\","
	                                    "le=\"14400\"} 0\n"),
	              NULL, "buckets up to 4 h");
	cr_expect_neq(strstr(res.body.data, "kakekomi_open_cases 2\n"), NULL);
	cr_expect_neq(strstr(res.body.data, "kakekomi_xmpp_connected 0\n"), NULL);
	cr_expect_neq(strstr(res.body.data, "# TYPE kakekomi_time_to_contact_seconds histogram\n"),
	              NULL);
	cr_expect_neq(strstr(res.body.data, "kakekomi_alerts_retried_total{channel=\"xmpp\"}"), NULL);
	cr_expect_neq(strstr(res.body.data, "kakekomi_outbox_depth "), NULL);
	harness_path_join(path, sizeof path, d->dir, "metrics.txt");
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fwrite(res.body.data, 1, res.body.len, f);
	cr_assert_eq(fclose(f), 0);
	harness_response_fini(&res);
	harness_run(argv, &out, HARNESS_RUN_TIMEOUT_MS);
	cr_expect_eq(out.status, 0, "promtool check metrics: exit %d\n%s%s", out.status,
	             out.out.data, out.err.data);
	harness_output_fini(&out);
	json_decref(a);
	json_decref(b);
	harness_daemon_finish(d);
}
