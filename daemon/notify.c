/* SPDX-License-Identifier: ISC */
/*
 * notify — outbox dispatcher and presence book; see notify.h.
 *
 * Rows being handed to the channel are remembered in memory (in flight)
 * until the server takes them or the connection drops; the store says
 * which rows are still pending, so a restart simply starts over from it.
 */
#include "notify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_outbox.h"
#include "metrics_counters.h"
#include "text.h"
#include "xmpp_session.h"

#define NOTIFY_BATCH 200

/* A row handed to the channel; ACCEPTED once the server took it, until its
 * new state is committed (so that a dispatch in between cannot resend it). */
struct inflight {
	int64_t id;
	bool accepted;
};

struct notify {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store *store;
	const struct notify_events *ev;
	void *arg;
	struct xmpp_session *xmpp;
	struct xmpp_session_events xev;
	uv_timer_t kick;
	bool kick_armed, closing;
	struct inflight *inflight;
	size_t ninflight, cap_inflight;
	struct presence_table *presence;
};

static bool is_inflight(const struct notify *n, int64_t id)
{
	for (size_t i = 0; i < n->ninflight; i++)
		if (n->inflight[i].id == id)
			return true;
	return false;
}

static void drop_inflight(struct notify *n, int64_t id)
{
	for (size_t i = 0; i < n->ninflight; i++) {
		if (n->inflight[i].id == id) {
			n->inflight[i] = n->inflight[--n->ninflight];
			return;
		}
	}
}

static int add_inflight(struct notify *n, int64_t id)
{
	if (n->ninflight == n->cap_inflight) {
		size_t cap = n->cap_inflight != 0 ? n->cap_inflight * 2 : 256;
		struct inflight *v = realloc(n->inflight, cap * sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		n->inflight = v;
		n->cap_inflight = cap;
	}
	n->inflight[n->ninflight].id = id;
	n->inflight[n->ninflight++].accepted = false;
	return 0;
}

/* Forgets the rows the server had not taken: they are still pending. */
static void drop_unaccepted(struct notify *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->ninflight; i++)
		if (n->inflight[i].accepted)
			n->inflight[k++] = n->inflight[i];
	metrics_alert_add(METRICS_ALERT_RETRIED, "xmpp", n->ninflight - k);
	n->ninflight = k;
}

/* ---- sending pending rows ---- */

static int on_pending_row(void *arg, const struct store_outbox_row *r)
{
	struct notify *n = arg;
	int64_t id = r->id;
	const char *to = r->recipient;
	const char *body = r->body;
	const char *tag = r->tag;
	int rc;

	if (is_inflight(n, id) || to == NULL || body == NULL || tag == NULL)
		return 0;
	if (n->ninflight >= NOTIFY_BATCH * 10)
		return 1;
	rc = xmpp_session_send(n->xmpp, id, tag, to, body);
	if (rc == -EINVAL) {
		log_warnx("notify: outbox row %lld has a malformed tag: not sent", (long long)id);
		return 0;
	}
	if (rc < 0 || add_inflight(n, id) < 0)
		return 1;
	return 0;
}

static void dispatch(struct notify *n)
{
	int rc;

	if (n->xmpp == NULL || !xmpp_session_connected(n->xmpp))
		return;
	rc = store_outbox_xmpp_waiting(n->store, on_pending_row, n);
	if (rc < 0)
		log_warn(rc, "notify: cannot read the outbox");
}

static void on_kick(uv_timer_t *t)
{
	struct notify *n = t->data;

	n->kick_armed = false;
	dispatch(n);
}

void notify_kick(struct notify *n)
{
	if (n == NULL || n->kick_armed || n->closing)
		return;
	n->kick_armed = true;
	uv_timer_start(&n->kick, on_kick, 0, 0);
}

/* ---- outbox updates ---- */

/*
 * MARK_SENT names the row by its id (the server took it on our own
 * stream). A receipt or a bounce can come from anyone who can write to the
 * bot, so MARK_DELIVERED and MARK_FAILED name the row by its unguessable
 * tag and change it only when FROM is the bare JID it was sent to and it is
 * still waiting for its outcome (not delivered, not failed).
 */
struct mark {
	int64_t id;
	int64_t at_ms;
	enum { MARK_SENT, MARK_DELIVERED, MARK_FAILED } what;
	char tag[XMPP_TAG_LEN + 1];
	char from[256];
	char why[64];
	/* read back for MARK_FAILED */
	bool changed;
	int64_t case_id;
	char jid[256];
	struct notify *n;
};

static int tx_mark(struct store_tx *tx, void *arg)
{
	struct mark *m = arg;
	int64_t rc;

	switch (m->what) {
	case MARK_SENT: rc = store_outbox_xmpp_sent(tx, m->id, m->at_ms); break;
	case MARK_DELIVERED: rc = store_outbox_xmpp_delivered(tx, m->tag, m->from, m->at_ms); break;
	case MARK_FAILED:
		rc = store_outbox_xmpp_bounced(tx, m->tag, m->from, m->why, &m->id, &m->case_id,
		                               m->jid, sizeof m->jid);
		m->changed = rc > 0;
		break;
	default: rc = -EINVAL;
	}
	return rc < 0 ? (int)rc : 0;
}

