/* SPDX-License-Identifier: ISC */
/*
 * case_flow — the states of a case and the one table of the steps that
 * move it, for every path that changes a case: chat commands, dashboard
 * actions and escalation.
 *
 * A case moves forward: new → alerted (escalation's first alerts) →
 * acknowledged → contacted →
 * on_the_way → onsite → visited → resolved. A step that would take it back
 * (contacted once someone is on site) is refused, from chat and from the
 * dashboard alike, and the case says where it is. A second visit starts
 * again from on_the_way; nothing leaves resolved. Pure: no store, no I/O.
 */
#ifndef KK_CASE_FLOW_H
#define KK_CASE_FLOW_H

#include "case.h"

enum case_state {
	CASE_NEW,
	CASE_ALERTED,
	CASE_ACKNOWLEDGED,
	CASE_CONTACTED,
	CASE_ON_THE_WAY,
	CASE_ONSITE,
	CASE_VISITED,
	CASE_RESOLVED,
};

enum case_step {
	CASE_STEP_ACK,       /* a specialist takes it (or a coordinator assigns it) */
	CASE_STEP_CONTACTED, /* first contact with the reporter */
	CASE_STEP_DISPATCH,  /* on the way to the site */
	CASE_STEP_ONSITE,    /* arrived */
	CASE_STEP_LEAVE,     /* the visit is over */
	CASE_STEP_RESOLVE,
	CASE_STEP_ALERT, /* escalation alerted somebody: only a new case moves */
};

/* The state's stored name ("on_the_way" ...); NULL for a bad value. */
const char *case_state_name(enum case_state s);
/* The stored name → enum case_state. Returns 0 or -EINVAL. */
int case_state_parse(const char *name, enum case_state *out);

/*
 * The state STEP takes a case in FROM to, into *TO. Returns 0; -EALREADY
 * when the case is resolved; -EPERM when the step is not allowed from FROM
 * (contacted after the visit began, leaving a site nobody is on, a step
 * that needs someone to have the case first).
 */
int case_flow_next(enum case_state from, enum case_step step, enum case_state *to);

/* Why STEP is refused from FROM, for the person who asked, in LANG (static). */
const char *case_flow_refusal(enum case_state from, enum case_step step, enum lang lang);

#endif
