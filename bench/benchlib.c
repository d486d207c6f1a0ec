/* SPDX-License-Identifier: ISC */
/*
 * benchlib.c — see benchlib.h.
 */
#include "benchlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void bench_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a;
	long long y = *(const long long *)b;

	return (x > y) - (x < y);
}

long long bench_percentile(long long *v, size_t n, double pct)
{
	size_t rank;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof v[0], compare_ll);
	rank = (size_t)((double)n * pct / 100.0 + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

void bench_result(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("RESULT %s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void bench_result_latency(const char *key, long long *v, size_t n)
{
	char name[128];

	snprintf(name, sizeof name, "%s_n", key);
	bench_result(name, "%zu", n);
	if (n == 0)
		return;
	snprintf(name, sizeof name, "%s_p50_ms", key);
	bench_result(name, "%.3f", (double)bench_percentile(v, n, 50) / 1e6);
	snprintf(name, sizeof name, "%s_p99_ms", key);
	bench_result(name, "%.3f", (double)bench_percentile(v, n, 99) / 1e6);
	snprintf(name, sizeof name, "%s_max_ms", key);
	bench_result(name, "%.3f", (double)v[n - 1] / 1e6);
}

pid_t bench_spawn(const char *const argv[], const char *log_path)
{
	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	pid_t parent = getpid();
	pid_t pid;

	if (log_fd < 0) {
		fprintf(stderr, "bench: open %s: %s\n", log_path, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench: fork: %s\n", strerror(errno));
		close(log_fd);
		return -1;
	}
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDONLY);

		if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 ||
		    dup2(log_fd, 2) < 0)
			_exit(126);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(log_fd);
	return pid;
}

int bench_wait(pid_t pid, int timeout_ms)
{
	long long deadline = bench_now_ns() + (long long)timeout_ms * 1000000LL;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (bench_now_ns() >= deadline)
			break;
		bench_sleep_ms(5);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int bench_stop(pid_t pid, int timeout_ms)
{
	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	return bench_wait(pid, timeout_ms);
}

long bench_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kib;
}

unsigned bench_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	unsigned port = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

int bench_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}
