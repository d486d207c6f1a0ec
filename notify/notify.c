/* SPDX-License-Identifier: ISC */
/*
 * notify — the one outbox dispatcher; see notify.h.
 *
 * The outbox is read for each ready channel on a one-second tick, and at
 * once (at the end of the loop turn) when new rows may have been committed.
 * A row handed to a channel is in flight until its outcome is committed, so
 * that no dispatch in between can send it again; the store says which rows
 * still wait, so a restart simply starts over from it.
 */
#include "notify.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics_counters.h"
#include "store_outbox.h"
#include "store_timeline.h"
#include "text.h"

/* Adding a channel: one file in notify/ and one line here. */
static const struct notify_channel *const channels[] = {
    &notify_xmpp_channel,
    &notify_smtp_channel,
    &notify_webhook_channel,
};

#define NOTIFY_TICK_MS        1000
#define NOTIFY_BACKOFF_MIN_MS 1000
#define NOTIFY_BACKOFF_MAX_MS (10 * 60 * 1000)
#define NOTIFY_PER_TARGET     4 /* rows on the wire at once to one target */
#define NOTIFY_TARGETS        64

/* One channel, started (SELF NULL when its configuration is absent). */
struct link {
	const struct notify_channel *ch;
	void *self;
	bool ready;
	size_t inflight;
	bool saturated; /* a dispatch stopped for a budget: look again when a row ends */
};

/* The rate and concurrency budget of one target. */
struct bucket {
	char target[256];
	double tokens;
	int64_t last_ms;
	unsigned busy;
};

/* A row on the wire; TAKEN once the server took it, until that is committed. */
struct inflight {
	int64_t id, case_id;
	int attempts;
	size_t link;
	int bucket; /* -1: none */
	bool taken;
	char *note; /* the timeline's detail, for channels that write one */
};

struct notify {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store *store;
	struct roster *const *roster;
	const struct notify_events *ev;
	void *arg;
	struct link *links;
	size_t nlinks;
	struct link *chat; /* the channel with replies and presence, or NULL */
	uv_timer_t tick;
	bool kicked, closing;
	struct inflight *inflight;
	size_t ninflight, cap_inflight;
	struct bucket buckets[NOTIFY_TARGETS];
	size_t nbuckets;
	unsigned writes;
	struct presence_table *presence;
};

/* ---- bookkeeping ---- */

static struct link *link_of(struct notify *n, const char *channel)
{
	for (size_t i = 0; i < n->nlinks; i++)
		if (strcmp(n->links[i].ch->name, channel) == 0)
			return &n->links[i];
	return NULL;
}

static struct inflight *find_inflight(struct notify *n, int64_t id)
{
	for (size_t i = 0; i < n->ninflight; i++)
		if (n->inflight[i].id == id)
			return &n->inflight[i];
	return NULL;
}

static struct inflight *add_inflight(struct notify *n)
{
	if (n->ninflight == n->cap_inflight) {
		size_t cap = n->cap_inflight != 0 ? n->cap_inflight * 2 : 256;
		struct inflight *v = realloc(n->inflight, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		n->inflight = v;
		n->cap_inflight = cap;
	}
	memset(&n->inflight[n->ninflight], 0, sizeof n->inflight[0]);
	return &n->inflight[n->ninflight++];
}

static void unbusy(struct notify *n, struct inflight *f)
{
	if (f->bucket >= 0 && n->buckets[f->bucket].busy > 0)
		n->buckets[f->bucket].busy--;
	f->bucket = -1;
}

/* Forgets F (its row waits in the store again, or has its outcome). */
static void release(struct notify *n, struct inflight *f)
{
	struct link *l = &n->links[f->link];

	unbusy(n, f);
	free(f->note);
	l->inflight--;
	*f = n->inflight[--n->ninflight];
	if (l->saturated && !n->closing) {
		l->saturated = false;
		notify_kick(n);
	}
}

/* The budget of TARGET: at most NOTIFY_PER_TARGET on the wire, and
 * [webhook] rate a second on average. Returns its index, or -1 when it has
 * none left now. */
static int bucket_take(struct notify *n, const char *target, int64_t now)
{
	double rate = n->cfg->webhook_rate;
	size_t i, pick = n->nbuckets;
	struct bucket *b;

	for (i = 0; i < n->nbuckets; i++)
		if (strcmp(n->buckets[i].target, target) == 0)
			break;
	if (i == n->nbuckets) {
		if (n->nbuckets < NOTIFY_TARGETS) {
			pick = n->nbuckets++;
		} else {
			for (size_t k = 0; k < n->nbuckets; k++)
				if (n->buckets[k].busy == 0 &&
				    (pick == n->nbuckets ||
				     n->buckets[k].last_ms < n->buckets[pick].last_ms))
					pick = k;
			if (pick == n->nbuckets)
				return -1;
		}
		i = pick;
		b = &n->buckets[i];
		memset(b, 0, sizeof *b);
		snprintf(b->target, sizeof b->target, "%s", target);
		b->tokens = rate;
		b->last_ms = now;
	}
	b = &n->buckets[i];
	b->tokens += (double)(now - b->last_ms) * rate / 1000.0;
	if (b->tokens > rate)
		b->tokens = rate;
	b->last_ms = now;
	if (b->tokens < 1.0 || b->busy >= NOTIFY_PER_TARGET)
		return -1;
	b->tokens -= 1.0;
	b->busy++;
	return (int)i;
}

/* The timeline's detail of a row of CHANNEL going out. */
static char *note_of(const char *channel, const struct notify_row *r)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "channel", channel, "kind",
	                      r->kind != NULL ? r->kind : "", "to", r->recipient);
	char *d = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return d;
}

