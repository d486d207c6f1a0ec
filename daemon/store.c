/* SPDX-License-Identifier: ISC */
/*
 * store — SQLite with one writer thread and group commit; see store.h.
 *
 * Jobs go from the loop to the writer through a mutex-protected list and
 * come back through a second list and a uv_async_t. uv_async_send
 * coalesces, so the loop always drains the whole list. The writer takes
 * every queued job (up to STORE_BATCH) into one BEGIN IMMEDIATE ... COMMIT,
 * each job inside its own savepoint so one bad job does not spoil the batch.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "seal.h"

#define STORE_BATCH     512
#define STORE_BUSY_MS   5000
#define STORE_REF_TRIES 16
#define STORE_DEFER_MS  20 /* the longest a deferred event waits for company */

#define STORE_STMT_CACHE 128

enum store_job_kind { JOB_CASE_INSERT, JOB_EVENT_APPEND, JOB_WRITE };

struct stmt_cache {
	const char *sql[STORE_STMT_CACHE];
	sqlite3_stmt *st[STORE_STMT_CACHE];
	size_t n;
};

struct store_tx {
	struct store *st;
};

struct store_row {
	sqlite3_stmt *s;
};

struct store_job {
	struct store_job *next;
	enum store_job_kind kind;
	store_done_cb cb;
	void *arg;
	int status;
	union {
		struct store_case_new *nc;
		struct {
			int64_t case_id, at_ms, elapsed_us;
			enum event_kind kind;
			char *actor, *detail;
		} ev;
		struct {
			store_write_fn fn;
			void *arg;
		} w;
	} u;
};

struct store {
	uv_loop_t *loop;
	uv_async_t async;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store_job *in_head, *in_tail;
	struct store_job *out_head, *out_tail;
	bool stopping;
	bool joined; /* the writer thread has been joined */
	bool thread_started;
	unsigned pending;
	struct seal_ring *ring; /* immutable once open: used by both connections */
	int key_fd;             /* the key file, locked shared while the store is open */
	char key_path[4096 + 8];
	sqlite3 *wdb; /* writer thread only */
	sqlite3 *rdb; /* loop only */
	sqlite3_stmt *w_case, *w_event;
	sqlite3_stmt *r_case, *r_events, *r_count;
	struct stmt_cache wcache, rcache;
	void (*commit_hook)(void *arg);
	void *commit_hook_arg;
	/* Events that may wait a moment for company (store_event_defer). */
	struct store_job *def_head, *def_tail;
	uv_timer_t def_timer;
	int handles; /* the async handle and the timer, closed before the free */
};

