/* SPDX-License-Identifier: ISC */
/*
 * courier — the outbox rows that go out through libcurl: e-mail over SMTP
 * (alerts to specialists XMPP cannot reach, receipts to reporters) and
 * webhooks (a JSON POST per case event, signed with HMAC-SHA256, with an
 * idempotency key). Rows are retried with backoff until the server takes
 * them (a 2xx for webhooks, a 250 for SMTP); each webhook target is rate
 * limited. What reached whom is recorded on the case's timeline.
 */
#ifndef KK_COURIER_H
#define KK_COURIER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "playbook.h"
#include "roster.h"
#include "store.h"

struct courier;

/* Starts the curl driver and the dispatcher, and records CFG's webhook
 * targets in the store. *ROSTER is read at each fallback. */
int courier_start(struct courier **out, uv_loop_t *loop, const struct config *cfg, struct store *st,
                  struct roster *const *roster);

/* New rows were committed: look at the outbox soon. */
void courier_kick(struct courier *c);

/*
 * XMPP cannot reach JID: e-mail them every alert they have not confirmed
 * (for CASE_ID only, or for every open case when CASE_ID is 0), if they
 * have an address on the roster and e-mail is configured.
 */
void courier_fallback(struct courier *c, int64_t case_id, const char *jid);

/* Transfers and writes under way. */
unsigned courier_pending(const struct courier *c);

void courier_stop(struct courier *c);

#endif
