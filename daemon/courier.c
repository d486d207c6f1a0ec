/* SPDX-License-Identifier: ISC */
/*
 * courier — e-mail and webhook delivery from the outbox; see courier.h.
 *
 * The outbox is read on a timer (and at once when new rows are committed);
 * rows already on the wire are remembered in memory so that none is sent
 * twice at the same time. A failure moves the row's next try back, doubling
 * the wait up to ten minutes, and keeps the reason in the row.
 */
#include "courier.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "curl_driver.h"
#include "log.h"
#include "store_outbox.h"
#include "store_timeline.h"
#include "metrics_counters.h"
#include "text.h"

#define COURIER_TICK_MS        1000
#define COURIER_BATCH          100
#define COURIER_PER_TARGET     4 /* transfers at once to one target */
#define COURIER_BACKOFF_MIN_MS 1000
#define COURIER_BACKOFF_MAX_MS (10 * 60 * 1000)
#define COURIER_TARGETS        64

struct bucket {
	char target[256];
	double tokens;
	int64_t last_ms;
	unsigned busy;
};

struct courier {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store *store;
	struct roster *const *roster;
	struct curl_driver *curl;
	uv_timer_t tick;
	bool kicked, closing;
	int64_t *inflight;
	size_t ninflight, capinflight;
	struct bucket buckets[COURIER_TARGETS];
	size_t nbuckets;
	unsigned writes;
};

struct send {
	struct courier *c;
	int64_t id, case_id;
	char channel[16];
	char kind[24];
	char recipient[512];
	char *body;
	char *subject;
	struct curl_slist *headers, *rcpt;
	curl_mime *mime;
	int attempts;
	/* result */
	bool ok;
	char error[256];
	int64_t at_ms;
};

/* ---- bookkeeping ---- */

static bool is_inflight(const struct courier *c, int64_t id)
{
	for (size_t i = 0; i < c->ninflight; i++)
		if (c->inflight[i] == id)
			return true;
	return false;
}

static void drop_inflight(struct courier *c, int64_t id)
{
	for (size_t i = 0; i < c->ninflight; i++) {
		if (c->inflight[i] == id) {
			c->inflight[i] = c->inflight[--c->ninflight];
			return;
		}
	}
}

