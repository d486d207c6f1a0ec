/* SPDX-License-Identifier: ISC */
/*
 * http_req — the request as the HTTP handler modules (http_api, http_form)
 * see it, and the helpers http.c gives them to answer. Not for use outside
 * the http modules.
 */
#ifndef KK_HTTP_REQ_H
#define KK_HTTP_REQ_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "case.h"
#include "config.h"
#include "escalate.h"
#include "roster.h"
#include "guidance.h"
#include "http.h"
#include "intake.h"
#include "playbook.h"
#include "report.h"
#include "store.h"

#define HTTP_BODY_MAX (64 * 1024)

/* Who may call a route. */
enum http_who {
	HTTP_ANYONE,      /* reporters, the public API, the login page */
	HTTP_COORDINATOR, /* a coordinator's session cookie (http_dash.h) */
	HTTP_SCRAPER,     /* an address in [metrics] allow */
};

/* How a route's errors look. */
enum http_side {
	HTTP_PAGES, /* the reporters' pages */
	HTTP_API,   /* JSON: {"error": ..., "field": ...} */
	HTTP_DASH,  /* the coordinators' pages */
};

#define HTTP_GET  1u /* and HEAD */
#define HTTP_POST 2u

#define HTTP_JSON_BODY 1u /* a POST body is JSON (else a form) */
#define HTTP_CACHED    2u /* a static file: cacheable */
#define HTTP_LIMITED   4u /* a POST is a report: it counts against the intake limit */

struct http_req;

/* One row of http.c's route table. */
struct http_route {
	const char *path; /* the whole path, or with ARG what comes before the segment */
	bool arg;         /* one path segment follows PATH, into http_req.arg */
	const char *tail; /* with ARG, what follows the segment ("/draft"), or NULL */
	unsigned methods; /* HTTP_GET, HTTP_POST */
	enum http_side side;
	enum http_who who;
	unsigned flags;
	void (*handler)(struct http_req *r);
	const char *login_next; /* HTTP_COORDINATOR pages: where the login leads
	                         * back to (with ARG appended), NULL: /dashboard */
};

struct http_server;
struct form_values;

struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	const struct http_route *rt; /* NULL: no such path */
	bool post, head;
	char arg[64]; /* the path's variable part: a reference or playbook id */
	enum lang ui; /* page language from ?lang=, Japanese by default */
	struct buf body;
	bool too_large;
	int64_t received_ms; /* wall clock when the request arrived */
	int64_t mono_us;     /* monotonic clock when the request arrived */
	struct MHD_Response *response;
	unsigned status;
	bool suspended;
	struct http_req *next_waiting, *prev_waiting;
	/* a report in progress */
	struct case_input in;
	struct report_case rep; /* the case made of IN (report.h) */
	struct form_values *form;
	void (*stored)(struct http_req *r, int status);
	/* set when the response carries a case's first guidance */
	int64_t guidance_case_id;
	struct auth_session session; /* HTTP_COORDINATOR routes: whose */
	/* the client as a trusted proxy names it (http_client_address) */
	bool client_known, client_ok;
	struct sockaddr_storage client;
};

const struct config *http_config(const struct http_req *r);

/* Answers with the reporter's style sheet (web/app.css) or, with
 * DASHBOARD, the coordinators' (web/dash.css), both read at start. */
void http_respond_css(struct http_req *r, bool dashboard);

/*
 * The client's address: the peer's, or, when the peer is one of [http]
 * trusted_proxies, the right-most address of Forwarded (for=) or else of
 * X-Forwarded-For that is not a trusted proxy. NULL when unknown.
 */
const struct sockaddr *http_client_address(struct http_req *r);
const struct playbook_set *http_playbooks(const struct http_req *r);
struct store *http_store(const struct http_req *r);
const struct roster *http_roster(const struct http_req *r);

/* A query-string argument or request header (borrowed), or NULL. */
const char *http_query(struct http_req *r, const char *key);
const char *http_header(struct http_req *r, const char *key);

/* Answers with BODY (its storage is taken over) as CTYPE. */
void http_respond(struct http_req *r, unsigned status, const char *ctype, struct buf *body);
/* Answers with O serialised (the reference is stolen). */
void http_respond_json(struct http_req *r, unsigned status, json_t *o);
/* Answers {"error": MSG, "field": FIELD or null}. */
void http_respond_error(struct http_req *r, unsigned status, const char *msg, const char *field);
/* As http_respond, adding HEADERS: NULL-terminated name, value, name,
 * value ... (a name may repeat, as Set-Cookie does). */
void http_respond_headers(struct http_req *r, unsigned status, const char *ctype, struct buf *body,
                          const char *const *headers);

/* Suspends R until it is answered with one of the http_respond functions
 * (from a store or thread-pool callback on the loop). */
void http_suspend(struct http_req *r);

struct escalate *http_escalate(const struct http_req *r);
/* The coordinators' parts, or NULL before http_dash_attach. */
const struct http_dash_parts *http_dash_parts(const struct http_req *r);

/*
 * Stores R->in as a new case through the one intake path (report.h),
 * suspending the request; STORED runs on the loop once the commit is done
 * (status 0, with R->rep.nc.ref, R->rep.token filled) or failed, and must
 * answer the request.
 */
void http_case_submit(struct http_req *r, void (*stored)(struct http_req *r, int status));

/* "<public_url>/cases/<ref>?t=<token>" into B. */
int http_status_url(struct http_req *r, struct buf *b, const char *ref, const char *token);

/*
 * Loads case REF if TOKEN opens it. Returns 0 with *OUT, or -ENOENT for an
 * unknown case, a wrong, expired or revoked token alike.
 */
int http_case_lookup(struct http_req *r, const char *ref, const char *token,
                     struct case_record **out);

/* Handlers, in http_api.c and http_form.c. */
void http_api_health(struct http_req *r);
void http_api_playbooks(struct http_req *r);
void http_api_playbook(struct http_req *r);
void http_api_case_post(struct http_req *r);
void http_api_case_get(struct http_req *r);
void http_api_oncall(struct http_req *r);
void http_form_get(struct http_req *r);
void http_form_post(struct http_req *r);
void http_case_page(struct http_req *r);
void http_form_free(struct form_values *f);

/*
 * The form's fields without a request, for http_form_post and the form
 * fuzzer. http_form_new returns an empty set (NULL when out of memory; free
 * with http_form_free). http_form_decode feeds the LEN bytes of BODY through
 * MHD's post processor for CONN's Content-Type (URL-encoded or multipart):
 * 0, or -ENOTSUP when MHD has no decoder for it. http_form_check runs
 * intake_check (INTAKE_FORM) over F; on -EINVAL it also drops values that
 * are not UTF-8, so that http_form_value (a page_value_cb: borrowed, NULL
 * when the field was not sent) is safe to show again.
 */
struct form_values *http_form_new(void);
int http_form_decode(struct MHD_Connection *conn, const char *body, size_t len,
                     struct form_values *f);
int http_form_check(struct form_values *f, const struct playbook_set *set, int64_t now_ms,
                    struct case_input *in, struct intake_errors *errs);
const char *http_form_value(void *src, const char *field);

#endif
