/* SPDX-License-Identifier: ISC */
/*
 * dash.c — a coordinator's browser for the integration tests; see dash.h.
 */
#include "dash.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fixture.h"
#include "htmlscan.h"

void dash_user_add(struct harness_daemon *d, const char *name, const char *password)
{
	char bin[PATH_MAX];
	struct harness_output out;
	const char *argv[] = {"/bin/sh", "-c", "printf '%s\\n' \"$1\" | \"$2\" -c \"$3\" user add \"$4\"",
	                      "sh",      password, bin, d->config_path, name, NULL};

	harness_path_build("kakekomictl", bin, sizeof bin);
	harness_daemon_write_config(d);
	harness_run(argv, &out, HARNESS_RUN_TIMEOUT_MS);
	cr_assert_eq(out.status, 0, "kakekomictl user add %s: exit %d\n%s%s", name, out.status,
	             out.out.data, out.err.data);
	harness_output_fini(&out);
}

int dash_set_cookie(const struct harness_response *res, const char *name, char *value, size_t cap,
                    char *attributes, size_t acap)
{
	const char *p = res->headers.data;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);

		if (len > 11 && strncasecmp(p, "Set-Cookie:", 11) == 0) {
			const char *v = p + 11;

			while (*v == ' ')
				v++;
			if (strncmp(v, name, n) == 0 && v[n] == '=') {
				const char *semi = memchr(v, ';', len - (size_t)(v - p));
				const char *end = semi != NULL ? semi : p + len;
				size_t vlen = (size_t)(end - (v + n + 1));

				snprintf(value, cap, "%.*s", (int)vlen, v + n + 1);
				if (attributes != NULL) {
					size_t alen = (size_t)(p + len - end);

					while (alen > 0 && (end[alen - 1] == '\r'))
						alen--;
					snprintf(attributes, acap, "%.*s", (int)alen, end);
				}
				return 1;
			}
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
	return 0;
}

int dash_csrf_of(const char *page, char *out, size_t cap)
{
	struct htmlscan_tag tag;

	if (page == NULL || !htmlscan_find_control(page, "csrf", NULL, &tag))
		return 0;
	return htmlscan_attr(&tag, "value", out, cap);
}

static void request(struct dash_client *c, const char *method, const char *path, const char *body,
                    const char *extra_cookie, struct harness_response *res)
{
	char url[HARNESS_URL_MAX], cookie[2 * DASH_COOKIE_MAX + 64], fwd[128];
	const char *headers[4] = {cookie, NULL, NULL, NULL};
	int nh = 1;
	struct harness_request req = {0};
	char set[DASH_COOKIE_MAX];

	snprintf(url, sizeof url, "%s%s", c->d->base_url, path);
	snprintf(cookie, sizeof cookie, "Cookie: kk_session=%s%s%s", c->session,
	         extra_cookie != NULL ? "; " : "", extra_cookie != NULL ? extra_cookie : "");
	if (body != NULL)
		headers[nh++] = "Content-Type: application/x-www-form-urlencoded";
	if (c->forwarded_for != NULL) {
		snprintf(fwd, sizeof fwd, "X-Forwarded-For: %s", c->forwarded_for);
		headers[nh++] = fwd;
	}
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.source = c->source;
	memset(res, 0, sizeof *res);
	cr_assert_eq(harness_http_send(NULL, &req, res), 0, "%s %s: %s", method, path, res->error);
	if (dash_set_cookie(res, "kk_session", set, sizeof set, NULL, 0))
		snprintf(c->session, sizeof c->session, "%s", set);
	if (dash_csrf_of(res->body.data, set, sizeof set))
		snprintf(c->csrf, sizeof c->csrf, "%s", set);
}

void dash_get(struct dash_client *c, const char *path, struct harness_response *res)
{
	request(c, "GET", path, NULL, NULL, res);
}

void dash_post(struct dash_client *c, const char *path, const char *body,
               struct harness_response *res)
{
	request(c, "POST", path, body, NULL, res);
}

json_t *dash_get_json(struct dash_client *c, const char *path)
{
	struct harness_response res;
	json_t *doc;

	dash_get(c, path, &res);
	cr_assert_eq(res.status, 200, "GET %s: %ld\n%s", path, res.status, res.body.data);
	doc = fixture_response_json(&res);
	harness_response_fini(&res);
	return doc;
}

json_t *dash_oncall_wait(struct dash_client *c, const char *pref, const char *id, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	char path[128];

	snprintf(path, sizeof path, "/api/v1/oncall?prefecture=%s", pref);
	for (;;) {
		json_t *doc = dash_get_json(c, path);

		if (fixture_json_find(json_object_get(doc, "oncall"), "id", id) != NULL ||
		    harness_now_ms() >= deadline)
			return doc;
		json_decref(doc);
		harness_sleep_ms(50);
	}
}

long dash_login(struct dash_client *c, const char *user, const char *password,
                struct harness_response *out)
{
	struct harness_response res;
	struct harness_buf body = {0};
	char token[DASH_COOKIE_MAX], cookie[DASH_COOKIE_MAX + 16];
	long status;

	c->session[0] = '\0'; /* a login starts without a session */
	dash_get(c, "/login", &res);
	cr_assert_eq(res.status, 200, "GET /login: %ld", res.status);
	cr_assert(dash_set_cookie(&res, "kk_login", token, sizeof token, NULL, 0),
	          "GET /login sets no kk_login cookie:\n%s", res.headers.data);
	harness_response_fini(&res);
	fixture_form_add(&body, "user", user);
	fixture_form_add(&body, "password", password);
	fixture_form_add(&body, "csrf", token);
	fixture_form_add(&body, "next", "/dashboard");
	snprintf(cookie, sizeof cookie, "kk_login=%s", token);
	request(c, "POST", "/login", body.data, cookie, &res);
	harness_buf_fini(&body);
	status = res.status;
	if (out != NULL)
		*out = res;
	else
		harness_response_fini(&res);
	if (status == 303) {
		struct harness_response page;

		dash_get(c, "/dashboard", &page); /* picks up the CSRF token */
		harness_response_fini(&page);
	}
	return status;
}
