/*
 * channels_delivery.c — e-mail and webhooks, against real servers on
 * loopback: Debian's python3-aiosmtpd as the SMTP sink (it stores what it
 * accepts in a Maildir, decoded afterwards by tests/tools/maildir_dump.py
 * with Python's email package, as a mail client would read it), and
 * tests/tools/webhook_receiver.py as the webhook endpoint (it logs each
 * request, and can answer 500 for a while or answer slowly).
 *
 * What a user would notice: a reporter who gave an address gets a receipt
 * whose Japanese subject reads right and whose link opens the case; mail
 * written while the SMTP server was down arrives once it is back, once;
 * with tls = required nothing goes out in the clear; a specialist whose
 * chat app is off, or whose chat server is down, gets the alert by e-mail;
 * every case event reaches each webhook signed with HMAC-SHA256, retried
 * with the same Idempotency-Key until a 2xx, within the target's rate; a
 * slow receiver slows neither intake nor the other events; and when
 * personal data may be involved, the specialist and the reporter (by chat
 * or by e-mail) are reminded of the report to the PPC before its date.
 *
 * Each test has its own daemon, sinks and (where chat is involved) Prosody
 * on free loopback ports in its own folders. Delays are printed for
 * information only; budgets belong to `make bench`.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"
#include "prosody.h"
#include "specialist.h"
#include "world.h"

#define PYTHON "/usr/bin/python3" /* Debian's, where python3-aiosmtpd lives */

#define DOMAIN      WORLD_DOMAIN
#define BOT         WORLD_BOT
#define MAIL_FROM   "hotline@kakekomi.test"
#define SECRET      "t0p-secret-webhook-key"

#define REPLY_MS    5000  /* a reply or an alert that should come at once */
#define MAIL_MS     10000 /* a mail that should come at once (1 s outbox tick) */
#define HELPER_MS   10000 /* a sink or receiver until it listens */

static void delivery_fini(void)
{
	harness_cleanup();
	prosody_cleanup();
}

/*
 * One timeout for the suite, long enough for the reminder test (it waits
 * for the daemon's 60 s reminder check): Criterion 2.4.1 leaks a little
 * memory for every test with a .timeout of its own, which LeakSanitizer
 * turns into a failing exit status in the sanitizer build.
 */
TestSuite(delivery, .fini = delivery_fini, .timeout = 200);

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the SMTP sink ---- */

struct sink {
	struct harness_helper *h;
	unsigned short port;
	char dir[PATH_MAX]; /* the Maildir */
	char log[PATH_MAX];
};

/* Pick the port and make the Maildir in the daemon's folder; nothing runs. */
static void sink_init(struct sink *s, struct harness_daemon *d)
{
	static const char *const subs[] = {"", "/tmp", "/new", "/cur"};

	memset(s, 0, sizeof *s);
	s->port = harness_free_port();
	harness_path_join(s->log, sizeof s->log, d->dir, "smtp-sink.log");
	harness_path_join(s->dir, sizeof s->dir, d->dir, "maildir");
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		char path[PATH_MAX + 8];

		snprintf(path, sizeof path, "%s%s", s->dir, subs[i]);
		cr_assert(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
	}
}

/* The daemon's [smtp] section for this sink (plain SMTP on loopback). */
static void sink_configure(struct sink *s, struct harness_daemon *d)
{
	harness_daemon_config_append(d,
	                             "[smtp]\n"
	                             "url = smtp://127.0.0.1:%u\n"
	                             "from = %s\n"
	                             "tls = disabled\n",
	                             (unsigned)s->port, MAIL_FROM);
}

/*
 * Start the sink. With cert and key it offers STARTTLS and, as aiosmtpd
 * does by default then, refuses mail from a client that did not use it.
 */
static void sink_start_tls(struct sink *s, const char *cert, const char *key)
{
	char listen[32];
	const char *argv[16] = {PYTHON, "-m", "aiosmtpd", "-n", "-l", listen};
	int n = 6;

	snprintf(listen, sizeof listen, "127.0.0.1:%u", (unsigned)s->port);
	if (cert != NULL) {
		argv[n++] = "--tlscert";
		argv[n++] = cert;
		argv[n++] = "--tlskey";
		argv[n++] = key;
	}
	argv[n++] = "-c";
	argv[n++] = "aiosmtpd.handlers.Mailbox";
	argv[n++] = s->dir;
	argv[n] = NULL;
	s->h = harness_helper_start(cert != NULL ? "SMTP sink (STARTTLS)" : "SMTP sink", argv,
	                            s->log, s->port, HELPER_MS);
}

static void sink_start(struct sink *s)
{
	sink_start_tls(s, NULL, NULL);
}

static void sink_stop(struct sink *s)
{
	harness_helper_stop(s->h);
	s->h = NULL;
}

/* Every message in the Maildir, decoded (see maildir_dump.py). Caller owns it. */
static json_t *sink_read(struct sink *s)
{
	char tool[PATH_MAX];
	const char *argv[4];
	struct harness_output out;
	json_error_t err;
	json_t *doc;

	harness_path_src("tests/tools/maildir_dump.py", tool, sizeof tool);
	argv[0] = PYTHON;
	argv[1] = tool;
	argv[2] = s->dir;
	argv[3] = NULL;
	harness_run(argv, &out, 20000);
	cr_assert_eq(out.status, 0, "maildir_dump.py failed:\n%s", out.err.data);
	doc = json_loads(out.out.data, 0, &err);
	cr_assert(json_is_array(doc), "maildir_dump.py: %s\n%s", err.text, out.out.data);
	harness_output_fini(&out);
	return doc;
}

static int mail_to(const json_t *m, const char *addr)
{
	json_t *to = json_object_get(m, "envelope_to");
	size_t i;
	json_t *v;

	json_array_foreach (to, i, v)
		if (json_is_string(v) && strcasecmp(json_string_value(v), addr) == 0)
			return 1;
	return 0;
}

static const char *mail_str(const json_t *m, const char *key)
{
	const char *v = json_string_value(json_object_get(m, key));

	return v != NULL ? v : "";
}

/* Messages to addr whose decoded subject contains needle ("" for any). */
static size_t sink_count(const json_t *all, const char *addr, const char *needle)
{
	size_t i, n = 0;
	json_t *m;

	json_array_foreach (all, i, m)
		if (mail_to(m, addr) && strstr(mail_str(m, "subject"), needle) != NULL)
			n++;
	return n;
}

/*
 * Wait until a message to addr whose subject contains needle is in the
 * Maildir; assert it came, saying why. Returns a copy (caller owns it).
 */
static json_t *sink_expect(struct sink *s, const char *addr, const char *needle, int timeout_ms,
                           const char *why)
{
	long long deadline = harness_now_ms() + timeout_ms;
	json_t *all;

	for (;;) {
		size_t i;
		json_t *m;

		all = sink_read(s);
		json_array_foreach (all, i, m) {
			if (mail_to(m, addr) && strstr(mail_str(m, "subject"), needle) != NULL) {
				json_t *copy = json_deep_copy(m);

				json_decref(all);
				return copy;
			}
		}
		if (harness_now_ms() >= deadline)
			break;
		json_decref(all);
		harness_sleep_ms(50);
	}
	{
		char *dump = json_dumps(all, JSON_INDENT(1));

		fprintf(stderr, "the sink holds: %.4000s\n", dump != NULL ? dump : "?");
		free(dump);
	}
	json_decref(all);
	if (s->h != NULL)
		harness_helper_print_log(s->h, 3000);
	cr_assert_fail("no mail to %s with \"%s\" in its subject within %d ms: %s", addr, needle,
	               timeout_ms, why);
	return NULL;
}

/* ---- the webhook receiver ---- */

struct receiver {
	struct harness_helper *h;
	unsigned short port;
	char url[128];
	char log[PATH_MAX];
};

