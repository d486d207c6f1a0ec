/* SPDX-License-Identifier: ISC */
/*
 * store — the SQLite database: cases and their append-only timelines.
 *
 * One writer thread owns the read-write connection and commits in batches
 * (group commit: one transaction per batch, a savepoint per job) with
 * journal_mode=WAL and synchronous=FULL, so a write's callback runs only
 * after its data is on disk. Reads run on the loop with a read-only
 * connection. The schema is versioned (PRAGMA user_version) and migrated by
 * store_open.
 *
 * Every callback runs on the loop thread, exactly once, never from inside
 * the call that queued the work.
 */
#ifndef KK_STORE_H
#define KK_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "case.h"
#include "token.h"

struct store;
struct seal_ring;

/* Runs on the loop when a write has been committed (STATUS 0) or has failed
 * (negative errno: -ENOSPC disk full, -EIO, -EBUSY, -ENOMEM). */
typedef void (*store_done_cb)(void *arg, int status);

/*
 * The detail of a note whose free text a purge removed (kakekomictl purge):
 * with STORE_PURGED_DETAIL, the only change the append-only timeline allows
 * besides a re-seal.
 */
#define STORE_PURGED_NOTE "{\"note\":\"(purged)\",\"purged\":true}"
/* The detail of another event that named the reporter (the record of a
 * receipt sent to the reporter's address), after a purge. */
#define STORE_PURGED_DETAIL "{\"purged\":true}"

/*
 * Opens (creating if needed) the database at PATH, creating its folder,
 * loads the key file KEY_PATH (NULL or "": PATH.key) that seals reporters'
 * details (seal.h) and locks it shared, migrates the schema and starts the
 * writer thread. A missing key file is created, owner-only, unless the
 * store already holds sealed details (-ENOKEY, as for a key file without
 * the store's keys). Both connections know the SQL functions
 * seal(value, column) and unseal(value, column); the sealed columns are
 * cases.company, name, phone, email and description, events.detail,
 * outbox.body and conversations.answers. Returns 0, or a negative errno
 * with a reason logged.
 */
int store_open(struct store **out, uv_loop_t *loop, const char *path, const char *key_path);

/*
 * Takes the key file's lock exclusively: no other process (a running
 * kakekomid) has the store open. Returns 0, or -EWOULDBLOCK.
 */
int store_lock_exclusive(struct store *st);

/* On the loop: cases not resolved, outbox rows waiting (all channels), or
 * a negative errno. */
int64_t store_cases_open(struct store *st);
int64_t store_outbox_pending(struct store *st);

/* The key file's ring and its path, for a key rotation (tools/kakekomictl.c). */
const struct seal_ring *store_ring(const struct store *st);
const char *store_key_path(const struct store *st);

/*
 * Refuses new writes (-ESHUTDOWN), lets the writer finish or fail every
 * queued one and runs their callbacks before it returns, then stops the
 * writer thread. Reads still work. Call it before freeing anything a queued
 * job points to. Idempotent; NULL is allowed.
 */
void store_drain(struct store *st);

/*
 * store_drain(), then closes the connections. The struct is freed
 * once the loop has run the close callback of its handle. NULL is allowed.
 */
void store_close(struct store *st);

/* FN(ARG) runs on the loop after the callbacks of every batch that
 * committed something: outbox readers use it to look at new rows at once. */
void store_set_commit_hook(struct store *st, void (*fn)(void *arg), void *arg);

/* The number of queued writes whose callback has not run yet. */
unsigned store_pending(const struct store *st);

/* The writer's transaction, valid only inside a store_write_fn. */
struct store_tx;
/* A row of a query result, valid only inside a store_row_cb. */
struct store_row;

/* Runs on the writer thread inside its own savepoint. Returns 0 to keep the
 * job's writes, a negative errno to roll them back (and fail the job). */
typedef int (*store_write_fn)(struct store_tx *tx, void *arg);

/* Called for each row; return 0 to go on, anything else to stop with it. */
typedef int (*store_row_cb)(void *arg, struct store_row *row);

/*
 * Queues FN to run on the writer thread in the next batch. ARG must stay
 * valid until CB (may be NULL) has run on the loop. Returns 0 when queued or
 * a negative errno (then nothing runs).
 */
int store_write(struct store *st, store_write_fn fn, void *arg, store_done_cb cb, void *cb_arg);

/*
 * Runs SQL inside TX. Statements are cached by SQL's address, so SQL should
 * have static storage (a buffer whose text changes is prepared again). TYPES names one bound
 * argument per character: 'i' int64_t, 't' const char * (NULL binds NULL), 'b' int (0/1). Returns
 * the number of rows changed, or a negative errno (-EEXIST on a constraint).
 */
