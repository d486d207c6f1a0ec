/* SPDX-License-Identifier: ISC */
/*
 * xmpp — the chat channel: outbox rows to specialists' and reporters' XMPP
 * accounts, best-effort replies, presence subscriptions. The bot's account
 * itself runs on its own thread (xmpp_session.h); this file turns its
 * events into the dispatcher's (notify.h).
 *
 * A row counts as taken when the server has answered a ping sent after it
 * on the same stream; rows not taken when the stream goes are lost and sent
 * again after the reconnect. Receipts (XEP-0184) and bounces name the row by
 * its unguessable tag, and the dispatcher believes them only from the row's
 * own recipient.
 */
#include <errno.h>
#include <stdlib.h>

#include "log.h"
#include "notify.h"
#include "xmpp_session.h"

struct xmpp {
	struct notify *host;
	struct xmpp_session *session;
	struct xmpp_session_events ev;
};

static void on_connected(void *arg)
{
	struct xmpp *x = arg;

	notify_channel_ready(x->host, "xmpp", true);
}

static void on_disconnected(void *arg, const char *why)
{
	struct xmpp *x = arg;

	(void)why;
	notify_channel_ready(x->host, "xmpp", false);
}

static void on_accepted(void *arg, int64_t id)
{
	struct xmpp *x = arg;

	notify_channel_done(x->host, id, NOTIFY_TAKEN, NULL);
}

static void on_receipt(void *arg, const char *tag, const char *from)
{
	struct xmpp *x = arg;

	notify_channel_delivered(x->host, "xmpp", tag, from);
}

static void on_bounced(void *arg, const char *tag, const char *from, const char *error)
{
	struct xmpp *x = arg;

	notify_channel_bounced(x->host, "xmpp", tag, from, error);
}

static void on_presence(void *arg, const char *jid, bool available)
{
	struct xmpp *x = arg;

	notify_channel_presence(x->host, jid, available);
}

static void on_message(void *arg, const char *jid, const char *body)
{
	struct xmpp *x = arg;

	notify_channel_message(x->host, jid, body);
}

static bool configured(const struct config *cfg)
{
	return cfg->xmpp_jid[0] != '\0';
}

static int start(void **self, const struct notify_env *env)
{
	struct xmpp *x = calloc(1, sizeof *x);
	int rc;

	if (x == NULL)
		return -ENOMEM;
	x->host = env->host;
	x->ev.connected = on_connected;
	x->ev.disconnected = on_disconnected;
	x->ev.accepted = on_accepted;
	x->ev.receipt = on_receipt;
	x->ev.bounced = on_bounced;
	x->ev.presence = on_presence;
	x->ev.message = on_message;
	rc = xmpp_session_start(&x->session, env->loop, env->cfg, &x->ev, x);
	if (rc < 0) {
		free(x);
		return rc;
	}
	*self = x;
	return 0;
}

static bool ready(const void *self)
{
	const struct xmpp *x = self;

	return xmpp_session_connected(x->session);
}

/* A row without a tag could never be confirmed: it is not sent. */
static int send_row(void *self, const struct notify_row *row)
{
	struct xmpp *x = self;

	if (row->tag == NULL)
		return -EINVAL;
	return xmpp_session_send(x->session, row->id, row->tag, row->recipient, row->body);
}

static void reply(void *self, const char *to, const char *body)
{
	struct xmpp *x = self;

	xmpp_session_send(x->session, 0, NULL, to, body);
}

static void watch(void *self, const char *to)
{
	struct xmpp *x = self;

	xmpp_session_subscribe(x->session, to);
}

/* The session's thread is joined and its handle closed by the loop; its
 * events stop with the call, so X can go now. */
static void stop(void *self)
{
	struct xmpp *x = self;

	xmpp_session_stop(x->session);
	free(x);
}

const struct notify_channel notify_xmpp_channel = {
    .name = "xmpp",
    .batch = 1000,
    .max_inflight = 2000,
    .configured = configured,
    .start = start,
    .ready = ready,
    .send = send_row,
    .reply = reply,
    .watch = watch,
    .stop = stop,
};