/* Start a receiver; fail_first and delay as in webhook_receiver.py. */
static void receiver_start(struct receiver *w, struct harness_daemon *d, const char *name,
                           int fail_first, double delay)
{
	char tool[PATH_MAX], port[16], fail[16], slow[32], helper_log[PATH_MAX], file[64];
	const char *argv[] = {PYTHON,         tool, "--port",  port, "--log", w->log,
	                      "--fail-first", fail, "--delay", slow, NULL};

	memset(w, 0, sizeof *w);
	w->port = harness_free_port();
	snprintf(w->url, sizeof w->url, "http://127.0.0.1:%u/hook", (unsigned)w->port);
	snprintf(file, sizeof file, "%s.jsonl", name);
	harness_path_join(w->log, sizeof w->log, d->dir, file);
	snprintf(file, sizeof file, "%s.log", name);
	harness_path_join(helper_log, sizeof helper_log, d->dir, file);
	harness_path_src("tests/tools/webhook_receiver.py", tool, sizeof tool);
	snprintf(port, sizeof port, "%u", (unsigned)w->port);
	snprintf(fail, sizeof fail, "%d", fail_first);
	snprintf(slow, sizeof slow, "%.3f", delay);
	w->h = harness_helper_start("webhook receiver", argv, helper_log, w->port, HELPER_MS);
}

static void receiver_stop(struct receiver *w)
{
	harness_helper_stop(w->h);
	w->h = NULL;
}

/* How many requests have reached the receiver, answered or not. */
static long receiver_arrived(const struct receiver *w)
{
	char path[PATH_MAX + 16];
	FILE *f;
	long n = 0;
	int ch;

	snprintf(path, sizeof path, "%s.arrived", w->log);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

/* Every request logged so far, as an array of objects. Caller owns it. */
static json_t *receiver_requests(const struct receiver *w)
{
	json_t *all = json_array();
	FILE *f = fopen(w->log, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		return all;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *o;

		if (line[n - 1] != '\n')
			break; /* being written */
		o = json_loads(line, 0, NULL);
		cr_assert(json_is_object(o), "bad line in %s: %s", w->log, line);
		json_array_append_new(all, o);
	}
	free(line);
	fclose(f);
	return all;
}

/* A request header, whatever its case; "" when absent. */
static const char *req_header(const json_t *req, const char *name)
{
	json_t *h = json_object_get(req, "headers");
	const char *k;
	json_t *v;

	json_object_foreach (h, k, v)
		if (strcasecmp(k, name) == 0 && json_is_string(v))
			return json_string_value(v);
	return "";
}

/* The body exactly as it arrived (NUL-terminated; caller frees). */
static char *req_body(const json_t *req, size_t *len)
{
	const char *b64 = json_string_value(json_object_get(req, "body_b64"));
	size_t cap, bin_len = 0;
	unsigned char *bin;

	cr_assert_not_null(b64);
	cap = strlen(b64) / 4 * 3 + 4;
	bin = malloc(cap + 1);
	cr_assert_not_null(bin);
	cr_assert_eq(sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &bin_len, NULL,
	                               sodium_base64_VARIANT_ORIGINAL),
	             0, "body_b64 is not base64");
	bin[bin_len] = '\0';
	*len = bin_len;
	return (char *)bin;
}

/* 1 when header is "sha256=" and the hex HMAC-SHA256 of body under key. */
static int signature_ok(const char *header, const char *body, size_t len, const char *key)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
	crypto_auth_hmacsha256_state st;

	if (strncmp(header, "sha256=", 7) != 0 || strlen(header + 7) != sizeof hex - 1)
		return 0;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	return sodium_memcmp(hex, header + 7, sizeof hex - 1) == 0;
}

/* The parsed JSON body of a request (caller owns it). */
static json_t *req_json(const json_t *req)
{
	size_t len;
	char *body = req_body(req, &len);
	json_error_t err;
	json_t *o = json_loadb(body, len, 0, &err);

	cr_assert(json_is_object(o), "webhook body is not a JSON object (%s): %s", err.text, body);
	free(body);
	return o;
}

/* How many distinct Idempotency-Keys were answered 200. */
static size_t keys_delivered(const json_t *reqs)
{
	json_t *seen = json_object();
	size_t i, n;
	json_t *r;

	json_array_foreach (reqs, i, r)
		if (json_integer_value(json_object_get(r, "status")) == 200)
			json_object_set_new(seen, req_header(r, "Idempotency-Key"), json_true());
	n = json_object_size(seen);
	json_decref(seen);
	return n;
}

/* Requests whose body's "case" is ref and "event" is event. */
static size_t events_for(const json_t *reqs, const char *ref, const char *event, int status)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach (reqs, i, r) {
		json_t *o;

		if (status != 0 && json_integer_value(json_object_get(r, "status")) != status)
			continue;
		o = req_json(r);
		if (strcmp(mail_str(o, "case"), ref) == 0 &&
		    strcmp(mail_str(o, "event"), event) == 0)
			n++;
		json_decref(o);
	}
	return n;
}

/* Wait until the receiver answered 200 for each of events of case ref. */
static json_t *receiver_expect_events(struct receiver *w, const char *ref,
                                      const char *const *events, size_t nevents, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	json_t *reqs;

	for (;;) {
		size_t missing = 0;

		reqs = receiver_requests(w);
		for (size_t k = 0; k < nevents; k++)
			if (events_for(reqs, ref, events[k], 200) == 0)
				missing++;
		if (missing == 0)
			return reqs;
		if (harness_now_ms() >= deadline)
			break;
		json_decref(reqs);
		harness_sleep_ms(100);
	}
	for (size_t k = 0; k < nevents; k++)
		if (events_for(reqs, ref, events[k], 200) == 0)
			fprintf(stderr, "receiver %s: no \"%s\" for %s\n", w->url, events[k], ref);
	json_decref(reqs);
	harness_helper_print_log(w->h, 2000);
	cr_assert_fail("the webhook receiver did not get every event of %s within %d ms", ref,
	               timeout_ms);
	return NULL;
}

/* ---- a report by the JSON API ---- */

struct report {
	char ref[32];
	char token[256];
	char status_url[512];
	char name[128];
	char phone[64];
	char email[128];
	double posted; /* wall clock, just before the POST */
	double post_ms;
};

/* POST a report; email NULL leaves the address out. */
static void report(struct harness_daemon *d, const char *type, const char *lang, const char *pref,
                   const char *email, struct report *rep)
{
	json_t *body = fixture_intake_new(type, lang);
	json_t *ans;
	long long t0;

	memset(rep, 0, sizeof *rep);
	fixture_json_set(body, "prefecture", pref);
	if (email != NULL)
		fixture_json_set(body, "email", email);
	else
		json_object_del(body, "email");
	snprintf(rep->name, sizeof rep->name, "%s", fixture_json_string(body, "name"));
	snprintf(rep->phone, sizeof rep->phone, "%s", fixture_json_string(body, "phone"));
	snprintf(rep->email, sizeof rep->email, "%s", email != NULL ? email : "");
	rep->posted = wall_now();
	t0 = harness_now_ms();
	ans = fixture_case_create(d, body);
	rep->post_ms = (double)(harness_now_ms() - t0);
	snprintf(rep->ref, sizeof rep->ref, "%s", fixture_json_string(ans, "ref"));
	snprintf(rep->token, sizeof rep->token, "%s", fixture_json_string(ans, "token"));
	snprintf(rep->status_url, sizeof rep->status_url, "%s",
	         fixture_json_string(ans, "status_url"));
	json_decref(ans);
	json_decref(body);
}

/* ---- e-mail ---- */

/* Every RFC 2047 encoded word in raw is UTF-8 base64 and at most 75 chars. */
static void check_encoded_words(const char *raw)
{
	const char *p = raw;
	int words = 0;

	while ((p = strstr(p, "=?")) != NULL) {
		const char *end = strstr(p + 2, "?=");
		const char *q;

		cr_assert_not_null(end, "unterminated encoded word in %s", raw);
		/* "=?UTF-8?B?" then base64 then "?=" */
		cr_assert(strncasecmp(p, "=?UTF-8?B?", 10) == 0 ||
		              strncasecmp(p, "=?UTF-8?Q?", 10) == 0,
		          "encoded word not UTF-8: %.40s", p);
		q = strstr(p + 10, "?=");
		cr_assert(q - p + 2 <= 75,
		          "encoded word of %ld characters (RFC 2047 allows 75): %.*s",
		          (long)(q - p + 2), (int)(q - p + 2), p);
		words++;
		p = q + 2;
	}
	cr_assert_gt(words, 0, "the subject is not RFC 2047 encoded: %s", raw);
	for (const unsigned char *c = (const unsigned char *)raw; *c != '\0'; c++)
		cr_assert(*c < 0x80, "raw 8-bit bytes in the Subject header: %s", raw);
}

