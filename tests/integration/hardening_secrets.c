/* SPDX-License-Identifier: ISC */
/*
 * hardening_secrets.c — what the daemon's log must never hold: the XMPP
 * password, reporters' names, phone numbers and e-mail addresses, and the
 * status tokens that open their cases. The log is the file most often
 * copied into tickets and chat rooms, so one run walks every path those
 * secrets travel, with the log at debug level: a report by the API, by the
 * form (first refused, then with a phone typed in full-width digits) and by
 * chat; the status page and the API opened with the token and with a wrong
 * one; an alert to the on-call specialist over a real Prosody and his ack,
 * which sends him the reporter's name and phone. Then the daemon stops and
 * the whole log is searched. The database and its write-ahead log, copied
 * while the daemon runs and again after it stopped, must not hold them
 * either: reporters' details are sealed under the key file (seal.h).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "prosody.h"
#include "specialist.h"
#include "world.h"

#define BOT         WORLD_BOT
#define BOT_PW      "Bot-Pw-q9X2v7Lm"
#define SPEC        "osaka1"
#define SPEC_PW     "Spec-Pw-4hT8rW"
#define REPORTER    "reporter"
#define REPORTER_PW "Rep-Pw-8kD3sQ"
#define WAIT_MS     10000

/* What the reporters give; each name carries a marker that is easy to find. */
#define API_NAME   "秘密 花子 Zq7Api"
#define API_PHONE  "06-4321-9876"
#define API_EMAIL  "hanako.zq7@example.jp"
#define FORM_NAME  "Kakushi Taro Zq7Form"
#define FORM_PHONE "０６－５５５５－０１２３" /* typed on a phone */
#define FORM_NORM  "06-5555-0123"
#define CHAT_NAME  "Chat Jiro Zq7Chat"
#define CHAT_PHONE "+81 6 7777 2222"

static void secrets_fini(void)
{
	harness_cleanup();
	prosody_cleanup();
}

TestSuite(hardening_secrets, .fini = secrets_fini, .timeout = 120);

static void expect(struct specialist_client *s, const char *needle, char **body)
{
	int rc = specialist_wait_message(s, needle, WAIT_MS, body);

	cr_assert_eq(rc, 0, "%s: no message containing \"%s\" within %d ms", specialist_jid(s),
	             needle, WAIT_MS);
}

/* The value of t= in the first status link of an answer page. */
static void token_from_page(const char *page, char *out, size_t cap)
{
	const char *t = strstr(page, "?t=");
	size_t n = 0;

	cr_assert_not_null(t, "the answer page has no status link:\n%.2000s", page);
	t += 3;
	while (t[n] != '\0' && t[n] != '"' && t[n] != '&' && t[n] != '<' && n + 1 < cap)
		n++;
	memcpy(out, t, n);
	out[n] = '\0';
}

static void form_post(struct harness_daemon *d, const char *type, struct harness_response *res)
{
	struct harness_buf b = {0};

	fixture_form_add(&b, "incident_type", type);
	fixture_form_add(&b, "still_happening", "yes");
	fixture_form_add(&b, "noticed", "now");
	fixture_form_add(&b, "money_involved", "no");
	fixture_form_add(&b, "personal_data", "unknown");
	fixture_form_add(&b, "company", "Secret Trading Zq7Co");
	fixture_form_add(&b, "prefecture", "27");
	fixture_form_add(&b, "name", FORM_NAME);
	fixture_form_add(&b, "phone", FORM_PHONE);
	fixture_form_add(&b, "email", "taro.zq7@example.jp");
	fixture_form_add(&b, "description", "The screen says our files are encrypted");
	fixture_form_add(&b, "lang", "en");
	harness_post(d, "/report?lang=en", "application/x-www-form-urlencoded", b.data, b.len, res);
	harness_buf_fini(&b);
}

