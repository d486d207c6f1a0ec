/* SPDX-License-Identifier: ISC */
/*
 * buf — capped growable buffer; see buf.h. Grows by doubling.
 */
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void buf_fini(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int buf_reserve(struct buf *b, size_t extra)
{
	size_t need;
	size_t n;
	char *p;

	if (extra > b->cap || b->len > b->cap - extra)
		return -E2BIG;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	n = b->alloc != 0 ? b->alloc : 256;
	while (n < need)
		n *= 2;
	if (n > b->cap + 1)
		n = b->cap + 1;
	p = realloc(b->data, n);
	if (p == NULL)
		return -ENOMEM;
	b->data = p;
	b->alloc = n;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc < 0)
		return rc;
	if (n != 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	int rc;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc < 0)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int buf_put_html(struct buf *b, const char *s)
{
	const char *run;
	int rc = 0;

	if (s == NULL)
		return 0;
	run = s;
	for (; *s != '\0'; s++) {
		const char *ent;

		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		rc = buf_append(b, run, (size_t)(s - run));
		if (rc == 0)
			rc = buf_puts(b, ent);
		if (rc < 0)
			return rc;
		run = s + 1;
	}
	return buf_append(b, run, (size_t)(s - run));
}

char *buf_steal(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}
