/* SPDX-License-Identifier: ISC */
/*
 * escalate — step-by-step alerting until an acknowledgement; see escalate.h.
 *
 * Moving a case on is optimistic: the loop reads the case, asks the router
 * for the next step and submits a write that applies only if the case is
 * still unacknowledged and still at the step the loop saw. A write that
 * finds the case changed (acknowledged meanwhile, or moved by another
 * trigger) does nothing and says so with -ESTALE.
 */
#include "escalate.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "casework.h"
#include "log.h"
#include "store_escalation.h"
#include "store_timeline.h"
#include "router.h"
#include "text.h"

#define ESC_SUMMARY_MAX 140 /* characters of the description in an alert */
#define ESC_BODY_MAX    4096

struct timer_entry {
	int64_t case_id;
	int64_t due_ms;
};

struct escalate {
	const struct services *sv; /* the shared parts (services.h) */
	uv_timer_t timer;
	struct timer_entry *t;
	size_t nt, capt;
	bool closing;
	void (*fallback)(void *arg, int64_t case_id, const char *jid);
	void *fallback_arg;
};

struct escalate_plan {
	struct escalate *e;
	int64_t case_id;
	char ref[CASE_REF_LEN + 1];
	struct store_case_new *nc; /* first step: the case being inserted */
	bool guarded;              /* apply only if the case is still at (from_round, from_step) */
	int from_round, from_step;
	int round, step; /* the step this plan writes */
	bool exhausted;  /* no step left: tell the coordinators */
	int64_t now_ms, due_ms;
	char *body;   /* alert text with "{ref}" */
	char *detail; /* event detail JSON */
	struct router_result picks;
	bool new_recipients[ROUTER_MAX];
};

static unsigned wait_ms(const struct config *cfg, int step)
{
	size_t i = (size_t)step < cfg->esc_nwaits ? (size_t)step : cfg->esc_nwaits - 1;

	return cfg->esc_wait_ms[i];
}

/* ---- timers ---- */

static void on_timer(uv_timer_t *t);

static void rearm(struct escalate *e)
{
	int64_t first = INT64_MAX;
	int64_t now = text_now_ms();

	if (e->closing)
		return;
	for (size_t i = 0; i < e->nt; i++)
		if (e->t[i].due_ms < first)
			first = e->t[i].due_ms;
	if (first == INT64_MAX) {
		uv_timer_stop(&e->timer);
		return;
	}
	uv_timer_start(&e->timer, on_timer, first > now ? (uint64_t)(first - now) : 0, 0);
}

static void disarm(struct escalate *e, int64_t case_id)
{
	for (size_t i = 0; i < e->nt; i++) {
		if (e->t[i].case_id == case_id) {
			e->t[i] = e->t[--e->nt];
			break;
		}
	}
}

static void arm(struct escalate *e, int64_t case_id, int64_t due_ms)
{
	disarm(e, case_id);
	if (e->nt == e->capt) {
		size_t cap = e->capt != 0 ? e->capt * 2 : 64;
		struct timer_entry *v = realloc(e->t, cap * sizeof *v);

		if (v == NULL) {
			log_errorx("escalate: out of memory: case %lld has no timer",
			           (long long)case_id);
			return;
		}
		e->t = v;
		e->capt = cap;
	}
	e->t[e->nt].case_id = case_id;
	e->t[e->nt++].due_ms = due_ms;
	rearm(e);
}

size_t escalate_armed(const struct escalate *e)
{
	return e != NULL ? e->nt : 0;
}

/* ---- the alert text ---- */

static const char *tri_ja(enum tri t)
{
	return t == TRI_YES ? "はい" : t == TRI_NO ? "いいえ" : "不明";
}

