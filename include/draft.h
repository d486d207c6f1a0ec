/* SPDX-License-Identifier: ISC */
/*
 * draft — a draft of the reports the company must file, filled from a
 * case: for the Personal Information Protection Commission the items of
 * 施行規則 第8条1項 (what is known filled in, the rest marked to be
 * written), for the police and for IPA the facts in the order their forms
 * ask. Japanese, with English labels when asked. Pure: text only.
 */
#ifndef KK_DRAFT_H
#define KK_DRAFT_H

#include <stdint.h>

#include "buf.h"
#include "case.h"
#include "playbook.h"

enum draft_to { DRAFT_PPC, DRAFT_POLICE, DRAFT_IPA };

/* "ppc" / "police" / "ipa" → enum draft_to. Returns 0 or -EINVAL. */
int draft_to_parse(const char *s, enum draft_to *out);

/* One item of a draft: its label and its text (borrowed or static);
 * FILLED is false when the company must still write it. */
struct draft_item {
	const char *label, *label_en;
	char text[2048];
	bool filled;
};

#define DRAFT_ITEMS_MAX 16

struct draft {
	enum draft_to to;
	const char *title, *title_en;
	struct draft_item item[DRAFT_ITEMS_MAX];
	size_t n;
};

/*
 * Fills D for REC (its playbook PB and prefecture PREF, either may be NULL)
 * at NOW_MS. Returns 0, or -EINVAL when the draft is for the commission and
 * the case involves no personal data.
 */
int draft_build(struct draft *d, enum draft_to to, const struct case_record *rec,
                const struct playbook *pb, const struct pb_prefecture *pref, int64_t now_ms);

/* D as plain text, with English labels too when BOTH is true. */
int draft_text(const struct draft *d, bool both, struct buf *b);

#endif
