/* SPDX-License-Identifier: ISC */
/*
 * convo — the guided conversation with a reporter over chat; see convo.h.
 *
 * Each answer is checked as it comes, with the same rules as the form
 * (prefecture codes, phone numbers, times not in the future), so the case
 * written at the end needs no second round of questions.
 */
#include "convo.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "buf.h"
#include "case.h"
#include "command.h"
#include "guidance.h"
#include "intake.h"
#include "log.h"
#include "store_conversations.h"
#include "store_timeline.h"
#include "remind.h"
#include "text.h"

#define CONVO_BODY_MAX       1000 /* bytes of one message */
#define CONVO_RATE_WINDOW_MS 60000
#define CONVO_RATE_MAX       30                   /* messages per sender per window */
#define CONVO_MAX            10000                /* conversations at once */
#define CONVO_ABANDON_MS     (24LL * 3600 * 1000) /* no type known: forget after a day */
#define CONVO_SWEEP_MS       15000
#define CONVO_TEXT_MAX       8192

/* The numbers are stored with a conversation (conversations.step): never
 * renumber one; new steps take new numbers and a place in step_order. */
enum convo_step {
	STEP_TYPE = 0,
	STEP_STILL = 1,
	STEP_NOTICED = 2,
	STEP_MONEY = 3,
	STEP_PD = 4,
	STEP_PREF = 5,
	STEP_COMPANY = 6,
	STEP_NAME = 7,
	STEP_PHONE = 8,
	STEP_DONE = 9,
	/* the APPI conditions, when personal data may be involved (ppc.h) */
	STEP_SENSITIVE = 10,
	STEP_FINANCIAL = 11,
	STEP_OVER_1000 = 12,
	STEP_LOST = 13, /* a lost device: lost or stolen? */
};

static const int step_order[] = {
    STEP_TYPE,      STEP_STILL,     STEP_NOTICED,   STEP_MONEY, STEP_PD,
    STEP_SENSITIVE, STEP_FINANCIAL, STEP_OVER_1000, STEP_LOST,  STEP_PREF,
    STEP_COMPANY,   STEP_NAME,      STEP_PHONE,     STEP_DONE,
};

struct conv {
	struct conv *next;
	char jid[256];
	enum lang lang;
	int step;
	json_t *answers;
	int64_t started_ms, updated_ms, type_known_ms;
	bool creating;
};

/* Messages per sender and minute, for everyone not on the roster. */
struct rate_entry {
	char jid[256];
	int64_t start_ms;
	int count;
};

#define CONVO_RATE_SENDERS 4096

enum rate_verdict { RATE_OK, RATE_NOTICE, RATE_SILENT };

struct convo {
	const struct services *sv; /* the shared parts (services.h) */
	struct rate_entry rates[CONVO_RATE_SENDERS];
	uv_timer_t sweep;
	struct conv *list;
	size_t n;
	unsigned pending;
	bool closing;
};

#define L(c, ja, en) ((c)->lang == LANG_JA ? (ja) : (en))

/* ---- rate per sender ---- */

static enum rate_verdict rate_check(struct convo *c, const char *jid, int64_t now)
{
	struct rate_entry *e = NULL;
	struct rate_entry *oldest = &c->rates[0];

	for (size_t i = 0; i < CONVO_RATE_SENDERS; i++) {
		if (strcmp(c->rates[i].jid, jid) == 0) {
			e = &c->rates[i];
			break;
		}
		if (c->rates[i].start_ms < oldest->start_ms)
			oldest = &c->rates[i];
	}
	if (e == NULL) {
		/* A sender seen in the last minute keeps its slot; the oldest goes. */
		e = oldest;
		snprintf(e->jid, sizeof e->jid, "%s", jid);
		e->start_ms = now;
		e->count = 0;
	}
	if (now - e->start_ms > CONVO_RATE_WINDOW_MS) {
		e->start_ms = now;
		e->count = 0;
	}
	e->count++;
	if (e->count <= CONVO_RATE_MAX)
		return RATE_OK;
	return e->count == CONVO_RATE_MAX + 1 ? RATE_NOTICE : RATE_SILENT;
}

/* ---- questions ---- */

static void say(struct convo *c, const char *jid, const char *text)
{
	notify_reply(c->sv->notify, jid, text);
}

