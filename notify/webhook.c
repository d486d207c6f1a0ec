/* SPDX-License-Identifier: ISC */
/*
 * webhook — the webhook channel: each case event as a JSON POST to every
 * [webhook] url, signed with HMAC-SHA256 of the body under [webhook] secret
 * (X-Kakekomi-Signature: sha256=HEX) and carrying an Idempotency-Key, so
 * that a receiver can drop the repeats at-least-once delivery brings. A row
 * is taken on a 2xx. The rows themselves are written with each timeline
 * event by the store (the trigger events_webhooks of store.c) for the
 * targets this channel records at its start.
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curl_driver.h"
#include "log.h"
#include "notify.h"
#include "store_outbox.h"

/* One POST on the wire; what curl reads must live until it is done. */
struct post {
	struct curl_channel *w;
	int64_t id;
	int attempts;
	char kind[24];
	char url[1024];
	char *body;
	struct curl_slist *headers;
};

static void post_free(struct post *p)
{
	curl_slist_free_all(p->headers);
	free(p->body);
	free(p);
}

/* Where a webhook URL posts to, for the log: "scheme://host:port", never its
 * user, password, path or query (any may be a credential). */
static void url_origin(const char *url, char *out, size_t cap)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		snprintf(out, cap, "%s://%s:%s", scheme, host, port);
	else
		snprintf(out, cap, "a webhook");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

static void on_sent(void *arg, CURLcode rc, long status, const char *error)
{
	struct post *p = arg;
	char why[256], where[300];

	if (rc == CURLE_OK && status >= 200 && status < 300) {
		log_debug("webhook: %s %" PRId64 " delivered", p->kind, p->id);
		notify_channel_done(p->w->host, p->id, NOTIFY_TAKEN, NULL);
	} else {
		if (rc != CURLE_OK)
			snprintf(why, sizeof why, "%s", error);
		else
			snprintf(why, sizeof why, "HTTP %ld", status);
		url_origin(p->url, where, sizeof where);
		log_warnx("webhook: %s to %s failed (attempt %d): %s", p->kind, where,
		          p->attempts + 1, why);
		notify_channel_done(p->w->host, p->id, NOTIFY_RETRY, why);
	}
	post_free(p);
}

static size_t discard(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

static CURL *post_easy(const struct config *cfg, struct post *p)
{
	CURL *e = curl_easy_init();
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
	char line[256];
	crypto_auth_hmacsha256_state st;
	const char *key = cfg->webhook_secret;

	if (e == NULL)
		return NULL;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)p->body, strlen(p->body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	p->headers = curl_slist_append(p->headers, "Content-Type: application/json");
	snprintf(line, sizeof line, "X-Kakekomi-Signature: sha256=%s", hex);
	p->headers = curl_slist_append(p->headers, line);
	snprintf(line, sizeof line, "Idempotency-Key: kk-%" PRId64, p->id);
	p->headers = curl_slist_append(p->headers, line);
	p->headers = curl_slist_append(p->headers, "User-Agent: kakekomi");
	curl_easy_setopt(e, CURLOPT_URL, p->url);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	return e;
}

static int send_row(void *self, const struct notify_row *row)
{
	struct curl_channel *w = self;
	struct post *p = calloc(1, sizeof *p);
	CURL *e;

	if (p == NULL)
		return -ENOMEM;
	if (strlen(row->recipient) >= sizeof p->url) {
		free(p);
		return -EINVAL;
	}
	p->w = w;
	p->id = row->id;
	p->attempts = (int)row->attempts;
	snprintf(p->kind, sizeof p->kind, "%s", row->kind != NULL ? row->kind : "");
	snprintf(p->url, sizeof p->url, "%s", row->recipient);
	p->body = strdup(row->body);
	e = p->body != NULL ? post_easy(w->cfg, p) : NULL;
	if (e == NULL) {
		post_free(p);
		return -ENOMEM;
	}
	if (curl_driver_add(w->curl, e, on_sent, p) < 0) {
		post_free(p);
		return -EIO;
	}
	return 0;
}

/* The targets are recorded at every start, so that a URL taken out of the
 * configuration gets no more rows. */
static int tx_targets(struct store_tx *tx, void *arg)
{
	return store_webhook_targets_set(tx, arg);
}

static void on_targets_written(void *arg, int status)
{
	struct curl_channel *w = arg;

	w->writes--;
	if (status < 0)
		log_warn(status, "webhook: targets not recorded");
}

/* Always started: even with no URL left, the targets must be cleared. */
static bool configured(const struct config *cfg)
{
	(void)cfg;
	return true;
}

static int start(void **self, const struct notify_env *env)
{
	struct curl_channel *w;
	int rc = curl_channel_start(self, env);

	if (rc < 0)
		return rc;
	w = *self;
	if (store_write(w->store, tx_targets, (void *)env->cfg->webhook_urls, on_targets_written,
	                w) == 0)
		w->writes++;
	return 0;
}

/* Rows queued for an earlier configuration wait while none is set. */
static bool ready(const void *self)
{
	const struct curl_channel *w = self;

	return w->cfg->webhook_secret[0] != '\0' || w->cfg->webhook_urls[0] != '\0';
}

/* Each URL has its own budget. */
static const char *target(const void *self, const struct notify_row *row)
{
	(void)self;
	return row->recipient;
}

/* The targets' write, if still queued at a stop, points at the channel: the
 * daemon drains the store before it stops the channels. */
const struct notify_channel notify_webhook_channel = {
    .name = "webhook",
    .batch = 500,
    .max_inflight = 1000,
    .configured = configured,
    .start = start,
    .ready = ready,
    .target = target,
    .send = send_row,
    .pending = curl_channel_pending,
    .stop = curl_channel_stop,
};
