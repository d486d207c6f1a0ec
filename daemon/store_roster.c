/* SPDX-License-Identifier: ISC */
/*
 * store_roster — specialists and schedules in the store; see
 * store_roster.h.
 */
#include "store_roster.h"

#include <errno.h>

static const char sql_specialists_delete[] = "DELETE FROM specialists";
static const char sql_specialist_insert[] =
    "INSERT INTO specialists (id, name, jid, email, phone, prefectures, specialties, languages,"
    " onsite, first_consult_free, active) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)";
static const char sql_version_bump[] =
    "UPDATE meta SET value = value + 1 WHERE key = 'roster_version'";
static const char sql_rotation_insert[] = "INSERT INTO rotations (scope, period, handoff, tz, "
                                          "start_ms, members) VALUES ($1,$2,$3,$4,$5,$6)";
static const char sql_rotation_delete[] = "DELETE FROM rotations WHERE id = $1";
static const char sql_override_insert[] =
    "INSERT INTO overrides (scope, specialist_id, start_ms, end_ms) VALUES ($1,$2,$3,$4)";
static const char sql_override_delete[] = "DELETE FROM overrides WHERE id = $1";
static const char sql_specialists_select[] =
    "SELECT id, name, jid, email, phone, prefectures, specialties, languages, onsite,"
    " first_consult_free, active FROM specialists ORDER BY id";
static const char sql_rotations_select[] =
    "SELECT id, scope, period, handoff, tz, start_ms, members FROM rotations ORDER BY id";
static const char sql_overrides_select[] =
    "SELECT id, scope, specialist_id, start_ms, end_ms FROM overrides ORDER BY id";
static const char sql_version_select[] = "SELECT value FROM meta WHERE key = 'roster_version'";

int store_specialists_clear(struct store_tx *tx)
{
	return store_ok(store_tx_exec(tx, sql_specialists_delete, ""));
}

int store_specialist_add(struct store_tx *tx, const struct store_specialist *s)
{
	return store_ok(store_tx_exec(tx, sql_specialist_insert, "ttttttttbbb", s->id, s->name,
	                              s->jid, s->email, s->phone, s->prefectures, s->specialties,
	                              s->languages, (int)s->onsite, (int)s->first_consult_free,
	                              (int)s->active));
}

/* RC, what store_tx_exec said of an INSERT: 0 with the new row's id in
 * *ID, or RC's negative errno. */
static int inserted(struct store_tx *tx, int64_t rc, int64_t *id)
{
	if (rc < 0)
		return (int)rc;
	*id = store_tx_last_id(tx);
	return 0;
}

int store_rotation_add(struct store_tx *tx, const struct store_rotation *r, int64_t *id)
{
	return inserted(tx,
	                store_tx_exec(tx, sql_rotation_insert, "ttttit", r->scope, r->period,
	                              r->handoff, r->tz, r->start_ms, r->members),
	                id);
}

int store_override_add(struct store_tx *tx, const struct store_override *o, int64_t *id)
{
	return inserted(tx,
	                store_tx_exec(tx, sql_override_insert, "ttii", o->scope, o->specialist,
	                              o->start_ms, o->end_ms),
	                id);
}

static int remove_row(struct store_tx *tx, const char *sql, int64_t id)
{
	int64_t rc = store_tx_exec(tx, sql, "i", id);

	return rc < 0 ? (int)rc : rc == 0 ? -ENOENT : 0;
}

int store_rotation_remove(struct store_tx *tx, int64_t id)
{
	return remove_row(tx, sql_rotation_delete, id);
}

int store_override_remove(struct store_tx *tx, int64_t id)
{
	return remove_row(tx, sql_override_delete, id);
}

int store_roster_bump(struct store_tx *tx)
{
	return store_ok(store_tx_exec(tx, sql_version_bump, ""));
}

struct each {
	int (*specialist)(void *arg, const struct store_specialist *s);
	int (*rotation)(void *arg, const struct store_rotation *r);
	int (*override)(void *arg, const struct store_override *o);
	void *arg;
};

static int on_specialist(void *arg, struct store_row *row)
{
	struct each *e = arg;
	struct store_specialist s = {
	    store_row_text(row, 0),     store_row_text(row, 1),      store_row_text(row, 2),
	    store_row_text(row, 3),     store_row_text(row, 4),      store_row_text(row, 5),
	    store_row_text(row, 6),     store_row_text(row, 7),      store_row_int(row, 8) != 0,
	    store_row_int(row, 9) != 0, store_row_int(row, 10) != 0,
	};

	return e->specialist(e->arg, &s);
}

static int on_rotation(void *arg, struct store_row *row)
{
	struct each *e = arg;
	struct store_rotation r = {store_row_int(row, 0),  store_row_text(row, 1),
	                           store_row_text(row, 2), store_row_text(row, 3),
	                           store_row_text(row, 4), store_row_int(row, 5),
	                           store_row_text(row, 6)};

	return e->rotation(e->arg, &r);
}

static int on_override(void *arg, struct store_row *row)
{
	struct each *e = arg;
	struct store_override o = {store_row_int(row, 0), store_row_text(row, 1),
	                           store_row_text(row, 2), store_row_int(row, 3),
	                           store_row_int(row, 4)};

	return e->override(e->arg, &o);
}

int store_specialists_each(struct store *st, int (*cb)(void *arg, const struct store_specialist *s),
                           void *arg)
{
	struct each e = {.specialist = cb, .arg = arg};

	return store_read(st, sql_specialists_select, on_specialist, &e, "");
}

int store_rotations_each(struct store *st, int (*cb)(void *arg, const struct store_rotation *r),
                         void *arg)
{
	struct each e = {.rotation = cb, .arg = arg};

	return store_read(st, sql_rotations_select, on_rotation, &e, "");
}

int store_overrides_each(struct store *st, int (*cb)(void *arg, const struct store_override *o),
                         void *arg)
{
	struct each e = {.override = cb, .arg = arg};

	return store_read(st, sql_overrides_select, on_override, &e, "");
}

int64_t store_roster_version(struct store *st)
{
	int64_t v = 0;
	int rc = store_read(st, sql_version_select, store_row_to_int, &v, "");

	return rc < 0 ? rc : v;
}