/* Tell the bot one answer and wait for the question that follows it. */
static void chat_step(struct specialist_client *rep, const char *answer, const char *next)
{
	int rc = specialist_send(rep, BOT, answer);

	cr_assert_eq(rc, 0, "the reporter cannot send \"%s\"", answer);
	expect(rep, next, NULL);
}

static char *read_log(struct harness_daemon *d, size_t *len)
{
	return harness_read_file(d->log_path, len);
}

static void assert_absent(const char *log, const char *what, const char *secret)
{
	const char *at = strstr(log, secret);
	const char *line = at;

	if (at == NULL)
		return;
	while (line > log && line[-1] != '\n')
		line--;
	cr_assert_fail("the log holds %s (\"%s\"), on this line:\n%.400s", what, secret, line);
}

/* Like `strings FILE | grep SECRET`, on the raw bytes of a store file. */
static void assert_file_lacks(const char *path, const char *what, const char *secret)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t len;

	if (f == NULL) {
		cr_assert_eq(errno, ENOENT, "%s: %s", path, strerror(errno));
		return;
	}
	fclose(f);
	data = harness_read_file(path, &len);
	cr_assert_null(memmem(data, len, secret, strlen(secret)),
	               "%s holds %s (\"%s\") in plain text", path, what, secret);
	free(data);
}

static void assert_store_lacks(struct harness_daemon *d, const char *what, const char *secret)
{
	char path[PATH_MAX + 8];

	assert_file_lacks(d->db_path, what, secret);
	snprintf(path, sizeof path, "%s-wal", d->db_path);
	assert_file_lacks(path, what, secret);
}

/* Every form the reporters' details take, to be found nowhere. */
static const struct {
	const char *what, *secret;
} reporters[] = {
    {"the reporter's name", "Zq7Api"},
    {"the reporter's name", "花子"},
    {"the reporter's name", "Zq7Form"},
    {"the reporter's name", "Zq7Chat"},
    {"the reporter's phone", API_PHONE},
    {"the reporter's phone", "43219876"},
    {"the reporter's phone as typed", FORM_PHONE},
    {"the reporter's phone", FORM_NORM},
    {"the reporter's phone", "7777 2222"},
    {"the reporter's e-mail", API_EMAIL},
    {"the reporter's e-mail", "taro.zq7"},
};

static void assert_store_holds_nobody(struct harness_daemon *d)
{
	for (size_t i = 0; i < sizeof reporters / sizeof reporters[0]; i++)
		assert_store_lacks(d, reporters[i].what, reporters[i].secret);
	assert_store_lacks(d, "the reporter's company", "Zq7Co");
	assert_store_lacks(d, "the reporter's phone", "4321-9876");
	assert_store_lacks(d, "the reporter's phone", "5555-0123");
}

/* The API report that carries API_NAME, API_PHONE and API_EMAIL: its
 * reference and status token into REF and TOKEN (32 and 128 bytes). */
static void api_report(struct harness_daemon *d, char *ref, char *token)
{
	json_t *report = fixture_intake_new("ransomware", "ja");
	json_t *answer;

	fixture_json_set(report, "prefecture", "27");
	fixture_json_set(report, "name", API_NAME);
	fixture_json_set(report, "phone", API_PHONE);
	fixture_json_set(report, "email", API_EMAIL);
	answer = fixture_case_create(d, report);
	snprintf(ref, 32, "%s", fixture_json_string(answer, "ref"));
	snprintf(token, 128, "%s", fixture_json_string(answer, "token"));
	json_decref(answer);
	json_decref(report);
}

/* Prosody with the bot, Osaka's specialist and a reporter's account; the
 * daemon (debug log) with the roster; the specialist online in *SPEC. */
static struct harness_daemon *relay_start(struct world *w, struct specialist_client **spec)
{
	static const struct world_member team[] = {
	    {.id = SPEC, .name = "Osaka One", .prefectures = "27", .password = SPEC_PW},
	};
	static const struct world_options o = {
	    .bot_password = BOT_PW,
	    .no_coordinator = 1,
	    .extra = "[log]\nlevel = debug\n"
	             /* Receipts wait in the outbox: nothing listens there. */
	             "[smtp]\nurl = smtp://127.0.0.1:9\nfrom = kk@example.jp\n",
	};

