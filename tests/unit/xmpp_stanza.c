/* SPDX-License-Identifier: ISC */
/* Unit tests: reading the stanzas the bot receives, which anyone who can
 * write to the bot (or its server) shapes as they like. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xmpp_stanza.h"

#define RECEIPTS "urn:xmpp:receipts"
#define STANZAS  "urn:ietf:params:xml:ns:xmpp-stanzas"
#define TAG      "0123456789abcdef0123456789abcdef"
#define DOMAIN   "example.org"
#define OWN      "kakekomi@example.org"

static xmpp_ctx_t *ctx;
static xmpp_stanza_t *st;

static void setup(void)
{
	ctx = xmpp_ctx_new(NULL, NULL);
	cr_assert_not_null(ctx);
}

static void teardown(void)
{
	if (st != NULL)
		xmpp_stanza_release(st);
	st = NULL;
	xmpp_ctx_free(ctx);
}

TestSuite(xmpp_stanza, .init = setup, .fini = teardown);

/* Parses XML into the stanza the test reads (released by teardown). */
static xmpp_stanza_t *parse(const char *xml)
{
	if (st != NULL)
		xmpp_stanza_release(st);
	st = xmpp_stanza_new_from_string(ctx, xml);
	cr_assert_not_null(st, "does not parse: %s", xml);
	return st;
}

static const char *bare(const char *xml)
{
	static char out[STANZA_JID_SIZE];

	stanza_from_bare(ctx, parse(xml), out, sizeof out);
	return out;
}

/* ---- from ---- */

Test(xmpp_stanza, the_bare_jid_drops_the_resource_and_folds_case)
{
	cr_assert_str_eq(bare("<message from='Tanaka@Example.ORG/Phone'/>"), "tanaka@example.org");
	cr_assert_str_eq(bare("<message from='sato@example.org'/>"), "sato@example.org");
	cr_assert_str_eq(bare("<iq from='example.org/x/y'/>"), "example.org");
	/* Only ASCII is folded: the rest is the server's business (stringprep). */
	cr_assert_str_eq(bare("<message from='ÉMILE@example.org'/>"), "Émile@example.org");
}

Test(xmpp_stanza, no_from_or_an_empty_one_gives_nothing)
{
	char out[STANZA_JID_SIZE] = "junk";

	cr_assert_not(stanza_from_bare(ctx, parse("<message><body>x</body></message>"), out,
	                               sizeof out));
	cr_assert_str_eq(out, "");
	cr_assert_not(stanza_from_bare(ctx, parse("<message from=''/>"), out, sizeof out));
	cr_assert_str_eq(out, "");
	cr_assert_not(stanza_from_bare(ctx, parse("<message from='/resource'/>"), out, sizeof out));
	cr_assert_str_eq(out, "");
}

Test(xmpp_stanza, a_jid_too_long_to_keep_is_refused_not_cut)
{
	char xml[2048], out[STANZA_JID_SIZE];
	char small[12];
	int n;

	/* Cut to fit, "alice@example.org" + 500 letters would have become the
	 * JID of someone else, or of no one. */
	n = snprintf(xml, sizeof xml, "<message from='alice@example.org");
	memset(xml + n, 'x', 500);
	snprintf(xml + n + 500, sizeof xml - (size_t)n - 500, "/res'/>");
	cr_assert_not(stanza_from_bare(ctx, parse(xml), out, sizeof out));
	cr_assert_str_eq(out, "");
	cr_assert_not(stanza_from_bare(ctx, parse("<message from='tanaka@example.org'/>"), small,
	                               sizeof small));
	cr_assert_str_eq(small, "");
	cr_assert(stanza_from_bare(ctx, parse("<message from='a@b.c/long-resource'/>"), small,
	                           sizeof small));
	cr_assert_str_eq(small, "a@b.c");
}

/* ---- messages ---- */

Test(xmpp_stanza, a_chat_body_is_read_whole)
{
	char *body = stanza_message_body(
	    parse("<message from='a@b' type='chat'><body>対応します &amp; KK-7Q3M-X9</body></message>"));

	cr_assert_str_eq(body, "対応します & KK-7Q3M-X9");
	xmpp_free(ctx, body);
	cr_assert_null(stanza_message_body(parse("<message from='a@b' type='chat'/>")));
	cr_assert_null(stanza_message_body(parse("<message><body/></message>")));
	/* A body is a message's only. */
	cr_assert_null(stanza_message_body(parse("<presence><body>x</body></presence>")));
}

Test(xmpp_stanza, a_nested_body_gives_the_outer_text_only)
{
	char *body = stanza_message_body(
	    parse("<message><body>out<body>in</body>er</body><body>second</body></message>"));

	cr_assert_str_eq(body, "outer");
	xmpp_free(ctx, body);
}