static void ask(struct convo *c, struct conv *v)
{
	const struct playbook_set *set = *c->sv->pbs;
	struct buf b;

	buf_init(&b, CONVO_TEXT_MAX);
	switch (v->step) {
	case STEP_TYPE:
		buf_puts(&b, L(v, "何が起きていますか? 番号で答えてください。",
		               "What is happening? Answer with a number."));
		for (size_t i = 0; i < playbook_count(set); i++)
			buf_printf(&b, "\n%zu. %s", i + 1, playbook_at(set, i)->picker.s[v->lang]);
		break;
	case STEP_STILL:
		buf_puts(&b, L(v, "今も続いていますか?\n1. はい 2. いいえ 3. わからない",
		               "Is it still happening?\n1. Yes 2. No 3. Don't know"));
		break;
	case STEP_NOTICED:
		buf_puts(
		    &b,
		    L(v,
		      "会社の誰かが最初に気づいた、または知らされたのはいつですか?\n"
		      "(取引先やお客様から知らされた時も含みます。個人情報保護委員会への報告期限は"
		      "この時から数えます)\n"
		      "1. たった今 2. 今日 3. わからない\nまたは日時を「2026-11-22 "
		      "09:30」の形で(日本時間)",
		      "When did anyone in your company first notice it, or get told of it?\n"
		      "(Being told by a vendor or a customer counts. The legal deadlines for "
		      "reporting count from that moment.)\n"
		      "1. Just now 2. Today 3. Don't know\nor a date and time such as "
		      "\"2026-11-22 09:30\" (Japan time)"));
		break;
	case STEP_SENSITIVE:
		buf_puts(&b,
		         L(v,
		           "個人情報について、わかる範囲で教えてください。病歴・犯罪歴など、特に"
		           "配慮が必要な情報が含まれますか?\n1. はい 2. いいえ 3. わからない",
		           "About the personal data, as far as you know: does it include "
		           "sensitive data, such as health or criminal records?\n1. Yes 2. No "
		           "3. Don't know"));
		break;
	case STEP_FINANCIAL:
		buf_puts(&b,
		         L(v,
		           "カード番号やネットバンキングのIDなど、悪用されるとお金の被害が出る"
		           "情報が含まれますか?\n1. はい 2. いいえ 3. わからない",
		           "Does it include data that could be used to take money, such as card "
		           "numbers or bank log-ins?\n1. Yes 2. No 3. Don't know"));
		break;
	case STEP_OVER_1000:
		buf_puts(&b, L(v, "1,000人を超える人の情報ですか?\n1. はい 2. いいえ 3. わからない",
		               "Is it about more than 1,000 people?\n1. Yes 2. No 3. Don't know"));
		break;
	case STEP_LOST:
		buf_puts(&b,
		         L(v,
		           "なくしましたか、盗まれましたか?\n1. なくした 2. 盗まれた 3. わからない",
		           "Was it lost or stolen?\n1. Lost 2. Stolen 3. Don't know"));
		break;
	case STEP_MONEY:
		buf_puts(&b, L(v,
		               "お金を送った、またはカード・口座の情報を入力しましたか?\n1. はい "
		               "2. いいえ 3. わからない",
		               "Was money sent, or were card or bank details entered?\n1. Yes 2. "
		               "No 3. Don't know"));
		break;
	case STEP_PD:
		buf_puts(&b, L(v,
		               "お客様や従業員の個人情報が関係していそうですか?\n1. はい 2. いいえ "
		               "3. わからない",
		               "Could personal data of customers or staff be involved?\n1. Yes 2. "
		               "No 3. Don't know"));
		break;
	case STEP_PREF:
		buf_puts(
		    &b,
		    L(v, "会社の所在地の都道府県は? 名前(例: 大阪)か番号(例: 27)で答えてください。",
		      "Which prefecture is the company in? A name (e.g. Osaka) or its number (e.g. "
		      "27)."));
		break;
	case STEP_COMPANY:
		buf_puts(&b, L(v, "会社名を教えてください。", "Your company's name?"));
		break;
	case STEP_NAME: buf_puts(&b, L(v, "お名前を教えてください。", "Your name?")); break;
	case STEP_PHONE:
		buf_puts(&b, L(v, "折り返しの電話番号を教えてください(例: 06-1234-5678)。",
		               "A phone number we can call you back on (e.g. 06-1234-5678)?"));
		break;
	default: break;
	}
	if (b.data != NULL)
		say(c, v->jid, b.data);
	buf_fini(&b);
}

