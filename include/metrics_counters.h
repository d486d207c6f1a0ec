/* SPDX-License-Identifier: ISC */
/*
 * metrics_counters — what only this process sees, counted where it happens:
 * outbox messages a delivery channel got out, gave up on, or sends again.
 * A leaf: depends on nothing; safe from any thread (atomic counters).
 * metrics.c renders them.
 */
#ifndef KK_METRICS_COUNTERS_H
#define KK_METRICS_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

enum metrics_alert { METRICS_ALERT_SENT, METRICS_ALERT_FAILED, METRICS_ALERT_RETRIED };

#define METRICS_CHANNELS 4 /* "xmpp", "email", "webhook", "other" */

/* One outbox message through CHANNEL ("xmpp", "email", "webhook"; anything
 * else counts as "other") was sent, failed for good, or is being sent again. */
void metrics_alert(enum metrics_alert what, const char *channel);
/* The same for N messages at once. */
void metrics_alert_add(enum metrics_alert what, const char *channel, size_t n);

/* The name of channel index C (0 .. METRICS_CHANNELS - 1), and its count. */
const char *metrics_channel_name(unsigned c);
uint64_t metrics_alert_count(enum metrics_alert what, unsigned c);

#endif