/*
 * RFC 2047 limits a header line holding encoded words to 76 characters.
 * Mail clients read longer ones, so this is said, not failed on.
 */
static void note_subject_lines(const json_t *m, const char *what)
{
	json_t *lines = json_object_get(m, "subject_lines");
	size_t i;
	json_t *l;

	json_array_foreach (lines, i, l) {
		size_t len = strlen(json_string_value(l));

		if (len > 76)
			fprintf(
			    stderr,
			    "delivery: note: %s: Subject header line %zu is %zu characters, over "
			    "RFC 2047's 76: %s\n",
			    what, i + 1, len, json_string_value(l));
	}
}

Test(delivery, a_reporter_who_gives_an_address_gets_a_receipt_with_a_readable_japanese_subject)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_response res;
	struct report ja, en, none;
	struct sink s;
	json_t *m, *all;
	char want[1024], link[600];
	const char *text;

	sink_init(&s, d);
	sink_configure(&s, d);
	sink_start(&s);
	harness_daemon_start(d);

	report(d, "ransomware", "ja", "27", "taro.yamada@example.co.jp", &ja);
	report(d, "phishing", "en", "13", "jane.doe@example.com", &en);
	report(d, "malware", "ja", "27", NULL, &none);

	m = sink_expect(&s, ja.email, ja.ref, MAIL_MS,
	                "a Japanese report with an address should get a receipt");
	snprintf(want, sizeof want, "【kakekomi】ご相談を受け付けました(受付番号 %s)", ja.ref);
	cr_assert_str_eq(mail_str(m, "subject"), want,
	                 "the subject should decode (RFC 2047) to the Japanese text");
	check_encoded_words(mail_str(m, "subject_raw"));
	note_subject_lines(m, "receipt");
	cr_assert_eq(json_array_size(json_object_get(m, "defects")), 0u,
	             "Python's email package found defects in the receipt");
	cr_assert_str_eq(mail_str(m, "content_type"), "text/plain");
	cr_assert_str_eq(mail_str(m, "charset"), "utf-8");
	cr_assert_str_eq(mail_str(m, "transfer_encoding"), "base64");
	cr_assert_not_null(strstr(mail_str(m, "from"), MAIL_FROM), "From: %s", mail_str(m, "from"));
	cr_assert_not_null(strstr(mail_str(m, "to"), ja.email), "To: %s", mail_str(m, "to"));
	cr_assert_str_eq(mail_str(m, "envelope_from"), MAIL_FROM);
	text = mail_str(m, "text");
	snprintf(want, sizeof want, "受付番号: %s", ja.ref);
	cr_assert_not_null(strstr(text, want), "the body should give the reference:\n%s", text);
	snprintf(want, sizeof want, "%s/cases/%s?t=%s", d->base_url, ja.ref, ja.token);
	cr_assert_not_null(strstr(text, want), "the body should carry the status link %s:\n%s",
	                   want, text);
	cr_assert_null(strstr(text, ja.phone), "the receipt repeats the phone:\n%s", text);
	fprintf(stderr, "delivery: POST -> receipt in the sink: %.0f ms (ja)\n",
	        (json_real_value(json_object_get(m, "mtime")) - ja.posted) * 1000);
	snprintf(link, sizeof link, "/cases/%s?t=%s", ja.ref, ja.token);
	harness_get(d, link, &res);
	cr_assert_eq(res.status, 200, "the link in the receipt should open the status page");
	harness_response_fini(&res);
	json_decref(m);

	m = sink_expect(&s, en.email, en.ref, MAIL_MS,
	                "an English report with an address should get a receipt");
	snprintf(want, sizeof want, "[kakekomi] Your report %s has been received", en.ref);
	cr_assert_str_eq(mail_str(m, "subject"), want);
	text = mail_str(m, "text");
	snprintf(want, sizeof want, "Reference: %s", en.ref);
	cr_assert_not_null(strstr(text, want), "English body:\n%s", text);
	snprintf(want, sizeof want, "%s/cases/%s?t=%s", d->base_url, en.ref, en.token);
	cr_assert_not_null(strstr(text, want), "English body without the link:\n%s", text);
	json_decref(m);

	/* The report without an address gets nothing; nobody gets two. */
	harness_outbox_settled(d, "email", MAIL_MS);
	all = sink_read(&s);
	cr_assert_eq(json_array_size(all), 2u, "%zu mails for 2 reports with an address",
	             json_array_size(all));
	cr_assert_eq(sink_count(all, ja.email, ""), 1u);
	cr_assert_eq(sink_count(all, en.email, ""), 1u);
	json_decref(all);
	cr_assert_eq(harness_db_int(d,
	                    "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id"
	                    " WHERE c.ref = ? AND e.kind = 'notified' AND e.actor = 'email'"
	                    " AND json_extract(unseal(e.detail, 'events.detail'), '$.to') = ?",
	                    ja.ref, ja.email, NULL),
	             1, "the timeline should record the receipt sent by e-mail");
	/* A purge takes the address out of that record too (the event stays). */
	{
		struct harness_output out;

		harness_daemon_ctl(d, &out, "purge", "--older-than", "0", "--include-open", NULL);
		cr_assert_eq(out.status, 0, "%s%s", out.out.data, out.err.data);
		harness_output_fini(&out);
	}
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM events WHERE unseal(detail,"
	                            " 'events.detail') LIKE '%' || ? || '%'",
	                            ja.email, NULL),
	             0, "after the purge the timeline still names the reporter's address");
	cr_assert_eq(harness_db_int(d,
	                            "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id"
	                            " WHERE c.ref = ? AND e.kind = 'notified'",
	                            ja.ref, NULL),
	             1, "the purge keeps the event itself");
	harness_daemon_stop(d);
	sink_stop(&s);
	harness_daemon_finish(d);
}

Test(delivery, a_receipt_written_while_smtp_was_down_arrives_once_it_is_back)
{
	enum { DOWN_MS = 4000 };
	static const char attempts_sql[] =
	    "SELECT o.attempts FROM outbox o JOIN cases c ON c.id = o.case_id"
	    " WHERE c.ref = ? AND o.kind = 'receipt'";
	struct harness_daemon *d = harness_daemon_new();
	struct report rep;
	struct sink s;
	json_t *m, *all;
	long long tries[16];
	int ntries = 0;
	long long last = 0, t0;
	char error[256];
	double up, arrived;

	sink_init(&s, d);
	sink_configure(&s, d);
	harness_daemon_start(d); /* nothing listens on the SMTP port yet */
	report(d, "bec", "ja", "27", "keiri@example.co.jp", &rep);
	t0 = harness_now_ms();

	/* Watch the attempts while the server is down. */
	while (harness_now_ms() < t0 + DOWN_MS) {
		long long a = harness_db_int(d, attempts_sql, rep.ref, NULL);

		if (a > last && ntries < 16)
			tries[ntries++] = harness_now_ms() - t0;
		if (a > last)
			last = a;
		harness_sleep_ms(20);
	}
	harness_db_text(d, error, sizeof error,
	        "SELECT o.last_error FROM outbox o JOIN cases c ON c.id = o.case_id"
	        " WHERE c.ref = ? AND o.kind = 'receipt'",
	        rep.ref);
	fprintf(stderr, "delivery: SMTP down %d ms: %lld failed attempts (last error: %s) at",
	        DOWN_MS, last, error);
	for (int i = 0; i < ntries; i++)
		fprintf(stderr, " +%lld ms", tries[i]);
	fprintf(stderr, "\n");
	cr_assert_geq(last, 2,
	              "the receipt should have been tried and retried while SMTP was down");
	cr_assert_neq(error[0], '\0', "the outbox row should keep why the last try failed");
	for (int i = 2; i < ntries; i++)
		cr_assert_geq(tries[i] - tries[i - 1], (tries[i - 1] - tries[i - 2]) * 3 / 4,
		              "the waits between attempts should grow (backoff), not shrink");
	all = sink_read(&s);
	cr_assert_eq(json_array_size(all), 0u, "a mail arrived while nothing listened");
	json_decref(all);

	sink_start(&s);
	up = wall_now();
	m = sink_expect(&s, rep.email, rep.ref, 20000,
	                "the receipt should be delivered once the SMTP server is back");
	arrived = json_real_value(json_object_get(m, "mtime"));
	fprintf(stderr,
	        "delivery: SMTP back -> receipt delivered: %.0f ms (report -> mail %.0f ms)\n",
	        (arrived - up) * 1000, (arrived - rep.posted) * 1000);
	cr_assert_lt(arrived - up, 10.0,
	             "after %d ms down the next try should come within a few seconds", DOWN_MS);
	json_decref(m);

	harness_outbox_settled(d, "email", MAIL_MS);
	all = sink_read(&s);
	cr_assert_eq(sink_count(all, rep.email, ""), 1u, "the receipt arrived %zu times, want once",
	             sink_count(all, rep.email, ""));
	json_decref(all);
	cr_assert_eq(harness_db_int(d,
	                    "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id"
	                    " WHERE c.ref = ? AND o.kind = 'receipt' AND o.state = 'sent'",
	                    rep.ref, NULL),
	             1, "the outbox row should be marked sent");
	harness_daemon_stop(d);
	sink_stop(&s);
	harness_daemon_finish(d);
}

