/*
 * chat — what the bot does with chat messages: commands from specialists
 * and coordinators (ack, decline, contacted, onsite, resolve, status,
 * help) become case events, each confirmed or refused with the reason.
 * Messages from JIDs that are neither on the roster nor coordinators are
 * refused with a pointer to the report form.
 */
#ifndef KK_CHAT_H
#define KK_CHAT_H

#include <uv.h>

#include "config.h"
#include "escalate.h"
#include "notify.h"
#include "playbook.h"
#include "roster.h"
#include "store.h"

struct chat;

/* All pointers must outlive the module; *ROSTER is read at each message. */
int chat_start(struct chat **out, const struct config *cfg, struct store *st,
               struct roster *const *roster, struct notify *n, struct escalate *e);

/* Handles one message from BARE_JID (on the loop). */
void chat_on_message(struct chat *c, const char *jid, const char *body);

/* The number of commands being written. */
unsigned chat_pending(const struct chat *c);

void chat_stop(struct chat *c);

#endif
