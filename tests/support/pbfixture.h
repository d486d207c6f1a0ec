/* SPDX-License-Identifier: ISC */
/*
 * pbfixture — the project's own playbooks ($KK_SRC/playbooks) and rosters
 * from CSV text, for unit tests; asserts when either does not load.
 */
#ifndef KK_PBFIXTURE_H
#define KK_PBFIXTURE_H

#include "playbook.h"
#include "roster.h"

/* The shipped playbooks while a suite set up with pbfixture_setup runs;
 * NULL before and after. */
extern struct playbook_set *pbfixture_set;

/* A suite's .init and .fini: load the shipped playbooks into
 * pbfixture_set, and free them again. */
void pbfixture_setup(void);
void pbfixture_teardown(void);

/* The shipped playbooks (free with playbook_set_free). */
struct playbook_set *pbfixture_load(void);

/* A roster parsed from CSV against pbfixture_set (free with roster_free). */
struct roster *pbfixture_roster(const char *csv);

#endif
