/* SPDX-License-Identifier: ISC */
/*
 * harness.c — one private kakekomid per test: folder, port, config,
 * process, log, and a libcurl client to talk to it.
 *
 * The daemon runs as a child of the Criterion worker with PR_SET_PDEATHSIG,
 * so a test that crashes or times out does not leave it behind. Every wait
 * polls with a deadline; nothing here sleeps for a fixed time to "let
 * things settle". What to check in the answers is left to the tests.
 */
#include "harness.h"

#include "proc.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seal.h"

#define HARNESS_DAEMONS_MAX  8
#define HARNESS_CTL_ARGS_MAX 16
#define HARNESS_LOG_TAIL     6000u

/* Daemons created by this test and not yet finished; see harness_cleanup. */
static struct harness_daemon *registry[HARNESS_DAEMONS_MAX];
static struct harness_helper *helpers[HARNESS_HELPERS_MAX];
static int curl_ready;

long long harness_now_ms(void)
{
	return proc_now_ms();
}

void harness_sleep_ms(long ms)
{
	proc_sleep_ms(ms);
}

int harness_buf_append(struct harness_buf *b, const void *data, size_t len)
{
	size_t max = b->max ? b->max : HARNESS_BODY_MAX;
	size_t room = max - b->len;
	size_t want;
	char *p;

	if (len > room) {
		b->truncated = 1;
		len = room;
	}
	want = b->len + len + 1;
	if (want > b->size) {
		size_t size = b->size ? b->size : 1024;

		while (size < want)
			size *= 2;
		if (size > max + 1)
			size = max + 1;
		p = realloc(b->data, size);
		if (p == NULL)
			return -ENOMEM;
		b->data = p;
		b->size = size;
	}
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

void harness_buf_fini(struct harness_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	memset(b, 0, sizeof *b);
}

void harness_path_join(char *out, size_t cap, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s/%s", a, b);

	cr_assert(n > 0 && (size_t)n < cap, "path too long: %s/%s", a, b);
}

static void src_root(char *out, size_t cap)
{
	const char *src = getenv("KK_SRC");
	char real[PATH_MAX];

	if (src == NULL || src[0] == '\0')
		src = ".";
	cr_assert(realpath(src, real) != NULL, "KK_SRC=%s: %s", src, strerror(errno));
	cr_assert(strlen(real) < cap, "KK_SRC path too long");
	memcpy(out, real, strlen(real) + 1);
}

void harness_path_src(const char *rel, char *out, size_t cap)
{
	char root[PATH_MAX];

	src_root(root, sizeof root);
	harness_path_join(out, cap, root, rel);
}

void harness_path_build(const char *name, char *out, size_t cap)
{
	const char *build = getenv("KK_BUILD");
	char dir[PATH_MAX];

	if (build == NULL || build[0] == '\0')
		build = "build";
	if (build[0] == '/') {
		cr_assert(strlen(build) < sizeof dir, "KK_BUILD path too long");
		memcpy(dir, build, strlen(build) + 1);
	} else {
		harness_path_src(build, dir, sizeof dir);
	}
	harness_path_join(out, cap, dir, name);
}

static void registry_add(struct harness_daemon *d)
{
	for (int i = 0; i < HARNESS_DAEMONS_MAX; i++) {
		if (registry[i] == NULL) {
			registry[i] = d;
			return;
		}
	}
	cr_assert_fail("harness: more than %d daemons in one test", HARNESS_DAEMONS_MAX);
}

static void registry_remove(struct harness_daemon *d)
{
	for (int i = 0; i < HARNESS_DAEMONS_MAX; i++)
		if (registry[i] == d)
			registry[i] = NULL;
}

/* Bind port 0 on loopback, read back the port the kernel chose, close. */
static unsigned short port_pick(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned short port;

	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		int e = errno;

		close(fd);
		cr_assert_fail("cannot pick a loopback port: %s", strerror(e));
	}
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

struct harness_daemon *harness_daemon_new(void)
{
	const char *tmp = getenv("TMPDIR");
	struct harness_daemon *d;
	char tmpl[PATH_MAX];
	int n;

	if (curl_ready == 0) {
		cr_assert(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK, "curl_global_init");
		curl_ready = 1;
	}
	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	d = calloc(1, sizeof *d);
	cr_assert(d != NULL, "out of memory");
	n = snprintf(tmpl, sizeof tmpl, "%s/kakekomi-test-XXXXXX", tmp);
	cr_assert(n > 0 && (size_t)n < sizeof tmpl, "TMPDIR too long");
	cr_assert(mkdtemp(tmpl) != NULL, "mkdtemp %s: %s", tmpl, strerror(errno));
	memcpy(d->dir, tmpl, strlen(tmpl) + 1);
	registry_add(d);
	harness_path_join(d->config_path, sizeof d->config_path, d->dir, "kakekomi.conf");
	harness_path_join(d->log_path, sizeof d->log_path, d->dir, "kakekomid.log");
	harness_path_join(d->db_path, sizeof d->db_path, d->dir, "kakekomi.db");
	harness_path_src("playbooks", d->playbooks_dir, sizeof d->playbooks_dir);
	d->port = port_pick();
	snprintf(d->base_url, sizeof d->base_url, "http://127.0.0.1:%u", (unsigned)d->port);
	return d;
}

void harness_daemon_write_config(struct harness_daemon *d)
{
	FILE *f = fopen(d->config_path, "w");
	int rc;

	cr_assert(f != NULL, "cannot write %s: %s", d->config_path, strerror(errno));
	fprintf(f,
	        "[http]\n"
	        "listen = 127.0.0.1:%u\n"
	        "public_url = %s\n"
	        "%s"
	        "[store]\n"
	        "path = %s\n"
	        "[playbooks]\n"
	        "dir = %s\n",
	        (unsigned)d->port, d->base_url,
	        /* The tests send everything from loopback: not limited, unless
	         * a test sets rate_exempt itself. */
	        d->config_extra != NULL && strstr(d->config_extra, "rate_exempt") != NULL
	            ? ""
	            : "rate_exempt = 127.0.0.1, ::1\n",
	        d->db_path, d->playbooks_dir);
	if (d->config_extra != NULL)
		fputs(d->config_extra, f);
	rc = fclose(f);
	cr_assert(rc == 0, "cannot write %s: %s", d->config_path, strerror(errno));
}

void harness_daemon_config_append(struct harness_daemon *d, const char *fmt, ...)
{
	size_t had = d->config_extra != NULL ? strlen(d->config_extra) : 0;
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < HARNESS_OUTPUT_MAX, "harness: config text too long");
	text = realloc(d->config_extra, had + (size_t)n + 1);
	cr_assert(text != NULL, "out of memory");
	va_start(ap, fmt);
	vsnprintf(text + had, (size_t)n + 1, fmt, ap);
	va_end(ap);
	d->config_extra = text;
}

