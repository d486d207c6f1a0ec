/* SPDX-License-Identifier: ISC */
/* Unit tests: the case service's changes on a real store. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "casework.h"
#include "store_timeline.h"
#include "storetest.h"

#define REF "KK-TEST-01"

static const struct casework_actor tanaka = {"tanaka@kk.test", "Tanaka (tanaka)", false, true};
static const struct casework_actor suzuki = {"suzuki@kk.test", "Suzuki (suzuki)", false, true};
static const struct casework_actor kenji = {"coordinator:kenji", "kenji", true, false};

/* One change to case REF, as the callers make it. */
struct change {
	const char *state, *assigned; /* the case before, set up in the same job */
	enum {
		DO_ACK,
		DO_DECLINE,
		DO_STEP,
		DO_REASSIGN,
	} what;
	enum case_step step;
	const struct casework_actor *by;
	const char *to;
	struct casework_result res;
};

static int on_int(void *arg, struct store_row *row)
{
	*(int64_t *)arg = store_row_int(row, 0);
	return 0;
}

static int on_text(void *arg, struct store_row *row)
{
	const char *s = store_row_text(row, 0);

	snprintf(arg, 512, "%s", s != NULL ? s : "");
	return 0;
}

static int tx_change(struct store_tx *tx, void *arg)
{
	struct change *ch = arg;
	struct store_case_brief c = {0};
	int64_t id;
	int rc;

	if (store_tx_exec(tx,
	                  "INSERT INTO cases (ref, token_hash, token_expires_ms, channel,"
	                  " incident_type, still_happening, money_involved, personal_data, noticed,"
	                  " noticed_at_ms, prefecture, company, name, phone, lang, received_ms,"
	                  " state, assigned_to)"
	                  " VALUES ('" REF "', x'00', 0, 'api', 'ransomware', 'no', 'no', 'no',"
	                  " 'now', 0, '27', seal('c', 'cases.company'), seal('n', 'cases.name'),"
	                  " seal('p', 'cases.phone'), 'ja', 1000, $1, $2)",
	                  "tt", ch->state, ch->assigned) != 1)
		return -EIO;
	id = store_tx_last_id(tx);
	if (store_tx_exec(tx,
	                  "INSERT INTO alerts (case_id, jid, round, step, state, at_ms)"
	                  " VALUES ($1, 'tanaka@kk.test', 0, 0, 'alerted', 1000),"
	                  " ($2, 'suzuki@kk.test', 0, 0, 'alerted', 1000)",
	                  "ii", id, id) != 2)
		return -EIO;
	rc = store_tx_case_brief(tx, REF, &c);
	cr_assert_eq(rc, 0);
	cr_assert(c.found);
	switch (ch->what) {
	case DO_ACK: rc = casework_tx_ack(tx, &c, ch->by, 5000, &ch->res); break;
	case DO_DECLINE: rc = casework_tx_decline(tx, &c, ch->by, 5000, &ch->res); break;
	case DO_STEP: rc = casework_tx_step(tx, &c, ch->step, ch->by, 5000, NULL, &ch->res); break;
	case DO_REASSIGN: rc = casework_tx_reassign(tx, &c, ch->to, ch->by, 5000, &ch->res); break;
	}
	store_case_brief_fini(&c);
	return rc;
}

static void run(struct storetest *t, struct change *ch)
{
	storetest_open(t);
	cr_assert_eq(storetest_write(t, tx_change, ch), 0);
}

static int64_t count(struct storetest *t, const char *sql)
{
	int64_t n = -1;

	cr_assert_eq(store_read(t->st, sql, on_int, &n, ""), 0, "%s", sql);
	return n;
}

static void text(struct storetest *t, const char *sql, char out[512])
{
	out[0] = '\0';
	cr_assert_eq(store_read(t->st, sql, on_text, out, ""), 0, "%s", sql);
}