/* Schema migrations: entry N brings user_version from N to N + 1. */
static const char *const migrations[] = {
    "CREATE TABLE cases ("
    " id INTEGER PRIMARY KEY,"
    " ref TEXT NOT NULL UNIQUE,"
    " token_hash BLOB NOT NULL,"
    " token_expires_ms INTEGER NOT NULL,"
    " token_revoked INTEGER NOT NULL DEFAULT 0,"
    " channel TEXT NOT NULL,"
    " incident_type TEXT NOT NULL,"
    " still_happening TEXT NOT NULL,"
    " money_involved TEXT NOT NULL,"
    " personal_data TEXT NOT NULL,"
    " noticed TEXT NOT NULL,"
    " noticed_at_ms INTEGER NOT NULL,"
    " prefecture TEXT NOT NULL,"
    " company TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " phone TEXT NOT NULL,"
    " email TEXT,"
    " description TEXT,"
    " lang TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'new',"
    " received_ms INTEGER NOT NULL);"
    "CREATE INDEX cases_received ON cases(received_ms);"
    "CREATE TABLE events ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " at_ms INTEGER NOT NULL,"
    " elapsed_us INTEGER,"
    " kind TEXT NOT NULL,"
    " actor TEXT,"
    " detail TEXT);"
    "CREATE INDEX events_case ON events(case_id, id);"
    "CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events"
    " BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;"
    "CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events"
    " BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;",

    /* 2: the relay — roster, on-call schedules, escalation state, outbox. */
    "CREATE TABLE specialists ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " jid TEXT NOT NULL UNIQUE,"
    " email TEXT,"
    " phone TEXT,"
    " prefectures TEXT NOT NULL,"
    " specialties TEXT NOT NULL,"
    " languages TEXT NOT NULL,"
    " onsite INTEGER NOT NULL DEFAULT 0,"
    " first_consult_free INTEGER NOT NULL DEFAULT 0,"
    " active INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE rotations ("
    " id INTEGER PRIMARY KEY,"
    " scope TEXT NOT NULL,"
    " period TEXT NOT NULL CHECK (period IN ('daily', 'weekly')),"
    " handoff TEXT NOT NULL,"
    " tz TEXT NOT NULL,"
    " start_ms INTEGER NOT NULL,"
    " members TEXT NOT NULL);"
    "CREATE TABLE overrides ("
    " id INTEGER PRIMARY KEY,"
    " scope TEXT NOT NULL,"
    " specialist_id TEXT NOT NULL,"
    " start_ms INTEGER NOT NULL,"
    " end_ms INTEGER NOT NULL);"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO meta VALUES ('roster_version', 0);"
    "ALTER TABLE cases ADD COLUMN assigned_to TEXT;"
    "ALTER TABLE cases ADD COLUMN esc_round INTEGER;"
    "ALTER TABLE cases ADD COLUMN esc_step INTEGER;"
    "ALTER TABLE cases ADD COLUMN esc_due_ms INTEGER;"
    "CREATE INDEX cases_escalating ON cases(esc_due_ms) WHERE esc_due_ms IS NOT NULL;"
    "CREATE TABLE alerts ("
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " jid TEXT NOT NULL,"
    " round INTEGER NOT NULL,"
    " step INTEGER NOT NULL,"
    " state TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL,"
    " outbox_id INTEGER,"
    " PRIMARY KEY (case_id, jid, round));"
    "CREATE INDEX alerts_jid ON alerts(jid, at_ms);"
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER REFERENCES cases(id),"
    " channel TEXT NOT NULL DEFAULT 'xmpp',"
    " recipient TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " round INTEGER NOT NULL DEFAULT 0,"
    " step INTEGER NOT NULL DEFAULT 0,"
    " body TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " sent_ms INTEGER,"
    " delivered_ms INTEGER,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL DEFAULT 'pending');"
    "CREATE UNIQUE INDEX outbox_once ON outbox(case_id, recipient, kind, round, step)"
    " WHERE kind = 'alert';"
    "CREATE INDEX outbox_pending ON outbox(state) WHERE state = 'pending';"
    /* reports by chat, e-mail and webhooks, reminders */
    "ALTER TABLE cases ADD COLUMN reporter_jid TEXT;"
    "ALTER TABLE cases ADD COLUMN incomplete INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN subject TEXT;"
    "ALTER TABLE outbox ADD COLUMN next_try_ms INTEGER;"
    "ALTER TABLE outbox ADD COLUMN last_error TEXT;"
    "CREATE INDEX outbox_pending_channel ON outbox(channel, next_try_ms) WHERE state = 'pending';"
    "CREATE TABLE conversations ("
    " jid TEXT PRIMARY KEY,"
    " lang TEXT NOT NULL,"
    " step INTEGER NOT NULL,"
    " answers TEXT NOT NULL,"
    " started_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL,"
    " type_known_ms INTEGER);"
    "CREATE TABLE reminders ("
    " id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " kind TEXT NOT NULL,"
    " due_ms INTEGER NOT NULL,"
    " deadline TEXT NOT NULL,"
    " sent_ms INTEGER,"
    " UNIQUE (case_id, kind));"
    "CREATE INDEX reminders_due ON reminders(due_ms) WHERE sent_ms IS NULL;"
    /* Every timeline event becomes a signed webhook POST per target, queued
     * in the same transaction as the event itself. */
    "CREATE TABLE webhook_targets (url TEXT PRIMARY KEY);"
    "CREATE TRIGGER events_webhooks AFTER INSERT ON events"
    " WHEN NEW.kind NOT IN ('notified', 'contact_revealed', 'details_viewed')"
    " AND EXISTS (SELECT 1 FROM webhook_targets)"
    " BEGIN INSERT INTO outbox (case_id, channel, recipient, kind, body, created_ms)"
    " SELECT NEW.case_id, 'webhook', w.url, 'event',"
    " json_object('event', NEW.kind, 'event_id', NEW.id,"
    " 'at', strftime('%Y-%m-%dT%H:%M:%fZ', NEW.at_ms / 1000.0, 'unixepoch'),"
    " 'case', c.ref, 'state', c.state, 'prefecture', c.prefecture,"
    " 'incident_type', c.incident_type, 'channel', c.channel,"
    " 'elapsed_ms', NEW.elapsed_us / 1000.0, 'actor', NEW.actor),"
    " NEW.at_ms FROM webhook_targets w JOIN cases c ON c.id = NEW.case_id; END;",

    /* 3: the coordinators' view — accounts and sessions (auth.h), and one row
     * per case with its clocks, kept by triggers as cases and events are
     * written and numbered by change for the figures' index (stats.h). The
     * first event of each kind stops its clock; "onsite" counts from the
     * first dispatch request when there is one, else from the report. */
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL, last_login_ms INTEGER);"
    "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id), csrf TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);"
    "CREATE INDEX cases_open ON cases(received_ms) WHERE state <> 'resolved';"
    "CREATE TABLE case_clocks (case_id INTEGER PRIMARY KEY REFERENCES cases(id),"
    " seq INTEGER NOT NULL, received_ms INTEGER NOT NULL, prefecture TEXT NOT NULL,"
    " incident_type TEXT NOT NULL, channel TEXT NOT NULL, guidance_us INTEGER, ack_us INTEGER,"
    " acked_by TEXT, contact_us INTEGER, dispatch_ms INTEGER, onsite_us INTEGER,"
    " onsite_from_received INTEGER NOT NULL DEFAULT 0, resolve_us INTEGER,"
    " escalations INTEGER NOT NULL DEFAULT 0);"
    "CREATE TRIGGER case_clocks_insert AFTER INSERT ON cases BEGIN"
    " INSERT INTO case_clocks (case_id, seq, received_ms, prefecture, incident_type, channel)"
    " VALUES (NEW.id, (SELECT coalesce(max(seq), 0) + 1 FROM case_clocks), NEW.received_ms,"
    " NEW.prefecture, NEW.incident_type, NEW.channel); END;"
    "CREATE TRIGGER case_clocks_facts AFTER UPDATE OF prefecture, incident_type, channel ON cases"
    " BEGIN UPDATE case_clocks SET prefecture = NEW.prefecture,"
    " incident_type = NEW.incident_type, channel = NEW.channel,"
    " seq = (SELECT max(seq) FROM case_clocks) + 1 WHERE case_id = NEW.id; END;"
    "CREATE TRIGGER case_clocks_event AFTER INSERT ON events"
    " WHEN NEW.kind IN ('guidance_delivered', 'acknowledged', 'contacted', 'onsite', 'resolved',"
    " 'escalated', 'escalation_exhausted') OR NEW.kind LIKE 'dispatch%' BEGIN"
    " UPDATE case_clocks SET"
    " guidance_us = CASE WHEN NEW.kind = 'guidance_delivered' AND guidance_us IS NULL"
    " THEN coalesce(NEW.elapsed_us, (NEW.at_ms - received_ms) * 1000) ELSE guidance_us END,"
    " ack_us = CASE WHEN NEW.kind = 'acknowledged' AND ack_us IS NULL"
    " THEN coalesce(NEW.elapsed_us, (NEW.at_ms - received_ms) * 1000) ELSE ack_us END,"
    " acked_by = CASE WHEN NEW.kind = 'acknowledged' AND ack_us IS NULL THEN NEW.actor"
    " ELSE acked_by END,"
    " contact_us = CASE WHEN NEW.kind = 'contacted' AND contact_us IS NULL"
    " THEN coalesce(NEW.elapsed_us, (NEW.at_ms - received_ms) * 1000) ELSE contact_us END,"
    " dispatch_ms = CASE WHEN NEW.kind LIKE 'dispatch%' AND dispatch_ms IS NULL THEN NEW.at_ms"
    " ELSE dispatch_ms END,"
    " onsite_us = CASE WHEN NEW.kind = 'onsite' AND onsite_us IS NULL"
    " THEN (NEW.at_ms - coalesce(dispatch_ms, received_ms)) * 1000 ELSE onsite_us END,"
    " onsite_from_received = CASE WHEN NEW.kind = 'onsite' AND onsite_us IS NULL"
    " THEN dispatch_ms IS NULL ELSE onsite_from_received END,"
    " resolve_us = CASE WHEN NEW.kind = 'resolved' AND resolve_us IS NULL"
    " THEN (NEW.at_ms - received_ms) * 1000 ELSE resolve_us END,"
    " escalations = escalations + (NEW.kind IN ('escalated', 'escalation_exhausted')),"
    " seq = (SELECT max(seq) FROM case_clocks) + 1 WHERE case_id = NEW.case_id; END;"
    /* The cases stored before, with the clocks their timelines show (on site
     * counted from the report). */
    "INSERT INTO case_clocks (case_id, seq, received_ms, prefecture, incident_type, channel)"
    " SELECT id, id, received_ms, prefecture, incident_type, channel FROM cases;"
    "UPDATE case_clocks SET guidance_us="
    "(SELECT min(coalesce(elapsed_us,(at_ms-case_clocks.received_ms)*1000)) FROM events e"
    " WHERE e.case_id=case_clocks.case_id AND kind='guidance_delivered'),"
    "ack_us="
    "(SELECT min(coalesce(elapsed_us,(at_ms-case_clocks.received_ms)*1000)) FROM events e"
    " WHERE e.case_id=case_clocks.case_id AND kind='acknowledged'),"
    "contact_us="
    "(SELECT min(coalesce(elapsed_us,(at_ms-case_clocks.received_ms)*1000)) FROM events e"
    " WHERE e.case_id=case_clocks.case_id AND kind='contacted'),"
    "onsite_us="
    "(SELECT min(coalesce(elapsed_us,(at_ms-case_clocks.received_ms)*1000)) FROM events e"
    " WHERE e.case_id=case_clocks.case_id AND kind='onsite'),"
    "resolve_us="
    "(SELECT min(coalesce(elapsed_us,(at_ms-case_clocks.received_ms)*1000)) FROM events e"
    " WHERE e.case_id=case_clocks.case_id AND kind='resolved'),"
    "onsite_from_received=1,"
    "acked_by=(SELECT actor FROM events e WHERE e.case_id=case_clocks.case_id"
    " AND kind='acknowledged' ORDER BY id LIMIT 1);"
    "CREATE UNIQUE INDEX case_clocks_seq ON case_clocks(seq);",

    /* 4: every XMPP row gets an unguessable tag (128 random bits) that its
     * stanza carries; receipts and bounces name a row by it, never by its
     * number. */
    "ALTER TABLE outbox ADD COLUMN tag TEXT;"
    "UPDATE outbox SET tag = lower(hex(randomblob(16))) WHERE channel = 'xmpp';"
    "CREATE UNIQUE INDEX outbox_tag ON outbox(tag) WHERE tag IS NOT NULL;"
    "CREATE TRIGGER outbox_tag AFTER INSERT ON outbox"
    " WHEN NEW.channel = 'xmpp' AND NEW.tag IS NULL"
    " BEGIN UPDATE outbox SET tag = lower(hex(randomblob(16))) WHERE id = NEW.id; END;",

    /* 5: receipts counted per address and per domain (courier.c), so that
     * the hotline cannot be used to mail a third party again and again. */
    "CREATE INDEX outbox_receipt_address ON outbox(lower(recipient), created_ms)"
    " WHERE kind = 'receipt';"
    "CREATE INDEX outbox_receipt_domain"
    " ON outbox(lower(substr(recipient, instr(recipient, '@') + 1)), created_ms)"
    " WHERE kind = 'receipt';",

    /* 6: reporters' details sealed at rest (seal.h, the SQL functions
     * seal(value, column) and unseal(value, column) of this module): what
     * was written before is sealed here. seal_keys names every key that
     * seals something, so that a start with the wrong key file is refused.
     * The timeline stays append-only but for two documented changes of an
     * event's detail alone: a re-seal of the same text under a new key,
     * and the purge's marker (STORE_PURGED_NOTE). */
    "CREATE TABLE seal_keys (id TEXT PRIMARY KEY, added_ms INTEGER NOT NULL);"
    "UPDATE cases SET company = seal(company, 'cases.company'), name = seal(name, 'cases.name'),"
    " phone = seal(phone, 'cases.phone'), email = seal(email, 'cases.email'),"
    " description = seal(description, 'cases.description');"
    "UPDATE conversations SET answers = seal(answers, 'conversations.answers');"
    "UPDATE outbox SET body = seal(body, 'outbox.body') WHERE channel <> 'webhook';"
    "DROP TRIGGER events_append_only_update;"
    "UPDATE events SET detail = seal(detail, 'events.detail') WHERE detail IS NOT NULL;"
    "CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events"
    " WHEN NOT (NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.at_ms = OLD.at_ms"
    " AND NEW.elapsed_us IS OLD.elapsed_us AND NEW.kind = OLD.kind AND NEW.actor IS OLD.actor"
    " AND (NEW.detail IS '" STORE_PURGED_NOTE "'"
    " OR unseal(NEW.detail, 'events.detail') IS unseal(OLD.detail, 'events.detail')))"
    " BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;",

    /* 7: the reporter's e-mail address in receipts and reminders is sealed
     * too; the receipts' limits count by keyed hashes of the address and
     * of its domain (seal_key) instead of the address. */
    "ALTER TABLE outbox ADD COLUMN rkey TEXT;"
    "ALTER TABLE outbox ADD COLUMN dkey TEXT;"
    "UPDATE outbox SET rkey = seal_key(lower(recipient)),"
    " dkey = seal_key(lower(substr(recipient, instr(recipient, '@') + 1)))"
    " WHERE kind = 'receipt';"
    "UPDATE outbox SET recipient = seal(recipient, 'outbox.recipient')"
    " WHERE channel = 'email' AND kind IN ('receipt', 'reminder');"
    "DROP INDEX outbox_receipt_address;"
    "DROP INDEX outbox_receipt_domain;"
    "CREATE INDEX outbox_receipt_rkey ON outbox(rkey, created_ms) WHERE kind = 'receipt';"
    "CREATE INDEX outbox_receipt_dkey ON outbox(dkey, created_ms) WHERE kind = 'receipt';",

    /* 8: a purge also blanks an event's detail that names the reporter (the
     * "notified" record of a receipt gives the address) with
     * STORE_PURGED_DETAIL: the trigger allows that marker too. */
    "DROP TRIGGER events_append_only_update;"
    "CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events"
    " WHEN NOT (NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.at_ms = OLD.at_ms"
    " AND NEW.elapsed_us IS OLD.elapsed_us AND NEW.kind = OLD.kind AND NEW.actor IS OLD.actor"
    " AND (NEW.detail IS '" STORE_PURGED_NOTE "' OR NEW.detail IS '" STORE_PURGED_DETAIL "'"
    " OR unseal(NEW.detail, 'events.detail') IS unseal(OLD.detail, 'events.detail')))"
    " BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;",

    /* 9: the APPI conditions asked when personal data may be involved
     * (ppc.h), and, for a lost device, whether it was lost or stolen. A
     * case from before was never asked: "unknown". */
    "ALTER TABLE cases ADD COLUMN sensitive_data TEXT NOT NULL DEFAULT 'unknown';"
    "ALTER TABLE cases ADD COLUMN financial_harm TEXT NOT NULL DEFAULT 'unknown';"
    "ALTER TABLE cases ADD COLUMN over_1000 TEXT NOT NULL DEFAULT 'unknown';"
    "ALTER TABLE cases ADD COLUMN lost_or_stolen TEXT NOT NULL DEFAULT '';",
};

