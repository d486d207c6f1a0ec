/* SPDX-License-Identifier: ISC */
/*
 * http_login — the coordinators' login and logout; see http_dash.h. The
 * login form carries a double-submit token (kk_login cookie) since there
 * is no session yet; a login leads back only to a dashboard path.
 */
#include "http_dash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

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

static void login_page(struct http_req *r, unsigned status, const char *error, const char *next)
{
	const char *have = dash_cookie(r, "kk_login");
	char token[AUTH_TOKEN_LEN + 1], set[200], where[256];
	const char *h[3] = {"Set-Cookie", set, NULL};
	struct buf b;
	int rc;

	if (auth_token_valid(have))
		snprintf(token, sizeof token, "%s", have);
	else
		auth_token_new(token);
	dash_cookie_line(r, set, sizeof set, "kk_login", token, "/login", DASH_LOGIN_COOKIE_S);
	safe_next(next, where, sizeof where);
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_login(&b, r->ui, token, where, error);
	dash_respond_html(r, status, &b, rc, h);
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
		dash_cookie_line(r, session, sizeof session, "kk_session", token, "/",
		                 (long)(AUTH_SESSION_MS / 1000));
		dash_cookie_line(r, clear, sizeof clear, "kk_login", "", "/login", 0);
		dash_redirect(r, c->next, session, clear);
	} else if (status == -EACCES) {
		login_page(r, 401,
		           T("ユーザー名かパスワードが違います。", "Wrong user name or password."),
		           c->next);
	} else {
		dash_message(
		    r, 503, NULL, T("ログインできません", "Cannot log in"),
		    T("いまログインを記録できません。少し待ってからお試しください。",
		      "The login cannot be recorded right now; please try again shortly."));
	}
	free(c);
}

void http_dash_login_post(struct http_req *r)
{
	const struct http_dash_parts *p = http_dash_parts(r);
	struct dash_form f;
	struct login_ctx *c;
	char address[64];
	unsigned retry = 0;
	int rc;

	if (dash_form_read(r, &f) < 0) {
		dash_form_fini(&f);
		login_page(r, 415,
		           T("フォームの送信形式が違います。", "Unsupported form encoding."), NULL);
		return;
	}
	if (!auth_token_equal(dash_cookie(r, "kk_login"), dash_form_get(&f, "csrf"))) {
		login_page(r, 403,
		           T("フォームの有効期限が切れました。もう一度ログインしてください。",
		             "The form had expired; please log in again."),
		           dash_form_get(&f, "next"));
		dash_form_fini(&f);
		return;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		dash_form_fini(&f);
		return;
	}
	c->r = r;
	safe_next(dash_form_get(&f, "next"), c->next, sizeof c->next);
	dash_client_address(r, address, sizeof address);
	rc = auth_login(p->auth, dash_form_get(&f, "user"), dash_form_get(&f, "password"), address,
	                &retry, on_login, c);
	dash_form_fini(&f);
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
		dash_respond_html(r, 429, &b, rc, h);
		free(c);
		return;
	}
	if (rc < 0) {
		free(c);
		dash_message(r, 503, NULL, T("ログインできません", "Cannot log in"),
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
	dash_cookie_line(r, clear, sizeof clear, "kk_session", "", "/", 0);
	dash_redirect(r, "/login", clear, NULL);
}

void http_dash_logout(struct http_req *r)
{
	const struct http_dash_parts *p = http_dash_parts(r);
	struct dash_form f;
	bool ok;

	dash_form_read(r, &f);
	ok = dash_csrf_checked(r, &r->session, dash_form_get(&f, "csrf"));
	dash_form_fini(&f);
	if (!ok)
		return;
	if (auth_logout(p->auth, dash_cookie(r, "kk_session"), on_logged_out, r) < 0) {
		on_logged_out(r, -EIO);
		return;
	}
	http_suspend(r);
}

void http_dash_login_get(struct http_req *r)
{
	struct auth_session s;

	if (auth_session_get(http_dash_parts(r)->auth, dash_cookie(r, "kk_session"), &s) == 0)
		dash_redirect(r, "/dashboard", NULL, NULL);
	else
		login_page(r, 200, NULL, http_query(r, "next"));
}