/* ---- handing rows to channels ---- */

struct scan {
	struct notify *n;
	size_t link;
	int64_t now;
};

static int on_waiting(void *arg, const struct store_outbox_row *r)
{
	struct scan *sc = arg;
	struct notify *n = sc->n;
	struct link *l = &n->links[sc->link];
	struct notify_row row = {.id = r->id,
	                         .case_id = r->case_id,
	                         .attempts = r->attempts,
	                         .kind = r->kind,
	                         .recipient = r->recipient,
	                         .subject = r->subject,
	                         .body = r->body,
	                         .tag = r->tag};
	const char *target;
	struct inflight *f;
	int bucket = -1, rc;

	if (r->recipient == NULL || r->body == NULL || find_inflight(n, r->id) != NULL)
		return 0;
	if (l->inflight >= l->ch->max_inflight) {
		l->saturated = true;
		return 1;
	}
	target = l->ch->target != NULL ? l->ch->target(l->self, &row) : NULL;
	if (target != NULL) {
		bucket = bucket_take(n, target, sc->now);
		if (bucket < 0) {
			l->saturated = true;
			return 0;
		}
	}
	f = add_inflight(n);
	if (f == NULL) {
		if (bucket >= 0)
			n->buckets[bucket].busy--;
		return 1;
	}
	f->id = r->id;
	f->case_id = r->case_id;
	f->attempts = (int)r->attempts;
	f->link = sc->link;
	f->bucket = bucket;
	f->note = l->ch->timeline && r->case_id != 0 ? note_of(l->ch->name, &row) : NULL;
	l->inflight++;
	rc = l->ch->send(l->self, &row);
	if (rc == 0)
		return 0;
	release(n, find_inflight(n, r->id));
	if (rc == -EINVAL) {
		log_warnx("notify: outbox row %" PRId64 " cannot go by %s: left waiting", r->id,
		          l->ch->name);
		return 0;
	}
	l->saturated = true;
	return 1;
}

static void dispatch(struct notify *n)
{
	int64_t now = text_now_ms();

	for (size_t i = 0; i < n->nlinks; i++) {
		struct link *l = &n->links[i];
		struct scan sc = {n, i, now};
		int rc;

		if (l->self == NULL || !l->ready)
			continue;
		rc =
		    store_outbox_waiting(n->store, l->ch->name, now, l->ch->batch, on_waiting, &sc);
		if (rc < 0)
			log_warn(rc, "notify: cannot read the %s outbox", l->ch->name);
	}
}

static void on_tick(uv_timer_t *t)
{
	struct notify *n = t->data;

	n->kicked = false;
	if (n->closing)
		return;
	dispatch(n);
	uv_timer_start(&n->tick, on_tick, NOTIFY_TICK_MS, 0);
}

void notify_kick(struct notify *n)
{
	if (n == NULL || n->kicked || n->closing)
		return;
	n->kicked = true;
	uv_timer_start(&n->tick, on_tick, 0, 0);
}

/* ---- outcomes ---- */

