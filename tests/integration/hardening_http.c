/* SPDX-License-Identifier: ISC */
/*
 * hardening_http.c — the HTTP layer on a bad day: one address flooding the
 * intake is slowed down with 429 and a Retry-After it can act on, while
 * everyone else still gets through; headers and URLs too large for the
 * server are refused without harm; and a half-configured HTTPS is caught
 * by -n before it can start.
 *
 * The daemon exempts loopback from the limit by default (a reverse proxy on
 * the same machine is one address for everybody), so these tests clear
 * rate_exempt and send from 127.0.0.1 and 127.0.0.2, which are both this
 * machine.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

TestSuite(hardening_http, .fini = harness_cleanup, .timeout = 60);

#define FORM_TYPE "application/x-www-form-urlencoded"

/* A daemon that allows 2 reports at once and then one every 3 s per address. */
static struct harness_daemon *limited_daemon(const char *exempt)
{
	struct harness_daemon *d = harness_daemon_new();

	harness_daemon_config_append(d,
	                             "[http]\n"
	                             "rate_per_minute = 20\n"
	                             "rate_burst = 2\n"
	                             "rate_exempt = %s\n",
	                             exempt);
	harness_daemon_start(d);
	return d;
}

/* POST a fresh valid report to the API from 127.0.0.1. */
static void post_report(struct harness_daemon *d, struct harness_response *res)
{
	json_t *body = fixture_intake_new("ransomware", "en");
	char *text = fixture_json_dump(body);

	harness_post(d, "/api/v1/cases", "application/json", text, strlen(text), res);
	free(text);
	json_decref(body);
}

/* As post_report, from the loopback address source (e.g. "127.0.0.2") with
 * one more header line (NULL: none); only the status is kept. */
static long post_report_from(struct harness_daemon *d, const char *source, const char *header)
{
	json_t *body = fixture_intake_new("phishing", "en");
	char *text = fixture_json_dump(body);
	long status = harness_post_json_from(d, "/api/v1/cases", text, source, header, 0);

	free(text);
	json_decref(body);
	cr_assert_neq(status, 0, "POST from %s: no answer", source != NULL ? source : "127.0.0.1");
	return status;
}

static long retry_after(const struct harness_response *res)
{
	char v[32];
	char *end;
	long n;

	cr_assert(harness_response_header(res, "Retry-After", v, sizeof v),
	          "a 429 must say when to come back (Retry-After); headers:\n%s",
	          res->headers.data);
	n = strtol(v, &end, 10);
	cr_assert(end != v && *end == '\0', "Retry-After should be whole seconds, not \"%s\"", v);
	return n;
}

