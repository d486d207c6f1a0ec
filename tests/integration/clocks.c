/* SPDX-License-Identifier: ISC */
/*
 * clocks.c — the timeline is what coordinators measure response times
 * from. Every case must carry "received" and "guidance_delivered", the two
 * ends of the time-to-first-guidance clock. The times measured are printed
 * for information only: budgets belong to `make bench`, not to tests.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "harness.h"

#define CLOCK_CASES 20

TestSuite(clocks, .fini = harness_cleanup, .timeout = 90);

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a;
	long long y = *(const long long *)b;

	return (x > y) - (x < y);
}

Test(clocks, every_case_timeline_shows_when_first_guidance_was_delivered)
{
	struct harness_daemon *d = harness_daemon_new();
	long long gap[CLOCK_CASES];
	json_t *answers[CLOCK_CASES];

	harness_daemon_start(d);
	for (int i = 0; i < CLOCK_CASES; i++) {
		json_t *body = fixture_intake_new(fixture_incident_types[i % FIXTURE_TYPES],
		                                  i % 2 ? "en" : "ja");

		answers[i] = fixture_case_create(d, body);
		json_decref(body);
	}
	for (int i = 0; i < CLOCK_CASES; i++) {
		const char *ref = fixture_json_string(answers[i], "ref");
		json_t *doc = fixture_case_wait_event(
		    d, ref, fixture_json_string(answers[i], "token"), "guidance_delivered", 2000);
		long long received, delivered;

		cr_assert(fixture_timeline_at(doc, "received", &received),
		          "%s: the timeline should show when the report was received", ref);
		cr_assert(fixture_timeline_at(doc, "guidance_delivered", &delivered),
		          "%s: the timeline should show guidance_delivered within 2 s", ref);
		cr_assert(delivered >= received, "%s: guidance delivered before it was received",
		          ref);
		gap[i] = delivered - received;
		json_decref(doc);
		json_decref(answers[i]);
	}
	qsort(gap, CLOCK_CASES, sizeof gap[0], compare_ll);
	fprintf(stderr,
	        "clocks: time to first guidance over %d cases: median %lld ms, max %lld ms\n",
	        CLOCK_CASES, (gap[CLOCK_CASES / 2 - 1] + gap[CLOCK_CASES / 2]) / 2,
	        gap[CLOCK_CASES - 1]);
	harness_daemon_finish(d);
}
