/*
 * relay_xmpp.c — the relay as specialists live it. A report becomes an XMPP
 * alert on the on-call specialist's phone; "ack" hands him, and only him,
 * the reporter's name and phone; silence, a "decline" or an app gone
 * offline moves the case on to the region's pool and then to the
 * coordinators. And what must survive faults: Prosody down for a while,
 * kakekomid killed with SIGKILL between alert and ack.
 *
 * Each test starts its own world (tests/support/world.h): its own Prosody
 * and its own daemon in their own folders, a roster imported with
 * kakekomictl, and the specialists' chat apps connected before any report,
 * waiting until each app sees the bot online: that proves the presence
 * subscription the daemon's offline failover stands on. Latencies are
 * printed for information only; budgets belong to `make bench`.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dash.h"
#include "fixture.h"
#include "harness.h"
#include "prosody.h"
#include "specialist.h"
#include "world.h"

#define DOMAIN      WORLD_DOMAIN
#define BOT         WORLD_BOT

#define ALERT_MS    5000  /* an alert or a reply that should come at once */
#define LONG_STEP   "60s" /* a step wait that no test waits out */

static void relay_fini(void)
{
	harness_cleanup();
	prosody_cleanup();
}

TestSuite(relay, .fini = relay_fini, .timeout = 300);

/* A report as the reporter sent it, and what the daemon answered. */
struct report {
	char ref[32];
	char token[256];
	char name[128];
	char phone[64];
	char description[192];
	char needle[64];       /* "New case REF": what every alert for it says */
	long long sent_ns;     /* monotonic, just before the POST */
	long long answered_ns; /* monotonic, when the 201 was read */
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The world of tests/support/world.h with the coordinator's app online;
 * steps and repeat as given, extra appended to the config.
 */
static void relay_open_with(struct world *r, const struct world_member *m, size_t n,
                            const char *steps, unsigned repeat, const char *extra)
{
	struct world_options o = {
	    .steps = steps, .repeat = repeat, .coordinator_app = 1, .extra = extra};

	world_open(r, m, n, &o);
}

static void relay_open(struct world *r, const struct world_member *m, size_t n, const char *steps,
                       unsigned repeat)
{
	relay_open_with(r, m, n, steps, repeat, NULL);
}

/* POST a report of type in prefecture pref and keep what is needed later. */
static void report(struct world *r, const char *pref, const char *type, const char *lang,
                   struct report *rep)
{
	static unsigned serial;
	json_t *body = fixture_intake_new(type, lang);
	json_t *ans;

