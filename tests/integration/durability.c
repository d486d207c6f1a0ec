/* SPDX-License-Identifier: ISC */
/*
 * durability.c — the promise behind every reference: once a reporter has
 * been given a case reference, the case is in the store, even if the
 * daemon is killed with SIGKILL a moment later under load. Reports that
 * failed while the daemon was down do not count (the client retries them);
 * only references actually received do.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

#define LOAD_REPORTS            200
#define LOAD_CLIENTS            20
#define LOAD_KILL_AT            100
#define LOAD_CLIENT_DEADLINE_MS 90000
#define LOAD_KILL_WAIT_MS       60000

TestSuite(durability, .fini = harness_cleanup, .timeout = 180);

/* One report, written by its client thread only until the threads are joined. */
struct load_report {
	char *body;        /* JSON sent, owned */
	char company[128]; /* fields to find again after the restart */
	char name[64];
	char phone[32];
	char description[192];
	char ref[32]; /* from the 201 answer */
	char token[256];
	int received;        /* 1 once a 201 with ref and token arrived */
	int after_kill;      /* 1 when it arrived after SIGKILL was sent */
	long refused_status; /* a 4xx other than 429: the report was refused */
	char refused_body[256];
};

struct load {
	char url[256]; /* POST /api/v1/cases */
	struct load_report reports[LOAD_REPORTS];
	atomic_int answered;  /* 201s received so far */
	atomic_int killed;    /* 1 once SIGKILL was sent */
	atomic_int retries;   /* transfer errors and 5xx, retried */
	atomic_int throttled; /* 429s, retried */
	long long deadline;   /* monotonic ms when clients give up */
};

struct load_client {
	struct load *load;
	int first; /* reports first, first + LOAD_CLIENTS, ... */
	pthread_t thread;
};

/* Read ref and token out of a 201 answer; 0 on success. */
static int read_answer(const struct harness_response *res, struct load_report *r)
{
	json_t *doc = json_loadb(res->body.data, res->body.len, 0, NULL);
	json_t *ref = json_object_get(doc, "ref");
	json_t *token = json_object_get(doc, "token");
	int rc = -1;

	if (json_is_string(ref) && json_is_string(token) &&
	    json_string_length(ref) < sizeof r->ref &&
	    json_string_length(token) < sizeof r->token) {
		snprintf(r->ref, sizeof r->ref, "%s", json_string_value(ref));
		snprintf(r->token, sizeof r->token, "%s", json_string_value(token));
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

/* Send one report until it is answered, refused, or time runs out. */
static void send_report(struct load *load, CURL *curl, struct load_report *r)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};

	while (harness_now_ms() < load->deadline) {
		struct harness_request req;
		struct harness_response res;
		int rc;

		memset(&req, 0, sizeof req);
		memset(&res, 0, sizeof res);
		req.method = "POST";
		req.url = load->url;
		req.headers = headers;
		req.body = r->body;
		req.body_len = strlen(r->body);
		req.timeout_ms = 10000;
		rc = harness_http_send(curl, &req, &res);
		if (rc == 0 && res.status == 201 && read_answer(&res, r) == 0) {
			r->after_kill = atomic_load(&load->killed);
			r->received = 1;
			atomic_fetch_add(&load->answered, 1);
			harness_response_fini(&res);
			return;
		}
		if (rc == 0 && res.status == 429) {
			/* A refused report costs nothing: ask again soon. */
			atomic_fetch_add(&load->throttled, 1);
			harness_response_fini(&res);
			harness_sleep_ms(50);
			continue;
		}
		if (rc == 0 && res.status >= 400 && res.status < 500) {
			r->refused_status = res.status;
			snprintf(r->refused_body, sizeof r->refused_body, "%s", res.body.data);
			harness_response_fini(&res);
			return;
		}
		/* Connection refused or reset, timeout, 5xx: the daemon is down. */
		atomic_fetch_add(&load->retries, 1);
		harness_response_fini(&res);
		harness_sleep_ms(20);
	}
}

static void *client_run(void *arg)
{
	struct load_client *c = arg;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return NULL;
	for (int i = c->first; i < LOAD_REPORTS; i += LOAD_CLIENTS)
		send_report(c->load, curl, &c->load->reports[i]);
	curl_easy_cleanup(curl);
	return NULL;
}

/* Build the reports on the test thread: fixtures assert. */
static void load_prepare(struct load *load, const struct harness_daemon *d)
{
	snprintf(load->url, sizeof load->url, "%s/api/v1/cases", d->base_url);
	for (int i = 0; i < LOAD_REPORTS; i++) {
		struct load_report *r = &load->reports[i];
		json_t *body = fixture_intake_new(fixture_incident_types[i % FIXTURE_TYPES],
		                                  i % 3 ? "ja" : "en");

		snprintf(r->description, sizeof r->description,
		         "負荷試験 report %d: ファイルサーバが応答しない", i);
		fixture_json_set(body, "description", r->description);
		snprintf(r->company, sizeof r->company, "%s", fixture_json_string(body, "company"));
		snprintf(r->name, sizeof r->name, "%s", fixture_json_string(body, "name"));
		snprintf(r->phone, sizeof r->phone, "%s", fixture_json_string(body, "phone"));
		r->body = fixture_json_dump(body);
		json_decref(body);
	}
	atomic_init(&load->answered, 0);
	atomic_init(&load->killed, 0);
	atomic_init(&load->retries, 0);
	atomic_init(&load->throttled, 0);
}

