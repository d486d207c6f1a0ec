/* SPDX-License-Identifier: ISC */
/* Unit tests: the one table of a case's states and the steps between them. */
#include <criterion/criterion.h>
#include <errno.h>

#include "case_flow.h"

Test(case_flow, a_case_moves_forward_through_a_visit_and_is_resolved)
{
	static const struct {
		enum case_step step;
		enum case_state to;
	} path[] = {
	    {CASE_STEP_ALERT, CASE_ALERTED},
	    {CASE_STEP_ACK, CASE_ACKNOWLEDGED},
	    {CASE_STEP_CONTACTED, CASE_CONTACTED},
	    {CASE_STEP_DISPATCH, CASE_ON_THE_WAY},
	    {CASE_STEP_ONSITE, CASE_ONSITE},
	    {CASE_STEP_LEAVE, CASE_VISITED},
	    /* A second visit. */
	    {CASE_STEP_DISPATCH, CASE_ON_THE_WAY},
	    {CASE_STEP_RESOLVE, CASE_RESOLVED},
	};
	enum case_state s = CASE_NEW;

	for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
		cr_assert_eq(case_flow_next(s, path[i].step, &s), 0, "step %zu", i);
		cr_assert_eq(s, path[i].to, "step %zu", i);
	}
}

Test(case_flow, no_step_goes_back_and_nothing_leaves_resolved)
{
	static const struct {
		enum case_state from;
		enum case_step step;
		const char *why;
	} refused[] = {
	    {CASE_ONSITE, CASE_STEP_CONTACTED, "contacted once someone is on site"},
	    {CASE_VISITED, CASE_STEP_CONTACTED, "contacted after a visit"},
	    {CASE_ON_THE_WAY, CASE_STEP_CONTACTED, "contacted with someone on the way"},
	    {CASE_CONTACTED, CASE_STEP_LEAVE, "leaving a site nobody is on"},
	    {CASE_ONSITE, CASE_STEP_DISPATCH, "sent while already on site"},
	    {CASE_ACKNOWLEDGED, CASE_STEP_ACK, "acknowledged twice"},
	    {CASE_CONTACTED, CASE_STEP_ALERT, "alerted again once contacted"},
	};
	enum case_state to = CASE_NEW;

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		cr_assert_eq(case_flow_next(refused[i].from, refused[i].step, &to), -EPERM, "%s",
		             refused[i].why);
	for (int step = CASE_STEP_ACK; step <= CASE_STEP_ALERT; step++)
		cr_assert_eq(case_flow_next(CASE_RESOLVED, (enum case_step)step, &to), -EALREADY);
	cr_assert_eq(to, CASE_NEW, "a refusal leaves the state alone");
}

Test(case_flow, every_state_has_one_stored_name_and_refusals_say_why)
{
	for (int s = CASE_NEW; s <= CASE_RESOLVED; s++) {
		enum case_state back;

		cr_assert_not_null(case_state_name((enum case_state)s));
		cr_assert_eq(case_state_parse(case_state_name((enum case_state)s), &back), 0);
		cr_assert_eq(back, s);
	}
	cr_assert_eq(case_state_parse("escalated", &(enum case_state){0}), -EINVAL);
	cr_assert_str_eq(case_flow_refusal(CASE_ONSITE, CASE_STEP_CONTACTED, LANG_EN),
	                 "the visit has already begun: the case cannot go back to contacted.");
}
