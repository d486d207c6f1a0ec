/* SPDX-License-Identifier: ISC */
/*
 * htmlscan.h — just enough HTML reading for the page tests: find start
 * tags by name, id or form-control name, read attributes and the text
 * inside an element. It reads the markup the daemon writes, not arbitrary
 * HTML: no DOM, no error recovery, comments and <!DOCTYPE> skipped.
 *
 * All functions take a NUL-terminated page and never write into it.
 * Attribute values and text come back with character references decoded.
 */
#ifndef KK_TESTS_HTMLSCAN_H
#define KK_TESTS_HTMLSCAN_H

#include <stddef.h>

/* A start tag found in a page; pointers borrow from the page. */
struct htmlscan_tag {
	const char *start; /* its '<' */
	const char *end;   /* one past its '>' */
	char name[16];     /* lower-case tag name */
};

/*
 * The first start tag at or after p named name (case-insensitive), or any
 * tag when name is NULL. Returns 1 and fills tag, or 0 when there is none.
 */
int htmlscan_next(const char *p, const char *name, struct htmlscan_tag *tag);

/*
 * Value of attribute attr of tag, decoded, into out (cap bytes, cut to
 * fit). A bare attribute ("checked") yields "". Returns 1 when present.
 */
int htmlscan_attr(const struct htmlscan_tag *tag, const char *attr, char *out, size_t cap);

/* The element whose id attribute is id. Returns 1 when found. */
int htmlscan_find_id(const char *page, const char *id, struct htmlscan_tag *tag);

/*
 * The first input, select or textarea whose name attribute is name and,
 * when value is not NULL, whose value attribute is value. Returns 1 when
 * found.
 */
int htmlscan_find_control(const char *page, const char *name, const char *value,
                          struct htmlscan_tag *tag);

/*
 * Where the element opened by tag ends: the '<' of its matching end tag
 * (same-name elements nested inside are counted), or the end of the page.
 */
const char *htmlscan_close(const struct htmlscan_tag *tag);

/*
 * The text inside the element opened by tag: tags dropped, references
 * decoded, runs of white space collapsed to one space, trimmed. Into out
 * (cap bytes, cut to fit).
 */
void htmlscan_text(const struct htmlscan_tag *tag, char *out, size_t cap);

/*
 * Decode character references in the len bytes at in (&amp; &lt; &gt;
 * &quot; &apos; &nbsp; &#N; &#xH;) into out (cap bytes, cut to fit).
 */
void htmlscan_unescape(const char *in, size_t len, char *out, size_t cap);

/*
 * 1 when text (plain UTF-8) shows in the page once its character
 * references are decoded; tags are not stripped.
 */
int htmlscan_page_has_text(const char *page, const char *text);

#endif