void harness_daemon_print_log(struct harness_daemon *d, size_t max_bytes)
{
	char buf[4096];
	struct stat st;
	int fd = open(d->log_path, O_RDONLY | O_CLOEXEC);
	off_t from = 0;
	ssize_t n;

	d->log_shown = 1;
	if (fd < 0) {
		fprintf(stderr, "---- no log at %s ----\n", d->log_path);
		return;
	}
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)max_bytes)
		from = st.st_size - (off_t)max_bytes;
	lseek(fd, from, SEEK_SET);
	fprintf(stderr, "---- tail of %s ----\n", d->log_path);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
	fprintf(stderr, "\n---- end of log ----\n");
	close(fd);
}

/*
 * Fork and exec argv with the given stdout and stderr. Only async-signal-safe
 * calls run in the child, because worker threads may be alive (the
 * durability test restarts the daemon while its clients keep sending).
 */
static pid_t spawn(const char *const argv[], int out_fd, int err_fd)
{
	pid_t parent = getpid();
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid;

	cr_assert(null_fd >= 0, "open /dev/null: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(126);
		if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
			_exit(126);
		if (close_range(3, ~0u, 0) != 0)
			for (int fd = 3; fd < 1024; fd++)
				close(fd);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(null_fd);
	cr_assert(pid > 0, "fork: %s", strerror(errno));
	return pid;
}

static void describe_status(int status, char *out, size_t cap)
{
	if (WIFEXITED(status))
		snprintf(out, cap, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, cap, "killed by signal %d (%s)", WTERMSIG(status),
		         strsignal(WTERMSIG(status)));
	else
		snprintf(out, cap, "wait status 0x%x", (unsigned)status);
}

/* 1 when GET /healthz answered 200 with {"status":"ok"}. */
static int health_ok(const struct harness_daemon *d, CURL *curl)
{
	struct harness_response res;
	struct harness_request req;
	char url[HARNESS_URL_MAX];
	int ok = 0;

	memset(&res, 0, sizeof res);
	memset(&req, 0, sizeof req);
	snprintf(url, sizeof url, "%s/healthz", d->base_url);
	req.url = url;
	req.timeout_ms = 1000;
	if (harness_http_send(curl, &req, &res) == 0 && res.status == 200 && res.body.data) {
		json_t *doc = json_loads(res.body.data, 0, NULL);
		json_t *st = json_object_get(doc, "status");

		ok = json_is_string(st) && strcmp(json_string_value(st), "ok") == 0;
		json_decref(doc);
	}
	harness_response_fini(&res);
	return ok;
}

void harness_daemon_start(struct harness_daemon *d)
{
	char bin[PATH_MAX];
	const char *argv[4];
	long long deadline;
	int log_fd;
	int ready = 0;
	CURL *curl;

	cr_assert(d->pid == 0, "harness: daemon already running");
	harness_path_build("kakekomid", bin, sizeof bin);
	cr_assert(access(bin, X_OK) == 0, "%s is not there (%s): build it first", bin,
	          strerror(errno));
	harness_daemon_write_config(d);
	log_fd = open(d->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	cr_assert(log_fd >= 0, "open %s: %s", d->log_path, strerror(errno));
	dprintf(log_fd, "==== harness: start %d of kakekomid on port %u ====\n", d->starts + 1,
	        (unsigned)d->port);
	argv[0] = bin;
	argv[1] = "-c";
	argv[2] = d->config_path;
	argv[3] = NULL;
	d->pid = spawn(argv, log_fd, log_fd);
	d->starts++;
	close(log_fd);

	curl = curl_easy_init();
	cr_assert(curl != NULL, "curl_easy_init");
	deadline = harness_now_ms() + HARNESS_READY_TIMEOUT_MS;
	while (harness_now_ms() < deadline) {
		int status;
		pid_t r = waitpid(d->pid, &status, WNOHANG);

		if (r == d->pid) {
			char why[96];

			d->pid = 0;
			curl_easy_cleanup(curl);
			describe_status(status, why, sizeof why);
			harness_daemon_print_log(d, HARNESS_LOG_TAIL);
			cr_assert_fail("kakekomid -c %s ended before it was ready: %s",
			               d->config_path, why);
		}
		if (health_ok(d, curl)) {
			ready = 1;
			break;
		}
		harness_sleep_ms(20);
	}
	curl_easy_cleanup(curl);
	if (!ready) {
		harness_daemon_print_log(d, HARNESS_LOG_TAIL);
		cr_assert_fail(
		    "kakekomid on %s did not answer GET /healthz 200 {\"status\":\"ok\"} "
		    "within %d ms",
		    d->base_url, HARNESS_READY_TIMEOUT_MS);
	}
}

void harness_daemon_restart(struct harness_daemon *d)
{
	harness_daemon_start(d);
}

void harness_daemon_stop(struct harness_daemon *d)
{
	char why[96];
	int status = 0;
	pid_t pid = d->pid;

	cr_assert(pid > 0, "harness: daemon is not running");
	cr_assert(kill(pid, SIGTERM) == 0, "kill SIGTERM: %s", strerror(errno));
	if (proc_wait_exit(pid, HARNESS_STOP_TIMEOUT_MS, &status) != 0) {
		kill(pid, SIGKILL);
		proc_wait_exit(pid, HARNESS_STOP_TIMEOUT_MS, &status);
		d->pid = 0;
		harness_daemon_print_log(d, HARNESS_LOG_TAIL);
		cr_assert_fail("kakekomid did not exit within %d ms of SIGTERM",
		               HARNESS_STOP_TIMEOUT_MS);
	}
	d->pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		describe_status(status, why, sizeof why);
		harness_daemon_print_log(d, HARNESS_LOG_TAIL);
		cr_assert_fail("kakekomid should exit 0 after SIGTERM, got %s", why);
	}
}

void harness_daemon_kill(struct harness_daemon *d)
{
	int status;

	cr_assert(d->pid > 0, "harness: daemon is not running");
	kill(d->pid, SIGKILL);
	cr_assert(proc_wait_exit(d->pid, HARNESS_STOP_TIMEOUT_MS, &status) == 0,
	          "kakekomid survived SIGKILL");
	d->pid = 0;
}

void harness_daemon_finish(struct harness_daemon *d)
{
	if (d->pid > 0)
		harness_daemon_stop(d);
	cr_assert(proc_remove_tree(d->dir) == 0, "cannot remove %s: %s", d->dir, strerror(errno));
	registry_remove(d);
	free(d->config_extra);
	free(d);
}

/* SIGKILL a child a failed test left running (pid 0: none) and reap it. */
static void kill_and_reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	proc_wait_exit(pid, HARNESS_STOP_TIMEOUT_MS, &status);
}

