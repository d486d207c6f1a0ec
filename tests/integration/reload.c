/* SPDX-License-Identifier: ISC */
/*
 * reload.c — an operator reloads the playbooks (SIGHUP) while reports are
 * coming in. Every report must still be answered and stored with the type
 * it was sent with; the daemon must not touch the set it has just replaced
 * (under ASan, `make test`'s build, a stale read is a crash and a failed
 * exit status).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fixture.h"
#include "harness.h"

#define RELOAD_REPORTS     500
#define RELOAD_CLIENTS     4
#define RELOAD_EVERY_MS    50
#define RELOAD_DEADLINE_MS 120000

TestSuite(reload, .fini = harness_cleanup, .timeout = 240);

struct flood {
	char url[256];
	char db_path[PATH_MAX];
	atomic_int done, locks;
	char *body[RELOAD_REPORTS];
	atomic_int answered, failed, next;
	atomic_int hups; /* SIGHUPs sent so far */
	long long deadline;
};

static void *client_run(void *arg)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};
	struct flood *f = arg;
	CURL *curl = curl_easy_init();
	int i;

	while (curl != NULL && (i = atomic_fetch_add(&f->next, 1)) < RELOAD_REPORTS) {
		for (;;) {
			struct harness_request req = {0};
			struct harness_response res = {0};
			long status;
			int rc;

			req.method = "POST";
			req.url = f->url;
			req.headers = headers;
			req.body = f->body[i];
			req.body_len = strlen(f->body[i]);
			req.timeout_ms = 10000;
			rc = harness_http_send(curl, &req, &res);
			status = res.status;
			harness_response_fini(&res);
			if (rc == 0 && status == 201) {
				atomic_fetch_add(&f->answered, 1);
				break;
			}
			if (rc == 0 && status == 503 && harness_now_ms() < f->deadline) {
				harness_sleep_ms(20); /* busy: try again */
				continue;
			}
			atomic_fetch_add(&f->failed, 1);
			break;
		}
	}
	curl_easy_cleanup(curl);
	return NULL;
}

/*
 * Another writer (kakekomictl, a backup) holds the store's write lock now
 * and then, so reports queue up behind it while a reload replaces the
 * playbooks: the queued ones are written with the old set gone.
 */
static void *locker_run(void *arg)
{
	struct flood *f = arg;
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(f->db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	while (!atomic_load(&f->done)) {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
			int held_at = atomic_load(&f->hups);

			/* Held until two reloads were asked for meanwhile. */
			atomic_fetch_add(&f->locks, 1);
			while (atomic_load(&f->hups) < held_at + 2 && !atomic_load(&f->done) &&
			       harness_now_ms() < f->deadline)
				harness_sleep_ms(10);
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		}
		harness_sleep_ms(RELOAD_EVERY_MS);
	}
	sqlite3_close(db);
	return NULL;
}

Test(reload, reports_sent_while_the_playbooks_are_reloaded_every_50_ms_keep_their_type)
{
	struct harness_daemon *d = harness_daemon_new();
	struct flood *f = calloc(1, sizeof *f);
	pthread_t clients[RELOAD_CLIENTS], locker;
	long long stored;
	int hups;

	cr_assert_not_null(f);
	harness_daemon_start(d);
	snprintf(f->url, sizeof f->url, "%s/api/v1/cases", d->base_url);
	for (int i = 0; i < RELOAD_REPORTS; i++) {
		json_t *body = fixture_intake_new(fixture_incident_types[i % FIXTURE_TYPES], "ja");

		f->body[i] = fixture_json_dump(body);
		json_decref(body);
	}
	f->deadline = harness_now_ms() + RELOAD_DEADLINE_MS;
	snprintf(f->db_path, sizeof f->db_path, "%s", d->db_path);
	cr_assert_eq(pthread_create(&locker, NULL, locker_run, f), 0);
	for (int i = 0; i < RELOAD_CLIENTS; i++)
		cr_assert_eq(pthread_create(&clients[i], NULL, client_run, f), 0);
	while (atomic_load(&f->answered) + atomic_load(&f->failed) < RELOAD_REPORTS &&
	       harness_now_ms() < f->deadline) {
		cr_assert_eq(kill(d->pid, SIGHUP), 0, "the daemon is gone after %d reloads",
		             atomic_load(&f->hups));
		atomic_fetch_add(&f->hups, 1);
		harness_sleep_ms(RELOAD_EVERY_MS);
	}
	hups = atomic_load(&f->hups);
	for (int i = 0; i < RELOAD_CLIENTS; i++)
		pthread_join(clients[i], NULL);
	atomic_store(&f->done, 1);
	pthread_join(locker, NULL);
	fprintf(stderr,
	        "reload: %d reports answered, %d failed, %d reloads, %d times the store was "
	        "locked by another writer\n",
	        atomic_load(&f->answered), atomic_load(&f->failed), hups, atomic_load(&f->locks));
	cr_assert_eq(atomic_load(&f->answered), RELOAD_REPORTS,
	             "%d of %d reports were not answered 201 while the playbooks were reloaded",
	             RELOAD_REPORTS - atomic_load(&f->answered), RELOAD_REPORTS);
	cr_assert_gt(hups, 2, "the reports went in before a reload could happen");

	stored = harness_db_int(d, "SELECT count(*) FROM cases", NULL);
	cr_assert_eq(stored, RELOAD_REPORTS, "%lld cases stored, %d answered", stored,
	             RELOAD_REPORTS);
	for (int t = 0; t < FIXTURE_TYPES; t++) {
		long long want =
		    RELOAD_REPORTS / FIXTURE_TYPES + (t < RELOAD_REPORTS % FIXTURE_TYPES);
		long long got =
		    harness_db_int(d, "SELECT count(*) FROM cases WHERE incident_type = ?",
		                   fixture_incident_types[t], NULL);

		cr_assert_eq(got, want, "%lld cases stored as %s, %lld sent", got,
		             fixture_incident_types[t], want);
	}
	for (int i = 0; i < RELOAD_REPORTS; i++)
		free(f->body[i]);
	free(f);
	harness_daemon_finish(d);
}
