/* SPDX-License-Identifier: ISC */
/*
 * cacao — CACAO 2.0 export; see cacao.h.
 *
 * CACAO requires RFC 4122 version 4 identifiers for steps. Ours have the
 * version-4 layout with bits from a BLAKE2b hash of a stable name instead
 * of a random source, so re-exporting an unchanged playbook gives the same
 * document, which keeps diffs and imports in other tools quiet.
 */
#include "cacao.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void stable_id(char *out, size_t n, const char *type, const char *name)
{
	unsigned char h[16];

	crypto_generichash(h, sizeof h, (const unsigned char *)name, strlen(name),
	                   (const unsigned char *)"kakekomi-cacao-v1", 17);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x40);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	snprintf(out, n, "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         type, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11],
	         h[12], h[13], h[14], h[15]);
}

static json_t *source_refs(const struct playbook_set *set, const char *const *sources)
{
	json_t *refs = json_array();

	for (size_t i = 0; sources != NULL && sources[i] != NULL; i++) {
		const struct pb_source *s = playbook_source(set, sources[i]);
		json_t *r;

		if (s == NULL)
			continue;
		r = json_pack("{s:s,s:s}", "name", s->title, "external_id", s->tag);
		if (s->url[0] != '\0')
			json_object_set_new(r, "url", json_string(s->url));
		json_array_append_new(refs, r);
	}
	return refs;
}

static json_t *action(const char *name, const char *agent, const char *ja, const char *en,
                      json_t *refs, const char *next)
{
	json_t *cmd = json_pack("{s:s,s:s,s:s,s:s}", "type", "manual", "playbook_activity",
	                        "deliver-content", "command", ja, "description", en);

	if (refs != NULL && json_array_size(refs) != 0)
		json_object_set(cmd, "external_references", refs);
	json_decref(refs);
	return json_pack("{s:s,s:s,s:s,s:[o],s:s}", "type", "action", "name", name, "agent", agent,
	                 "commands", cmd, "on_completion", next);
}

json_t *cacao_export(const struct playbook_set *set, const struct playbook *pb)
{
	char id[128], start[128], end[128], agent[128], creator[128], key[256], cur[128], next[128];
	char stamp[32];
	json_t *workflow = json_object();
	json_t *doc;
	json_t *refs = json_array();

	snprintf(key, sizeof key, "playbook:%s", pb->id);
	stable_id(id, sizeof id, "playbook", key);
	snprintf(key, sizeof key, "start:%s", pb->id);
	stable_id(start, sizeof start, "start", key);
	snprintf(key, sizeof key, "end:%s", pb->id);
	stable_id(end, sizeof end, "end", key);
	stable_id(agent, sizeof agent, "individual", "agent:reporter");
	stable_id(creator, sizeof creator, "identity", "identity:kakekomi");
	snprintf(stamp, sizeof stamp, "%.10sT00:00:00.000Z", pb->updated);

	/* start -> step 1 -> ... -> step N -> report -> end */
	snprintf(key, sizeof key, "step:%s:%s", pb->id, pb->steps[0].id);
	stable_id(cur, sizeof cur, "action", key);
	json_object_set_new(workflow, start,
	                    json_pack("{s:s,s:s}", "type", "start", "on_completion", cur));
	for (size_t i = 0; i < pb->nsteps; i++) {
		char name[64];

		if (i + 1 < pb->nsteps) {
			snprintf(key, sizeof key, "step:%s:%s", pb->id, pb->steps[i + 1].id);
			stable_id(next, sizeof next, "action", key);
		} else {
			snprintf(key, sizeof key, "report:%s", pb->id);
			stable_id(next, sizeof next, "action", key);
		}
		snprintf(name, sizeof name, "Step %zu / 手順%zu", i + 1, i + 1);
		json_object_set_new(workflow, cur,
		                    action(name, agent, pb->steps[i].text.s[LANG_JA],
		                           pb->steps[i].text.s[LANG_EN],
		                           source_refs(set, pb->steps[i].sources), next));
		memcpy(cur, next, sizeof cur);
	}
	{
		char ja[4096] = "", en[4096] = "";
		size_t lj = 0, le = 0;

		for (size_t i = 0; i < pb->nreport_to; i++) {
			const struct pb_target *t = playbook_target(set, pb->report_to[i].target);
			const char *cond[] = {"", "(お金が関係する場合)",
			                      "(個人情報が関係する場合)"};
			const char *cond_en[] = {"", " (if money is involved)",
			                         " (if personal data may be involved)"};
			int w;

			if (t == NULL)
				continue;
			w = snprintf(ja + lj, sizeof ja - lj, "%s%s%s", lj != 0 ? "、" : "",
			             t->name.s[LANG_JA], cond[pb->report_to[i].when]);
			if (w > 0 && (size_t)w < sizeof ja - lj)
				lj += (size_t)w;
			w = snprintf(en + le, sizeof en - le, "%s%s%s", le != 0 ? "; " : "",
			             t->name.s[LANG_EN], cond_en[pb->report_to[i].when]);
			if (w > 0 && (size_t)w < sizeof en - le)
				le += (size_t)w;
		}
		{
			char cj[4200], ce[4200];

			snprintf(cj, sizeof cj, "次の窓口に連絡・報告してください: %s。", ja);
			snprintf(ce, sizeof ce, "Report to: %s.", en);
			json_object_set_new(workflow, cur,
			                    action("Report / 報告する", agent, cj, ce, NULL, end));
		}
	}
	json_object_set_new(workflow, end, json_pack("{s:s}", "type", "end"));

	/* Every source the playbook cites, once. */
	for (size_t i = 0; i < pb->nsteps; i++) {
		for (size_t s = 0; pb->steps[i].sources != NULL && pb->steps[i].sources[s] != NULL;
		     s++) {
			const struct pb_source *src = playbook_source(set, pb->steps[i].sources[s]);
			bool seen = false;
			size_t k;
			json_t *e;

			if (src == NULL)
				continue;
			json_array_foreach(refs, k, e)
			{
				if (strcmp(json_string_value(json_object_get(e, "external_id")),
				           src->tag) == 0)
					seen = true;
			}
			if (!seen) {
				json_t *r = json_pack("{s:s,s:s}", "name", src->title,
				                      "external_id", src->tag);

				if (src->url[0] != '\0')
					json_object_set_new(r, "url", json_string(src->url));
				json_array_append_new(refs, r);
			}
		}
	}

	doc =
	    json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s,s],s:[s],s:s,s:s,s:s,s:[s,s,s,s],s:o,s:s,s:o}",
	              "type", "playbook", "spec_version", "cacao-2.0", "id", id, "name",
	              pb->name.s[LANG_EN], "description", pb->summary.s[LANG_EN], "playbook_types",
	              "mitigation", "notification", "playbook_activities", "deliver-content",
	              "created_by", creator, "created", stamp, "modified", stamp, "labels",
	              "audience:sme-staff", "lang:ja", "lang:en", "incident-type",
	              "external_references", refs, "workflow_start", start, "workflow", workflow);
	if (doc == NULL)
		return NULL;
	{
		char label[64];
		json_t *labels = json_object_get(doc, "labels");

		snprintf(label, sizeof label, "incident-type:%s", pb->id);
		json_array_set_new(labels, 3, json_string(label));
	}
	json_object_set_new(doc, "agent_definitions",
	                    json_pack("{s:{s:s,s:s}}", agent, "type", "individual", "name",
	                              "Reporter (SME staff) / 通報者"));
	return doc;
}
