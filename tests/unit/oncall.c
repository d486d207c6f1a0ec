/* SPDX-License-Identifier: ISC */
/* Unit tests: who is on call for a prefecture, from rotations, overrides and
 * the roster alone, and where the schedule leaves nobody. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pbfixture.h"
#include "oncall.h"
#include "text.h"

TestSuite(oncall, .init = pbfixture_setup, .fini = pbfixture_teardown);

/*
 * a, b: Osaka (27), every specialty; k: the whole Kinki region; r: Osaka,
 * ransomware only; t: Tokyo (13); z: Osaka but no longer active.
 */
static const char *const people = "id,name,jid,prefectures,specialties,active\n"
                                  "a,A,a@example.jp,27,,\n"
                                  "b,B,b@example.jp,27,,\n"
                                  "k,K,k@example.jp,kinki,,\n"
                                  "r,R,r@example.jp,27,ransomware,\n"
                                  "t,T,t@example.jp,13,,\n"
                                  "z,Z,z@example.jp,27,,no\n";

static int64_t at(const char *rfc3339)
{
	int64_t ms;

	cr_assert_eq(text_rfc3339_parse(rfc3339, &ms), 0, "%s", rfc3339);
	return ms;
}

/* Adds a rotation owned by R (roster_free frees it). */
static void add_rotation(struct roster *r, const char *scope, enum rotation_period period,
                         const char *start, const char *members)
{
	struct rotation *rot;
	char *copy = strdup(members);
	char *save = NULL;

	r->rot = realloc(r->rot, (r->nrot + 1) * sizeof *r->rot);
	rot = &r->rot[r->nrot];
	memset(rot, 0, sizeof *rot);
	rot->id = (int64_t)++r->nrot;
	rot->scope = strdup(scope);
	rot->period = period;
	rot->tz = strdup("Asia/Tokyo");
	rot->tz_offset_min = 540;
	rot->start_ms = at(start);
	rot->handoff_min = 9 * 60;
	rot->members = calloc(16, sizeof *rot->members);
	for (char *t = strtok_r(copy, ";", &save); t != NULL; t = strtok_r(NULL, ";", &save))
		rot->members[rot->nmembers++] = strdup(t);
	free(copy);
}

/* The roster of people with one rotation, as add_rotation makes it. */
static struct roster *with_rotation(const char *scope, enum rotation_period period,
                                    const char *start, const char *members)
{
	struct roster *r = pbfixture_roster(people);

	add_rotation(r, scope, period, start, members);
	return r;
}

static void add_override(struct roster *r, const char *scope, const char *who, const char *from,
                         const char *to)
{
	struct override *ov;

	r->ovr = realloc(r->ovr, (r->novr + 1) * sizeof *r->ovr);
	ov = &r->ovr[r->novr];
	ov->id = (int64_t)++r->novr;
	ov->scope = strdup(scope);
	ov->specialist = strdup(who);
	ov->start_ms = at(from);
	ov->end_ms = at(to);
}

/* The ids on call, in order, joined with ' '. */
static const char *ids(const struct oncall *oc)
{
	static char out[512];

	out[0] = '\0';
	for (size_t i = 0; i < oc->n; i++) {
		size_t used = strlen(out);

		snprintf(out + used, sizeof out - used, "%s%s", i > 0 ? " " : "", oc->e[i].who->id);
	}
	return out;
}

static struct oncall oc;

/* Looks up who is on call for PREF at WHEN (RFC 3339) into oc, asserting
 * that the lookup works; returns their ids as ids() does. */
static const char *on_call(const struct roster *r, const char *pref, const char *when)
{
	cr_assert_eq(oncall_at(r, pbfixture_set, pref, at(when), &oc), 0, "%s at %s", pref, when);
	return ids(&oc);
}

Test(oncall, with_no_schedule_everyone_active_serving_the_prefecture_is_on_call)
{
	struct roster *r = pbfixture_roster(people);

	on_call(r, "27", "2026-11-22T03:00:00+09:00");
	cr_assert_not(oc.scheduled);
	cr_assert_str_eq(ids(&oc), "a b k r",
	                 "the region's specialist counts, the inactive one not");
	cr_assert_str_eq(oc.e[0].why, "no schedule for 27: serves 27");
	cr_assert_str_eq(on_call(r, "13", "2026-11-22T03:00:00+09:00"), "t");
	on_call(r, "01", "2026-11-22T03:00:00+09:00");
	cr_assert_eq(oc.n, 0, "nobody serves Hokkaido");
	roster_free(r);
}

Test(oncall, an_unknown_prefecture_is_refused)
{
	struct roster *r = pbfixture_roster(people);

	cr_assert_eq(oncall_at(r, pbfixture_set, "48", 0, &oc), -ENOENT);
	cr_assert_eq(oncall_at(r, pbfixture_set, "osaka", 0, &oc), -ENOENT);
	roster_free(r);
}

