/* SPDX-License-Identifier: ISC */
/* Unit tests: CSV cells a spreadsheet opens safely — quotes doubled, and
 * anything that starts like a formula shown as text. */
#include <criterion/criterion.h>
#include <string.h>

#include "csvout.h"

static const char *row_of(struct buf *b, const char *const *cells, size_t n)
{
	buf_reset(b);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(csvout_cell(b, cells[i], i + 1 == n), 0);
	return b->data;
}

Test(csvout, formulas_are_neutralised_and_plain_text_is_kept)
{
	const char *cells[] = {"=HYPERLINK(\"http://x\",\"y\")", "+81 6 1234", "-1+2", "@SUM(A1)",
	                       "\tX", "株式会社テスト", "a \"quoted\" word", NULL};
	struct buf b;

	buf_init(&b, 4096);
	cr_expect_str_eq(row_of(&b, cells, 8),
	                 "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"'+81 6 1234\",\"'-1+2\","
	                 "\"'@SUM(A1)\",\"'\tX\",\"株式会社テスト\",\"a \"\"quoted\"\" word\",\"\"\r\n");
	buf_fini(&b);
}

Test(csvout, numbers_are_plain_and_negative_ones_are_text)
{
	struct buf b;

	buf_init(&b, 4096);
	cr_assert_eq(csvout_number(&b, 272.25, 1, false), 0);
	cr_assert_eq(csvout_number(&b, -3, 0, true), 0);
	cr_expect_str_eq(b.data, "272.2,\"'-3\"\r\n");
	cr_expect(csvout_is_formula("=1"));
	cr_expect(!csvout_is_formula("1=1"));
	cr_expect(!csvout_is_formula(""));
	cr_expect(!csvout_is_formula(NULL));
	buf_fini(&b);
}