	memset(rep, 0, sizeof *rep);
	snprintf(rep->description, sizeof rep->description,
	         "The file server shows a ransom note and files end in .locked (report %u)",
	         ++serial);
	fixture_json_set(body, "prefecture", pref);
	fixture_json_set(body, "description", rep->description);
	snprintf(rep->name, sizeof rep->name, "%s", fixture_json_string(body, "name"));
	snprintf(rep->phone, sizeof rep->phone, "%s", fixture_json_string(body, "phone"));
	rep->sent_ns = now_ns();
	ans = fixture_case_create(r->d, body);
	rep->answered_ns = now_ns();
	snprintf(rep->ref, sizeof rep->ref, "%s", fixture_json_string(ans, "ref"));
	snprintf(rep->token, sizeof rep->token, "%s", fixture_json_string(ans, "token"));
	snprintf(rep->needle, sizeof rep->needle, "New case %s", rep->ref);
	json_decref(ans);
	json_decref(body);
}

/* The case's state as the API shows it; caller frees. */
static char *case_state(struct world *r, const struct report *rep)
{
	json_t *doc = fixture_case_fetch(r->d, rep->ref, rep->token);
	char *state = strdup(fixture_json_string(doc, "state"));

	json_decref(doc);
	cr_assert_not_null(state);
	return state;
}

static int timeline_has(const json_t *doc, const char *event)
{
	return fixture_json_find(json_object_get(doc, "timeline"), "event", event) != NULL;
}

/*
 * The elapsed_ms of the first timeline entry for event, asserting that it
 * is there with a time and a non-negative elapsed_ms.
 */
static double timeline_elapsed(const json_t *doc, const char *ref, const char *event)
{
	json_t *e = fixture_json_find(json_object_get(doc, "timeline"), "event", event);
	json_t *ms = json_object_get(e, "elapsed_ms");
	long long at;

	cr_assert_not_null(e, "%s: the timeline has no \"%s\" event", ref, event);
	cr_assert(fixture_timeline_at(doc, event, &at), "%s: \"%s\" has no RFC 3339 \"at\"", ref,
	          event);
	cr_assert(json_is_number(ms), "%s: \"%s\" should carry elapsed_ms (ms since received)", ref,
	          event);
	cr_assert_geq(json_number_value(ms), 0.0, "%s: %s elapsed_ms is negative", ref, event);
	return json_number_value(ms);
}

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a;
	long long y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Osaka's one on-call specialist. */
static const struct world_member tanaka_only[] = {
    {.id = "tanaka", .name = "Tanaka Hiroshi", .prefectures = "27"},
};

/* Median and nearest-rank p99 of n samples in ns, printed in ms. */
static void print_latency(const char *what, long long *v, size_t n)
{
	size_t p99 = (n * 99 + 99) / 100;

	qsort(v, n, sizeof v[0], compare_ll);
	fprintf(stderr, "relay: %s over %zu cases: median %.2f ms, p99 %.2f ms\n", what, n,
	        (double)(n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) / 1e6,
	        (double)v[p99 > 0 ? p99 - 1 : 0] / 1e6);
}

Test(relay, an_osaka_report_reaches_the_on_call_specialist_and_ack_gives_only_him_the_phone)
{
	static const struct world_member team[] = {
	    {.id = "tanaka", .name = "Tanaka Hiroshi", .prefectures = "27",
	     .specialties = "ransomware;malware"},
	    {.id = "suzuki", .name = "Suzuki Ichiro", .prefectures = "27"},
	    {.id = "yamamoto", .name = "Yamamoto Kei", .prefectures = "26"},
	};
	enum { SAMPLES = 20 };
	long long from_post[SAMPLES], from_201[SAMPLES];
	struct specialist_client *tanaka, *suzuki, *yamamoto;
	struct world r;
	struct report rep;
	struct harness_response res;
	char want[64], path[512];
	char *body, *state;
	json_t *doc;

	relay_open(&r, team, 3, LONG_STEP, 2);
	tanaka = world_app(&r, "tanaka");
	suzuki = world_app(&r, "suzuki");
	yamamoto = world_app(&r, "yamamoto");

	report(&r, "27", "ransomware", "ja", &rep);
	world_expect(tanaka, rep.needle, ALERT_MS, &body,
	             "Osaka's on-call ransomware specialist was not alerted");
	cr_assert_not_null(strstr(body, "Osaka"), "the alert should name the prefecture:\n%s",
	                   body);
	cr_assert_not_null(strstr(body, "Ransomware"), "the alert should name the type:\n%s", body);
	cr_assert_not_null(strstr(body, "Still happening"), "alert:\n%s", body);
	cr_assert_not_null(strstr(body, "Noticed"), "alert:\n%s", body);
	cr_assert_not_null(strstr(body, rep.description),
	                   "the alert should summarise the description:\n%s", body);
	snprintf(want, sizeof want, "ack %s", rep.ref);
	cr_assert_not_null(strstr(body, want), "the alert should say how to take it:\n%s", body);
	cr_assert_null(strstr(body, rep.name), "the reporter's name is in an alert:\n%s", body);
	cr_assert_null(strstr(body, rep.phone), "the reporter's phone is in an alert:\n%s", body);
	free(body);
	world_expect(suzuki, rep.needle, ALERT_MS, NULL,
	             "Osaka's other on-call specialist (all types) was not alerted");
	cr_assert_eq(specialist_count_messages(yamamoto, rep.ref), 0u,
	             "Kyoto's specialist is not on call for Osaka: step 0 is Osaka's on-call list");

	state = case_state(&r, &rep);
	cr_assert_str_neq(state, "acknowledged", "nobody has answered yet");
	free(state);
	snprintf(path, sizeof path, "/cases/%s?t=%s&lang=en", rep.ref, rep.token);
	harness_get(r.d, path, &res);
	cr_assert_eq(res.status, 200);
	cr_assert_null(strstr(res.body.data, "A specialist has your case"),
	               "the status page claims a specialist before anyone answered");
	harness_response_fini(&res);

	world_tell(tanaka, "ack %s", rep.ref);
	world_expect(tanaka, "you have this case", ALERT_MS, &body,
	             "the acknowledging specialist got no confirmation");
	cr_assert_not_null(strstr(body, rep.ref), "the confirmation should name the case:\n%s",
	                   body);
	cr_assert_not_null(strstr(body, rep.name), "the acker needs the reporter's name:\n%s",
	                   body);
	cr_assert_not_null(strstr(body, rep.phone), "the acker needs the reporter's phone:\n%s",
	                   body);
	free(body);
	world_expect(suzuki, "taken by another specialist", ALERT_MS, &body,
	             "the other alerted specialist was not told the case is taken");
	cr_assert_not_null(strstr(body, rep.ref), "the notice should name the case:\n%s", body);
	free(body);

	world_tell(suzuki, "ack %s", rep.ref);
	world_expect(suzuki, "already taken", ALERT_MS, NULL,
	             "a second ack should be told the case is already taken");

	cr_assert_eq(specialist_count_messages(tanaka, rep.phone), 1u,
	             "the acker gets the phone exactly once");
	cr_assert_eq(specialist_count_messages(suzuki, rep.phone), 0u,
	             "the phone went to a specialist who did not take the case");
	cr_assert_eq(specialist_count_messages(yamamoto, rep.phone), 0u);
	cr_assert_eq(specialist_count_messages(r.coord, rep.phone), 0u);

	state = case_state(&r, &rep);
	cr_assert_str_eq(state, "acknowledged");
	free(state);
	harness_get(r.d, path, &res);
	cr_assert_eq(res.status, 200);
	cr_assert_not_null(strstr(res.body.data, "A specialist has your case"),
	                   "the reporter's status page should say a specialist has the case");
	harness_response_fini(&res);

	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	cr_assert(timeline_has(doc, "routed"), "%s: no \"routed\" event", rep.ref);
	cr_assert(timeline_has(doc, "contact_revealed"),
	          "%s: revealing the phone must be on the timeline", rep.ref);
	fprintf(stderr, "relay: time to acknowledge %s: %.1f ms\n", rep.ref,
	        timeline_elapsed(doc, rep.ref, "acknowledged"));
	json_decref(doc);

	/* Report → alert, one case at a time, for information. */
	for (int i = 0; i < SAMPLES; i++) {
		struct report s;
		long long at;

		report(&r, "27", i % 2 ? "ransomware" : "malware", i % 3 ? "ja" : "en", &s);
		at =
		    world_expect(tanaka, s.needle, ALERT_MS, NULL, "a sample case was not alerted");
		from_post[i] = at - s.sent_ns;
		from_201[i] = at - s.answered_ns;
	}
	print_latency("report -> alert at the specialist's app (POST sent -> alert)", from_post,
	              SAMPLES);
	print_latency("report -> alert at the specialist's app (201 read -> alert)", from_201,
	              SAMPLES);
	world_close(&r);
}

/* Osaka's on-call specialist and Kyoto's, Kinki's region pool for Osaka. */
static const struct world_member osaka_and_kyoto[] = {
    {.id = "tanaka", .name = "Tanaka Hiroshi", .prefectures = "27"},
    {.id = "yamamoto", .name = "Yamamoto Kei", .prefectures = "26"},
};

Test(relay, a_decline_sends_the_case_to_the_region_pool_at_once)
{
	struct specialist_client *tanaka, *yamamoto;
	struct world r;
	struct report rep;
	long long declined, alerted;
	char *body, *state;
	json_t *doc;

	relay_open(&r, osaka_and_kyoto, 2, LONG_STEP, 2);
	tanaka = world_app(&r, "tanaka");
	yamamoto = world_app(&r, "yamamoto");

	report(&r, "27", "phishing", "ja", &rep);
	world_expect(tanaka, rep.needle, ALERT_MS, NULL, "Osaka's on-call specialist");
	cr_assert_eq(specialist_count_messages(yamamoto, rep.ref), 0u,
	             "Kyoto's specialist is the region pool: step 1, not step 0");

	declined = now_ns();
	world_tell(tanaka, "decline %s", rep.ref);
	world_expect(tanaka, "declined", ALERT_MS, &body, "a decline should be confirmed");
	cr_assert_not_null(strstr(body, rep.ref), "the confirmation should name the case:\n%s",
	                   body);
	free(body);
	alerted = world_expect(yamamoto, rep.needle, ALERT_MS, NULL,
	                       "everyone in step 0 declined, so the Kinki pool should be "
	                       "alerted at once, not after the 60 s wait");
	fprintf(stderr, "relay: decline -> region pool alert: %.1f ms\n",
	        (double)(alerted - declined) / 1e6);

	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	cr_assert(timeline_has(doc, "escalated"),
	          "%s: the move to the region pool is not on the "
	          "timeline",
	          rep.ref);
	json_decref(doc);
	state = case_state(&r, &rep);
	cr_assert_str_neq(state, "acknowledged");
	free(state);
	world_close(&r);
}

Test(relay, without_an_answer_the_case_climbs_to_the_region_and_then_the_coordinators)
{
	struct specialist_client *tanaka, *yamamoto;
	struct world r;
	struct report rep;
	long long t0, t1, t2;
	char nobody[64];
	json_t *doc;

	relay_open(&r, osaka_and_kyoto, 2, "1s", 2);
	tanaka = world_app(&r, "tanaka");
	yamamoto = world_app(&r, "yamamoto");

	report(&r, "27", "bec", "en", &rep);
	t0 = world_expect(tanaka, rep.needle, ALERT_MS, NULL, "step 0: Osaka on call");
	t1 = world_expect(yamamoto, rep.needle, ALERT_MS, NULL,
	                  "no ack within 1 s: the Kinki pool should be alerted");
	t2 = world_expect(r.coord, rep.needle, ALERT_MS, NULL,
	                  "no ack within 1 s more: the coordinators should be alerted");
	fprintf(stderr, "relay: step 0 -> 1: %.0f ms, step 1 -> 2: %.0f ms (wait 1 s)\n",
	        (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
	cr_assert_geq(t1 - t0, 800000000LL, "the region pool was alerted before the wait ended");
	cr_assert_geq(t2 - t0, 1800000000LL,
	              "the coordinators were alerted before both waits had passed");

	world_expect(tanaka, rep.needle, ALERT_MS, NULL,
	             "round 2 should start again with Osaka's on-call specialist");
	snprintf(nobody, sizeof nobody, "Nobody has taken case %s", rep.ref);
	world_expect(r.coord, nobody, 3 * ALERT_MS, NULL,
	             "after two rounds the coordinators should hear that nobody took it");

	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	cr_assert(timeline_has(doc, "escalated"), "%s: escalations are not on the timeline",
	          rep.ref);
	json_decref(doc);
	world_close(&r);
}

Test(relay, an_offline_specialist_is_skipped_at_once)
{
	struct specialist_client *tanaka, *yamamoto;
	struct world r;
	struct report rep;
	long long alerted;
	json_t *doc;

	relay_open(&r, osaka_and_kyoto, 2, LONG_STEP, 2);
	tanaka = world_app(&r, "tanaka");
	yamamoto = world_app(&r, "yamamoto");

	/* The bot saw him online; now his phone goes off. */
	cr_assert_eq(specialist_go_offline(tanaka), 0);
	report(&r, "27", "malware", "ja", &rep);
	alerted = world_expect(yamamoto, rep.needle, ALERT_MS, NULL,
	                       "Osaka's only on-call specialist is offline: the Kinki pool "
	                       "should be alerted at once, not after the 60 s wait");
	fprintf(stderr, "relay: report -> region pool alert with step 0 offline: %.1f ms\n",
	        (double)(alerted - rep.sent_ns) / 1e6);
	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	cr_assert(timeline_has(doc, "escalated"), "%s: the failover is not on the timeline",
	          rep.ref);
	json_decref(doc);
	world_close(&r);
}

/* Prosody goes away for DOWN_MS while REPORTS reports come in; every alert
 * must arrive after it is back, exactly once. STEP keeps escalation out of it. */
static void prosody_outage(int reports, long down_ms, const char *step)
{
	static const struct world_member team[] = {
	    {.id = "tanaka", .name = "Tanaka Hiroshi", .prefectures = "27"},
	    {.id = "suzuki", .name = "Suzuki Ichiro", .prefectures = "27"},
	};
	enum { REPORTS_MAX = 30 };
	const int REPORTS = reports;
	const long DOWN_MS = down_ms;
	struct report rep[REPORTS_MAX];
	struct world r;
	long long stopped, restarted, last = 0;

	cr_assert_leq(reports, REPORTS_MAX);
	relay_open(&r, team, 2, step, 2);

	cr_assert_eq(prosody_stop(r.server), 0, "Prosody did not stop cleanly");
	stopped = harness_now_ms();
	for (size_t i = 0; i < r.n; i++)
		cr_assert_eq(specialist_wait_offline(r.app[i], ALERT_MS), 0);
	/* Reports keep coming in while the server is away. */
	for (int i = 0; i < REPORTS; i++) {
		long long due = stopped + (long long)DOWN_MS * i / REPORTS;

		if (harness_now_ms() < due)
			harness_sleep_ms((long)(due - harness_now_ms()));
		report(&r, "27", fixture_incident_types[i % FIXTURE_TYPES], "ja", &rep[i]);
	}
	if (harness_now_ms() < stopped + DOWN_MS)
		harness_sleep_ms((long)(stopped + DOWN_MS - harness_now_ms()));
	cr_assert_eq(prosody_restart(r.server), 0, "Prosody did not come back");
	restarted = now_ns();
	for (size_t i = 0; i < r.n; i++)
		cr_assert_eq(specialist_go_online(r.app[i]), 0, "%s cannot log in again",
		             specialist_jid(r.app[i]));
	cr_assert_eq(specialist_go_online(r.coord), 0, "the coordinator cannot log in again");

	/* The bot backs off up to 30 s between attempts. */
	for (int i = 0; i < REPORTS; i++) {
		for (size_t k = 0; k < r.n; k++) {
			long long at = world_expect(r.app[k], rep[i].needle, 40000, NULL,
			                            "an alert written while Prosody was down "
			                            "never arrived after it came back");

			if (at > last)
				last = at;
		}
	}
	fprintf(stderr,
	        "relay: Prosody down %ld s with %d reports (all answered with guidance) -> after "
	        "its restart, last of %d alerts delivered in %.0f ms\n",
	        DOWN_MS / 1000, REPORTS, REPORTS * (int)r.n, (double)(last - restarted) / 1e6);

	/* Once no alert waits to be sent, nothing more can come: what the
	 * server took is in each app once a round trip through the bot is
	 * back. Then each alert exactly once. */
	harness_outbox_settled(r.d, "xmpp", ALERT_MS);
	for (size_t k = 0; k < r.n; k++) {
		world_tell(r.app[k], "help");
		world_expect(r.app[k], "this help", ALERT_MS, NULL, "a round trip through the bot");
	}
	cr_assert_eq(specialist_count_messages(r.coord, "New case"), 0u,
	             "the coordinators got %zu alerts: the cases moved past Osaka's two "
	             "on-call specialists although the step waits 60 s and nobody was seen "
	             "going offline since the bot reconnected",
	             specialist_count_messages(r.coord, "New case"));
	for (int i = 0; i < REPORTS; i++)
		for (size_t k = 0; k < r.n; k++)
			cr_assert_eq(specialist_count_messages(r.app[k], rep[i].ref), 1u,
			             "%s got the alert for %s %zu times, want once",
			             specialist_jid(r.app[k]), rep[i].ref,
			             specialist_count_messages(r.app[k], rep[i].ref));
	world_close(&r);
}

Test(relay, alerts_written_while_prosody_was_down_arrive_once_it_is_back)
{
	prosody_outage(10, 3000, LONG_STEP);
}

Test(relay, after_prosody_is_down_for_two_minutes_every_alert_arrives_once)
{
	prosody_outage(30, 120000, "10m");
}

static int open_descriptors(pid_t pid)
{
	char path[64];
	DIR *dir;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* libstrophe waits in select(), which cannot watch a descriptor of 1024 or
 * more: the bot must still get back onto Prosody when the daemon holds
 * more connections than that (a flood, or a busy day). */
Test(relay, the_bot_reconnects_while_the_daemon_holds_more_than_fd_setsize_connections)
{
	struct world r;
	struct report rep;
	int held, crowd[2], hold[2];
	pid_t child;

	relay_open_with(&r, tanaka_only, 1, LONG_STEP, 2, "[http]\ntimeout = 120\n");
	cr_assert_eq(prosody_stop(r.server), 0, "Prosody did not stop cleanly");
	cr_assert_eq(specialist_wait_offline(r.app[0], ALERT_MS), 0);
	/* The connections come from a child, so that this process (and the
	 * specialist's own libstrophe) keeps its descriptors low. */
	cr_assert_eq(pipe(crowd), 0);
	cr_assert_eq(pipe(hold), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		int n = 0;
		char c;

		close(crowd[0]);
		close(hold[1]);
		for (int i = 0; i < FD_SETSIZE + 100; i++) {
			char src[32];

			snprintf(src, sizeof src, "127.0.%d.%d", 1 + i / 50 / 200,
			         2 + (i / 50) % 200);
			if (harness_idle_connection(r.d, src, NULL) >= 0)
				n++;
		}
		if (write(crowd[1], &n, sizeof n) < 0)
			_exit(1);
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(crowd[1]);
	close(hold[0]);
	{
		int n = 0;

		cr_assert_eq(read(crowd[0], &n, sizeof n), (ssize_t)sizeof n);
		cr_assert_gt(n, FD_SETSIZE, "could only open %d connections", n);
	}
	/* Wait until the daemon has accepted them all. */
	for (int tries = 0; (held = open_descriptors(r.d->pid)) <= FD_SETSIZE && tries < 500;
	     tries++)
		harness_sleep_ms(10);
	cr_assert_gt(held, FD_SETSIZE, "the daemon holds only %d descriptors", held);

	cr_assert_eq(prosody_restart(r.server), 0, "Prosody did not come back");
	cr_assert_eq(specialist_go_online(r.app[0]), 0, "tanaka cannot log in again");
	report(&r, "27", "ransomware", "ja", &rep);
	world_expect(r.app[0], rep.needle, 40000, NULL,
	             "with more than FD_SETSIZE descriptors open, the bot never got back "
	             "onto Prosody");
	fprintf(stderr,
	        "relay: with %d descriptors open in the daemon, the bot reconnected and the "
	        "alert arrived\n",
	        held);
	{
		char *log = harness_read_file(r.d->log_path, NULL);

		cr_assert_not_null(log);
		cr_assert_null(strstr(log, "libstrophe can only watch"),
		               "the socket had to be refused: the reserve kept no low number");
		free(log);
	}
	close(hold[1]);
	close(crowd[0]);
	waitpid(child, NULL, 0);
	world_close(&r);
}

Test(relay, after_kakekomid_is_killed_the_escalation_goes_on_and_ack_still_works)
{
	struct specialist_client *tanaka, *yamamoto;
	struct world r;
	struct report rep;
	long long t0, t1;
	char *body, *state;
	json_t *doc;

	relay_open(&r, osaka_and_kyoto, 2, "3s", 2);
	tanaka = world_app(&r, "tanaka");
	yamamoto = world_app(&r, "yamamoto");

	report(&r, "27", "ransomware", "ja", &rep);
	t0 = world_expect(tanaka, rep.needle, ALERT_MS, NULL, "step 0: Osaka on call");
	harness_daemon_kill(r.d);
	harness_daemon_restart(r.d);

	t1 = world_expect(yamamoto, rep.needle, 20000, NULL,
	                  "after the restart the escalation should go on to the Kinki pool");
	fprintf(stderr, "relay: step 0 -> 1 across a SIGKILL and restart: %.0f ms (wait 3 s)\n",
	        (double)(t1 - t0) / 1e6);
	cr_assert_geq(t1 - t0, 2500000000LL,
	              "the restart skipped the 3 s wait: the next step was alerted after %.0f ms",
	              (double)(t1 - t0) / 1e6);

	world_tell(yamamoto, "ack %s", rep.ref);
	world_expect(yamamoto, "you have this case", ALERT_MS, &body,
	             "ack after the restart should work");
	cr_assert_not_null(strstr(body, rep.phone), "the acker needs the phone:\n%s", body);
	free(body);
	world_expect(tanaka, "taken by another specialist", ALERT_MS, NULL,
	             "the specialist alerted before the crash should hear it is taken");
	state = case_state(&r, &rep);
	cr_assert_str_eq(state, "acknowledged");
	free(state);
	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	cr_assert(timeline_has(doc, "escalated"), "%s: no \"escalated\" event", rep.ref);
	timeline_elapsed(doc, rep.ref, "acknowledged");
	json_decref(doc);
	fprintf(stderr, "relay: copies of the step-0 alert at %s across the crash: %zu\n",
	        specialist_jid(tanaka), specialist_count_messages(tanaka, rep.needle));
	world_close(&r);
}

Test(relay, a_stranger_cannot_take_a_case)
{
	struct specialist_client *tanaka, *mallory;
	struct world r;
	struct report rep;
	char *body, *state;
	json_t *doc;

	relay_open(&r, tanaka_only, 1, LONG_STEP, 2);
	tanaka = world_app(&r, "tanaka");
	world_account(&r, "mallory", "pw-mallory");
	mallory = world_connect(&r, "mallory", "pw-mallory");

	report(&r, "27", "data_leak", "ja", &rep);
	world_expect(tanaka, rep.needle, ALERT_MS, NULL, "Osaka's on-call specialist");

	world_tell(mallory, "ack %s", rep.ref);
	world_expect(mallory, "registered specialists", ALERT_MS, &body,
	             "a stranger should be told the bot is for registered specialists");
	cr_assert_null(strstr(body, rep.phone), "a stranger got the phone:\n%s", body);
	cr_assert_null(strstr(body, rep.name), "a stranger got the name:\n%s", body);
	free(body);
	cr_assert_eq(specialist_count_messages(mallory, rep.phone), 0u);

	state = case_state(&r, &rep);
	cr_assert_str_neq(state, "acknowledged", "a stranger's ack changed the case");
	free(state);
	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	cr_assert_not(timeline_has(doc, "acknowledged"), "a stranger's ack is on the timeline");
	json_decref(doc);
	cr_assert_eq(specialist_count_messages(tanaka, "taken by another specialist"), 0u);

	/* The case is still open for the specialist who was alerted. */
	world_tell(tanaka, "ack %s", rep.ref);
	world_expect(tanaka, "you have this case", ALERT_MS, NULL,
	             "the alerted specialist could not take the case after a stranger tried");
	specialist_free(mallory);
	world_close(&r);
}

/*
 * The bot takes chat from anyone (reports by chat), so anyone can send it
 * stanzas that look like the answers to its own messages: a XEP-0184
 * receipt or a type="error" bounce carrying the id of an alert, a webhook
 * event or a mail row. Mallory sends both for the id Tanaka's alert came
 * with (as if she had seen it) and for every small number, and a receipt
 * with an id too long for any integer. None of it may touch the outbox:
 * the alert stays alerted (no escalation, no coordinator woken), the
 * webhook events that could not be delivered stay queued for retry.
 */
Test(relay, forged_receipts_and_bounces_from_another_account_change_nothing)
{
	static const char bounce[] = "<message type='error' to='" BOT "' id='%s'>"
	                             "<error type='cancel'><item-not-found"
	                             " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
	                             "</message>";
	static const char receipt[] = "<message to='" BOT "'>"
	                              "<received xmlns='urn:xmpp:receipts' id='%s'/></message>";
	struct specialist_client *tanaka, *mallory;
	struct specialist_message alert = {0};
	struct world r;
	struct report rep;
	char extra[256], xml[512], id[64], *state;
	long long rows, alert_row, delivered;
	json_t *doc;

	/* Nothing listens on the webhook's port: its events wait for a retry. */
	snprintf(extra, sizeof extra,
	         "[webhooks]\nurls = http://127.0.0.1:%u/hook\nsecret = forged-receipt-test\n",
	         harness_free_port());
	relay_open_with(&r, tanaka_only, 1, LONG_STEP, 2, extra);
	tanaka = world_app(&r, "tanaka");
	world_account(&r, "mallory", "pw-mallory");
	mallory = world_connect(&r, "mallory", "pw-mallory");

	report(&r, "27", "ransomware", "ja", &rep);
	cr_assert_eq(specialist_wait_message_full(tanaka, rep.needle, ALERT_MS, &alert), 0,
	             "Osaka's on-call specialist got no alert");
	cr_assert_neq(alert.id[0], '\0', "the alert should carry a stanza id (for its receipt)");
	alert_row = harness_db_int(r.d,
	                           "SELECT o.id FROM outbox o JOIN cases c ON c.id = o.case_id"
	                           " WHERE c.ref = ? AND o.kind = 'alert'",
	                           rep.ref, NULL);
	cr_assert_gt(alert_row, 0, "%s: no alert row in the outbox", rep.ref);
	rows = harness_db_int(r.d,
	                      "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id"
	                      " WHERE c.ref = ? AND o.channel = 'webhook'",
	                      rep.ref, NULL);
	cr_assert_gt(rows, 0, "%s: no webhook event was queued", rep.ref);

	/* The id Tanaka's alert came with, then every small number. */
	snprintf(xml, sizeof xml, bounce, alert.id);
	cr_assert_eq(specialist_send_raw(mallory, xml), 0);
	snprintf(xml, sizeof xml, receipt, alert.id);
	cr_assert_eq(specialist_send_raw(mallory, xml), 0);
	for (int i = 1; i <= 64; i++) {
		snprintf(id, sizeof id, "kk-%d", i);
		snprintf(xml, sizeof xml, receipt, id);
		cr_assert_eq(specialist_send_raw(mallory, xml), 0);
		snprintf(xml, sizeof xml, bounce, id);
		cr_assert_eq(specialist_send_raw(mallory, xml), 0);
	}
	snprintf(xml, sizeof xml, receipt, "kk-99999999999999999999999999999999999999");
	cr_assert_eq(specialist_send_raw(mallory, xml), 0);
	snprintf(xml, sizeof xml, bounce, "kk-99999999999999999999999999999999999999");
	cr_assert_eq(specialist_send_raw(mallory, xml), 0);

	/* The server keeps one stream's stanzas in order, the bot handles them
	 * in order and its store writes them in order: once the conversation
	 * Mallory's next line opens is stored, whatever the forgeries did is
	 * in the store too. */
	world_tell(mallory, "hello");
	world_expect(mallory, "What is happening?", ALERT_MS, NULL,
	             "the bot should still answer after the forged stanzas");
	delivered = harness_now_ms() + ALERT_MS;
	while (harness_db_int(r.d, "SELECT count(*) FROM conversations WHERE jid = ?",
	                      "mallory@" DOMAIN, NULL) != 1 &&
	       harness_now_ms() < delivered)
		harness_sleep_ms(50);
	cr_assert_eq(harness_db_int(r.d, "SELECT count(*) FROM conversations WHERE jid = ?",
	                            "mallory@" DOMAIN, NULL),
	             1, "Mallory's chat report was not stored");

	cr_assert_eq(harness_db_int(r.d,
	                            "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id"
	                            " WHERE c.ref = ? AND o.channel = 'webhook'"
	                            " AND (o.state <> 'pending' OR o.delivered_ms IS NOT NULL)",
	                            rep.ref, NULL),
	             0,
	             "forged receipts marked webhook events delivered: they will never be retried");
	snprintf(id, sizeof id, "%lld", alert_row);
	cr_assert_eq(harness_db_int(r.d,
	                            "SELECT count(*) FROM outbox WHERE id = ? AND state = 'failed'",
	                            id, NULL),
	             0, "a forged bounce marked Tanaka's alert failed");
	cr_assert_eq(harness_db_int(r.d,
	                            "SELECT count(*) FROM alerts a JOIN cases c ON c.id = a.case_id"
	                            " WHERE c.ref = ? AND a.state = 'failed'",
	                            rep.ref, NULL),
	             0, "a forged bounce marked Tanaka unreachable");
	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	cr_assert_not(timeline_has(doc, "escalated"),
	              "a forged bounce pushed the case to the next escalation step");
	json_decref(doc);
	cr_assert_eq(specialist_count_messages(r.coord, rep.ref), 0u,
	             "a forged bounce woke the coordinators");

	/* Tanaka's own receipt still counts, and the case is still his to take. */
	delivered = harness_now_ms() + ALERT_MS;
	while (harness_db_int(r.d, "SELECT count(*) FROM outbox WHERE id = ? AND delivered_ms > 0",
	                      id, NULL) != 1 &&
	       harness_now_ms() < delivered)
		harness_sleep_ms(50);
	cr_assert_eq(harness_db_int(r.d,
	                            "SELECT count(*) FROM outbox WHERE id = ? AND delivered_ms > 0",
	                            id, NULL),
	             1, "Tanaka's app answered the alert's receipt request: it should count");
	world_tell(tanaka, "ack %s", rep.ref);
	world_expect(tanaka, "you have this case", ALERT_MS, NULL,
	             "the alerted specialist could not take the case after the forgeries");
	state = case_state(&r, &rep);
	cr_assert_str_eq(state, "acknowledged");
	free(state);
	specialist_message_fini(&alert);
	specialist_free(mallory);
	world_close(&r);
}

/*
 * A write inside a chat command that fails must fail the whole command: the
 * specialist is told to send it again and nothing of it is recorded. The
 * store is made to refuse one statement of "decline" (the alert's new
 * state) with a trigger, as a full disk or a constraint would.
 */
Test(relay, a_decline_whose_alert_update_fails_is_not_recorded_and_says_send_again)
{
	struct specialist_client *tanaka, *yamamoto;
	struct world r;
	struct report rep;
	sqlite3 *db = NULL;
	json_t *doc;

	relay_open(&r, osaka_and_kyoto, 2, LONG_STEP, 2);
	tanaka = world_app(&r, "tanaka");
	yamamoto = world_app(&r, "yamamoto");
	report(&r, "27", "phishing", "ja", &rep);
	world_expect(tanaka, rep.needle, ALERT_MS, NULL, "Osaka's on-call specialist");

	cr_assert_eq(sqlite3_open_v2(r.d->db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(
	    sqlite3_exec(db,
	                 "CREATE TRIGGER test_refuse_decline BEFORE UPDATE OF state ON alerts"
	                 " WHEN NEW.state = 'declined'"
	                 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
	                 NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);

	world_tell(tanaka, "decline %s", rep.ref);
	world_expect(tanaka, "send it again", ALERT_MS, NULL,
	             "a decline that could not be recorded should say so");
	cr_assert_eq(specialist_count_messages(tanaka, "declined"), 0u,
	             "the decline was confirmed although its write failed");
	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	cr_assert_not(timeline_has(doc, "declined"),
	              "the timeline records a decline whose alert update failed");
	cr_assert_not(timeline_has(doc, "escalated"), "the case moved on after a failed decline");
	json_decref(doc);
	cr_assert_eq(specialist_count_messages(yamamoto, rep.ref), 0u,
	             "the region pool was alerted after a failed decline");
	world_close(&r);
}

Test(relay, a_burst_across_ten_prefectures_reaches_only_each_prefectures_specialist)
{
	static const struct world_member team[] = {
	    {.id = "hokkaido", .name = "Sapporo Sec", .prefectures = "01"},
	    {.id = "miyagi", .name = "Sendai Sec", .prefectures = "04"},
	    {.id = "tokyo", .name = "Tokyo Sec", .prefectures = "13"},
	    {.id = "kanagawa", .name = "Yokohama Sec", .prefectures = "14"},
	    {.id = "aichi", .name = "Nagoya Sec", .prefectures = "23"},
	    {.id = "kyoto", .name = "Kyoto Sec", .prefectures = "26"},
	    {.id = "osaka", .name = "Osaka Sec", .prefectures = "27"},
	    {.id = "hiroshima", .name = "Hiroshima Sec", .prefectures = "34"},
	    {.id = "kagawa", .name = "Takamatsu Sec", .prefectures = "37"},
	    {.id = "fukuoka", .name = "Hakata Sec", .prefectures = "40"},
	};
	enum { PREFS = 10, CASES = 50 };
	static struct report rep[CASES];
	long long first = 0, last = 0;
	struct world r;

	relay_open(&r, team, PREFS, LONG_STEP, 2);
	for (int i = 0; i < CASES; i++)
		report(&r, team[i % PREFS].prefectures, fixture_incident_types[i % FIXTURE_TYPES],
		       i % 2 ? "en" : "ja", &rep[i]);
	for (int i = 0; i < CASES; i++) {
		long long at = world_expect(r.app[i % PREFS], rep[i].needle, ALERT_MS, NULL,
		                            "a case did not reach its prefecture's specialist");

		if (last < at)
			last = at;
	}
	first = rep[0].sent_ns;
	fprintf(stderr, "relay: %d reports across %d prefectures -> last alert: %.0f ms\n", CASES,
	        PREFS, (double)(last - first) / 1e6);

	/*
	 * A round trip with every app, so that nothing sent before is still on
	 * its way: the answer to "status" (or a stray alert, which the counts
	 * below then catch).
	 */
	for (int k = 0; k < PREFS; k++)
		world_tell(r.app[k], "status");
	for (int k = 0; k < PREFS; k++)
		world_expect(r.app[k], "", ALERT_MS, NULL, "\"status\" was not answered");
	for (int i = 0; i < CASES; i++)
		for (int k = 0; k < PREFS; k++)
			cr_assert_eq(specialist_count_messages(r.app[k], rep[i].needle),
			             k == i % PREFS ? 1u : 0u,
			             "%s (serves %s) got %zu alerts for %s from prefecture %s",
			             specialist_jid(r.app[k]), team[k].prefectures,
			             specialist_count_messages(r.app[k], rep[i].needle), rep[i].ref,
			             team[i % PREFS].prefectures);
	cr_assert_eq(specialist_count_messages(r.coord, "New case"), 0u,
	             "the coordinators were alerted although every step 0 had someone");
	world_close(&r);
}

Test(relay, the_acker_records_contact_onsite_and_resolve_and_others_are_told_not_yours)
{
	static const struct world_member team[] = {
	    {.id = "tanaka", .name = "Tanaka Hiroshi", .prefectures = "27"},
	    {.id = "suzuki", .name = "Suzuki Ichiro", .prefectures = "27"},
	};
	static const char *const clocks[] = {"acknowledged", "contacted", "onsite", "resolved"};
	struct specialist_client *tanaka, *suzuki;
	struct world r;
	struct report rep;
	char lower[32];
	double prev = 0;
	char *body, *state;
	json_t *doc;

	relay_open(&r, team, 2, LONG_STEP, 2);
	tanaka = world_app(&r, "tanaka");
	suzuki = world_app(&r, "suzuki");

	report(&r, "27", "unauthorized_access", "ja", &rep);
	world_expect(tanaka, rep.needle, ALERT_MS, NULL, "Osaka on call");
	world_expect(suzuki, rep.needle, ALERT_MS, NULL, "Osaka on call");
	world_tell(tanaka, "ack %s", rep.ref);
	world_expect(tanaka, "you have this case", ALERT_MS, NULL, "ack");

	world_tell(suzuki, "contacted %s", rep.ref);
	world_expect(suzuki, "not yours", ALERT_MS, NULL,
	             "someone else's \"contacted\" should be refused");

	world_tell(tanaka, "contacted %s", rep.ref);
	world_expect(tanaka, "first contact", ALERT_MS, &body, "\"contacted\" not confirmed");
	cr_assert_not_null(strstr(body, rep.ref), "confirmation without the case:\n%s", body);
	free(body);

	/* Commands are case-insensitive, references too. */
	for (size_t i = 0; rep.ref[i] != '\0' && i < sizeof lower - 1; i++) {
		lower[i] = (char)(rep.ref[i] >= 'A' && rep.ref[i] <= 'Z' ? rep.ref[i] - 'A' + 'a'
		                                                         : rep.ref[i]);
		lower[i + 1] = '\0';
	}
	world_tell(tanaka, "OnSite %s", lower);
	world_expect(tanaka, "on site", ALERT_MS, &body, "\"onsite\" not confirmed");
	cr_assert_not_null(strstr(body, rep.ref), "confirmation without the case:\n%s", body);
	free(body);

	world_tell(suzuki, "resolve %s", rep.ref);
	world_expect(suzuki, "not yours", ALERT_MS, NULL,
	             "someone else's \"resolve\" should be refused");
	state = case_state(&r, &rep);
	cr_assert_str_neq(state, "resolved", "someone else's resolve closed the case");
	free(state);

	world_tell(tanaka, "resolve %s backups restored, the PC was reinstalled", rep.ref);
	world_expect(tanaka, "resolved", ALERT_MS, &body, "\"resolve\" not confirmed");
	cr_assert_not_null(strstr(body, rep.ref), "confirmation without the case:\n%s", body);
	free(body);

	world_tell(tanaka, "ack KK-0000-00");
	world_expect(tanaka, "unknown case", ALERT_MS, NULL,
	             "a reference that does not exist should be named as unknown");

	state = case_state(&r, &rep);
	cr_assert_str_eq(state, "resolved");
	free(state);
	doc = fixture_case_fetch(r.d, rep.ref, rep.token);
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		double ms = timeline_elapsed(doc, rep.ref, clocks[i]);

		cr_assert_geq(ms, prev, "%s: %s (%.1f ms) before the clock before it (%.1f ms)",
		              rep.ref, clocks[i], ms, prev);
		fprintf(stderr, "relay: %s %s at %.1f ms\n", rep.ref, clocks[i], ms);
		prev = ms;
	}
	json_decref(doc);
	world_close(&r);
}

/* The specialist who takes a late case with personal data learns from the
 * ack that the preliminary report to the commission is overdue, so that the
 * call starts with what is late. */
Test(relay, the_ack_of_a_late_case_with_personal_data_says_the_preliminary_report_is_overdue)
{
	struct world r;
	json_t *body, *ans;
	char at[32], needle[64], ref[32];
	char *msg;

	relay_open(&r, tanaka_only, 1, LONG_STEP, 2);
	body = fixture_intake_new("ransomware", "ja");
	fixture_json_set(body, "prefecture", "27");
	fixture_json_set(body, "personal_data", "yes");
	fixture_time_rfc3339(time(NULL) - 6 * 86400, at, sizeof at);
	fixture_json_set(body, "noticed_at", at);
	ans = fixture_case_create(r.d, body);
	snprintf(ref, sizeof ref, "%s", fixture_json_string(ans, "ref"));
	json_decref(ans);
	json_decref(body);
	snprintf(needle, sizeof needle, "New case %s", ref);
	world_expect(r.app[0], needle, ALERT_MS, NULL, "the alert");
	world_tell(r.app[0], "ack %s", ref);
	world_expect(r.app[0], "you have this case", ALERT_MS, &msg, "the ack's details");
	cr_assert_not_null(strstr(msg, "PPC preliminary report"), "%s", msg);
	cr_assert_not_null(
	    strstr(msg, "期限を過ぎています。わかっている範囲ですぐに報告してください"),
	    "the ack should say the preliminary report is overdue:\n%s", msg);
	cr_assert_not_null(strstr(msg, "PPC final report"), "%s", msg);
	free(msg);
	world_close(&r);
}

/* Coordinator kenji logs in (the first time) and takes ACTION on case REF
 * from its dashboard page; the redirect's target into LOCATION. */
static void dash_case_action(struct world *r, struct dash_client *coord, const char *ref,
                             const char *action, char location[128])
{
	struct harness_buf form = {0};
	struct harness_response res;
	char path[64];

	if (coord->d == NULL) {
		coord->d = r->d;
		dash_user_add(r->d, "kenji", "mizu-kaze-hoshi-2026");
		cr_assert_eq(dash_login(coord, "kenji", "mizu-kaze-hoshi-2026", NULL), 303);
	}
	snprintf(path, sizeof path, "/dashboard/cases/%s", ref);
	dash_get(coord, path, &res);
	harness_response_fini(&res);
	fixture_form_add(&form, "csrf", coord->csrf);
	fixture_form_add(&form, "action", action);
	dash_post(coord, path, form.data, &res);
	harness_buf_fini(&form);
	cr_assert(harness_response_header(&res, "Location", location, 128));
	harness_response_fini(&res);
}

/* Osaka's one specialist, Tanaka, alerted for a new malware case REP. */
static void tanaka_alerted(struct world *r, struct report *rep)
{

	relay_open(r, tanaka_only, 1, LONG_STEP, 2);
	report(r, "27", "malware", "ja", rep);
	world_expect(r->app[0], rep->needle, ALERT_MS, NULL, "the alert");
}

/* One table of states: once the specialist is on site, "contacted" is
 * refused the same way from chat and from the dashboard, and the case
 * stays on site; a coordinator who resolves by chat tells the specialist
 * who had it, as the dashboard does. */
Test(relay, contacted_after_onsite_is_refused_alike_from_chat_and_dashboard)
{
	struct dash_client coord = {0};
	struct harness_response res;
	struct world r;
	struct report rep;
	char location[128], *body, *state;
	long long contacted;

	tanaka_alerted(&r, &rep);
	world_tell(r.app[0], "ack %s", rep.ref);
	world_expect(r.app[0], "you have this case", ALERT_MS, NULL, "ack");
	world_tell(r.app[0], "onsite %s", rep.ref);
	world_expect(r.app[0], "arrival on site", ALERT_MS, NULL, "onsite");

	world_tell(r.app[0], "contacted %s", rep.ref);
	world_expect(r.app[0], "cannot go back to contacted", ALERT_MS, &body,
	             "chat: contacted after onsite should be refused");
	cr_assert_not_null(strstr(body, "現地対応がすでに始まっているため"), "%s", body);
	free(body);
	state = case_state(&r, &rep);
	cr_assert_str_eq(state, "onsite", "chat moved the case back to %s", state);
	free(state);

	dash_case_action(&r, &coord, rep.ref, "contacted", location);
	cr_assert_not_null(strstr(location, "refused=past"), "%s", location);
	dash_get(&coord, location, &res);
	cr_assert_not_null(strstr(res.body.data, "現地対応がすでに始まっているため"),
	                   "the dashboard should say why, as the chat does");
	harness_response_fini(&res);
	contacted = harness_db_int(r.d,
	                           "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id"
	                           " WHERE c.ref = ? AND e.kind = 'contacted'",
	                           rep.ref, NULL);
	cr_assert_eq(contacted, 0, "a refused step leaves no event (%lld)", contacted);
	state = case_state(&r, &rep);
	cr_assert_str_eq(state, "onsite");
	free(state);

	/* The coordinator resolves by chat: Tanaka is told. */
	world_tell(r.coord, "resolve %s", rep.ref);
	world_expect(r.coord, "recorded as resolved", ALERT_MS, NULL, "the coordinator's resolve");
	world_expect(r.app[0], "a coordinator", ALERT_MS, &body,
	             "the specialist who had the case should be told it was resolved");
	cr_assert_not_null(strstr(body, "recorded this case as resolved"), "%s", body);
	free(body);
	world_close(&r);
}

/* A coordinator may record the first contact before anyone takes the case;
 * a specialist who then acknowledges gets the case, and the case does not
 * go back from contacted to acknowledged. */
Test(relay, ack_after_the_dashboard_recorded_contact_keeps_the_case_contacted)
{
	struct dash_client coord = {0};
	struct world r;
	struct report rep;
	char location[128], *state;

	tanaka_alerted(&r, &rep);

	dash_case_action(&r, &coord, rep.ref, "contacted", location);
	cr_assert_not_null(strstr(location, "done=contacted"), "%s", location);
	state = case_state(&r, &rep);
	cr_assert_str_eq(state, "contacted");
	free(state);

	world_tell(r.app[0], "ack %s", rep.ref);
	world_expect(r.app[0], "you have this case", ALERT_MS, NULL, "ack");
	state = case_state(&r, &rep);
	cr_assert_str_eq(state, "contacted", "the ack moved the case back to %s", state);
	free(state);
	cr_assert_eq(harness_db_int(r.d, "SELECT count(*) FROM cases WHERE ref = ? AND assigned_to"
	                                 " LIKE 'tanaka@%'",
	                            rep.ref, NULL),
	             1, "the specialist should have the case");
	world_close(&r);
}
