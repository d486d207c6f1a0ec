/* SPDX-License-Identifier: ISC */
/* Unit tests: the waits after failed logins, their keys, and a table that a
 * flood of made-up addresses cannot flush. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "throttle.h"

static struct throttle *t;

static void init(void)
{
	cr_assert_eq(throttle_new(&t, 64), 0);
}

static void fini(void)
{
	throttle_free(t);
}

TestSuite(throttle, .init = init, .fini = fini);

Test(throttle, waits_start_after_the_free_tries_and_double)
{
	int64_t now = 1000000;

	for (int i = 0; i < 2; i++)
		throttle_attempt(t, "a:192.0.2.1", 3, now);
	cr_assert_eq(throttle_wait(t, "a:192.0.2.1", now), 0);
	throttle_attempt(t, "a:192.0.2.1", 3, now);
	cr_assert_eq(throttle_wait(t, "a:192.0.2.1", now), 1000);
	throttle_attempt(t, "a:192.0.2.1", 3, now);
	cr_assert_eq(throttle_wait(t, "a:192.0.2.1", now), 2000);
	throttle_clear(t, "a:192.0.2.1", now);
	cr_assert_eq(throttle_wait(t, "a:192.0.2.1", now), 0);
}

Test(throttle, a_flood_of_new_addresses_does_not_flush_a_guessers_wait)
{
	int64_t now = 1000000;
	char key[THROTTLE_KEY_MAX];

	for (int i = 0; i < 12; i++)
		throttle_attempt(t, "a:192.0.2.66", 3, now);
	cr_assert_gt(throttle_wait(t, "a:192.0.2.66", now), 60000);
	/* Ten thousand made-up addresses, 150 times the table, one try each. */
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "a:198.51.%d.%d", i / 250, i % 250);
		throttle_attempt(t, key, 3, now + 1 + i);
	}
	cr_assert_gt(throttle_wait(t, "a:192.0.2.66", now + 10001), 60000,
	             "the flood evicted the guessing address's wait");
}

Test(throttle, when_every_slot_makes_someone_wait_new_keys_are_not_counted)
{
	int64_t now = 1000000;
	char key[THROTTLE_KEY_MAX];

	for (int i = 0; i < 64; i++) {
		snprintf(key, sizeof key, "a:203.0.113.%d", i);
		for (int k = 0; k < 5; k++)
			throttle_attempt(t, key, 3, now);
	}
	for (int k = 0; k < 5; k++)
		throttle_attempt(t, "a:192.0.2.200", 3, now);
	cr_assert_eq(throttle_wait(t, "a:192.0.2.200", now), 0);
	cr_assert_gt(throttle_wait(t, "a:203.0.113.0", now), 0, "a waiting key was evicted");
}

Test(throttle, ipv6_counts_by_its_64_and_ipv4_by_the_address)
{
	char p1[THROTTLE_KEY_MAX], a1[THROTTLE_KEY_MAX], p2[THROTTLE_KEY_MAX],
	    a2[THROTTLE_KEY_MAX];

	throttle_login_keys("hanako", "2001:db8:1:2:aaaa::1", p1, a1);
	throttle_login_keys("hanako", "2001:db8:1:2:ffff:1:2:3", p2, a2);
	cr_assert_str_eq(a1, "a:2001:db8:1:2::/64");
	cr_assert_str_eq(a1, a2, "one /64 is one subscriber");
	cr_assert_str_eq(p1, p2);
	throttle_login_keys("hanako", "2001:db8:1:3::1", p2, a2);
	cr_assert_str_neq(a1, a2, "another /64 is another address");
	throttle_login_keys("hanako", "192.0.2.1", p1, a1);
	throttle_login_keys("hanako", "192.0.2.2", p2, a2);
	cr_assert_str_eq(p1, "p:hanako 192.0.2.1");
	cr_assert_str_neq(a1, a2);
}
