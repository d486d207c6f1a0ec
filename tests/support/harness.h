/* SPDX-License-Identifier: ISC */
/*
 * harness.h — start the real kakekomid for one integration test and talk to it.
 *
 * Every test gets its own daemon in its own temporary folder on its own
 * loopback port, so tests never share a store, a log or a socket. The
 * harness writes the config, forks and execs the binaries named by
 * KK_BUILD (default "build", relative to KK_SRC) and KK_SRC (the repository
 * root, default "."), waits for /healthz, stops with SIGTERM and checks the
 * exit status. A small libcurl client sends the requests.
 *
 * Failures are reported with Criterion assertions from the calling thread,
 * so every function here that asserts must be called from the test's own
 * thread. Functions that are safe from worker threads say so.
 *
 * Cleanup: a test ends with harness_daemon_finish(). If an assertion aborts
 * the test first, harness_cleanup() (registered as the suite's .fini) kills
 * what is still running, prints the tail of each daemon log and keeps the
 * folder for inspection.
 */
#ifndef KK_TESTS_HARNESS_H
#define KK_TESTS_HARNESS_H

#include <curl/curl.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* Caps on what the harness keeps; bigger answers are cut and flagged. */
#define HARNESS_BODY_MAX    (4u * 1024u * 1024u)
#define HARNESS_HEADERS_MAX (64u * 1024u)
#define HARNESS_OUTPUT_MAX  (1024u * 1024u)
#define HARNESS_URL_MAX     2048u

/* Default time limits, in milliseconds. */
#define HARNESS_READY_TIMEOUT_MS   10000
#define HARNESS_STOP_TIMEOUT_MS    15000
#define HARNESS_REQUEST_TIMEOUT_MS 10000
#define HARNESS_RUN_TIMEOUT_MS     20000

/* One daemon and the private folder it lives in. */
struct harness_daemon {
	char dir[PATH_MAX];           /* private temp folder, removed on success */
	char config_path[PATH_MAX];   /* DIR/kakekomi.conf */
	char log_path[PATH_MAX];      /* DIR/kakekomid.log: stderr of every run */
	char db_path[PATH_MAX];       /* DIR/kakekomi.db */
	char playbooks_dir[PATH_MAX]; /* absolute; $KK_SRC/playbooks unless changed */
	char base_url[64];            /* http://127.0.0.1:PORT, also public_url */
	unsigned short port;          /* loopback port, kept across restarts */
	pid_t pid;                    /* running daemon, or 0 */
	int starts;                   /* how many times it was started */
	int log_shown;                /* the log tail was printed for a failure */
	char *config_extra;           /* INI text appended to the config, or NULL; owned */
};

/* A growable byte buffer with a hard cap; data is always NUL-terminated. */
struct harness_buf {
	char *data;    /* owned; NULL until something is appended */
	size_t len;    /* bytes kept, without the NUL */
	size_t size;   /* bytes allocated */
	size_t max;    /* cap on len; 0 means HARNESS_BODY_MAX */
	int truncated; /* 1 when bytes beyond max were dropped */
};

/* What one HTTP exchange brought back. */
struct harness_response {
	long status;                 /* HTTP status, 0 when none arrived */
	CURLcode curl_code;          /* CURLE_OK when the transfer completed */
	char error[CURL_ERROR_SIZE]; /* curl's message when it did not */
	struct harness_buf body;     /* response body */
	struct harness_buf headers;  /* header lines of the final response */
};

/* One HTTP request; zero-initialise, then fill what you need. */
struct harness_request {
	const char *method;         /* "GET" when NULL */
	const char *url;            /* absolute URL */
	const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
	const char *body;           /* request body, or NULL */
	size_t body_len;            /* bytes of body */
	int chunked;                /* send body with chunked transfer-encoding */
	long timeout_ms;            /* 0 means HARNESS_REQUEST_TIMEOUT_MS */
	const char *source;         /* local address to send from ("127.0.0.2"), or NULL */
	const char *ca_file;        /* HTTPS: trust only this PEM file (peer and host verified) */
};

/* Output of a command run to completion. */
struct harness_output {
	int status;             /* exit code, or -1 when killed by a signal */
	struct harness_buf out; /* stdout */
	struct harness_buf err; /* stderr */
};

/*
 * Suite .fini hook: kills daemons the test left running, prints their log
 * tails and the folders kept, frees everything. Safe to call when nothing
 * is left.
 */
void harness_cleanup(void);

