/* SPDX-License-Identifier: ISC */
/*
 * report — the one intake path. A checked report (intake.h) from the web
 * form, the JSON API or a chat conversation becomes a case here, the same
 * way for all three: the APPI duty and dates are assessed (ppc.h), a
 * status token is minted, and the case is stored in one transaction with
 * its first alert step (escalate.h), its reminders (remind.h), the
 * reporter's e-mail receipt where an address was given (receipt.h) and
 * whatever the channel adds (the chat's reply and reporter address).
 */
#ifndef KK_REPORT_H
#define KK_REPORT_H

#include <stdint.h>

#include "services.h"
#include "case.h"
#include "config.h"
#include "escalate.h"
#include "playbook.h"
#include "ppc.h"
#include "store.h"
#include "token.h"

struct report;

/* A report on its way into the store, on the caller's memory. */
struct report_case {
	/* set by the caller */
	const struct case_input *in; /* borrowed until DONE has run */
	int64_t received_ms;         /* when the report began (UTC ms) */
	/* More to write in the case's transaction (may be NULL): called after
	 * the case, its alerts, reminders and receipt, with NC filled. */
	int (*after)(struct store_tx *tx, struct report_case *rc);
	void *arg; /* the caller's, for AFTER and DONE */
	/* set by report_submit */
	struct store_case_new nc; /* nc.ref and nc.case_id once stored */
	char token[TOKEN_LEN + 1];
	struct ppc_clock clock; /* the APPI duty and dates */
	/* private */
	struct report *rp;
	struct escalate_plan *plan;
	void (*done)(struct report_case *rc, int status);
};

/*
 * The intake service over SV's cfg, store, playbooks (read at each report:
 * the owner swaps them on reload) and esc (may be NULL: no alerts, cases
 * wait for a coordinator); SV must outlive it. Returns 0 or -ENOMEM.
 */
int report_start(struct report **out, const struct services *sv);

/*
 * Stores RC->in as a new case. Returns 0 when queued: DONE(RC, status) then
 * runs on the loop once the commit is done (0, with RC->nc.ref,
 * RC->nc.case_id and RC->token filled) or failed (a negative errno,
 * nothing stored). Returns a negative errno when it could not be queued
 * (DONE will not run).
 */
int report_submit(struct report *rp, struct report_case *rc,
                  void (*done)(struct report_case *rc, int status));

/* "<public_url>/cases/<ref>?t=<token>[&lang=en]" for RC once stored. */
int report_status_url(const struct report *rp, const struct report_case *rc, char *out,
                      size_t size);

void report_stop(struct report *rp);

#endif