Test(oncall, weekly_rotation_hands_over_at_0900_jst_on_the_right_day)
{
	struct roster *r = with_rotation("27", ROTATION_WEEKLY, "2026-11-16T09:00:00+09:00", "a;b");

	/* 2026-11-16 is a Monday. */
	on_call(r, "27", "2026-11-16T09:00:00+09:00");
	cr_assert(oc.scheduled);
	cr_assert_str_eq(ids(&oc), "a");
	cr_assert_str_eq(oc.e[0].why, "rotation 1 (weekly, 27) since 2026-11-16 09:00 JST");

	cr_assert_str_eq(on_call(r, "27", "2026-11-22T09:00:00+09:00"), "a",
	                 "Sunday is still the first week");
	cr_assert_str_eq(on_call(r, "27", "2026-11-23T08:59:59+09:00"), "a");
	cr_assert_str_eq(on_call(r, "27", "2026-11-23T09:00:00+09:00"), "b");
	cr_assert_str_eq(oc.e[0].why, "rotation 1 (weekly, 27) since 2026-11-23 09:00 JST");
	cr_assert_str_eq(on_call(r, "27", "2026-11-30T09:00:00+09:00"), "a",
	                 "the turn comes round again");
	roster_free(r);
}

Test(oncall, a_rotation_is_not_on_call_before_its_first_handoff)
{
	struct roster *r = with_rotation("27", ROTATION_DAILY, "2026-11-16T09:00:00+09:00", "b");

	on_call(r, "27", "2026-11-16T08:59:00+09:00");
	cr_assert_not(oc.scheduled);
	for (size_t i = 0; i < oc.n; i++)
		cr_assert_null(strstr(oc.e[i].why, "rotation"), "%s", oc.e[i].why);
	roster_free(r);
}

Test(oncall, a_daily_rotation_uses_the_turn_of_the_day_and_skips_an_inactive_member)
{
	struct roster *r =
	    with_rotation("27", ROTATION_DAILY, "2026-11-16T09:00:00+09:00", "a;z;b");

	on_call(r, "27", "2026-11-17T10:00:00+09:00");
	cr_assert(oc.scheduled);
	cr_assert_eq(oc.n, 0, "z is inactive: the rotation has nobody that day, %s", ids(&oc));
	cr_assert_str_eq(on_call(r, "27", "2026-11-18T10:00:00+09:00"), "b");
	cr_assert_str_eq(oc.e[0].why, "rotation 1 (daily, 27) since 2026-11-18 09:00 JST");
	roster_free(r);
}

Test(oncall, a_region_rotation_covers_its_prefectures_and_no_others)
{
	struct roster *r = with_rotation("kinki", ROTATION_DAILY, "2026-11-16T09:00:00+09:00", "k");

	cr_assert_str_eq(on_call(r, "28", "2026-11-20T12:00:00+09:00"), "k");
	cr_assert_str_eq(oc.e[0].why, "rotation 1 (daily, kinki) since 2026-11-20 09:00 JST");
	on_call(r, "13", "2026-11-20T12:00:00+09:00");
	cr_assert_not(oc.scheduled);
	cr_assert_str_eq(ids(&oc), "t");
	roster_free(r);
}

Test(oncall, an_override_replaces_the_rotation_within_its_window_only)
{
	struct roster *r = with_rotation("kinki", ROTATION_DAILY, "2026-11-16T09:00:00+09:00", "k");

	add_override(r, "27", "r", "2026-11-20T18:00:00+09:00", "2026-11-21T09:00:00+09:00");
	cr_assert_str_eq(on_call(r, "27", "2026-11-20T17:59:00+09:00"), "k");
	cr_assert_str_eq(on_call(r, "27", "2026-11-20T18:00:00+09:00"), "r");
	cr_assert_str_eq(oc.e[0].why,
	                 "override 1 (27) from 2026-11-20 18:00 until 2026-11-21 09:00 JST");
	cr_assert_str_eq(on_call(r, "27", "2026-11-21T08:59:00+09:00"), "r");
	cr_assert_str_eq(on_call(r, "27", "2026-11-21T09:00:00+09:00"), "k",
	                 "the window ends at --to");
	cr_assert_str_eq(on_call(r, "26", "2026-11-20T20:00:00+09:00"), "k",
	                 "Kyoto keeps the rotation");
	roster_free(r);
}

Test(oncall, an_override_for_saturday_night_leaves_everyone_on_call_the_rest_of_the_week)
{
	struct roster *r = pbfixture_roster(people);

	add_override(r, "27", "r", "2026-11-21T18:00:00+09:00", "2026-11-22T09:00:00+09:00");
	on_call(r, "27", "2026-11-20T12:00:00+09:00");
	cr_assert_not(oc.scheduled);
	cr_assert_str_eq(ids(&oc), "a b k r");
	cr_assert_str_eq(on_call(r, "27", "2026-11-21T23:00:00+09:00"), "r");
	roster_free(r);
}

static size_t lines_starting(const char *text, const char *prefix)
{
	size_t n = 0;
	size_t len = strlen(prefix);

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');

		n += strncmp(line, prefix, len) == 0;
		line = nl != NULL ? nl + 1 : NULL;
	}
	return n;
}