	world_begin(w, team, 1, &o);
	world_account(w, REPORTER, REPORTER_PW);
	world_start(w);
	*spec = w->app[0];
	return w->d;
}

Test(hardening_secrets, no_password_name_phone_email_or_token_ever_reaches_the_log)
{
	struct specialist_client *spec, *rep;
	struct world w;
	struct harness_daemon *d = relay_start(&w, &spec);
	struct harness_response res;
	char ref[32], token[128], form_token[128], wrong[160], path[512], needle[64];
	char *body, *log;
	size_t log_len;

	/* 1. By the API, alerted, acknowledged: the name and phone go to the specialist. */
	api_report(d, ref, token);
	snprintf(needle, sizeof needle, "New case %s", ref);
	expect(spec, needle, NULL);
	snprintf(needle, sizeof needle, "ack %s", ref);
	cr_assert_eq(specialist_send(spec, BOT, needle), 0);
	expect(spec, API_PHONE, &body);
	cr_assert_not_null(strstr(body, API_NAME), "the ack should reveal the name:\n%s", body);
	free(body);

	/* 2. The reporter's status, with the token and with a wrong one. */
	snprintf(path, sizeof path, "/cases/%s?t=%s", ref, token);
	harness_get(d, path, &res);
	cr_assert_eq(res.status, 200);
	harness_response_fini(&res);
	snprintf(path, sizeof path, "/api/v1/cases/%s", ref);
	harness_get_bearer(d, path, token, &res);
	cr_assert_eq(res.status, 200);
	harness_response_fini(&res);
	snprintf(wrong, sizeof wrong, "%.40sWRONG", token);
	snprintf(path, sizeof path, "/cases/%s?t=%s", ref, wrong);
	harness_get(d, path, &res);
	cr_assert_eq(res.status, 404);
	harness_response_fini(&res);

	/* 3. By the form: refused once (an unknown type), then accepted. */
	form_post(d, "worm", &res);
	cr_assert_eq(res.status, 400, "an unknown type is refused: %ld", res.status);
	harness_response_fini(&res);
	form_post(d, "malware", &res);
	cr_assert_eq(res.status, 200, "the form report: %ld", res.status);
	token_from_page(res.body.data, form_token, sizeof form_token);
	harness_response_fini(&res);

	/* 4. By chat, from an account that is not a specialist. */
	rep = world_connect(&w, REPORTER, REPORTER_PW);
	chat_step(rep, "ransomware", "still happening");
	chat_step(rep, "1", "notice");
	chat_step(rep, "1", "money");
	chat_step(rep, "2", "personal data");
	chat_step(rep, "3", "sensitive data");
	chat_step(rep, "2", "take money");
	chat_step(rep, "2", "1,000 people");
	chat_step(rep, "2", "prefecture");
	chat_step(rep, "27", "company");
	chat_step(rep, "Chat Secret Co Zq7Co", "name");
	chat_step(rep, CHAT_NAME, "phone");
	chat_step(rep, CHAT_PHONE, "KK-");
	/* The reporter's details are in the store, and readable by the daemon. */
	snprintf(path, sizeof path, "/api/v1/cases/%s", ref);
	harness_get_bearer(d, path, token, &res);
	cr_assert_eq(res.status, 200);
	cr_assert_not_null(strstr(res.body.data, API_PHONE), "%s", res.body.data);
	harness_response_fini(&res);
	cr_assert_eq(harness_db_int(d, "SELECT count(*) FROM cases", NULL), 3);
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM outbox WHERE kind = 'receipt'"
	                            " AND unseal(recipient, 'outbox.recipient') = ?",
	                            API_EMAIL, NULL),
	             1, "the API reporter's receipt should wait in the outbox");
	assert_store_holds_nobody(d);

	specialist_free(rep);
	world_app_free(&w, spec);
	harness_daemon_stop(d);
	assert_store_holds_nobody(d);

	log = read_log(d, &log_len);
	cr_assert_not_null(strstr(log, ref), "the log should speak of case %s by its reference",
	                   ref);
	assert_absent(log, "the bot's XMPP password", BOT_PW);
	for (size_t i = 0; i < sizeof reporters / sizeof reporters[0]; i++)
		assert_absent(log, reporters[i].what, reporters[i].secret);
	assert_absent(log, "a status token", token);
	assert_absent(log, "a status token", form_token);
	assert_absent(log, "the wrong token tried", wrong);
	/* Part of a token is as bad as all of it. */
	token[16] = '\0';
	form_token[16] = '\0';
	assert_absent(log, "the start of a status token", token);
	assert_absent(log, "the start of a status token", form_token);
	free(log);
	world_close(&w);
}

