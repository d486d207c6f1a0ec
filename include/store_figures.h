/* SPDX-License-Identifier: ISC */
/*
 * store_figures — each case's response clocks as the store keeps them
 * (table case_clocks, kept by triggers as cases and events are written; see
 * store.c's migration 3), numbered by change so that stats.c can load them
 * all at start and then only what changed.
 */
#ifndef KK_STORE_FIGURES_H
#define KK_STORE_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

#define STORE_CLOCKS 5 /* guidance, ack, contact, onsite, resolve */

struct store_clock_row {
	int64_t case_id, seq, received_ms;
	const char *prefecture, *incident_type, *channel, *acked_by; /* borrowed */
	int64_t us[STORE_CLOCKS];                                    /* microseconds */
	bool stopped[STORE_CLOCKS];                                  /* false: still running */
	bool onsite_from_received;
	int64_t escalations;
};

/*
 * On the loop: CB for every case whose clocks changed after AFTER_SEQ (0:
 * every case), by change, or by case when AFTER_SEQ is 0. Returns 0, CB's
 * non-zero value, or a negative errno.
 */
int store_clocks_each(struct store *st, int64_t after_seq,
                      int (*cb)(void *arg, const struct store_clock_row *r), void *arg);

#endif
