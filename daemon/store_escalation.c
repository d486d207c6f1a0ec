/* SPDX-License-Identifier: ISC */
/*
 * store_escalation — escalation state and alerts; see store_escalation.h.
 */
#include "store_escalation.h"

#include <stdio.h>

static const char sql_guarded[] =
    "UPDATE cases SET esc_round = $1, esc_step = $2, esc_due_ms = $3"
    " WHERE id = $4 AND assigned_to IS NULL AND state NOT IN ('resolved')"
    " AND esc_round = $5 AND esc_step = $6 AND esc_due_ms IS NOT NULL";
static const char sql_first[] =
    "UPDATE cases SET esc_round = $1, esc_step = $2, esc_due_ms = $3 WHERE id = $4";
static const char sql_stop[] =
    "UPDATE cases SET esc_due_ms = NULL WHERE id = $1 AND assigned_to IS NULL"
    " AND esc_round = $2 AND esc_step = $3 AND esc_due_ms IS NOT NULL";
/* Alerted earlier in this round, or declined the case before: skip. */
static const char sql_alert[] =
    "INSERT INTO alerts (case_id, jid, round, step, state, at_ms)"
    " SELECT $1, $2, $3, $4, 'alerted', $5 WHERE NOT EXISTS"
    " (SELECT 1 FROM alerts WHERE case_id = $1 AND jid = $2 AND state = 'declined')"
    " ON CONFLICT DO NOTHING";
static const char sql_alert_outbox[] =
    "UPDATE alerts SET outbox_id = $1 WHERE case_id = $2 AND jid = $3 AND round = $4";
static const char sql_now[] =
    "SELECT esc_round, esc_step, assigned_to IS NULL AND esc_due_ms IS NOT NULL, ref FROM cases"
    " WHERE id = $1";
static const char sql_step_alerts[] =
    "SELECT a.jid, a.state, c.esc_step FROM alerts a JOIN cases c ON c.id = a.case_id"
    " WHERE a.case_id = $1 AND a.round = c.esc_round AND a.step = c.esc_step"
    " AND c.assigned_to IS NULL AND c.esc_due_ms IS NOT NULL";
static const char sql_waiting_on[] =
    "SELECT a.case_id FROM alerts a JOIN cases c ON c.id = a.case_id"
    " WHERE a.jid = $1 AND a.state = 'alerted' AND a.round = c.esc_round"
    " AND a.step = c.esc_step AND c.assigned_to IS NULL AND c.esc_due_ms IS NOT NULL";
static const char sql_running[] = "SELECT id, esc_due_ms FROM cases WHERE esc_due_ms IS NOT NULL";

int64_t store_escalation_set(struct store_tx *tx, int64_t case_id, int round, int step,
                             int64_t due_ms, bool guarded, int from_round, int from_step)
{
	return guarded ? store_tx_exec(tx, sql_guarded, "iiiiii", (int64_t)round, (int64_t)step,
	                               due_ms, case_id, (int64_t)from_round, (int64_t)from_step)
	               : store_tx_exec(tx, sql_first, "iiii", (int64_t)round, (int64_t)step, due_ms,
	                               case_id);
}

int64_t store_escalation_stop(struct store_tx *tx, int64_t case_id, int from_round, int from_step)
{
	return store_tx_exec(tx, sql_stop, "iii", case_id, (int64_t)from_round, (int64_t)from_step);
}

int64_t store_alert_add(struct store_tx *tx, int64_t case_id, const char *jid, int round, int step,
                        int64_t at_ms)
{
	return store_tx_exec(tx, sql_alert, "itiii", case_id, jid, (int64_t)round, (int64_t)step,
	                     at_ms);
}

int store_alert_outbox(struct store_tx *tx, int64_t case_id, const char *jid, int round,
                       int64_t outbox_id)
{
	return store_ok(
	    store_tx_exec(tx, sql_alert_outbox, "iiti", outbox_id, case_id, jid, (int64_t)round));
}

static int on_now(void *arg, struct store_row *row)
{
	struct store_escalation_now *n = arg;

	n->found = true;
	n->round = (int)store_row_int(row, 0);
	n->step = (int)store_row_int(row, 1);
	n->open = store_row_int(row, 2) != 0;
	snprintf(n->ref, sizeof n->ref, "%s", store_row_text(row, 3) ? store_row_text(row, 3) : "");
	return 0;
}

int store_escalation_get(struct store *st, int64_t case_id, struct store_escalation_now *out)
{
	*out = (struct store_escalation_now){0};
	return store_read(st, sql_now, on_now, out, "i", case_id);
}

struct step_each {
	int (*cb)(void *arg, const char *jid, const char *state, int step);
	void *arg;
};

static int on_step_alert(void *arg, struct store_row *row)
{
	struct step_each *e = arg;

	return e->cb(e->arg, store_row_text(row, 0), store_row_text(row, 1),
	             (int)store_row_int(row, 2));
}

int store_step_alerts(struct store *st, int64_t case_id,
                      int (*cb)(void *arg, const char *jid, const char *state, int step), void *arg)
{
	struct step_each e = {cb, arg};

	return store_read(st, sql_step_alerts, on_step_alert, &e, "i", case_id);
}

struct case_each {
	int (*cb)(void *arg, int64_t case_id);
	void *arg;
};

static int on_case(void *arg, struct store_row *row)
{
	struct case_each *e = arg;

	return e->cb(e->arg, store_row_int(row, 0));
}

int store_cases_waiting_on(struct store *st, const char *jid, int (*cb)(void *arg, int64_t case_id),
                           void *arg)
{
	struct case_each e = {cb, arg};

	return store_read(st, sql_waiting_on, on_case, &e, "t", jid);
}

struct due_each {
	int (*cb)(void *arg, int64_t case_id, int64_t due_ms);
	void *arg;
};

static int on_due(void *arg, struct store_row *row)
{
	struct due_each *e = arg;

	return e->cb(e->arg, store_row_int(row, 0), store_row_int(row, 1));
}

int store_escalations_each(struct store *st, int (*cb)(void *arg, int64_t case_id, int64_t due_ms),
                           void *arg)
{
	struct due_each e = {cb, arg};

	return store_read(st, sql_running, on_due, &e, "");
}
