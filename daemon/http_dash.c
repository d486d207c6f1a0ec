/* SPDX-License-Identifier: ISC */
/*
 * http_dash — the coordinators' side of the web server: login and logout,
 * the queue of open cases, a case with its whole timeline and the
 * reporter's details, the actions on a case (reassign, note, mark
 * contacted, resolve), the figures with the tile map and the histogram,
 * the on-call coverage, CSV exports, GET /api/v1/stats and GET /metrics.
 * The markup is page_dash.c's, the numbers stats.c's, the accounts auth.c's.
 *
 * Every page but /login and /metrics needs a session cookie; every POST
 * must carry the session's CSRF token, and the login form a double-submit
 * token of its own (there is no session yet). Showing a case's reporter
 * details first appends a details_viewed event and waits for its commit:
 * when the view cannot be recorded, the details are not shown. Requests
 * that wait for the store or for a password check are suspended.
 *
 * /metrics answers without a session: it holds counts only, no case, and
 * is meant for a Prometheus server to scrape.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "case_flow.h"
#include "casework.h"
#include "csvout.h"
#include "draft.h"
#include "http_req.h"
#include "log.h"
#include "metrics.h"
#include "oncall.h"
#include "page_dash.h"
#include "stats.h"
#include "store_cases.h"
#include "store_reminders.h"
#include "store_timeline.h"
#include "svg.h"
#include "text.h"

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

#define T(ja, en) (r->ui == LANG_JA ? (ja) : (en))

enum dash_page {
	DASH_LOGIN = 1,
	DASH_LOGOUT,
	DASH_QUEUE,
	DASH_CASE,
	DASH_DRAFT, /* a case's report draft (draft.h) */
	DASH_FIGURES,
	DASH_COVERAGE,
	DASH_MAP,
	DASH_HISTOGRAM,
	DASH_CSV_CASES,
	DASH_CSV_FIGURES,
	DASH_CSS,
	DASH_STATS,
	DASH_ONCALL,
	DASH_METRICS,
	DASH_FAVICON,
};

static const struct {
	const char *path;
	enum dash_page page;
	enum http_route route;
} dash_paths[] = {
    {"/login", DASH_LOGIN, ROUTE_DASH},
    {"/logout", DASH_LOGOUT, ROUTE_DASH},
    {"/dashboard", DASH_QUEUE, ROUTE_DASH},
    {"/dashboard/figures", DASH_FIGURES, ROUTE_DASH},
    {"/dashboard/coverage", DASH_COVERAGE, ROUTE_DASH},
    {"/dashboard/map.svg", DASH_MAP, ROUTE_DASH},
    {"/dashboard/histogram.svg", DASH_HISTOGRAM, ROUTE_DASH},
    {"/dashboard/cases.csv", DASH_CSV_CASES, ROUTE_DASH},
    {"/dashboard/figures.csv", DASH_CSV_FIGURES, ROUTE_DASH},
    {"/static/dash.css", DASH_CSS, ROUTE_DASH},
    {"/api/v1/stats", DASH_STATS, ROUTE_DASH_API},
    {"/api/v1/oncall", DASH_ONCALL, ROUTE_DASH_API}, /* names and schedules: coordinators */
    {"/metrics", DASH_METRICS, ROUTE_METRICS},
    {"/favicon.ico", DASH_FAVICON, ROUTE_DASH}, /* browsers ask; there is none */
};

#define CASE_PREFIX "/dashboard/cases/"

bool http_dash_route(struct http_req *r, const char *url)
{
	size_t n = strlen(CASE_PREFIX);

	for (size_t i = 0; i < sizeof dash_paths / sizeof dash_paths[0]; i++) {
		if (strcmp(url, dash_paths[i].path) == 0) {
			r->route = dash_paths[i].route;
			r->dash_page = dash_paths[i].page;
			return true;
		}
	}
	if (strncmp(url, CASE_PREFIX, n) == 0 && url[n] != '\0' && strchr(url + n, '/') == NULL &&
	    strlen(url + n) < sizeof r->arg) {
		snprintf(r->arg, sizeof r->arg, "%s", url + n);
		r->route = ROUTE_DASH;
		r->dash_page = DASH_CASE;
		return true;
	}
	/* /dashboard/cases/REF/draft: the printable draft of a report. */
	if (strncmp(url, CASE_PREFIX, n) == 0) {
		const char *slash = strchr(url + n, '/');

		if (slash != NULL && slash > url + n && strcmp(slash, "/draft") == 0 &&
		    (size_t)(slash - (url + n)) < sizeof r->arg) {
			snprintf(r->arg, sizeof r->arg, "%.*s", (int)(slash - (url + n)), url + n);
			r->route = ROUTE_DASH;
			r->dash_page = DASH_DRAFT;
			return true;
		}
	}
	return false;
}

/* ---- small helpers ---- */

static const char *cookie(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* "NAME=VALUE; Path=PATH; Max-Age=AGE; HttpOnly; SameSite=Strict[; Secure]" */
static void cookie_line(struct http_req *r, char *out, size_t n, const char *name,
                        const char *value, const char *path, long max_age)
{
	bool secure = strncmp(http_config(r)->http_public_url, "https://", 8) == 0;

	snprintf(out, n, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s", name, value,
	         path, max_age, secure ? "; Secure" : "");
}

/* The page language: ?lang= when given, else the kk_lang cookie. */
static void pick_language(struct http_req *r)
{
	const char *c;

	if (http_query(r, "lang") != NULL)
		return;
	c = cookie(r, "kk_lang");
	if (c != NULL && strcmp(c, "en") == 0)
		r->ui = LANG_EN;
}

/* Answers with BODY and up to four more headers, remembering ?lang= in a
 * cookie when it was given. */
static void respond(struct http_req *r, unsigned status, const char *ctype, struct buf *body,
                    const char *const *extra)
{
	const char *h[16];
	char lang[160];
	size_t n = 0;

	for (size_t i = 0; extra != NULL && extra[i] != NULL && n + 2 < 12; i += 2) {
		h[n++] = extra[i];
		h[n++] = extra[i + 1];
	}
	if (http_query(r, "lang") != NULL) {
		cookie_line(r, lang, sizeof lang, "kk_lang", r->ui == LANG_EN ? "en" : "ja", "/",
		            365L * 86400);
		h[n++] = "Set-Cookie";
		h[n++] = lang;
	}
	h[n] = NULL;
	http_respond_headers(r, status, ctype, body, h);
}

static void respond_html(struct http_req *r, unsigned status, struct buf *b, int rc,
                         const char *const *extra)
{
	if (rc < 0) {
		struct page_dash_frame f = {r->ui, NULL, NULL, NULL, NULL, 0, NULL};

		buf_fini(b);
		buf_init(b, PAGE_DASH_MAX);
		page_dash_message(b, &f, T("エラー", "Error"),
		                  T("ページを作れませんでした。", "The page could not be made."));
		status = 500;
	}
	respond(r, status, "text/html; charset=utf-8", b, extra);
}

static void redirect(struct http_req *r, const char *location, const char *set_cookie,
                     const char *set_cookie2)
{
	struct buf b;
	const char *h[8];
	size_t n = 0;

	buf_init(&b, 64);
	h[n++] = "Location";
	h[n++] = location;
	if (set_cookie != NULL) {
		h[n++] = "Set-Cookie";
		h[n++] = set_cookie;
	}
	if (set_cookie2 != NULL) {
		h[n++] = "Set-Cookie";
		h[n++] = set_cookie2;
	}
	h[n] = NULL;
	respond(r, 303, "text/plain; charset=utf-8", &b, h);
}

static void message(struct http_req *r, unsigned status, const struct auth_session *s,
                    const char *title, const char *text)
{
	struct page_dash_frame f = {
	    r->ui, s != NULL ? s->user : NULL, s != NULL ? s->csrf : NULL, NULL, NULL, 0, NULL};
	struct buf b;
	int rc;

	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_message(&b, &f, title, text);
	respond_html(r, status, &b, rc, NULL);
}

static void client_address(struct http_req *r, char *out, size_t n)
{
	const struct sockaddr *sa = http_client_address(r);

	snprintf(out, n, "?");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          out, (socklen_t)n);
}

