/* SPDX-License-Identifier: ISC */
/*
 * fixture.h — kakekomi's own vocabulary for the integration tests: intake
 * bodies that pass validation, cases created and fetched back, RFC 3339
 * and JST dates, Japanese-text detection and form encoding.
 *
 * Everything here that asserts runs on the test's own thread; the pure
 * helpers (time, text, encoding) are safe anywhere.
 */
#ifndef KK_TESTS_FIXTURE_H
#define KK_TESTS_FIXTURE_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "harness.h"

#define FIXTURE_TYPES       12
#define FIXTURE_REF_PATTERN "^KK-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$"

/* The twelve incident types, in the form's order. */
extern const char *const fixture_incident_types[FIXTURE_TYPES];

/*
 * A new intake body that the daemon must accept: the given type and lang
 * (NULL: field left out), answers "no" to the three questions, noticed an
 * hour ago, Tokyo ("13"), and company, name, phone and description made
 * unique within the process. Caller owns the reference.
 */
json_t *fixture_intake_new(const char *incident_type, const char *lang);

/* Set key to a string in obj (asserts). */
void fixture_json_set(json_t *obj, const char *key, const char *value);

/* Serialise obj compactly; caller frees. Asserts on failure. */
char *fixture_json_dump(const json_t *obj);

/*
 * POST the body to /api/v1/cases as application/json. A 429 is retried
 * every 100 ms until the report goes through (20 s in all), since rate
 * limiting is not what these tests are about. res as for harness_post.
 */
void fixture_case_post(struct harness_daemon *d, const json_t *body, struct harness_response *res);

/*
 * POST the body and assert 201. Returns the parsed answer (ref, token,
 * status_url, received_at, guidance); caller owns it.
 */
json_t *fixture_case_create(struct harness_daemon *d, const json_t *body);

/* GET /api/v1/cases/REF with the bearer token, assert 200; caller owns it. */
json_t *fixture_case_fetch(struct harness_daemon *d, const char *ref, const char *token);

/*
 * Fetch the case until its timeline holds event (polling, at most
 * timeout_ms). Returns the last document fetched; caller owns it. Does not
 * assert that the event came: use fixture_timeline_at().
 */
json_t *fixture_case_wait_event(struct harness_daemon *d, const char *ref, const char *token,
                                const char *event, int timeout_ms);

/*
 * The first timeline entry of case_doc whose event is event: 1 and its
 * time in *at_ms (ms since the epoch) when found and its "at" parses,
 * 0 otherwise.
 */
int fixture_timeline_at(const json_t *case_doc, const char *event, long long *at_ms);

/* How a test reads case ref with token: the API with a bearer token, or
 * the status page with ?t=. res as for harness_get. */
typedef void fixture_case_get_cb(struct harness_daemon *d, const char *ref, const char *token,
                                 struct harness_response *res);

/*
 * Start d, report a type case, then read it through get with its token
 * spoiled in the last character, and an unknown case with that token.
 * Asserts that both answers are 404 with the same body, without the case's
 * company, and finishes d.
 */
void fixture_wrong_token_is_unknown(struct harness_daemon *d, const char *type,
                                    fixture_case_get_cb *get);

/* Parse res's body as JSON (asserts, printing the body). Caller owns it. */
json_t *fixture_response_json(const struct harness_response *res);

/* obj[key] as a string; asserts it is one. Borrowed from obj. */
const char *fixture_json_string(const json_t *obj, const char *key);

/* First object of array whose key is the string value, or NULL. Borrowed. */
json_t *fixture_json_find(const json_t *array, const char *key, const char *value);

/* 1 when ref has the public reference shape (FIXTURE_REF_PATTERN). */
int fixture_ref_is_valid(const char *ref);

/* t as RFC 3339 UTC, "YYYY-MM-DDTHH:MM:SSZ". */
void fixture_time_rfc3339(time_t t, char *out, size_t cap);

/* The Japan (UTC+9) calendar date of t plus add_days, "YYYY-MM-DD". */
void fixture_date_jst(time_t t, int add_days, char *out, size_t cap);

/*
 * Parse an RFC 3339 date-time (fraction and offset optional in form,
 * required in substance: "Z" or ±HH:MM). Returns 0 and ms since the epoch,
 * or -1 when s is not RFC 3339.
 */
int fixture_time_parse_ms(const char *s, long long *ms);

/*
 * Poll (every 20 ms) until the wall clock, which the daemon's timestamps
 * come from too, is more than ms past the RFC 3339 time at (a case's
 * received_at, say): then a clock the daemon started at that time has run
 * past a target of ms. Asserts that at parses.
 */
void fixture_wait_past(const char *at, long long ms);

/* 1 when s is RFC 3339 with a UTC offset ("Z" or "+00:00"). */
int fixture_time_is_utc(const char *s);

/* 1 when s (UTF-8) holds kana, kanji or full-width forms. */
int fixture_text_has_japanese(const char *s);

/*
 * Append key=value to an application/x-www-form-urlencoded body in b,
 * with "&" between pairs.
 */
void fixture_form_add(struct harness_buf *b, const char *key, const char *value);

/* Copy the value of query parameter name from url into out; 1 when found. */
int fixture_url_param(const char *url, const char *name, char *out, size_t cap);

#endif
