/* SPDX-License-Identifier: ISC */
/*
 * svg — the pictures of the coordinators' figures, drawn by the server as
 * SVG text: a tile map of Japan's 47 prefectures (one square each, laid out
 * roughly where the prefecture lies) colored by a time and showing the value
 * on every tile, and a histogram of a clock's times.
 *
 * No scripts, no outside fonts (generic font families only), no links; the
 * output is well-formed XML that can stand alone (a file of its own) or be
 * placed inside an HTML page. Readable in print and in grey: the colors get
 * darker as times get longer, every value is written out as text, tiles
 * without data are hatched, and bars over the target are hatched too.
 */
#ifndef KK_SVG_H
#define KK_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "playbook.h"

#define SVG_PREFS 47

struct svg_map {
	const char *title;         /* shown at the top; may be NULL */
	double value_s[SVG_PREFS]; /* by prefecture code - 1; negative: no data */
	uint32_t count[SVG_PREFS]; /* cases behind each value */
	double target_s; /* the color classes are fractions of it; 0: of the largest value */
	enum lang ui;
	bool standalone; /* start with an XML declaration */
};

/*
 * Appends the tile map M to B, with the prefecture names from SET in M's
 * language. Returns 0, -E2BIG past B's cap, -ENOMEM, or -EINVAL when SET
 * lacks a prefecture.
 */
int svg_tile_map(struct buf *b, const struct playbook_set *set, const struct svg_map *m);

struct svg_histogram {
	const char *title;      /* may be NULL */
	const double *bounds;   /* ascending upper bounds of the bins, in seconds */
	size_t nbounds;         /* at most 32 */
	const uint32_t *counts; /* NBOUNDS + 1 bins; the last is above the last bound */
	double target_s;        /* bins ending above it are marked over target; 0: none */
	enum lang ui;
	bool standalone;
};

/* Appends the histogram H to B. Same returns as svg_tile_map. */
int svg_histogram(struct buf *b, const struct svg_histogram *h);

/* Writes a duration compactly into OUT (size N): "4ms", "12.3s", "4m32s",
 * "1h05m", "2d03h"; "—" for a negative one. */
void svg_duration(double seconds, char *out, size_t n);

#endif
