/* SPDX-License-Identifier: ISC */
/*
 * http — libmicrohttpd on the libuv loop; see http.h.
 *
 * Two rules from MHD 0.9.75 shape this file: MHD_get_timeout is honoured
 * after every MHD_run (edge-triggered sockets that MHD could not drain
 * signal nothing again), and after MHD_resume_connection we run MHD
 * ourselves from a 0 ms timer, because external mode has no wake-up
 * channel. Handlers live in http_api.c and http_form.c.
 */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_dash.h"
#include "http_req.h"
#include "log.h"
#include "page.h"
#include "ratelimit.h"
#include "report.h"
#include "text.h"

#define HTTP_STATIC_MAX (256 * 1024)
#define HTTP_PEM_MAX    (64 * 1024)

struct http_server {
	const struct services *sv; /* the shared parts (services.h) */
	struct MHD_Daemon *mhd;
	uv_poll_t poll;
	uv_timer_t timer;
	int handles_open;
	bool stopping;
	struct http_req *waiting; /* suspended requests */
	unsigned nwaiting;
	char *css, *dash_css; /* web/app.css and web/dash.css, read at start */
	size_t css_len, dash_css_len;
	struct ratelimit *intake_limit; /* POST /report and POST /api/v1/cases */
	char *tls_cert, *tls_key;       /* PEM, kept until MHD has stopped */
	struct http_dash_parts dash;    /* coordinators' side; zero until attached */
	bool dash_attached;
};

static const char security_csp[] =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

const struct config *http_config(const struct http_req *r)
{
	return r->srv->sv->cfg;
}

const struct playbook_set *http_playbooks(const struct http_req *r)
{
	return *r->srv->sv->pbs;
}

struct store *http_store(const struct http_req *r)
{
	return r->srv->sv->store;
}

const struct roster *http_roster(const struct http_req *r)
{
	return *r->srv->sv->roster;
}

struct escalate *http_escalate(const struct http_req *r)
{
	return r->srv->sv->esc;
}

const struct http_dash_parts *http_dash_parts(const struct http_req *r)
{
	return r->srv->dash_attached ? &r->srv->dash : NULL;
}

void http_dash_attach(struct http_server *srv, const struct http_dash_parts *parts)
{
	srv->dash = *parts;
	srv->dash_attached = true;
}

const char *http_query(struct http_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(struct http_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

/* ---- driving MHD from the loop ---- */

static void on_mhd_timer(uv_timer_t *t);

static void run_mhd(struct http_server *srv)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (srv->mhd == NULL)
		return;
	MHD_run(srv->mhd);
	if (srv->stopping)
		return;
	if (MHD_get_timeout(srv->mhd, &ms) == MHD_YES)
		uv_timer_start(&srv->timer, on_mhd_timer, (uint64_t)ms, 0);
	else
		uv_timer_stop(&srv->timer);
}

static void on_mhd_timer(uv_timer_t *t)
{
	run_mhd(t->data);
}

static void on_mhd_poll(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	run_mhd(p->data);
}

/* Runs MHD from the loop as soon as possible (after a resume). */
static void kick(struct http_server *srv)
{
	if (!srv->stopping)
		uv_timer_start(&srv->timer, on_mhd_timer, 0, 0);
}

/* GnuTLS priorities for HTTPS: TLS 1.3 and 1.2 only, and of 1.2 only the
 * AEAD suites (GCM, CCM, ChaCha20-Poly1305) with ECDHE: no CBC, no RSA key
 * exchange, no SHA-1 MACs. */
#define HTTP_TLS_PRIORITIES                                                                        \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:"        \
	"+CHACHA20-POLY1305:+AES-256-CCM:+AES-128-CCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:"        \
	"+ECDHE-RSA:+DHE-RSA"

/* ---- answering ---- */

static void add_common_headers(const struct http_req *r, struct MHD_Response *resp,
                               const char *ctype, bool cacheable)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (r->srv->tls_cert != NULL)
		/* Once a browser has been here over HTTPS, never plain HTTP again. */
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	MHD_add_response_header(resp, "Content-Security-Policy", security_csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        cacheable ? "public, max-age=3600" : "no-store");
}

