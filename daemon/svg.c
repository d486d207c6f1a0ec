/* SPDX-License-Identifier: ISC */
/*
 * svg — tile map and histogram as SVG text; see svg.h.
 *
 * The tile layout is a fixed 13 × 11 grid: Hokkaido at the top right,
 * Tohoku below it, Kanto and Chubu in the middle, Kinki, Chugoku and
 * Shikoku to the west, Kyushu at the bottom left and Okinawa below it. The
 * empty top left holds the legend. Colors are five steps of one orange
 * ramp whose lightness falls monotonically, so the order survives a grey
 * printer; text switches to white on the two darkest steps.
 */
#include "svg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define TILE   58
#define GAP    4
#define STEP   (TILE + GAP)
#define LEFT   10
#define TOP    44
#define COLS   13
#define ROWS   11
#define WIDTH  (LEFT * 2 + COLS * STEP)
#define HEIGHT (TOP + ROWS * STEP + 10)

#define T(ja, en) (ui == LANG_JA ? (ja) : (en))

/* Column and row of each prefecture, by code - 1. */
static const unsigned char tile_at[SVG_PREFS][2] = {
    {12, 0}, {12, 1}, {12, 2}, {12, 3}, {11, 2}, {11, 3}, {11, 4}, /* 01-07 */
    {12, 5}, {11, 5}, {10, 5}, {10, 6}, {12, 6}, {11, 6}, {10, 7}, /* 08-14 */
    {10, 4}, {9, 4},  {8, 4},  {7, 5},  {9, 6},  {9, 5},  {8, 5},  /* 15-21 */
    {9, 7},  {8, 6},  {8, 7},  {7, 6},  {6, 6},  {6, 7},  {5, 6},  /* 22-28 */
    {7, 7},  {6, 8},  {4, 5},  {3, 5},  {4, 6},  {3, 6},  {2, 6},  /* 29-35 */
    {4, 8},  {4, 7},  {3, 7},  {3, 8},  {1, 7},  {0, 7},  {0, 8},  /* 36-42 */
    {1, 8},  {2, 7},  {2, 8},  {1, 9},  {0, 10},                   /* 43-47 */
};

static const char *const ramp[5] = {"#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"};
static const char *const ink[5] = {"#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff"};
static const double class_of_target[4] = {0.25, 0.5, 1.0, 2.0};

void svg_duration(double s, char *out, size_t n)
{
	long long t;

	if (s < 0 || isnan(s)) {
		snprintf(out, n, "\xe2\x80\x94");
		return;
	}
	if (s < 1) {
		snprintf(out, n, "%.0fms", s * 1000);
		return;
	}
	if (s < 60) {
		snprintf(out, n, "%.1fs", s);
		return;
	}
	t = (long long)(s + 0.5);
	if (t < 3600)
		snprintf(out, n, "%lldm%02llds", t / 60, t % 60);
	else if (t < 86400)
		snprintf(out, n, "%lldh%02lldm", t / 3600, t % 3600 / 60);
	else
		snprintf(out, n, "%lldd%02lldh", t / 86400, t % 86400 / 3600);
}

/* A bound as a short label: "30s", "5m", "1h". */
static void bound_label(double s, char *out, size_t n)
{
	long long t = (long long)(s + 0.5);

	if (t < 60)
		snprintf(out, n, "%llds", t);
	else if (t < 3600 || t % 3600 != 0)
		snprintf(out, n, "%lldm", t / 60);
	else
		snprintf(out, n, "%lldh", t / 3600);
}

static int head(struct buf *b, bool standalone, int w, int h, const char *id, const char *title)
{
	int rc = 0;

	if (standalone)
		rc = buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		    "width=\"%d\" height=\"%d\" role=\"img\" aria-labelledby=\"%s-title\" "
		    "class=\"chart\" id=\"%s\" font-family=\"sans-serif\">"
		    "<title id=\"%s-title\">",
		    w, h, w, h, id, id, id);
	if (rc == 0)
		rc = buf_put_html(b, title != NULL ? title : "");
	if (rc == 0)
		rc = buf_puts(b, "</title><defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
		                 "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		                 "<rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>"
		                 "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9a9a9a\" "
		                 "stroke-width=\"1.5\"/></pattern>"
		                 "<pattern id=\"hatch-over\" width=\"6\" height=\"6\" "
		                 "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		                 "<rect width=\"6\" height=\"6\" fill=\"#7f2704\"/>"
		                 "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" "
		                 "stroke-width=\"1.5\"/></pattern></defs>"
		                 "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
	if (rc == 0 && title != NULL) {
		rc = buf_printf(b,
		                "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\" "
		                "fill=\"#1a1a1a\">",
		                LEFT);
		if (rc == 0)
			rc = buf_put_html(b, title);
		if (rc == 0)
			rc = buf_puts(b, "</text>");
	}
	return rc;
}