Test(casework, an_ack_takes_the_case_sends_the_details_tells_the_others_and_never_goes_back)
{
	struct storetest t;
	struct change ch = {"alerted", NULL, DO_ACK, 0, &tanaka, NULL, {0}};
	char s[512];

	run(&t, &ch);
	cr_assert_eq(ch.res.verdict, CASEWORK_DONE);
	cr_assert(ch.res.settled, "an ack stops the escalation");
	text(&t, "SELECT state || ' ' || assigned_to FROM cases", s);
	cr_assert_str_eq(s, "acknowledged tanaka@kk.test");
	cr_assert_eq(count(&t, "SELECT count(*) FROM events WHERE kind IN ('acknowledged',"
	                       " 'contact_revealed') AND elapsed_us = 4000000"),
	             2, "both events, timed from the report");
	text(&t, "SELECT unseal(body, 'outbox.body') FROM outbox WHERE kind = 'contact'", s);
	cr_assert_not_null(strstr(s, "you have this case"), "%s", s);
	cr_assert_eq(count(&t, "SELECT count(*) FROM outbox WHERE kind = 'taken'"), 1,
	             "the other specialist alerted is told");
	storetest_close(&t);

	/* A coordinator recorded the first contact before anyone took it: the
	 * specialist gets the case and it stays contacted. */
	ch = (struct change){"contacted", NULL, DO_ACK, 0, &tanaka, NULL, {0}};
	run(&t, &ch);
	cr_assert_eq(ch.res.verdict, CASEWORK_DONE);
	text(&t, "SELECT state || ' ' || assigned_to FROM cases", s);
	cr_assert_str_eq(s, "contacted tanaka@kk.test", "the ack moved the case back: %s", s);
	storetest_close(&t);
}

Test(casework, a_second_ack_and_a_decline_of_a_taken_case_are_refused_without_a_write)
{
	static const struct {
		int what;
		const struct casework_actor *by;
		enum casework_verdict verdict;
	} rows[] = {
	    {DO_ACK, &tanaka, CASEWORK_YOURS},
	    {DO_ACK, &suzuki, CASEWORK_TAKEN},
	    {DO_DECLINE, &tanaka, CASEWORK_KEPT},
	    {DO_DECLINE, &suzuki, CASEWORK_TAKEN},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct storetest t;
		struct change ch = {"acknowledged", "tanaka@kk.test", rows[i].what, 0, rows[i].by,
		                    NULL, {0}};

		run(&t, &ch);
		cr_assert_eq(ch.res.verdict, rows[i].verdict, "row %zu: %d", i, ch.res.verdict);
		cr_assert_eq(count(&t, "SELECT count(*) FROM events"), 0, "row %zu", i);
		cr_assert_eq(count(&t, "SELECT count(*) FROM outbox"), 0, "row %zu", i);
		storetest_close(&t);
	}
}

Test(casework, steps_follow_the_table_and_only_the_one_who_has_the_case_may_take_them)
{
	static const struct {
		const char *state, *assigned;
		enum case_step step;
		const struct casework_actor *by;
		enum casework_verdict verdict;
		const char *after;
	} rows[] = {
	    {"onsite", "tanaka@kk.test", CASE_STEP_CONTACTED, &tanaka, CASEWORK_OUT_OF_ORDER,
	     "onsite"},
	    {"onsite", "tanaka@kk.test", CASE_STEP_CONTACTED, &kenji, CASEWORK_OUT_OF_ORDER,
	     "onsite"},
	    {"alerted", NULL, CASE_STEP_CONTACTED, &tanaka, CASEWORK_UNTAKEN, "alerted"},
	    {"alerted", NULL, CASE_STEP_CONTACTED, &kenji, CASEWORK_DONE, "contacted"},
	    {"acknowledged", "tanaka@kk.test", CASE_STEP_ONSITE, &suzuki, CASEWORK_NOT_YOURS,
	     "acknowledged"},
	    {"acknowledged", "tanaka@kk.test", CASE_STEP_LEAVE, &tanaka, CASEWORK_OUT_OF_ORDER,
	     "acknowledged"},
	    {"acknowledged", "tanaka@kk.test", CASE_STEP_DISPATCH, &tanaka, CASEWORK_DONE,
	     "on_the_way"},
	    {"resolved", "tanaka@kk.test", CASE_STEP_RESOLVE, &tanaka, CASEWORK_RESOLVED,
	     "resolved"},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct storetest t;
		struct change ch = {rows[i].state, rows[i].assigned, DO_STEP, rows[i].step,
		                    rows[i].by,    NULL,             {0}};
		char s[512];

		run(&t, &ch);
		cr_assert_eq(ch.res.verdict, rows[i].verdict, "row %zu: %d", i, ch.res.verdict);
		text(&t, "SELECT state FROM cases", s);
		cr_assert_str_eq(s, rows[i].after, "row %zu", i);
		if (rows[i].verdict != CASEWORK_DONE)
			cr_assert_eq(count(&t, "SELECT count(*) FROM events"), 0, "row %zu", i);
		storetest_close(&t);
	}
}

