/* SPDX-License-Identifier: ISC */
/*
 * metrics_counters — the process's own counters; see metrics_counters.h.
 */
#include "metrics_counters.h"

#include <stdatomic.h>
#include <string.h>

static const char *const channels[METRICS_CHANNELS] = {"xmpp", "email", "webhook", "other"};
static atomic_uint_least64_t counts[3][METRICS_CHANNELS];

void metrics_alert_add(enum metrics_alert what, const char *channel, size_t n)
{
	unsigned c = METRICS_CHANNELS - 1;

	for (unsigned i = 0; channel != NULL && i + 1 < METRICS_CHANNELS; i++)
		if (strcmp(channel, channels[i]) == 0)
			c = i;
	if ((unsigned)what < 3 && n != 0)
		atomic_fetch_add_explicit(&counts[what][c], n, memory_order_relaxed);
}

void metrics_alert(enum metrics_alert what, const char *channel)
{
	metrics_alert_add(what, channel, 1);
}

const char *metrics_channel_name(unsigned c)
{
	return c < METRICS_CHANNELS ? channels[c] : "other";
}

uint64_t metrics_alert_count(enum metrics_alert what, unsigned c)
{
	if ((unsigned)what >= 3 || c >= METRICS_CHANNELS)
		return 0;
	return atomic_load_explicit(&counts[what][c], memory_order_relaxed);
}
