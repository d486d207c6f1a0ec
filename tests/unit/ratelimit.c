/* SPDX-License-Identifier: ISC */
/* Unit tests: the per-address intake limit, as a flood would meet it. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ratelimit.h"

#define SEC 1000000LL /* microseconds */

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof ss);
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, text, &a6->sin6_addr), 1, "%s", text);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, text, &a4->sin_addr), 1, "%s", text);
	}
	return ss;
}

static unsigned take(struct ratelimit *rl, const char *text, int64_t now_us)
{
	struct sockaddr_storage ss = addr(text);

	return ratelimit_take(rl, (const struct sockaddr *)&ss, now_us);
}

static struct config_net net(const char *text, unsigned prefix)
{
	struct config_net n;

	memset(&n, 0, sizeof n);
	if (strchr(text, ':') != NULL) {
		n.family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, text, n.addr), 1);
	} else {
		n.family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, text, n.addr), 1);
	}
	n.prefix = (unsigned char)prefix;
	return n;
}

static void init(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(ratelimit, .init = init);

/* A limit of PER_MINUTE with BURST, 64 slots and nobody exempt (free with
 * ratelimit_free). */
static struct ratelimit *limiter(unsigned per_minute, unsigned burst)
{
	struct ratelimit *rl = NULL;

	cr_assert_eq(ratelimit_new(&rl, per_minute, burst, 64, NULL, 0), 0);
	return rl;
}

Test(ratelimit, a_burst_passes_then_the_next_waits_one_interval)
{
	struct ratelimit *rl = limiter(30, 3);
	int64_t t = 1000 * SEC;

	for (int i = 0; i < 3; i++)
		cr_assert_eq(take(rl, "192.0.2.7", t), 0u, "request %d of the burst", i + 1);
	cr_assert_eq(take(rl, "192.0.2.7", t), 2u, "30 a minute: one every 2 s");
	cr_assert_eq(take(rl, "192.0.2.7", t + SEC), 1u, "a second later, one more to wait");
	cr_assert_eq(take(rl, "192.0.2.7", t + 2 * SEC), 0u, "after 2 s one more goes through");
	cr_assert_neq(take(rl, "192.0.2.7", t + 2 * SEC), 0u, "and only one");
	ratelimit_free(rl);
}

Test(ratelimit, refused_requests_do_not_push_the_wait_further)
{
	struct ratelimit *rl = limiter(60, 1);
	int64_t t = 1000 * SEC;

	cr_assert_eq(take(rl, "192.0.2.8", t), 0u);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(take(rl, "192.0.2.8", t + i), 1u);
	cr_assert_eq(take(rl, "192.0.2.8", t + SEC), 0u, "hammering must not extend the wait");
	ratelimit_free(rl);
}

Test(ratelimit, addresses_are_counted_apart_and_ipv6_per_64)
{
	struct ratelimit *rl = limiter(1, 1);
	int64_t t = 1000 * SEC;

	cr_assert_eq(take(rl, "192.0.2.1", t), 0u);
	cr_assert_neq(take(rl, "192.0.2.1", t), 0u);
	cr_assert_eq(take(rl, "192.0.2.2", t), 0u, "another address has its own budget");
	cr_assert_eq(take(rl, "2001:db8:1:2::1", t), 0u);
	cr_assert_neq(take(rl, "2001:db8:1:2:ffff::9", t), 0u, "the same /64 is one client");
	cr_assert_eq(take(rl, "2001:db8:1:3::1", t), 0u, "another /64 is another client");
	cr_assert_neq(take(rl, "::ffff:192.0.2.1", t), 0u, "IPv4-mapped is the IPv4 address");
	ratelimit_free(rl);
}

Test(ratelimit, exempt_networks_are_never_limited)
{
	struct config_net ex[2];
	struct ratelimit *rl;
	int64_t t = 1000 * SEC;

	ex[0] = net("10.1.0.0", 16);
	ex[1] = net("2001:db8::", 32);
	cr_assert_eq(ratelimit_new(&rl, 1, 1, 64, ex, 2), 0);
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(take(rl, "10.1.200.3", t), 0u);
		cr_assert_eq(take(rl, "::ffff:10.1.0.9", t), 0u);
		cr_assert_eq(take(rl, "2001:db8:ffff::1", t), 0u);
	}
	cr_assert_eq(take(rl, "10.2.0.1", t), 0u);
	cr_assert_neq(take(rl, "10.2.0.1", t), 0u, "10.2/16 is outside 10.1/16");
	ratelimit_free(rl);
}

Test(ratelimit, a_flood_of_addresses_keeps_memory_fixed_and_the_newest_limited)
{
	struct ratelimit *rl = limiter(1, 1);
	int64_t t = 1000 * SEC;
	char a[32];

	/* 64 slots, 100000 addresses: the table never grows, and each new
	 * address is still counted from its first request. */
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(a, sizeof a, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		cr_assert_eq(take(rl, a, t), 0u);
		cr_assert_neq(take(rl, a, t), 0u, "%s right after its first request", a);
	}
	ratelimit_free(rl);
}

Test(ratelimit, no_limit_and_no_address_mean_no_refusal)
{
	struct ratelimit *rl;
	struct sockaddr_storage unix_addr;

	rl = limiter(0, 1);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(take(rl, "192.0.2.7", 1), 0u);
	ratelimit_free(rl);
	rl = limiter(1, 1);
	cr_assert_eq(ratelimit_take(rl, NULL, 1), 0u);
	memset(&unix_addr, 0, sizeof unix_addr);
	unix_addr.ss_family = AF_UNIX;
	cr_assert_eq(ratelimit_take(rl, (const struct sockaddr *)&unix_addr, 1), 0u);
	cr_assert_eq(ratelimit_take(NULL, NULL, 1), 0u);
	ratelimit_free(rl);
	ratelimit_free(NULL);
	cr_assert_eq(ratelimit_new(&rl, 1, 0, 64, NULL, 0), -EINVAL, "a burst of 0 allows nothing");
}
