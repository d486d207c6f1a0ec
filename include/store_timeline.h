/* SPDX-License-Identifier: ISC */
/*
 * store_timeline — writing a case's timeline (events) and its outgoing
 * messages (outbox) inside a write job, in the domain's words. Details and
 * bodies are sealed (seal.h) on the way in; every event also reaches the
 * webhooks and the case's clocks through the store's triggers (store.c).
 */
#ifndef KK_STORE_TIMELINE_H
#define KK_STORE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/*
 * Appends event KIND to case CASE_ID at AT_MS by ACTOR (or NULL) with
 * DETAIL (a JSON object's text, or NULL); ELAPSED_US is the time since the
 * report for the clocks, or negative when it is not measured. Returns 0 or
 * a negative errno.
 */
int store_event_add(struct store_tx *tx, int64_t case_id, int64_t at_ms, int64_t elapsed_us,
                    enum event_kind kind, const char *actor, const char *detail);

/* A message to queue. */
struct store_outbox_new {
	int64_t case_id;       /* 0: none */
	const char *channel;   /* "xmpp" (NULL means it), "email" */
	const char *recipient; /* a bare JID or an address */
	const char *kind;      /* "alert", "contact", "reply", "taken", "reminder" ... */
	int64_t round, step;   /* for alerts: one per recipient, round and step */
	const char *subject;   /* e-mail only, or NULL */
	const char *body;
	int64_t created_ms;
};

/*
 * Queues O. An alert already queued for the same case, recipient, round and
 * step is not queued twice. A reporter's address (an e-mail receipt or
 * reminder) is sealed like the body. Returns the new row's id, 0 when it
 * was already there, or a negative errno.
 */
int64_t store_outbox_add(struct store_tx *tx, const struct store_outbox_new *o);

#endif
