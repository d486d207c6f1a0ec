/* SPDX-License-Identifier: ISC */
/*
 * store_outbox — the outgoing messages' outcome; see store_outbox.h.
 */
#include "store_outbox.h"

#include <stdio.h>
#include <string.h>

/* Never the state index alone: the channel index keeps a backlog of one
 * channel from being read for another (SQLite's INDEXED BY). XMPP
 * recipients are stored in the clear, e-mail addresses sealed: unseal()
 * passes a value that is not sealed through. */
static const char sql_waiting[] =
    "SELECT id, case_id, kind, unseal(recipient, 'outbox.recipient'), subject,"
    " unseal(body, 'outbox.body'), attempts, tag FROM outbox"
    " INDEXED BY outbox_pending_channel"
    " WHERE state = 'pending' AND channel = $1 AND (next_try_ms IS NULL OR next_try_ms <= $2)"
    " ORDER BY id LIMIT $3";
static const char sql_sent[] =
    "UPDATE outbox SET state = 'sent', sent_ms = $1, attempts = attempts + 1,"
    " last_error = NULL WHERE id = $2 AND state = 'pending'";
static const char sql_retry[] = "UPDATE outbox SET attempts = attempts + 1, next_try_ms = $1,"
                                " last_error = $2 WHERE id = $3 AND state = 'pending'";
static const char sql_delivered[] = "UPDATE outbox SET delivered_ms = $1, state = 'sent'"
                                    " WHERE tag = $2 AND channel = $3 AND lower(recipient) = $4"
                                    " AND delivered_ms IS NULL AND state IN ('pending', 'sent')";
static const char sql_failed[] = "UPDATE outbox SET state = 'failed', last_error = $1"
                                 " WHERE tag = $2 AND channel = $3 AND lower(recipient) = $4"
                                 " AND delivered_ms IS NULL AND state IN ('pending', 'sent')";
static const char sql_row_of[] = "SELECT id, case_id, recipient, kind FROM outbox WHERE tag = $1";
static const char sql_alert_failed[] =
    "UPDATE alerts SET state = 'failed' WHERE outbox_id = $1 AND state = 'alerted'";

struct each {
	int (*cb)(void *arg, const struct store_outbox_row *r);
	void *arg;
};

static int on_waiting(void *arg, struct store_row *row)
{
	struct each *e = arg;
	struct store_outbox_row r = {
	    .id = store_row_int(row, 0),
	    .case_id = store_row_is_null(row, 1) ? 0 : store_row_int(row, 1),
	    .kind = store_row_text(row, 2),
	    .recipient = store_row_text(row, 3),
	    .subject = store_row_text(row, 4),
	    .body = store_row_text(row, 5),
	    .attempts = store_row_int(row, 6),
	    .tag = store_row_text(row, 7),
	};

	return e->cb(e->arg, &r);
}

int store_outbox_waiting(struct store *st, const char *channel, int64_t now_ms, int64_t limit,
                         int (*cb)(void *arg, const struct store_outbox_row *r), void *arg)
{
	struct each e = {cb, arg};

	return store_read(st, sql_waiting, on_waiting, &e, "tii", channel, now_ms, limit);
}

int store_outbox_sent(struct store_tx *tx, int64_t id, int64_t at_ms)
{
	return store_ok(store_tx_exec(tx, sql_sent, "ii", at_ms, id));
}

int store_outbox_retry(struct store_tx *tx, int64_t id, int64_t retry_ms, const char *error)
{
	return store_ok(store_tx_exec(tx, sql_retry, "iti", retry_ms, error, id));
}

int store_outbox_delivered(struct store_tx *tx, const char *channel, const char *tag,
                           const char *from, int64_t at_ms)
{
	int64_t rc = store_tx_exec(tx, sql_delivered, "ittt", at_ms, tag, channel, from);

	return (int)rc;
}

struct bounced {
	int64_t *id, *alert_case;
	char *jid;
	size_t n;
};

static int on_row_of(void *arg, struct store_row *row)
{
	struct bounced *b = arg;
	const char *kind = store_row_text(row, 3);

	*b->id = store_row_int(row, 0);
	*b->alert_case = kind != NULL && strcmp(kind, "alert") == 0 ? store_row_int(row, 1) : 0;
	snprintf(b->jid, b->n, "%s", store_row_text(row, 2) ? store_row_text(row, 2) : "");
	return 0;
}

