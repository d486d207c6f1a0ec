/* SPDX-License-Identifier: ISC */
/*
 * store_users — the coordinators' accounts and sessions in the store
 * (tables users and sessions): the operations auth.c needs, in its words.
 * A session is kept by the SHA-256 of its token, never the token.
 */
#ifndef KK_STORE_USERS_H
#define KK_STORE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_USER_NAME_MAX 64
#define STORE_USER_HASH_MAX 128 /* AUTH_HASH_MAX */
#define STORE_CSRF_MAX      43  /* AUTH_TOKEN_LEN */

/* In a write job: a new account NAME with password HASH. -EEXIST when
 * the name is taken. */
int store_user_add(struct store_tx *tx, const char *name, const char *hash, int64_t now_ms);

/* In a write job: no more logins for NAME, and its sessions end now.
 * -ENOENT when there is no such account. */
int store_user_disable(struct store_tx *tx, const char *name);

struct store_user {
	const char *name; /* borrowed for the callback */
	bool disabled;
	int64_t created_ms, last_login_ms; /* last_login_ms 0: never */
};

/* On the loop: CB for every account, by name. Returns 0, CB's non-zero
 * value, or a negative errno. */
int store_user_list(struct store *st, int (*cb)(void *arg, const struct store_user *u), void *arg);

/* What a login checks. */
struct store_user_secret {
	int64_t id;
	char hash[STORE_USER_HASH_MAX];
	bool disabled;
};

/* On the loop: the account NAME into OUT. Returns 0, -ENOENT, or a
 * negative errno. */
int store_user_find(struct store *st, const char *name, struct store_user_secret *out);

/* In a write job: a session of USER_ID kept by ID_HASH with its CSRF
 * token until EXPIRES_MS; expired sessions go, the last login is noted. */
int store_session_add(struct store_tx *tx, const char *id_hash, int64_t user_id, const char *csrf,
                      int64_t now_ms, int64_t expires_ms);

struct store_session {
	int64_t user_id;
	char user[STORE_USER_NAME_MAX + 1];
	char csrf[STORE_CSRF_MAX + 1];
	int64_t expires_ms;
};

/* On the loop: the live session kept by ID_HASH at NOW_MS of an account
 * still enabled. Returns 0, -ENOENT, or a negative errno. */
int store_session_get(struct store *st, const char *id_hash, int64_t now_ms,
                      struct store_session *out);

/* In a write job: the session kept by ID_HASH ends. */
int store_session_end(struct store_tx *tx, const char *id_hash);

#endif