static void targets_of(const struct config *cfg, double t[STATS_CLOCKS])
{
	t[STATS_GUIDANCE] = cfg->target_guidance_ms / 1000.0;
	t[STATS_ACK] = cfg->target_ack_ms / 1000.0;
	t[STATS_CONTACT] = cfg->target_contact_ms / 1000.0;
	t[STATS_ONSITE] = cfg->target_onsite_ms / 1000.0;
	t[STATS_RESOLVE] = cfg->target_resolve_ms / 1000.0;
}

/* A specialist's name for a JID: "Name (jid)", or the JID alone. */
static void who_is(const struct roster *roster, const char *jid, char *out, size_t n)
{
	const struct specialist *s =
	    roster != NULL && jid != NULL ? roster_by_jid(roster, jid) : NULL;

	if (jid == NULL || jid[0] == '\0')
		snprintf(out, n, "%s", "");
	else if (s != NULL)
		snprintf(out, n, "%s (%s)", s->name, jid);
	else
		snprintf(out, n, "%s", jid);
}

/* ---- forms ---- */

static const char *const form_names[] = {"csrf",   "user", "password",   "next",
                                         "action", "note", "specialist", "report"};
#define FORM_N (sizeof form_names / sizeof form_names[0])

struct dash_form {
	struct buf v[FORM_N];
};

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
	struct dash_form *f = cls;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	for (size_t i = 0; i < FORM_N; i++)
		if (strcmp(key, form_names[i]) == 0 && size != 0)
			buf_append(&f->v[i], data, size); /* past its cap a value simply stops */
	return MHD_YES;
}

static int form_read(struct http_req *r, struct dash_form *f)
{
	struct MHD_PostProcessor *pp;

	for (size_t i = 0; i < FORM_N; i++)
		buf_init(&f->v[i],
		         strcmp(form_names[i], "note") == 0 ? DASH_NOTE_MAX * 4 : DASH_FIELD_MAX);
	pp = MHD_create_post_processor(r->conn, 4096, on_field, f);
	if (pp == NULL)
		return -ENOTSUP;
	if (r->body.len != 0)
		MHD_post_process(pp, r->body.data, r->body.len);
	MHD_destroy_post_processor(pp);
	return 0;
}

static const char *form_get(const struct dash_form *f, const char *name)
{
	for (size_t i = 0; i < FORM_N; i++)
		if (strcmp(name, form_names[i]) == 0)
			return f->v[i].data != NULL ? f->v[i].data : "";
	return "";
}

static void form_fini(struct dash_form *f)
{
	for (size_t i = 0; i < FORM_N; i++) {
		if (f->v[i].data != NULL)
			sodium_memzero(f->v[i].data, f->v[i].alloc);
		buf_fini(&f->v[i]);
	}
}

static int note_check(const char *note, bool required)
{
	size_t len = strlen(note);

	if (len == 0)
		return required ? -EINVAL : 0;
	if (!text_utf8_valid(note, len) || text_has_control(note, true) ||
	    text_utf8_count(note) > DASH_NOTE_MAX)
		return -EINVAL;
	return 0;
}

/* ---- sessions ---- */

/* Where to go after the login: a dashboard path, nothing else. */
static void safe_next(const char *next, char *out, size_t n)
{
	bool ok = next != NULL && strncmp(next, "/dashboard", 10) == 0 && strlen(next) < n &&
	          strstr(next, "//") == NULL;

	for (const char *p = next; ok && *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || strchr("/-_.?=&", *p) != NULL))
			ok = false;
	snprintf(out, n, "%s", ok ? next : "/dashboard");
}

/* The session of R's cookie. Returns true with *S, or false after answering:
 * pages send the browser to the login, the API says 401. */
static bool need_session(struct http_req *r, const struct http_dash_parts *p,
                         struct auth_session *s)
{
	int rc = auth_session_get(p->auth, cookie(r, "kk_session"), s);
	char location[128];

	if (rc == 0)
		return true;
	if (rc != -ENOENT) {
		message(r, 503, NULL, T("いま使えません", "Unavailable"),
		        T("少し待ってからもう一度お試しください。", "Please try again shortly."));
		return false;
	}
	if (r->route == ROUTE_DASH_API) {
		http_respond_error(r, 401,
		                   "Log in at /login first; the session cookie is missing "
		                   "or has expired.",
		                   NULL);
		return false;
	}
	if (r->dash_page == DASH_CASE)
		snprintf(location, sizeof location, "/login?next=/dashboard/cases/%s", r->arg);
	else
		snprintf(location, sizeof location, "/login?next=%s",
		         r->dash_page == DASH_FIGURES    ? "/dashboard/figures"
		         : r->dash_page == DASH_COVERAGE ? "/dashboard/coverage"
		                                         : "/dashboard");
	redirect(r, location, NULL, NULL);
	return false;
}

static bool csrf_checked(struct http_req *r, const struct auth_session *s, const char *given)
{
	if (auth_csrf_ok(s, given))
		return true;
	log_warnx("http: %s: a form without its CSRF token was refused", s->user);
	message(r, 403, s, T("送信できませんでした", "Not accepted"),
	        T("フォームの有効期限が切れたか、別のサイトから送られました。ページを開き直してか"
	          "ら、もう一度送信してください。",
	          "The form had expired or came from another site. Open the page again and send "
	          "it from there."));
	return false;
}

/* ---- login and logout ---- */

static void login_page(struct http_req *r, unsigned status, const char *error, const char *next)
{
	const char *have = cookie(r, "kk_login");
	char token[AUTH_TOKEN_LEN + 1], set[200], where[256];
	const char *h[3] = {"Set-Cookie", set, NULL};
	struct buf b;
	int rc;

	if (auth_token_valid(have))
		snprintf(token, sizeof token, "%s", have);
	else
		auth_token_new(token);
	cookie_line(r, set, sizeof set, "kk_login", token, "/login", DASH_LOGIN_COOKIE_S);
	safe_next(next, where, sizeof where);
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_login(&b, r->ui, token, where, error);
	respond_html(r, status, &b, rc, h);
}

struct login_ctx {
	struct http_req *r;
	char next[256];
};

static void on_login(void *arg, int status, const struct auth_session *s, const char *token)
{
	struct login_ctx *c = arg;
	struct http_req *r = c->r;
	char session[200], clear[160];

	(void)s;
	if (status == 0) {
		cookie_line(r, session, sizeof session, "kk_session", token, "/",
		            (long)(AUTH_SESSION_MS / 1000));
		cookie_line(r, clear, sizeof clear, "kk_login", "", "/login", 0);
		redirect(r, c->next, session, clear);
	} else if (status == -EACCES) {
		login_page(r, 401,
		           T("ユーザー名かパスワードが違います。", "Wrong user name or password."),
		           c->next);
	} else {
		message(r, 503, NULL, T("ログインできません", "Cannot log in"),
		        T("いまログインを記録できません。少し待ってからお試しください。",
		          "The login cannot be recorded right now; please try again shortly."));
	}
	free(c);
}