/* One write of what became of a row, or of what a receipt or bounce said. */
struct mark {
	struct notify *n;
	enum { MARK_TAKEN, MARK_RETRY, MARK_DELIVERED, MARK_BOUNCED } what;
	int64_t id, at_ms, retry_ms, case_id;
	char *note;
	char channel[16];
	char tag[64];
	char from[256];
	char why[256];
	/* read back for MARK_BOUNCED */
	bool changed;
	char jid[256];
};

static int tx_mark(struct store_tx *tx, void *arg)
{
	struct mark *m = arg;
	int64_t rc;

	switch (m->what) {
	case MARK_TAKEN:
		rc = store_outbox_sent(tx, m->id, m->at_ms);
		if (rc >= 0 && m->note != NULL)
			rc = store_event_add(tx, m->case_id, m->at_ms, -1, EV_NOTIFIED, m->channel,
			                     m->note);
		break;
	case MARK_RETRY: rc = store_outbox_retry(tx, m->id, m->retry_ms, m->why); break;
	case MARK_DELIVERED:
		rc = store_outbox_delivered(tx, m->channel, m->tag, m->from, m->at_ms);
		break;
	case MARK_BOUNCED:
		rc = store_outbox_bounced(tx, m->channel, m->tag, m->from, m->why, &m->id,
		                          &m->case_id, m->jid, sizeof m->jid);
		m->changed = rc > 0;
		break;
	default: rc = -EINVAL;
	}
	return rc < 0 ? (int)rc : 0;
}

static void on_marked(void *arg, int status)
{
	struct mark *m = arg;
	struct notify *n = m->n;
	struct inflight *f = NULL;

	n->writes--;
	if (m->what == MARK_TAKEN || m->what == MARK_RETRY ||
	    (m->what == MARK_BOUNCED && m->changed))
		f = find_inflight(n, m->id);
	if (f != NULL)
		release(n, f);
	if (status < 0) {
		log_warn(status, "notify: outbox row not updated");
	} else if (m->what == MARK_BOUNCED && !m->changed) {
		log_warnx("notify: ignored a bounce from %s that names no message waiting for it",
		          m->from);
	} else if (m->what == MARK_BOUNCED) {
		log_warnx("notify: message %" PRId64 " to %s bounced: %s", m->id, m->jid, m->why);
		metrics_alert(METRICS_ALERT_FAILED, m->channel);
		if (m->case_id != 0 && n->ev->unreachable != NULL && !n->closing)
			n->ev->unreachable(n->arg, m->case_id, m->jid, m->why);
	} else if (m->what == MARK_RETRY && !n->closing) {
		notify_kick(n);
	}
	free(m->note);
	free(m);
}

/* Queues M's write; on failure the row's in-flight entry is forgotten (the
 * row waits in the store and goes again). */
static void mark(struct notify *n, struct mark *m)
{
	m->n = n;
	if (m->at_ms == 0)
		m->at_ms = text_now_ms();
	if (n->closing || store_write(n->store, tx_mark, m, on_marked, m) < 0) {
		struct inflight *f = m->what <= MARK_RETRY ? find_inflight(n, m->id) : NULL;

		if (f != NULL)
			release(n, f);
		free(m->note);
		free(m);
		return;
	}
	n->writes++;
}

static int64_t backoff_ms(int attempts)
{
	int64_t wait = NOTIFY_BACKOFF_MIN_MS;

	for (int i = 0; i < attempts && wait < NOTIFY_BACKOFF_MAX_MS; i++)
		wait *= 2;
	return wait < NOTIFY_BACKOFF_MAX_MS ? wait : NOTIFY_BACKOFF_MAX_MS;
}

void notify_channel_done(struct notify *n, int64_t id, enum notify_outcome o, const char *error)
{
	struct inflight *f = find_inflight(n, id);
	const char *channel = f != NULL ? n->links[f->link].ch->name : "xmpp";
	struct mark *m;

	if (f != NULL)
		unbusy(n, f);
	if (o == NOTIFY_LOST || (f != NULL && f->taken)) {
		if (f != NULL && !f->taken) {
			metrics_alert(METRICS_ALERT_RETRIED, channel);
			release(n, f);
		}
		return;
	}
	metrics_alert(o == NOTIFY_TAKEN ? METRICS_ALERT_SENT : METRICS_ALERT_RETRIED, channel);
	m = calloc(1, sizeof *m);
	if (m == NULL) {
		if (f != NULL)
			release(n, f);
		return;
	}
	m->id = id;
	m->at_ms = text_now_ms();
	snprintf(m->channel, sizeof m->channel, "%s", channel);
	if (o == NOTIFY_TAKEN) {
		m->what = MARK_TAKEN;
		if (f != NULL) {
			f->taken = true;
			m->case_id = f->case_id;
			m->note = f->note;
			f->note = NULL;
		}
	} else {
		m->what = MARK_RETRY;
		m->retry_ms = m->at_ms + backoff_ms(f != NULL ? f->attempts : 0);
		snprintf(m->why, sizeof m->why, "%s", error != NULL ? error : "failed");
	}
	mark(n, m);
}

