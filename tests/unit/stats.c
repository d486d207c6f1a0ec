/* SPDX-License-Identifier: ISC */
/* Unit tests: the response-time figures coordinators read — nearest-rank
 * percentiles, groups by prefecture, region, type, specialist and period,
 * targets broken, and the metrics counters kept as cases change. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pbfixture.h"
#include "stats.h"
#include "text.h"

TestSuite(stats, .init = pbfixture_setup, .fini = pbfixture_teardown);

static int64_t at(const char *rfc3339)
{
	int64_t ms;

	cr_assert_eq(text_rfc3339_parse(rfc3339, &ms), 0, "%s", rfc3339);
	return ms;
}

/* A case received at WHEN in PREF, acknowledged after ACK_S (negative:
 * still running) by WHO. */
static void put(struct stats *s, int64_t id, int64_t when, const char *pref, const char *type,
                double ack_s, const char *who)
{
	struct stats_case c = {
	    .id = id,
	    .received_ms = when,
	    .prefecture = pref,
	    .incident_type = type,
	    .channel = "web",
	    .specialist = who,
	    .clock_s = {0.004, ack_s, -1, -1, -1},
	};

	cr_assert_eq(stats_put(s, &c), 0);
}

static struct stats_result *query(struct stats *s, enum stats_group g, int64_t from, int64_t to)
{
	struct stats_query q = {from, to, g, pbfixture_set, {5, 900, 1800, 0, 0}};
	struct stats_result *r = NULL;

	cr_assert_eq(stats_query(s, &q, &r), 0);
	return r;
}

static const struct stats_row *row(const struct stats_result *r, const char *key)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (strcmp(r->rows[i].key, key) == 0)
			return &r->rows[i];
	cr_assert_fail("no row %s", key);
	return NULL;
}

Test(stats, percentiles_are_nearest_rank_and_always_a_measured_value)
{
	float v[10] = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
	float one[1] = {42};
	float two[2] = {3, 1};
	float same[5] = {7, 7, 7, 7, 7};

	cr_expect_float_eq(stats_percentile(v, 10, 50), 5.0, 1e-9, "lower middle of 1..10");
	cr_expect_float_eq(stats_percentile(v, 10, 90), 9.0, 1e-9, "rank ceil(9.0) = 9");
	cr_expect_float_eq(stats_percentile(v, 10, 100), 10.0, 1e-9);
	cr_expect_float_eq(stats_percentile(one, 1, 50), 42.0, 1e-9);
	cr_expect_float_eq(stats_percentile(one, 1, 90), 42.0, 1e-9);
	cr_expect_float_eq(stats_percentile(two, 2, 50), 1.0, 1e-9);
	cr_expect_float_eq(stats_percentile(two, 2, 90), 3.0, 1e-9);
	cr_expect_float_eq(stats_percentile(same, 5, 90), 7.0, 1e-9, "runs of equal values");
}

Test(stats, percentiles_match_a_sort_on_many_values)
{
	enum { N = 10007 };
	float *v = malloc(N * sizeof *v), *sorted = malloc(N * sizeof *sorted);
	unsigned seed = 12345;

	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		v[i] = (float)((seed >> 8) % 3600); /* many repeats */
	}
	memcpy(sorted, v, N * sizeof *v);
	for (int i = 1; i < N; i++) /* insertion sort: slow, plainly right */
		for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			float t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (unsigned p = 1; p <= 100; p += 7) {
		size_t rank = (N * p + 99) / 100;

		cr_expect_float_eq(stats_percentile(v, N, p), sorted[rank - 1], 1e-9, "p%u", p);
	}
	free(v);
	free(sorted);
}

Test(stats, figures_per_prefecture_count_median_p90_max_and_breaches)
{
	struct stats *s;
	struct stats_result *r;
	const struct stats_row *osaka, *tokyo;
	int64_t t = at("2026-11-20T10:00:00+09:00");

	cr_assert_eq(stats_new(&s), 0);
	/* Osaka: acks after 1..10 minutes; two over the 15-minute target below. */
	for (int i = 1; i <= 10; i++)
		put(s, i, t + i * 1000, "27", "ransomware", i * 60.0, "osaka@kk.test");
	put(s, 11, t, "27", "phishing", 16 * 60.0, "osaka@kk.test");
	put(s, 12, t, "27", "phishing", 20 * 60.0, "kyoto@kk.test");
	/* Tokyo: one case still waiting for an ack. */
	put(s, 13, t, "13", "ransomware", -1, NULL);

	r = query(s, STATS_BY_PREFECTURE, t - 1000, t + 3600000);
	cr_assert_eq(r->nrows, 47, "every prefecture has a row, for the map");
	osaka = row(r, "27");
	tokyo = row(r, "13");
	cr_expect_eq(osaka->cases, 12);
	cr_expect_eq(osaka->clock[STATS_ACK].count, 12);
	cr_expect_float_eq(osaka->clock[STATS_ACK].median_s, 360.0, 1e-3, "rank 6 of 12");
	cr_expect_float_eq(osaka->clock[STATS_ACK].p90_s, 960.0, 1e-3, "rank 11 of 12");
	cr_expect_float_eq(osaka->clock[STATS_ACK].max_s, 1200.0, 1e-3);
	cr_expect_eq(osaka->clock[STATS_ACK].breaches, 2);
	cr_expect_eq(tokyo->cases, 1);
	cr_expect_eq(tokyo->clock[STATS_ACK].count, 0, "a running clock is not counted");
	cr_expect_eq(row(r, "01")->cases, 0);
	cr_expect_eq(r->total.cases, 13);
	cr_expect_eq(r->total.clock[STATS_ACK].count, 12);
	cr_expect_eq(r->total.clock[STATS_GUIDANCE].count, 13);
	cr_expect_eq(r->total.clock[STATS_GUIDANCE].breaches, 0);
	stats_result_free(r);
	stats_free(s);
}

