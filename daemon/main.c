/* SPDX-License-Identifier: ISC */
/*
 * kakekomid — the hotline relay daemon: flags, the loop, signals.
 *
 *   kakekomid [-c FILE] [-n]
 *
 * SIGTERM/SIGINT stop intake, let queued writes finish, close every handle
 * and exit 0. SIGHUP reloads the playbooks; a bad set keeps the old one and
 * the log says why. SIGPIPE is ignored process-wide.
 */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "auth.h"
#include "buf.h"
#include "chat.h"
#include "convo.h"
#include "remind.h"
#include "report.h"
#include "escalate.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "playbook.h"
#include "roster.h"
#include "stats.h"
#include "store.h"

#define ROSTER_POLL_MS 2000

struct daemon {
	uv_loop_t *loop;
	struct config *cfg;
	struct playbook_set *pbs;
	struct store *store;
	struct roster *roster;
	int64_t roster_version;
	struct services sv; /* what the modules share (services.h) */
	struct notify *notify;
	struct escalate *esc;
	struct report *report; /* the one intake path */
	struct chat *chat;
	struct convo *convo;
	struct remind *remind;
	struct notify_events nev;
	struct http_server *http;
	struct auth *auth;   /* coordinators' accounts */
	struct stats *stats; /* the figures' index */
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t drain, roster_poll;
	uint64_t drain_started, flush_started;
	bool flushing; /* the writes are over, the answers are leaving */
	bool stopping;
};

static void usage(void)
{
	fprintf(stderr, "usage: kakekomid [-c FILE] [-n]\n"
	                "  -c FILE  configuration (INI); without it, embedded defaults\n"
	                "  -n       check the configuration and the playbooks, then exit\n");
}

/* Prints every problem with the config and the playbooks. Returns 0 when there is none. */
static int check_only(const char *path)
{
	struct buf errors;
	struct config *cfg = NULL;
	struct playbook_set *pbs = NULL;
	int bad = 0;

	buf_init(&errors, 1024 * 1024);
	if (config_load(path, &cfg, &errors) < 0)
		bad = 1;
	if (playbook_set_load(cfg != NULL ? cfg->playbooks_dir : "playbooks", &pbs, &errors) < 0)
		bad = 1;
	if (bad) {
		fputs(errors.data != NULL ? errors.data : "unknown problem\n", stdout);
	} else {
		printf("%s: configuration OK; %zu playbooks, %zu prefectures in %s OK\n",
		       path != NULL ? path : "(defaults)", playbook_count(pbs),
		       playbook_prefecture_count(pbs), cfg->playbooks_dir);
	}
	buf_fini(&errors);
	playbook_set_free(pbs);
	config_free(cfg);
	return bad;
}

static void on_handle_closed(uv_handle_t *h)
{
	(void)h;
}

static void finish(struct daemon *d)
{
	/* First every queued write, done or failed, while everything its
	 * callback points to (a request waiting for its answer, a chat job)
	 * is still alive. */
	store_drain(d->store);
	http_stop(d->http);
	d->http = NULL;
	auth_stop(d->auth);
	d->auth = NULL;
	stats_free(d->stats);
	d->stats = NULL;
	chat_stop(d->chat);
	d->chat = NULL;
	convo_stop(d->convo);
	d->convo = NULL;
	report_stop(d->report);
	d->report = NULL;
	remind_stop(d->remind);
	d->remind = NULL;
	escalate_stop(d->esc);
	d->esc = NULL;
	notify_stop(d->notify);
	d->notify = NULL;
	store_close(d->store);
	d->store = NULL;
	uv_close((uv_handle_t *)&d->drain, on_handle_closed);
	uv_close((uv_handle_t *)&d->roster_poll, on_handle_closed);
	uv_close((uv_handle_t *)&d->sigterm, on_handle_closed);
	uv_close((uv_handle_t *)&d->sigint, on_handle_closed);
	uv_close((uv_handle_t *)&d->sighup, on_handle_closed);
}

/* Waits for answers still waiting for the store, then closes everything. */
static void on_drain(uv_timer_t *t)
{
	struct daemon *d = t->data;

	uint64_t waited = uv_now(d->loop) - d->drain_started;

	if (d->flushing) {
		/* The writes are over; the answers they produced are on their way. */
		if (http_connections(d->http) == 0 || uv_now(d->loop) - d->flush_started > 1000) {
			uv_timer_stop(t);
			finish(d);
		}
		return;
	}
	if (http_waiting(d->http) == 0 && store_pending(d->store) == 0 &&
	    chat_pending(d->chat) == 0 && convo_pending(d->convo) == 0 &&
	    notify_pending(d->notify) == 0 && remind_pending(d->remind) == 0) {
		uv_timer_stop(t);
		finish(d);
	} else if (waited > (uint64_t)d->cfg->stop_wait_s * 1000) {
		/* Give up waiting: every queued write finishes or fails now (the
		 * writer may still wait out the store's busy timeout), with the
		 * requests and jobs their callbacks point to still alive; then
		 * the answers they produced get a moment to leave. */
		log_warnx("kakekomid: %u writes still queued after %u s: finishing or failing them",
		          store_pending(d->store), d->cfg->stop_wait_s);
		store_drain(d->store);
		d->flushing = true;
		d->flush_started = uv_now(d->loop);
	}
}

