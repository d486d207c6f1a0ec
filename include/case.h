/* SPDX-License-Identifier: ISC */
/*
 * case — the data of a case as the rest of the daemon sees it: the checked
 * intake fields (struct case_input) and a case read back from the store with
 * its timeline (struct case_record).
 */
#ifndef KK_CASE_H
#define KK_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "playbook.h"

/* Answers to yes/no questions, where "don't know" is always allowed. */
enum tri { TRI_UNKNOWN, TRI_YES, TRI_NO };

/* How precisely the reporter said when the company knew (anyone in it
 * noticed, or was told by a vendor or a customer): the APPI clock's start. */
enum noticed_kind { NOTICED_AT, NOTICED_NOW, NOTICED_TODAY, NOTICED_UNKNOWN };

/* For a lost device: lost, stolen, or not known; UNSET for other types. */
enum lost_or_stolen { LOS_UNSET, LOS_LOST, LOS_STOLEN, LOS_UNKNOWN };

#define CASE_REF_LEN 10 /* "KK-7Q3M-X9" */

struct case_input {
	const char *incident_type; /* one of playbook_types (static: outlives a reload) */
	enum tri still_happening, money_involved, personal_data;
	/* the APPI conditions, asked when personal data may be involved */
	enum tri sensitive_data, financial_harm, over_1000;
	enum lost_or_stolen lost_or_stolen;
	enum noticed_kind noticed;
	int64_t noticed_at_ms; /* UTC; for NOTICED_UNKNOWN the time of the report */
	char prefecture[3];    /* "01".."47" */
	char *company, *name, *phone, *email,
	    *description;    /* malloc'd; email, description may be NULL */
	enum lang lang;      /* preferred language for guidance and call-back */
	const char *channel; /* "web", "api" or "chat" (static) */
};

struct case_event {
	int64_t at_ms;      /* UTC */
	int64_t elapsed_us; /* monotonic time since "received", or -1 when not measured */
	char *kind;         /* "received", "guidance_delivered", ... */
	char *actor;        /* who caused it, or NULL */
	char *detail;       /* JSON object text, or NULL */
};

struct case_record {
	int64_t id;
	char ref[CASE_REF_LEN + 1];
	unsigned char token_hash[32];
	int64_t token_expires_ms;
	bool token_revoked;
	char *channel, *incident_type, *state;
	enum tri still_happening, money_involved, personal_data;
	enum tri sensitive_data, financial_harm, over_1000;
	enum lost_or_stolen lost_or_stolen;
	enum noticed_kind noticed;
	int64_t noticed_at_ms, received_ms;
	char prefecture[3];
	char *company, *name, *phone, *email, *description; /* email, description may be NULL */
	enum lang lang;
	struct case_event *events;
	size_t nevents;
};

/* "yes" / "no" / "unknown". */
const char *case_tri_name(enum tri t);
/* "yes" / "no" / "unknown" → enum tri. Returns 0 or -EINVAL. */
int case_tri_parse(const char *s, enum tri *out);
/* "lost" / "stolen" / "unknown" ("" for UNSET). */
const char *case_los_name(enum lost_or_stolen l);
/* "lost" / "stolen" / "unknown" → enum lost_or_stolen. Returns 0 or -EINVAL. */
int case_los_parse(const char *s, enum lost_or_stolen *out);
/* "at" / "now" / "today" / "unknown". */
const char *case_noticed_name(enum noticed_kind k);
int case_noticed_parse(const char *s, enum noticed_kind *out);

/* The kinds of event on a case's timeline. */
enum event_kind {
	EV_RECEIVED,               /* the report came in (the clocks' start) */
	EV_GUIDANCE_DELIVERED,     /* the first steps reached the reporter */
	EV_GUIDANCE_NOT_DELIVERED, /* the answer carrying them did not get out */
	EV_ROUTED,                 /* the first alert step */
	EV_ESCALATED,              /* a later alert step */
	EV_ESCALATION_EXHAUSTED,   /* nobody answered: the coordinators are told */
	EV_NOTIFIED,               /* an alert reached a specialist's client */
	EV_ACKNOWLEDGED,
	EV_DECLINED,
	EV_CONTACT_REVEALED, /* the reporter's details went to a specialist */
	EV_CONTACTED,        /* first human contact with the reporter */
	EV_DISPATCH_REQUESTED,
	EV_ON_THE_WAY,
	EV_ONSITE,
	EV_LEFT_SITE,
	EV_RESOLVED,
	EV_REASSIGNED,
	EV_NOTE,
	EV_DETAILS_VIEWED, /* a coordinator opened the reporter's details */
	EV_REMINDER_SENT,
	EV_PPC_PRELIMINARY_REPORTED, /* the company filed its reports to the commission */
	EV_PPC_FINAL_REPORTED,
};

/* The kind's stored name ("guidance_delivered" ...); NULL for a bad value. */
const char *event_kind_name(enum event_kind k);
/* The stored name → enum event_kind. Returns 0 or -EINVAL. */
int event_kind_parse(const char *name, enum event_kind *out);

/* Whether the reporter sees events of KIND on their status page and API
 * (the relay's own steps, such as a specialist passing, stay internal). */
bool case_event_public(const char *kind);

/*
 * Appends the reporter's details for the specialist who has case REF, one
 * per line (company, name, phone, e-mail, language, what they see), and
 * the request to report back with "contacted REF". NULL fields are left
 * out. Returns 0 or a negative errno from buf.
 */
int case_details_text(struct buf *b, const char *ref, const char *company, const char *name,
                      const char *phone, const char *email, const char *lang,
                      const char *description);

/* Frees the strings of IN; safe on a zeroed struct. */
void case_input_fini(struct case_input *in);
/* Frees a record from the store; NULL is allowed. */
void case_record_free(struct case_record *rec);

#endif
