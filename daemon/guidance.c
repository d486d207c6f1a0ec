/* SPDX-License-Identifier: ISC */
/*
 * guidance — fits a playbook to a reporter's answers; see guidance.h.
 *
 * The legal clock for the Personal Information Protection Commission (whether
 * a report is required, the preliminary and final dates, overdue) is ppc.c's;
 * this module puts it into the PPC entry.
 */
#include "guidance.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

#define GUIDANCE_TEXT_MAX 4096

static bool applies(enum pb_when when, const struct guidance_facts *f, bool *conditional)
{
	*conditional = false;
	switch (when) {
	case PB_WHEN_ALWAYS: return true;
	case PB_WHEN_MONEY:
		*conditional = f->money_involved == TRI_UNKNOWN;
		return f->money_involved != TRI_NO;
	case PB_WHEN_PERSONAL_DATA:
		*conditional = f->personal_data == TRI_UNKNOWN;
		return f->personal_data != TRI_NO;
	}
	return false;
}

/* Replaces "{police}" in HOW with the prefecture's police. */
static int fill_how(struct buf *b, const char *how, const char *police)
{
	const char *p;
	int rc = 0;

	while ((p = strstr(how, "{police}")) != NULL && rc == 0) {
		rc = buf_append(b, how, (size_t)(p - how));
		if (rc == 0)
			rc = buf_puts(b, police);
		how = p + strlen("{police}");
	}
	return rc == 0 ? buf_puts(b, how) : rc;
}

/* The prefecture's own cybercrime desk, as its official page gives it, with
 * the date that page was read. */
static int desk_text(struct buf *b, const struct pb_cyber_desk *d, enum lang lang)
{
	bool ja = lang == LANG_JA;
	int rc = buf_printf(b, " %s", d->name.s[lang]);

	if (rc == 0 && d->phone != NULL)
		rc = buf_printf(b, ja ? "(電話 %s" : " (phone %s", d->phone);
	if (rc == 0 && d->phone != NULL && d->hours.s[lang] != NULL)
		rc = buf_printf(b, ja ? "、%s" : ", %s", d->hours.s[lang]);
	if (rc == 0 && d->phone != NULL)
		rc = buf_puts(b, ")");
	if (rc == 0 && d->url != NULL)
		rc = buf_printf(b, ": %s", d->url);
	if (rc == 0)
		rc = buf_printf(b, ja ? "(%s 確認)。" : " (checked %s).", d->checked);
	return rc;
}

static int add_report(struct guidance *g, const struct pb_target *t, const struct guidance_facts *f,
                      bool conditional)
{
	struct guidance_report *r;
	struct buf b;
	int rc;

	for (size_t i = 0; i < g->nreport; i++)
		if (g->report[i].target == t)
			return 0;
	if (g->nreport == GUIDANCE_MAX_REPORTS)
		return 0;
	r = &g->report[g->nreport];
	memset(r, 0, sizeof *r);
	r->target = t;
	r->conditional = conditional;
	buf_init(&b, GUIDANCE_TEXT_MAX);
	if (conditional && strcmp(t->id, "bank") == 0)
		rc = buf_puts(&b, g->lang == LANG_JA
		                      ? "お金を送った・カードや口座の情報を入力した場合："
		                      : "If money was sent or card or bank details were entered: ");
	else if (conditional && strcmp(t->id, "ppc") == 0)
		rc = buf_puts(&b, g->lang == LANG_JA ? "個人情報が関係している可能性があるため："
		                                     : "Because personal data may be involved: ");
	else
		rc = 0;
	if (rc == 0)
		rc = fill_how(&b, t->how.s[g->lang],
		              g->pref != NULL      ? g->pref->police.s[g->lang]
		              : g->lang == LANG_JA ? "所在地の都道府県警察"
		                                   : "your prefecture's police");
	if (rc == 0 && strcmp(t->id, "police") == 0 && g->pref != NULL &&
	    g->pref->cyber_desk.present)
		rc = desk_text(&b, &g->pref->cyber_desk, g->lang);
	if (rc == 0 && t->legal_deadline) {
		struct ppc_facts pf = f->ppc;

		pf.malicious_type = g->pb->malicious;
		ppc_assess(&pf, f->now_ms, &r->clock);
		r->has_deadline = r->clock.applies;
		rc = ppc_text(&r->clock, g->lang, &b);
	}
	if (rc < 0) {
		buf_fini(&b);
		return rc;
	}
	r->text = buf_steal(&b);
	if (r->text == NULL)
		return -ENOMEM;
	g->nreport++;
	return 0;
}

void guidance_facts_of_input(const struct case_input *in, struct guidance_facts *f)
{
	f->incident_type = in->incident_type;
	f->prefecture = in->prefecture;
	f->money_involved = in->money_involved;
	f->personal_data = in->personal_data;
	ppc_facts_of_input(in, false, &f->ppc);
	f->now_ms = text_now_ms();
}

void guidance_facts_of_record(const struct case_record *rec, struct guidance_facts *f)
{
	f->incident_type = rec->incident_type;
	f->prefecture = rec->prefecture;
	f->money_involved = rec->money_involved;
	f->personal_data = rec->personal_data;
	ppc_facts_of_record(rec, false, &f->ppc);
	f->now_ms = text_now_ms();
}

