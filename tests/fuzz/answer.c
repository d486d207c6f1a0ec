/* SPDX-License-Identifier: ISC */
/*
 * answer.c — fuzz target: a reporter's chat answer (answer.h) as the
 * conversation hands it over: the body trimmed (text_trim_dup) and folded
 * (text_fold_ascii), every parser tried in turn, as each question would.
 *
 * Properties checked: every parser either refuses or gives a value of its
 * range; a number is within its bounds; a time when the company knew is
 * never after "now" plus five minutes; a guessed type is a playbook type;
 * a prefecture is 1..47.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "fuzz.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct playbook_set *set = fuzz_playbooks();
	char *raw, *text, folded[1024];
	const char *type;
	enum tri t;
	enum noticed_kind k;
	enum lost_or_stolen los;
	int64_t at = -1;
	int n, rc;

	if (size > 4096)
		return 0;
	raw = fuzz_strndup(data, size);
	text = text_trim_dup(raw);
	if (text == NULL)
		fuzz_fail("out of memory");
	text_fold_ascii(text, folded, sizeof folded);
	(void)answer_is(folded, ANSWER_CANCEL);
	(void)answer_is(folded, ANSWER_HELP);
	(void)answer_is(folded, ANSWER_BACK);
	(void)answer_has_japanese(text);
	n = answer_number(folded, 47);
	if (n != -1 && (n < 1 || n > 47))
		fuzz_fail("a number outside 1..47");
	type = answer_guess_type(folded);
	if (type != NULL) {
		bool known = false;

		for (size_t i = 0; i < PLAYBOOK_TYPES; i++)
			known = known || strcmp(type, playbook_types[i]) == 0;
		if (!known)
			fuzz_fail("a guessed type that is not a playbook type");
	}
	rc = answer_tri(folded, &t);
	if (rc == 0 && t != TRI_YES && t != TRI_NO && t != TRI_UNKNOWN)
		fuzz_fail("a yes/no answer outside its range");
	rc = answer_noticed(folded, FUZZ_NOW_MS, &k, &at);
	if (rc != 0 && rc != -EINVAL && rc != -ERANGE)
		fuzz_fail("an unexpected error for a time");
	if (rc == 0 && k != NOTICED_UNKNOWN && at > FUZZ_NOW_MS + 5 * 60 * 1000)
		fuzz_fail("a time in the future was taken");
	rc = answer_lost(folded, &los);
	if (rc == 0 && los != LOS_LOST && los != LOS_STOLEN && los != LOS_UNKNOWN)
		fuzz_fail("lost or stolen outside its range");
	n = answer_prefecture(set, folded);
	if (n != -1 && (n < 1 || n > 47))
		fuzz_fail("a prefecture outside 1..47");
	free(text);
	free(raw);
	return 0;
}
