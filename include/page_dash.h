/* SPDX-License-Identifier: ISC */
/*
 * page_dash — the coordinators' HTML pages: login, the queue of open
 * cases, a case with its timeline, reporter's details and actions, the
 * figures with their pictures, the on-call coverage, and short messages.
 *
 * Same rules as the reporters' pages (page.h): server-rendered, no
 * JavaScript (the queue reloads itself with <meta http-equiv="refresh">
 * and has a reload link), only same-origin style sheets, and every text
 * from outside through buf_put_html. Every form that changes something
 * carries the session's CSRF token. Callers fetch the data; this module
 * only writes markup.
 */
#ifndef KK_PAGE_DASH_H
#define KK_PAGE_DASH_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "case.h"
#include "playbook.h"
#include "ppc.h"
#include "roster.h"
#include "stats.h"

#define PAGE_DASH_MAX (4 * 1024 * 1024)

/* What every dashboard page has around its content. */
struct page_dash_frame {
	enum lang ui;
	const char *user;   /* who is logged in; NULL on pages before login */
	const char *csrf;   /* the session's CSRF token (for the logout form) */
	const char *active; /* "queue", "figures" or "coverage": the current tab */
	const char *self;   /* this page's path and query, for the language switch */
	unsigned refresh_s; /* reload every N seconds; 0: never */
	const char *notice; /* a line shown at the top, or NULL */
};

/* The login form; ERROR (may be NULL) is shown above it. */
int page_dash_login(struct buf *b, enum lang ui, const char *csrf, const char *next,
                    const char *error);

/* A heading and a paragraph inside the frame. */
int page_dash_message(struct buf *b, const struct page_dash_frame *f, const char *title,
                      const char *text);

struct page_dash_queue_row {
	char ref[CASE_REF_LEN + 1];
	int64_t received_ms;
	const char *prefecture; /* name in the page's language */
	const char *type;       /* playbook name in the page's language */
	char state[32];
	char assignee[200];       /* who has the case, "" for nobody */
	char acked_by[200];       /* who acknowledged, "" when nobody did */
	double ack_s;             /* time to acknowledge, negative when none */
	enum stats_clock running; /* the clock that runs now */
	double running_s;         /* for how long it has run */
	double target_s;          /* its target; 0: none */
	bool late;                /* past its target */
};

/* The queue of open cases, oldest first. */
int page_dash_queue(struct buf *b, const struct page_dash_frame *f,
                    const struct page_dash_queue_row *rows, size_t n, int64_t now_ms);

struct page_dash_case {
	const struct case_record *rec;
	const char *prefecture, *region, *type; /* names */
	const char *assignee;                   /* name and JID of who has it, or NULL */
	const char *acked_by;                   /* who acknowledged, or NULL */
	double ack_s;                           /* negative when nobody has */
	const struct roster *roster;            /* names of actors, and who to reassign to */
	bool resolved;
	bool contacted;
	const struct ppc_deadline *deadlines; /* the APPI dates (ppc.h), or none */
	size_t ndeadlines;
	int64_t now_ms; /* for their state */
};

/* A report's draft for case REF (draft.h), printable; the labels in
 * English too when the page is in English. */
struct draft;
int page_dash_draft(struct buf *b, const struct page_dash_frame *f, const char *ref,
                    const struct draft *d);

/* A case: details, legal deadlines, actions, the whole timeline. */
int page_dash_case(struct buf *b, const struct page_dash_frame *f, const struct page_dash_case *c);

struct page_dash_figures {
	const struct stats_result *res; /* grouped as asked */
	const struct playbook_set *set;
	const struct roster *roster;
	enum stats_clock clock; /* the clock detailed per group */
	double target_s[STATS_CLOCKS];
	char from[11], to[11]; /* JST dates as in the form; TO is inclusive */
	const char *query;     /* "from=…&to=…&group=…" for the export links */
	const char *map_svg;   /* inline pictures, or NULL */
	const char *histogram_svg;
};

int page_dash_figures(struct buf *b, const struct page_dash_frame *f,
                      const struct page_dash_figures *v);

struct page_dash_coverage {
	const struct playbook_set *set;
	int64_t from_ms;
	int days;
	const double *gap_h; /* [prefecture index * PLAYBOOK_TYPES + type]: hours nobody covers */
};

int page_dash_coverage(struct buf *b, const struct page_dash_frame *f,
                       const struct page_dash_coverage *v);

/* A prefecture's, region's, type's or specialist's name for KEY of a
 * figures row grouped by G, in UI's language, into OUT (size N). */
void page_dash_group_name(const struct playbook_set *set, const struct roster *roster,
                          enum stats_group g, const char *key, enum lang ui, char *out, size_t n);

#endif
