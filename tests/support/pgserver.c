/* SPDX-License-Identifier: ISC */
/*
 * pgserver — a private PostgreSQL server for a test; see pgserver.h.
 */
#include "pgserver.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "proc.h"

#define PGSERVER_TOOL_MS  60000
#define PGSERVER_READY_MS 30000
#define PGSERVER_MAX      8

/* Servers of this process not yet freed; see pgserver_cleanup. */
static struct pgserver *registry[PGSERVER_MAX];

static void remember(struct pgserver *pg, bool keep)
{
	for (size_t i = 0; i < PGSERVER_MAX; i++) {
		if (keep && registry[i] == NULL) {
			registry[i] = pg;
			return;
		}
		if (!keep && registry[i] == pg)
			registry[i] = NULL;
	}
}

/* Runs ARGV (a server tool) as the server's user, its output appended to
 * DIR/tools.log. Returns its exit status, or -1. */
static int run_tool(const struct pgserver *pg, char *const argv[])
{
	char log[PATH_MAX + 16];
	int status = 0;
	pid_t pid;

	snprintf(log, sizeof log, "%s/tools.log", pg->dir);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (pg->drop && (setgid(pg->gid) != 0 || setuid(pg->uid) != 0))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (proc_wait_exit(pid, PGSERVER_TOOL_MS, &status) != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void print_file(const char *path, size_t max)
{
	size_t len = 0;
	char *text = harness_read_file(path, &len);

	if (text != NULL)
		fprintf(stderr, "--- %s ---\n%s\n", path, len > max ? text + len - max : text);
	free(text);
}

void pgserver_print_log(const struct pgserver *pg, size_t max)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof path, "%s/tools.log", pg->dir);
	print_file(path, max);
	snprintf(path, sizeof path, "%s/server.log", pg->dir);
	print_file(path, max);
}

static void find_bindir(struct pgserver *pg)
{
	FILE *p = popen("pg_config --bindir", "r");

	pg->bindir[0] = '\0';
	if (p != NULL) {
		if (fgets(pg->bindir, sizeof pg->bindir, p) != NULL)
			pg->bindir[strcspn(pg->bindir, "\n")] = '\0';
		pclose(p);
	}
	cr_assert_neq(pg->bindir[0], '\0', "pg_config --bindir: is libpq-dev installed?");
}

void pgserver_init(struct pgserver *pg)
{
	char tool[PATH_MAX + 16], data[PATH_MAX + 8];
	char *argv[16];
	int n = 0, rc;

	memset(pg, 0, sizeof *pg);
	find_bindir(pg);
	snprintf(pg->dir, sizeof pg->dir, "%s", "/tmp/kk-pg-XXXXXX");
	cr_assert_not_null(mkdtemp(pg->dir));
	if (geteuid() == 0) {
		const struct passwd *pw = getpwnam("postgres");

		cr_assert_not_null(pw, "running as root needs the postgres user (postgresql)");
		pg->drop = true;
		pg->uid = pw->pw_uid;
		pg->gid = pw->pw_gid;
		cr_assert_eq(chown(pg->dir, pg->uid, pg->gid), 0);
	}
	pg->port = harness_free_port();
	snprintf(pg->url, sizeof pg->url, "postgresql://kakekomi@127.0.0.1:%u/postgres",
	         (unsigned)pg->port);
	snprintf(tool, sizeof tool, "%s/initdb", pg->bindir);
	snprintf(data, sizeof data, "%s/data", pg->dir);
	argv[n++] = tool;
	argv[n++] = (char *)"-D";
	argv[n++] = data;
	argv[n++] = (char *)"-U";
	argv[n++] = (char *)"kakekomi";
	argv[n++] = (char *)"-A";
	argv[n++] = (char *)"trust";
	argv[n++] = (char *)"-E";
	argv[n++] = (char *)"UTF8";
	argv[n++] = (char *)"--locale=C.UTF-8";
	argv[n++] = (char *)"--no-sync";
	argv[n] = NULL;
	remember(pg, true);
	rc = run_tool(pg, argv);
	if (rc != 0)
		pgserver_print_log(pg, 4000);
	cr_assert_eq(rc, 0, "initdb failed (status %d)", rc);
}

int pgserver_start(struct pgserver *pg)
{
	char tool[PATH_MAX + 16], data[PATH_MAX + 8], log[PATH_MAX + 16], opts[PATH_MAX + 256];
	char *argv[] = {tool, (char *)"-D", data, (char *)"-l", log, (char *)"-w", (char *)"-t",
	                (char *)"30", (char *)"-o", opts, (char *)"start", NULL};
	int rc;

	snprintf(tool, sizeof tool, "%s/pg_ctl", pg->bindir);
	snprintf(data, sizeof data, "%s/data", pg->dir);
	snprintf(log, sizeof log, "%s/server.log", pg->dir);
	/* fsync off: a test survives its server's SIGKILL through the OS's
	 * cache, which is all a killed process can lose. */
	snprintf(opts, sizeof opts,
	         "-p %u -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
	         (unsigned)pg->port, pg->dir);
	rc = run_tool(pg, argv);
	if (rc != 0) {
		pgserver_print_log(pg, 4000);
		return -EIO;
	}
	pg->running = true;
	return 0;
}

int pgserver_stop(struct pgserver *pg)
{
	char tool[PATH_MAX + 16], data[PATH_MAX + 8];
	char *argv[] = {tool,        (char *)"-D", data, (char *)"-m", (char *)"fast",
	                (char *)"-w", (char *)"stop", NULL};

	if (!pg->running)
		return 0;
	snprintf(tool, sizeof tool, "%s/pg_ctl", pg->bindir);
	snprintf(data, sizeof data, "%s/data", pg->dir);
	pg->running = false;
	return run_tool(pg, argv) == 0 ? 0 : -EIO;
}

void pgserver_kill(struct pgserver *pg)
{
	char pidfile[PATH_MAX + 32];
	size_t len = 0;
	char *text;
	long pid;

	snprintf(pidfile, sizeof pidfile, "%s/data/postmaster.pid", pg->dir);
	text = harness_read_file(pidfile, &len);
	cr_assert_not_null(text, "no postmaster.pid: the server is not running");
	pid = strtol(text, NULL, 10);
	free(text);
	cr_assert_gt(pid, 1);
	cr_assert_eq(kill((pid_t)pid, SIGKILL), 0);
	/* The postmaster is not our child: wait until it is gone. */
	for (long long deadline = proc_now_ms() + PGSERVER_READY_MS; kill((pid_t)pid, 0) == 0;) {
		cr_assert_lt(proc_now_ms(), deadline, "the server did not die");
		proc_sleep_ms(10);
	}
	pg->running = false;
}

void pgserver_free(struct pgserver *pg)
{
	char cmd[PATH_MAX + 32];

	if (pg->dir[0] == '\0')
		return;
	remember(pg, false);
	pgserver_stop(pg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", pg->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "pgserver: could not remove %s\n", pg->dir);
	pg->dir[0] = '\0';
}

void pgserver_cleanup(void)
{
	for (size_t i = 0; i < PGSERVER_MAX; i++)
		if (registry[i] != NULL)
			pgserver_free(registry[i]);
}