Test(xmpp_stanza, a_huge_body_is_cut_between_characters)
{
	/* "あ" is 3 bytes: 8192 is not a multiple of 3, so cutting at the cap
	 * lands inside a character. */
	size_t n = 4000, len = 0;
	char *xml = malloc(n * 3 + 64), *body;

	cr_assert_not_null(xml);
	len += (size_t)sprintf(xml, "<message><body>");
	for (size_t i = 0; i < n; i++, len += 3)
		memcpy(xml + len, "あ", 3);
	strcpy(xml + len, "</body></message>");
	body = stanza_message_body(parse(xml));
	cr_assert_not_null(body);
	cr_assert_eq(strlen(body), STANZA_TEXT_MAX / 3 * 3);
	cr_assert(text_utf8_valid(body, strlen(body)));
	xmpp_free(ctx, body);
	free(xml);
}

Test(xmpp_stanza, an_error_names_its_condition)
{
	parse("<message from='nobody@example.org' type='error' id='kk-" TAG "'>"
	      "<error type='cancel'><item-not-found xmlns='" STANZAS "'/></error></message>");
	cr_assert(stanza_is_error(st));
	cr_assert_str_eq(stanza_error_condition(st), "item-not-found");
	/* No <error>, or an empty one: "error". */
	cr_assert_str_eq(stanza_error_condition(parse("<message type='error'/>")), "error");
	cr_assert_str_eq(stanza_error_condition(parse("<message type='error'><error/></message>")),
	                 "error");
	/* Pretty-printed, or the text first: the condition all the same. */
	cr_assert_str_eq(stanza_error_condition(parse("<message type='error'><error>\n  "
	                                              "<gone xmlns='" STANZAS "'/></error></message>")),
	                 "gone");
	cr_assert_str_eq(stanza_error_condition(
	                     parse("<message type='error'><error><text xmlns='" STANZAS
	                           "'>why</text><service-unavailable xmlns='" STANZAS
	                           "'/></error></message>")),
	                 "service-unavailable");
	cr_assert_str_eq(
	    stanza_error_condition(parse("<message type='error'><error> only text </error></message>")),
	    "error");
	cr_assert_not(stanza_is_error(parse("<message type='Error'/>")));
	cr_assert_not(stanza_is_error(parse("<message/>")));
}

Test(xmpp_stanza, a_receipt_gives_its_id)
{
	cr_assert_str_eq(stanza_receipt_id(parse("<message from='a@b/c'><received xmlns='" RECEIPTS
	                                         "' id='kk-" TAG "'/></message>")),
	                 "kk-" TAG);
	cr_assert_null(stanza_receipt_id(parse("<message><received xmlns='" RECEIPTS "'/></message>")));
	/* Wrong namespace, or none. */
	cr_assert_null(stanza_receipt_id(
	    parse("<message><received xmlns='urn:xmpp:receipt' id='kk-" TAG "'/></message>")));
	cr_assert_null(stanza_receipt_id(parse("<message><received id='kk-" TAG "'/></message>")));
	/* Only the first child in the namespace is looked at. */
	cr_assert_null(stanza_receipt_id(parse("<message><request xmlns='" RECEIPTS
	                                       "'/><received xmlns='" RECEIPTS "' id='kk-" TAG
	                                       "'/></message>")));
}

Test(xmpp_stanza, a_receipt_request_needs_an_id)
{
	cr_assert_str_eq(stanza_receipt_request(parse("<message id='m1'><body>x</body><request "
	                                              "xmlns='" RECEIPTS "'/></message>")),
	                 "m1");
	cr_assert_null(stanza_receipt_request(
	    parse("<message><body>x</body><request xmlns='" RECEIPTS "'/></message>")));
	cr_assert_null(stanza_receipt_request(parse("<message id='m1'><body>x</body></message>")));
	cr_assert_null(
	    stanza_receipt_request(parse("<message id='m1'><request xmlns='urn:other'/></message>")));
}

/* ---- presence ---- */

static enum stanza_presence presence_of(const char *type)
{
	char xml[128];

	snprintf(xml, sizeof xml, "<presence from='a@b/c' type='%s'/>", type);
	return stanza_presence_kind(parse(xml));
}

Test(xmpp_stanza, presence_kinds_come_from_the_type)
{
	static const char *const ignored[] = {"subscribed", "unsubscribe", "probe", "Unavailable", ""};

	cr_assert_eq(stanza_presence_kind(parse("<presence/>")), STANZA_PRESENCE_AVAILABLE);
	cr_assert_eq(presence_of("available"), STANZA_PRESENCE_AVAILABLE);
	cr_assert_eq(presence_of("unavailable"), STANZA_PRESENCE_UNAVAILABLE);
	cr_assert_eq(presence_of("subscribe"), STANZA_PRESENCE_SUBSCRIBE);
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		cr_assert_eq(presence_of(ignored[i]), STANZA_PRESENCE_OTHER, "type '%s'", ignored[i]);
}