static void login_post(struct http_req *r, const struct http_dash_parts *p)
{
	struct dash_form f;
	struct login_ctx *c;
	char address[64];
	unsigned retry = 0;
	int rc;

	if (form_read(r, &f) < 0) {
		form_fini(&f);
		login_page(r, 415,
		           T("フォームの送信形式が違います。", "Unsupported form encoding."), NULL);
		return;
	}
	if (!auth_token_equal(cookie(r, "kk_login"), form_get(&f, "csrf"))) {
		login_page(r, 403,
		           T("フォームの有効期限が切れました。もう一度ログインしてください。",
		             "The form had expired; please log in again."),
		           form_get(&f, "next"));
		form_fini(&f);
		return;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		form_fini(&f);
		return;
	}
	c->r = r;
	safe_next(form_get(&f, "next"), c->next, sizeof c->next);
	client_address(r, address, sizeof address);
	rc = auth_login(p->auth, form_get(&f, "user"), form_get(&f, "password"), address, &retry,
	                on_login, c);
	form_fini(&f);
	if (rc == -EAGAIN) {
		char after[16], text[300];
		const char *h[3] = {"Retry-After", after, NULL};
		struct page_dash_frame fr = {r->ui, NULL, NULL, NULL, "/login", 0, NULL};
		struct buf b;

		snprintf(after, sizeof after, "%u", retry);
		snprintf(text, sizeof text,
		         T("ログインの失敗が続いたため、%u 秒待ってからもう一度お試しください。",
		           "Too many failed logins: wait %u seconds, then try again."),
		         retry);
		buf_init(&b, PAGE_DASH_MAX);
		rc = page_dash_message(&b, &fr, T("お待ちください", "Please wait"), text);
		respond_html(r, 429, &b, rc, h);
		free(c);
		return;
	}
	if (rc < 0) {
		free(c);
		message(r, 503, NULL, T("ログインできません", "Cannot log in"),
		        T("少し待ってからお試しください。", "Please try again shortly."));
		return;
	}
	http_suspend(r);
}

static void on_logged_out(void *arg, int status)
{
	struct http_req *r = arg;
	char clear[160];

	if (status < 0)
		log_warn(status, "http: a session could not be ended");
	cookie_line(r, clear, sizeof clear, "kk_session", "", "/", 0);
	redirect(r, "/login", clear, NULL);
}

static void logout_post(struct http_req *r, const struct http_dash_parts *p)
{
	struct auth_session s;
	struct dash_form f;
	bool ok;

	if (!need_session(r, p, &s))
		return;
	form_read(r, &f);
	ok = csrf_checked(r, &s, form_get(&f, "csrf"));
	form_fini(&f);
	if (!ok)
		return;
	if (auth_logout(p->auth, cookie(r, "kk_session"), on_logged_out, r) < 0) {
		on_logged_out(r, -EIO);
		return;
	}
	http_suspend(r);
}

/* ---- the queue ---- */

struct queue {
	struct http_req *r;
	const struct playbook_set *set;
	const struct roster *roster;
	double target[STATS_CLOCKS];
	int64_t now_ms;
	struct page_dash_queue_row *rows;
	size_t n;
};

static int on_queue_row(void *arg, struct store_row *row)
{
	struct queue *q = arg;
	struct page_dash_queue_row *o = &q->rows[q->n];
	const struct pb_prefecture *pf = playbook_prefecture(q->set, store_row_text(row, 2));
	const struct playbook *pb = playbook_find(q->set, store_row_text(row, 3));
	bool acked = !store_row_is_null(row, 6);
	double age;

	if (q->n == DASH_QUEUE_MAX)
		return 1;
	memset(o, 0, sizeof *o);
	snprintf(o->ref, sizeof o->ref, "%s", store_row_text(row, 0));
	o->received_ms = store_row_int(row, 1);
	o->prefecture = pf != NULL ? pf->name.s[q->r->ui] : "?";
	o->type = pb != NULL ? pb->name.s[q->r->ui] : "?";
	snprintf(o->state, sizeof o->state, "%s", store_row_text(row, 4));
	who_is(q->roster, store_row_text(row, 5), o->assignee, sizeof o->assignee);
	o->ack_s = acked ? (double)store_row_int(row, 6) / 1e6 : -1;
	if (acked)
		who_is(q->roster, store_row_text(row, 7), o->acked_by, sizeof o->acked_by);
	age = (double)(q->now_ms - o->received_ms) / 1000.0;
	if (!acked && o->assignee[0] == '\0') {
		o->running = STATS_ACK;
		o->running_s = age;
	} else if (store_row_is_null(row, 8)) {
		o->running = STATS_CONTACT;
		o->running_s = age;
	} else if (!store_row_is_null(row, 9) && store_row_is_null(row, 10)) {
		o->running = STATS_ONSITE;
		o->running_s = (double)(q->now_ms - store_row_int(row, 9)) / 1000.0;
	} else {
		o->running = STATS_RESOLVE;
		o->running_s = age;
	}
	o->target_s = q->target[o->running];
	o->late = o->target_s > 0 && o->running_s > o->target_s;
	q->n++;
	return 0;
}

static void queue_page(struct http_req *r, const struct auth_session *s)
{
	struct queue q = {r, http_playbooks(r), http_roster(r), {0}, text_now_ms(), NULL, 0};
	struct page_dash_frame f = {r->ui,        s->user,        s->csrf, "queue",
	                            "/dashboard", DASH_REFRESH_S, NULL};
	struct buf b;
	int rc;

	targets_of(http_config(r), q.target);
	q.rows = calloc(DASH_QUEUE_MAX, sizeof *q.rows);
	if (q.rows == NULL)
		return;
	rc = store_cases_queue(http_store(r), on_queue_row, &q);
	buf_init(&b, PAGE_DASH_MAX);
	if (rc >= 0)
		rc = page_dash_queue(&b, &f, q.rows, q.n, q.now_ms);
	free(q.rows);
	respond_html(r, 200, &b, rc, NULL);
}

/* ---- a case: the view and the actions ---- */

enum case_action {
	ACT_VIEW,
	ACT_NOTE,
	ACT_REASSIGN,
	ACT_CONTACTED,
	ACT_RESOLVE,
	ACT_PPC_REPORTED, /* the company filed its report to the commission */
};

static const char *const action_names[] = {"view",      "note",    "reassign",
                                           "contacted", "resolve", "ppc_reported"};

struct case_job {
	struct http_req *r;
	struct auth_session s;
	enum case_action what;
	char ref[CASE_REF_LEN + 1];
	char actor[AUTH_NAME_MAX + 16];
	char note[DASH_NOTE_MAX * 4 + 1];
	char to_jid[256], to_name[200];
	char report[16]; /* ACT_PPC_REPORTED: "preliminary" or "final" */
	bool draft;      /* ACT_VIEW of the report draft, not of the case page */
	enum draft_to draft_to;
	char address[64];
	int64_t now_ms;
	/* found by the transaction */
	int64_t case_id;
	int refused; /* -ENOENT no case, -EALREADY resolved, -EEXIST nothing to change */
	bool cancel, kick;
};

/* What the case service's verdict means for the page. */
static int refusal_of(enum casework_verdict v)
{
	switch (v) {
	case CASEWORK_DONE: return 0;
	case CASEWORK_RESOLVED: return -EALREADY;
	case CASEWORK_SAME: return -EEXIST;
	default: return -EPERM;
	}
}

static int tx_case(struct store_tx *tx, void *arg)
{
	struct case_job *j = arg;
	struct store_case_brief c;
	struct casework_actor a = {j->actor, j->s.user, true, false};
	struct casework_result res = {0};
	char *detail = NULL;
	int rc = 0;

	memset(&c, 0, sizeof c);
	rc = store_tx_case_brief(tx, j->ref, &c);
	if (rc < 0)
		goto out;
	if (!c.found) {
		j->refused = -ENOENT;
		goto out;
	}
	j->case_id = c.id;
	switch (j->what) {
	case ACT_VIEW:
		detail = casework_detail("via", "dashboard", "address", j->address, NULL, NULL);
		rc = detail != NULL
		         ? casework_tx_record(tx, &c, EV_DETAILS_VIEWED, &a, j->now_ms, detail)
		         : -ENOMEM;
		break;
	case ACT_NOTE:
		detail = casework_detail("note", j->note, NULL, NULL, NULL, NULL);
		rc = detail != NULL ? casework_tx_record(tx, &c, EV_NOTE, &a, j->now_ms, detail)
		                    : -ENOMEM;
		break;
	case ACT_PPC_REPORTED:
		/* Kept on resolved cases: the final report is due weeks later. */
		detail = casework_detail("via", "dashboard", NULL, NULL, NULL, NULL);
		rc = detail != NULL ? casework_tx_record(tx, &c,
		                                         strcmp(j->report, "preliminary") == 0
		                                             ? EV_PPC_PRELIMINARY_REPORTED
		                                             : EV_PPC_FINAL_REPORTED,
		                                         &a, j->now_ms, detail)
		                    : -ENOMEM;
		break;
	case ACT_CONTACTED:
	case ACT_RESOLVE:
		detail = casework_detail(
		    "via", "dashboard", "note",
		    j->what == ACT_RESOLVE && j->note[0] != '\0' ? j->note : NULL, NULL, NULL);
		rc = detail != NULL ? casework_tx_step(tx, &c,
		                                       j->what == ACT_RESOLVE ? CASE_STEP_RESOLVE
		                                                              : CASE_STEP_CONTACTED,
		                                       &a, j->now_ms, detail, &res)
		                    : -ENOMEM;
		break;
	case ACT_REASSIGN: rc = casework_tx_reassign(tx, &c, j->to_jid, &a, j->now_ms, &res); break;
	}
	if (rc == 0) {
		j->refused = refusal_of(res.verdict);
		j->cancel = res.settled;
		j->kick = res.verdict == CASEWORK_DONE;
	}
out:
	free(detail);
	store_case_brief_fini(&c);
	return rc < 0 ? rc : 0;
}

