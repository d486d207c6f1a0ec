/* SPDX-License-Identifier: ISC */
/*
 * proc — the clock, sleeps and child processes the test support shares
 * (harness, prosody, specialist and the tools built on them), with no test
 * framework in it.
 */
#ifndef KK_PROC_H
#define KK_PROC_H

#include <sys/types.h>

/* CLOCK_MONOTONIC in milliseconds. */
long long proc_now_ms(void);

/* Sleeps MS milliseconds, resuming after signals. */
void proc_sleep_ms(long ms);

/* waitpid with a deadline. Returns 0 once PID is reaped (*STATUS; -1 when
 * it was reaped elsewhere), or -ETIMEDOUT. */
int proc_wait_exit(pid_t pid, int timeout_ms, int *status);

/* 1 when something accepts TCP connections on 127.0.0.1:PORT, else 0. */
int proc_port_accepts(unsigned short port);

/* Removes DIR and everything below it (no symbolic link is followed).
 * Returns 0 or -1 with errno. */
int proc_remove_tree(const char *dir);

#endif
