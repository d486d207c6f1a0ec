/* SPDX-License-Identifier: ISC */
/*
 * ratelimit — how often one client address may do something (send a
 * report, try a password): BURST times at once, then PER_MINUTE a minute.
 *
 * Each address costs one integer, its "theoretical arrival time" (the
 * generic cell rate algorithm, a token bucket without a refill timer), in
 * a table of fixed size allocated once: a set-associative cache keyed by a
 * keyed hash of the address, so a flood of made-up addresses can neither
 * grow memory nor pick which entries collide. When a set is full, the entry
 * that holds the least (the one whose bucket is fullest again) is reused.
 * Pure bookkeeping: no clock, no I/O, no logging; the caller says what to
 * answer.
 */
#ifndef KK_RATELIMIT_H
#define KK_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

#define RATELIMIT_SLOTS_DEFAULT 8192 /* addresses remembered: 192 KiB */
#define RATELIMIT_WAYS          8    /* entries per set */

struct ratelimit;

/*
 * A limiter allowing BURST (at least 1) requests at once and PER_MINUTE a
 * minute after that, per client address; PER_MINUTE 0 allows everything.
 * It remembers at most SLOTS addresses (rounded up to a multiple of
 * RATELIMIT_WAYS). Clients inside one of the NEXEMPT networks of EXEMPT
 * (copied) are never limited. Returns 0 with *OUT (free with
 * ratelimit_free), -EINVAL for a zero BURST or SLOTS, -ENOMEM.
 */
int ratelimit_new(struct ratelimit **out, unsigned per_minute, unsigned burst, size_t slots,
                  const struct config_net *exempt, size_t nexempt);

/*
 * Counts one request from CLIENT at NOW_US (a monotonic clock in
 * microseconds). Returns 0 when it may go on, otherwise the whole seconds
 * (at least 1) until the next one will be allowed; a refused request is
 * not counted. IPv6 clients are counted per /64, the block one host or one
 * home usually gets; IPv4-mapped IPv6 addresses count as IPv4. A NULL or
 * non-IP address, or a NULL limiter, is never limited.
 */
unsigned ratelimit_take(struct ratelimit *rl, const struct sockaddr *client, int64_t now_us);

/* Frees the limiter; NULL is allowed. */
void ratelimit_free(struct ratelimit *rl);

#endif
