/* SPDX-License-Identifier: ISC */
/*
 * fixture.c — intake bodies, case round trips and the date and text
 * checks the integration tests share. The rules being checked live in the
 * tests; this file only builds inputs and reads answers.
 */
#include "fixture.h"

#include <criterion/criterion.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const fixture_incident_types[FIXTURE_TYPES] = {
    "ransomware", "malware",   "phishing",    "bec",  "unauthorized_access",
    "defacement", "data_leak", "lost_device", "ddos", "suspicious_email",
    "insider",    "unknown",
};

static unsigned fixture_serial;

void fixture_json_set(json_t *obj, const char *key, const char *value)
{
	cr_assert(json_object_set_new(obj, key, json_string(value)) == 0, "cannot set %s", key);
}

json_t *fixture_intake_new(const char *incident_type, const char *lang)
{
	json_t *b = json_object();
	char now[32];
	char text[256];
	unsigned n = ++fixture_serial;
	unsigned pid = (unsigned)getpid();

	cr_assert(b != NULL, "out of memory");
	fixture_time_rfc3339(time(NULL) - 3600, now, sizeof now);
	fixture_json_set(b, "incident_type", incident_type);
	fixture_json_set(b, "still_happening", "no");
	fixture_json_set(b, "money_involved", "no");
	fixture_json_set(b, "personal_data", "no");
	fixture_json_set(b, "noticed_at", now);
	snprintf(text, sizeof text, "株式会社かけこみ商事 %u-%u", pid, n);
	fixture_json_set(b, "company", text);
	fixture_json_set(b, "prefecture", "13");
	snprintf(text, sizeof text, "山田 花子 %u", n);
	fixture_json_set(b, "name", text);
	snprintf(text, sizeof text, "03-%04u-%04u", pid % 10000u, n % 10000u);
	fixture_json_set(b, "phone", text);
	snprintf(text, sizeof text, "hanako.%u.%u@example.jp", pid, n);
	fixture_json_set(b, "email", text);
	snprintf(text, sizeof text, "経理のPCで異常に気づきました (report %u of test %u)", n, pid);
	fixture_json_set(b, "description", text);
	if (lang != NULL)
		fixture_json_set(b, "lang", lang);
	return b;
}

char *fixture_json_dump(const json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);

	cr_assert(s != NULL, "json_dumps failed");
	return s;
}

void fixture_case_post(struct harness_daemon *d, const json_t *body, struct harness_response *res)
{
	char *text = fixture_json_dump(body);
	long long deadline = harness_now_ms() + 20000;

	/* A refused report costs nothing, so asking again soon is harmless. */
	for (;;) {
		harness_post(d, "/api/v1/cases", "application/json", text, strlen(text), res);
		if (res->status != 429 || harness_now_ms() >= deadline)
			break;
		harness_response_fini(res);
		harness_sleep_ms(100);
	}
	free(text);
}

json_t *fixture_response_json(const struct harness_response *res)
{
	json_error_t err;
	json_t *doc = json_loadb(res->body.data ? res->body.data : "", res->body.len, 0, &err);

	cr_assert(doc != NULL, "HTTP %ld: body is not JSON (%s):\n%.2000s", res->status, err.text,
	          res->body.data ? res->body.data : "");
	return doc;
}

json_t *fixture_case_create(struct harness_daemon *d, const json_t *body)
{
	struct harness_response res;
	json_t *doc;

	fixture_case_post(d, body, &res);
	cr_assert(res.status == 201, "POST /api/v1/cases: want 201, got %ld:\n%.2000s", res.status,
	          res.body.data);
	doc = fixture_response_json(&res);
	harness_response_fini(&res);
	fixture_json_string(doc, "ref");
	fixture_json_string(doc, "token");
	return doc;
}

