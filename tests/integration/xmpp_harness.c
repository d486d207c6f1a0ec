/* SPDX-License-Identifier: ISC */
/*
 * xmpp_harness.c — the real parts that the XMPP tests stand on: a private
 * Prosody per test, and specialists' chat apps that connect over TLS,
 * exchange messages, answer receipts and pings, accept subscriptions and
 * find their accounts and stored messages again after the server restarts.
 * If one of these breaks, every alerting test after it means nothing.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "prosody.h"
#include "specialist.h"

#define DOMAIN   "kk.test"
#define ALICE    "alice@" DOMAIN
#define BOB      "bob@" DOMAIN
#define ALICE_PW "correct-horse"
#define BOB_PW   "battery-staple"
#define WAIT_MS  5000
#define LOG_MAX  (1u << 20)

TestSuite(xmpp_harness, .fini = prosody_cleanup, .timeout = 60);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct prosody *server_up(void)
{
	long long t0 = now_ms();
	struct prosody *p = prosody_start(DOMAIN);

	cr_assert_not_null(p, "Prosody did not start (see its log above)");
	cr_log_info("prosody started in %lld ms on port %u", now_ms() - t0, prosody_port(p));
	return p;
}

/* A server with alice and bob registered. */
static struct prosody *server_with_accounts(void)
{
	struct prosody *p = server_up();

	cr_assert_eq(prosody_register(p, "alice", ALICE_PW), 0);
	cr_assert_eq(prosody_register(p, "bob", BOB_PW), 0);
	return p;
}

static struct specialist_client *join(struct prosody *p, const char *jid, const char *password)
{
	struct specialist_client *s =
	    specialist_connect(jid, password, prosody_host(p), prosody_port(p), prosody_ca_file(p));

	cr_assert_not_null(s, "%s could not connect (see above)", jid);
	return s;
}

static struct specialist_client *alice_on(struct prosody *p)
{
	return join(p, ALICE, ALICE_PW);
}

static struct specialist_client *bob_on(struct prosody *p)
{
	return join(p, BOB, BOB_PW);
}