static void send_first_steps(struct convo *c, struct conv *v, const char *type)
{
	const struct playbook *pb = playbook_find(*c->sv->pbs, type);
	struct buf b;

	if (pb == NULL)
		return;
	buf_init(&b, CONVO_TEXT_MAX);
	buf_printf(&b, "%s: %s\n%s", L(v, "今すぐやること", "Do this now"), pb->name.s[v->lang],
	           L(v, "(上から順に)", "(in order)"));
	for (size_t i = 0; i < pb->nsteps; i++)
		buf_printf(&b, "\n%zu. %s", i + 1, pb->steps[i].text.s[v->lang]);
	buf_printf(&b, "\n\n%s", L(v, "してはいけないこと:", "Do not:"));
	for (size_t i = 0; i < pb->ndont; i++)
		buf_printf(&b, "\n× %s", pb->dont[i].text.s[v->lang]);
	buf_printf(&b, "\n\n%s",
	           L(v, "続けて、専門家が折り返すためにいくつか質問します。",
	             "Next, a few questions so that a specialist can call you back."));
	if (b.data != NULL)
		say(c, v->jid, b.data);
	buf_fini(&b);
}

/* ---- keeping conversations ---- */

struct save_job {
	struct convo *c;
	char jid[256];
	char lang[3];
	int step;
	char *answers;
	int64_t started_ms, updated_ms, type_known_ms;
	bool drop;
};

static int tx_save(struct store_tx *tx, void *arg)
{
	struct save_job *j = arg;
	struct store_conversation c = {j->jid,        j->lang,       j->step,         j->answers,
	                               j->started_ms, j->updated_ms, j->type_known_ms};

	return j->drop ? store_conversation_drop(tx, j->jid) : store_conversation_save(tx, &c);
}

static void on_saved(void *arg, int status)
{
	struct save_job *j = arg;

	j->c->pending--;
	if (status < 0)
		log_warn(status, "convo: conversation with %s not saved", j->jid);
	free(j->answers);
	free(j);
}

static void save(struct convo *c, const struct conv *v, bool drop)
{
	struct save_job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return;
	j->c = c;
	snprintf(j->jid, sizeof j->jid, "%s", v->jid);
	snprintf(j->lang, sizeof j->lang, "%s", lang_code(v->lang));
	j->step = v->step;
	j->answers = json_dumps(v->answers, JSON_COMPACT);
	j->started_ms = v->started_ms;
	j->updated_ms = v->updated_ms;
	j->type_known_ms = v->type_known_ms;
	j->drop = drop;
	if (j->answers == NULL || store_write(c->sv->store, tx_save, j, on_saved, j) < 0) {
		free(j->answers);
		free(j);
		return;
	}
	c->pending++;
}

static struct conv *find(struct convo *c, const char *jid)
{
	for (struct conv *v = c->list; v != NULL; v = v->next)
		if (strcmp(v->jid, jid) == 0)
			return v;
	return NULL;
}

static void forget(struct convo *c, struct conv *v)
{
	for (struct conv **pp = &c->list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == v) {
			*pp = v->next;
			break;
		}
	}
	c->n--;
	json_decref(v->answers);
	free(v);
}

static struct conv *add(struct convo *c, const char *jid, enum lang lang, int64_t now)
{
	struct conv *v;

	if (c->n >= CONVO_MAX)
		return NULL;
	v = calloc(1, sizeof *v);
	if (v == NULL)
		return NULL;
	v->answers = json_object();
	if (v->answers == NULL) {
		free(v);
		return NULL;
	}
	snprintf(v->jid, sizeof v->jid, "%s", jid);
	v->lang = lang;
	v->started_ms = v->updated_ms = now;
	v->next = c->list;
	c->list = v;
	c->n++;
	return v;
}

/* ---- the case ---- */

struct create_job {
	struct convo *c;
	char jid[256];
	enum lang lang;
	bool incomplete;
	int64_t guidance_ms; /* when the first steps were sent in the chat, or 0 */
	struct case_input in;
	struct report_case rep; /* the case made of IN (report.h) */
	char *reply;            /* with "{ref}" and "{token}" */
};

/* What the chat adds to the case's transaction (report.h): the first steps
 * already sent, the reporter's address, the reply with the reference. */
