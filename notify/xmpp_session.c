/* SPDX-License-Identifier: ISC */
/*
 * xmpp_session — libstrophe on its own thread; see xmpp_session.h.
 *
 * The thread sleeps in libstrophe's select(); a command from the loop wakes
 * it with SIGUSR2 (a handler that does nothing, installed without
 * SA_RESTART, so select returns EINTR), with a 10 ms timeout as the
 * backstop for a signal that lands just before select is entered.
 * libstrophe's own debug output is never logged: it includes the SASL
 * exchange.
 */
#include "xmpp_session.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fdreserve.h"
#include "log.h"
#include "xmpp_stanza.h"

#define XMPP_QUEUE_MAX      100000
#define XMPP_BACKOFF_MIN_MS 500
#define XMPP_BACKOFF_MAX_MS 30000
#define XMPP_FD_RESERVE     8 /* low descriptors kept for the socket */

enum xcmd_kind { XCMD_SEND, XCMD_SUBSCRIBE };

struct xcmd {
	struct xcmd *next;
	enum xcmd_kind kind;
	int64_t id;
	char tag[XMPP_TAG_LEN + 1];
	char *to, *body;
};

enum xev_kind {
	XEV_CONNECTED,
	XEV_DISCONNECTED,
	XEV_ACCEPTED,
	XEV_RECEIPT,
	XEV_BOUNCED,
	XEV_PRESENCE,
	XEV_MESSAGE,
};

struct xev {
	struct xev *next;
	enum xev_kind kind;
	int64_t id;
	char tag[XMPP_TAG_LEN + 1];
	bool available;
	char *jid, *text;
};

struct batch {
	struct batch *next;
	char iq_id[32];
	int64_t *ids;
	size_t n;
};

struct xmpp_session {
	uv_loop_t *loop;
	uv_async_t async;
	const struct config *cfg;
	const struct xmpp_session_events *ev;
	void *arg;
	bool connected; /* loop's view */

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	struct xcmd *cmd_head, *cmd_tail;
	size_t ncmd;
	struct xev *ev_head, *ev_tail;
	bool stop;

