/* SPDX-License-Identifier: ISC */
/*
 * htmlscan.c — a small start-tag scanner for the pages kakekomid renders.
 * Script and style contents are stepped over so that markup inside them
 * is never taken for elements; everything else is read as written.
 */
#include "htmlscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == ':';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* One past the '>' that closes the tag starting at lt, honouring quotes. */
static const char *tag_end(const char *lt)
{
	const char *p = lt + 1;
	char quote = 0;

	for (; *p != '\0'; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			return p + 1;
		}
	}
	return p;
}

/* Where the raw-text content of a script or style element ends. */
static const char *raw_text_end(const char *p, const char *name)
{
	size_t n = strlen(name);

	for (; *p != '\0'; p++)
		if (p[0] == '<' && p[1] == '/' && strncasecmp(p + 2, name, n) == 0)
			return p;
	return p;
}

int htmlscan_next(const char *p, const char *name, struct htmlscan_tag *tag)
{
	while (p != NULL && *p != '\0') {
		const char *lt = strchr(p, '<');
		size_t n = 0;

		if (lt == NULL)
			return 0;
		if (strncmp(lt, "<!--", 4) == 0) {
			const char *e = strstr(lt + 4, "-->");

			p = e ? e + 3 : NULL;
			continue;
		}
		if (!((lt[1] >= 'a' && lt[1] <= 'z') || (lt[1] >= 'A' && lt[1] <= 'Z'))) {
			p = lt[1] == '!' || lt[1] == '?' || lt[1] == '/' ? tag_end(lt) : lt + 1;
			continue;
		}
		while (is_name_char(lt[1 + n]) && n < sizeof tag->name - 1) {
			tag->name[n] = lower(lt[1 + n]);
			n++;
		}
		tag->name[n] = '\0';
		tag->start = lt;
		tag->end = tag_end(lt);
		if (name == NULL || strcasecmp(tag->name, name) == 0)
			return 1;
		p = tag->end;
		if (strcmp(tag->name, "script") == 0 || strcmp(tag->name, "style") == 0)
			p = raw_text_end(p, tag->name);
	}
	return 0;
}

int htmlscan_attr(const struct htmlscan_tag *tag, const char *attr, char *out, size_t cap)
{
	const char *p = tag->start + 1 + strlen(tag->name);
	const char *end = tag->end;
	size_t alen = strlen(attr);

	if (end > p && end[-1] == '>')
		end--;
	while (p < end) {
		const char *an;
		size_t an_len;
		const char *v = NULL;
		size_t v_len = 0;

		while (p < end && (is_space(*p) || *p == '/'))
			p++;
		if (p >= end)
			break;
		an = p;
		while (p < end && !is_space(*p) && *p != '=' && *p != '>' && *p != '/')
			p++;
		an_len = (size_t)(p - an);
		while (p < end && is_space(*p))
			p++;
		if (p < end && *p == '=') {
			p++;
			while (p < end && is_space(*p))
				p++;
			if (p < end && (*p == '"' || *p == '\'')) {
				char q = *p++;

				v = p;
				while (p < end && *p != q)
					p++;
				v_len = (size_t)(p - v);
				if (p < end)
					p++;
			} else {
				v = p;
				while (p < end && !is_space(*p))
					p++;
				v_len = (size_t)(p - v);
			}
		}
		if (an_len == alen && strncasecmp(an, attr, alen) == 0) {
			htmlscan_unescape(v ? v : "", v_len, out, cap);
			return 1;
		}
		if (an_len == 0)
			p++;
	}
	return 0;
}

int htmlscan_find_id(const char *page, const char *id, struct htmlscan_tag *tag)
{
	const char *p = page;
	char v[256];

	while (htmlscan_next(p, NULL, tag)) {
		if (htmlscan_attr(tag, "id", v, sizeof v) && strcmp(v, id) == 0)
			return 1;
		p = tag->end;
	}
	return 0;
}

int htmlscan_find_control(const char *page, const char *name, const char *value,
                          struct htmlscan_tag *tag)
{
	const char *p = page;
	char v[1024];

	while (htmlscan_next(p, NULL, tag)) {
		p = tag->end;
		if (strcmp(tag->name, "input") != 0 && strcmp(tag->name, "select") != 0 &&
		    strcmp(tag->name, "textarea") != 0)
			continue;
		if (!htmlscan_attr(tag, "name", v, sizeof v) || strcmp(v, name) != 0)
			continue;
		if (value == NULL ||
		    (htmlscan_attr(tag, "value", v, sizeof v) && strcmp(v, value) == 0))
			return 1;
	}
	return 0;
}