void harness_cleanup(void)
{
	for (int i = 0; i < HARNESS_HELPERS_MAX; i++) {
		struct harness_helper *h = helpers[i];

		if (h == NULL)
			continue;
		kill_and_reap(h->pid);
		harness_helper_print_log(h, HARNESS_LOG_TAIL);
		helpers[i] = NULL;
		free(h);
	}
	for (int i = 0; i < HARNESS_DAEMONS_MAX; i++) {
		struct harness_daemon *d = registry[i];

		if (d == NULL)
			continue;
		kill_and_reap(d->pid);
		if (d->starts > 0 && !d->log_shown)
			harness_daemon_print_log(d, HARNESS_LOG_TAIL);
		fprintf(stderr, "harness: test did not finish; kept %s\n", d->dir);
		registry[i] = NULL;
		free(d->config_extra);
		free(d);
	}
}

unsigned short harness_free_port(void)
{
	return port_pick();
}

void harness_helper_print_log(const struct harness_helper *h, size_t max_bytes)
{
	char buf[4096];
	struct stat st;
	int fd = open(h->log_path, O_RDONLY | O_CLOEXEC);
	off_t from = 0;
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "---- no log of the %s at %s ----\n", h->name, h->log_path);
		return;
	}
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)max_bytes)
		from = st.st_size - (off_t)max_bytes;
	lseek(fd, from, SEEK_SET);
	fprintf(stderr, "---- tail of the %s's log %s ----\n", h->name, h->log_path);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
	fprintf(stderr, "\n---- end of the %s's log ----\n", h->name);
	close(fd);
}