/* R's coverage for DAYS days from FROM (RFC 3339) into a fresh OUT
 * (buf_fini frees it); returns the gaps. */
static int coverage(const struct roster *r, const char *from, int days, struct buf *out)
{
	buf_init(out, 1024 * 1024);
	return oncall_coverage(r, pbfixture_set, at(from), days, out);
}

/* Asserts that OUT lists the gap WHAT ("PREF TYPE DATE TIME") until
 * UNTIL ("DATE TIME"), Japan time. */
static void has_gap(const struct buf *out, const char *what, const char *until)
{
	char line[128];

	snprintf(line, sizeof line, "%s \xe2\x80\x93 %s JST\n", what, until);
	cr_assert_not_null(strstr(out->data, line), "no \"%s\" in:\n%s", line, out->data);
}

Test(oncall, coverage_finds_a_gap_for_a_prefecture_nobody_serves)
{
	struct roster *r = pbfixture_roster(people);
	struct buf out;

	cr_assert_gt(coverage(r, "2026-11-22T00:00:00+09:00", 1, &out), 0);
	cr_assert_eq(lines_starting(out.data, "01 "), 11, "one gap per specialty but unknown:\n%s",
	             out.data);
	has_gap(&out, "01 ransomware 2026-11-22 00:00", "2026-11-23 00:00");
	cr_assert_null(strstr(out.data, " unknown "), "%s", out.data);
	cr_assert_eq(lines_starting(out.data, "27 "), 0, "Osaka is served: %s", out.data);
	cr_assert_eq(lines_starting(out.data, "13 "), 0, "Tokyo is served: %s", out.data);
	buf_fini(&out);
	roster_free(r);
}

Test(oncall, coverage_finds_the_gap_left_by_an_inactive_rotation_member)
{
	struct roster *r = pbfixture_roster("id,name,jid,prefectures\n"
	                                    "a,A,a@example.jp,all\n"
	                                    "h,H,h@example.jp,01\n");
	struct buf out;
	int gaps;

	/* Hokkaido's rotation starts at 09:00 with h alone, who has left: from
	 * then on nobody is on call there, though a serves every prefecture. */
	add_rotation(r, "01", ROTATION_DAILY, "2026-11-22T09:00:00+09:00", "h");
	r->v[1].active = false;
	gaps = coverage(r, "2026-11-22T00:00:00+09:00", 1, &out);
	cr_assert_eq(gaps, 11, "%s", out.data);
	has_gap(&out, "01 ransomware 2026-11-22 09:00", "2026-11-23 00:00");
	buf_fini(&out);
	roster_free(r);
}

Test(oncall, coverage_finds_no_gap_where_a_daily_rotation_always_covers)
{
	struct roster *r = with_rotation("27", ROTATION_DAILY, "2026-11-15T09:00:00+09:00", "a;b");
	struct buf out;

	cr_assert_gt(coverage(r, "2026-11-22T00:00:00+09:00", 7, &out), 0,
	             "other prefectures have gaps");
	cr_assert_eq(lines_starting(out.data, "27 "), 0, "%s", out.data);
	/* A week without anyone is one gap. */
	has_gap(&out, "01 ransomware 2026-11-22 00:00", "2026-11-29 00:00");
	buf_fini(&out);
	roster_free(r);
}

Test(oncall, a_specialty_the_member_on_duty_lacks_is_a_gap_for_their_day)
{
	struct roster *r = with_rotation("27", ROTATION_DAILY, "2026-11-22T09:00:00+09:00", "a;r");
	struct buf out;

	/* r knows ransomware only; a knows everything. */
	cr_assert_geq(coverage(r, "2026-11-22T09:00:00+09:00", 2, &out), 0);
	cr_assert_eq(lines_starting(out.data, "27 "), 10, "%s", out.data);
	has_gap(&out, "27 phishing 2026-11-23 09:00", "2026-11-24 09:00");
	cr_assert_null(strstr(out.data, "27 ransomware"), "%s", out.data);
	buf_fini(&out);
	roster_free(r);
}

Test(oncall, time_zones_are_tokyo_utc_or_a_fixed_offset)
{
	/* A zone, and the minutes east of UTC it gives; -EINVAL: refused. */
	static const struct {
		const char *tz;
		int rc, minutes;
	} zones[] = {
	    {"Asia/Tokyo", 0, 540}, {"UTC", 0, 0},          {"Etc/UTC", 0, 0},
	    {"+09:00", 0, 540},     {"-03:30", 0, -210},    {"Europe/Paris", -EINVAL, 0},
	    {"+9:00", -EINVAL, 0},  {"+09:60", -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		int m = 1;

		cr_assert_eq(oncall_tz_offset(zones[i].tz, &m), zones[i].rc, "%s", zones[i].tz);
		if (zones[i].rc == 0)
			cr_assert_eq(m, zones[i].minutes, "%s", zones[i].tz);
	}
}
