/* SPDX-License-Identifier: ISC */
/*
 * pbfixture — the project's own playbooks ($KK_SRC/playbooks) and rosters
 * from CSV text, for unit tests; asserts when either does not load.
 */
#ifndef KK_PBFIXTURE_H
#define KK_PBFIXTURE_H

#include "playbook.h"
#include "roster.h"

/* The shipped playbooks (free with playbook_set_free). */
struct playbook_set *pbfixture_load(void);

/* A roster parsed from CSV against SET (free with roster_free). */
struct roster *pbfixture_roster(const struct playbook_set *set, const char *csv);

#endif
