/* SPDX-License-Identifier: ISC */
/*
 * csvout — writing CSV for spreadsheets: UTF-8 with a byte-order mark (so
 * that Excel shows Japanese correctly), every text cell quoted, and cells
 * that a spreadsheet would take for a formula neutralised.
 *
 * A cell that begins with '=', '+', '-', '@', a tab or a carriage return
 * is prefixed with a single quote, so that a reporter who typed
 * "=HYPERLINK(...)" in a form field cannot make a coordinator's
 * spreadsheet run it. Reading tools such as the roster import are
 * elsewhere (libcsv).
 */
#ifndef KK_CSVOUT_H
#define KK_CSVOUT_H

#include <stdbool.h>

#include "buf.h"

/* The UTF-8 byte-order mark that starts every file. */
#define CSVOUT_BOM "\xef\xbb\xbf"

/*
 * Appends TEXT (NULL: an empty cell) as one quoted cell, quotes doubled,
 * neutralised when it starts like a formula, followed by ',' or, when LAST,
 * by "\r\n". Returns 0 or the buf_append error.
 */
int csvout_cell(struct buf *b, const char *text, bool last);

/* Appends V with DECIMALS digits after the point as an unquoted cell; a
 * negative number is written as a text cell, neutralised like any other. */
int csvout_number(struct buf *b, double v, int decimals, bool last);

/* True when TEXT would be read as a formula by a spreadsheet. */
bool csvout_is_formula(const char *text);

#endif