/* ---- iq ---- */

static enum stanza_iq iq(const char *xml)
{
	return stanza_iq_kind(ctx, parse(xml), DOMAIN, OWN);
}

Test(xmpp_stanza, batch_replies_count_only_from_our_server)
{
	cr_assert_eq(iq("<iq type='result' id='kkb-1'/>"), STANZA_IQ_BATCH_REPLY);
	cr_assert_eq(iq("<iq from='example.org' type='result' id='kkb-1'/>"), STANZA_IQ_BATCH_REPLY);
	cr_assert_eq(iq("<iq from='Example.Org/x' type='error' id='kkb-2'/>"),
	             STANZA_IQ_BATCH_REPLY);
	cr_assert_eq(iq("<iq from='kakekomi@example.org/kakekomid' type='result' id='kkb-3'/>"),
	             STANZA_IQ_BATCH_REPLY);
	/* Anyone else could ack messages the server never took. */
	cr_assert_eq(iq("<iq from='evil@example.org' type='result' id='kkb-1'/>"), STANZA_IQ_IGNORE);
	cr_assert_eq(iq("<iq from='example.org.evil.net' type='result' id='kkb-1'/>"),
	             STANZA_IQ_IGNORE);
	cr_assert_eq(iq("<iq from='' type='result' id='kkb-1'/>"), STANZA_IQ_IGNORE);
	cr_assert_eq(iq("<iq from='example.org' type='get' id='kkb-1'/>"), STANZA_IQ_GET_OTHER);
}

Test(xmpp_stanza, the_roster_result_pings_and_other_gets)
{
	cr_assert_eq(iq("<iq type='result' id='kk-roster'><query xmlns='jabber:iq:roster'><item "
	                "jid='a@b' subscription='both'/></query></iq>"),
	             STANZA_IQ_ROSTER_RESULT);
	cr_assert_eq(iq("<iq type='error' id='kk-roster'/>"), STANZA_IQ_IGNORE);
	cr_assert_eq(iq("<iq from='example.org' type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>"),
	             STANZA_IQ_PING);
	cr_assert_eq(iq("<iq type='get' id='p2'><ping xmlns='urn:xmpp:pong'/></iq>"),
	             STANZA_IQ_GET_OTHER);
	cr_assert_eq(iq("<iq type='get' id='v1'><query xmlns='jabber:iq:version'/></iq>"),
	             STANZA_IQ_GET_OTHER);
	/* Roster pushes, stray results, and iqs without type or id are left alone. */
	cr_assert_eq(iq("<iq type='set' id='push'><query xmlns='jabber:iq:roster'/></iq>"),
	             STANZA_IQ_IGNORE);
	cr_assert_eq(iq("<iq type='result' id='other'/>"), STANZA_IQ_IGNORE);
	cr_assert_eq(iq("<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>"), STANZA_IQ_IGNORE);
	cr_assert_eq(iq("<iq id='x'><ping xmlns='urn:xmpp:ping'/></iq>"), STANZA_IQ_IGNORE);
}

/* ---- text caps ---- */

Test(xmpp_stanza, utf8_cut_stops_between_characters)
{
	cr_assert_eq(stanza_utf8_cut("abc", 8), 3);
	cr_assert_eq(stanza_utf8_cut("abc", 3), 3);
	cr_assert_eq(stanza_utf8_cut("abc", 2), 2);
	cr_assert_eq(stanza_utf8_cut("aあ", 3), 1);
	cr_assert_eq(stanza_utf8_cut("aあ", 4), 4);
	cr_assert_eq(stanza_utf8_cut("😀x", 3), 0);
	cr_assert_eq(stanza_utf8_cut("", 0), 0);
	cr_assert_eq(stanza_utf8_cut(NULL, 10), 0);
}

Test(xmpp_stanza, disconnect_reasons)
{
	char why[256], small[20];

	stanza_disconnect_reason(0, "Replaced by new connection", why, sizeof why);
	cr_assert_str_eq(why, "stream error: Replaced by new connection");
	stanza_disconnect_reason(ECONNRESET, NULL, why, sizeof why);
	cr_assert_str_eq(why, strerror(ECONNRESET));
	stanza_disconnect_reason(0, NULL, why, sizeof why);
	cr_assert_str_eq(why, "connection closed");
	/* Text from the server is cut between characters. */
	stanza_disconnect_reason(0, "あいう", small, sizeof small);
	cr_assert_str_eq(small, "stream error: あ");
	stanza_disconnect_reason(0, "x", small, 3);
	cr_assert_str_eq(small, "st");
}
