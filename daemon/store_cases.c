/* SPDX-License-Identifier: ISC */
/*
 * store_cases — a case's state and alerts for chat and dashboard; see
 * store_cases.h.
 */
#include "store_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_case_by_ref[] =
    "SELECT id, ref, state, assigned_to, received_ms, unseal(company, 'cases.company'),"
    " unseal(name, 'cases.name'), unseal(phone, 'cases.phone'), unseal(email, 'cases.email'),"
    " unseal(description, 'cases.description'), lang, prefecture, reporter_jid"
    " FROM cases WHERE ref = $1";
static const char sql_latest_alert[] =
    "SELECT c.ref FROM alerts a JOIN cases c ON c.id = a.case_id"
    " WHERE a.jid = $1 AND a.state = 'alerted' AND c.assigned_to IS NULL AND c.state != 'resolved'"
    " ORDER BY a.at_ms DESC, a.rowid DESC LIMIT 1";
static const char sql_was_alerted[] = "SELECT count(*) FROM alerts WHERE case_id = $1 AND jid = $2";
static const char sql_others[] = "SELECT DISTINCT jid FROM alerts WHERE case_id = $1 AND jid != $2";
static const char sql_event_count[] =
    "SELECT count(*) FROM events WHERE case_id = $1 AND kind = $2";
static const char sql_event_at[] =
    "SELECT at_ms FROM events WHERE case_id = $1 AND kind = $2 ORDER BY id LIMIT 1";
static const char sql_ack[] =
    "UPDATE cases SET assigned_to = $1, esc_due_ms = NULL WHERE id = $2 AND assigned_to IS NULL";
static const char sql_assign[] =
    "UPDATE cases SET assigned_to = $1, esc_due_ms = NULL WHERE id = $2";
static const char sql_alert_state[] =
    "UPDATE alerts SET state = $1 WHERE case_id = $2 AND jid = $3 AND state = 'alerted'";
static const char sql_state[] = "UPDATE cases SET state = $1 WHERE id = $2";
static const char sql_state_move[] = "UPDATE cases SET state = $1 WHERE id = $2 AND state = $3";
static const char sql_resolve[] =
    "UPDATE cases SET state = 'resolved', esc_due_ms = NULL WHERE id = $1";
static const char sql_cases_of[] =
    "SELECT ref, state, prefecture, incident_type FROM cases"
    " WHERE assigned_to = $1 AND state != 'resolved' ORDER BY received_ms";
static const char sql_cases_alerting[] =
    "SELECT c.ref, c.prefecture, c.incident_type FROM alerts a JOIN cases c ON c.id = a.case_id"
    " WHERE a.jid = $1 AND a.state = 'alerted' AND c.assigned_to IS NULL AND c.state != 'resolved'"
    " ORDER BY a.at_ms";
static const char sql_queue[] =
    "SELECT c.ref, c.received_ms, c.prefecture, c.incident_type, c.state, c.assigned_to,"
    " k.ack_us, k.acked_by, k.contact_us, k.dispatch_ms, k.onsite_us"
    " FROM cases c JOIN case_clocks k ON k.case_id = c.id"
    " WHERE c.state <> 'resolved' ORDER BY c.received_ms LIMIT 500";
static const char sql_clock_summary[] =
    "SELECT c.assigned_to, k.ack_us, k.acked_by, k.contact_us FROM cases c"
    " JOIN case_clocks k ON k.case_id = c.id WHERE c.id = $1";
static const char sql_count[] =
    "SELECT count(*) FROM cases WHERE received_ms >= $1 AND received_ms < $2";
static const char sql_export[] =
    "SELECT c.ref, c.received_ms, c.prefecture, c.incident_type, c.channel, c.state,"
    " c.assigned_to, k.acked_by, k.guidance_us, k.ack_us, k.contact_us, k.onsite_us,"
    " k.onsite_from_received, k.resolve_us FROM cases c JOIN case_clocks k ON k.case_id = c.id"
    " WHERE c.received_ms >= $1 AND c.received_ms < $2 ORDER BY c.received_ms";

