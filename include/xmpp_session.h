/* SPDX-License-Identifier: ISC */
/*
 * xmpp_session — the bot's XMPP account, run by libstrophe on its own thread
 * (its connect does blocking DNS and a blocking TLS handshake).
 *
 * The loop and the thread talk through two mutex-protected queues: commands
 * go to the thread (which is woken with a signal), events come back through
 * a uv_async_t and are delivered to the callbacks below, always on the loop.
 * Stanzas sent while disconnected are lost, so a message counts as accepted
 * only when the server has answered a ping sent after it on the same stream
 * (XMPP handles a stream's stanzas in order); the owner re-sends what was
 * not accepted after a reconnect. The thread reconnects with backoff.
 */
#ifndef KK_XMPP_SESSION_H
#define KK_XMPP_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"

struct xmpp_session;

/* Called on the loop. Strings are borrowed for the call. */
struct xmpp_session_events {
	void (*connected)(void *arg);
	void (*disconnected)(void *arg, const char *why);
	/* The server took message ID (an outbox id) on a live stream. */
	void (*accepted)(void *arg, int64_t id);
	/* FROM_BARE_JID's client confirmed the message sent with TAG (XEP-0184).
	 * Anyone can send such a stanza: the owner checks that TAG was sent to
	 * FROM_BARE_JID before believing it. */
	void (*receipt)(void *arg, const char *tag, const char *from_bare_jid);
	/* The message sent with TAG came back as an error from FROM_BARE_JID
	 * (unknown user, refused...); the same caution applies. */
	void (*bounced)(void *arg, const char *tag, const char *from_bare_jid, const char *error);
	/* BARE_JID went online or offline. */
	void (*presence)(void *arg, const char *bare_jid, bool available);
	/* A chat message with a body from BARE_JID. */
	void (*message)(void *arg, const char *bare_jid, const char *body);
};

/*
 * Starts the thread for CFG's [xmpp] account; it connects at once and keeps
 * reconnecting. CFG and EV must outlive the channel. Returns 0 or a
 * negative errno.
 */
int xmpp_session_start(struct xmpp_session **out, uv_loop_t *loop, const struct config *cfg,
                       const struct xmpp_session_events *ev, void *arg);

/* Length of a message tag: 32 lowercase hex digits (128 random bits). */
#define XMPP_TAG_LEN 32

/*
 * Queues a chat message to TO. ID > 0 asks for the accepted event with that
 * id, and TAG (XMPP_TAG_LEN lowercase hex digits, unguessable, kept by the
 * owner) for the receipt and bounce events: the stanza goes out with id
 * "kk-TAG". ID == 0 (TAG NULL) is best effort. Returns 0, -EINVAL for a
 * malformed TAG, -ENOBUFS when the queue is full, or -ENOMEM.
 */
int xmpp_session_send(struct xmpp_session *ch, int64_t id, const char *tag, const char *to,
                      const char *body);

/*
 * Whether the stanza id ID is "kk-" and a well-formed tag; the tag is then
 * copied to OUT (XMPP_TAG_LEN + 1 bytes). Reads at most XMPP_TAG_LEN + 4
 * bytes of ID, so any id from the network is safe.
 */
bool xmpp_session_tag_of(const char *id, char out[XMPP_TAG_LEN + 1]);

/* Asks TO for a presence subscription, so that the bot sees them go offline. */
int xmpp_session_subscribe(struct xmpp_session *ch, const char *to);

/* Whether the last event from the thread was "connected". */
bool xmpp_session_connected(const struct xmpp_session *ch);

/* Stops the thread and closes the handle; freed by the loop. NULL is allowed. */
void xmpp_session_stop(struct xmpp_session *ch);

#endif
