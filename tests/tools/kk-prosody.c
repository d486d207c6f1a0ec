/* SPDX-License-Identifier: ISC */
/*
 * kk-prosody — a private Prosody for tests that are not written in C (the
 * browser tests), through tests/support/prosody.c: a folder, a certificate
 * and a free loopback port of its own, and the accounts asked for.
 *
 *   kk-prosody DOMAIN USER:PASSWORD ...
 *
 * Prints one line of JSON once clients can connect:
 *   {"host":"127.0.0.1","port":PORT,"domain":"DOMAIN","ca":"CA_FILE"}
 * then keeps the server until its standard input closes, and stops it
 * (removing the folder when all went well). Exit status 0, or 1 when the
 * server or an account could not be made (the reason on stderr).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "prosody.h"

int main(int argc, char **argv)
{
	struct prosody *p;
	char buf[256];

	if (argc < 2) {
		fprintf(stderr, "usage: kk-prosody DOMAIN USER:PASSWORD ...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	p = prosody_start(argv[1]);
	if (p == NULL)
		return 1;
	for (int i = 2; i < argc; i++) {
		char user[128];
		const char *colon = strchr(argv[i], ':');

		if (colon == NULL || (size_t)(colon - argv[i]) >= sizeof user) {
			fprintf(stderr, "kk-prosody: \"%s\" is not USER:PASSWORD\n", argv[i]);
			prosody_free(p);
			return 2;
		}
		snprintf(user, sizeof user, "%.*s", (int)(colon - argv[i]), argv[i]);
		if (prosody_register(p, user, colon + 1) < 0) {
			prosody_free(p);
			return 1;
		}
	}
	printf("{\"host\":\"%s\",\"port\":%u,\"domain\":\"%s\",\"ca\":\"%s\"}\n", prosody_host(p),
	       prosody_port(p), prosody_domain(p), prosody_ca_file(p));
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof buf) > 0)
		;
	prosody_free(p);
	return 0;
}
