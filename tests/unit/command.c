/* SPDX-License-Identifier: ISC */
/* Unit tests: the chat commands specialists type on their phones. */
#include <criterion/criterion.h>
#include <errno.h>

#include "command.h"

/* A line as typed and what command_parse makes of it; a NULL ref or note
 * is not looked at. */
struct typed {
	const char *line;
	int rc;
	enum command_verb verb;
	const char *ref;
	const char *note;
};

#define TYPED_N(rows) (sizeof(rows) / sizeof((rows)[0]))

static void parses(const struct typed *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct command c;

		cr_assert_eq(command_parse(rows[i].line, &c), rows[i].rc, "%s", rows[i].line);
		cr_assert_eq(c.verb, rows[i].verb, "%s", rows[i].line);
		if (rows[i].ref != NULL)
			cr_assert_str_eq(c.ref, rows[i].ref, "%s", rows[i].line);
		if (rows[i].note != NULL)
			cr_assert_str_eq(c.note, rows[i].note, "%s", rows[i].line);
	}
}

Test(command, ack_with_a_lower_case_reference_is_understood)
{
	static const struct typed rows[] = {{"Ack kk-7q3m-x9", 0, COMMAND_ACK, "KK-7Q3M-X9", NULL}};

	parses(rows, TYPED_N(rows));
}

Test(command, bare_ack_answers_the_latest_alert)
{
	static const struct typed rows[] = {{"  ack  ", 0, COMMAND_ACK, "", NULL}};

	parses(rows, TYPED_N(rows));
}

Test(command, japanese_aliases_and_full_width_text_work)
{
	static const struct typed rows[] = {
	    {"了解　ＫＫ－７Ｑ３Ｍ－Ｘ９", 0, COMMAND_ACK, "KK-7Q3M-X9", NULL},
	    {"辞退 KK-7Q3M-X9", 0, COMMAND_DECLINE, NULL, NULL},
	    {"現着 KK-7Q3M-X9", 0, COMMAND_ONSITE, NULL, NULL},
	    {"状況", 0, COMMAND_STATUS, NULL, NULL},
	};

	parses(rows, TYPED_N(rows));
}

Test(command, resolve_keeps_the_note_as_typed)
{
	static const struct typed rows[] = {
	    {"resolve KK-7Q3M-X9  Restored from Backup; 再発防止済み ", 0, COMMAND_RESOLVE, NULL,
	     "Restored from Backup; 再発防止済み"},
	};

	parses(rows, TYPED_N(rows));
}

Test(command, a_command_without_its_reference_is_named_so_the_bot_can_explain)
{
	static const struct typed rows[] = {
	    {"decline", -EBADMSG, COMMAND_DECLINE, NULL, NULL},
	    {"contacted KK-ILOU-00", -EBADMSG, COMMAND_CONTACTED, NULL, NULL},
	};

	parses(rows, TYPED_N(rows));
}

Test(command, chatter_is_not_a_command)
{
	static const struct typed rows[] = {
	    {"hello, is anyone there?", -EINVAL, COMMAND_NONE, NULL, NULL},
	    {"", -EINVAL, COMMAND_NONE, NULL, NULL},
	};

	parses(rows, TYPED_N(rows));
}