static void mark_tagged(struct notify *n, int what, const char *channel, const char *tag,
                        const char *from, const char *why)
{
	struct mark *m = calloc(1, sizeof *m);

	if (m == NULL)
		return;
	m->what = what;
	snprintf(m->channel, sizeof m->channel, "%s", channel);
	snprintf(m->tag, sizeof m->tag, "%s", tag != NULL ? tag : "");
	snprintf(m->from, sizeof m->from, "%s", from != NULL ? from : "");
	snprintf(m->why, sizeof m->why, "%s", why != NULL ? why : "");
	mark(n, m);
}

void notify_channel_delivered(struct notify *n, const char *channel, const char *tag,
                              const char *from)
{
	mark_tagged(n, MARK_DELIVERED, channel, tag, from, NULL);
}

void notify_channel_bounced(struct notify *n, const char *channel, const char *tag,
                            const char *from, const char *why)
{
	mark_tagged(n, MARK_BOUNCED, channel, tag, from, why);
}

/* ---- channel state, presence, chat ---- */

void notify_channel_ready(struct notify *n, const char *channel, bool ready)
{
	struct link *l = link_of(n, channel);
	size_t lost = 0;

	if (l == NULL)
		return;
	l->ready = ready;
	/* Whatever the server had not taken goes again. */
	for (size_t i = 0; i < n->ninflight;) {
		struct inflight *f = &n->inflight[i];

		if (&n->links[f->link] == l && !f->taken) {
			release(n, f);
			lost++;
		} else {
			i++;
		}
	}
	metrics_alert_add(METRICS_ALERT_RETRIED, channel, lost);
	if (l == n->chat && !ready)
		presence_forget(n->presence);
	if (l == n->chat && ready && n->ev->connected != NULL && !n->closing)
		n->ev->connected(n->arg);
	if (ready)
		notify_kick(n);
}

void notify_channel_presence(struct notify *n, const char *jid, bool online)
{
	enum presence p = online ? PRESENCE_ONLINE : PRESENCE_OFFLINE;

	presence_set(n->presence, jid, p);
	if (n->ev->presence != NULL && !n->closing)
		n->ev->presence(n->arg, jid, p);
}

void notify_channel_message(struct notify *n, const char *jid, const char *body)
{
	if (n->ev->message != NULL && !n->closing)
		n->ev->message(n->arg, jid, body);
}

enum presence notify_presence(const struct notify *n, const char *jid)
{
	return presence_get(n != NULL ? n->presence : NULL, jid);
}

void notify_reply(struct notify *n, const char *jid, const char *body)
{
	if (n != NULL && n->chat != NULL && n->chat->self != NULL)
		n->chat->ch->reply(n->chat->self, jid, body);
}

void notify_watch(struct notify *n, const char *jid)
{
	if (n != NULL && n->chat != NULL && n->chat->self != NULL && n->chat->ch->watch != NULL)
		n->chat->ch->watch(n->chat->self, jid);
}

bool notify_connected(const struct notify *n)
{
	return n != NULL && n->chat != NULL && n->chat->self != NULL &&
	       n->chat->ch->ready(n->chat->self);
}

unsigned notify_inflight(const struct notify *n)
{
	return n != NULL ? (unsigned)n->ninflight : 0;
}

unsigned notify_pending(const struct notify *n)
{
	unsigned k;

	if (n == NULL)
		return 0;
	k = n->writes;
	for (size_t i = 0; i < n->nlinks; i++)
		if (n->links[i].self != NULL && n->links[i].ch->pending != NULL)
			k += n->links[i].ch->pending(n->links[i].self);
	return k;
}

/* ---- fallback to e-mail ---- */

struct fallback {
	struct notify *n;
	int64_t case_id, now_ms, added;
	char jid[256];
	char email[256];
};

