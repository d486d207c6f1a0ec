/* SPDX-License-Identifier: ISC */
/*
 * services — what the daemon's modules share, owned by main.c: the loop,
 * the configuration, the store, the playbooks and the roster (swapped on
 * reload, so read through the pointers at each use), and the modules the
 * others call: the outbox dispatcher (notify.h), escalation (escalate.h)
 * and the intake path (report.h). A module keeps a pointer to it and reads
 * a part when it needs it; main.c fills each part as it starts the module
 * that provides it, all before the loop runs. A part may be NULL where the
 * module that reads it says so.
 */
#ifndef KK_SERVICES_H
#define KK_SERVICES_H

#include <uv.h>

struct config;
struct escalate;
struct notify;
struct playbook_set;
struct report;
struct roster;
struct store;

struct services {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store *store;
	struct playbook_set *const *pbs;
	struct roster *const *roster;
	struct notify *notify;
	struct escalate *esc;
	struct report *report;
};

#endif
