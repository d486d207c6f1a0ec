/* SPDX-License-Identifier: ISC */
/*
 * remind — APPI deadline reminders; see remind.h.
 */
#include "remind.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_reminders.h"
#include "store_timeline.h"
#include "text.h"

#define REMIND_TICK_MS 60000
#define DAY_MS         86400000LL

struct remind {
	const struct services *sv; /* the shared parts (services.h) */
	uv_timer_t tick;
	void (*kick)(void *arg);
	void *kick_arg;
	unsigned pending;
	bool closing;
};

int remind_tx_schedule(struct store_tx *tx, int64_t case_id, int64_t known_at_ms,
                       const struct ppc_clock *c)
{
	int64_t rc;

	if (!c->applies || !c->dated || c->reportable == PPC_NOT_REQUIRED)
		return 0;
	/* Two days in: the preliminary report is due as soon as possible, at
	 * the latest about day 5. */
	rc = store_reminder_schedule(tx, case_id, "ppc_preliminary", known_at_ms + 2 * DAY_MS,
	                             c->prelim_due);
	/* A week and a day before the final report is due; for a case reported
	 * after that point, only the day-before reminder (one notice, not two). */
	if (rc >= 0 && known_at_ms + (c->final_days - 1) * DAY_MS > text_now_ms())
		rc = store_reminder_schedule(tx, case_id, "ppc_final_7d",
		                             known_at_ms + (c->final_days - 7) * DAY_MS,
		                             c->final_due);
	if (rc >= 0)
		rc = store_reminder_schedule(tx, case_id, "ppc_final_1d",
		                             known_at_ms + (c->final_days - 1) * DAY_MS,
		                             c->final_due);
	return rc < 0 ? (int)rc : 0;
}

struct due {
	struct remind *r;
	int64_t id, case_id, now_ms;
	char kind[32], deadline[16], ref[16], lang[4];
	char *assigned, *reporter_jid, *email;
};

static void texts(const struct due *d, bool ja, bool overdue, char *subject, size_t ns, char *body,
                  size_t nb)
{
	bool prelim = strcmp(d->kind, "ppc_preliminary") == 0;

	if (overdue && ja) {
		snprintf(subject, ns,
		         "【kakekomi】個人情報保護委員会への%sの期限を過ぎています(%s)",
		         prelim ? "速報" : "確報", d->ref);
		snprintf(body, nb,
		         "%s: 個人情報保護委員会への%s(%s%s)について: %s"
		         "報告は委員会のウェブサイトの報告フォームからできます。"
		         "報告の対象かどうか迷ったら担当の専門家に相談してください。",
		         d->ref, prelim ? "速報" : "確報", d->deadline,
		         prelim ? "ごろまでが目安" : "が期限", ppc_overdue_text(LANG_JA));
	} else if (overdue) {
		snprintf(subject, ns, "[kakekomi] The %s report to the PPC is overdue (%s)",
		         prelim ? "preliminary" : "final", d->ref);
		snprintf(body, nb,
		         "%s: the %s report to the Personal Information Protection Commission was "
		         "due %s%s. %s Use the Commission's online form; ask your specialist if "
		         "unsure whether it applies.",
		         d->ref, prelim ? "preliminary" : "final", prelim ? "around " : "on ",
		         d->deadline, ppc_overdue_text(LANG_EN));
	} else if (ja) {
		snprintf(subject, ns,
		         "【kakekomi】個人情報保護委員会への%s報告の期限が近づいています(%s)",
		         prelim ? "速報" : "確報", d->ref);
		if (prelim)
			snprintf(body, nb,
			         "%s: 個人情報保護委員会への速報はできるだけ早く(遅くとも%sごろまで"
			         "、知った日から3〜5日が目安)。"
			         "わかっている範囲で、委員会のウェブサイトの報告フォームから速報し"
			         "てください。"
			         "報告の対象かどうか迷ったら担当の専門家に相談してください。",
			         d->ref, d->deadline);
		else
			snprintf(body, nb,
			         "%s: 個人情報保護委員会への確報の期限は %s "
			         "です。まだの場合は準備を進めてください。",
			         d->ref, d->deadline);
	} else {
		snprintf(subject, ns, "[kakekomi] The %s report to the PPC is due soon (%s)",
		         prelim ? "preliminary" : "final", d->ref);
		if (prelim)
			snprintf(
			    body, nb,
			    "%s: the preliminary report to the Personal Information "
			    "Protection Commission is due as soon as possible, at the latest "
			    "around %s (about 3 to 5 days from when the company knew). File it "
			    "with what you know through the Commission's online form; ask your "
			    "specialist if unsure whether it applies.",
			    d->ref, d->deadline);
		else
			snprintf(body, nb,
			         "%s: the final report to the Personal Information Protection "
			         "Commission is due "
			         "on %s. Please prepare it if you have not yet.",
			         d->ref, d->deadline);
	}
}

