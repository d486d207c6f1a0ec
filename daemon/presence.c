/* SPDX-License-Identifier: ISC */
/*
 * presence — the contacts' presence; see presence.h.
 */
#include "presence.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	char *jid;
	enum presence p;
};

struct presence_table {
	struct entry *v;
	size_t n;
};

struct presence_table *presence_new(void)
{
	return calloc(1, sizeof(struct presence_table));
}

void presence_free(struct presence_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].jid);
	free(t->v);
	free(t);
}

void presence_set(struct presence_table *t, const char *jid, enum presence p)
{
	struct entry *v;

	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].jid, jid) == 0) {
			t->v[i].p = p;
			return;
		}
	}
	if (t->n >= PRESENCE_MAX)
		return;
	v = realloc(t->v, (t->n + 1) * sizeof *v);
	if (v == NULL)
		return;
	t->v = v;
	t->v[t->n].jid = strdup(jid);
	if (t->v[t->n].jid == NULL)
		return;
	t->v[t->n++].p = p;
}

enum presence presence_get(const struct presence_table *t, const char *jid)
{
	for (size_t i = 0; t != NULL && i < t->n; i++)
		if (strcmp(t->v[i].jid, jid) == 0)
			return t->v[i].p;
	return PRESENCE_UNKNOWN;
}

void presence_forget(struct presence_table *t)
{
	for (size_t i = 0; t != NULL && i < t->n; i++)
		t->v[i].p = PRESENCE_UNKNOWN;
}