static int add_inflight(struct courier *c, int64_t id)
{
	if (c->ninflight == c->capinflight) {
		size_t cap = c->capinflight != 0 ? c->capinflight * 2 : 64;
		int64_t *v = realloc(c->inflight, cap * sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		c->inflight = v;
		c->capinflight = cap;
	}
	c->inflight[c->ninflight++] = id;
	return 0;
}

/* The rate and concurrency budget of one target (a URL or "smtp"). */
static struct bucket *bucket_of(struct courier *c, const char *target)
{
	size_t oldest = 0;

	for (size_t i = 0; i < c->nbuckets; i++)
		if (strcmp(c->buckets[i].target, target) == 0)
			return &c->buckets[i];
	if (c->nbuckets < COURIER_TARGETS) {
		oldest = c->nbuckets++;
	} else {
		for (size_t i = 1; i < c->nbuckets; i++)
			if (c->buckets[i].busy == 0 &&
			    c->buckets[i].last_ms < c->buckets[oldest].last_ms)
				oldest = i;
	}
	memset(&c->buckets[oldest], 0, sizeof c->buckets[oldest]);
	snprintf(c->buckets[oldest].target, sizeof c->buckets[oldest].target, "%s", target);
	c->buckets[oldest].tokens = c->cfg->webhook_rate;
	c->buckets[oldest].last_ms = text_now_ms();
	return &c->buckets[oldest];
}

static bool bucket_take(struct courier *c, struct bucket *b, int64_t now)
{
	double rate = c->cfg->webhook_rate;

	b->tokens += (double)(now - b->last_ms) * rate / 1000.0;
	if (b->tokens > rate)
		b->tokens = rate;
	b->last_ms = now;
	if (b->tokens < 1.0 || b->busy >= COURIER_PER_TARGET)
		return false;
	b->tokens -= 1.0;
	b->busy++;
	return true;
}

/* ---- after a transfer ---- */

static int tx_result(struct store_tx *tx, void *arg)
{
	struct send *s = arg;
	int64_t rc;

	if (s->ok) {
		rc = store_outbox_curl_sent(tx, s->id, s->at_ms);
		if (rc >= 0 && s->case_id != 0 && strcmp(s->channel, "email") == 0) {
			char detail[700];
			json_t *o = json_pack("{s:s,s:s,s:s}", "channel", "email", "kind", s->kind,
			                      "to", s->recipient);
			char *d = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

			snprintf(detail, sizeof detail, "%s", d != NULL ? d : "{}");
			free(d);
			json_decref(o);
			rc = store_event_add(tx, s->case_id, s->at_ms, -1, "notified", "email",
			                     detail);
		}
	} else {
		int64_t wait = COURIER_BACKOFF_MIN_MS;

		for (int i = 0; i < s->attempts && wait < COURIER_BACKOFF_MAX_MS; i++)
			wait *= 2;
		if (wait > COURIER_BACKOFF_MAX_MS)
			wait = COURIER_BACKOFF_MAX_MS;
		rc = store_outbox_curl_retry(tx, s->id, s->at_ms + wait, s->error);
	}
	return rc < 0 ? (int)rc : 0;
}

static void send_free(struct send *s)
{
	curl_slist_free_all(s->headers);
	curl_slist_free_all(s->rcpt);
	curl_mime_free(s->mime);
	free(s->body);
	free(s->subject);
	free(s);
}

static void on_result_written(void *arg, int status)
{
	struct send *s = arg;
	struct courier *c = s->c;

	c->writes--;
	drop_inflight(c, s->id);
	if (status < 0)
		log_warn(status, "courier: outbox row %" PRId64 " not updated", s->id);
	send_free(s);
	if (!c->closing)
		courier_kick(c);
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
	struct send *s = arg;
	struct courier *c = s->c;
	bool webhook = strcmp(s->channel, "webhook") == 0;

	bucket_of(c, webhook ? s->recipient : "smtp")->busy--;
	s->at_ms = text_now_ms();
	s->ok = rc == CURLE_OK && (!webhook || (status >= 200 && status < 300));
	metrics_alert(s->ok ? METRICS_ALERT_SENT : METRICS_ALERT_RETRIED, s->channel);
	if (!s->ok) {
		if (rc != CURLE_OK)
			snprintf(s->error, sizeof s->error, "%s", error);
		else
			snprintf(s->error, sizeof s->error, "HTTP %ld", status);
		char where[300];

		if (webhook)
			url_origin(s->recipient, where, sizeof where);
		else
			snprintf(where, sizeof where, "an address");
		log_warnx("courier: %s %s to %s failed (attempt %d): %s", s->channel, s->kind,
		          where, s->attempts + 1, s->error);
	} else {
		log_debug("courier: %s %s %" PRId64 " delivered", s->channel, s->kind, s->id);
	}
	if (c->closing || store_write(c->store, tx_result, s, on_result_written, s) < 0) {
		drop_inflight(c, s->id);
		send_free(s);
		return;
	}
	c->writes++;
}

/* ---- building transfers ---- */

/* RFC 2047: the subject as UTF-8 base64 encoded-words of at most 39 bytes of
 * text each (so that no line passes 76 characters), never cutting a
 * character, folded onto continuation lines. */
static int encode_subject(struct buf *b, const char *subject)
{
	const char *p = subject;
	int rc = buf_puts(b, "Subject:");

	while (rc == 0 && *p != '\0') {
		size_t n = 0;
		char enc[128];

		while (p[n] != '\0' && n < 39) {
			size_t len = 1;

			while ((p[n + len] & 0xc0) == 0x80)
				len++;
			if (n + len > 39 && n != 0)
				break;
			n += len;
		}
		sodium_bin2base64(enc, sizeof enc, (const unsigned char *)p, n,
		                  sodium_base64_VARIANT_ORIGINAL);
		rc = buf_printf(b, "%s=?UTF-8?B?%s?=", p == subject ? " " : "\r\n ", enc);
		p += n;
	}
	return rc;
}

static CURL *email_easy(struct courier *c, struct send *s)
{
	const struct config *cfg = c->cfg;
	CURL *e = curl_easy_init();
	curl_mimepart *part;
	struct buf h;
	char from[300], to[600], date[64], msgid[128];
	time_t now = time(NULL);
	struct tm tm;

	if (e == NULL)
		return NULL;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(msgid, sizeof msgid, "Message-ID: <kk-%" PRId64 "-%d@kakekomi>", s->id,
	         s->attempts);
	snprintf(from, sizeof from, "From: kakekomi <%s>", cfg->smtp_from);
	snprintf(to, sizeof to, "To: <%s>", s->recipient);
	buf_init(&h, 2048);
	encode_subject(&h, s->subject != NULL ? s->subject : "kakekomi");
	s->headers = curl_slist_append(s->headers, date);
	s->headers = curl_slist_append(s->headers, from);
	s->headers = curl_slist_append(s->headers, to);
	s->headers = curl_slist_append(s->headers, msgid);
	if (h.data != NULL)
		s->headers = curl_slist_append(s->headers, h.data);
	buf_fini(&h);
	s->rcpt = curl_slist_append(NULL, s->recipient);
	s->mime = curl_mime_init(e);
	part = curl_mime_addpart(s->mime);
	curl_mime_data(part, s->body, CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/plain; charset=UTF-8");
	curl_mime_encoder(part, "base64");
	curl_easy_setopt(e, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, cfg->smtp_from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, s->rcpt);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(e, CURLOPT_MIMEPOST, s->mime);
	curl_easy_setopt(e, CURLOPT_USE_SSL,
	                 cfg->smtp_tls == CONFIG_TLS_REQUIRED   ? (long)CURLUSESSL_ALL
	                 : cfg->smtp_tls == CONFIG_TLS_OPTIONAL ? (long)CURLUSESSL_TRY
	                                                        : (long)CURLUSESSL_NONE);
	if (cfg->smtp_username[0] != '\0') {
		curl_easy_setopt(e, CURLOPT_USERNAME, cfg->smtp_username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	if (cfg->smtp_ca_file[0] != '\0')
		curl_easy_setopt(e, CURLOPT_CAINFO, cfg->smtp_ca_file);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
	return e;
}

static size_t discard(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

static CURL *webhook_easy(struct courier *c, struct send *s)
{
	CURL *e = curl_easy_init();
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
	char line[256];
	crypto_auth_hmacsha256_state st;
	const char *key = c->cfg->webhook_secret;

	if (e == NULL)
		return NULL;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)s->body, strlen(s->body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	s->headers = curl_slist_append(s->headers, "Content-Type: application/json");
	snprintf(line, sizeof line, "X-Kakekomi-Signature: sha256=%s", hex);
	s->headers = curl_slist_append(s->headers, line);
	snprintf(line, sizeof line, "Idempotency-Key: kk-%" PRId64, s->id);
	s->headers = curl_slist_append(s->headers, line);
	s->headers = curl_slist_append(s->headers, "User-Agent: kakekomi");
	curl_easy_setopt(e, CURLOPT_URL, s->recipient);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->body);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	return e;
}

/* ---- reading the outbox ---- */

static int on_due(void *arg, const struct store_outbox_row *r)
{
	struct courier *c = arg;
	int64_t id = r->id;
	const char *channel = r->channel;
	const char *recipient = r->recipient;
	const char *body = r->body;
	bool webhook;
	struct bucket *b;
	struct send *s;
	CURL *e;

	if (is_inflight(c, id) || channel == NULL || recipient == NULL || body == NULL)
		return 0;
	webhook = strcmp(channel, "webhook") == 0;
	if ((webhook && c->cfg->webhook_secret[0] == '\0' && c->cfg->webhook_urls[0] == '\0') ||
	    (!webhook && c->cfg->smtp_url[0] == '\0'))
		return 0;
	b = bucket_of(c, webhook ? recipient : "smtp");
	if (!bucket_take(c, b, text_now_ms()))
		return 0;
	s = calloc(1, sizeof *s);
	if (s == NULL) {
		b->busy--;
		return 1;
	}
	s->c = c;
	s->id = id;
	s->case_id = r->case_id;
	snprintf(s->channel, sizeof s->channel, "%s", channel);
	snprintf(s->kind, sizeof s->kind, "%s", r->kind != NULL ? r->kind : "");
	snprintf(s->recipient, sizeof s->recipient, "%s", recipient);
	s->body = strdup(body);
	s->subject = r->subject != NULL ? strdup(r->subject) : NULL;
	s->attempts = (int)r->attempts;
	e = s->body != NULL ? (webhook ? webhook_easy(c, s) : email_easy(c, s)) : NULL;
	if (e == NULL || add_inflight(c, id) < 0) {
		if (e != NULL)
			curl_easy_cleanup(e);
		b->busy--;
		send_free(s);
		return 1;
	}
	if (curl_driver_add(c->curl, e, on_sent, s) < 0) {
		drop_inflight(c, id);
		b->busy--;
		send_free(s);
		return 1;
	}
	return 0;
}

static void on_tick(uv_timer_t *t)
{
	struct courier *c = t->data;
	int rc;

	c->kicked = false;
	if (c->closing)
		return;
	rc = store_outbox_curl_waiting(c->store, text_now_ms(), on_due, c);
	if (rc < 0)
		log_warn(rc, "courier: cannot read the outbox");
	uv_timer_start(&c->tick, on_tick, COURIER_TICK_MS, 0);
}

void courier_kick(struct courier *c)
{
	if (c == NULL || c->kicked || c->closing)
		return;
	c->kicked = true;
	uv_timer_start(&c->tick, on_tick, 0, 0);
}

/* ---- fallback, receipts, targets ---- */

struct fallback {
	struct courier *c;
	int64_t case_id;
	char jid[256];
	char email[256];
	int64_t now_ms;
	int64_t added;
};

static int tx_fallback(struct store_tx *tx, void *arg)
{
	struct fallback *f = arg;
	int64_t rc = store_outbox_fallback_email(tx, f->jid, f->email, f->case_id, f->now_ms);

	if (rc < 0)
		return (int)rc;
	f->added = rc;
	return 0;
}

static void on_fallback_written(void *arg, int status)
{
	struct fallback *f = arg;

	f->c->writes--;
	if (status == 0 && f->added > 0) {
		log_info("courier: %" PRId64 " alerts for %s also go by e-mail", f->added, f->jid);
		courier_kick(f->c);
	}
	free(f);
}

void courier_fallback(struct courier *c, int64_t case_id, const char *jid)
{
	const struct roster *r = c != NULL ? *c->roster : NULL;
	const struct specialist *s = r != NULL ? roster_by_jid(r, jid) : NULL;
	struct fallback *f;

	if (c == NULL || c->closing || c->cfg->smtp_url[0] == '\0' || s == NULL ||
	    s->email == NULL || s->email[0] == '\0')
		return;
	f = calloc(1, sizeof *f);
	if (f == NULL)
		return;
	f->c = c;
	f->case_id = case_id;
	f->now_ms = text_now_ms();
	snprintf(f->jid, sizeof f->jid, "%s", jid);
	snprintf(f->email, sizeof f->email, "%s", s->email);
	if (store_write(c->store, tx_fallback, f, on_fallback_written, f) < 0) {
		free(f);
		return;
	}
	c->writes++;
}

static int tx_targets(struct store_tx *tx, void *arg)
{
	return store_webhook_targets_set(tx, arg);
}

static void on_targets_written(void *arg, int status)
{
	struct courier *c = arg;

	c->writes--;
	if (status < 0)
		log_warn(status, "courier: webhook targets not recorded");
}

unsigned courier_pending(const struct courier *c)
{
	return c != NULL ? c->writes + curl_driver_running(c->curl) : 0;
}

int courier_start(struct courier **out, uv_loop_t *loop, const struct config *cfg, struct store *st,
                  struct roster *const *roster)
{
	struct courier *c = calloc(1, sizeof *c);
	int rc;

	if (c == NULL)
		return -ENOMEM;
	c->loop = loop;
	c->cfg = cfg;
	c->store = st;
	c->roster = roster;
	rc = curl_driver_start(&c->curl, loop);
	if (rc < 0) {
		free(c);
		return rc;
	}
	uv_timer_init(loop, &c->tick);
	c->tick.data = c;
	if (store_write(st, tx_targets, cfg->webhook_urls, on_targets_written, c) == 0)
		c->writes++;
	uv_timer_start(&c->tick, on_tick, COURIER_TICK_MS, 0);
	*out = c;
	return 0;
}

static void on_tick_closed(uv_handle_t *h)
{
	struct courier *c = h->data;

	free(c->inflight);
	free(c);
}

void courier_stop(struct courier *c)
{
	if (c == NULL)
		return;
	c->closing = true;
	curl_driver_stop(c->curl);
	uv_timer_stop(&c->tick);
	uv_close((uv_handle_t *)&c->tick, on_tick_closed);
}