static int tx_fallback(struct store_tx *tx, void *arg)
{
	struct fallback *f = arg;
	int64_t rc = store_outbox_fallback_email(tx, f->jid, f->email, f->case_id, f->now_ms);

	if (rc < 0)
		return (int)rc;
	f->added = rc;
	return 0;
}

static void on_fallback_written(void *arg, int status)
{
	struct fallback *f = arg;

	f->n->writes--;
	if (status == 0 && f->added > 0) {
		log_info("notify: %" PRId64 " alerts for %s also go by e-mail", f->added, f->jid);
		notify_kick(f->n);
	}
	free(f);
}

void notify_fallback(struct notify *n, int64_t case_id, const char *jid)
{
	struct link *mail = n != NULL ? link_of(n, "email") : NULL;
	const struct roster *r = n != NULL ? *n->roster : NULL;
	const struct specialist *s = r != NULL ? roster_by_jid(r, jid) : NULL;
	struct fallback *f;

	if (n == NULL || n->closing || mail == NULL || mail->self == NULL || s == NULL ||
	    s->email == NULL || s->email[0] == '\0')
		return;
	f = calloc(1, sizeof *f);
	if (f == NULL)
		return;
	f->n = n;
	f->case_id = case_id;
	f->now_ms = text_now_ms();
	snprintf(f->jid, sizeof f->jid, "%s", jid);
	snprintf(f->email, sizeof f->email, "%s", s->email);
	if (store_write(n->store, tx_fallback, f, on_fallback_written, f) < 0) {
		free(f);
		return;
	}
	n->writes++;
}

/* ---- start and stop ---- */

int notify_start(struct notify **out, uv_loop_t *loop, const struct config *cfg, struct store *st,
                 struct roster *const *roster, const struct notify_events *ev, void *arg)
{
	return notify_start_with(out, loop, cfg, st, roster, ev, arg, channels,
	                         sizeof channels / sizeof channels[0]);
}

int notify_start_with(struct notify **out, uv_loop_t *loop, const struct config *cfg,
                      struct store *st, struct roster *const *roster,
                      const struct notify_events *ev, void *arg,
                      const struct notify_channel *const *chs, size_t nchs)
{
	struct notify *n = calloc(1, sizeof *n);
	struct notify_env env = {loop, cfg, st, n};
	int rc = 0;

	if (n == NULL)
		return -ENOMEM;
	n->presence = presence_new();
	n->links = calloc(nchs, sizeof *n->links);
	if (n->presence == NULL || n->links == NULL) {
		presence_free(n->presence);
		free(n->links);
		free(n);
		return -ENOMEM;
	}
	n->nlinks = nchs;
	n->loop = loop;
	n->cfg = cfg;
	n->store = st;
	n->roster = roster;
	n->ev = ev;
	n->arg = arg;
	uv_timer_init(loop, &n->tick);
	n->tick.data = n;
	for (size_t i = 0; i < n->nlinks; i++) {
		struct link *l = &n->links[i];

		l->ch = chs[i];
		if (l->ch->reply != NULL && n->chat == NULL)
			n->chat = l;
		if (!l->ch->configured(cfg)) {
			log_info("notify: %s is not configured: its messages wait in the outbox",
			         l->ch->name);
			continue;
		}
		rc = l->ch->start(&l->self, &env);
		if (rc < 0) {
			log_error(rc, "notify: cannot start %s", l->ch->name);
			notify_stop(n);
			return rc;
		}
		l->ready = l->ch->ready(l->self);
	}
	uv_timer_start(&n->tick, on_tick, NOTIFY_TICK_MS, 0);
	*out = n;
	return 0;
}

static void on_tick_closed(uv_handle_t *h)
{
	struct notify *n = h->data;

	for (size_t i = 0; i < n->ninflight; i++)
		free(n->inflight[i].note);
	presence_free(n->presence);
	free(n->inflight);
	free(n->links);
	free(n);
}

void notify_stop(struct notify *n)
{
	if (n == NULL)
		return;
	n->closing = true;
	for (size_t i = 0; i < n->nlinks; i++) {
		if (n->links[i].self != NULL)
			n->links[i].ch->stop(n->links[i].self);
		n->links[i].self = NULL;
		n->links[i].ready = false;
	}
	uv_timer_stop(&n->tick);
	uv_close((uv_handle_t *)&n->tick, on_tick_closed);
}