static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return 0;
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return -EBUSY;
	case SQLITE_NOMEM: return -ENOMEM;
	case SQLITE_CONSTRAINT: return -EEXIST;
	case SQLITE_READONLY: return -EROFS;
	case SQLITE_CANTOPEN: return -EACCES;
	default: return -EIO;
	}
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_warnx("store: %s: %s", sql[0] == 'C' ? "schema" : sql,
		          msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return errno_of(rc);
}

/*
 * Prepares SQL. Its parameters are named $1, $2 ... as PostgreSQL names
 * them; SQLite numbers named parameters by first appearance, so $N must
 * first appear in order for argument N to bind to it: a statement that
 * breaks this is refused here, once, rather than bound wrong.
 */
static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
	char want[16];

	if (rc != SQLITE_OK) {
		log_errorx("store: prepare: %s", sqlite3_errmsg(db));
		return errno_of(rc);
	}
	for (int i = 1; i <= sqlite3_bind_parameter_count(*out); i++) {
		const char *name = sqlite3_bind_parameter_name(*out, i);

		snprintf(want, sizeof want, "$%d", i);
		if (name == NULL || strcmp(name, want) != 0) {
			log_errorx("store: prepare: parameter %d is %s, not %s: %.200s", i,
			           name != NULL ? name : "unnamed", want, sql);
			sqlite3_finalize(*out);
			*out = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

static int migrate(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int version;
	int rc;
	const int latest = (int)(sizeof migrations / sizeof migrations[0]);

	rc = exec(db, "BEGIN IMMEDIATE");
	if (rc < 0)
		return rc;
	rc = prepare(db, "PRAGMA user_version", &st);
	if (rc < 0)
		goto bad;
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -EIO;
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc < 0)
		goto bad;
	if (version > latest) {
		log_errorx(
		    "store: the database has schema version %d, newer than this program's %d",
		    version, latest);
		rc = -EPROTO;
		goto bad;
	}
	for (int v = version; v < latest; v++) {
		char sql[64];

		rc = exec(db, migrations[v]);
		if (rc < 0)
			goto bad;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		rc = exec(db, sql);
		if (rc < 0)
			goto bad;
		log_info("store: schema migrated to version %d", v + 1);
	}
	return exec(db, "COMMIT");
bad:
	exec(db, "ROLLBACK");
	return rc;
}

static int mkdir_parent(const char *path)
{
	char dir[4096];
	char *slash;

	if (strlen(path) >= sizeof dir)
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Makes PATH owner-only (MODE) when it exists with bits for others, saying
 * so. Folders shared on purpose (sticky, like /tmp) or not ours are only
 * reported. */
static void owner_only(const char *path, mode_t mode)
{
	struct stat sb;

	if (stat(path, &sb) < 0 || (sb.st_mode & 077) == 0)
		return;
	if ((sb.st_mode & S_ISVTX) != 0 || sb.st_uid != geteuid()) {
		log_warnx("store: %s is readable by others (mode %03o) and not ours to change: "
		          "keep the store in a folder of its own",
		          path, (unsigned)(sb.st_mode & 0777));
		return;
	}
	if (chmod(path, mode) < 0)
		log_warn(-errno, "store: %s is readable by others and cannot be changed", path);
	else
		log_warnx("store: %s was readable by others (mode %03o): now %03o", path,
		          (unsigned)(sb.st_mode & 0777), (unsigned)mode);
}

/* The store's folder 0700; the database and its -wal and -shm files 0600
 * (SQLite gives the latter the database's mode), created so when new. */
static int secure_files(const char *path)
{
	char other[4096 + 8];
	char *slash;
	int fd;

	if (strlen(path) >= 4096)
		return -ENAMETOOLONG;
	snprintf(other, sizeof other, "%s", path);
	slash = strrchr(other, '/');
	if (slash != NULL && slash != other) {
		*slash = '\0';
		owner_only(other, 0700);
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	owner_only(path, 0600);
	snprintf(other, sizeof other, "%s-wal", path);
	owner_only(other, 0600);
	snprintf(other, sizeof other, "%s-shm", path);
	owner_only(other, 0600);
	return 0;
}

/* ---- writer thread ---- */

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s != NULL ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC)
	                 : sqlite3_bind_null(st, i);
}

static int run_case_insert(struct store *st, struct store_case_new *nc)
{
	const struct case_input *in = nc->in;
	sqlite3_stmt *s = st->w_case;
	int rc = SQLITE_CONSTRAINT;

	for (int tries = 0; tries < STORE_REF_TRIES && (rc & 0xff) == SQLITE_CONSTRAINT; tries++) {
		token_ref_new(nc->ref);
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, nc->ref, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 2, nc->token_hash, TOKEN_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, nc->token_expires_ms);
		bind_text(s, 4, in->channel);
		bind_text(s, 5, in->incident_type);
		bind_text(s, 6, case_tri_name(in->still_happening));
		bind_text(s, 7, case_tri_name(in->money_involved));
		bind_text(s, 8, case_tri_name(in->personal_data));
		bind_text(s, 9, case_noticed_name(in->noticed));
		sqlite3_bind_int64(s, 10, in->noticed_at_ms);
		bind_text(s, 11, in->prefecture);
		bind_text(s, 12, in->company);
		bind_text(s, 13, in->name);
		bind_text(s, 14, in->phone);
		bind_text(s, 15, in->email);
		bind_text(s, 16, in->description);
		bind_text(s, 17, lang_code(in->lang));
		sqlite3_bind_int64(s, 18, nc->received_ms);
		bind_text(s, 19, case_tri_name(in->sensitive_data));
		bind_text(s, 20, case_tri_name(in->financial_harm));
		bind_text(s, 21, case_tri_name(in->over_1000));
		bind_text(s, 22, case_los_name(in->lost_or_stolen));
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		log_warnx("store: insert case: %s", sqlite3_errmsg(st->wdb));
		return errno_of(rc);
	}
	nc->case_id = sqlite3_last_insert_rowid(st->wdb);
	s = st->w_event;
	sqlite3_bind_int64(s, 1, nc->case_id);
	sqlite3_bind_int64(s, 2, nc->received_ms);
	sqlite3_bind_int64(s, 3, 0);
	bind_text(s, 4, event_kind_name(EV_RECEIVED));
	bind_text(s, 5, in->channel);
	sqlite3_bind_null(s, 6);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		log_warnx("store: insert event: case=%s: %s", nc->ref, sqlite3_errmsg(st->wdb));
		return errno_of(rc);
	}
	if (nc->after != NULL) {
		struct store_tx tx = {st};

		return nc->after(&tx, nc->after_arg);
	}
	return 0;
}

