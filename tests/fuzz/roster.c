/* SPDX-License-Identifier: ISC */
/*
 * roster.c — fuzz target: the roster import (roster_parse), CSV or JSON as
 * `kakekomictl roster import` reads it.
 *
 * Properties checked: a refusal says why; a roster that parses is written
 * back with roster_export_csv and that CSV parses again into the same
 * specialists (ids, JIDs, masks and flags), since the export is meant to be
 * imported again.
 */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "roster.h"

static void same_or_fail(const struct specialist *a, const struct specialist *b)
{
	if (strcmp(a->id, b->id) != 0 || strcmp(a->jid, b->jid) != 0 ||
	    strcmp(a->name, b->name) != 0 || a->pref_mask != b->pref_mask ||
	    a->type_mask != b->type_mask || a->lang_mask != b->lang_mask ||
	    a->onsite != b->onsite || a->first_consult_free != b->first_consult_free ||
	    a->active != b->active)
		fuzz_fail("the exported roster does not read back the same");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct playbook_set *set = fuzz_playbooks();
	struct roster *r = NULL, *again = NULL;
	struct buf errors, csv;
	int rc;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	buf_init(&errors, 1024 * 1024);
	rc = roster_parse((const char *)data, size, set, &r, &errors);
	if (rc == -EINVAL && errors.len == 0)
		fuzz_fail("a roster was refused without a reason");
	buf_reset(&errors);
	if (rc == 0) {
		buf_init(&csv, 16 * 1024 * 1024);
		if (roster_export_csv(r, &csv) < 0)
			fuzz_fail("a parsed roster cannot be exported");
		if (roster_parse(csv.data != NULL ? csv.data : "", csv.len, set, &again, &errors) <
		    0) {
			fprintf(stderr, "fuzz: export:\n%s\nread back:\n%s\n", csv.data,
			        errors.data != NULL ? errors.data : "");
			fuzz_fail("the exported roster does not parse");
		}
		if (again->n != r->n)
			fuzz_fail("the exported roster has another number of specialists");
		for (size_t i = 0; i < r->n; i++)
			same_or_fail(&r->v[i], &again->v[i]);
		roster_free(again);
		buf_fini(&csv);
		roster_free(r);
	}
	buf_fini(&errors);
	return 0;
}
