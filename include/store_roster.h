/* SPDX-License-Identifier: ISC */
/*
 * store_roster — the specialists, the rotations and the overrides in the
 * store (tables specialists, rotations, overrides), and the version that
 * every change bumps so that a running daemon reloads them (meta
 * roster_version).
 */
#ifndef KK_STORE_ROSTER_H
#define KK_STORE_ROSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* A specialist as stored (texts borrowed; email and phone may be NULL). */
struct store_specialist {
	const char *id, *name, *jid, *email, *phone, *prefectures, *specialties, *languages;
	bool onsite, first_consult_free, active;
};

struct store_rotation {
	int64_t id;
	const char *scope, *period, *handoff, *tz; /* period "daily"/"weekly", handoff "HH:MM" */
	int64_t start_ms;
	const char *members; /* "id;id;..." */
};

struct store_override {
	int64_t id;
	const char *scope, *specialist;
	int64_t start_ms, end_ms;
};

/* In a write job: the list of specialists is emptied (a replace follows). */
int store_specialists_clear(struct store_tx *tx);
int store_specialist_add(struct store_tx *tx, const struct store_specialist *s);
/* In a write job: a rotation or an override; its id into *ID. */
int store_rotation_add(struct store_tx *tx, const struct store_rotation *r, int64_t *id);
int store_override_add(struct store_tx *tx, const struct store_override *o, int64_t *id);
/* In a write job: rotation or override ID goes; -ENOENT when there is none. */
int store_rotation_remove(struct store_tx *tx, int64_t id);
int store_override_remove(struct store_tx *tx, int64_t id);
/* In a write job: the roster changed. */
int store_roster_bump(struct store_tx *tx);

/* On the loop: CB for every specialist, rotation, override, by id; a CB's
 * non-zero value stops and is returned. */
int store_specialists_each(struct store *st, int (*cb)(void *arg, const struct store_specialist *s),
                           void *arg);
int store_rotations_each(struct store *st, int (*cb)(void *arg, const struct store_rotation *r),
                         void *arg);
int store_overrides_each(struct store *st, int (*cb)(void *arg, const struct store_override *o),
                         void *arg);
/* On the loop: the roster's version, or a negative errno. */
int64_t store_roster_version(struct store *st);

#endif