static int64_t queue(struct store_tx *tx, const struct due *d, const char *channel, const char *to,
                     const char *subject, const char *body)
{
	struct store_outbox_new o = {.case_id = d->case_id,
	                             .channel = channel,
	                             .recipient = to,
	                             .kind = "reminder",
	                             .subject = subject,
	                             .body = body,
	                             .created_ms = d->now_ms};

	return store_outbox_add(tx, &o);
}

static int tx_send(struct store_tx *tx, void *arg)
{
	struct due *d = arg;
	char subject[300], body[1200], detail[200];
	bool ja = strcmp(d->lang, "en") != 0;
	bool overdue;
	int64_t rc = store_reminder_sent(tx, d->id, d->now_ms);

	if (rc <= 0)
		return rc < 0 ? (int)rc : 0; /* already sent by an earlier run */
	{
		/* A date already past (a case reported late): an overdue notice. */
		char today[11];

		text_jst_date_plus(d->now_ms, 0, today);
		overdue = strcmp(d->deadline, today) < 0;
	}
	texts(d, ja, overdue, subject, sizeof subject, body, sizeof body);
	if (d->reporter_jid != NULL)
		rc = queue(tx, d, "xmpp", d->reporter_jid, subject, body);
	else if (d->email != NULL && d->r->sv->cfg->smtp_url[0] != '\0')
		rc = queue(tx, d, "email", d->email, subject, body);
	if (rc >= 0 && d->assigned != NULL) {
		/* The specialist reads both languages. */
		char both[2600], sj[300], bj[1200], se[300], be[1200];

		texts(d, true, overdue, sj, sizeof sj, bj, sizeof bj);
		texts(d, false, overdue, se, sizeof se, be, sizeof be);
		snprintf(both, sizeof both,
		         "%s\n%s\n(相談者にも通知しました / the reporter was told too)", bj, be);
		rc = queue(tx, d, "xmpp", d->assigned, sj, both);
	}
	snprintf(detail, sizeof detail, "{\"reminder\":\"%s\",\"deadline\":\"%s\",\"overdue\":%s}",
	         d->kind, d->deadline, overdue ? "true" : "false");
	if (rc >= 0)
		rc = store_event_add(tx, d->case_id, d->now_ms, -1, EV_REMINDER_SENT, "remind",
		                     detail);
	return rc < 0 ? (int)rc : 0;
}

static void due_free(struct due *d)
{
	free(d->assigned);
	free(d->reporter_jid);
	free(d->email);
	free(d);
}

static void on_sent(void *arg, int status)
{
	struct due *d = arg;
	struct remind *r = d->r;

	r->pending--;
	if (status < 0)
		log_warn(status, "remind: case=%s %s reminder not written", d->ref, d->kind);
	else {
		log_info("remind: case=%s %s reminder (deadline %s)", d->ref, d->kind, d->deadline);
		if (r->kick != NULL && !r->closing)
			r->kick(r->kick_arg);
	}
	due_free(d);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int on_due(void *arg, const struct store_reminder_due *r)
{
	struct due *proto = arg;
	struct due *d = calloc(1, sizeof *d);

	if (d == NULL)
		return 1;
	d->r = proto->r;
	d->now_ms = proto->now_ms;
	d->id = r->id;
	d->case_id = r->case_id;
	snprintf(d->kind, sizeof d->kind, "%s", r->kind != NULL ? r->kind : "");
	snprintf(d->deadline, sizeof d->deadline, "%s", r->deadline != NULL ? r->deadline : "");
	snprintf(d->ref, sizeof d->ref, "%s", r->ref != NULL ? r->ref : "");
	d->assigned = dup_or_null(r->assigned);
	d->reporter_jid = dup_or_null(r->reporter_jid);
	d->email = dup_or_null(r->email);
	snprintf(d->lang, sizeof d->lang, "%s", r->lang != NULL ? r->lang : "ja");
	if (store_write(d->r->sv->store, tx_send, d, on_sent, d) < 0) {
		due_free(d);
		return 1;
	}
	d->r->pending++;
	return 0;
}

void remind_run(struct remind *r, int64_t now_ms)
{
	struct due proto = {.r = r, .now_ms = now_ms};

	if (r->closing || r->pending != 0)
		return;
	store_reminders_due(r->sv->store, now_ms, on_due, &proto);
}

static void on_tick(uv_timer_t *t)
{
	remind_run(t->data, text_now_ms());
}

int remind_start(struct remind **out, const struct services *sv, void (*kick)(void *arg),
                 void *kick_arg)
{
	struct remind *r = calloc(1, sizeof *r);

	if (r == NULL)
		return -ENOMEM;
	r->sv = sv;
	r->kick = kick;
	r->kick_arg = kick_arg;
	uv_timer_init(sv->loop, &r->tick);
	r->tick.data = r;
	uv_timer_start(&r->tick, on_tick, 1000, REMIND_TICK_MS);
	*out = r;
	return 0;
}

unsigned remind_pending(const struct remind *r)
{
	return r != NULL ? r->pending : 0;
}

static void on_closed(uv_handle_t *h)
{
	free(h->data);
}

void remind_stop(struct remind *r)
{
	if (r == NULL)
		return;
	r->closing = true;
	uv_close((uv_handle_t *)&r->tick, on_closed);
}