static int is_void(const char *name)
{
	static const char *const voids[] = {"area",  "base", "br",   "col",    "embed", "hr", "img",
	                                    "input", "link", "meta", "source", "track", "wbr"};

	for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++)
		if (strcmp(name, voids[i]) == 0)
			return 1;
	return 0;
}

const char *htmlscan_close(const struct htmlscan_tag *tag)
{
	const char *p = tag->end;
	size_t n = strlen(tag->name);
	int depth = 1;

	if (is_void(tag->name))
		return tag->end;
	if (strcmp(tag->name, "script") == 0 || strcmp(tag->name, "style") == 0)
		return raw_text_end(p, tag->name);
	while (*p != '\0') {
		const char *lt = strchr(p, '<');

		if (lt == NULL)
			return p + strlen(p);
		if (lt[1] == '/' && strncasecmp(lt + 2, tag->name, n) == 0 &&
		    !is_name_char(lt[2 + n])) {
			if (--depth == 0)
				return lt;
		} else if (strncasecmp(lt + 1, tag->name, n) == 0 && !is_name_char(lt[1 + n])) {
			depth++;
		}
		p = lt + 1;
	}
	return p;
}

void htmlscan_text(const struct htmlscan_tag *tag, char *out, size_t cap)
{
	const char *p = tag->end;
	const char *end = htmlscan_close(tag);
	size_t len = 0;
	int space = 1;
	char *raw;

	if (cap == 0)
		return;
	/* First drop the tags, then decode, so "&lt;" never becomes a tag. */
	raw = malloc((size_t)(end - p) + 1);
	if (raw == NULL) {
		out[0] = '\0';
		return;
	}
	while (p < end) {
		if (*p == '<') {
			const char *e = tag_end(p);

			p = e < end ? e : end;
			if (len > 0 && !space) {
				raw[len++] = ' ';
				space = 1;
			}
			continue;
		}
		if (is_space(*p)) {
			if (!space)
				raw[len++] = ' ';
			space = 1;
		} else {
			raw[len++] = *p;
			space = 0;
		}
		p++;
	}
	while (len > 0 && raw[len - 1] == ' ')
		len--;
	htmlscan_unescape(raw, len, out, cap);
	free(raw);
}

/* Append the UTF-8 form of cp to out at *len, within cap. */
static void put_utf8(uint32_t cp, char *out, size_t cap, size_t *len)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*len + n < cap) {
		memcpy(out + *len, b, n);
		*len += n;
	}
}

void htmlscan_unescape(const char *in, size_t len, char *out, size_t cap)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} named[] = {{"amp;", '&'},  {"lt;", '<'},    {"gt;", '>'},
	             {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", 0xa0}};
	size_t o = 0;
	size_t i = 0;

	if (cap == 0)
		return;
	while (i < len) {
		uint32_t cp = 0;
		size_t used = 0;

		if (in[i] == '&' && i + 1 < len && in[i + 1] == '#') {
			size_t j = i + 2;
			int hex = j < len && (in[j] == 'x' || in[j] == 'X');

			if (hex)
				j++;
			while (j < len && cp < 0x110000) {
				char c = in[j];
				uint32_t dv;

				if (c >= '0' && c <= '9')
					dv = (uint32_t)(c - '0');
				else if (hex && c >= 'a' && c <= 'f')
					dv = (uint32_t)(c - 'a' + 10);
				else if (hex && c >= 'A' && c <= 'F')
					dv = (uint32_t)(c - 'A' + 10);
				else
					break;
				cp = cp * (hex ? 16u : 10u) + dv;
				j++;
			}
			if (j < len && in[j] == ';' && cp > 0 && cp < 0x110000)
				used = j + 1 - i;
		} else if (in[i] == '&') {
			for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
				size_t n = strlen(named[k].name);

				if (i + 1 + n <= len &&
				    strncmp(in + i + 1, named[k].name, n) == 0) {
					cp = named[k].cp;
					used = n + 1;
					break;
				}
			}
		}
		if (used > 0) {
			put_utf8(cp, out, cap, &o);
			i += used;
		} else {
			if (o + 1 < cap)
				out[o++] = in[i];
			i++;
		}
	}
	out[o] = '\0';
}

int htmlscan_page_has_text(const char *page, const char *text)
{
	size_t len = strlen(page);
	char *plain = malloc(len + 1);
	int found;

	if (plain == NULL)
		return 0;
	htmlscan_unescape(page, len, plain, len + 1);
	found = strstr(plain, text) != NULL;
	free(plain);
	return found;
}