Test(delivery, a_specialist_whose_chat_app_is_offline_gets_the_alert_by_email)
{
	static const struct world_member team[] = {
	    {.id = "tanaka", .name = "tanaka Sec", .prefectures = "27",
	     .email = "tanaka@osaka-sec.example"},
	    {.id = "yamamoto", .name = "yamamoto Sec", .prefectures = "26",
	     .email = "yamamoto@kyoto-sec.example"},
	};
	struct world w = {0};
	struct report rep;
	struct sink s;
	json_t *m, *all;
	char want[256], needle[64];
	const char *text;
	char *body;

	world_begin(&w, team, 2, NULL);
	sink_init(&s, w.d);
	sink_configure(&s, w.d);
	sink_start(&s);
	world_start(&w);

	/* The bot saw Tanaka online; now his phone goes off. */
	cr_assert_eq(specialist_go_offline(w.app[0]), 0);
	report(w.d, "ransomware", "ja", "27", NULL, &rep);

	m = sink_expect(&s, team[0].email, rep.ref, MAIL_MS,
	                "Osaka's on-call specialist is offline: the alert should go by e-mail");
	snprintf(want, sizeof want, "【kakekomi】新しい相談 %s / New case %s", rep.ref, rep.ref);
	cr_assert_str_eq(mail_str(m, "subject"), want);
	check_encoded_words(mail_str(m, "subject_raw"));
	text = mail_str(m, "text");
	snprintf(needle, sizeof needle, "ack %s", rep.ref);
	cr_assert_not_null(strstr(text, needle), "the mail should say how to take the case:\n%s",
	                   text);
	cr_assert_null(strstr(text, rep.phone), "the alert mail carries the phone:\n%s", text);
	cr_assert_null(strstr(text, rep.name), "the alert mail carries the name:\n%s", text);
	fprintf(stderr, "delivery: report -> alert mail to the offline specialist: %.0f ms\n",
	        (json_real_value(json_object_get(m, "mtime")) - rep.posted) * 1000);
	json_decref(m);

	snprintf(needle, sizeof needle, "New case %s", rep.ref);
	world_expect(w.app[1], needle, REPLY_MS, NULL,
	             "with Osaka's only specialist offline the Kinki pool should be alerted");

	cr_assert_eq(
	    harness_db_int(w.d,
	                   "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id"
	                   " WHERE c.ref = ? AND e.kind = 'notified' AND e.actor = 'email'"
	                   " AND json_extract(unseal(e.detail, 'events.detail'), '$.to') = ?",
	                   rep.ref, team[0].email, NULL),
	    1, "the timeline should record that e-mail reached %s", team[0].email);

	/* Back online, he takes the case in chat as the mail says. */
	cr_assert_eq(specialist_go_online(w.app[0]), 0);
	snprintf(want, sizeof want, "ack %s", rep.ref);
	cr_assert_eq(specialist_send(w.app[0], BOT, want), 0);
	world_expect(w.app[0], "you have this case", REPLY_MS, &body,
	             "the specialist reached by e-mail should be able to ack in chat");
	free(body);

	harness_outbox_settled(w.d, "email", MAIL_MS);
	all = sink_read(&s);
	cr_assert_eq(sink_count(all, team[1].email, ""), 0u,
	             "the specialist who was online got the alert by e-mail too");
	cr_assert_eq(sink_count(all, team[0].email, rep.ref), 1u, "the alert mail came %zu times",
	             sink_count(all, team[0].email, rep.ref));
	json_decref(all);
	harness_daemon_stop(w.d);
	sink_stop(&s);
	world_close(&w);
}

/* 1 once GET /metrics says kakekomi_xmpp_connected is want. */
static int xmpp_state_is(struct harness_daemon *d, int want)
{
	struct harness_response res;
	char line[64];
	int ok;

	memset(&res, 0, sizeof res);
	harness_get(d, "/metrics", &res);
	snprintf(line, sizeof line, "\nkakekomi_xmpp_connected %d", want);
	ok = res.status == 200 && res.body.data != NULL && strstr(res.body.data, line) != NULL;
	harness_response_fini(&res);
	return ok;
}

Test(delivery, when_the_chat_server_is_down_the_on_call_specialist_gets_the_alert_by_email)
{
	static const struct world_member team[] = {
	    {.id = "tanaka", .name = "tanaka Sec", .prefectures = "27",
	     .email = "tanaka@osaka-sec.example"},
	};
	struct world w = {0};
	struct report rep;
	struct sink s;
	json_t *m;
	char want[256], needle[64];
	long long deadline;

	world_begin(&w, team, 1, NULL);
	sink_init(&s, w.d);
	sink_configure(&s, w.d);
	sink_start(&s);
	world_start(&w);

	cr_assert_eq(prosody_stop(w.server), 0, "Prosody did not stop cleanly");
	deadline = harness_now_ms() + 10000;
	while (!xmpp_state_is(w.d, 0)) {
		cr_assert_lt(harness_now_ms(), deadline,
		             "/metrics never said kakekomi_xmpp_connected 0 after Prosody stopped");
		harness_sleep_ms(50);
	}
	report(w.d, "unauthorized_access", "en", "27", NULL, &rep);
	m = sink_expect(&s, team[0].email, rep.ref, MAIL_MS,
	                "with the chat server down the alert should go by e-mail");
	snprintf(want, sizeof want, "【kakekomi】新しい相談 %s / New case %s", rep.ref, rep.ref);
	cr_assert_str_eq(mail_str(m, "subject"), want);
	fprintf(stderr, "delivery: report -> alert mail with Prosody down: %.0f ms\n",
	        (json_real_value(json_object_get(m, "mtime")) - rep.posted) * 1000);
	json_decref(m);

	/* The chat alert is still owed once the server is back. */
	cr_assert_eq(prosody_restart(w.server), 0, "Prosody did not come back");
	cr_assert_eq(specialist_go_online(w.app[0]), 0);
	snprintf(needle, sizeof needle, "New case %s", rep.ref);
	world_expect(w.app[0], needle, 40000, NULL,
	             "the chat alert should follow once the server is back");
	harness_daemon_stop(w.d);
	sink_stop(&s);
	world_close(&w);
}

/* ---- webhooks ---- */

static const char *const event_keys[] = {
    "event",      "event_id",      "at",      "case",       "state",
    "prefecture", "incident_type", "channel", "elapsed_ms", "actor"};