int guidance_build(struct guidance *g, const struct playbook_set *set,
                   const struct guidance_facts *f, enum lang lang)
{
	int rc;

	memset(g, 0, sizeof *g);
	g->lang = lang;
	g->pb = playbook_find(set, f->incident_type);
	g->pref = playbook_prefecture(set, f->prefecture);
	if (g->pb == NULL)
		return -ENOENT;
	/* Money sent: recovery odds fall by the hour, so the bank comes first. */
	if (f->money_involved == TRI_YES) {
		const struct pb_target *bank = playbook_target(set, "bank");

		if (bank != NULL) {
			rc = add_report(g, bank, f, false);
			if (rc < 0)
				goto bad;
		}
	}
	for (size_t i = 0; i < g->pb->nreport_to; i++) {
		const struct pb_target *t = playbook_target(set, g->pb->report_to[i].target);
		bool conditional;

		if (t == NULL || !applies(g->pb->report_to[i].when, f, &conditional))
			continue;
		rc = add_report(g, t, f, conditional);
		if (rc < 0)
			goto bad;
	}
	/* Personal data may be involved: the legal clock applies whatever the type. */
	if (f->personal_data != TRI_NO) {
		const struct pb_target *ppc = playbook_target(set, "ppc");

		if (ppc != NULL) {
			rc = add_report(g, ppc, f, f->personal_data == TRI_UNKNOWN);
			if (rc < 0)
				goto bad;
		}
	}
	return 0;
bad:
	guidance_fini(g);
	return rc;
}

void guidance_fini(struct guidance *g)
{
	for (size_t i = 0; i < g->nreport; i++)
		free(g->report[i].text);
	g->nreport = 0;
}

const char *guidance_callback_text(enum lang lang)
{
	return lang == LANG_JA
	           ? "専門家から折り返しお電話します。電話に出られるようにしておいてください。"
	             "その間、上の手順を順番に進めてください。"
	           : "A specialist will call you back. Keep your phone at hand, and work through "
	             "the "
	             "steps above in order while you wait.";
}

static json_t *items_json(const struct pb_item *items, size_t n, enum lang lang, bool with_sources)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(items[i].id));
		json_object_set_new(o, "text", json_string(items[i].text.s[lang]));
		if (with_sources) {
			json_t *src = json_array();

			for (size_t s = 0; items[i].sources != NULL && items[i].sources[s] != NULL;
			     s++)
				json_array_append_new(src, json_string(items[i].sources[s]));
			json_object_set_new(o, "sources", src);
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The PPC entry's "deadline": whether a report is required and why, and
 * the dates with their state; no dates when none is due or the moment the
 * company knew is not known. */
static json_t *deadline_json(const struct ppc_clock *c, enum lang lang)
{
	json_t *o = json_object();
	struct buf why;
	const char *reason;

	buf_init(&why, 2048);
	ppc_duty_text(c, lang, &why);
	reason = why.data != NULL ? why.data : "";
	while (*reason == ' ')
		reason++;
	json_object_set_new(o, "reportable", json_string(ppc_reportable_name(c->reportable)));
	json_object_set_new(o, "reasons", ppc_reasons_json(c->reasons));
	json_object_set_new(o, "reason", json_string(reason));
	buf_fini(&why);
	json_object_set_new(o, "notify_individuals",
	                    json_boolean(c->reportable != PPC_NOT_REQUIRED));
	if (c->reportable == PPC_NOT_REQUIRED)
		return o;
	json_object_set_new(o, "known_at", c->dated ? json_string(c->known_date) : json_null());
	json_object_set_new(o, "overdue", json_boolean(c->prelim_overdue || c->final_overdue));
	json_object_set_new(o, "preliminary",
	                    json_pack("{s:o,s:b,s:b,s:b}", "due",
	                              c->dated ? json_string(c->prelim_due) : json_null(),
	                              "as_soon_as_possible", 1, "approximate", 1, "overdue",
	                              c->prelim_overdue));
	json_object_set_new(o, "final",
	                    json_pack("{s:o,s:i,s:b}", "due",
	                              c->dated ? json_string(c->final_due) : json_null(), "days",
	                              c->final_days, "overdue", c->final_overdue));
	return o;
}

json_t *guidance_to_json(const struct guidance *g, const char *callback)
{
	json_t *o = json_object();
	json_t *reports = json_array();

	json_object_set_new(o, "playbook", json_string(g->pb->id));
	json_object_set_new(o, "title", json_string(g->pb->name.s[g->lang]));
	json_object_set_new(o, "lang", json_string(lang_code(g->lang)));
	json_object_set_new(o, "steps", items_json(g->pb->steps, g->pb->nsteps, g->lang, true));
	json_object_set_new(o, "dont", items_json(g->pb->dont, g->pb->ndont, g->lang, true));
	json_object_set_new(o, "evidence",
	                    items_json(g->pb->evidence, g->pb->nevidence, g->lang, true));
	for (size_t i = 0; i < g->nreport; i++) {
		const struct guidance_report *r = &g->report[i];
		json_t *it = json_object();

		json_object_set_new(it, "target", json_string(r->target->id));
		json_object_set_new(it, "name", json_string(r->target->name.s[g->lang]));
		json_object_set_new(it, "text", json_string(r->text));
		if (r->conditional)
			json_object_set_new(it, "conditional", json_true());
		if (r->has_deadline)
			json_object_set_new(it, "deadline", deadline_json(&r->clock, g->lang));
		json_array_append_new(reports, it);
	}
	json_object_set_new(o, "report_to", reports);
	json_object_set_new(
	    o, "callback",
	    json_string(callback != NULL ? callback : guidance_callback_text(g->lang)));
	return o;
}
