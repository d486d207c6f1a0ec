/* SPDX-License-Identifier: ISC */
/* Unit tests: the escalation plan on a real store: whom the first step
 * alerts, how a step with nobody in it is skipped, when nobody at all can
 * be alerted, and the timer that moves an unanswered case on. */
#include <criterion/criterion.h>
#include <string.h>

#include "escalate.h"
#include "pbfixture.h"
#include "store_cases.h"
#include "storetest.h"
#include "text.h"

TestSuite(escalate, .init = pbfixture_setup, .fini = pbfixture_teardown);

/* a: Osaka; k: Kyoto (Kinki, Osaka's region); t: Tokyo. */
static const char *const people = "id,name,jid,prefectures,specialties,languages,active\n"
                                  "a,A,a@example.jp,27,,ja,\n"
                                  "k,K,k@example.jp,26,,ja,\n"
                                  "t,T,t@example.jp,13,,ja,\n";

struct relay {
	struct storetest t;
	struct config cfg;
	struct roster *roster;
	struct services sv;
	struct escalate *e;
	struct store_case_new nc; /* the case reported */
};

static void relay_start(struct relay *r, const char *csv, bool coordinator, unsigned wait_ms)
{
	static char coord[] = "coord@example.jp";

	memset(r, 0, sizeof *r);
	storetest_open(&r->t);
	if (coordinator) {
		r->cfg.esc_coordinators[0] = coord;
		r->cfg.esc_ncoordinators = 1;
	}
	r->cfg.esc_repeat = 1;
	r->cfg.esc_wait_ms[0] = r->cfg.esc_wait_ms[1] = r->cfg.esc_wait_ms[2] = wait_ms;
	r->cfg.esc_nwaits = 3;
	r->roster = csv != NULL ? pbfixture_roster(csv) : NULL;
	r->sv = (struct services){&r->t.loop, &r->cfg, r->t.st, &pbfixture_set, &r->roster,
	                          NULL, NULL, NULL};
	cr_assert_eq(escalate_start(&r->e, &r->sv), 0);
}

static void relay_close(struct relay *r)
{
	escalate_stop(r->e);
	storetest_close(&r->t);
	roster_free(r->roster);
}

struct stored {
	bool done;
	int status;
	struct escalate *e;
	struct escalate_plan *plan;
};

static void on_stored(void *arg, int status)
{
	struct stored *s = arg;

	escalate_plan_done(s->e, s->plan, status);
	s->done = true;
	s->status = status;
}

/* A new malware case in PREF, stored with its first step as intake does. */
static void report_case(struct relay *r, const char *pref, struct store_case_new *nc)
{
	static char company[] = "c", name[] = "n", phone[] = "0612345678";
	static struct case_input in;
	struct stored s = {false, 0, r->e, NULL};

	in = (struct case_input){.incident_type = "malware",
	                         .noticed = NOTICED_NOW,
	                         .noticed_at_ms = text_now_ms(),
	                         .company = company,
	                         .name = name,
	                         .phone = phone,
	                         .lang = LANG_JA,
	                         .channel = "api"};
	snprintf(in.prefecture, sizeof in.prefecture, "%s", pref);
	memset(nc, 0, sizeof *nc);
	nc->in = &in;
	nc->received_ms = text_now_ms();
	nc->token_expires_ms = nc->received_ms + 86400000;
	s.plan = escalate_plan_first(r->e, &in, nc->received_ms);
	cr_assert_not_null(s.plan);
	escalate_plan_bind(s.plan, nc);
	nc->after = escalate_tx_first;
	nc->after_arg = s.plan;
	cr_assert_eq(store_case_insert(r->t.st, nc, on_stored, &s), 0);
	while (!s.done)
		uv_run(&r->t.loop, UV_RUN_ONCE);
	cr_assert_eq(s.status, 0);
}

/* Escalation over a store, alerting CSV's people (and a coordinator),
 * WAIT_MS per step, and a new case reported in PREF. */
static void relay_open(struct relay *r, const char *csv, bool coordinator, unsigned wait_ms,
                       const char *pref)
{
	relay_start(r, csv, coordinator, wait_ms);
	report_case(r, pref, &r->nc);
}