struct harness_helper *harness_helper_start(const char *name, const char *const argv[],
                                            const char *log_path, unsigned short port,
                                            int timeout_ms)
{
	struct harness_helper *h = calloc(1, sizeof *h);
	long long deadline;
	int slot = -1;
	int log_fd;

	cr_assert(h != NULL, "out of memory");
	for (int i = 0; i < HARNESS_HELPERS_MAX && slot < 0; i++)
		if (helpers[i] == NULL)
			slot = i;
	cr_assert(slot >= 0, "harness: more than %d helpers in one test", HARNESS_HELPERS_MAX);
	snprintf(h->name, sizeof h->name, "%s", name);
	cr_assert(strlen(log_path) < sizeof h->log_path, "harness: log path too long");
	memcpy(h->log_path, log_path, strlen(log_path) + 1);
	cr_assert(access(argv[0], X_OK) == 0, "%s (the %s) is not there: %s", argv[0], name,
	          strerror(errno));
	log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	cr_assert(log_fd >= 0, "open %s: %s", log_path, strerror(errno));
	h->pid = spawn(argv, log_fd, log_fd);
	close(log_fd);
	helpers[slot] = h;
	if (port == 0)
		return h;
	deadline = harness_now_ms() + timeout_ms;
	for (;;) {
		int status;

		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			char why[96];

			h->pid = 0;
			describe_status(status, why, sizeof why);
			cr_assert_fail("the %s (%s) ended before it listened on port %u: %s "
			               "(its log is shown below)",
			               name, argv[0], (unsigned)port, why);
		}
		if (proc_port_accepts(port))
			return h;
		cr_assert(harness_now_ms() < deadline,
		          "the %s (%s) did not listen on 127.0.0.1:%u within %d ms", name, argv[0],
		          (unsigned)port, timeout_ms);
		harness_sleep_ms(20);
	}
}

