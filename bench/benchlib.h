/* SPDX-License-Identifier: ISC */
/*
 * benchlib.h — what the bench tools share: the monotonic clock, latency
 * summaries, child processes, resident memory, loopback ports.
 *
 * Every figure a tool measures goes to stdout as one line
 * "RESULT key value" for bench/run.py to read; everything else (progress,
 * reasons for failure) goes to stderr. Nothing here asserts a time.
 */
#ifndef KK_BENCH_BENCHLIB_H
#define KK_BENCH_BENCHLIB_H

#include <stddef.h>
#include <sys/types.h>

/* Nanoseconds on CLOCK_MONOTONIC (the clock the specialist client stamps with). */
long long bench_now_ns(void);

void bench_sleep_ms(long ms);

/*
 * Nearest-rank percentile (0 < pct <= 100) of n samples; sorts v in
 * place. Returns 0 when n is 0.
 */
long long bench_percentile(long long *v, size_t n, double pct);

/* Print "RESULT <key>_p50_ms", "_p99_ms", "_max_ms" and "_n" for n samples in ns. */
void bench_result_latency(const char *key, long long *v, size_t n);

/* Print "RESULT <key> <value>". */
void bench_result(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Fork and exec argv[0] (a path) with stdin from /dev/null and stdout and
 * stderr appended to log_path; the child gets SIGTERM when this thread
 * ends. Returns the pid or -1 (reason on stderr).
 */
pid_t bench_spawn(const char *const argv[], const char *log_path);

/*
 * Wait up to timeout_ms for pid; returns its wait status, or -1 when it
 * did not end (it is then killed with SIGKILL and reaped).
 */
int bench_wait(pid_t pid, int timeout_ms);

/* SIGTERM, then bench_wait(); returns the wait status or -1. */
int bench_stop(pid_t pid, int timeout_ms);

/* VmRSS of pid in KiB from /proc/PID/status, or -1. */
long bench_rss_kib(pid_t pid);

/* A loopback port that was free a moment ago, or 0. */
unsigned bench_free_port(void);

/* Write text to path (created or truncated). Returns 0 or -1 (reason on stderr). */
int bench_write_file(const char *path, const char *text);

#endif