static void on_stop_signal(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;

	if (d->stopping)
		return;
	d->stopping = true;
	log_info("kakekomid: %s: stopping intake, finishing queued writes", strsignal(signum));
	http_quiesce(d->http);
	uv_timer_stop(&d->roster_poll);
	d->drain_started = uv_now(d->loop);
	uv_timer_start(&d->drain, on_drain, 0, 10);
}

/* Subscribes to every roster JID's presence, so offline specialists are
 * skipped at once. */
static void watch_roster(struct daemon *d)
{
	for (size_t i = 0; d->roster != NULL && i < d->roster->n; i++)
		if (d->roster->v[i].active)
			notify_watch(d->notify, d->roster->v[i].jid);
	for (size_t i = 0; i < d->cfg->esc_ncoordinators; i++)
		notify_watch(d->notify, d->cfg->esc_coordinators[i]);
}

static int reload_roster(struct daemon *d)
{
	struct roster *fresh = NULL;
	int64_t version = roster_version(d->store);
	int rc = roster_load(d->store, d->pbs, &fresh);

	if (rc < 0) {
		log_warn(rc, "kakekomid: roster not loaded, keeping the previous one");
		return rc;
	}
	roster_free(d->roster);
	d->roster = fresh;
	d->roster_version = version;
	log_info("kakekomid: roster: %zu specialists, %zu rotations, %zu overrides", fresh->n,
	         fresh->nrot, fresh->novr);
	watch_roster(d);
	return 0;
}

/* kakekomictl changes the roster in the store; pick the change up. */
static void on_roster_poll(uv_timer_t *t)
{
	struct daemon *d = t->data;

	if (roster_version(d->store) != d->roster_version)
		reload_roster(d);
}

static void on_chat(void *arg, const char *jid, const char *body)
{
	struct daemon *d = arg;

	chat_on_message(d->chat, jid, body);
}

static void on_unreachable(void *arg, int64_t case_id, const char *jid, const char *why)
{
	struct daemon *d = arg;

	log_info("kakekomid: alert to %s for case %lld cannot get through: %s", jid,
	         (long long)case_id, why);
	escalate_check(d->esc, case_id);
	notify_fallback(d->notify, case_id, jid);
}

/* New outbox rows were written outside the usual paths: send them. */
static void on_outbox(void *arg)
{
	struct daemon *d = arg;

	notify_kick(d->notify);
}

/* Every commit may have queued webhook posts (a trigger writes them with
 * each timeline event) or e-mails: let the dispatcher look at once. */
static void on_committed(void *arg)
{
	struct daemon *d = arg;

	notify_kick(d->notify);
}

static void on_fallback(void *arg, int64_t case_id, const char *jid)
{
	struct daemon *d = arg;

	notify_fallback(d->notify, case_id, jid);
}

static void on_presence(void *arg, const char *jid, enum presence p)
{
	struct daemon *d = arg;

	if (p == PRESENCE_OFFLINE) {
		escalate_jid_offline(d->esc, jid);
		notify_fallback(d->notify, 0, jid);
	}
}

static void on_connected(void *arg)
{
	watch_roster(arg);
}

static void on_hup(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;
	struct playbook_set *fresh = NULL;
	struct buf errors;

	(void)signum;
	buf_init(&errors, 64 * 1024);
	if (playbook_set_load(d->cfg->playbooks_dir, &fresh, &errors) < 0) {
		log_warnx("kakekomid: reload: playbooks in %s have problems, keeping the loaded "
		          "ones:\n%s",
		          d->cfg->playbooks_dir, errors.data != NULL ? errors.data : "");
	} else {
		playbook_set_free(d->pbs);
		d->pbs = fresh;
		log_info("kakekomid: reload: %zu playbooks loaded", playbook_count(fresh));
	}
	buf_fini(&errors);
	reload_roster(d);
}

/* A configuration file with passwords in it should be for our eyes only. */
static void warn_open_secrets(const char *path, const struct config *cfg)
{
	struct stat sb;
	bool secrets = cfg->webhook_secret[0] != '\0' || cfg->smtp_password[0] != '\0' ||
	               (cfg->xmpp_password[0] != '\0' && cfg->xmpp_password_file[0] == '\0');

	if (path != NULL && secrets && stat(path, &sb) == 0 && (sb.st_mode & 044) != 0)
		log_warnx("kakekomid: %s holds passwords and is readable by others (mode %03o): "
		          "chmod 600 it, or move the XMPP password to [xmpp] password_file",
		          path, (unsigned)(sb.st_mode & 0777));
}