int harness_helper_stop(struct harness_helper *h)
{
	int status = 0;
	int rc = 0;

	if (h == NULL)
		return 0;
	if (h->pid > 0) {
		kill(h->pid, SIGTERM);
		if (proc_wait_exit(h->pid, HARNESS_STOP_TIMEOUT_MS, &status) != 0) {
			kill(h->pid, SIGKILL);
			proc_wait_exit(h->pid, HARNESS_STOP_TIMEOUT_MS, &status);
		}
		if (WIFEXITED(status))
			rc = WEXITSTATUS(status);
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
			rc = 0;
		else
			rc = -1;
	}
	for (int i = 0; i < HARNESS_HELPERS_MAX; i++)
		if (helpers[i] == h)
			helpers[i] = NULL;
	free(h);
	return rc;
}

/* Read what is ready on fd into b; returns 0 at EOF, 1 when more may come. */
static int drain_fd(int fd, struct harness_buf *b)
{
	char chunk[8192];
	ssize_t n = read(fd, chunk, sizeof chunk);

	if (n > 0) {
		harness_buf_append(b, chunk, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	return 0;
}

int harness_run(const char *const argv[], struct harness_output *out, int timeout_ms)
{
	int out_pipe[2];
	int err_pipe[2];
	struct pollfd pf[2];
	long long deadline = harness_now_ms() + timeout_ms;
	int status = 0;
	pid_t pid;

	memset(out, 0, sizeof *out);
	out->out.max = HARNESS_OUTPUT_MAX;
	out->err.max = HARNESS_OUTPUT_MAX;
	harness_buf_append(&out->out, "", 0);
	harness_buf_append(&out->err, "", 0);
	cr_assert(access(argv[0], X_OK) == 0, "%s is not there (%s): build it first", argv[0],
	          strerror(errno));
	cr_assert(pipe2(out_pipe, O_CLOEXEC) == 0 && pipe2(err_pipe, O_CLOEXEC) == 0, "pipe2: %s",
	          strerror(errno));
	pid = spawn(argv, out_pipe[1], err_pipe[1]);
	close(out_pipe[1]);
	close(err_pipe[1]);
	pf[0].fd = out_pipe[0];
	pf[1].fd = err_pipe[0];
	pf[0].events = pf[1].events = POLLIN;
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		long long left = deadline - harness_now_ms();
		int n;

		if (left <= 0)
			break;
		n = poll(pf, 2, (int)left);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2 && n > 0; i++) {
			if (pf[i].fd >= 0 && pf[i].revents != 0 &&
			    drain_fd(pf[i].fd, i == 0 ? &out->out : &out->err) == 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	if (proc_wait_exit(pid,
	              (int)(deadline > harness_now_ms() ? deadline - harness_now_ms() : 0) + 50,
	              &status) != 0) {
		kill(pid, SIGKILL);
		proc_wait_exit(pid, HARNESS_STOP_TIMEOUT_MS, &status);
		cr_assert_fail("%s did not finish within %d ms; stderr:\n%s", argv[0], timeout_ms,
		               out->err.data);
	}
	out->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return out->status;
}

int harness_daemon_check(struct harness_daemon *d, struct harness_output *out)
{
	char bin[PATH_MAX];
	const char *argv[5];

	harness_path_build("kakekomid", bin, sizeof bin);
	harness_daemon_write_config(d);
	argv[0] = bin;
	argv[1] = "-c";
	argv[2] = d->config_path;
	argv[3] = "-n";
	argv[4] = NULL;
	return harness_run(argv, out, HARNESS_RUN_TIMEOUT_MS);
}

int harness_daemon_ctl(struct harness_daemon *d, struct harness_output *out, ...)
{
	char bin[PATH_MAX];
	const char *argv[HARNESS_CTL_ARGS_MAX + 4];
	const char *arg;
	va_list ap;
	int n = 3;

	harness_path_build("kakekomictl", bin, sizeof bin);
	harness_daemon_write_config(d);
	argv[0] = bin;
	argv[1] = "-c";
	argv[2] = d->config_path;
	va_start(ap, out);
	while ((arg = va_arg(ap, const char *)) != NULL) {
		if (n >= HARNESS_CTL_ARGS_MAX + 3) {
			va_end(ap);
			cr_assert_fail("harness_daemon_ctl: more than %d arguments",
			               HARNESS_CTL_ARGS_MAX);
		}
		argv[n++] = arg;
	}
	va_end(ap);
	argv[n] = NULL;
	return harness_run(argv, out, HARNESS_RUN_TIMEOUT_MS);
}

void harness_output_fini(struct harness_output *out)
{
	if (out == NULL)
		return;
	harness_buf_fini(&out->out);
	harness_buf_fini(&out->err);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct harness_buf *b = arg;

	if (harness_buf_append(b, data, size * nmemb) != 0)
		return 0;
	return size * nmemb;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct harness_buf *b = arg;
	size_t len = size * nmemb;

	/* A new status line starts a new block (after "100 Continue"). */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0)
		b->len = 0;
	if (harness_buf_append(b, data, len) != 0)
		return 0;
	return len;
}

/* Body source for chunked uploads. */
struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *up = arg;
	size_t n = size * nmemb;

	if (n > up->left)
		n = up->left;
	/* Small pieces, so the body really arrives in many chunks. */
	if (n > 4096)
		n = 4096;
	memcpy(buf, up->p, n);
	up->p += n;
	up->left -= n;
	return n;
}

int harness_http_send(CURL *curl, const struct harness_request *req, struct harness_response *res)
{
	const char *method = req->method ? req->method : "GET";
	struct curl_slist *hl = NULL;
	struct upload up;
	int has_expect = 0;
	CURL *own = NULL;
	CURLcode rc;

	res->body.max = HARNESS_BODY_MAX;
	res->headers.max = HARNESS_HEADERS_MAX;
	if (curl == NULL) {
		own = curl_easy_init();
		if (own == NULL) {
			res->curl_code = CURLE_FAILED_INIT;
			snprintf(res->error, sizeof res->error, "curl_easy_init failed");
			return -1;
		}
		curl = own;
	} else {
		curl_easy_reset(curl);
	}
	for (size_t i = 0; req->headers && req->headers[i]; i++) {
		if (strncasecmp(req->headers[i], "Expect:", 7) == 0)
			has_expect = 1;
		hl = curl_slist_append(hl, req->headers[i]);
	}
	/* No "Expect: 100-continue" round trip unless the caller asks for it. */
	if (!has_expect)
		hl = curl_slist_append(hl, "Expect:");
	if (req->chunked)
		hl = curl_slist_append(hl, "Transfer-Encoding: chunked");

	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (req->source != NULL)
		curl_easy_setopt(curl, CURLOPT_INTERFACE, req->source);
	else
		curl_easy_setopt(curl, CURLOPT_INTERFACE, NULL);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
	                 req->timeout_ms ? req->timeout_ms : (long)HARNESS_REQUEST_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	if (req->ca_file != NULL) {
		curl_easy_setopt(curl, CURLOPT_CAINFO, req->ca_file);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, res->error);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &res->body);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &res->headers);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		if (req->chunked) {
			up.p = req->body ? req->body : "";
			up.left = req->body ? req->body_len : 0;
			curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(curl, CURLOPT_READDATA, &up);
		} else {
			curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
			curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
			                 (curl_off_t)(req->body ? req->body_len : 0));
		}
	} else {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
		if (req->body) {
			curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
			curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
			                 (curl_off_t)req->body_len);
		}
	}
	rc = curl_easy_perform(curl);
	res->curl_code = rc;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
	if (rc != CURLE_OK && res->error[0] == '\0')
		snprintf(res->error, sizeof res->error, "%s", curl_easy_strerror(rc));
	/* Never leave pointers to this call's locals in a reused handle. */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hl);
	curl_easy_cleanup(own);
	if (res->body.data == NULL)
		harness_buf_append(&res->body, "", 0);
	if (res->headers.data == NULL)
		harness_buf_append(&res->headers, "", 0);
	return rc == CURLE_OK ? 0 : -1;
}

