/* SPDX-License-Identifier: ISC */
/*
 * stanza.c — fuzz target: the stanzas the bot receives, as XML text,
 * parsed by libstrophe (xmpp_stanza_new_from_string) and read with every
 * reader of xmpp_stanza.h, on the stanza and on each of its children (so
 * that a <message> nested in something else is read too).
 *
 * Properties checked: a bare JID is the "from" up to its resource, in
 * lower case, with no '/', and fits; the kinds agree with the type and id
 * they were taken from; a body, an error condition cut for the event and a
 * disconnect reason are valid UTF-8 and within their caps; ids are
 * strings of the stanza.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <strophe.h>

#include "fuzz.h"
#include "text.h"
#include "xmpp_session.h"
#include "xmpp_stanza.h"

#define DOMAIN  "example.org"
#define OWN_JID "kakekomi@example.org"

static xmpp_ctx_t *ctx;

static bool is(const char *s, const char *want)
{
	return s != NULL && strcmp(s, want) == 0;
}

static bool utf8(const char *s)
{
	return text_utf8_valid(s, strlen(s));
}

static void check_from(xmpp_stanza_t *st)
{
	const char *from = xmpp_stanza_get_from(st);
	char bare[STANZA_JID_SIZE + 8], small[8];
	bool got = stanza_from_bare(ctx, st, bare, sizeof bare);
	size_t len = strlen(bare);

	if (got != (bare[0] != '\0'))
		fuzz_fail("stanza_from_bare: the answer and the JID disagree");
	if (len >= STANZA_JID_SIZE)
		fuzz_fail("stanza_from_bare: longer than its cap");
	if (strchr(bare, '/') != NULL)
		fuzz_fail("stanza_from_bare: a bare JID with a '/'");
	for (size_t i = 0; i < len; i++)
		if (bare[i] >= 'A' && bare[i] <= 'Z')
			fuzz_fail("stanza_from_bare: an upper case letter");
	if (got && (from == NULL || strncasecmp(bare, from, len) != 0 ||
	            (from[len] != '\0' && from[len] != '/')))
		fuzz_fail("stanza_from_bare: not the \"from\" up to its resource");
	if (!got && from != NULL && from[0] != '\0' && from[0] != '/' &&
	    strcspn(from, "/") < STANZA_JID_SIZE)
		fuzz_fail("stanza_from_bare: a \"from\" that fits gave nothing");
	if (stanza_from_bare(ctx, st, small, sizeof small) && strlen(small) >= sizeof small)
		fuzz_fail("stanza_from_bare: overflowed a small buffer");
}

static void check_message(xmpp_stanza_t *st)
{
	const char *cond = stanza_error_condition(st);
	const char *rcpt = stanza_receipt_id(st);
	const char *req = stanza_receipt_request(st);
	char *body, *whole;
	char tag[XMPP_TAG_LEN + 1];
	size_t cut;

	if (stanza_is_error(st) != is(xmpp_stanza_get_type(st), "error"))
		fuzz_fail("stanza_is_error: not what the type says");
	if (cond == NULL || cond[0] == '\0')
		fuzz_fail("stanza_error_condition: no condition");
	cut = stanza_utf8_cut(cond, STANZA_TEXT_MAX);
	if (cut > STANZA_TEXT_MAX || cut > strlen(cond) || !text_utf8_valid(cond, cut))
		fuzz_fail("stanza_error_condition: cut badly");
	if (rcpt != NULL) {
		xmpp_stanza_t *r = xmpp_stanza_get_child_by_ns(st, STANZA_NS_RECEIPTS);

		if (r == NULL || !is(xmpp_stanza_get_name(r), "received") ||
		    rcpt != xmpp_stanza_get_attribute(r, "id"))
			fuzz_fail("stanza_receipt_id: not the id of a <received>");
		if (xmpp_session_tag_of(rcpt, tag) && strlen(tag) != XMPP_TAG_LEN)
			fuzz_fail("xmpp_session_tag_of: a tag of the wrong length");
	}
	if (req != NULL && (req != xmpp_stanza_get_id(st) ||
	                    xmpp_stanza_get_child_by_ns(st, STANZA_NS_RECEIPTS) == NULL))
		fuzz_fail("stanza_receipt_request: not a request");
	body = stanza_message_body(st);
	whole = xmpp_message_get_body(st);
	if ((body == NULL) != (whole == NULL))
		fuzz_fail("stanza_message_body: lost or made up a body");
	if (body != NULL) {
		size_t len = strlen(body);

		if (len > STANZA_TEXT_MAX)
			fuzz_fail("stanza_message_body: longer than its cap");
		if (strncmp(body, whole, len) != 0)
			fuzz_fail("stanza_message_body: not the start of the body");
		if (utf8(whole) && !utf8(body))
			fuzz_fail("stanza_message_body: cut inside a character");
		if (utf8(whole) && strlen(whole) > STANZA_TEXT_MAX && len + 4 <= STANZA_TEXT_MAX)
			fuzz_fail("stanza_message_body: cut more than a character short");
		xmpp_free(ctx, body);
		xmpp_free(ctx, whole);
	}
}

static void check_presence(xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	enum stanza_presence k = stanza_presence_kind(st);

	if ((k == STANZA_PRESENCE_AVAILABLE) != (type == NULL || is(type, "available")) ||
	    (k == STANZA_PRESENCE_UNAVAILABLE) != is(type, "unavailable") ||
	    (k == STANZA_PRESENCE_SUBSCRIBE) != is(type, "subscribe"))
		fuzz_fail("stanza_presence_kind: not what the type says");
}

static void check_iq(xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	const char *id = xmpp_stanza_get_id(st);
	enum stanza_iq k = stanza_iq_kind(ctx, st, DOMAIN, OWN_JID);

	if (k != STANZA_IQ_IGNORE && (type == NULL || id == NULL))
		fuzz_fail("stanza_iq_kind: acts on an iq without type or id");
	if (k == STANZA_IQ_BATCH_REPLY) {
		char from[STANZA_JID_SIZE];

		if (strncmp(id, "kkb-", 4) != 0 || !(is(type, "result") || is(type, "error")))
			fuzz_fail("stanza_iq_kind: a batch reply that is not one");
		if (xmpp_stanza_get_from(st) != NULL &&
		    (!stanza_from_bare(ctx, st, from, sizeof from) ||
		     (strcasecmp(from, DOMAIN) != 0 && strcasecmp(from, OWN_JID) != 0)))
			fuzz_fail("stanza_iq_kind: a batch reply from someone else");
	}
	if (k == STANZA_IQ_ROSTER_RESULT && !(is(type, "result") && is(id, "kk-roster")))
		fuzz_fail("stanza_iq_kind: a roster result that is not one");
	if ((k == STANZA_IQ_PING || k == STANZA_IQ_GET_OTHER) != (is(type, "get") && id != NULL))
		fuzz_fail("stanza_iq_kind: a get missed, or not a get");
	if (k == STANZA_IQ_PING && xmpp_stanza_get_child_by_ns(st, STANZA_NS_PING) == NULL)
		fuzz_fail("stanza_iq_kind: a ping without a ping");
}

static void check_reason(xmpp_stanza_t *st)
{
	char *text = xmpp_stanza_get_text(st);
	static const size_t sizes[] = {1, 5, 15, 16, 17, 64, 256};
	char why[256];

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		stanza_disconnect_reason(0, text, why, sizes[i]);
		if (strlen(why) >= sizes[i])
			fuzz_fail("stanza_disconnect_reason: does not fit");
		if ((text == NULL || utf8(text)) && !utf8(why))
			fuzz_fail("stanza_disconnect_reason: cut inside a character");
		if (text != NULL && sizes[i] > 16 && strncmp(why, "stream error: ", 14) != 0)
			fuzz_fail("stanza_disconnect_reason: the stream error is not named");
	}
	if (text != NULL)
		xmpp_free(ctx, text);
}

static void check(xmpp_stanza_t *st)
{
	check_from(st);
	check_message(st);
	check_presence(st);
	check_iq(st);
	check_reason(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmpp_stanza_t *st;
	char *xml;
	int n = 0;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	if (ctx == NULL) {
		fuzz_quiet();
		ctx = xmpp_ctx_new(NULL, NULL);
		if (ctx == NULL)
			fuzz_fail("no libstrophe context");
	}
	xml = fuzz_strndup(data, size);
	st = xmpp_stanza_new_from_string(ctx, xml);
	free(xml);
	if (st == NULL)
		return 0;
	check(st);
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(st); c != NULL && n < 64;
	     c = xmpp_stanza_get_next(c), n++)
		if (xmpp_stanza_is_tag(c))
			check(c);
	xmpp_stanza_release(st);
	return 0;
}
