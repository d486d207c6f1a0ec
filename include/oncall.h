/* SPDX-License-Identifier: ISC */
/*
 * oncall — who is on call for a prefecture at a given time, and why.
 *
 * For a prefecture P at time T: every active override whose scope is P or
 * P's region; otherwise the current member of each rotation whose scope is
 * P or P's region. When no rotation or override covers P at all, every
 * active specialist who serves P counts as on call, so a roster alone is
 * enough to start.
 */
#ifndef KK_ONCALL_H
#define KK_ONCALL_H

#include <stdint.h>

#include "buf.h"
#include "playbook.h"
#include "roster.h"

#define ONCALL_MAX 64

struct oncall_entry {
	const struct specialist *who;
	char why[160]; /* "rotation 3 (weekly, 27) since 2026-11-16 09:00 JST" */
};

struct oncall {
	struct oncall_entry e[ONCALL_MAX];
	size_t n;
	bool scheduled; /* false: nobody schedules P, so everyone serving P is on call */
};

/* Fills OUT with who is on call for PREF (a JIS code) at AT_MS. Returns 0,
 * or -ENOENT for an unknown prefecture. */
int oncall_at(const struct roster *r, const struct playbook_set *set, const char *pref,
              int64_t at_ms, struct oncall *out);

/*
 * Appends to OUT one line per prefecture and specialty with nobody on call
 * in [FROM_MS, FROM_MS + DAYS), with the gaps: "27 ransomware 2026-11-23
 * 09:00 – 2026-11-24 09:00 JST". Checks in 15-minute steps. Returns the
 * number of gaps, or a negative errno.
 */
int oncall_coverage(const struct roster *r, const struct playbook_set *set, int64_t from_ms,
                    int days, struct buf *out);

/* Parses "Asia/Tokyo", "UTC" or "+09:00" into minutes east of UTC. */
int oncall_tz_offset(const char *tz, int *minutes);

#endif