/* ---- statements by address, for the modules' own SQL ---- */

static sqlite3_stmt *cached(sqlite3 *db, struct stmt_cache *c, const char *sql)
{
	sqlite3_stmt *s = NULL;

	for (size_t i = 0; i < c->n; i++) {
		if (c->sql[i] != sql)
			continue;
		if (strcmp(sqlite3_sql(c->st[i]), sql) == 0)
			return c->st[i];
		/* The same address with other text: a caller built the SQL in a
		 * buffer. Run what it says now. */
		if (prepare(db, sql, &s) < 0)
			return NULL;
		sqlite3_finalize(c->st[i]);
		c->st[i] = s;
		return s;
	}
	if (prepare(db, sql, &s) < 0)
		return NULL;
	if (c->n < STORE_STMT_CACHE) {
		c->sql[c->n] = sql;
		c->st[c->n++] = s;
	}
	return s;
}

static void cache_clear(struct stmt_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		sqlite3_finalize(c->st[i]);
	c->n = 0;
}

static int bind_args(sqlite3_stmt *s, const char *types, va_list ap)
{
	int i = 1;

	for (const char *t = types; *t != '\0'; t++, i++) {
		int rc;

		switch (*t) {
		case 'i': rc = sqlite3_bind_int64(s, i, va_arg(ap, int64_t)); break;
		case 'b': rc = sqlite3_bind_int(s, i, va_arg(ap, int) != 0); break;
		case 't': rc = bind_text(s, i, va_arg(ap, const char *)); break;
		default: return -EINVAL;
		}
		if (rc != SQLITE_OK)
			return errno_of(rc);
	}
	return 0;
}

static int run_stmt(sqlite3 *db, sqlite3_stmt *s, store_row_cb cb, void *arg, int64_t *changes)
{
	struct store_row row = {s};
	int rc;
	int stop = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cb != NULL && (stop = cb(arg, &row)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_warnx("store: %s: %s", sqlite3_sql(s), sqlite3_errmsg(db));
	if (changes != NULL)
		*changes = sqlite3_changes64(db);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (stop != 0)
		return stop;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : errno_of(rc);
}

/* The cached statement for SQL with the arguments bound, or NULL with *RC
 * set (-EIO when it cannot be prepared, or the binding's error). */
static sqlite3_stmt *bound(sqlite3 *db, struct stmt_cache *c, const char *sql, const char *types,
                           va_list ap, int *rc)
{
	sqlite3_stmt *s = cached(db, c, sql);

	if (s == NULL) {
		*rc = -EIO;
		return NULL;
	}
	*rc = bind_args(s, types, ap);
	if (*rc < 0) {
		sqlite3_clear_bindings(s);
		return NULL;
	}
	return s;
}

int64_t store_tx_exec(struct store_tx *tx, const char *sql, const char *types, ...)
{
	int64_t changes = 0;
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	va_start(ap, types);
	s = bound(tx->st->wdb, &tx->st->wcache, sql, types, ap, &rc);
	va_end(ap);
	if (s != NULL)
		rc = run_stmt(tx->st->wdb, s, NULL, NULL, &changes);
	return rc < 0 ? rc : changes;
}

int store_tx_query(struct store_tx *tx, const char *sql, store_row_cb cb, void *arg,
                   const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	va_start(ap, types);
	s = bound(tx->st->wdb, &tx->st->wcache, sql, types, ap, &rc);
	va_end(ap);
	return s != NULL ? run_stmt(tx->st->wdb, s, cb, arg, NULL) : rc;
}

int64_t store_tx_last_id(struct store_tx *tx)
{
	return sqlite3_last_insert_rowid(tx->st->wdb);
}

int store_read(struct store *st, const char *sql, store_row_cb cb, void *arg, const char *types,
               ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	va_start(ap, types);
	s = bound(st->rdb, &st->rcache, sql, types, ap, &rc);
	va_end(ap);
	return s != NULL ? run_stmt(st->rdb, s, cb, arg, NULL) : rc;
}

int store_ok(int64_t rc)
{
	return rc < 0 ? (int)rc : 0;
}

int store_row_to_int(void *arg, struct store_row *row)
{
	*(int64_t *)arg = store_row_int(row, 0);
	return 0;
}

int64_t store_row_int(struct store_row *row, int i)
{
	return sqlite3_column_int64(row->s, i);
}

const char *store_row_text(struct store_row *row, int i)
{
	return (const char *)sqlite3_column_text(row->s, i);
}

char *store_row_dup(struct store_row *row, int i)
{
	const unsigned char *t = sqlite3_column_text(row->s, i);

	return t != NULL ? strdup((const char *)t) : NULL;
}

int store_row_is_null(struct store_row *row, int i)
{
	return sqlite3_column_type(row->s, i) == SQLITE_NULL;
}

static int run_event_append(struct store *st, struct store_job *job)
{
	sqlite3_stmt *s = st->w_event;
	int rc;

	sqlite3_bind_int64(s, 1, job->u.ev.case_id);
	sqlite3_bind_int64(s, 2, job->u.ev.at_ms);
	if (job->u.ev.elapsed_us >= 0)
		sqlite3_bind_int64(s, 3, job->u.ev.elapsed_us);
	else
		sqlite3_bind_null(s, 3);
	bind_text(s, 4, event_kind_name(job->u.ev.kind));
	bind_text(s, 5, job->u.ev.actor);
	bind_text(s, 6, job->u.ev.detail);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		log_warnx("store: append event %s: %s", event_kind_name(job->u.ev.kind),
		          sqlite3_errmsg(st->wdb));
	return errno_of(rc);
}

static int run_job(struct store *st, struct store_job *job)
{
	struct store_tx tx = {st};

	switch (job->kind) {
	case JOB_CASE_INSERT: return run_case_insert(st, job->u.nc);
	case JOB_EVENT_APPEND: return run_event_append(st, job);
	case JOB_WRITE: return job->u.w.fn(&tx, job->u.w.arg);
	}
	return -EINVAL;
}

static void run_batch(struct store *st, struct store_job *batch)
{
	int rc = exec(st->wdb, "BEGIN IMMEDIATE");
	int ok = 0;

	for (struct store_job *j = batch; j != NULL; j = j->next) {
		if (rc < 0) {
			j->status = rc;
			continue;
		}
		j->status = exec(st->wdb, "SAVEPOINT job");
		if (j->status == 0) {
			j->status = run_job(st, j);
			if (j->status < 0 && sqlite3_get_autocommit(st->wdb)) {
				/* SQLite rolled back the whole transaction (a full disk,
				 * an I/O error, RAISE(ROLLBACK)): the jobs before this one
				 * are gone too, and the ones after it must not run
				 * outside a transaction. All of the batch fails. */
				rc = j->status;
				log_error(rc, "store: the transaction of %d writes was rolled back",
				          ok + 1);
				for (struct store_job *k = batch; k != NULL; k = k->next)
					k->status = rc;
				return;
			}
			if (j->status < 0)
				exec(st->wdb, "ROLLBACK TO job");
			exec(st->wdb, "RELEASE job");
		}
		if (j->status == 0)
			ok++;
	}
	if (rc < 0)
		return;
	rc = exec(st->wdb, "COMMIT");
	if (rc < 0) {
		exec(st->wdb, "ROLLBACK");
		for (struct store_job *j = batch; j != NULL; j = j->next)
			if (j->status == 0)
				j->status = rc;
		log_error(rc, "store: commit of %d writes failed", ok);
	}
}

static void *writer_main(void *arg)
{
	struct store *st = arg;

	for (;;) {
		struct store_job *batch;
		struct store_job *last;
		int n = 1;

		pthread_mutex_lock(&st->mu);
		while (st->in_head == NULL && !st->stopping)
			pthread_cond_wait(&st->cv, &st->mu);
		if (st->in_head == NULL) {
			pthread_mutex_unlock(&st->mu);
			break;
		}
		batch = last = st->in_head;
		while (last->next != NULL && n < STORE_BATCH) {
			last = last->next;
			n++;
		}
		st->in_head = last->next;
		if (st->in_head == NULL)
			st->in_tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&st->mu);

		run_batch(st, batch);

		pthread_mutex_lock(&st->mu);
		if (st->out_tail != NULL)
			st->out_tail->next = batch;
		else
			st->out_head = batch;
		st->out_tail = last;
		pthread_mutex_unlock(&st->mu);
		uv_async_send(&st->async);
	}
	return NULL;
}

