/* SPDX-License-Identifier: ISC */
/*
 * roster — the coordinators' list of specialists and the on-call schedules.
 *
 * The roster lives in the store (tables specialists, rotations, overrides);
 * roster_load reads all of it into a fresh, read-only struct roster on the
 * loop, which the router consults. kakekomictl imports a roster from a
 * spreadsheet's CSV export or from JSON, replacing the whole list in one
 * transaction, and only when every row is valid.
 *
 * Lists in a row are separated by ';'. Prefectures are JIS codes ("27", "01"),
 * region ids ("kinki", "kanto", ...) or "all"; specialties are incident types
 * ("ransomware", ...) or "all"; languages are "ja" and "en".
 */
#ifndef KK_ROSTER_H
#define KK_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "playbook.h"
#include "store.h"

#define ROSTER_MAX 10000

struct specialist {
	char *id, *name, *jid, *email, *phone;       /* email, phone may be NULL */
	char *prefectures, *specialties, *languages; /* as written, for export */
	uint64_t pref_mask;                          /* bit (code - 1) for each prefecture served */
	uint32_t type_mask;                          /* bit i for playbook_types[i] */
	unsigned lang_mask;                          /* bit LANG_JA, bit LANG_EN */
	bool onsite, first_consult_free, active;
};

enum rotation_period { ROTATION_DAILY, ROTATION_WEEKLY };

/* A rotation: members take turns, each for one day or week, handing over at
 * HANDOFF local time. SCOPE is a prefecture code or a region id. */
struct rotation {
	int64_t id;
	char *scope;
	enum rotation_period period;
	int handoff_min;   /* minutes after local midnight */
	char *tz;          /* "Asia/Tokyo", "UTC" or "+09:00" */
	int tz_offset_min; /* fixed offset of TZ from UTC */
	int64_t start_ms;  /* first hand-off */
	char **members;    /* specialist ids in turn order */
	size_t nmembers;
};

/* An override: SPECIALIST is on call for SCOPE from START to END, in place
 * of the rotation. */
struct override {
	int64_t id;
	char *scope;
	char *specialist;
	int64_t start_ms, end_ms;
};

struct roster {
	struct specialist *v;
	size_t n;
	struct rotation *rot;
	size_t nrot;
	struct override *ovr;
	size_t novr;
};

/* ---- parsing (pure) ---- */

/*
 * Parses a roster file: CSV with a header row (columns id, name, jid, email,
 * phone, prefectures, specialties, languages, onsite, first_consult_free,
 * active, in any order; a UTF-8 BOM is skipped) or, when the first non-blank
 * character is '[' or '{', JSON (an array of objects with the same keys, or
 * {"specialists": [...]}). Booleans: yes/no, true/false, 1/0, or empty.
 * On success returns 0 with *OUT (free with roster_free). On problems
 * appends "line N: reason" (CSV) or "specialists[N]: reason" (JSON) lines
 * to ERRORS and returns -EINVAL; nothing is kept.
 */
int roster_parse(const char *text, size_t len, const struct playbook_set *set, struct roster **out,
                 struct buf *errors);

/* The roster as CSV with a header row (the format roster_parse reads). */
int roster_export_csv(const struct roster *r, struct buf *out);

/* Parses "27;kinki" etc. into a mask. Returns 0 or -EINVAL (naming the bad
 * token in ERR, size N). */
int roster_parse_prefectures(const struct playbook_set *set, const char *list, uint64_t *mask,
                             char *err, size_t n);

/* ---- the store ---- */

/* Reads the roster and schedules from the store (on the loop). */
int roster_load(struct store *st, const struct playbook_set *set, struct roster **out);

/* Writes R's specialists in place of the stored ones, inside TX, and bumps
 * the roster version so a running daemon reloads it. */
int roster_tx_replace(struct store_tx *tx, const struct roster *r);

/* Adds ROT (its id is ignored; members joined with ';', handoff stored as
 * "HH:MM") inside TX, bumps the roster version and sets *ID to the new
 * rotation's id. Returns 0, -EINVAL for no members or a bad handoff, or a
 * negative errno from the store. */
int roster_tx_rotation_add(struct store_tx *tx, const struct rotation *rot, int64_t *id);

/* Adds OV (its id is ignored) inside TX, bumps the roster version and sets
 * *ID. Returns 0, -EINVAL when it does not end after it starts, or a
 * negative errno from the store. */
int roster_tx_override_add(struct store_tx *tx, const struct override *ov, int64_t *id);

/* Remove rotation or override ID inside TX and bump the roster version.
 * Return 0, -ENOENT when there is no such one, or a negative errno. */
int roster_tx_rotation_remove(struct store_tx *tx, int64_t id);
int roster_tx_override_remove(struct store_tx *tx, int64_t id);

/* The roster version: it changes whenever the roster or a schedule does. */
int64_t roster_version(struct store *st);

void roster_free(struct roster *r);

/* ---- lookups ---- */

const struct specialist *roster_by_id(const struct roster *r, const char *id);
/* By bare JID, compared case-insensitively. */
const struct specialist *roster_by_jid(const struct roster *r, const char *jid);
/* Prefecture CODE as a roster or a schedule may write it, "1" for "01";
 * NULL when there is none. */
const struct pb_prefecture *roster_prefecture(const struct playbook_set *set, const char *code);

#endif
