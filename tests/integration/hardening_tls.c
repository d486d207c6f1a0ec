/* SPDX-License-Identifier: ISC */
/*
 * hardening_tls.c — HTTPS without a reverse proxy: with [http] tls_cert and
 * tls_key the daemon serves the form and the API over TLS only, and the
 * status links it hands out start with https://. The certificate is a
 * self-signed one made by openssl for 127.0.0.1 in the test's folder; the
 * client trusts exactly that certificate and checks the address against it.
 *
 * The harness polls /healthz over plain HTTP, so these tests start the
 * daemon themselves with their own config (without public_url, to see its
 * https:// default) and hand the process to the harness to stop, which
 * still asserts exit 0 (and with ASan, no leak) after SIGTERM.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "prosody.h"

TestSuite(hardening_tls, .fini = harness_cleanup, .timeout = 60);

struct tls_world {
	struct harness_daemon *d;
	char cert[PATH_MAX];
	char key[PATH_MAX];
	char https_url[64]; /* https://127.0.0.1:PORT */
};

/* A self-signed certificate for 127.0.0.1 (EC P-256, two days). */
static void make_certificate(struct tls_world *w)
{
	harness_path_join(w->cert, sizeof w->cert, w->d->dir, "cert.pem");
	harness_path_join(w->key, sizeof w->key, w->d->dir, "key.pem");
	cr_assert_eq(prosody_self_signed("127.0.0.1", "IP:127.0.0.1", "2", w->key, w->cert), 0,
	             "openssl req failed (see above)");
}

/* The config, written by hand: no public_url, so its default shows. */
static void write_config(struct tls_world *w, const char *cert, const char *key)
{
	char playbooks[PATH_MAX], web[PATH_MAX];
	FILE *f = fopen(w->d->config_path, "w");

	cr_assert_not_null(f, "cannot write %s", w->d->config_path);
	harness_path_src("playbooks", playbooks, sizeof playbooks);
	harness_path_src("web", web, sizeof web);
	fprintf(f,
	        "[http]\n"
	        "listen = 127.0.0.1:%u\n"
	        "web_dir = %s\n"
	        "tls_cert = %s\n"
	        "tls_key = %s\n"
	        "[store]\n"
	        "path = %s\n"
	        "[playbooks]\n"
	        "dir = %s\n",
	        (unsigned)w->d->port, web, cert, key, w->d->db_path, playbooks);
	cr_assert_eq(fclose(f), 0);
}

/*
 * One request over HTTPS trusting only the test's certificate; fills res
 * (free it with harness_response_fini). Returns the curl code; never
 * asserts.
 */
static CURLcode https_send(struct tls_world *w, const char *method, const char *path,
                           const char *body, struct harness_response *res)
{
	static const char *const json[] = {"Content-Type: application/json", NULL};
	struct harness_request req = {0};
	char url[HARNESS_URL_MAX];

	snprintf(url, sizeof url, "%s%s", w->https_url, path);
	req.method = method;
	req.url = url;
	req.ca_file = w->cert;
	req.timeout_ms = 5000;
	if (body != NULL) {
		req.headers = json;
		req.body = body;
		req.body_len = strlen(body);
	}
	memset(res, 0, sizeof *res);
	harness_http_send(NULL, &req, res);
	return res->curl_code;
}