/* ---- loop side ---- */

static void on_store_closed(uv_handle_t *h)
{
	struct store *st = h->data;

	if (--st->handles <= 0)
		free(st);
}

static void job_free(struct store_job *job)
{
	if (job->kind == JOB_EVENT_APPEND) {
		free(job->u.ev.actor);
		free(job->u.ev.detail);
	}
	free(job);
}

static void drain_done(struct store *st)
{
	struct store_job *list;

	pthread_mutex_lock(&st->mu);
	list = st->out_head;
	st->out_head = st->out_tail = NULL;
	pthread_mutex_unlock(&st->mu);
	bool committed = false;

	while (list != NULL) {
		struct store_job *next = list->next;

		st->pending--;
		committed |= list->status == 0;
		if (list->cb != NULL)
			list->cb(list->arg, list->status);
		job_free(list);
		list = next;
	}
	if (committed && st->commit_hook != NULL)
		st->commit_hook(st->commit_hook_arg);
}

void store_set_commit_hook(struct store *st, void (*fn)(void *arg), void *arg)
{
	st->commit_hook = fn;
	st->commit_hook_arg = arg;
}

static void on_writes_done(uv_async_t *h)
{
	drain_done(h->data);
}

/* Moves the deferred events to the writer's queue; ST->mu is held. */
static void splice_deferred(struct store *st)
{
	if (st->def_head == NULL)
		return;
	if (st->in_tail != NULL)
		st->in_tail->next = st->def_head;
	else
		st->in_head = st->def_head;
	st->in_tail = st->def_tail;
	st->def_head = st->def_tail = NULL;
}

static int submit(struct store *st, struct store_job *job)
{
	pthread_mutex_lock(&st->mu);
	if (st->stopping) {
		pthread_mutex_unlock(&st->mu);
		job_free(job);
		return -ESHUTDOWN;
	}
	/* Deferred events ride along in the same batch, sharing its fsync. */
	splice_deferred(st);
	job->next = NULL;
	if (st->in_tail != NULL)
		st->in_tail->next = job;
	else
		st->in_head = job;
	st->in_tail = job;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	st->pending++;
	return 0;
}

int store_write(struct store *st, store_write_fn fn, void *arg, store_done_cb cb, void *cb_arg)
{
	struct store_job *job = calloc(1, sizeof *job);

	if (job == NULL)
		return -ENOMEM;
	job->kind = JOB_WRITE;
	job->cb = cb;
	job->arg = cb_arg;
	job->u.w.fn = fn;
	job->u.w.arg = arg;
	return submit(st, job);
}

int store_case_insert(struct store *st, struct store_case_new *nc, store_done_cb cb, void *arg)
{
	struct store_job *job = calloc(1, sizeof *job);

	if (job == NULL)
		return -ENOMEM;
	job->kind = JOB_CASE_INSERT;
	job->cb = cb;
	job->arg = arg;
	job->u.nc = nc;
	return submit(st, job);
}

static struct store_job *event_job(int64_t case_id, int64_t at_ms, int64_t elapsed_us,
                                   enum event_kind kind, const char *actor, const char *detail,
                                   store_done_cb cb, void *arg)
{
	struct store_job *job = calloc(1, sizeof *job);

	if (job == NULL)
		return NULL;
	job->kind = JOB_EVENT_APPEND;
	job->cb = cb;
	job->arg = arg;
	job->u.ev.case_id = case_id;
	job->u.ev.at_ms = at_ms;
	job->u.ev.elapsed_us = elapsed_us;
	job->u.ev.kind = kind;
	job->u.ev.actor = actor != NULL ? strdup(actor) : NULL;
	job->u.ev.detail = detail != NULL ? strdup(detail) : NULL;
	if (event_kind_name(kind) == NULL || (actor != NULL && job->u.ev.actor == NULL) ||
	    (detail != NULL && job->u.ev.detail == NULL)) {
		job_free(job);
		return NULL;
	}
	return job;
}

int store_event_append(struct store *st, int64_t case_id, int64_t at_ms, int64_t elapsed_us,
                       enum event_kind kind, const char *actor, const char *detail,
                       store_done_cb cb, void *arg)
{
	struct store_job *job = event_job(case_id, at_ms, elapsed_us, kind, actor, detail, cb, arg);

	return job != NULL ? submit(st, job) : -ENOMEM;
}

static void on_def_timer(uv_timer_t *t)
{
	struct store *st = t->data;

	pthread_mutex_lock(&st->mu);
	splice_deferred(st);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

int store_event_defer(struct store *st, int64_t case_id, int64_t at_ms, int64_t elapsed_us,
                      enum event_kind kind, const char *actor, const char *detail)
{
	struct store_job *job;

	if (st->stopping)
		return -ESHUTDOWN;
	job = event_job(case_id, at_ms, elapsed_us, kind, actor, detail, NULL, NULL);
	if (job == NULL)
		return -ENOMEM;
	if (st->def_tail != NULL)
		st->def_tail->next = job;
	else
		st->def_head = job;
	st->def_tail = job;
	st->pending++;
	if (!uv_is_active((uv_handle_t *)&st->def_timer))
		uv_timer_start(&st->def_timer, on_def_timer, STORE_DEFER_MS, 0);
	return 0;
}

unsigned store_pending(const struct store *st)
{
	return st->pending;
}

static char *column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? strdup((const char *)t) : NULL;
}

static void column_copy(sqlite3_stmt *s, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(dst, n, "%s", t != NULL ? (const char *)t : "");
}