static int on_int(void *arg, struct store_row *row)
{
	*(int64_t *)arg = store_row_int(row, 0);
	return 0;
}

static int64_t count(struct relay *r, const char *sql)
{
	int64_t n = -1;

	cr_assert_eq(store_read(r->t.st, sql, on_int, &n, ""), 0, "%s", sql);
	return n;
}

static int64_t alerts_to(struct relay *r, const char *jid)
{
	int64_t n = -1;

	cr_assert_eq(store_read(r->t.st,
	                        "SELECT count(*) FROM outbox WHERE kind = 'alert' AND recipient = $1",
	                        on_int, &n, "t", jid),
	             0);
	return n;
}

/* The first step goes to the narrowest circle that has anybody in it: the
 * prefecture's on-call (Osaka), else the region's pool (Nara, Kinki: Kyoto),
 * with the timer armed for the next. */
Test(escalate, the_first_step_alerts_the_nearest_circle_with_anybody_and_arms_the_timer)
{
	static const struct {
		const char *pref, *alerted, *not_alerted, *why;
		int step;
	} rows[] = {
	    {"27", "a@example.jp", "k@example.jp", "Osaka's specialist first", 0},
	    {"29", "k@example.jp", "t@example.jp", "nobody in Nara: the region's pool", 1},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct relay r;
		int64_t step = -1;

		relay_open(&r, people, true, 60000, rows[i].pref);
		cr_assert_eq(alerts_to(&r, rows[i].alerted), 1, "%s", rows[i].why);
		cr_assert_eq(alerts_to(&r, rows[i].not_alerted), 0, "%s", rows[i].why);
		cr_assert_eq(alerts_to(&r, "coord@example.jp"), 0, "%s", rows[i].why);
		cr_assert_eq(count(&r, "SELECT count(*) FROM events WHERE kind = 'routed'"), 1,
		             "%s: the first alerts are the routing, whatever the step", rows[i].why);
		cr_assert_eq(count(&r, "SELECT count(*) FROM events WHERE kind = 'escalated'"), 0,
		             "%s: nothing was escalated", rows[i].why);
		cr_assert_eq(count(&r, "SELECT count(*) FROM cases WHERE state = 'alerted'"
		                       " AND esc_round = 0 AND esc_due_ms IS NOT NULL"),
		             1);
		step = count(&r, "SELECT esc_step FROM cases");
		cr_assert_eq(step, rows[i].step, "%s: step %lld", rows[i].why, (long long)step);
		cr_assert_eq(escalate_armed(r.e), 1u);
		relay_close(&r);
	}
}

Test(escalate, with_nobody_to_alert_at_all_the_case_waits_for_a_coordinator)
{
	struct relay r;

	relay_open(&r, NULL, false, 60000, "27");
	cr_assert_eq(count(&r, "SELECT count(*) FROM outbox WHERE kind = 'alert'"), 0);
	cr_assert_eq(count(&r, "SELECT count(*) FROM events WHERE kind = 'escalation_exhausted'"),
	             1, "the timeline says nobody could be alerted");
	cr_assert_eq(escalate_armed(r.e), 0u, "no timer for a case nobody can answer");
	relay_close(&r);
}

Test(escalate, an_unanswered_step_moves_on_to_the_region_then_the_coordinators)
{
	struct relay r;
	int64_t deadline;

	relay_open(&r, people, true, 50, "27");
	deadline = text_now_ms() + 10000;
	while (alerts_to(&r, "coord@example.jp") == 0) {
		cr_assert_lt(text_now_ms(), deadline, "the case never reached the coordinators");
		uv_run(&r.t.loop, UV_RUN_ONCE);
	}
	cr_assert_eq(alerts_to(&r, "a@example.jp"), 1);
	cr_assert_eq(alerts_to(&r, "k@example.jp"), 1, "the region before the coordinators");
	cr_assert_eq(count(&r, "SELECT count(*) FROM events WHERE kind = 'escalated'"), 2);
	relay_close(&r);
}