Test(stats, groups_by_region_type_and_specialist)
{
	struct stats *s;
	struct stats_result *r;
	int64_t t = at("2026-11-20T10:00:00+09:00");

	cr_assert_eq(stats_new(&s), 0);
	put(s, 1, t, "27", "ransomware", 60, "osaka@kk.test");
	put(s, 2, t, "26", "phishing", 120, "kyoto@kk.test");
	put(s, 3, t, "13", "phishing", 180, "tokyo@kk.test");
	put(s, 4, t, "13", "no-such-type", -1, NULL);

	r = query(s, STATS_BY_REGION, t, t + 1);
	cr_expect_eq(r->nrows, 8, "the eight regions");
	cr_expect_eq(row(r, "kinki")->cases, 2);
	cr_expect_float_eq(row(r, "kinki")->clock[STATS_ACK].max_s, 120.0, 1e-3);
	cr_expect_eq(row(r, "kanto")->cases, 2);
	cr_expect_eq(row(r, "hokkaido")->cases, 0);
	stats_result_free(r);

	r = query(s, STATS_BY_TYPE, t, t + 1);
	cr_expect_eq(row(r, "phishing")->cases, 2);
	cr_expect_eq(row(r, "other")->cases, 1, "an unknown type is kept as other");
	cr_expect_eq(row(r, "ddos")->cases, 0);
	stats_result_free(r);

	r = query(s, STATS_BY_SPECIALIST, t, t + 1);
	cr_expect_eq(r->nrows, 3, "only specialists with cases");
	cr_expect_float_eq(row(r, "kyoto@kk.test")->clock[STATS_ACK].median_s, 120.0, 1e-3);
	stats_result_free(r);
	stats_free(s);
}

/* A period's row as expected: its key and, unless negative, its cases. */
struct period {
	const char *key;
	int cases;
};

/* Expects S grouped by GROUP from FROM to TO (RFC 3339) to give the N rows
 * WANT, in order. */
static void expect_periods(struct stats *s, enum stats_group group, const char *from,
                           const char *to, const struct period *want, size_t n)
{
	struct stats_result *r = query(s, group, at(from), at(to));

	cr_assert_eq(r->nrows, n, "%s to %s", from, to);
	for (size_t i = 0; i < n; i++) {
		cr_expect_str_eq(r->rows[i].key, want[i].key);
		if (want[i].cases >= 0)
			cr_expect_eq(r->rows[i].cases, (uint32_t)want[i].cases, "%s", want[i].key);
	}
	stats_result_free(r);
}

Test(stats, periods_are_jst_days_weeks_from_monday_and_months)
{
	static const struct period days[] = {{"2026-11-22", 1}, {"2026-11-23", 1}};
	/* 2026-11-16: the Monday that begins the week of Sunday the 22nd. */
	static const struct period weeks[] = {
	    {"2026-11-16", 1}, {"2026-11-23", 1}, {"2026-11-30", 1}};
	static const struct period months[] = {{"2026-11", 2}, {"2026-12", -1}};
	struct stats *s;

	cr_assert_eq(stats_new(&s), 0);
	/* 23:30 JST on Sunday 2026-11-22 is still the 22nd in Japan. */
	put(s, 1, at("2026-11-22T14:30:00Z"), "27", "ransomware", 60, NULL);
	/* 00:30 JST on Monday the 23rd, though the 22nd in UTC. */
	put(s, 2, at("2026-11-22T15:30:00Z"), "27", "ransomware", 120, NULL);
	put(s, 3, at("2026-12-01T03:00:00Z"), "27", "ransomware", 180, NULL);

	expect_periods(s, STATS_BY_DAY, "2026-11-22T00:00:00+09:00", "2026-11-24T00:00:00+09:00",
	               days, 2);
	expect_periods(s, STATS_BY_WEEK, "2026-11-16T00:00:00+09:00", "2026-12-07T00:00:00+09:00",
	               weeks, 3);
	expect_periods(s, STATS_BY_MONTH, "2026-11-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00",
	               months, 2);
	stats_free(s);
}