/*
 * A webhook URL may carry credentials (user:password@, a token in the
 * query); the log names only where the post went (scheme, host, port).
 */
Test(hardening_secrets, a_failing_webhooks_credentials_and_query_never_reach_the_log)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "ja");
	json_t *ans;
	unsigned short port = harness_free_port();
	char origin[64];
	long long until;
	size_t len;
	char *log;

	/* Nothing listens there: every post fails and is logged. */
	harness_daemon_config_append(d,
	                             "[log]\nlevel = debug\n"
	                             "[webhooks]\n"
	                             "urls = http://hookuser:Hook-Pw-7yU2@127.0.0.1:%u/in/"
	                             "Path-Key-3kQ?token=Query-Tok-9vB1\n"
	                             "secret = Hook-Secret-5nM8\n",
	                             port);
	harness_daemon_start(d);
	ans = fixture_case_create(d, body);
	until = harness_now_ms() + WAIT_MS;
	while (harness_db_int(d,
	                      "SELECT count(*) FROM outbox WHERE channel = 'webhook'"
	                      " AND attempts > 0",
	                      NULL) < 1 &&
	       harness_now_ms() < until)
		harness_sleep_ms(50);
	harness_daemon_stop(d);
	log = read_log(d, &len);
	snprintf(origin, sizeof origin, "http://127.0.0.1:%u", port);
	cr_assert_not_null(strstr(log, origin), "the failed post should name where it went (%s)",
	                   origin);
	assert_absent(log, "the webhook's password", "Hook-Pw-7yU2");
	assert_absent(log, "the webhook's user", "hookuser");
	assert_absent(log, "the webhook's path", "Path-Key-3kQ");
	assert_absent(log, "the webhook's query token", "Query-Tok-9vB1");
	assert_absent(log, "the webhook secret", "Hook-Secret-5nM8");
	free(log);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

/* kakekomid -c CONFIG, expected to refuse the start; its stderr in OUT. */
static void start_refused(struct harness_daemon *d, struct harness_output *out)
{
	char bin[PATH_MAX];
	const char *argv[4];

	harness_path_build("kakekomid", bin, sizeof bin);
	argv[0] = bin;
	argv[1] = "-c";
	argv[2] = d->config_path;
	argv[3] = NULL;
	cr_assert_eq(harness_run(argv, out, HARNESS_RUN_TIMEOUT_MS), 1,
	             "the start should be refused with status 1:\n%s", out->err.data);
}

/* The key lines of the key file at PATH, in OUT (SIZE bytes). */
static int key_lines(const char *path, char *out, size_t size)
{
	char *text = harness_read_file(path, NULL);
	int n = 0;

	out[0] = '\0';
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		if (l[0] != '#') {
			strncat(out, l, size - strlen(out) - 1);
			n++;
		}
	free(text);
	return n;
}

/*
 * The key file is made owner-only on the first start; a rotation re-seals
 * every case under a new key while the daemon is stopped (and is refused
 * while it runs); afterwards the case reads as before and the file holds
 * the new key alone. Without its key file, or with another one, the store
 * does not open, and the daemon says which.
 */
