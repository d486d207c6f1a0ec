/*
 * channels_chat.c — reports by chat and on-site dispatch, as the people
 * on both ends of the chat live them. (The APPI reminders, which reach
 * reporters by chat or by e-mail, are in channels_delivery.c.)
 *
 * A reporter is anyone not on the roster who writes to the bot: here an
 * XMPP client (tests/support/specialist.h) with an account on the test's
 * own Prosody that is not in the roster. The bot must answer the first
 * message that names the incident with the first steps at once, walk
 * through the questions, store the case, hand back a reference and a
 * status link, and say so when a specialist takes the case. Specialists
 * answer from their own apps as in relay_xmpp.c, in the same world
 * (tests/support/world.h): each test starts its own Prosody and kakekomid,
 * imports the roster with kakekomictl and waits until every specialist's
 * app sees the bot online before anything is reported.
 *
 * The 30-minute idle rule (a conversation that stops after the incident
 * type is known becomes an incomplete case) cannot be shortened from the
 * configuration and no test waits 30 minutes: its test moves the saved
 * conversation into the past while the daemon is stopped.
 *
 * Latencies are printed for information only; budgets belong to `make bench`.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"
#include "htmlscan.h"
#include "prosody.h"
#include "specialist.h"
#include "world.h"

#define DOMAIN WORLD_DOMAIN
#define BOT    WORLD_BOT

#define REPLY_MS 5000 /* a reply or an alert that should come at once */

static void chat_fini(void)
{
	harness_cleanup();
	prosody_cleanup();
}

TestSuite(chat, .fini = chat_fini, .timeout = 120);

/* What the bot handed a chat reporter at the end of the questions. */
struct chat_case {
	char ref[32];
	char token[256];
	char link[512];
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The world of tests/support/world.h, every member taking on-site work;
 * reporters joined with world_reporter() are freed by world_close().
 */
static void relay_open(struct world *r, const struct world_member *m, size_t n)
{
	static const struct world_options o = {.onsite = 1};

	cr_assert(n >= 1, "at least one member");
	world_open(r, m, n, &o);
}

/* Send an answer and wait for the bot's next question (or other reply). */
static void answer(struct specialist_client *s, const char *text, const char *next, const char *why)
{
	world_tell(s, "%s", text);
	world_expect(s, next, REPLY_MS, NULL, why);
}

/*
 * Read the reference and status link out of the bot's last reply: the
 * reference after label ("受付番号: " or "Reference: ") and the link
 * "BASE/cases/REF?t=TOKEN".
 */
static void parse_reference(struct world *r, const char *body, const char *label,
                            struct chat_case *cc)
{
	const char *p = strstr(body, label);
	char prefix[256];
	const char *link;
	size_t n;

	memset(cc, 0, sizeof *cc);
	cr_assert_not_null(p, "no \"%s\" in the bot's reply:\n%s", label, body);
	p += strlen(label);
	n = strspn(p, "KK-0123456789ABCDEFGHJKMNPQRSTVWXYZ");
	cr_assert(n > 0 && n < sizeof cc->ref, "no reference after \"%s\":\n%s", label, body);
	memcpy(cc->ref, p, n);
	cr_assert(fixture_ref_is_valid(cc->ref), "\"%s\" is not a case reference", cc->ref);