json_t *fixture_case_fetch(struct harness_daemon *d, const char *ref, const char *token)
{
	struct harness_response res;
	char path[256];
	json_t *doc;

	snprintf(path, sizeof path, "/api/v1/cases/%s", ref);
	harness_get_bearer(d, path, token, &res);
	cr_assert(res.status == 200, "GET %s with its token: want 200, got %ld:\n%.2000s", path,
	          res.status, res.body.data);
	doc = fixture_response_json(&res);
	harness_response_fini(&res);
	return doc;
}

void fixture_wrong_token_is_unknown(struct harness_daemon *d, const char *type,
                                    fixture_case_get_cb *get)
{
	json_t *body = fixture_intake_new(type, "ja");
	struct harness_response wrong, unknown;
	char token[512];
	json_t *ans;
	size_t n;

	harness_daemon_start(d);
	ans = fixture_case_create(d, body);
	snprintf(token, sizeof token, "%s", fixture_json_string(ans, "token"));
	n = strlen(token);
	token[n - 1] = token[n - 1] == 'A' ? 'B' : 'A';
	get(d, fixture_json_string(ans, "ref"), token, &wrong);
	get(d, "KK-0000-00", token, &unknown);
	cr_assert(wrong.status == 404, "a wrong token should get 404, got %ld", wrong.status);
	cr_assert(unknown.status == 404, "an unknown case should get 404, got %ld", unknown.status);
	cr_assert_str_eq(wrong.body.data, unknown.body.data,
	                 "wrong token and unknown case must look the same");
	cr_assert(strstr(wrong.body.data, fixture_json_string(body, "company")) == NULL,
	          "a wrong token must not reveal the case");
	harness_response_fini(&wrong);
	harness_response_fini(&unknown);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

int fixture_timeline_at(const json_t *case_doc, const char *event, long long *at_ms)
{
	json_t *timeline = json_object_get(case_doc, "timeline");
	size_t i;
	json_t *e;

	json_array_foreach(timeline, i, e)
	{
		json_t *ev = json_object_get(e, "event");
		json_t *at = json_object_get(e, "at");

		if (json_is_string(ev) && strcmp(json_string_value(ev), event) == 0)
			return json_is_string(at) &&
			       fixture_time_parse_ms(json_string_value(at), at_ms) == 0;
	}
	return 0;
}

json_t *fixture_case_wait_event(struct harness_daemon *d, const char *ref, const char *token,
                                const char *event, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		json_t *doc = fixture_case_fetch(d, ref, token);
		json_t *timeline = json_object_get(doc, "timeline");
		size_t i;
		json_t *e;

		json_array_foreach(timeline, i, e)
		{
			json_t *ev = json_object_get(e, "event");

			if (json_is_string(ev) && strcmp(json_string_value(ev), event) == 0)
				return doc;
		}
		if (harness_now_ms() >= deadline)
			return doc;
		json_decref(doc);
		harness_sleep_ms(20);
	}
}

const char *fixture_json_string(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	char *dump;

	if (json_is_string(v))
		return json_string_value(v);
	dump = json_dumps(obj, JSON_COMPACT);
	cr_assert_fail("\"%s\" should be a string in:\n%.2000s", key, dump ? dump : "(not JSON)");
	return NULL;
}

json_t *fixture_json_find(const json_t *array, const char *key, const char *value)
{
	size_t i;
	json_t *e;

	json_array_foreach(array, i, e)
	{
		json_t *v = json_object_get(e, key);

		if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
			return e;
	}
	return NULL;
}