static void unlink_waiting(struct http_req *r)
{
	struct http_server *srv = r->srv;

	if (r->prev_waiting != NULL)
		r->prev_waiting->next_waiting = r->next_waiting;
	else if (srv->waiting == r)
		srv->waiting = r->next_waiting;
	if (r->next_waiting != NULL)
		r->next_waiting->prev_waiting = r->prev_waiting;
	r->next_waiting = r->prev_waiting = NULL;
}

static void set_response(struct http_req *r, unsigned status, struct MHD_Response *resp)
{
	if (r->response != NULL)
		MHD_destroy_response(r->response);
	r->response = resp;
	r->status = status;
	if (r->suspended) {
		r->suspended = false;
		unlink_waiting(r);
		r->srv->nwaiting--;
		MHD_resume_connection(r->conn);
		kick(r->srv);
	}
}

void http_respond(struct http_req *r, unsigned status, const char *ctype, struct buf *body)
{
	size_t len = body->len;
	char *data = buf_steal(body);
	struct MHD_Response *resp;

	if (data == NULL) {
		len = 0;
		data = NULL;
	}
	resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(data);
		return;
	}
	add_common_headers(r, resp, ctype,
	                   r->rt != NULL && (r->rt->flags & HTTP_CACHED) != 0 && status == 200);
	set_response(r, status, resp);
}

void http_respond_headers(struct http_req *r, unsigned status, const char *ctype, struct buf *body,
                          const char *const *headers)
{
	size_t len = body->len;
	char *data = buf_steal(body);
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);

	if (resp == NULL) {
		free(data);
		return;
	}
	add_common_headers(r, resp, ctype, false);
	for (size_t i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
		MHD_add_response_header(resp, headers[i], headers[i + 1]);
	set_response(r, status, resp);
}

void http_suspend(struct http_req *r)
{
	struct http_server *srv = r->srv;

	MHD_suspend_connection(r->conn);
	r->suspended = true;
	r->next_waiting = srv->waiting;
	if (srv->waiting != NULL)
		srv->waiting->prev_waiting = r;
	srv->waiting = r;
	srv->nwaiting++;
}

void http_respond_json(struct http_req *r, unsigned status, json_t *o)
{
	struct buf b;
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	buf_init(&b, SIZE_MAX / 2);
	if (s == NULL) {
		buf_puts(&b, "{\"error\":\"out of memory\",\"field\":null}");
		status = 500;
	} else {
		buf_puts(&b, s);
		free(s);
	}
	buf_puts(&b, "\n");
	http_respond(r, status, "application/json; charset=utf-8", &b);
}

void http_respond_error(struct http_req *r, unsigned status, const char *msg, const char *field)
{
	http_respond_json(r, status, json_pack("{s:s,s:s?}", "error", msg, "field", field));
}

/* ---- cases: submit and look up ---- */

static void on_case_stored(struct report_case *rc, int status)
{
	struct http_req *r = rc->arg;

	r->stored(r, status);
}

void http_case_submit(struct http_req *r, void (*stored)(struct http_req *r, int status))
{
	int rc;

	r->rep.in = &r->in;
	r->rep.received_ms = r->received_ms;
	r->rep.arg = r;
	r->stored = stored;
	rc = report_submit(r->srv->sv->report, &r->rep, on_case_stored);
	if (rc < 0) {
		stored(r, rc);
		return;
	}
	http_suspend(r);
}

int http_status_url(struct http_req *r, struct buf *b, const char *ref, const char *token)
{
	return buf_printf(b, "%s/cases/%s?t=%s", r->srv->sv->cfg->http_public_url, ref, token);
}

int http_case_lookup(struct http_req *r, const char *ref, const char *token,
                     struct case_record **out)
{
	static const unsigned char nothing[TOKEN_HASH_LEN];
	unsigned char hash[TOKEN_HASH_LEN];
	struct case_record *rec = NULL;
	char upper[CASE_REF_LEN + 1];
	bool ok;
	int rc;

