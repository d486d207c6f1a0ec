/* SPDX-License-Identifier: ISC */
/*
 * http_figures — the coordinators' figures: response times by prefecture,
 * region, type, specialist, channel or period with the tile map and the
 * histogram, the on-call coverage of the coming week, the CSV exports,
 * GET /api/v1/stats and GET /metrics; see http_dash.h.
 *
 * /metrics answers without a session: it holds counts only, no case, and
 * is meant for a Prometheus server to scrape (http.c checks [metrics]
 * allow).
 */
#include "http_dash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "log.h"
#include "metrics.h"
#include "oncall.h"
#include "store_cases.h"
#include "svg.h"
#include "text.h"

/* ---- figures ---- */

struct range {
	int64_t from_ms, to_ms;
	char from[11], to[11]; /* JST dates; TO inclusive */
};

/* "2026-11-22" (a JST day; as the end, the end of that day) or RFC 3339. */
static int parse_when(const char *s, bool end, int64_t *ms)
{
	char local[24];

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		snprintf(local, sizeof local, "%sT00:00", s);
		if (text_jst_local_parse(local, ms) < 0)
			return -EINVAL;
		if (end)
			*ms += DASH_DAY_MS;
		return 0;
	}
	return text_rfc3339_parse(s, ms);
}

static int range_of(struct http_req *r, struct range *g)
{
	const char *from = http_query(r, "from");
	const char *to = http_query(r, "to");
	int64_t today = stats_jst_day(text_now_ms());

	g->to_ms = stats_jst_day_start(today + 1);
	g->from_ms = stats_jst_day_start(today - (DASH_DEFAULT_DAYS - 1));
	if (to != NULL && to[0] != '\0' && parse_when(to, true, &g->to_ms) < 0)
		return -EINVAL;
	if (from != NULL && from[0] != '\0' && parse_when(from, false, &g->from_ms) < 0)
		return -EINVAL;
	if (from == NULL && to != NULL && to[0] != '\0')
		g->from_ms = g->to_ms - DASH_DEFAULT_DAYS * DASH_DAY_MS;
	if (g->to_ms <= g->from_ms)
		return -EINVAL;
	text_jst_format(g->from_ms, "%Y-%m-%d", g->from, sizeof g->from);
	text_jst_format(g->to_ms - 1, "%Y-%m-%d", g->to, sizeof g->to);
	return 0;
}

/* The group and clock asked for; defaults DEF_GROUP and ack. */
static int choices_of(struct http_req *r, enum stats_group def_group, enum stats_group *g,
                      enum stats_clock *c)
{
	const char *gs = http_query(r, "group");
	const char *cs = http_query(r, "clock");

	*g = def_group;
	*c = STATS_ACK;
	if (gs != NULL && gs[0] != '\0' && stats_group_parse(gs, g) < 0)
		return -EINVAL;
	if (cs != NULL && cs[0] != '\0' && stats_clock_parse(cs, c) < 0)
		return -EINVAL;
	return 0;
}

static int figures_query(struct http_req *r, const struct http_dash_parts *p, const struct range *g,
                         enum stats_group group, struct stats_result **out)
{
	struct stats_query q;

	memset(&q, 0, sizeof q);
	q.from_ms = g->from_ms;
	q.to_ms = g->to_ms;
	q.group = group;
	q.set = http_playbooks(r);
	dash_targets_of(http_config(r), q.target_s);
	return stats_query(p->stats, &q, out);
}

static const double hist_bounds[] = {60, 120, 300, 600, 900, 1800, 3600, 7200, 14400};
#define HIST_NB (sizeof hist_bounds / sizeof hist_bounds[0])

