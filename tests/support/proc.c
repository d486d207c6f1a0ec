/* SPDX-License-Identifier: ISC */
/*
 * proc — the clock, sleeps and child processes of the test support; see
 * proc.h.
 */
#include "proc.h"

#include <errno.h>
#include <sys/wait.h>
#include <time.h>

long long proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void proc_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int proc_wait_exit(pid_t pid, int timeout_ms, int *status)
{
	long long deadline = proc_now_ms() + timeout_ms;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR) {
			*status = -1;
			return 0;
		}
		if (proc_now_ms() >= deadline)
			return -ETIMEDOUT;
		proc_sleep_ms(2);
	}
}
