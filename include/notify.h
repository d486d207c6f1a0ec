/* SPDX-License-Identifier: ISC */
/*
 * notify — the outbox and the channels that deliver it.
 *
 * Every message that must reach someone is a row of the outbox, written in
 * the same transaction as the event that caused it. One dispatcher
 * (notify/notify.c) reads the rows waiting for each channel and hands them
 * to it one at a time; it keeps the rows on the wire in memory (in flight)
 * so that none is sent twice at once, applies each target's rate and
 * concurrency budget, backs a failed row off (one second, doubling up to ten
 * minutes) and records every outcome in the store. Delivery is at least
 * once: a row is marked sent only when its server has taken it, and a row a
 * connection lost is simply sent again, so short of a connection dying in
 * the instant between the server taking a message and confirming it, it is
 * exactly once. A restart starts over from the store.
 *
 * A channel is one file in notify/ implementing struct notify_channel and
 * one line in the dispatcher's table: notify/xmpp.c (chat alerts, replies,
 * presence), notify/smtp.c (e-mail), notify/webhook.c (signed JSON POSTs).
 */
#ifndef KK_NOTIFY_H
#define KK_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "presence.h"
#include "roster.h"
#include "store.h"

struct notify;

/* ---- the channel interface ---- */

/* An outbox row handed to a channel; borrowed for the call. */
struct notify_row {
	int64_t id, case_id, attempts;
	const char *kind, *recipient, *subject, *body;
	const char *tag; /* XMPP: the unguessable tag receipts and bounces name */
};

/* How a send ended, as a channel reports it (notify_channel_done). */
enum notify_outcome {
	NOTIFY_TAKEN, /* the server took it: an XMPP server's answer, SMTP 250, HTTP 2xx */
	NOTIFY_RETRY, /* refused or failed: try again after a backoff */
	NOTIFY_LOST,  /* the connection went before the server took it: send it again
	               * as soon as the channel is ready, without counting an attempt */
};

/* What a channel's start gets; everything outlives the channel. */
struct notify_env {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store *store;
	struct notify *host; /* for the notify_channel_* calls below */
};

struct notify_channel {
	/* The outbox's channel column, and the name in logs and metrics. */
	const char *name;
	/* Rows read from the outbox at one time. */
	int64_t batch;
	/* Rows on the wire at one time; more wait for the next turn. */
	size_t max_inflight;
	/* Whether a row sent is written on the case's timeline ("notified"). */
	bool timeline;
	/* Whether CFG configures the channel; without it its rows wait. */
	bool (*configured)(const struct config *cfg);
	/* Starts the channel in *SELF. Returns 0 or a negative errno. */
	int (*start)(void **self, const struct notify_env *env);
	/* Whether the channel can take rows now (XMPP: connected). */
	bool (*ready)(const void *self);
	/* The rate and concurrency budget ROW counts against (a webhook's URL,
	 * the SMTP server), or NULL for none. */
	const char *(*target)(const void *self, const struct notify_row *row);
	/*
	 * Sends ROW. Returns 0 when the row is on its way: its outcome comes
	 * later, on the loop, through notify_channel_done (never from inside
	 * this call); -EINVAL when ROW can never be sent (it is left waiting
	 * and logged); any other negative errno when the channel cannot take
	 * more now.
	 */
	int (*send)(void *self, const struct notify_row *row);
	/* Transfers and writes of the channel's own under way (for a drain). */
	unsigned (*pending)(const void *self);
	/* Best effort, outside the outbox (NULL where the channel has no chat). */
	void (*reply)(void *self, const char *to, const char *body);
	/* Asks TO for a presence subscription (NULL where not applicable). */
	void (*watch)(void *self, const char *to);
	/* Stops and frees the channel (via the loop). Outcomes of rows still on
	 * the wire may be reported during the call; they are not recorded. */
	void (*stop)(void *self);
};

/* The channels, in the dispatcher's table (notify/notify.c). */
extern const struct notify_channel notify_xmpp_channel;
extern const struct notify_channel notify_smtp_channel;
extern const struct notify_channel notify_webhook_channel;

/* Called by channels, on the loop; strings are borrowed for the call. */

/* Row ID ended with O; ERROR says why for NOTIFY_RETRY (may be NULL). */
void notify_channel_done(struct notify *n, int64_t id, enum notify_outcome o, const char *error);
/* CHANNEL became ready (connected) or not; rows it had not handed over are
 * lost (NOTIFY_LOST) when it stops being ready. */
void notify_channel_ready(struct notify *n, const char *channel, bool ready);
/* The CHANNEL row tagged TAG reached FROM (FROM's own word, checked). */
void notify_channel_delivered(struct notify *n, const char *channel, const char *tag,
                              const char *from);
/* The CHANNEL row tagged TAG came back from FROM for WHY. */
void notify_channel_bounced(struct notify *n, const char *channel, const char *tag,
                            const char *from, const char *why);
/* BARE_JID came online or went offline. */
void notify_channel_presence(struct notify *n, const char *jid, bool online);
/* A chat message from BARE_JID. */
void notify_channel_message(struct notify *n, const char *jid, const char *body);

/* ---- the dispatcher, as the daemon uses it ---- */

/* Called on the loop; strings are borrowed for the call. */
struct notify_events {
	/* The chat channel (re)connected. */
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
 * Starts the dispatcher and every channel CFG configures. *ROSTER is read
 * at each fallback (the owner may swap it). Returns 0 or a negative errno.
 */
int notify_start(struct notify **out, uv_loop_t *loop, const struct config *cfg, struct store *st,
                 struct roster *const *roster, const struct notify_events *ev, void *arg);

/* notify_start with the NCHS channels CHS instead of the built-in table (for
 * tests of the dispatcher); CHS must outlive it. */
int notify_start_with(struct notify **out, uv_loop_t *loop, const struct config *cfg,
                      struct store *st, struct roster *const *roster,
                      const struct notify_events *ev, void *arg,
                      const struct notify_channel *const *chs, size_t nchs);

/* New outbox rows may have been committed: look at the outbox soon (at
 * this loop turn's end; many kicks in a turn read it once). */
void notify_kick(struct notify *n);

/* Sends BODY to JID by chat at once, best effort, without the outbox
 * (answers that change nothing, refusals). */
void notify_reply(struct notify *n, const char *jid, const char *body);

/* Asks JID for a presence subscription (for the roster's JIDs). */
void notify_watch(struct notify *n, const char *jid);

/* What the bot knows of JID's presence. */
enum presence notify_presence(const struct notify *n, const char *jid);

/* Whether the chat channel is connected. */
bool notify_connected(const struct notify *n);

/*
 * Chat cannot reach JID: e-mail them every alert they have not confirmed
 * (for CASE_ID only, or for every open case when CASE_ID is 0), if they
 * have an address on the roster and e-mail is configured.
 */
void notify_fallback(struct notify *n, int64_t case_id, const char *jid);

/* Outbox rows on the wire, not yet taken by a server (for /metrics, tests). */
unsigned notify_inflight(const struct notify *n);

/* Writes and transfers under way (the daemon waits for them at a stop). */
unsigned notify_pending(const struct notify *n);

/* Stops every channel and frees everything (via the loop). NULL is allowed. */
void notify_stop(struct notify *n);

#endif
