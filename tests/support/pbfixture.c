/* SPDX-License-Identifier: ISC */
/*
 * pbfixture — playbooks, rosters and temporary files for unit tests; see
 * pbfixture.h.
 */
#include "pbfixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct playbook_set *pbfixture_set;

struct playbook_set *pbfixture_load(void)
{
	const char *src = getenv("KK_SRC");
	struct playbook_set *set = NULL;
	char dir[4096];
	struct buf errors;

	snprintf(dir, sizeof dir, "%s/playbooks", src != NULL ? src : ".");
	buf_init(&errors, 65536);
	cr_assert_eq(playbook_set_load(dir, &set, &errors), 0, "%s", errors.data);
	buf_fini(&errors);
	return set;
}

void pbfixture_setup(void)
{
	pbfixture_set = pbfixture_load();
}

void pbfixture_teardown(void)
{
	playbook_set_free(pbfixture_set);
	pbfixture_set = NULL;
}

char *pbfixture_tmpfile(const char *text)
{
	char *path = strdup("/tmp/kk-test-XXXXXX");
	int fd;

	cr_assert_not_null(path);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

void pbfixture_tmpfile_free(char *path)
{
	if (path == NULL)
		return;
	unlink(path);
	free(path);
}

struct roster *pbfixture_roster(const char *csv)
{
	struct roster *r = NULL;
	struct buf errors;

	buf_init(&errors, 65536);
	cr_assert_eq(roster_parse(csv, strlen(csv), pbfixture_set, &r, &errors), 0, "%s",
	             errors.data);
	buf_fini(&errors);
	return r;
}
