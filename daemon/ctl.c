/*
 * kakekomictl — the coordinators' command line. Reads the same -c FILE as
 * the daemon.
 *
 *   kakekomictl [-c FILE] playbook check
 *   kakekomictl [-c FILE] playbook list
 *   kakekomictl [-c FILE] playbook export-cacao ID
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cacao.h"
#include "config.h"
#include "playbook.h"

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: kakekomictl [-c FILE] COMMAND\n"
	    "  playbook check               check every playbook file\n"
	    "  playbook list                list the playbooks\n"
	    "  playbook export-cacao ID     print playbook ID as an OASIS CACAO 2.0 document\n");
	return 2;
}

static int load(const char *path, struct config **cfg, struct playbook_set **pbs)
{
	struct buf errors;
	int rc;

	buf_init(&errors, 1024 * 1024);
	rc = config_load(path, cfg, &errors);
	if (rc == 0)
		rc = playbook_set_load((*cfg)->playbooks_dir, pbs, &errors);
	if (rc < 0)
		fputs(errors.data != NULL ? errors.data : "kakekomictl: cannot load\n", stderr);
	buf_fini(&errors);
	return rc;
}

static int cmd_playbook(struct playbook_set *pbs, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "check") == 0) {
		printf("%zu playbooks OK\n", playbook_count(pbs));
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		for (size_t i = 0; i < playbook_count(pbs); i++) {
			const struct playbook *pb = playbook_at(pbs, i);

			printf("%-20s %-10s %s / %s\n", pb->id, pb->updated, pb->name.s[LANG_JA],
			       pb->name.s[LANG_EN]);
		}
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "export-cacao") == 0) {
		const struct playbook *pb = playbook_find(pbs, argv[1]);
		json_t *doc;

		if (pb == NULL) {
			fprintf(stderr,
			        "kakekomictl: no playbook \"%s\"; `kakekomictl playbook list` "
			        "shows them\n",
			        argv[1]);
			return 1;
		}
		doc = cacao_export(pbs, pb);
		if (doc == NULL || json_dumpf(doc, stdout, JSON_INDENT(2)) < 0) {
			json_decref(doc);
			fprintf(stderr, "kakekomictl: export failed\n");
			return 1;
		}
		putchar('\n');
		json_decref(doc);
		return 0;
	}
	return usage();
}

int main(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct playbook_set *pbs = NULL;
	const char *path = NULL;
	int opt;
	int rc;

	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	if (sodium_init() < 0)
		return 1;
	if (strcmp(argv[0], "playbook") != 0)
		return usage();
	if (load(path, &cfg, &pbs) < 0) {
		config_free(cfg);
		return 1;
	}
	rc = cmd_playbook(pbs, argc - 1, argv + 1);
	playbook_set_free(pbs);
	config_free(cfg);
	return rc;
}
