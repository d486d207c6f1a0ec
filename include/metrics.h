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
 * The hooks are safe from any thread (atomic counters); rendering runs on
 * the loop.
 */
#ifndef KK_METRICS_H
#define KK_METRICS_H

#include "buf.h"
#include "notify.h"
#include "playbook.h"
#include "stats.h"
#include "store.h"

enum metrics_alert { METRICS_ALERT_SENT, METRICS_ALERT_FAILED, METRICS_ALERT_RETRIED };

/* One outbox message through CHANNEL ("xmpp", "email", "webhook"; anything
 * else counts as "other") was sent, failed for good, or is being sent again. */
void metrics_alert(enum metrics_alert what, const char *channel);
/* The same for N messages at once. */
void metrics_alert_add(enum metrics_alert what, const char *channel, size_t n);

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
