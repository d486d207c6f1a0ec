/* SPDX-License-Identifier: ISC */
/*
 * casework — every change to a case, from chat and dashboard alike; see
 * casework.h.
 */
#include "casework.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ppc.h"
#include "store_reminders.h"
#include "store_timeline.h"

#define CASEWORK_BODY_MAX 8192

static enum case_state state_of(const struct store_case_brief *c)
{
	enum case_state s = CASE_ACKNOWLEDGED;

	case_state_parse(c->state, &s);
	return s;
}

static void result_init(struct casework_result *res, const struct store_case_brief *c)
{
	memset(res, 0, sizeof *res);
	res->from = state_of(c);
	res->to = res->from;
}

/* The event KIND at NOW_MS, its clock counted from the first event SINCE
 * (from the report when SINCE is EV_RECEIVED or absent). */
static int add_event(struct store_tx *tx, const struct store_case_brief *c, enum event_kind kind,
                     const struct casework_actor *a, int64_t now_ms, const char *detail,
                     enum event_kind since)
{
	int64_t from = c->received_ms;

	if (since != EV_RECEIVED) {
		int rc = store_tx_first_event_at(tx, c->id, since, &from);

		if (rc < 0)
			return rc;
	}
	return store_event_add(tx, c->id, now_ms, now_ms >= from ? (now_ms - from) * 1000 : 0, kind,
	                       a->id, detail);
}

int casework_tx_tell(struct store_tx *tx, const struct store_case_brief *c, const char *to,
                     const char *kind, const char *body, int64_t now_ms)
{
	struct store_outbox_new o = {
	    .case_id = c->id, .recipient = to, .kind = kind, .body = body, .created_ms = now_ms};
	int64_t rc = store_outbox_add(tx, &o);

	return rc < 0 ? (int)rc : 0;
}

