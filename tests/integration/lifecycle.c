/* SPDX-License-Identifier: ISC */
/*
 * lifecycle.c — the daemon as an operator sees it: it says when it is
 * healthy, stops cleanly on SIGTERM, keeps every answered case across a
 * stop or a crash, and `kakekomid -n` tells exactly which playbook file is
 * wrong and where before anything is started.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "harness.h"

#define PLAYBOOK_FILE_MAX (1024 * 1024)

TestSuite(lifecycle, .fini = harness_cleanup, .timeout = 60);

/* Copy the regular files of from into the new folder to. */
static void copy_folder(const char *from, const char *to)
{
	DIR *dir = opendir(from);
	struct dirent *de;

	cr_assert(dir != NULL, "opendir %s: %s", from, strerror(errno));
	cr_assert(mkdir(to, 0755) == 0, "mkdir %s: %s", to, strerror(errno));
	while ((de = readdir(dir)) != NULL) {
		char src[PATH_MAX], dst[PATH_MAX];
		struct harness_buf b = {.max = PLAYBOOK_FILE_MAX};
		char chunk[8192];
		size_t n;
		FILE *in, *out;

		if (de->d_name[0] == '.')
			continue;
		harness_path_join(src, sizeof src, from, de->d_name);
		harness_path_join(dst, sizeof dst, to, de->d_name);
		in = fopen(src, "rb");
		if (in == NULL)
			continue;
		while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
			harness_buf_append(&b, chunk, n);
		fclose(in);
		cr_assert(!b.truncated, "%s is bigger than %d bytes", src, PLAYBOOK_FILE_MAX);
		out = fopen(dst, "wb");
		cr_assert(out != NULL, "cannot write %s", dst);
		if (b.len > 0)
			fwrite(b.data, 1, b.len, out);
		cr_assert(fclose(out) == 0, "cannot write %s", dst);
		harness_buf_fini(&b);
	}
	closedir(dir);
}

static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);

	cr_assert(doc != NULL, "%s: %s (line %d)", path, err.text, err.line);
	return doc;
}

/* The JSON file NAME in DIR; its path goes to PATH (PATH_MAX). */
static json_t *load_in(const char *dir, const char *name, char *path)
{
	harness_path_join(path, PATH_MAX, dir, name);
	return load_json(path);
}

/* Write DOC back to PATH and let go of it. */
static void save_and_drop(json_t *doc, const char *path)
{
	cr_assert(json_dump_file(doc, path, JSON_INDENT(2)) == 0, "cannot write %s", path);
	json_decref(doc);
}

