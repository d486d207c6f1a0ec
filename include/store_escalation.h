/* SPDX-License-Identifier: ISC */
/*
 * store_escalation — where each case's escalation stands (its round, step
 * and the time the step runs out, on the cases table) and whom it alerted
 * (table alerts: one row per case, specialist and round).
 */
#ifndef KK_STORE_ESCALATION_H
#define KK_STORE_ESCALATION_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/*
 * In a write job: case CASE_ID is at ROUND and STEP until DUE_MS (a new
 * case becomes "alerted"). With GUARDED, only if nobody has taken it, it
 * is not resolved and it still stands at FROM_ROUND/FROM_STEP. Returns the
 * rows changed (0: the case moved meanwhile) or a negative errno.
 */
int64_t store_escalation_set(struct store_tx *tx, int64_t case_id, int round, int step,
                             int64_t due_ms, bool guarded, int from_round, int from_step);

/* In a write job: case CASE_ID's escalation ends (nobody answered) if it
 * still stands at FROM_ROUND/FROM_STEP with nobody on it. Rows changed. */
int64_t store_escalation_stop(struct store_tx *tx, int64_t case_id, int from_round, int from_step);

/* In a write job: JID is alerted for case CASE_ID in ROUND and STEP at
 * AT_MS, unless it was alerted in this round already or declined the case
 * before. Returns 1 when it is a new alert, 0 when not, or a negative
 * errno. */
int64_t store_alert_add(struct store_tx *tx, int64_t case_id, const char *jid, int round, int step,
                        int64_t at_ms);

/* In a write job: the alert of JID for CASE_ID in ROUND went as outbox row
 * OUTBOX_ID. */
int store_alert_outbox(struct store_tx *tx, int64_t case_id, const char *jid, int round,
                       int64_t outbox_id);

/* Where case CASE_ID's escalation stands. */
struct store_escalation_now {
	bool found;
	bool open; /* nobody has it and a step is running */
	int round, step;
	char ref[CASE_REF_LEN + 1];
};

/* On the loop: into OUT. Returns 0 or a negative errno. */
int store_escalation_get(struct store *st, int64_t case_id, struct store_escalation_now *out);

/* On the loop: CB(jid, state, step) for each alert of case CASE_ID's
 * running step. Returns 0, CB's value, or a negative errno. */
int store_step_alerts(struct store *st, int64_t case_id,
                      int (*cb)(void *arg, const char *jid, const char *state, int step),
                      void *arg);

/* On the loop: CB(case_id) for each case whose running step alerted JID
 * and is still waiting for an answer. */
int store_cases_waiting_on(struct store *st, const char *jid, int (*cb)(void *arg, int64_t case_id),
                           void *arg);

/* On the loop: CB(case_id, due_ms) for every case whose escalation runs. */
int store_escalations_each(struct store *st, int (*cb)(void *arg, int64_t case_id, int64_t due_ms),
                           void *arg);

#endif
