/* SPDX-License-Identifier: ISC */
/*
 * playbook — the data in playbooks/: one playbook per incident type, the
 * directory of whom to report to with the source register, and the
 * prefecture table with regions and police.
 *
 * playbook_set_load reads and checks the whole folder into a fresh, read-only
 * set; the caller swaps it in only on success (SIGHUP reload keeps the old
 * set when the new one has problems). Strings returned by the accessors are
 * owned by the set and live as long as it does.
 */
#ifndef KK_PLAYBOOK_H
#define KK_PLAYBOOK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum lang { LANG_JA, LANG_EN };
#define LANG_COUNT 2

/* "ja" / "en" → enum lang. Returns 0 or -EINVAL. */
int lang_parse(const char *s, enum lang *out);
/* enum lang → "ja" / "en". */
const char *lang_code(enum lang l);

/* A text in both languages: s[LANG_JA], s[LANG_EN]. */
struct pb_text {
	const char *s[LANG_COUNT];
};

struct pb_item {
	const char *id;
	struct pb_text text;
	const char *const *sources; /* NULL-terminated */
};

enum pb_when { PB_WHEN_ALWAYS, PB_WHEN_MONEY, PB_WHEN_PERSONAL_DATA };

struct pb_report {
	const char *target;
	enum pb_when when;
};

struct playbook {
	const char *id; /* the entry of playbook_types: static, outlives the set */
	int order;
	const char *updated; /* "YYYY-MM-DD" */
	struct pb_text name, picker, summary;
	bool malicious; /* deliberate act: APPI final report in 60 days */
	const struct pb_item *steps, *dont, *evidence;
	size_t nsteps, ndont, nevidence;
	const struct pb_report *report_to;
	size_t nreport_to;
	json_t *json; /* the file as loaded (borrowed) */
};

struct pb_target {
	const char *id;
	struct pb_text name, how;
	bool legal_deadline;
	const char *const *sources;
};

struct pb_source {
	const char *tag, *title, *url;
};

struct pb_region {
	const char *id;
	struct pb_text name;
};

/*
 * The prefectural police's cybercrime consultation desk, as an official page
 * gives it (prefectures.json "cyber_desk"). Every part is optional except
 * source and checked: a string is NULL and a text's s[] are NULL when the
 * file does not give it; present is false when there is no "cyber_desk".
 */
struct pb_cyber_desk {
	bool present;
	struct pb_text name;  /* the desk's name, e.g. サイバー犯罪対策課 */
	const char *phone;    /* digits and '-' as dialled, or NULL */
	const char *url;      /* the desk's own page (http:// or https://), or NULL */
	struct pb_text hours; /* opening hours as the page gives them, or NULLs */
	const char *source;   /* the page these facts were read from */
	const char *checked;  /* "YYYY-MM-DD": when that page was read */
};

struct pb_prefecture {
	const char *code; /* "01".."47" */
	const char *iso;
	struct pb_text name, police;
	const struct pb_region *region;
	struct pb_cyber_desk cyber_desk;
};

#define PLAYBOOK_TYPES 12
/* The incident types in the order of the intake API's enumeration. */
extern const char *const playbook_types[PLAYBOOK_TYPES];

struct playbook_set;

/*
 * Loads every file of DIR. On problems, appends one line per problem
 * ("FILE: JSON-PATH: what is wrong") to ERRORS and returns -EINVAL;
 * -ENOMEM on allocation failure. On success *OUT owns the new set.
 */
int playbook_set_load(const char *dir, struct playbook_set **out, struct buf *errors);
void playbook_set_free(struct playbook_set *set);

/* Playbooks sorted by their "order" field; I < playbook_count(). */
size_t playbook_count(const struct playbook_set *set);
const struct playbook *playbook_at(const struct playbook_set *set, size_t i);
/* NULL when unknown. */
const struct playbook *playbook_find(const struct playbook_set *set, const char *id);
const struct pb_target *playbook_target(const struct playbook_set *set, const char *id);
const struct pb_source *playbook_source(const struct playbook_set *set, const char *tag);

/* The 47 prefectures in code order; I < 47. */
size_t playbook_prefecture_count(const struct playbook_set *set);
const struct pb_prefecture *playbook_prefecture_at(const struct playbook_set *set, size_t i);
/* NULL when CODE is not "01".."47". */
const struct pb_prefecture *playbook_prefecture(const struct playbook_set *set, const char *code);
size_t playbook_region_count(const struct playbook_set *set);
const struct pb_region *playbook_region_at(const struct playbook_set *set, size_t i);
const struct pb_region *playbook_region(const struct playbook_set *set, const char *id);

#endif
