/* SPDX-License-Identifier: ISC */
/*
 * dash.h — a coordinator's browser for the integration tests: accounts made
 * with kakekomictl, a login through the real form (its double-submit token
 * included), and requests that carry the session cookie like a browser.
 *
 * Everything here asserts, so call it from the test's own thread.
 */
#ifndef KK_TESTS_DASH_H
#define KK_TESTS_DASH_H

#include <jansson.h>
#include <stddef.h>

#include "harness.h"

#define DASH_COOKIE_MAX 256

/* A logged-in (or not yet) coordinator. Zero it, then set d. */
struct dash_client {
	struct harness_daemon *d;
	char session[DASH_COOKIE_MAX]; /* the kk_session cookie's value, "" when none */
	char csrf[DASH_COOKIE_MAX];    /* the session's CSRF token, from the last page */
	const char *source;            /* local address to send from, NULL: the default */
	const char *forwarded_for;     /* X-Forwarded-For to send (behind a trusted proxy) */
};

/* kakekomictl user add NAME with PASSWORD on standard input; asserts exit 0. */
void dash_user_add(struct harness_daemon *d, const char *name, const char *password);

/*
 * Logs in through GET /login and POST /login. Returns the POST's status
 * (303 when the login worked; then c->session is set), and leaves the
 * response in RES when RES is not NULL (free with harness_response_fini).
 */
long dash_login(struct dash_client *c, const char *user, const char *password,
                struct harness_response *res);

/* GET / POST (form-encoded BODY) with the session cookie; a page's CSRF
 * token, when it has one, is kept in c->csrf. */
void dash_get(struct dash_client *c, const char *path, struct harness_response *res);
void dash_post(struct dash_client *c, const char *path, const char *body,
               struct harness_response *res);

/* GET PATH with the session cookie, assert 200 and return the body parsed
 * as JSON; the caller owns it. */
json_t *dash_get_json(struct dash_client *c, const char *path);

/*
 * Poll GET /api/v1/oncall?prefecture=PREF (every 50 ms, at most
 * TIMEOUT_MS) until its on-call list holds the specialist ID, as the
 * daemon does within a roster poll of an import. Returns the last document
 * fetched (the caller owns it) and does not assert that ID came: look it
 * up with fixture_json_find().
 */
json_t *dash_oncall_wait(struct dash_client *c, const char *pref, const char *id, int timeout_ms);

/* The value of cookie NAME set by RES ("" when cleared); 1 when RES set it. */
int dash_set_cookie(const struct harness_response *res, const char *name, char *value, size_t cap,
                    char *attributes, size_t acap);

/* The value of the first hidden input named csrf in PAGE; 1 when found. */
int dash_csrf_of(const char *page, char *out, size_t cap);

#endif