static int color_class(double v, double scale)
{
	int k = 0;

	while (k < 4 && v > class_of_target[k] * scale)
		k++;
	return k;
}

/* The prefecture's name for a tile: "大阪" for 大阪府, "Osaka". */
static void tile_name(const struct pb_prefecture *p, enum lang ui, char *out, size_t n)
{
	const char *name = p->name.s[ui];
	size_t len = strlen(name);

	snprintf(out, n, "%s", name);
	/* Drop the suffix 都, 府 or 県 (three bytes each in UTF-8), not 道. */
	if (ui == LANG_JA && len > 6 &&
	    (strcmp(name + len - 3, "\xe9\x83\xbd") == 0 ||
	     strcmp(name + len - 3, "\xe5\xba\x9c") == 0 ||
	     strcmp(name + len - 3, "\xe7\x9c\x8c") == 0) &&
	    len - 3 < n)
		out[len - 3] = '\0';
}

static int legend(struct buf *b, enum lang ui, double scale, bool of_target)
{
	int rc = buf_printf(
	    b,
	    "<g class=\"legend\"><text x=\"%d\" y=\"%d\" font-size=\"12\" "
	    "fill=\"#1a1a1a\">%s</text>",
	    LEFT, TOP + 14,
	    of_target ? T("色: 目標時間に対する中央値", "Color: median against the target")
	              : T("色: 最大値に対する中央値", "Color: median against the largest"));

	for (int k = 0; rc == 0 && k < 6; k++) {
		int y = TOP + 24 + k * 22;
		char lo[32], label[64];

		if (k < 5) {
			svg_duration(class_of_target[k < 4 ? k : 3] * scale, lo, sizeof lo);
			snprintf(label, sizeof label, "%s %s", k < 4 ? "\xe2\x89\xa4" : ">", lo);
		} else {
			snprintf(label, sizeof label, "%s", T("データなし", "no data"));
		}
		rc = buf_printf(
		    b,
		    "<rect x=\"%d\" y=\"%d\" width=\"28\" height=\"16\" fill=\"%s\" "
		    "stroke=\"#555555\" stroke-width=\"1\"/>"
		    "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1a1a1a\">%s</text>",
		    LEFT, y, k < 5 ? ramp[k] : "url(#hatch)", LEFT + 36, y + 13, label);
	}
	return rc == 0 ? buf_puts(b, "</g>") : rc;
}

int svg_tile_map(struct buf *b, const struct playbook_set *set, const struct svg_map *m)
{
	enum lang ui = m->ui;
	double scale = m->target_s;
	int rc;

	if (playbook_prefecture_count(set) != SVG_PREFS)
		return -EINVAL;
	if (scale <= 0) {
		for (int i = 0; i < SVG_PREFS; i++)
			if (m->value_s[i] > scale)
				scale = m->value_s[i];
		scale = scale > 0 ? scale / 2 : 1; /* the largest value falls in the darkest step */
	}
	rc = head(b, m->standalone, WIDTH, HEIGHT, "tile-map", m->title);
	if (rc == 0)
		rc = legend(b, ui, scale, m->target_s > 0);
	for (int i = 0; rc == 0 && i < SVG_PREFS; i++) {
		const struct pb_prefecture *p = playbook_prefecture_at(set, (size_t)i);
		int x = LEFT + tile_at[i][0] * STEP, y = TOP + tile_at[i][1] * STEP;
		bool data = m->value_s[i] >= 0 && m->count[i] != 0;
		int k = data ? color_class(m->value_s[i], scale) : 0;
		char value[32], name[64];

		svg_duration(data ? m->value_s[i] : -1, value, sizeof value);
		tile_name(p, ui, name, sizeof name);
		rc = buf_printf(b, "<g class=\"tile\" data-pref=\"%s\" data-count=\"%u\"><title>",
		                p->code, data ? m->count[i] : 0);
		if (rc == 0)
			rc = buf_put_html(b, p->name.s[ui]);
		if (rc == 0)
			rc = buf_printf(b,
			                data ? T(": %s (%u 件)", ": %s (%u cases)")
			                     : T(": %s (0 件)", ": %s (no case)"),
			                value, data ? m->count[i] : 0);
		if (rc == 0)
			rc = buf_printf(
			    b,
			    "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			    "rx=\"4\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1\"%s/>"
			    "<text x=\"%d\" y=\"%d\" font-size=\"%d\" text-anchor=\"middle\" "
			    "fill=\"%s\">",
			    x, y, TILE, TILE, data ? ramp[k] : "url(#hatch)",
			    data ? "#555555" : "#8a8a8a", data ? "" : " stroke-dasharray=\"3 2\"",
			    x + TILE / 2, y + 17, ui == LANG_JA ? 12 : 10,
			    data ? ink[k] : "#1a1a1a");
		if (rc == 0)
			rc = buf_put_html(b, name);
		if (rc == 0)
			rc = buf_printf(
			    b,
			    "</text><text class=\"value\" x=\"%d\" y=\"%d\" font-size=\"13\" "
			    "font-weight=\"bold\" text-anchor=\"middle\" fill=\"%s\">%s</text>",
			    x + TILE / 2, y + 35, data ? ink[k] : "#1a1a1a", value);
		if (rc == 0 && data)
			rc = buf_printf(
			    b,
			    "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" "
			    "fill=\"%s\">n=%u</text>",
			    x + TILE / 2, y + 51, ink[k], m->count[i]);
		if (rc == 0)
			rc = buf_puts(b, "</g>");
	}
	return rc == 0 ? buf_puts(b, "</svg>\n") : rc;
}