	*out = NULL;
	snprintf(upper, sizeof upper, "%s", ref);
	for (char *p = upper; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	token_hash(token != NULL ? token : "", hash);
	rc = token_ref_valid(upper) && strlen(ref) == CASE_REF_LEN
	         ? store_case_load(r->srv->sv->store, upper, &rec)
	         : -ENOENT;
	if (rc < 0 && rc != -ENOENT)
		return rc;
	/* Compare even when there is no case, so both paths cost the same. */
	ok = token_hash_equal(hash, rec != NULL ? rec->token_hash : nothing) && rec != NULL &&
	     token != NULL && !rec->token_revoked && rec->token_expires_ms > text_now_ms();
	if (!ok) {
		case_record_free(rec);
		return -ENOENT;
	}
	*out = rec;
	return 0;
}

/* ---- routing ---- */

/* GET /: to the form, in the language asked for. */
static void root(struct http_req *r)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);

	if (resp == NULL)
		return;
	add_common_headers(r, resp, "text/plain; charset=utf-8", false);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
	                        r->ui == LANG_EN ? "/report?lang=en" : "/report");
	set_response(r, 303, resp);
}

static void app_css(struct http_req *r)
{
	http_respond_css(r, false);
}

/* The one route table: every path the server answers, the methods it
 * takes, who may call it and what answers it. A path may stand twice, once
 * per method. Only reports count against the intake limit (HTTP_LIMITED):
 * the login has its own throttle (auth.h), and a coordinator's actions on a
 * busy day are not a flood. */
static const struct http_route routes[] = {
    /* the reporters */
    {"/", false, NULL, HTTP_GET, HTTP_PAGES, HTTP_ANYONE, 0, root, NULL},
    {"/report", false, NULL, HTTP_GET, HTTP_PAGES, HTTP_ANYONE, 0, http_form_get, NULL},
    {"/report", false, NULL, HTTP_POST, HTTP_PAGES, HTTP_ANYONE, HTTP_LIMITED, http_form_post,
     NULL},
    {"/cases/", true, NULL, HTTP_GET, HTTP_PAGES, HTTP_ANYONE, 0, http_case_page, NULL},
    {"/static/app.css", false, NULL, HTTP_GET, HTTP_PAGES, HTTP_ANYONE, HTTP_CACHED, app_css, NULL},
    /* the public API */
    {"/healthz", false, NULL, HTTP_GET, HTTP_API, HTTP_ANYONE, 0, http_api_health, NULL},
    {"/api/v1/playbooks", false, NULL, HTTP_GET, HTTP_API, HTTP_ANYONE, 0, http_api_playbooks,
     NULL},
    {"/api/v1/playbooks/", true, NULL, HTTP_GET, HTTP_API, HTTP_ANYONE, 0, http_api_playbook, NULL},
    {"/api/v1/cases", false, NULL, HTTP_POST, HTTP_API, HTTP_ANYONE, HTTP_JSON_BODY | HTTP_LIMITED,
     http_api_case_post, NULL},
    {"/api/v1/cases/", true, NULL, HTTP_GET, HTTP_API, HTTP_ANYONE, 0, http_api_case_get, NULL},
    /* the coordinators */
    {"/login", false, NULL, HTTP_GET, HTTP_DASH, HTTP_ANYONE, 0, http_dash_login_get, NULL},
    {"/login", false, NULL, HTTP_POST, HTTP_DASH, HTTP_ANYONE, 0, http_dash_login_post, NULL},
    {"/logout", false, NULL, HTTP_POST, HTTP_DASH, HTTP_COORDINATOR, 0, http_dash_logout, NULL},
    {"/dashboard", false, NULL, HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0, http_dash_queue, NULL},
    {"/dashboard/cases/", true, NULL, HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0, http_dash_case_get,
     "/dashboard/cases/"},
    {"/dashboard/cases/", true, NULL, HTTP_POST, HTTP_DASH, HTTP_COORDINATOR, 0,
     http_dash_case_post, "/dashboard/cases/"},
    {"/dashboard/cases/", true, "/draft", HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0, http_dash_draft,
     NULL},
    {"/dashboard/figures", false, NULL, HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0, http_dash_figures,
     "/dashboard/figures"},
    {"/dashboard/coverage", false, NULL, HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0,
     http_dash_coverage, "/dashboard/coverage"},
    {"/dashboard/map.svg", false, NULL, HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0, http_dash_map,
     NULL},
    {"/dashboard/histogram.svg", false, NULL, HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0,
     http_dash_histogram, NULL},
    {"/dashboard/cases.csv", false, NULL, HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0,
     http_dash_csv_cases, NULL},
    {"/dashboard/figures.csv", false, NULL, HTTP_GET, HTTP_DASH, HTTP_COORDINATOR, 0,
     http_dash_csv_figures, NULL},
    {"/static/dash.css", false, NULL, HTTP_GET, HTTP_DASH, HTTP_ANYONE, 0, http_dash_css, NULL},
    {"/favicon.ico", false, NULL, HTTP_GET, HTTP_DASH, HTTP_ANYONE, 0, http_dash_favicon, NULL},
    {"/api/v1/stats", false, NULL, HTTP_GET, HTTP_API, HTTP_COORDINATOR, 0, http_dash_stats, NULL},
    /* names and schedules: coordinators only */
    {"/api/v1/oncall", false, NULL, HTTP_GET, HTTP_API, HTTP_COORDINATOR, 0, http_api_oncall, NULL},
    {"/metrics", false, NULL, HTTP_GET, HTTP_DASH, HTTP_SCRAPER, 0, http_dash_metrics, NULL},
};