static int load_events(struct store *st, struct case_record *rec)
{
	sqlite3_stmt *s = st->r_events;
	size_t cap = 0;
	int rc;

	sqlite3_bind_int64(s, 1, rec->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct case_event *ev;

		if (rec->nevents == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 8;
			struct case_event *e = realloc(rec->events, ncap * sizeof *e);

			if (e == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			rec->events = e;
			cap = ncap;
		}
		ev = &rec->events[rec->nevents++];
		ev->at_ms = sqlite3_column_int64(s, 0);
		ev->elapsed_us =
		    sqlite3_column_type(s, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 1);
		ev->kind = column_dup(s, 2);
		ev->actor = column_dup(s, 3);
		ev->detail = column_dup(s, 4);
		if (ev->kind == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : errno_of(rc);
}

int store_case_load(struct store *st, const char *ref, struct case_record **out)
{
	sqlite3_stmt *s = st->r_case;
	struct case_record *rec;
	int rc;

	rec = calloc(1, sizeof *rec);
	if (rec == NULL)
		return -ENOMEM;
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		free(rec);
		return rc == SQLITE_DONE ? -ENOENT : errno_of(rc);
	}
	rec->id = sqlite3_column_int64(s, 0);
	column_copy(s, 1, rec->ref, sizeof rec->ref);
	if (sqlite3_column_bytes(s, 2) == TOKEN_HASH_LEN)
		memcpy(rec->token_hash, sqlite3_column_blob(s, 2), TOKEN_HASH_LEN);
	rec->token_expires_ms = sqlite3_column_int64(s, 3);
	rec->token_revoked = sqlite3_column_int(s, 4) != 0;
	rec->channel = column_dup(s, 5);
	rec->incident_type = column_dup(s, 6);
	case_tri_parse((const char *)sqlite3_column_text(s, 7), &rec->still_happening);
	case_tri_parse((const char *)sqlite3_column_text(s, 8), &rec->money_involved);
	case_tri_parse((const char *)sqlite3_column_text(s, 9), &rec->personal_data);
	case_noticed_parse((const char *)sqlite3_column_text(s, 10), &rec->noticed);
	rec->noticed_at_ms = sqlite3_column_int64(s, 11);
	column_copy(s, 12, rec->prefecture, sizeof rec->prefecture);
	rec->company = column_dup(s, 13);
	rec->name = column_dup(s, 14);
	rec->phone = column_dup(s, 15);
	rec->email = column_dup(s, 16);
	rec->description = column_dup(s, 17);
	lang_parse((const char *)sqlite3_column_text(s, 18), &rec->lang);
	rec->state = column_dup(s, 19);
	rec->received_ms = sqlite3_column_int64(s, 20);
	case_tri_parse((const char *)sqlite3_column_text(s, 21), &rec->sensitive_data);
	case_tri_parse((const char *)sqlite3_column_text(s, 22), &rec->financial_harm);
	case_tri_parse((const char *)sqlite3_column_text(s, 23), &rec->over_1000);
	case_los_parse((const char *)sqlite3_column_text(s, 24), &rec->lost_or_stolen);
	sqlite3_reset(s);
	if (rec->channel == NULL || rec->incident_type == NULL || rec->company == NULL ||
	    rec->name == NULL || rec->phone == NULL || rec->state == NULL) {
		case_record_free(rec);
		return -ENOMEM;
	}
	rc = load_events(st, rec);
	if (rc < 0) {
		case_record_free(rec);
		return rc;
	}
	*out = rec;
	return 0;
}

int64_t store_case_count(struct store *st)
{
	int64_t n;
	int rc = sqlite3_step(st->r_count);

	n = rc == SQLITE_ROW ? sqlite3_column_int64(st->r_count, 0) : errno_of(rc);
	sqlite3_reset(st->r_count);
	return n;
}

/* ---- sealed columns (seal.h) ---- */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The plaintext of the sealed IN (LEN bytes) for LABEL, in sqlite3_malloc'd
 * memory with its length in *N; or NULL with the error set on CTX. */
static unsigned char *open_value(sqlite3_context *ctx, const struct seal_ring *ring,
                                 const char *label, const unsigned char *in, int len, long *n)
{
	unsigned char *out = sqlite3_malloc(len);

	if (out == NULL) {
		sqlite3_result_error_nomem(ctx);
		return NULL;
	}
	*n = seal_open(ring, label, in, (size_t)len, out);
	if (*n < 0) {
		sqlite3_free(out);
		sqlite3_result_error(ctx,
		                     *n == -ENOKEY
		                         ? "a reporter's detail is sealed with a key that "
		                           "the key file does not hold"
		                         : "a reporter's detail does not open: the value "
		                           "is damaged or was moved from another column",
		                     -1);
		return NULL;
	}
	return out;
}

/* seal(VALUE, COLUMN): VALUE sealed under the ring's first key; NULL stays
 * NULL, a value already sealed under that key is returned as it is, one
 * under an older key is re-sealed. */
static void sql_seal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct seal_ring *ring = sqlite3_user_data(ctx);
	const char *label = (const char *)sqlite3_value_text(argv[1]);
	const unsigned char *in;
	unsigned char *plain = NULL, *out;
	char id[SEAL_ID_HEX_LEN + 1], cur[SEAL_ID_HEX_LEN + 1];
	long n;
	int len;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || label == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_BLOB) {
		in = sqlite3_value_blob(argv[0]);
		len = sqlite3_value_bytes(argv[0]);
		if (seal_is_sealed(in, (size_t)len, id)) {
			seal_ring_current_id(ring, cur);
			if (strcmp(id, cur) == 0) {
				sqlite3_result_value(ctx, argv[0]);
				return;
			}
			plain = open_value(ctx, ring, label, in, len, &n);
			if (plain == NULL)
				return;
			in = plain;
			len = (int)n;
		}
	} else {
		in = sqlite3_value_text(argv[0]);
		len = sqlite3_value_bytes(argv[0]);
	}
	if (len > SEAL_VALUE_MAX) {
		sqlite3_free(plain);
		sqlite3_result_error_toobig(ctx);
		return;
	}
	out = sqlite3_malloc(len + SEAL_OVERHEAD);
	if (out == NULL) {
		sqlite3_free(plain);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	n = seal_box(ring, label, in, (size_t)len, out);
	if (plain != NULL) {
		sodium_memzero(plain, (size_t)len);
		sqlite3_free(plain);
	}
	sqlite3_result_blob(ctx, out, (int)n, sqlite3_free);
}

/* unseal(VALUE, COLUMN): the text of a sealed VALUE; anything else (NULL,
 * the plain text of a constant or a marker) as it is. */
static void sql_unseal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct seal_ring *ring = sqlite3_user_data(ctx);
	const char *label = (const char *)sqlite3_value_text(argv[1]);
	const unsigned char *in;
	unsigned char *out;
	long n;
	int len;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || label == NULL) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	in = sqlite3_value_blob(argv[0]);
	len = sqlite3_value_bytes(argv[0]);
	if (!seal_is_sealed(in, (size_t)len, NULL)) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	out = open_value(ctx, ring, label, in, len, &n);
	if (out == NULL)
		return;
	sqlite3_result_text(ctx, (char *)out, (int)n, sqlite3_free);
}

/* seal_key(TEXT): a keyed hash of TEXT (seal_hash); NULL stays NULL. */
static void sql_seal_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *in = sqlite3_value_text(argv[0]);
	char out[33];

	(void)argc;
	if (in == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	seal_hash(sqlite3_user_data(ctx), in, (size_t)sqlite3_value_bytes(argv[0]), out);
	sqlite3_result_text(ctx, out, 32, SQLITE_TRANSIENT);
}

static int register_seal(sqlite3 *db, struct seal_ring *ring)
{
	int rc = sqlite3_create_function_v2(db, "seal", 2, SQLITE_UTF8, ring, sql_seal, NULL, NULL,
	                                    NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "unseal", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
		                                ring, sql_unseal, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "seal_key", 1,
		                                SQLITE_UTF8 | SQLITE_DETERMINISTIC, ring,
		                                sql_seal_key, NULL, NULL, NULL);
	return errno_of(rc);
}

static int64_t query_int(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *s = NULL;
	int64_t v;
	int rc = prepare(db, sql, &s);

	if (rc < 0)
		return rc;
	if (arg != NULL)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : errno_of(rc);
	sqlite3_finalize(s);
	return v;
}

static bool has_seal_keys(sqlite3 *db)
{
	return query_int(db,
	                 "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
	                 " AND name = 'seal_keys'",
	                 NULL) > 0 &&
	       query_int(db, "SELECT count(*) FROM seal_keys", NULL) > 0;
}

/* Loads (or, for a store that seals nothing yet, creates) the key file
 * KEY_PATH into ST->ring and locks it shared. */
