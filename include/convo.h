/* SPDX-License-Identifier: ISC */
/*
 * convo — reports by chat: a short guided conversation, in Japanese or
 * English, with anyone who writes to the bot and is not a specialist.
 *
 * The first steps are sent as soon as the kind of incident is known, before
 * the other questions; the case is stored (durably, routed and alerted like
 * a report from the form) when the required answers are in, and the
 * reporter gets the reference and status link in the chat. "cancel",
 * "help" and "back" work at every question. A conversation left idle for
 * 30 minutes after the incident type is known becomes a case with what is
 * known, marked incomplete, so nobody who wrote "ransomware" is dropped.
 * Conversations are kept in the store, so a restart loses none. Input is
 * capped in size and rate per sender.
 */
#ifndef KK_CONVO_H
#define KK_CONVO_H

#include <stdint.h>
#include <uv.h>

#include "services.h"
#include "config.h"
#include "escalate.h"
#include "notify.h"
#include "playbook.h"
#include "report.h"
#include "store.h"

#define CONVO_IDLE_MS (30LL * 60 * 1000)

struct convo;

/* Loads the conversations under way from SV's store and starts the idle
 * timer. The playbooks are read at each message; a finished conversation
 * becomes a case through SV's report (report.h). SV must outlive the
 * module. Returns 0 or a negative errno. */
int convo_start(struct convo **out, const struct services *sv);

/* Handles one message from BARE_JID, who is not on the roster. */
void convo_on_message(struct convo *c, const char *jid, const char *body);

/* Turns conversations idle since before NOW_MS - CONVO_IDLE_MS into cases
 * (the timer calls this; tests may too). */
void convo_sweep(struct convo *c, int64_t now_ms);

/* The number of writes under way. */
unsigned convo_pending(const struct convo *c);

/* Stops the timer and frees everything via the loop. NULL is allowed. */
void convo_stop(struct convo *c);

#endif
