/* SPDX-License-Identifier: ISC */
/*
 * fdreserve — keeps a few low file descriptor numbers for a library that
 * can only watch descriptors below FD_SETSIZE (libstrophe 0.12 waits in
 * select(), and FD_SET on a descriptor of 1024 or more writes past the
 * set).
 *
 * The means is the one POSIX guarantees: a new descriptor always takes the
 * lowest number that is free. The reserve holds NUMBERS low descriptors on
 * /dev/null, opened at start while every number is low; just before the
 * library opens its socket, fdreserve_release frees them, so the socket
 * takes one of them (or an even lower one) however many connections the
 * process holds; fdreserve_refill takes back what is free afterwards. The
 * library's own descriptor is never touched. Another thread that opens a
 * descriptor in between can take a freed number first, which is why the
 * reserve holds several and why the caller still checks the number it got
 * (fdreserve_usable) and retries later when it is too high.
 *
 * Not thread-safe: one thread owns a reserve.
 */
#ifndef KK_FDRESERVE_H
#define KK_FDRESERVE_H

#include <stdbool.h>

#define FDRESERVE_MAX 16

struct fdreserve {
	int fd[FDRESERVE_MAX]; /* -1: released */
	int n;
};

/*
 * Opens N (at most FDRESERVE_MAX) descriptors on /dev/null into R.
 * Returns 0, or -errno when none could be opened (R is then empty and
 * every call below is harmless).
 */
int fdreserve_init(struct fdreserve *r, int n);

/* Closes the reserved descriptors so that the next ones opened take them. */
void fdreserve_release(struct fdreserve *r);

/*
 * Reopens the released slots; a slot that would land at FD_SETSIZE or
 * above stays released (it would keep nothing low).
 */
void fdreserve_refill(struct fdreserve *r);

/* Closes everything R holds. */
void fdreserve_fini(struct fdreserve *r);

/* Whether FD can be watched with select(). */
bool fdreserve_usable(int fd);

#endif
