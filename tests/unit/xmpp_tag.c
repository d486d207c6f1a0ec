/* SPDX-License-Identifier: ISC */
/* Unit tests: the stanza ids that receipts and bounces bring back from the
 * network, which anyone who can write to the bot controls. */
#include <criterion/criterion.h>
#include <string.h>

#include "xmpp_session.h"

Test(xmpp_tag, a_well_formed_id_gives_back_its_tag)
{
	char tag[XMPP_TAG_LEN + 1];

	cr_assert(xmpp_session_tag_of("kk-0123456789abcdef0123456789abcdef", tag));
	cr_assert_str_eq(tag, "0123456789abcdef0123456789abcdef");
}

Test(xmpp_tag, sequential_numbers_and_near_misses_are_refused)
{
	char tag[XMPP_TAG_LEN + 1];
	static const char *const bad[] = {
	    "kk-1",
	    "kk-42",
	    "kk-",
	    "",
	    "0123456789abcdef0123456789abcdef",
	    "KK-0123456789abcdef0123456789abcdef",
	    "kk-0123456789ABCDEF0123456789abcdef", /* we only send lowercase */
	    "kk-0123456789abcdef0123456789abcde",  /* one digit short */
	    "kk-0123456789abcdef0123456789abcdef0",
	    "kk-0123456789abcdef0123456789abcdeg",
	    "kkb-1",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(xmpp_session_tag_of(bad[i], tag), "accepted \"%s\"", bad[i]);
	cr_assert_not(xmpp_session_tag_of(NULL, tag));
}

Test(xmpp_tag, a_huge_numeric_id_is_refused_without_overflow)
{
	char tag[XMPP_TAG_LEN + 1];
	char id[4096];

	/* Under UBSan, parsing this as a number overflowed and aborted. */
	memcpy(id, "kk-", 3);
	memset(id + 3, '9', sizeof id - 4);
	id[sizeof id - 1] = '\0';
	cr_assert_not(xmpp_session_tag_of(id, tag));
	cr_assert_not(xmpp_session_tag_of("kk-99999999999999999999999999999999999999", tag));
}
