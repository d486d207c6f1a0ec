/* SPDX-License-Identifier: ISC */
/*
 * oncall — who is on call, from the roster's rotations and overrides; see
 * oncall.h.
 *
 * Pure arithmetic on UTC milliseconds. A rotation's shifts are periods of
 * fixed length counted from its first hand-off, which is exact because the
 * zones it accepts have no daylight saving time. A schedule governs a
 * prefecture only while it is in force: from a rotation's first hand-off on,
 * and inside an override's window. Outside them everyone serving the
 * prefecture is on call, so a rotation that starts next week or an override
 * for Saturday night does not leave the prefecture without anyone now.
 *
 * Coverage asks the same question every 15 minutes, with the specialists
 * each schedule names looked up once beforehand. Loading the roster and
 * alerting people are left to roster.c and the router.
 */
#include "oncall.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define ONCALL_SLOT_MS           (15LL * 60 * 1000)
#define ONCALL_DAY_MS            (24LL * 3600 * 1000)
#define ONCALL_COVERAGE_DAYS_MAX 366

/* The specialists the schedules name, looked up once (NULL: unknown id). */
struct oncall_lookup {
	const struct specialist **ovr; /* one per override */
	const struct specialist **mem; /* rotation members, one rotation after another */
	size_t *first;                 /* per rotation: the index of its first member in mem */
};

static const struct specialist *override_who(const struct roster *r, const struct oncall_lookup *lk,
                                             size_t i)
{
	return lk != NULL ? lk->ovr[i] : roster_by_id(r, r->ovr[i].specialist);
}

static const struct specialist *member_who(const struct roster *r, const struct oncall_lookup *lk,
                                           size_t i, size_t j)
{
	return lk != NULL ? lk->mem[lk->first[i] + j] : roster_by_id(r, r->rot[i].members[j]);
}

static int lookup_init(struct oncall_lookup *lk, const struct roster *r)
{
	size_t nmem = 0;
	size_t k = 0;

	for (size_t i = 0; i < r->nrot; i++)
		nmem += r->rot[i].nmembers;
	lk->ovr = calloc(r->novr + 1, sizeof *lk->ovr);
	lk->mem = calloc(nmem + 1, sizeof *lk->mem);
	lk->first = calloc(r->nrot + 1, sizeof *lk->first);
	if (lk->ovr == NULL || lk->mem == NULL || lk->first == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < r->novr; i++)
		lk->ovr[i] = roster_by_id(r, r->ovr[i].specialist);
	for (size_t i = 0; i < r->nrot; i++) {
		lk->first[i] = k;
		for (size_t j = 0; j < r->rot[i].nmembers; j++)
			lk->mem[k++] = roster_by_id(r, r->rot[i].members[j]);
	}
	return 0;
}

static void lookup_fini(struct oncall_lookup *lk)
{
	free(lk->ovr);
	free(lk->mem);
	free(lk->first);
}

static bool scope_covers(const char *scope, const struct pb_prefecture *p)
{
	return scope != NULL && (strcmp(scope, p->code) == 0 || strcmp(scope, p->region->id) == 0);
}

static void jst_minute(int64_t ms, char *out, size_t n)
{
	text_jst_format(ms, "%Y-%m-%d %H:%M", out, n);
}

