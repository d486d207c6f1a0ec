/* SPDX-License-Identifier: ISC */
/*
 * faults.c — the worst day: the disk fills up, thousands of connections
 * sit idle or trickle bytes. Intake must keep its promises: a clear 503
 * and nothing half-written when the store cannot commit, recovery by
 * itself when space returns, and an answer for the real reporter while
 * idle and slow clients hold connections.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

TestSuite(faults, .fini = harness_cleanup, .timeout = 120);

/* Reports a new case of TYPE and returns the answer (caller owns it). */
static json_t *report(struct harness_daemon *d, const char *type)
{
	json_t *body = fixture_intake_new(type, "en");
	json_t *ans = fixture_case_create(d, body);

	json_decref(body);
	return ans;
}

/* What a reporter keeps from an answer, to read the case back later. */
struct answered {
	char ref[16];
	char token[64];
};

static void keep(struct answered *a, const json_t *ans)
{
	snprintf(a->ref, sizeof a->ref, "%s", fixture_json_string(ans, "ref"));
	snprintf(a->token, sizeof a->token, "%s", fixture_json_string(ans, "token"));
}

/* Fills the file system holding PATH until a write fails. Returns the fd
 * of the filler file (keep it open), or -1. */
static int fill_disk(const char *path)
{
	static char block[64 * 1024];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	memset(block, 'x', sizeof block);
	for (int i = 0; i < 100000; i++) {
		ssize_t n = write(fd, block, sizeof block);

		if (n <= 0)
			break;
	}
	/* Smaller writes take the last few bytes too. */
	for (int i = 0; i < 100000; i++)
		if (write(fd, block, 512) <= 0)
			break;
	return fd;
}

#define BATCH_REPORTS 24
#define BATCH_POISON  11 /* the report the store rolls back with */

struct batch_report {
	struct harness_daemon *d;
	char *body;
	char description[96];
	long status;
};

static void *batch_post(void *arg)
{
	struct batch_report *b = arg;

	b->status = harness_post_json_status(b->d, "/api/v1/cases", b->body, 20000);
	return NULL;
}

/* The value of the gauge NAME on /metrics, or -1. */
static long metric(struct harness_daemon *d, const char *name)
{
	struct harness_response res;
	char needle[128];
	const char *at;
	long v = -1;

	memset(&res, 0, sizeof res);
	harness_get(d, "/metrics", &res);
	snprintf(needle, sizeof needle, "\n%s ", name);
	at = res.body.data != NULL ? strstr(res.body.data, needle) : NULL;
	if (at != NULL)
		v = strtol(at + strlen(needle), NULL, 10);
	harness_response_fini(&res);
	return v;
}

/*
 * Some failures make SQLite roll back the whole transaction, not just the
 * failing statement: a full disk, an I/O error, or here a trigger that says
 * RAISE(ROLLBACK). Reports written in the same batch before it are gone
 * too, and the ones after it would run outside any transaction. Every
 * reporter must be told the truth: a 201 only for a case that is stored,
 * and no case stored for one that was told 503.
 */
