/* SPDX-License-Identifier: ISC */
/*
 * casework — the one module that changes a case. Every change, whoever
 * makes it (a specialist's chat command, a coordinator's dashboard action),
 * comes here: ack, decline, contacted, dispatch, on site, leave, resolve,
 * reassign, and the records that change no state (a note, a view of the
 * reporter's details, the company's reports to the commission). Each is
 * checked against the case's state (case_flow.h) and who may act, and
 * writes, in the caller's store transaction, the timeline event with its
 * clock, the new state, and the messages to the people it concerns (the
 * reporter's details to the specialist who takes the case, "taken" to the
 * others, a resolve by someone else to the one who had it). Escalation
 * asks it too when its alerts go out (new → alerted).
 *
 * The callers word the answer to whoever asked: a refusal writes nothing
 * and says why in RES->verdict.
 */
#ifndef KK_CASEWORK_H
#define KK_CASEWORK_H

#include <stdbool.h>
#include <stdint.h>

#include "case.h"
#include "case_flow.h"
#include "store.h"
#include "store_cases.h"

/* Who acts. */
struct casework_actor {
	const char *id;   /* the timeline's actor: a JID, or "coordinator:NAME" */
	const char *name; /* as the people told read it: "Name (id)", a login */
	bool coordinator; /* may act on a case that is not theirs */
	bool alerted;     /* ack, decline: the actor was alerted for this case */
};

enum casework_verdict {
	CASEWORK_DONE,
	CASEWORK_RESOLVED,     /* the case is resolved: nothing changes */
	CASEWORK_OUT_OF_ORDER, /* the state does not allow the step (case_flow_refusal) */
	CASEWORK_YOURS,        /* ack: the actor has the case already */
	CASEWORK_TAKEN,        /* ack, decline: another specialist has it */
	CASEWORK_NOT_ALERTED,  /* ack, decline: the actor was not alerted for it */
	CASEWORK_KEPT,         /* decline: the actor acknowledged it */
	CASEWORK_UNTAKEN,      /* a step on a case nobody has taken yet */
	CASEWORK_NOT_YOURS,    /* a step on another specialist's case */
	CASEWORK_SAME,         /* reassign: to the one who has it */
};

struct casework_result {
	enum casework_verdict verdict;
	enum case_state from, to; /* to: with CASEWORK_DONE, for state changes */
	bool settled;             /* someone has it or it is over: escalation stops */
	bool declined;            /* escalation checks whether the step can still answer */
};

/* The actor takes case C (from store_tx_case_brief) at NOW_MS. */
int casework_tx_ack(struct store_tx *tx, const struct store_case_brief *c,
                    const struct casework_actor *a, int64_t now_ms, struct casework_result *res);

/* The actor, alerted for C, passes it on. */
int casework_tx_decline(struct store_tx *tx, const struct store_case_brief *c,
                        const struct casework_actor *a, int64_t now_ms,
                        struct casework_result *res);

/*
 * STEP (contacted, dispatch, onsite, leave, resolve; not ack) on C by the
 * one who has it or a coordinator. DETAIL (a JSON object's text, or NULL)
 * goes with the event (an ETA, a note). The clocks: contacted and resolved
 * count from the report, on site and leaving from the first dispatch.
 */
int casework_tx_step(struct store_tx *tx, const struct store_case_brief *c, enum case_step step,
                     const struct casework_actor *a, int64_t now_ms, const char *detail,
                     struct casework_result *res);

/* A coordinator gives C to TO_JID, who is sent the reporter's details; the
 * one who had it is told. */
int casework_tx_reassign(struct store_tx *tx, const struct store_case_brief *c, const char *to_jid,
                         const struct casework_actor *a, int64_t now_ms,
                         struct casework_result *res);

/* Escalation alerted somebody for case CASE_ID: a new case becomes
 * alerted; a case already further on keeps its state. */
int casework_tx_alerted(struct store_tx *tx, int64_t case_id);

/* An event that changes no state (EV_NOTE, EV_DETAILS_VIEWED,
 * EV_PPC_*_REPORTED), kept on resolved cases too. */
int casework_tx_record(struct store_tx *tx, const struct store_case_brief *c, enum event_kind kind,
                       const struct casework_actor *a, int64_t now_ms, const char *detail);

/* Queues BODY of KIND ("reply", "taken" ...) to TO about case C, in the
 * caller's transaction. */
int casework_tx_tell(struct store_tx *tx, const struct store_case_brief *c, const char *to,
                     const char *kind, const char *body, int64_t now_ms);

/* {"K1": V1, "K2": V2, "K3": V3} as text for an event's detail, the NULL
 * keys and values left out (free), or NULL on allocation failure. */
char *casework_detail(const char *k1, const char *v1, const char *k2, const char *v2,
                      const char *k3, const char *v3);

/* All return 0 (RES says what happened) or a negative errno from the store,
 * which then rolls the transaction back. */

#endif
