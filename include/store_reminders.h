/* SPDX-License-Identifier: ISC */
/*
 * store_reminders — the APPI reminders in the store (table reminders): one
 * row per case and kind ("ppc_preliminary", "ppc_final_7d",
 * "ppc_final_1d") with when it falls due and the legal date it is about.
 * A reminder whose report the company has filed (a "ppc_..._reported"
 * event) is never due.
 */
#ifndef KK_STORE_REMINDERS_H
#define KK_STORE_REMINDERS_H

#include <stdint.h>

#include "ppc.h"
#include "store.h"

/* In a write job: reminder KIND of CASE_ID falls due at DUE_MS about the
 * date DEADLINE (JST "YYYY-MM-DD"); once per case and kind. */
int store_reminder_schedule(struct store_tx *tx, int64_t case_id, const char *kind, int64_t due_ms,
                            const char *deadline);

/* A reminder due, with what its messages need (borrowed for the call). */
struct store_reminder_due {
	int64_t id, case_id;
	const char *kind, *deadline, *ref, *lang;
	const char *assigned, *reporter_jid, *email; /* NULL when there is none */
};

/* On the loop: CB for at most 100 reminders due at NOW_MS and not sent,
 * oldest first. Returns 0, CB's non-zero value, or a negative errno. */
int store_reminders_due(struct store *st, int64_t now_ms,
                        int (*cb)(void *arg, const struct store_reminder_due *r), void *arg);

/* In a write job: reminder ID was sent at NOW_MS. Returns 1, or 0 when an
 * earlier run had sent it, or a negative errno. */
int store_reminder_sent(struct store_tx *tx, int64_t id, int64_t now_ms);

/* A legal date of the listing (kakekomictl deadlines). */
struct store_deadline_row {
	const char *ref, *prefecture, *kind, *deadline, *state, *assigned; /* borrowed */
};

/* On the loop: one row per legal date from FROM to TO (JST dates,
 * inclusive), by date; or with OVERDUE, the dates before FROM not reported
 * of cases still open. Returns 0, CB's value, or a negative errno. */
int store_deadlines(struct store *st, bool overdue, const char *from, const char *to,
                    int (*cb)(void *arg, const struct store_deadline_row *r), void *arg);

/*
 * The APPI deadlines of case CASE_ID as its reminders keep them (a case
 * whose report may be due and whose moment is known), with whether each
 * was reported: into OUT (2 at most, preliminary first). Returns how many,
 * or a negative errno. The first runs in a write job, the second on the
 * loop.
 */
int store_tx_ppc_deadlines(struct store_tx *tx, int64_t case_id, struct ppc_deadline out[2]);
int store_ppc_deadlines(struct store *st, int64_t case_id, struct ppc_deadline out[2]);

#endif
