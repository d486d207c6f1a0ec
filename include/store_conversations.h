/* SPDX-License-Identifier: ISC */
/*
 * store_conversations — the chat reports in progress (table
 * conversations: one per reporter's JID, answers sealed), kept so that a
 * restart resumes them.
 */
#ifndef KK_STORE_CONVERSATIONS_H
#define KK_STORE_CONVERSATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

struct store_conversation {
	const char *jid, *lang; /* borrowed */
	int64_t step;
	const char *answers; /* a JSON object's text */
	int64_t started_ms, updated_ms;
	int64_t type_known_ms; /* 0: the incident type is not known yet */
};

/* In a write job: C as it is now (created or replaced). */
int store_conversation_save(struct store_tx *tx, const struct store_conversation *c);

/* In a write job: the conversation with JID is over. */
int store_conversation_drop(struct store_tx *tx, const char *jid);

/* On the loop: CB for every conversation kept. Returns 0, CB's value, or a
 * negative errno. */
int store_conversations_each(struct store *st,
                             int (*cb)(void *arg, const struct store_conversation *c), void *arg);

/* In a write job: case CASE_ID came by chat from JID; INCOMPLETE when the
 * reporter stopped answering before the end. */
int store_case_chat_reporter(struct store_tx *tx, int64_t case_id, const char *jid,
                             bool incomplete);

#endif
