/* SPDX-License-Identifier: ISC */
/*
 * chat — specialists' commands over XMPP; see chat.h.
 *
 * Each command that changes a case is one store write that checks and
 * changes the case together (so two specialists answering "ack" at the
 * same moment cannot both get it), and writes its confirmations, the
 * reporter's contact details and the "taken" notices to the outbox in the
 * same transaction. Refusals change nothing and are answered directly.
 */
#include "chat.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "case_flow.h"
#include "command.h"
#include "convo.h"
#include "log.h"
#include "store_cases.h"
#include "store_reminders.h"
#include "store_timeline.h"
#include "text.h"

#define CHAT_REPLY_MAX 4096

struct chat {
	const struct config *cfg;
	struct store *store;
	struct roster *const *roster;
	struct notify *notify;
	struct escalate *esc;
	struct convo *convo;
	unsigned pending;
	bool closing;
};

enum chat_effect { EFFECT_NONE, EFFECT_ACKED, EFFECT_DECLINED, EFFECT_CLOSED };

struct chat_job {
	struct chat *c;
	struct command cmd;
	char jid[256];
	char who[160]; /* "Name (id)" */
	bool coordinator;
	int64_t now_ms;
	/* results */
	int64_t case_id;
	enum chat_effect effect;
	struct buf reply; /* a refusal or a read-only answer, sent directly */
};

static const char help_text[] =
    "kakekomi のコマンド / commands:\n"
    "ack [番号 REF] — 引き受ける take the case (番号なしで最新の通知 / no REF: the latest alert)\n"
    "decline REF — 辞退 pass it on\n"
    "contacted REF — 相談者に連絡した reached the reporter\n"
    "onsite REF — 現地に到着 arrived on site\n"
    "resolve REF [メモ note] — 解決 resolved\n"
    "dispatch REF [30m|14:30] — 出動 on the way (到着予定 ETA)\n"
    "leave REF — 撤収 visit finished\n"
    "status — 担当中の相談 your open cases\n"
    "help — この説明 this help\n"
    "日本語でも: 了解, 辞退, 連絡済, 現着, 解決, 状況, ヘルプ";

/* ---- case lookups inside the transaction ---- */

static int on_text(void *arg, struct store_row *row)
{
	struct buf *b = arg;
	const char *t = store_row_text(row, 0);

	buf_reset(b);
	return t != NULL ? buf_puts(b, t) : 0;
}

static void say(struct chat_job *j, const char *ja, const char *en, const char *ref)
{
	buf_reset(&j->reply);
	buf_printf(&j->reply, "%s%s%s / %s%s%s", ref != NULL ? ref : "", ref != NULL ? ": " : "",
	           ja, ref != NULL ? ref : "", ref != NULL ? ": " : "", en);
}

static int add_event(struct store_tx *tx, struct chat_job *j, const struct store_case_brief *c,
                     const char *kind, const char *detail)
{
	int64_t elapsed_us = (j->now_ms - c->received_ms) * 1000;

	return store_event_add(tx, c->id, j->now_ms, elapsed_us >= 0 ? elapsed_us : 0, kind, j->jid,
	                       detail);
}

static int add_outbox(struct store_tx *tx, const struct store_case_brief *c, const char *to,
                      const char *kind, const char *body, int64_t now_ms)
{
	struct store_outbox_new o = {
	    .case_id = c->id, .recipient = to, .kind = kind, .body = body, .created_ms = now_ms};
	int64_t rc = store_outbox_add(tx, &o);

	return rc < 0 ? (int)rc : 0;
}

struct others {
	struct store_tx *tx;
	const struct store_case_brief *c;
	const char *body;
	int64_t now_ms;
	int rc;
};

static int on_other(void *arg, struct store_row *row)
{
	struct others *o = arg;
	const char *jid = store_row_text(row, 0);

	if (jid != NULL && o->rc == 0)
		o->rc = add_outbox(o->tx, o->c, jid, "taken", o->body, o->now_ms);
	return 0;
}

