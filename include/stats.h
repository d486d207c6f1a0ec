/* SPDX-License-Identifier: ISC */
/*
 * stats — response-time figures over every case: for each clock (first
 * guidance, acknowledge, first contact, on site, resolve) the count,
 * median, 90th percentile, maximum and the number over its target, per
 * prefecture, region, incident type, specialist, intake channel or period
 * (JST day, week from Monday, month).
 *
 * Where the numbers come from: the store keeps one row per case in the
 * table case_clocks, filled by triggers as cases and events are inserted
 * (so every module that writes events feeds the figures without knowing
 * about them) and stamped with a sequence number that grows with every
 * change. This module keeps a columnar copy of that table in memory,
 * loaded once at start and brought up to date before each use from the
 * rows whose sequence number is above the last one seen. A query is then
 * a scan of a few flat arrays plus a selection per group, not a SQL
 * aggregate: reading 10^6 rows out of SQLite alone costs more than the
 * 200 ms budget, scanning them in memory a few milliseconds. The price is
 * memory, about 43 bytes per case (43 MB for 10^6 cases).
 *
 * Percentiles are by the nearest-rank method: the p-th percentile of n
 * values is the value at rank ceil(p / 100 * n) in ascending order, so it
 * is always one of the measured times (the median of an even count is the
 * lower of the two middle values).
 *
 * The same pass keeps what /metrics reports: reports by channel, type and
 * prefecture, escalations by prefecture, and histograms of three clocks.
 *
 * Loop thread only.
 */
#ifndef KK_STATS_H
#define KK_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "playbook.h"
#include "store.h"

enum stats_clock { STATS_GUIDANCE, STATS_ACK, STATS_CONTACT, STATS_ONSITE, STATS_RESOLVE };
#define STATS_CLOCKS 5

enum stats_group {
	STATS_BY_ALL, /* the total only */
	STATS_BY_PREFECTURE,
	STATS_BY_REGION,
	STATS_BY_TYPE,
	STATS_BY_SPECIALIST,
	STATS_BY_CHANNEL,
	STATS_BY_DAY,
	STATS_BY_WEEK,
	STATS_BY_MONTH,
};

#define STATS_PREFS           47
#define STATS_TYPES           (PLAYBOOK_TYPES + 1) /* the last one: any other */
#define STATS_CHANNELS        4                    /* web, api, chat, other */
#define STATS_PERIODS_MAX     400                  /* periods in one query */
#define STATS_SPECIALISTS_MAX 65000
#define STATS_KEY_MAX         256
/* Histogram bucket bounds of /metrics, in seconds: 1 s to 4 h. */
#define STATS_BUCKETS 13
extern const double stats_bucket_le[STATS_BUCKETS];
/* The clocks with a /metrics histogram: guidance, ack, contact. */
#define STATS_HIST_CLOCKS 3

struct stats;

/* One case as the index takes it (from the store, or from a test). */
struct stats_case {
	int64_t id;
	int64_t received_ms;
	const char *prefecture;       /* "01".."47"; anything else counts as unknown */
	const char *incident_type;    /* a playbook type, or anything (then "other") */
	const char *channel;          /* "web", "api", "chat", or anything ("other") */
	const char *specialist;       /* who acknowledged (bare JID), or NULL */
	double clock_s[STATS_CLOCKS]; /* seconds; negative while the clock runs */
	bool onsite_from_received;    /* no dispatch was recorded: on site counts from the report */
	unsigned escalations;         /* escalation steps after the first alert */
};

struct stats_figure {
	uint32_t count;                /* cases whose clock has stopped */
	uint32_t breaches;             /* of those, over the target */
	double median_s, p90_s, max_s; /* 0 when count is 0 */
};

struct stats_row {
	char key[STATS_KEY_MAX]; /* "27", "kinki", "ransomware", a JID, "web", "2026-11-22",
	                            "2026-11" */
	uint32_t cases;          /* received in the period */
	uint32_t onsite_from_received;
	struct stats_figure clock[STATS_CLOCKS];
};