static int draw_map(struct http_req *r, const struct stats_result *by_pref, const struct range *g,
                    bool standalone, struct buf *out)
{
	struct svg_map m;
	char title[200];

	memset(&m, 0, sizeof m);
	snprintf(title, sizeof title, "%s %s – %s",
	         T("引き受けまでの時間の中央値(都道府県別)",
	           "Median time to acknowledge by prefecture,"),
	         g->from, g->to);
	m.title = title;
	m.target_s = http_config(r)->target_ack_ms / 1000.0;
	m.ui = r->ui;
	m.standalone = standalone;
	for (int i = 0; i < SVG_PREFS; i++)
		m.value_s[i] = -1;
	for (size_t i = 0; i < by_pref->nrows; i++) {
		const struct stats_row *row = &by_pref->rows[i];
		int code = (row->key[0] - '0') * 10 + (row->key[1] - '0');

		if (code < 1 || code > SVG_PREFS)
			continue;
		m.count[code - 1] = row->clock[STATS_ACK].count;
		m.value_s[code - 1] =
		    row->clock[STATS_ACK].count != 0 ? row->clock[STATS_ACK].median_s : -1;
	}
	return svg_tile_map(out, http_playbooks(r), &m);
}

static int draw_histogram(struct http_req *r, const struct http_dash_parts *p,
                          const struct range *g, bool standalone, struct buf *out)
{
	uint32_t counts[HIST_NB + 1];
	char title[200];
	struct svg_histogram h = {
	    title, hist_bounds, HIST_NB, counts, http_config(r)->target_ack_ms / 1000.0,
	    r->ui, standalone};

	snprintf(title, sizeof title, "%s %s – %s",
	         T("引き受けまでの時間の分布", "Time to acknowledge,"), g->from, g->to);
	stats_histogram(p->stats, STATS_ACK, g->from_ms, g->to_ms, hist_bounds, HIST_NB, counts);
	return svg_histogram(out, &h);
}

static void bad_range(struct http_req *r, const struct auth_session *s, int rc)
{
	if (r->rt->side == HTTP_API) {
		http_respond_error(r, 400,
		                   rc == -E2BIG
		                       ? "Too many periods; choose a shorter range or a "
		                         "longer period."
		                       : "from and to are dates (2026-11-22, JST) or RFC 3339 "
		                         "times, from before to; group is one of prefecture, "
		                         "region, type, specialist, channel, day, week, month, "
		                         "all; clock one of guidance, ack, contact, onsite, "
		                         "resolve.",
		                   rc == -E2BIG ? "group" : NULL);
		return;
	}
	dash_message(r, 400, s, T("条件を確認してください", "Check the filters"),
	             rc == -E2BIG
	                 ? T("期間が長すぎます。週や月で分けるか、期間を短くしてください。",
	                     "Too many periods: group by week or month, or shorten the range.")
	                 : T("開始日と終了日(開始日が先)、分ける単位と時計を確かめてください。",
	                     "Check the dates (from before to), the grouping and the clock."));
}

static void figures_page(struct http_req *r, const struct http_dash_parts *p,
                         const struct auth_session *s)
{
	struct page_dash_figures v;
	struct page_dash_frame f = {r->ui, s->user, s->csrf, "figures", NULL, 0, NULL};
	struct stats_result *res = NULL, *by_pref = NULL;
	struct range g;
	enum stats_group group;
	struct buf b, map, hist, self;
	char query[200];
	int rc;

	rc = range_of(r, &g);
	if (rc == 0)
		rc = choices_of(r, STATS_BY_PREFECTURE, &group, &v.clock);
	if (rc < 0) {
		bad_range(r, s, rc);
		return;
	}
	stats_refresh(p->stats);
	rc = figures_query(r, p, &g, group, &res);
	if (rc == 0 && group != STATS_BY_PREFECTURE)
		rc = figures_query(r, p, &g, STATS_BY_PREFECTURE, &by_pref);
	if (rc < 0) {
		stats_result_free(res);
		bad_range(r, s, rc);
		return;
	}
	snprintf(query, sizeof query, "from=%s&to=%s&group=%s&clock=%s", g.from, g.to,
	         stats_group_name(group), stats_clock_name(v.clock));
	buf_init(&self, 256);
	buf_printf(&self, "/dashboard/figures?%s", query);
	f.self = self.data;
	buf_init(&map, 1024 * 1024);
	buf_init(&hist, 256 * 1024);
	draw_map(r, by_pref != NULL ? by_pref : res, &g, false, &map);
	draw_histogram(r, p, &g, false, &hist);
	v.res = res;
	v.set = http_playbooks(r);
	v.roster = http_roster(r);
	dash_targets_of(http_config(r), v.target_s);
	snprintf(v.from, sizeof v.from, "%s", g.from);
	snprintf(v.to, sizeof v.to, "%s", g.to);
	v.query = query;
	v.map_svg = map.data;
	v.histogram_svg = hist.data;
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_figures(&b, &f, &v);
	log_debug("http: figures over %u cases in %.1f ms", res->total.cases, res->elapsed_ms);
	buf_fini(&map);
	buf_fini(&hist);
	buf_fini(&self);
	stats_result_free(res);
	stats_result_free(by_pref);
	dash_respond_html(r, 200, &b, rc, NULL);
}