Test(faults, a_rollback_inside_a_batch_fails_every_report_of_it_honestly)
{
	struct harness_daemon *d = harness_daemon_new();
	struct batch_report b[BATCH_REPORTS];
	pthread_t t[BATCH_REPORTS];
	sqlite3 *db = NULL;
	long long until;
	int answered = 0, refused = 0;

	harness_daemon_start(d);
	cr_assert_eq(sqlite3_open_v2(d->db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(sqlite3_exec(db,
	                          "CREATE TRIGGER test_poison BEFORE INSERT ON cases"
	                          " WHEN unseal(NEW.description, 'cases.description') LIKE '%poison%'"
	                          " BEGIN SELECT RAISE(ROLLBACK, 'rolled back by the test'); END;",
	                          NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(db));
	/* Hold the write lock so that every report lands in one batch. */
	cr_assert_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < BATCH_REPORTS; i++) {
		json_t *body = fixture_intake_new("malware", "en");

		b[i].d = d;
		b[i].status = 0;
		snprintf(b[i].description, sizeof b[i].description, "batch report %d%s", i,
		         i == BATCH_POISON ? " poison" : "");
		fixture_json_set(body, "description", b[i].description);
		b[i].body = fixture_json_dump(body);
		json_decref(body);
		cr_assert_eq(pthread_create(&t[i], NULL, batch_post, &b[i]), 0);
	}
	until = harness_now_ms() + 4000;
	while (metric(d, "kakekomi_store_queued") < BATCH_REPORTS - 1 && harness_now_ms() < until)
		harness_sleep_ms(10);
	cr_assert_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	for (int i = 0; i < BATCH_REPORTS; i++)
		pthread_join(t[i], NULL);

	for (int i = 0; i < BATCH_REPORTS; i++) {
		long long stored = harness_db_int(
		    d, "SELECT count(*) FROM cases WHERE unseal(description, 'cases.description') = ?", b[i].description, NULL);

		if (b[i].status == 201) {
			answered++;
			cr_assert_eq(stored, 1, "report %d was answered 201 but is not stored", i);
		} else {
			refused++;
			cr_assert_eq(b[i].status, 503, "report %d got %ld", i, b[i].status);
			cr_assert_eq(stored, 0, "report %d was told 503 but is stored", i);
		}
		free(b[i].body);
	}
	fprintf(stderr,
	        "faults: %d reports answered 201, %d told 503 after a rollback in their batch\n",
	        answered, refused);
	cr_assert_neq(b[BATCH_POISON].status, 201, "the rolled-back report was answered 201");
	/* The store takes reports again at once. */
	json_decref(report(d, "phishing"));
	harness_daemon_finish(d);
}

Test(faults, a_full_disk_answers_503_loses_nothing_accepted_and_recovers_by_itself)
{
	struct harness_daemon *d = harness_daemon_new();
	char mnt[PATH_MAX + 16], filler[PATH_MAX + 32];
	struct answered refs[64];
	int nrefs = 0, n503 = 0, fd;
	struct harness_response res;

	snprintf(mnt, sizeof mnt, "%s/small", d->dir);
	cr_assert_eq(mkdir(mnt, 0700), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=4m") != 0) {
		cr_skip_test("cannot mount a small tmpfs here (%s): needs root", strerror(errno));
		return;
	}
	cr_assert_lt(strlen(mnt) + sizeof "/kakekomi.db", sizeof d->db_path);
	memcpy(d->db_path, mnt, strlen(mnt));
	memcpy(d->db_path + strlen(mnt), "/kakekomi.db", sizeof "/kakekomi.db");
	harness_daemon_start(d);
	for (int i = 0; i < 3; i++) {
		json_t *ans = report(d, "ransomware");

		keep(&refs[nrefs++], ans);
		json_decref(ans);
	}
	snprintf(filler, sizeof filler, "%s/filler", mnt);
	fd = fill_disk(filler);
	cr_assert_geq(fd, 0);
	/* Reports keep coming: each is either stored (201) or refused whole (503). */
	for (int i = 0; i < 40 && nrefs < 60; i++) {
		json_t *body = fixture_intake_new("ransomware", "en");
		json_t *ans;

		fixture_case_post(d, body, &res);
		if (res.status == 503) {
			n503++;
			cr_assert_not_null(strstr(res.body.data, "disk is full"),
			                   "the 503 should say why: %s", res.body.data);
		} else {
			cr_assert_eq(res.status, 201, "a report got %ld: %s", res.status,
			             res.body.data);
			ans = fixture_response_json(&res);
			keep(&refs[nrefs++], ans);
			json_decref(ans);
		}
		harness_response_fini(&res);
		json_decref(body);
	}
	cr_assert_gt(n503, 0, "the store never reported the full disk");
	harness_get(d, "/healthz", &res);
	harness_response_fini(&res);
	/* Space returns: intake works again without a restart. */
	close(fd);
	unlink(filler);
	{
		int ok = 0;

		for (int i = 0; i < 50 && !ok; i++) {
			json_t *body = fixture_intake_new("phishing", "en");

			fixture_case_post(d, body, &res);
			ok = res.status == 201;
			if (ok) {
				json_t *ans = fixture_response_json(&res);

				keep(&refs[nrefs++], ans);
				json_decref(ans);
			}
			harness_response_fini(&res);
			json_decref(body);
			if (!ok)
				harness_sleep_ms(100);
		}
		cr_assert(ok, "intake did not recover once space returned");
	}
	/* Every answered report is there, whole. */
	for (int i = 0; i < nrefs; i++) {
		json_t *doc = fixture_case_fetch(d, refs[i].ref, refs[i].token);

		cr_assert_not_null(doc, "%s was answered but is not in the store", refs[i].ref);
		cr_assert_not_null(fixture_json_string(doc, "phone"));
		json_decref(doc);
	}
	fprintf(stderr, "faults: disk full: %d reports stored, %d refused with 503, recovered\n",
	        nrefs, n503);
	harness_daemon_stop(d);
	umount2(mnt, MNT_DETACH);
	harness_daemon_finish(d);
}

Test(faults, a_reporter_gets_an_answer_while_two_thousand_connections_sit_idle_or_trickle)
{
	struct harness_daemon *d = harness_daemon_new();
	static int fds[2000];
	int open_n = 0;
	struct harness_response res;
	long long t0, ms;

	harness_daemon_config_append(d, "[http]\ntimeout = 20\n");
	harness_daemon_start(d);
	/* 40 addresses of the loopback range, 50 connections each: half say
	 * nothing, half send a request line and then stall. */
	for (int i = 0; i < 2000; i++) {
		char src[32];

		snprintf(src, sizeof src, "127.0.%d.%d", 1 + i / 50 / 200, 2 + (i / 50) % 200);
		fds[i] = harness_idle_connection(
		    d, src, i % 2 == 0 ? NULL : "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n");
		if (fds[i] >= 0)
			open_n++;
	}
	cr_assert_gt(open_n, 1500, "could only open %d idle connections", open_n);
	t0 = harness_now_ms();
	{
		json_t *ans = report(d, "ddos");

		cr_assert(fixture_ref_is_valid(fixture_json_string(ans, "ref")));
		json_decref(ans);
	}
	ms = harness_now_ms() - t0;
	harness_get(d, "/report", &res);
	cr_assert_eq(res.status, 200, "the form did not load: %ld", res.status);
	harness_response_fini(&res);
	fprintf(stderr,
	        "faults: with %d idle and slow connections, a report was answered in %lld ms\n",
	        open_n, ms);
	for (int i = 0; i < 2000; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	harness_daemon_stop(d);
	harness_daemon_finish(d);
}