#define NROUTES (sizeof routes / sizeof routes[0])

/* Whether URL is RT's path; the segment of an ARG route into R->arg. */
static bool path_matches(struct http_req *r, const struct http_route *rt, const char *url)
{
	size_t n = strlen(rt->path), seg;
	const char *rest = url + n, *end;

	if (!rt->arg)
		return strcmp(url, rt->path) == 0;
	if (strncmp(url, rt->path, n) != 0)
		return false;
	end = strchr(rest, '/');
	seg = end != NULL ? (size_t)(end - rest) : strlen(rest);
	if (seg == 0 || seg >= sizeof r->arg)
		return false;
	if (rt->tail != NULL ? end == NULL || strcmp(end, rt->tail) != 0 : end != NULL)
		return false;
	memcpy(r->arg, rest, seg);
	r->arg[seg] = '\0';
	return true;
}

/* The route for URL and METHOD into R->rt (NULL: no such path). Returns
 * false when the path is known but not for METHOD (R->rt then names the
 * path, for the error's form). */
static bool route(struct http_req *r, const char *url, unsigned method)
{
	const struct http_route *path = NULL;

	r->rt = NULL;
	for (size_t i = 0; i < NROUTES; i++) {
		if (!path_matches(r, &routes[i], url))
			continue;
		if ((routes[i].methods & method) != 0) {
			r->rt = &routes[i];
			return true;
		}
		if (path == NULL)
			path = &routes[i];
	}
	r->rt = path;
	return path == NULL;
}

static bool is_api(const struct http_req *r)
{
	return r->rt != NULL && r->rt->side == HTTP_API;
}

/* Answers an error in the form the client reads: JSON on the API, a page otherwise. */
static void respond_problem(struct http_req *r, unsigned status, const char *ja, const char *en)
{
	struct buf b;

	if (is_api(r)) {
		http_respond_error(r, status, en, NULL);
		return;
	}
	buf_init(&b, PAGE_MAX);
	page_message(&b, r->ui, r->ui == LANG_JA ? ja : en, r->ui == LANG_JA ? ja : en);
	http_respond(r, status, "text/html; charset=utf-8", &b);
}

/* Whether R's client is one [metrics] allow names; answers 403 if not. */
static bool scraper_allowed(struct http_req *r)
{
	const struct config *cfg = r->srv->sv->cfg;
	struct buf b;

	if (config_net_match(cfg->metrics_allow, cfg->metrics_nallow, http_client_address(r)))
		return true;
	buf_init(&b, 256);
	buf_puts(&b, "# /metrics is not open to this address: add it to [metrics] allow\n");
	http_respond(r, 403, "text/plain; charset=utf-8", &b);
	return false;
}

static void dispatch(struct http_req *r)
{
	if (r->too_large) {
		respond_problem(r, 413, "送信された内容が大きすぎます(64 KiB まで)。",
		                "The request body is too large; the limit is 64 KiB.");
		return;
	}
	if (r->rt == NULL) {
		respond_problem(r, 404, "ページが見つかりません。", "Not found.");
		return;
	}
	if ((r->rt->side == HTTP_DASH || r->rt->who == HTTP_COORDINATOR) && !http_dash_enter(r))
		return;
	if (r->rt->who == HTTP_SCRAPER && !scraper_allowed(r))
		return;
	r->rt->handler(r);
}