static int load_ring(struct store *st, const char *key_path)
{
	char why[200] = "";
	bool created = false;
	int rc = seal_ring_load(&st->ring, key_path, false, NULL, why, sizeof why);

	if (rc == -ENOENT) {
		if (has_seal_keys(st->wdb)) {
			log_errorx(
			    "store: the store holds reporters' details sealed with a key, and "
			    "the key file %s is missing: put it back from where its copy is "
			    "kept ([store] key_file names it)",
			    key_path);
			return -ENOKEY;
		}
		rc = seal_ring_load(&st->ring, key_path, true, &created, why, sizeof why);
	}
	if (rc == -EINVAL) {
		log_errorx("store: the key file %s: %s", key_path, why);
		return rc;
	}
	if (rc < 0) {
		log_error(rc, "store: cannot read the key file %s", key_path);
		return rc;
	}
	if (created)
		log_info(
		    "store: created the key file %s (mode 0600) that seals reporters' details: "
		    "keep a copy apart from the database's backups",
		    key_path);
	else
		owner_only(key_path, 0600);
	st->key_fd = open(key_path, O_RDONLY | O_CLOEXEC);
	if (st->key_fd < 0 || flock(st->key_fd, LOCK_SH) < 0) {
		rc = -errno;
		log_error(rc, "store: cannot lock the key file %s", key_path);
		return rc;
	}
	return 0;
}

/* After the migrations: every key that seals something must be in the ring,
 * and the ring's sealing key is recorded. */
static int check_ring(struct store *st, const char *key_path)
{
	sqlite3_stmt *s = NULL;
	char cur[SEAL_ID_HEX_LEN + 1];
	int rc = prepare(st->wdb, "SELECT id FROM seal_keys", &s);

	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);

		if (id != NULL && !seal_ring_has(st->ring, id)) {
			log_errorx(
			    "store: reporters' details are sealed with key %s, which the key "
			    "file %s does not hold: is it the right key file?",
			    id, key_path);
			sqlite3_finalize(s);
			return -ENOKEY;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return errno_of(rc);
	seal_ring_current_id(st->ring, cur);
	s = NULL;
	rc = prepare(st->wdb,
	             "INSERT INTO seal_keys (id, added_ms) VALUES ($1, $2) ON CONFLICT DO NOTHING",
	             &s);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(s, 1, cur, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, wall_ms());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : errno_of(rc);
}

/* ---- counts for the gauges (metrics.c) ---- */

static int64_t count_of(struct store *st, const char *sql)
{
	int64_t n = 0;
	int rc = store_read(st, sql, store_row_to_int, &n, "");

	return rc < 0 ? rc : n;
}

int64_t store_cases_open(struct store *st)
{
	return count_of(st, "SELECT count(*) FROM cases WHERE state <> 'resolved'");
}

int64_t store_outbox_pending(struct store *st)
{
	return count_of(st, "SELECT count(*) FROM outbox WHERE state = 'pending'");
}

static int open_db(const char *path, int flags, sqlite3 **out)
{
	int rc = sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		log_errorx("store: open %s: %s", path,
		           *out != NULL ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
		sqlite3_close(*out);
		*out = NULL;
		return errno_of(rc) != 0 ? errno_of(rc) : -EIO;
	}
	sqlite3_busy_timeout(*out, STORE_BUSY_MS);
	sqlite3_extended_result_codes(*out, 1);
	return 0;
}

int store_open(struct store **out, uv_loop_t *loop, const char *path, const char *key_path)
{
	struct store *st = calloc(1, sizeof *st);
	char key_default[4096 + 8];
	int rc;

	if (st == NULL)
		return -ENOMEM;
	st->loop = loop;
	st->key_fd = -1;
	if (key_path == NULL || key_path[0] == '\0') {
		snprintf(key_default, sizeof key_default, "%s.key", path);
		key_path = key_default;
	}
	snprintf(st->key_path, sizeof st->key_path, "%s", key_path);
	rc = mkdir_parent(path);
	if (rc < 0) {
		log_error(rc, "store: cannot create the folder of %s", path);
		free(st);
		return rc;
	}
	rc = secure_files(path);
	if (rc < 0) {
		log_error(rc, "store: cannot create %s", path);
		free(st);
		return rc;
	}
	rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &st->wdb);
	if (rc < 0)
		goto bad;
	rc = load_ring(st, key_path);
	if (rc == 0)
		rc = register_seal(st->wdb, st->ring);
	if (rc == 0)
		rc = exec(st->wdb, "PRAGMA journal_mode=WAL");
	if (rc == 0)
		rc = exec(st->wdb, "PRAGMA synchronous=FULL");
	if (rc == 0)
		rc = exec(st->wdb, "PRAGMA foreign_keys=ON");
	/* Savepoints' statement journals and sorts stay in memory: no temp
	 * file created and deleted for every batch. */
	if (rc == 0)
		rc = exec(st->wdb, "PRAGMA temp_store=MEMORY");
	/* What is deleted or overwritten (a purge, a re-seal) is zeroed in
	 * the file, not left in free pages. */
	if (rc == 0)
		rc = exec(st->wdb, "PRAGMA secure_delete=ON");
	if (rc == 0)
		rc = migrate(st->wdb);
	if (rc == 0)
		rc = check_ring(st, key_path);
	if (rc < 0)
		goto bad;
	rc = prepare(
	    st->wdb,
	    "INSERT INTO cases (ref, token_hash, token_expires_ms, channel, incident_type,"
	    " still_happening, money_involved, personal_data, noticed, noticed_at_ms, prefecture,"
	    " company, name, phone, email, description, lang, received_ms, sensitive_data,"
	    " financial_harm, over_1000, lost_or_stolen)"
	    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11, seal($12, 'cases.company'), seal($13, "
	    "'cases.name'),"
	    " seal($14, 'cases.phone'), seal($15, 'cases.email'), seal($16, 'cases.description'), "
	    "$17,$18,"
	    " $19,$20,$21,$22)",
	    &st->w_case);
	if (rc == 0)
		rc = prepare(st->wdb,
		             "INSERT INTO events (case_id, at_ms, elapsed_us, kind, actor, detail)"
		             " VALUES ($1,$2,$3,$4,$5, seal($6, 'events.detail'))",
		             &st->w_event);
	if (rc < 0)
		goto bad;

	rc = open_db(path, SQLITE_OPEN_READONLY, &st->rdb);
	if (rc == 0)
		rc = register_seal(st->rdb, st->ring);
	if (rc < 0)
		goto bad;
	rc = prepare(
	    st->rdb,
	    "SELECT id, ref, token_hash, token_expires_ms, token_revoked, channel, incident_type,"
	    " still_happening, money_involved, personal_data, noticed, noticed_at_ms, prefecture,"
	    " unseal(company, 'cases.company'), unseal(name, 'cases.name'),"
	    " unseal(phone, 'cases.phone'), unseal(email, 'cases.email'),"
	    " unseal(description, 'cases.description'), lang, state, received_ms,"
	    " sensitive_data, financial_harm, over_1000, lost_or_stolen"
	    " FROM cases WHERE ref = $1",
	    &st->r_case);
	if (rc == 0)
		rc =
		    prepare(st->rdb,
		            "SELECT at_ms, elapsed_us, kind, actor, unseal(detail, 'events.detail')"
		            " FROM events WHERE case_id = $1 ORDER BY id",
		            &st->r_events);
	if (rc == 0)
		rc = prepare(st->rdb, "SELECT count(*) FROM cases", &st->r_count);
	if (rc < 0)
		goto bad;

	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->cv, NULL);
	rc = uv_async_init(loop, &st->async, on_writes_done);
	if (rc < 0)
		goto bad_sync;
	st->async.data = st;
	st->handles = 1;
	rc = -pthread_create(&st->thread, NULL, writer_main, st);
	if (rc < 0) {
		uv_close((uv_handle_t *)&st->async, on_store_closed);
		goto bad_sync;
	}
	st->thread_started = true;
	uv_timer_init(loop, &st->def_timer);
	st->def_timer.data = st;
	st->handles = 2;
	*out = st;
	return 0;
bad_sync:
	pthread_cond_destroy(&st->cv);
	pthread_mutex_destroy(&st->mu);
bad:
	sqlite3_finalize(st->w_case);
	sqlite3_finalize(st->w_event);
	sqlite3_finalize(st->r_case);
	sqlite3_finalize(st->r_events);
	sqlite3_finalize(st->r_count);
	sqlite3_close(st->rdb);
	sqlite3_close(st->wdb);
	seal_ring_free(st->ring);
	if (st->key_fd >= 0)
		close(st->key_fd);
	/* The async handle, if it was initialised, is closed above and needs
	 * the loop to run once before the struct may go; keep it then. */
	if (!uv_is_closing((uv_handle_t *)&st->async))
		free(st);
	return rc;
}

