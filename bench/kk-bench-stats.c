/* SPDX-License-Identifier: ISC */
/*
 * kk-bench-stats — how long the coordinators' figures take as cases pile up.
 *
 *   kk-bench-stats DIR [N ...]      (default N: 10000 100000 1000000)
 *
 * Builds one store in DIR the way the daemon does (store_open: schema,
 * triggers), fills it with synthetic cases spread over a year, each with the
 * timeline events the clocks come from, up to each N in turn, and after each
 * step loads the figures' index from the store (stats_open) and times
 * stats_query over the whole year for every grouping, five runs each.
 * Prints a Markdown table: the median and the slowest run in milliseconds.
 * A measurement, never a pass or fail: DESIGN.md's budget is 200 ms at
 * 10^6 cases, and the reader compares.
 *
 * The bulk load writes through its own connection with synchronous=OFF in
 * one transaction per step: it builds test data, it is not what is measured.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uv.h>

#include "log.h"
#include "playbook.h"
#include "stats.h"
#include "store.h"
#include "text.h"

#define RUNS        5
#define YEAR_MS     (365LL * 86400000)
#define SPECIALISTS 200

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double uniform(void)
{
	return (double)(next_random() >> 11) / 9007199254740992.0;
}

/* Seconds, spread roughly log-uniformly between LO and HI. */
static double spread(double lo, double hi)
{
	double u = uniform();

	return lo * exp(u * log(hi / lo));
}

static int check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "kk-bench-stats: %s: %s\n", what, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int event(sqlite3 *db, sqlite3_stmt *s, int64_t case_id, int64_t at_ms, int64_t elapsed_us,
                 const char *kind, const char *actor)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int64(s, 2, at_ms);
	sqlite3_bind_int64(s, 3, elapsed_us);
	sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, actor, -1, SQLITE_TRANSIENT);
	return check(db, sqlite3_step(s), "insert event");
}