int svg_histogram(struct buf *b, const struct svg_histogram *h)
{
	enum lang ui = h->ui;
	const int w = 760, hgt = 330, left = 50, top = 44, plot_h = 220, bottom = top + plot_h;
	size_t nbins = h->nbounds + 1;
	double bar_w;
	uint32_t max = 0;
	int rc;

	if (h->nbounds == 0 || h->nbounds > 32)
		return -EINVAL;
	for (size_t i = 0; i < nbins; i++)
		if (h->counts[i] > max)
			max = h->counts[i];
	bar_w = (double)(w - left - 20) / (double)nbins;
	rc = head(b, h->standalone, w, hgt, "histogram", h->title);
	if (rc == 0)
		rc = buf_printf(b,
		                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1a1a1a\" "
		                "stroke-width=\"1\"/>"
		                "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1a1a1a\" "
		                "transform=\"rotate(-90 %d %d)\" text-anchor=\"middle\">%s</text>",
		                left, bottom, w - 20, bottom, 16, top + plot_h / 2, 16,
		                top + plot_h / 2, T("件数", "cases"));
	for (size_t i = 0; rc == 0 && i < nbins; i++) {
		double x = left + (double)i * bar_w + 3;
		double bh = max != 0 ? (double)h->counts[i] / (double)max * (plot_h - 20) : 0;
		bool over = h->target_s > 0 && (i == h->nbounds || h->bounds[i] > h->target_s);
		char lo[32], hi[32], label[80];

		if (i == 0) {
			bound_label(h->bounds[0], hi, sizeof hi);
			snprintf(label, sizeof label, "\xe2\x89\xa4%s", hi);
		} else if (i == h->nbounds) {
			bound_label(h->bounds[i - 1], lo, sizeof lo);
			snprintf(label, sizeof label, ">%s", lo);
		} else {
			bound_label(h->bounds[i - 1], lo, sizeof lo);
			bound_label(h->bounds[i], hi, sizeof hi);
			snprintf(label, sizeof label, "%s\xe2\x80\x93%s", lo, hi);
		}
		rc = buf_printf(
		    b,
		    "<g class=\"bar%s\" data-count=\"%u\"><title>%s: %u</title>"
		    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
		    "stroke=\"#1a1a1a\" stroke-width=\"1\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
		    "fill=\"#1a1a1a\">%u</text>"
		    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" "
		    "fill=\"#1a1a1a\">%s</text></g>",
		    over ? " over" : "", h->counts[i], label, h->counts[i], x, (double)bottom - bh,
		    bar_w - 6, bh, over ? "url(#hatch-over)" : "#8fb3d9", x + (bar_w - 6) / 2,
		    (double)bottom - bh - 4, h->counts[i], x + (bar_w - 6) / 2, bottom + 16, label);
	}
	/* The target: a dashed line where the first bin over it starts. */
	for (size_t i = 0; rc == 0 && h->target_s > 0 && i < h->nbounds; i++) {
		if (h->bounds[i] > h->target_s) {
			double x = left + (double)i * bar_w;
			char t[32];

			svg_duration(h->target_s, t, sizeof t);
			rc = buf_printf(
			    b,
			    "<line class=\"target\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			    "stroke=\"#1a1a1a\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
			    "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#1a1a1a\">%s "
			    "%s</text>",
			    x, top, x, bottom, x + 4, top + 12, T("目標", "target"), t);
			break;
		}
	}
	if (rc == 0)
		rc = buf_printf(
		    b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1a1a1a\">%s</text>", left,
		    hgt - 20, T("斜線: 目標時間を超えたもの", "Hatched: over the target"));
	return rc == 0 ? buf_puts(b, "</svg>\n") : rc;
}
