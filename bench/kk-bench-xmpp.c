/* SPDX-License-Identifier: ISC */
/*
 * kk-bench-xmpp — report → XMPP alert at the specialist's client, through
 * a real Prosody.
 *
 *   kk-bench-xmpp --build DIR --src DIR --work DIR [--reports N] [--warmup W]
 *
 * Starts a private Prosody (tests/support/prosody.c: free loopback port,
 * STARTTLS required, self-signed certificate), accounts for the bot, one
 * specialist and a coordinator; kakekomid with its store in WORK/xmpp on
 * disk and [xmpp] pointing at that Prosody; the specialist's chat app
 * (tests/support/specialist.c, which stamps each message with
 * CLOCK_MONOTONIC when it is read); a roster with that specialist on call
 * for Osaka (27). Then W reports that are not counted, and N reports one
 * at a time, each POSTed to /api/v1/cases and waited for at the client:
 * from the moment before the POST to the alert's arrival, from the 201
 * being read to the alert's arrival, and POST → 201.
 *
 * Figures go to stdout as "RESULT key value" lines; nothing is asserted.
 * Exits 0 when every step ran (alerts that never came are counted, not
 * fatal), 1 when the set-up failed.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchlib.h"
#include "harness.h"
#include "prosody.h"
#include "specialist.h"

#define DOMAIN        "kk.bench"
#define BOT           "bot@" DOMAIN
#define BOT_PW        "bench-bot-pw"
#define SPEC_USER     "osaka"
#define SPEC_PW       "bench-osaka-pw"
#define COORD_USER    "coord"
#define COORD_PW      "bench-coord-pw"
#define ALERT_WAIT_MS 5000
#define PRESENCE_MS   20000
#define READY_MS      15000
#define GAP_MS        20 /* between reports, so that each one meets an idle relay */

struct opts {
	const char *build;
	const char *src;
	const char *work;
	long reports;
	long warmup;
};

static int usage(void)
{
	fprintf(stderr, "usage: kk-bench-xmpp --build DIR --src DIR --work DIR [--reports N] "
	                "[--warmup W]\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	o->reports = 200;
	o->warmup = 10;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return -1;
		if (strcmp(a, "--build") == 0)
			o->build = v;
		else if (strcmp(a, "--src") == 0)
			o->src = v;
		else if (strcmp(a, "--work") == 0)
			o->work = v;
		else if (strcmp(a, "--reports") == 0)
			o->reports = strtol(v, NULL, 10);
		else if (strcmp(a, "--warmup") == 0)
			o->warmup = strtol(v, NULL, 10);
		else
			return -1;
		i++;
	}
	if (o->build == NULL || o->src == NULL || o->work == NULL || o->reports < 1 ||
	    o->reports > 100000 || o->warmup < 0 || o->warmup > 1000)
		return -1;
	return 0;
}

/* out = dir/name; -1 when it does not fit. */
static int join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* GET /healthz until 200 or the daemon ends or READY_MS pass. */
static int wait_healthy(pid_t pid, const char *base_url)
{
	long long deadline = bench_now_ns() + (long long)READY_MS * 1000000LL;
	char url[256];
	CURL *curl = curl_easy_init();
	int ok = 0;

	if (curl == NULL)
		return -1;
	snprintf(url, sizeof url, "%s/healthz", base_url);
	while (!ok && bench_now_ns() < deadline) {
		struct harness_request req = {.url = url, .timeout_ms = 1000};
		struct harness_response res;
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "kk-bench-xmpp: kakekomid ended during start-up\n");
			break;
		}
		memset(&res, 0, sizeof res);
		ok = harness_http_send(curl, &req, &res) == 0 && res.status == 200;
		harness_response_fini(&res);
		if (!ok)
			bench_sleep_ms(20);
	}
	curl_easy_cleanup(curl);
	return ok ? 0 : -1;
}

/* kakekomictl -c CONF roster import FILE; 0 on exit status 0. */
static int roster_import(const struct opts *o, const char *conf, const char *csv, const char *log)
{
	char ctl[PATH_MAX];
	const char *argv[7];
	pid_t pid;
	int status;

	if (join(ctl, sizeof ctl, o->build, "kakekomictl") != 0)
		return -1;
	argv[0] = ctl;
	argv[1] = "-c";
	argv[2] = conf;
	argv[3] = "roster";
	argv[4] = "import";
	argv[5] = csv;
	argv[6] = NULL;
	pid = bench_spawn(argv, log);
	if (pid < 0)
		return -1;
	status = bench_wait(pid, 20000);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "kk-bench-xmpp: kakekomictl roster import failed; see %s\n", log);
		return -1;
	}
	return 0;
}

