/* SPDX-License-Identifier: ISC */
/*
 * escalate — alerts for a case, step by step, until someone acknowledges.
 *
 * Each step alerts the router's picks (prefecture on call, region pool,
 * national coordinators) through the outbox, in one transaction with the
 * case's escalation state (cases.esc_round, esc_step, esc_due_ms) and a
 * timeline event saying whom and why. A timer per case moves it to the next
 * step when nobody acknowledged in time; a step whose every recipient
 * declined, bounced or is offline moves on at once. After the last step the
 * steps repeat ([escalation] repeat rounds), then the coordinators are told
 * that nobody answered. At start every timer is rebuilt from the store.
 */
#ifndef KK_ESCALATE_H
#define KK_ESCALATE_H

#include <stdint.h>
#include <uv.h>

#include "services.h"
#include "case.h"
#include "config.h"
#include "notify.h"
#include "playbook.h"
#include "roster.h"
#include "store.h"

struct escalate;
struct escalate_plan;

/*
 * Starts escalation over SV's loop, cfg, store, playbooks and roster (read
 * at each use: the owner may swap them on reload) and notify (may be NULL:
 * nobody is known offline); SV must outlive the module. Re-arms the timers
 * of every case still escalating. Returns 0 or a negative errno.
 */
int escalate_start(struct escalate **out, const struct services *sv);

/*
 * The first step for a new case IN (whose reference the store assigns):
 * returns a plan to write with the case (escalate_tx_first), or NULL on
 * allocation failure.
 */
struct escalate_plan *escalate_plan_first(struct escalate *e, const struct case_input *in,
                                          int64_t now_ms);

/* A store_write_fn for store_case_new.after: ARG is the plan, whose case id
 * and reference are taken from NC (set with escalate_plan_bind). */
int escalate_tx_first(struct store_tx *tx, void *arg);
void escalate_plan_bind(struct escalate_plan *p, struct store_case_new *nc);

/* After the case's commit (STATUS as from the store): arms the timer, sends
 * the alerts, frees the plan. */
void escalate_plan_done(struct escalate *e, struct escalate_plan *p, int status);

/* FN(ARG, case_id, jid) runs for each recipient of a new step who is
 * offline when alerted, so that another channel can try (e-mail). */
void escalate_set_fallback(struct escalate *e,
                           void (*fn)(void *arg, int64_t case_id, const char *jid), void *arg);

/* Someone acknowledged CASE_ID: stop its timer. */
void escalate_cancel(struct escalate *e, int64_t case_id);

/* Something changed for CASE_ID's current step (a decline, a bounce):
 * move on at once when nobody in the step can still answer. */
void escalate_check(struct escalate *e, int64_t case_id);

/* JID went offline: check every case whose current step alerted JID. */
void escalate_jid_offline(struct escalate *e, const char *jid);

/* The number of cases with a running escalation timer. */
size_t escalate_armed(const struct escalate *e);

/* Stops every timer; freed by the loop. NULL is allowed. */
void escalate_stop(struct escalate *e);

#endif
