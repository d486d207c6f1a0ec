/* SPDX-License-Identifier: ISC */
/*
 * intake — turns the fields of a report (from the web form or the JSON API)
 * into a checked struct case_input, or into a list of per-field errors in
 * both languages. It knows the rules for every field and nothing about HTTP
 * or storage.
 */
#ifndef KK_INTAKE_H
#define KK_INTAKE_H

#include <stdint.h>

#include "case.h"
#include "playbook.h"

#define INTAKE_COMPANY_MAX     100  /* characters */
#define INTAKE_NAME_MAX        100  /* characters */
#define INTAKE_PHONE_MAX       40   /* bytes after normalisation */
#define INTAKE_EMAIL_MAX       254  /* bytes */
#define INTAKE_DESCRIPTION_MAX 2000 /* characters */
#define INTAKE_MAX_ERRORS      16

struct intake_error {
	const char *field;
	const char *msg[LANG_COUNT];
};

struct intake_errors {
	struct intake_error e[INTAKE_MAX_ERRORS];
	size_t n;
};

/*
 * Reads the value of FIELD from the caller's source. Returns 0 and sets
 * *VALUE (borrowed, NUL-terminated, possibly not UTF-8) when present,
 * -ENOENT when absent, -EINVAL when present but not text (JSON numbers...).
 */
typedef int (*intake_get_cb)(void *src, const char *field, const char **value);

enum intake_source { INTAKE_FORM, INTAKE_JSON };

/* An intake_get_cb over a jansson object (SRC is a json_t *): strings
 * only, a JSON null counts as absent. */
int intake_json_field(void *src, const char *field, const char **value);

/*
 * Checks every field. FORM sources give the time noticed as noticed=now|
 * today|at and noticed_at in JST ("YYYY-MM-DDTHH:MM"); JSON sources as an
 * RFC 3339 noticed_at. Returns 0 with *OUT filled (free with
 * intake_input_fini), -EINVAL with ERRS filled (OUT then holds nothing to
 * free), or -ENOMEM.
 */
int intake_check(const struct playbook_set *set, enum intake_source kind, intake_get_cb get,
                 void *src, int64_t now_ms, struct case_input *out, struct intake_errors *errs);

/* The message for FIELD in ERRS, or NULL. */
const struct intake_error *intake_error_for(const struct intake_errors *errs, const char *field);

#endif