static void daemon_request(struct harness_daemon *d, const char *method, const char *path,
                           const char *const *headers, const char *body, size_t body_len,
                           struct harness_response *res)
{
	char url[HARNESS_URL_MAX];
	struct harness_request req;
	int n = snprintf(url, sizeof url, "%s%s", d->base_url, path);

	cr_assert(n > 0 && (size_t)n < sizeof url, "URL too long: %s", path);
	memset(&req, 0, sizeof req);
	memset(res, 0, sizeof *res);
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = body_len;
	if (harness_http_send(NULL, &req, res) != 0) {
		if (d->pid > 0)
			harness_daemon_print_log(d, HARNESS_LOG_TAIL);
		cr_assert_fail("%s %s: no complete response: %s", method, url, res->error);
	}
}

void harness_get(struct harness_daemon *d, const char *path, struct harness_response *res)
{
	daemon_request(d, "GET", path, NULL, NULL, 0, res);
}

void harness_get_bearer(struct harness_daemon *d, const char *path, const char *token,
                        struct harness_response *res)
{
	char auth[1024];
	const char *headers[2];
	int n = snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);

	cr_assert(n > 0 && (size_t)n < sizeof auth, "token too long");
	headers[0] = auth;
	headers[1] = NULL;
	daemon_request(d, "GET", path, headers, NULL, 0, res);
}

