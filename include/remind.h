/* SPDX-License-Identifier: ISC */
/*
 * remind — reminders of the legal deadlines of the Act on the Protection
 * of Personal Information. When personal data may be involved, a case gets
 * the dates of the preliminary report to the Personal Information
 * Protection Commission (about 3 to 5 days after the business noticed;
 * approximate, since the law says "promptly") and of the final report (30
 * days, or 60 for malicious cases). Before each date a reminder goes to
 * the specialist who has the case and to the reporter (by chat or e-mail,
 * however they reached us), through the outbox, and onto the timeline.
 */
#ifndef KK_REMIND_H
#define KK_REMIND_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "services.h"
#include "case.h"
#include "config.h"
#include "ppc.h"
#include "store.h"

struct remind;

/* In the transaction that stores a case: schedules its reminders when a
 * report to the Personal Information Protection Commission may be due and
 * the moment the company knew is known (C, from ppc_assess, and
 * KNOWN_AT_MS). A reminder whose date has already passed when it falls due
 * (a case reported late) goes out as an overdue notice. */
int remind_tx_schedule(struct store_tx *tx, int64_t case_id, int64_t known_at_ms,
                       const struct ppc_clock *c);

/* Starts the timer (on SV's loop, SV outliving it) that sends reminders
 * when they fall due. KICK runs after reminders were written to the
 * outbox. */
int remind_start(struct remind **out, const struct services *sv, void (*kick)(void *arg),
                 void *kick_arg);

/* Sends every reminder due at NOW_MS (the timer calls this every minute). */
void remind_run(struct remind *r, int64_t now_ms);

unsigned remind_pending(const struct remind *r);

void remind_stop(struct remind *r);

#endif