Test(hardening_http, a_flood_from_one_address_gets_429_with_retry_after_and_then_gets_through)
{
	struct harness_daemon *d = limited_daemon("");
	struct harness_response res;
	json_t *doc;
	long long t0;
	long wait_s;

	for (int i = 0; i < 2; i++) {
		post_report(d, &res);
		cr_assert_eq(res.status, 201, "report %d of the burst: %ld %s", i + 1, res.status,
		             res.body.data);
		harness_response_fini(&res);
	}
	t0 = harness_now_ms();
	post_report(d, &res);
	cr_assert_eq(res.status, 429, "the third report at once should be refused, got %ld %s",
	             res.status, res.body.data);
	wait_s = retry_after(&res);
	cr_assert(wait_s >= 1 && wait_s <= 3, "one report every 3 s: Retry-After %ld", wait_s);
	doc = fixture_response_json(&res);
	cr_assert_not_null(strstr(fixture_json_string(doc, "error"), "wait"),
	                   "the message should tell the reporter to wait: %s", res.body.data);
	cr_assert(json_integer_value(json_object_get(doc, "retry_after")) == wait_s,
	          "the body's retry_after should match the header: %s", res.body.data);
	json_decref(doc);
	harness_response_fini(&res);

	/* Reading is never limited: the form and the guidance stay reachable. */
	harness_get(d, "/report?lang=en", &res);
	cr_assert_eq(res.status, 200, "GET /report while throttled: %ld", res.status);
	harness_response_fini(&res);

	/* A refused report costs nothing: keep trying until one goes through. */
	for (;;) {
		post_report(d, &res);
		if (res.status != 429 || harness_now_ms() - t0 >= wait_s * 1000 + 1000)
			break;
		harness_response_fini(&res);
		harness_sleep_ms(100);
	}
	cr_assert_eq(res.status, 201, "after Retry-After the report should go through, got %ld %s",
	             res.status, res.body.data);
	cr_assert_geq(harness_now_ms() - t0, (wait_s - 1) * 1000,
	              "a report went through before the %ld s of Retry-After", wait_s);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(hardening_http, the_form_is_throttled_with_a_page_that_says_how_long_to_wait)
{
	struct harness_daemon *d = limited_daemon("");
	struct harness_response res;
	const char *body = "incident_type=ransomware&prefecture=13";
	char wait[64];
	long wait_s;

	/* Invalid reports count too: a flood need not be well-formed. */
	for (int i = 0; i < 2; i++) {
		harness_post(d, "/report?lang=en", FORM_TYPE, body, strlen(body), &res);
		cr_assert_eq(res.status, 400, "an incomplete form is answered with the form again");
		harness_response_fini(&res);
	}
	harness_post(d, "/report?lang=en", FORM_TYPE, body, strlen(body), &res);
	cr_assert_eq(res.status, 429, "the third form at once should be refused, got %ld",
	             res.status);
	wait_s = retry_after(&res);
	snprintf(wait, sizeof wait, "wait %ld seconds", wait_s);
	cr_assert_not_null(strstr(res.body.data, wait), "the page should say \"%s\":\n%s", wait,
	                   res.body.data);
	cr_assert_not_null(strstr(res.body.data, "unplug the network cable"),
	                   "the page should still give the first step:\n%s", res.body.data);
	harness_response_fini(&res);

	/* The form and the API share one budget per address. */
	post_report(d, &res);
	cr_assert_eq(res.status, 429, "the API after the form flood: %ld", res.status);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(hardening_http, one_address_flooding_does_not_throttle_another_and_exempt_ones_never_are)
{
	/* 127.0.0.3 is exempt; 127.0.0.1 and 127.0.0.2 are not. */
	struct harness_daemon *d = limited_daemon("127.0.0.3, ::1");
	struct harness_response res;
	long status;

	for (int i = 0; i < 3; i++) {
		post_report(d, &res);
		harness_response_fini(&res);
	}
	post_report(d, &res);
	cr_assert_eq(res.status, 429, "127.0.0.1 sent 4 at once: %ld", res.status);
	harness_response_fini(&res);

	status = post_report_from(d, "127.0.0.2", NULL);
	cr_assert_eq(status, 201, "another address must not pay for the flood: %ld", status);
	for (int i = 0; i < 5; i++) {
		status = post_report_from(d, "127.0.0.3", NULL);
		cr_assert_eq(status, 201, "exempt 127.0.0.3, report %d: %ld", i + 1, status);
	}
	harness_daemon_finish(d);
}

Test(hardening_http, headers_and_urls_too_large_are_refused_and_the_server_carries_on)
{
	struct harness_daemon *d = harness_daemon_new();
	size_t big = 100 * 1024;
	char *header = malloc(big + 16);
	char *path = malloc(big + 16);
	const char *headers[2] = {header, NULL};
	char url[HARNESS_URL_MAX];
	struct harness_request req;
	struct harness_response res;

	cr_assert(header != NULL && path != NULL);
	harness_daemon_start(d);
	memcpy(header, "X-Fill: ", 8);
	memset(header + 8, 'a', big);
	header[8 + big] = '\0';

	snprintf(url, sizeof url, "%s/healthz", d->base_url);
	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	req.url = url;
	req.headers = headers;
	harness_http_send(NULL, &req, &res);
	cr_assert_eq(res.status, 431, "a 100 KiB header: want 431, got %ld (%s)", res.status,
	             res.error);
	harness_response_fini(&res);

	memcpy(path, "/healthz?x=", 11);
	memset(path + 11, 'a', big);
	path[11 + big] = '\0';
	{
		/* Built by hand: the harness caps its own URLs far below this. */
		char *long_url = malloc(strlen(d->base_url) + strlen(path) + 1);

		cr_assert_not_null(long_url);
		strcpy(long_url, d->base_url);
		strcat(long_url, path);
		memset(&req, 0, sizeof req);
		req.url = long_url;
		harness_http_send(NULL, &req, &res);
		free(long_url);
	}
	cr_assert_eq(res.status, 414, "a 100 KiB URL: want 414, got %ld (%s)", res.status,
	             res.error);
	harness_response_fini(&res);

	harness_get(d, "/healthz", &res);
	cr_assert_eq(res.status, 200, "the server should carry on: %ld", res.status);
	harness_response_fini(&res);
	free(header);
	free(path);
	harness_daemon_finish(d);
}

/* kakekomid -n fails on D's config and names KEY ("[http] tls_key"). */
static void check_names(struct harness_daemon *d, const char *key)
{
	struct harness_output out;

	cr_assert_eq(harness_daemon_check(d, &out), 1, "-n should fail:\n%s%s", out.out.data,
	             out.err.data);
	cr_assert_not_null(strstr(out.out.data, key), "-n should name %s:\n%s", key, out.out.data);
	harness_output_fini(&out);
	harness_daemon_finish(d);
}

Test(hardening_http, https_with_a_certificate_but_no_key_is_refused_by_the_check)
{
	struct harness_daemon *d = harness_daemon_new();

	harness_daemon_config_append(d, "[http]\ntls_cert = %s/cert.pem\n", d->dir);
	check_names(d, "[http] tls_key");
}

Test(hardening_http, a_bad_exempt_list_is_refused_by_the_check_with_its_line)
{
	struct harness_daemon *d = harness_daemon_new();

	harness_daemon_config_append(d, "[http]\nrate_exempt = 127.0.0.1, 10.0.0.0/33\n");
	check_names(d, "[http] rate_exempt");
}

/* /metrics shows volumes and response times: only the addresses in
 * [metrics] allow may read it (loopback by default). */
Test(hardening_http, metrics_answer_only_the_addresses_in_metrics_allow)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_daemon *open_d = harness_daemon_new();
	struct harness_response res;

	harness_daemon_config_append(d, "[metrics]\nallow = 10.0.0.0/8, 2001:db8::/32\n");
	harness_daemon_start(d);
	harness_get(d, "/metrics", &res);
	cr_assert_eq(res.status, 403, "an address outside [metrics] allow got %ld", res.status);
	cr_assert_null(strstr(res.body.data, "kakekomi_cases"), "%s", res.body.data);
	cr_assert_not_null(strstr(res.body.data, "[metrics] allow"),
	                   "the refusal should say what to change: %s", res.body.data);
	harness_response_fini(&res);
	harness_daemon_finish(d);

	harness_daemon_start(open_d);
	harness_get(open_d, "/metrics", &res);
	cr_assert_eq(res.status, 200, "loopback is allowed by default, got %ld", res.status);
	harness_response_fini(&res);
	harness_daemon_finish(open_d);
}

/* The receipt goes to whatever address the form was given: a stranger
 * could use the hotline to mail a victim over and over. Each address gets
 * a few receipts a day and each domain a few dozen an hour; the reports
 * themselves are all taken. */
Test(hardening_http, receipts_are_limited_per_address_and_per_domain)
{
	struct harness_daemon *d = harness_daemon_new();
	char email[64];

	/* Nothing listens there: the receipts stay queued, which is what counts. */
	harness_daemon_config_append(d, "[smtp]\nurl = smtp://127.0.0.1:%u\ntls = disabled\n",
	                             (unsigned)harness_free_port());
	harness_daemon_start(d);
	for (int i = 0; i < 40; i++) {
		json_t *body = fixture_intake_new("phishing", "ja");
		json_t *ans;

		if (i < 6)
			snprintf(email, sizeof email, "victim@example.jp");
		else
			snprintf(email, sizeof email, "user%d@Example.JP", i);
		fixture_json_set(body, "email", email);
		ans = fixture_case_create(d, body); /* asserts 201 */
		json_decref(ans);
		json_decref(body);
	}
	cr_assert_eq(harness_db_int(d, "SELECT count(*) FROM cases", NULL), 40,
	             "every report should be taken");
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM outbox WHERE kind = 'receipt'"
	                            " AND unseal(recipient, 'outbox.recipient') = 'victim@example.jp'",
	                            NULL),
	             3, "one address should get 3 receipts a day");
	cr_assert_eq(harness_db_int(d, "SELECT count(*) FROM outbox WHERE kind = 'receipt'", NULL),
	             20, "one domain should get 20 receipts an hour");
	harness_daemon_finish(d);
}

