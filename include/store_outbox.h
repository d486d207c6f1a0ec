/* SPDX-License-Identifier: ISC */
/*
 * store_outbox — the outgoing messages' life after they are queued
 * (store_timeline.h queues them): the rows waiting per channel, and their
 * outcome (sent, delivered, failed, to be tried again), as the dispatcher
 * (notify/notify.c) records them. An XMPP row is
 * named by its unguessable tag when the outcome comes from the network,
 * and changes only for its own recipient while it still waits.
 */
#ifndef KK_STORE_OUTBOX_H
#define KK_STORE_OUTBOX_H

#include <stdint.h>

#include "store.h"

/* A row waiting to go out (borrowed for the callback). */
struct store_outbox_row {
	int64_t id, case_id, attempts;
	const char *kind, *recipient, *subject, *body, *tag;
};

/* On the loop: CB for up to LIMIT rows of CHANNEL ("xmpp", "email",
 * "webhook") waiting and due at NOW_MS (not backing off), oldest first.
 * Returns 0, CB's non-zero value, or a negative errno. */
int store_outbox_waiting(struct store *st, const char *channel, int64_t now_ms, int64_t limit,
                         int (*cb)(void *arg, const struct store_outbox_row *r), void *arg);

/* In a write job: row ID was taken by its server at AT_MS (an XMPP server's
 * answer on the stream, an SMTP 250, an HTTP 2xx). */
int store_outbox_sent(struct store_tx *tx, int64_t id, int64_t at_ms);

/* In a write job: row ID failed with ERROR; try it again at RETRY_MS. */
int store_outbox_retry(struct store_tx *tx, int64_t id, int64_t retry_ms, const char *error);

/* In a write job: the CHANNEL row tagged TAG was delivered to FROM (its
 * recipient, lower case) at AT_MS. Returns the rows changed (0 when the
 * tag, the recipient or the state do not match) or a negative errno. */
int store_outbox_delivered(struct store_tx *tx, const char *channel, const char *tag,
                           const char *from, int64_t at_ms);

/*
 * In a write job: the CHANNEL row tagged TAG bounced from FROM for WHY.
 * When it changed, its id, its case (for an alert; else 0) and its
 * recipient go to *ID, *ALERT_CASE and JID (N bytes), and its alert is
 * marked failed. Returns 1 when it changed, 0 when nothing matched, or a
 * negative errno.
 */
int store_outbox_bounced(struct store_tx *tx, const char *channel, const char *tag,
                         const char *from, const char *why, int64_t *id, int64_t *alert_case,
                         char *jid, size_t n);

/*
 * In a write job: the XMPP alerts to JID not delivered, of cases nobody
 * has taken (only case CASE_ID's when not 0), go to EMAIL as well, with a
 * line on how to take the case; once per alert. Returns how many were
 * queued, or a negative errno.
 */
int64_t store_outbox_fallback_email(struct store_tx *tx, const char *jid, const char *email,
                                    int64_t case_id, int64_t now_ms);

/* In a write job: the receipts sent to EMAIL since SINCE_MS, and to its
 * domain since DOMAIN_SINCE_MS (the receipt limits). */
int store_outbox_receipts_since(struct store_tx *tx, const char *email, int64_t since_ms,
                                int64_t domain_since_ms, int64_t *to_address, int64_t *to_domain);

/* In a write job: the webhook targets are URLS (separated by commas or
 * spaces) and no others: each event is posted to every one (the trigger
 * events_webhooks of store.c). */
int store_webhook_targets_set(struct store_tx *tx, const char *urls);

#endif
