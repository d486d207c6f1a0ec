/* SPDX-License-Identifier: ISC */
/*
 * api_json.c — fuzz target: the body of POST /api/v1/cases, down the path
 * of http_api_case_post (daemon/http_api.c): the UTF-8 check, json_loadb
 * with duplicate keys refused, the object check, the "lang" pick, then
 * intake_check (INTAKE_JSON) reading strings only, and the 400 answer with
 * every field at fault. The steps are repeated here because the handler
 * needs a live request; keep them in step with http_api.c.
 *
 * Properties checked: an accepted report has every required field, a
 * known type and prefecture, and valid UTF-8 text; a refusal names at
 * least one field and serialises.
 */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "intake.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct playbook_set *set = fuzz_playbooks();
	const char *text = (const char *)data;
	struct intake_errors errs;
	struct case_input in;
	enum lang lang = LANG_EN;
	json_error_t jerr;
	json_t *body, *answer, *all;
	char *dump;
	int rc;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	if (size == 0)
		text = "";
	if (!text_utf8_valid(text, size))
		return 0;
	body = json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL || !json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	{
		const char *l = json_string_value(json_object_get(body, "lang"));

		if (l != NULL)
			lang_parse(l, &lang);
	}
	rc = intake_check(set, INTAKE_JSON, intake_json_field, body, FUZZ_NOW_MS, &in, &errs);
	json_decref(body);
	if (rc == 0) {
		fuzz_check_input(set, &in);
		case_input_fini(&in);
		return 0;
	}
	if (rc != -EINVAL)
		return 0;
	if (errs.n == 0)
		fuzz_fail("refused without naming a field");
	all = json_array();
	for (size_t i = 0; i < errs.n; i++)
		json_array_append_new(all, json_pack("{s:s,s:s}", "field", errs.e[i].field, "error",
		                                     errs.e[i].msg[lang]));
	answer = json_pack("{s:s,s:s,s:o}", "error", errs.e[0].msg[lang], "field", errs.e[0].field,
	                   "errors", all);
	dump = answer != NULL ? json_dumps(answer, JSON_COMPACT) : NULL;
	if (dump == NULL)
		fuzz_fail("the 400 answer does not serialise");
	free(dump);
	json_decref(answer);
	return 0;
}
