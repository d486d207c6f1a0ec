/* SPDX-License-Identifier: ISC */
/*
 * throttle — how long a login must wait after failed attempts, per key
 * ("this account from this address", "this address"): a few free tries,
 * then waits that double up to 15 minutes; forgotten after 15 quiet
 * minutes. A fixed table: when it is full, the entry touched longest ago
 * among those no longer making anyone wait is reused, so a flood of new
 * addresses cannot flush the waits of the one that was guessing; when
 * every entry makes someone wait, new keys are simply not counted.
 * Pure bookkeeping (no clock, no I/O); one thread.
 */
#ifndef KK_THROTTLE_H
#define KK_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define THROTTLE_KEY_MAX   96
#define THROTTLE_FORGET_MS (15LL * 60 * 1000)
#define THROTTLE_WAIT_MAX  (15LL * 60 * 1000)

struct throttle;

/* A table of SLOTS keys. Returns 0 with *OUT (free with throttle_free),
 * -EINVAL for 0 slots, -ENOMEM. */
int throttle_new(struct throttle **out, size_t slots);
void throttle_free(struct throttle *t);

/* Milliseconds KEY must still wait at NOW_MS (0: none). */
int64_t throttle_wait(struct throttle *t, const char *key, int64_t now_ms);

/* Counts an attempt of KEY at NOW_MS; from the FREE_TRIES-th on, it makes
 * KEY wait 1 s, 2 s, 4 s ... */
void throttle_attempt(struct throttle *t, const char *key, unsigned free_tries, int64_t now_ms);

/* Forgets KEY (a login that worked). */
void throttle_clear(struct throttle *t, const char *key, int64_t now_ms);

/*
 * The keys of a login by NAME from ADDRESS (text form): PAIR for the
 * account from that address, ADDR for the address whatever the name. An
 * IPv6 client counts by its /64, which one subscriber usually holds whole.
 */
void throttle_login_keys(const char *name, const char *address, char pair[THROTTLE_KEY_MAX],
                         char addr[THROTTLE_KEY_MAX]);

#endif