char *casework_detail(const char *k1, const char *v1, const char *k2, const char *v2,
                      const char *k3, const char *v3)
{
	json_t *o = json_object();
	char *s;

	if (o == NULL)
		return NULL;
	if (k1 != NULL && v1 != NULL)
		json_object_set_new(o, k1, json_string(v1));
	if (k2 != NULL && v2 != NULL)
		json_object_set_new(o, k2, json_string(v2));
	if (k3 != NULL && v3 != NULL)
		json_object_set_new(o, k3, json_string(v3));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* The reporter's details and the law's dates, after HEAD, to TO: the call
 * can start with what is late. */
static int send_details(struct store_tx *tx, const struct store_case_brief *c, const char *to,
                        const char *head, int64_t now_ms)
{
	struct ppc_deadline dl[2];
	struct buf b;
	int nd, rc;

	buf_init(&b, CASEWORK_BODY_MAX);
	buf_puts(&b, head);
	case_details_text(&b, c->ref, c->company, c->name, c->phone, c->email, c->lang,
	                  c->description);
	nd = store_tx_ppc_deadlines(tx, c->id, dl);
	if (nd < 0) {
		buf_fini(&b);
		return nd;
	}
	ppc_deadlines_text(dl, (size_t)nd, now_ms, &b);
	rc = b.data != NULL ? casework_tx_tell(tx, c, to, "contact", b.data, now_ms) : -ENOMEM;
	buf_fini(&b);
	return rc;
}

/* Assigns C to JID; the state moves to acknowledged where the case had
 * not got further (a coordinator may have recorded contact before anyone
 * took it: that stays). */
static int take(struct store_tx *tx, const struct store_case_brief *c, const char *jid,
                bool only_if_free, struct casework_result *res)
{
	int64_t n =
	    only_if_free ? store_case_ack(tx, c->id, jid) : store_case_assign(tx, c->id, jid);

	if (n != 1)
		return n < 0 ? (int)n : -EIO;
	if (case_flow_next(res->from, CASE_STEP_ACK, &res->to) == 0) {
		n = store_case_state_set(tx, c->id, case_state_name(res->to));
		if (n < 0)
			return (int)n;
	}
	res->settled = true;
	return 0;
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
		o->rc = casework_tx_tell(o->tx, o->c, jid, "taken", o->body, o->now_ms);
	return 0;
}

int casework_tx_ack(struct store_tx *tx, const struct store_case_brief *c,
                    const struct casework_actor *a, int64_t now_ms, struct casework_result *res)
{
	char *detail, head[512], body[512];
	int rc;

	result_init(res, c);
	if (res->from == CASE_RESOLVED)
		res->verdict = CASEWORK_RESOLVED;
	else if (c->assigned[0] != '\0')
		res->verdict = strcmp(c->assigned, a->id) == 0 ? CASEWORK_YOURS : CASEWORK_TAKEN;
	else if (!a->alerted && !a->coordinator)
		res->verdict = CASEWORK_NOT_ALERTED;
	if (res->verdict != CASEWORK_DONE)
		return 0;
	rc = take(tx, c, a->id, true, res);
	if (rc == 0)
		rc = (int)store_alert_state(tx, c->id, a->id, "acked");
	if (rc < 0)
		return rc;
	detail = casework_detail("by", a->name, NULL, NULL, NULL, NULL);
	rc = detail != NULL ? add_event(tx, c, EV_ACKNOWLEDGED, a, now_ms, detail, EV_RECEIVED)
	                    : -ENOMEM;
	if (rc == 0)
		rc = add_event(tx, c, EV_CONTACT_REVEALED, a, now_ms, detail, EV_RECEIVED);
	free(detail);
	if (rc < 0)
		return rc;
	snprintf(head, sizeof head,
	         "%s: 引き受けました。相談者の連絡先です(あなただけに送っています)。/ "
	         "%s: you have this case. The reporter's details (sent to you only):\n",
	         c->ref, c->ref);
	rc = send_details(tx, c, a->id, head, now_ms);
	if (rc < 0)
		return rc;
	{
		struct others o = {tx, c, body, now_ms, 0};

		snprintf(body, sizeof body,
		         "%s: 別の専門家が引き受けました。対応は不要です。/ %s: taken by another "
		         "specialist; nothing to do.",
		         c->ref, c->ref);
		rc = store_tx_alerted_others(tx, c->id, a->id, on_other, &o);
		if (rc == 0)
			rc = o.rc;
	}
	if (rc == 0 && c->reporter_jid != NULL) {
		/* The reporter wrote to us by chat: tell them there too. */
		bool en = c->lang != NULL && strcmp(c->lang, "en") == 0;

		snprintf(body, sizeof body,
		         en ? "%s: a specialist has taken your case and will contact you shortly."
		            : "%s: 専門家が担当になりました。まもなくご連絡します。",
		         c->ref);
		rc = casework_tx_tell(tx, c, c->reporter_jid, "reply", body, now_ms);
	}
	return rc;
}

int casework_tx_decline(struct store_tx *tx, const struct store_case_brief *c,
                        const struct casework_actor *a, int64_t now_ms, struct casework_result *res)
{
	int rc;

	result_init(res, c);
	if (strcmp(c->assigned, a->id) == 0)
		res->verdict = CASEWORK_KEPT;
	else if (c->assigned[0] != '\0')
		res->verdict = CASEWORK_TAKEN;
	else if (!a->alerted)
		res->verdict = CASEWORK_NOT_ALERTED;
	if (res->verdict != CASEWORK_DONE)
		return 0;
	rc = (int)store_alert_state(tx, c->id, a->id, "declined");
	if (rc < 0)
		return rc;
	res->declined = true;
	return add_event(tx, c, EV_DECLINED, a, now_ms, NULL, EV_RECEIVED);
}

int casework_tx_step(struct store_tx *tx, const struct store_case_brief *c, enum case_step step,
                     const struct casework_actor *a, int64_t now_ms, const char *detail,
                     struct casework_result *res)
{
	static const struct {
		enum event_kind kind, since;
	} events[] = {
	    [CASE_STEP_CONTACTED] = {EV_CONTACTED, EV_RECEIVED},
	    [CASE_STEP_DISPATCH] = {EV_ON_THE_WAY, EV_RECEIVED},
	    [CASE_STEP_ONSITE] = {EV_ONSITE, EV_DISPATCH_REQUESTED},
	    [CASE_STEP_LEAVE] = {EV_LEFT_SITE, EV_DISPATCH_REQUESTED},
	    [CASE_STEP_RESOLVE] = {EV_RESOLVED, EV_RECEIVED},
	};
	int64_t n;
	int rc;

	result_init(res, c);
	if (step == CASE_STEP_ACK || (size_t)step >= sizeof events / sizeof events[0])
		return -EINVAL;
	if (res->from == CASE_RESOLVED) {
		res->verdict = CASEWORK_RESOLVED;
		return 0;
	}
	if (!a->coordinator && c->assigned[0] == '\0') {
		res->verdict = CASEWORK_UNTAKEN;
		return 0;
	}
	if (!a->coordinator && strcmp(c->assigned, a->id) != 0) {
		res->verdict = CASEWORK_NOT_YOURS;
		return 0;
	}
	if (case_flow_next(res->from, step, &res->to) < 0) {
		res->verdict = CASEWORK_OUT_OF_ORDER;
		return 0;
	}
	if (step == CASE_STEP_DISPATCH) {
		/* The on-site clock starts at the first request for a visit. */
		rc = store_tx_event_count(tx, c->id, EV_DISPATCH_REQUESTED, &n);
		if (rc == 0 && n == 0)
			rc = add_event(tx, c, EV_DISPATCH_REQUESTED, a, now_ms, NULL, EV_RECEIVED);
		if (rc < 0)
			return rc;
	}
	rc = add_event(tx, c, events[step].kind, a, now_ms, detail, events[step].since);
	if (rc < 0)
		return rc;
	n = step == CASE_STEP_RESOLVE ? store_case_resolve(tx, c->id)
	                              : store_case_state_set(tx, c->id, case_state_name(res->to));
	if (n < 0)
		return (int)n;
	if (step != CASE_STEP_RESOLVE)
		return 0;
	res->settled = true;
	if (c->assigned[0] != '\0' && strcmp(c->assigned, a->id) != 0) {
		/* Closed by someone else: the one who had it is told. */
		char text[800];

		snprintf(text, sizeof text,
		         "%s: コーディネーター(%s)が解決として記録しました。/ %s: a coordinator "
		         "(%s) recorded this case as resolved.",
		         c->ref, a->name, c->ref, a->name);
		return casework_tx_tell(tx, c, c->assigned, "reply", text, now_ms);
	}
	return 0;
}

int casework_tx_reassign(struct store_tx *tx, const struct store_case_brief *c, const char *to_jid,
                         const struct casework_actor *a, int64_t now_ms,
                         struct casework_result *res)
{
	char head[800], *d;
	int rc;

	result_init(res, c);
	if (res->from == CASE_RESOLVED) {
		res->verdict = CASEWORK_RESOLVED;
		return 0;
	}
	if (strcmp(c->assigned, to_jid) == 0) {
		res->verdict = CASEWORK_SAME;
		return 0;
	}
	rc = take(tx, c, to_jid, false, res);
	if (rc < 0)
		return rc;
	d = casework_detail("from", c->assigned[0] != '\0' ? c->assigned : NULL, "to", to_jid, "by",
	                    a->name);
	rc = d != NULL ? store_event_add(tx, c->id, now_ms, -1, EV_REASSIGNED, a->id, d) : -ENOMEM;
	free(d);
	if (rc < 0)
		return rc;
	d = casework_detail("by", a->id, NULL, NULL, NULL, NULL);
	rc = d != NULL ? store_event_add(tx, c->id, now_ms, -1, EV_CONTACT_REVEALED, to_jid, d)
	               : -ENOMEM;
	free(d);
	if (rc < 0)
		return rc;
	snprintf(head, sizeof head,
	         "%s: コーディネーター(%s)があなたを担当にしました。相談者の連絡先です(あなただけ"
	         "に送っています)。/ %s: a coordinator (%s) assigned this case to you. The "
	         "reporter's details (sent to you only):\n",
	         c->ref, a->name, c->ref, a->name);
	rc = send_details(tx, c, to_jid, head, now_ms);
	if (rc == 0 && c->assigned[0] != '\0') {
		char text[600];

		snprintf(
		    text, sizeof text,
		    "%s: コーディネーターが担当を別の専門家に変えました。対応は不要です。/ %s: a "
		    "coordinator gave this case to another specialist; nothing more to do.",
		    c->ref, c->ref);
		rc = casework_tx_tell(tx, c, c->assigned, "taken", text, now_ms);
	}
	return rc;
}

int casework_tx_alerted(struct store_tx *tx, int64_t case_id)
{
	enum case_state to;
	int64_t n;

	if (case_flow_next(CASE_NEW, CASE_STEP_ALERT, &to) < 0)
		return -EINVAL;
	n = store_case_state_move(tx, case_id, case_state_name(CASE_NEW), case_state_name(to));
	return n < 0 ? (int)n : 0;
}

int casework_tx_record(struct store_tx *tx, const struct store_case_brief *c, enum event_kind kind,
                       const struct casework_actor *a, int64_t now_ms, const char *detail)
{
	switch (kind) {
	case EV_NOTE:
	case EV_DETAILS_VIEWED:
	case EV_PPC_PRELIMINARY_REPORTED:
	case EV_PPC_FINAL_REPORTED: break;
	default: return -EINVAL;
	}
	return store_event_add(tx, c->id, now_ms, -1, kind, a->id, detail);
}