/* POST a report from source (NULL: 127.0.0.1) with X-Forwarded-For xff;
 * returns the status. */
static long post_forwarded(struct harness_daemon *d, const char *source, const char *xff)
{
	char fwd[128];

	snprintf(fwd, sizeof fwd, "X-Forwarded-For: %s", xff);
	return post_report_from(d, source, fwd);
}

/*
 * Behind a reverse proxy every client arrives from the proxy. From an
 * address in [http] trusted_proxies, the client is the right-most address
 * of X-Forwarded-For that is not a trusted proxy, and that is what is
 * limited; addresses the client wrote further left change nothing, and
 * from anyone else the header is ignored.
 */
Test(hardening_http, behind_a_trusted_proxy_each_forwarded_client_is_limited_on_its_own)
{
	struct harness_daemon *d = harness_daemon_new();
	int i;

	harness_daemon_config_append(d, "[http]\n"
	                                "rate_per_minute = 1\n"
	                                "rate_burst = 2\n"
	                                "rate_exempt =\n"
	                                "trusted_proxies = 127.0.0.1\n");
	harness_daemon_start(d);
	for (i = 0; i < 2; i++)
		cr_assert_eq(post_forwarded(d, NULL, "203.0.113.5"), 201, "report %d", i + 1);
	cr_assert_eq(post_forwarded(d, NULL, "203.0.113.5"), 429,
	             "the third report from one forwarded client in a burst of 2");
	cr_assert_eq(post_forwarded(d, NULL, "198.51.100.1, 203.0.113.5"), 429,
	             "an address the client put in front of the chain must not help it");
	cr_assert_eq(post_forwarded(d, NULL, "203.0.113.6"), 201,
	             "another client behind the same proxy has its own limit");

	/* 127.0.0.2 is not a proxy we trust: its header is ignored. */
	for (i = 0; i < 2; i++)
		cr_assert_eq(post_forwarded(d, "127.0.0.2", "192.0.2.10"), 201, "report %d", i + 1);
	cr_assert_eq(post_forwarded(d, "127.0.0.2", "192.0.2.11"), 429,
	             "a client that is not a trusted proxy cannot pick its address");
	harness_daemon_finish(d);
}