int64_t store_tx_exec(struct store_tx *tx, const char *sql, const char *types, ...);
/* RC, what store_tx_exec returned, as 0 or a negative errno: for a write
 * whose row count does not matter. */
int store_ok(int64_t rc);
/* Like store_tx_exec for a SELECT, calling CB per row. Returns 0, CB's
 * non-zero value, or a negative errno. */
int store_tx_query(struct store_tx *tx, const char *sql, store_row_cb cb, void *arg,
                   const char *types, ...);
/* The rowid of the last INSERT in TX. */
int64_t store_tx_last_id(struct store_tx *tx);

/*
 * Re-seals every sealed value of the store under the ring's first key and
 * forgets the other keys in seal_keys (a key rotation, with the new key
 * first in the ring). *ROWS gets the rows rewritten. Returns 0 or a
 * negative errno.
 */
int store_tx_reseal(struct store_tx *tx, int64_t *rows);

/* What a purge removed. */
struct store_purge {
	int64_t cases;    /* cases whose reporter's details are gone */
	int64_t messages; /* outbox rows emptied (alerts, contact, receipts, replies) */
	int64_t notes;    /* timeline notes replaced by STORE_PURGED_NOTE */
	int64_t chats;    /* chat conversations deleted */
};

/*
 * Removes every copy of the reporter's details from the cases resolved
 * before BEFORE_MS, and with INCLUDE_OPEN from the cases never resolved
 * and received before it: the case's own fields (the status link stops
 * working), its messages in the outbox, its conversation, the free text of
 * its notes; each case gets a "details_purged" event at NOW_MS. The
 * timeline, the clocks and the figures stay. Cases purged before are left
 * alone. Returns 0 or a negative errno.
 */
int store_tx_purge(struct store_tx *tx, int64_t before_ms, bool include_open, int64_t now_ms,
                   struct store_purge *out);

/* A SELECT on the loop's read-only connection; same conventions. */
int store_read(struct store *st, const char *sql, store_row_cb cb, void *arg, const char *types,
               ...);

/* Column I of ROW; text is borrowed for the callback (NULL for NULL). */
int64_t store_row_int(struct store_row *row, int i);
const char *store_row_text(struct store_row *row, int i);
int store_row_is_null(struct store_row *row, int i);
/* A malloc'd copy of column I's text, or NULL (NULL column or no memory). */
char *store_row_dup(struct store_row *row, int i);
/* A store_row_cb that puts column 0 of the row in *(int64_t *)ARG: for a
 * count or a single number. */
int store_row_to_int(void *arg, struct store_row *row);

/* A new case as the store takes it. */
struct store_case_new {
	const struct case_input *in; /* borrowed until the callback */
	unsigned char token_hash[TOKEN_HASH_LEN];
	int64_t token_expires_ms;
	int64_t received_ms;        /* UTC time the report arrived */
	char ref[CASE_REF_LEN + 1]; /* set by the store before the callback */
	int64_t case_id;            /* set by the store before the callback */
	/* Runs in the same transaction right after the insert (may be NULL):
	 * the case's routing and first alerts are written with it. */
	store_write_fn after;
	void *after_arg;
};

/*
 * Inserts the case with a fresh unique reference and its "received" event
 * in one transaction. NC must stay valid until CB has run; on success
 * NC->ref and NC->case_id are filled in. Returns 0 when queued (CB will
 * run) or a negative errno (CB will not run).
 */
int store_case_insert(struct store *st, struct store_case_new *nc, store_done_cb cb, void *arg);

/*
 * Appends an event to the case's timeline. The strings are copied; ACTOR
 * and DETAIL (a JSON object as text) may be NULL; ELAPSED_US is -1 when not
 * measured. CB may be NULL. Returns 0 when queued or a negative errno.
 */
int store_event_append(struct store *st, int64_t case_id, int64_t at_ms, int64_t elapsed_us,
                       enum event_kind kind, const char *actor, const char *detail,
                       store_done_cb cb, void *arg);

/*
 * Like store_event_append without a callback, for events that may wait up
 * to 20 ms to be committed together with the next write (a record that the
 * first guidance went out, written after the answer left): it saves an
 * fsync per report. Store_close still commits it.
 */
int store_event_defer(struct store *st, int64_t case_id, int64_t at_ms, int64_t elapsed_us,
                      enum event_kind kind, const char *actor, const char *detail);

/*
 * Reads the case REF with its timeline, on the loop. Returns 0 with *OUT
 * (free with case_record_free), -ENOENT when there is no such case, or a
 * negative errno.
 */
int store_case_load(struct store *st, const char *ref, struct case_record **out);

/* The number of cases stored, read on the loop. Returns >= 0 or a negative errno. */
int64_t store_case_count(struct store *st);

#endif