/* 1 when one line of text holds a, b and c (b and c may be NULL). */
static int line_has(const char *text, const char *a, const char *b, const char *c)
{
	const char *p = text;

	while (p != NULL && *p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[2048];

		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (strstr(line, a) != NULL && (b == NULL || strstr(line, b) != NULL) &&
		    (c == NULL || strstr(line, c) != NULL))
			return 1;
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

/*
 * 1 when one line of text names file and one of the JSON path spellings
 * of member key at index idx ("steps[0]", "steps/0", "steps.0"); with key
 * NULL, naming the file is enough.
 */
static int line_names(const char *text, const char *file, const char *key, size_t idx)
{
	static const char *const forms[][2] = {{"[", "]"}, {"/", ""}, {".", ""}};

	if (key == NULL)
		return line_has(text, file, NULL, NULL);
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char spelled[64];

		snprintf(spelled, sizeof spelled, "%s%s%zu%s", key, forms[i][0], idx, forms[i][1]);
		if (line_has(text, file, spelled, NULL))
			return 1;
	}
	return 0;
}

Test(lifecycle, health_check_says_ok)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	json_t *doc;

	harness_daemon_start(d);
	harness_get(d, "/healthz", &res);
	cr_assert(res.status == 200, "GET /healthz: want 200, got %ld", res.status);
	doc = fixture_response_json(&res);
	cr_assert_str_eq(fixture_json_string(doc, "status"), "ok", "healthz status");
	json_decref(doc);
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

/*
 * Report a TYPE case, end the daemon with END (a clean stop or kill -9),
 * start it again and find FIELD of the case as it was sent.
 */
static void case_survives(const char *type, void (*end)(struct harness_daemon *), const char *field,
                          const char *why)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new(type, "ja");
	json_t *ans, *doc;

	harness_daemon_start(d);
	ans = fixture_case_create(d, body);
	end(d);
	harness_daemon_restart(d);
	doc = fixture_case_fetch(d, fixture_json_string(ans, "ref"),
	                         fixture_json_string(ans, "token"));
	cr_assert_str_eq(fixture_json_string(doc, field), fixture_json_string(body, field), "%s",
	                 why);
	json_decref(doc);
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(lifecycle, sigterm_stops_cleanly_and_the_case_is_there_after_restart)
{
	case_survives("malware", harness_daemon_stop, "phone",
	              "the case should survive a clean restart");
}

struct waiting_report {
	struct harness_daemon *d;
	char *body;
	long status; /* the answer, 0 when none came */
};

static void *post_report(void *arg)
{
	struct waiting_report *w = arg;

	w->status = harness_post_json_status(w->d, "/api/v1/cases", w->body, 20000);
	return NULL;
}

/*
 * Another program (kakekomictl, a backup) holds the store's write lock when
 * the operator stops the daemon, longer than [store] stop_wait. The report
 * waiting for the store must get an answer that says it was not taken, and
 * the daemon must exit cleanly (under ASan, `make test`'s build, it used to
 * free the waiting request and then run its store job).
 */
Test(lifecycle, a_stop_while_another_program_holds_the_store_lock_answers_and_exits_cleanly)
{
	struct harness_daemon *d = harness_daemon_new();
	json_t *body = fixture_intake_new("ransomware", "ja");
	struct waiting_report w = {d, fixture_json_dump(body), 0};
	struct harness_response res;
	sqlite3 *db = NULL;
	pthread_t t;
	long long until;
	int queued = 0;

	harness_daemon_config_append(d, "[store]\nstop_wait = 1\n");
	harness_daemon_start(d);
	cr_assert_eq(sqlite3_open_v2(d->db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK,
	             "cannot take the store's write lock: %s", sqlite3_errmsg(db));
	cr_assert_eq(pthread_create(&t, NULL, post_report, &w), 0);
	until = harness_now_ms() + 5000;
	while (!queued && harness_now_ms() < until) {
		memset(&res, 0, sizeof res);
		harness_get(d, "/metrics", &res);
		queued = res.body.data != NULL &&
		         strstr(res.body.data, "\nkakekomi_store_queued 0\n") == NULL &&
		         strstr(res.body.data, "\nkakekomi_store_queued ") != NULL;
		harness_response_fini(&res);
		if (!queued)
			harness_sleep_ms(20);
	}
	cr_assert(queued, "the report never reached the store's queue");
	harness_daemon_stop(d); /* asserts a clean exit */
	pthread_join(t, NULL);
	cr_assert_eq(w.status, 503,
	             "the waiting reporter got %ld: want 503 (not stored, try again)", w.status);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	free(w.body);
	json_decref(body);
	harness_daemon_finish(d);
}

/*
 * Migrations are append-only: a store written by the release at schema
 * version 3 (tests/fixtures/store-v3.sql) opens with today's daemon, which
 * migrates it and keeps every case and every message still waiting; the
 * XMPP alerts that were pending get their tags and can be sent.
 */
Test(lifecycle, a_store_from_schema_3_migrates_and_keeps_its_cases_and_pending_messages)
{
	struct harness_daemon *d = harness_daemon_new();
	char path[PATH_MAX];
	char *dump, *err = NULL;
	sqlite3 *db = NULL;
	json_t *doc, *body;

	harness_path_src("tests/fixtures/store-v3.sql", path, sizeof path);
	dump = harness_read_file(path, NULL);
	cr_assert_eq(sqlite3_open(d->db_path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, dump, NULL, NULL, &err), SQLITE_OK, "%s", err);
	/* The status links were made to last 180 days from the fixture's day. */
	cr_assert_eq(sqlite3_exec(db, "UPDATE cases SET token_expires_ms = 32503680000000", NULL,
	                          NULL, &err),
	             SQLITE_OK, "%s", err);
	sqlite3_close(db);
	free(dump);

	harness_daemon_start(d);
	cr_assert_gt(harness_db_int(d, "PRAGMA user_version", NULL), 3,
	             "the store should have been migrated past version 3");
	cr_assert_eq(harness_db_int(d, "SELECT count(*) FROM cases", NULL), 2);
	cr_assert_eq(harness_db_int(d, "SELECT count(*) FROM outbox WHERE state = 'pending'", NULL),
	             8, "the messages waiting before the upgrade are still waiting");
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM outbox WHERE channel = 'xmpp'"
	                            " AND (tag IS NULL OR length(tag) <> 32)",
	                            NULL),
	             0, "every XMPP row needs a tag to be sent");
	doc = fixture_case_fetch(d, "KK-VZHM-1N", "u-fK95kTs0XviqgWWGDXp9o2IEIafFGm");
	cr_assert_str_eq(fixture_json_string(doc, "name"), "Fixture Taro");
	cr_assert_str_eq(fixture_json_string(doc, "incident_type"), "ransomware");
	json_decref(doc);
	/* And the migrated store takes new reports. */
	body = fixture_intake_new("phishing", "en");
	json_decref(fixture_case_create(d, body));
	json_decref(body);
	cr_assert_eq(harness_db_int(d, "SELECT count(*) FROM cases", NULL), 3);
	/* The fixture's reporters were written in plain text; the migration
	 * sealed them, and nothing of the old text is left in the file. */
	harness_daemon_stop(d);
	{
		size_t len;
		char *raw = harness_read_file(d->db_path, &len);

		cr_assert_null(memmem(raw, len, "Fixture Taro", 12),
		               "the migrated store still holds a reporter's name in plain text");
		cr_assert_null(memmem(raw, len, "06-1234-5678", 12),
		               "the migrated store still holds a reporter's phone in plain text");
		cr_assert_null(memmem(raw, len, "taro@example.jp", 15),
		               "the migrated store still holds a reporter's e-mail in plain text");
		free(raw);
	}
	harness_daemon_finish(d);
}