/* Every request: a signed JSON POST with all the fields, nothing private. */
static void check_requests(const json_t *reqs, const struct report *rep, double *max_delay)
{
	size_t i;
	json_t *r;

	json_array_foreach (reqs, i, r) {
		size_t len;
		char *body = req_body(r, &len);
		json_t *o = req_json(r);
		const char *key = req_header(r, "Idempotency-Key");
		const char *sig = req_header(r, "X-Kakekomi-Signature");
		long long at_ms;
		size_t k = 0;

		cr_assert_str_eq(mail_str(r, "method"), "POST");
		cr_assert_str_eq(mail_str(r, "path"), "/hook");
		cr_assert_not_null(strstr(req_header(r, "Content-Type"), "application/json"),
		                   "Content-Type: %s", req_header(r, "Content-Type"));
		cr_assert(signature_ok(sig, body, len, SECRET),
		          "X-Kakekomi-Signature \"%s\" is not sha256=HMAC-SHA256(secret, body) for "
		          "%s",
		          sig, body);
		cr_assert_not(signature_ok(sig, body, len, "another key"),
		              "the check accepts any key");
		cr_assert(strncmp(key, "kk-", 3) == 0 && key[3] != '\0' &&
		              strspn(key + 3, "0123456789") == strlen(key + 3),
		          "Idempotency-Key \"%s\" should be kk-<n>", key);
		for (k = 0; k < sizeof event_keys / sizeof event_keys[0]; k++)
			cr_assert(json_object_get(o, event_keys[k]) != NULL,
			          "webhook body without \"%s\": %s", event_keys[k], body);
		cr_assert(json_is_integer(json_object_get(o, "event_id")), "event_id: %s", body);
		cr_assert_eq(fixture_time_parse_ms(mail_str(o, "at"), &at_ms), 0,
		             "\"at\" is not RFC 3339: %s", body);
		if (strcmp(mail_str(o, "case"), rep->ref) == 0) {
			double delay = json_real_value(json_object_get(r, "received")) -
			               (double)at_ms / 1000.0;

			if (delay > *max_delay)
				*max_delay = delay;
		}
		cr_assert_null(strstr(body, rep->phone), "a webhook carries the phone: %s", body);
		cr_assert_null(strstr(body, rep->name), "a webhook carries the name: %s", body);
		json_decref(o);
		free(body);
	}
}

Test(delivery, every_webhook_gets_every_case_event_signed_with_hmac_sha256)
{
	static const struct world_member team[] = {
	    {.id = "tanaka", .name = "tanaka Sec", .prefectures = "27",
	     .email = "tanaka@osaka-sec.example"},
	};
	static const char *const events[] = {"received", "guidance_delivered", "routed",
	                                     "acknowledged", "contacted"};
	enum { NEVENTS = sizeof events / sizeof events[0] };
	struct world w = {0};
	struct receiver a, b;
	struct report rep;
	char needle[64], line[64];
	json_t *ra, *rb;
	double max_a = 0, max_b = 0;
	size_t i;
	json_t *r;

	world_begin(&w, team, 1, NULL);
	receiver_start(&a, w.d, "hook-a", 0, 0);
	receiver_start(&b, w.d, "hook-b", 0, 0);
	harness_daemon_config_append(w.d,
	                             "[webhooks]\n"
	                             "urls = %s, %s\n"
	                             "secret = %s\n"
	                             "rate_per_second = 10\n",
	                             a.url, b.url, SECRET);
	world_start(&w);

	report(w.d, "ransomware", "ja", "27", NULL, &rep);
	snprintf(needle, sizeof needle, "New case %s", rep.ref);
	world_expect(w.app[0], needle, REPLY_MS, NULL, "alert");
	snprintf(line, sizeof line, "ack %s", rep.ref);
	cr_assert_eq(specialist_send(w.app[0], BOT, line), 0);
	world_expect(w.app[0], "you have this case", REPLY_MS, NULL, "ack");
	snprintf(line, sizeof line, "contacted %s", rep.ref);
	cr_assert_eq(specialist_send(w.app[0], BOT, line), 0);
	world_expect(w.app[0], "first contact", REPLY_MS, NULL, "contacted");

	ra = receiver_expect_events(&a, rep.ref, events, NEVENTS, 10000);
	rb = receiver_expect_events(&b, rep.ref, events, NEVENTS, 10000);
	check_requests(ra, &rep, &max_a);
	check_requests(rb, &rep, &max_b);
	fprintf(stderr,
	        "delivery: %zu + %zu signed webhook posts; event -> receiver at most %.0f ms "
	        "(a), %.0f ms (b)\n",
	        json_array_size(ra), json_array_size(rb), max_a * 1000, max_b * 1000);

	/* Each event once per target, and the internal ones not at all. */
	for (size_t k = 0; k < NEVENTS; k++) {
		cr_assert_eq(events_for(ra, rep.ref, events[k], 0), 1u, "%s posted %zu times to a",
		             events[k], events_for(ra, rep.ref, events[k], 0));
		cr_assert_eq(events_for(rb, rep.ref, events[k], 0), 1u, "%s posted %zu times to b",
		             events[k], events_for(rb, rep.ref, events[k], 0));
	}
	cr_assert_eq(events_for(ra, rep.ref, "contact_revealed", 0), 0u,
	             "the reveal of the reporter's contact is not for webhooks");
	cr_assert_eq(keys_delivered(ra), json_array_size(ra),
	             "two requests to one target shared an Idempotency-Key");
	json_array_foreach (ra, i, r) {
		json_t *o = req_json(r);

		if (strcmp(mail_str(o, "event"), "acknowledged") == 0) {
			cr_assert_str_eq(mail_str(o, "actor"), "tanaka@" DOMAIN,
			                 "the ack's actor should be the specialist");
			cr_assert_str_eq(mail_str(o, "state"), "acknowledged");
		}
		cr_assert_str_eq(mail_str(o, "prefecture"), "27");
		cr_assert_str_eq(mail_str(o, "incident_type"), "ransomware");
		cr_assert_str_eq(mail_str(o, "channel"), "api");
		json_decref(o);
	}
	json_decref(ra);
	json_decref(rb);
	harness_daemon_stop(w.d);
	receiver_stop(&a);
	receiver_stop(&b);
	world_close(&w);
}

Test(delivery, a_webhook_answering_500_twice_gets_the_same_event_again_until_it_says_200)
{
	struct harness_daemon *d = harness_daemon_new();
	struct receiver w;
	struct report rep;
	json_t *reqs, *keys;
	const char *key;
	json_t *list;
	long long n_rows;
	long long deadline;

	receiver_start(&w, d, "hook", 2, 0);
	harness_daemon_config_append(d,
	                             "[webhooks]\n"
	                             "urls = %s\n"
	                             "secret = %s\n",
	                             w.url, SECRET);
	harness_daemon_start(d);
	report(d, "phishing", "en", "13", NULL, &rep);

	/* Wait until every webhook row of the case was answered 200. */
	deadline = harness_now_ms() + 20000;
	for (;;) {
		n_rows = harness_db_int(d,
		                "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id"
		                " WHERE c.ref = ? AND o.channel = 'webhook'",
		                rep.ref, NULL);
		reqs = receiver_requests(&w);
		if (n_rows >= 2 && (long long)keys_delivered(reqs) == n_rows)
			break;
		cr_assert_lt(
		    harness_now_ms(), deadline,
		    "after 20 s only %zu of %lld webhook events got through a receiver that "
		    "fails twice then succeeds",
		    keys_delivered(reqs), n_rows);
		json_decref(reqs);
		harness_sleep_ms(100);
	}
	json_decref(reqs);
	harness_outbox_settled(d, "webhook", MAIL_MS); /* nothing more will come */
	reqs = receiver_requests(&w);

	/* Group by Idempotency-Key: 500, 500, 200 with the same body, growing waits. */
	keys = json_object();
	{
		size_t i;
		json_t *r;

		json_array_foreach (reqs, i, r) {
			const char *k = req_header(r, "Idempotency-Key");

			if (json_object_get(keys, k) == NULL)
				json_object_set_new(keys, k, json_array());
			json_array_append(json_object_get(keys, k), r);
		}
	}
	cr_assert_eq((long long)json_object_size(keys), n_rows);
	json_object_foreach (keys, key, list) {
		json_t *r1 = json_array_get(list, 0), *r2 = json_array_get(list, 1),
		       *r3 = json_array_get(list, 2);
		double g1, g2;
		size_t l1, l3;
		char *b1, *b3;

		cr_assert_eq(json_array_size(list), 3u,
		             "%s was posted %zu times, want 3 (500, 500, 200) and no more", key,
		             json_array_size(list));
		cr_assert_eq(json_integer_value(json_object_get(r1, "status")), 500);
		cr_assert_eq(json_integer_value(json_object_get(r2, "status")), 500);
		cr_assert_eq(json_integer_value(json_object_get(r3, "status")), 200);
		b1 = req_body(r1, &l1);
		b3 = req_body(r3, &l3);
		cr_assert(l1 == l3 && memcmp(b1, b3, l1) == 0,
		          "a retry should post the same event:\n%s\n%s", b1, b3);
		cr_assert_str_eq(req_header(r1, "X-Kakekomi-Signature"),
		                 req_header(r3, "X-Kakekomi-Signature"));
		cr_assert(signature_ok(req_header(r3, "X-Kakekomi-Signature"), b3, l3, SECRET));
		free(b1);
		free(b3);
		g1 = json_real_value(json_object_get(r2, "received")) -
		     json_real_value(json_object_get(r1, "received"));
		g2 = json_real_value(json_object_get(r3, "received")) -
		     json_real_value(json_object_get(r2, "received"));
		fprintf(stderr, "delivery: %s retried after %.2f s, then after %.2f s\n", key, g1,
		        g2);
		cr_assert(g1 >= 0.9 && g1 <= 3.5, "first retry after %.2f s, want about 1 s", g1);
		cr_assert(g2 >= 1.8 && g2 <= 5.0, "second retry after %.2f s, want about 2 s", g2);
		cr_assert_gt(g2, g1, "the backoff should grow: %.2f s then %.2f s", g1, g2);
	}
	cr_assert_eq(harness_db_int(d,
	                    "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id"
	                    " WHERE c.ref = ? AND o.channel = 'webhook' AND o.state = 'sent'"
	                    " AND o.attempts = 3",
	                    rep.ref, NULL),
	             n_rows, "each webhook row should be sent after 3 attempts");
	json_decref(keys);
	json_decref(reqs);
	harness_daemon_stop(d);
	receiver_stop(&w);
	harness_daemon_finish(d);
}

