/* SPDX-License-Identifier: ISC */
/*
 * storetest — a real store in a temporary folder for unit tests, with a
 * loop to run its write jobs to the end.
 */
#ifndef KK_STORETEST_H
#define KK_STORETEST_H

#include <uv.h>

#include "store.h"

struct storetest {
	char dir[64];
	uv_loop_t loop;
	struct store *st;
};

/* Opens a fresh store (and its key file) in a new temporary folder;
 * asserts on failure. */
void storetest_open(struct storetest *t);

/* Runs FN(ARG) as one write job and waits for it. Returns its status. */
int storetest_write(struct storetest *t, store_write_fn fn, void *arg);

/* Closes the store and removes the folder. */
void storetest_close(struct storetest *t);

#endif