/* Fork and exec kakekomid -c CONFIG with its stderr in the daemon's log. */
static pid_t spawn_daemon(struct tls_world *w)
{
	char bin[PATH_MAX];
	pid_t parent = getpid();
	int log_fd;
	pid_t pid;

	harness_path_build("kakekomid", bin, sizeof bin);
	log_fd = open(w->d->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	cr_assert(log_fd >= 0, "open %s: %s", w->d->log_path, strerror(errno));
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(126);
		if (dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
			_exit(126);
		execl(bin, bin, "-c", w->d->config_path, (char *)NULL);
		_exit(127);
	}
	close(log_fd);
	cr_assert(pid > 0, "fork: %s", strerror(errno));
	w->d->pid = pid;
	w->d->starts++;
	return pid;
}

/* Start with HTTPS and wait until GET /healthz answers 200 over TLS. */
static void tls_start(struct tls_world *w)
{
	long long deadline = harness_now_ms() + HARNESS_READY_TIMEOUT_MS;
	struct harness_response res;

	memset(w, 0, sizeof *w);
	w->d = harness_daemon_new();
	snprintf(w->https_url, sizeof w->https_url, "https://127.0.0.1:%u", (unsigned)w->d->port);
	make_certificate(w);
	write_config(w, w->cert, w->key);
	spawn_daemon(w);
	for (;;) {
		int status;

		cr_assert(waitpid(w->d->pid, &status, WNOHANG) == 0,
		          "kakekomid ended before it was ready (see its log)");
		if (https_send(w, "GET", "/healthz", NULL, &res) == CURLE_OK && res.status == 200) {
			harness_response_fini(&res);
			return;
		}
		harness_response_fini(&res);
		if (harness_now_ms() > deadline) {
			harness_daemon_print_log(w->d, 4000);
			cr_assert_fail("no answer over HTTPS within %d ms: %s",
			               HARNESS_READY_TIMEOUT_MS, res.error);
		}
		harness_sleep_ms(20);
	}
}

Test(hardening_tls, reports_go_over_https_and_the_status_link_is_https)
{
	struct tls_world w;
	struct harness_response res;
	json_t *body = fixture_intake_new("ransomware", "ja");
	char *text = fixture_json_dump(body);
	char want[96], path[512];
	const char *status_url;
	json_t *doc;

	tls_start(&w);
	cr_assert_eq(https_send(&w, "POST", "/api/v1/cases", text, &res), CURLE_OK, "POST: %s",
	             res.error);
	cr_assert_eq(res.status, 201, "POST /api/v1/cases over HTTPS: %ld %s", res.status,
	             res.body.data);
	doc = fixture_response_json(&res);
	harness_response_fini(&res);
	status_url = fixture_json_string(doc, "status_url");
	snprintf(want, sizeof want, "%s/cases/", w.https_url);
	cr_assert(strncmp(status_url, want, strlen(want)) == 0,
	          "without public_url, links should start with %s: %s", want, status_url);

	/* The link works, over HTTPS. */
	snprintf(path, sizeof path, "%s", status_url + strlen(w.https_url));
	cr_assert_eq(https_send(&w, "GET", path, NULL, &res), CURLE_OK, "GET %s: %s", path,
	             res.error);
	cr_assert_eq(res.status, 200, "the status page over HTTPS: %ld", res.status);
	cr_assert_not_null(strstr(res.body.data, fixture_json_string(doc, "ref")),
	                   "the status page should show the reference");
	harness_response_fini(&res);

	/* The form page too. */
	cr_assert_eq(https_send(&w, "GET", "/report", NULL, &res), CURLE_OK);
	cr_assert_eq(res.status, 200);
	harness_response_fini(&res);

	json_decref(doc);
	free(text);
	json_decref(body);
	harness_daemon_finish(w.d);
}

Test(hardening_tls, plain_http_on_the_https_port_gets_no_page)
{
	struct tls_world w;
	struct harness_request req;
	struct harness_response res;
	char url[128];

	tls_start(&w);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/healthz", (unsigned)w.d->port);
	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	req.url = url;
	req.timeout_ms = 3000;
	harness_http_send(NULL, &req, &res);
	cr_assert(res.status == 0 || res.status >= 400,
	          "plain HTTP to the HTTPS port must not be served, got %ld:\n%s", res.status,
	          res.body.data);
	harness_response_fini(&res);

	/* And the server is still fine for TLS clients. */
	cr_assert_eq(https_send(&w, "GET", "/healthz", NULL, &res), CURLE_OK);
	cr_assert_eq(res.status, 200);
	harness_response_fini(&res);
	harness_daemon_finish(w.d);
}

Test(hardening_tls, a_key_that_is_not_pem_stops_the_start_with_a_clear_message)
{
	struct tls_world w;
	struct harness_output out;
	char bin[PATH_MAX];
	const char *argv[4];
	char bad[PATH_MAX];
	FILE *f;

	memset(&w, 0, sizeof w);
	w.d = harness_daemon_new();
	make_certificate(&w);
	harness_path_join(bad, sizeof bad, w.d->dir, "not-a-key.pem");
	f = fopen(bad, "w");
	cr_assert_not_null(f);
	fputs("this is not a key\n", f);
	cr_assert_eq(fclose(f), 0);
	write_config(&w, w.cert, bad);
	harness_path_build("kakekomid", bin, sizeof bin);
	argv[0] = bin;
	argv[1] = "-c";
	argv[2] = w.d->config_path;
	argv[3] = NULL;
	cr_assert_eq(harness_run(argv, &out, HARNESS_RUN_TIMEOUT_MS), 1,
	             "a bad key should stop the start with status 1:\n%s", out.err.data);
	cr_assert_not_null(strstr(out.err.data, "HTTPS"),
	                   "the log should say HTTPS could not start:\n%s", out.err.data);
	harness_output_fini(&out);
	harness_daemon_finish(w.d);
}

/* openssl s_client with TLS 1.2 and one cipher suite; returns its exit
 * status, the output in out (free it). */
static int s_client(struct tls_world *w, const char *cipher, struct harness_output *out)
{
	char connect[64];
	const char *argv[] = {"/usr/bin/openssl", "s_client", "-connect", connect, "-tls1_2",
	                      "-cipher",          cipher,     "-brief",   NULL};

	snprintf(connect, sizeof connect, "127.0.0.1:%u", (unsigned)w->d->port);
	return harness_run(argv, out, HARNESS_RUN_TIMEOUT_MS);
}

/* HTTPS answers carry HSTS, and TLS 1.2 offers only AEAD suites: a client
 * that only speaks CBC gets no connection. */
Test(hardening_tls, https_sends_hsts_and_tls_1_2_refuses_cbc_suites)
{
	struct tls_world w;
	struct harness_response res;
	struct harness_output out;
	char hsts[128];

	tls_start(&w);
	cr_assert_eq(https_send(&w, "GET", "/report", NULL, &res), CURLE_OK);
	cr_assert_eq(harness_response_header(&res, "Strict-Transport-Security", hsts, sizeof hsts),
	             1, "HTTPS answers should carry Strict-Transport-Security");
	cr_assert_not_null(strstr(hsts, "max-age="), "%s", hsts);
	harness_response_fini(&res);

	s_client(&w, "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA",
	         &out);
	cr_assert_null(strstr(out.out.data, "CONNECTION ESTABLISHED"),
	               "a CBC-only TLS 1.2 client got a connection:\n%s%s", out.out.data,
	               out.err.data);
	cr_assert_null(strstr(out.err.data, "CONNECTION ESTABLISHED"),
	               "a CBC-only TLS 1.2 client got a connection:\n%s", out.err.data);
	harness_output_fini(&out);

	s_client(&w, "ECDHE-ECDSA-AES128-GCM-SHA256", &out);
	cr_assert(strstr(out.out.data, "CONNECTION ESTABLISHED") != NULL ||
	              strstr(out.err.data, "CONNECTION ESTABLISHED") != NULL,
	          "a TLS 1.2 client with AES-GCM should connect:\n%s%s", out.out.data,
	          out.err.data);
	harness_output_fini(&out);
	harness_daemon_finish(w.d);
}
