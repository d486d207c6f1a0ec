/* SPDX-License-Identifier: ISC */
/* Unit tests: what reaches the log from outside cannot forge a line or
 * drive the terminal of whoever reads it. */
#include <criterion/criterion.h>
#include <string.h>

#include "log.h"

Test(log, newlines_cannot_start_a_forged_line)
{
	char out[256];

	log_escape("x\n2026-12-04T00:00:00.000Z error auth: hanako logged in", out, sizeof out);
	cr_assert_null(strstr(out, "\n2026"), "a forged line starts at column 0: %s", out);
	cr_assert_not_null(strstr(out, "2026-12-04T00:00:00.000Z error"), "the text is kept");
}

Test(log, control_characters_and_terminal_escapes_are_shown_as_hex)
{
	char out[256];

	log_escape("a\x1b[2Jb\rc\x7f"
	           "d\xc2\x9b"
	           "31m",
	           out, sizeof out);
	cr_assert_str_eq(out, "a\\x1b[2Jb\\x0dc\\x7fd\\x9b31m");
	log_escape("東京都 café", out, sizeof out);
	cr_assert_str_eq(out, "東京都 café", "ordinary UTF-8 is kept");
}

Test(log, a_full_buffer_cuts_between_escapes)
{
	char out[6];

	cr_assert_eq(log_escape("ab\x01\x02", out, sizeof out), 2u);
	cr_assert_str_eq(out, "ab");
}