struct case_extra {
	char assigned[256], acked_by[256];
	double ack_s;
	bool contacted;
};

static int on_case_extra(void *arg, struct store_row *row)
{
	struct case_extra *x = arg;

	snprintf(x->assigned, sizeof x->assigned, "%s",
	         store_row_text(row, 0) != NULL ? store_row_text(row, 0) : "");
	x->ack_s = store_row_is_null(row, 1) ? -1 : (double)store_row_int(row, 1) / 1e6;
	snprintf(x->acked_by, sizeof x->acked_by, "%s",
	         store_row_text(row, 2) != NULL ? store_row_text(row, 2) : "");
	x->contacted = !store_row_is_null(row, 3);
	return 0;
}

static const char *done_notice(struct http_req *r)
{
	const char *done = http_query(r, "done");
	const char *refused = http_query(r, "refused");

	if (refused != NULL && strcmp(refused, "resolved") == 0)
		return T("この相談はすでに解決済みです。何も変えていません。",
		         "This case is already resolved; nothing was changed.");
	if (refused != NULL && strcmp(refused, "past") == 0)
		return case_flow_refusal(CASE_ONSITE, CASE_STEP_CONTACTED, r->ui);
	if (refused != NULL && strcmp(refused, "same") == 0)
		return T("その専門家がすでに担当しています。",
		         "That specialist already has the case.");
	if (done == NULL)
		return NULL;
	if (strcmp(done, "note") == 0)
		return T("メモを追加しました。", "The note was added.");
	if (strcmp(done, "reassign") == 0)
		return T("担当を変えました。新しい担当者に相談者の連絡先を送ります。",
		         "Reassigned; the new specialist is being sent the reporter's details.");
	if (strcmp(done, "contacted") == 0)
		return T("連絡済みとして記録しました。", "Recorded as contacted.");
	if (strcmp(done, "resolve") == 0)
		return T("解決として記録しました。", "Recorded as resolved.");
	if (strcmp(done, "ppc_reported") == 0)
		return T("個人情報保護委員会への報告を記録しました。",
		         "The report to the commission was recorded.");
	return NULL;
}

/* After the view was committed: the page, with the view on its timeline. */
static void case_page(struct case_job *j)
{
	struct http_req *r = j->r;
	const struct playbook_set *set = http_playbooks(r);
	const struct roster *roster = http_roster(r);
	struct case_record *rec = NULL;
	struct case_extra x = {"", "", -1, false};
	char self[64], assignee[300], acked[300];
	struct page_dash_frame f = {r->ui, j->s.user, j->s.csrf, "queue", self, 0, done_notice(r)};
	struct page_dash_case c;
	struct ppc_deadline dl[2];
	const struct pb_prefecture *pf;
	const struct playbook *pb;
	struct buf b;
	int rc;

	snprintf(self, sizeof self, "/dashboard/cases/%s", j->ref);
	rc = store_case_load(http_store(r), j->ref, &rec);
	if (rc == 0)
		rc = store_case_clock_summary(http_store(r), rec->id, on_case_extra, &x);
	if (rc < 0) {
		case_record_free(rec);
		message(r, rc == -ENOENT ? 404 : 503, &j->s,
		        T("表示できません", "Cannot show the case"),
		        T("少し待ってからお試しください。", "Please try again shortly."));
		return;
	}
	pf = playbook_prefecture(set, rec->prefecture);
	pb = playbook_find(set, rec->incident_type);
	who_is(roster, x.assigned, assignee, sizeof assignee);
	who_is(roster, x.acked_by, acked, sizeof acked);
	memset(&c, 0, sizeof c);
	c.rec = rec;
	c.prefecture = pf != NULL ? pf->name.s[r->ui] : rec->prefecture;
	c.region = pf != NULL ? pf->region->name.s[r->ui] : NULL;
	c.type = pb != NULL ? pb->name.s[r->ui] : rec->incident_type;
	c.assignee = assignee[0] != '\0' ? assignee : NULL;
	c.acked_by = acked[0] != '\0' ? acked : NULL;
	c.ack_s = x.ack_s;
	c.roster = roster;
	c.resolved = strcmp(rec->state, "resolved") == 0;
	c.contacted = x.contacted;
	{
		int nd = store_ppc_deadlines(http_store(r), rec->id, dl);

		c.deadlines = dl;
		c.ndeadlines = nd > 0 ? (size_t)nd : 0;
		c.now_ms = text_now_ms();
	}
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_case(&b, &f, &c);
	case_record_free(rec);
	respond_html(r, 200, &b, rc, NULL);
}

/* After the view was committed: the draft as a printable page. */
static void draft_page(struct case_job *j)
{
	struct http_req *r = j->r;
	struct case_record *rec = NULL;
	const struct playbook_set *set = http_playbooks(r);
	char self[80];
	struct page_dash_frame f = {r->ui, j->s.user, j->s.csrf, "queue", self, 0, NULL};
	struct draft d;
	struct buf b;
	int rc;

	snprintf(self, sizeof self, "/dashboard/cases/%s/draft", j->ref);
	rc = store_case_load(http_store(r), j->ref, &rec);
	if (rc < 0) {
		message(r, rc == -ENOENT ? 404 : 503, &j->s, T("表示できません", "Cannot show it"),
		        T("少し待ってからお試しください。", "Please try again shortly."));
		return;
	}
	rc = draft_build(&d, j->draft_to, rec, playbook_find(set, rec->incident_type),
	                 playbook_prefecture(set, rec->prefecture), text_now_ms());
	if (rc == -EINVAL) {
		case_record_free(rec);
		message(r, 400, &j->s, T("下書きはありません", "No draft"),
		        T("この相談は個人情報が関係しないと答えられているため、委員会への報告は"
		          "ありません。",
		          "The reporter said no personal data is involved: there is nothing to "
		          "report to the commission."));
		return;
	}
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_draft(&b, &f, rec->ref, &d);
	case_record_free(rec);
	respond_html(r, 200, &b, rc, NULL);
}