static void add(struct oncall *out, const struct specialist *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds S with the reason FMT, once, while there is room. */
static void add(struct oncall *out, const struct specialist *s, const char *fmt, ...)
{
	va_list ap;

	for (size_t i = 0; i < out->n; i++)
		if (out->e[i].who == s)
			return;
	if (out->n == ONCALL_MAX)
		return;
	out->e[out->n].who = s;
	va_start(ap, fmt);
	vsnprintf(out->e[out->n].why, sizeof out->e[out->n].why, fmt, ap);
	va_end(ap);
	out->n++;
}

/* Fills OUT for prefecture P at AT and ORs into *TYPES the specialties of
 * everyone on call, including any past ONCALL_MAX. */
static void compute(const struct roster *r, const struct oncall_lookup *lk,
                    const struct pb_prefecture *p, int64_t at, struct oncall *out, uint32_t *types)
{
	uint32_t t = 0;
	bool overridden = false;

	out->n = 0;
	out->scheduled = false;
	for (size_t i = 0; i < r->novr; i++) {
		const struct override *ov = &r->ovr[i];
		const struct specialist *s;
		char from[24], until[24];

		if (!scope_covers(ov->scope, p) || at < ov->start_ms || at >= ov->end_ms)
			continue;
		out->scheduled = true;
		s = override_who(r, lk, i);
		if (s == NULL || !s->active)
			continue;
		jst_minute(ov->start_ms, from, sizeof from);
		jst_minute(ov->end_ms, until, sizeof until);
		add(out, s, "override %lld (%s) from %s until %s JST", (long long)ov->id, ov->scope,
		    from, until);
		t |= s->type_mask;
		overridden = true;
	}
	for (size_t i = 0; i < r->nrot && !overridden; i++) {
		const struct rotation *rot = &r->rot[i];
		int64_t period = rot->period == ROTATION_WEEKLY ? 7 * ONCALL_DAY_MS : ONCALL_DAY_MS;
		const struct specialist *s;
		int64_t shift;
		char since[24];

		if (!scope_covers(rot->scope, p) || at < rot->start_ms)
			continue;
		out->scheduled = true;
		if (rot->nmembers == 0)
			continue;
		shift = (at - rot->start_ms) / period;
		s = member_who(r, lk, i, (size_t)(shift % (int64_t)rot->nmembers));
		if (s == NULL || !s->active)
			continue;
		jst_minute(rot->start_ms + shift * period, since, sizeof since);
		add(out, s, "rotation %lld (%s, %s) since %s JST", (long long)rot->id,
		    rot->period == ROTATION_WEEKLY ? "weekly" : "daily", rot->scope, since);
		t |= s->type_mask;
	}
	if (!out->scheduled) {
		/* pb_prefecture codes run "01".."47": bit (code - 1). */
		uint64_t bit = 1ULL << ((p->code[0] - '0') * 10 + (p->code[1] - '0') - 1);

		for (size_t i = 0; i < r->n; i++) {
			const struct specialist *s = &r->v[i];

			if (!s->active || (s->pref_mask & bit) == 0)
				continue;
			add(out, s, "no schedule for %s: serves %s", p->code, p->code);
			t |= s->type_mask;
		}
	}
	*types = t;
}

int oncall_at(const struct roster *r, const struct playbook_set *set, const char *pref,
              int64_t at_ms, struct oncall *out)
{
	const struct pb_prefecture *p = roster_prefecture(set, pref);
	uint32_t types;

	out->n = 0;
	out->scheduled = false;
	if (p == NULL)
		return -ENOENT;
	compute(r, NULL, p, at_ms, out, &types);
	return 0;
}

static int coverage_gaps(const struct pb_prefecture *p, const uint32_t *masks, size_t nslots,
                         int64_t from_ms, struct buf *out)
{
	int gaps = 0;

	for (int t = 0; t < PLAYBOOK_TYPES; t++) {
		uint32_t bit = 1u << t;
		size_t k = 0;

		if (strcmp(playbook_types[t], "unknown") == 0)
			continue;
		while (k < nslots) {
			char a[24], b[24];
			size_t start;
			int rc;

			if ((masks[k] & bit) != 0) {
				k++;
				continue;
			}
			start = k;
			while (k < nslots && (masks[k] & bit) == 0)
				k++;
			jst_minute(from_ms + (int64_t)start * ONCALL_SLOT_MS, a, sizeof a);
			jst_minute(from_ms + (int64_t)k * ONCALL_SLOT_MS, b, sizeof b);
			rc = buf_printf(out, "%s %s %s \xe2\x80\x93 %s JST\n", p->code,
			                playbook_types[t], a, b);
			if (rc < 0)
				return rc;
			gaps++;
		}
	}
	return gaps;
}

int oncall_coverage(const struct roster *r, const struct playbook_set *set, int64_t from_ms,
                    int days, struct buf *out)
{
	struct oncall_lookup lk = {NULL, NULL, NULL};
	struct oncall *oc = NULL;
	uint32_t *masks = NULL;
	size_t nslots;
	int gaps = 0;
	int rc;

	if (days < 1 || days > ONCALL_COVERAGE_DAYS_MAX)
		return -EINVAL;
	nslots = (size_t)days * (size_t)(ONCALL_DAY_MS / ONCALL_SLOT_MS);
	masks = calloc(nslots, sizeof *masks);
	oc = malloc(sizeof *oc);
	rc = masks != NULL && oc != NULL ? lookup_init(&lk, r) : -ENOMEM;
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < playbook_prefecture_count(set); i++) {
		const struct pb_prefecture *p = playbook_prefecture_at(set, i);

		for (size_t k = 0; k < nslots; k++)
			compute(r, &lk, p, from_ms + (int64_t)k * ONCALL_SLOT_MS, oc, &masks[k]);
		rc = coverage_gaps(p, masks, nslots, from_ms, out);
		if (rc < 0)
			goto out;
		gaps += rc;
	}
	rc = gaps;
out:
	lookup_fini(&lk);
	free(masks);
	free(oc);
	return rc;
}

int oncall_tz_offset(const char *tz, int *minutes)
{
	static const struct {
		const char *name;
		int minutes;
	} zones[] = {{"Asia/Tokyo", 9 * 60}, {"UTC", 0}, {"Etc/UTC", 0}};
	int h, m;

	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		if (strcmp(tz, zones[i].name) == 0) {
			*minutes = zones[i].minutes;
			return 0;
		}
	}
	if ((tz[0] != '+' && tz[0] != '-') || strlen(tz) != 6 || tz[3] != ':')
		return -EINVAL;
	for (int i = 1; i < 6; i++)
		if (i != 3 && (tz[i] < '0' || tz[i] > '9'))
			return -EINVAL;
	h = (tz[1] - '0') * 10 + (tz[2] - '0');
	m = (tz[4] - '0') * 10 + (tz[5] - '0');
	if (h > 14 || m > 59)
		return -EINVAL;
	*minutes = (tz[0] == '-' ? -1 : 1) * (h * 60 + m);
	return 0;
}