Test(delivery, a_slow_webhook_receiver_does_not_slow_intake_and_still_gets_every_event)
{
	enum { CASES = 4 };
	const double delay = 3.0;
	struct harness_daemon *d = harness_daemon_new();
	struct receiver w;
	struct report rep[CASES];
	json_t *reqs;
	long long n_rows, deadline, t0;
	double worst = 0, first = 1e18, last = 0;
	long long max_inflight = 0;
	size_t i;
	json_t *r;

	receiver_start(&w, d, "hook", 0, delay);
	harness_daemon_config_append(d,
	                             "[webhooks]\n"
	                             "urls = %s\n"
	                             "secret = %s\n"
	                             "rate_per_second = 10\n",
	                             w.url, SECRET);
	harness_daemon_start(d);

	t0 = harness_now_ms();
	report(d, "ransomware", "ja", "27", NULL, &rep[0]);
	/* The first posts hang at the receiver while the others come in. */
	deadline = harness_now_ms() + MAIL_MS;
	while (receiver_arrived(&w) == 0) {
		cr_assert_lt(harness_now_ms(), deadline, "no webhook post reached the receiver");
		harness_sleep_ms(20);
	}
	for (int k = 1; k < CASES; k++)
		report(d, "malware", "ja", "27", NULL, &rep[k]);
	for (int k = 0; k < CASES; k++)
		if (rep[k].post_ms > worst)
			worst = rep[k].post_ms;
	fprintf(
	    stderr,
	    "delivery: POST /api/v1/cases with a %.0f s webhook receiver: %.1f %.1f %.1f %.1f ms\n",
	    delay, rep[0].post_ms, rep[1].post_ms, rep[2].post_ms, rep[3].post_ms);
	cr_assert_lt(worst, 1000.0,
	             "a report took %.0f ms to be answered: a slow webhook must not hold up intake",
	             worst);

	n_rows = harness_db_int(d, "SELECT count(*) FROM outbox WHERE channel = 'webhook'", NULL);
	cr_assert_geq(n_rows, 2 * CASES, "at least received and guidance_delivered per case");
	deadline = harness_now_ms() + (long long)((double)n_rows * delay / 4 * 1000) + 15000;
	for (;;) {
		n_rows = harness_db_int(d, "SELECT count(*) FROM outbox WHERE channel = 'webhook'", NULL);
		reqs = receiver_requests(&w);
		if ((long long)keys_delivered(reqs) >= n_rows)
			break;
		cr_assert_lt(harness_now_ms(), deadline,
		             "only %zu of %lld events reached the slow receiver",
		             keys_delivered(reqs), n_rows);
		json_decref(reqs);
		harness_sleep_ms(100);
	}
	json_array_foreach (reqs, i, r) {
		long long in = json_integer_value(json_object_get(r, "inflight"));
		double at = json_real_value(json_object_get(r, "received"));

		if (in > max_inflight)
			max_inflight = in;
		if (at < first)
			first = at;
		if (at > last)
			last = at;
	}
	fprintf(stderr,
	        "delivery: %lld events through a %.0f s receiver in %.1f s (first to last "
	        "request %.1f s), at most %lld at once\n",
	        n_rows, delay, (double)(harness_now_ms() - t0) / 1000, last - first, max_inflight);
	cr_assert_eq(json_array_size(reqs), (size_t)n_rows,
	             "%zu requests for %lld events: a slow answer within the timeout should not be "
	             "retried",
	             json_array_size(reqs), n_rows);
	cr_assert_leq(max_inflight, 4, "%lld requests at once to one target, want at most 4",
	              max_inflight);
	cr_assert_geq(max_inflight, 2, "the slow target was sent one event at a time");
	for (int k = 0; k < CASES; k++) {
		cr_assert_eq(events_for(reqs, rep[k].ref, "received", 200), 1u);
		cr_assert_eq(events_for(reqs, rep[k].ref, "guidance_delivered", 200), 1u);
	}
	json_decref(reqs);
	harness_daemon_stop(d);
	receiver_stop(&w);
	harness_daemon_finish(d);
}

Test(delivery, with_tls_required_mail_goes_only_over_starttls_checked_against_ca_file)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_output out;
	struct report first, second;
	struct sink s;
	char cert[PATH_MAX], key[PATH_MAX], error[256], san[64];
	const char *argv[20];
	long long deadline;
	double up;
	json_t *m, *all;

	harness_path_join(cert, sizeof cert, d->dir, "smtp-cert.pem");
	harness_path_join(key, sizeof key, d->dir, "smtp-key.pem");
	snprintf(san, sizeof san, "subjectAltName=IP:127.0.0.1,DNS:localhost");
	argv[0] = "/usr/bin/openssl";
	argv[1] = "req";
	argv[2] = "-x509";
	argv[3] = "-newkey";
	argv[4] = "rsa:2048";
	argv[5] = "-nodes";
	argv[6] = "-keyout";
	argv[7] = key;
	argv[8] = "-out";
	argv[9] = cert;
	argv[10] = "-days";
	argv[11] = "2";
	argv[12] = "-subj";
	argv[13] = "/CN=127.0.0.1";
	argv[14] = "-addext";
	argv[15] = san;
	argv[16] = NULL;
	harness_run(argv, &out, 30000);
	cr_assert_eq(out.status, 0, "openssl req: %s", out.err.data);
	harness_output_fini(&out);

	sink_init(&s, d);
	harness_daemon_config_append(d,
	                             "[smtp]\n"
	                             "url = smtp://127.0.0.1:%u\n"
	                             "from = %s\n"
	                             "tls = required\n"
	                             "ca_file = %s\n",
	                             (unsigned)s.port, MAIL_FROM, cert);

	/* A server without STARTTLS: nothing may be sent to it in the clear. */
	sink_start(&s);
	harness_daemon_start(d);
	report(d, "ransomware", "ja", "27", "soumu@example.co.jp", &first);
	deadline = harness_now_ms() + 6000;
	do {
		harness_sleep_ms(100);
		harness_db_text(d, error, sizeof error,
		        "SELECT o.last_error FROM outbox o JOIN cases c ON c.id = o.case_id"
		        " WHERE c.ref = ? AND o.kind = 'receipt'",
		        first.ref);
	} while (error[0] == '\0' && harness_now_ms() < deadline);
	fprintf(stderr, "delivery: tls = required against a server without STARTTLS: %s\n", error);
	cr_assert_neq(error[0], '\0', "the receipt should fail against a server without STARTTLS");
	all = sink_read(&s);
	cr_assert_eq(json_array_size(all), 0u,
	             "with tls = required a mail was handed over without TLS");
	json_decref(all);
	sink_stop(&s);

	/* The same port with STARTTLS (required by the sink): the retry gets through. */
	sink_start_tls(&s, cert, key);
	up = wall_now();
	m = sink_expect(&s, first.email, first.ref, 20000,
	                "the receipt should go through once the server offers STARTTLS with a "
	                "certificate from ca_file");
	fprintf(stderr, "delivery: STARTTLS server up -> pending receipt delivered: %.0f ms\n",
	        (json_real_value(json_object_get(m, "mtime")) - up) * 1000);
	json_decref(m);
	report(d, "phishing", "en", "13", "jane@example.com", &second);
	m = sink_expect(&s, second.email, second.ref, MAIL_MS, "a new receipt over STARTTLS");
	snprintf(error, sizeof error, "[kakekomi] Your report %s has been received", second.ref);
	cr_assert_str_eq(mail_str(m, "subject"), error);
	json_decref(m);
	all = sink_read(&s);
	cr_assert_eq(sink_count(all, first.email, ""), 1u, "the first receipt came %zu times",
	             sink_count(all, first.email, ""));
	json_decref(all);
	harness_daemon_stop(d);
	sink_stop(&s);
	harness_daemon_finish(d);
}

