/* SPDX-License-Identifier: ISC */
/*
 * specialist.h — an XMPP client standing in for a specialist's chat app.
 *
 * Each client is a libstrophe connection driven by its own thread: STARTTLS
 * required, the server's certificate checked against a CA file, initial
 * presence sent. Like a phone app left open, it accepts every presence
 * subscription and asks for one back, answers XEP-0184 receipt requests,
 * XEP-0199 pings, disco#info and roster pushes, and refuses other requests
 * politely. It records every message with a body that it receives, every
 * receipt and answer to its own <iq/>s, and the last presence of every
 * contact (by bare JID: the last resource heard from decides).
 *
 * The type is called specialist_client because the daemon's roster.h
 * already owns "struct specialist".
 *
 * Every function here is safe from any thread, except that
 * specialist_free() must not race with other calls on the same client.
 * Nothing asserts: errors are returned as a negative errno (or NULL) and
 * described on stderr. Set KK_XMPP_DEBUG=1 to see libstrophe's debug log.
 */
#ifndef KK_TESTS_SPECIALIST_H
#define KK_TESTS_SPECIALIST_H

#include <stddef.h>

/* Time limits, in milliseconds. */
#define SPECIALIST_CONNECT_TIMEOUT_MS 10000 /* connect until presence is echoed */
#define SPECIALIST_CLOSE_TIMEOUT_MS   3000  /* stream close after going offline */

/* Caps on what one client keeps and sends. */
#define SPECIALIST_MESSAGES_MAX 262144u      /* kept messages; more are counted as dropped */
#define SPECIALIST_BODY_MAX     (256u << 10) /* bytes of a body kept or sent */
#define SPECIALIST_QUEUE_MAX    65536u       /* stanzas waiting for the client's thread */
#define SPECIALIST_CONTACTS_MAX 1024u        /* contacts whose presence is tracked */

struct specialist_client;

/* A received message with a body; strings are NUL-terminated. */
struct specialist_message {
	char *from;            /* full JID as the server sent it */
	char *body;            /* cut at SPECIALIST_BODY_MAX bytes */
	char *id;              /* stanza id, "" when none */
	char *type;            /* "chat", "normal", "headline", ... ("normal" when absent) */
	long long arrived_ns;  /* CLOCK_MONOTONIC when the client read it */
	int delayed;           /* carried XEP-0203 <delay/>: stored while this JID was offline */
	int receipt_requested; /* carried a XEP-0184 <request/> (answered automatically) */
};

/* The last presence seen from a contact's bare JID. */
enum specialist_presence {
	SPECIALIST_PRESENCE_UNKNOWN,     /* nothing heard yet */
	SPECIALIST_PRESENCE_AVAILABLE,   /* available (any <show/>) */
	SPECIALIST_PRESENCE_UNAVAILABLE, /* type="unavailable" */
};

/*
 * Connect jid ("alice@kk.test" or with a "/resource") with password to
 * host:port (e.g. "127.0.0.1" and prosody_port()), the server's certificate
 * checked against ca_file and its name against the JID's domain. Returns
 * once the session is bound and the server has echoed the initial presence
 * (SPECIALIST_CONNECT_TIMEOUT_MS), or NULL with the reason on stderr. The
 * arguments are copied. Free with specialist_free().
 */
struct specialist_client *specialist_connect(const char *jid, const char *password,
                                             const char *host, unsigned port, const char *ca_file);

/*
 * Send a chat message. Queued for the client's thread, which sends it within
 * a few milliseconds, in call order with the other sends. Returns 0,
 * -ENOTCONN when the client is not online, -EMSGSIZE, -ENOBUFS, -ENOMEM.
 */
int specialist_send(struct specialist_client *s, const char *to_jid, const char *body);

/*
 * As specialist_send, asking for a XEP-0184 receipt. The stanza id is
 * written to id_out (cap bytes, at least 32) for specialist_wait_receipt().
 */
