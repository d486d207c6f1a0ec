/* SPDX-License-Identifier: ISC */
/*
 * ratelimit — per-address limits in a fixed table; see ratelimit.h.
 *
 * GCRA in one line: each request moves the address's "theoretical arrival
 * time" (TAT) one interval (a minute / PER_MINUTE) into the future, starting
 * from now when the TAT is already past; a request that would push it more
 * than BURST intervals ahead of now is refused, and the client may retry
 * once it is back within reach. An entry whose TAT has passed holds nothing
 * any more, which is what makes eviction cheap to get right.
 */
#include "ratelimit.h"

#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct rl_entry {
	unsigned char key[16]; /* IPv4 as ::ffff:a.b.c.d, IPv6 as its /64 */
	int64_t tat_us;        /* 0: never used */
};

struct ratelimit {
	int64_t interval_us; /* 0: no limit */
	int64_t burst_us;    /* BURST intervals */
	size_t nsets;
	struct config_net exempt[CONFIG_MAX_EXEMPT];
	size_t nexempt;
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
	struct rl_entry *e; /* nsets * RATELIMIT_WAYS */
};

int ratelimit_new(struct ratelimit **out, unsigned per_minute, unsigned burst, size_t slots,
                  const struct config_net *exempt, size_t nexempt)
{
	struct ratelimit *rl;

	*out = NULL;
	if (burst == 0 || slots == 0 || slots > SIZE_MAX / 2 / sizeof(struct rl_entry))
		return -EINVAL;
	rl = calloc(1, sizeof *rl);
	if (rl == NULL)
		return -ENOMEM;
	rl->nsets = (slots + RATELIMIT_WAYS - 1) / RATELIMIT_WAYS;
	if (per_minute != 0) {
		rl->interval_us = 60000000 / (int64_t)per_minute;
		rl->burst_us = rl->interval_us * (int64_t)burst;
		/* Untouched pages of a large calloc are not resident: an idle
		 * daemon pays only for the addresses it has seen. */
		rl->e = calloc(rl->nsets * RATELIMIT_WAYS, sizeof *rl->e);
		if (rl->e == NULL) {
			free(rl);
			return -ENOMEM;
		}
	}
	if (nexempt > CONFIG_MAX_EXEMPT)
		nexempt = CONFIG_MAX_EXEMPT;
	if (nexempt != 0)
		memcpy(rl->exempt, exempt, nexempt * sizeof *exempt);
	rl->nexempt = nexempt;
	randombytes_buf(rl->hash_key, sizeof rl->hash_key);
	*out = rl;
	return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->e);
	free(rl);
}

/* The table key of CLIENT, or false when it is not an IP address or is exempt. */
static bool client_key(const struct ratelimit *rl, const struct sockaddr *client,
                       unsigned char key[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const unsigned char *v4 = NULL;

	if (client == NULL || config_net_match(rl->exempt, rl->nexempt, client))
		return false;
	if (client->sa_family == AF_INET) {
		v4 = (const unsigned char *)&((const struct sockaddr_in *)(const void *)client)
		         ->sin_addr;
	} else if (client->sa_family == AF_INET6) {
		const unsigned char *a6 =
		    ((const struct sockaddr_in6 *)(const void *)client)->sin6_addr.s6_addr;

		if (memcmp(a6, mapped, sizeof mapped) == 0) {
			v4 = a6 + 12;
		} else {
			memcpy(key, a6, 8);
			memset(key + 8, 0, 8);
			return true;
		}
	} else {
		return false;
	}
	memcpy(key, mapped, sizeof mapped);
	memcpy(key + 12, v4, 4);
	return true;
}

unsigned ratelimit_take(struct ratelimit *rl, const struct sockaddr *client, int64_t now_us)
{
	unsigned char key[16];
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t hv = 0;
	struct rl_entry *set, *e = NULL, *spare;
	int64_t tat, ahead;

	if (rl == NULL || rl->interval_us == 0 || !client_key(rl, client, key))
		return 0;
	crypto_shorthash(h, key, sizeof key, rl->hash_key);
	for (size_t i = 0; i < sizeof h; i++)
		hv = hv << 8 | h[i];
	set = &rl->e[(size_t)(hv % rl->nsets) * RATELIMIT_WAYS];
	spare = &set[0];
	for (size_t i = 0; i < RATELIMIT_WAYS; i++) {
		if (set[i].tat_us != 0 && memcmp(set[i].key, key, sizeof key) == 0) {
			e = &set[i];
			break;
		}
		if (set[i].tat_us < spare->tat_us)
			spare = &set[i];
	}
	if (e == NULL) {
		/* The entry with the earliest TAT is the one closest to holding
		 * nothing (or holds nothing): forgetting it loses the least. */
		e = spare;
		memcpy(e->key, key, sizeof key);
		e->tat_us = now_us;
	}
	tat = e->tat_us > now_us ? e->tat_us : now_us;
	tat += rl->interval_us;
	ahead = tat - now_us;
	if (ahead > rl->burst_us) {
		int64_t wait_us = ahead - rl->burst_us;

		return (unsigned)((wait_us + 999999) / 1000000);
	}
	e->tat_us = tat;
	return 0;
}
