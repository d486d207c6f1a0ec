/* SPDX-License-Identifier: ISC */
/* Unit tests: the tile map and the histogram coordinators read and print —
 * 47 tiles with their values written out, well-formed XML (checked by
 * xmllint), and nothing that would load a script or a font. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "pbfixture.h"
#include "svg.h"

TestSuite(svg, .init = pbfixture_setup, .fini = pbfixture_teardown);

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Runs xmllint --noout over TEXT; returns its exit status. */
static int xmllint(const char *text)
{
	char *path = pbfixture_tmpfile(text);
	char cmd[256];
	int status;

	snprintf(cmd, sizeof cmd, "xmllint --noout --nonet %s", path);
	status = system(cmd);
	pbfixture_tmpfile_free(path);
	cr_assert_neq(status, -1, "cannot run xmllint (package libxml2-utils)");
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void no_outside_anything(const char *svg)
{
	cr_expect_null(strstr(svg, "<script"), "no script");
	cr_expect_null(strstr(svg, "@font-face"), "no font");
	cr_expect_null(strstr(svg, "href"), "no link to anything");
	cr_expect_eq(count_of(svg, "http"), 1, "only the SVG namespace names a URL");
}

Test(svg, the_tile_map_has_47_tiles_with_their_values_and_is_valid_xml)
{
	struct svg_map m = {.title = "応答までの中央値 <2026-11> & \"test\"", .target_s = 900,
	                    .ui = LANG_JA, .standalone = true};
	struct buf b;

	for (int i = 0; i < SVG_PREFS; i++)
		m.value_s[i] = -1;
	m.value_s[26] = 272; /* Osaka: 4m32s */
	m.count[26] = 12;
	m.value_s[12] = 3600 * 2; /* Tokyo: 2h00m, the darkest step */
	m.count[12] = 3;
	buf_init(&b, 1 << 20);
	cr_assert_eq(svg_tile_map(&b, pbfixture_set, &m), 0);
	cr_expect_eq(count_of(b.data, "<g class=\"tile\""), 47, "one tile per prefecture");
	cr_expect_neq(strstr(b.data, "data-pref=\"27\" data-count=\"12\""), NULL);
	cr_expect_neq(strstr(b.data, ">4m32s</text>"), NULL, "Osaka's value is on its tile");
	cr_expect_neq(strstr(b.data, ">2h00m</text>"), NULL, "Tokyo's value is on its tile");
	cr_expect_neq(strstr(b.data, ">大阪</text>"), NULL, "the tile says 大阪");
	cr_expect_neq(strstr(b.data, ">北海道</text>"), NULL);
	cr_expect_eq(count_of(b.data, "url(#hatch)\" stroke=\"#8a8a8a\""), 45,
	             "tiles without data are hatched, readable in grey");
	cr_expect_neq(strstr(b.data, "&lt;2026-11&gt; &amp; &quot;test&quot;"), NULL,
	              "the title is escaped");
	no_outside_anything(b.data);
	cr_expect_eq(xmllint(b.data), 0, "xmllint rejects the map:\n%s", b.data);
	buf_fini(&b);
}

Test(svg, the_english_map_and_a_map_without_target_are_valid_too)
{
	struct svg_map m = {.title = NULL, .target_s = 0, .ui = LANG_EN, .standalone = false};
	struct buf b;

	for (int i = 0; i < SVG_PREFS; i++) {
		m.value_s[i] = i * 10.0;
		m.count[i] = 1;
	}
	buf_init(&b, 1 << 20);
	cr_assert_eq(svg_tile_map(&b, pbfixture_set, &m), 0);
	cr_expect_neq(strstr(b.data, ">Kagoshima</text>"), NULL);
	cr_expect_eq(count_of(b.data, "n=1<"), 47);
	cr_expect_eq(xmllint(b.data), 0, "xmllint rejects the map:\n%s", b.data);
	buf_fini(&b);
}

Test(svg, the_histogram_labels_every_bar_and_marks_the_target)
{
	double bounds[] = {60, 300, 900, 1800, 3600};
	uint32_t counts[] = {5, 3, 2, 1, 0, 4};
	struct svg_histogram h = {"Time to acknowledge", bounds, 5, counts, 900, LANG_EN, true};
	struct buf b;

	buf_init(&b, 1 << 20);
	cr_assert_eq(svg_histogram(&b, &h), 0);
	cr_expect_eq(count_of(b.data, "<g class=\"bar"), 6);
	cr_expect_eq(count_of(b.data, "<g class=\"bar over\""), 3, "15m-30m, 30m-1h and >1h");
	cr_expect_neq(strstr(b.data, "class=\"target\""), NULL);
	cr_expect_neq(strstr(b.data, ">≤1m</text>"), NULL);
	cr_expect_neq(strstr(b.data, ">>1h</text>"), NULL);
	no_outside_anything(b.data);
	cr_expect_eq(xmllint(b.data), 0, "xmllint rejects the histogram:\n%s", b.data);
	buf_fini(&b);
}

Test(svg, durations_read_compactly)
{
	char out[32];

	svg_duration(0.0042, out, sizeof out);
	cr_expect_str_eq(out, "4ms");
	svg_duration(12.34, out, sizeof out);
	cr_expect_str_eq(out, "12.3s");
	svg_duration(272, out, sizeof out);
	cr_expect_str_eq(out, "4m32s");
	svg_duration(3900, out, sizeof out);
	cr_expect_str_eq(out, "1h05m");
	svg_duration(2 * 86400 + 3 * 3600, out, sizeof out);
	cr_expect_str_eq(out, "2d03h");
	svg_duration(-1, out, sizeof out);
	cr_expect_str_eq(out, "—");
}