/*
 * Absolute path of a file under the repository root ($KK_SRC), e.g.
 * "playbooks". Writes into out (cap bytes); asserts on overflow.
 */
void harness_path_src(const char *rel, char *out, size_t cap);

/* out = dir/name; asserts when it does not fit in cap bytes. */
void harness_path_join(char *out, size_t cap, const char *dir, const char *name);

/* Absolute path of a built binary ($KK_BUILD/name); asserts on overflow. */
void harness_path_build(const char *name, char *out, size_t cap);

/*
 * Create a daemon record: a fresh private folder, a free loopback port and
 * the paths above. Nothing runs yet. Owned by the harness until
 * harness_daemon_finish() or harness_cleanup(). Asserts on failure.
 */
struct harness_daemon *harness_daemon_new(void);

/*
 * Write DIR/kakekomi.conf from the record's fields, then the text added with
 * harness_daemon_config_append() (called by start, check and ctl too).
 */
void harness_daemon_write_config(struct harness_daemon *d);

/*
 * Add INI text (whole sections, e.g. "[xmpp]\njid = ...\n") to what
 * harness_daemon_write_config() writes after the [http], [store] and
 * [playbooks] sections, for every later start, check and ctl run. Calls
 * accumulate; the text must not set those three sections' keys again.
 * Asserts on failure.
 */