static int alert_body(struct buf *b, const struct playbook_set *set, const char *type,
                      const char *pref_code, enum tri still, int64_t noticed_ms,
                      const char *description, int round)
{
	const struct playbook *pb = playbook_find(set, type);
	const struct pb_prefecture *pref = playbook_prefecture(set, pref_code);
	char when[32];
	int rc = 0;

	if (pb == NULL)
		return -ENOENT;
	text_jst_format(noticed_ms, "%Y-%m-%d %H:%M", when, sizeof when);
	if (round > 0)
		rc = buf_printf(b,
		                "【再通知 %d / Reminder %d】まだ誰も引き受けていません / Nobody "
		                "has taken this yet\n",
		                round, round);
	if (rc == 0)
		rc = buf_printf(b,
		                "【kakekomi】新しい相談 {ref} / New case {ref}\n"
		                "都道府県 Prefecture: %s %s (%s) / %s\n"
		                "種類 Type: %s / %s\n"
		                "継続中 Still happening: %s / %s\n"
		                "気づいた時刻 Noticed: %s JST\n"
		                "概要 Summary: ",
		                pref != NULL ? pref->name.s[LANG_JA] : "不明",
		                pref != NULL ? pref->name.s[LANG_EN] : "unknown",
		                pref != NULL ? pref->code : "?",
		                pref != NULL ? pref->region->name.s[LANG_EN] : "?",
		                pb->name.s[LANG_JA], pb->name.s[LANG_EN], tri_ja(still),
		                case_tri_name(still), when);
	if (rc == 0) {
		if (description == NULL || description[0] == '\0') {
			rc = buf_puts(b, "(なし / none)");
		} else {
			/* At most ESC_SUMMARY_MAX characters, on one line. */
			size_t chars = 0;
			const char *p = description;

			while (*p != '\0' && chars < ESC_SUMMARY_MAX && rc == 0) {
				size_t len = 1;

				while ((p[len] & 0xc0) == 0x80)
					len++;
				rc = (*p == '\n' || *p == '\r' || *p == '\t')
				         ? buf_puts(b, " ")
				         : buf_append(b, p, len);
				p += len;
				chars++;
			}
			if (rc == 0 && *p != '\0')
				rc = buf_puts(b, "…");
		}
	}
	if (rc == 0)
		rc = buf_puts(b, "\n引き受ける Take it: ack {ref}\n辞退 Pass: decline {ref}");
	return rc;
}