int main(int argc, char **argv)
{
	struct daemon d = {0};
	struct buf errors;
	const char *path = NULL;
	bool check = false;
	int opt;
	int rc;

	while ((opt = getopt(argc, argv, "c:nh")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'n': check = true; break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "kakekomid: libsodium cannot start\n");
		return 1;
	}
	if (check)
		return check_only(path);

	signal(SIGPIPE, SIG_IGN);
	{
		/* Thousands of idle or slow clients must not run us out of
		 * descriptors: take the hard limit the system allows. */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	/* Before any thread starts: libcurl's global set-up is not thread-safe. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "kakekomid: libcurl cannot start\n");
		return 1;
	}
	buf_init(&errors, 1024 * 1024);
	rc = config_load(path, &d.cfg, &errors);
	if (rc == 0)
		rc = playbook_set_load(d.cfg->playbooks_dir, &d.pbs, &errors);
	if (rc < 0) {
		fprintf(stderr, "kakekomid: cannot start:\n%s",
		        errors.data != NULL ? errors.data : "");
		buf_fini(&errors);
		config_free(d.cfg);
		return 1;
	}
	buf_fini(&errors);
	log_threshold = d.cfg->log_level;
	warn_open_secrets(path, d.cfg);

	d.loop = uv_default_loop();
	rc = store_open(&d.store, d.loop, d.cfg->store_path, d.cfg->store_key_file);
	if (rc < 0) {
		log_error(rc, "kakekomid: cannot open the store %s", d.cfg->store_path);
		goto out;
	}
	uv_timer_init(d.loop, &d.drain);
	d.drain.data = &d;
	uv_timer_init(d.loop, &d.roster_poll);
	d.roster_poll.data = &d;
	uv_signal_init(d.loop, &d.sigterm);
	uv_signal_init(d.loop, &d.sigint);
	uv_signal_init(d.loop, &d.sighup);
	d.nev.connected = on_connected;
	d.nev.message = on_chat;
	d.nev.unreachable = on_unreachable;
	d.nev.presence = on_presence;
	rc = notify_start(&d.notify, d.loop, d.cfg, d.store, &d.roster, &d.nev, &d);
	d.sv = (struct services){d.loop, d.cfg, d.store, &d.pbs, &d.roster, d.notify, NULL, NULL};
	if (rc == 0)
		rc = reload_roster(&d);
	if (rc == 0)
		rc = stats_open(&d.stats, d.store);
	if (rc == 0)
		rc = auth_start(&d.auth, d.loop, d.store);
	if (rc == 0)
		rc = escalate_start(&d.esc, &d.sv);
	d.sv.esc = d.esc;
	if (rc == 0)
		escalate_set_fallback(d.esc, on_fallback, &d);
	if (rc == 0)
		rc = report_start(&d.report, &d.sv);
	d.sv.report = d.report;
	if (rc == 0)
		rc = remind_start(&d.remind, &d.sv, on_outbox, &d);
	if (rc == 0)
		store_set_commit_hook(d.store, on_committed, &d);
	if (rc == 0)
		rc = chat_start(&d.chat, &d.sv);
	if (rc == 0)
		rc = convo_start(&d.convo, &d.sv);
	if (rc == 0) {
		chat_set_convo(d.chat, d.convo);
		rc = http_start(&d.http, &d.sv);
	}
	if (rc == 0) {
		struct http_dash_parts parts = {d.auth, d.stats, d.notify};

		http_dash_attach(d.http, &parts);
	}
	if (rc < 0) {
		log_error(rc, "kakekomid: cannot start");
		finish(&d);
		uv_run(d.loop, UV_RUN_DEFAULT);
		goto out;
	}
	notify_kick(d.notify);
	uv_timer_start(&d.roster_poll, on_roster_poll, ROSTER_POLL_MS, ROSTER_POLL_MS);
	d.sigterm.data = d.sigint.data = d.sighup.data = &d;
	uv_signal_start(&d.sigterm, on_stop_signal, SIGTERM);
	uv_signal_start(&d.sigint, on_stop_signal, SIGINT);
	uv_signal_start(&d.sighup, on_hup, SIGHUP);
	log_info("kakekomid: ready: %zu playbooks, store %s, form %s/report", playbook_count(d.pbs),
	         d.cfg->store_path, d.cfg->http_public_url);

	uv_run(d.loop, UV_RUN_DEFAULT);
	log_info("kakekomid: stopped");
	rc = 0;
out:
	uv_loop_close(d.loop);
	roster_free(d.roster);
	playbook_set_free(d.pbs);
	curl_global_cleanup();
	config_free(d.cfg);
	return rc < 0 ? 1 : 0;
}
