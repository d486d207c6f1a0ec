/* SPDX-License-Identifier: ISC */
/*
 * guidance — what a reporter is told at once: the playbook's first steps,
 * what not to do, what to keep, and whom to report to, fitted to their
 * answers (money sent puts the bank first; personal data adds the Personal
 * Information Protection Commission: whether a report is required, and the
 * dates counted from when the company knew (ppc.h); the police desk of their
 * prefecture).
 */
#ifndef KK_GUIDANCE_H
#define KK_GUIDANCE_H

#include <jansson.h>
#include <stdbool.h>

#include "case.h"
#include "playbook.h"
#include "ppc.h"

#define GUIDANCE_MAX_REPORTS 16

/* The answers that shape the guidance. */
struct guidance_facts {
	const char *incident_type;
	const char *prefecture;
	enum tri money_involved, personal_data;
	struct ppc_facts ppc; /* malicious_type is set from the playbook */
	int64_t now_ms;       /* for "overdue" (UTC) */
};

struct guidance_report {
	const struct pb_target *target;
	char *text;        /* how to report, placeholders filled, dates added (malloc'd) */
	bool conditional;  /* shown because the answer was "don't know" */
	bool has_deadline; /* the PPC entry: clock below is set */
	struct ppc_clock clock;
};

struct guidance {
	enum lang lang;
	const struct playbook *pb;
	const struct pb_prefecture *pref; /* NULL when the reporter did not say */
	struct guidance_report report[GUIDANCE_MAX_REPORTS];
	size_t nreport;
};

/* The facts of a new report, or of a stored case. */
void guidance_facts_of_input(const struct case_input *in, struct guidance_facts *f);
void guidance_facts_of_record(const struct case_record *rec, struct guidance_facts *f);

/*
 * Builds the guidance for F in LANG from SET. The result borrows from SET
 * (keep the set alive while G is used) and owns its texts: release with
 * guidance_fini. An unknown prefecture gives the police in general terms.
 * Returns 0, -ENOENT when the incident type is unknown to SET, or -ENOMEM.
 */
int guidance_build(struct guidance *g, const struct playbook_set *set,
                   const struct guidance_facts *f, enum lang lang);
void guidance_fini(struct guidance *g);

/* The guidance as the API's "guidance" object (new reference), or NULL. */
json_t *guidance_to_json(const struct guidance *g, const char *callback);

/* Text for "a specialist will call you back" in LANG (static). */
const char *guidance_callback_text(enum lang lang);

#endif