Test(stats, too_many_periods_and_an_empty_range_are_refused)
{
	struct stats *s;
	struct stats_result *r = NULL;
	struct stats_query q = {0, 1000LL * 86400000, STATS_BY_DAY, pbfixture_set, {0}};

	cr_assert_eq(stats_new(&s), 0);
	cr_expect_eq(stats_query(s, &q, &r), -E2BIG);
	q.group = STATS_BY_ALL;
	q.to_ms = q.from_ms;
	cr_expect_eq(stats_query(s, &q, &r), -EINVAL);
	q.group = STATS_BY_REGION;
	q.to_ms = 1;
	q.set = NULL;
	cr_expect_eq(stats_query(s, &q, &r), -EINVAL);
	stats_free(s);
}

Test(stats, a_case_that_changes_moves_its_metrics_and_figures)
{
	struct stats *s;
	struct stats_result *r;
	const struct stats_hist *h;
	int64_t t = at("2026-11-20T10:00:00+09:00");

	cr_assert_eq(stats_new(&s), 0);
	put(s, 7, t, "27", "ransomware", -1, NULL);
	put(s, 3, t, "27", "ransomware", 30, "a@kk.test"); /* an older id arrives later */
	h = stats_hist(s, STATS_ACK, 27);
	cr_expect_eq(h->count, 1);
	put(s, 7, t, "27", "ransomware", 400, "b@kk.test"); /* now acknowledged */
	cr_expect_eq(stats_count(s), 2);
	cr_expect_eq(h->count, 2);
	cr_expect_eq(h->bucket[3], 1, "30 s falls in the (10, 30] bucket");
	cr_expect_eq(h->bucket[7], 1, "400 s falls in the (300, 600] bucket");
	cr_expect_float_eq(h->sum_s, 430.0, 1e-3);
	cr_expect_eq(stats_reports(s, 0, 0, 27), 2, "web, ransomware, Osaka");

	r = query(s, STATS_BY_ALL, t, t + 1);
	cr_expect_eq(r->total.clock[STATS_ACK].count, 2);
	cr_expect_float_eq(r->total.clock[STATS_ACK].max_s, 400.0, 1e-3);
	stats_result_free(r);
	stats_free(s);
}

Test(stats, histogram_bins_hold_values_up_to_their_bound)
{
	struct stats *s;
	double bounds[3] = {60, 300, 900};
	uint32_t counts[4];
	int64_t t = at("2026-11-20T10:00:00+09:00");

	cr_assert_eq(stats_new(&s), 0);
	put(s, 1, t, "27", "ransomware", 60, NULL);
	put(s, 2, t, "27", "ransomware", 61, NULL);
	put(s, 3, t, "27", "ransomware", 900, NULL);
	put(s, 4, t, "27", "ransomware", 5000, NULL);
	put(s, 5, t, "27", "ransomware", -1, NULL);
	stats_histogram(s, STATS_ACK, t, t + 1, bounds, 3, counts);
	cr_expect_eq(counts[0], 1);
	cr_expect_eq(counts[1], 1);
	cr_expect_eq(counts[2], 1);
	cr_expect_eq(counts[3], 1);
	stats_free(s);
}

Test(stats, names_parse_back)
{
	enum stats_clock c;
	enum stats_group g;

	for (int i = 0; i < STATS_CLOCKS; i++) {
		cr_assert_eq(stats_clock_parse(stats_clock_name((enum stats_clock)i), &c), 0);
		cr_expect_eq((int)c, i);
	}
	cr_assert_eq(stats_group_parse("region", &g), 0);
	cr_expect_eq(g, STATS_BY_REGION);
	cr_expect_eq(stats_group_parse("nonsense", &g), -EINVAL);
	cr_expect_eq(stats_jst_day_start(stats_jst_day(at("2026-11-22T23:59:00+09:00"))),
	             at("2026-11-22T00:00:00+09:00"));
}

Test(stats, large_groups_give_the_same_percentiles_as_a_sort)
{
	enum { N = 6001 };
	struct stats *s;
	struct stats_result *r;
	float *v = malloc(N * sizeof *v);
	int64_t t = at("2026-11-20T10:00:00+09:00");
	unsigned seed = 7;

	cr_assert_eq(stats_new(&s), 0);
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		v[i] = (float)((seed >> 8) % 5000) / 4.0f; /* quarter seconds, many repeats */
		put(s, i + 1, t, i % 2 ? "27" : "13", "ransomware", v[i], NULL);
	}
	r = query(s, STATS_BY_PREFECTURE, t, t + 1);
	cr_expect_eq(r->total.clock[STATS_ACK].count, N);
	cr_expect_float_eq(r->total.clock[STATS_ACK].p90_s, stats_percentile(v, N, 90), 1e-6);
	cr_expect_float_eq(r->total.clock[STATS_ACK].median_s, stats_percentile(v, N, 50), 1e-6);
	{
		float max = 0;

		for (int i = 0; i < N; i++)
			max = v[i] > max ? v[i] : max;
		cr_expect_float_eq(r->total.clock[STATS_ACK].max_s, max, 1e-6);
	}
	stats_result_free(r);
	free(v);
	stats_free(s);
}
