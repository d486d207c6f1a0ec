/* SPDX-License-Identifier: ISC */
/*
 * world.h — the world an XMPP integration test runs in: a real Prosody
 * (prosody.h) with accounts for the bot, a coordinator and every roster
 * member; a kakekomid (harness.h) configured with [xmpp] and [escalation]
 * (and whatever the test adds); the roster imported with kakekomictl; and
 * each member's chat app (specialist.h) online and seeing the bot online,
 * which proves the presence subscription the daemon's offline failover
 * stands on.
 *
 * A test opens the world with world_open(), or, when it must configure the
 * daemon record first (an SMTP sink, webhooks, dashboard users, accounts
 * made before the start), with world_begin(), then its own steps, then
 * world_start(). A passing test ends with world_close(); when an assertion
 * aborts it first, the suite's .fini (harness_cleanup() and
 * prosody_cleanup()) kills what is left.
 *
 * Everything here asserts, so call it from the test's own thread.
 */
#ifndef KK_TESTS_WORLD_H
#define KK_TESTS_WORLD_H

#include <stddef.h>

#include "harness.h"
#include "prosody.h"
#include "specialist.h"

#define WORLD_DOMAIN     "kk.test"
#define WORLD_BOT        "bot@" WORLD_DOMAIN
#define WORLD_BOT_PW     "botpass" /* the bot's password unless options say */
#define WORLD_COORD_USER "coord"   /* the coordinator's account */
#define WORLD_COORD_PW   "coordpass"
#define WORLD_COORD      WORLD_COORD_USER "@" WORLD_DOMAIN
#define WORLD_STEPS      "60s" /* an escalation step that no test waits out */

#define WORLD_MEMBERS_MAX   12
#define WORLD_REPORTERS_MAX 4
#define WORLD_PRESENCE_MS   15000 /* roster poll (2 s) and the subscription round trips */

/*
 * One specialist: a roster row and an account on the test server. The row
 * has no phone, first_consult_free no and active yes; onsite as the
 * options say.
 */
struct world_member {
	const char *id;          /* roster id and XMPP user name on WORLD_DOMAIN */
	const char *name;        /* roster name, no comma (no CSV quoting); NULL: the id */
	const char *prefectures; /* roster cell: JIS codes or region ids, ';' between */
	const char *specialties; /* incident types or "all"; NULL: "all" */
	const char *languages;   /* NULL: "ja;en" */
	const char *email;       /* roster e-mail; NULL: none */
	const char *password;    /* XMPP password; NULL: "pw-ID" (world_password) */
};

/* How a world differs from the default; a zeroed struct (or NULL) is the default. */
struct world_options {
	const char *bot_password; /* NULL: WORLD_BOT_PW */
	const char *steps;        /* [escalation] steps; NULL: WORLD_STEPS */
	unsigned repeat;          /* [escalation] repeat; 0: 2 (the daemon's default too) */
	int no_coordinator;       /* no coordinator account and no coordinators line */
	int coordinator_app;      /* also its app online (w->coord); needs the account */
	int onsite;               /* every member's roster row says onsite = yes */
	const char *extra;        /* INI text appended after [escalation], or NULL */
};

/* One test's world. Members' apps are app[i] for m[i]; all owned by the world. */
struct world {
	struct prosody *server;
	struct harness_daemon *d;
	const struct world_member *m;
	size_t n;
	struct world_options opt;
	struct specialist_client *app[WORLD_MEMBERS_MAX];
	struct specialist_client *coord;                         /* with coordinator_app */
	struct specialist_client *reporter[WORLD_REPORTERS_MAX]; /* world_reporter()'s */
	size_t nreporters;
	int online; /* world_online() ran */
};

/* The default password of user: "pw-USER". */
void world_password(const char *user, char *out, size_t cap);

/*
 * Zero w, start Prosody for WORLD_DOMAIN, register the bot, the
 * coordinator (unless no_coordinator) and the n members (at most
 * WORLD_MEMBERS_MAX; m must outlive w), and make the daemon record with
 * [xmpp] (tls required, Prosody's CA) and [escalation] written, then the
 * options' extra. Nothing runs but Prosody: the test may add to w->d.
 */
void world_begin(struct world *w, const struct world_member *m, size_t n,
                 const struct world_options *o);

/*
 * Start the daemon (harness_daemon_start) and bring the world online as
 * world_online() does.
 */
void world_start(struct world *w);

/*
 * With the daemon running (a test that starts it itself, say to note the
 * time): connect every member's app (and the coordinator's with
 * coordinator_app), import the roster and wait until every member's app
 * sees the bot online (WORLD_PRESENCE_MS).
 */
void world_online(struct world *w);

/* world_begin() and world_start(). */
void world_open(struct world *w, const struct world_member *m, size_t n,
                const struct world_options *o);

/* Register user with password on the world's server. */
void world_account(struct world *w, const char *user, const char *password);

/* Connect user@WORLD_DOMAIN's app; the caller frees it (specialist_free). */
struct specialist_client *world_connect(struct world *w, const char *user, const char *password);

/*
 * A reporter's chat app: register user (password "pw-USER") when
 * register_account, connect, and keep it to be freed by world_close().
 */
struct specialist_client *world_reporter(struct world *w, const char *user, int register_account);

/* The app of member id; asserts there is such a member. */
struct specialist_client *world_app(struct world *w, const char *id);

/*
 * Free one of the world's apps (a member's, the coordinator's or a
 * reporter's) before world_close(), e.g. so that the daemon sees it gone
 * before it stops. Accepts NULL.
 */
void world_app_free(struct world *w, struct specialist_client *s);

/*
 * Wait for a message to s whose body contains needle; assert it came,
 * saying why it matters, after printing what else s got. Returns when it
 * arrived (CLOCK_MONOTONIC ns); the body goes to body_out when that is not
 * NULL (free it).
 */
long long world_expect(struct specialist_client *s, const char *needle, int timeout_ms,
                       char **body_out, const char *why);

/* Print to stderr (up to 20 of) the messages s got that no wait consumed. */
void world_show_unread(struct specialist_client *s);

/* Send one chat line (printf format) from s to the bot; asserts it was queued. */
void world_tell(struct specialist_client *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * End of a passing test: the daemon must stop cleanly (exit 0) if it still
 * runs; then the apps go offline and Prosody stops; the folders go.
 */
void world_close(struct world *w);

#endif