	/* thread only */
	xmpp_ctx_t *ctx;
	xmpp_conn_t *conn;
	bool online, dead;
	int64_t next_try_ms;
	unsigned backoff_ms;
	unsigned seq;
	struct batch *batches;
	char domain[256];
	struct fdreserve low; /* opened at start, released around a connect */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_wake(int sig)
{
	(void)sig;
}

/* ---- thread → loop ---- */

static void post(struct xmpp_session *ch, enum xev_kind kind, int64_t id, const char *tag,
                 bool available, const char *jid, const char *text)
{
	struct xev *e = calloc(1, sizeof *e);

	if (e == NULL)
		return;
	e->kind = kind;
	e->id = id;
	if (tag != NULL)
		snprintf(e->tag, sizeof e->tag, "%s", tag);
	e->available = available;
	e->jid = jid != NULL ? strdup(jid) : NULL;
	e->text = text != NULL ? strndup(text, stanza_utf8_cut(text, STANZA_TEXT_MAX)) : NULL;
	pthread_mutex_lock(&ch->mu);
	if (ch->ev_tail != NULL)
		ch->ev_tail->next = e;
	else
		ch->ev_head = e;
	ch->ev_tail = e;
	pthread_mutex_unlock(&ch->mu);
	uv_async_send(&ch->async);
}

static void free_ev(struct xev *e)
{
	free(e->jid);
	free(e->text);
	free(e);
}

static void on_events(uv_async_t *h)
{
	struct xmpp_session *ch = h->data;
	struct xev *list;

	pthread_mutex_lock(&ch->mu);
	list = ch->ev_head;
	ch->ev_head = ch->ev_tail = NULL;
	pthread_mutex_unlock(&ch->mu);
	while (list != NULL) {
		struct xev *e = list;
		const struct xmpp_session_events *ev = ch->ev;

		list = e->next;
		switch (e->kind) {
		case XEV_CONNECTED:
			ch->connected = true;
			if (ev->connected != NULL)
				ev->connected(ch->arg);
			break;
		case XEV_DISCONNECTED:
			ch->connected = false;
			if (ev->disconnected != NULL)
				ev->disconnected(ch->arg, e->text != NULL ? e->text : "");
			break;
		case XEV_ACCEPTED:
			if (ev->accepted != NULL)
				ev->accepted(ch->arg, e->id);
			break;
		case XEV_RECEIPT:
			if (ev->receipt != NULL && e->jid != NULL)
				ev->receipt(ch->arg, e->tag, e->jid);
			break;
		case XEV_BOUNCED:
			if (ev->bounced != NULL && e->jid != NULL)
				ev->bounced(ch->arg, e->tag, e->jid,
				            e->text != NULL ? e->text : "");
			break;
		case XEV_PRESENCE:
			if (ev->presence != NULL && e->jid != NULL)
				ev->presence(ch->arg, e->jid, e->available);
			break;
		case XEV_MESSAGE:
			if (ev->message != NULL && e->jid != NULL && e->text != NULL)
				ev->message(ch->arg, e->jid, e->text);
			break;
		}
		free_ev(e);
	}
}

/* ---- stanza handlers (thread) ---- */

bool xmpp_session_tag_of(const char *id, char out[XMPP_TAG_LEN + 1])
{
	if (id == NULL || strncmp(id, "kk-", 3) != 0)
		return false;
	id += 3;
	for (size_t i = 0; i < XMPP_TAG_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	if (id[XMPP_TAG_LEN] != '\0')
		return false;
	memcpy(out, id, XMPP_TAG_LEN);
	out[XMPP_TAG_LEN] = '\0';
	return true;
}

/* A receipt or bounce for a message of ours: the event carries the tag and
 * who sent it; the owner decides whether to believe it. */
static void post_outcome(struct xmpp_session *ch, enum xev_kind kind, const char *stanza_id,
                         const char *from, const char *error)
{
	char tag[XMPP_TAG_LEN + 1];

	if (from[0] != '\0' && xmpp_session_tag_of(stanza_id, tag))
		post(ch, kind, 0, tag, false, from, error);
}

static void send_receipt(struct xmpp_session *ch, xmpp_stanza_t *msg)
{
	const char *id = stanza_receipt_request(msg);
	xmpp_stanza_t *reply, *rcv;

	if (id == NULL)
		return;
	reply = xmpp_message_new(ch->ctx, NULL, xmpp_stanza_get_from(msg), NULL);
	rcv = xmpp_stanza_new(ch->ctx);
	xmpp_stanza_set_name(rcv, "received");
	xmpp_stanza_set_ns(rcv, STANZA_NS_RECEIPTS);
	xmpp_stanza_set_attribute(rcv, "id", id);
	xmpp_stanza_add_child(reply, rcv);
	xmpp_stanza_release(rcv);
	xmpp_send(ch->conn, reply);
	xmpp_stanza_release(reply);
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *userdata)
{
	struct xmpp_session *ch = userdata;
	const char *receipt = stanza_receipt_id(st);
	char from[STANZA_JID_SIZE];
	char *body;

	(void)conn;
	stanza_from_bare(ch->ctx, st, from, sizeof from);
	if (stanza_is_error(st)) {
		post_outcome(ch, XEV_BOUNCED, xmpp_stanza_get_id(st), from,
		             stanza_error_condition(st));
		return 1;
	}
	if (receipt != NULL)
		post_outcome(ch, XEV_RECEIPT, receipt, from, NULL);
	body = stanza_message_body(st);
	if (body != NULL) {
		send_receipt(ch, st);
		post(ch, XEV_MESSAGE, 0, NULL, false, from, body);
		xmpp_free(ch->ctx, body);
	}
	return 1;
}

static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *userdata)
{
	struct xmpp_session *ch = userdata;
	const char *type = xmpp_stanza_get_type(st);
	char from[STANZA_JID_SIZE];
	enum stanza_presence kind;

	(void)conn;
	stanza_from_bare(ch->ctx, st, from, sizeof from);
	log_debug("xmpp: presence from %s type=%s", from, type != NULL ? type : "available");
	if (from[0] == '\0' || strcmp(from, ch->cfg->xmpp_jid) == 0)
		return 1;
	kind = stanza_presence_kind(st);
	if (kind == STANZA_PRESENCE_AVAILABLE || kind == STANZA_PRESENCE_UNAVAILABLE) {
		post(ch, XEV_PRESENCE, 0, NULL, kind == STANZA_PRESENCE_AVAILABLE, from, NULL);
	} else if (kind == STANZA_PRESENCE_SUBSCRIBE) {
		xmpp_stanza_t *p = xmpp_presence_new(ch->ctx);

		xmpp_stanza_set_type(p, "subscribed");
		xmpp_stanza_set_to(p, from);
		xmpp_send(ch->conn, p);
		xmpp_stanza_release(p);
	}
	return 1;
}

static int on_iq(xmpp_conn_t *conn, xmpp_stanza_t *st, void *userdata)
{
	struct xmpp_session *ch = userdata;
	const char *id = xmpp_stanza_get_id(st);
	enum stanza_iq kind = stanza_iq_kind(ch->ctx, st, ch->domain, ch->cfg->xmpp_jid);

	(void)conn;
	if (kind == STANZA_IQ_BATCH_REPLY) {
		/* A reply to a batch ping: the server has handled every stanza we
		 * sent before it on this stream. */
		struct batch **pp = &ch->batches;

		while (*pp != NULL) {
			struct batch *b = *pp;

			if (strcmp(b->iq_id, id) == 0) {
				for (size_t i = 0; i < b->n; i++)
					post(ch, XEV_ACCEPTED, b->ids[i], NULL, false, NULL, NULL);
				*pp = b->next;
				free(b->ids);
				free(b);
				break;
			}
			pp = &b->next;
		}
		return 1;
	}
	if (kind == STANZA_IQ_ROSTER_RESULT) {
		/* Roster first, then our presence: the server answers with the
		 * presence of every contact, "unavailable" for those offline. No
		 * contact is assumed offline before the server says so, or a
		 * reconnect would look like everyone going away at once. */
		{
			xmpp_stanza_t *pres = xmpp_presence_new(ch->ctx);

			xmpp_send(ch->conn, pres);
			xmpp_stanza_release(pres);
		}
		return 1;
	}
	if (kind == STANZA_IQ_PING || kind == STANZA_IQ_GET_OTHER) {
		/* Answer pings; refuse anything else we do not implement. */
		bool ping = kind == STANZA_IQ_PING;
		xmpp_stanza_t *reply = xmpp_iq_new(ch->ctx, ping ? "result" : "error", id);

		xmpp_stanza_set_to(reply, xmpp_stanza_get_from(st));
		if (!ping) {
			xmpp_stanza_t *err = xmpp_stanza_new(ch->ctx);
			xmpp_stanza_t *cond = xmpp_stanza_new(ch->ctx);

			xmpp_stanza_set_name(err, "error");
			xmpp_stanza_set_type(err, "cancel");
			xmpp_stanza_set_name(cond, "service-unavailable");
			xmpp_stanza_set_ns(cond, "urn:ietf:params:xml:ns:xmpp-stanzas");
			xmpp_stanza_add_child(err, cond);
			xmpp_stanza_add_child(reply, err);
			xmpp_stanza_release(cond);
			xmpp_stanza_release(err);
		}
		xmpp_send(ch->conn, reply);
		xmpp_stanza_release(reply);
	}
	return 1;
}

static void free_batches(struct xmpp_session *ch)
{
	while (ch->batches != NULL) {
		struct batch *b = ch->batches;

		ch->batches = b->next;
		free(b->ids);
		free(b);
	}
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t status, int error,
                    xmpp_stream_error_t *stream_error, void *userdata)
{
	struct xmpp_session *ch = userdata;

	if (status == XMPP_CONN_CONNECT) {
		xmpp_stanza_t *iq = xmpp_iq_new(ch->ctx, "get", "kk-roster");
		xmpp_stanza_t *q = xmpp_stanza_new(ch->ctx);

		xmpp_handler_add(conn, on_message, NULL, "message", NULL, ch);
		xmpp_handler_add(conn, on_presence, NULL, "presence", NULL, ch);
		xmpp_handler_add(conn, on_iq, NULL, "iq", NULL, ch);
		/* Roster first, then our presence (sent when the roster arrives). */
		xmpp_stanza_set_name(q, "query");
		xmpp_stanza_set_ns(q, "jabber:iq:roster");
		xmpp_stanza_add_child(iq, q);
		xmpp_stanza_release(q);
		xmpp_send(conn, iq);
		xmpp_stanza_release(iq);
		ch->online = true;
		ch->backoff_ms = XMPP_BACKOFF_MIN_MS;
		log_info("xmpp: connected as %s", ch->cfg->xmpp_jid);
		post(ch, XEV_CONNECTED, 0, NULL, false, NULL, NULL);
		return;
	}
	{
		char why[256];

		stanza_disconnect_reason(error, stream_error != NULL ? stream_error->text : NULL,
		                         why, sizeof why);
		if (ch->online)
			log_warnx("xmpp: disconnected: %s", why);
		else
			log_debug("xmpp: cannot connect: %s", why);
		ch->online = false;
		ch->dead = true;
		free_batches(ch);
		post(ch, XEV_DISCONNECTED, 0, NULL, false, NULL, why);
	}
}

/* Refuses a socket that select() cannot watch (try_connect's reserve makes
 * that rare; the next attempt comes after the backoff) and turns on TCP
 * keepalive so a dead peer is noticed. The descriptor is libstrophe's and
 * is never replaced: from libstrophe 0.12.3 on, SOCK points at a copy. */
static int on_sockopt(xmpp_conn_t *conn, void *sock)
{
	int fd = *(int *)sock;

	if (!fdreserve_usable(fd)) {
		log_warnx("xmpp: the XMPP socket got descriptor %d, and libstrophe can only "
		          "watch descriptors below %d: trying again later",
		          fd, FD_SETSIZE);
		return -1;
	}
	{
		/* Alerts are small and urgent: no Nagle delay behind an unacked write. */
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return xmpp_sockopt_cb_keepalive(conn, sock);
}

static void on_strophe_log(void *userdata, xmpp_log_level_t level, const char *area,
                           const char *msg)
{
	(void)userdata;
	if (level >= XMPP_LEVEL_WARN)
		log_warnx("xmpp: %s: %.300s", area, msg);
}

static void try_connect(struct xmpp_session *ch)
{
	const struct config *cfg = ch->cfg;
	unsigned long flags = XMPP_CONN_FLAG_DISABLE_SM;
	char jid[600];

	ch->conn = xmpp_conn_new(ch->ctx);
	if (ch->conn == NULL)
		return;
	if (cfg->xmpp_tls == CONFIG_TLS_REQUIRED)
		flags |= XMPP_CONN_FLAG_MANDATORY_TLS;
	else if (cfg->xmpp_tls == CONFIG_TLS_DISABLED)
		flags |= XMPP_CONN_FLAG_DISABLE_TLS;
	xmpp_conn_set_flags(ch->conn, (long)flags);
	snprintf(jid, sizeof jid, "%s/kakekomid", cfg->xmpp_jid);
	xmpp_conn_set_jid(ch->conn, jid);
	xmpp_conn_set_pass(ch->conn, cfg->xmpp_password);
	if (cfg->xmpp_ca_file[0] != '\0')
		xmpp_conn_set_cafile(ch->conn, cfg->xmpp_ca_file);
	xmpp_conn_set_sockopt_callback(ch->conn, on_sockopt);
	ch->dead = false;
	/* libstrophe opens its socket inside xmpp_connect_client: with the
	 * reserve freed, the socket takes one of its low numbers. */
	fdreserve_release(&ch->low);
	if (xmpp_connect_client(ch->conn, cfg->xmpp_host[0] != '\0' ? cfg->xmpp_host : NULL,
	                        (unsigned short)cfg->xmpp_port, on_conn, ch) != XMPP_EOK) {
		ch->dead = true;
		post(ch, XEV_DISCONNECTED, 0, NULL, false, NULL, "cannot start connecting");
	}
	fdreserve_refill(&ch->low);
}

static void send_message(struct xmpp_session *ch, const struct xcmd *c)
{
	char id[XMPP_TAG_LEN + 4];
	xmpp_stanza_t *msg;

	snprintf(id, sizeof id, "kk-%s", c->tag);
	msg = xmpp_message_new(ch->ctx, "chat", c->to, c->tag[0] != '\0' ? id : NULL);
	if (msg == NULL)
		return;
	xmpp_message_set_body(msg, c->body);
	if (c->tag[0] != '\0') {
		xmpp_stanza_t *req = xmpp_stanza_new(ch->ctx);

		xmpp_stanza_set_name(req, "request");
		xmpp_stanza_set_ns(req, "urn:xmpp:receipts");
		xmpp_stanza_add_child(msg, req);
		xmpp_stanza_release(req);
	}
	xmpp_send(ch->conn, msg);
	xmpp_stanza_release(msg);
}

static void send_subscribe(struct xmpp_session *ch, const char *to)
{
	xmpp_stanza_t *p = xmpp_presence_new(ch->ctx);

	xmpp_stanza_set_type(p, "subscribe");
	xmpp_stanza_set_to(p, to);
	xmpp_send(ch->conn, p);
	xmpp_stanza_release(p);
}

/* Sends what the loop queued; when connected, closes the batch with a ping. */
static void drain_commands(struct xmpp_session *ch)
{
	struct xcmd *list;
	struct batch *b = NULL;

	pthread_mutex_lock(&ch->mu);
	list = ch->cmd_head;
	ch->cmd_head = ch->cmd_tail = NULL;
	ch->ncmd = 0;
	pthread_mutex_unlock(&ch->mu);
	while (list != NULL) {
		struct xcmd *c = list;

		list = c->next;
		if (ch->online && ch->conn != NULL) {
			if (c->kind == XCMD_SUBSCRIBE) {
				send_subscribe(ch, c->to);
			} else {
				send_message(ch, c);
				if (c->id > 0) {
					if (b == NULL)
						b = calloc(1, sizeof *b);
					if (b != NULL) {
						int64_t *ids =
						    realloc(b->ids, (b->n + 1) * sizeof *ids);

						if (ids != NULL) {
							b->ids = ids;
							b->ids[b->n++] = c->id;
						}
					}
				}
			}
		}
		free(c->to);
		free(c->body);
		free(c);
	}
	if (b != NULL) {
		xmpp_stanza_t *iq;
		xmpp_stanza_t *ping = xmpp_stanza_new(ch->ctx);

		snprintf(b->iq_id, sizeof b->iq_id, "kkb-%u", ++ch->seq);
		iq = xmpp_iq_new(ch->ctx, "get", b->iq_id);
		xmpp_stanza_set_to(iq, ch->domain);
		xmpp_stanza_set_name(ping, "ping");
		xmpp_stanza_set_ns(ping, STANZA_NS_PING);
		xmpp_stanza_add_child(iq, ping);
		xmpp_stanza_release(ping);
		xmpp_send(ch->conn, iq);
		xmpp_stanza_release(iq);
		b->next = ch->batches;
		ch->batches = b;
	}
}

static void *thread_main(void *arg)
{
	struct xmpp_session *ch = arg;
	xmpp_log_t logger = {on_strophe_log, ch};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	ch->ctx = xmpp_ctx_new(NULL, &logger);
	if (ch->ctx == NULL)
		return NULL;
	ch->backoff_ms = XMPP_BACKOFF_MIN_MS;
	for (;;) {
		bool stop;

		pthread_mutex_lock(&ch->mu);
		stop = ch->stop;
		pthread_mutex_unlock(&ch->mu);
		if (stop)
			break;
		if (ch->conn != NULL && ch->dead) {
			xmpp_conn_release(ch->conn);
			ch->conn = NULL;
			ch->next_try_ms = mono_ms() + ch->backoff_ms;
			ch->backoff_ms = ch->backoff_ms * 2 > XMPP_BACKOFF_MAX_MS
			                     ? XMPP_BACKOFF_MAX_MS
			                     : ch->backoff_ms * 2;
		}
		if (ch->conn == NULL && mono_ms() >= ch->next_try_ms)
			try_connect(ch);
		drain_commands(ch);
		xmpp_run_once(ch->ctx, 10);
	}
	if (ch->conn != NULL) {
		if (ch->online) {
			int64_t until = mono_ms() + 1000;

			xmpp_disconnect(ch->conn);
			while (ch->online && mono_ms() < until)
				xmpp_run_once(ch->ctx, 10);
		}
		xmpp_conn_release(ch->conn);
		ch->conn = NULL;
	}
	free_batches(ch);
	xmpp_ctx_free(ch->ctx);
	return NULL;
}

/* ---- loop → thread ---- */

static int push(struct xmpp_session *ch, enum xcmd_kind kind, int64_t id, const char *tag,
                const char *to, const char *body)
{
	struct xcmd *c = calloc(1, sizeof *c);

	if (c == NULL)
		return -ENOMEM;
	c->kind = kind;
	c->id = id;
	if (tag != NULL)
		memcpy(c->tag, tag, sizeof c->tag);
	c->to = strdup(to);
	c->body = body != NULL ? strdup(body) : NULL;
	if (c->to == NULL || (body != NULL && c->body == NULL)) {
		free(c->to);
		free(c->body);
		free(c);
		return -ENOMEM;
	}
	pthread_mutex_lock(&ch->mu);
	if (ch->ncmd >= XMPP_QUEUE_MAX) {
		pthread_mutex_unlock(&ch->mu);
		free(c->to);
		free(c->body);
		free(c);
		return -ENOBUFS;
	}
	if (ch->cmd_tail != NULL)
		ch->cmd_tail->next = c;
	else
		ch->cmd_head = c;
	ch->cmd_tail = c;
	ch->ncmd++;
	pthread_mutex_unlock(&ch->mu);
	if (ch->thread_started)
		pthread_kill(ch->thread, SIGUSR2);
	return 0;
}

int xmpp_session_send(struct xmpp_session *ch, int64_t id, const char *tag, const char *to,
                      const char *body)
{
	char check[XMPP_TAG_LEN + 4];
	char valid[XMPP_TAG_LEN + 1];

	if (tag != NULL) {
		snprintf(check, sizeof check, "kk-%s", tag);
		if (!xmpp_session_tag_of(check, valid))
			return -EINVAL;
	}
	return push(ch, XCMD_SEND, id, tag, to, body);
}

int xmpp_session_subscribe(struct xmpp_session *ch, const char *to)
{
	return push(ch, XCMD_SUBSCRIBE, 0, NULL, to, NULL);
}

bool xmpp_session_connected(const struct xmpp_session *ch)
{
	return ch != NULL && ch->connected;
}

int xmpp_session_start(struct xmpp_session **out, uv_loop_t *loop, const struct config *cfg,
                       const struct xmpp_session_events *ev, void *arg)
{
	struct xmpp_session *ch = calloc(1, sizeof *ch);
	struct sigaction sa;
	sigset_t set, old;
	const char *at;
	int rc;

	if (ch == NULL)
		return -ENOMEM;
	ch->loop = loop;
	ch->cfg = cfg;
	ch->ev = ev;
	ch->arg = arg;
	at = strchr(cfg->xmpp_jid, '@');
	snprintf(ch->domain, sizeof ch->domain, "%s", at != NULL ? at + 1 : cfg->xmpp_jid);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_wake;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL); /* no SA_RESTART: select must return */
	pthread_mutex_init(&ch->mu, NULL);
	rc = uv_async_init(loop, &ch->async, on_events);
	if (rc < 0) {
		pthread_mutex_destroy(&ch->mu);
		free(ch);
		return rc;
	}
	ch->async.data = ch;
	/* Before the listeners open, while every descriptor number is low. */
	if (fdreserve_init(&ch->low, XMPP_FD_RESERVE) < 0)
		log_warnx("xmpp: cannot keep low file descriptors for the XMPP socket");
	xmpp_initialize();
	/* Only the XMPP thread takes SIGUSR2: block it while creating the
	 * thread, which unblocks it for itself. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	rc = -pthread_create(&ch->thread, NULL, thread_main, ch);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		xmpp_session_stop(ch);
		return rc;
	}
	ch->thread_started = true;
	*out = ch;
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct xmpp_session *ch = h->data;

	pthread_mutex_destroy(&ch->mu);
	free(ch);
}

void xmpp_session_stop(struct xmpp_session *ch)
{
	if (ch == NULL)
		return;
	pthread_mutex_lock(&ch->mu);
	ch->stop = true;
	pthread_mutex_unlock(&ch->mu);
	if (ch->thread_started) {
		pthread_kill(ch->thread, SIGUSR2);
		pthread_join(ch->thread, NULL);
		xmpp_shutdown();
	}
	fdreserve_fini(&ch->low);
	while (ch->cmd_head != NULL) {
		struct xcmd *c = ch->cmd_head;

		ch->cmd_head = c->next;
		free(c->to);
		free(c->body);
		free(c);
	}
	while (ch->ev_head != NULL) {
		struct xev *e = ch->ev_head;

		ch->ev_head = e->next;
		free_ev(e);
	}
	uv_close((uv_handle_t *)&ch->async, on_closed);
}
