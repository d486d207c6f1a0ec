/* SPDX-License-Identifier: ISC */
/*
 * command.c — fuzz target: the one-line chat commands specialists send
 * (command_parse), as the chat module hands them over: the message body as
 * a NUL-terminated string.
 *
 * Properties checked: the verb and the result agree; a reference, when
 * given, is a well-formed one in upper case; the note of a valid UTF-8 line
 * is valid UTF-8 (it is stored as JSON, which must be UTF-8) and fits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "fuzz.h"
#include "text.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct command cmd;
	char *line;
	int rc;

	if (size > 4 * COMMAND_MAX_LINE)
		return 0;
	line = fuzz_strndup(data, size);
	rc = command_parse(line, &cmd);
	if (rc == -EINVAL && cmd.verb != COMMAND_NONE)
		fuzz_fail("not a command, yet a verb");
	if (rc != -EINVAL && cmd.verb == COMMAND_NONE)
		fuzz_fail("a command without a verb");
	if (rc == 0 && cmd.ref[0] != '\0' && !token_ref_valid(cmd.ref))
		fuzz_fail("a malformed reference was accepted");
	if (strlen(cmd.note) > COMMAND_NOTE_MAX)
		fuzz_fail("the note is longer than its cap");
	if (text_utf8_valid(line, strlen(line)) && !text_utf8_valid(cmd.note, strlen(cmd.note)))
		fuzz_fail("a valid UTF-8 line gave a note that is not UTF-8");
	free(line);
	return 0;
}