int store_lock_exclusive(struct store *st)
{
	return flock(st->key_fd, LOCK_EX | LOCK_NB) < 0 ? -errno : 0;
}

const struct seal_ring *store_ring(const struct store *st)
{
	return st->ring;
}

const char *store_key_path(const struct store *st)
{
	return st->key_path;
}

/* Every sealed value again under the ring's first key (seal() re-seals
 * what an older key sealed); plain text (markers, constants) stays. */
static const char *const sql_reseal[] = {
    "UPDATE cases SET"
    " company = CASE WHEN typeof(company) = 'blob' THEN seal(company, 'cases.company')"
    " ELSE company END,"
    " name = CASE WHEN typeof(name) = 'blob' THEN seal(name, 'cases.name') ELSE name END,"
    " phone = CASE WHEN typeof(phone) = 'blob' THEN seal(phone, 'cases.phone') ELSE phone END,"
    " email = CASE WHEN typeof(email) = 'blob' THEN seal(email, 'cases.email') ELSE email END,"
    " description = CASE WHEN typeof(description) = 'blob'"
    " THEN seal(description, 'cases.description') ELSE description END",
    "UPDATE events SET detail = seal(detail, 'events.detail') WHERE typeof(detail) = 'blob'",
    "UPDATE outbox SET body = seal(body, 'outbox.body') WHERE typeof(body) = 'blob'",
    "UPDATE outbox SET recipient = seal(recipient, 'outbox.recipient')"
    " WHERE typeof(recipient) = 'blob'",
    "UPDATE conversations SET answers = seal(answers, 'conversations.answers')"
    " WHERE typeof(answers) = 'blob'",
};

/* ---- the purge (kakekomictl purge) ---- */

static const char sql_purge_pick[] =
    "INSERT INTO purge_ids (id) SELECT c.id FROM cases c WHERE c.company IS NOT '(purged)'"
    " AND ((c.state = 'resolved' AND EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id"
    " AND e.kind = 'resolved' AND e.at_ms < $1))"
    " OR ($2 AND c.state <> 'resolved' AND c.received_ms < $1))";
/* Every message of the case but the webhook events (which carry no
 * details): alerts with the description's excerpt, the contact details
 * sent on an ack, receipts, replies and reminders; the reporter's own
 * address goes too, and what had not gone out yet never will. */
static const char sql_purge_outbox[] =
    "UPDATE outbox SET body = '(purged)', subject = NULL,"
    " recipient = CASE WHEN recipient IS (SELECT reporter_jid FROM cases WHERE id = outbox.case_id)"
    " OR kind IN ('receipt', 'reply') OR typeof(recipient) = 'blob' THEN '(purged)'"
    " ELSE recipient END, rkey = NULL, dkey = NULL,"
    " last_error = CASE WHEN state = 'pending' THEN 'purged' ELSE last_error END,"
    " state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END"
    " WHERE case_id IN (SELECT id FROM purge_ids) AND channel <> 'webhook'";
static const char sql_purge_chats[] =
    "DELETE FROM conversations WHERE updated_ms < $1 AND jid IN"
    " (SELECT reporter_jid FROM cases WHERE id IN (SELECT id FROM purge_ids))";
/* Free text on the timeline is a note (from the dashboard or chat): the
 * one change the append-only trigger allows besides a re-seal. */
static const char sql_purge_notes[] =
    "UPDATE events SET detail = '" STORE_PURGED_NOTE "'"
    " WHERE case_id IN (SELECT id FROM purge_ids) AND detail IS NOT '" STORE_PURGED_NOTE "'"
    " AND CASE WHEN json_valid(unseal(detail, 'events.detail'))"
    " THEN json_extract(unseal(detail, 'events.detail'), '$.note') END IS NOT NULL";
/* The record of a message sent to the reporter names the address. */
static const char sql_purge_notified[] =
    "UPDATE events SET detail = '" STORE_PURGED_DETAIL "'"
    " WHERE case_id IN (SELECT id FROM purge_ids) AND kind = 'notified'"
    " AND detail IS NOT '" STORE_PURGED_DETAIL "'"
    " AND CASE WHEN json_valid(unseal(detail, 'events.detail'))"
    " THEN json_extract(unseal(detail, 'events.detail'), '$.kind') IN ('receipt', 'reminder')"
    " OR lower(json_extract(unseal(detail, 'events.detail'), '$.to')) IS lower((SELECT"
    " unseal(email, 'cases.email') FROM cases WHERE id = events.case_id)) END";
static const char sql_purge_mark[] =
    "INSERT INTO events (case_id, at_ms, kind, actor, detail)"
    " SELECT id, $1, 'details_purged', 'kakekomictl', NULL FROM purge_ids";
static const char sql_purge_cases[] =
    "UPDATE cases SET company = '(purged)', name = '(purged)', phone = '', email = NULL,"
    " description = NULL, reporter_jid = NULL, token_revoked = 1"
    " WHERE id IN (SELECT id FROM purge_ids)";

int store_tx_purge(struct store_tx *tx, int64_t before_ms, bool include_open, int64_t now_ms,
                   struct store_purge *out)
{
	int64_t rc;

	memset(out, 0, sizeof *out);
	rc = store_tx_exec(tx, "CREATE TEMP TABLE IF NOT EXISTS purge_ids (id INTEGER PRIMARY KEY)",
	                   "");
	if (rc >= 0)
		rc = store_tx_exec(tx, "DELETE FROM purge_ids", "");
	if (rc >= 0)
		rc = store_tx_exec(tx, sql_purge_pick, "ib", before_ms, include_open);
	if (rc >= 0)
		rc = out->messages = store_tx_exec(tx, sql_purge_outbox, "");
	if (rc >= 0)
		rc = out->chats = store_tx_exec(tx, sql_purge_chats, "i", before_ms);
	if (rc >= 0)
		rc = out->notes = store_tx_exec(tx, sql_purge_notes, "");
	if (rc >= 0)
		rc = store_tx_exec(tx, sql_purge_notified, "");
	if (rc >= 0)
		rc = store_tx_exec(tx, sql_purge_mark, "i", now_ms);
	if (rc >= 0)
		rc = out->cases = store_tx_exec(tx, sql_purge_cases, "");
	return store_ok(rc);
}

int store_tx_reseal(struct store_tx *tx, int64_t *rows)
{
	char cur[SEAL_ID_HEX_LEN + 1];
	int64_t rc = 0;

	*rows = 0;
	for (size_t i = 0; i < sizeof sql_reseal / sizeof sql_reseal[0] && rc >= 0; i++) {
		rc = store_tx_exec(tx, sql_reseal[i], "");
		if (rc > 0)
			*rows += rc;
	}
	seal_ring_current_id(tx->st->ring, cur);
	if (rc >= 0)
		rc = store_tx_exec(tx, "DELETE FROM seal_keys WHERE id <> $1", "t", cur);
	if (rc >= 0)
		rc = store_tx_exec(
		    tx,
		    "INSERT INTO seal_keys (id, added_ms) VALUES ($1, $2) ON CONFLICT DO NOTHING",
		    "ti", cur, wall_ms());
	return store_ok(rc);
}

void store_drain(struct store *st)
{
	if (st == NULL)
		return;
	pthread_mutex_lock(&st->mu);
	splice_deferred(st);
	st->stopping = true;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	if (st->thread_started && !st->joined) {
		pthread_join(st->thread, NULL);
		st->joined = true;
	}
	drain_done(st);
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_drain(st);
	sqlite3_finalize(st->w_case);
	sqlite3_finalize(st->w_event);
	sqlite3_finalize(st->r_case);
	sqlite3_finalize(st->r_events);
	sqlite3_finalize(st->r_count);
	cache_clear(&st->wcache);
	cache_clear(&st->rcache);
	sqlite3_close(st->rdb);
	sqlite3_close(st->wdb);
	seal_ring_free(st->ring);
	st->ring = NULL;
	if (st->key_fd >= 0)
		close(st->key_fd);
	st->key_fd = -1;
	pthread_cond_destroy(&st->cv);
	pthread_mutex_destroy(&st->mu);
	uv_close((uv_handle_t *)&st->async, on_store_closed);
	if (st->thread_started)
		uv_close((uv_handle_t *)&st->def_timer, on_store_closed);
}