static int tx_after_case(struct store_tx *tx, struct report_case *rc)
{
	struct create_job *j = rc->arg;
	struct buf b;
	const char *p;
	const char *s;
	int64_t rv;

	if (j->guidance_ms != 0) {
		/* The first steps went out in the chat before the case existed:
		 * the clock runs from the first message. */
		rv = store_event_add(tx, rc->nc.case_id, j->guidance_ms,
		                     (j->guidance_ms - rc->nc.received_ms) * 1000,
		                     EV_GUIDANCE_DELIVERED, "chat", "{\"channel\":\"chat\"}");
		if (rv < 0)
			return (int)rv;
	}
	rv = store_case_chat_reporter(tx, rc->nc.case_id, j->jid, j->incomplete);
	if (rv < 0)
		return (int)rv;
	buf_init(&b, CONVO_TEXT_MAX);
	for (s = j->reply; (p = strchr(s, '{')) != NULL; s = p) {
		buf_append(&b, s, (size_t)(p - s));
		if (strncmp(p, "{ref}", 5) == 0) {
			buf_puts(&b, rc->nc.ref);
			p += 5;
		} else if (strncmp(p, "{token}", 7) == 0) {
			buf_puts(&b, rc->token);
			p += 7;
		} else {
			buf_append(&b, p++, 1);
		}
	}
	buf_puts(&b, s);
	if (b.data != NULL) {
		struct store_outbox_new o = {.case_id = rc->nc.case_id,
		                             .recipient = j->jid,
		                             .kind = "reply",
		                             .body = b.data,
		                             .created_ms = rc->nc.received_ms};

		rv = store_outbox_add(tx, &o);
	} else {
		rv = -ENOMEM;
	}
	buf_fini(&b);
	if (rv >= 0)
		rv = store_conversation_drop(tx, j->jid);
	return rv < 0 ? (int)rv : 0;
}

static void on_case_created(struct report_case *rc, int status)
{
	struct create_job *j = rc->arg;
	struct convo *c = j->c;
	struct conv *v = find(c, j->jid);

	c->pending--;
	if (status == 0) {
		if (j->incomplete)
			log_info("convo: case=%s stored incomplete", rc->nc.ref);
		if (v != NULL)
			forget(c, v);
		notify_kick(c->sv->notify);
	} else {
		if (v != NULL)
			v->creating = false;
		if (!c->closing)
			say(c, j->jid,
			    j->lang == LANG_JA ? "申し訳ありません。保存できませんでした。何か送る"
			                         "と、もう一度保存します。"
			                       : "Sorry, your report could not be saved. Send "
			                         "anything to try again.");
	}
	case_input_fini(&j->in);
	free(j->reply);
	free(j);
}

static char *answer_dup(const struct conv *v, const char *key, const char *fallback)
{
	const char *s = json_string_value(json_object_get(v->answers, key));

	return strdup(s != NULL ? s : fallback);
}

static enum tri stored_tri(const struct conv *v, const char *key)
{
	enum tri t = TRI_UNKNOWN;
	const char *s = json_string_value(json_object_get(v->answers, key));

	if (s != NULL)
		case_tri_parse(s, &t);
	return t;
}

