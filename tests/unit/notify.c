/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: the outbox dispatcher with a channel of the test's own,
 * defined only through the channel interface (notify.h), on a real store.
 * What a user would notice: a failed message is tried again later and
 * later, not hammered; one slow receiver gets a few messages at a time;
 * nothing the connection lost is lost; a row that can never go does not
 * hold the others back.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "notify.h"
#include "store_timeline.h"
#include "storetest.h"
#include "text.h"

#define MAX_SENT 64

/* The channel: it takes what it is given and remembers it; the test says
 * how each send ends. */
struct probe {
	struct notify *host;
	bool ready;
	int64_t sent[MAX_SENT];
	size_t nsent;
	int64_t refuse; /* a row id send refuses with -EINVAL */
};

static struct probe probe;

static bool p_configured(const struct config *cfg)
{
	(void)cfg;
	return true;
}

static int p_start(void **self, const struct notify_env *env)
{
	probe.host = env->host;
	*self = &probe;
	return 0;
}

static bool p_ready(const void *self)
{
	return ((const struct probe *)self)->ready;
}

static const char *p_target(const void *self, const struct notify_row *row)
{
	(void)self;
	return row->recipient;
}

static int p_send(void *self, const struct notify_row *row)
{
	struct probe *p = self;

	if (row->id == p->refuse)
		return -EINVAL;
	cr_assert_lt(p->nsent, MAX_SENT);
	p->sent[p->nsent++] = row->id;
	return 0;
}

static void p_stop(void *self)
{
	(void)self;
}

static const struct notify_channel probe_channel = {
    .name = "probe",
    .batch = 100,
    .max_inflight = 100,
    .configured = p_configured,
    .start = p_start,
    .ready = p_ready,
    .target = p_target,
    .send = p_send,
    .stop = p_stop,
};
static const struct notify_channel *const table[] = {&probe_channel};
static const struct notify_events no_events;

struct world {
	struct storetest t;
	struct config *cfg;
	struct roster *roster;
	struct notify *n;
};

struct rows {
	const char *to;
	int count;
	int64_t ids[16];
};

static int tx_rows(struct store_tx *tx, void *arg)
{
	struct rows *r = arg;

	for (int i = 0; i < r->count; i++) {
		struct store_outbox_new o = {.channel = "probe",
		                             .recipient = r->to,
		                             .kind = "note",
		                             .body = "a message",
		                             .created_ms = text_now_ms()};

		r->ids[i] = store_outbox_add(tx, &o);
		if (r->ids[i] <= 0)
			return -EIO;
	}
	return 0;
}

static void start(struct world *w, bool ready)
{
	memset(&probe, 0, sizeof probe);
	probe.ready = ready;
	storetest_open(&w->t);
	cr_assert_eq(config_load(NULL, &w->cfg, NULL), 0);
	w->roster = NULL;
	cr_assert_eq(notify_start_with(&w->n, &w->t.loop, w->cfg, w->t.st, &w->roster, &no_events,
	                               NULL, table, 1),
	             0);
}

/* The channel comes up (READY) or goes down, and says so. */
static void set_ready(struct world *w, bool ready)
{
	probe.ready = ready;
	notify_channel_ready(w->n, "probe", ready);
}

static void add(struct world *w, struct rows *r)
{
	cr_assert_eq(storetest_write(&w->t, tx_rows, r), 0);
	notify_kick(w->n);
}

/* Runs the loop until the channel has been handed N rows in all, or 5 s. */
static void until_sent(struct world *w, size_t n)
{
	int64_t end = text_now_ms() + 5000;

	while (probe.nsent < n && text_now_ms() < end)
		uv_run(&w->t.loop, UV_RUN_ONCE);
	cr_assert_eq(probe.nsent, n, "handed %zu rows, expected %zu", probe.nsent, n);
}

/* Runs the loop until the dispatcher has nothing of its own under way. */
static void settle(struct world *w)
{
	int64_t end = text_now_ms() + 5000;

	while (notify_pending(w->n) > 0 && text_now_ms() < end)
		uv_run(&w->t.loop, UV_RUN_NOWAIT);
	cr_assert_eq(notify_pending(w->n), 0);
}

struct outcome {
	int64_t id, attempts, next_try_ms;
	char state[16], error[64];
};

static int on_outcome(void *arg, struct store_row *row)
{
	struct outcome *o = arg;

	o->attempts = store_row_int(row, 0);
	o->next_try_ms = store_row_is_null(row, 1) ? 0 : store_row_int(row, 1);
	snprintf(o->state, sizeof o->state, "%s", store_row_text(row, 2));
	snprintf(o->error, sizeof o->error, "%s",
	         store_row_text(row, 3) != NULL ? store_row_text(row, 3) : "");
	return 0;
}

