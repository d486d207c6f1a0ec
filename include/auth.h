/* SPDX-License-Identifier: ISC */
/*
 * auth — coordinators' accounts and sessions for the dashboard.
 *
 * Passwords are kept only as argon2id hashes (libsodium's crypto_pwhash_str,
 * 19 MiB and 2 passes, the OWASP minimum), checked on libuv's thread pool
 * so that a login never stalls the loop. A session is 256 random bits
 * handed to the browser once, in a cookie, and stored only as a hash, with
 * its own CSRF token for the forms and an absolute lifetime of 12 hours.
 * Disabling an account ends its sessions at once.
 *
 * Failed logins are slowed down per account and per client address: each
 * attempt counts as it starts (so parallel guesses count too), the first
 * few in 15 minutes are free, then each further one must wait 1 s, 2 s,
 * 4 s … up to 15 minutes; a successful login clears both counts. A login
 * for an unknown or disabled account costs the same hash as a real one.
 *
 * The loop-side functions run on the loop thread; auth_password_hash and
 * the auth_tx_ functions may run anywhere (kakekomictl uses them).
 */
#ifndef KK_AUTH_H
#define KK_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "store.h"

#define AUTH_NAME_MAX     64
#define AUTH_PASSWORD_MIN 12  /* characters */
#define AUTH_PASSWORD_MAX 256 /* bytes */
#define AUTH_HASH_MAX     128 /* crypto_pwhash_STRBYTES */
#define AUTH_TOKEN_LEN    43  /* base64url of 32 random bytes */
#define AUTH_SESSION_MS   (12LL * 3600 * 1000)
#define AUTH_FREE_ACCOUNT 3  /* attempts per account in 15 minutes before waits */
#define AUTH_FREE_ADDRESS 10 /* attempts per address in 15 minutes before waits */

struct auth;

struct auth_session {
	int64_t user_id;
	char user[AUTH_NAME_MAX + 1];
	char csrf[AUTH_TOKEN_LEN + 1]; /* the token every form of this session carries */
	int64_t expires_ms;
};

/* Starts the module on LOOP with ST (both must outlive it). Returns 0 or -ENOMEM. */
int auth_start(struct auth **out, uv_loop_t *loop, struct store *st);

/* Frees the module once no login is under way (their callbacks still run).
 * NULL is allowed. */
void auth_stop(struct auth *a);

/* ---- accounts (any thread) ---- */

/* True for 1..AUTH_NAME_MAX characters of a-z, 0-9, '.', '_', '-'. */
bool auth_name_valid(const char *name);

/* The least a password must resist, as zxcvbn estimates it: about 2^35
 * guesses. Common words, names, dates and keyboard runs count for little. */
#define AUTH_PASSWORD_MIN_BITS 35.0

/*
 * Whether PASSWORD for account NAME is too easy to guess (zxcvbn's
 * estimate, with NAME and the product's name as known words).
 */
bool auth_password_weak(const char *password, const char *name);

/*
 * Hashes PASSWORD into OUT. Returns 0, -EINVAL for a password shorter than
 * AUTH_PASSWORD_MIN characters, longer than AUTH_PASSWORD_MAX bytes, or not
 * UTF-8, or -ENOMEM.
 */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX]);

/* Inside TX: adds account NAME with HASH. Returns 0, -EEXIST, or a negative errno. */
int auth_tx_user_add(struct store_tx *tx, const char *name, const char *hash, int64_t now_ms);

/* Inside TX: disables NAME and ends its sessions. Returns 0, -ENOENT, or a negative errno. */
int auth_tx_user_disable(struct store_tx *tx, const char *name);

struct auth_user {
	const char *name;
	bool disabled;
	int64_t created_ms;
	int64_t last_login_ms; /* 0: never */
};

/* Calls CB for every account, by name, on the loop's read connection.
 * Returns 0, CB's non-zero value, or a negative errno. */
int auth_user_list(struct store *st, int (*cb)(void *arg, const struct auth_user *u), void *arg);

/* ---- logins and sessions (loop thread) ---- */

/*
 * Runs when a login has been decided: STATUS 0 with the new session S and
 * its TOKEN (for the cookie; borrowed for the call), -EACCES for a wrong
 * name or password or a disabled account (indistinguishable on purpose), or
 * another negative errno when the session could not be stored.
 */
typedef void (*auth_login_cb)(void *arg, int status, const struct auth_session *s,
                              const char *token);

/*
 * Checks NAME and PASSWORD from ADDRESS (the client's IP, for throttling).
 * Returns 0 when the check has started (CB runs later, exactly once),
 * -EAGAIN when this account or address must wait (*RETRY_AFTER_S set; CB
 * will not run), or -ENOMEM.
 */
int auth_login(struct auth *a, const char *name, const char *password, const char *address,
               unsigned *retry_after_s, auth_login_cb cb, void *arg);

/* The session of cookie value TOKEN. Returns 0 with *OUT, -ENOENT for no
 * such live session (unknown, expired, or its account disabled), or a
 * negative errno from the store. */
int auth_session_get(struct auth *a, const char *token, struct auth_session *out);

/* Ends the session of TOKEN; CB (may be NULL) runs once it is committed.
 * Returns 0 when queued or a negative errno (CB will not run). */
int auth_logout(struct auth *a, const char *token, store_done_cb cb, void *arg);

/* True when GIVEN is S's CSRF token (compared in constant time). */
bool auth_csrf_ok(const struct auth_session *s, const char *given);

/* A fresh random token (AUTH_TOKEN_LEN base64url characters) into OUT. */
void auth_token_new(char out[AUTH_TOKEN_LEN + 1]);

/* True when TOKEN has the shape of a token (length and alphabet). */
bool auth_token_valid(const char *token);

/* Constant-time equality of two tokens of the token shape. */
bool auth_token_equal(const char *a, const char *b);

#endif