static int do_ack(struct store_tx *tx, struct chat_job *j, struct store_case_brief *c, bool alerted)
{
	struct buf b;
	char detail[400];
	int rc;

	if (strcmp(c->state, "resolved") == 0) {
		say(j, "この相談はすでに解決済みです。", "this case is already resolved.", c->ref);
		return 0;
	}
	if (c->assigned[0] != '\0') {
		if (strcmp(c->assigned, j->jid) == 0)
			say(j, "すでにあなたが担当しています。", "you already have this case.",
			    c->ref);
		else
			say(j, "すでに別の専門家が引き受けました。対応は不要です。",
			    "already taken by another specialist; nothing to do.", c->ref);
		return 0;
	}
	if (!alerted && !j->coordinator) {
		say(j, "あなたには通知されていない相談のため引き受けられません。",
		    "not yours: you were not alerted for this case.", c->ref);
		return 0;
	}
	if (store_case_ack(tx, c->id, j->jid) != 1)
		return -EIO;
	rc = (int)store_alert_state(tx, c->id, j->jid, "acked");
	if (rc < 0)
		return rc;
	snprintf(detail, sizeof detail, "{\"by\":\"%s\"}", j->who);
	rc = add_event(tx, j, c, "acknowledged", detail);
	if (rc == 0)
		rc = add_event(tx, j, c, "contact_revealed", detail);
	if (rc < 0)
		return rc;
	buf_init(&b, CHAT_REPLY_MAX);
	buf_printf(&b,
	           "%s: 引き受けました。相談者の連絡先です(あなただけに送っています)。/ "
	           "%s: you have this case. The reporter's details (sent to you only):\n",
	           c->ref, c->ref);
	case_details_text(&b, c->ref, c->company, c->name, c->phone, c->email, c->lang,
	                  c->description);
	{
		/* The law's dates, so that the call can start with what is late. */
		struct ppc_deadline dl[2];
		int nd = store_tx_ppc_deadlines(tx, c->id, dl);

		if (nd < 0) {
			buf_fini(&b);
			return nd;
		}
		ppc_deadlines_text(dl, (size_t)nd, j->now_ms, &b);
	}
	rc = b.data != NULL ? add_outbox(tx, c, j->jid, "contact", b.data, j->now_ms) : -ENOMEM;
	buf_fini(&b);
	if (rc < 0)
		return rc;
	{
		char body[512];
		struct others o = {tx, c, body, j->now_ms, 0};

		snprintf(body, sizeof body,
		         "%s: 別の専門家が引き受けました。対応は不要です。/ %s: taken by another "
		         "specialist; "
		         "nothing to do.",
		         c->ref, c->ref);
		rc = store_tx_alerted_others(tx, c->id, j->jid, on_other, &o);
		if (rc == 0)
			rc = o.rc;
	}
	if (rc == 0 && c->reporter_jid != NULL) {
		/* The reporter wrote to us by chat: tell them there too. */
		char body[512];
		bool en = c->lang != NULL && strcmp(c->lang, "en") == 0;

		snprintf(body, sizeof body,
		         en ? "%s: a specialist has taken your case and will contact you shortly."
		            : "%s: 専門家が担当になりました。まもなくご連絡します。",
		         c->ref);
		rc = add_outbox(tx, c, c->reporter_jid, "reply", body, j->now_ms);
	}
	if (rc == 0)
		j->effect = EFFECT_ACKED;
	return rc;
}

static int confirm(struct store_tx *tx, struct chat_job *j, const struct store_case_brief *c,
                   const char *ja, const char *en)
{
	char body[1400];

	snprintf(body, sizeof body, "%s: %s / %s: %s", c->ref, ja, c->ref, en);
	return add_outbox(tx, c, j->jid, "reply", body, j->now_ms);
}