int specialist_send_with_receipt(struct specialist_client *s, const char *to_jid, const char *body,
                                 char *id_out, size_t cap);

/* Send xml as it is (a whole stanza); same results as specialist_send. */
int specialist_send_raw(struct specialist_client *s, const char *xml);

/* Ask jid for a presence subscription; same results as specialist_send. */
int specialist_subscribe(struct specialist_client *s, const char *jid);

/*
 * Wait until a message whose body contains substring ("" matches any)
 * arrives or has arrived, and mark it consumed, so that the next wait finds
 * the next one; messages are searched in arrival order. When body_out is
 * not NULL it receives a copy of the body (free it with free()). Returns 0,
 * -ETIMEDOUT, or -ENOMEM.
 */
int specialist_wait_message(struct specialist_client *s, const char *substring, int timeout_ms,
                            char **body_out);

/*
 * As specialist_wait_message, filling out with copies of everything known
 * about the message. Release with specialist_message_fini().
 */
int specialist_wait_message_full(struct specialist_client *s, const char *substring, int timeout_ms,
                                 struct specialist_message *out);

/* Free the strings of out and zero it; accepts an all-zero struct. */
void specialist_message_fini(struct specialist_message *out);

/*
 * How many received bodies contain substring ("" or NULL: all), consumed or
 * not. For "nothing was delivered twice" checks.
 */
size_t specialist_count_messages(struct specialist_client *s, const char *substring);

/* Messages not kept because SPECIALIST_MESSAGES_MAX was reached. */
size_t specialist_dropped_messages(struct specialist_client *s);

/*
 * Wait until a XEP-0184 receipt for the message id arrives or has
 * arrived. Returns 0 or -ETIMEDOUT.
 */
int specialist_wait_receipt(struct specialist_client *s, const char *id, int timeout_ms);

/*
 * Wait for the answer to an <iq/> with this id sent with
 * specialist_send_raw(). Returns 0 for type="result", -EPROTO for
 * type="error", -ETIMEDOUT.
 */
int specialist_wait_iq(struct specialist_client *s, const char *id, int timeout_ms);

/* The last presence seen from jid's bare JID. */
enum specialist_presence specialist_presence(struct specialist_client *s, const char *jid);

/* Wait until specialist_presence(s, jid) is want. Returns 0 or -ETIMEDOUT. */
int specialist_wait_presence(struct specialist_client *s, const char *jid,
                             enum specialist_presence want, int timeout_ms);

/* 1 while the session is up (connected, not going offline). */
int specialist_is_online(struct specialist_client *s);

/*
 * Wait until the client has lost its session (say, after the server was
 * stopped). Returns 0 or -ETIMEDOUT.
 */
int specialist_wait_offline(struct specialist_client *s, int timeout_ms);

/*
 * Send unavailable presence, close the stream and wait for the server to
 * close it (SPECIALIST_CLOSE_TIMEOUT_MS). What was queued before is sent
 * first. Returns 0, or -ETIMEDOUT when the socket had to be dropped.
 * Received messages are kept. Nothing happens when already offline.
 */
int specialist_go_offline(struct specialist_client *s);

/*
 * Connect again with the same account (after specialist_go_offline() or a
 * lost session; an open session is closed first), waiting as
 * specialist_connect() does. Received messages are kept. Returns 0 or a
 * negative errno.
 */
int specialist_go_online(struct specialist_client *s);

/* The JID as given to specialist_connect(). */
const char *specialist_jid(const struct specialist_client *s);

/*
 * The full JID the server bound for the current session, copied to out
 * (cap bytes). Returns 0, -ENOTCONN, or -ENOSPC.
 */
int specialist_full_jid(struct specialist_client *s, char *out, size_t cap);

/* Go offline if online, stop the thread, free everything. Accepts NULL. */
void specialist_free(struct specialist_client *s);

#endif
