/* SPDX-License-Identifier: ISC */
/*
 * store_users — accounts and sessions in the store; see store_users.h.
 */
#include "store_users.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char sql_user_add[] = "INSERT INTO users (name, hash, created_ms) VALUES ($1, $2, $3)";
static const char sql_user_disable[] = "UPDATE users SET disabled = 1 WHERE name = $1";
static const char sql_user_sessions_end[] =
    "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)";
static const char sql_user_list[] =
    "SELECT name, disabled, created_ms, last_login_ms FROM users ORDER BY name";
static const char sql_user_by_name[] = "SELECT id, hash, disabled FROM users WHERE name = $1";
static const char sql_session_add[] = "INSERT INTO sessions (id_hash, user_id, csrf, created_ms, "
                                      "expires_ms) VALUES ($1, $2, $3, $4, $5)";
static const char sql_sessions_expired[] = "DELETE FROM sessions WHERE expires_ms <= $1";
static const char sql_last_login[] = "UPDATE users SET last_login_ms = $1 WHERE id = $2";
static const char sql_session_get[] =
    "SELECT s.user_id, u.name, s.csrf, s.expires_ms FROM sessions s"
    " JOIN users u ON u.id = s.user_id"
    " WHERE s.id_hash = $1 AND s.expires_ms > $2 AND u.disabled = 0";
static const char sql_session_end[] = "DELETE FROM sessions WHERE id_hash = $1";

int store_user_add(struct store_tx *tx, const char *name, const char *hash, int64_t now_ms)
{
	return store_ok(store_tx_exec(tx, sql_user_add, "tti", name, hash, now_ms));
}

int store_user_disable(struct store_tx *tx, const char *name)
{
	int64_t rc = store_tx_exec(tx, sql_user_disable, "t", name);

	if (rc < 0)
		return (int)rc;
	if (rc == 0)
		return -ENOENT;
	rc = store_tx_exec(tx, sql_user_sessions_end, "t", name);
	return store_ok(rc);
}

struct user_list {
	int (*cb)(void *arg, const struct store_user *u);
	void *arg;
};

static int on_user_row(void *arg, struct store_row *row)
{
	struct user_list *l = arg;
	struct store_user u = {store_row_text(row, 0), store_row_int(row, 1) != 0,
	                       store_row_int(row, 2), store_row_int(row, 3)};

	return u.name != NULL ? l->cb(l->arg, &u) : 0;
}

int store_user_list(struct store *st, int (*cb)(void *arg, const struct store_user *u), void *arg)
{
	struct user_list l = {cb, arg};

	return store_read(st, sql_user_list, on_user_row, &l, "");
}

static int on_user(void *arg, struct store_row *row)
{
	struct store_user_secret *u = arg;
	const char *hash = store_row_text(row, 1);

	if (hash == NULL || strlen(hash) >= sizeof u->hash)
		return 0;
	u->id = store_row_int(row, 0);
	snprintf(u->hash, sizeof u->hash, "%s", hash);
	u->disabled = store_row_int(row, 2) != 0;
	return 1;
}

int store_user_find(struct store *st, const char *name, struct store_user_secret *out)
{
	int rc;

	memset(out, 0, sizeof *out);
	rc = store_read(st, sql_user_by_name, on_user, out, "t", name);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : -ENOENT;
}

int store_session_add(struct store_tx *tx, const char *id_hash, int64_t user_id, const char *csrf,
                      int64_t now_ms, int64_t expires_ms)
{
	int64_t rc = store_tx_exec(tx, sql_sessions_expired, "i", now_ms);

	if (rc >= 0)
		rc = store_tx_exec(tx, sql_session_add, "titii", id_hash, user_id, csrf, now_ms,
		                   expires_ms);
	if (rc >= 0)
		rc = store_tx_exec(tx, sql_last_login, "ii", now_ms, user_id);
	return store_ok(rc);
}

static int on_session(void *arg, struct store_row *row)
{
	struct store_session *s = arg;
	const char *user = store_row_text(row, 1);
	const char *csrf = store_row_text(row, 2);

	s->user_id = store_row_int(row, 0);
	snprintf(s->user, sizeof s->user, "%s", user != NULL ? user : "");
	snprintf(s->csrf, sizeof s->csrf, "%s", csrf != NULL ? csrf : "");
	s->expires_ms = store_row_int(row, 3);
	return 1;
}

int store_session_get(struct store *st, const char *id_hash, int64_t now_ms,
                      struct store_session *out)
{
	int rc;

	memset(out, 0, sizeof *out);
	rc = store_read(st, sql_session_get, on_session, out, "ti", id_hash, now_ms);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : -ENOENT;
}

int store_session_end(struct store_tx *tx, const char *id_hash)
{
	return store_ok(store_tx_exec(tx, sql_session_end, "t", id_hash));
}