static void svg_page(struct http_req *r, const struct http_dash_parts *p,
                     const struct auth_session *s, bool map)
{
	struct stats_result *res = NULL;
	struct range g;
	struct buf b;
	int rc = range_of(r, &g);

	if (rc < 0) {
		bad_range(r, s, rc);
		return;
	}
	stats_refresh(p->stats);
	buf_init(&b, 1024 * 1024);
	if (map) {
		rc = figures_query(r, p, &g, STATS_BY_PREFECTURE, &res);
		if (rc == 0)
			rc = draw_map(r, res, &g, true, &b);
		stats_result_free(res);
	} else {
		rc = draw_histogram(r, p, &g, true, &b);
	}
	if (rc < 0) {
		buf_fini(&b);
		dash_message(r, 500, s, T("エラー", "Error"),
		             T("図を作れませんでした。", "No picture."));
		return;
	}
	dash_respond(r, 200, "image/svg+xml; charset=utf-8", &b, NULL);
}

/* ---- /api/v1/stats ---- */

static json_t *json_figures(const struct stats_row *row)
{
	json_t *o = json_object();

	for (int c = 0; c < STATS_CLOCKS; c++) {
		const struct stats_figure *fig = &row->clock[c];
		json_t *v = fig->count != 0
		                ? json_pack("{s:i,s:f,s:f,s:f,s:i}", "count", (int)fig->count,
		                            "median_s", fig->median_s, "p90_s", fig->p90_s, "max_s",
		                            fig->max_s, "over_target", (int)fig->breaches)
		                : json_pack("{s:i,s:n,s:n,s:n,s:i}", "count", 0, "median_s",
		                            "p90_s", "max_s", "over_target", 0);

		json_object_set_new(o, stats_clock_name((enum stats_clock)c), v);
	}
	return o;
}

static void stats_api(struct http_req *r, const struct http_dash_parts *p)
{
	struct stats_result *res = NULL;
	struct range g;
	enum stats_group group;
	enum stats_clock clock;
	double t[STATS_CLOCKS];
	char from[32], to[32], name[400];
	json_t *groups, *targets, *doc;
	int rc = range_of(r, &g);

	if (rc == 0)
		rc = choices_of(r, STATS_BY_ALL, &group, &clock);
	if (rc == 0) {
		stats_refresh(p->stats);
		rc = figures_query(r, p, &g, group, &res);
	}
	if (rc < 0) {
		bad_range(r, NULL, rc);
		return;
	}
	dash_targets_of(http_config(r), t);
	targets = json_object();
	for (int c = 0; c < STATS_CLOCKS; c++)
		json_object_set_new(targets, stats_clock_name((enum stats_clock)c),
		                    t[c] > 0 ? json_real(t[c]) : json_null());
	groups = json_array();
	for (size_t i = 0; i < res->nrows; i++) {
		page_dash_group_name(http_playbooks(r), http_roster(r), res->group,
		                     res->rows[i].key, LANG_JA, name, sizeof name);
		json_array_append_new(groups,
		                      json_pack("{s:s,s:s,s:i,s:i,s:o}", "key", res->rows[i].key,
		                                "name", name, "cases", (int)res->rows[i].cases,
		                                "onsite_from_received",
		                                (int)res->rows[i].onsite_from_received, "clocks",
		                                json_figures(&res->rows[i])));
	}
	text_rfc3339_format(g.from_ms, from);
	text_rfc3339_format(g.to_ms, to);
	doc = json_pack("{s:s,s:s,s:s,s:o,s:i,s:i,s:o,s:o,s:f}", "from", from, "to", to, "group",
	                stats_group_name(group), "targets", targets, "cases", (int)res->total.cases,
	                "onsite_from_received", (int)res->total.onsite_from_received, "total",
	                json_figures(&res->total), "groups", groups, "query_ms", res->elapsed_ms);
	stats_result_free(res);
	{
		/* Nine significant digits: times to the microsecond, without the
		 * float noise of a full double. */
		char *text =
		    doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;
		struct buf b;

		json_decref(doc);
		if (text == NULL) {
			http_respond_error(r, 500, "out of memory", NULL);
			return;
		}
		buf_init(&b, strlen(text) + 2);
		buf_puts(&b, text);
		buf_puts(&b, "\n");
		free(text);
		dash_respond(r, 200, "application/json; charset=utf-8", &b, NULL);
	}
}

