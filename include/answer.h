/* SPDX-License-Identifier: ISC */
/*
 * answer — what a reporter's chat answer means. Pure functions from the
 * answer as text_fold_ascii folded it (ASCII lower-cased, trimmed; Japanese
 * as written) to the value the intake takes; no state, no I/O, safe on any
 * bytes (tests/fuzz/answer.c). The conversation (convo.c) asks the
 * questions and keeps the answers.
 */
#ifndef KK_ANSWER_H
#define KK_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

#include "case.h"
#include "playbook.h"

/* The words a reporter may send at any question. */
enum answer_word { ANSWER_CANCEL, ANSWER_HELP, ANSWER_BACK };

/* Whether FOLDED is one of WORD's words ("cancel", "キャンセル" ...). */
bool answer_is(const char *folded, enum answer_word word);

/* Whether S holds Japanese text (the reply's language). */
bool answer_has_japanese(const char *s);

/* A whole number 1..MAX ("3", "3."), or -1. */
int answer_number(const char *folded, int max);

/* The incident type free text names ("身代金を要求" → "ransomware"), or NULL. */
const char *answer_guess_type(const char *folded);

/* 1 / yes / はい, 2 / no / いいえ, 3 / don't know / わからない. Returns 0 with
 * *OUT, or -EINVAL. */
int answer_tri(const char *folded, enum tri *out);

/* When the company knew: 1 / now, 2 / today, 3 / don't know, or a Japan
 * time "2026-11-22 09:30". Returns 0 with *KIND and *AT_MS (NOW_MS for now
 * and today; untouched for unknown), -EINVAL when unreadable, -ERANGE for
 * a time more than five minutes after NOW_MS. */
int answer_noticed(const char *folded, int64_t now_ms, enum noticed_kind *kind, int64_t *at_ms);

/* 1 / lost / なくした, 2 / stolen / 盗まれた, 3 / don't know. Returns 0 with
 * *OUT, or -EINVAL. */
int answer_lost(const char *folded, enum lost_or_stolen *out);

/* A prefecture of SET by number ("27"), English name ("osaka") or Japanese
 * name with or without its suffix ("大阪府", "大阪"): 1..47, or -1. */
int answer_prefecture(const struct playbook_set *set, const char *folded);

#endif
