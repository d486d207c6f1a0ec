/* SPDX-License-Identifier: ISC */
/*
 * pgserver — a private PostgreSQL server for a test: its own cluster in a
 * temporary folder, listening on a free loopback port (and a socket in
 * that folder), trusting local connections, started and stopped by the
 * test. Debian's server binaries are found through pg_config --bindir.
 * Running as root (CI), the server runs as the postgres user, which the
 * server package creates; PostgreSQL refuses to run as root.
 */
#ifndef KK_PGSERVER_H
#define KK_PGSERVER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct pgserver {
	char dir[PATH_MAX];  /* the cluster (data/), its socket and logs */
	unsigned short port; /* loopback TCP */
	char url[256];       /* postgresql://kakekomi@127.0.0.1:PORT/postgres */
	char bindir[PATH_MAX];
	bool drop; /* run the server as the postgres user */
	uid_t uid;
	gid_t gid;
	bool running;
};

/* A new cluster, initialised, not started; asserts when it cannot be made
 * (with the tools' output). */
void pgserver_init(struct pgserver *pg);

/* Starts the server and waits until it takes connections. Returns 0 or a
 * negative errno (the server's log is printed). */
int pgserver_start(struct pgserver *pg);

/* A fast shutdown (sessions ended, everything committed kept). */
int pgserver_stop(struct pgserver *pg);

/* SIGKILL to the server, as a machine failure would: the next start
 * recovers from the write-ahead log. */
void pgserver_kill(struct pgserver *pg);

/* Stops it if running and removes the folder. */
void pgserver_free(struct pgserver *pg);

/* Suite .fini hook: stops every server of this process a failed test
 * left running and removes their folders. */
void pgserver_cleanup(void);

/* Prints the last MAX bytes of the server's log to stderr. */
void pgserver_print_log(const struct pgserver *pg, size_t max);

#endif