/* ---- CSV ---- */

static void csv_respond(struct http_req *r, struct buf *b, const char *what, const struct range *g)
{
	char disposition[160];
	const char *h[3] = {"Content-Disposition", disposition, NULL};

	snprintf(disposition, sizeof disposition, "attachment; filename=\"kakekomi-%s-%s-%s.csv\"",
	         what, g->from, g->to);
	dash_respond(r, 200, "text/csv; charset=utf-8", b, h);
}

static void csv_figures(struct http_req *r, const struct http_dash_parts *p,
                        const struct auth_session *s)
{
	static const char *const head[] = {"group",    "key",   "name",       "clock",
	                                   "target_s", "cases", "count",      "median_s",
	                                   "p90_s",    "max_s", "over_target"};
	struct stats_result *res = NULL;
	struct range g;
	enum stats_group group;
	enum stats_clock clock;
	double t[STATS_CLOCKS];
	struct buf b;
	int rc = range_of(r, &g);

	if (rc == 0)
		rc = choices_of(r, STATS_BY_PREFECTURE, &group, &clock);
	if (rc == 0) {
		stats_refresh(p->stats);
		rc = figures_query(r, p, &g, group, &res);
	}
	if (rc < 0) {
		bad_range(r, s, rc);
		return;
	}
	dash_targets_of(http_config(r), t);
	buf_init(&b, DASH_CSV_MAX);
	rc = buf_puts(&b, CSVOUT_BOM);
	for (size_t i = 0; rc == 0 && i < sizeof head / sizeof head[0]; i++)
		rc = csvout_cell(&b, head[i], i + 1 == sizeof head / sizeof head[0]);
	for (size_t i = 0; rc == 0 && i <= res->nrows; i++) {
		const struct stats_row *row = i < res->nrows ? &res->rows[i] : &res->total;
		char name[400];

		if (i < res->nrows)
			page_dash_group_name(http_playbooks(r), http_roster(r), res->group,
			                     row->key, r->ui, name, sizeof name);
		else
			snprintf(name, sizeof name, "%s", T("全体", "all cases"));
		for (int c = 0; rc == 0 && c < STATS_CLOCKS; c++) {
			const struct stats_figure *fig = &row->clock[c];

			rc = csvout_cell(&b, i < res->nrows ? stats_group_name(res->group) : "all",
			                 false);
			if (rc == 0)
				rc = csvout_cell(&b, row->key, false);
			if (rc == 0)
				rc = csvout_cell(&b, name, false);
			if (rc == 0)
				rc = csvout_cell(&b, stats_clock_name((enum stats_clock)c), false);
			if (rc == 0)
				rc = t[c] > 0 ? csvout_number(&b, t[c], 0, false)
				              : buf_puts(&b, ",");
			if (rc == 0)
				rc = csvout_number(&b, row->cases, 0, false);
			if (rc == 0)
				rc = csvout_number(&b, fig->count, 0, false);
			if (rc == 0 && fig->count != 0) {
				rc = csvout_number(&b, fig->median_s, 3, false);
				if (rc == 0)
					rc = csvout_number(&b, fig->p90_s, 3, false);
				if (rc == 0)
					rc = csvout_number(&b, fig->max_s, 3, false);
			} else if (rc == 0) {
				rc = buf_puts(&b, ",,,");
			}
			if (rc == 0)
				rc = t[c] > 0 ? csvout_number(&b, fig->breaches, 0, true)
				              : buf_puts(&b, "\r\n");
		}
	}
	stats_result_free(res);
	if (rc < 0) {
		buf_fini(&b);
		dash_message(r, 500, s, T("エラー", "Error"),
		             T("CSV を作れませんでした。", "No CSV."));
		return;
	}
	csv_respond(r, &b, "figures", &g);
}