Test(delivery, webhook_posts_to_one_target_keep_to_rate_per_second)
{
	enum { CASES = 4, RATE = 2 };
	struct harness_daemon *d = harness_daemon_new();
	struct receiver w;
	struct report rep;
	json_t *reqs;
	double *at;
	long long n_rows, deadline;
	size_t n, i;
	json_t *r;

	receiver_start(&w, d, "hook", 0, 0);
	harness_daemon_config_append(d,
	                             "[webhooks]\n"
	                             "urls = %s\n"
	                             "secret = %s\n"
	                             "rate_per_second = %d\n",
	                             w.url, SECRET, RATE);
	harness_daemon_start(d);
	for (int k = 0; k < CASES; k++)
		report(d, "malware", "ja", "27", NULL, &rep);

	deadline = harness_now_ms() + 30000;
	for (;;) {
		n_rows = harness_db_int(d, "SELECT count(*) FROM outbox WHERE channel = 'webhook'", NULL);
		reqs = receiver_requests(&w);
		if ((long long)keys_delivered(reqs) >= n_rows)
			break;
		cr_assert_lt(harness_now_ms(), deadline, "only %zu of %lld events arrived",
		             keys_delivered(reqs), n_rows);
		json_decref(reqs);
		harness_sleep_ms(100);
	}
	n = json_array_size(reqs);
	at = calloc(n, sizeof *at);
	cr_assert_not_null(at);
	json_array_foreach (reqs, i, r)
		at[i] = json_real_value(json_object_get(r, "received"));
	/* The log is in answer order; for a fast receiver that is arrival order. */
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && at[b - 1] > at[b]; b--) {
			double t = at[b];

			at[b] = at[b - 1];
			at[b - 1] = t;
		}
	fprintf(stderr, "delivery: %zu events at rate_per_second = %d took %.2f s (%.2f/s)\n", n,
	        RATE, at[n - 1] - at[0], (double)(n - 1) / (at[n - 1] - at[0]));
	/* A token bucket of RATE per second holding RATE: any k requests span
	 * at least (k - RATE) / RATE seconds; a tenth of a second of slack. */
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + RATE; b < n; b++)
			cr_assert_geq(at[b] - at[a] + 0.1, (double)(b - a + 1 - RATE) / RATE,
			              "%zu requests within %.2f s: more than %d per second",
			              b - a + 1, at[b] - at[a], RATE);
	free(at);
	json_decref(reqs);
	harness_daemon_stop(d);
	receiver_stop(&w);
	harness_daemon_finish(d);
}

/* ---- APPI reminders ---- */

