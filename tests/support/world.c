/* SPDX-License-Identifier: ISC */
/*
 * world.c — Prosody, accounts, kakekomid, roster and chat apps for one
 * XMPP integration test; see world.h.
 */
#include "world.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void world_password(const char *user, char *out, size_t cap)
{
	snprintf(out, cap, "pw-%s", user);
}

static const char *member_password(const struct world_member *m, char *buf, size_t cap)
{
	if (m->password != NULL)
		return m->password;
	world_password(m->id, buf, cap);
	return buf;
}

void world_account(struct world *w, const char *user, const char *password)
{
	int rc = prosody_register(w->server, user, password);

	cr_assert_eq(rc, 0, "cannot register %s@%s: %s", user, WORLD_DOMAIN, strerror(-rc));
}

struct specialist_client *world_connect(struct world *w, const char *user, const char *password)
{
	char jid[128];
	struct specialist_client *s;

	snprintf(jid, sizeof jid, "%s@%s", user, WORLD_DOMAIN);
	s = specialist_connect(jid, password, prosody_host(w->server), prosody_port(w->server),
	                       prosody_ca_file(w->server));
	cr_assert_not_null(s, "%s could not connect (see above)", jid);
	return s;
}

struct specialist_client *world_reporter(struct world *w, const char *user, int register_account)
{
	char pw[64];
	struct specialist_client *s;

	cr_assert(w->nreporters < WORLD_REPORTERS_MAX, "at most %d reporters", WORLD_REPORTERS_MAX);
	world_password(user, pw, sizeof pw);
	if (register_account)
		world_account(w, user, pw);
	s = world_connect(w, user, pw);
	w->reporter[w->nreporters++] = s;
	return s;
}

void world_begin(struct world *w, const struct world_member *m, size_t n,
                 const struct world_options *o)
{
	char pw[64];

	cr_assert(n <= WORLD_MEMBERS_MAX, "at most %d members", WORLD_MEMBERS_MAX);
	memset(w, 0, sizeof *w);
	if (o != NULL)
		w->opt = *o;
	if (w->opt.bot_password == NULL)
		w->opt.bot_password = WORLD_BOT_PW;
	if (w->opt.steps == NULL)
		w->opt.steps = WORLD_STEPS;
	if (w->opt.repeat == 0)
		w->opt.repeat = 2;
	cr_assert(!(w->opt.no_coordinator && w->opt.coordinator_app),
	          "no coordinator account, so no coordinator's app");
	w->m = m;
	w->n = n;
	w->server = prosody_start(WORLD_DOMAIN);
	cr_assert_not_null(w->server, "Prosody did not start (see its log above)");
	world_account(w, "bot", w->opt.bot_password);
	if (!w->opt.no_coordinator)
		world_account(w, WORLD_COORD_USER, WORLD_COORD_PW);
	for (size_t i = 0; i < n; i++)
		world_account(w, m[i].id, member_password(&m[i], pw, sizeof pw));

	w->d = harness_daemon_new();
	harness_daemon_config_append(w->d,
	                             "[xmpp]\n"
	                             "jid = %s\n"
	                             "password = %s\n"
	                             "host = %s\n"
	                             "port = %u\n"
	                             "tls = required\n"
	                             "ca_file = %s\n"
	                             "[escalation]\n"
	                             "steps = %s\n"
	                             "repeat = %u\n",
	                             WORLD_BOT, w->opt.bot_password, prosody_host(w->server),
	                             prosody_port(w->server), prosody_ca_file(w->server),
	                             w->opt.steps, w->opt.repeat);
	if (!w->opt.no_coordinator)
		harness_daemon_config_append(w->d, "coordinators = %s\n", WORLD_COORD);
	if (w->opt.extra != NULL)
		harness_daemon_config_append(w->d, "%s", w->opt.extra);
}

