/* SPDX-License-Identifier: ISC */
/*
 * ppc — the law's clock and duty for a leak of personal data under the Act
 * on the Protection of Personal Information (APPI): whether a report to the
 * Personal Information Protection Commission is required, and by when.
 *
 * The rules (施行規則 第7条 and 第8条; ガイドライン(通則編) 3-5-3):
 * - A report is required when personal data leaked or may have leaked and
 *   any of four conditions holds: 要配慮個人情報 (health, criminal record
 *   ...); data whose misuse could cost money (card numbers, bank log-ins);
 *   a deliberate act (an attack, theft, an insider taking data; 不正の目的);
 *   more than 1,000 people. The first three count even for one person.
 * - The clock runs from when the business knew: the moment anyone in the
 *   company learned of it or was told by a vendor or a customer.
 * - 速報 (preliminary): as soon as possible; the guideline's outer bound is
 *   about 3 to 5 days from that moment, so the date shown is day 5 and it
 *   is always marked approximate. 確報 (final): within 30 days, or 60 when
 *   the cause is a deliberate act.
 * Dates are Japan-time calendar dates, counted from the day the company
 * knew; a date on a weekend or holiday is shown as it falls (not moved to
 * the next business day), which errs on the safe side. Pure: no clock
 * except NOW_MS, no I/O.
 */
#ifndef KK_PPC_H
#define KK_PPC_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "case.h"

#define PPC_PRELIM_DAYS          5
#define PPC_FINAL_DAYS           30
#define PPC_FINAL_DAYS_MALICIOUS 60

/* The reasons a report is required (a bit each). */
#define PPC_SENSITIVE 1u /* 要配慮個人情報 */
#define PPC_FINANCIAL 2u /* misuse could cost money */
#define PPC_MALICIOUS 4u /* a deliberate act */
#define PPC_OVER_1000 8u /* more than 1,000 people */

enum ppc_reportable { PPC_NOT_REQUIRED, PPC_LIKELY, PPC_REQUIRED };

struct ppc_facts {
	enum tri personal_data, sensitive_data, financial_harm, over_1000;
	bool malicious_type; /* the incident type is a deliberate act (the playbook's flag) */
	bool lost_device;    /* the type asks whether the device was lost or stolen */
	enum lost_or_stolen lost_or_stolen;
	bool known;          /* known_at_ms was given */
	int64_t known_at_ms; /* when the company knew (UTC) */
};

struct ppc_clock {
	bool applies; /* personal data involved or maybe: the rest is set */
	enum ppc_reportable reportable;
	unsigned reasons; /* the conditions that hold */
	unsigned unknown; /* the conditions not known yet */
	bool malicious;   /* 60 days (a stolen or maybe stolen device counts) */
	bool dated;       /* the company's moment is known: the dates are set */
	char known_date[11], prelim_due[11], final_due[11]; /* JST YYYY-MM-DD */
	int final_days;
	bool prelim_overdue, final_overdue;
};

/* The facts of a new report or of a stored case; MALICIOUS_TYPE is the
 * playbook's flag for its incident type. */
void ppc_facts_of_input(const struct case_input *in, bool malicious_type, struct ppc_facts *f);
void ppc_facts_of_record(const struct case_record *rec, bool malicious_type, struct ppc_facts *f);

/* Assesses F at NOW_MS (UTC) into C. */
void ppc_assess(const struct ppc_facts *f, int64_t now_ms, struct ppc_clock *c);

/* "required", "likely", "not_required". */
const char *ppc_reportable_name(enum ppc_reportable r);

/*
 * Appends to B, in LANG, what the PPC entry of the guidance says beyond
 * the target's own text: whether a report is required and why, telling the
 * people affected, and the dates (or, without a known moment, from when to
 * count), with the overdue notice when a date has passed. Returns 0 or a
 * negative errno from buf.
 */
int ppc_text(const struct ppc_clock *c, enum lang lang, struct buf *b);

/* Only the sentence on whether a report is required and why. */
int ppc_duty_text(const struct ppc_clock *c, enum lang lang, struct buf *b);

/* The conditions of MASK (PPC_SENSITIVE ...) as API names, into a JSON
 * array (new reference). */
struct json_t;
struct json_t *ppc_reasons_json(unsigned mask);

/* A deadline of a stored case, as its reminders keep it (store.h). */
enum ppc_report { PPC_REPORT_PRELIMINARY, PPC_REPORT_FINAL };

struct ppc_deadline {
	enum ppc_report report;
	char due[11];  /* JST YYYY-MM-DD; the preliminary one is approximate */
	bool reported; /* the company filed it (recorded on the timeline) */
};

/* "preliminary" / "final". */
const char *ppc_report_name(enum ppc_report r);
enum ppc_deadline_state { PPC_DEADLINE_DUE, PPC_DEADLINE_OVERDUE, PPC_DEADLINE_REPORTED };

/* D's state at NOW_MS, and its name ("due", "overdue", "reported"). */
enum ppc_deadline_state ppc_deadline_state(const struct ppc_deadline *d, int64_t now_ms);
const char *ppc_deadline_state_name(enum ppc_deadline_state s);

/*
 * Appends one line per deadline of D (N of them) in both languages, for a
 * specialist or a coordinator: the date and its state at NOW_MS, with the
 * overdue notice. Nothing when N is 0. Returns 0 or a negative errno.
 */
int ppc_deadlines_text(const struct ppc_deadline *d, size_t n, int64_t now_ms, struct buf *b);

/* The overdue notice itself, in LANG (static). */
const char *ppc_overdue_text(enum lang lang);

#endif
