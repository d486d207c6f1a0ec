/*
 * xmpp_channel — the bot's XMPP account, run by libstrophe on its own thread
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
#ifndef KK_XMPP_CHANNEL_H
#define KK_XMPP_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"

struct xmpp_channel;

/* Called on the loop. Strings are borrowed for the call. */
struct xmpp_channel_events {
	void (*connected)(void *arg);
	void (*disconnected)(void *arg, const char *why);
	/* The server took message ID (an outbox id) on a live stream. */
	void (*accepted)(void *arg, int64_t id);
	/* The recipient's client confirmed message ID (XEP-0184). */
	void (*receipt)(void *arg, int64_t id);
	/* Message ID came back as an error (unknown user, refused...). */
	void (*bounced)(void *arg, int64_t id, const char *jid, const char *error);
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
int xmpp_channel_start(struct xmpp_channel **out, uv_loop_t *loop, const struct config *cfg,
                       const struct xmpp_channel_events *ev, void *arg);

/*
 * Queues a chat message to TO. ID > 0 asks for the accepted (and receipt)
 * events with that id; ID == 0 is best effort. Returns 0 or -ENOMEM.
 */
int xmpp_channel_send(struct xmpp_channel *ch, int64_t id, const char *to, const char *body);

/* Asks TO for a presence subscription, so that the bot sees them go offline. */
int xmpp_channel_subscribe(struct xmpp_channel *ch, const char *to);

/* Whether the last event from the thread was "connected". */
bool xmpp_channel_connected(const struct xmpp_channel *ch);

/* Stops the thread and closes the handle; freed by the loop. NULL is allowed. */
void xmpp_channel_stop(struct xmpp_channel *ch);

#endif
