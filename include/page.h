/* SPDX-License-Identifier: ISC */
/*
 * page — the reporter's HTML pages: the intake form (fresh, or again with
 * what was typed and a message beside each field at fault), the answer with
 * the case reference and first guidance, the status page, and error pages.
 *
 * Pages work without JavaScript, fit a 360 px wide screen, load only
 * /static/app.css, and escape every piece of text that came from outside.
 */
#ifndef KK_PAGE_H
#define KK_PAGE_H

#include "buf.h"
#include "case.h"
#include "guidance.h"
#include "intake.h"
#include "playbook.h"

#define PAGE_MAX (512 * 1024)

/* Reads what the reporter typed into FIELD (borrowed), or NULL. */
typedef const char *(*page_value_cb)(void *src, const char *field);

/* The form in UI's language. VALUE and ERRS may be NULL for a fresh form. */
int page_form(struct buf *b, const struct playbook_set *set, enum lang ui, page_value_cb value,
              void *src, const struct intake_errors *errs);

/* What the reporter told us, shown back on their own pages (may be NULL). */
struct page_details {
	const char *company, *name, *phone, *email, *description;
};

/* The answer to a report: reference, guidance, status link, call-back note. */
int page_result(struct buf *b, enum lang ui, const char *ref, const char *status_url,
                const struct guidance *g, const struct page_details *d);

/* The reporter's status page: guidance again and the timeline. */
int page_status(struct buf *b, enum lang ui, const struct case_record *rec,
                const struct guidance *g, const char *self_url);

/* A short page with a heading and one paragraph, for 404, 413, 503... */
int page_message(struct buf *b, enum lang ui, const char *title, const char *text);

#endif
