/* SPDX-License-Identifier: ISC */
/*
 * case_flow — the states of a case and the steps between them; see
 * case_flow.h.
 */
#include "case_flow.h"

#include <errno.h>
#include <string.h>

static const char *const state_names[] = {
    [CASE_NEW] = "new",
    [CASE_ALERTED] = "alerted",
    [CASE_ACKNOWLEDGED] = "acknowledged",
    [CASE_CONTACTED] = "contacted",
    [CASE_ON_THE_WAY] = "on_the_way",
    [CASE_ONSITE] = "onsite",
    [CASE_VISITED] = "visited",
    [CASE_RESOLVED] = "resolved",
};

#define NSTATES (sizeof state_names / sizeof state_names[0])

const char *case_state_name(enum case_state s)
{
	return (size_t)s < NSTATES ? state_names[s] : NULL;
}

int case_state_parse(const char *name, enum case_state *out)
{
	for (size_t i = 0; name != NULL && i < NSTATES; i++)
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum case_state)i;
			return 0;
		}
	return -EINVAL;
}

/*
 * The table: for each step, the state it leads to and the states it may be
 * taken from (a bit per state).
 */
#define S(x) (1u << (x))

static const struct {
	enum case_state to;
	unsigned from;
} steps[] = {
    [CASE_STEP_ACK] = {CASE_ACKNOWLEDGED, S(CASE_NEW) | S(CASE_ALERTED)},
    [CASE_STEP_CONTACTED] = {CASE_CONTACTED, S(CASE_NEW) | S(CASE_ALERTED) | S(CASE_ACKNOWLEDGED) |
                                                 S(CASE_CONTACTED)},
    [CASE_STEP_DISPATCH] = {CASE_ON_THE_WAY, S(CASE_ACKNOWLEDGED) | S(CASE_CONTACTED) |
                                                 S(CASE_ON_THE_WAY) | S(CASE_VISITED)},
    [CASE_STEP_ONSITE] = {CASE_ONSITE, S(CASE_ACKNOWLEDGED) | S(CASE_CONTACTED) |
                                           S(CASE_ON_THE_WAY) | S(CASE_ONSITE) | S(CASE_VISITED)},
    [CASE_STEP_LEAVE] = {CASE_VISITED, S(CASE_ONSITE)},
    [CASE_STEP_RESOLVE] = {CASE_RESOLVED, S(CASE_NEW) | S(CASE_ALERTED) | S(CASE_ACKNOWLEDGED) |
                                              S(CASE_CONTACTED) | S(CASE_ON_THE_WAY) |
                                              S(CASE_ONSITE) | S(CASE_VISITED)},
    [CASE_STEP_ALERT] = {CASE_ALERTED, S(CASE_NEW)},
};

int case_flow_next(enum case_state from, enum case_step step, enum case_state *to)
{
	if ((size_t)step >= sizeof steps / sizeof steps[0] || (size_t)from >= NSTATES)
		return -EINVAL;
	if (from == CASE_RESOLVED)
		return -EALREADY;
	if ((steps[step].from & S(from)) == 0)
		return -EPERM;
	*to = steps[step].to;
	return 0;
}

const char *case_flow_refusal(enum case_state from, enum case_step step, enum lang lang)
{
	bool ja = lang == LANG_JA;

	if (from == CASE_RESOLVED)
		return ja ? "この相談はすでに解決済みです。" : "this case is already resolved.";
	switch (step) {
	case CASE_STEP_CONTACTED:
		return ja ? "現地対応がすでに始まっているため、連絡済みには戻せません。"
		          : "the visit has already begun: the case cannot go back to contacted.";
	case CASE_STEP_LEAVE:
		return ja ? "現地にいる記録がありません。先に「現着」を送ってください。"
		          : "nobody is recorded on site: send \"onsite\" first.";
	case CASE_STEP_DISPATCH:
		if (from == CASE_ONSITE)
			return ja ? "すでに現地にいます。" : "already on site.";
		break;
	case CASE_STEP_ACK:
		return ja ? "すでに引き受けられています。" : "this case is already taken.";
	default: break;
	}
	return ja ? "まだ誰も引き受けていません。先に引き受けてください。"
	          : "nobody has this case yet: it must be taken first.";
}