/* 429 with Retry-After: this address sent too many reports too quickly. */
static void respond_throttled(struct http_req *r, unsigned retry_s)
{
	char ja[512], en[512], after[16];

	snprintf(en, sizeof en,
	         "Too many reports from your network in a short time. Please wait %u seconds "
	         "and send again, or call the hotline. Meanwhile, unplug the network cable "
	         "but keep the PC on.",
	         retry_s);
	if (is_api(r)) {
		http_respond_json(
		    r, 429,
		    json_pack("{s:s,s:n,s:i}", "error", en, "field", "retry_after", (int)retry_s));
	} else {
		struct buf b;

		snprintf(ja, sizeof ja,
		         "短い時間にこのネットワークからの送信が多すぎます。%u "
		         "秒待ってからもう一度送信するか、電話でご相談ください。その間も、LAN"
		         "ケーブルを抜き、電源は切らずにおいてください。",
		         retry_s);
		buf_init(&b, PAGE_MAX);
		page_message(&b, r->ui,
		             r->ui == LANG_JA ? "少し待ってから送信してください"
		                              : "Please wait a moment",
		             r->ui == LANG_JA ? ja : en);
		http_respond(r, 429, "text/html; charset=utf-8", &b);
	}
	if (r->response != NULL) {
		snprintf(after, sizeof after, "%u", retry_s);
		MHD_add_response_header(r->response, MHD_HTTP_HEADER_RETRY_AFTER, after);
	}
}

/* One address of a forwarding header ("203.0.113.5", "198.51.100.7:8080",
 * "[2001:db8::1]:443", quoted or not) into SS. */
static bool parse_forwarded_address(const char *s, size_t n, struct sockaddr_storage *ss)
{
	char text[INET6_ADDRSTRLEN + 8];
	char *end;

	while (n > 0 && (*s == ' ' || *s == '"')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '"'))
		n--;
	if (n == 0 || n >= sizeof text)
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	memset(ss, 0, sizeof *ss);
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (end == NULL)
			return false;
		*end = '\0';
		ss->ss_family = AF_INET6;
		return inet_pton(AF_INET6, text + 1,
		                 &((struct sockaddr_in6 *)(void *)ss)->sin6_addr) == 1;
	}
	if (strchr(text, '.') != NULL) {
		end = strchr(text, ':');
		if (end != NULL)
			*end = '\0';
		ss->ss_family = AF_INET;
		return inet_pton(AF_INET, text, &((struct sockaddr_in *)(void *)ss)->sin_addr) == 1;
	}
	ss->ss_family = AF_INET6;
	return inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)(void *)ss)->sin6_addr) == 1;
}

/* The value of ITEM's "for=" pair (Forwarded: for=...;proto=...), or NULL. */
static const char *forwarded_for(const char *item, const char *end, size_t *n)
{
	for (const char *p = item; p < end;) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi != NULL ? semi : end;

		while (p < stop && *p == ' ')
			p++;
		if ((size_t)(stop - p) > 4 && strncasecmp(p, "for=", 4) == 0) {
			*n = (size_t)(stop - p - 4);
			return p + 4;
		}
		p = semi != NULL ? semi + 1 : end;
	}
	return NULL;
}

/* The right-most address of HEADER (comma-separated) that is not one of our
 * proxies: those to its left are whatever the client wrote. */
static bool client_from_header(const struct config *cfg, const char *header, bool forwarded,
                               struct sockaddr_storage *out)
{
	const char *end = header + strlen(header);

	while (end > header) {
		const char *start = end;
		const char *a = NULL;
		size_t n = 0;

		while (start > header && start[-1] != ',')
			start--;
		if (forwarded) {
			a = forwarded_for(start, end, &n);
		} else {
			a = start;
			n = (size_t)(end - start);
		}
		if (a == NULL || !parse_forwarded_address(a, n, out))
			return false;
		if (!config_net_match(cfg->http_proxies, cfg->http_nproxies,
		                      (const struct sockaddr *)out))
			return true;
		end = start > header ? start - 1 : header;
	}
	return false;
}

