/* SPDX-License-Identifier: ISC */
/*
 * http_dash — the coordinators' side of the web server, split by job:
 * http_dash.c (what every page shares: answering, forms, the session and
 * its CSRF token), http_login.c (login and logout), http_cases.c (the
 * queue, a case with its timeline and the reporter's details, the actions
 * on it, the report drafts), http_figures.c (figures with the tile map and
 * the histogram, coverage, CSV exports, GET /api/v1/stats and /metrics).
 * The markup is page_dash.c's, the numbers stats.c's, the accounts
 * auth.c's; the routes and who may call each are http.c's table.
 *
 * Every page but /login and /metrics needs a session cookie; every POST
 * must carry the session's CSRF token, and the login form a double-submit
 * token of its own (there is no session yet). Showing a case's reporter
 * details first appends a details_viewed event and waits for its commit:
 * when the view cannot be recorded, the details are not shown. Requests
 * that wait for the store or for a password check are suspended.
 */
#ifndef KK_HTTP_DASH_H
#define KK_HTTP_DASH_H

#include "auth.h"
#include "http_req.h"
#include "page_dash.h"
#include "stats.h"

#define DASH_NOTE_MAX       2000
#define DASH_FIELD_MAX      512
#define DASH_QUEUE_MAX      500
#define DASH_CSV_ROWS_MAX   100000
#define DASH_CSV_MAX        (64u * 1024 * 1024)
#define DASH_REFRESH_S      20
#define DASH_DEFAULT_DAYS   30
#define DASH_COVERAGE_DAYS  7
#define DASH_SLOT_MS        (15LL * 60 * 1000)
#define DASH_DAY_MS         86400000LL
#define DASH_LOGIN_COOKIE_S 3600

/* The text in R's page language. */
#define T(ja, en) (r->ui == LANG_JA ? (ja) : (en))

/* ---- the handlers of http.c's route table ---- */

/* Before any coordinators' route: the page language (?lang= or the
 * kk_lang cookie), the parts ready, and for HTTP_COORDINATOR routes the
 * session into R->session. Returns false after answering. */
bool http_dash_enter(struct http_req *r);
/* A method the route does not take, answered as a dashboard page. */
void http_dash_method(struct http_req *r);

void http_dash_favicon(struct http_req *r);
void http_dash_css(struct http_req *r);
void http_dash_login_get(struct http_req *r);
void http_dash_login_post(struct http_req *r);
void http_dash_logout(struct http_req *r);
void http_dash_queue(struct http_req *r);
void http_dash_case_get(struct http_req *r);
void http_dash_case_post(struct http_req *r);
void http_dash_draft(struct http_req *r);
void http_dash_figures(struct http_req *r);
void http_dash_coverage(struct http_req *r);
void http_dash_map(struct http_req *r);
void http_dash_histogram(struct http_req *r);
void http_dash_csv_cases(struct http_req *r);
void http_dash_csv_figures(struct http_req *r);
void http_dash_stats(struct http_req *r);
void http_dash_metrics(struct http_req *r);

/* ---- shared by the coordinators' modules ---- */

const char *dash_cookie(struct http_req *r, const char *name);
/* "NAME=VALUE; Path=PATH; Max-Age=AGE; HttpOnly; SameSite=Strict[; Secure]" */
void dash_cookie_line(struct http_req *r, char *out, size_t n, const char *name, const char *value,
                      const char *path, long max_age);
/* Answers with BODY and up to four more headers (EXTRA: name, value ...,
 * NULL), remembering ?lang= in a cookie when it was given. */
void dash_respond(struct http_req *r, unsigned status, const char *ctype, struct buf *body,
                  const char *const *extra);
/* As dash_respond for a page; RC < 0 (the page could not be made) answers 500. */
void dash_respond_html(struct http_req *r, unsigned status, struct buf *b, int rc,
                       const char *const *extra);
void dash_redirect(struct http_req *r, const char *location, const char *set_cookie,
                   const char *set_cookie2);
/* A page with TITLE and TEXT, framed for S's user (S may be NULL). */
void dash_message(struct http_req *r, unsigned status, const struct auth_session *s,
                  const char *title, const char *text);
/* The client's address as text ("?" when unknown). */
void dash_client_address(struct http_req *r, char *out, size_t n);
/* The response time targets, in seconds per clock. */
void dash_targets_of(const struct config *cfg, double t[STATS_CLOCKS]);
/* A specialist's name for a JID: "Name (jid)", or the JID alone. */
void dash_who_is(const struct roster *roster, const char *jid, char *out, size_t n);

/* A dashboard form's fields (csrf, user, password, next, action, note,
 * specialist, report), each capped; wiped when freed. */
#define DASH_FORM_N 8
struct dash_form {
	struct buf v[DASH_FORM_N];
};
int dash_form_read(struct http_req *r, struct dash_form *f);
/* The field's value, "" when absent. */
const char *dash_form_get(const struct dash_form *f, const char *name);
void dash_form_fini(struct dash_form *f);
/* 0 when NOTE is fit for a timeline (UTF-8, no control characters, at most
 * DASH_NOTE_MAX characters; not empty when REQUIRED), else -EINVAL. */
int dash_note_check(const char *note, bool required);

/* The session of R's cookie. Returns true with *S, or false after
 * answering: pages send the browser to the login, the API says 401. */
bool dash_need_session(struct http_req *r, const struct http_dash_parts *p, struct auth_session *s);
/* True when GIVEN is S's CSRF token; false after answering 403. */
bool dash_csrf_checked(struct http_req *r, const struct auth_session *s, const char *given);

#endif
