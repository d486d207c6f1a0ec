/* SPDX-License-Identifier: ISC */
/*
 * router — whom to alert for a case at each step of its escalation.
 *
 * Step 0: the prefecture's on-call specialists whose specialties and
 * languages fit the case. Step 1: the region's pool (every active
 * specialist serving a prefecture of the region who fits). Step 2: the
 * national coordinators from the configuration. Every pick says why, for
 * the case's timeline. Pure: reads the roster, touches nothing.
 */
#ifndef KK_ROUTER_H
#define KK_ROUTER_H

#include <stdint.h>

#include "config.h"
#include "playbook.h"
#include "roster.h"

#define ROUTER_STEPS 3
#define ROUTER_MAX   64

enum router_step { ROUTER_PREFECTURE, ROUTER_REGION, ROUTER_NATIONAL };

struct router_pick {
	char jid[256];
	char id[64]; /* roster id, or "coordinator" */
	char why[200];
};

struct router_result {
	enum router_step step;
	struct router_pick p[ROUTER_MAX];
	size_t n;
	char summary[256]; /* one line for the timeline, also when nobody fits */
};

/* The facts of a case the router needs. */
struct router_case {
	const char *prefecture;
	const char *incident_type;
	enum lang lang;
};

/*
 * Picks the recipients for STEP at AT_MS into OUT (n may be 0). ROSTER may
 * be NULL (no roster yet: only coordinators can be picked). An unknown
 * prefecture leaves only the national step. Returns 0.
 */
int router_pick(const struct roster *roster, const struct playbook_set *set,
                const struct config *cfg, const struct router_case *c, enum router_step step,
                int64_t at_ms, struct router_result *out);

/* "prefecture", "region", "national". */
const char *router_step_name(enum router_step step);

#endif