const struct sockaddr *http_client_address(struct http_req *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *peer = ci != NULL ? ci->client_addr : NULL;
	const struct config *cfg = r->srv->sv->cfg;
	const char *fwd, *xff;

	if (!r->client_known) {
		r->client_known = true;
		if (peer != NULL && config_net_match(cfg->http_proxies, cfg->http_nproxies, peer)) {
			fwd = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Forwarded");
			xff = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
			                                  "X-Forwarded-For");
			r->client_ok = fwd != NULL ? client_from_header(cfg, fwd, true, &r->client)
			               : xff != NULL
			                   ? client_from_header(cfg, xff, false, &r->client)
			                   : false;
		}
	}
	return r->client_ok ? (const struct sockaddr *)&r->client : peer;
}

/* Checks what can be checked before the body arrives. Returns false after
 * answering when the request cannot go on. */
static bool check_start(struct http_req *r, const char *url, const char *method)
{
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	bool post = strcmp(method, "POST") == 0;
	const char *ctype;
	const char *clen;
	unsigned retry_s;

	if (!route(r, url, get ? HTTP_GET : post ? HTTP_POST : 0)) {
		if (r->rt->side == HTTP_DASH)
			http_dash_method(r);
		else if (get)
			respond_problem(r, 405, "この方法では使えません(POST を使ってください)。",
			                "Method not allowed; use POST.");
		else
			respond_problem(r, 405, "この方法では使えません。", "Method not allowed.");
		return false;
	}
	if (get) {
		r->head = method[0] == 'H';
		return true;
	}
	if (!post || r->rt == NULL) {
		respond_problem(r, 405, "この方法では使えません。", "Method not allowed.");
		return false;
	}
	r->post = true;
	if ((r->rt->flags & HTTP_LIMITED) != 0) {
		/* Every attempt counts, valid or not, before any of the body is read. */
		retry_s = ratelimit_take(r->srv->intake_limit, http_client_address(r), r->mono_us);
		if (retry_s != 0) {
			log_debug(
			    "http: intake refused for %u s: too many reports from one address",
			    retry_s);
			respond_throttled(r, retry_s);
			return false;
		}
	}
	clen = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen != NULL && strtoull(clen, NULL, 10) > HTTP_BODY_MAX) {
		r->too_large = true;
		dispatch(r);
		return false;
	}
	ctype = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if ((r->rt->flags & HTTP_JSON_BODY) != 0) {
		if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0 ||
		    (ctype[16] != '\0' && ctype[16] != ';' && ctype[16] != ' ')) {
			http_respond_error(
			    r, 415, "Send the report as JSON with Content-Type: application/json.",
			    NULL);
			return false;
		}
	} else if (ctype == NULL ||
	           (strncasecmp(ctype, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
	                        strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) != 0 &&
	            strncasecmp(ctype, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA,
	                        strlen(MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA)) != 0)) {
		respond_problem(r, 415, "フォームの送信形式が正しくありません。",
		                "Unsupported form encoding; send the form as a web browser does.");
		return false;
	}
	return true;
}

static enum MHD_Result queue(struct http_req *r)
{
	enum MHD_Result ok = MHD_queue_response(r->conn, r->status, r->response);

	MHD_destroy_response(r->response);
	r->response = NULL;
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct http_req *r = *con_cls;
	const char *lang;

	(void)version;
	if (r == NULL) {
		r = calloc(1, sizeof *r);
		if (r == NULL)
			return MHD_NO;
		*con_cls = r;
		r->srv = srv;
		r->conn = conn;
		r->received_ms = text_now_ms();
		r->mono_us = text_mono_us();
		buf_init(&r->body, HTTP_BODY_MAX);
		lang = http_query(r, "lang");
		r->ui = lang != NULL && strcmp(lang, "en") == 0 ? LANG_EN : LANG_JA;
		if (!check_start(r, url, method))
			return r->response != NULL ? queue(r) : MHD_NO;
		return MHD_YES;
	}
	if (r->response != NULL)
		return queue(r);
	if (*upload_size != 0) {
		if (!r->too_large && buf_append(&r->body, upload_data, *upload_size) < 0)
			r->too_large = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->suspended)
		return MHD_YES;
	dispatch(r);
	if (r->response != NULL)
		return queue(r);
	return r->suspended ? MHD_YES : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_req *r = *con_cls;

