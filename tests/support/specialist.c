/* SPDX-License-Identifier: ISC */
/*
 * specialist.c — a specialist's chat app in a thread: one libstrophe
 * context and connection per session, driven by that thread alone.
 *
 * libstrophe is not thread-safe, so other threads never touch the
 * connection: they queue stanzas under the client's lock and the thread
 * takes them between turns of xmpp_run_once() (SPECIALIST_TICK_MS, the
 * longest a queued stanza waits; received stanzas wake select() at once).
 * What the thread learns (messages, receipts, iq answers, presence,
 * session state) goes into lists under the same lock, and a condition
 * variable on CLOCK_MONOTONIC wakes whoever waits for it.
 *
 * A session is one thread: specialist_connect() and specialist_go_online()
 * start it, going offline or losing the stream ends it, and the next call
 * that needs the thread joined joins it. libstrophe watches its socket with
 * select(), so a session is refused when descriptors are already near
 * FD_SETSIZE.
 */
#include "specialist.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <strophe.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SPECIALIST_TICK_MS      5
#define SPECIALIST_RECEIPTS_MAX 262144u
#define SPECIALIST_JID_MAX      3071u /* RFC 7622: 1023 per part */
#define SPECIALIST_ERROR_MAX    256u
#define SPECIALIST_FD_MARGIN    64

#define NS_RECEIPTS "urn:xmpp:receipts"
#define NS_DELAY    "urn:xmpp:delay"
#define NS_PING     "urn:xmpp:ping"
#define NS_ROSTER   "jabber:iq:roster"
#define NS_DISCO    "http://jabber.org/protocol/disco#info"

enum session_state {
	SESSION_IDLE,       /* no thread */
	SESSION_CONNECTING, /* thread started, presence not echoed yet */
	SESSION_ONLINE,     /* presence echoed: messages flow */
	SESSION_CLOSING,    /* unavailable sent, stream closing */
	SESSION_ENDED,      /* thread finished; join it */
};

enum op_kind { OP_MESSAGE, OP_RAW, OP_SUBSCRIBE };

/* A stanza waiting for the thread. */
struct op {
	enum op_kind kind;
	char *to;
	char *text; /* body or raw XML */
	char *id;
	int want_receipt;
	struct op *next;
};

struct received {
	struct specialist_message m;
	int consumed;
};

/* An answer that names one of our stanzas by id. */
enum answer_kind { ANSWER_RECEIPT, ANSWER_IQ_RESULT, ANSWER_IQ_ERROR };

struct receipt {
	enum answer_kind kind;
	char *id;
	long long arrived_ns;
};

struct contact {
	char *bare;                     /* bare JID */
	enum specialist_presence state; /* last presence seen */
	int asked;                      /* we sent them a subscription request */
};

struct specialist_client {
	/* Fixed after specialist_connect. */
	char *jid;
	char *password;
	char *host;
	char *ca_file;
	unsigned short port;
	xmpp_log_t log;
	int debug;

	pthread_mutex_t lock;
	pthread_cond_t cond; /* any change below */

	/* Guarded by lock. */
	enum session_state state;
	int stop;                         /* the thread is asked to go offline */
	int closed_cleanly;               /* the server closed the stream in time */
	char error[SPECIALIST_ERROR_MAX]; /* why the last session ended or failed */
	char *bound_jid;                  /* full JID of the current session */
	struct op *ops, *ops_tail;
	size_t ops_len;
	struct received *msgs;
	size_t msgs_len, msgs_size, msgs_first_open, msgs_dropped;
	struct receipt *receipts;
	size_t receipts_len, receipts_size;
	struct contact *contacts;
	size_t contacts_len;
	unsigned long next_id;
	int thread_started; /* a thread exists and is not joined */
	pthread_t thread;

	/* Owned by the session's thread. */
	xmpp_ctx_t *ctx;
	xmpp_conn_t *conn;
};

static pthread_once_t strophe_once = PTHREAD_ONCE_INIT;

