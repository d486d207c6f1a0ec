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
#include "casework.h"
#include "command.h"
#include "convo.h"
#include "log.h"
#include "store_cases.h"
#include "store_reminders.h"
#include "store_timeline.h"
#include "text.h"

#define CHAT_REPLY_MAX 4096

struct chat {
	const struct services *sv; /* the shared parts (services.h) */
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

static int confirm(struct store_tx *tx, struct chat_job *j, const struct store_case_brief *c,
                   const char *ja, const char *en)
{
	char body[1400];

	snprintf(body, sizeof body, "%s: %s / %s: %s", c->ref, ja, c->ref, en);
	return casework_tx_tell(tx, c, j->jid, "reply", body, j->now_ms);
}

/* Why the case service refused, to the specialist. */
static void refused(struct chat_job *j, const struct store_case_brief *c, enum case_step step,
                    const struct casework_result *res)
{
	static const struct {
		const char *ja, *en;
	} words[] = {
	    [CASEWORK_RESOLVED] = {"この相談はすでに解決済みです。",
	                           "this case is already resolved."},
	    [CASEWORK_YOURS] = {"すでにあなたが担当しています。", "you already have this case."},
	    [CASEWORK_TAKEN] = {"すでに別の専門家が引き受けました。対応は不要です。",
	                        "already taken by another specialist; nothing to do."},
	    [CASEWORK_NOT_ALERTED] = {"あなたには通知されていない相談です。",
	                              "not yours: you were not alerted for this case."},
	    [CASEWORK_KEPT] =
	        {"引き受け済みの相談は辞退できません。コーディネーターに連絡してくだ"
	         "さい。",
	         "you have acknowledged this case; ask a coordinator to reassign it."},
	    [CASEWORK_UNTAKEN] = {"まだ誰も引き受けていません。先に「ack」で引き受けてください。",
	                          "nobody has acknowledged this case yet; send \"ack\" first."},
	    [CASEWORK_NOT_YOURS] = {"あなたの担当ではありません。",
	                            "not yours: another specialist has this case."},
	};

	if (res->verdict == CASEWORK_OUT_OF_ORDER)
		/* One table decides, for chat and dashboard alike (case_flow.h). */
		say(j, case_flow_refusal(res->from, step, LANG_JA),
		    case_flow_refusal(res->from, step, LANG_EN), c->ref);
	else if (res->verdict == CASEWORK_NOT_ALERTED && j->cmd.verb == COMMAND_ACK)
		say(j, "あなたには通知されていない相談のため引き受けられません。",
		    words[CASEWORK_NOT_ALERTED].en, c->ref);
	else if ((size_t)res->verdict < sizeof words / sizeof words[0] &&
	         words[res->verdict].ja != NULL)
		say(j, words[res->verdict].ja, words[res->verdict].en, c->ref);
}

static void actor_of(const struct chat_job *j, bool alerted, struct casework_actor *a)
{
	*a = (struct casework_actor){j->jid, j->who, j->coordinator, alerted};
}

/* "ack" or "decline" of the case the specialist was alerted for. */
static int do_answer(struct store_tx *tx, struct chat_job *j, struct store_case_brief *c,
                     bool alerted)
{
	bool ack = j->cmd.verb == COMMAND_ACK;
	struct casework_actor a;
	struct casework_result res;
	int rc;

	actor_of(j, alerted, &a);
	rc = ack ? casework_tx_ack(tx, c, &a, j->now_ms, &res)
	         : casework_tx_decline(tx, c, &a, j->now_ms, &res);
	if (rc < 0)
		return rc;
	if (res.verdict != CASEWORK_DONE) {
		refused(j, c, CASE_STEP_ACK, &res);
		return 0;
	}
	if (!ack)
		rc = confirm(tx, j, c, "辞退を受け付けました。次の専門家に通知します。",
		             "declined; the next specialist will be alerted.");
	if (rc == 0)
		j->effect = ack ? EFFECT_ACKED : EFFECT_DECLINED;
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

static int do_progress(struct store_tx *tx, struct chat_job *j, struct store_case_brief *c)
{
	enum case_step step = j->cmd.verb == COMMAND_CONTACTED  ? CASE_STEP_CONTACTED
	                      : j->cmd.verb == COMMAND_DISPATCH ? CASE_STEP_DISPATCH
	                      : j->cmd.verb == COMMAND_ONSITE   ? CASE_STEP_ONSITE
	                      : j->cmd.verb == COMMAND_LEAVE    ? CASE_STEP_LEAVE
	                                                        : CASE_STEP_RESOLVE;
	struct casework_actor a;
	struct casework_result res;
	char ja[300], en[300];
	char detail[COMMAND_NOTE_MAX * 2 + 128];
	int rc;

	detail[0] = '\0';
	switch (step) {
	case CASE_STEP_CONTACTED:
		snprintf(ja, sizeof ja, "相談者への連絡を記録しました。");
		snprintf(en, sizeof en, "first contact with the reporter recorded.");
		break;
	case CASE_STEP_DISPATCH: {
		int64_t eta = 0;
		json_t *o;
		char *d;

		if (j->cmd.note[0] != '\0' && parse_eta(j->cmd.note, j->now_ms, &eta) < 0) {
			say(j, "到着予定は「30m」「1h」「14:30」のように書いてください。",
			    "give the ETA as 30m, 1h or 14:30 (Japan time).", c->ref);
			return 0;
		}
		o = json_object();
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
		break;
	}
	case CASE_STEP_ONSITE:
		snprintf(ja, sizeof ja, "現地到着を記録しました。");
		snprintf(en, sizeof en, "arrival on site recorded.");
		break;
	case CASE_STEP_LEAVE:
		snprintf(ja, sizeof ja, "現地対応の終了を記録しました。");
		snprintf(en, sizeof en, "the visit is recorded as finished.");
		break;
	default: {
		json_t *o = json_pack("{s:s}", "note", j->cmd.note);
		char *str = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

		snprintf(ja, sizeof ja, "解決として記録しました。ありがとうございました。");
		snprintf(en, sizeof en, "recorded as resolved. Thank you.");
		if (str != NULL && j->cmd.note[0] != '\0')
			snprintf(detail, sizeof detail, "%s", str);
		free(str);
		json_decref(o);
		break;
	}
	}
	actor_of(j, false, &a);
	rc = casework_tx_step(tx, c, step, &a, j->now_ms, detail[0] != '\0' ? detail : NULL, &res);
	if (rc == 0 && res.verdict != CASEWORK_DONE) {
		refused(j, c, step, &res);
		return 0;
	}
	if (rc == 0)
		rc = confirm(tx, j, c, ja, en);
	if (rc == 0 && res.settled)
		j->effect = EFFECT_CLOSED;
	return rc;
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
	case COMMAND_ACK:
	case COMMAND_DECLINE: rc = do_answer(tx, j, &c, alerted != 0); break;
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
			    c->sv->notify, j->jid,
			    "記録できませんでした。少し待ってもう一度送ってください。/ "
			    "That could not be recorded; please send it again in a moment.");
		} else {
			if (j->reply.len != 0)
				notify_reply(c->sv->notify, j->jid, j->reply.data);
			switch (j->effect) {
			case EFFECT_ACKED:
			case EFFECT_CLOSED: escalate_cancel(c->sv->esc, j->case_id); break;
			case EFFECT_DECLINED: escalate_check(c->sv->esc, j->case_id); break;
			case EFFECT_NONE: break;
			}
			notify_kick(c->sv->notify);
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
	store_cases_of(c->sv->store, jid, on_status_row, &l);
	store_cases_alerting(c->sv->store, jid, on_alert_row, &l);
	if (l.n == 0)
		buf_puts(&b, "\nなし / none");
	notify_reply(c->sv->notify, jid, b.data);
	buf_fini(&b);
}

void chat_on_message(struct chat *c, const char *jid, const char *body)
{
	const struct roster *r = *c->sv->roster;
	const struct specialist *s = r != NULL ? roster_by_jid(r, jid) : NULL;
	bool coordinator = false;
	struct chat_job *j;
	struct command cmd;
	int rc;

	for (size_t i = 0; i < c->sv->cfg->esc_ncoordinators; i++)
		if (strcmp(c->sv->cfg->esc_coordinators[i], jid) == 0)
			coordinator = true;
	if ((s == NULL || !s->active) && !coordinator) {
		/* Not a specialist: a reporter (convo also refuses their commands). */
		if (c->convo != NULL)
			convo_on_message(c->convo, jid, body);
		return;
	}
	rc = command_parse(body, &cmd);
	if (rc == -EINVAL || cmd.verb == COMMAND_HELP) {
		notify_reply(c->sv->notify, jid, rc == -EINVAL ? help_text : help_text);
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
		notify_reply(c->sv->notify, jid, reply);
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
	if (store_write(c->sv->store, tx_command, j, on_command_done, j) < 0) {
		buf_fini(&j->reply);
		free(j);
		notify_reply(c->sv->notify, jid,
		             "いま記録できません。/ Cannot record that right now.");
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

int chat_start(struct chat **out, const struct services *sv)
{
	struct chat *c = calloc(1, sizeof *c);

	if (c == NULL)
		return -ENOMEM;
	c->sv = sv;
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