	(void)conn;
	if (r == NULL)
		return;
	*con_cls = NULL;
	if (r->guidance_case_id != 0) {
		/* The first guidance was in this response: record whether it got out. */
		bool ok = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;
		int64_t elapsed = text_mono_us() - r->mono_us;
		char detail[96];

		snprintf(detail, sizeof detail, "{\"channel\":\"%s\",\"elapsed_ms\":%.3f}",
		         r->in.channel, (double)elapsed / 1000.0);
		store_event_defer(srv->sv->store, r->guidance_case_id, text_now_ms(), elapsed,
		                  ok ? EV_GUIDANCE_DELIVERED : EV_GUIDANCE_NOT_DELIVERED,
		                  r->in.channel, detail);
	}
	if (r->suspended) {
		unlink_waiting(r);
		srv->nwaiting--;
	}
	if (r->response != NULL)
		MHD_destroy_response(r->response);
	buf_fini(&r->body);
	case_input_fini(&r->in);
	http_form_free(r->form);
	free(r);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("http: %s", msg);
}

/* Reads NAME from [http] web_dir into *OUT (a missing sheet only warns). */
static int load_css(struct http_server *srv, const char *name, char **out, size_t *len)
{
	char path[4096];
	struct stat sb;
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "%s/%s", srv->sv->cfg->web_dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn(-errno, "http: %s: pages will have no style sheet", path);
		return 0;
	}
	if (fstat(fd, &sb) < 0 || sb.st_size > HTTP_STATIC_MAX) {
		close(fd);
		log_warnx("http: %s: missing or larger than 256 KiB", path);
		return 0;
	}
	*out = malloc((size_t)sb.st_size + 1);
	if (*out == NULL) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *out, (size_t)sb.st_size);
	close(fd);
	*len = n > 0 ? (size_t)n : 0;
	return 0;
}

void http_respond_css(struct http_req *r, bool dashboard)
{
	const char *css = dashboard ? r->srv->dash_css : r->srv->css;
	size_t len = dashboard ? r->srv->dash_css_len : r->srv->css_len;
	struct buf b;

	buf_init(&b, HTTP_STATIC_MAX);
	if (css == NULL || buf_append(&b, css, len) < 0) {
		buf_fini(&b);
		respond_problem(r, 404, "見つかりません。", "Not found.");
		return;
	}
	http_respond(r, 200, "text/css; charset=utf-8", &b);
}

/* Reads a PEM file (at most HTTP_PEM_MAX bytes) into a new NUL-terminated string. */
static int read_pem(const char *path, char **out)
{
	struct stat sb;
	char *pem;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	*out = NULL;
	if (fd < 0) {
		rc = -errno;
		log_error(rc, "http: cannot read %s", path);
		return rc;
	}
	if (fstat(fd, &sb) < 0 || sb.st_size <= 0 || sb.st_size > HTTP_PEM_MAX) {
		close(fd);
		log_errorx("http: %s: empty, unreadable or larger than 64 KiB", path);
		return -EINVAL;
	}
	pem = malloc((size_t)sb.st_size + 1);
	if (pem == NULL) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, pem, (size_t)sb.st_size);
	close(fd);
	if (n != (ssize_t)sb.st_size) {
		explicit_bzero(pem, (size_t)sb.st_size);
		free(pem);
		log_errorx("http: %s: short read", path);
		return -EIO;
	}
	pem[n] = '\0';
	*out = pem;
	return 0;
}

static void free_pem(char *pem)
{
	if (pem == NULL)
		return;
	explicit_bzero(pem, strlen(pem));
	free(pem);
}

/* Everything http_start allocated besides the handles. */
static void free_server(struct http_server *srv)
{
	ratelimit_free(srv->intake_limit);
	free_pem(srv->tls_cert);
	free_pem(srv->tls_key);
	free(srv->css);
	free(srv->dash_css);
	free(srv);
}