/* Adds cases FROM+1 .. TO to the store at PATH. */
static int fill(const char *path, long from, long to, int64_t now_ms)
{
	static const char *const channels[] = {"web", "api", "chat"};
	sqlite3 *db = NULL;
	sqlite3_stmt *c = NULL, *e = NULL;
	unsigned char hash[32] = {0};
	int rc = sqlite3_open(path, &db);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    db,
		    "INSERT INTO cases (id, ref, token_hash, token_expires_ms, channel, incident_type,"
		    " still_happening, money_involved, personal_data, noticed, noticed_at_ms,"
		    " prefecture, company, name, phone, lang, received_ms, state)"
		    " VALUES (?, ?, ?, 0, ?, ?, 'no', 'no', 'no', 'now', ?, ?, 'bench', 'bench',"
		    " '0000000000', 'ja', ?, ?)",
		    -1, &c, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
		                        "INSERT INTO events (case_id, at_ms, elapsed_us, kind, actor)"
		                        " VALUES (?, ?, ?, ?, ?)",
		                        -1, &e, NULL);
	if (check(db, rc, "prepare") < 0)
		goto bad;
	for (long id = from + 1; id <= to; id++) {
		int64_t received = now_ms - (int64_t)(uniform() * (double)YEAR_MS);
		double guidance = spread(0.002, 0.05), ack = spread(20, 3 * 3600.0);
		double contact = ack + spread(60, 3600), resolve = contact + spread(600, 5 * 86400.0);
		bool acked = uniform() < 0.9, contacted = acked && uniform() < 0.8;
		bool resolved = contacted && uniform() < 0.7;
		char ref[32], pref[8], who[64];

		snprintf(ref, sizeof ref, "KK-B%06ld", id);
		snprintf(pref, sizeof pref, "%02d", (int)(1 + next_random() % 47));
		snprintf(who, sizeof who, "s%03d@kk.bench", (int)(next_random() % SPECIALISTS));
		sqlite3_reset(c);
		sqlite3_bind_int64(c, 1, id);
		sqlite3_bind_text(c, 2, ref, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(c, 3, hash, sizeof hash, SQLITE_STATIC);
		sqlite3_bind_text(c, 4, channels[next_random() % 3], -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 5, playbook_types[next_random() % PLAYBOOK_TYPES], -1,
		                  SQLITE_STATIC);
		sqlite3_bind_int64(c, 6, received);
		sqlite3_bind_text(c, 7, pref, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(c, 8, received);
		sqlite3_bind_text(c, 9, resolved ? "resolved" : "acknowledged", -1, SQLITE_STATIC);
		if (check(db, sqlite3_step(c), "insert case") < 0)
			goto bad;
		rc = event(db, e, id, received, 0, "received", "web");
		if (rc == 0)
			rc = event(db, e, id, received + (int64_t)(guidance * 1000),
			           (int64_t)(guidance * 1e6), "guidance_delivered", "web");
		if (rc == 0 && acked)
			rc = event(db, e, id, received + (int64_t)(ack * 1000), (int64_t)(ack * 1e6),
			           "acknowledged", who);
		if (rc == 0 && contacted)
			rc = event(db, e, id, received + (int64_t)(contact * 1000),
			           (int64_t)(contact * 1e6), "contacted", who);
		if (rc == 0 && resolved)
			rc = event(db, e, id, received + (int64_t)(resolve * 1000),
			           (int64_t)(resolve * 1e6), "resolved", who);
		if (rc < 0)
			goto bad;
	}
	rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (check(db, rc, "commit") < 0)
		goto bad;
	sqlite3_finalize(c);
	sqlite3_finalize(e);
	sqlite3_close(db);
	return 0;
bad:
	sqlite3_finalize(c);
	sqlite3_finalize(e);
	sqlite3_close(db);
	return -1;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static const enum stats_group groups[] = {STATS_BY_ALL,        STATS_BY_PREFECTURE, STATS_BY_REGION,
                                          STATS_BY_TYPE,       STATS_BY_SPECIALIST, STATS_BY_DAY,
                                          STATS_BY_MONTH};
#define NGROUP_KINDS (sizeof groups / sizeof groups[0])

static long rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/* Opens the store, loads the index, times every grouping. */
static int measure(const char *path, const struct playbook_set *set, long n, int64_t now_ms)
{
	uv_loop_t loop;
	struct store *st = NULL;
	struct stats *s = NULL;
	double median[NGROUP_KINDS], worst[NGROUP_KINDS], load_ms, refresh_ms;
	int64_t t0;
	int rc = uv_loop_init(&loop);

	if (rc == 0)
		rc = store_open(&st, &loop, path, NULL);
	if (rc < 0) {
		fprintf(stderr, "kk-bench-stats: cannot open %s: %s\n", path, strerror(-rc));
		return rc;
	}
	t0 = text_mono_us();
	rc = stats_open(&s, st);
	load_ms = (double)(text_mono_us() - t0) / 1000.0;
	t0 = text_mono_us();
	if (rc == 0)
		rc = stats_refresh(s);
	refresh_ms = (double)(text_mono_us() - t0) / 1000.0;
	for (size_t g = 0; rc == 0 && g < NGROUP_KINDS; g++) {
		struct stats_query q = {now_ms - YEAR_MS, now_ms + 1, groups[g], set,
		                        {5, 900, 1800, 0, 0}};
		double ms[RUNS];

		for (int i = 0; rc == 0 && i < RUNS; i++) {
			struct stats_result *res = NULL;

			t0 = text_mono_us();
			rc = stats_query(s, &q, &res);
			ms[i] = (double)(text_mono_us() - t0) / 1000.0;
			if (rc == 0 && (long)res->total.cases != n) {
				fprintf(stderr, "kk-bench-stats: %u cases in the figures, %ld stored\n",
				        res->total.cases, n);
				rc = -EPROTO;
			}
			stats_result_free(res);
		}
		qsort(ms, RUNS, sizeof ms[0], compare_double);
		median[g] = ms[RUNS / 2];
		worst[g] = ms[RUNS - 1];
	}
	if (rc == 0 && n > 0) {
		printf("| %8ld | %8.0f | %7.2f |", n, load_ms, refresh_ms);
		for (size_t g = 0; g < NGROUP_KINDS; g++)
			printf(" %6.1f / %6.1f |", median[g], worst[g]);
		printf(" %5ld |\n", rss_mib());
	}
	stats_free(s);
	store_close(st);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	return rc;
}

int main(int argc, char **argv)
{
	long steps[16] = {10000, 100000, 1000000};
	size_t nsteps = 3;
	struct playbook_set *set = NULL;
	struct buf errors;
	char path[4096], pbdir[4096];
	const char *src = getenv("KK_SRC");
	int64_t now_ms = text_now_ms();
	long have = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: kk-bench-stats DIR [N ...]\n");
		return 2;
	}
	if (argc > 2) {
		nsteps = 0;
		for (int i = 2; i < argc && nsteps < 16; i++)
			steps[nsteps++] = strtol(argv[i], NULL, 10);
	}
	log_threshold = LOG_LEVEL_WARN;
	snprintf(path, sizeof path, "%s/bench-stats.db", argv[1]);
	snprintf(pbdir, sizeof pbdir, "%s/playbooks", src != NULL ? src : ".");
	buf_init(&errors, 65536);
	if (playbook_set_load(pbdir, &set, &errors) < 0) {
		fprintf(stderr, "kk-bench-stats: %s", errors.data != NULL ? errors.data : "");
		return 1;
	}
	buf_fini(&errors);
	remove(path);
	if (measure(path, set, 0, now_ms) < 0) /* creates the schema */
		return 1;
	printf("\nStats query time over one year of cases (ms: median / slowest of %d runs)\n\n",
	       RUNS);
	printf("|    cases |  load ms | refresh |");
	for (size_t g = 0; g < NGROUP_KINDS; g++)
		printf(" %15s |", stats_group_name(groups[g]));
	printf(" RSS MiB |\n|---------:|---------:|--------:|");
	for (size_t g = 0; g < NGROUP_KINDS; g++)
		printf("----------------:|");
	printf("------:|\n");
	for (size_t i = 0; i < nsteps; i++) {
		if (steps[i] <= have)
			continue;
		if (fill(path, have, steps[i], now_ms) < 0)
			return 1;
		have = steps[i];
		if (measure(path, set, have, now_ms) < 0)
			return 1;
	}
	printf("\nload: reading the index from SQLite at start; refresh: bringing it up to date "
	       "when nothing changed (what every request pays).\n");
	playbook_set_free(set);
	remove(path);
	return 0;
}
