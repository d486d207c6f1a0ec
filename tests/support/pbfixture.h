/* SPDX-License-Identifier: ISC */
/*
 * pbfixture — the project's own playbooks ($KK_SRC/playbooks), rosters
 * from CSV text and temporary files, for unit tests; asserts when any of
 * them cannot be had.
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

/* A new temporary file holding TEXT; returns its path, for
 * pbfixture_tmpfile_free. Asserts on failure. */
char *pbfixture_tmpfile(const char *text);

/* Removes the file at PATH and frees PATH; accepts NULL. */
void pbfixture_tmpfile_free(char *path);

/* The shipped playbooks (free with playbook_set_free). */
struct playbook_set *pbfixture_load(void);

/* A roster parsed from CSV against pbfixture_set (free with roster_free). */
struct roster *pbfixture_roster(const char *csv);

#endif