static void create_case(struct convo *c, struct conv *v, bool incomplete)
{
	struct create_job *j = calloc(1, sizeof *j);
	const char *type = json_string_value(json_object_get(v->answers, "incident_type"));
	const char *pref = json_string_value(json_object_get(v->answers, "prefecture"));
	const char *noticed = json_string_value(json_object_get(v->answers, "noticed"));
	const char *unknown = v->lang == LANG_JA ? "(未回答)" : "(not given)";
	struct buf url;

	if (j == NULL || type == NULL)
		goto bad;
	j->c = c;
	j->lang = v->lang;
	j->incomplete = incomplete;
	snprintf(j->jid, sizeof j->jid, "%s", v->jid);
	for (size_t i = 0; i < PLAYBOOK_TYPES; i++)
		if (strcmp(playbook_types[i], type) == 0)
			j->in.incident_type = playbook_types[i];
	if (j->in.incident_type == NULL)
		goto bad;
	j->in.still_happening = stored_tri(v, "still_happening");
	j->in.money_involved = stored_tri(v, "money_involved");
	j->in.personal_data = stored_tri(v, "personal_data");
	j->in.sensitive_data = stored_tri(v, "sensitive_data");
	j->in.financial_harm = stored_tri(v, "financial_harm");
	j->in.over_1000 = stored_tri(v, "over_1000");
	{
		const char *los = json_string_value(json_object_get(v->answers, "lost_or_stolen"));

		j->in.lost_or_stolen = LOS_UNSET;
		if (strcmp(j->in.incident_type, "lost_device") == 0) {
			j->in.lost_or_stolen = LOS_UNKNOWN;
			if (los != NULL)
				case_los_parse(los, &j->in.lost_or_stolen);
		}
	}
	/* Not answered (a conversation left before that question): not known. */
	j->in.noticed = NOTICED_UNKNOWN;
	j->in.noticed_at_ms = json_is_integer(json_object_get(v->answers, "noticed_at_ms"))
	                          ? json_integer_value(json_object_get(v->answers, "noticed_at_ms"))
	                          : v->started_ms;
	if (noticed != NULL)
		case_noticed_parse(noticed, &j->in.noticed);
	snprintf(j->in.prefecture, sizeof j->in.prefecture, "%s", pref != NULL ? pref : "");
	j->in.company = answer_dup(v, "company", unknown);
	j->in.name = answer_dup(v, "name", unknown);
	j->in.phone = answer_dup(v, "phone", "");
	j->in.email = NULL;
	j->in.description =
	    incomplete ? strdup(v->lang == LANG_JA ? "チャットでの相談(途中で応答がなくなりました)"
	                                           : "Chat report (the reporter stopped answering)")
	               : NULL;
	j->in.lang = v->lang;
	j->in.channel = "chat";
	if (j->in.company == NULL || j->in.name == NULL || j->in.phone == NULL)
		goto bad;
	j->rep.in = &j->in;
	j->rep.received_ms = v->started_ms; /* the report began with the first message */
	j->rep.after = tx_after_case;
	j->rep.arg = j;
	j->guidance_ms = v->type_known_ms;
	/* The reply names the status page, whose token report_submit mints. */
	buf_init(&url, 1024);
	buf_printf(&url, "%s/cases/{ref}?t={token}%s", c->sv->cfg->http_public_url,
	           v->lang == LANG_EN ? "&lang=en" : "");
	{
		struct buf r;

		buf_init(&r, CONVO_TEXT_MAX);
		if (incomplete)
			buf_puts(
			    &r,
			    L(v, "お返事がないため、わかっている内容で相談として受け付けました。\n",
			      "We have not heard from you, so we registered your report with what "
			      "we know.\n"));
		buf_printf(&r,
		           v->lang == LANG_JA ? "受け付けました。受付番号: "
		                                "{ref}\n状況の確認(あなた専用のリンクです): %s\n"
		                                "専門家から折り返しご連絡します。専門家が担当になっ"
		                                "たら、ここでもお知らせします。"
		                              : "Your report is in. Reference: {ref}\nFollow your "
		                                "case (a private link): %s\n"
		                                "A specialist will get back to you; we will tell "
		                                "you here when one takes your case.",
		           url.data != NULL ? url.data : "");
		j->reply = buf_steal(&r);
	}
	buf_fini(&url);
	if (j->reply == NULL)
		goto bad;
	if (report_submit(c->sv->report, &j->rep, on_case_created) < 0)
		goto bad;
	c->pending++;
	v->creating = true;
	return;
bad:
	if (j != NULL) {
		case_input_fini(&j->in);
		free(j->reply);
		free(j);
	}
	say(c, v->jid,
	    L(v, "申し訳ありません。いま保存できません。何か送ると、もう一度試します。",
	      "Sorry, we cannot save your report right now. Send anything to try again."));
}

/* ---- answers ---- */

static const char *tri_key(int step)
{
	switch (step) {
	case STEP_STILL: return "still_happening";
	case STEP_MONEY: return "money_involved";
	case STEP_SENSITIVE: return "sensitive_data";
	case STEP_FINANCIAL: return "financial_harm";
	case STEP_OVER_1000: return "over_1000";
	default: break;
	}
	return "personal_data";
}

/* Whether STEP is asked in V: the APPI conditions only when personal data
 * may be involved, lost or stolen only for a lost device. */
