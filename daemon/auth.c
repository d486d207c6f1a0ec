/* SPDX-License-Identifier: ISC */
/*
 * auth — accounts, password checks on the thread pool, sessions and login
 * throttling; see auth.h.
 *
 * A login is a small state machine owned by a struct login: read the
 * account on the loop, verify the hash on the thread pool, write the
 * session through the store's writer, then call back. The password lives
 * only in that struct and is wiped as soon as the hash has been checked.
 */
#include "auth.h"

#include <errno.h>
#include <sodium.h>
#include <zxcvbn.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_users.h"
#include "text.h"
#include "throttle.h"

#define AUTH_OPSLIMIT      2ULL
#define AUTH_MEMLIMIT      (19u * 1024 * 1024)
#define AUTH_THROTTLE_SIZE 1024

/* A hash of a password nobody has, checked when the account does not
 * exist, so that the answer takes as long as for a real account. */
static const char dummy_hash[] = "$argon2id$v=19$m=19456,t=2,p=1$46sHFwYZUMm7dlWDTy9Xeg$"
                                 "WKyXGNQOkReRW8VEuqzBY3IWSAzqnagbuKqzmce5vLk";

struct auth {
	uv_loop_t *loop;
	struct store *store;
	unsigned pending;
	bool closing;
	struct throttle *t; /* waits after failed logins */
};

struct login {
	uv_work_t work;
	struct auth *a;
	auth_login_cb cb;
	void *arg;
	char name[AUTH_NAME_MAX + 1];
	char address[64];
	char password[AUTH_PASSWORD_MAX + 1];
	char hash[AUTH_HASH_MAX];
	bool found, disabled, ok;
	struct auth_session s;
	char token[AUTH_TOKEN_LEN + 1];
	char token_hash[65];
	int64_t now_ms;
};

/* ---- tokens ---- */

