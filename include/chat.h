/* SPDX-License-Identifier: ISC */
/*
 * chat — what the bot does with chat messages: commands from specialists
 * and coordinators (ack, decline, contacted, onsite, resolve, status,
 * help) become case events, each confirmed or refused with the reason.
 * Anyone else is a reporter and talks with convo; a specialist's command
 * from them is refused.
 */
#ifndef KK_CHAT_H
#define KK_CHAT_H

#include <uv.h>

#include "services.h"
#include "config.h"
#include "escalate.h"
#include "notify.h"
#include "playbook.h"
#include "roster.h"
#include "store.h"

struct chat;

/* SV (its cfg, store, roster, read at each message, notify and esc) must
 * outlive the module. */
int chat_start(struct chat **out, const struct services *sv);

struct convo;

/* Messages from JIDs not on the roster go to V, the reporters' conversation
 * (without one they are ignored). */
void chat_set_convo(struct chat *c, struct convo *v);

/* Handles one message from BARE_JID (on the loop). */
void chat_on_message(struct chat *c, const char *jid, const char *body);

/* The number of commands being written. */
unsigned chat_pending(const struct chat *c);

void chat_stop(struct chat *c);

#endif