int fixture_ref_is_valid(const char *ref)
{
	regex_t re;
	int ok;

	cr_assert(regcomp(&re, FIXTURE_REF_PATTERN, REG_EXTENDED | REG_NOSUB) == 0, "regcomp");
	ok = regexec(&re, ref, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

void fixture_time_rfc3339(time_t t, char *out, size_t cap)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void fixture_date_jst(time_t t, int add_days, char *out, size_t cap)
{
	time_t jst = t + 9 * 3600;
	struct tm tm;

	gmtime_r(&jst, &tm);
	tm.tm_mday += add_days;
	tm.tm_isdst = 0;
	jst = timegm(&tm);
	gmtime_r(&jst, &tm);
	strftime(out, cap, "%Y-%m-%d", &tm);
}

/* Read exactly n digits at *p; -1 when they are not there. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	return v;
}

static int expect_char(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

int fixture_time_parse_ms(const char *s, long long *ms)
{
	const char *p = s;
	struct tm tm;
	long long frac = 0;
	int offset = 0;
	time_t t;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = digits(&p, 4) - 1900;
	if (tm.tm_year < -1 || expect_char(&p, '-') != 0)
		return -1;
	tm.tm_mon = digits(&p, 2) - 1;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || expect_char(&p, '-') != 0)
		return -1;
	tm.tm_mday = digits(&p, 2);
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || (*p != 'T' && *p != 't'))
		return -1;
	p++;
	tm.tm_hour = digits(&p, 2);
	if (tm.tm_hour < 0 || tm.tm_hour > 23 || expect_char(&p, ':') != 0)
		return -1;
	tm.tm_min = digits(&p, 2);
	if (tm.tm_min < 0 || tm.tm_min > 59 || expect_char(&p, ':') != 0)
		return -1;
	tm.tm_sec = digits(&p, 2);
	if (tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	if (*p == '.') {
		long long scale = 100;

		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int hh, mm;

		p++;
		hh = digits(&p, 2);
		if (hh < 0 || hh > 23 || expect_char(&p, ':') != 0)
			return -1;
		mm = digits(&p, 2);
		if (mm < 0 || mm > 59)
			return -1;
		offset = sign * (hh * 3600 + mm * 60);
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	t = timegm(&tm);
	*ms = ((long long)t - offset) * 1000 + frac;
	return 0;
}

void fixture_wait_past(const char *at, long long ms)
{
	long long then, now;

	cr_assert(fixture_time_parse_ms(at, &then) == 0, "not RFC 3339: %s", at);
	for (;;) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (now > then + ms)
			return;
		harness_sleep_ms(20);
	}
}

int fixture_time_is_utc(const char *s)
{
	long long ms;
	size_t len = strlen(s);

	if (fixture_time_parse_ms(s, &ms) != 0 || len < 6)
		return 0;
	return s[len - 1] == 'Z' || strcmp(s + len - 6, "+00:00") == 0;
}

int fixture_text_has_japanese(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		uint32_t cp;
		int n;

		if (*p < 0x80) {
			p++;
			continue;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1fu;
			n = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0fu;
			n = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07u;
			n = 3;
		} else {
			p++;
			continue;
		}
		p++;
		for (int i = 0; i < n && (*p & 0xc0) == 0x80; i++, p++)
			cp = (cp << 6) | (*p & 0x3fu);
		if ((cp >= 0x3000 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
		    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xff00 && cp <= 0xffef))
			return 1;
	}
	return 0;
}

void fixture_form_add(struct harness_buf *b, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *parts[2] = {key, value};

	if (b->len > 0)
		harness_buf_append(b, "&", 1);
	for (int k = 0; k < 2; k++) {
		for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++) {
			char enc[3];

			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
			    *p == '~') {
				harness_buf_append(b, p, 1);
			} else if (*p == ' ') {
				harness_buf_append(b, "+", 1);
			} else {
				enc[0] = '%';
				enc[1] = hex[*p >> 4];
				enc[2] = hex[*p & 15];
				harness_buf_append(b, enc, 3);
			}
		}
		if (k == 0)
			harness_buf_append(b, "=", 1);
	}
}

int fixture_url_param(const char *url, const char *name, char *out, size_t cap)
{
	const char *q = strchr(url, '?');
	size_t nlen = strlen(name);

	while (q != NULL) {
		const char *p = q + 1;
		const char *end = p + strcspn(p, "&#");

		if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			size_t len = (size_t)(end - (p + nlen + 1));

			if (len >= cap)
				return 0;
			memcpy(out, p + nlen + 1, len);
			out[len] = '\0';
			return 1;
		}
		q = *end == '&' ? end : NULL;
	}
	return 0;
}