static void on_case_done(void *arg, int status)
{
	struct case_job *j = arg;
	struct http_req *r = j->r;
	const struct http_dash_parts *p = http_dash_parts(r);
	char location[128];

	if (status < 0) {
		message(r, 503, &j->s, T("記録できませんでした", "Not recorded"),
		        j->what == ACT_VIEW
		            ? T("閲覧を経過に記録できなかったため、相談者の連絡先は表示しません。少"
		                "し待っ"
		                "てからお試しください。",
		                "The view could not be recorded on the timeline, so the reporter's "
		                "details are not shown. Please try again shortly.")
		            : T("何も変わっていません。少し待ってからお試しください。",
		                "Nothing was changed. Please try again shortly."));
		free(j);
		return;
	}
	if (j->refused == -ENOENT) {
		message(r, 404, &j->s, T("見つかりません", "Not found"),
		        T("その受付番号の相談はありません。", "No case has that reference."));
		free(j);
		return;
	}
	if (j->cancel)
		escalate_cancel(http_escalate(r), j->case_id);
	if (j->kick && p != NULL && p->notify != NULL)
		notify_kick(p->notify);
	if (j->what == ACT_VIEW && j->draft) {
		log_info("http: case=%s report draft viewed by %s", j->ref, j->s.user);
		draft_page(j);
		free(j);
		return;
	}
	if (j->what == ACT_VIEW) {
		log_info("http: case=%s details viewed by %s", j->ref, j->s.user);
		case_page(j);
	} else {
		log_info("http: case=%s %s by %s%s", j->ref, action_names[j->what], j->s.user,
		         j->refused != 0 ? " (nothing to change)" : "");
		if (j->refused == -EALREADY)
			snprintf(location, sizeof location, "/dashboard/cases/%s?refused=resolved",
			         j->ref);
		else if (j->refused == -EEXIST)
			snprintf(location, sizeof location, "/dashboard/cases/%s?refused=same",
			         j->ref);
		else if (j->refused == -EPERM)
			snprintf(location, sizeof location, "/dashboard/cases/%s?refused=past",
			         j->ref);
		else
			snprintf(location, sizeof location, "/dashboard/cases/%s?done=%s", j->ref,
			         action_names[j->what]);
		redirect(r, location, NULL, NULL);
	}
	free(j);
}

static struct case_job *case_job_new(struct http_req *r, const struct auth_session *s,
                                     enum case_action what)
{
	struct case_job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return NULL;
	j->r = r;
	j->s = *s;
	j->what = what;
	j->now_ms = text_now_ms();
	snprintf(j->actor, sizeof j->actor, "coordinator:%s", s->user);
	if (strlen(r->arg) == CASE_REF_LEN)
		memcpy(j->ref, r->arg, CASE_REF_LEN + 1); /* anything else stays "", no case */
	for (char *c = j->ref; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	client_address(r, j->address, sizeof j->address);
	return j;
}

static void case_submit(struct http_req *r, struct case_job *j)
{
	if (!token_ref_valid(j->ref)) {
		message(r, 404, &j->s, T("見つかりません", "Not found"),
		        T("その受付番号の相談はありません。", "No case has that reference."));
		free(j);
		return;
	}
	if (store_write(http_store(r), tx_case, j, on_case_done, j) < 0) {
		on_case_done(j, -EIO);
		return;
	}
	http_suspend(r);
}

/* GET /dashboard/cases/REF/draft?to=ppc|police|ipa: the view of the
 * reporter's details it holds is recorded like the case page's. */
static void draft_get(struct http_req *r, const struct auth_session *s)
{
	const char *to = http_query(r, "to");
	struct case_job *j;
	enum draft_to dt = DRAFT_PPC;

	if (to != NULL && draft_to_parse(to, &dt) < 0) {
		message(r, 400, s, T("送信内容が違います", "Bad request"),
		        T("to は ppc、police、ipa のどれかです。", "to is ppc, police or ipa."));
		return;
	}
	j = case_job_new(r, s, ACT_VIEW);
	if (j == NULL)
		return;
	j->draft = true;
	j->draft_to = dt;
	case_submit(r, j);
}

static void case_get(struct http_req *r, const struct auth_session *s)
{
	struct case_job *j = case_job_new(r, s, ACT_VIEW);

	if (j != NULL)
		case_submit(r, j);
}

/* A 400 with TITLE and TEXT for a form that cannot be done; drops *J. */
static void refuse(struct http_req *r, const struct auth_session *s, struct case_job **j,
                   const char *title, const char *text)
{
	message(r, 400, s, title, text);
	free(*j);
	*j = NULL;
}

static void case_post(struct http_req *r, const struct auth_session *s)
{
	struct dash_form f;
	struct case_job *j = NULL;
	const char *action;
	int what = -1;

	form_read(r, &f);
	if (!csrf_checked(r, s, form_get(&f, "csrf")))
		goto out;
	action = form_get(&f, "action");
	for (int i = ACT_NOTE; i <= ACT_PPC_REPORTED; i++)
		if (strcmp(action, action_names[i]) == 0)
			what = i;
	if (what < 0) {
		message(r, 400, s, T("送信内容が違います", "Bad request"),
		        T("この操作はありません。", "There is no such action."));
		goto out;
	}
	if (note_check(form_get(&f, "note"), what == ACT_NOTE) < 0) {
		message(
		    r, 400, s, T("メモを確認してください", "Check the note"),
		    T("メモは2000文字まで、制御文字なしで書いてください(メモの追加では必須です)。",
		      "A note has at most 2000 characters and no control characters (it is "
		      "required when adding a note)."));
		goto out;
	}
	j = case_job_new(r, s, (enum case_action)what);
	if (j == NULL)
		goto out;
	snprintf(j->note, sizeof j->note, "%s", form_get(&f, "note"));
	if (what == ACT_PPC_REPORTED) {
		const char *rep = form_get(&f, "report");

		if (strcmp(rep, "preliminary") != 0 && strcmp(rep, "final") != 0) {
			refuse(r, s, &j, T("送信内容が違います", "Bad request"),
			       T("速報(preliminary)か確報(final)を選んでください。",
			         "Say which report: preliminary or final."));
			goto out;
		}
		snprintf(j->report, sizeof j->report, "%s", rep);
	}
	if (what == ACT_REASSIGN) {
		const struct roster *roster = http_roster(r);
		const struct specialist *sp =
		    roster != NULL ? roster_by_id(roster, form_get(&f, "specialist")) : NULL;

		if (sp == NULL || !sp->active) {
			refuse(r, s, &j, T("専門家を選んでください", "Choose a specialist"),
			       T("名簿にいる、有効な専門家を選んでください。",
			         "Choose an active specialist from the roster."));
			goto out;
		}
		snprintf(j->to_jid, sizeof j->to_jid, "%s", sp->jid);
		snprintf(j->to_name, sizeof j->to_name, "%s", sp->name);
	}
	case_submit(r, j);
	j = NULL;
out:
	form_fini(&f);
}

/* ---- figures ---- */

struct range {
	int64_t from_ms, to_ms;
	char from[11], to[11]; /* JST dates; TO inclusive */
};

/* "2026-11-22" (a JST day; as the end, the end of that day) or RFC 3339. */
static int parse_when(const char *s, bool end, int64_t *ms)
{
	char local[24];

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		snprintf(local, sizeof local, "%sT00:00", s);
		if (text_jst_local_parse(local, ms) < 0)
			return -EINVAL;
		if (end)
			*ms += DASH_DAY_MS;
		return 0;
	}
	return text_rfc3339_parse(s, ms);
}

static int range_of(struct http_req *r, struct range *g)
{
	const char *from = http_query(r, "from");
	const char *to = http_query(r, "to");
	int64_t today = stats_jst_day(text_now_ms());

	g->to_ms = stats_jst_day_start(today + 1);
	g->from_ms = stats_jst_day_start(today - (DASH_DEFAULT_DAYS - 1));
	if (to != NULL && to[0] != '\0' && parse_when(to, true, &g->to_ms) < 0)
		return -EINVAL;
	if (from != NULL && from[0] != '\0' && parse_when(from, false, &g->from_ms) < 0)
		return -EINVAL;
	if (from == NULL && to != NULL && to[0] != '\0')
		g->from_ms = g->to_ms - DASH_DEFAULT_DAYS * DASH_DAY_MS;
	if (g->to_ms <= g->from_ms)
		return -EINVAL;
	text_jst_format(g->from_ms, "%Y-%m-%d", g->from, sizeof g->from);
	text_jst_format(g->to_ms - 1, "%Y-%m-%d", g->to, sizeof g->to);
	return 0;
}