int http_start(struct http_server **out, const struct services *sv)
{
	struct http_server *srv = calloc(1, sizeof *srv);
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls[4] = {{MHD_OPTION_END, 0, NULL}};
	const struct config *cfg = sv->cfg;
	bool https = cfg->http_tls_cert[0] != '\0';
	int rc;

	if (srv == NULL)
		return -ENOMEM;
	srv->sv = sv;
	rc = load_css(srv, "app.css", &srv->css, &srv->css_len);
	if (rc == 0)
		rc = load_css(srv, "dash.css", &srv->dash_css, &srv->dash_css_len);
	if (rc < 0)
		goto bad;
	rc = ratelimit_new(&srv->intake_limit, cfg->http_rate_per_minute, cfg->http_rate_burst,
	                   RATELIMIT_SLOTS_DEFAULT, cfg->http_exempt, cfg->http_nexempt);
	if (rc < 0)
		goto bad;
	if (https) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			log_errorx("http: tls_cert is set but libmicrohttpd was built without TLS");
			rc = -ENOTSUP;
			goto bad;
		}
		rc = read_pem(cfg->http_tls_cert, &srv->tls_cert);
		if (rc == 0)
			rc = read_pem(cfg->http_tls_key, &srv->tls_key);
		if (rc < 0)
			goto bad;
		flags |= MHD_USE_TLS;
		tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert};
		tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key};
		tls[2] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
		                                 (void *)(uintptr_t)HTTP_TLS_PRIORITIES};
	}
	if (cfg->http_addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->mhd = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&cfg->http_addr,
	    MHD_OPTION_CONNECTION_LIMIT, cfg->http_max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
	    cfg->http_timeout_s, MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->http_max_per_address,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, srv, MHD_OPTION_LISTEN_BACKLOG_SIZE, 512u, MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		rc = https ? -EINVAL : -EADDRINUSE;
		if (https)
			log_errorx("http: cannot listen on %s with HTTPS (a certificate or key "
			           "that is not PEM, a key that does not fit the certificate, "
			           "or the address in use)",
			           cfg->http_listen);
		else
			log_errorx("http: cannot listen on %s (address in use, or not an address "
			           "of this machine)",
			           cfg->http_listen);
		goto bad;
	}
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		rc = -EINVAL;
		goto bad;
	}
	rc = uv_poll_init(sv->loop, &srv->poll, info->epoll_fd);
	if (rc < 0)
		goto bad;
	srv->poll.data = srv;
	srv->handles_open++;
	uv_timer_init(sv->loop, &srv->timer);
	srv->timer.data = srv;
	srv->handles_open++;
	rc = uv_poll_start(&srv->poll, UV_READABLE, on_mhd_poll);
	if (rc < 0)
		goto bad_handles;
	log_info("http: listening on %s%s (public URL %s)", cfg->http_listen,
	         https ? " with HTTPS" : "", cfg->http_public_url);
	run_mhd(srv);
	*out = srv;
	return 0;
bad_handles:
	srv->stopping = true;
	http_stop(srv);
	return rc;
bad:
	if (srv->mhd != NULL)
		MHD_stop_daemon(srv->mhd);
	free_server(srv);
	return rc;
}

void http_quiesce(struct http_server *srv)
{
	MHD_socket fd;

	if (srv == NULL || srv->mhd == NULL)
		return;
	fd = MHD_quiesce_daemon(srv->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

unsigned http_connections(const struct http_server *srv)
{
	const union MHD_DaemonInfo *info =
	    srv != NULL && srv->mhd != NULL
	        ? MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS)
	        : NULL;

	return info != NULL ? info->num_connections : 0;
}

unsigned http_waiting(const struct http_server *srv)
{
	return srv != NULL ? srv->nwaiting : 0;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct http_server *srv = h->data;

	if (--srv->handles_open == 0)
		free_server(srv);
}

void http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	srv->stopping = true;
	/* Requests still suspended have nobody left to answer them: resume them
	 * so that MHD can close them. */
	while (srv->waiting != NULL) {
		struct http_req *r = srv->waiting;

		unlink_waiting(r);
		r->suspended = false;
		srv->nwaiting--;
		MHD_resume_connection(r->conn);
	}
	if (srv->mhd != NULL) {
		MHD_stop_daemon(srv->mhd);
		srv->mhd = NULL;
	}
	uv_poll_stop(&srv->poll);
	uv_close((uv_handle_t *)&srv->poll, on_handle_closed);
	uv_close((uv_handle_t *)&srv->timer, on_handle_closed);
}
