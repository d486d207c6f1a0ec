/* SPDX-License-Identifier: ISC */
/* Unit tests: the one table of a case's states and the steps between them. */
#include <criterion/criterion.h>
#include <errno.h>

#include "case_flow.h"

Test(case_flow, a_case_moves_forward_through_a_visit_and_is_resolved)
{
	enum case_state s = CASE_ALERTED;

	cr_assert_eq(case_flow_next(s, CASE_STEP_ACK, &s), 0);
	cr_assert_eq(s, CASE_ACKNOWLEDGED);
	cr_assert_eq(case_flow_next(s, CASE_STEP_CONTACTED, &s), 0);
	cr_assert_eq(s, CASE_CONTACTED);
	cr_assert_eq(case_flow_next(s, CASE_STEP_DISPATCH, &s), 0);
	cr_assert_eq(s, CASE_ON_THE_WAY);
	cr_assert_eq(case_flow_next(s, CASE_STEP_ONSITE, &s), 0);
	cr_assert_eq(case_flow_next(s, CASE_STEP_LEAVE, &s), 0);
	cr_assert_eq(s, CASE_VISITED);
	/* A second visit. */
	cr_assert_eq(case_flow_next(s, CASE_STEP_DISPATCH, &s), 0);
	cr_assert_eq(s, CASE_ON_THE_WAY);
	cr_assert_eq(case_flow_next(s, CASE_STEP_RESOLVE, &s), 0);
	cr_assert_eq(s, CASE_RESOLVED);
}

Test(case_flow, no_step_goes_back_and_nothing_leaves_resolved)
{
	enum case_state to = CASE_NEW;

	cr_assert_eq(case_flow_next(CASE_ONSITE, CASE_STEP_CONTACTED, &to), -EPERM,
	             "contacted once someone is on site");
	cr_assert_eq(case_flow_next(CASE_VISITED, CASE_STEP_CONTACTED, &to), -EPERM);
	cr_assert_eq(case_flow_next(CASE_ON_THE_WAY, CASE_STEP_CONTACTED, &to), -EPERM);
	cr_assert_eq(case_flow_next(CASE_CONTACTED, CASE_STEP_LEAVE, &to), -EPERM,
	             "leaving a site nobody is on");
	cr_assert_eq(case_flow_next(CASE_ONSITE, CASE_STEP_DISPATCH, &to), -EPERM);
	cr_assert_eq(case_flow_next(CASE_ACKNOWLEDGED, CASE_STEP_ACK, &to), -EPERM);
	for (int step = CASE_STEP_ACK; step <= CASE_STEP_RESOLVE; step++)
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