static void on_marked(void *arg, int status)
{
	struct mark *m = arg;

	if (m->what == MARK_SENT || (m->what == MARK_FAILED && m->changed))
		drop_inflight(m->n, m->id);
	if (status < 0) {
		log_warn(status, "notify: outbox row not updated");
	} else if (m->what == MARK_FAILED && !m->changed) {
		log_warnx("notify: ignored a bounce from %s that names no message waiting for it",
		          m->from);
	} else if (m->what == MARK_FAILED) {
		log_warnx("notify: message %lld to %s bounced: %s", (long long)m->id, m->jid,
		          m->why);
		metrics_alert(METRICS_ALERT_FAILED, "xmpp");
		if (m->case_id != 0 && m->n->ev->unreachable != NULL && !m->n->closing)
			m->n->ev->unreachable(m->n->arg, m->case_id, m->jid, m->why);
	}
	free(m);
}

static void mark(struct notify *n, int64_t id, const char *tag, const char *from, int what,
                 const char *why)
{
	struct mark *m = calloc(1, sizeof *m);

	if (m == NULL)
		return;
	m->id = id;
	m->at_ms = text_now_ms();
	m->what = what;
	m->n = n;
	snprintf(m->tag, sizeof m->tag, "%s", tag != NULL ? tag : "");
	snprintf(m->from, sizeof m->from, "%s", from != NULL ? from : "");
	snprintf(m->why, sizeof m->why, "%s", why != NULL ? why : "");
	if (store_write(n->store, tx_mark, m, on_marked, m) < 0)
		free(m);
}

/* ---- channel events ---- */

static void on_connected(void *arg)
{
	struct notify *n = arg;

	drop_unaccepted(n);
	if (n->ev->connected != NULL)
		n->ev->connected(n->arg);
	dispatch(n);
}

static void on_disconnected(void *arg, const char *why)
{
	struct notify *n = arg;

	(void)why;
	/* Whatever the server had not taken will be sent again. */
	drop_unaccepted(n);
	presence_forget(n->presence);
}

static void on_accepted(void *arg, int64_t id)
{
	struct notify *n = arg;

	for (size_t i = 0; i < n->ninflight; i++)
		if (n->inflight[i].id == id)
			n->inflight[i].accepted = true;
	metrics_alert(METRICS_ALERT_SENT, "xmpp");
	mark(n, id, NULL, NULL, MARK_SENT, NULL);
}

static void on_receipt(void *arg, const char *tag, const char *from)
{
	mark(arg, 0, tag, from, MARK_DELIVERED, NULL);
}

static void on_bounced(void *arg, const char *tag, const char *from, const char *error)
{
	mark(arg, 0, tag, from, MARK_FAILED, error);
}

static void on_presence(void *arg, const char *jid, bool available)
{
	struct notify *n = arg;

	presence_set(n->presence, jid, available ? PRESENCE_ONLINE : PRESENCE_OFFLINE);
	if (n->ev->presence != NULL)
		n->ev->presence(n->arg, jid, available ? PRESENCE_ONLINE : PRESENCE_OFFLINE);
}

static void on_message(void *arg, const char *jid, const char *body)
{
	struct notify *n = arg;

	if (n->ev->message != NULL)
		n->ev->message(n->arg, jid, body);
}

enum presence notify_presence(const struct notify *n, const char *jid)
{
	return presence_get(n != NULL ? n->presence : NULL, jid);
}

void notify_reply(struct notify *n, const char *jid, const char *body)
{
	if (n != NULL && n->xmpp != NULL)
		xmpp_session_send(n->xmpp, 0, NULL, jid, body);
}

void notify_watch(struct notify *n, const char *jid)
{
	if (n != NULL && n->xmpp != NULL)
		xmpp_session_subscribe(n->xmpp, jid);
}

bool notify_connected(const struct notify *n)
{
	return n != NULL && xmpp_session_connected(n->xmpp);
}

unsigned notify_inflight(const struct notify *n)
{
	return n != NULL ? (unsigned)n->ninflight : 0;
}

int notify_start(struct notify **out, uv_loop_t *loop, const struct config *cfg, struct store *st,
                 const struct notify_events *ev, void *arg)
{
	struct notify *n = calloc(1, sizeof *n);
	int rc;

	if (n == NULL)
		return -ENOMEM;
	n->presence = presence_new();
	if (n->presence == NULL) {
		free(n);
		return -ENOMEM;
	}
	n->loop = loop;
	n->cfg = cfg;
	n->store = st;
	n->ev = ev;
	n->arg = arg;
	n->xev.connected = on_connected;
	n->xev.disconnected = on_disconnected;
	n->xev.accepted = on_accepted;
	n->xev.receipt = on_receipt;
	n->xev.bounced = on_bounced;
	n->xev.presence = on_presence;
	n->xev.message = on_message;
	uv_timer_init(loop, &n->kick);
	n->kick.data = n;
	if (cfg->xmpp_jid[0] != '\0') {
		rc = xmpp_session_start(&n->xmpp, loop, cfg, &n->xev, n);
		if (rc < 0) {
			notify_stop(n);
			return rc;
		}
	} else {
		log_info("notify: no [xmpp] jid configured: alerts wait in the outbox");
	}
	*out = n;
	return 0;
}

static void on_kick_closed(uv_handle_t *h)
{
	struct notify *n = h->data;

	presence_free(n->presence);
	free(n->inflight);
	free(n);
}

void notify_stop(struct notify *n)
{
	if (n == NULL)
		return;
	n->closing = true;
	xmpp_session_stop(n->xmpp);
	n->xmpp = NULL;
	uv_close((uv_handle_t *)&n->kick, on_kick_closed);
}
