/* SPDX-License-Identifier: ISC */
/*
 * xmpp_stanza — what the bot reads out of the stanzas it receives, with
 * nothing sent and nothing kept: xmpp_session's handlers call these and
 * act on the answers.
 *
 * Every stanza comes from the network, so every reader takes whatever
 * libstrophe parsed (no "from", odd types, children in the wrong
 * namespace, huge texts) and answers with a documented value instead of
 * failing. Strings returned as `const char *` are borrowed from the stanza
 * and live as long as it does; the one returned as `char *` is freed with
 * xmpp_free(). No reader keeps state or
 * does I/O.
 *
 * The bot reads: messages (chat bodies, XEP-0184 receipt requests and
 * receipts, errors that bounce a message of ours), presence (available,
 * unavailable, subscription requests), iq (replies to its batch pings, the
 * roster result, pings and other gets to refuse) and the reason a stream
 * ended. The roster result matters only by its arrival: its items are not
 * read, and roster pushes (iq "set") are ignored.
 */
#ifndef KK_XMPP_STANZA_H
#define KK_XMPP_STANZA_H

#include <stdbool.h>
#include <stddef.h>
#include <strophe.h>

/* The most bytes of a message body or an error condition passed on. */
#define STANZA_TEXT_MAX 8192

/* Room for a bare JID (with its NUL): longer ones are not believed. */
#define STANZA_JID_SIZE 512

#define STANZA_NS_RECEIPTS "urn:xmpp:receipts"
#define STANZA_NS_PING     "urn:xmpp:ping"

/*
 * The length of the longest prefix of S of at most MAX bytes that does not
 * end inside a UTF-8 sequence: strlen(S) when it fits. Reads at most
 * MAX + 1 bytes of S. For valid UTF-8 the prefix is valid UTF-8; invalid
 * input is cut as if its bytes were characters. S NULL gives 0.
 */
size_t stanza_utf8_cut(const char *s, size_t max);

/*
 * The sender's bare JID ("from" without its resource), ASCII letters in
 * lower case, written to OUT (N bytes, at most STANZA_JID_SIZE used).
 * Returns true when there is one; otherwise OUT is "" (no "from", an empty
 * one, a bare JID that does not fit in N bytes, or out of memory). The
 * result never holds a '/'.
 */
bool stanza_from_bare(xmpp_ctx_t *ctx, xmpp_stanza_t *st, char *out, size_t n);

/* Whether ST's type is exactly "error" (any stanza). */
bool stanza_is_error(xmpp_stanza_t *st);

/*
 * For an error stanza: the name of the first element inside its <error>
 * other than <text>, the condition ("item-not-found", "service-unavailable"
 * ...), white space before it skipped. "error" when there is no <error> or
 * no condition in it. Never NULL; not cut (callers cut with
 * stanza_utf8_cut).
 */
const char *stanza_error_condition(xmpp_stanza_t *st);

/*
 * A receipt (XEP-0184) in message ST: the "id" attribute of its first child
 * in the receipts namespace when that child is <received>; NULL when there
 * is none, the first such child is something else (a <request>), or it has
 * no id. The id is not checked (see xmpp_session_tag_of).
 */
const char *stanza_receipt_id(xmpp_stanza_t *st);

/*
 * Whether message ST asks for a receipt: it has an id and a child in the
 * receipts namespace (of any name). Returns ST's id then, to put in the
 * <received>; NULL otherwise.
 */
const char *stanza_receipt_request(xmpp_stanza_t *st);

/*
 * The text of message ST's <body> (libstrophe's xmpp_message_get_body: the
 * first <body> child, its direct text), cut to STANZA_TEXT_MAX bytes
 * between characters; allocated with ST's context. NULL when there is no
 * body or no memory; an empty <body/> gives NULL too, as libstrophe has no
 * text for it.
 */
char *stanza_message_body(xmpp_stanza_t *st);

enum stanza_presence {
	STANZA_PRESENCE_AVAILABLE,   /* no type, or "available" */
	STANZA_PRESENCE_UNAVAILABLE, /* "unavailable" */
	STANZA_PRESENCE_SUBSCRIBE,   /* "subscribe": a contact asks to see ours */
	STANZA_PRESENCE_OTHER,       /* anything else: ignored */
};

/* What presence ST says, from its type attribute alone. */
enum stanza_presence stanza_presence_kind(xmpp_stanza_t *st);

enum stanza_iq {
	STANZA_IQ_IGNORE,        /* no type or id, a set, a stray result... */
	STANZA_IQ_BATCH_REPLY,   /* result or error, id "kkb-...", from our server */
	STANZA_IQ_ROSTER_RESULT, /* result, id "kk-roster" */
	STANZA_IQ_PING,          /* get with a child in the ping namespace */
	STANZA_IQ_GET_OTHER,     /* any other get: to refuse */
};

/*
 * What iq ST is. A batch reply must come from our server: no "from", or a
 * bare JID equal (ASCII case aside) to DOMAIN or OWN_JID; a "kkb-" reply
 * from anyone else is STANZA_IQ_IGNORE. The id to answer or match is
 * xmpp_stanza_get_id(ST), never NULL unless the kind is STANZA_IQ_IGNORE.
 */
enum stanza_iq stanza_iq_kind(xmpp_ctx_t *ctx, xmpp_stanza_t *st, const char *domain,
                              const char *own_jid);

/*
 * Why a stream ended, for the log and the disconnected event, into OUT (N
 * bytes, N > 0): "stream error: TEXT" when the server sent a stream error
 * with text STREAM_TEXT, else strerror(ERROR) when ERROR is not 0, else
 * "connection closed". Cut between characters to fit.
 */
void stanza_disconnect_reason(int error, const char *stream_text, char *out, size_t n);

#endif
