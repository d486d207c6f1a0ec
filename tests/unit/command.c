/* SPDX-License-Identifier: ISC */
/* Unit tests: the chat commands specialists type on their phones. */
#include <criterion/criterion.h>
#include <errno.h>

#include "command.h"

Test(command, ack_with_a_lower_case_reference_is_understood)
{
	struct command c;

	cr_assert_eq(command_parse("Ack kk-7q3m-x9", &c), 0);
	cr_assert_eq(c.verb, COMMAND_ACK);
	cr_assert_str_eq(c.ref, "KK-7Q3M-X9");
}

Test(command, bare_ack_answers_the_latest_alert)
{
	struct command c;

	cr_assert_eq(command_parse("  ack  ", &c), 0);
	cr_assert_eq(c.verb, COMMAND_ACK);
	cr_assert_str_eq(c.ref, "");
}

Test(command, japanese_aliases_and_full_width_text_work)
{
	struct command c;

	cr_assert_eq(command_parse("了解　ＫＫ－７Ｑ３Ｍ－Ｘ９", &c), 0);
	cr_assert_eq(c.verb, COMMAND_ACK);
	cr_assert_str_eq(c.ref, "KK-7Q3M-X9");
	cr_assert_eq(command_parse("辞退 KK-7Q3M-X9", &c), 0);
	cr_assert_eq(c.verb, COMMAND_DECLINE);
	cr_assert_eq(command_parse("現着 KK-7Q3M-X9", &c), 0);
	cr_assert_eq(c.verb, COMMAND_ONSITE);
	cr_assert_eq(command_parse("状況", &c), 0);
	cr_assert_eq(c.verb, COMMAND_STATUS);
}

Test(command, resolve_keeps_the_note_as_typed)
{
	struct command c;

	cr_assert_eq(command_parse("resolve KK-7Q3M-X9  Restored from Backup; 再発防止済み ", &c), 0);
	cr_assert_eq(c.verb, COMMAND_RESOLVE);
	cr_assert_str_eq(c.note, "Restored from Backup; 再発防止済み");
}

Test(command, a_command_without_its_reference_is_named_so_the_bot_can_explain)
{
	struct command c;

	cr_assert_eq(command_parse("decline", &c), -EBADMSG);
	cr_assert_eq(c.verb, COMMAND_DECLINE);
	cr_assert_eq(command_parse("contacted KK-ILOU-00", &c), -EBADMSG);
}

Test(command, chatter_is_not_a_command)
{
	struct command c;

	cr_assert_eq(command_parse("hello, is anyone there?", &c), -EINVAL);
	cr_assert_eq(c.verb, COMMAND_NONE);
	cr_assert_eq(command_parse("", &c), -EINVAL);
}