void harness_post(struct harness_daemon *d, const char *path, const char *content_type,
                  const char *body, size_t body_len, struct harness_response *res)
{
	char ct[256];
	const char *headers[2] = {NULL, NULL};

	if (content_type != NULL) {
		snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
		headers[0] = ct;
	}
	daemon_request(d, "POST", path, headers, body, body_len, res);
}

int harness_response_header(const struct harness_response *res, const char *name, char *out,
                            size_t cap)
{
	size_t nlen = strlen(name);
	const char *p = res->headers.data;

	if (cap > 0)
		out[0] = '\0';
	while (p != NULL && *p != '\0') {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);

		if ((size_t)(end - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1;
			size_t len;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
				end--;
			len = (size_t)(end - v);
			if (cap > 0) {
				if (len >= cap)
					len = cap - 1;
				memcpy(out, v, len);
				out[len] = '\0';
			}
			return 1;
		}
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

void harness_response_fini(struct harness_response *res)
{
	if (res == NULL)
		return;
	harness_buf_fini(&res->body);
	harness_buf_fini(&res->headers);
	res->status = 0;
}

/* ---- the store, read-only ---- */

/* unseal(VALUE, COLUMN) for the tests' own queries, with the daemon's key
 * file: what the store's function of that name gives. */
static void db_unseal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct seal_ring *ring = sqlite3_user_data(ctx);
	const void *in = sqlite3_value_blob(argv[0]);
	int len = sqlite3_value_bytes(argv[0]);
	unsigned char *out;
	long n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || !seal_is_sealed(in, (size_t)len, NULL)) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	out = sqlite3_malloc(len);
	n = out != NULL ? seal_open(ring, (const char *)sqlite3_value_text(argv[1]), in,
	                            (size_t)len, out)
	                : -ENOMEM;
	if (n < 0) {
		sqlite3_free(out);
		sqlite3_result_error(ctx, "the test cannot open a sealed value", -1);
		return;
	}
	sqlite3_result_text(ctx, (char *)out, (int)n, sqlite3_free);
}

