/* SPDX-License-Identifier: ISC */
/*
 * dash_auth.c — only coordinators get in, and only from their own pages: an
 * account made with kakekomictl logs in through the form and gets a
 * session cookie a script cannot read and another site cannot send; a
 * wrong password, a form without its token, a guessing streak, a logout
 * and a disabled account all keep the dashboard shut.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "dash.h"
#include "fixture.h"
#include "harness.h"

TestSuite(dash_auth, .fini = harness_cleanup, .timeout = 90);

#define USER     "hanako"
#define PASSWORD "sakura-sakura-2026"

static struct harness_daemon *daemon_with_user(void)
{
	struct harness_daemon *d = harness_daemon_new();

	dash_user_add(d, USER, PASSWORD);
	harness_daemon_start(d);
	return d;
}

/* GET PATH as C and expect status WANT. */
static void expect_get(struct dash_client *c, const char *path, long want, const char *why)
{
	struct harness_response res;

	dash_get(c, path, &res);
	cr_expect_eq(res.status, want, "GET %s: %s", path, why);
	harness_response_fini(&res);
}

/* RES sends the browser to WANT. */
static void expect_location(const struct harness_response *res, const char *want)
{
	char location[256];

	cr_assert(harness_response_header(res, "Location", location, sizeof location),
	          "no Location (want %s)", want);
	cr_expect_str_eq(location, want);
}