struct csv_cases {
	struct http_req *r;
	const struct playbook_set *set;
	struct buf *b;
	int rc;
};

static int on_csv_case(void *arg, struct store_row *row)
{
	struct csv_cases *c = arg;
	struct buf *b = c->b;
	const struct pb_prefecture *pf = playbook_prefecture(c->set, store_row_text(row, 2));
	const struct playbook *pb = playbook_find(c->set, store_row_text(row, 3));
	enum lang ui = c->r->ui;
	char when[32];
	int rc;

	text_jst_format(store_row_int(row, 1), "%Y-%m-%d %H:%M:%S", when, sizeof when);
	rc = csvout_cell(b, store_row_text(row, 0), false);
	if (rc == 0)
		rc = csvout_cell(b, when, false);
	if (rc == 0)
		rc = csvout_cell(b, store_row_text(row, 2), false);
	if (rc == 0)
		rc = csvout_cell(b, pf != NULL ? pf->name.s[ui] : NULL, false);
	if (rc == 0)
		rc = csvout_cell(b, pf != NULL ? pf->region->id : NULL, false);
	if (rc == 0)
		rc = csvout_cell(b, store_row_text(row, 3), false);
	if (rc == 0)
		rc = csvout_cell(b, pb != NULL ? pb->name.s[ui] : NULL, false);
	for (int i = 4; rc == 0 && i <= 7; i++)
		rc = csvout_cell(b, store_row_text(row, i), false);
	for (int i = 8; rc == 0 && i <= 13; i++) {
		bool last = i == 13;

		if (i == 12) {
			rc = csvout_cell(b,
			                 store_row_is_null(row, 11)    ? NULL
			                 : store_row_int(row, 12) != 0 ? "received"
			                                               : "dispatch_requested",
			                 false);
			continue;
		}
		if (store_row_is_null(row, i))
			rc = buf_puts(b, last ? "\r\n" : ",");
		else
			rc = csvout_number(b, (double)store_row_int(row, i) / 1e6, 3, last);
	}
	c->rc = rc;
	return rc < 0 ? 1 : 0;
}

static void csv_cases(struct http_req *r, const struct auth_session *s)
{
	static const char *const head[] = {
	    "ref",      "received_jst",  "prefecture",      "prefecture_name",
	    "region",   "incident_type", "type_name",       "channel",
	    "state",    "assigned_to",   "acknowledged_by", "first_guidance_s",
	    "ack_s",    "contact_s",     "onsite_s",        "onsite_measured_from",
	    "resolve_s"};
	struct csv_cases c = {r, http_playbooks(r), NULL, 0};
	struct range g;
	struct buf b;
	int64_t n = 0;
	int rc = range_of(r, &g);

	if (rc < 0) {
		bad_range(r, s, rc);
		return;
	}
	rc = store_cases_count(http_store(r), g.from_ms, g.to_ms, &n);
	if (rc == 0 && n > DASH_CSV_ROWS_MAX) {
		char text[300];

		snprintf(
		    text, sizeof text,
		    T("この期間には %lld 件あります。1回に %d "
		      "件までなので、期間を短くしてください。",
		      "This range holds %lld cases; an export holds at most %d. Choose a shorter "
		      "range."),
		    (long long)n, DASH_CSV_ROWS_MAX);
		dash_message(r, 413, s, T("件数が多すぎます", "Too many cases"), text);
		return;
	}
	buf_init(&b, DASH_CSV_MAX);
	c.b = &b;
	if (rc == 0)
		rc = buf_puts(&b, CSVOUT_BOM);
	for (size_t i = 0; rc == 0 && i < sizeof head / sizeof head[0]; i++)
		rc = csvout_cell(&b, head[i], i + 1 == sizeof head / sizeof head[0]);
	if (rc == 0)
		rc = store_cases_export(http_store(r), g.from_ms, g.to_ms, on_csv_case, &c);
	if (rc < 0 || c.rc < 0) {
		buf_fini(&b);
		dash_message(r, 500, s, T("エラー", "Error"),
		             T("CSV を作れませんでした。", "No CSV."));
		return;
	}
	csv_respond(r, &b, "cases", &g);
}

