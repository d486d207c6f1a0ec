/* SPDX-License-Identifier: ISC */
/*
 * csvout — CSV cells for spreadsheets; see csvout.h.
 */
#include "csvout.h"

#include <stdio.h>
#include <string.h>

bool csvout_is_formula(const char *text)
{
	return text != NULL && text[0] != '\0' && strchr("=+-@\t\r", text[0]) != NULL;
}

int csvout_cell(struct buf *b, const char *text, bool last)
{
	int rc = buf_puts(b, csvout_is_formula(text) ? "\"'" : "\"");
	const char *run = text;

	for (const char *p = text; rc == 0 && p != NULL && *p != '\0'; p++) {
		if (*p != '"')
			continue;
		rc = buf_append(b, run, (size_t)(p - run) + 1); /* up to and with the quote */
		if (rc == 0)
			rc = buf_puts(b, "\"");
		run = p + 1;
	}
	if (rc == 0 && run != NULL)
		rc = buf_puts(b, run);
	if (rc == 0)
		rc = buf_puts(b, last ? "\"\r\n" : "\",");
	return rc;
}

int csvout_number(struct buf *b, double v, int decimals, bool last)
{
	char num[64];

	snprintf(num, sizeof num, "%.*f", decimals, v);
	if (csvout_is_formula(num))
		return csvout_cell(b, num, last);
	return buf_printf(b, "%s%s", num, last ? "\r\n" : ",");
}