/* The group and clock asked for; defaults DEF_GROUP and ack. */
static int choices_of(struct http_req *r, enum stats_group def_group, enum stats_group *g,
                      enum stats_clock *c)
{
	const char *gs = http_query(r, "group");
	const char *cs = http_query(r, "clock");

	*g = def_group;
	*c = STATS_ACK;
	if (gs != NULL && gs[0] != '\0' && stats_group_parse(gs, g) < 0)
		return -EINVAL;
	if (cs != NULL && cs[0] != '\0' && stats_clock_parse(cs, c) < 0)
		return -EINVAL;
	return 0;
}

static int figures_query(struct http_req *r, const struct http_dash_parts *p, const struct range *g,
                         enum stats_group group, struct stats_result **out)
{
	struct stats_query q;

	memset(&q, 0, sizeof q);
	q.from_ms = g->from_ms;
	q.to_ms = g->to_ms;
	q.group = group;
	q.set = http_playbooks(r);
	targets_of(http_config(r), q.target_s);
	return stats_query(p->stats, &q, out);
}

static const double hist_bounds[] = {60, 120, 300, 600, 900, 1800, 3600, 7200, 14400};
#define HIST_NB (sizeof hist_bounds / sizeof hist_bounds[0])

static int draw_map(struct http_req *r, const struct stats_result *by_pref, const struct range *g,
                    bool standalone, struct buf *out)
{
	struct svg_map m;
	char title[200];

	memset(&m, 0, sizeof m);
	snprintf(title, sizeof title, "%s %s – %s",
	         T("引き受けまでの時間の中央値(都道府県別)",
	           "Median time to acknowledge by prefecture,"),
	         g->from, g->to);
	m.title = title;
	m.target_s = http_config(r)->target_ack_ms / 1000.0;
	m.ui = r->ui;
	m.standalone = standalone;
	for (int i = 0; i < SVG_PREFS; i++)
		m.value_s[i] = -1;
	for (size_t i = 0; i < by_pref->nrows; i++) {
		const struct stats_row *row = &by_pref->rows[i];
		int code = (row->key[0] - '0') * 10 + (row->key[1] - '0');

		if (code < 1 || code > SVG_PREFS)
			continue;
		m.count[code - 1] = row->clock[STATS_ACK].count;
		m.value_s[code - 1] =
		    row->clock[STATS_ACK].count != 0 ? row->clock[STATS_ACK].median_s : -1;
	}
	return svg_tile_map(out, http_playbooks(r), &m);
}

static int draw_histogram(struct http_req *r, const struct http_dash_parts *p,
                          const struct range *g, bool standalone, struct buf *out)
{
	uint32_t counts[HIST_NB + 1];
	char title[200];
	struct svg_histogram h = {
	    title, hist_bounds, HIST_NB, counts, http_config(r)->target_ack_ms / 1000.0,
	    r->ui, standalone};

	snprintf(title, sizeof title, "%s %s – %s",
	         T("引き受けまでの時間の分布", "Time to acknowledge,"), g->from, g->to);
	stats_histogram(p->stats, STATS_ACK, g->from_ms, g->to_ms, hist_bounds, HIST_NB, counts);
	return svg_histogram(out, &h);
}

static void bad_range(struct http_req *r, const struct auth_session *s, int rc)
{
	if (r->route == ROUTE_DASH_API) {
		http_respond_error(r, 400,
		                   rc == -E2BIG
		                       ? "Too many periods; choose a shorter range or a "
		                         "longer period."
		                       : "from and to are dates (2026-11-22, JST) or RFC 3339 "
		                         "times, from before to; group is one of prefecture, "
		                         "region, type, specialist, channel, day, week, month, "
		                         "all; clock one of guidance, ack, contact, onsite, "
		                         "resolve.",
		                   rc == -E2BIG ? "group" : NULL);
		return;
	}
	message(r, 400, s, T("条件を確認してください", "Check the filters"),
	        rc == -E2BIG ? T("期間が長すぎます。週や月で分けるか、期間を短くしてください。",
	                         "Too many periods: group by week or month, or shorten the range.")
	                     : T("開始日と終了日(開始日が先)、分ける単位と時計を確かめてください。",
	                         "Check the dates (from before to), the grouping and the clock."));
}

static void figures_page(struct http_req *r, const struct http_dash_parts *p,
                         const struct auth_session *s)
{
	struct page_dash_figures v;
	struct page_dash_frame f = {r->ui, s->user, s->csrf, "figures", NULL, 0, NULL};
	struct stats_result *res = NULL, *by_pref = NULL;
	struct range g;
	enum stats_group group;
	struct buf b, map, hist, self;
	char query[200];
	int rc;

	rc = range_of(r, &g);
	if (rc == 0)
		rc = choices_of(r, STATS_BY_PREFECTURE, &group, &v.clock);
	if (rc < 0) {
		bad_range(r, s, rc);
		return;
	}
	stats_refresh(p->stats);
	rc = figures_query(r, p, &g, group, &res);
	if (rc == 0 && group != STATS_BY_PREFECTURE)
		rc = figures_query(r, p, &g, STATS_BY_PREFECTURE, &by_pref);
	if (rc < 0) {
		stats_result_free(res);
		bad_range(r, s, rc);
		return;
	}
	snprintf(query, sizeof query, "from=%s&to=%s&group=%s&clock=%s", g.from, g.to,
	         stats_group_name(group), stats_clock_name(v.clock));
	buf_init(&self, 256);
	buf_printf(&self, "/dashboard/figures?%s", query);
	f.self = self.data;
	buf_init(&map, 1024 * 1024);
	buf_init(&hist, 256 * 1024);
	draw_map(r, by_pref != NULL ? by_pref : res, &g, false, &map);
	draw_histogram(r, p, &g, false, &hist);
	v.res = res;
	v.set = http_playbooks(r);
	v.roster = http_roster(r);
	targets_of(http_config(r), v.target_s);
	snprintf(v.from, sizeof v.from, "%s", g.from);
	snprintf(v.to, sizeof v.to, "%s", g.to);
	v.query = query;
	v.map_svg = map.data;
	v.histogram_svg = hist.data;
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_figures(&b, &f, &v);
	log_debug("http: figures over %u cases in %.1f ms", res->total.cases, res->elapsed_ms);
	buf_fini(&map);
	buf_fini(&hist);
	buf_fini(&self);
	stats_result_free(res);
	stats_result_free(by_pref);
	respond_html(r, 200, &b, rc, NULL);
}

static void svg_page(struct http_req *r, const struct http_dash_parts *p,
                     const struct auth_session *s, bool map)
{
	struct stats_result *res = NULL;
	struct range g;
	struct buf b;
	int rc = range_of(r, &g);

	if (rc < 0) {
		bad_range(r, s, rc);
		return;
	}
	stats_refresh(p->stats);
	buf_init(&b, 1024 * 1024);
	if (map) {
		rc = figures_query(r, p, &g, STATS_BY_PREFECTURE, &res);
		if (rc == 0)
			rc = draw_map(r, res, &g, true, &b);
		stats_result_free(res);
	} else {
		rc = draw_histogram(r, p, &g, true, &b);
	}
	if (rc < 0) {
		buf_fini(&b);
		message(r, 500, s, T("エラー", "Error"),
		        T("図を作れませんでした。", "No picture."));
		return;
	}
	respond(r, 200, "image/svg+xml; charset=utf-8", &b, NULL);
}

/* ---- /api/v1/stats ---- */

static json_t *json_figures(const struct stats_row *row)
{
	json_t *o = json_object();

	for (int c = 0; c < STATS_CLOCKS; c++) {
		const struct stats_figure *fig = &row->clock[c];
		json_t *v = fig->count != 0
		                ? json_pack("{s:i,s:f,s:f,s:f,s:i}", "count", (int)fig->count,
		                            "median_s", fig->median_s, "p90_s", fig->p90_s, "max_s",
		                            fig->max_s, "over_target", (int)fig->breaches)
		                : json_pack("{s:i,s:n,s:n,s:n,s:i}", "count", 0, "median_s",
		                            "p90_s", "max_s", "over_target", 0);

		json_object_set_new(o, stats_clock_name((enum stats_clock)c), v);
	}
	return o;
}

