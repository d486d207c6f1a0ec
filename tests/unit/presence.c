/* SPDX-License-Identifier: ISC */
/* Unit tests: what the bot knows of its contacts' presence. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "presence.h"

Test(presence, a_contact_is_known_until_the_connection_goes_and_the_table_is_bounded)
{
	struct presence_table *t = presence_new();
	char jid[64];

	cr_assert_not_null(t);
	cr_assert_eq(presence_get(t, "tanaka@kk.test"), PRESENCE_UNKNOWN);
	presence_set(t, "tanaka@kk.test", PRESENCE_ONLINE);
	presence_set(t, "suzuki@kk.test", PRESENCE_OFFLINE);
	cr_assert_eq(presence_get(t, "tanaka@kk.test"), PRESENCE_ONLINE);
	cr_assert_eq(presence_get(t, "suzuki@kk.test"), PRESENCE_OFFLINE);
	presence_set(t, "tanaka@kk.test", PRESENCE_OFFLINE);
	cr_assert_eq(presence_get(t, "tanaka@kk.test"), PRESENCE_OFFLINE);
	presence_forget(t);
	cr_assert_eq(presence_get(t, "suzuki@kk.test"), PRESENCE_UNKNOWN,
	             "after a disconnection nothing is known");
	for (int i = 0; i < PRESENCE_MAX + 5; i++) {
		snprintf(jid, sizeof jid, "u%d@kk.test", i);
		presence_set(t, jid, PRESENCE_ONLINE);
	}
	cr_assert_eq(presence_get(t, "u0@kk.test"), PRESENCE_ONLINE);
	snprintf(jid, sizeof jid, "u%d@kk.test", PRESENCE_MAX + 4);
	cr_assert_eq(presence_get(t, jid), PRESENCE_UNKNOWN, "beyond the bound: unknown");
	cr_assert_eq(presence_get(NULL, "x@kk.test"), PRESENCE_UNKNOWN);
	presence_free(t);
}