void harness_daemon_config_append(struct harness_daemon *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Start kakekomid -c CONFIG with stderr appended to the log and wait until
 * GET /healthz answers 200 {"status":"ok"} (HARNESS_READY_TIMEOUT_MS).
 * Asserts with the log tail when it exits or does not get ready.
 */
void harness_daemon_start(struct harness_daemon *d);

/*
 * SIGTERM, wait for the exit (HARNESS_STOP_TIMEOUT_MS) and assert exit
 * status 0. Asserts with the log tail otherwise.
 */
void harness_daemon_stop(struct harness_daemon *d);

/* SIGKILL and reap; the folder and port stay for a restart. */
void harness_daemon_kill(struct harness_daemon *d);

/* Start again on the same folder, store and port; see harness_daemon_start. */
void harness_daemon_restart(struct harness_daemon *d);

/*
 * End of a passing test: stop (asserting exit 0) if running, remove the
 * folder, free the record. d must not be used afterwards.
 */
void harness_daemon_finish(struct harness_daemon *d);

/* Print the last max_bytes of the daemon's log to stderr. */
void harness_daemon_print_log(struct harness_daemon *d, size_t max_bytes);

/*
 * Run argv (argv[0] a path) to completion with stdin from /dev/null,
 * capturing stdout and stderr (each capped at HARNESS_OUTPUT_MAX). Asserts
 * when it cannot start or does not end within timeout_ms (then it is
 * killed). Returns out->status. Free with harness_output_fini().
 */
int harness_run(const char *const argv[], struct harness_output *out, int timeout_ms);

/*
 * Run "kakekomid -c CONFIG -n" (writing the config first). Returns the
 * exit status.
 */
int harness_daemon_check(struct harness_daemon *d, struct harness_output *out);

/*
 * Run "kakekomictl -c CONFIG ARGS..." (NULL-terminated, at most 16).
 * Returns the exit status.
 */
int harness_daemon_ctl(struct harness_daemon *d, struct harness_output *out, ...)
    __attribute__((sentinel));

/* The whole file at path, NUL-terminated (caller frees); its length goes
 * to len when len is not NULL. Asserts when it cannot be read. */
char *harness_read_file(const char *path, size_t *len);

/*
 * POST the JSON text json to d's path and return the answer's status, or 0
 * when none came within timeout_ms. Never asserts: safe from worker
 * threads.
 */
long harness_post_json_status(const struct harness_daemon *d, const char *path, const char *json,
                              int timeout_ms);

/*
 * As harness_post_json_status, sent from the loopback address source
 * ("127.0.0.2"; NULL: the default) with one more header line ("Name:
 * value"; NULL: none); timeout_ms 0 means HARNESS_REQUEST_TIMEOUT_MS.
 * Never asserts: safe from worker threads.
 */
long harness_post_json_from(const struct harness_daemon *d, const char *path, const char *json,
                            const char *source, const char *header, int timeout_ms);

/* Waits until D has nothing left to send on CHANNEL ("xmpp", "email",
 * "webhook"): every outbox row sent or given up, so nothing more will come;
 * asserts when that takes longer than TIMEOUT_MS. */
void harness_outbox_settled(struct harness_daemon *d, const char *channel, int timeout_ms);

/*
 * The daemon's store, read-only, for what no API shows: run sql (text
 * parameters, NULL-terminated) and return the first column of the first row
 * as an integer, -1 when there is no row. Asserts when the query fails.
 */
long long harness_db_int(struct harness_daemon *d, const char *sql, ...) __attribute__((sentinel));

/* As harness_db_int, the first column as text into out ("" when no row or
 * NULL); param may be NULL. */
void harness_db_text(struct harness_daemon *d, char *out, size_t cap, const char *sql,
                     const char *param);

/* Free the buffers of a command output; accepts an all-zero struct. */
void harness_output_fini(struct harness_output *out);

/*
 * Append len bytes to b, keeping at most its cap; the overflow is dropped
 * and b->truncated set. Returns 0, or -ENOMEM. Thread-safe per buffer.
 */
int harness_buf_append(struct harness_buf *b, const void *data, size_t len);

/* Free b's memory and zero it; accepts NULL. */
void harness_buf_fini(struct harness_buf *b);

/*
 * Send one request with a caller-owned easy handle (or a fresh one when
 * curl is NULL). Never asserts, so it is safe from worker threads. Fills
 * res (zero it first, free with harness_response_fini()). Returns 0 when a
 * complete response arrived, -1 otherwise (res->curl_code, res->error).
 */
int harness_http_send(CURL *curl, const struct harness_request *req, struct harness_response *res);

/*
 * Common forms bound to a daemon: path is appended to d->base_url. They
 * assert that a complete response arrived (any status).
 */
void harness_get(struct harness_daemon *d, const char *path, struct harness_response *res);
void harness_get_bearer(struct harness_daemon *d, const char *path, const char *token,
                        struct harness_response *res);
void harness_post(struct harness_daemon *d, const char *path, const char *content_type,
                  const char *body, size_t body_len, struct harness_response *res);

/*
 * Value of the first header called name (case-insensitive) in the final
 * response, copied into out (cap bytes, cut to fit). Returns 1 when found,
 * 0 when absent.
 */
int harness_response_header(const struct harness_response *res, const char *name, char *out,
                            size_t cap);

/* Free a response's buffers and zero it; accepts an all-zero struct. */
void harness_response_fini(struct harness_response *res);

/*
 * Helpers: a process a test runs beside the daemon (an SMTP sink, a webhook
 * receiver), in the background, with stdout and stderr appended to its own
 * log. Like the daemon it is a child with PR_SET_PDEATHSIG, and
 * harness_cleanup() kills what a failed test left running and prints the
 * tail of its log.
 */
#define HARNESS_HELPERS_MAX 8

struct harness_helper {
	char name[64];           /* for messages, e.g. "SMTP sink" */
	char log_path[PATH_MAX]; /* stdout and stderr of the helper */
	pid_t pid;               /* running helper, or 0 */
};

/* A loopback TCP port that was free a moment ago. Asserts on failure. */
unsigned short harness_free_port(void);

/*
 * Start argv (argv[0] a path) in the background with stdin from /dev/null
 * and its output appended to log_path. When port is not 0, wait until
 * 127.0.0.1:port accepts connections (timeout_ms), asserting when the
 * helper exits or does not get ready (harness_cleanup() then shows its
 * log). Owned by the harness until harness_helper_stop() or
 * harness_cleanup().
 */
struct harness_helper *harness_helper_start(const char *name, const char *const argv[],
                                            const char *log_path, unsigned short port,
                                            int timeout_ms);

/*
 * SIGTERM, wait up to HARNESS_STOP_TIMEOUT_MS, then SIGKILL; frees h.
 * Accepts NULL. Returns the helper's exit status (-1 when killed by a
 * signal other than SIGTERM).
 */
int harness_helper_stop(struct harness_helper *h);

/* Print the last max_bytes of the helper's log to stderr. */
void harness_helper_print_log(const struct harness_helper *h, size_t max_bytes);

/* Milliseconds on the monotonic clock. */
long long harness_now_ms(void);

/* Sleep for ms milliseconds (used only between polls). */
void harness_sleep_ms(long ms);

/*
 * A TCP connection from the loopback address SRC to D's HTTP port that
 * sends nothing, or HEAD (the start of a request that never ends) when not
 * NULL. Returns the descriptor (close it) or -1.
 */
int harness_idle_connection(const struct harness_daemon *d, const char *src, const char *head);

#endif