/* The body of report number n, as JSON text (free it). */
static char *report_body(long n)
{
	char company[128], name[64], phone[32], description[256];
	json_t *b;
	char *text;

	snprintf(company, sizeof company, "株式会社ベンチ商事 %ld", n);
	snprintf(name, sizeof name, "大阪 太郎 %ld", n);
	snprintf(phone, sizeof phone, "06-%04ld-%04ld", (n / 10000) % 10000, n % 10000);
	snprintf(description, sizeof description,
	         "ファイルサーバに脅迫文が表示され、拡張子が .locked に変わった (bench %ld)", n);
	b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "incident_type",
	              "ransomware", "still_happening", "yes", "money_involved", "no",
	              "personal_data", "unknown", "company", company, "prefecture", "27", "name",
	              name, "phone", phone, "description", description, "lang", "ja");
	if (b == NULL)
		return NULL;
	text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return text;
}

struct sample {
	long long from_post;
	long long from_201;
	long long post_to_201;
};

/*
 * Send report n and wait for its alert. Returns 1 with *s filled, 0 when
 * the alert did not come within ALERT_WAIT_MS, -1 when the POST failed.
 * *guided is set when the 201 carried guidance.
 */
static int one_report(CURL *curl, const char *url, struct specialist_client *app, long n,
                      struct sample *s, int *guided)
{
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct harness_request req = {.method = "POST", .url = url, .headers = headers};
	struct harness_response res;
	struct specialist_message m = {0};
	char needle[64];
	char *body = report_body(n);
	long long t0, t1;
	json_t *ans = NULL, *ref;
	int rc = -1;

	if (body == NULL)
		return -1;
	memset(&res, 0, sizeof res);
	req.body = body;
	req.body_len = strlen(body);
	t0 = bench_now_ns();
	if (harness_http_send(curl, &req, &res) != 0 || res.status != 201) {
		fprintf(stderr, "kk-bench-xmpp: report %ld: status %ld %s %.300s\n", n, res.status,
		        res.error, res.body.data != NULL ? res.body.data : "");
		goto out;
	}
	t1 = bench_now_ns();
	ans = json_loads(res.body.data, 0, NULL);
	ref = json_object_get(ans, "ref");
	if (!json_is_string(ref)) {
		fprintf(stderr, "kk-bench-xmpp: report %ld: no ref in %.300s\n", n, res.body.data);
		goto out;
	}
	*guided = json_is_object(json_object_get(ans, "guidance")) ||
	          json_is_array(json_object_get(ans, "guidance"));
	snprintf(needle, sizeof needle, "New case %s", json_string_value(ref));
	if (specialist_wait_message_full(app, needle, ALERT_WAIT_MS, &m) != 0) {
		fprintf(stderr, "kk-bench-xmpp: no alert for %s within %d ms\n",
		        json_string_value(ref), ALERT_WAIT_MS);
		rc = 0;
		goto out;
	}
	s->from_post = m.arrived_ns - t0;
	s->from_201 = m.arrived_ns - t1;
	s->post_to_201 = t1 - t0;
	specialist_message_fini(&m);
	rc = 1;
out:
	json_decref(ans);
	harness_response_fini(&res);
	free(body);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct prosody *p = NULL;
	struct specialist_client *app = NULL;
	char dir[PATH_MAX], conf[PATH_MAX], db[PATH_MAX], log[PATH_MAX], csv[PATH_MAX];
	char ctl_log[PATH_MAX], bin[PATH_MAX], base[64], url[128], text[8192];
	long long *from_post = NULL, *from_201 = NULL, *post_201 = NULL;
	size_t got = 0;
	long missing = 0, failed = 0, guided = 0;
	pid_t pid = -1;
	unsigned port;
	CURL *curl = NULL;
	int rc = 1;

