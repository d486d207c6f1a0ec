/* SPDX-License-Identifier: ISC */
/*
 * curl_driver — one libcurl multi handle driven by the libuv loop (the
 * pattern of curl's docs/examples/multi-uv.c): a uv_poll_t per socket curl
 * asks about, one uv_timer_t for curl's timeout. Poll errors are passed on
 * as CURL_CSELECT_ERR. Completion callbacks run on the loop after curl has
 * returned, never from inside curl's own callbacks, so they may start new
 * transfers.
 */
#ifndef KK_CURL_DRIVER_H
#define KK_CURL_DRIVER_H

#include <curl/curl.h>
#include <uv.h>

struct curl_driver;

/* Runs once per transfer on the loop: RC is curl's result, STATUS the
 * response code (HTTP status, or the SMTP reply code), ERROR a message
 * (borrowed) when RC != CURLE_OK. */
typedef void (*curl_done_cb)(void *arg, CURLcode rc, long status, const char *error);

int curl_driver_start(struct curl_driver **out, uv_loop_t *loop);

/* Starts EASY (ownership moves to the driver; it is cleaned up after CB).
 * Returns 0, or a negative errno (then EASY is cleaned up and CB not run). */
int curl_driver_add(struct curl_driver *d, CURL *easy, curl_done_cb cb, void *arg);

/* Transfers under way. */
unsigned curl_driver_running(const struct curl_driver *d);

/* Aborts every transfer (their callbacks run with CURLE_ABORTED_BY_CALLBACK)
 * and closes the handles; freed by the loop. NULL is allowed. */
void curl_driver_stop(struct curl_driver *d);

/* ---- what the libcurl channels (notify/smtp.c, notify/webhook.c) share ---- */

struct notify;
struct notify_env;
struct config;
struct store;

struct curl_channel {
	struct notify *host;
	const struct config *cfg;
	struct store *store;
	struct curl_driver *curl;
	unsigned writes; /* the channel's own store writes under way */
};

/* A channel's start: *SELF is a struct curl_channel with its own driver. */
int curl_channel_start(void **self, const struct notify_env *env);

/* Its writes and transfers under way. */
unsigned curl_channel_pending(const void *self);

/* Transfers still running end now (their outcomes are not recorded: the
 * rows wait in the store); the driver is freed by the loop. */
void curl_channel_stop(void *self);

#endif