/* 1 when the stored case holds exactly the fields sent; why in out otherwise. */
static int case_intact(const struct harness_daemon *d, CURL *curl, const struct load_report *r,
                       char *why, size_t cap)
{
	char url[512], auth[512];
	const char *headers[2] = {auth, NULL};
	struct harness_request req;
	struct harness_response res;
	const char *want[4] = {r->company, r->name, r->phone, r->description};
	const char *keys[4] = {"company", "name", "phone", "description"};
	json_t *doc;
	int ok = 1;

	snprintf(url, sizeof url, "%s/api/v1/cases/%s", d->base_url, r->ref);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", r->token);
	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	req.url = url;
	req.headers = headers;
	if (harness_http_send(curl, &req, &res) != 0 || res.status != 200) {
		snprintf(why, cap, "%s: GET answered %ld %s", r->ref, res.status, res.error);
		harness_response_fini(&res);
		return 0;
	}
	doc = json_loadb(res.body.data, res.body.len, 0, NULL);
	for (int k = 0; k < 4 && ok; k++) {
		json_t *v = json_object_get(doc, keys[k]);

		if (!json_is_string(v) || strcmp(json_string_value(v), want[k]) != 0) {
			snprintf(why, cap, "%s: %s is \"%s\", sent \"%s\"", r->ref, keys[k],
			         json_is_string(v) ? json_string_value(v) : "(missing)", want[k]);
			ok = 0;
		}
	}
	json_decref(doc);
	harness_response_fini(&res);
	return ok;
}

Test(durability, no_answered_report_is_lost_when_the_daemon_is_killed_under_load)
{
	struct harness_daemon *d = harness_daemon_new();
	struct load *load = calloc(1, sizeof *load);
	struct load_client clients[LOAD_CLIENTS];
	long long kill_deadline;
	int before = 0, after = 0, lost = 0, refused = 0, at_kill;
	char first_lost[512] = "";
	CURL *curl;

	cr_assert(load != NULL, "out of memory");
	harness_daemon_start(d);
	load_prepare(load, d);
	load->deadline = harness_now_ms() + LOAD_CLIENT_DEADLINE_MS;
	for (int i = 0; i < LOAD_CLIENTS; i++) {
		clients[i].load = load;
		clients[i].first = i;
		cr_assert(pthread_create(&clients[i].thread, NULL, client_run, &clients[i]) == 0,
		          "pthread_create");
	}

	kill_deadline = harness_now_ms() + LOAD_KILL_WAIT_MS;
	while (atomic_load(&load->answered) < LOAD_KILL_AT && harness_now_ms() < kill_deadline)
		harness_sleep_ms(1);
	at_kill = atomic_load(&load->answered);
	cr_assert(at_kill >= LOAD_KILL_AT, "only %d of %d reports answered in %d ms", at_kill,
	          LOAD_KILL_AT, LOAD_KILL_WAIT_MS);
	atomic_store(&load->killed, 1);
	harness_daemon_kill(d);
	harness_daemon_restart(d);

	for (int i = 0; i < LOAD_CLIENTS; i++)
		pthread_join(clients[i].thread, NULL);

	curl = curl_easy_init();
	cr_assert(curl != NULL, "curl_easy_init");
	for (int i = 0; i < LOAD_REPORTS; i++) {
		struct load_report *r = &load->reports[i];
		char why[512];

		if (r->refused_status != 0 && refused++ == 0)
			fprintf(stderr, "durability: report %d refused with %ld: %s\n", i,
			        r->refused_status, r->refused_body);
		if (!r->received)
			continue;
		if (r->after_kill)
			after++;
		else
			before++;
		if (!case_intact(d, curl, r, why, sizeof why) && lost++ == 0)
			snprintf(first_lost, sizeof first_lost, "%s", why);
	}
	curl_easy_cleanup(curl);
	fprintf(stderr,
	        "durability: %d references received before the kill, %d after; "
	        "%d retried transfers, %d throttled\n",
	        before, after, atomic_load(&load->retries), atomic_load(&load->throttled));
	{
		/* A report whose commit landed just before the kill, but whose
		 * answer never left, is a case nobody holds a reference for: the
		 * store may have more cases than references, never fewer. */
		struct harness_response res;
		json_t *h;
		json_int_t stored;

		harness_get(d, "/healthz", &res);
		h = fixture_response_json(&res);
		stored = json_integer_value(json_object_get(h, "cases"));
		fprintf(stderr, "durability: references handed out: %d; cases in the store: %lld\n",
		        before + after, (long long)stored);
		cr_assert_geq(stored, before + after, "the store has fewer cases than references given");
		json_decref(h);
		harness_response_fini(&res);
	}
	cr_assert(lost == 0,
	          "%d of %d answered reports are missing or changed after kill -9; first: %s", lost,
	          before + after, first_lost);
	cr_assert(refused == 0, "%d valid reports were refused", refused);
	cr_assert(before + after == LOAD_REPORTS,
	          "clients should get every report answered after the restart: %d of %d",
	          before + after, LOAD_REPORTS);
	for (int i = 0; i < LOAD_REPORTS; i++)
		free(load->reports[i].body);
	free(load);
	harness_daemon_finish(d);
}