static int do_decline(struct store_tx *tx, struct chat_job *j, struct store_case_brief *c,
                      bool alerted)
{
	int rc;

	if (strcmp(c->assigned, j->jid) == 0) {
		say(j, "引き受け済みの相談は辞退できません。コーディネーターに連絡してください。",
		    "you have acknowledged this case; ask a coordinator to reassign it.", c->ref);
		return 0;
	}
	if (c->assigned[0] != '\0') {
		say(j, "すでに別の専門家が引き受けました。対応は不要です。",
		    "already taken by another specialist; nothing to do.", c->ref);
		return 0;
	}
	if (!alerted) {
		say(j, "あなたには通知されていない相談です。",
		    "not yours: you were not alerted for this case.", c->ref);
		return 0;
	}
	rc = (int)store_alert_state(tx, c->id, j->jid, "declined");
	if (rc < 0)
		return rc;
	rc = add_event(tx, j, c, "declined", NULL);
	if (rc == 0)
		rc = confirm(tx, j, c, "辞退を受け付けました。次の専門家に通知します。",
		             "declined; the next specialist will be alerted.");
	if (rc == 0)
		j->effect = EFFECT_DECLINED;
	return rc;
}

/*
 * The ETA given with "dispatch": "30m", "30分", "1h", "1時間", "90" (minutes)
 * or "14:30" (Japan time, the next such time). Returns 0 with *AT_MS, or
 * -EINVAL.
 */
static int parse_eta(const char *text, int64_t now_ms, int64_t *at_ms)
{
	char *end;
	long v;
	int hh, mm;

	if (sscanf(text, "%d:%d", &hh, &mm) == 2 && hh >= 0 && hh < 24 && mm >= 0 && mm < 60) {
		int64_t day =
		    (now_ms + TEXT_JST_OFFSET_MS) / 86400000 * 86400000 - TEXT_JST_OFFSET_MS;

		*at_ms = day + ((int64_t)hh * 60 + mm) * 60000;
		if (*at_ms < now_ms - 60 * 60000)
			*at_ms += 86400000;
		return 0;
	}
	v = strtol(text, &end, 10);
	if (end == text || v <= 0 || v > 48 * 60)
		return -EINVAL;
	if (*end == '\0' || strcmp(end, "m") == 0 || strcmp(end, "min") == 0 ||
	    strcmp(end, "分") == 0)
		*at_ms = now_ms + v * 60000;
	else if (strcmp(end, "h") == 0 || strcmp(end, "時間") == 0)
		*at_ms = now_ms + v * 3600000;
	else
		return -EINVAL;
	return 0;
}

/* Appends KIND, its clock counted from the first event SINCE (or from the
 * report when SINCE is NULL or absent). */
static int add_clock_event(struct store_tx *tx, struct chat_job *j,
                           const struct store_case_brief *c, const char *kind, const char *detail,
                           const char *since)
{
	int64_t from = c->received_ms;
	int64_t rc;

	if (since != NULL) {
		rc = store_tx_first_event_at(tx, c->id, since, &from);
		if (rc < 0)
			return (int)rc;
	}
	return store_event_add(tx, c->id, j->now_ms,
	                       j->now_ms >= from ? (j->now_ms - from) * 1000 : 0, kind, j->jid,
	                       detail);
}

