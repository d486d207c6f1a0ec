/* SPDX-License-Identifier: ISC */
/* Unit tests: events and outbox rows through the store's operations. */
#include <criterion/criterion.h>
#include <errno.h>

#include "store_timeline.h"
#include "storetest.h"

struct ids {
	int64_t case_id, first, again, other, receipt;
};

static int queue(struct store_tx *tx, void *arg)
{
	struct ids *ids = arg;
	struct store_outbox_new alert = {.case_id = 0,
	                                 .recipient = "tanaka@kk.test",
	                                 .kind = "alert",
	                                 .round = 0,
	                                 .step = 1,
	                                 .body = "New case KK-TEST-01",
	                                 .created_ms = 1000};
	struct store_outbox_new receipt = {.channel = "email",
	                                   .recipient = "Hanako@Example.JP",
	                                   .kind = "receipt",
	                                   .subject = "受け付けました",
	                                   .body = "receipt",
	                                   .created_ms = 1000};
	int rc;

	/* A case for the rows to belong to. */
	if (store_tx_exec(tx,
	                  "INSERT INTO cases (ref, token_hash, token_expires_ms, channel,"
	                  " incident_type, still_happening, money_involved, personal_data, noticed,"
	                  " noticed_at_ms, prefecture, company, name, phone, lang, received_ms)"
	                  " VALUES ('KK-TEST-01', x'00', 0, 'api', 'ransomware', 'no', 'no', 'no',"
	                  " 'now', 0, '27', 'c', 'n', 'p', 'ja', 0)",
	                  "") != 1)
		return -EIO;
	ids->case_id = store_tx_last_id(tx);
	alert.case_id = receipt.case_id = ids->case_id;
	ids->first = store_outbox_add(tx, &alert);
	ids->again = store_outbox_add(tx, &alert);
	alert.step = 2;
	ids->other = store_outbox_add(tx, &alert);
	ids->receipt = store_outbox_add(tx, &receipt);
	rc = store_event_add(tx, ids->case_id, 1000, 5, EV_GUIDANCE_DELIVERED, NULL, "{\"a\":1}");
	if (rc == 0)
		rc = store_event_add(tx, ids->case_id, 2000, -1, EV_NOTE, "kenji", "{\"note\":\"x\"}");
	return rc;
}

static int on_int(void *arg, struct store_row *row)
{
	*(int64_t *)arg = store_row_int(row, 0);
	return 0;
}

/* The one number SQL (without parameters) reads from T's store. */
static int64_t read_int(struct storetest *t, const char *sql)
{
	int64_t n = -1;

	cr_assert_eq(store_read(t->st, sql, on_int, &n, ""), 0, "%s", sql);
	return n;
}

Test(store_timeline, an_alert_is_queued_once_per_step_and_a_receipts_address_is_sealed)
{
	struct storetest t;
	struct ids ids = {0};
	int64_t n = -1;

	storetest_open(&t);
	cr_assert_eq(storetest_write(&t, queue, &ids), 0);
	cr_assert_gt(ids.first, 0);
	cr_assert_eq(ids.again, 0, "the same alert for the same step is not queued twice");
	cr_assert_gt(ids.other, ids.first, "the next step's alert is a new row");
	cr_assert_gt(ids.receipt, 0);
	cr_assert_eq(read_int(&t, "SELECT count(*) FROM outbox WHERE typeof(recipient) = 'blob'"
	                          " AND unseal(recipient, 'outbox.recipient') = 'Hanako@Example.JP'"
	                          " AND rkey = seal_key('hanako@example.jp')"
	                          " AND dkey = seal_key('example.jp')"),
	             1, "the receipt's address is sealed and counted by its keyed hashes");
	cr_assert_eq(read_int(&t, "SELECT count(*) FROM outbox WHERE typeof(body) = 'blob'"
	                          " AND channel = 'xmpp'"),
	             2, "alert bodies are sealed");
	cr_assert_eq(read_int(&t, "SELECT count(*) FROM events WHERE kind = 'note'"
	                          " AND elapsed_us IS NULL AND typeof(detail) = 'blob'"),
	             1, "an unmeasured event has no elapsed time, and its detail is sealed");
	cr_assert_eq(store_read(t.st, "SELECT guidance_us FROM case_clocks WHERE case_id = $1",
	                        on_int, &n, "i", ids.case_id),
	             0);
	cr_assert_eq(n, 5, "the event stopped the case's guidance clock");
	storetest_close(&t);
}

/* The statement cache goes by address: SQL built in a buffer that is used
 * again with other text still runs as written. */
Test(store_timeline, a_statement_built_in_a_reused_buffer_runs_as_written)
{
	struct storetest t;
	char sql[64];
	int64_t n = -1;

	storetest_open(&t);
	for (int i = 1; i <= 3; i++) {
		snprintf(sql, sizeof sql, "SELECT %d", i * 10);
		cr_assert_eq(store_read(t.st, sql, on_int, &n, ""), 0);
		cr_assert_eq(n, i * 10, "\"%s\" gave %lld", sql, (long long)n);
	}
	storetest_close(&t);
}