static char *detail_json(const struct escalate_plan *p)
{
	json_t *list = json_array();
	json_t *o;
	char *s;

	for (size_t i = 0; i < p->picks.n; i++)
		json_array_append_new(list,
		                      json_pack("{s:s,s:s,s:s}", "jid", p->picks.p[i].jid, "id",
		                                p->picks.p[i].id, "why", p->picks.p[i].why));
	o = json_pack("{s:i,s:s,s:s,s:o}", "round", p->round, "step",
	              router_step_name((enum router_step)p->step), "summary", p->picks.summary,
	              "recipients", list);
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static void escalate_plan_free(struct escalate_plan *p)
{
	if (p == NULL)
		return;
	free(p->body);
	free(p->detail);
	free(p);
}

/*
 * Fills P with the first step at or after (ROUND, STEP) that has anybody to
 * alert; marks P exhausted when there is none left.
 */
static int plan_steps(struct escalate *e, struct escalate_plan *p, const struct router_case *rc,
                      int round, int step)
{
	const struct playbook_set *set = *e->sv->pbs;

	for (;;) {
		if (step >= ROUTER_STEPS) {
			step = 0;
			round++;
		}
		if ((unsigned)round >= e->sv->cfg->esc_repeat) {
			p->exhausted = true;
			p->round = round;
			p->step = 0;
			/* The coordinators hear that nobody answered. */
			router_pick(*e->sv->roster, set, e->sv->cfg, rc, ROUTER_NATIONAL, p->now_ms,
			            &p->picks);
			snprintf(p->picks.summary, sizeof p->picks.summary,
			         "nobody acknowledged after %u rounds; %zu coordinators told",
			         e->sv->cfg->esc_repeat, p->picks.n);
			p->due_ms = 0;
			return 0;
		}
		if (router_pick(*e->sv->roster, set, e->sv->cfg, rc, (enum router_step)step,
		                p->now_ms, &p->picks) < 0)
			return -ENOENT;
		if (p->picks.n != 0) {
			p->round = round;
			p->step = step;
			p->due_ms = p->now_ms + wait_ms(e->sv->cfg, step);
			return 0;
		}
		step++;
	}
}

static struct escalate_plan *plan_new(struct escalate *e, const struct router_case *rc,
                                      const char *type, const char *pref, enum tri still,
                                      int64_t noticed_ms, const char *description, int round,
                                      int step, int64_t now_ms)
{
	struct escalate_plan *p = calloc(1, sizeof *p);
	struct buf b;

	if (p == NULL)
		return NULL;
	p->e = e;
	p->now_ms = now_ms;
	if (plan_steps(e, p, rc, round, step) < 0) {
		free(p);
		return NULL;
	}
	buf_init(&b, ESC_BODY_MAX);
	if (p->exhausted)
		buf_printf(
		    &b,
		    "【kakekomi】誰も引き受けていません: {ref} / Nobody has taken case {ref}\n"
		    "%u回通知しましたが応答がありません。担当者を直接手配してください。\n"
		    "Alerted for %u rounds without an answer: please find someone directly. "
		    "Reply \"ack {ref}\" to take it.",
		    e->sv->cfg->esc_repeat, e->sv->cfg->esc_repeat);
	else if (alert_body(&b, *e->sv->pbs, type, pref, still, noticed_ms, description, p->round) <
	         0) {
		buf_fini(&b);
		free(p);
		return NULL;
	}
	p->body = buf_steal(&b);
	p->detail = detail_json(p);
	if (p->body == NULL || p->detail == NULL) {
		escalate_plan_free(p);
		return NULL;
	}
	return p;
}

struct escalate_plan *escalate_plan_first(struct escalate *e, const struct case_input *in,
                                          int64_t now_ms)
{
	struct router_case rc = {in->prefecture, in->incident_type, in->lang};

	return plan_new(e, &rc, in->incident_type, in->prefecture, in->still_happening,
	                in->noticed_at_ms, in->description, 0, 0, now_ms);
}

void escalate_plan_bind(struct escalate_plan *p, struct store_case_new *nc)
{
	p->nc = nc;
}

/* ---- the write ---- */

/* BODY with every "{ref}" replaced by REF, into B. */
static int fill_ref(struct buf *b, const char *body, const char *ref)
{
	const char *p;
	int rc = 0;

	while (rc == 0 && (p = strstr(body, "{ref}")) != NULL) {
		rc = buf_append(b, body, (size_t)(p - body));
		if (rc == 0)
			rc = buf_puts(b, ref);
		body = p + 5;
	}
	return rc == 0 ? buf_puts(b, body) : rc;
}

static int tx_plan(struct store_tx *tx, struct escalate_plan *p)
{
	struct buf body;
	int64_t rc;

	if (p->exhausted && !p->guarded)
		rc = 1; /* a new case nobody can be alerted for: nothing to stop */
	else if (p->exhausted)
		rc = store_escalation_stop(tx, p->case_id, p->from_round, p->from_step);
	else
		rc = store_escalation_set(tx, p->case_id, p->round, p->step, p->due_ms, p->guarded,
		                          p->from_round, p->from_step);
	if (rc < 0)
		return (int)rc;
	if (rc == 0)
		return -ESTALE;
	if (!p->exhausted) {
		/* Somebody is alerted: the case service moves a new case on. */
		rc = casework_tx_alerted(tx, p->case_id);
		if (rc < 0)
			return (int)rc;
	}
	rc = store_event_add(tx, p->case_id, p->now_ms, -1,
	                     /* The first alerts of a case are its routing, at
	                      * whichever step found somebody. */
	                     p->exhausted  ? EV_ESCALATION_EXHAUSTED
	                     : !p->guarded ? EV_ROUTED
	                                   : EV_ESCALATED,
	                     "router", p->detail);
	if (rc < 0)
		return (int)rc;
	buf_init(&body, ESC_BODY_MAX * 2);
	rc = fill_ref(&body, p->body, p->ref);
	for (size_t i = 0; rc >= 0 && i < p->picks.n; i++) {
		const char *jid = p->picks.p[i].jid;

		if (!p->exhausted) {
			/* Alerted earlier in this round: the earlier alert stands. */
			rc = store_alert_add(tx, p->case_id, jid, p->round, p->step, p->now_ms);
			if (rc <= 0)
				continue;
		}
		{
			struct store_outbox_new o = {.case_id = p->case_id,
			                             .recipient = jid,
			                             .kind = p->exhausted ? "unanswered" : "alert",
			                             .round = p->round,
			                             .step = p->step,
			                             .body = body.data,
			                             .created_ms = p->now_ms};
			int64_t id = store_outbox_add(tx, &o);

			rc = id;
			if (id > 0 && !p->exhausted)
				rc = store_alert_outbox(tx, p->case_id, jid, p->round, id);
		}
		if (rc >= 0)
			p->new_recipients[i] = true;
	}
	buf_fini(&body);
	return rc < 0 ? (int)rc : 0;
}

int escalate_tx_first(struct store_tx *tx, void *arg)
{
	struct escalate_plan *p = arg;

	p->case_id = p->nc->case_id;
	memcpy(p->ref, p->nc->ref, sizeof p->ref);
	return tx_plan(tx, p);
}

static int tx_advance(struct store_tx *tx, void *arg)
{
	return tx_plan(tx, arg);
}

static void advance(struct escalate *e, int64_t case_id);

/* After a step was written: arm its timer, send, and move on at once when
 * nobody alerted in it is online. */
void escalate_plan_done(struct escalate *e, struct escalate_plan *p, int status)
{
	size_t offline = 0;

	if (status == 0 && !e->closing) {
		if (p->exhausted) {
			disarm(e, p->case_id);
			rearm(e);
			log_warnx("escalate: case=%s: nobody acknowledged; coordinators told",
			          p->ref);
		} else {
			arm(e, p->case_id, p->due_ms);
			log_info("escalate: case=%s round=%d step=%s alerted=%zu", p->ref, p->round,
			         router_step_name((enum router_step)p->step), p->picks.n);
			for (size_t i = 0; i < p->picks.n; i++) {
				enum presence pr =
				    notify_presence(e->sv->notify, p->picks.p[i].jid);

				if (pr == PRESENCE_OFFLINE)
					offline++;
				/* Chat cannot reach them now: let e-mail try as well. */
				if ((pr == PRESENCE_OFFLINE || !notify_connected(e->sv->notify)) &&
				    e->fallback != NULL && p->new_recipients[i])
					e->fallback(e->fallback_arg, p->case_id, p->picks.p[i].jid);
			}
			/* Within a round only: a new round waits its turn, or a night
			 * with everyone offline would use up every round in a moment. */
			if (p->picks.n != 0 && offline == p->picks.n &&
			    p->step < ROUTER_STEPS - 1) {
				log_info("escalate: case=%s: everyone in this step is offline, "
				         "moving on",
				         p->ref);
				arm(e, p->case_id, 0);
			}
		}
		notify_kick(e->sv->notify);
	} else if (status < 0 && status != -ESTALE) {
		log_warn(status, "escalate: case %lld: step not written", (long long)p->case_id);
		if (p->guarded)
			arm(e, p->case_id, text_now_ms() + 5000); /* try again soon */
	}
	escalate_plan_free(p);
}

static void on_advanced(void *arg, int status)
{
	struct escalate_plan *p = arg;

	escalate_plan_done(p->e, p, status);
}

static void advance(struct escalate *e, int64_t case_id)
{
	struct store_escalation_now now;
	struct case_record *rec = NULL;
	struct escalate_plan *p;
	const char *ref = now.ref;
	int rc;

	disarm(e, case_id);
	rc = store_escalation_get(e->sv->store, case_id, &now);
	if (rc < 0) {
		arm(e, case_id, text_now_ms() + 5000);
		return;
	}
	if (!now.found || !now.open)
		return;
	rc = store_case_load(e->sv->store, ref, &rec);
	if (rc < 0) {
		arm(e, case_id, text_now_ms() + 5000);
		return;
	}
	{
		struct router_case rc2 = {rec->prefecture, rec->incident_type, rec->lang};

		p = plan_new(e, &rc2, rec->incident_type, rec->prefecture, rec->still_happening,
		             rec->noticed_at_ms, rec->description, now.round, now.step + 1,
		             text_now_ms());
	}
	case_record_free(rec);
	if (p == NULL) {
		arm(e, case_id, text_now_ms() + 5000);
		return;
	}
	p->case_id = case_id;
	memcpy(p->ref, ref, sizeof p->ref);
	p->guarded = true;
	p->from_round = now.round;
	p->from_step = now.step;
	if (store_write(e->sv->store, tx_advance, p, on_advanced, p) < 0) {
		escalate_plan_free(p);
		arm(e, case_id, text_now_ms() + 5000);
	}
}

static void on_timer(uv_timer_t *t)
{
	struct escalate *e = t->data;
	int64_t now = text_now_ms();
	int64_t due[256];
	size_t n = 0;

	for (size_t i = 0; i < e->nt && n < sizeof due / sizeof due[0]; i++)
		if (e->t[i].due_ms <= now)
			due[n++] = e->t[i].case_id;
	for (size_t i = 0; i < n; i++)
		advance(e, due[i]);
	rearm(e);
}

void escalate_set_fallback(struct escalate *e,
                           void (*fn)(void *arg, int64_t case_id, const char *jid), void *arg)
{
	e->fallback = fn;
	e->fallback_arg = arg;
}

void escalate_cancel(struct escalate *e, int64_t case_id)
{
	if (e == NULL)
		return;
	disarm(e, case_id);
	rearm(e);
}

/* ---- immediate moves ---- */

struct step_state {
	struct escalate *e;
	size_t total, unable;
	int step;
};

static int on_step_alert(void *arg, const char *jid, const char *state, int step)
{
	struct step_state *s = arg;

	s->total++;
	s->step = step;
	if (state != NULL && (strcmp(state, "declined") == 0 || strcmp(state, "failed") == 0))
		s->unable++;
	else if (jid != NULL && notify_presence(s->e->sv->notify, jid) == PRESENCE_OFFLINE)
		s->unable++;
	return 0;
}

void escalate_check(struct escalate *e, int64_t case_id)
{
	struct step_state s = {e, 0, 0, 0};

	if (e == NULL || e->closing)
		return;
	if (store_step_alerts(e->sv->store, case_id, on_step_alert, &s) < 0)
		return;
	if (s.total != 0 && s.unable == s.total && s.step < ROUTER_STEPS - 1) {
		log_info("escalate: case %lld: nobody in the current step can answer, moving on",
		         (long long)case_id);
		arm(e, case_id, 0);
	}
}

struct case_list {
	int64_t ids[256];
	size_t n;
};

static int on_case_id(void *arg, int64_t case_id)
{
	struct case_list *l = arg;

	if (l->n == sizeof l->ids / sizeof l->ids[0])
		return 1;
	l->ids[l->n++] = case_id;
	return 0;
}

void escalate_jid_offline(struct escalate *e, const char *jid)
{
	struct case_list l = {.n = 0};

	if (e == NULL || e->closing)
		return;
	store_cases_waiting_on(e->sv->store, jid, on_case_id, &l);
	for (size_t i = 0; i < l.n; i++)
		escalate_check(e, l.ids[i]);
}

/* ---- start and stop ---- */

static int on_escalating(void *arg, int64_t case_id, int64_t due_ms)
{
	arm(arg, case_id, due_ms);
	return 0;
}

int escalate_start(struct escalate **out, const struct services *sv)
{
	struct escalate *e = calloc(1, sizeof *e);
	int rc;

	if (e == NULL)
		return -ENOMEM;
	e->sv = sv;
	uv_timer_init(sv->loop, &e->timer);
	e->timer.data = e;
	rc = store_escalations_each(sv->store, on_escalating, e);
	if (rc < 0) {
		escalate_stop(e);
		return rc;
	}
	if (e->nt != 0)
		log_info("escalate: %zu escalations resumed from the store", e->nt);
	*out = e;
	return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct escalate *e = h->data;

	free(e->t);
	free(e);
}

void escalate_stop(struct escalate *e)
{
	if (e == NULL)
		return;
	e->closing = true;
	uv_close((uv_handle_t *)&e->timer, on_timer_closed);
}