/* Stop D cleanly, then its log must hold NEEDLE. */
static void stopped_and_logged(struct harness_daemon *d, const char *needle, const char *why)
{
	char *log;

	harness_daemon_stop(d);
	log = harness_read_file(d->log_path, NULL);
	cr_assert_not_null(strstr(log, needle), "%s:\n%s", why, log);
	free(log);
}

/* The permission bits of path, or -1 when it does not exist. */
static int mode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

/*
 * The store holds reporters' names and phones: its folder is owner-only
 * (0700), the database and its -wal and -shm files 0600. A store left open
 * to others (copied with a loose umask) is fixed at start, and the log says
 * so.
 */
Test(lifecycle, the_store_folder_and_files_are_owner_only_and_loose_modes_are_fixed_at_start)
{
	struct harness_daemon *d = harness_daemon_new();
	char folder[PATH_MAX], wal[PATH_MAX + 8], shm[PATH_MAX + 8];
	json_t *body = fixture_intake_new("phishing", "en");
	sqlite3 *db = NULL;

	harness_path_join(folder, sizeof folder, d->dir, "store");
	cr_assert_eq(mkdir(folder, 0755), 0);
	cr_assert_eq(chmod(folder, 0755), 0);
	harness_path_join(d->db_path, sizeof d->db_path, folder, "kakekomi.db");
	cr_assert_eq(sqlite3_open(d->db_path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 0", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(chmod(d->db_path, 0644), 0);

	harness_daemon_start(d);
	json_decref(fixture_case_create(d, body));
	snprintf(wal, sizeof wal, "%s-wal", d->db_path);
	snprintf(shm, sizeof shm, "%s-shm", d->db_path);
	cr_assert_eq(mode_of(folder), 0700, "the store folder is %o", mode_of(folder));
	cr_assert_eq(mode_of(d->db_path), 0600, "the database is %o", mode_of(d->db_path));
	cr_assert_eq(mode_of(wal), 0600, "the -wal file is %o", mode_of(wal));
	cr_assert_eq(mode_of(shm), 0600, "the -shm file is %o", mode_of(shm));
	stopped_and_logged(d, "was readable by others", "the log should say the modes were fixed");
	json_decref(body);
	harness_daemon_finish(d);
}

/* A configuration file that others can read, with a password in it, gets
 * a warning that says what to do. */
Test(lifecycle, a_config_with_passwords_that_others_can_read_gets_a_warning)
{
	struct harness_daemon *d = harness_daemon_new();

	harness_daemon_config_append(d, "[webhooks]\nurls = http://127.0.0.1:9/hook\n"
	                                "secret = config-mode-test-secret\n");
	harness_daemon_write_config(d);
	cr_assert_eq(chmod(d->config_path, 0644), 0);
	harness_daemon_start(d);
	stopped_and_logged(d, "is readable by others (mode 644): chmod 600 it",
	                   "no warning about the open configuration");
	harness_daemon_finish(d);
}

Test(lifecycle, answered_case_survives_kill_9_right_after_the_answer)
{
	case_survives("ransomware", harness_daemon_kill, "company",
	              "a case answered with 201 must survive kill -9");
}

/* A daemon record whose playbooks are a copy that a test may break, and
 * what kakekomid -n says about them. */
struct broken {
	struct harness_daemon *d;
	char dir[PATH_MAX];     /* the copied playbooks folder */
	char path[PATH_MAX];    /* the file load_in() opened last */
	struct harness_buf all; /* -n's stdout and stderr */
};

static void broken_open(struct broken *b)
{
	memset(b, 0, sizeof *b);
	b->d = harness_daemon_new();
	b->all.max = HARNESS_OUTPUT_MAX * 2;
	harness_path_join(b->dir, sizeof b->dir, b->d->dir, "playbooks");
	copy_folder(b->d->playbooks_dir, b->dir);
	snprintf(b->d->playbooks_dir, sizeof b->d->playbooks_dir, "%s", b->dir);
}

/* Runs kakekomid -n and asserts that it fails on WHAT; b->all gets its
 * stdout and stderr. */
static void check_fails(struct broken *b, const char *what)
{
	struct harness_output out;
	int status = harness_daemon_check(b->d, &out);

	harness_buf_append(&b->all, out.out.data, out.out.len);
	harness_buf_append(&b->all, "\n", 1);
	harness_buf_append(&b->all, out.err.data, out.err.len);
	harness_output_fini(&out);
	cr_assert(status == 1, "kakekomid -n should exit 1 on %s, got %d:\n%s", what, status,
	          b->all.data);
}

/* End of a passing test: the record and its folder go. */
static void broken_close(struct broken *b)
{
	harness_buf_fini(&b->all);
	harness_daemon_finish(b->d);
}

/* Adds a report_to entry with a target the directory does not know to the
 * playbook FILE in DIR; returns its index. */
static size_t add_unknown_target(const char *dir, const char *file)
{
	char path[PATH_MAX];
	json_t *doc, *report_to;
	size_t idx;

	doc = load_in(dir, file, path);
	report_to = json_object_get(doc, "report_to");
	cr_assert(json_is_array(report_to), "%s has no report_to array", file);
	idx = json_array_size(report_to);
	json_array_append_new(
	    report_to, json_pack("{s:s, s:s}", "target", "carrier_pigeon", "when", "always"));
	save_and_drop(doc, path);
	return idx;
}

Test(lifecycle, config_check_accepts_the_shipped_playbooks)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_output out;
	int status = harness_daemon_check(d, &out);

	cr_assert(status == 0, "kakekomid -n should pass on the shipped playbooks, got %d:\n%s%s",
	          status, out.out.data, out.err.data);
	harness_output_fini(&out);
	harness_daemon_finish(d);
}

Test(lifecycle, config_check_names_a_report_to_target_the_directory_does_not_know)
{
	struct broken b;
	size_t bad_target;

	broken_open(&b);
	bad_target = add_unknown_target(b.dir, "ddos.json");
	check_fails(&b, "an unknown target");
	cr_assert(line_names(b.all.data, "ddos.json", "report_to", bad_target),
	          "a line should name ddos.json and report_to[%zu]:\n%s", bad_target, b.all.data);
	broken_close(&b);
}

Test(lifecycle, config_check_names_the_file_and_json_path_of_each_broken_playbook)
{
	struct broken b;
	json_t *doc, *step;
	size_t bad_target;
	FILE *f;

	broken_open(&b);

	/* A step that lost its English text. */
	doc = load_in(b.dir, "ransomware.json", b.path);
	step = json_array_get(json_object_get(doc, "steps"), 0);
	cr_assert(json_object_del(step, "en") == 0, "ransomware.json steps[0] has no \"en\"");
	save_and_drop(doc, b.path);

	/* Whom-to-report-to with a target the directory does not know. */
	bad_target = add_unknown_target(b.dir, "malware.json");

	/* A file cut off in the middle. */
	harness_path_join(b.path, sizeof b.path, b.dir, "phishing.json");
	f = fopen(b.path, "w");
	cr_assert(f != NULL, "cannot write %s", b.path);
	fputs("{\"id\": \"phishing\", \"steps\": [\n", f);
	fclose(f);

	check_fails(&b, "broken playbooks");
	cr_assert(line_names(b.all.data, "ransomware.json", "steps", 0),
	          "a line should name ransomware.json and steps[0] (no \"en\"):\n%s", b.all.data);
	cr_assert(line_names(b.all.data, "malware.json", "report_to", bad_target),
	          "a line should name malware.json and report_to[%zu] (unknown target):\n%s",
	          bad_target, b.all.data);
	cr_assert(line_names(b.all.data, "phishing.json", NULL, 0),
	          "a line should name phishing.json (invalid JSON):\n%s", b.all.data);
	broken_close(&b);
}

/* 1 when some line names file, the JSON path and the unknown tag. */
static int line_names_tag(const char *text, const char *file, const char *path, const char *tag)
{
	return line_has(text, file, path, tag);
}

/* Replaces the first source tag of LIST[IDX] in the playbook FILE in DIR. */
static void retag(const char *dir, const char *file, const char *list, size_t idx, const char *tag)
{
	char path[PATH_MAX];
	json_t *doc = load_in(dir, file, path);
	json_t *item = json_array_get(json_object_get(doc, list), idx);
	json_t *sources = json_object_get(item, "sources");

	cr_assert(json_is_array(sources) && json_array_size(sources) > 0,
	          "%s: %s[%zu] has no sources", path, list, idx);
	cr_assert(json_array_set_new(sources, 0, json_string(tag)) == 0);
	save_and_drop(doc, path);
}

Test(lifecycle, config_check_names_a_source_tag_the_register_does_not_know)
{
	struct broken b;
	json_t *doc, *target;

	broken_open(&b);
	retag(b.dir, "ransomware.json", "steps", 1, "S99");
	retag(b.dir, "bec.json", "dont", 0, "S98");
	retag(b.dir, "ddos.json", "evidence", 0, "Practice");
	/* The directory's targets name their sources too. */
	doc = load_in(b.dir, "report_to.json", b.path);
	target = json_array_get(json_object_get(doc, "targets"), 0);
	cr_assert(json_is_object(target), "report_to.json has no targets[0]");
	json_array_append_new(json_object_get(target, "sources"), json_string("S97"));
	save_and_drop(doc, b.path);

	check_fails(&b, "an unknown source tag");
	cr_assert(line_names_tag(b.all.data, "ransomware.json", "steps[1].sources[0]", "S99"),
	          "a line should name ransomware.json, steps[1].sources[0] and S99:\n%s",
	          b.all.data);
	cr_assert(line_names_tag(b.all.data, "bec.json", "dont[0].sources[0]", "S98"),
	          "a line should name bec.json, dont[0].sources[0] and S98:\n%s", b.all.data);
	cr_assert(line_names_tag(b.all.data, "ddos.json", "evidence[0].sources[0]", "Practice"),
	          "a line should name ddos.json, evidence[0].sources[0] and Practice:\n%s",
	          b.all.data);
	cr_assert(line_names_tag(b.all.data, "report_to.json", "targets[0].sources", "S97"),
	          "a line should name report_to.json, targets[0].sources and S97:\n%s", b.all.data);
	broken_close(&b);
}

Test(lifecycle, config_check_counts_practice_as_a_source_only_when_the_register_has_it)
{
	struct broken b;
	json_t *doc;

	broken_open(&b);
	doc = load_in(b.dir, "report_to.json", b.path);
	cr_assert(json_object_del(json_object_get(doc, "sources"), "practice") == 0,
	          "the register has no \"practice\" entry");
	save_and_drop(doc, b.path);

	check_fails(&b, "\"practice\" without a register entry");
	cr_assert(line_names_tag(b.all.data, ".json", ".sources[", "\"practice\""),
	          "a line should name a playbook item tagged practice:\n%s", b.all.data);
	broken_close(&b);
}

Test(lifecycle, config_check_names_a_cyber_desk_without_its_source)
{
	struct broken b;
	json_t *doc, *pref;

	broken_open(&b);
	doc = load_in(b.dir, "prefectures.json", b.path);
	/* Hokkaido: a desk with a phone but no source and a bad date. */
	pref = json_array_get(json_object_get(doc, "prefectures"), 0);
	json_object_set_new(pref, "cyber_desk",
	                    json_pack("{s:s, s:s}", "phone", "011-000-0000", "checked", "2026-13-40"));
	/* Aomori: a phone that is not one. */
	pref = json_array_get(json_object_get(doc, "prefectures"), 1);
	json_object_set_new(pref, "cyber_desk",
	                    json_pack("{s:s, s:s, s:s}", "phone", "call us", "source",
	                              "https://example.org/", "checked", "2026-12-04"));
	save_and_drop(doc, b.path);

	check_fails(&b, "a broken cyber_desk");
	cr_assert(line_names_tag(b.all.data, "prefectures.json", "prefectures[0].cyber_desk.source",
	                         "missing"),
	          "a line should say prefectures[0].cyber_desk.source is missing:\n%s", b.all.data);
	cr_assert(line_names_tag(b.all.data, "prefectures.json", "prefectures[0].cyber_desk",
	                         "2026-13-40"),
	          "a line should name the bad checked date:\n%s", b.all.data);
	cr_assert(
	    line_names_tag(b.all.data, "prefectures.json", "prefectures[1].cyber_desk", "call us"),
	    "a line should name the bad phone:\n%s", b.all.data);
	broken_close(&b);
}