/* ---- coverage ---- */

static void coverage_page(struct http_req *r, const struct auth_session *s)
{
	const struct playbook_set *set = http_playbooks(r);
	const struct roster *roster = http_roster(r);
	struct page_dash_frame f = {r->ui, s->user, s->csrf, "coverage", "/dashboard/coverage",
	                            0,     NULL};
	struct page_dash_coverage v;
	size_t npref = playbook_prefecture_count(set);
	size_t nslots = DASH_COVERAGE_DAYS * (size_t)(DASH_DAY_MS / DASH_SLOT_MS);
	int64_t from = text_now_ms();
	double *gap = calloc(npref * PLAYBOOK_TYPES, sizeof *gap);
	struct oncall *oc = malloc(sizeof *oc);
	struct buf b;
	int rc;

	from -= from % DASH_SLOT_MS;
	if (gap == NULL || oc == NULL) {
		free(gap);
		free(oc);
		return;
	}
	for (size_t i = 0; i < npref; i++) {
		const struct pb_prefecture *pf = playbook_prefecture_at(set, i);

		for (size_t k = 0; k < nslots; k++) {
			uint32_t mask = 0;

			if (roster != NULL)
				oncall_at(roster, set, pf->code, from + (int64_t)k * DASH_SLOT_MS,
				          oc);
			else
				oc->n = 0;
			for (size_t e = 0; e < oc->n; e++)
				mask |= oc->e[e].who->type_mask;
			for (unsigned t = 0; t < PLAYBOOK_TYPES; t++)
				if ((mask & (1u << t)) == 0)
					gap[i * PLAYBOOK_TYPES + t] +=
					    (double)DASH_SLOT_MS / 3600000.0;
		}
	}
	v.set = set;
	v.from_ms = from;
	v.days = DASH_COVERAGE_DAYS;
	v.gap_h = gap;
	buf_init(&b, PAGE_DASH_MAX);
	rc = page_dash_coverage(&b, &f, &v);
	free(gap);
	free(oc);
	dash_respond_html(r, 200, &b, rc, NULL);
}

void http_dash_figures(struct http_req *r)
{
	figures_page(r, http_dash_parts(r), &r->session);
}

void http_dash_coverage(struct http_req *r)
{
	coverage_page(r, &r->session);
}

void http_dash_map(struct http_req *r)
{
	svg_page(r, http_dash_parts(r), &r->session, true);
}

void http_dash_histogram(struct http_req *r)
{
	svg_page(r, http_dash_parts(r), &r->session, false);
}

void http_dash_csv_cases(struct http_req *r)
{
	csv_cases(r, &r->session);
}

void http_dash_csv_figures(struct http_req *r)
{
	csv_figures(r, http_dash_parts(r), &r->session);
}

void http_dash_stats(struct http_req *r)
{
	stats_api(r, http_dash_parts(r));
}

void http_dash_metrics(struct http_req *r)
{
	const struct http_dash_parts *p = http_dash_parts(r);
	struct metrics_sources src = {p->stats, http_playbooks(r), http_store(r), p->notify};
	struct buf b;

	buf_init(&b, 16u * 1024 * 1024);
	if (metrics_render(&b, &src) < 0) {
		buf_fini(&b);
		buf_init(&b, 64);
		buf_puts(&b, "# the metrics could not be rendered\n");
		dash_respond(r, 500, "text/plain; charset=utf-8", &b, NULL);
		return;
	}
	dash_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8", &b, NULL);
}