Test(casework, a_dispatch_starts_the_on_site_clock_once)
{
	struct storetest t;
	struct change ch = {"acknowledged", "tanaka@kk.test", DO_STEP, CASE_STEP_DISPATCH,
	                    &tanaka,        NULL,             {0}};

	run(&t, &ch);
	cr_assert_eq(ch.res.verdict, CASEWORK_DONE);
	cr_assert_eq(count(&t, "SELECT count(*) FROM events WHERE kind = 'dispatch_requested'"), 1);
	cr_assert_eq(count(&t, "SELECT count(*) FROM events WHERE kind = 'on_the_way'"), 1);
	storetest_close(&t);
}

Test(casework, a_resolve_by_a_coordinator_tells_the_specialist_who_had_the_case)
{
	struct storetest t;
	struct change ch = {"onsite", "tanaka@kk.test", DO_STEP, CASE_STEP_RESOLVE,
	                    &kenji,   NULL,             {0}};
	char s[512];

	run(&t, &ch);
	cr_assert_eq(ch.res.verdict, CASEWORK_DONE);
	cr_assert(ch.res.settled);
	text(&t,
	     "SELECT unseal(recipient, 'outbox.recipient') || ' ' || unseal(body, 'outbox.body')"
	     " FROM outbox WHERE kind = 'reply'",
	     s);
	cr_assert_not_null(strstr(s, "tanaka@kk.test"), "%s", s);
	cr_assert_not_null(strstr(s, "a coordinator (kenji) recorded this case as resolved"), "%s",
	                   s);
	storetest_close(&t);
}

Test(casework, a_reassign_sends_the_details_to_the_new_one_and_tells_the_old_one)
{
	struct storetest t;
	struct change same = {"acknowledged", "tanaka@kk.test", DO_REASSIGN, 0, &kenji,
	                      "tanaka@kk.test", {0}};
	struct change ch = {"acknowledged", "tanaka@kk.test", DO_REASSIGN, 0, &kenji,
	                    "suzuki@kk.test", {0}};
	char s[512];

	run(&t, &same);
	cr_assert_eq(same.res.verdict, CASEWORK_SAME);
	storetest_close(&t);

	run(&t, &ch);
	cr_assert_eq(ch.res.verdict, CASEWORK_DONE);
	text(&t, "SELECT assigned_to FROM cases", s);
	cr_assert_str_eq(s, "suzuki@kk.test");
	text(&t, "SELECT unseal(recipient, 'outbox.recipient') FROM outbox WHERE kind = 'contact'",
	     s);
	cr_assert_str_eq(s, "suzuki@kk.test");
	text(&t, "SELECT unseal(recipient, 'outbox.recipient') FROM outbox WHERE kind = 'taken'", s);
	cr_assert_str_eq(s, "tanaka@kk.test");
	cr_assert_eq(count(&t, "SELECT count(*) FROM events WHERE kind = 'reassigned'"), 1);
	storetest_close(&t);
}
