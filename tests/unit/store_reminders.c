/* SPDX-License-Identifier: ISC */
/* Unit tests: the APPI reminders through the store's operations. */
#include <criterion/criterion.h>
#include <string.h>

#include "store_reminders.h"
#include "store_timeline.h"
#include "storetest.h"

static int64_t case_id;

static int schedule(struct store_tx *tx, void *arg)
{
	int rc;

	(void)arg;
	if (store_tx_exec(tx,
	                  "INSERT INTO cases (ref, token_hash, token_expires_ms, channel,"
	                  " incident_type, still_happening, money_involved, personal_data, noticed,"
	                  " noticed_at_ms, prefecture, company, name, phone, lang, received_ms)"
	                  " VALUES ('KK-REMI-01', x'00', 0, 'api', 'ransomware', 'no', 'no', 'yes',"
	                  " 'now', 0, '27', 'c', 'n', 'p', 'ja', 0)",
	                  "") != 1)
		return -1;
	case_id = store_tx_last_id(tx);
	rc = store_reminder_schedule(tx, case_id, "ppc_preliminary", 1000, "2026-11-06");
	if (rc == 0)
		rc = store_reminder_schedule(tx, case_id, "ppc_preliminary", 1000, "2026-11-06");
	if (rc == 0)
		rc = store_reminder_schedule(tx, case_id, "ppc_final_1d", 5000, "2026-12-01");
	return rc;
}

static int count_due(void *arg, const struct store_reminder_due *r)
{
	(*(int *)arg)++;
	cr_assert_str_eq(r->ref, "KK-REMI-01");
	return 0;
}

static int reported(struct store_tx *tx, void *arg)
{
	(void)arg;
	return store_event_add(tx, case_id, 3000, -1, EV_PPC_PRELIMINARY_REPORTED, "kenji", NULL);
}

static int count_rows(void *arg, const struct store_deadline_row *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

Test(store_reminders, a_reminder_is_kept_once_falls_due_and_stops_once_the_report_is_filed)
{
	struct storetest t;
	struct ppc_deadline dl[2];
	int due = 0, overdue = 0;

	storetest_open(&t);
	cr_assert_eq(storetest_write(&t, schedule, NULL), 0);
	cr_assert_eq(store_reminders_due(t.st, 2000, count_due, &due), 0);
	cr_assert_eq(due, 1, "once per case and kind, and only what is due");
	cr_assert_eq(store_deadlines(t.st, true, "2026-11-10", "2026-11-17", count_rows, &overdue), 0);
	cr_assert_eq(overdue, 1, "the preliminary date has passed");
	cr_assert_eq(store_ppc_deadlines(t.st, case_id, dl), 2);
	cr_assert_eq(dl[0].report, PPC_REPORT_PRELIMINARY);
	cr_assert_not(dl[0].reported);

	cr_assert_eq(storetest_write(&t, reported, NULL), 0);
	due = overdue = 0;
	cr_assert_eq(store_reminders_due(t.st, 2000, count_due, &due), 0);
	cr_assert_eq(due, 0, "a filed report needs no reminder");
	cr_assert_eq(store_deadlines(t.st, true, "2026-11-10", "2026-11-17", count_rows, &overdue), 0);
	cr_assert_eq(overdue, 0, "nor is it overdue");
	cr_assert_eq(store_ppc_deadlines(t.st, case_id, dl), 2);
	cr_assert(dl[0].reported);
	cr_assert_str_eq(dl[1].due, "2026-12-01");
	storetest_close(&t);
}