static void stats_api(struct http_req *r, const struct http_dash_parts *p)
{
	struct stats_result *res = NULL;
	struct range g;
	enum stats_group group;
	enum stats_clock clock;
	double t[STATS_CLOCKS];
	char from[32], to[32], name[400];
	json_t *groups, *targets, *doc;
	int rc = range_of(r, &g);

	if (rc == 0)
		rc = choices_of(r, STATS_BY_ALL, &group, &clock);
	if (rc == 0) {
		stats_refresh(p->stats);
		rc = figures_query(r, p, &g, group, &res);
	}
	if (rc < 0) {
		bad_range(r, NULL, rc);
		return;
	}
	targets_of(http_config(r), t);
	targets = json_object();
	for (int c = 0; c < STATS_CLOCKS; c++)
		json_object_set_new(targets, stats_clock_name((enum stats_clock)c),
		                    t[c] > 0 ? json_real(t[c]) : json_null());
	groups = json_array();
	for (size_t i = 0; i < res->nrows; i++) {
		page_dash_group_name(http_playbooks(r), http_roster(r), res->group,
		                     res->rows[i].key, LANG_JA, name, sizeof name);
		json_array_append_new(groups,
		                      json_pack("{s:s,s:s,s:i,s:i,s:o}", "key", res->rows[i].key,
		                                "name", name, "cases", (int)res->rows[i].cases,
		                                "onsite_from_received",
		                                (int)res->rows[i].onsite_from_received, "clocks",
		                                json_figures(&res->rows[i])));
	}
	text_rfc3339_format(g.from_ms, from);
	text_rfc3339_format(g.to_ms, to);
	doc = json_pack("{s:s,s:s,s:s,s:o,s:i,s:i,s:o,s:o,s:f}", "from", from, "to", to, "group",
	                stats_group_name(group), "targets", targets, "cases", (int)res->total.cases,
	                "onsite_from_received", (int)res->total.onsite_from_received, "total",
	                json_figures(&res->total), "groups", groups, "query_ms", res->elapsed_ms);
	stats_result_free(res);
	{
		/* Nine significant digits: times to the microsecond, without the
		 * float noise of a full double. */
		char *text =
		    doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;
		struct buf b;

		json_decref(doc);
		if (text == NULL) {
			http_respond_error(r, 500, "out of memory", NULL);
			return;
		}
		buf_init(&b, strlen(text) + 2);
		buf_puts(&b, text);
		buf_puts(&b, "\n");
		free(text);
		respond(r, 200, "application/json; charset=utf-8", &b, NULL);
	}
}

/* ---- CSV ---- */

static void csv_respond(struct http_req *r, struct buf *b, const char *what, const struct range *g)
{
	char disposition[160];
	const char *h[3] = {"Content-Disposition", disposition, NULL};

	snprintf(disposition, sizeof disposition, "attachment; filename=\"kakekomi-%s-%s-%s.csv\"",
	         what, g->from, g->to);
	respond(r, 200, "text/csv; charset=utf-8", b, h);
}

static void csv_figures(struct http_req *r, const struct http_dash_parts *p,
                        const struct auth_session *s)
{
	static const char *const head[] = {"group",    "key",   "name",       "clock",
	                                   "target_s", "cases", "count",      "median_s",
	                                   "p90_s",    "max_s", "over_target"};
	struct stats_result *res = NULL;
	struct range g;
	enum stats_group group;
	enum stats_clock clock;
	double t[STATS_CLOCKS];
	struct buf b;
	int rc = range_of(r, &g);

	if (rc == 0)
		rc = choices_of(r, STATS_BY_PREFECTURE, &group, &clock);
	if (rc == 0) {
		stats_refresh(p->stats);
		rc = figures_query(r, p, &g, group, &res);
	}
	if (rc < 0) {
		bad_range(r, s, rc);
		return;
	}
	targets_of(http_config(r), t);
	buf_init(&b, DASH_CSV_MAX);
	rc = buf_puts(&b, CSVOUT_BOM);
	for (size_t i = 0; rc == 0 && i < sizeof head / sizeof head[0]; i++)
		rc = csvout_cell(&b, head[i], i + 1 == sizeof head / sizeof head[0]);
	for (size_t i = 0; rc == 0 && i <= res->nrows; i++) {
		const struct stats_row *row = i < res->nrows ? &res->rows[i] : &res->total;
		char name[400];

		if (i < res->nrows)
			page_dash_group_name(http_playbooks(r), http_roster(r), res->group,
			                     row->key, r->ui, name, sizeof name);
		else
			snprintf(name, sizeof name, "%s", T("全体", "all cases"));
		for (int c = 0; rc == 0 && c < STATS_CLOCKS; c++) {
			const struct stats_figure *fig = &row->clock[c];

			rc = csvout_cell(&b, i < res->nrows ? stats_group_name(res->group) : "all",
			                 false);
			if (rc == 0)
				rc = csvout_cell(&b, row->key, false);
			if (rc == 0)
				rc = csvout_cell(&b, name, false);
			if (rc == 0)
				rc = csvout_cell(&b, stats_clock_name((enum stats_clock)c), false);
			if (rc == 0)
				rc = t[c] > 0 ? csvout_number(&b, t[c], 0, false)
				              : buf_puts(&b, ",");
			if (rc == 0)
				rc = csvout_number(&b, row->cases, 0, false);
			if (rc == 0)
				rc = csvout_number(&b, fig->count, 0, false);
			if (rc == 0 && fig->count != 0) {
				rc = csvout_number(&b, fig->median_s, 3, false);
				if (rc == 0)
					rc = csvout_number(&b, fig->p90_s, 3, false);
				if (rc == 0)
					rc = csvout_number(&b, fig->max_s, 3, false);
			} else if (rc == 0) {
				rc = buf_puts(&b, ",,,");
			}
			if (rc == 0)
				rc = t[c] > 0 ? csvout_number(&b, fig->breaches, 0, true)
				              : buf_puts(&b, "\r\n");
		}
	}
	stats_result_free(res);
	if (rc < 0) {
		buf_fini(&b);
		message(r, 500, s, T("エラー", "Error"), T("CSV を作れませんでした。", "No CSV."));
		return;
	}
	csv_respond(r, &b, "figures", &g);
}

struct csv_cases {
	struct http_req *r;
	const struct playbook_set *set;
	struct buf *b;
	int rc;
};

static int on_csv_case(void *arg, struct store_row *row)
{
	struct csv_cases *c = arg;
	struct buf *b = c->b;
	const struct pb_prefecture *pf = playbook_prefecture(c->set, store_row_text(row, 2));
	const struct playbook *pb = playbook_find(c->set, store_row_text(row, 3));
	enum lang ui = c->r->ui;
	char when[32];
	int rc;

	text_jst_format(store_row_int(row, 1), "%Y-%m-%d %H:%M:%S", when, sizeof when);
	rc = csvout_cell(b, store_row_text(row, 0), false);
	if (rc == 0)
		rc = csvout_cell(b, when, false);
	if (rc == 0)
		rc = csvout_cell(b, store_row_text(row, 2), false);
	if (rc == 0)
		rc = csvout_cell(b, pf != NULL ? pf->name.s[ui] : NULL, false);
	if (rc == 0)
		rc = csvout_cell(b, pf != NULL ? pf->region->id : NULL, false);
	if (rc == 0)
		rc = csvout_cell(b, store_row_text(row, 3), false);
	if (rc == 0)
		rc = csvout_cell(b, pb != NULL ? pb->name.s[ui] : NULL, false);
	for (int i = 4; rc == 0 && i <= 7; i++)
		rc = csvout_cell(b, store_row_text(row, i), false);
	for (int i = 8; rc == 0 && i <= 13; i++) {
		bool last = i == 13;

		if (i == 12) {
			rc = csvout_cell(b,
			                 store_row_is_null(row, 11)    ? NULL
			                 : store_row_int(row, 12) != 0 ? "received"
			                                               : "dispatch_requested",
			                 false);
			continue;
		}
		if (store_row_is_null(row, i))
			rc = buf_puts(b, last ? "\r\n" : ",");
		else
			rc = csvout_number(b, (double)store_row_int(row, i) / 1e6, 3, last);
	}
	c->rc = rc;
	return rc < 0 ? 1 : 0;
}