static bool step_asked(const struct conv *v, int step)
{
	const char *pd = json_string_value(json_object_get(v->answers, "personal_data"));
	const char *type = json_string_value(json_object_get(v->answers, "incident_type"));

	switch (step) {
	case STEP_SENSITIVE:
	case STEP_FINANCIAL:
	case STEP_OVER_1000: return pd == NULL || strcmp(pd, "no") != 0;
	case STEP_LOST: return type != NULL && strcmp(type, "lost_device") == 0;
	default: break;
	}
	return true;
}

static size_t step_index(int step)
{
	for (size_t i = 0; i < sizeof step_order / sizeof step_order[0]; i++)
		if (step_order[i] == step)
			return i;
	return 0;
}

/* The step after (DIR 1) or before (DIR -1) V's current one that is asked. */
static int step_next(const struct conv *v, int dir)
{
	size_t i = step_index(v->step);
	const size_t n = sizeof step_order / sizeof step_order[0];

	do {
		if (dir > 0 && i + 1 < n)
			i++;
		else if (dir < 0 && i > 0)
			i--;
		else
			break;
	} while (!step_asked(v, step_order[i]));
	return step_order[i];
}

static bool take_tri(struct conv *v, const char *key, const char *folded)
{
	enum tri t;

	if (answer_tri(folded, &t) < 0)
		return false;
	json_object_set_new(v->answers, key, json_string(case_tri_name(t)));
	return true;
}

static bool take_pref(struct convo *c, struct conv *v, const char *folded)
{
	int n = answer_prefecture(*c->sv->pbs, folded);
	char code[16];

	if (n < 0)
		return false;
	snprintf(code, sizeof code, "%02d", n);
	json_object_set_new(v->answers, "prefecture", json_string(code));
	return true;
}

/* Returns NULL when accepted, or the message to show (static). */
static const char *take_answer(struct convo *c, struct conv *v, const char *text,
                               const char *folded, int64_t now)
{
	switch (v->step) {
	case STEP_TYPE: {
		int n = answer_number(folded, (int)playbook_count(*c->sv->pbs));
		const char *type =
		    n > 0 ? playbook_at(*c->sv->pbs, (size_t)n - 1)->id : answer_guess_type(folded);

		if (type == NULL)
			return L(v,
			         "わかりませんでした。番号で選んでください("
			         "わからなければ「わからない」の番号)。",
			         "I did not understand. Choose a number (or the number for \"I "
			         "don't know\").");
		json_object_set_new(v->answers, "incident_type", json_string(type));
		v->type_known_ms = now;
		send_first_steps(c, v, type);
		return NULL;
	}
	case STEP_STILL:
	case STEP_MONEY:
	case STEP_PD:
	case STEP_SENSITIVE:
	case STEP_FINANCIAL:
	case STEP_OVER_1000:
		if (!take_tri(v, tri_key(v->step), folded))
			return L(v,
			         "わかりませんでした。1(はい)、2(いいえ)、3(わからない)"
			         "で答えてください。",
			         "I did not understand. Answer 1 (yes), 2 (no) or 3 (don't know).");
		return NULL;
	case STEP_NOTICED: {
		enum noticed_kind k;
		int64_t ms = 0;
		int rc = answer_noticed(folded, now, &k, &ms);

		if (rc == -ERANGE)
			return L(v, "未来の日時になっています。気づいた日時を確認してください。",
			         "That time is in the future; check when you noticed.");
		if (rc < 0)
			return L(v,
			         "日時は「2026-11-22 09:30」の形で書いてください(日本時間)。1 か 2 "
			         "でも答えられます。",
			         "Write the time as \"2026-11-22 09:30\" (Japan time), or answer 1 "
			         "or 2.");
		json_object_set_new(v->answers, "noticed", json_string(case_noticed_name(k)));
		if (k == NOTICED_UNKNOWN)
			json_object_del(v->answers, "noticed_at_ms");
		else
			json_object_set_new(v->answers, "noticed_at_ms", json_integer(ms));
		return NULL;
	}
	case STEP_LOST: {
		enum lost_or_stolen los;

		if (answer_lost(folded, &los) < 0)
			return L(v, "1(なくした)、2(盗まれた)、3(わからない)で答えてください。",
			         "Answer 1 (lost), 2 (stolen) or 3 (don't know).");
		json_object_set_new(v->answers, "lost_or_stolen", json_string(case_los_name(los)));
		return NULL;
	}
	case STEP_PREF:
		if (!take_pref(c, v, folded))
			return L(
			    v,
			    "都道府県がわかりませんでした。「大阪」や「27」のように答えてください"
			    "。",
			    "I did not recognise the prefecture. Answer like \"Osaka\" or \"27\".");
		return NULL;
	case STEP_COMPANY:
	case STEP_NAME:
		if (text_has_control(text, false) || text_utf8_count(text) > INTAKE_COMPANY_MAX)
			return L(v, "100文字以内で、1行で答えてください。",
			         "Please answer on one line, under 100 characters.");
		json_object_set_new(v->answers, v->step == STEP_COMPANY ? "company" : "name",
		                    json_string(text));
		return NULL;
	case STEP_PHONE: {
		char norm[INTAKE_PHONE_MAX + 1];

		if (text_phone_normalize(text, norm, sizeof norm) < 0)
			return L(
			    v,
			    "電話番号は数字10〜15桁で、例: 06-1234-5678 のように答えてください。",
			    "Give a phone number of 10 to 15 digits, such as 06-1234-5678.");
		json_object_set_new(v->answers, "phone", json_string(norm));
		return NULL;
	}
	default: return NULL;
	}
}