	if (parse_opts(argc, argv, &o) != 0)
		return usage();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	if (join(dir, sizeof dir, o.work, "xmpp") != 0 ||
	    join(conf, sizeof conf, dir, "kakekomi.conf") != 0 ||
	    join(db, sizeof db, dir, "kakekomi.db") != 0 ||
	    join(log, sizeof log, dir, "kakekomid.log") != 0 ||
	    join(ctl_log, sizeof ctl_log, dir, "kakekomictl.log") != 0 ||
	    join(csv, sizeof csv, dir, "roster.csv") != 0 ||
	    join(bin, sizeof bin, o.build, "kakekomid") != 0) {
		fprintf(stderr, "kk-bench-xmpp: paths too long\n");
		return 1;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "kk-bench-xmpp: mkdir %s: %s\n", dir, strerror(errno));
		return 1;
	}
	from_post = calloc((size_t)o.reports, sizeof *from_post);
	from_201 = calloc((size_t)o.reports, sizeof *from_201);
	post_201 = calloc((size_t)o.reports, sizeof *post_201);
	if (from_post == NULL || from_201 == NULL || post_201 == NULL)
		goto out;

	fprintf(stderr, "kk-bench-xmpp: starting Prosody\n");
	p = prosody_start(DOMAIN);
	if (p == NULL)
		goto out;
	if (prosody_register(p, "bot", BOT_PW) != 0 ||
	    prosody_register(p, SPEC_USER, SPEC_PW) != 0 ||
	    prosody_register(p, COORD_USER, COORD_PW) != 0)
		goto out;

	port = bench_free_port();
	if (port == 0)
		goto out;
	snprintf(base, sizeof base, "http://127.0.0.1:%u", port);
	snprintf(text, sizeof text,
	         "# kk-bench-xmpp: report -> XMPP alert through a private Prosody.\n"
	         "[http]\n"
	         "listen = 127.0.0.1:%u\n"
	         "public_url = %s\n"
	         "web_dir = %s/web\n"
	         "# No per-address intake limit: one client sends every report.\n"
	         "rate_per_minute = 0\n"
	         "[store]\n"
	         "path = %s\n"
	         "[playbooks]\n"
	         "dir = %s/playbooks\n"
	         "[log]\n"
	         "level = info\n"
	         "[xmpp]\n"
	         "jid = " BOT "\n"
	         "password = " BOT_PW "\n"
	         "host = %s\n"
	         "port = %u\n"
	         "tls = required\n"
	         "ca_file = %s\n"
	         "[escalation]\n"
	         "# Nobody acknowledges during the run; no step should come due.\n"
	         "steps = 6h\n"
	         "repeat = 1\n"
	         "coordinators = " COORD_USER "@" DOMAIN "\n",
	         port, base, o.src, db, o.src, prosody_host(p), prosody_port(p),
	         prosody_ca_file(p));
	if (bench_write_file(conf, text) != 0)
		goto out;
	snprintf(text, sizeof text,
	         "id,name,jid,email,phone,prefectures,specialties,languages,onsite,"
	         "first_consult_free,active\n"
	         "%s,Osaka Bench,%s@%s,,,27,all,ja;en,no,no,yes\n",
	         SPEC_USER, SPEC_USER, DOMAIN);
	if (bench_write_file(csv, text) != 0)
		goto out;

	{
		const char *dargv[] = {bin, "-c", conf, NULL};

		pid = bench_spawn(dargv, log);
	}
	if (pid < 0 || wait_healthy(pid, base) != 0) {
		fprintf(stderr, "kk-bench-xmpp: kakekomid did not get ready; see %s\n", log);
		goto out;
	}
	app = specialist_connect(SPEC_USER "@" DOMAIN, SPEC_PW, prosody_host(p), prosody_port(p),
	                         prosody_ca_file(p));
	if (app == NULL)
		goto out;
	if (roster_import(&o, conf, csv, ctl_log) != 0)
		goto out;
	if (specialist_wait_presence(app, BOT, SPECIALIST_PRESENCE_AVAILABLE, PRESENCE_MS) != 0) {
		fprintf(stderr, "kk-bench-xmpp: the specialist never saw the bot online; see %s\n",
		        log);
		goto out;
	}
	bench_result("xmpp_rss_idle_kib", "%ld", bench_rss_kib(pid));

	curl = curl_easy_init();
	if (curl == NULL)
		goto out;
	snprintf(url, sizeof url, "%s/api/v1/cases", base);
	fprintf(stderr, "kk-bench-xmpp: %ld warm-up reports, then %ld measured, one at a time\n",
	        o.warmup, o.reports);
	for (long i = 0; i < o.warmup + o.reports; i++) {
		struct sample s;
		int g = 0;
		int r = one_report(curl, url, app, i + 1, &s, &g);

		if (i < o.warmup)
			continue;
		if (r < 0) {
			failed++;
		} else if (r == 0) {
			missing++;
		} else {
			from_post[got] = s.from_post;
			from_201[got] = s.from_201;
			post_201[got] = s.post_to_201;
			got++;
		}
		guided += g;
		bench_sleep_ms(GAP_MS);
	}
	bench_result("xmpp_reports", "%ld", o.reports);
	bench_result("xmpp_post_failed", "%ld", failed);
	bench_result("xmpp_alert_missing", "%ld", missing);
	bench_result("xmpp_guidance_in_201", "%ld", guided);
	bench_result_latency("xmpp_post_to_alert", from_post, got);
	bench_result_latency("xmpp_201_to_alert", from_201, got);
	bench_result_latency("xmpp_post_to_201", post_201, got);
	bench_result("xmpp_rss_after_kib", "%ld", bench_rss_kib(pid));
	rc = 0;
out:
	if (curl != NULL)
		curl_easy_cleanup(curl);
	if (pid > 0) {
		int status = bench_stop(pid, 15000);

		if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr,
			        "kk-bench-xmpp: kakekomid did not exit 0 after SIGTERM; see %s\n",
			        log);
			rc = 1;
		}
	}
	specialist_free(app);
	prosody_free(p);
	free(from_post);
	free(from_201);
	free(post_201);
	curl_global_cleanup();
	return rc;
}