	snprintf(prefix, sizeof prefix, "%s/cases/%s?t=", r->d->base_url, cc->ref);
	link = strstr(body, prefix);
	cr_assert_not_null(link, "the reply should carry the status link %s...:\n%s", prefix, body);
	n = strcspn(link, " \n\r\t");
	cr_assert(n < sizeof cc->link, "status link too long");
	memcpy(cc->link, link, n);
	cr_assert(fixture_url_param(cc->link, "t", cc->token, sizeof cc->token),
	          "no token in the status link %s", cc->link);
	cr_assert_geq(strlen(cc->token), 22u, "a status token of %zu characters is too short",
	              strlen(cc->token));
}

static int timeline_has(const json_t *doc, const char *event)
{
	return fixture_json_find(json_object_get(doc, "timeline"), "event", event) != NULL;
}

static size_t timeline_count(const json_t *doc, const char *event)
{
	json_t *list = json_object_get(doc, "timeline");
	size_t i, n = 0;
	json_t *e;

	json_array_foreach (list, i, e) {
		const char *k = json_string_value(json_object_get(e, "event"));

		if (k != NULL && strcmp(k, event) == 0)
			n++;
	}
	return n;
}

/* elapsed_ms and at (ms since the epoch) of the first entry for event. */
static double timeline_entry(const json_t *doc, const char *ref, const char *event,
                             long long *at_ms)
{
	json_t *e = fixture_json_find(json_object_get(doc, "timeline"), "event", event);
	json_t *ms = json_object_get(e, "elapsed_ms");

	cr_assert_not_null(e, "%s: the timeline has no \"%s\" event", ref, event);
	cr_assert(fixture_timeline_at(doc, event, at_ms), "%s: \"%s\" has no RFC 3339 \"at\"", ref,
	          event);
	cr_assert(json_is_number(ms), "%s: \"%s\" should carry elapsed_ms", ref, event);
	return json_number_value(ms);
}

/* ---- the store, read-only, for what the reporter API does not show ---- */

/* Poll harness_db_int(sql, p1, p2) until it equals want or timeout_ms; p2 may be NULL. */
static long long db_wait_int(struct harness_daemon *d, const char *sql, const char *p1,
                             const char *p2, long long want, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	long long v;

	for (;;) {
		v = harness_db_int(d, sql, p1, p2, NULL);
		if (v == want || harness_now_ms() >= deadline)
			return v;
		harness_sleep_ms(50);
	}
}

/* A round trip through the bot from the on-call specialist: the bot reads
 * its stream in order, so every message that reached it before has been
 * handled, and its answers sent, when the reply to "help" comes. */
static void bot_round_trip(struct world *r)
{
	world_tell(r->app[0], "help");
	world_expect(r->app[0], "this help", REPLY_MS, NULL, "the bot's answer to help");
}

/* Osaka's one on-call specialist. */
static const struct world_member osaka_sec[] = {
    {.id = "osaka", .name = "Osaka Sec", .prefectures = "27"},
};

/* ---- reports by chat ---- */

Test(chat, a_japanese_chat_report_gets_first_steps_at_once_a_reference_and_word_when_osaka_takes_it)
{
	static const struct world_member team[] = {
	    {.id = "osaka", .name = "Osaka Sec", .prefectures = "27"},
	    {.id = "kyoto", .name = "Kyoto Sec", .prefectures = "26"},
	};
	struct specialist_client *sato, *osaka, *kyoto;
	struct world r;
	struct chat_case cc;
	struct harness_response res;
	char path[600], needle[64];
	long long sent, welcomed, steps, asked, t_phone, t_ref, t_ack, t_conf, t_told;
	char *body;
	json_t *doc;

	relay_open(&r, team, 2);
	osaka = world_app(&r, "osaka");
	kyoto = world_app(&r, "kyoto");
	sato = world_reporter(&r, "sato", 1);

	sent = now_ns();
	world_tell(sato, "ランサムウェアかもしれない");
	welcomed = world_expect(sato, "相談窓口", REPLY_MS, NULL,
	                        "a Japanese first message should get a Japanese welcome");
	steps = world_expect(sato, "今すぐやること: ランサムウェア", REPLY_MS, &body,
	                     "a first message that names ransomware should get the "
	                     "ransomware first steps at once");
	cr_assert_not_null(strstr(body, "\n1. "), "the first steps should be numbered:\n%s", body);
	cr_assert_not_null(strstr(body, "\n2. "), "more than one step expected:\n%s", body);
	cr_assert_not_null(strstr(body, "してはいけないこと"),
	                   "the first steps should say what not to do:\n%s", body);
	cr_assert(fixture_text_has_japanese(body));
	free(body);
	asked = world_expect(sato, "今も続いていますか", REPLY_MS, NULL,
	                     "after the first steps comes the question \"still happening?\"");
	cr_assert(welcomed <= steps && steps <= asked,
	          "order: welcome, first steps, then the next question");
	fprintf(stderr,
	        "chat: first message -> welcome %.1f ms, -> first steps %.1f ms, -> next "
	        "question %.1f ms\n",
	        (double)(welcomed - sent) / 1e6, (double)(steps - sent) / 1e6,
	        (double)(asked - sent) / 1e6);
	cr_assert_eq(specialist_count_messages(sato, "何が起きていますか"), 0u,
	             "the type was named in the first message: the bot must not ask it");

	answer(sato, "はい", "知らされたのはいつですか", "still happening: はい");
	answer(sato, "1", "お金を送った", "noticed: 1 (just now)");
	answer(sato, "いいえ", "個人情報", "money: いいえ");
	answer(sato, "わからない", "病歴", "personal data: わからない (the APPI conditions follow)");
	answer(sato, "いいえ", "カード番号", "sensitive data: いいえ");
	answer(sato, "わからない", "1,000人", "financial harm: わからない");
	answer(sato, "いいえ", "都道府県", "over 1,000: いいえ");
	answer(sato, "大阪", "会社名", "prefecture by name: 大阪");
	answer(sato, "株式会社かけこみ工業", "お名前", "company");
	answer(sato, "佐藤 一郎", "電話番号", "name");
	t_phone = now_ns();
	/* Full-width digits and a full-width hyphen, as typed on a phone. */
	world_tell(sato, "０６－１２３４－５６７８");
	t_ref = world_expect(sato, "受付番号: ", REPLY_MS, &body,
	                     "after the phone number the case should be stored and its "
	                     "reference sent");
	parse_reference(&r, body, "受付番号: ", &cc);
	cr_assert_not_null(strstr(body, "専用のリンク"), "reply:\n%s", body);
	free(body);
	fprintf(stderr, "chat: phone answer -> reference: %.1f ms (%s)\n",
	        (double)(t_ref - t_phone) / 1e6, cc.ref);

	/* The reference is only given after the case is committed. */
	doc = fixture_case_fetch(r.d, cc.ref, cc.token);
	cr_assert_str_eq(fixture_json_string(doc, "channel"), "chat");
	cr_assert_str_eq(fixture_json_string(doc, "incident_type"), "ransomware");
	cr_assert_str_eq(fixture_json_string(doc, "still_happening"), "yes");
	cr_assert_str_eq(fixture_json_string(doc, "money_involved"), "no");
	cr_assert_str_eq(fixture_json_string(doc, "personal_data"), "unknown");
	cr_assert_str_eq(fixture_json_string(doc, "prefecture"), "27");
	cr_assert_str_eq(fixture_json_string(doc, "company"), "株式会社かけこみ工業");
	cr_assert_str_eq(fixture_json_string(doc, "name"), "佐藤 一郎");
	cr_assert_str_eq(fixture_json_string(doc, "phone"), "06-1234-5678",
	                 "the full-width phone should be stored in ASCII");
	cr_assert_str_eq(fixture_json_string(doc, "lang"), "ja");
	cr_assert(timeline_has(doc, "received"));
	if (!timeline_has(doc, "guidance_delivered"))
		fprintf(stderr,
		        "chat: note: %s (chat) has no guidance_delivered event on its "
		        "timeline, although the first steps went out before the case "
		        "was stored\n",
		        cc.ref);
	json_decref(doc);

	snprintf(path, sizeof path, "%s", cc.link + strlen(r.d->base_url));
	harness_get(r.d, path, &res);
	cr_assert_eq(res.status, 200, "the status link from the chat should open the status page");
	cr_assert(htmlscan_page_has_text(res.body.data, cc.ref), "status page without the ref");
	harness_response_fini(&res);

	snprintf(needle, sizeof needle, "New case %s", cc.ref);
	world_expect(osaka, needle, REPLY_MS, &body,
	             "a chat report from Osaka should alert Osaka's specialist");
	cr_assert_null(strstr(body, "06-1234-5678"), "the alert carries the phone:\n%s", body);
	cr_assert_null(strstr(body, "佐藤 一郎"), "the alert carries the name:\n%s", body);
	free(body);

	t_ack = now_ns();
	world_tell(osaka, "ack %s", cc.ref);
	t_conf = world_expect(osaka, "you have this case", REPLY_MS, &body, "ack not confirmed");
	cr_assert_not_null(strstr(body, "06-1234-5678"), "the acker needs the phone:\n%s", body);
	cr_assert_not_null(strstr(body, "佐藤 一郎"), "the acker needs the name:\n%s", body);
	free(body);
	t_told = world_expect(sato, "専門家が担当になりました", REPLY_MS, &body,
	                      "the chat reporter should be told a specialist took the case");
	cr_assert_not_null(strstr(body, cc.ref), "the notice should name the case:\n%s", body);
	free(body);
	fprintf(stderr,
	        "chat: ack -> confirmation to the specialist %.1f ms, -> reporter told %.1f ms\n",
	        (double)(t_conf - t_ack) / 1e6, (double)(t_told - t_ack) / 1e6);
	cr_assert_eq(specialist_count_messages(kyoto, cc.ref), 0u,
	             "Kyoto's specialist is not on call for Osaka");

	doc = fixture_case_fetch(r.d, cc.ref, cc.token);
	cr_assert_str_eq(fixture_json_string(doc, "state"), "acknowledged");
	cr_assert(timeline_has(doc, "routed"));
	cr_assert(timeline_has(doc, "acknowledged"));
	json_decref(doc);
	world_close(&r);
}

Test(chat, an_english_chat_goes_back_explains_garbage_stops_on_cancel_and_ends_with_a_reference)
{
	static const char question[] = "What is happening? Answer with a number.";
	static const char still[] = "Is it still happening?";
	static const char noticed[] = "first notice it, or get told of it?";
	static const char saved_type[] =
	    "SELECT json_extract(unseal(answers, 'conversations.answers'), '$.incident_type') = ? FROM conversations WHERE jid = ?";
	struct specialist_client *jane, *osaka;
	struct world r;
	struct chat_case cc;
	char jid[64], needle[64];
	char *body;
	json_t *doc;

	relay_open(&r, osaka_sec, 1);
	osaka = world_app(&r, "osaka");
	jane = world_reporter(&r, "jane", 1);
	snprintf(jid, sizeof jid, "jane@%s", DOMAIN);

	world_tell(jane, "Hello, something is wrong with our office PC");
	world_expect(jane, "This is kakekomi", REPLY_MS, NULL,
	             "an English first message should get an English welcome");
	world_expect(jane, question, REPLY_MS, &body,
	             "a first message that names nothing should get the type question");
	cr_assert_not_null(strstr(body, "\n1. A ransom message appeared"), "choices:\n%s", body);
	cr_assert_not_null(strstr(body, "\n12. I don't know what is happening"),
	                   "twelve choices, the last \"don't know\":\n%s", body);
	cr_assert_null(strstr(body, "\n13. "), "twelve choices, not more:\n%s", body);
	cr_assert(!fixture_text_has_japanese(body), "English chat got Japanese:\n%s", body);
	free(body);

	world_tell(jane, "banana");
	world_expect(jane, "I did not understand", REPLY_MS, NULL,
	             "garbage should get a polite \"I did not understand\"");
	world_expect(jane, question, REPLY_MS, NULL, "... and the choices again");

	world_tell(jane, "3");
	world_expect(jane, "Do this now: Phishing", REPLY_MS, &body,
	             "choice 3 is phishing: its first steps should come at once");
	cr_assert_not_null(strstr(body, "Do not:"), "first steps without \"Do not\":\n%s", body);
	free(body);
	world_expect(jane, still, REPLY_MS, NULL, "then the next question");
	cr_assert_eq(db_wait_int(r.d, saved_type, "phishing", jid, 1, 2000), 1,
	             "the conversation should be saved with the type phishing");

	world_tell(jane, "back");
	world_expect(jane, question, REPLY_MS, NULL, "\"back\" should ask the previous question");
	world_tell(jane, "2");
	world_expect(jane, "Do this now: Malware", REPLY_MS, NULL,
	             "a new answer after \"back\" should replace the old one");
	world_expect(jane, still, REPLY_MS, NULL, "then the next question again");
	cr_assert_eq(db_wait_int(r.d, saved_type, "malware", jid, 1, 2000), 1,
	             "after \"back\" and \"2\" the saved type should be malware");

	world_tell(jane, "日本語");
	world_expect(jane, "今も続いていますか", REPLY_MS, NULL,
	             "\"日本語\" should switch to Japanese and ask again");
	world_tell(jane, "English");
	world_expect(jane, still, REPLY_MS, NULL, "\"English\" should switch back");

	world_tell(jane, "maybe");
	world_expect(jane, "I did not understand. Answer 1 (yes), 2 (no) or 3", REPLY_MS, NULL,
	             "a yes/no/don't-know question should explain the accepted answers");
	world_expect(jane, still, REPLY_MS, NULL, "... and ask again");
	answer(jane, "yes", noticed, "\"yes\" is an answer");

	world_tell(jane, "2099-01-01 10:00");
	world_expect(jane, "in the future", REPLY_MS, NULL,
	             "a time in the future should be refused");
	world_expect(jane, noticed, REPLY_MS, NULL, "... and the question asked again");

	world_tell(jane, "help");
	world_expect(jane, "Answer the questions and a specialist", REPLY_MS, &body,
	             "\"help\" should explain the hotline");
	cr_assert_not_null(strstr(body, "\"back\""), "help should mention back:\n%s", body);
	cr_assert_not_null(strstr(body, "\"cancel\""), "help should mention cancel:\n%s", body);
	free(body);
	world_expect(jane, noticed, REPLY_MS, NULL, "help should end with the question again");

	world_tell(jane, "cancel");
	world_expect(jane, "Stopped", REPLY_MS, NULL, "\"cancel\" should stop the conversation");
	cr_assert_eq(db_wait_int(r.d, "SELECT count(*) FROM conversations WHERE jid = ?", jid, NULL,
	                         0, 2000),
	             0, "a cancelled conversation should be dropped from the store");
	cr_assert_eq(harness_db_int(r.d, "SELECT count(*) FROM cases", NULL), 0,
	             "a cancelled conversation must not become a case");

	world_tell(jane, "hi");
	world_expect(jane, "This is kakekomi", REPLY_MS, NULL,
	             "after cancel the next message starts afresh");
	world_expect(jane, question, REPLY_MS, NULL, "... from the first question");

	/* This time to the end, in English. */
	world_tell(jane, "4");
	world_expect(jane, "Do this now: Business e-mail", REPLY_MS, NULL, "choice 4 is BEC");
	answer(jane, "no", noticed, "still happening: no");
	answer(jane, "today", "Was money sent", "noticed: today");
	answer(jane, "1", "personal data", "money: 1 (yes)");
	answer(jane, "3", "sensitive data", "personal data: 3 (don't know)");
	answer(jane, "2", "take money", "sensitive data: 2 (no)");
	answer(jane, "2", "1,000 people", "financial harm: 2 (no)");
	answer(jane, "3", "Which prefecture", "over 1,000: 3 (don't know)");
	answer(jane, "Osaka", "company's name", "prefecture by English name");
	answer(jane, "Acme Trading", "Your name?", "company");
	answer(jane, "Jane Doe", "phone number", "name");
	world_tell(jane, "06-1111-2222");
	world_expect(jane, "Reference: ", REPLY_MS, &body, "the English reference");
	parse_reference(&r, body, "Reference: ", &cc);
	cr_assert_not_null(strstr(cc.link, "lang=en"),
	                   "an English reporter's status link should open in English: %s", cc.link);
	free(body);
	snprintf(needle, sizeof needle, "New case %s", cc.ref);
	world_expect(osaka, needle, REPLY_MS, NULL, "Osaka's specialist should be alerted");
	world_tell(osaka, "ack %s", cc.ref);
	world_expect(jane, "a specialist has taken your case", REPLY_MS, &body,
	             "the English reporter should be told in English");
	cr_assert_not_null(strstr(body, cc.ref), "notice without the case:\n%s", body);
	free(body);
	doc = fixture_case_fetch(r.d, cc.ref, cc.token);
	cr_assert_str_eq(fixture_json_string(doc, "incident_type"), "bec");
	cr_assert_str_eq(fixture_json_string(doc, "money_involved"), "yes");
	cr_assert_str_eq(fixture_json_string(doc, "noticed"), "today");
	cr_assert_str_eq(fixture_json_string(doc, "lang"), "en");
	json_decref(doc);
	cr_assert_eq(specialist_count_messages(jane, "Too many"), 0u);
	world_close(&r);
}

Test(chat, a_stranger_sending_specialist_commands_is_refused_and_his_report_goes_on)
{
	struct specialist_client *osaka, *mallory;
	struct world r;
	json_t *body_in, *ans, *doc;
	char ref[32], token[256], needle[64], phone[64];
	char *body;

	relay_open(&r, osaka_sec, 1);
	osaka = world_app(&r, "osaka");
	mallory = world_reporter(&r, "mallory", 1);

	body_in = fixture_intake_new("data_leak", "ja");
	fixture_json_set(body_in, "prefecture", "27");
	snprintf(phone, sizeof phone, "%s", fixture_json_string(body_in, "phone"));
	ans = fixture_case_create(r.d, body_in);
	snprintf(ref, sizeof ref, "%s", fixture_json_string(ans, "ref"));
	snprintf(token, sizeof token, "%s", fixture_json_string(ans, "token"));
	json_decref(ans);
	json_decref(body_in);
	snprintf(needle, sizeof needle, "New case %s", ref);
	world_expect(osaka, needle, REPLY_MS, NULL, "Osaka's specialist should be alerted");

	/* Mallory is in the middle of his own report when he tries the commands. */
	world_tell(mallory, "ウイルスに感染したかも");
	world_expect(mallory, "今すぐやること", REPLY_MS, NULL, "malware first steps");
	world_expect(mallory, "今も続いていますか", REPLY_MS, NULL, "next question");

	world_tell(mallory, "ack %s", ref);
	world_expect(mallory, "registered specialists", REPLY_MS, &body,
	             "a stranger's ack should be refused: commands are for registered "
	             "specialists");
	cr_assert_null(strstr(body, phone), "the refusal leaks the phone:\n%s", body);
	free(body);
	world_tell(mallory, "dispatch %s 30m", ref);
	world_expect(mallory, "registered specialists", REPLY_MS, NULL,
	             "a stranger's dispatch should be refused too");
	world_tell(mallory, "resolve %s done", ref);
	world_expect(mallory, "registered specialists", REPLY_MS, NULL,
	             "a stranger's resolve should be refused too");
	cr_assert_eq(specialist_count_messages(mallory, phone), 0u);

	/* His own conversation is where he left it; ヘルプ and キャンセル work in Japanese. */
	answer(mallory, "はい", "知らされたのはいつですか",
	       "the refused commands should leave the reporter's conversation at its question");
	world_tell(mallory, "ヘルプ");
	world_expect(mallory, "質問に答えると", REPLY_MS, NULL, "ヘルプ should explain");
	world_expect(mallory, "知らされたのはいつですか", REPLY_MS, NULL, "... and ask again");
	world_tell(mallory, "キャンセル");
	world_expect(mallory, "中止しました", REPLY_MS, NULL, "キャンセル should stop");

	doc = fixture_case_fetch(r.d, ref, token);
	cr_assert_str_neq(fixture_json_string(doc, "state"), "acknowledged");
	cr_assert_str_neq(fixture_json_string(doc, "state"), "resolved");
	cr_assert_not(timeline_has(doc, "acknowledged"), "a stranger's ack is on the timeline");
	cr_assert_not(timeline_has(doc, "on_the_way"), "a stranger's dispatch is on the timeline");
	json_decref(doc);

	world_tell(osaka, "ack %s", ref);
	world_expect(osaka, "you have this case", REPLY_MS, NULL,
	             "the alerted specialist can still take the case");
	world_close(&r);
}

Test(chat, a_flood_gets_one_too_many_notice_then_silence_and_an_overlong_message_is_refused)
{
	enum { FLOOD = 45, CAP = 30 };
	struct specialist_client *flooder, *writer;
	struct world r;
	size_t answered, total, too_long;
	char big[1002];
	char *body;

	relay_open(&r, osaka_sec, 1);
	flooder = world_reporter(&r, "flooder", 1);
	writer = world_reporter(&r, "writer", 1);

	/* The first message opens the conversation; then a burst of garbage. */
	world_tell(flooder, "hello");
	world_expect(flooder, "What is happening?", REPLY_MS, NULL, "the type question");
	for (int i = 0; i < FLOOD; i++)
		world_tell(flooder, "zzz %d", i);
	world_expect(flooder, "Too many messages", REPLY_MS, NULL,
	             "more than 30 messages in a minute should get \"Too many messages\"");
	/* Everything the flooder sent has been read once the bot answers a
	 * later message: then count. */
	bot_round_trip(&r);
	answered = specialist_count_messages(flooder, "I did not understand");
	total = specialist_count_messages(flooder, NULL);
	fprintf(stderr,
	        "chat: flood of 1 + %d messages: %zu answered as garbage, %zu \"Too many\", "
	        "%zu replies in all\n",
	        FLOOD, answered, specialist_count_messages(flooder, "Too many"), total);
	cr_assert_eq(specialist_count_messages(flooder, "Too many"), 1u,
	             "\"Too many messages\" should be said once, then silence");
	/*
	 * Over 30 messages a minute are refused. Whether the opening message
	 * counts decides between 29 and 30 garbage answers; more is a flood
	 * getting through.
	 */
	cr_assert(answered == CAP - 1 || answered == CAP,
	          "%zu garbage messages were answered within the minute, want at most %d", answered,
	          CAP);
	/* welcome + question, two replies per answered message, one notice. */
	cr_assert_eq(total, 2 + 2 * answered + 1,
	             "after \"Too many messages\" the bot should stay silent (%zu replies)", total);

	/* Another sender is not affected; 1000 bytes pass, 1001 do not. */
	memset(big, 'a', sizeof big);
	big[1001] = '\0';
	world_tell(writer, "%s", big);
	world_expect(writer, "too long", REPLY_MS, &body,
	             "a message over 1000 bytes should be refused as too long");
	free(body);
	cr_assert_eq(specialist_count_messages(writer, "This is kakekomi"), 0u,
	             "an over-long first message should not open a conversation");
	big[1000] = '\0';
	world_tell(writer, "%s", big);
	world_expect(writer, "This is kakekomi", REPLY_MS, NULL,
	             "a message of exactly 1000 bytes should be read");
	too_long = specialist_count_messages(writer, "too long");
	cr_assert_eq(too_long, 1u, "1000 bytes were refused as too long");
	world_close(&r);
}

/*
 * Move a saved conversation back in time by minutes, as if the reporter had
 * been silent that long. Only while the daemon is stopped.
 */
static void conversation_backdate(struct harness_daemon *d, const char *jid, int minutes)
{
	static const char sql[] = "UPDATE conversations SET updated_ms = updated_ms - ?1,"
	                          " type_known_ms = type_known_ms - ?1,"
	                          " started_ms = started_ms - ?1 WHERE jid = ?2";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	cr_assert_eq(d->pid, 0, "back-dating needs the daemon stopped");
	rc = sqlite3_open_v2(d->db_path, &db, SQLITE_OPEN_READWRITE, NULL);
	cr_assert_eq(rc, SQLITE_OK, "cannot open %s", d->db_path);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	cr_assert_eq(rc, SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, (sqlite3_int64)minutes * 60000);
	sqlite3_bind_text(st, 2, jid, -1, SQLITE_TRANSIENT);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_changes(db), 1, "no saved conversation with %s", jid);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * The 30-minute rule, without waiting 30 minutes: the conversation is
 * saved, the daemon stopped, the saved conversation moved 31 minutes into
 * the past, the daemon started again. That it survives the restart is part
 * of what is proved.
 */
Test(chat, a_conversation_left_idle_after_the_type_is_known_becomes_an_incomplete_case)
{
	struct specialist_client *ito;
	struct world r;
	struct chat_case cc;
	char jid[64];
	long long restarted, told;
	char *body;
	json_t *doc;

	relay_open(&r, osaka_sec, 1);
	ito = world_reporter(&r, "ito", 1);
	snprintf(jid, sizeof jid, "ito@%s", DOMAIN);

	world_tell(ito, "画面に身代金の要求が出ています");
	world_expect(ito, "今すぐやること: ランサムウェア", REPLY_MS, NULL, "first steps");
	answer(ito, "はい", "知らされたのはいつですか", "still happening");
	cr_assert_eq(
	    db_wait_int(r.d, "SELECT step FROM conversations WHERE jid = ?", jid, NULL, 2, 2000), 2,
	    "the conversation should be saved at the third question");

	harness_daemon_stop(r.d);
	conversation_backdate(r.d, jid, 31);
	harness_daemon_restart(r.d);
	restarted = now_ns();

	told = world_expect(ito, "お返事がないため", 40000, &body,
	                    "a reporter silent for 30 minutes after naming the incident should "
	                    "get a case with what is known");
	parse_reference(&r, body, "受付番号: ", &cc);
	free(body);
	fprintf(stderr, "chat: restart -> idle conversation registered as %s: %.1f s\n", cc.ref,
	        (double)(told - restarted) / 1e9);
	cr_assert_eq(harness_db_int(r.d, "SELECT incomplete FROM cases WHERE ref = ?", cc.ref, NULL), 1,
	             "the case should be marked incomplete");
	cr_assert_eq(db_wait_int(r.d, "SELECT count(*) FROM conversations WHERE jid = ?", jid, NULL,
	                         0, 2000),
	             0, "the conversation should be closed once the case exists");
	doc = fixture_case_fetch(r.d, cc.ref, cc.token);
	cr_assert_str_eq(fixture_json_string(doc, "incident_type"), "ransomware");
	cr_assert_str_eq(fixture_json_string(doc, "still_happening"), "yes");
	cr_assert_str_eq(fixture_json_string(doc, "channel"), "chat");
	fprintf(stderr, "chat: incomplete case %s: state %s, prefecture \"%s\", name \"%s\"\n",
	        cc.ref, fixture_json_string(doc, "state"), fixture_json_string(doc, "prefecture"),
	        fixture_json_string(doc, "name"));
	json_decref(doc);
	world_close(&r);
}

/*
 * The cap on messages per sender must hold for everything that reaches the
 * bot, not only for a conversation already under way: over-long messages
 * and specialist commands from a stranger get answers too.
 */
Test(chat, a_stranger_cannot_make_the_bot_answer_without_limit)
{
	enum { FLOOD = 45, CAP = 30 };
	struct specialist_client *longs, *acks;
	struct world r;
	char big[1101];
	size_t n_long, n_ack;

	relay_open(&r, osaka_sec, 1);
	longs = world_reporter(&r, "longs", 1);
	acks = world_reporter(&r, "acks", 1);

	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\0';
	for (int i = 0; i < FLOOD; i++) {
		world_tell(longs, "%s", big);
		world_tell(acks, "ack KK-0000-%02d", i);
	}
	/* The first answers, then time for the rest to arrive. */
	world_expect(longs, "too long", REPLY_MS, NULL, "the first over-long message");
	world_expect(acks, "registered specialists", REPLY_MS, NULL, "the first stranger ack");
	bot_round_trip(&r);
	n_long = specialist_count_messages(longs, NULL);
	n_ack = specialist_count_messages(acks, NULL);
	fprintf(stderr,
	        "chat: %d over-long messages -> %zu replies; %d stranger acks -> %zu replies\n",
	        FLOOD, n_long, FLOOD, n_ack);
	cr_assert_leq(n_long, (size_t)CAP + 2,
	              "%zu answers to %d over-long messages in a minute from one sender: the "
	              "rate cap (30 a minute) does not cover messages that open no conversation",
	              n_long, FLOOD);
	cr_assert_leq(n_ack, (size_t)CAP + 2,
	              "%zu answers to %d stranger commands in a minute from one sender: the rate "
	              "cap (30 a minute) does not cover them",
	              n_ack, FLOOD);
	world_close(&r);
}

/* ---- on-site dispatch ---- */

/* The status page in English; caller frees the body with harness_response_fini. */
static void status_page(struct world *r, const char *ref, const char *token,
                        struct harness_response *res)
{
	char path[600];