static int do_progress(struct store_tx *tx, struct chat_job *j, struct store_case_brief *c)
{
	const char *kind, *state, *since = NULL;
	char ja[300], en[300];
	char detail[COMMAND_NOTE_MAX * 2 + 128];
	int64_t requested = 0;
	int rc;

	if (c->assigned[0] == '\0') {
		say(j, "まだ誰も引き受けていません。先に「ack」で引き受けてください。",
		    "nobody has acknowledged this case yet; send \"ack\" first.", c->ref);
		return 0;
	}
	if (strcmp(c->assigned, j->jid) != 0 && !j->coordinator) {
		say(j, "あなたの担当ではありません。",
		    "not yours: another specialist has this case.", c->ref);
		return 0;
	}
	{
		/* One table decides, for chat and dashboard alike (case_flow.h). */
		enum case_step step = j->cmd.verb == COMMAND_CONTACTED  ? CASE_STEP_CONTACTED
		                      : j->cmd.verb == COMMAND_DISPATCH ? CASE_STEP_DISPATCH
		                      : j->cmd.verb == COMMAND_ONSITE   ? CASE_STEP_ONSITE
		                      : j->cmd.verb == COMMAND_LEAVE    ? CASE_STEP_LEAVE
		                                                        : CASE_STEP_RESOLVE;
		enum case_state from = CASE_ACKNOWLEDGED, to;

		case_state_parse(c->state, &from);
		if (case_flow_next(from, step, &to) < 0) {
			say(j, case_flow_refusal(from, step, LANG_JA),
			    case_flow_refusal(from, step, LANG_EN), c->ref);
			return 0;
		}
		state = case_state_name(to);
	}
	detail[0] = '\0';
	switch (j->cmd.verb) {
	case COMMAND_CONTACTED:
		kind = "contacted";
		snprintf(ja, sizeof ja, "相談者への連絡を記録しました。");
		snprintf(en, sizeof en, "first contact with the reporter recorded.");
		break;
	case COMMAND_DISPATCH: {
		int64_t eta = 0;
		json_t *o = json_object();
		char *d;

		kind = "on_the_way";
		if (j->cmd.note[0] != '\0' && parse_eta(j->cmd.note, j->now_ms, &eta) < 0) {
			say(j, "到着予定は「30m」「1h」「14:30」のように書いてください。",
			    "give the ETA as 30m, 1h or 14:30 (Japan time).", c->ref);
			json_decref(o);
			return 0;
		}
		if (eta != 0) {
			char at[32], local[32];

			text_rfc3339_format(eta, at);
			text_jst_format(eta, "%H:%M", local, sizeof local);
			json_object_set_new(o, "eta", json_string(at));
			snprintf(
			    ja, sizeof ja,
			    "出動を記録しました。到着予定 %s(相談者の状況ページに表示します)。",
			    local);
			snprintf(en, sizeof en,
			         "on the way; ETA %s JST (shown on the reporter's status page).",
			         local);
		} else {
			snprintf(ja, sizeof ja, "出動を記録しました。");
			snprintf(en, sizeof en, "on the way.");
		}
		d = json_dumps(o, JSON_COMPACT);
		snprintf(detail, sizeof detail, "%s", d != NULL ? d : "{}");
		free(d);
		json_decref(o);
		/* The on-site clock starts at the first request for a visit. */
		rc = store_tx_event_count(tx, c->id, "dispatch_requested", &requested);
		if (rc < 0)
			return rc;
		if (requested == 0) {
			rc = add_clock_event(tx, j, c, "dispatch_requested", NULL, NULL);
			if (rc < 0)
				return rc;
		}
		break;
	}
	case COMMAND_ONSITE:
		kind = "onsite";
		since = "dispatch_requested";
		snprintf(ja, sizeof ja, "現地到着を記録しました。");
		snprintf(en, sizeof en, "arrival on site recorded.");
		break;
	case COMMAND_LEAVE:
		kind = "left_site";
		since = "dispatch_requested";
		snprintf(ja, sizeof ja, "現地対応の終了を記録しました。");
		snprintf(en, sizeof en, "the visit is recorded as finished.");
		break;
	default: {
		json_t *o = json_pack("{s:s}", "note", j->cmd.note);
		char *str = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

		kind = "resolved";
		snprintf(ja, sizeof ja, "解決として記録しました。ありがとうございました。");
		snprintf(en, sizeof en, "recorded as resolved. Thank you.");
		if (str != NULL && j->cmd.note[0] != '\0')
			snprintf(detail, sizeof detail, "%s", str);
		free(str);
		json_decref(o);
		break;
	}
	}
	rc = add_clock_event(tx, j, c, kind, detail[0] != '\0' ? detail : NULL, since);
	if (rc == 0) {
		if (strcmp(kind, "resolved") == 0)
			rc = (int)store_case_resolve(tx, c->id);
		else
			rc = (int)store_case_state_set(tx, c->id, state);
	}
	if (rc >= 0)
		rc = confirm(tx, j, c, ja, en);
	/* A coordinator closing someone else's case tells the one who had it,
	 * as the dashboard does. */
	if (rc >= 0 && strcmp(kind, "resolved") == 0 && strcmp(c->assigned, j->jid) != 0) {
		char text[800];

		snprintf(text, sizeof text,
		         "%s: コーディネーター(%s)が解決として記録しました。/ %s: a coordinator "
		         "(%s) recorded this case as resolved.",
		         c->ref, j->who, c->ref, j->who);
		rc = add_outbox(tx, c, c->assigned, "reply", text, j->now_ms);
	}
	if (rc >= 0 && strcmp(kind, "resolved") == 0)
		j->effect = EFFECT_CLOSED;
	return rc < 0 ? rc : 0;
}

