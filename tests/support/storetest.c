/* SPDX-License-Identifier: ISC */
/*
 * storetest — a store for unit tests; see storetest.h.
 */
#include "storetest.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct wait {
	bool done;
	int status;
};

static void on_done(void *arg, int status)
{
	struct wait *w = arg;

	w->done = true;
	w->status = status;
}

void storetest_open(struct storetest *t)
{
	char path[128];

	snprintf(t->dir, sizeof t->dir, "%s", "/tmp/kk-store-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(path, sizeof path, "%s/kk.db", t->dir);
	cr_assert_eq(uv_loop_init(&t->loop), 0);
	cr_assert_eq(store_open(&t->st, &t->loop, path, NULL), 0);
}

int storetest_write(struct storetest *t, store_write_fn fn, void *arg)
{
	struct wait w = {false, 0};

	cr_assert_eq(store_write(t->st, fn, arg, on_done, &w), 0);
	while (!w.done)
		uv_run(&t->loop, UV_RUN_ONCE);
	return w.status;
}

void storetest_close(struct storetest *t)
{
	char cmd[128];

	store_close(t->st);
	uv_run(&t->loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&t->loop), 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	cr_assert_eq(system(cmd), 0);
}