struct stats_query {
	int64_t from_ms, to_ms; /* cases received in [from_ms, to_ms) */
	enum stats_group group;
	const struct playbook_set *set; /* the regions (STATS_BY_REGION); may be NULL otherwise */
	double target_s[STATS_CLOCKS];  /* 0: no target for that clock */
};

struct stats_result {
	enum stats_group group;
	int64_t from_ms, to_ms;
	struct stats_row total;
	struct stats_row *rows; /* every prefecture, region and type; specialists and channels with
	                           cases; every period in the range */
	size_t nrows;
	double elapsed_ms; /* how long the query took */
};

/* An empty index, not tied to a store (tests, benchmarks). Returns 0 or -ENOMEM. */
int stats_new(struct stats **out);

/*
 * An index of every case in ST, loaded now (on the loop; about a second per
 * million cases). ST must outlive it. Returns 0 or a negative errno.
 */
int stats_open(struct stats **out, struct store *st);

/* Reads the cases changed since the last load or refresh. No-op without a
 * store. Returns 0 or a negative errno (the index keeps what it had). */
int stats_refresh(struct stats *s);

/* Adds case C, or replaces the case with the same id. Strings are copied
 * where kept. Returns 0, -ENOMEM, or -E2BIG past STATS_SPECIALISTS_MAX. */
int stats_put(struct stats *s, const struct stats_case *c);

/* The number of cases in the index. */
size_t stats_count(const struct stats *s);

/*
 * Computes the figures of Q over the index as it is (call stats_refresh
 * first for the latest). Returns 0 with *OUT (free with stats_result_free),
 * -EINVAL for a bad range or a missing SET, -E2BIG for more than
 * STATS_PERIODS_MAX periods, or -ENOMEM.
 */
int stats_query(struct stats *s, const struct stats_query *q, struct stats_result **out);
void stats_result_free(struct stats_result *r);

/*
 * Counts the stopped clock C of the cases received in [FROM_MS, TO_MS) into
 * NBOUNDS + 1 bins: bin i holds values <= BOUNDS[i] (and above BOUNDS[i-1]),
 * the last bin everything above the last bound. BOUNDS ascend.
 */
void stats_histogram(const struct stats *s, enum stats_clock c, int64_t from_ms, int64_t to_ms,
                     const double *bounds, size_t nbounds, uint32_t *counts);

/* The nearest-rank percentile P (0 < P <= 100) of V[0..N), which is
 * reordered. N must be at least 1. */
double stats_percentile(float *v, size_t n, unsigned p);

/* ---- what /metrics reads, over every case in the index ---- */

struct stats_hist {
	uint64_t bucket[STATS_BUCKETS + 1]; /* not cumulative; the last one is above 4 h */
	uint64_t count;
	double sum_s;
};

/* PREF is 1..47, or 0 for an unknown prefecture; C < STATS_HIST_CLOCKS. */
const struct stats_hist *stats_hist(const struct stats *s, enum stats_clock c, unsigned pref);
uint64_t stats_reports(const struct stats *s, unsigned channel, unsigned type, unsigned pref);
uint64_t stats_escalations(const struct stats *s, unsigned pref);

/* Names: "guidance", "ack", "contact", "onsite", "resolve"; "prefecture",
 * "region", "type", "specialist", "channel", "day", "week", "month", "all";
 * channels "web", "api", "chat", "other"; types are playbook_types then
 * "other". */
const char *stats_clock_name(enum stats_clock c);
int stats_clock_parse(const char *s, enum stats_clock *out);
const char *stats_group_name(enum stats_group g);
int stats_group_parse(const char *s, enum stats_group *out);
const char *stats_channel_name(unsigned channel);
const char *stats_type_name(unsigned type);

/* The JST calendar day of MS as days since 1970-01-01, and back to UTC
 * milliseconds at that day's JST midnight. */
int64_t stats_jst_day(int64_t ms);
int64_t stats_jst_day_start(int64_t day);

void stats_free(struct stats *s);

#endif
