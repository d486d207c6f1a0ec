/* SPDX-License-Identifier: ISC */
/*
 * cacao_export.c — `kakekomictl playbook export-cacao ID` hands each
 * playbook to other tools (SOAR platforms, CSIRT partners) as an OASIS
 * CACAO 2.0 playbook. The checks follow the specification's rules and the
 * structure of tests/fixtures/cacao-example.json; the example itself must
 * pass them too, which keeps the checks honest.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <regex.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

#define UUID_ANY            "[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
#define UUID_V4             "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
#define PLAYBOOK_ID_PATTERN "^playbook--" UUID_ANY "$"
#define STEP_ID_PATTERN     "^[a-z][a-z0-9-]+[a-z0-9]--" UUID_V4 "$"
#define AGENT_ID_PATTERN    "^[a-z][a-z0-9-]+[a-z0-9]--" UUID_ANY "$"
#define TIMESTAMP_PATTERN   "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"

TestSuite(cacao_export, .fini = harness_cleanup, .timeout = 60);

/* Every property a CACAO 2.0 playbook may have at its top level. */
static const char *const playbook_properties[] = {
    "type",
    "spec_version",
    "id",
    "name",
    "description",
    "playbook_types",
    "playbook_activities",
    "playbook_processing_summary",
    "created_by",
    "created",
    "modified",
    "revoked",
    "valid_from",
    "valid_until",
    "derived_from",
    "related_to",
    "priority",
    "severity",
    "impact",
    "industry_sectors",
    "labels",
    "external_references",
    "markings",
    "data_marking_definitions",
    "playbook_variables",
    "workflow_start",
    "workflow_exception",
    "workflow",
    "playbook_extensions",
    "authentication_info_definitions",
    "agent_definitions",
    "target_definitions",
    "extension_definitions",
    "signatures",
};

static const char *const required_properties[] = {
    "id", "name", "created_by", "created", "modified", "workflow_start", "workflow",
};

/* One playbook id per parameterised run; copied by value into the worker. */
struct playbook_param {
	char id[32];
};

static struct playbook_param playbook_params[FIXTURE_TYPES] = {
    {"ransomware"}, {"malware"},   {"phishing"},    {"bec"},  {"unauthorized_access"},
    {"defacement"}, {"data_leak"}, {"lost_device"}, {"ddos"}, {"suspicious_email"},
    {"insider"},    {"unknown"},
};

static int matches(const char *pattern, const char *s)
{
	regex_t re;
	int ok;

	cr_assert(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) == 0, "regcomp %s", pattern);
	ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static int in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return 1;
	return 0;
}

static json_t *load_reference(void)
{
	char path[PATH_MAX];
	json_error_t err;
	json_t *doc;

	harness_path_src("tests/fixtures/cacao-example.json", path, sizeof path);
	doc = json_load_file(path, 0, &err);
	cr_assert(doc != NULL, "%s: %s", path, err.text);
	return doc;
}

/* Run the export and parse what it printed. Caller owns the result. */
static json_t *export_playbook(const char *id)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_output out;
	json_error_t err;
	json_t *doc;
	int status = harness_daemon_ctl(d, &out, "playbook", "export-cacao", id, NULL);

	cr_assert(status == 0, "kakekomictl playbook export-cacao %s: exit %d:\n%s", id, status,
	          out.err.data);
	doc = json_loadb(out.out.data, out.out.len, 0, &err);
	cr_assert(doc != NULL, "export of %s is not JSON (%s, line %d):\n%.2000s", id, err.text,
	          err.line, out.out.data);
	harness_output_fini(&out);
	harness_daemon_finish(d);
	return doc;
}

