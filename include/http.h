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

#include "services.h"
#include "config.h"
#include "escalate.h"
#include "playbook.h"
#include "store.h"

struct http_server;
struct report;

/*
 * Starts listening on SV's cfg address; SV must outlive the server. The
 * playbooks and the roster are read at every request, so the owner may
 * swap them between loop iterations (reload). SV's report takes the
 * reports of the form and the API (report.h); its esc (may be NULL) is
 * told when a dashboard action settles a case. Returns 0 or a negative
 * errno.
 */
int http_start(struct http_server **out, const struct services *sv);

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