Test(dash_auth, the_right_password_opens_the_dashboard_with_a_strict_httponly_cookie)
{
	struct harness_daemon *d = daemon_with_user();
	struct dash_client c = {.d = d};
	struct harness_response res;
	char value[DASH_COOKIE_MAX], attrs[256];

	cr_assert_eq(dash_login(&c, USER, PASSWORD, &res), 303, "login: %ld\n%s", res.status,
	             res.body.data);
	expect_location(&res, "/dashboard");
	cr_assert(dash_set_cookie(&res, "kk_session", value, sizeof value, attrs, sizeof attrs));
	cr_expect_geq(strlen(value), 43, "a session id of 256 random bits");
	cr_expect_neq(strstr(attrs, "HttpOnly"), NULL, "scripts cannot read it: %s", attrs);
	cr_expect_neq(strstr(attrs, "SameSite=Strict"), NULL, "other sites cannot send it: %s",
	              attrs);
	cr_expect_neq(strstr(attrs, "Path=/"), NULL, "%s", attrs);
	cr_expect_null(strstr(attrs, "Secure"), "plain http here, so not Secure: %s", attrs);
	harness_response_fini(&res);

	dash_get(&c, "/dashboard", &res);
	cr_assert_eq(res.status, 200);
	cr_expect_neq(strstr(res.body.data, "id=\"user\">" USER "<"), NULL,
	              "the page names who is in");
	cr_expect_neq(c.csrf[0], '\0', "the page carries a CSRF token for its forms");
	cr_expect_null(strstr(res.body.data, "<script"), "the dashboard works without JavaScript");
	cr_expect_neq(strstr(res.body.data, "http-equiv=\"refresh\""), NULL, "it reloads itself");
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(dash_auth, without_a_session_pages_send_to_the_login_and_the_api_says_401)
{
	struct harness_daemon *d = daemon_with_user();
	struct dash_client c = {.d = d};
	struct harness_response res;

	dash_get(&c, "/dashboard/figures", &res);
	cr_expect_eq(res.status, 303);
	expect_location(&res, "/login?next=/dashboard/figures");
	harness_response_fini(&res);

	snprintf(c.session, sizeof c.session, "%s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	dash_get(&c, "/api/v1/stats", &res);
	cr_expect_eq(res.status, 401, "a made-up session is no session");
	cr_expect_neq(strstr(res.body.data, "\"error\""), NULL, "%s", res.body.data);
	harness_response_fini(&res);

	expect_get(&c, "/dashboard/cases.csv", 303, "no export without a session");
	harness_daemon_finish(d);
}

Test(dash_auth, a_wrong_password_or_an_unknown_name_brings_the_form_back)
{
	struct harness_daemon *d = daemon_with_user();
	struct dash_client c = {.d = d};
	struct harness_response res;
	char value[DASH_COOKIE_MAX];

	cr_expect_eq(dash_login(&c, USER, "not-the-password", &res), 401);
	cr_expect_neq(strstr(res.body.data, "id=\"login-error\""), NULL, "%s", res.body.data);
	cr_expect_eq(dash_set_cookie(&res, "kk_session", value, sizeof value, NULL, 0), 0,
	             "no session for a wrong password");
	harness_response_fini(&res);
	cr_expect_eq(dash_login(&c, "nobody", PASSWORD, &res), 401,
	             "an unknown name looks the same as a wrong password");
	harness_response_fini(&res);
	harness_daemon_finish(d);
}

Test(dash_auth, forms_without_their_csrf_token_are_refused)
{
	struct harness_daemon *d = daemon_with_user();
	struct dash_client c = {.d = d};
	json_t *body = fixture_intake_new("phishing", "ja");
	json_t *ans;
	struct harness_response res;
	struct harness_buf form = {0};
	char path[64];

	ans = fixture_case_create(d, body);
	cr_assert_eq(dash_login(&c, USER, PASSWORD, NULL), 303);
	snprintf(path, sizeof path, "/dashboard/cases/%s", fixture_json_string(ans, "ref"));

	/* A note posted from "another site": no token. */
	fixture_form_add(&form, "action", "note");
	fixture_form_add(&form, "note", "posted from elsewhere");
	dash_post(&c, path, form.data, &res);
	cr_expect_eq(res.status, 403, "%s", res.body.data);
	harness_response_fini(&res);
	/* A token from another session. */
	fixture_form_add(&form, "csrf", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
	dash_post(&c, path, form.data, &res);
	cr_expect_eq(res.status, 403);
	harness_response_fini(&res);
	harness_buf_fini(&form);

	dash_get(&c, path, &res);
	cr_assert_eq(res.status, 200);
	cr_expect_null(strstr(res.body.data, "posted from elsewhere"), "nothing was written");
	harness_response_fini(&res);

	/* The login form itself: its token must match its cookie. */
	fixture_form_add(&form, "user", USER);
	fixture_form_add(&form, "password", PASSWORD);
	fixture_form_add(&form, "csrf", "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC");
	c.session[0] = '\0';
	dash_post(&c, "/login", form.data, &res);
	cr_expect_eq(res.status, 403, "a login posted without the form's cookie");
	cr_expect_eq(c.session[0], '\0');
	harness_response_fini(&res);
	harness_buf_fini(&form);

	/* Logging out is a POST with the token too: a GET cannot do it. */
	expect_get(&c, "/logout", 405, "a GET cannot log out");
	json_decref(ans);
	json_decref(body);
	harness_daemon_finish(d);
}

Test(dash_auth, repeated_failed_logins_are_slowed_down_per_account_and_per_address)
{
	struct harness_daemon *d = daemon_with_user();
	struct dash_client c = {.d = d};
	struct harness_response res;
	char after[32], name[32];
	long long t0;
	long status;
	int n;

	for (int i = 0; i < AUTH_FREE_ACCOUNT; i++)
		cr_expect_eq(dash_login(&c, USER, "guess-guess-guess", NULL), 401, "try %d", i + 1);
	/* Even the right password has to wait now. */
	t0 = harness_now_ms();
	cr_expect_eq(dash_login(&c, USER, PASSWORD, &res), 429);
	cr_assert(harness_response_header(&res, "Retry-After", after, sizeof after),
	          "a 429 says how long to wait");
	n = atoi(after);
	cr_expect(n >= 1 && n <= 2, "Retry-After: %s", after);
	harness_response_fini(&res);
	/* Refused logins do not count: keep trying until the wait is over. */
	for (;;) {
		status = dash_login(&c, USER, PASSWORD, NULL);
		if (status != 429 || harness_now_ms() - t0 >= n * 1000L + 1000)
			break;
		harness_sleep_ms(100);
	}
	cr_expect_eq(status, 303, "after the wait the right password works (waited %lld ms)",
	             harness_now_ms() - t0);
	cr_expect_geq(harness_now_ms() - t0, (n - 1) * 1000L,
	              "the right password was let in before the %d s of Retry-After", n);

	/* Guessing across many names from one address is slowed down too. */
	for (int i = 0; i < AUTH_FREE_ADDRESS; i++) {
		snprintf(name, sizeof name, "nobody%d", i);
		cr_expect_eq(dash_login(&c, name, "guess-guess-guess", NULL), 401, "name %d", i);
	}
	cr_expect_eq(dash_login(&c, "nobody-else", "guess-guess-guess", NULL), 429,
	             "the address has used its free tries");
	harness_daemon_finish(d);
}

Test(dash_auth, logout_ends_the_session_and_a_disabled_account_is_out_at_once)
{
	struct harness_daemon *d = daemon_with_user();
	struct dash_client c = {.d = d}, other = {.d = d};
	struct harness_response res;
	struct harness_output out;
	struct harness_buf form = {0};
	char old[DASH_COOKIE_MAX];

	cr_assert_eq(dash_login(&c, USER, PASSWORD, NULL), 303);
	snprintf(old, sizeof old, "%s", c.session);
	fixture_form_add(&form, "csrf", c.csrf);
	dash_post(&c, "/logout", form.data, &res);
	harness_buf_fini(&form);
	cr_expect_eq(res.status, 303);
	expect_location(&res, "/login");
	harness_response_fini(&res);
	snprintf(c.session, sizeof c.session, "%s", old);
	expect_get(&c, "/dashboard", 303, "the old cookie no longer opens anything");

	cr_assert_eq(dash_login(&other, USER, PASSWORD, NULL), 303);
	harness_daemon_ctl(d, &out, "user", "disable", USER, NULL);
	cr_assert_eq(out.status, 0, "%s%s", out.out.data, out.err.data);
	harness_output_fini(&out);
	expect_get(&other, "/dashboard", 303, "disabling an account ends its sessions");
	cr_expect_eq(dash_login(&other, USER, PASSWORD, NULL), 401, "and it cannot log in again");

	harness_daemon_ctl(d, &out, "user", "list", NULL);
	cr_expect_neq(strstr(out.out.data, "disabled"), NULL, "%s", out.out.data);
	harness_output_fini(&out);
	harness_daemon_finish(d);
}

Test(dash_auth, kakekomictl_refuses_short_passwords_and_odd_names)
{
	struct harness_daemon *d = harness_daemon_new();
	struct harness_output out;
	char bin[PATH_MAX];
	const char *argv[] = {
	    "/bin/sh", "-c", "printf 'short\\n' | \"$1\" -c \"$2\" user add \"$3\"",
	    "sh",      bin,  d->config_path,
	    "taro",    NULL};

	harness_path_build("kakekomictl", bin, sizeof bin);
	harness_daemon_write_config(d);
	harness_run(argv, &out, HARNESS_RUN_TIMEOUT_MS);
	cr_expect_eq(out.status, 1);
	cr_expect_neq(strstr(out.err.data, "at least 12 characters"), NULL, "%s", out.err.data);
	harness_output_fini(&out);
	harness_daemon_ctl(d, &out, "user", "add", "Taro San", NULL);
	cr_expect_eq(out.status, 1);
	cr_expect_neq(strstr(out.err.data, "is not a user name"), NULL, "%s", out.err.data);
	harness_output_fini(&out);
	dash_user_add(d, "taro", "a-long-enough-password");
	harness_daemon_ctl(d, &out, "user", "list", NULL);
	cr_expect_neq(strstr(out.out.data, "taro"), NULL, "%s", out.out.data);
	cr_expect_neq(strstr(out.out.data, "active"), NULL, "%s", out.out.data);
	harness_output_fini(&out);
	harness_daemon_finish(d);
}

Test(dash_auth, behind_https_the_session_cookie_is_also_secure)
{
	struct harness_daemon *d = harness_daemon_new();
	struct dash_client c = {.d = d};
	struct harness_response res;
	struct harness_output out;
	char conf[PATH_MAX], log[PATH_MAX], bin[PATH_MAX], ctl[PATH_MAX], value[DASH_COOKIE_MAX];
	char attrs[256];
	const char *argv[] = {
	    "/bin/sh", "-c",     "printf '%s\\n' \"$1\" | \"$2\" -c \"$3\" user add \"$4\"",
	    "sh",      PASSWORD, ctl,
	    conf,      USER,     NULL};
	int status = -1;
	pid_t pid;
	FILE *f;

	/* Served over plain HTTP on loopback, published as https:// by a proxy. */
	harness_path_join(conf, sizeof conf, d->dir, "https.conf");
	harness_path_join(log, sizeof log, d->dir, "https.log");
	f = fopen(conf, "w");
	cr_assert_not_null(f);
	fprintf(f,
	        "[http]\nlisten = 127.0.0.1:%u\npublic_url = https://hotline.example\n"
	        "[store]\npath = %s\n[playbooks]\ndir = %s\n",
	        (unsigned)d->port, d->db_path, d->playbooks_dir);
	cr_assert_eq(fclose(f), 0);
	harness_path_build("kakekomid", bin, sizeof bin);
	harness_path_build("kakekomictl", ctl, sizeof ctl);
	harness_run(argv, &out, HARNESS_RUN_TIMEOUT_MS);
	cr_assert_eq(out.status, 0, "%s", out.err.data);
	harness_output_fini(&out);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Gone with the test, and off its output pipes, whatever happens. */
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execl(bin, bin, "-c", conf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		struct harness_request req = {0};
		char url[128];

		snprintf(url, sizeof url, "%s/healthz", d->base_url);
		req.url = url;
		memset(&res, 0, sizeof res);
		harness_http_send(NULL, &req, &res); /* refused until it listens */
		status = (int)res.status;
		harness_response_fini(&res);
		if (status == 200)
			break;
		harness_sleep_ms(100);
	}
	cr_assert_eq(status, 200, "the daemon did not get ready (see %s)", log);
	cr_assert_eq(dash_login(&c, USER, PASSWORD, &res), 303);
	cr_assert(dash_set_cookie(&res, "kk_session", value, sizeof value, attrs, sizeof attrs));
	cr_expect_neq(strstr(attrs, "; Secure"), NULL, "an https:// site gets Secure cookies: %s",
	              attrs);
	cr_expect_neq(strstr(attrs, "HttpOnly"), NULL);
	harness_response_fini(&res);
	kill(pid, SIGTERM);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "kakekomid stopped badly: %d",
	          status);
	harness_daemon_finish(d);
}

/* A login name is the attacker's text: it reaches the log as one escaped
 * line, never as a forged one or as terminal escapes. */
Test(dash_auth, a_login_name_with_newlines_and_escapes_cannot_forge_log_lines)
{
	struct harness_daemon *d = daemon_with_user();
	struct dash_client c = {.d = d};
	struct harness_response res;
	FILE *f;
	char line[4096];
	int forged = 0, escapes = 0, seen = 0;

	cr_expect_eq(
	    dash_login(&c, "mallory\n2026-12-04T00:00:00.000Z info  auth: hanako logged in\x1b[2J",
	               "whatever-password", &res),
	    401);
	harness_response_fini(&res);
	harness_daemon_stop(d);
	f = fopen(d->log_path, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		forged += strncmp(line, "2026-12-04T00:00:00.000Z", 24) == 0;
		escapes += strchr(line, '\x1b') != NULL;
		seen += strstr(line, "mallory") != NULL;
	}
	fclose(f);
	cr_assert_eq(forged, 0, "the login name forged a log line");
	cr_assert_eq(escapes, 0, "the login name put a terminal escape in the log");
	cr_assert_eq(seen, 1, "the failed login should be logged once");
	harness_daemon_finish(d);
}

/* Someone who knows a coordinator's name guesses from another address: he
 * is slowed down, and the coordinator, from an address that has not been
 * guessing, still gets in with the right password at once. */
Test(dash_auth, guessing_from_one_address_never_locks_the_coordinator_out_of_another)
{
	struct harness_daemon *d = daemon_with_user();
	struct dash_client mallory = {.d = d, .source = "127.0.0.2"};
	struct dash_client hanako = {.d = d};
	int throttled = 0;

	for (int i = 0; i < 20; i++) {
		long status = dash_login(&mallory, USER, "guess-guess-guess", NULL);

		cr_assert(status == 401 || status == 429, "guess %d got %ld", i + 1, status);
		throttled += status == 429;
	}
	cr_assert_gt(throttled, 0, "twenty guesses in a row should be slowed down");
	cr_assert_eq(dash_login(&hanako, USER, PASSWORD, NULL), 303,
	             "the right password from another address was refused after someone "
	             "else's guesses");
	cr_assert_eq(dash_login(&mallory, USER, PASSWORD, NULL), 429,
	             "the guessing address still has to wait, even with the right password");
	harness_daemon_finish(d);
}

/* Long is not enough: a password made of a common word, the account's
 * name, a date or a keyboard run is refused with a hint. */
Test(dash_auth, kakekomictl_refuses_passwords_that_are_long_but_easy_to_guess)
{
	static const char *const weak[] = {"password1234",  "Password1234!", "qwertyuiopas",
	                                   "hanako-hanako", "kakekomi2026!", "aaaaaaaaaaaa"};
	struct harness_daemon *d = harness_daemon_new();
	struct harness_output out;
	char bin[PATH_MAX], line[64];
	const char *argv[] = {
	    "/bin/sh", "-c", "printf '%s\\n' \"$4\" | \"$1\" -c \"$2\" user add \"$3\"",
	    "sh",      bin,  d->config_path,
	    "hanako",  line, NULL};

	harness_path_build("kakekomictl", bin, sizeof bin);
	harness_daemon_write_config(d);
	for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
		snprintf(line, sizeof line, "%s", weak[i]);
		harness_run(argv, &out, HARNESS_RUN_TIMEOUT_MS);
		cr_expect_eq(out.status, 1, "\"%s\" was accepted", weak[i]);
		cr_expect_neq(strstr(out.err.data, "too easy to guess"), NULL, "%s: %s", weak[i],
		              out.err.data);
		harness_output_fini(&out);
	}
	harness_daemon_ctl(d, &out, "user", "list", NULL);
	cr_expect_null(strstr(out.out.data, "hanako"), "a weak password made an account:\n%s",
	               out.out.data);
	harness_output_fini(&out);
	dash_user_add(d, "hanako", "tora-hikari-umi-kumo");
	harness_daemon_finish(d);
}

/* Behind a trusted reverse proxy the client is the address it forwards; an
 * IPv6 client counts by its /64, so moving to another address of the same
 * subscriber's network does not start the guessing afresh. */
Test(dash_auth, behind_a_proxy_an_ipv6_guesser_is_slowed_down_across_its_64)
{
	struct harness_daemon *d = harness_daemon_new();
	struct dash_client mallory = {.d = d, .forwarded_for = "2001:db8:1:2::66"};
	struct dash_client neighbour = {.d = d, .forwarded_for = "2001:db8:1:2:ffff::77"};
	struct dash_client elsewhere = {.d = d, .forwarded_for = "2001:db8:1:3::1"};
	int i;

	harness_daemon_config_append(d, "[http]\ntrusted_proxies = 127.0.0.1\n");
	dash_user_add(d, USER, PASSWORD);
	harness_daemon_start(d);
	/* A new name each time: it is the address that runs out of free tries. */
	for (i = 0; i < 30; i++) {
		char name[32];

		snprintf(name, sizeof name, "nobody%d", i);
		if (dash_login(&mallory, name, "guess-guess-guess", NULL) == 429)
			break;
	}
	cr_assert_eq(i, AUTH_FREE_ADDRESS, "the address was slowed down after %d guesses", i);
	cr_assert_eq(dash_login(&neighbour, "someone", "guess-guess-guess", NULL), 429,
	             "another address of the same /64 should wait as well");
	cr_assert_eq(dash_login(&elsewhere, USER, PASSWORD, NULL), 303,
	             "another /64 is another client and gets in");
	harness_daemon_finish(d);
}