static void csv_cases(struct http_req *r, const struct auth_session *s)
{
	static const char *const head[] = {
	    "ref",      "received_jst",  "prefecture",      "prefecture_name",
	    "region",   "incident_type", "type_name",       "channel",
	    "state",    "assigned_to",   "acknowledged_by", "first_guidance_s",
	    "ack_s",    "contact_s",     "onsite_s",        "onsite_measured_from",
	    "resolve_s"};
	struct csv_cases c = {r, http_playbooks(r), NULL, 0};
	struct range g;
	struct buf b;
	int64_t n = 0;
	int rc = range_of(r, &g);

	if (rc < 0) {
		bad_range(r, s, rc);
		return;
	}
	rc = store_cases_count(http_store(r), g.from_ms, g.to_ms, &n);
	if (rc == 0 && n > DASH_CSV_ROWS_MAX) {
		char text[300];

		snprintf(
		    text, sizeof text,
		    T("この期間には %lld 件あります。1回に %d "
		      "件までなので、期間を短くしてください。",
		      "This range holds %lld cases; an export holds at most %d. Choose a shorter "
		      "range."),
		    (long long)n, DASH_CSV_ROWS_MAX);
		message(r, 413, s, T("件数が多すぎます", "Too many cases"), text);
		return;
	}
	buf_init(&b, DASH_CSV_MAX);
	c.b = &b;
	if (rc == 0)
		rc = buf_puts(&b, CSVOUT_BOM);
	for (size_t i = 0; rc == 0 && i < sizeof head / sizeof head[0]; i++)
		rc = csvout_cell(&b, head[i], i + 1 == sizeof head / sizeof head[0]);
	if (rc == 0)
		rc = store_cases_export(http_store(r), g.from_ms, g.to_ms, on_csv_case, &c);
	if (rc < 0 || c.rc < 0) {
		buf_fini(&b);
		message(r, 500, s, T("エラー", "Error"), T("CSV を作れませんでした。", "No CSV."));
		return;
	}
	csv_respond(r, &b, "cases", &g);
}

/* ---- coverage ---- */

static void coverage_page(struct http_req *r, const struct auth_session *s)
{
	const struct playbook_set *set = http_playbooks(r);
	const struct roster *roster = http_roster(r);
	struct page_dash_frame f = {r->ui, s->user, s->csrf, "coverage", "/dashboard/coverage",
	                            0,     NULL};
	struct page_dash_coverage v;
	size_t npref = playbook_prefecture_count(set);
	size_t nslots = DASH_COVERAGE_DAYS * (size_t)(DASH_DAY_MS / DASH_SLOT_MS);
	int64_t from = text_now_ms();
	double *gap = calloc(npref * PLAYBOOK_TYPES, sizeof *gap);
	struct oncall *oc = malloc(sizeof *oc);
	struct buf b;
	int rc;

	from -= from % DASH_SLOT_MS;
	if (gap == NULL || oc == NULL) {
		free(gap);
		free(oc);
		return;
	}
	for (size_t i = 0; i < npref; i++) {
		const struct pb_prefecture *pf = playbook_prefecture_at(set, i);

		for (size_t k = 0; k < nslots; k++) {
			uint32_t mask = 0;

			if (roster != NULL)
				oncall_at(roster, set, pf->code, from + (int64_t)k * DASH_SLOT_MS,
				          oc);
			else
				oc->n = 0;
			for (size_t e = 0; e < oc->n; e++)
				mask |= oc->e[e].who->type_mask;
			for (unsigned t = 0; t < PLAYBOOK_TYPES; t++)
				if ((mask & (1u << t)) == 0)
					gap[i * PLAYBOOK_TYPES + t] +=
					    (double)DASH_SLOT_MS / 3600000.0;
		}
	}
	v.set = set;
	v.from_ms = from;
	v.days = DASH_COVERAGE_DAYS;
	v.gap_h = gap;
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_coverage(&b, &f, &v);
	free(gap);
	free(oc);
	respond_html(r, 200, &b, rc, NULL);
}

/* ---- dispatch ---- */

void http_dash(struct http_req *r)
{
	const struct http_dash_parts *p = http_dash_parts(r);
	struct auth_session s;
	enum dash_page page = (enum dash_page)r->dash_page;
	bool posts = page == DASH_LOGIN || page == DASH_LOGOUT || page == DASH_CASE;

	pick_language(r);
	if (page == DASH_FAVICON) {
		struct buf b;

		buf_init(&b, 1);
		respond(r, 204, "image/x-icon", &b, NULL);
		return;
	}
	if (page == DASH_CSS) {
		http_respond_css(r, true);
		return;
	}
	if (p == NULL) {
		message(r, 503, NULL, T("準備中", "Starting"),
		        T("まだ使えません。少し待ってください。",
		          "Not ready yet; please wait a moment."));
		return;
	}
	if ((r->post && !posts) || (!r->post && page == DASH_LOGOUT)) {
		message(r, 405, NULL, T("この方法では使えません", "Method not allowed"),
		        page == DASH_LOGOUT
		            ? T("ログアウトはボタンから行ってください。",
		                "Use the Log out button to log out.")
		            : T("このページは表示するだけです。", "This page is read-only."));
		return;
	}
	switch (page) {
	case DASH_METRICS: {
		const struct config *cfg = http_config(r);
		struct metrics_sources src = {p->stats, http_playbooks(r), http_store(r),
		                              p->notify};
		struct buf b;

		if (!config_net_match(cfg->metrics_allow, cfg->metrics_nallow,
		                      http_client_address(r))) {
			buf_init(&b, 256);
			buf_puts(&b, "# /metrics is not open to this address: add it to [metrics] "
			             "allow\n");
			respond(r, 403, "text/plain; charset=utf-8", &b, NULL);
			return;
		}
		buf_init(&b, 16u * 1024 * 1024);
		if (metrics_render(&b, &src) < 0) {
			buf_fini(&b);
			buf_init(&b, 64);
			buf_puts(&b, "# the metrics could not be rendered\n");
			respond(r, 500, "text/plain; charset=utf-8", &b, NULL);
			return;
		}
		respond(r, 200, "text/plain; version=0.0.4; charset=utf-8", &b, NULL);
		return;
	}
	case DASH_LOGIN:
		if (r->post) {
			login_post(r, p);
		} else if (auth_session_get(p->auth, cookie(r, "kk_session"), &s) == 0) {
			redirect(r, "/dashboard", NULL, NULL);
		} else {
			login_page(r, 200, NULL, http_query(r, "next"));
		}
		return;
	case DASH_LOGOUT: logout_post(r, p); return;
	default: break;
	}
	if (!need_session(r, p, &s))
		return;
	switch (page) {
	case DASH_QUEUE: queue_page(r, &s); return;
	case DASH_CASE:
		if (r->post)
			case_post(r, &s);
		else
			case_get(r, &s);
		return;
	case DASH_DRAFT: draft_get(r, &s); return;
	case DASH_FIGURES: figures_page(r, p, &s); return;
	case DASH_COVERAGE: coverage_page(r, &s); return;
	case DASH_MAP: svg_page(r, p, &s, true); return;
	case DASH_HISTOGRAM: svg_page(r, p, &s, false); return;
	case DASH_CSV_CASES: csv_cases(r, &s); return;
	case DASH_CSV_FIGURES: csv_figures(r, p, &s); return;
	case DASH_STATS: stats_api(r, p); return;
	case DASH_ONCALL: http_api_oncall(r); return;
	default: break;
	}
	message(r, 404, &s, T("見つかりません", "Not found"),
	        T("ページが見つかりません。", "No such page."));
}