/* t as "YYYY-MM-DD HH:MM" in Japan time, as a reporter types it in chat. */
static void jst_local(time_t t, char *out, size_t cap)
{
	time_t j = t + 9 * 3600;
	struct tm tm;

	gmtime_r(&j, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M", &tm);
}

/* The line of text that names ref, copied into out; NULL when none. */
static const char *line_with(const char *text, const char *ref, char *out, size_t cap)
{
	const char *p = strstr(text, ref);
	const char *start, *end;

	if (p == NULL)
		return NULL;
	for (start = p; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	if (end == NULL)
		end = p + strlen(p);
	snprintf(out, cap, "%.*s", (int)(end - start), start);
	return out;
}

/* The chat reporter sends text and waits for the bot's reply containing next. */
static void chat_answer(struct world *w, const char *text, const char *next, char **body_out)
{
	cr_assert_eq(specialist_send(w->reporter[0], BOT, text), 0, "cannot send \"%s\"", text);
	world_expect(w->reporter[0], next, REPLY_MS, body_out, "the chat report should go on");
}

/* A report by the API with personal data involved, noticed at noticed. */
static void report_pd(struct harness_daemon *d, const char *type, time_t noticed, const char *email,
                      struct report *rep)
{
	json_t *body = fixture_intake_new(type, "ja");
	char at[32];
	json_t *ans;

	memset(rep, 0, sizeof *rep);
	fixture_json_set(body, "prefecture", "27");
	fixture_json_set(body, "personal_data", "yes");
	fixture_time_rfc3339(noticed, at, sizeof at);
	fixture_json_set(body, "noticed_at", at);
	fixture_json_set(body, "email", email);
	snprintf(rep->email, sizeof rep->email, "%s", email);
	ans = fixture_case_create(d, body);
	snprintf(rep->ref, sizeof rep->ref, "%s", fixture_json_string(ans, "ref"));
	snprintf(rep->token, sizeof rep->token, "%s", fixture_json_string(ans, "token"));
	json_decref(ans);
	json_decref(body);
}

/* The specialist's app gets the alert for ref and takes the case. */
static void ack(struct specialist_client *s, const char *ref)
{
	char line[64];

	snprintf(line, sizeof line, "New case %s", ref);
	world_expect(s, line, REPLY_MS, NULL, "alert");
	snprintf(line, sizeof line, "ack %s", ref);
	cr_assert_eq(specialist_send(s, BOT, line), 0);
	world_expect(s, "you have this case", REPLY_MS, NULL, "ack");
}

/*
 * Without waiting days: cases noticed two days and three minutes ago, so
 * that the preliminary reminder (noticed + 2 days) is due now and its date
 * (noticed + 5 days) still ahead; and one noticed 40 days ago, whose dates
 * are all past. The reminder check runs every 60 s: this test waits for it
 * once.
 */
Test(delivery, a_case_with_personal_data_reminds_the_specialist_and_the_reporter_by_chat_or_email)
{
	static const struct world_member team[] = {
	    {.id = "osaka", .name = "osaka Sec", .prefectures = "27",
	     .email = "osaka@osaka-sec.example"},
	};
	struct world w = {0};
	struct sink s;
	struct harness_output out;
	struct report by_mail, late;
	char chat_ref[32], typed[32], needle[160], line[512];
	char prelim[16], final_chat[16], final_mail[16];
	time_t noticed = time(NULL) - 2 * 86400 - 3 * 60;
	long long started, acked, got;
	struct specialist_client *osaka;
	json_t *m;
	char *body, *p;

	world_begin(&w, team, 1, NULL);
	sink_init(&s, w.d);
	sink_configure(&s, w.d);
	sink_start(&s);
	cr_assert_eq(prosody_register(w.server, "kimura", "pw-kimura"), 0);
	harness_daemon_start(w.d);
	started = harness_now_ms();
	world_online(&w);
	osaka = w.app[0];

	/* A: by chat, ransomware (malicious: final report in 60 days). */
	world_reporter(&w, "kimura", 0);
	jst_local(noticed, typed, sizeof typed);
	chat_answer(&w, "ランサムウェアかもしれない", "今も続いていますか", NULL);
	chat_answer(&w, "はい", "知らされたのはいつですか", NULL);
	chat_answer(&w, typed, "お金を送った", NULL);
	chat_answer(&w, "いいえ", "個人情報", NULL);
	chat_answer(&w, "はい", "病歴", NULL);
	chat_answer(&w, "いいえ", "カード番号", NULL);
	chat_answer(&w, "いいえ", "1,000人", NULL);
	chat_answer(&w, "いいえ", "都道府県", NULL);
	chat_answer(&w, "27", "会社名", NULL);
	chat_answer(&w, "木村商店", "お名前", NULL);
	chat_answer(&w, "木村 花子", "電話番号", NULL);
	chat_answer(&w, "06-9876-5432", "受付番号: ", &body);
	p = strstr(body, "受付番号: ") + strlen("受付番号: ");
	snprintf(chat_ref, sizeof chat_ref, "%.*s",
	         (int)strspn(p, "KK-0123456789ABCDEFGHJKMNPQRSTVWXYZ"), p);
	cr_assert(fixture_ref_is_valid(chat_ref), "no reference in:\n%s", body);
	free(body);

	/* B: by the API with an address, a leak (not malicious: 30 days). */
	report_pd(w.d, "data_leak", noticed, "soumu@example.co.jp", &by_mail);
	/* C: known in the company 40 days ago: the preliminary date is long past
	 * (a lost device not known to be lost counts as stolen: 60 days). */
	report_pd(w.d, "lost_device", time(NULL) - 40 * 86400, "late@example.co.jp", &late);

	ack(osaka, chat_ref);
	ack(osaka, by_mail.ref);
	ack(osaka, late.ref);
	acked = harness_now_ms();
	cr_assert_lt(acked - started, 58000,
	             "setup took %lld ms: the reminder check (every 60 s from start) may have run "
	             "before the acks, so this test would prove nothing",
	             acked - started);

	/* The dates, as coordinators see them. */
	fixture_date_jst(noticed, 5, prelim, sizeof prelim);
	fixture_date_jst(noticed, 60, final_chat, sizeof final_chat);
	fixture_date_jst(noticed, 30, final_mail, sizeof final_mail);
	harness_daemon_ctl(w.d, &out, "deadlines", "--days", "7", NULL);
	cr_assert_eq(out.status, 0, "kakekomictl deadlines: exit %d\n%s", out.status, out.err.data);
	fprintf(stderr, "delivery: kakekomictl deadlines --days 7:\n%s", out.out.data);
	cr_assert_not_null(line_with(out.out.data, chat_ref, line, sizeof line),
	                   "deadlines --days 7 should list %s:\n%s", chat_ref, out.out.data);
	cr_assert_not_null(strstr(line, prelim), "preliminary date noticed + 5 days = %s: %s",
	                   prelim, line);
	cr_assert_not_null(strstr(line, "preliminary"), "%s", line);
	cr_assert_not_null(line_with(out.out.data, by_mail.ref, line, sizeof line),
	                   "deadlines --days 7 should list %s:\n%s", by_mail.ref, out.out.data);
	cr_assert_not_null(strstr(line, prelim), "%s", line);
	cr_assert_not_null(line_with(out.out.data, late.ref, line, sizeof line),
	                   "the overdue date of %s should be listed:\n%s", late.ref, out.out.data);
	cr_assert_eq(strncmp(line, "OVERDUE ", 8), 0, "overdue and listed first: %s", line);
	cr_assert(strstr(out.out.data, late.ref) < strstr(out.out.data, chat_ref),
	          "the overdue deadline comes first:\n%s", out.out.data);
	harness_output_fini(&out);
	harness_daemon_ctl(w.d, &out, "deadlines", "--days", "60", NULL);
	cr_assert_eq(out.status, 0);
	cr_assert_not_null(line_with(out.out.data, final_chat, line, sizeof line),
	                   "the final report of the ransomware case is due at 60 days (%s):\n%s",
	                   final_chat, out.out.data);
	cr_assert_not_null(strstr(line, chat_ref), "%s", line);
	cr_assert_not_null(line_with(out.out.data, final_mail, line, sizeof line),
	                   "the final report of the leak is due at 30 days (%s):\n%s", final_mail,
	                   out.out.data);
	cr_assert_not_null(strstr(line, by_mail.ref), "%s", line);
	harness_output_fini(&out);

	/* The reminder check runs every 60 s. */
	snprintf(needle, sizeof needle, "%s: 個人情報保護委員会への速報", chat_ref);
	{
		struct specialist_message msg = {0};
		int rc = specialist_wait_message_full(osaka, needle, 75000, &msg);

		if (rc != 0)
			world_show_unread(osaka);
		cr_assert_eq(rc, 0,
		             "the specialist who has %s was not reminded of the preliminary report "
		             "within 75 s",
		             chat_ref);
		got = msg.arrived_ns / 1000000;
		cr_assert_not_null(strstr(msg.body, prelim), "the reminder should give %s:\n%s",
		                   prelim, msg.body);
		cr_assert_not_null(strstr(msg.body, "preliminary report"),
		                   "the specialist's reminder is in both languages:\n%s", msg.body);
		specialist_message_fini(&msg);
	}
	fprintf(stderr,
	        "delivery: preliminary reminder at the specialist %.1f s after the acks, %.1f s "
	        "after kakekomid started (checked every 60 s)\n",
	        (double)(got - acked) / 1e3, (double)(got - started) / 1e3);
	world_expect(w.reporter[0], needle, REPLY_MS, &body,
	             "the chat reporter should get the reminder in the chat");
	cr_assert_not_null(strstr(body, prelim), "reminder:\n%s", body);
	free(body);
	snprintf(needle, sizeof needle, "%s: 個人情報保護委員会への速報", by_mail.ref);
	world_expect(osaka, needle, REPLY_MS, NULL, "the specialist of the e-mail case too");
	snprintf(needle, sizeof needle, "個人情報保護委員会への速報報告の期限が近づいています(%s)",
	         by_mail.ref);
	m = sink_expect(&s, by_mail.email, needle, MAIL_MS,
	                "the reporter who came by the API should be reminded by e-mail");
	cr_assert_not_null(strstr(mail_str(m, "text"), prelim), "reminder mail:\n%s",
	                   mail_str(m, "text"));
	check_encoded_words(mail_str(m, "subject_raw"));
	json_decref(m);

	/* C: its preliminary reminder was due at once, and its date is past: an
	 * overdue notice, to the specialist and to the reporter, not silence. */
	snprintf(needle, sizeof needle, "%s: 個人情報保護委員会への速報", late.ref);
	world_expect(osaka, needle, REPLY_MS, &body,
	             "the specialist should get the overdue notice of the late case");
	cr_assert_not_null(
	    strstr(body, "期限を過ぎています。わかっている範囲ですぐに報告してください"), "%s",
	    body);
	cr_assert_not_null(strstr(body, "The deadline has passed"), "in both languages:\n%s", body);
	free(body);
	snprintf(needle, sizeof needle, "速報の期限を過ぎています(%s)", late.ref);
	m = sink_expect(&s, late.email, needle, MAIL_MS,
	                "the late reporter should get the overdue notice by e-mail");
	json_decref(m);
	cr_assert_eq(harness_db_int(w.d,
	                    "SELECT count(*) FROM reminders r JOIN cases c ON c.id = r.case_id"
	                    " WHERE c.ref = ? AND r.kind = 'ppc_preliminary' AND r.sent_ms IS NULL",
	                    late.ref, NULL),
	             0, "the overdue reminder of %s should have been sent", late.ref);
	cr_assert_eq(harness_db_int(w.d,
	                    "SELECT count(*) FROM reminders r JOIN cases c ON c.id = r.case_id"
	                    " WHERE c.ref = ? AND r.kind LIKE 'ppc_final%' AND r.sent_ms IS NULL",
	                    chat_ref, NULL),
	             2, "the final-report reminders of %s are weeks away and must wait", chat_ref);
	cr_assert_eq(specialist_count_messages(osaka, "への確報の期限は"), 0u,
	             "no final-report reminder should have gone out yet");
	harness_daemon_stop(w.d);
	sink_stop(&s);
	world_close(&w);
}