static void help(struct convo *c, struct conv *v)
{
	say(c, v->jid,
	    L(v,
	      "kakekomi "
	      "サイバー事故の相談窓口です。質問に答えると、専門家から折り返し連絡します。\n"
	      "「戻る」前の質問へ/「キャンセル」中止/「English」英語で",
	      "kakekomi, the cyber incident hotline. Answer the questions and a specialist will "
	      "get back to "
	      "you.\n\"back\": previous question, \"cancel\": stop, \"日本語\": Japanese"));
}

void convo_on_message(struct convo *c, const char *jid, const char *body)
{
	int64_t now = text_now_ms();
	struct conv *v = find(c, jid);
	char folded[CONVO_BODY_MAX * 2];
	char *text;
	const char *problem;

	if (c->closing)
		return;
	/* Every message counts, the first one and those of senders without a
	 * conversation too: nobody makes the bot answer without limit. */
	switch (rate_check(c, jid, now)) {
	case RATE_OK: break;
	case RATE_NOTICE:
		say(c, jid,
		    "メッセージが多すぎます。1分ほど待ってください。/ Too many messages; please "
		    "wait a minute.");
		return;
	case RATE_SILENT: return;
	}
	{
		struct command cmd;

		/* A specialist's command from someone who is not one. */
		if (command_parse(body, &cmd) == 0 && cmd.ref[0] != '\0') {
			char reply[512];

			log_info("convo: %s from %s, who is not on the roster: refused",
			         command_name(cmd.verb), jid);
			snprintf(reply, sizeof reply,
			         "このコマンドは登録された専門家専用です。被害の相談は、ここで質問"
			         "に答えるか、こちらから: "
			         "%s/report / Commands are for registered specialists only. To "
			         "report an "
			         "incident, answer the questions here or use %s/report?lang=en",
			         c->sv->cfg->http_public_url, c->sv->cfg->http_public_url);
			say(c, jid, reply);
			return;
		}
	}
	if (strlen(body) > CONVO_BODY_MAX) {
		say(c, jid,
		    "長すぎます。短く書いてください。/ That is too long; please write a shorter "
		    "message.");
		return;
	}
	text = text_trim_dup(body);
	if (text == NULL)
		return;
	text_fold_ascii(text, folded, sizeof folded);
	if (v == NULL) {
		v = add(c, jid, answer_has_japanese(text) ? LANG_JA : LANG_EN, now);
		if (v == NULL) {
			say(c, jid,
			    "ただいま混み合っています。フォームからご相談ください。/ We are very "
			    "busy; please use the web form.");
			free(text);
			return;
		}
		say(c, jid,
		    L(v,
		      "kakekomi "
		      "サイバー事故の相談窓口です。いくつか質問します。「キャンセル」で中止、「Engl"
		      "ish」で英語になります。",
		      "This is kakekomi, the cyber incident hotline. A few questions follow; "
		      "\"cancel\" stops, "
		      "\"日本語\" switches to Japanese."));
		/* "ランサムウェアかもしれない": the first message may say what happened. */
		if (answer_guess_type(folded) != NULL) {
			take_answer(c, v, text, folded, now);
			v->step = STEP_STILL;
		}
		ask(c, v);
		save(c, v, false);
		free(text);
		return;
	}
	v->updated_ms = now;
	if (v->creating) {
		free(text);
		return;
	}
	if (answer_is(folded, ANSWER_CANCEL)) {
		say(c, jid,
		    L(v, "中止しました。いつでも最初から書いてください。",
		      "Stopped. Write any time to start again."));
		save(c, v, true);
		forget(c, v);
		free(text);
		return;
	}
	if (answer_is(folded, ANSWER_HELP)) {
		help(c, v);
		ask(c, v);
		free(text);
		return;
	}
	if (strcmp(folded, "english") == 0 || strcmp(folded, "英語") == 0 ||
	    strcmp(folded, "日本語") == 0 || strcmp(folded, "japanese") == 0) {
		v->lang = (strcmp(folded, "english") == 0 || strcmp(folded, "英語") == 0) ? LANG_EN
		                                                                          : LANG_JA;
		ask(c, v);
		save(c, v, false);
		free(text);
		return;
	}
	if (answer_is(folded, ANSWER_BACK)) {
		if (v->step != STEP_TYPE)
			v->step = step_next(v, -1);
		ask(c, v);
		save(c, v, false);
		free(text);
		return;
	}
	if (v->step == STEP_DONE) {
		create_case(c, v, false);
		free(text);
		return;
	}
	problem = take_answer(c, v, text, folded, now);
	free(text);
	if (problem != NULL) {
		say(c, jid, problem);
		ask(c, v);
		return;
	}
	v->step = step_next(v, 1);
	if (v->step == STEP_DONE) {
		save(c, v, false);
		create_case(c, v, false);
		return;
	}
	ask(c, v);
	save(c, v, false);
}

