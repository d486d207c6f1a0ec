/* SPDX-License-Identifier: ISC */
/*
 * throttle — waits after failed logins in a fixed table; see throttle.h.
 */
#include "throttle.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char key[THROTTLE_KEY_MAX]; /* "" for a free slot */
	unsigned attempts;
	int64_t last_ms;
	int64_t wait_until_ms;
};

struct throttle {
	size_t n;
	struct entry e[];
};

int throttle_new(struct throttle **out, size_t slots)
{
	struct throttle *t;

	if (slots == 0)
		return -EINVAL;
	t = calloc(1, sizeof *t + slots * sizeof t->e[0]);
	if (t == NULL)
		return -ENOMEM;
	t->n = slots;
	*out = t;
	return 0;
}

void throttle_free(struct throttle *t)
{
	free(t);
}

static struct entry *find(struct throttle *t, const char *key, bool add, int64_t now)
{
	struct entry *victim = NULL;

	for (size_t i = 0; i < t->n; i++) {
		struct entry *e = &t->e[i];

		if (e->key[0] != '\0' && strcmp(e->key, key) == 0) {
			if (now - e->last_ms > THROTTLE_FORGET_MS && now >= e->wait_until_ms)
				e->attempts = 0;
			return e;
		}
		/* A free slot first, else the one touched longest ago among those
		 * no longer making anyone wait. */
		if (e->key[0] == '\0') {
			if (victim == NULL || victim->key[0] != '\0')
				victim = e;
		} else if (e->wait_until_ms <= now &&
		           (victim == NULL ||
		            (victim->key[0] != '\0' && e->last_ms < victim->last_ms))) {
			victim = e;
		}
	}
	if (!add || victim == NULL)
		return NULL;
	memset(victim, 0, sizeof *victim);
	snprintf(victim->key, sizeof victim->key, "%s", key);
	victim->last_ms = now;
	return victim;
}

int64_t throttle_wait(struct throttle *t, const char *key, int64_t now_ms)
{
	struct entry *e = find(t, key, false, now_ms);

	return e != NULL && e->wait_until_ms > now_ms ? e->wait_until_ms - now_ms : 0;
}

void throttle_attempt(struct throttle *t, const char *key, unsigned free_tries, int64_t now_ms)
{
	struct entry *e = find(t, key, true, now_ms);

	if (e == NULL)
		return; /* every slot is making someone wait */
	e->attempts++;
	e->last_ms = now_ms;
	if (e->attempts >= free_tries) {
		unsigned shift = e->attempts - free_tries;
		int64_t wait = shift < 20 ? 1000LL << shift : THROTTLE_WAIT_MAX;

		e->wait_until_ms = now_ms + (wait < THROTTLE_WAIT_MAX ? wait : THROTTLE_WAIT_MAX);
	}
}

void throttle_clear(struct throttle *t, const char *key, int64_t now_ms)
{
	struct entry *e = find(t, key, false, now_ms);

	if (e != NULL)
		memset(e, 0, sizeof *e);
}

void throttle_login_keys(const char *name, const char *address, char pair[THROTTLE_KEY_MAX],
                         char addr[THROTTLE_KEY_MAX])
{
	unsigned char a6[16];
	char net[INET6_ADDRSTRLEN + 4];

	if (strchr(address, ':') != NULL && inet_pton(AF_INET6, address, a6) == 1) {
		memset(a6 + 8, 0, 8);
		inet_ntop(AF_INET6, a6, net, sizeof net);
		strcat(net, "/64");
	} else {
		snprintf(net, sizeof net, "%.45s", address);
	}
	snprintf(pair, THROTTLE_KEY_MAX, "p:%.40s %.50s", name, net);
	snprintf(addr, THROTTLE_KEY_MAX, "a:%.60s", net);
}