static int on_brief(void *arg, struct store_row *row)
{
	struct store_case_brief *c = arg;

	c->found = true;
	c->id = store_row_int(row, 0);
	snprintf(c->ref, sizeof c->ref, "%s", store_row_text(row, 1) ? store_row_text(row, 1) : "");
	snprintf(c->state, sizeof c->state, "%s",
	         store_row_text(row, 2) ? store_row_text(row, 2) : "");
	snprintf(c->assigned, sizeof c->assigned, "%s",
	         store_row_text(row, 3) != NULL ? store_row_text(row, 3) : "");
	c->received_ms = store_row_int(row, 4);
	c->company = store_row_dup(row, 5);
	c->name = store_row_dup(row, 6);
	c->phone = store_row_dup(row, 7);
	c->email = store_row_dup(row, 8);
	c->description = store_row_dup(row, 9);
	c->lang = store_row_dup(row, 10);
	c->prefecture = store_row_dup(row, 11);
	c->reporter_jid = store_row_dup(row, 12);
	return 0;
}

int store_tx_case_brief(struct store_tx *tx, const char *ref, struct store_case_brief *out)
{
	memset(out, 0, sizeof *out);
	return store_tx_query(tx, sql_case_by_ref, on_brief, out, "t", ref);
}

void store_case_brief_fini(struct store_case_brief *c)
{
	free(c->company);
	free(c->name);
	free(c->phone);
	free(c->email);
	free(c->description);
	free(c->lang);
	free(c->prefecture);
	free(c->reporter_jid);
	memset(c, 0, sizeof *c);
}

int store_tx_latest_alert_of(struct store_tx *tx, const char *jid, store_row_cb cb, void *arg)
{
	return store_tx_query(tx, sql_latest_alert, cb, arg, "t", jid);
}

int store_tx_was_alerted(struct store_tx *tx, int64_t case_id, const char *jid, int64_t *n)
{
	*n = 0;
	return store_tx_query(tx, sql_was_alerted, store_row_to_int, n, "it", case_id, jid);
}

int store_tx_alerted_others(struct store_tx *tx, int64_t case_id, const char *jid, store_row_cb cb,
                            void *arg)
{
	return store_tx_query(tx, sql_others, cb, arg, "it", case_id, jid);
}

int store_tx_event_count(struct store_tx *tx, int64_t case_id, enum event_kind kind, int64_t *n)
{
	*n = 0;
	return store_tx_query(tx, sql_event_count, store_row_to_int, n, "it", case_id,
	                      event_kind_name(kind));
}

int store_tx_first_event_at(struct store_tx *tx, int64_t case_id, enum event_kind kind,
                            int64_t *at_ms)
{
	return store_tx_query(tx, sql_event_at, store_row_to_int, at_ms, "it", case_id,
	                      event_kind_name(kind));
}

int64_t store_case_ack(struct store_tx *tx, int64_t case_id, const char *jid)
{
	return store_tx_exec(tx, sql_ack, "ti", jid, case_id);
}

int64_t store_case_assign(struct store_tx *tx, int64_t case_id, const char *jid)
{
	return store_tx_exec(tx, sql_assign, "ti", jid, case_id);
}

int64_t store_alert_state(struct store_tx *tx, int64_t case_id, const char *jid, const char *state)
{
	return store_tx_exec(tx, sql_alert_state, "tit", state, case_id, jid);
}

int64_t store_case_state_set(struct store_tx *tx, int64_t case_id, const char *state)
{
	return store_tx_exec(tx, sql_state, "ti", state, case_id);
}

int64_t store_case_state_move(struct store_tx *tx, int64_t case_id, const char *from,
                              const char *to)
{
	return store_tx_exec(tx, sql_state_move, "tit", to, case_id, from);
}

int64_t store_case_resolve(struct store_tx *tx, int64_t case_id)
{
	return store_tx_exec(tx, sql_resolve, "i", case_id);
}

int store_cases_of(struct store *st, const char *jid, store_row_cb cb, void *arg)
{
	return store_read(st, sql_cases_of, cb, arg, "t", jid);
}

int store_cases_alerting(struct store *st, const char *jid, store_row_cb cb, void *arg)
{
	return store_read(st, sql_cases_alerting, cb, arg, "t", jid);
}

int store_cases_queue(struct store *st, store_row_cb cb, void *arg)
{
	return store_read(st, sql_queue, cb, arg, "");
}

int store_case_clock_summary(struct store *st, int64_t case_id, store_row_cb cb, void *arg)
{
	return store_read(st, sql_clock_summary, cb, arg, "i", case_id);
}

int store_cases_count(struct store *st, int64_t from_ms, int64_t to_ms, int64_t *n)
{
	*n = 0;
	return store_read(st, sql_count, store_row_to_int, n, "ii", from_ms, to_ms);
}

int store_cases_export(struct store *st, int64_t from_ms, int64_t to_ms, store_row_cb cb, void *arg)
{
	return store_read(st, sql_export, cb, arg, "ii", from_ms, to_ms);
}