static int tx_command(struct store_tx *tx, void *arg)
{
	struct chat_job *j = arg;
	struct store_case_brief c = {0};
	int64_t alerted = 0;
	int rc;

	if (j->cmd.ref[0] == '\0') {
		struct buf ref;

		buf_init(&ref, 64);
		rc = store_tx_latest_alert_of(tx, j->jid, on_text, &ref);
		if (rc < 0) {
			buf_fini(&ref);
			return rc;
		}
		if (ref.data == NULL || ref.len != CASE_REF_LEN) {
			buf_fini(&ref);
			say(j, "引き受けられる通知はありません。",
			    "no open alert for you to acknowledge.", NULL);
			return 0;
		}
		memcpy(j->cmd.ref, ref.data, CASE_REF_LEN + 1);
		buf_fini(&ref);
	}
	rc = store_tx_case_brief(tx, j->cmd.ref, &c);
	if (rc < 0)
		return rc;
	if (!c.found) {
		say(j, "その番号の相談はありません。番号を確認してください。",
		    "unknown case; check the reference.", j->cmd.ref);
		return 0;
	}
	j->case_id = c.id;
	rc = store_tx_was_alerted(tx, c.id, j->jid, &alerted);
	if (rc < 0) {
		store_case_brief_fini(&c);
		return rc;
	}
	switch (j->cmd.verb) {
	case COMMAND_ACK: rc = do_ack(tx, j, &c, alerted != 0); break;
	case COMMAND_DECLINE: rc = do_decline(tx, j, &c, alerted != 0); break;
	default: rc = do_progress(tx, j, &c); break;
	}
	store_case_brief_fini(&c);
	return rc;
}

static void on_command_done(void *arg, int status)
{
	struct chat_job *j = arg;
	struct chat *c = j->c;

	c->pending--;
	if (!c->closing) {
		if (status < 0) {
			log_warn(status, "chat: %s from %s not recorded", command_name(j->cmd.verb),
			         j->jid);
			notify_reply(
			    c->notify, j->jid,
			    "記録できませんでした。少し待ってもう一度送ってください。/ "
			    "That could not be recorded; please send it again in a moment.");
		} else {
			if (j->reply.len != 0)
				notify_reply(c->notify, j->jid, j->reply.data);
			switch (j->effect) {
			case EFFECT_ACKED:
			case EFFECT_CLOSED: escalate_cancel(c->esc, j->case_id); break;
			case EFFECT_DECLINED: escalate_check(c->esc, j->case_id); break;
			case EFFECT_NONE: break;
			}
			notify_kick(c->notify);
			log_info("chat: case=%s %s by %s%s", j->cmd.ref, command_name(j->cmd.verb),
			         j->who, j->reply.len != 0 ? " refused" : "");
		}
	}
	buf_fini(&j->reply);
	free(j);
}

/* ---- read-only answers ---- */

struct status_list {
	struct buf *b;
	size_t n;
};

static int on_status_row(void *arg, struct store_row *row)
{
	struct status_list *l = arg;

	l->n++;
	return buf_printf(l->b, "\n%s %s %s %s", store_row_text(row, 0), store_row_text(row, 1),
	                  store_row_text(row, 2), store_row_text(row, 3)) < 0;
}

