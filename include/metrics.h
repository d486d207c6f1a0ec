/* SPDX-License-Identifier: ISC */
/*
 * metrics — GET /metrics in the Prometheus text format (version 0.0.4).
 *
 * Two kinds of numbers. What the store knows is read from the figures'
 * index (stats.h), so it counts every case ever stored, whatever channel
 * it came through, and survives restarts: reports by channel, incident type
 * and region, escalations by region, and histograms of the time to first
 * guidance, to acknowledge and to first contact by region (buckets from
 * 1 s to 4 h). What only this process sees is counted by one-line hooks in
 * the modules where it happens: messages the delivery channels got out,
 * failed, or had to send again. Gauges are read at each scrape: open cases
 * and the outbox depth from the store, whether XMPP is connected.
 *
 * The hooks are metrics_counters.h, a leaf any module may call from any
 * thread; rendering runs on the loop.
 */
#ifndef KK_METRICS_H
#define KK_METRICS_H

#include "buf.h"
#include "metrics_counters.h"
#include "notify.h"
#include "playbook.h"
#include "stats.h"
#include "store.h"

/* What a scrape reads; NOTIFY may be NULL (then XMPP counts as down). */
struct metrics_sources {
	struct stats *stats;
	const struct playbook_set *set;
	struct store *store;
	const struct notify *notify;
};

/* Appends the whole exposition to B, bringing the index up to date first.
 * Returns 0, -E2BIG past B's cap, or -ENOMEM. */
int metrics_render(struct buf *b, const struct metrics_sources *src);

#endif
