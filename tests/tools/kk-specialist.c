/* SPDX-License-Identifier: ISC */
/*
 * kk-specialist — a specialist's chat app on the command line, for tests
 * that are not written in C (the browser tests): it logs in over XMPP with
 * tests/support/specialist.c, says "online" on standard output, waits for an
 * alert from the bot, answers it, and waits for the bot's confirmation.
 *
 *   kk-specialist --jid JID --password PW --host HOST --port PORT --ca FILE
 *                 --bot BOT_JID [--wait TEXT] [--reply TEXT] [--confirm TEXT]
 *                 [--timeout-ms N] [--hold]
 *
 * --wait: a text the alert contains (default "New case"); --reply: what to
 * answer (default "ack", which takes the latest alert); --confirm: a text
 * the bot's answer contains (default "you have this case"); --hold: after
 * the alert, wait for a line on standard input before answering (so that a
 * test can look at the case before anyone took it). Each step is
 * printed as one line ("online", "alert KK-XXXX-XX", "sent ack",
 * "confirmed"); the exit status is 0 when all went as asked, 1 otherwise,
 * 2 for bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "specialist.h"

#define TOOL_TIMEOUT_MS 30000

struct tool_args {
	const char *jid, *password, *host, *ca, *bot;
	const char *wait, *reply, *confirm;
	unsigned port;
	int timeout_ms;
	int hold;
};

static int usage(void)
{
	fprintf(stderr, "usage: kk-specialist --jid JID --password PW --host HOST --port PORT "
	                "--ca FILE --bot BOT_JID\n"
	                "                     [--wait TEXT] [--reply TEXT] [--confirm TEXT] "
	                "[--timeout-ms N] [--hold]\n");
	return 2;
}

/* Set option k to v: 0, or -EINVAL when there is no such option. */
static int set_option(struct tool_args *a, const char *k, const char *v)
{
	const struct {
		const char *name;
		const char **slot;
	} texts[] = {
	    {"--jid", &a->jid},     {"--password", &a->password}, {"--host", &a->host},
	    {"--ca", &a->ca},       {"--bot", &a->bot},           {"--wait", &a->wait},
	    {"--reply", &a->reply}, {"--confirm", &a->confirm},
	};

	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		if (strcmp(k, texts[t].name) == 0) {
			*texts[t].slot = v;
			return 0;
		}
	}
	if (strcmp(k, "--port") == 0)
		a->port = (unsigned)strtoul(v, NULL, 10);
	else if (strcmp(k, "--timeout-ms") == 0)
		a->timeout_ms = atoi(v);
	else
		return -EINVAL;
	return 0;
}

static int parse(int argc, char **argv, struct tool_args *a)
{
	a->wait = "New case";
	a->reply = "ack";
	a->confirm = "you have this case";
	a->timeout_ms = TOOL_TIMEOUT_MS;
	for (int i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(k, "--hold") == 0) {
			a->hold = 1;
			i--; /* takes no value */
			continue;
		}
		if (v == NULL || set_option(a, k, v) != 0)
			return -EINVAL;
	}
	if (a->jid == NULL || a->password == NULL || a->host == NULL ||
	    a->ca == NULL || a->bot == NULL || a->port == 0 || a->port > 65535 || a->timeout_ms <= 0)
		return -EINVAL;
	return 0;
}

/* The first case reference ("KK-" and seven more characters) in BODY. */
static void ref_of(const char *body, char out[16])
{
	const char *p = strstr(body, "KK-");

	snprintf(out, 16, "%.10s", p != NULL ? p : "?");
}

int main(int argc, char **argv)
{
	struct tool_args a = {0};
	struct specialist_client *s;
	char *alert = NULL;
	char ref[16];
	int rc;

	if (parse(argc, argv, &a) < 0)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	s = specialist_connect(a.jid, a.password, a.host, a.port, a.ca);
	if (s == NULL) {
		fprintf(stderr, "kk-specialist: %s could not log in\n", a.jid);
		return 1;
	}
	/* Online only counts once the bot can see us: it alerts online people. */
	specialist_subscribe(s, a.bot);
	rc = specialist_wait_presence(s, a.bot, SPECIALIST_PRESENCE_AVAILABLE, a.timeout_ms);
	printf("%s\n", rc == 0 ? "online" : "online (the bot's presence not seen)");
	rc = specialist_wait_message(s, a.wait, a.timeout_ms, &alert);
	if (rc < 0) {
		fprintf(stderr, "kk-specialist: no message containing \"%s\" within %d ms\n", a.wait,
		        a.timeout_ms);
		specialist_free(s);
		return 1;
	}
	ref_of(alert, ref);
	printf("alert %s\n", ref);
	free(alert);
	if (a.hold) {
		char line[64];

		if (fgets(line, sizeof line, stdin) == NULL) {
			specialist_free(s);
			return 1;
		}
	}
	rc = specialist_send(s, a.bot, a.reply);
	if (rc < 0) {
		fprintf(stderr, "kk-specialist: cannot send \"%s\": %s\n", a.reply, strerror(-rc));
		specialist_free(s);
		return 1;
	}
	printf("sent %s\n", a.reply);
	rc = specialist_wait_message(s, a.confirm, a.timeout_ms, NULL);
	if (rc < 0)
		fprintf(stderr, "kk-specialist: the bot did not confirm (\"%s\") within %d ms\n",
		        a.confirm, a.timeout_ms);
	else
		printf("confirmed\n");
	specialist_free(s);
	return rc < 0 ? 1 : 0;
}
