/* SPDX-License-Identifier: ISC */
/*
 * store_timeline — events and outbox rows; see store_timeline.h.
 */
#include "store_timeline.h"

static const char sql_event[] =
    "INSERT INTO events (case_id, at_ms, elapsed_us, kind, actor, detail)"
    " VALUES ($1, $2, $3, $4, $5, seal($6, 'events.detail'))";
static const char sql_event_unmeasured[] =
    "INSERT INTO events (case_id, at_ms, kind, actor, detail)"
    " VALUES ($1, $2, $3, $4, seal($5, 'events.detail'))";

int store_event_add(struct store_tx *tx, int64_t case_id, int64_t at_ms, int64_t elapsed_us,
                    enum event_kind kind, const char *actor, const char *detail)
{
	const char *name = event_kind_name(kind);
	int64_t rc = name == NULL      ? -EINVAL
	             : elapsed_us >= 0 ? store_tx_exec(tx, sql_event, "iiittt", case_id, at_ms,
	                                               elapsed_us, name, actor, detail)
	                               : store_tx_exec(tx, sql_event_unmeasured, "iittt", case_id,
	                                               at_ms, name, actor, detail);

	return store_ok(rc);
}

/* ON CONFLICT DO NOTHING: the unique index outbox_once keeps one alert per
 * case, recipient, round and step (both SQLite and PostgreSQL read it). */
static const char sql_outbox[] =
    "INSERT INTO outbox (case_id, channel, recipient, kind, round, step, subject, body,"
    " created_ms, rkey, dkey)"
    " VALUES (nullif($1, 0), $2,"
    " CASE WHEN $2 = 'email' AND $3 IN ('receipt', 'reminder')"
    " THEN seal($4, 'outbox.recipient') ELSE $4 END,"
    " $3, $5, $6, $7, seal($8, 'outbox.body'), $9,"
    " CASE WHEN $3 = 'receipt' THEN seal_key(lower($4)) END,"
    " CASE WHEN $3 = 'receipt' THEN seal_key(lower(substr($4, instr($4, '@') + 1))) END)"
    " ON CONFLICT DO NOTHING";

int64_t store_outbox_add(struct store_tx *tx, const struct store_outbox_new *o)
{
	int64_t rc = store_tx_exec(tx, sql_outbox, "itttiitti", o->case_id,
	                           o->channel != NULL ? o->channel : "xmpp", o->kind, o->recipient,
	                           o->round, o->step, o->subject, o->body, o->created_ms);

	if (rc <= 0)
		return rc;
	return store_tx_last_id(tx);
}