static void db_ring_free(void *ring)
{
	seal_ring_free(ring);
}

static sqlite3_stmt *db_prepare(struct harness_daemon *d, sqlite3 **db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_open_v2(d->db_path, db, SQLITE_OPEN_READONLY, NULL);
	char key_path[PATH_MAX + 8], why[200];
	struct seal_ring *ring = NULL;

	cr_assert_eq(rc, SQLITE_OK, "cannot open %s read-only: %s", d->db_path,
	             *db != NULL ? sqlite3_errmsg(*db) : "out of memory");
	sqlite3_busy_timeout(*db, 5000);
	snprintf(key_path, sizeof key_path, "%s.key", d->db_path);
	if (seal_ring_load(&ring, key_path, false, NULL, why, sizeof why) == 0)
		sqlite3_create_function_v2(*db, "unseal", 2, SQLITE_UTF8, ring, db_unseal, NULL,
		                           NULL, db_ring_free);
	rc = sqlite3_prepare_v2(*db, sql, -1, &st, NULL);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(*db));
	return st;
}

long long harness_db_int(struct harness_daemon *d, const char *sql, ...)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = db_prepare(d, &db, sql);
	long long v = -1;
	const char *arg;
	va_list ap;
	int i = 1;
	int rc;

	va_start(ap, sql);
	while ((arg = va_arg(ap, const char *)) != NULL)
		sqlite3_bind_text(st, i++, arg, -1, SQLITE_TRANSIENT);
	va_end(ap);
	rc = sqlite3_step(st);
	cr_assert(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

void harness_db_text(struct harness_daemon *d, char *out, size_t cap, const char *sql,
                     const char *param)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = db_prepare(d, &db, sql);
	int rc;

	out[0] = '\0';
	if (param != NULL)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	cr_assert(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

long harness_post_json_from(const struct harness_daemon *d, const char *path, const char *json,
                            const char *source, const char *header, int timeout_ms)
{
	const char *headers[] = {"Content-Type: application/json", header, NULL};
	char url[HARNESS_URL_MAX];
	struct harness_request req;
	struct harness_response res;
	long status = 0;

	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	snprintf(url, sizeof url, "%s%s", d->base_url, path);
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = json;
	req.body_len = strlen(json);
	req.timeout_ms = timeout_ms;
	req.source = source;
	if (harness_http_send(NULL, &req, &res) == 0)
		status = res.status;
	harness_response_fini(&res);
	return status;
}

long harness_post_json_status(const struct harness_daemon *d, const char *path, const char *json,
                              int timeout_ms)
{
	return harness_post_json_from(d, path, json, NULL, NULL, timeout_ms);
}

char *harness_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	text = malloc((size_t)n + 1);
	cr_assert_not_null(text);
	cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return text;
}

/* A TCP connection from SRC to the daemon that sends nothing (or HEAD,
 * a few bytes of a request that never ends). */
int harness_idle_connection(const struct harness_daemon *d, const char *src, const char *head)
{
	struct sockaddr_in a = {0}, b = {0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	b.sin_family = AF_INET;
	inet_pton(AF_INET, src, &b.sin_addr);
	if (bind(fd, (struct sockaddr *)&b, sizeof b) < 0) {
		close(fd);
		return -1;
	}
	a.sin_family = AF_INET;
	a.sin_port = htons(d->port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	if (head != NULL && write(fd, head, strlen(head)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void harness_outbox_settled(struct harness_daemon *d, const char *channel, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	while (harness_db_int(d, "SELECT count(*) FROM outbox WHERE channel = ? AND state = 'pending'",
	                      channel, NULL) != 0) {
		cr_assert_lt(harness_now_ms(), deadline, "the %s outbox did not drain in %d ms", channel,
		             timeout_ms);
		harness_sleep_ms(50);
	}
}
