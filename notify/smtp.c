/* SPDX-License-Identifier: ISC */
/*
 * smtp — the e-mail channel, through libcurl's SMTP: alerts to specialists
 * chat cannot reach, receipts and notices to reporters. A row is taken when
 * the server answers 250 to the message; the subject is RFC 2047 encoded
 * and the body is UTF-8 text in base64.
 */
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
#include "notify.h"

/* One message on the wire; what curl reads must live until it is done. */
struct mail {
	struct curl_channel *s;
	int64_t id;
	int attempts;
	char kind[24];
	char *body;
	struct curl_slist *headers, *rcpt;
	curl_mime *mime;
};

static void mail_free(struct mail *m)
{
	curl_slist_free_all(m->headers);
	curl_slist_free_all(m->rcpt);
	curl_mime_free(m->mime);
	free(m->body);
	free(m);
}

static void on_sent(void *arg, CURLcode rc, long status, const char *error)
{
	struct mail *m = arg;

	(void)status;
	if (rc == CURLE_OK) {
		log_debug("smtp: %s %" PRId64 " delivered", m->kind, m->id);
		notify_channel_done(m->s->host, m->id, NOTIFY_TAKEN, NULL);
	} else {
		log_warnx("smtp: %s to an address failed (attempt %d): %s", m->kind,
		          m->attempts + 1, error);
		notify_channel_done(m->s->host, m->id, NOTIFY_RETRY, error);
	}
	mail_free(m);
}

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

static CURL *mail_easy(const struct config *cfg, struct mail *m, const struct notify_row *row)
{
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
	snprintf(msgid, sizeof msgid, "Message-ID: <kk-%" PRId64 "-%d@kakekomi>", m->id,
	         m->attempts);
	snprintf(from, sizeof from, "From: kakekomi <%s>", cfg->smtp_from);
	snprintf(to, sizeof to, "To: <%s>", row->recipient);
	buf_init(&h, 2048);
	encode_subject(&h, row->subject != NULL ? row->subject : "kakekomi");
	m->headers = curl_slist_append(m->headers, date);
	m->headers = curl_slist_append(m->headers, from);
	m->headers = curl_slist_append(m->headers, to);
	m->headers = curl_slist_append(m->headers, msgid);
	if (h.data != NULL)
		m->headers = curl_slist_append(m->headers, h.data);
	buf_fini(&h);
	m->rcpt = curl_slist_append(NULL, row->recipient);
	m->mime = curl_mime_init(e);
	part = curl_mime_addpart(m->mime);
	curl_mime_data(part, m->body, CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/plain; charset=UTF-8");
	curl_mime_encoder(part, "base64");
	curl_easy_setopt(e, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, cfg->smtp_from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, m->rcpt);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, m->headers);
	curl_easy_setopt(e, CURLOPT_MIMEPOST, m->mime);
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

static int send_row(void *self, const struct notify_row *row)
{
	struct curl_channel *s = self;
	struct mail *m = calloc(1, sizeof *m);
	CURL *e;

	if (m == NULL)
		return -ENOMEM;
	m->s = s;
	m->id = row->id;
	m->attempts = (int)row->attempts;
	snprintf(m->kind, sizeof m->kind, "%s", row->kind != NULL ? row->kind : "");
	m->body = strdup(row->body);
	e = m->body != NULL ? mail_easy(s->cfg, m, row) : NULL;
	if (e == NULL) {
		mail_free(m);
		return -ENOMEM;
	}
	if (curl_driver_add(s->curl, e, on_sent, m) < 0) {
		mail_free(m);
		return -EIO;
	}
	return 0;
}

static bool configured(const struct config *cfg)
{
	return cfg->smtp_url[0] != '\0';
}

static bool ready(const void *self)
{
	(void)self;
	return true;
}

/* One budget for the one server. */
static const char *target(const void *self, const struct notify_row *row)
{
	(void)self;
	(void)row;
	return "smtp";
}

const struct notify_channel notify_smtp_channel = {
    .name = "email",
    .batch = 500,
    .max_inflight = 1000,
    .timeline = true,
    .configured = configured,
    .start = curl_channel_start,
    .ready = ready,
    .target = target,
    .send = send_row,
    .pending = curl_channel_pending,
    .stop = curl_channel_stop,
};
