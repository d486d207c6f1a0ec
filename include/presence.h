/* SPDX-License-Identifier: ISC */
/*
 * presence — what the bot knows of its contacts' presence (online, offline,
 * or not known since the connection came up), by bare JID. At most
 * PRESENCE_MAX contacts are remembered; one beyond that stays unknown.
 * Loop thread only.
 */
#ifndef KK_PRESENCE_H
#define KK_PRESENCE_H

#include <stddef.h>

#define PRESENCE_MAX 20000

enum presence { PRESENCE_UNKNOWN, PRESENCE_ONLINE, PRESENCE_OFFLINE };

struct presence_table;

/* An empty table, or NULL when out of memory. */
struct presence_table *presence_new(void);
void presence_free(struct presence_table *t);

/* JID is now P. */
void presence_set(struct presence_table *t, const char *jid, enum presence p);
/* What is known of JID (a NULL table knows nothing). */
enum presence presence_get(const struct presence_table *t, const char *jid);
/* Everything becomes unknown (the connection went down). */
void presence_forget(struct presence_table *t);

#endif
