/* SPDX-License-Identifier: ISC */
/*
 * xmpp_stanza — reading received stanzas; see xmpp_stanza.h.
 */
#include "xmpp_stanza.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t stanza_utf8_cut(const char *s, size_t max)
{
	size_t len = s != NULL ? strnlen(s, max + 1) : 0;

	if (len <= max)
		return len;
	/* S[MAX] starts the first character left out, unless it continues the
	 * one before: then back up to that one's first byte. */
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

bool stanza_from_bare(xmpp_ctx_t *ctx, xmpp_stanza_t *st, char *out, size_t n)
{
	const char *from = xmpp_stanza_get_from(st);
	char *bare;
	size_t len;

	if (n == 0)
		return false;
	out[0] = '\0';
	if (n > STANZA_JID_SIZE)
		n = STANZA_JID_SIZE;
	if (from == NULL || from[0] == '\0')
		return false;
	bare = xmpp_jid_bare(ctx, from);
	if (bare == NULL)
		return false;
	len = strlen(bare);
	/* A JID cut short would be someone else's (or no one's): refuse it. */
	if (len < n) {
		for (size_t i = 0; i < len; i++)
			out[i] = bare[i] >= 'A' && bare[i] <= 'Z' ? (char)(bare[i] - 'A' + 'a')
			                                          : bare[i];
		out[len] = '\0';
	}
	xmpp_free(ctx, bare);
	return out[0] != '\0';
}

static bool type_is(xmpp_stanza_t *st, const char *type)
{
	const char *t = xmpp_stanza_get_type(st);

	return t != NULL && strcmp(t, type) == 0;
}

bool stanza_is_error(xmpp_stanza_t *st)
{
	return type_is(st, "error");
}

const char *stanza_error_condition(xmpp_stanza_t *st)
{
	xmpp_stanza_t *err = xmpp_stanza_get_child_by_name(st, "error");

	/* The condition is an element; white space and <text> around it are
	 * not (RFC 6120 8.3.2). */
	for (xmpp_stanza_t *c = err != NULL ? xmpp_stanza_get_children(err) : NULL; c != NULL;
	     c = xmpp_stanza_get_next(c)) {
		const char *name = xmpp_stanza_is_tag(c) ? xmpp_stanza_get_name(c) : NULL;

		if (name != NULL && strcmp(name, "text") != 0)
			return name;
	}
	return "error";
}

const char *stanza_receipt_id(xmpp_stanza_t *st)
{
	xmpp_stanza_t *rcv = xmpp_stanza_get_child_by_ns(st, STANZA_NS_RECEIPTS);
	const char *name = rcv != NULL ? xmpp_stanza_get_name(rcv) : NULL;

	if (name == NULL || strcmp(name, "received") != 0)
		return NULL;
	return xmpp_stanza_get_attribute(rcv, "id");
}

const char *stanza_receipt_request(xmpp_stanza_t *st)
{
	const char *id = xmpp_stanza_get_id(st);

	if (id == NULL || xmpp_stanza_get_child_by_ns(st, STANZA_NS_RECEIPTS) == NULL)
		return NULL;
	return id;
}

char *stanza_message_body(xmpp_stanza_t *st)
{
	char *body = xmpp_message_get_body(st);

	if (body != NULL)
		body[stanza_utf8_cut(body, STANZA_TEXT_MAX)] = '\0';
	return body;
}

enum stanza_presence stanza_presence_kind(xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);

	if (type == NULL || strcmp(type, "available") == 0)
		return STANZA_PRESENCE_AVAILABLE;
	if (strcmp(type, "unavailable") == 0)
		return STANZA_PRESENCE_UNAVAILABLE;
	if (strcmp(type, "subscribe") == 0)
		return STANZA_PRESENCE_SUBSCRIBE;
	return STANZA_PRESENCE_OTHER;
}

/* Whether ST came from our server (the domain, our account or no "from"),
 * not from another account. */
static bool from_server(xmpp_ctx_t *ctx, xmpp_stanza_t *st, const char *domain, const char *own_jid)
{
	char from[STANZA_JID_SIZE];

	if (xmpp_stanza_get_from(st) == NULL)
		return true;
	stanza_from_bare(ctx, st, from, sizeof from);
	return strcasecmp(from, domain) == 0 || strcasecmp(from, own_jid) == 0;
}

enum stanza_iq stanza_iq_kind(xmpp_ctx_t *ctx, xmpp_stanza_t *st, const char *domain,
                              const char *own_jid)
{
	const char *type = xmpp_stanza_get_type(st);
	const char *id = xmpp_stanza_get_id(st);
	bool reply;

	if (type == NULL || id == NULL)
		return STANZA_IQ_IGNORE;
	reply = strcmp(type, "result") == 0 || strcmp(type, "error") == 0;
	if (reply && strncmp(id, "kkb-", 4) == 0)
		return from_server(ctx, st, domain, own_jid) ? STANZA_IQ_BATCH_REPLY
		                                             : STANZA_IQ_IGNORE;
	if (strcmp(type, "result") == 0 && strcmp(id, "kk-roster") == 0)
		return STANZA_IQ_ROSTER_RESULT;
	if (strcmp(type, "get") == 0)
		return xmpp_stanza_get_child_by_ns(st, STANZA_NS_PING) != NULL
		           ? STANZA_IQ_PING
		           : STANZA_IQ_GET_OTHER;
	return STANZA_IQ_IGNORE;
}

void stanza_disconnect_reason(int error, const char *stream_text, char *out, size_t n)
{
	static const char pre[] = "stream error: ";

	if (n == 0)
		return;
	if (stream_text != NULL && n > sizeof pre) {
		size_t k = stanza_utf8_cut(stream_text, n - sizeof pre);

		snprintf(out, n, "%s%.*s", pre, (int)k, stream_text);
	} else if (stream_text != NULL) {
		snprintf(out, n, "%s", "stream error");
	} else {
		const char *why = error != 0 ? strerror(error) : "connection closed";

		snprintf(out, n, "%.*s", (int)stanza_utf8_cut(why, n - 1), why);
	}
}