void auth_token_new(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

bool auth_token_valid(const char *token)
{
	size_t n = 0;

	if (token == NULL)
		return false;
	for (; token[n] != '\0'; n++) {
		char c = token[n];

		if (n >= AUTH_TOKEN_LEN || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		                             (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return n == AUTH_TOKEN_LEN;
}

bool auth_token_equal(const char *a, const char *b)
{
	if (!auth_token_valid(a) || !auth_token_valid(b))
		return false;
	return sodium_memcmp(a, b, AUTH_TOKEN_LEN) == 0;
}

bool auth_csrf_ok(const struct auth_session *s, const char *given)
{
	return auth_token_equal(s->csrf, given);
}

/* The stored form of a session token: its BLAKE2b hash in hex. */
static void token_digest(const char *token, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* ---- accounts ---- */

bool auth_name_valid(const char *name)
{
	size_t n = 0;

	for (; name[n] != '\0'; n++) {
		char c = name[n];

		if (n >= AUTH_NAME_MAX || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		                            c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

bool auth_password_weak(const char *password, const char *name)
{
	const char *known[] = {name, "kakekomi", NULL};

	return ZxcvbnMatch(password, known, NULL) < AUTH_PASSWORD_MIN_BITS;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX])
{
	size_t len = strlen(password);

	if (len > AUTH_PASSWORD_MAX || !text_utf8_valid(password, len) ||
	    text_utf8_count(password) < AUTH_PASSWORD_MIN)
		return -EINVAL;
	if (crypto_pwhash_str(out, password, len, AUTH_OPSLIMIT, AUTH_MEMLIMIT) != 0)
		return -ENOMEM;
	return 0;
}

_Static_assert(STORE_CSRF_MAX == AUTH_TOKEN_LEN, "a session's CSRF token fits the store's");
_Static_assert(STORE_USER_NAME_MAX == AUTH_NAME_MAX, "account names fit the store's");
_Static_assert(STORE_USER_HASH_MAX == AUTH_HASH_MAX, "password hashes fit the store's");

int auth_tx_user_add(struct store_tx *tx, const char *name, const char *hash, int64_t now_ms)
{
	return store_user_add(tx, name, hash, now_ms);
}

int auth_tx_user_disable(struct store_tx *tx, const char *name)
{
	return store_user_disable(tx, name);
}

struct user_list {
	int (*cb)(void *arg, const struct auth_user *u);
	void *arg;
};

static int on_user_row(void *arg, const struct store_user *su)
{
	struct user_list *l = arg;
	struct auth_user u = {su->name, su->disabled, su->created_ms, su->last_login_ms};

	return l->cb(l->arg, &u);
}

int auth_user_list(struct store *st, int (*cb)(void *arg, const struct auth_user *u), void *arg)
{
	struct user_list l = {cb, arg};

	return store_user_list(st, on_user_row, &l);
}

/* ---- the login ---- */

static void login_finish(struct login *l, int status)
{
	struct auth *a = l->a;
	char ukey[THROTTLE_KEY_MAX], akey[THROTTLE_KEY_MAX];

	if (status == 0) {
		throttle_login_keys(l->name, l->address, ukey, akey);
		throttle_clear(a->t, ukey, text_now_ms());
		throttle_clear(a->t, akey, text_now_ms());
		log_info("auth: %s logged in", l->s.user);
	} else if (status == -EACCES) {
		log_info("auth: failed login for \"%s\"", l->name);
	}
	l->cb(l->arg, status, status == 0 ? &l->s : NULL, status == 0 ? l->token : NULL);
	sodium_memzero(l->token, sizeof l->token);
	free(l);
	a->pending--;
	if (a->closing && a->pending == 0) {
		throttle_free(a->t);
		free(a);
	}
}

static int tx_session_add(struct store_tx *tx, void *arg)
{
	struct login *l = arg;

	return store_session_add(tx, l->token_hash, l->s.user_id, l->s.csrf, l->now_ms,
	                         l->s.expires_ms);
}

static void on_session_stored(void *arg, int status)
{
	struct login *l = arg;

	if (status < 0)
		log_warn(status, "auth: the session of %s could not be stored", l->s.user);
	login_finish(l, status);
}

static void on_verify(uv_work_t *w)
{
	struct login *l = w->data;
	const char *hash = l->found ? l->hash : dummy_hash;

	l->ok = crypto_pwhash_str_verify(hash, l->password, strlen(l->password)) == 0 && l->found &&
	        !l->disabled;
	sodium_memzero(l->password, sizeof l->password);
}

static void on_verified(uv_work_t *w, int status)
{
	struct login *l = w->data;
	int rc;

	if (status < 0 || !l->ok) {
		login_finish(l, status < 0 ? status : -EACCES);
		return;
	}
	l->now_ms = text_now_ms();
	l->s.expires_ms = l->now_ms + AUTH_SESSION_MS;
	snprintf(l->s.user, sizeof l->s.user, "%s", l->name);
	auth_token_new(l->token);
	auth_token_new(l->s.csrf);
	token_digest(l->token, l->token_hash);
	rc = store_write(l->a->store, tx_session_add, l, on_session_stored, l);
	if (rc < 0)
		login_finish(l, rc);
}

int auth_login(struct auth *a, const char *name, const char *password, const char *address,
               unsigned *retry_after_s, auth_login_cb cb, void *arg)
{
	struct login *l;
	char ukey[THROTTLE_KEY_MAX], akey[THROTTLE_KEY_MAX];
	int64_t now = text_now_ms();
	int64_t wait;
	int rc;

	l = calloc(1, sizeof *l);
	if (l == NULL)
		return -ENOMEM;
	l->a = a;
	l->cb = cb;
	l->arg = arg;
	l->work.data = l;
	/* Names are lower case; anything longer or odd simply matches nobody. */
	snprintf(l->name, sizeof l->name, "%s", name);
	for (char *p = l->name; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	snprintf(l->address, sizeof l->address, "%s", address != NULL ? address : "?");
	throttle_login_keys(l->name, l->address, ukey, akey);
	wait = throttle_wait(a->t, ukey, now);
	if (throttle_wait(a->t, akey, now) > wait)
		wait = throttle_wait(a->t, akey, now);
	if (wait > 0) {
		*retry_after_s = (unsigned)((wait + 999) / 1000);
		log_info("auth: login for \"%s\" from %s refused for %u s after failed attempts",
		         l->name, l->address, *retry_after_s);
		free(l);
		return -EAGAIN;
	}
	throttle_attempt(a->t, ukey, AUTH_FREE_ACCOUNT, now);
	throttle_attempt(a->t, akey, AUTH_FREE_ADDRESS, now);
	if (strlen(password) <= AUTH_PASSWORD_MAX)
		snprintf(l->password, sizeof l->password, "%s", password);
	if (auth_name_valid(l->name)) {
		struct store_user_secret u;

		rc = store_user_find(a->store, l->name, &u);
		if (rc < 0 && rc != -ENOENT) {
			sodium_memzero(l->password, sizeof l->password);
			free(l);
			return rc;
		}
		l->found = rc == 0;
		if (l->found) {
			l->s.user_id = u.id;
			memcpy(l->hash, u.hash, sizeof l->hash); /* NUL-terminated, same size */
			l->disabled = u.disabled;
		}
		sodium_memzero(&u, sizeof u);
	}
	rc = uv_queue_work(a->loop, &l->work, on_verify, on_verified);
	if (rc < 0) {
		sodium_memzero(l->password, sizeof l->password);
		free(l);
		return rc;
	}
	a->pending++;
	return 0;
}

int auth_session_get(struct auth *a, const char *token, struct auth_session *out)
{
	struct store_session ss;
	char digest[65];
	int rc;

	memset(out, 0, sizeof *out);
	if (!auth_token_valid(token))
		return -ENOENT;
	token_digest(token, digest);
	rc = store_session_get(a->store, digest, text_now_ms(), &ss);
	if (rc < 0)
		return rc;
	out->user_id = ss.user_id;
	snprintf(out->user, sizeof out->user, "%s", ss.user);
	snprintf(out->csrf, sizeof out->csrf, "%s", ss.csrf);
	out->expires_ms = ss.expires_ms;
	return 0;
}

struct logout {
	char digest[65];
	store_done_cb cb;
	void *arg;
};

static int tx_logout(struct store_tx *tx, void *arg)
{
	return store_session_end(tx, ((struct logout *)arg)->digest);
}

static void on_logged_out(void *arg, int status)
{
	struct logout *o = arg;

	if (o->cb != NULL)
		o->cb(o->arg, status);
	free(o);
}

int auth_logout(struct auth *a, const char *token, store_done_cb cb, void *arg)
{
	struct logout *o;
	int rc;

	if (!auth_token_valid(token))
		return -ENOENT;
	o = calloc(1, sizeof *o);
	if (o == NULL)
		return -ENOMEM;
	token_digest(token, o->digest);
	o->cb = cb;
	o->arg = arg;
	rc = store_write(a->store, tx_logout, o, on_logged_out, o);
	if (rc < 0)
		free(o);
	return rc;
}

/* ---- start and stop ---- */

int auth_start(struct auth **out, uv_loop_t *loop, struct store *st)
{
	struct auth *a = calloc(1, sizeof *a);

	if (a == NULL)
		return -ENOMEM;
	if (throttle_new(&a->t, AUTH_THROTTLE_SIZE) < 0) {
		free(a);
		return -ENOMEM;
	}
	a->loop = loop;
	a->store = st;
	*out = a;
	return 0;
}

void auth_stop(struct auth *a)
{
	if (a == NULL)
		return;
	a->closing = true;
	if (a->pending == 0) {
		throttle_free(a->t);
		free(a);
	}
}
