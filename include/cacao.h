/* SPDX-License-Identifier: ISC */
/*
 * cacao — a playbook as an OASIS CACAO 2.0 document: a start step, one
 * manual action per first step (command in Japanese, description in
 * English, sources as external references), one action for whom to report
 * to, and an end step. Identifiers are derived from the playbook and step
 * ids, so an export is the same every time the playbook is unchanged.
 */
#ifndef KK_CACAO_H
#define KK_CACAO_H

#include <jansson.h>

#include "playbook.h"

/* The CACAO document for PB (new reference), or NULL on allocation failure.
 * Requires sodium_init(). */
json_t *cacao_export(const struct playbook_set *set, const struct playbook *pb);

#endif