int store_outbox_bounced(struct store_tx *tx, const char *channel, const char *tag,
                         const char *from, const char *why, int64_t *id, int64_t *alert_case,
                         char *jid, size_t n)
{
	struct bounced b = {id, alert_case, jid, n};
	int64_t rc = store_tx_exec(tx, sql_failed, "tttt", why, tag, channel, from);

	if (rc <= 0)
		return (int)rc;
	rc = store_tx_query(tx, sql_row_of, on_row_of, &b, "t", tag);
	if (rc >= 0)
		rc = store_tx_exec(tx, sql_alert_failed, "i", *id);
	return rc < 0 ? (int)rc : 1;
}

/* ---- fallback, receipts, webhook targets ---- */

static const char sql_fallback[] =
    "INSERT INTO outbox (case_id, channel, recipient, kind, round, step, subject, body,"
    " created_ms)"
    " SELECT o.case_id, 'email', $1, 'alert', o.round, o.step,"
    " '【kakekomi】新しい相談 ' || c.ref || ' / New case ' || c.ref,"
    " seal(unseal(o.body, 'outbox.body') || char(10) || char(10) ||"
    " 'チャット(XMPP)で届かなかったため、メールでもお送りしています。引き受けるにはチャットで「ack "
    "' || c.ref"
    " || '」と送ってください。' || char(10) ||"
    " 'Your chat account could not be reached, so this alert also comes by e-mail. To take the "
    "case,"
    " send \"ack ' || c.ref || '\" in chat.', 'outbox.body'), $2"
    " FROM outbox o JOIN cases c ON c.id = o.case_id"
    " WHERE o.recipient = $3 AND o.kind = 'alert' AND o.channel = 'xmpp' AND o.delivered_ms IS NULL"
    " AND c.assigned_to IS NULL AND c.state != 'resolved' AND ($4 = 0 OR o.case_id = $4)"
    " ON CONFLICT DO NOTHING";
static const char sql_receipts_to_address[] =
    "SELECT count(*) FROM outbox WHERE kind = 'receipt' AND rkey = seal_key(lower($1))"
    " AND created_ms > $2";
static const char sql_receipts_to_domain[] =
    "SELECT count(*) FROM outbox WHERE kind = 'receipt' AND dkey = seal_key(lower($1))"
    " AND created_ms > $2";
static const char sql_clear_targets[] = "DELETE FROM webhook_targets";
static const char sql_add_target[] =
    "INSERT INTO webhook_targets (url) VALUES ($1) ON CONFLICT DO NOTHING";

int64_t store_outbox_fallback_email(struct store_tx *tx, const char *jid, const char *email,
                                    int64_t case_id, int64_t now_ms)
{
	return store_tx_exec(tx, sql_fallback, "titi", email, now_ms, jid, case_id);
}

int store_outbox_receipts_since(struct store_tx *tx, const char *email, int64_t since_ms,
                                int64_t domain_since_ms, int64_t *to_address, int64_t *to_domain)
{
	const char *at = strrchr(email, '@');
	int rc;

	*to_address = *to_domain = 0;
	rc = store_tx_query(tx, sql_receipts_to_address, store_row_to_int, to_address, "ti", email,
	                    since_ms);
	if (rc == 0)
		rc = store_tx_query(tx, sql_receipts_to_domain, store_row_to_int, to_domain, "ti",
		                    at != NULL ? at + 1 : email, domain_since_ms);
	return rc < 0 ? rc : 0;
}

int store_webhook_targets_set(struct store_tx *tx, const char *urls)
{
	int64_t rc = store_tx_exec(tx, sql_clear_targets, "");

	while (rc >= 0 && *urls != '\0') {
		char url[1024];
		size_t n = strcspn(urls, ", ");

		if (n != 0 && n < sizeof url) {
			memcpy(url, urls, n);
			url[n] = '\0';
			rc = store_tx_exec(tx, sql_add_target, "t", url);
		}
		urls += n;
		urls += strspn(urls, ", ");
	}
	return store_ok(rc);
}
