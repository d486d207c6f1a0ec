/* SPDX-License-Identifier: ISC */
/*
 * notify — the outbox and the channels that deliver it.
 *
 * Every message that must reach someone is a row of the outbox, written in
 * the same transaction as the event that caused it. notify reads pending
 * rows, hands them to the XMPP channel, and marks a row sent only when the
 * server has taken it; rows not taken before a disconnect are sent again
 * after the reconnect, so delivery is at least once and, short of a
 * connection dying in the instant between the server taking a message and
 * confirming it, exactly once. It also keeps what the bot knows of its
 * contacts' presence, and passes inbound chat to its owner.
 */
#ifndef KK_NOTIFY_H
#define KK_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "presence.h"
#include "store.h"

struct notify;

/* Called on the loop; strings are borrowed for the call. */
struct notify_events {
	/* The XMPP channel (re)connected. */
	void (*connected)(void *arg);
	/* A chat message from BARE_JID. */
	void (*message)(void *arg, const char *jid, const char *body);
	/* An alert for CASE_ID to JID cannot get through (bounced, or JID went
	 * offline). */
	void (*unreachable)(void *arg, int64_t case_id, const char *jid, const char *why);
	/* JID came online (PRESENCE_ONLINE) or went offline. */
	void (*presence)(void *arg, const char *jid, enum presence p);
};

/*
 * Starts the outbox dispatcher and, when CFG has an [xmpp] jid, the XMPP
 * channel. Returns 0 or a negative errno.
 */
int notify_start(struct notify **out, uv_loop_t *loop, const struct config *cfg, struct store *st,
                 const struct notify_events *ev, void *arg);

/* New outbox rows were committed: send them soon (on this loop turn's end). */
void notify_kick(struct notify *n);

/* Sends BODY to JID at once, best effort, without the outbox (answers that
 * change nothing, refusals). */
void notify_reply(struct notify *n, const char *jid, const char *body);

/* Asks JID for a presence subscription (for the roster's JIDs). */
void notify_watch(struct notify *n, const char *jid);

/* What the bot knows of JID's presence. */
enum presence notify_presence(const struct notify *n, const char *jid);

/* Whether the XMPP channel is connected. */
bool notify_connected(const struct notify *n);

/* Outbox rows not yet taken by a server (for /metrics and tests). */
unsigned notify_inflight(const struct notify *n);

/* Stops the channel and frees everything (via the loop). NULL is allowed. */
void notify_stop(struct notify *n);

#endif
