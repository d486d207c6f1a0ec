/* SPDX-License-Identifier: ISC */
/*
 * store_cases — a case's state, who has it and whom it alerted, as chat
 * commands and dashboard actions read and change them, and the lists the
 * dashboard and the chat's "status" show. The reads hand rows to a
 * store_row_cb; each function says its columns. Reporters' details come
 * back opened (seal.h).
 */
#ifndef KK_STORE_CASES_H
#define KK_STORE_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* ---- in a write job ---- */

/* A case as chat commands and dashboard actions see it: its state, who has
 * it, and the reporter's details (opened; owned: store_case_brief_fini). */
struct store_case_brief {
	bool found;
	int64_t id, received_ms;
	char ref[CASE_REF_LEN + 1];
	char state[32];
	char assigned[256]; /* "" when nobody has it */
	char *company, *name, *phone, *email, *description, *lang, *prefecture, *reporter_jid;
};

/* The case REF into OUT (OUT->found false when there is none). Returns 0
 * or a negative errno. */
int store_tx_case_brief(struct store_tx *tx, const char *ref, struct store_case_brief *out);
void store_case_brief_fini(struct store_case_brief *c);

/* Column: ref — the newest case that alerted JID, nobody has taken and is
 * not resolved. */
int store_tx_latest_alert_of(struct store_tx *tx, const char *jid, store_row_cb cb, void *arg);

/* How many alerts case CASE_ID sent JID, into *N. */
int store_tx_was_alerted(struct store_tx *tx, int64_t case_id, const char *jid, int64_t *n);

/* Column: jid — everyone but JID whom case CASE_ID alerted. */
int store_tx_alerted_others(struct store_tx *tx, int64_t case_id, const char *jid, store_row_cb cb,
                            void *arg);

/* How many KIND events case CASE_ID has, into *N; when the first was, into
 * *AT_MS (left alone when none). */
int store_tx_event_count(struct store_tx *tx, int64_t case_id, enum event_kind kind, int64_t *n);
int store_tx_first_event_at(struct store_tx *tx, int64_t case_id, enum event_kind kind,
                            int64_t *at_ms);

/* JID takes case CASE_ID if nobody has it (the escalation ends; the state
 * is casework's to set). Returns the rows changed (0: someone was first). */
int64_t store_case_ack(struct store_tx *tx, int64_t case_id, const char *jid);
/* A coordinator gives case CASE_ID to JID (the escalation ends; the state
 * is casework's to set). Rows changed. */
int64_t store_case_assign(struct store_tx *tx, int64_t case_id, const char *jid);
/* JID's alert for case CASE_ID, still "alerted", becomes STATE ("acked",
 * "declined"). Rows changed. */
int64_t store_alert_state(struct store_tx *tx, int64_t case_id, const char *jid, const char *state);
/* Case CASE_ID is now in STATE (case_flow.h decided it may be). */
int64_t store_case_state_set(struct store_tx *tx, int64_t case_id, const char *state);
/* Case CASE_ID moves from state FROM to TO; nothing changes when it is no
 * longer in FROM. Rows changed. */
int64_t store_case_state_move(struct store_tx *tx, int64_t case_id, const char *from,
                              const char *to);
/* Case CASE_ID is resolved; its escalation ends. */
int64_t store_case_resolve(struct store_tx *tx, int64_t case_id);

/* ---- on the loop ---- */

/* Columns: ref, state, prefecture, incident_type — the open cases JID has. */
int store_cases_of(struct store *st, const char *jid, store_row_cb cb, void *arg);
/* Columns: ref, prefecture, incident_type — the open cases alerting JID
 * that nobody has taken. */
int store_cases_alerting(struct store *st, const char *jid, store_row_cb cb, void *arg);
/* Columns: ref, received_ms, prefecture, incident_type, state, assigned_to,
 * ack_us, acked_by, contact_us, dispatch_ms, onsite_us — the open cases,
 * oldest first, at most 500. */
int store_cases_queue(struct store *st, store_row_cb cb, void *arg);
/* Columns: assigned_to, ack_us, acked_by, contact_us — of case CASE_ID. */
int store_case_clock_summary(struct store *st, int64_t case_id, store_row_cb cb, void *arg);
/* Cases received from FROM_MS to TO_MS (excluded), into *N. */
int store_cases_count(struct store *st, int64_t from_ms, int64_t to_ms, int64_t *n);
/* Columns: ref, received_ms, prefecture, incident_type, channel, state,
 * assigned_to, acked_by, guidance_us, ack_us, contact_us, onsite_us,
 * onsite_from_received, resolve_us — the cases received in the range, by
 * time (the CSV export; no reporter's details). */
int store_cases_export(struct store *st, int64_t from_ms, int64_t to_ms, store_row_cb cb,
                       void *arg);

#endif
