/* SPDX-License-Identifier: ISC */
/*
 * prosody.h — a real Prosody (the Debian package) for one test.
 *
 * Each server lives in its own temporary folder: config, certificate, data,
 * pid file and log. It listens for clients on a free loopback port with
 * STARTTLS required and a self-signed certificate for the test domain;
 * server-to-server and HTTP are off, and accounts are made with prosodyctl.
 * Debian's system-wide instance on 5222 is never used or touched.
 *
 * When the tests run as root, Prosody and prosodyctl are started as the
 * "prosody" user (Prosody refuses to run as root), so the folder is handed
 * to that user. The server is a child of the calling thread with
 * PR_SET_PDEATHSIG, so a crashed test does not leave it behind.
 *
 * Nothing here asserts: functions return NULL or a negative errno and say
 * why on stderr, with the tail of Prosody's log when Prosody is at fault.
 * Call them from the test's own thread (the one that will outlive the
 * server). A test that may abort early lists prosody_cleanup() in its
 * suite's .fini.
 */
#ifndef KK_TESTS_PROSODY_H
#define KK_TESTS_PROSODY_H

/* Time limits, in milliseconds. */
#define PROSODY_READY_TIMEOUT_MS 10000 /* start until clients can connect */
#define PROSODY_STOP_TIMEOUT_MS  10000 /* SIGTERM until exit, then SIGKILL */
#define PROSODY_TOOL_TIMEOUT_MS  20000 /* one openssl or prosodyctl run */

struct prosody;

/*
 * Make a folder under $TMPDIR (default /tmp), a certificate for domain
 * (letters, digits, '.' and '-'; e.g. "kk.test") and a config, pick a free
 * loopback port, start Prosody and wait until it accepts clients on that
 * port (PROSODY_READY_TIMEOUT_MS). Returns the server, or NULL with the
 * reason and the log tail on stderr (the folder is then kept). Free with
 * prosody_free().
 *
 * KK_PROSODY_DEBUG=1 in the environment makes Prosody log at debug level.
 */
struct prosody *prosody_start(const char *domain);

/*
 * Create the account user@domain with password, by running
 * "prosodyctl --config FILE register USER DOMAIN PASSWORD". Works whether
 * or not the server is running. Returns 0, or -EINVAL for arguments that
 * would not survive a command line, -EIO when prosodyctl failed (its
 * output goes to stderr), -ETIMEDOUT.
 */
int prosody_register(struct prosody *p, const char *user, const char *password);

/*
 * SIGTERM and wait for the exit (PROSODY_STOP_TIMEOUT_MS). Returns 0 on a
 * clean exit, -EIO when Prosody failed, -ETIMEDOUT when it had to be
 * killed, 0 when it was not running. The folder, data and port stay for
 * prosody_restart(); the port is held by a bound, non-listening socket so
 * that nothing else on this machine takes it meanwhile.
 */
int prosody_stop(struct prosody *p);

/* SIGKILL and reap, like a crash; the folder and port stay. Returns 0. */
int prosody_kill(struct prosody *p);

/*
 * Start again on the same port, config and data (stopping first if it
 * runs) and wait as prosody_start() does. Returns 0 or a negative errno
 * (reason and log tail on stderr).
 */
int prosody_restart(struct prosody *p);

/*
 * Stop if running, then remove the folder when every step on this server
 * succeeded; otherwise keep it and print where it is. Accepts NULL.
 */
void prosody_free(struct prosody *p);

/*
 * Suite .fini hook: kills the servers this process left running, prints
 * their log tails and the folders kept, and frees them. Safe to call when
 * nothing is left.
 */
void prosody_cleanup(void);

/* Print the last max_bytes of Prosody's log (and its console output). */
void prosody_print_log(const struct prosody *p, unsigned max_bytes);

/*
 * Write a self-signed certificate (EC P-256, valid for days, e.g. "30")
 * for the subject CN cn with the subjectAltName san ("DNS:kk.test",
 * "IP:127.0.0.1") to key_path and cert_path with openssl. Returns 0, or a
 * negative errno after saying why on stderr.
 */
int prosody_self_signed(const char *cn, const char *san, const char *days, const char *key_path,
                        const char *cert_path);

/* Accessors; strings are owned by p and live as long as it. */
unsigned prosody_port(const struct prosody *p);        /* c2s port on 127.0.0.1 */
const char *prosody_host(const struct prosody *p);     /* "127.0.0.1" */
const char *prosody_domain(const struct prosody *p);   /* the VirtualHost */
const char *prosody_ca_file(const struct prosody *p);  /* PEM for clients to trust */
const char *prosody_folder(const struct prosody *p);   /* the private folder */
const char *prosody_log_path(const struct prosody *p); /* Prosody's own log */
int prosody_running(const struct prosody *p);          /* 1 while the process lives */

#endif