/* Prosody's log, up to LOG_MAX bytes; caller frees. */
static char *read_log(const struct prosody *p)
{
	FILE *f = fopen(prosody_log_path(p), "r");
	char *text = calloc(1, LOG_MAX + 1);
	size_t n;

	cr_assert_not_null(f, "cannot open %s", prosody_log_path(p));
	cr_assert_not_null(text);
	n = fread(text, 1, LOG_MAX, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static int is_file_in(const char *folder, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", folder, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

Test(xmpp_harness, prosody_runs_on_its_own_port_with_everything_in_its_own_folder)
{
	struct prosody *p = server_up();
	char ready[128], folder[4096];
	char *log;

	cr_expect_neq(prosody_port(p), 5222u, "never the system-wide Prosody's port");
	cr_expect(prosody_running(p));
	cr_expect(is_file_in(prosody_folder(p), "prosody.cfg.lua"));
	cr_expect(is_file_in(prosody_folder(p), "prosody.log"));
	cr_expect(is_file_in(prosody_folder(p), "prosody.pid"));
	cr_expect_eq(strncmp(prosody_ca_file(p), prosody_folder(p), strlen(prosody_folder(p))), 0,
	             "the certificate lives in the folder: %s", prosody_ca_file(p));

	log = read_log(p);
	snprintf(ready, sizeof ready, "Activated service 'c2s' on [127.0.0.1]:%u", prosody_port(p));
	cr_expect_not_null(strstr(log, ready), "c2s listens on loopback only");
	cr_expect_null(strstr(log, "Activated service 's2s' on ["), "no server-to-server port");
	cr_expect_null(strstr(log, "Activated service 'http"), "no HTTP port");
	free(log);

	snprintf(folder, sizeof folder, "%s", prosody_folder(p));
	prosody_free(p);
	cr_expect_neq(access(folder, F_OK), 0, "the folder is removed after a clean stop");
}

Test(xmpp_harness, a_message_from_one_specialist_reaches_the_other)
{
	struct prosody *p = server_with_accounts();
	struct specialist_client *alice = alice_on(p);
	struct specialist_client *bob = bob_on(p);
	struct specialist_message m = {0};

	cr_assert_eq(specialist_send(alice, BOB, "KK-TEST-01 ransomware at Example KK"), 0);
	cr_assert_eq(specialist_wait_message_full(bob, "KK-TEST-01", WAIT_MS, &m), 0,
	             "bob got nothing");
	cr_expect_str_eq(m.body, "KK-TEST-01 ransomware at Example KK");
	cr_expect_eq(strncmp(m.from, ALICE "/", strlen(ALICE) + 1), 0, "from %s", m.from);
	cr_expect_str_eq(m.type, "chat");
	cr_expect_not(m.delayed, "bob was online: nothing was stored");
	specialist_message_fini(&m);

	/* Each message is found once; the next wait needs the next message. */
	cr_expect_eq(specialist_wait_message(bob, "KK-TEST-01", 200, NULL), -ETIMEDOUT);
	cr_expect_eq(specialist_count_messages(bob, "KK-TEST-01"), 1u, "delivered exactly once");
	cr_expect_eq(specialist_count_messages(alice, NULL), 0u);

	specialist_free(alice);
	specialist_free(bob);
	prosody_free(p);
}

Test(xmpp_harness, a_receipt_request_is_answered_by_the_receiving_app)
{
	struct prosody *p = server_with_accounts();
	struct specialist_client *alice = alice_on(p);
	struct specialist_client *bob = bob_on(p);
	struct specialist_message m = {0};
	char id[64];

	/* As the daemon sends alerts: hand-written XML, bare JID, receipt requested. */
	cr_assert_eq(specialist_send_raw(bob, "<message to='" ALICE "' type='chat' id='alert-42'>"
	                                      "<body>KK-TEST-42 please acknowledge</body>"
	                                      "<request xmlns='urn:xmpp:receipts'/></message>"),
	             0);
	cr_assert_eq(specialist_wait_message_full(alice, "KK-TEST-42", WAIT_MS, &m), 0);
	cr_expect(m.receipt_requested);
	cr_expect_str_eq(m.id, "alert-42");
	specialist_message_fini(&m);
	cr_expect_eq(specialist_wait_receipt(bob, "alert-42", WAIT_MS), 0,
	             "alice's app did not confirm delivery");

	/* And the other way, through the helper. */
	cr_assert_eq(specialist_send_with_receipt(alice, BOB, "second", id, sizeof id), 0);
	cr_expect_eq(specialist_wait_message(bob, "second", WAIT_MS, NULL), 0);
	cr_expect_eq(specialist_wait_receipt(alice, id, WAIT_MS), 0);
	cr_expect_eq(specialist_wait_receipt(alice, "never-sent", 100), -ETIMEDOUT);

	specialist_free(alice);
	specialist_free(bob);
	prosody_free(p);
}

Test(xmpp_harness, the_app_answers_pings_and_refuses_what_it_does_not_know)
{
	struct prosody *p = server_with_accounts();
	struct specialist_client *alice = alice_on(p);
	struct specialist_client *bob = bob_on(p);
	char full[512], xml[1024];

	cr_assert_eq(specialist_full_jid(alice, full, sizeof full), 0);
	snprintf(xml, sizeof xml,
	         "<iq type='get' to='%s' id='ping-1'><ping xmlns='urn:xmpp:ping'/></iq>", full);
	cr_assert_eq(specialist_send_raw(bob, xml), 0);
	cr_expect_eq(specialist_wait_iq(bob, "ping-1", WAIT_MS), 0, "ping not answered");

	snprintf(xml, sizeof xml,
	         "<iq type='get' to='%s' id='odd-1'><query xmlns='jabber:iq:version'/></iq>", full);
	cr_assert_eq(specialist_send_raw(bob, xml), 0);
	cr_expect_eq(specialist_wait_iq(bob, "odd-1", WAIT_MS), -EPROTO,
	             "an unknown request gets an error, not silence");

	specialist_free(alice);
	specialist_free(bob);
	prosody_free(p);
}

Test(xmpp_harness, a_subscription_request_is_accepted_and_presence_follows)
{
	struct prosody *p = server_with_accounts();
	struct specialist_client *alice = alice_on(p);
	struct specialist_client *bob = bob_on(p);

	cr_expect_eq(specialist_presence(alice, BOB), SPECIALIST_PRESENCE_UNKNOWN);
	cr_assert_eq(specialist_subscribe(alice, BOB), 0);
	cr_expect_eq(specialist_wait_presence(alice, BOB, SPECIALIST_PRESENCE_AVAILABLE, WAIT_MS),
	             0, "bob's app did not accept alice's request");
	cr_expect_eq(specialist_wait_presence(bob, ALICE, SPECIALIST_PRESENCE_AVAILABLE, WAIT_MS),
	             0, "bob's app did not ask back, or alice's did not accept");

	cr_assert_eq(specialist_go_offline(bob), 0);
	cr_expect_not(specialist_is_online(bob));
	cr_expect_eq(specialist_wait_presence(alice, BOB, SPECIALIST_PRESENCE_UNAVAILABLE, WAIT_MS),
	             0, "alice does not see bob leave");
	cr_assert_eq(specialist_go_online(bob), 0);
	cr_expect_eq(specialist_wait_presence(alice, BOB, SPECIALIST_PRESENCE_AVAILABLE, WAIT_MS),
	             0, "alice does not see bob come back");

	specialist_free(alice);
	specialist_free(bob);
	prosody_free(p);
}

Test(xmpp_harness, a_specialist_offline_gets_the_message_when_back)
{
	struct prosody *p = server_with_accounts();
	struct specialist_client *alice = alice_on(p);
	struct specialist_client *bob = bob_on(p);
	struct specialist_message m = {0};

	cr_assert_eq(specialist_go_offline(bob), 0);
	cr_expect_eq(specialist_send(bob, ALICE, "from nowhere"), -ENOTCONN);
	cr_assert_eq(specialist_send(alice, BOB, "KK-TEST-07 while you were away"), 0);
	cr_assert_eq(specialist_go_online(bob), 0);
	cr_assert_eq(specialist_wait_message_full(bob, "KK-TEST-07", WAIT_MS, &m), 0);
	cr_expect(m.delayed, "an offline message carries <delay/>");
	specialist_message_fini(&m);
	cr_expect_eq(specialist_count_messages(bob, "KK-TEST-07"), 1u);

	specialist_free(alice);
	specialist_free(bob);
	prosody_free(p);
}

Test(xmpp_harness, accounts_and_stored_messages_survive_a_restart_on_the_same_port)
{
	struct prosody *p = server_with_accounts();
	unsigned port = prosody_port(p);
	struct specialist_client *alice = alice_on(p);
	struct specialist_client *bob = bob_on(p);
	long long t0;

	cr_assert_eq(specialist_go_offline(bob), 0);
	cr_assert_eq(specialist_send(alice, BOB, "KK-TEST-09 stored before the restart"), 0);
	/* The server handles a stream in order: once it answers this ping, it has stored that. */
	cr_assert_eq(specialist_send_raw(alice, "<iq type='get' to='" DOMAIN "' id='sync-1'>"
	                                        "<ping xmlns='urn:xmpp:ping'/></iq>"),
	             0);
	cr_assert_eq(specialist_wait_iq(alice, "sync-1", WAIT_MS), 0);

	t0 = now_ms();
	cr_assert_eq(prosody_stop(p), 0, "Prosody did not stop cleanly");
	cr_log_info("prosody stopped in %lld ms", now_ms() - t0);
	cr_expect_not(prosody_running(p));
	cr_expect_eq(specialist_wait_offline(alice, WAIT_MS), 0, "alice did not notice");
	cr_expect_not(specialist_is_online(alice));
	cr_expect_null(
	    specialist_connect(ALICE, ALICE_PW, prosody_host(p), port, prosody_ca_file(p)),
	    "nothing answers while it is stopped");

	t0 = now_ms();
	cr_assert_eq(prosody_restart(p), 0);
	cr_log_info("prosody restarted in %lld ms", now_ms() - t0);
	cr_expect_eq(prosody_port(p), port, "same port after the restart");
	cr_assert_eq(specialist_go_online(alice), 0, "alice's account is gone");
	cr_assert_eq(specialist_go_online(bob), 0, "bob's account is gone");
	cr_expect_eq(specialist_wait_message(bob, "KK-TEST-09", WAIT_MS, NULL), 0,
	             "the stored message was lost");

	specialist_free(alice);
	specialist_free(bob);
	prosody_free(p);
}

Test(xmpp_harness, a_wrong_password_or_an_untrusted_certificate_is_refused)
{
	struct prosody *p = server_with_accounts();
	struct prosody *other = server_up();

	cr_expect_null(specialist_connect(ALICE, "wrong", prosody_host(p), prosody_port(p),
	                                  prosody_ca_file(p)));
	cr_expect_null(specialist_connect(ALICE, ALICE_PW, prosody_host(p), prosody_port(p),
	                                  prosody_ca_file(other)),
	               "a certificate from another CA must not be trusted");
	cr_expect_null(specialist_connect("carol@" DOMAIN, "x", prosody_host(p), prosody_port(p),
	                                  prosody_ca_file(p)));
	cr_expect_eq(prosody_register(p, "bad user", "x"), -EINVAL);

	prosody_free(other);
	prosody_free(p);
}
