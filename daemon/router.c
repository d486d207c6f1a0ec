/* SPDX-License-Identifier: ISC */
/*
 * router — picks whom to alert; see router.h.
 */
#include "router.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "oncall.h"

const char *router_step_name(enum router_step step)
{
	static const char *const names[] = {[ROUTER_PREFECTURE] = "prefecture",
	                                    [ROUTER_REGION] = "region",
	                                    [ROUTER_NATIONAL] = "national"};

	return (size_t)step < sizeof names / sizeof names[0] ? names[step] : "national";
}

static int type_index(const char *type)
{
	for (int i = 0; i < PLAYBOOK_TYPES; i++)
		if (strcmp(playbook_types[i], type) == 0)
			return i;
	return -1;
}

/* Whether S can take a case of type TYPE in language LANG. "unknown" cases
 * go to anyone: nobody knows yet what skill they need. */
static bool fits(const struct specialist *s, const struct router_case *c)
{
	int t = type_index(c->incident_type);

	if (!s->active)
		return false;
	if ((s->lang_mask & (1u << c->lang)) == 0)
		return false;
	if (t < 0 || strcmp(c->incident_type, "unknown") == 0)
		return true;
	return (s->type_mask & (1u << t)) != 0;
}

static void add(struct router_result *out, const char *jid, const char *id, const char *why)
{
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->p[i].jid, jid) == 0)
			return;
	if (out->n == ROUTER_MAX)
		return;
	snprintf(out->p[out->n].jid, sizeof out->p[out->n].jid, "%s", jid);
	snprintf(out->p[out->n].id, sizeof out->p[out->n].id, "%s", id);
	snprintf(out->p[out->n].why, sizeof out->p[out->n].why, "%s", why);
	out->n++;
}

int router_pick(const struct roster *roster, const struct playbook_set *set,
                const struct config *cfg, const struct router_case *c, enum router_step step,
                int64_t at_ms, struct router_result *out)
{
	const struct pb_prefecture *pref = playbook_prefecture(set, c->prefecture);

	memset(out, 0, sizeof *out);
	out->step = step;
	if (pref == NULL && step != ROUTER_NATIONAL) {
		/* A chat report that never said where: only the coordinators can place it. */
		snprintf(out->summary, sizeof out->summary,
		         "prefecture not known: skipped the %s step", router_step_name(step));
		return 0;
	}
	switch (step) {
	case ROUTER_PREFECTURE: {
		struct oncall oc;
		size_t skipped = 0;

		if (roster == NULL || oncall_at(roster, set, c->prefecture, at_ms, &oc) < 0) {
			snprintf(out->summary, sizeof out->summary,
			         "no roster: nobody on call for %s", c->prefecture);
			return 0;
		}
		for (size_t i = 0; i < oc.n; i++) {
			char why[200];

			if (!fits(oc.e[i].who, c)) {
				skipped++;
				continue;
			}
			snprintf(why, sizeof why, "on call for %s: %s", c->prefecture, oc.e[i].why);
			add(out, oc.e[i].who->jid, oc.e[i].who->id, why);
		}
		snprintf(out->summary, sizeof out->summary,
		         "%zu on call for %s (%s) fit %s/%s; %zu on call do not fit", out->n,
		         c->prefecture, pref->name.s[LANG_EN], c->incident_type, lang_code(c->lang),
		         skipped);
		return 0;
	}
	case ROUTER_REGION: {
		uint64_t region_mask = 0;

		for (size_t i = 0; i < playbook_prefecture_count(set); i++)
			if (playbook_prefecture_at(set, i)->region == pref->region)
				region_mask |= 1ULL << i;
		for (size_t i = 0; roster != NULL && i < roster->n; i++) {
			const struct specialist *s = &roster->v[i];
			char why[200];

			if ((s->pref_mask & region_mask) == 0 || !fits(s, c))
				continue;
			snprintf(why, sizeof why, "region pool %s: serves the region and fits %s",
			         pref->region->id, c->incident_type);
			add(out, s->jid, s->id, why);
		}
		snprintf(out->summary, sizeof out->summary, "%zu in the %s region pool fit %s/%s",
		         out->n, pref->region->id, c->incident_type, lang_code(c->lang));
		return 0;
	}
	case ROUTER_NATIONAL:
		for (size_t i = 0; i < cfg->esc_ncoordinators; i++)
			add(out, cfg->esc_coordinators[i], "coordinator", "national coordinator");
		snprintf(out->summary, sizeof out->summary, "%zu national coordinators", out->n);
		return 0;
	}
	return -EINVAL;
}