/* Write the roster as CSV in the daemon's folder and import it. */
static void roster_import(struct world *w)
{
	struct harness_output out;
	char path[PATH_MAX];
	char want[64];
	FILE *f;

	harness_path_join(path, sizeof path, w->d->dir, "roster.csv");
	f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fprintf(f, "id,name,jid,email,phone,prefectures,specialties,languages,onsite,"
	           "first_consult_free,active\n");
	for (size_t i = 0; i < w->n; i++) {
		const struct world_member *m = &w->m[i];

		fprintf(f, "%s,%s,%s@%s,%s,,%s,%s,%s,%s,no,yes\n", m->id,
		        m->name != NULL ? m->name : m->id, m->id, WORLD_DOMAIN,
		        m->email != NULL ? m->email : "", m->prefectures,
		        m->specialties != NULL ? m->specialties : "all",
		        m->languages != NULL ? m->languages : "ja;en",
		        w->opt.onsite ? "yes" : "no");
	}
	cr_assert_eq(fclose(f), 0, "cannot write %s", path);

	harness_daemon_ctl(w->d, &out, "roster", "import", path, NULL);
	snprintf(want, sizeof want, "imported %zu specialists", w->n);
	cr_assert_eq(out.status, 0, "kakekomictl roster import: exit %d\n%s%s", out.status,
	             out.out.data, out.err.data);
	cr_assert_not_null(strstr(out.out.data, want), "kakekomictl should say \"%s\", said:\n%s",
	                   want, out.out.data);
	harness_output_fini(&out);
}

void world_start(struct world *w)
{
	harness_daemon_start(w->d);
	world_online(w);
}

void world_online(struct world *w)
{
	char pw[64];

	cr_assert(!w->online, "the world is already online");
	w->online = 1;
	for (size_t i = 0; i < w->n; i++)
		w->app[i] = world_connect(w, w->m[i].id, member_password(&w->m[i], pw, sizeof pw));
	if (w->opt.coordinator_app)
		w->coord = world_connect(w, WORLD_COORD_USER, WORLD_COORD_PW);
	roster_import(w);
	for (size_t i = 0; i < w->n; i++)
		cr_assert_eq(specialist_wait_presence(w->app[i], WORLD_BOT,
		                                      SPECIALIST_PRESENCE_AVAILABLE,
		                                      WORLD_PRESENCE_MS),
		             0,
		             "%s never saw %s online within %d ms: after the roster import the "
		             "daemon should ask every roster JID for a presence subscription",
		             specialist_jid(w->app[i]), WORLD_BOT, WORLD_PRESENCE_MS);
}

void world_open(struct world *w, const struct world_member *m, size_t n,
                const struct world_options *o)
{
	world_begin(w, m, n, o);
	world_start(w);
}

struct specialist_client *world_app(struct world *w, const char *id)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->m[i].id, id) == 0)
			return w->app[i];
	cr_assert_fail("no member %s", id);
	return NULL;
}

void world_app_free(struct world *w, struct specialist_client *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < w->n; i++)
		if (w->app[i] == s)
			w->app[i] = NULL;
	for (size_t i = 0; i < w->nreporters; i++)
		if (w->reporter[i] == s)
			w->reporter[i] = NULL;
	if (w->coord == s)
		w->coord = NULL;
	specialist_free(s);
}

void world_show_unread(struct specialist_client *s)
{
	char *body;
	int shown = 0;

	while (shown < 20 && specialist_wait_message(s, "", 0, &body) == 0) {
		fprintf(stderr, "  %s also got: %.600s\n", specialist_jid(s), body);
		free(body);
		shown++;
	}
	if (shown == 0)
		fprintf(stderr, "  %s got nothing else (%zu messages in all)\n", specialist_jid(s),
		        specialist_count_messages(s, NULL));
}

long long world_expect(struct specialist_client *s, const char *needle, int timeout_ms,
                       char **body_out, const char *why)
{
	struct specialist_message m = {0};
	int rc = specialist_wait_message_full(s, needle, timeout_ms, &m);
	long long at;

	if (rc != 0)
		world_show_unread(s);
	cr_assert_eq(rc, 0, "%s: no message containing \"%s\" within %d ms: %s", specialist_jid(s),
	             needle, timeout_ms, why);
	at = m.arrived_ns;
	if (body_out != NULL) {
		*body_out = m.body;
		m.body = NULL;
	}
	specialist_message_fini(&m);
	return at;
}

void world_tell(struct specialist_client *s, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	rc = specialist_send(s, WORLD_BOT, line);
	cr_assert_eq(rc, 0, "%s cannot send \"%s\": %s", specialist_jid(s), line, strerror(-rc));
}

void world_close(struct world *w)
{
	harness_daemon_finish(w->d);
	w->d = NULL;
	for (size_t i = 0; i < w->n; i++)
		specialist_free(w->app[i]);
	specialist_free(w->coord);
	for (size_t i = 0; i < w->nreporters; i++)
		specialist_free(w->reporter[i]);
	prosody_free(w->server);
	memset(w, 0, sizeof *w);
}
