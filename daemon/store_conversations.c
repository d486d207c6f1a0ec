/* SPDX-License-Identifier: ISC */
/*
 * store_conversations — chat reports in progress; see
 * store_conversations.h.
 */
#include "store_conversations.h"

static const char sql_save[] =
    "INSERT INTO conversations (jid, lang, step, answers, started_ms, updated_ms, type_known_ms)"
    " VALUES ($1, $2, $3, seal($4, 'conversations.answers'), $5, $6, $7)"
    " ON CONFLICT (jid) DO UPDATE SET lang = excluded.lang,"
    " step = excluded.step, answers = excluded.answers, updated_ms = excluded.updated_ms,"
    " type_known_ms = excluded.type_known_ms";
static const char sql_drop[] = "DELETE FROM conversations WHERE jid = $1";
static const char sql_all[] =
    "SELECT jid, lang, step, unseal(answers, 'conversations.answers'), started_ms, updated_ms,"
    " type_known_ms FROM conversations";
static const char sql_reporter[] =
    "UPDATE cases SET reporter_jid = $1, incomplete = $2 WHERE id = $3";

int store_conversation_save(struct store_tx *tx, const struct store_conversation *c)
{
	return store_ok(store_tx_exec(tx, sql_save, "ttitiii", c->jid, c->lang, c->step, c->answers,
	                              c->started_ms, c->updated_ms, c->type_known_ms));
}

int store_conversation_drop(struct store_tx *tx, const char *jid)
{
	return store_ok(store_tx_exec(tx, sql_drop, "t", jid));
}

struct each {
	int (*cb)(void *arg, const struct store_conversation *c);
	void *arg;
};

static int on_row(void *arg, struct store_row *row)
{
	struct each *e = arg;
	struct store_conversation c = {
	    .jid = store_row_text(row, 0),
	    .lang = store_row_text(row, 1),
	    .step = store_row_int(row, 2),
	    .answers = store_row_text(row, 3),
	    .started_ms = store_row_int(row, 4),
	    .updated_ms = store_row_int(row, 5),
	    .type_known_ms = store_row_is_null(row, 6) ? 0 : store_row_int(row, 6),
	};

	return e->cb(e->arg, &c);
}

int store_conversations_each(struct store *st,
                             int (*cb)(void *arg, const struct store_conversation *c), void *arg)
{
	struct each e = {cb, arg};

	return store_read(st, sql_all, on_row, &e, "");
}

int store_case_chat_reporter(struct store_tx *tx, int64_t case_id, const char *jid, bool incomplete)
{
	return store_ok(store_tx_exec(tx, sql_reporter, "tbi", jid, incomplete ? 1 : 0, case_id));
}
