/* SPDX-License-Identifier: ISC */
/*
 * buf — a growable byte buffer with a hard size cap.
 *
 * Every append either fits under the cap or fails with -E2BIG and leaves the
 * buffer as it was, so a caller can tell "too large" from "out of memory".
 * The content is always NUL-terminated (the NUL is not counted in len).
 */
#ifndef KK_BUF_H
#define KK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* NULL until the first append */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* the most len may ever be */
};

/* Starts an empty buffer that may grow to CAP bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t cap);
/* Frees the storage; the buffer may be used again after buf_init. */
void buf_fini(struct buf *b);
/* Empties the buffer, keeping its storage. */
void buf_reset(struct buf *b);

/* Appends N bytes. Returns 0, -E2BIG past the cap, or -ENOMEM. */
int buf_append(struct buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. Same returns as buf_append. */
int buf_puts(struct buf *b, const char *s);
/* Appends formatted text. Same returns as buf_append. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/*
 * Appends S with &, <, >, " and ' replaced by entities, so that any text
 * can be placed in HTML content or a quoted attribute. NULL appends nothing.
 */
int buf_put_html(struct buf *b, const char *s);

/* Hands the storage to the caller (free() it) and empties the buffer. */
char *buf_steal(struct buf *b);

#endif
