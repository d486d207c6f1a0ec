/* SPDX-License-Identifier: ISC */
/*
 * http_dash — what the coordinators' pages share: answering with the
 * language cookie, redirects and message pages, the dashboard forms, the
 * session and its CSRF token; the entry to every coordinators' route. See
 * http_dash.h.
 */
#include "http_dash.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"

/* ---- small helpers ---- */

const char *dash_cookie(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* "NAME=VALUE; Path=PATH; Max-Age=AGE; HttpOnly; SameSite=Strict[; Secure]" */
void dash_cookie_line(struct http_req *r, char *out, size_t n, const char *name, const char *value,
                      const char *path, long max_age)
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
	c = dash_cookie(r, "kk_lang");
	if (c != NULL && strcmp(c, "en") == 0)
		r->ui = LANG_EN;
}

/* Answers with BODY and up to four more headers, remembering ?lang= in a
 * cookie when it was given. */
void dash_respond(struct http_req *r, unsigned status, const char *ctype, struct buf *body,
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
		dash_cookie_line(r, lang, sizeof lang, "kk_lang", r->ui == LANG_EN ? "en" : "ja",
		                 "/", 365L * 86400);
		h[n++] = "Set-Cookie";
		h[n++] = lang;
	}
	h[n] = NULL;
	http_respond_headers(r, status, ctype, body, h);
}

void dash_respond_html(struct http_req *r, unsigned status, struct buf *b, int rc,
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
	dash_respond(r, status, "text/html; charset=utf-8", b, extra);
}

void dash_redirect(struct http_req *r, const char *location, const char *set_cookie,
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
	dash_respond(r, 303, "text/plain; charset=utf-8", &b, h);
}

void dash_message(struct http_req *r, unsigned status, const struct auth_session *s,
                  const char *title, const char *text)
{
	struct page_dash_frame f = {
	    r->ui, s != NULL ? s->user : NULL, s != NULL ? s->csrf : NULL, NULL, NULL, 0, NULL};
	struct buf b;
	int rc;

	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_message(&b, &f, title, text);
	dash_respond_html(r, status, &b, rc, NULL);
}

void dash_client_address(struct http_req *r, char *out, size_t n)
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

void dash_targets_of(const struct config *cfg, double t[STATS_CLOCKS])
{
	t[STATS_GUIDANCE] = cfg->target_guidance_ms / 1000.0;
	t[STATS_ACK] = cfg->target_ack_ms / 1000.0;
	t[STATS_CONTACT] = cfg->target_contact_ms / 1000.0;
	t[STATS_ONSITE] = cfg->target_onsite_ms / 1000.0;
	t[STATS_RESOLVE] = cfg->target_resolve_ms / 1000.0;
}

/* A specialist's name for a JID: "Name (jid)", or the JID alone. */
void dash_who_is(const struct roster *roster, const char *jid, char *out, size_t n)
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

static const char *const form_names[DASH_FORM_N] = {"csrf",   "user", "password",   "next",
                                                    "action", "note", "specialist", "report"};
#define FORM_N DASH_FORM_N

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

int dash_form_read(struct http_req *r, struct dash_form *f)
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

const char *dash_form_get(const struct dash_form *f, const char *name)
{
	for (size_t i = 0; i < FORM_N; i++)
		if (strcmp(name, form_names[i]) == 0)
			return f->v[i].data != NULL ? f->v[i].data : "";
	return "";
}

void dash_form_fini(struct dash_form *f)
{
	for (size_t i = 0; i < FORM_N; i++) {
		if (f->v[i].data != NULL)
			sodium_memzero(f->v[i].data, f->v[i].alloc);
		buf_fini(&f->v[i]);
	}
}

int dash_note_check(const char *note, bool required)
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

/* The session of R's cookie. Returns true with *S, or false after answering:
 * pages send the browser to the login, the API says 401. */
bool dash_need_session(struct http_req *r, const struct http_dash_parts *p, struct auth_session *s)
{
	int rc = auth_session_get(p->auth, dash_cookie(r, "kk_session"), s);
	char location[128];

	if (rc == 0)
		return true;
	if (rc != -ENOENT) {
		dash_message(
		    r, 503, NULL, T("いま使えません", "Unavailable"),
		    T("少し待ってからもう一度お試しください。", "Please try again shortly."));
		return false;
	}
	if (r->rt->side == HTTP_API) {
		http_respond_error(r, 401,
		                   "Log in at /login first; the session cookie is missing "
		                   "or has expired.",
		                   NULL);
		return false;
	}
	snprintf(location, sizeof location, "/login?next=%s%s",
	         r->rt->login_next != NULL ? r->rt->login_next : "/dashboard",
	         r->rt->login_next != NULL && r->rt->arg ? r->arg : "");
	dash_redirect(r, location, NULL, NULL);
	return false;
}

bool dash_csrf_checked(struct http_req *r, const struct auth_session *s, const char *given)
{
	if (auth_csrf_ok(s, given))
		return true;
	log_warnx("http: %s: a form without its CSRF token was refused", s->user);
	dash_message(
	    r, 403, s, T("送信できませんでした", "Not accepted"),
	    T("フォームの有効期限が切れたか、別のサイトから送られました。ページを開き直してか"
	      "ら、もう一度送信してください。",
	      "The form had expired or came from another site. Open the page again and send "
	      "it from there."));
	return false;
}

/* ---- the entry ---- */

bool http_dash_enter(struct http_req *r)
{
	const struct http_dash_parts *p = http_dash_parts(r);

	pick_language(r);
	if (p == NULL) {
		dash_message(r, 503, NULL, T("準備中", "Starting"),
		             T("まだ使えません。少し待ってください。",
		               "Not ready yet; please wait a moment."));
		return false;
	}
	return r->rt->who != HTTP_COORDINATOR || dash_need_session(r, p, &r->session);
}

void http_dash_method(struct http_req *r)
{
	bool logout = strcmp(r->rt->path, "/logout") == 0;

	pick_language(r);
	dash_message(r, 405, NULL, T("この方法では使えません", "Method not allowed"),
	             logout ? T("ログアウトはボタンから行ってください。",
	                        "Use the Log out button to log out.")
	                    : T("このページは表示するだけです。", "This page is read-only."));
}

void http_dash_favicon(struct http_req *r)
{
	struct buf b;

	buf_init(&b, 1);
	dash_respond(r, 204, "image/x-icon", &b, NULL); /* browsers ask; there is none */
}

void http_dash_css(struct http_req *r)
{
	http_respond_css(r, true);
}