/* Top-level properties: kinds, formats, and nothing CACAO does not define. */
static void check_properties(const json_t *doc, const char *label)
{
	json_t *reference = load_reference();
	const char *key;
	json_t *v;
	const char *created, *modified;

	cr_assert(json_is_object(doc), "%s: a playbook is a JSON object", label);
	cr_assert_str_eq(fixture_json_string(doc, "type"), "playbook", "%s: type", label);
	cr_assert_str_eq(fixture_json_string(doc, "spec_version"), "cacao-2.0", "%s: spec_version",
	                 label);
	for (size_t i = 0; i < sizeof required_properties / sizeof required_properties[0]; i++)
		cr_assert(json_object_get(doc, required_properties[i]) != NULL,
		          "%s: required property %s is missing", label, required_properties[i]);
	json_object_foreach((json_t *)doc, key, v)
	{
		cr_assert(in_list(key, playbook_properties,
		                  sizeof playbook_properties / sizeof playbook_properties[0]),
		          "%s: \"%s\" is not a CACAO 2.0 playbook property", label, key);
	}
	json_object_foreach(reference, key, v)
	{
		cr_assert(json_object_get(doc, key) != NULL,
		          "%s: \"%s\" (present in the reference example) is missing", label, key);
	}
	cr_assert(matches(PLAYBOOK_ID_PATTERN, fixture_json_string(doc, "id")),
	          "%s: id \"%s\" should be playbook--<UUID v4 or v5>", label,
	          fixture_json_string(doc, "id"));
	cr_assert(strncmp(fixture_json_string(doc, "created_by"), "identity--", 10) == 0,
	          "%s: created_by \"%s\" should be an identity--", label,
	          fixture_json_string(doc, "created_by"));
	cr_assert(json_string_length(json_object_get(doc, "name")) > 0, "%s: name is empty", label);
	created = fixture_json_string(doc, "created");
	modified = fixture_json_string(doc, "modified");
	cr_assert(matches(TIMESTAMP_PATTERN, created),
	          "%s: created \"%s\" should look like 2025-01-01T00:00:00.000Z", label, created);
	cr_assert(matches(TIMESTAMP_PATTERN, modified),
	          "%s: modified \"%s\" should look like 2025-01-01T00:00:00.000Z", label, modified);
	cr_assert(strcmp(modified, created) >= 0, "%s: modified %s is before created %s", label,
	          modified, created);
	json_decref(reference);
}

/* The workflow: start → actions → end along on_completion, nothing left out. */
static void check_workflow(const json_t *doc, const char *label)
{
	json_t *workflow = json_object_get(doc, "workflow");
	const char *start = fixture_json_string(doc, "workflow_start");
	json_t *visited = json_object();
	const char *cur = start;
	size_t actions = 0;
	size_t steps;
	const char *key;
	json_t *step;

	cr_assert(json_is_object(workflow) && json_object_size(workflow) > 0,
	          "%s: workflow should be a non-empty object", label);
	steps = json_object_size(workflow);
	json_object_foreach(workflow, key, step)
	{
		const char *type = fixture_json_string(step, "type");
		size_t tlen = strlen(type);

		cr_assert(matches(STEP_ID_PATTERN, key),
		          "%s: step id \"%s\" should be <type>--<UUID v4>", label, key);
		cr_assert(strncmp(key, type, tlen) == 0 && strncmp(key + tlen, "--", 2) == 0,
		          "%s: step \"%s\" of type %s should be named %s--<UUID>", label, key, type,
		          type);
	}
	step = json_object_get(workflow, start);
	cr_assert(step != NULL, "%s: workflow_start \"%s\" is not a workflow step", label, start);
	cr_assert_str_eq(fixture_json_string(step, "type"), "start",
	                 "%s: workflow_start should point at a start step", label);
	for (size_t hops = 0;; hops++) {
		const char *type;

		cr_assert(hops <= steps, "%s: on_completion goes round in a loop", label);
		step = json_object_get(workflow, cur);
		cr_assert(step != NULL, "%s: on_completion points at \"%s\", not a workflow step",
		          label, cur);
		cr_assert(json_object_get(visited, cur) == NULL, "%s: step %s is reached twice",
		          label, cur);
		json_object_set_new(visited, cur, json_true());
		type = fixture_json_string(step, "type");
		if (strcmp(type, "end") == 0)
			break;
		if (hops == 0)
			cr_assert_str_eq(type, "start", "%s: the walk should begin at start",
			                 label);
		else
			cr_assert_str_eq(type, "action",
			                 "%s: step %s between start and end should be an action",
			                 label, cur);
		if (hops > 0)
			actions++;
		cr_assert(json_is_string(json_object_get(step, "on_completion")),
		          "%s: step %s (%s) has no on_completion", label, cur, type);
		cur = json_string_value(json_object_get(step, "on_completion"));
	}
	cr_assert(actions > 0, "%s: the workflow should have at least one action", label);
	json_object_foreach(workflow, key, step)
	{
		cr_assert(json_object_get(visited, key) != NULL,
		          "%s: step %s is never reached from workflow_start", label, key);
	}
	json_decref(visited);
}

