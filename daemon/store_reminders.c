/* SPDX-License-Identifier: ISC */
/*
 * store_reminders — the APPI reminders; see store_reminders.h.
 */
#include "store_reminders.h"

#include <stdio.h>
#include <string.h>

/* A filed report: the event that says so, for a reminder kind. */
#define NOT_REPORTED(r)                                                                            \
	" NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = " r ".case_id"                      \
	" AND e.kind = CASE " r ".kind WHEN 'ppc_preliminary' THEN 'ppc_preliminary_reported'"     \
	" ELSE 'ppc_final_reported' END)"

static const char sql_schedule[] =
    "INSERT INTO reminders (case_id, kind, due_ms, deadline) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT DO NOTHING";
static const char sql_due[] =
    "SELECT r.id, r.case_id, r.kind, r.deadline, c.ref, c.assigned_to, c.reporter_jid,"
    " unseal(c.email, 'cases.email'), c.lang FROM reminders r JOIN cases c ON c.id = r.case_id"
    " WHERE r.sent_ms IS NULL AND r.due_ms <= $1 AND" NOT_REPORTED(
        "r") " ORDER BY r.due_ms LIMIT 100";
static const char sql_sent[] =
    "UPDATE reminders SET sent_ms = $1 WHERE id = $2 AND sent_ms IS NULL";
/* One line per date: the final report's reminders come in two (a week and
 * a day before), and for a case reported late only the second. */
static const char sql_deadlines[] =
    "SELECT c.ref, c.prefecture, r.kind, r.deadline, c.state, coalesce(c.assigned_to, '-')"
    " FROM reminders r JOIN cases c ON c.id = r.case_id"
    " WHERE r.kind != 'ppc_final_7d' AND r.deadline >= $1 AND r.deadline <= $2"
    " ORDER BY r.deadline, c.ref";
static const char sql_overdue[] =
    "SELECT c.ref, c.prefecture, r.kind, r.deadline, c.state, coalesce(c.assigned_to, '-')"
    " FROM reminders r JOIN cases c ON c.id = r.case_id"
    " WHERE r.kind != 'ppc_final_7d' AND r.deadline < $1 AND c.state <> 'resolved'"
    " AND" NOT_REPORTED("r") " ORDER BY r.deadline, c.ref";

int store_reminder_schedule(struct store_tx *tx, int64_t case_id, const char *kind, int64_t due_ms,
                            const char *deadline)
{
	return store_ok(store_tx_exec(tx, sql_schedule, "itit", case_id, kind, due_ms, deadline));
}

struct due_each {
	int (*cb)(void *arg, const struct store_reminder_due *r);
	void *arg;
};

static int on_due(void *arg, struct store_row *row)
{
	struct due_each *e = arg;
	struct store_reminder_due r = {
	    .id = store_row_int(row, 0),
	    .case_id = store_row_int(row, 1),
	    .kind = store_row_text(row, 2),
	    .deadline = store_row_text(row, 3),
	    .ref = store_row_text(row, 4),
	    .assigned = store_row_text(row, 5),
	    .reporter_jid = store_row_text(row, 6),
	    .email = store_row_text(row, 7),
	    .lang = store_row_text(row, 8),
	};

	return e->cb(e->arg, &r);
}

int store_reminders_due(struct store *st, int64_t now_ms,
                        int (*cb)(void *arg, const struct store_reminder_due *r), void *arg)
{
	struct due_each e = {cb, arg};

	return store_read(st, sql_due, on_due, &e, "i", now_ms);
}

int store_reminder_sent(struct store_tx *tx, int64_t id, int64_t now_ms)
{
	int64_t rc = store_tx_exec(tx, sql_sent, "ii", now_ms, id);

	return rc < 0 ? (int)rc : (int)rc;
}

struct deadline_each {
	int (*cb)(void *arg, const struct store_deadline_row *r);
	void *arg;
};

static int on_deadline(void *arg, struct store_row *row)
{
	struct deadline_each *e = arg;
	struct store_deadline_row r = {store_row_text(row, 0), store_row_text(row, 1),
	                               store_row_text(row, 2), store_row_text(row, 3),
	                               store_row_text(row, 4), store_row_text(row, 5)};

	return e->cb(e->arg, &r);
}

int store_deadlines(struct store *st, bool overdue, const char *from, const char *to,
                    int (*cb)(void *arg, const struct store_deadline_row *r), void *arg)
{
	struct deadline_each e = {cb, arg};

	return overdue ? store_read(st, sql_overdue, on_deadline, &e, "t", from)
	               : store_read(st, sql_deadlines, on_deadline, &e, "tt", from, to);
}

/* ---- the APPI deadlines of a case ---- */

static const char sql_ppc_deadlines[] = "SELECT r.kind, r.deadline, NOT" NOT_REPORTED(
    "r") " FROM reminders r WHERE r.case_id = $1 AND r.kind IN ('ppc_preliminary', 'ppc_final_1d')"
         " ORDER BY r.kind = 'ppc_final_1d'";

struct deadlines_acc {
	struct ppc_deadline *out;
	int n;
};

static int on_ppc_deadline(void *arg, struct store_row *row)
{
	struct deadlines_acc *a = arg;
	const char *kind = store_row_text(row, 0);
	const char *due = store_row_text(row, 1);
	struct ppc_deadline *d;

	if (a->n == 2 || kind == NULL || due == NULL)
		return 0;
	d = &a->out[a->n++];
	d->report =
	    strcmp(kind, "ppc_preliminary") == 0 ? PPC_REPORT_PRELIMINARY : PPC_REPORT_FINAL;
	snprintf(d->due, sizeof d->due, "%s", due);
	d->reported = store_row_int(row, 2) != 0;
	return 0;
}

int store_tx_ppc_deadlines(struct store_tx *tx, int64_t case_id, struct ppc_deadline out[2])
{
	struct deadlines_acc a = {out, 0};
	int rc = store_tx_query(tx, sql_ppc_deadlines, on_ppc_deadline, &a, "i", case_id);

	return rc < 0 ? rc : a.n;
}

int store_ppc_deadlines(struct store *st, int64_t case_id, struct ppc_deadline out[2])
{
	struct deadlines_acc a = {out, 0};
	int rc = store_read(st, sql_ppc_deadlines, on_ppc_deadline, &a, "i", case_id);

	return rc < 0 ? rc : a.n;
}
