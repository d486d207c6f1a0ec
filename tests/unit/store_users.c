/* SPDX-License-Identifier: ISC */
/* Unit tests: accounts and sessions in a real store. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "store_users.h"
#include "storetest.h"

static int add_hanako(struct store_tx *tx, void *arg)
{
	(void)arg;
	return store_user_add(tx, "hanako", "$argon2id$fake", 1000);
}

static int add_session(struct store_tx *tx, void *arg)
{
	const struct store_user_secret *u = arg;

	return store_session_add(tx, "digest-1", u->id, "csrf-token", 2000, 9000);
}

static int disable_hanako(struct store_tx *tx, void *arg)
{
	(void)arg;
	return store_user_disable(tx, "hanako");
}

static int disable_nobody(struct store_tx *tx, void *arg)
{
	(void)arg;
	return store_user_disable(tx, "nobody");
}

static int end_session(struct store_tx *tx, void *arg)
{
	(void)arg;
	return store_session_end(tx, "digest-1");
}

static int count_users(void *arg, const struct store_user *u)
{
	(*(int *)arg)++;
	cr_assert_str_eq(u->name, "hanako");
	cr_assert_eq(u->last_login_ms, 2000, "the session's start is the last login");
	return 0;
}

Test(store_users, an_account_logs_in_keeps_a_session_and_loses_it_when_disabled)
{
	struct storetest t;
	struct store_user_secret u;
	struct store_session s;
	int n = 0;

	storetest_open(&t);
	cr_assert_eq(storetest_write(&t, add_hanako, NULL), 0);
	cr_assert_eq(storetest_write(&t, add_hanako, NULL), -EEXIST, "a name is taken once");
	cr_assert_eq(store_user_find(t.st, "hanako", &u), 0);
	cr_assert_str_eq(u.hash, "$argon2id$fake");
	cr_assert_not(u.disabled);
	cr_assert_eq(store_user_find(t.st, "nobody", &u), -ENOENT);
	cr_assert_eq(store_user_find(t.st, "hanako", &u), 0);

	cr_assert_eq(storetest_write(&t, add_session, &u), 0);
	cr_assert_eq(store_session_get(t.st, "digest-1", 5000, &s), 0);
	cr_assert_str_eq(s.user, "hanako");
	cr_assert_str_eq(s.csrf, "csrf-token");
	cr_assert_eq(s.expires_ms, 9000);
	cr_assert_eq(store_session_get(t.st, "digest-1", 9000, &s), -ENOENT, "expired");
	cr_assert_eq(store_session_get(t.st, "digest-2", 5000, &s), -ENOENT);
	cr_assert_eq(store_user_list(t.st, count_users, &n), 0);
	cr_assert_eq(n, 1);

	cr_assert_eq(storetest_write(&t, disable_nobody, NULL), -ENOENT);
	cr_assert_eq(storetest_write(&t, disable_hanako, NULL), 0);
	cr_assert_eq(store_session_get(t.st, "digest-1", 5000, &s), -ENOENT,
	             "a disabled account's sessions end at once");
	cr_assert_eq(store_user_find(t.st, "hanako", &u), 0);
	cr_assert(u.disabled);
	cr_assert_eq(storetest_write(&t, end_session, NULL), 0, "ending a gone session is fine");
	storetest_close(&t);
}