/* Actions: manual commands for an agent that is defined. */
static void check_actions(const json_t *doc, const char *label)
{
	json_t *workflow = json_object_get(doc, "workflow");
	json_t *agents = json_object_get(doc, "agent_definitions");
	const char *key;
	json_t *step, *agent;

	cr_assert(json_is_object(agents) && json_object_size(agents) > 0,
	          "%s: agent_definitions should define the reporter", label);
	json_object_foreach(agents, key, agent)
	{
		const char *type = fixture_json_string(agent, "type");

		cr_assert(matches(AGENT_ID_PATTERN, key),
		          "%s: agent id \"%s\" should be <type>--<UUID>", label, key);
		cr_assert(strncmp(key, type, strlen(type)) == 0,
		          "%s: agent \"%s\" of type %s should be named %s--<UUID>", label, key,
		          type, type);
	}
	json_object_foreach(workflow, key, step)
	{
		json_t *commands = json_object_get(step, "commands");
		const char *who;
		size_t i;
		json_t *cmd;

		if (strcmp(fixture_json_string(step, "type"), "action") != 0)
			continue;
		cr_assert(json_is_array(commands) && json_array_size(commands) > 0,
		          "%s: action %s should have at least one command", label, key);
		json_array_foreach(commands, i, cmd)
		{
			cr_assert_str_eq(fixture_json_string(cmd, "type"), "manual",
			                 "%s: action %s command %zu should be manual", label, key,
			                 i);
			cr_assert(json_string_length(json_object_get(cmd, "command")) > 0,
			          "%s: action %s command %zu should say what to do", label, key, i);
		}
		who = fixture_json_string(step, "agent");
		cr_assert(json_object_get(agents, who) != NULL,
		          "%s: action %s names agent %s, which agent_definitions does not define",
		          label, key, who);
	}
}

/* A test run once for each shipped playbook: export it, then CHECK it. */
#define EXPORT_TEST(name, check)                                                                   \
	ParameterizedTestParameters(cacao_export, name)                                            \
	{                                                                                          \
		return cr_make_param_array(struct playbook_param, playbook_params, FIXTURE_TYPES); \
	}                                                                                          \
	ParameterizedTest(struct playbook_param *p, cacao_export, name)                            \
	{                                                                                          \
		json_t *doc = export_playbook(p->id);                                              \
                                                                                                   \
		check(doc, p->id);                                                                 \
		json_decref(doc);                                                                  \
	}

EXPORT_TEST(export_is_a_cacao_2_0_playbook_shaped_like_the_reference, check_properties)
EXPORT_TEST(export_workflow_runs_from_start_through_actions_to_end, check_workflow)
EXPORT_TEST(export_actions_are_manual_commands_for_a_defined_agent, check_actions)

Test(cacao_export, reference_example_passes_the_same_checks)
{
	json_t *doc = load_reference();

	check_properties(doc, "reference");
	check_workflow(doc, "reference");
	check_actions(doc, "reference");
	json_decref(doc);
}

Test(cacao_export, exporting_an_unknown_playbook_fails_with_a_message)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_output out;
	int status =
	    harness_daemon_ctl(d, &out, "playbook", "export-cacao", "alien_invasion", NULL);

	cr_assert(status == 1, "export of an unknown playbook should exit 1, got %d", status);
	cr_assert(out.err.len > 0, "export of an unknown playbook should say why on stderr");
	harness_output_fini(&out);
	harness_daemon_finish(d);
}