	snprintf(path, sizeof path, "/cases/%s?t=%s&lang=en", ref, token);
	harness_get(r->d, path, res);
	cr_assert_eq(res->status, 200, "status page: HTTP %ld", res->status);
}

/* "HH:MM" of t in Japan time. */
static void jst_hhmm(time_t t, char out[8])
{
	time_t j = t + 9 * 3600;
	struct tm tm;

	gmtime_r(&j, &tm);
	strftime(out, 8, "%H:%M", &tm);
}

Test(chat, dispatch_with_an_eta_shows_on_the_reporters_status_page_and_the_visit_is_timed)
{
	static const struct world_member team[] = {
	    {.id = "tanaka", .name = "Tanaka Hiroshi", .prefectures = "27"},
	    {.id = "suzuki", .name = "Suzuki Ichiro", .prefectures = "27"},
	};
	struct specialist_client *tanaka, *suzuki;
	struct world r;
	struct harness_response res;
	struct htmlscan_tag tag;
	json_t *body_in, *ans, *doc;
	char ref[32], token[256], needle[64], eta_lo[8], eta_hi[8], text[256];
	long long t_dispatch, t_onsite, t_left, t_received;
	double onsite_ms, left_ms;
	time_t before, after;
	char *body;

	relay_open(&r, team, 2);
	tanaka = world_app(&r, "tanaka");
	suzuki = world_app(&r, "suzuki");
	body_in = fixture_intake_new("ransomware", "en");
	fixture_json_set(body_in, "prefecture", "27");
	ans = fixture_case_create(r.d, body_in);
	snprintf(ref, sizeof ref, "%s", fixture_json_string(ans, "ref"));
	snprintf(token, sizeof token, "%s", fixture_json_string(ans, "token"));
	json_decref(ans);
	json_decref(body_in);
	snprintf(needle, sizeof needle, "New case %s", ref);
	world_expect(tanaka, needle, REPLY_MS, NULL, "Osaka on call");

	world_tell(tanaka, "dispatch %s 30m", ref);
	world_expect(tanaka, "send \"ack\" first", REPLY_MS, NULL,
	             "dispatch before anyone took the case should be refused");
	world_tell(tanaka, "ack %s", ref);
	world_expect(tanaka, "you have this case", REPLY_MS, NULL, "ack");

	world_tell(suzuki, "dispatch %s 30m", ref);
	world_expect(suzuki, "not yours", REPLY_MS, NULL,
	             "only the specialist who has the case may be dispatched");
	world_tell(tanaka, "dispatch %s soon", ref);
	world_expect(tanaka, "give the ETA as", REPLY_MS, NULL,
	             "an ETA the bot cannot read should be refused with the accepted forms");

	before = time(NULL);
	world_tell(tanaka, "dispatch %s 30m", ref);
	world_expect(tanaka, "on the way; ETA", REPLY_MS, &body, "dispatch not confirmed");
	after = time(NULL);
	jst_hhmm(before + 30 * 60, eta_lo);
	jst_hhmm(after + 30 * 60, eta_hi);
	cr_assert(strstr(body, eta_lo) != NULL || strstr(body, eta_hi) != NULL,
	          "the confirmation should give the ETA %s (JST, now + 30 min):\n%s", eta_lo, body);
	cr_assert_not_null(strstr(body, ref), "confirmation without the case:\n%s", body);
	free(body);

	status_page(&r, ref, token, &res);
	cr_assert(htmlscan_page_has_text(res.body.data, "The specialist is on the way"),
	          "the status page should say the specialist is on the way");
	cr_assert(htmlscan_find_id(res.body.data, "eta", &tag),
	          "the status page should have an element id=\"eta\"");
	htmlscan_text(&tag, text, sizeof text);
	cr_assert(strstr(text, eta_lo) != NULL || strstr(text, eta_hi) != NULL,
	          "id=\"eta\" should show %s, shows \"%s\"", eta_lo, text);
	harness_response_fini(&res);

	/* A new ETA replaces the old one on the page. */
	world_tell(tanaka, "dispatch %s 14:30", ref);
	world_expect(tanaka, "ETA 14:30", REPLY_MS, NULL, "a second dispatch with 14:30");
	status_page(&r, ref, token, &res);
	cr_assert(htmlscan_find_id(res.body.data, "eta", &tag));
	htmlscan_text(&tag, text, sizeof text);
	cr_assert_not_null(strstr(text, "14:30"),
	                   "the page should show the latest ETA, shows \"%s\"", text);
	harness_response_fini(&res);

	world_tell(tanaka, "onsite %s", ref);
	world_expect(tanaka, "arrival on site recorded", REPLY_MS, NULL, "onsite not confirmed");
	status_page(&r, ref, token, &res);
	cr_assert(htmlscan_page_has_text(res.body.data, "The specialist is on site."),
	          "the status page should say the specialist is on site");
	cr_assert_not(htmlscan_find_id(res.body.data, "eta", &tag),
	              "no ETA once the specialist is on site");
	harness_response_fini(&res);

	world_tell(tanaka, "leave %s", ref);
	world_expect(tanaka, "visit is recorded as finished", REPLY_MS, NULL,
	             "leave not confirmed");
	status_page(&r, ref, token, &res);
	cr_assert(htmlscan_page_has_text(res.body.data, "The visit on site is finished"),
	          "the status page should say the visit is finished");
	harness_response_fini(&res);

	doc = fixture_case_fetch(r.d, ref, token);
	cr_assert_eq(timeline_count(doc, "dispatch_requested"), 1u,
	             "the visit is requested once, however often the ETA changes");
	cr_assert_eq(timeline_count(doc, "on_the_way"), 2u, "two dispatches, two on_the_way");
	timeline_entry(doc, ref, "received", &t_received);
	timeline_entry(doc, ref, "dispatch_requested", &t_dispatch);
	onsite_ms = timeline_entry(doc, ref, "onsite", &t_onsite);
	left_ms = timeline_entry(doc, ref, "left_site", &t_left);
	fprintf(stderr, "chat: %s time to on site %.0f ms (from dispatch), visit %.0f ms\n", ref,
	        onsite_ms, left_ms - onsite_ms);
	cr_assert(onsite_ms >= (double)(t_onsite - t_dispatch) - 2 &&
	              onsite_ms <= (double)(t_onsite - t_dispatch) + 2,
	          "onsite elapsed_ms %.0f should count from dispatch_requested (%lld ms before)",
	          onsite_ms, t_onsite - t_dispatch);
	/* Five chat round trips lie between the report and the dispatch. */
	cr_assert_geq(t_dispatch - t_received, 5, "dispatch %lld ms after the report",
	              t_dispatch - t_received);
	cr_assert(onsite_ms + (double)(t_dispatch - t_received) / 2 < (double)(t_onsite - t_received),
	          "onsite elapsed_ms %.0f looks counted from the report (%lld ms before)",
	          onsite_ms, t_onsite - t_received);
	cr_assert(left_ms >= (double)(t_left - t_dispatch) - 2 &&
	              left_ms <= (double)(t_left - t_dispatch) + 2,
	          "left_site elapsed_ms %.0f should count from dispatch_requested", left_ms);
	cr_assert_str_eq(fixture_json_string(doc, "state"), "visited");
	json_decref(doc);
	world_close(&r);
}

/* A laptop gone missing, reported by chat: the bot asks when the company
 * knew (don't know is an answer), the APPI conditions once personal data is
 * involved, and whether it was lost or stolen; a theft makes the report to
 * the commission required, with the final report in 60 days, to be counted
 * from the moment the company knew. */
Test(chat, a_stolen_laptop_by_chat_asks_lost_or_stolen_and_makes_the_report_required)
{
	static const struct world_member team[] = {
	    {.id = "tokyo", .name = "Tokyo Sec", .prefectures = "13"},
	};
	struct specialist_client *abe;
	struct world r;
	struct chat_case cc;
	char *body;
	json_t *doc, *ppc, *dl;

	relay_open(&r, team, 1);
	abe = world_reporter(&r, "abe", 1);
	world_tell(abe, "営業のノートPCを盗まれました");
	world_expect(abe, "今すぐやること", REPLY_MS, NULL, "first steps");
	answer(abe, "いいえ", "知らされたのはいつですか", "still happening");
	answer(abe, "3", "お金を送った", "noticed: 3 (don't know)");
	answer(abe, "いいえ", "個人情報", "money");
	answer(abe, "はい", "病歴", "personal data: yes");
	answer(abe, "いいえ", "カード番号", "sensitive");
	answer(abe, "いいえ", "1,000人", "financial");
	answer(abe, "いいえ", "盗まれましたか", "over 1,000");
	answer(abe, "2", "都道府県", "lost or stolen: 2 (stolen)");
	answer(abe, "13", "会社名", "prefecture");
	answer(abe, "阿部商事", "お名前", "company");
	answer(abe, "阿部 次郎", "電話番号", "name");
	world_tell(abe, "03-5555-7777");
	world_expect(abe, "受付番号: ", REPLY_MS, &body, "the reference");
	parse_reference(&r, body, "受付番号: ", &cc);
	free(body);
	doc = fixture_case_fetch(r.d, cc.ref, cc.token);
	cr_assert_str_eq(fixture_json_string(doc, "incident_type"), "lost_device");
	cr_assert_str_eq(fixture_json_string(doc, "lost_or_stolen"), "stolen");
	cr_assert_str_eq(fixture_json_string(doc, "noticed"), "unknown");
	ppc = fixture_json_find(json_object_get(json_object_get(doc, "guidance"), "report_to"),
	                        "target", "ppc");
	cr_assert_not_null(ppc);
	dl = json_object_get(ppc, "deadline");
	cr_assert_str_eq(fixture_json_string(dl, "reportable"), "required");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(dl, "final"), "days")), 60);
	cr_assert(json_is_null(json_object_get(json_object_get(dl, "final"), "due")),
	          "not known when the company knew: no date, count from that moment");
	json_decref(doc);
	world_close(&r);
}