static struct outcome outcome_of(struct world *w, int64_t id)
{
	struct outcome o = {.id = id};

	cr_assert_eq(store_read(w->t.st,
	                        "SELECT attempts, next_try_ms, state, last_error FROM outbox"
	                        " WHERE id = $1",
	                        on_outcome, &o, "i", id),
	             0);
	return o;
}

static void stop(struct world *w)
{
	notify_stop(w->n);
	config_free(w->cfg);
	storetest_close(&w->t);
}

Test(notify, a_failed_message_waits_one_second_then_two_and_goes_again_with_its_reason_kept)
{
	struct world w;
	struct rows r = {.to = "https://hooks.example/a", .count = 1};
	int64_t before;
	struct outcome o;

	start(&w, true);
	add(&w, &r);
	until_sent(&w, 1);
	before = text_now_ms();
	notify_channel_done(w.n, r.ids[0], NOTIFY_RETRY, "HTTP 500");
	settle(&w);
	o = outcome_of(&w, r.ids[0]);
	cr_assert_str_eq(o.state, "pending");
	cr_assert_str_eq(o.error, "HTTP 500");
	cr_assert_eq(o.attempts, 1);
	cr_assert_geq(o.next_try_ms, before + 1000);
	cr_assert_leq(o.next_try_ms, text_now_ms() + 1000);
	/* Not before its time: the kicks of other commits do not send it. */
	notify_kick(w.n);
	uv_run(&w.t.loop, UV_RUN_NOWAIT);
	cr_assert_eq(probe.nsent, 1);
	until_sent(&w, 2);
	cr_assert_geq(text_now_ms(), o.next_try_ms);
	before = text_now_ms();
	notify_channel_done(w.n, r.ids[0], NOTIFY_RETRY, "timed out");
	settle(&w);
	o = outcome_of(&w, r.ids[0]);
	cr_assert_eq(o.attempts, 2);
	cr_assert_geq(o.next_try_ms, before + 2000, "the second wait is twice the first");
	until_sent(&w, 3);
	notify_channel_done(w.n, r.ids[0], NOTIFY_TAKEN, NULL);
	settle(&w);
	o = outcome_of(&w, r.ids[0]);
	cr_assert_str_eq(o.state, "sent");
	cr_assert_str_eq(o.error, "", "a message that went has no error left");
	cr_assert_eq(o.attempts, 3);
	stop(&w);
}

Test(notify, one_receiver_gets_four_messages_at_a_time_and_the_next_when_one_is_taken)
{
	struct world w;
	struct rows slow = {.to = "https://slow.example/", .count = 6};
	struct rows other = {.to = "https://other.example/", .count = 1};

	start(&w, true);
	add(&w, &slow);
	add(&w, &other);
	until_sent(&w, 5);
	for (size_t i = 0; i < probe.nsent; i++)
		cr_assert_neq(probe.sent[i], slow.ids[4],
		              "a fifth message went to the slow receiver");
	notify_channel_done(w.n, slow.ids[0], NOTIFY_TAKEN, NULL);
	until_sent(&w, 6);
	cr_assert_eq(probe.sent[5], slow.ids[4]);
	stop(&w);
}

Test(notify, what_a_dropped_connection_lost_goes_again_when_it_is_back_and_counts_no_attempt)
{
	struct world w;
	struct rows r = {.to = "someone@kk.test", .count = 2};

	start(&w, false);
	add(&w, &r);
	uv_run(&w.t.loop, UV_RUN_NOWAIT);
	cr_assert_eq(probe.nsent, 0, "nothing goes to a channel that is not ready");
	set_ready(&w, true);
	until_sent(&w, 2);
	notify_channel_done(w.n, r.ids[0], NOTIFY_TAKEN, NULL);
	set_ready(&w, false);
	settle(&w);
	cr_assert_str_eq(outcome_of(&w, r.ids[0]).state, "sent");
	set_ready(&w, true);
	until_sent(&w, 3);
	cr_assert_eq(probe.sent[2], r.ids[1],
	             "only the message the server had not taken goes again");
	cr_assert_eq(outcome_of(&w, r.ids[1]).attempts, 0);
	stop(&w);
}

Test(notify, a_message_that_can_never_go_stays_waiting_and_does_not_hold_the_others_back)
{
	struct world w;
	struct rows r = {.to = "someone@kk.test", .count = 3};

	start(&w, false);
	add(&w, &r);
	probe.refuse = r.ids[0];
	set_ready(&w, true);
	until_sent(&w, 2);
	cr_assert_eq(probe.sent[0], r.ids[1]);
	cr_assert_eq(probe.sent[1], r.ids[2]);
	cr_assert_str_eq(outcome_of(&w, r.ids[0]).state, "pending");
	stop(&w);
}
