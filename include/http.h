/* SPDX-License-Identifier: ISC */
/*
 * http — the HTTP server: libmicrohttpd in external-epoll mode driven by the
 * libuv loop (a uv_poll_t on MHD's epoll fd, a uv_timer_t re-armed from
 * MHD_get_timeout after every MHD_run). Requests that wait for the store are
 * suspended and resumed; nothing runs on MHD's own threads.
 */
#ifndef KK_HTTP_H
#define KK_HTTP_H

#include <uv.h>

#include "config.h"
#include "escalate.h"
#include "playbook.h"
#include "store.h"

struct http_server;
struct report;

/*
 * Starts listening on CFG's address. CFG, ST, *PBS, *ROSTER, ESC and RP
 * must outlive the server; *PBS and *ROSTER are read at every request, so
 * the caller may swap them between loop iterations (reload). RP takes the
 * reports of the form and the API (report.h); ESC (may be NULL) is told
 * when a dashboard action settles a case. Returns 0 or a negative errno.
 */
int http_start(struct http_server **out, uv_loop_t *loop, const struct config *cfg,
               struct store *st, struct playbook_set *const *pbs, struct roster *const *roster,
               struct escalate *esc, struct report *rp);

struct auth;
struct stats;

/* What the coordinators' side (http_dash.h: dashboard, /api/v1/stats,
 * /metrics) works with; all must outlive the server. */
struct http_dash_parts {
	struct auth *auth;
	struct stats *stats;
	struct notify *notify; /* told when a dashboard action queues a message; may be NULL */
};

/* Hands the coordinators' parts to SRV; until then those pages answer 503. */
void http_dash_attach(struct http_server *srv, const struct http_dash_parts *parts);

/* Stops accepting new connections; requests under way go on. */
void http_quiesce(struct http_server *srv);

/* The number of requests waiting for the store. */
unsigned http_waiting(const struct http_server *srv);

/* Connections still open (answers not yet sent, idle keep-alives). */
unsigned http_connections(const struct http_server *srv);

/* Closes every connection and handle; the struct is freed by the loop. NULL is allowed. */
void http_stop(struct http_server *srv);

#endif