void convo_sweep(struct convo *c, int64_t now_ms)
{
	struct conv *v = c->list;

	while (v != NULL) {
		struct conv *next = v->next;

		if (!v->creating && v->type_known_ms != 0 &&
		    v->updated_ms < now_ms - CONVO_IDLE_MS) {
			log_info(
			    "convo: conversation with %s idle since the incident type was given: "
			    "registering it incomplete",
			    v->jid);
			create_case(c, v, true);
		} else if (!v->creating && v->type_known_ms == 0 &&
		           v->updated_ms < now_ms - CONVO_ABANDON_MS) {
			save(c, v, true);
			forget(c, v);
		}
		v = next;
	}
}

static void on_sweep(uv_timer_t *t)
{
	struct convo *c = t->data;

	convo_sweep(c, text_now_ms());
}

unsigned convo_pending(const struct convo *c)
{
	return c != NULL ? c->pending : 0;
}

static int on_load(void *arg, const struct store_conversation *kept)
{
	struct convo *c = arg;
	enum lang l = LANG_JA;
	struct conv *v;
	json_t *answers;

	if (kept->jid == NULL || kept->lang == NULL)
		return 0;
	lang_parse(kept->lang, &l);
	answers = json_loads(kept->answers != NULL ? kept->answers : "{}", 0, NULL);
	v = add(c, kept->jid, l, kept->started_ms);
	if (v == NULL || !json_is_object(answers)) {
		json_decref(answers);
		return 0;
	}
	json_decref(v->answers);
	v->answers = answers;
	v->step = (int)kept->step;
	v->updated_ms = kept->updated_ms;
	v->type_known_ms = kept->type_known_ms;
	return 0;
}

int convo_start(struct convo **out, const struct services *sv)
{
	struct convo *c = calloc(1, sizeof *c);
	int rc;

	if (c == NULL)
		return -ENOMEM;
	c->sv = sv;
	uv_timer_init(sv->loop, &c->sweep);
	c->sweep.data = c;
	rc = store_conversations_each(sv->store, on_load, c);
	if (rc < 0) {
		convo_stop(c);
		return rc;
	}
	if (c->n != 0)
		log_info("convo: %zu chat conversations resumed", c->n);
	uv_timer_start(&c->sweep, on_sweep, CONVO_SWEEP_MS, CONVO_SWEEP_MS);
	*out = c;
	return 0;
}

static void on_sweep_closed(uv_handle_t *h)
{
	struct convo *c = h->data;

	while (c->list != NULL)
		forget(c, c->list);
	free(c);
}

void convo_stop(struct convo *c)
{
	if (c == NULL)
		return;
	c->closing = true;
	uv_close((uv_handle_t *)&c->sweep, on_sweep_closed);
}