static void strophe_init(void)
{
	xmpp_initialize();
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec deadline_after(int timeout_ms)
{
	long long at = now_ns() + (long long)(timeout_ms > 0 ? timeout_ms : 0) * 1000000LL;
	struct timespec ts = {.tv_sec = (time_t)(at / 1000000000LL),
	                      .tv_nsec = (long)(at % 1000000000LL)};

	return ts;
}

/* Wait on s->cond until deadline; returns ETIMEDOUT when it passed. Lock held. */
static int wait_until(struct specialist_client *s, const struct timespec *deadline)
{
	int rc = pthread_cond_timedwait(&s->cond, &s->lock, deadline);

	return rc == ETIMEDOUT ? ETIMEDOUT : 0;
}

static void say(const struct specialist_client *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line on stderr: "specialist JID: what: why". */
static void say(const struct specialist_client *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "specialist %s: %s\n", s != NULL ? s->jid : "-", line);
}

/* Copy at most cap bytes of text (NULL gives ""). */
static char *dup_cap(const char *text, size_t cap)
{
	size_t len = text != NULL ? strnlen(text, cap) : 0;
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return NULL;
	if (len > 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	return copy;
}

/* Length of jid's bare part (up to any '/'). */
static size_t bare_len(const char *jid)
{
	return strcspn(jid, "/");
}

static int bare_equal(const char *a, const char *b)
{
	size_t la = bare_len(a), lb = bare_len(b);

	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Record why the session failed or ended, unless a reason is already known. Lock held. */
static void set_error(struct specialist_client *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_error(struct specialist_client *s, const char *fmt, ...)
{
	va_list ap;

	if (s->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof s->error, fmt, ap);
	va_end(ap);
}

static void on_log(void *arg, xmpp_log_level_t level, const char *area, const char *msg)
{
	struct specialist_client *s = arg;

	if (level >= XMPP_LEVEL_ERROR || s->debug)
		say(s, "libstrophe %s: %s", area, msg);
}

/* The contact for jid's bare JID, made when missing (NULL when full). Lock held. */
static struct contact *contact_get(struct specialist_client *s, const char *jid)
{
	struct contact *c;

	for (size_t i = 0; i < s->contacts_len; i++) {
		if (bare_equal(s->contacts[i].bare, jid))
			return &s->contacts[i];
	}
	if (s->contacts_len == SPECIALIST_CONTACTS_MAX)
		return NULL;
	if (s->contacts == NULL) {
		s->contacts = calloc(SPECIALIST_CONTACTS_MAX, sizeof *s->contacts);
		if (s->contacts == NULL)
			return NULL;
	}
	c = &s->contacts[s->contacts_len];
	c->bare = dup_cap(jid, bare_len(jid));
	if (c->bare == NULL)
		return NULL;
	c->state = SPECIALIST_PRESENCE_UNKNOWN;
	c->asked = 0;
	s->contacts_len++;
	return c;
}

/* ---- the session's thread: everything below until the public API ---- */

static void send_presence(struct specialist_client *s, const char *type, const char *to)
{
	xmpp_stanza_t *pres = xmpp_presence_new(s->ctx);

	if (pres == NULL)
		return;
	if (type != NULL)
		xmpp_stanza_set_type(pres, type);
	if (to != NULL)
		xmpp_stanza_set_to(pres, to);
	xmpp_send(s->conn, pres);
	xmpp_stanza_release(pres);
}

/* A child element <name xmlns=ns/> added to parent; returns it (borrowed) or NULL. */
static xmpp_stanza_t *add_child(xmpp_stanza_t *parent, const char *name, const char *ns)
{
	xmpp_stanza_t *child = xmpp_stanza_new(xmpp_stanza_get_context(parent));

	if (child == NULL)
		return NULL;
	xmpp_stanza_set_name(child, name);
	if (ns != NULL)
		xmpp_stanza_set_ns(child, ns);
	xmpp_stanza_add_child_ex(parent, child, 0);
	return child;
}

/* XEP-0184: <message to=from id=new><received xmlns id=original/></message>. */
static void send_receipt(struct specialist_client *s, const char *to, const char *original_id)
{
	char *id = xmpp_uuid_gen(s->ctx);
	xmpp_stanza_t *msg = xmpp_message_new(s->ctx, NULL, to, id);
	xmpp_stanza_t *rcv;

	if (msg != NULL) {
		rcv = add_child(msg, "received", NS_RECEIPTS);
		if (rcv != NULL)
			xmpp_stanza_set_attribute(rcv, "id", original_id);
		xmpp_send(s->conn, msg);
		xmpp_stanza_release(msg);
	}
	xmpp_free(s->ctx, id);
}

/*
 * Room for one more of the len elements (each elem bytes) of the array v,
 * which holds *size: doubled when full, up to max. Returns the array, moved
 * or not; when it cannot grow, *size stays and len == *size tells.
 */
static void *grow(void *v, size_t *size, size_t len, size_t max, size_t elem)
{
	size_t want = *size ? *size * 2 : 64;
	void *p;

	if (len < *size || *size >= max)
		return v;
	p = realloc(v, want * elem);
	if (p == NULL)
		return v;
	*size = want;
	return p;
}

static void record_answer(struct specialist_client *s, enum answer_kind kind, const char *id,
                          long long at)
{
	struct receipt *r;

	pthread_mutex_lock(&s->lock);
	s->receipts = grow(s->receipts, &s->receipts_size, s->receipts_len, SPECIALIST_RECEIPTS_MAX,
	                   sizeof *s->receipts);
	if (s->receipts_len < s->receipts_size) {
		r = &s->receipts[s->receipts_len];
		r->kind = kind;
		r->id = dup_cap(id, SPECIALIST_JID_MAX);
		r->arrived_ns = at;
		if (r->id != NULL)
			s->receipts_len++;
	}
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void record_message(struct specialist_client *s, const struct specialist_message *m)
{
	struct received *r;

	pthread_mutex_lock(&s->lock);
	s->msgs =
	    grow(s->msgs, &s->msgs_size, s->msgs_len, SPECIALIST_MESSAGES_MAX, sizeof *s->msgs);
	if (s->msgs_len < s->msgs_size) {
		r = &s->msgs[s->msgs_len];
		r->m.from = dup_cap(m->from, SPECIALIST_JID_MAX);
		r->m.body = dup_cap(m->body, SPECIALIST_BODY_MAX);
		r->m.id = dup_cap(m->id, SPECIALIST_JID_MAX);
		r->m.type = dup_cap(m->type, 32);
		r->m.arrived_ns = m->arrived_ns;
		r->m.delayed = m->delayed;
		r->m.receipt_requested = m->receipt_requested;
		r->consumed = 0;
		if (r->m.from && r->m.body && r->m.id && r->m.type) {
			s->msgs_len++;
		} else {
			specialist_message_fini(&r->m);
			s->msgs_dropped++;
		}
	} else {
		s->msgs_dropped++;
	}
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
	struct specialist_client *s = arg;
	long long at = now_ns();
	const char *type = xmpp_stanza_get_type(st);
	const char *from = xmpp_stanza_get_from(st);
	const char *id = xmpp_stanza_get_id(st);
	xmpp_stanza_t *rcv, *req;
	char *body;

	(void)conn;
	if (type != NULL && strcmp(type, "error") == 0)
		return 1;
	rcv = xmpp_stanza_get_child_by_name_and_ns(st, "received", NS_RECEIPTS);
	if (rcv != NULL && xmpp_stanza_get_attribute(rcv, "id") != NULL)
		record_answer(s, ANSWER_RECEIPT, xmpp_stanza_get_attribute(rcv, "id"), at);
	req = xmpp_stanza_get_child_by_name_and_ns(st, "request", NS_RECEIPTS);
	body = xmpp_message_get_body(st);
	if (body != NULL) {
		struct specialist_message m = {
		    .from = (char *)(from != NULL ? from : ""),
		    .body = body,
		    .id = (char *)(id != NULL ? id : ""),
		    .type = (char *)(type != NULL ? type : "normal"),
		    .arrived_ns = at,
		    .delayed = xmpp_stanza_get_child_by_name_and_ns(st, "delay", NS_DELAY) != NULL,
		    .receipt_requested = req != NULL,
		};

		/* Kept before the receipt goes out, so whoever sees the receipt finds it here. */
		record_message(s, &m);
		xmpp_free(s->ctx, body);
	}
	if (req != NULL && id != NULL && from != NULL)
		send_receipt(s, from, id);
	return 1;
}

static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
	struct specialist_client *s = arg;
	const char *type = xmpp_stanza_get_type(st);
	const char *from = xmpp_stanza_get_from(st);
	int subscribe_back = 0;
	char *bare;
	struct contact *c;

	(void)conn;
	if (from == NULL)
		return 1;
	if (type != NULL && strcmp(type, "subscribe") == 0) {
		bare = dup_cap(from, bare_len(from));
		if (bare == NULL)
			return 1;
		send_presence(s, "subscribed", bare);
		pthread_mutex_lock(&s->lock);
		c = contact_get(s, bare);
		if (c != NULL && !c->asked) {
			c->asked = 1;
			subscribe_back = 1;
		}
		pthread_mutex_unlock(&s->lock);
		/* Asked once per contact: the server answers repeats itself. */
		if (subscribe_back)
			send_presence(s, "subscribe", bare);
		free(bare);
		return 1;
	}
	if (type != NULL && strcmp(type, "unavailable") != 0)
		return 1; /* subscribed, unsubscribe(d), probe, error */
	pthread_mutex_lock(&s->lock);
	c = contact_get(s, from);
	if (c != NULL)
		c->state =
		    type == NULL ? SPECIALIST_PRESENCE_AVAILABLE : SPECIALIST_PRESENCE_UNAVAILABLE;
	/* Our own presence echoed back: the server has taken it, the session is up. */
	if (type == NULL && s->state == SESSION_CONNECTING && s->bound_jid != NULL &&
	    strcmp(from, s->bound_jid) == 0)
		s->state = SESSION_ONLINE;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 1;
}

/* The first element child of st, or NULL. */
static xmpp_stanza_t *first_element(xmpp_stanza_t *st)
{
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(st); c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		if (xmpp_stanza_is_tag(c))
			return c;
	}
	return NULL;
}

static void send_iq_result(struct specialist_client *s, xmpp_stanza_t *request, int disco)
{
	xmpp_stanza_t *res = xmpp_stanza_reply(request);
	xmpp_stanza_t *q, *item;
	static const char *const features[] = {NS_DISCO, NS_RECEIPTS, NS_PING};

	if (res == NULL)
		return;
	xmpp_stanza_set_type(res, "result");
	if (disco) {
		q = add_child(res, "query", NS_DISCO);
		item = q != NULL ? add_child(q, "identity", NULL) : NULL;
		if (item != NULL) {
			xmpp_stanza_set_attribute(item, "category", "client");
			xmpp_stanza_set_attribute(item, "type", "phone");
			xmpp_stanza_set_attribute(item, "name", "kakekomi test specialist");
		}
		for (size_t i = 0; q != NULL && i < sizeof features / sizeof features[0]; i++) {
			item = add_child(q, "feature", NULL);
			if (item != NULL)
				xmpp_stanza_set_attribute(item, "var", features[i]);
		}
	}
	xmpp_send(s->conn, res);
	xmpp_stanza_release(res);
}

/* Pings, disco#info and roster pushes get a result; other requests an error. */
static int on_iq(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
	struct specialist_client *s = arg;
	const char *type = xmpp_stanza_get_type(st);
	xmpp_stanza_t *q, *err;
	const char *ns, *name;
	int get, set;

	(void)conn;
	if (type == NULL)
		return 1;
	get = strcmp(type, "get") == 0;
	set = strcmp(type, "set") == 0;
	if (!get && !set) {
		if (xmpp_stanza_get_id(st) != NULL)
			record_answer(
			    s, strcmp(type, "error") == 0 ? ANSWER_IQ_ERROR : ANSWER_IQ_RESULT,
			    xmpp_stanza_get_id(st), now_ns());
		return 1;
	}
	q = first_element(st);
	ns = q != NULL ? xmpp_stanza_get_ns(q) : NULL;
	name = q != NULL ? xmpp_stanza_get_name(q) : NULL;
	if (ns != NULL && name != NULL) {
		if (get && strcmp(name, "ping") == 0 && strcmp(ns, NS_PING) == 0) {
			send_iq_result(s, st, 0);
			return 1;
		}
		if (set && strcmp(name, "query") == 0 && strcmp(ns, NS_ROSTER) == 0) {
			send_iq_result(s, st, 0);
			return 1;
		}
		if (get && strcmp(name, "query") == 0 && strcmp(ns, NS_DISCO) == 0 &&
		    xmpp_stanza_get_attribute(q, "node") == NULL) {
			send_iq_result(s, st, 1);
			return 1;
		}
	}
	err = xmpp_stanza_reply_error(st, "cancel", "service-unavailable", NULL);
	if (err != NULL) {
		xmpp_send(s->conn, err);
		xmpp_stanza_release(err);
	}
	return 1;
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                    xmpp_stream_error_t *stream_error, void *arg)
{
	struct specialist_client *s = arg;
	const char *bound;

	if (event == XMPP_CONN_CONNECT) {
		if (!xmpp_conn_is_secured(conn)) {
			pthread_mutex_lock(&s->lock);
			set_error(s, "the stream is not encrypted");
			pthread_mutex_unlock(&s->lock);
			xmpp_disconnect(conn);
			return;
		}
		bound = xmpp_conn_get_bound_jid(conn);
		pthread_mutex_lock(&s->lock);
		free(s->bound_jid);
		s->bound_jid = dup_cap(bound, SPECIALIST_JID_MAX);
		pthread_mutex_unlock(&s->lock);
		send_presence(s, NULL, NULL);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (stream_error != NULL)
		set_error(s, "stream error %d%s%s", (int)stream_error->type,
		          stream_error->text != NULL ? ": " : "",
		          stream_error->text != NULL ? stream_error->text : "");
	else if (error != 0)
		set_error(s, "connection failed: %s", strerror(error));
	else if (s->state == SESSION_CONNECTING)
		set_error(s, "disconnected before the session was up");
	if (s->state == SESSION_CLOSING)
		s->closed_cleanly = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void op_free(struct op *op)
{
	if (op == NULL)
		return;
	free(op->to);
	free(op->text);
	free(op->id);
	free(op);
}

static void op_send(struct specialist_client *s, struct op *op)
{
	xmpp_stanza_t *msg;

	switch (op->kind) {
	case OP_RAW: xmpp_send_raw(s->conn, op->text, strlen(op->text)); break;
	case OP_SUBSCRIBE: send_presence(s, "subscribe", op->to); break;
	case OP_MESSAGE:
		msg = xmpp_message_new(s->ctx, "chat", op->to, op->id);
		if (msg == NULL)
			break;
		xmpp_message_set_body(msg, op->text);
		if (op->want_receipt)
			add_child(msg, "request", NS_RECEIPTS);
		xmpp_send(s->conn, msg);
		xmpp_stanza_release(msg);
		break;
	}
}

static void *session_main(void *arg)
{
	struct specialist_client *s = arg;
	long long close_deadline = 0;
	int closing = 0, timed_out = 0;

	s->ctx = xmpp_ctx_new(NULL, &s->log);
	s->conn = s->ctx != NULL ? xmpp_conn_new(s->ctx) : NULL;
	if (s->conn == NULL) {
		pthread_mutex_lock(&s->lock);
		set_error(s, "out of memory");
		pthread_mutex_unlock(&s->lock);
		goto out;
	}
	xmpp_conn_set_flags(s->conn, XMPP_CONN_FLAG_MANDATORY_TLS);
	xmpp_conn_set_cafile(s->conn, s->ca_file);
	xmpp_conn_set_jid(s->conn, s->jid);
	xmpp_conn_set_pass(s->conn, s->password);
	xmpp_handler_add(s->conn, on_message, NULL, "message", NULL, s);
	xmpp_handler_add(s->conn, on_presence, NULL, "presence", NULL, s);
	xmpp_handler_add(s->conn, on_iq, NULL, "iq", NULL, s);
	if (xmpp_connect_client(s->conn, s->host, s->port, on_conn, s) != XMPP_EOK) {
		pthread_mutex_lock(&s->lock);
		set_error(s, "cannot start connecting to %s:%u", s->host, (unsigned)s->port);
		pthread_mutex_unlock(&s->lock);
		goto out;
	}
	for (;;) {
		struct op *ops;
		int stop, online;

		pthread_mutex_lock(&s->lock);
		ops = s->ops;
		s->ops = s->ops_tail = NULL;
		s->ops_len = 0;
		stop = s->stop;
		online = s->state == SESSION_ONLINE;
		if (stop && !closing && s->state != SESSION_ENDED) {
			s->state = SESSION_CLOSING;
			pthread_cond_broadcast(&s->cond);
		}
		pthread_mutex_unlock(&s->lock);

		/* What was queued before the stop goes out before the goodbye. */
		while (ops != NULL) {
			struct op *next = ops->next;

			if (online)
				op_send(s, ops);
			op_free(ops);
			ops = next;
		}
		if (stop && !closing) {
			closing = 1;
			close_deadline = now_ns() + SPECIALIST_CLOSE_TIMEOUT_MS * 1000000LL;
			if (xmpp_conn_is_connected(s->conn))
				send_presence(s, "unavailable", NULL);
			xmpp_disconnect(s->conn);
		}
		if (xmpp_conn_is_disconnected(s->conn))
			break;
		if (closing && now_ns() >= close_deadline) {
			timed_out = 1;
			break;
		}
		xmpp_run_once(s->ctx, SPECIALIST_TICK_MS);
	}
out:
	if (s->conn != NULL)
		xmpp_conn_release(s->conn);
	if (s->ctx != NULL)
		xmpp_ctx_free(s->ctx);
	s->conn = NULL;
	s->ctx = NULL;
	pthread_mutex_lock(&s->lock);
	s->state = SESSION_ENDED;
	if (timed_out)
		s->closed_cleanly = 0; /* releasing the connection may have called on_conn */
	for (struct op *op = s->ops, *next; op != NULL; op = next) {
		next = op->next;
		op_free(op);
	}
	s->ops = s->ops_tail = NULL;
	s->ops_len = 0;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- public API: any thread ---- */

/* Join a finished or finishing session thread. Lock not held. */
static void session_join(struct specialist_client *s)
{
	int started;

	pthread_mutex_lock(&s->lock);
	started = s->thread_started;
	s->thread_started = 0;
	pthread_mutex_unlock(&s->lock);
	if (started)
		pthread_join(s->thread, NULL);
	pthread_mutex_lock(&s->lock);
	if (s->state == SESSION_ENDED)
		s->state = SESSION_IDLE;
	pthread_mutex_unlock(&s->lock);
}

/* Ask the session to go offline and wait for its thread. Returns 0 or -ETIMEDOUT. */
static int session_stop(struct specialist_client *s)
{
	int was_up, clean;

	pthread_mutex_lock(&s->lock);
	was_up = s->state == SESSION_ONLINE;
	s->stop = 1;
	s->closed_cleanly = 0;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	/* Bounded: the thread gives up on the stream after SPECIALIST_CLOSE_TIMEOUT_MS. */
	session_join(s);
	pthread_mutex_lock(&s->lock);
	clean = s->closed_cleanly;
	pthread_mutex_unlock(&s->lock);
	return !was_up || clean ? 0 : -ETIMEDOUT;
}

/*
 * After a failed session: whether anything listens on host:port at all,
 * which libstrophe does not tell its handler. Returns 0 when something
 * answers or host is not a numeric IPv4 address, else the connect errno.
 */
static int tcp_probe(const struct specialist_client *s)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(s->port)};
	int fd, rc = 0;

	if (inet_pton(AF_INET, s->host, &sa.sin_addr) != 1)
		return 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		rc = errno;
	close(fd);
	return rc;
}

/* Start a session thread and wait until it is online. Returns 0 or a negative errno. */
static int session_start(struct specialist_client *s)
{
	struct timespec deadline = deadline_after(SPECIALIST_CONNECT_TIMEOUT_MS);
	int probe, rc = 0;
	enum session_state state;

	probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (probe >= 0)
		close(probe);
	if (probe < 0 || probe >= FD_SETSIZE - SPECIALIST_FD_MARGIN) {
		say(s, "refusing to connect: descriptor %d is too close to FD_SETSIZE for select()",
		    probe);
		return -EMFILE;
	}
	pthread_mutex_lock(&s->lock);
	s->state = SESSION_CONNECTING;
	s->stop = 0;
	s->error[0] = '\0';
	free(s->bound_jid);
	s->bound_jid = NULL;
	rc = -pthread_create(&s->thread, NULL, session_main, s);
	if (rc != 0) {
		s->state = SESSION_IDLE;
		pthread_mutex_unlock(&s->lock);
		say(s, "cannot start a thread: %s", strerror(-rc));
		return rc;
	}
	s->thread_started = 1;
	while (s->state == SESSION_CONNECTING && wait_until(s, &deadline) == 0)
		;
	state = s->state;
	if (state != SESSION_ONLINE)
		set_error(s, "no session within %d ms", SPECIALIST_CONNECT_TIMEOUT_MS);
	pthread_mutex_unlock(&s->lock);
	if (state == SESSION_ONLINE)
		return 0;
	session_stop(s);
	rc = tcp_probe(s);
	if (rc != 0) {
		say(s, "connect to %s:%u failed: %s", s->host, (unsigned)s->port, strerror(rc));
		return -rc;
	}
	/* libstrophe has logged the reason (TLS, certificate, SASL) at error level. */
	say(s, "connect to %s:%u failed: %s", s->host, (unsigned)s->port, s->error);
	return state == SESSION_CONNECTING ? -ETIMEDOUT : -ECONNREFUSED;
}

struct specialist_client *specialist_connect(const char *jid, const char *password,
                                             const char *host, unsigned port, const char *ca_file)
{
	struct specialist_client *s;
	pthread_condattr_t attr;

	if (jid == NULL || password == NULL || host == NULL || ca_file == NULL || port == 0 ||
	    port > 65535 || strchr(jid, '@') == NULL || strlen(jid) > SPECIALIST_JID_MAX) {
		say(NULL, "specialist_connect: bad arguments");
		return NULL;
	}
	pthread_once(&strophe_once, strophe_init);
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->jid = strdup(jid);
	s->password = strdup(password);
	s->host = strdup(host);
	s->ca_file = strdup(ca_file);
	s->port = (unsigned short)port;
	s->debug = getenv("KK_XMPP_DEBUG") != NULL;
	s->log.handler = on_log;
	s->log.userdata = s;
	if (s->jid == NULL || s->password == NULL || s->host == NULL || s->ca_file == NULL) {
		free(s->jid);
		free(s->password);
		free(s->host);
		free(s->ca_file);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (session_start(s) != 0) {
		specialist_free(s);
		return NULL;
	}
	return s;
}

/* Queue op for the session thread; takes op in every case. */
static int enqueue(struct specialist_client *s, struct op *op)
{
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (s->state != SESSION_ONLINE || s->stop)
		rc = -ENOTCONN;
	else if (s->ops_len >= SPECIALIST_QUEUE_MAX)
		rc = -ENOBUFS;
	if (rc == 0) {
		if (s->ops_tail != NULL)
			s->ops_tail->next = op;
		else
			s->ops = op;
		s->ops_tail = op;
		s->ops_len++;
		op = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	op_free(op);
	return rc;
}

static int send_message(struct specialist_client *s, const char *to, const char *body,
                        int want_receipt, char *id_out, size_t cap)
{
	struct op *op;
	unsigned long n;
	char id[64];

	if (s == NULL || to == NULL || body == NULL || strlen(to) > SPECIALIST_JID_MAX)
		return -EINVAL;
	if (strlen(body) > SPECIALIST_BODY_MAX)
		return -EMSGSIZE;
	pthread_mutex_lock(&s->lock);
	n = ++s->next_id;
	pthread_mutex_unlock(&s->lock);
	snprintf(id, sizeof id, "sp-%lx-%lu", (unsigned long)getpid(), n);
	if (id_out != NULL) {
		if (cap <= strlen(id))
			return -ENOSPC;
		memcpy(id_out, id, strlen(id) + 1);
	}
	op = calloc(1, sizeof *op);
	if (op == NULL)
		return -ENOMEM;
	op->kind = OP_MESSAGE;
	op->to = strdup(to);
	op->text = strdup(body);
	op->id = strdup(id);
	op->want_receipt = want_receipt;
	if (op->to == NULL || op->text == NULL || op->id == NULL) {
		op_free(op);
		return -ENOMEM;
	}
	return enqueue(s, op);
}

int specialist_send(struct specialist_client *s, const char *to_jid, const char *body)
{
	return send_message(s, to_jid, body, 0, NULL, 0);
}

int specialist_send_with_receipt(struct specialist_client *s, const char *to_jid, const char *body,
                                 char *id_out, size_t cap)
{
	if (id_out == NULL)
		return -EINVAL;
	return send_message(s, to_jid, body, 1, id_out, cap);
}

int specialist_send_raw(struct specialist_client *s, const char *xml)
{
	struct op *op;

	if (s == NULL || xml == NULL)
		return -EINVAL;
	if (strlen(xml) > SPECIALIST_BODY_MAX)
		return -EMSGSIZE;
	op = calloc(1, sizeof *op);
	if (op == NULL)
		return -ENOMEM;
	op->kind = OP_RAW;
	op->text = strdup(xml);
	if (op->text == NULL) {
		op_free(op);
		return -ENOMEM;
	}
	return enqueue(s, op);
}

int specialist_subscribe(struct specialist_client *s, const char *jid)
{
	struct op *op;
	struct contact *c;

	if (s == NULL || jid == NULL || strlen(jid) > SPECIALIST_JID_MAX)
		return -EINVAL;
	op = calloc(1, sizeof *op);
	if (op == NULL)
		return -ENOMEM;
	op->kind = OP_SUBSCRIBE;
	op->to = dup_cap(jid, bare_len(jid));
	if (op->to == NULL) {
		op_free(op);
		return -ENOMEM;
	}
	/* Their subscription request will not be asked back: this one stands. */
	pthread_mutex_lock(&s->lock);
	c = contact_get(s, jid);
	if (c != NULL)
		c->asked = 1;
	pthread_mutex_unlock(&s->lock);
	return enqueue(s, op);
}

/* Copy src's strings into out; returns 0 or -ENOMEM (out then zeroed). */
static int message_copy(struct specialist_message *out, const struct specialist_message *src)
{
	*out = *src;
	out->from = strdup(src->from);
	out->body = strdup(src->body);
	out->id = strdup(src->id);
	out->type = strdup(src->type);
	if (out->from == NULL || out->body == NULL || out->id == NULL || out->type == NULL) {
		specialist_message_fini(out);
		return -ENOMEM;
	}
	return 0;
}

int specialist_wait_message_full(struct specialist_client *s, const char *substring, int timeout_ms,
                                 struct specialist_message *out)
{
	struct timespec deadline = deadline_after(timeout_ms);
	const char *needle = substring != NULL ? substring : "";
	int rc = -ETIMEDOUT;

	if (s == NULL)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		size_t i;

		while (s->msgs_first_open < s->msgs_len && s->msgs[s->msgs_first_open].consumed)
			s->msgs_first_open++;
		for (i = s->msgs_first_open; i < s->msgs_len; i++) {
			if (!s->msgs[i].consumed && strstr(s->msgs[i].m.body, needle) != NULL)
				break;
		}
		if (i < s->msgs_len) {
			s->msgs[i].consumed = 1;
			rc = out != NULL ? message_copy(out, &s->msgs[i].m) : 0;
			break;
		}
		if (wait_until(s, &deadline) != 0)
			break;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int specialist_wait_message(struct specialist_client *s, const char *substring, int timeout_ms,
                            char **body_out)
{
	struct specialist_message m = {0};
	int rc;

	if (body_out != NULL)
		*body_out = NULL;
	rc = specialist_wait_message_full(s, substring, timeout_ms, body_out != NULL ? &m : NULL);
	if (rc == 0 && body_out != NULL) {
		*body_out = m.body;
		m.body = NULL;
	}
	specialist_message_fini(&m);
	return rc;
}

void specialist_message_fini(struct specialist_message *out)
{
	if (out == NULL)
		return;
	free(out->from);
	free(out->body);
	free(out->id);
	free(out->type);
	memset(out, 0, sizeof *out);
}

size_t specialist_count_messages(struct specialist_client *s, const char *substring)
{
	const char *needle = substring != NULL ? substring : "";
	size_t n = 0;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->msgs_len; i++) {
		if (strstr(s->msgs[i].m.body, needle) != NULL)
			n++;
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

size_t specialist_dropped_messages(struct specialist_client *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = s->msgs_dropped;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Wait for an answer naming id: a receipt (iq 0) or an iq result or error (iq 1). */
static int wait_answer(struct specialist_client *s, int iq, const char *id, int timeout_ms)
{
	struct timespec deadline = deadline_after(timeout_ms);
	int rc = -ETIMEDOUT;

	if (s == NULL || id == NULL)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		for (size_t i = 0; i < s->receipts_len && rc == -ETIMEDOUT; i++) {
			const struct receipt *r = &s->receipts[i];

			if (strcmp(r->id, id) != 0 || (r->kind == ANSWER_RECEIPT) == iq)
				continue;
			rc = r->kind == ANSWER_IQ_ERROR ? -EPROTO : 0;
		}
		if (rc != -ETIMEDOUT || wait_until(s, &deadline) != 0)
			break;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int specialist_wait_receipt(struct specialist_client *s, const char *id, int timeout_ms)
{
	return wait_answer(s, 0, id, timeout_ms);
}

int specialist_wait_iq(struct specialist_client *s, const char *id, int timeout_ms)
{
	return wait_answer(s, 1, id, timeout_ms);
}

/* The presence known for jid. Lock held. */
static enum specialist_presence presence_of(struct specialist_client *s, const char *jid)
{
	for (size_t i = 0; i < s->contacts_len; i++) {
		if (bare_equal(s->contacts[i].bare, jid))
			return s->contacts[i].state;
	}
	return SPECIALIST_PRESENCE_UNKNOWN;
}

enum specialist_presence specialist_presence(struct specialist_client *s, const char *jid)
{
	enum specialist_presence state;

	if (s == NULL || jid == NULL)
		return SPECIALIST_PRESENCE_UNKNOWN;
	pthread_mutex_lock(&s->lock);
	state = presence_of(s, jid);
	pthread_mutex_unlock(&s->lock);
	return state;
}

/*
 * Wait until done(s, arg) holds (called with the lock held, after every
 * change) or timeout_ms pass. Returns 0, or -ETIMEDOUT.
 */
static int wait_for(struct specialist_client *s,
                    int (*done)(struct specialist_client *, const void *), const void *arg,
                    int timeout_ms)
{
	struct timespec deadline = deadline_after(timeout_ms);
	int rc = -ETIMEDOUT;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (done(s, arg)) {
			rc = 0;
			break;
		}
		if (wait_until(s, &deadline) != 0)
			break;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

struct presence_wanted {
	const char *jid;
	enum specialist_presence want;
};

static int presence_is(struct specialist_client *s, const void *arg)
{
	const struct presence_wanted *p = arg;

	return presence_of(s, p->jid) == p->want;
}

int specialist_wait_presence(struct specialist_client *s, const char *jid,
                             enum specialist_presence want, int timeout_ms)
{
	struct presence_wanted p = {jid, want};

	if (s == NULL || jid == NULL)
		return -EINVAL;
	return wait_for(s, presence_is, &p, timeout_ms);
}

int specialist_is_online(struct specialist_client *s)
{
	int online;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	online = s->state == SESSION_ONLINE && !s->stop;
	pthread_mutex_unlock(&s->lock);
	return online;
}

static int session_is_over(struct specialist_client *s, const void *arg)
{
	(void)arg;
	return s->state == SESSION_ENDED || s->state == SESSION_IDLE;
}

int specialist_wait_offline(struct specialist_client *s, int timeout_ms)
{
	if (s == NULL)
		return -EINVAL;
	return wait_for(s, session_is_over, NULL, timeout_ms);
}

int specialist_go_offline(struct specialist_client *s)
{
	if (s == NULL)
		return -EINVAL;
	return session_stop(s);
}

int specialist_go_online(struct specialist_client *s)
{
	if (s == NULL)
		return -EINVAL;
	session_stop(s);
	return session_start(s);
}

const char *specialist_jid(const struct specialist_client *s)
{
	return s != NULL ? s->jid : NULL;
}

int specialist_full_jid(struct specialist_client *s, char *out, size_t cap)
{
	int rc = -ENOTCONN;

	if (s == NULL || out == NULL || cap == 0)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (s->state == SESSION_ONLINE && s->bound_jid != NULL) {
		rc = strlen(s->bound_jid) < cap ? 0 : -ENOSPC;
		if (rc == 0)
			memcpy(out, s->bound_jid, strlen(s->bound_jid) + 1);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void specialist_free(struct specialist_client *s)
{
	if (s == NULL)
		return;
	session_stop(s);
	for (size_t i = 0; i < s->msgs_len; i++)
		specialist_message_fini(&s->msgs[i].m);
	free(s->msgs);
	for (size_t i = 0; i < s->receipts_len; i++)
		free(s->receipts[i].id);
	free(s->receipts);
	for (size_t i = 0; i < s->contacts_len; i++)
		free(s->contacts[i].bare);
	free(s->contacts);
	free(s->bound_jid);
	free(s->jid);
	free(s->password);
	free(s->host);
	free(s->ca_file);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