static int on_alert_row(void *arg, struct store_row *row)
{
	struct status_list *l = arg;

	l->n++;
	return buf_printf(l->b, "\n%s 未対応 waiting for ack %s %s", store_row_text(row, 0),
	                  store_row_text(row, 1), store_row_text(row, 2)) < 0;
}

static void answer_status(struct chat *c, const char *jid)
{
	struct buf b;
	struct status_list l = {&b, 0};

	buf_init(&b, CHAT_REPLY_MAX);
	buf_puts(&b, "担当中・通知中の相談 / Your cases:");
	store_cases_of(c->store, jid, on_status_row, &l);
	store_cases_alerting(c->store, jid, on_alert_row, &l);
	if (l.n == 0)
		buf_puts(&b, "\nなし / none");
	notify_reply(c->notify, jid, b.data);
	buf_fini(&b);
}

void chat_on_message(struct chat *c, const char *jid, const char *body)
{
	const struct roster *r = *c->roster;
	const struct specialist *s = r != NULL ? roster_by_jid(r, jid) : NULL;
	bool coordinator = false;
	struct chat_job *j;
	struct command cmd;
	int rc;

	for (size_t i = 0; i < c->cfg->esc_ncoordinators; i++)
		if (strcmp(c->cfg->esc_coordinators[i], jid) == 0)
			coordinator = true;
	if ((s == NULL || !s->active) && !coordinator) {
		/* Not a specialist: a reporter (convo also refuses their commands). */
		if (c->convo != NULL)
			convo_on_message(c->convo, jid, body);
		return;
	}
	rc = command_parse(body, &cmd);
	if (rc == -EINVAL || cmd.verb == COMMAND_HELP) {
		notify_reply(c->notify, jid, rc == -EINVAL ? help_text : help_text);
		return;
	}
	if (rc == -EBADMSG) {
		char reply[400];

		snprintf(reply, sizeof reply,
		         "「%s」には相談番号が必要です(例: %s KK-7Q3M-X9)。/ \"%s\" needs a case "
		         "reference, "
		         "e.g. %s KK-7Q3M-X9.",
		         command_name(cmd.verb), command_name(cmd.verb), command_name(cmd.verb),
		         command_name(cmd.verb));
		notify_reply(c->notify, jid, reply);
		return;
	}
	if (cmd.verb == COMMAND_STATUS) {
		answer_status(c, jid);
		return;
	}
	j = calloc(1, sizeof *j);
	if (j == NULL)
		return;
	j->c = c;
	j->cmd = cmd;
	j->coordinator = coordinator;
	j->now_ms = text_now_ms();
	snprintf(j->jid, sizeof j->jid, "%s", jid);
	snprintf(j->who, sizeof j->who, "%s (%s)", s != NULL ? s->name : "coordinator",
	         s != NULL ? s->id : jid);
	/* the name goes into JSON: keep it free of quotes and backslashes */
	for (char *p = j->who; *p != '\0'; p++)
		if (*p == '"' || *p == '\\')
			*p = '\'';
	buf_init(&j->reply, CHAT_REPLY_MAX);
	if (store_write(c->store, tx_command, j, on_command_done, j) < 0) {
		buf_fini(&j->reply);
		free(j);
		notify_reply(c->notify, jid, "いま記録できません。/ Cannot record that right now.");
		return;
	}
	c->pending++;
}

unsigned chat_pending(const struct chat *c)
{
	return c != NULL ? c->pending : 0;
}

void chat_set_convo(struct chat *c, struct convo *v)
{
	c->convo = v;
}

int chat_start(struct chat **out, const struct config *cfg, struct store *st,
               struct roster *const *roster, struct notify *n, struct escalate *e)
{
	struct chat *c = calloc(1, sizeof *c);

	if (c == NULL)
		return -ENOMEM;
	c->cfg = cfg;
	c->store = st;
	c->roster = roster;
	c->notify = n;
	c->esc = e;
	*out = c;
	return 0;
}

void chat_stop(struct chat *c)
{
	if (c == NULL)
		return;
	c->closing = true;
	if (c->pending == 0)
		free(c);
}