Test(hardening_secrets, the_store_opens_only_with_its_key_and_a_rotation_keeps_every_case)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_output out;
	char key_path[PATH_MAX + 8], before[200], after[200], ref[32], token[128];
	struct stat sb;
	json_t *doc;
	FILE *f;

	snprintf(key_path, sizeof key_path, "%s.key", d->db_path);
	harness_daemon_start(d);
	cr_assert_eq(stat(key_path, &sb), 0, "no key file %s after the first start", key_path);
	cr_assert_eq(sb.st_mode & 0777, 0600, "the key file has mode %03o",
	             (unsigned)(sb.st_mode & 0777));
	cr_assert_eq(key_lines(key_path, before, sizeof before), 1);
	api_report(d, ref, token);

	harness_daemon_ctl(d, &out, "key", "rotate", NULL);
	cr_assert_eq(out.status, 1, "a rotation while the daemon runs must be refused:\n%s%s",
	             out.out.data, out.err.data);
	cr_assert_not_null(strstr(out.err.data, "stop it"), "%s", out.err.data);
	harness_output_fini(&out);
	harness_daemon_stop(d);

	harness_daemon_ctl(d, &out, "key", "rotate", NULL);
	cr_assert_eq(out.status, 0, "%s%s", out.out.data, out.err.data);
	cr_assert_not_null(strstr(out.out.data, "re-sealed"), "%s", out.out.data);
	harness_output_fini(&out);
	cr_assert_eq(key_lines(key_path, after, sizeof after), 1,
	             "after the rotation the key file should hold the new key alone");
	cr_assert_str_neq(before, after, "the key did not change");
	assert_store_lacks(d, "the reporter's name", "Zq7Api");

	harness_daemon_start(d);
	doc = fixture_case_fetch(d, ref, token);
	cr_assert_str_eq(fixture_json_string(doc, "name"), API_NAME);
	cr_assert_str_eq(fixture_json_string(doc, "phone"), API_PHONE);
	json_decref(doc);
	harness_daemon_stop(d);

	/* The old key (a restored old key file) no longer opens the store. */
	f = fopen(key_path, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", before);
	cr_assert_eq(fclose(f), 0);
	start_refused(d, &out);
	cr_assert_not_null(strstr(out.err.data, "does not hold"), "%s", out.err.data);
	harness_output_fini(&out);

	cr_assert_eq(unlink(key_path), 0);
	start_refused(d, &out);
	cr_assert_not_null(strstr(out.err.data, "is missing"), "%s", out.err.data);
	harness_output_fini(&out);
	cr_assert_neq(stat(key_path, &sb), 0, "a new key must not replace the lost one");

	/* Put back, the right key opens it again. */
	f = fopen(key_path, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", after);
	cr_assert_eq(fclose(f), 0);
	harness_daemon_start(d);
	doc = fixture_case_fetch(d, ref, token);
	cr_assert_str_eq(fixture_json_string(doc, "name"), API_NAME);
	json_decref(doc);
	harness_daemon_finish(d);
}

/* kakekomictl purge --older-than 0 [--include-open]; its output must say
 * how many cases it purged (WANT, as "from N case"). */
static void purge(struct harness_daemon *d, bool include_open, const char *want)
{
	struct harness_output out;

	if (include_open)
		harness_daemon_ctl(d, &out, "purge", "--older-than", "0", "--include-open", NULL);
	else
		harness_daemon_ctl(d, &out, "purge", "--older-than", "0", NULL);
	cr_assert_eq(out.status, 0, "%s%s", out.out.data, out.err.data);
	cr_assert_not_null(strstr(out.out.data, want), "%s", out.out.data);
	harness_output_fini(&out);
}

/*
 * kakekomictl purge: a case resolved (with a note in the chat command) loses
 * every copy of its reporter's details — the case, the alert with the
 * description's excerpt, the contact details sent on the ack, the note's
 * free text — even for whoever holds the key; its status link stops
 * working; its timeline and clocks stay. An open case is left alone until
 * --include-open.
 */
Test(hardening_secrets, a_purge_removes_every_copy_of_the_reporters_details_and_keeps_the_figures)
{
	struct specialist_client *spec;
	struct world w;
	struct harness_daemon *d = relay_start(&w, &spec);
	struct harness_response res;
	char ref[32], token[128], open_ref[32], open_token[128], line[128], path[256];
	json_t *doc;

	api_report(d, ref, token);
	snprintf(line, sizeof line, "New case %s", ref);
	expect(spec, line, NULL);
	snprintf(line, sizeof line, "ack %s", ref);
	cr_assert_eq(specialist_send(spec, BOT, line), 0);
	expect(spec, API_PHONE, NULL);
	snprintf(line, sizeof line, "resolve %s called Hanako Zq7Note back at home", ref);
	cr_assert_eq(specialist_send(spec, BOT, line), 0);
	expect(spec, "resolved", NULL);
	api_report(d, open_ref, open_token);
	snprintf(line, sizeof line, "New case %s", open_ref);
	expect(spec, line, NULL);
	cr_assert_gt(harness_db_int(d,
	                            "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id"
	                            " WHERE c.ref = ? AND unseal(o.body, 'outbox.body') LIKE ?",
	                            ref, "%" API_PHONE "%", NULL),
	             0, "the ack's message should hold the phone before the purge");

	purge(d, false, "from 1 case");

	/* Even with the key, nothing of the reporter is left in the case. */
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM cases WHERE ref = ? AND name = '(purged)'"
	                            " AND phone = '' AND email IS NULL AND description IS NULL",
	                            ref, NULL),
	             1);
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id"
	                            " WHERE c.ref = ? AND o.channel <> 'webhook'"
	                            " AND o.body IS NOT '(purged)'",
	                            ref, NULL),
	             0, "every message of the purged case should be emptied");
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id"
	                            " WHERE c.ref = ? AND unseal(e.detail, 'events.detail') LIKE ?",
	                            ref, "%Zq7Note%", NULL),
	             0, "the resolve note's free text should be gone");
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id"
	                            " WHERE c.ref = ? AND e.kind = 'resolved'"
	                            " AND json_extract(e.detail, '$.purged') = 1",
	                            ref, NULL),
	             1, "the note should carry the purge's marker");
	/* The figures still count it. */
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM case_clocks k JOIN cases c ON c.id ="
	                            " k.case_id WHERE c.ref = ? AND k.ack_us IS NOT NULL"
	                            " AND k.resolve_us IS NOT NULL",
	                            ref, NULL),
	             1);
	snprintf(path, sizeof path, "/api/v1/cases/%s", ref);
	harness_get_bearer(d, path, token, &res);
	cr_assert_eq(res.status, 404, "the purged case's status link should stop working");
	harness_response_fini(&res);
	/* The open case is untouched. */
	doc = fixture_case_fetch(d, open_ref, open_token);
	cr_assert_str_eq(fixture_json_string(doc, "name"), API_NAME);
	json_decref(doc);

	/* A second purge finds nothing new; --include-open takes the open one. */
	purge(d, false, "from 0 cases");
	purge(d, true, "from 1 case");
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM cases WHERE unseal(name, 'cases.name')"
	                            " LIKE '%Zq7%' OR unseal(phone, 'cases.phone') = ?",
	                            API_PHONE, NULL),
	             0);
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM outbox WHERE unseal(body, 'outbox.body')"
	                            " LIKE ? OR unseal(body, 'outbox.body') LIKE '%Zq7%'",
	                            "%" API_PHONE "%", NULL),
	             0, "no message anywhere should hold the reporters' details");
	cr_assert_eq(harness_db_int(d, "SELECT count(*) FROM events WHERE kind = 'details_purged'",
	                            NULL),
	             2);
	world_app_free(&w, spec);
	world_close(&w);
}
