/* SPDX-License-Identifier: ISC */
/*
 * kakekomictl — the coordinators' command line. Reads the same -c FILE as
 * the daemon.
 *
 *   kakekomictl [-c FILE] playbook check | list | export-cacao ID
 *   kakekomictl [-c FILE] roster import FILE | export [FILE]
 *   kakekomictl [-c FILE] rotation add ... | list | remove ID
 *   kakekomictl [-c FILE] override add ... | list | remove ID
 *   kakekomictl [-c FILE] oncall PREF [--at TIME]
 *   kakekomictl [-c FILE] coverage [--days N]
 *   kakekomictl [-c FILE] user add NAME | list | disable NAME
 *
 * Commands that need the store open it on a private loop and run that loop
 * until each write's callback has run, so "imported" is printed only after
 * the commit. The rules of the roster and of who is on call live in
 * roster.c and oncall.c; this file parses arguments and prints. Exit
 * status: 0 done, 1 failed (with what to fix), 2 usage.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <uv.h>

#include "auth.h"
#include "buf.h"
#include "cacao.h"
#include "config.h"
#include "draft.h"
#include "log.h"
#include "oncall.h"
#include "playbook.h"
#include "roster.h"
#include "seal.h"
#include "store.h"
#include "store_reminders.h"
#include "text.h"

#define CTL_FILE_MAX     (16u * 1024 * 1024) /* a roster file */
#define CTL_EXPORT_MAX   (256u * 1024 * 1024)
#define CTL_ERRORS_MAX   (1024u * 1024)
#define CTL_MEMBERS_MAX  64
#define CTL_DAYS_DEFAULT 7
#define CTL_DAYS_MAX     366
#define CTL_SLOT_MS      (15LL * 60 * 1000)
#define CTL_DAY_MS       (24LL * 3600 * 1000)

struct ctl {
	struct config *cfg;
	struct playbook_set *pbs;
	uv_loop_t loop;
	struct store *st;
};

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: kakekomictl [-c FILE] COMMAND\n"
	    "  playbook check               check every playbook file\n"
	    "  playbook list                list the playbooks\n"
	    "  playbook export-cacao ID     print playbook ID as an OASIS CACAO 2.0 document\n"
	    "  roster import FILE           replace the roster with FILE (CSV with a header "
	    "row, or JSON);\n"
	    "                               nothing is imported when any row has a problem\n"
	    "  roster export [FILE]         write the roster as CSV to FILE or standard output\n"
	    "  rotation add SCOPE --period daily|weekly --handoff HH:MM [--tz Asia/Tokyo]\n"
	    "               [--start YYYY-MM-DD] --members 'ID;ID;...'\n"
	    "                               the members take turns on call for SCOPE, a\n"
	    "                               prefecture code (27) or a region (kinki)\n"
	    "  rotation list                list the rotations\n"
	    "  rotation remove ID           delete rotation ID\n"
	    "  override add SCOPE ID --from TIME --to TIME\n"
	    "                               specialist ID is on call for SCOPE in that window,\n"
	    "                               in place of the rotations\n"
	    "  override list                list the overrides\n"
	    "  override remove ID           delete override ID\n"
	    "  oncall PREF [--at TIME]      who is on call for prefecture PREF, and why\n"
	    "  coverage [--days N]          times in the next N days (default 7) when a\n"
	    "                               prefecture has nobody on call for a specialty\n"
	    "  deadlines [--days N]         reports to the Personal Information Protection\n"
	    "                               Commission due in the next N days (default 7)\n"
	    "  purge --older-than DAYS [--include-open]\n"
	    "                               remove every copy of the reporters' details\n"
	    "                               (case, messages, notes, chat) from cases resolved\n"
	    "                               more than DAYS ago, and with --include-open from\n"
	    "                               unresolved ones received that long ago; the\n"
	    "                               timelines and figures are kept\n"
	    "  report-draft REF [--to ppc|police|ipa] [--lang en]\n"
	    "                               a draft of the report to the commission (the items\n"
	    "                               of 施行規則 第8条), the police or IPA, filled from\n"
	    "                               case REF; --lang en adds English labels\n"
	    "  key rotate                   seal every reporter's detail under a new key and\n"
	    "                               drop the old one from the key file (kakekomid\n"
	    "                               stopped)\n"
	    "  user add NAME                a coordinator's dashboard account; the password\n"
	    "                               is asked twice without echo, or read as one line\n"
	    "                               from standard input (at least 12 characters)\n"
	    "  user list                    the accounts\n"
	    "  user disable NAME            no more logins for NAME; its sessions end\n"
	    "TIME is RFC 3339 (2026-11-22T18:00:00+09:00) or JST (2026-11-22T18:00).\n"
	    "--tz is Asia/Tokyo, UTC or an offset like +09:00.\n");
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

/* ---- arguments ---- */

struct ctl_opt {
	const char *name;  /* "--period" */
	const char *value; /* NULL until given */
};

/*
 * Moves "--name VALUE" and "--name=VALUE" of ARGV into OPTS and the other
 * arguments into POS. Returns the number of positional arguments, or -1
 * after saying what is wrong: an unknown option, a missing value, or more
 * than NPOS other arguments.
 */
static int split_args(const char *cmd, int argc, char **argv, struct ctl_opt *opts, size_t nopts,
                      char **pos, int npos)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *eq;
		size_t len;
		size_t k;

		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (n == npos) {
				fprintf(stderr, "kakekomictl: %s: unexpected argument \"%s\"\n",
				        cmd, a);
				return -1;
			}
			pos[n++] = argv[i];
			continue;
		}
		eq = strchr(a, '=');
		len = eq != NULL ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < nopts; k++)
			if (strlen(opts[k].name) == len && strncmp(opts[k].name, a, len) == 0)
				break;
		if (k == nopts) {
			fprintf(stderr, "kakekomictl: %s: unknown option %.*s", cmd, (int)len, a);
			for (size_t j = 0; j < nopts; j++)
				fprintf(stderr, "%s%s", j == 0 ? "; it takes " : ", ",
				        opts[j].name);
			fputc('\n', stderr);
			return -1;
		}
		if (eq != NULL) {
			opts[k].value = eq + 1;
		} else if (i + 1 < argc) {
			opts[k].value = argv[++i];
		} else {
			fprintf(stderr, "kakekomictl: %s: %s needs a value\n", cmd, opts[k].name);
			return -1;
		}
	}
	return n;
}

static void region_list(const struct playbook_set *set, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < playbook_region_count(set); i++) {
		size_t used = strlen(out);

		snprintf(out + used, n - used, "%s%s", i > 0 ? ", " : "",
		         playbook_region_at(set, i)->id);
	}
}

/* Normalises a schedule's scope into OUT (size N): a two-digit prefecture
 * code or a region id. Returns 0, or -EINVAL after saying what is wrong. */
static int scope_parse(const struct playbook_set *set, const char *in, char *out, size_t n)
{
	const struct pb_prefecture *p = roster_prefecture(set, in);
	const struct pb_region *r = playbook_region(set, in);
	char regions[256];

	if (p != NULL) {
		snprintf(out, n, "%s", p->code);
		return 0;
	}
	if (r != NULL) {
		snprintf(out, n, "%s", r->id);
		return 0;
	}
	region_list(set, regions, sizeof regions);
	fprintf(stderr, "kakekomictl: \"%s\" is not a prefecture code (01-47) or region (%s)\n", in,
	        regions);
	return -EINVAL;
}

static int time_parse(const char *opt, const char *s, int64_t *ms)
{
	if (text_rfc3339_parse(s, ms) == 0 || text_jst_local_parse(s, ms) == 0)
		return 0;
	fprintf(stderr,
	        "kakekomictl: %s: \"%s\" is not a time; write 2026-11-22T18:00 (JST) or "
	        "2026-11-22T18:00:00+09:00\n",
	        opt, s);
	return -EINVAL;
}

static int id_parse(const char *what, const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0) {
		fprintf(stderr,
		        "kakekomictl: \"%s\" is not a %s id; `kakekomictl %s list` shows them\n", s,
		        what, what);
		return -EINVAL;
	}
	*id = v;
	return 0;
}

/* The value V of --days, when given, into *DAYS: a number from 1 to
 * CTL_DAYS_MAX. Returns 0, or -EINVAL after saying what is wrong. */
static int days_parse(const char *v, long *days)
{
	char *end;
	long n;

	if (v == NULL)
		return 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || n < 1 || n > CTL_DAYS_MAX) {
		fprintf(stderr, "kakekomictl: --days: \"%s\" is not a number from 1 to %d\n", v,
		        CTL_DAYS_MAX);
		return -EINVAL;
	}
	*days = n;
	return 0;
}

static void jst_minute(int64_t ms, char *out, size_t n)
{
	text_jst_format(ms, "%Y-%m-%d %H:%M", out, n);
}

/* ---- the store on a private loop ---- */

struct ctl_wait {
	bool done;
	int status;
};

static void on_written(void *arg, int status)
{
	struct ctl_wait *w = arg;

	w->done = true;
	w->status = status;
}

/* Runs FN in a write transaction and waits for its commit. Returns 0 or the
 * negative errno of FN or of the store. */
static int ctl_write(struct ctl *c, store_write_fn fn, void *arg)
{
	struct ctl_wait w = {false, 0};
	int rc = store_write(c->st, fn, arg, on_written, &w);

	if (rc < 0)
		return rc;
	while (!w.done)
		uv_run(&c->loop, UV_RUN_ONCE);
	return w.status;
}

static int ctl_roster(struct ctl *c, struct roster **r)
{
	int rc = roster_load(c->st, c->pbs, r);

	if (rc < 0)
		fprintf(stderr, "kakekomictl: cannot read the roster from %s: %s\n",
		        c->cfg->store_path, strerror(-rc));
	return rc;
}

/* ---- playbook ---- */

static int cmd_playbook(struct ctl *c, int argc, char **argv)
{
	struct playbook_set *pbs = c->pbs;

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

/* ---- roster ---- */

static int read_file(const char *path, struct buf *b)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	int rc = 0;

	if (f == NULL)
		return -errno;
	while (rc == 0) {
		size_t n = fread(chunk, 1, sizeof chunk, f);

		if (n > 0)
			rc = buf_append(b, chunk, n);
		if (n < sizeof chunk) {
			if (ferror(f))
				rc = -EIO;
			break;
		}
	}
	fclose(f);
	return rc;
}

static int write_roster(struct store_tx *tx, void *arg)
{
	return roster_tx_replace(tx, arg);
}

/* Warns about schedules that name ids the new roster NEXT lacks. */
static void warn_schedules(struct ctl *c, const struct roster *next)
{
	struct roster *old;

	if (roster_load(c->st, c->pbs, &old) < 0)
		return;
	for (size_t i = 0; i < old->nrot; i++)
		for (size_t j = 0; j < old->rot[i].nmembers; j++)
			if (roster_by_id(next, old->rot[i].members[j]) == NULL)
				fprintf(
				    stderr,
				    "kakekomictl: warning: rotation %lld names \"%s\", who is not "
				    "in the new roster; replace the rotation\n",
				    (long long)old->rot[i].id, old->rot[i].members[j]);
	for (size_t i = 0; i < old->novr; i++)
		if (roster_by_id(next, old->ovr[i].specialist) == NULL)
			fprintf(
			    stderr,
			    "kakekomictl: warning: override %lld names \"%s\", who is not in the "
			    "new roster\n",
			    (long long)old->ovr[i].id, old->ovr[i].specialist);
	roster_free(old);
}

static int roster_import(struct ctl *c, const char *path)
{
	struct roster *r = NULL;
	struct buf text, errors;
	int rc;

	buf_init(&text, CTL_FILE_MAX + 1);
	buf_init(&errors, CTL_ERRORS_MAX);
	rc = read_file(path, &text);
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: %s: %s\n", path,
		        rc == -E2BIG ? "larger than 16 MiB" : strerror(-rc));
		goto out;
	}
	rc = roster_parse(text.data != NULL ? text.data : "", text.len, c->pbs, &r, &errors);
	if (rc == -EINVAL) {
		size_t lines = 0;

		for (size_t i = 0; i < errors.len; i++)
			lines += errors.data[i] == '\n';
		fprintf(stderr, "%s", errors.data != NULL ? errors.data : "");
		fprintf(stderr, "kakekomictl: %s: %zu problem%s; nothing was imported\n", path,
		        lines, lines == 1 ? "" : "s");
		goto out;
	}
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: %s: %s; nothing was imported\n", path, strerror(-rc));
		goto out;
	}
	if (r->n == 0) {
		fprintf(stderr,
		        "kakekomictl: %s: no specialists below the header; nothing was imported "
		        "(to take someone off call, set active to no)\n",
		        path);
		rc = -EINVAL;
		goto out;
	}
	warn_schedules(c, r);
	rc = ctl_write(c, write_roster, r);
	if (rc < 0) {
		fprintf(stderr,
		        "kakekomictl: cannot write the roster to %s: %s; nothing was imported\n",
		        c->cfg->store_path, strerror(-rc));
		goto out;
	}
	printf("imported %zu specialists\n", r->n);
out:
	roster_free(r);
	buf_fini(&text);
	buf_fini(&errors);
	return rc < 0 ? 1 : 0;
}

static int roster_export(struct ctl *c, const char *path)
{
	struct roster *r = NULL;
	struct buf out;
	FILE *f = stdout;
	int rc;

	buf_init(&out, CTL_EXPORT_MAX);
	rc = ctl_roster(c, &r);
	if (rc < 0)
		goto out;
	rc = roster_export_csv(r, &out);
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: export: %s\n", strerror(-rc));
		goto out;
	}
	if (path != NULL) {
		f = fopen(path, "w");
		if (f == NULL) {
			rc = -errno;
			fprintf(stderr, "kakekomictl: %s: %s\n", path, strerror(-rc));
			goto out;
		}
	}
	if (fwrite(out.data, 1, out.len, f) != out.len || fflush(f) != 0)
		rc = -EIO;
	if (path != NULL && fclose(f) != 0)
		rc = -EIO;
	if (rc < 0)
		fprintf(stderr, "kakekomictl: %s: cannot write\n", path != NULL ? path : "stdout");
	else if (path != NULL)
		printf("exported %zu specialists to %s\n", r->n, path);
out:
	roster_free(r);
	buf_fini(&out);
	return rc < 0 ? 1 : 0;
}

static int cmd_roster(struct ctl *c, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[0], "import") == 0)
		return roster_import(c, argv[1]);
	if ((argc == 1 || argc == 2) && strcmp(argv[0], "export") == 0)
		return roster_export(c, argc == 2 ? argv[1] : NULL);
	return usage();
}

/* ---- rotation ---- */

struct ctl_add {
	const struct rotation *rot;
	const struct override *ov;
	int64_t id;
};

static int write_add(struct store_tx *tx, void *arg)
{
	struct ctl_add *a = arg;

	if (a->rot != NULL)
		return roster_tx_rotation_add(tx, a->rot, &a->id);
	return roster_tx_override_add(tx, a->ov, &a->id);
}

struct ctl_remove {
	bool rotation;
	int64_t id;
};

static int write_remove(struct store_tx *tx, void *arg)
{
	struct ctl_remove *rm = arg;

	if (rm->rotation)
		return roster_tx_rotation_remove(tx, rm->id);
	return roster_tx_override_remove(tx, rm->id);
}

static int schedule_remove(struct ctl *c, bool rotation, const char *arg)
{
	const char *what = rotation ? "rotation" : "override";
	struct ctl_remove rm = {rotation, 0};
	int rc;

	if (id_parse(what, arg, &rm.id) < 0)
		return 1;
	rc = ctl_write(c, write_remove, &rm);
	if (rc == -ENOENT) {
		fprintf(stderr, "kakekomictl: no %s %lld; `kakekomictl %s list` shows them\n", what,
		        (long long)rm.id, what);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: cannot remove %s %lld: %s\n", what, (long long)rm.id,
		        strerror(-rc));
		return 1;
	}
	printf("removed %s %lld\n", what, (long long)rm.id);
	return 0;
}

static int handoff_parse(const char *s, int *min)
{
	const char *colon = strchr(s, ':');
	size_t hlen = colon != NULL ? (size_t)(colon - s) : 0;

	if ((hlen == 1 || hlen == 2) && strlen(colon) == 3 && s[0] >= '0' && s[0] <= '9' &&
	    (hlen == 1 || (s[1] >= '0' && s[1] <= '9')) && colon[1] >= '0' && colon[1] <= '5' &&
	    colon[2] >= '0' && colon[2] <= '9') {
		int h = hlen == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');

		if (h < 24) {
			*min = h * 60 + (colon[1] - '0') * 10 + (colon[2] - '0');
			return 0;
		}
	}
	fprintf(stderr, "kakekomictl: --handoff: \"%s\" is not a time of day like 09:00\n", s);
	return -EINVAL;
}

/* The first hand-off: on DATE (or the latest one up to NOW) at HANDOFF
 * minutes after midnight in a zone TZ minutes east of UTC. */
static int start_parse(const char *date, int handoff, int tz, int64_t now, int64_t *out)
{
	int64_t midnight;

	if (date != NULL) {
		char iso[32];

		snprintf(iso, sizeof iso, "%.10sT00:00:00Z", date);
		if (strlen(date) != 10 || text_rfc3339_parse(iso, &midnight) < 0) {
			fprintf(stderr,
			        "kakekomictl: --start: \"%s\" is not a date like 2026-11-16\n",
			        date);
			return -EINVAL;
		}
		*out = midnight + (int64_t)(handoff - tz) * 60000;
		return 0;
	}
	midnight = (now + (int64_t)tz * 60000) / CTL_DAY_MS * CTL_DAY_MS;
	*out = midnight + (int64_t)(handoff - tz) * 60000;
	if (*out > now)
		*out -= CTL_DAY_MS;
	return 0;
}

static int members_parse(const struct roster *r, const char *list, char **ids, size_t *n)
{
	char *copy = strdup(list);
	char *save = NULL;
	int rc = 0;

	*n = 0;
	if (copy == NULL)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ";, ", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, ";, ", &save)) {
		const struct specialist *s = roster_by_id(r, tok);

		if (s == NULL) {
			fprintf(stderr,
			        "kakekomictl: --members: \"%s\" is not in the roster; `kakekomictl "
			        "roster export` lists the ids\n",
			        tok);
			rc = -EINVAL;
		} else if (*n == CTL_MEMBERS_MAX) {
			fprintf(stderr, "kakekomictl: --members: more than %d members\n",
			        CTL_MEMBERS_MAX);
			rc = -EINVAL;
		} else {
			if (!s->active)
				fprintf(stderr,
				        "kakekomictl: warning: %s is not active: nobody is on call "
				        "for this rotation in their turns\n",
				        s->id);
			ids[(*n)++] = s->id;
		}
	}
	if (rc == 0 && *n == 0) {
		fprintf(stderr, "kakekomictl: --members: name at least one specialist id\n");
		rc = -EINVAL;
	}
	free(copy);
	return rc;
}

static int rotation_add(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"--period", NULL},
	                         {"--handoff", NULL},
	                         {"--tz", "Asia/Tokyo"},
	                         {"--start", NULL},
	                         {"--members", NULL}};
	char *pos[1];
	char scope[32];
	char *ids[CTL_MEMBERS_MAX];
	struct rotation rot;
	struct roster *r = NULL;
	struct ctl_add add = {&rot, NULL, 0};
	char since[24];
	int rc = 1;
	int n;

	memset(&rot, 0, sizeof rot);
	n = split_args("rotation add", argc, argv, opts, 5, pos, 1);
	if (n < 0)
		return 2;
	if (n != 1 || opts[0].value == NULL || opts[1].value == NULL || opts[4].value == NULL) {
		fprintf(stderr, "kakekomictl: rotation add needs SCOPE, --period, --handoff and "
		                "--members:\n  kakekomictl rotation add kinki --period weekly "
		                "--handoff 09:00 --members 'tanaka;sato'\n");
		return 2;
	}
	if (scope_parse(c->pbs, pos[0], scope, sizeof scope) < 0)
		return 1;
	if (strcmp(opts[0].value, "daily") == 0) {
		rot.period = ROTATION_DAILY;
	} else if (strcmp(opts[0].value, "weekly") == 0) {
		rot.period = ROTATION_WEEKLY;
	} else {
		fprintf(stderr, "kakekomictl: --period: \"%s\" is neither daily nor weekly\n",
		        opts[0].value);
		return 1;
	}
	if (handoff_parse(opts[1].value, &rot.handoff_min) < 0)
		return 1;
	if (oncall_tz_offset(opts[2].value, &rot.tz_offset_min) < 0) {
		fprintf(stderr,
		        "kakekomictl: --tz: \"%s\" is not a time zone I know; use Asia/Tokyo, UTC "
		        "or an offset like +09:00\n",
		        opts[2].value);
		return 1;
	}
	if (start_parse(opts[3].value, rot.handoff_min, rot.tz_offset_min, text_now_ms(),
	                &rot.start_ms) < 0)
		return 1;
	if (ctl_roster(c, &r) < 0)
		return 1;
	if (members_parse(r, opts[4].value, ids, &rot.nmembers) < 0)
		goto out;
	rot.scope = scope;
	rot.tz = (char *)opts[2].value;
	rot.members = ids;
	rc = ctl_write(c, write_add, &add);
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: cannot add the rotation: %s\n", strerror(-rc));
		rc = 1;
		goto out;
	}
	jst_minute(rot.start_ms, since, sizeof since);
	printf("%lld\n", (long long)add.id);
	fprintf(stderr, "rotation %lld for %s: %s hand-offs, the first at %s JST\n",
	        (long long)add.id, scope, opts[0].value, since);
	rc = 0;
out:
	roster_free(r);
	return rc;
}

/* What a listing adds after a schedule's specialist S (NULL when not in
 * the roster). */
static const char *member_note(const struct specialist *s)
{
	return s == NULL ? " (not in the roster)" : !s->active ? " (inactive)" : "";
}

static int rotation_list(struct ctl *c)
{
	struct roster *r;

	if (ctl_roster(c, &r) < 0)
		return 1;
	if (r->nrot == 0)
		printf("no rotations; add one with `kakekomictl rotation add`\n");
	for (size_t i = 0; i < r->nrot; i++) {
		const struct rotation *rot = &r->rot[i];
		char since[24];

		jst_minute(rot->start_ms, since, sizeof since);
		printf("%lld  %s  %s  hand-off %02d:%02d %s  first %s JST  members ",
		       (long long)rot->id, rot->scope,
		       rot->period == ROTATION_WEEKLY ? "weekly" : "daily", rot->handoff_min / 60,
		       rot->handoff_min % 60, rot->tz, since);
		for (size_t j = 0; j < rot->nmembers; j++) {
			const struct specialist *s = roster_by_id(r, rot->members[j]);

			printf("%s%s%s", j > 0 ? ";" : "", rot->members[j], member_note(s));
		}
		putchar('\n');
	}
	roster_free(r);
	return 0;
}

/* ---- override ---- */

static int override_add(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"--from", NULL}, {"--to", NULL}};
	char *pos[2];
	char scope[32];
	struct override ov;
	struct roster *r = NULL;
	const struct specialist *s;
	struct ctl_add add = {NULL, &ov, 0};
	int rc = 1;
	int n;

	memset(&ov, 0, sizeof ov);
	n = split_args("override add", argc, argv, opts, 2, pos, 2);
	if (n < 0)
		return 2;
	if (n != 2 || opts[0].value == NULL || opts[1].value == NULL) {
		fprintf(stderr,
		        "kakekomictl: override add needs SCOPE, SPECIALIST_ID, --from and "
		        "--to:\n  kakekomictl override add 27 tanaka --from 2026-11-22T18:00 "
		        "--to 2026-11-23T09:00\n");
		return 2;
	}
	if (scope_parse(c->pbs, pos[0], scope, sizeof scope) < 0 ||
	    time_parse("--from", opts[0].value, &ov.start_ms) < 0 ||
	    time_parse("--to", opts[1].value, &ov.end_ms) < 0)
		return 1;
	if (ov.end_ms <= ov.start_ms) {
		fprintf(stderr, "kakekomictl: --to must be after --from\n");
		return 1;
	}
	if (ctl_roster(c, &r) < 0)
		return 1;
	s = roster_by_id(r, pos[1]);
	if (s == NULL) {
		fprintf(
		    stderr,
		    "kakekomictl: \"%s\" is not in the roster; `kakekomictl roster export` lists "
		    "the ids\n",
		    pos[1]);
		goto out;
	}
	if (!s->active)
		fprintf(stderr,
		        "kakekomictl: warning: %s is not active: the rotations stay on call\n",
		        s->id);
	ov.scope = scope;
	ov.specialist = s->id;
	rc = ctl_write(c, write_add, &add);
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: cannot add the override: %s\n", strerror(-rc));
		rc = 1;
		goto out;
	}
	printf("%lld\n", (long long)add.id);
	rc = 0;
out:
	roster_free(r);
	return rc;
}

static int override_list(struct ctl *c)
{
	struct roster *r;
	int64_t now = text_now_ms();

	if (ctl_roster(c, &r) < 0)
		return 1;
	if (r->novr == 0)
		printf("no overrides; add one with `kakekomictl override add`\n");
	for (size_t i = 0; i < r->novr; i++) {
		const struct override *ov = &r->ovr[i];
		const struct specialist *s = roster_by_id(r, ov->specialist);
		char from[24], to[24];

		jst_minute(ov->start_ms, from, sizeof from);
		jst_minute(ov->end_ms, to, sizeof to);
		printf("%lld  %s  %s%s  %s \xe2\x80\x93 %s JST%s\n", (long long)ov->id, ov->scope,
		       ov->specialist, member_note(s), from, to,
		       now >= ov->end_ms     ? "  (over)"
		       : now >= ov->start_ms ? "  (now)"
		                             : "");
	}
	roster_free(r);
	return 0;
}

/* "rotation" and "override" take the same three subcommands. */
static int schedule_command(struct ctl *c, bool rotation, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return rotation ? rotation_add(c, argc - 1, argv + 1)
		                : override_add(c, argc - 1, argv + 1);
	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return rotation ? rotation_list(c) : override_list(c);
	if (argc == 2 && strcmp(argv[0], "remove") == 0)
		return schedule_remove(c, rotation, argv[1]);
	return usage();
}

static int cmd_rotation(struct ctl *c, int argc, char **argv)
{
	return schedule_command(c, true, argc, argv);
}

static int cmd_override(struct ctl *c, int argc, char **argv)
{
	return schedule_command(c, false, argc, argv);
}

/* ---- oncall, coverage ---- */

static int cmd_oncall(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"--at", NULL}};
	char *pos[1];
	const struct pb_prefecture *p;
	struct roster *r;
	struct oncall oc;
	int64_t at = text_now_ms();
	char when[24];
	int n;

	n = split_args("oncall", argc, argv, opts, 1, pos, 1);
	if (n < 0)
		return 2;
	if (n != 1) {
		fprintf(stderr,
		        "kakekomictl: oncall needs a prefecture code: kakekomictl oncall 27\n");
		return 2;
	}
	p = roster_prefecture(c->pbs, pos[0]);
	if (p == NULL) {
		fprintf(stderr, "kakekomictl: \"%s\" is not a prefecture code (01-47)\n", pos[0]);
		return 1;
	}
	if (opts[0].value != NULL && time_parse("--at", opts[0].value, &at) < 0)
		return 1;
	if (ctl_roster(c, &r) < 0)
		return 1;
	oncall_at(r, c->pbs, p->code, at, &oc);
	jst_minute(at, when, sizeof when);
	if (oc.n == 0)
		printf("nobody is on call for %s at %s JST\n", p->code, when);
	for (size_t i = 0; i < oc.n; i++)
		printf("%s  %s  %s  %s\n", oc.e[i].who->id, oc.e[i].who->name, oc.e[i].who->jid,
		       oc.e[i].why);
	roster_free(r);
	return oc.n == 0 ? 1 : 0;
}

static int cmd_coverage(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"--days", NULL}};
	struct roster *r;
	struct buf out;
	long days = CTL_DAYS_DEFAULT;
	int64_t from = text_now_ms();
	int gaps;

	if (split_args("coverage", argc, argv, opts, 1, NULL, 0) != 0)
		return 2;
	if (days_parse(opts[0].value, &days) < 0)
		return 1;
	if (ctl_roster(c, &r) < 0)
		return 1;
	from -= from % CTL_SLOT_MS;
	buf_init(&out, 64u * 1024 * 1024);
	gaps = oncall_coverage(r, c->pbs, from, (int)days, &out);
	if (gaps < 0) {
		fprintf(stderr, "kakekomictl: coverage: %s\n", strerror(-gaps));
	} else {
		fwrite(out.data != NULL ? out.data : "", 1, out.len, stdout);
		printf("%d gap%s\n", gaps, gaps == 1 ? "" : "s");
	}
	buf_fini(&out);
	roster_free(r);
	return gaps < 0 ? 1 : 0;
}

/* ---- legal deadlines ---- */

struct deadlines {
	int n;
	const char *mark; /* "OVERDUE " or "" */
};

static int on_deadline(void *arg, const struct store_deadline_row *r)
{
	struct deadlines *dl = arg;

	dl->n++;
	printf("%s%s  %s  %s  %-12s %s  %s\n", dl->mark, r->deadline, r->ref, r->prefecture,
	       r->kind != NULL && strcmp(r->kind, "ppc_preliminary") == 0 ? "preliminary~"
	                                                                  : "final",
	       r->state, r->assigned);
	return 0;
}

/* kakekomictl deadlines [--days N]: PPC report dates falling in the next N days. */
static int cmd_deadlines(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"--days", NULL}};
	long days = CTL_DAYS_DEFAULT;
	char from[11], to[11];
	struct deadlines overdue = {0, "OVERDUE "}, due = {0, ""};
	int rc;

	if (split_args("deadlines", argc, argv, opts, 1, NULL, 0) != 0)
		return 2;
	if (days_parse(opts[0].value, &days) < 0)
		return 1;
	text_jst_date_plus(text_now_ms(), 0, from);
	text_jst_date_plus(text_now_ms(), (int)days, to);
	/* Overdue first: those are the ones to file now. */
	rc = store_deadlines(c->st, true, from, to, on_deadline, &overdue);
	if (rc == 0)
		rc = store_deadlines(c->st, false, from, to, on_deadline, &due);
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: deadlines: %s\n", strerror(-rc));
		return 1;
	}
	printf("%d overdue report deadline%s of open cases; %d from %s to %s (dates in Japan "
	       "time; preliminary ones are approximate)\n",
	       overdue.n, overdue.n == 1 ? "" : "s", due.n, from, to);
	return 0;
}

/* ---- drafts of the reports ---- */

/* kakekomictl report-draft REF [--to ppc|police|ipa] [--lang en] */
static int cmd_report_draft(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"--to", "ppc"}, {"--lang", "ja"}};
	char *pos[1] = {NULL};
	struct case_record *rec = NULL;
	enum draft_to to;
	struct draft d;
	struct buf out;
	int rc;

	if (split_args("report-draft", argc, argv, opts, 2, pos, 1) != 1) {
		fprintf(stderr, "kakekomictl: report-draft needs a case reference (KK-XXXX-XX)\n");
		return 2;
	}
	if (draft_to_parse(opts[0].value, &to) < 0) {
		fprintf(stderr,
		        "kakekomictl: report-draft: --to is ppc, police or ipa, not \"%s\"\n",
		        opts[0].value);
		return 2;
	}
	if (strcmp(opts[1].value, "ja") != 0 && strcmp(opts[1].value, "en") != 0) {
		fprintf(stderr, "kakekomictl: report-draft: --lang is ja or en\n");
		return 2;
	}
	rc = store_case_load(c->st, pos[0], &rec);
	if (rc == -ENOENT) {
		fprintf(stderr, "kakekomictl: report-draft: no case %s\n", pos[0]);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: report-draft: %s\n", strerror(-rc));
		return 1;
	}
	rc = draft_build(&d, to, rec, playbook_find(c->pbs, rec->incident_type),
	                 playbook_prefecture(c->pbs, rec->prefecture), text_now_ms());
	if (rc == -EINVAL) {
		fprintf(stderr,
		        "kakekomictl: report-draft: case %s involves no personal data (answered "
		        "\"no\"): there is nothing to report to the commission\n",
		        pos[0]);
		case_record_free(rec);
		return 1;
	}
	buf_init(&out, 65536);
	rc = draft_text(&d, strcmp(opts[1].value, "en") == 0, &out);
	if (rc == 0)
		fwrite(out.data, 1, out.len, stdout);
	buf_fini(&out);
	case_record_free(rec);
	return rc < 0 ? 1 : 0;
}

/* ---- data protection ---- */

struct purge {
	int64_t before_ms, now_ms;
	bool include_open;
	struct store_purge got;
};

static int tx_purge(struct store_tx *tx, void *arg)
{
	struct purge *p = arg;

	return store_tx_purge(tx, p->before_ms, p->include_open, p->now_ms, &p->got);
}

static void on_done_status(void *arg, int status)
{
	*(int *)arg = status == 0 ? 1 : status;
}

/* kakekomictl purge --older-than DAYS [--include-open] */
static int cmd_purge(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"--older-than", NULL}};
	struct purge p = {0};
	char *rest[16];
	int nrest = 0, done = 0;
	char *end;
	long days;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--include-open") == 0)
			p.include_open = true;
		else if (nrest < 16)
			rest[nrest++] = argv[i];
	}
	if (split_args("purge", nrest, rest, opts, 1, NULL, 0) != 0)
		return 2;
	if (opts[0].value == NULL) {
		fprintf(stderr, "kakekomictl: purge needs --older-than DAYS (days since the case "
		                "was resolved; with --include-open, since an unresolved case came "
		                "in)\n");
		return 2;
	}
	days = strtol(opts[0].value, &end, 10);
	if (end == opts[0].value || *end != '\0' || days < 0 || days > 36500) {
		fprintf(stderr, "kakekomictl: --older-than: \"%s\" is not a number of days\n",
		        opts[0].value);
		return 1;
	}
	p.now_ms = text_now_ms();
	p.before_ms = p.now_ms - (int64_t)days * 86400000;
	if (store_write(c->st, tx_purge, &p, on_done_status, &done) < 0)
		return 1;
	while (done == 0)
		uv_run(&c->loop, UV_RUN_ONCE);
	if (done < 0) {
		fprintf(stderr, "kakekomictl: purge: %s\n", strerror(-done));
		return 1;
	}
	printf("personal details removed from %lld case%s (%s more than %ld days ago): %lld "
	       "message%s emptied, %lld note%s and %lld chat%s removed; timelines and figures "
	       "kept\n",
	       (long long)p.got.cases, p.got.cases == 1 ? "" : "s",
	       p.include_open ? "resolved, or received and never resolved," : "resolved", days,
	       (long long)p.got.messages, p.got.messages == 1 ? "" : "s", (long long)p.got.notes,
	       p.got.notes == 1 ? "" : "s", (long long)p.got.chats, p.got.chats == 1 ? "" : "s");
	return 0;
}

/* ---- the key that seals reporters' details ---- */

struct reseal {
	int64_t rows;
};

static int tx_reseal(struct store_tx *tx, void *arg)
{
	return store_tx_reseal(tx, &((struct reseal *)arg)->rows);
}

static int run_write(struct ctl *c, store_write_fn fn, void *arg)
{
	int done = 0;

	if (store_write(c->st, fn, arg, on_done_status, &done) < 0)
		return -EIO;
	while (done == 0)
		uv_run(&c->loop, UV_RUN_ONCE);
	return done < 0 ? done : 0;
}

static int reopen(struct ctl *c)
{
	store_close(c->st);
	c->st = NULL;
	uv_run(&c->loop, UV_RUN_DEFAULT);
	return store_open(&c->st, &c->loop, c->cfg->store_path, c->cfg->store_key_file);
}

/*
 * kakekomictl key rotate. The new key goes first into the key file beside
 * the old ones, so that a crash at any point leaves every value readable;
 * the values are re-sealed in one transaction; then the file keeps the new
 * key alone. Refused while anything else has the store open: a running
 * daemon would go on sealing under the key that is being dropped.
 */
static int cmd_key(struct ctl *c, int argc, char **argv)
{
	unsigned char keys[SEAL_KEYS_MAX * SEAL_KEY_LEN];
	char old_id[SEAL_ID_HEX_LEN + 1], new_id[SEAL_ID_HEX_LEN + 1], path[4096 + 8];
	struct reseal r = {0};
	size_t n;
	int rc;

	if (argc != 1 || strcmp(argv[0], "rotate") != 0) {
		fprintf(stderr, "kakekomictl: key: say \"key rotate\"\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s", store_key_path(c->st));
	if (store_lock_exclusive(c->st) < 0) {
		fprintf(stderr,
		        "kakekomictl: key rotate: kakekomid (or another kakekomictl) has the store "
		        "open: stop it, rotate, then start it again\n");
		return 1;
	}
	seal_ring_current_id(store_ring(c->st), old_id);
	randombytes_buf(keys, SEAL_KEY_LEN);
	n = seal_ring_keys(store_ring(c->st), keys + SEAL_KEY_LEN);
	if (n > SEAL_KEYS_MAX - 1)
		n = SEAL_KEYS_MAX - 1;
	rc = seal_ring_write(path, keys, n + 1);
	if (rc == 0)
		rc = reopen(c);
	if (rc == 0 && store_lock_exclusive(c->st) < 0) {
		fprintf(stderr,
		        "kakekomictl: key rotate: kakekomid started meanwhile; stop it and "
		        "run key rotate again (nothing is lost: %s holds both keys)\n",
		        path);
		sodium_memzero(keys, sizeof keys);
		return 1;
	}
	if (rc == 0)
		rc = run_write(c, tx_reseal, &r);
	if (rc == 0)
		rc = seal_ring_write(path, keys, 1);
	sodium_memzero(keys, sizeof keys);
	if (rc < 0) {
		fprintf(stderr,
		        "kakekomictl: key rotate: %s (%s holds the old and the new key, "
		        "so every value stays readable; run it again)\n",
		        strerror(-rc), path);
		return 1;
	}
	seal_ring_current_id(store_ring(c->st), new_id);
	printf("%lld rows re-sealed under the new key %s; %s now holds only it. Put a copy "
	       "where you keep the key's backup; backups of the store made before today need "
	       "the old key %s.\n",
	       (long long)r.rows, new_id, path, old_id);
	return 0;
}

/* ---- users ---- */

struct ctl_user {
	const char *name;
	char hash[AUTH_HASH_MAX];
};

static int write_user_add(struct store_tx *tx, void *arg)
{
	struct ctl_user *u = arg;

	return auth_tx_user_add(tx, u->name, u->hash, text_now_ms());
}

static int write_user_disable(struct store_tx *tx, void *arg)
{
	return auth_tx_user_disable(tx, ((struct ctl_user *)arg)->name);
}

/* One line of standard input into OUT (size N) without its line end.
 * Returns 0, -E2BIG for a longer line, -EIO at the end of input. */
static int read_line(char *out, size_t n)
{
	size_t len;

	if (fgets(out, (int)n, stdin) == NULL)
		return -EIO;
	len = strcspn(out, "\r\n");
	if (out[len] == '\0' && len == n - 1)
		return -E2BIG;
	out[len] = '\0';
	return 0;
}

/* The new password: asked twice without echo on a terminal, else one line
 * of standard input. Returns 0, or -EINVAL after saying what is wrong. */
static int read_password(const char *name, char *out, size_t n)
{
	char again[AUTH_PASSWORD_MAX + 2];
	struct termios old, quiet;
	int rc;

	if (!isatty(STDIN_FILENO)) {
		rc = read_line(out, n);
		if (rc < 0)
			fprintf(stderr, "kakekomictl: user add: %s\n",
			        rc == -E2BIG ? "the password is longer than 256 bytes"
			                     : "no password on standard input");
		return rc < 0 ? -EINVAL : 0;
	}
	if (tcgetattr(STDIN_FILENO, &old) < 0)
		return -EINVAL;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fprintf(stderr, "Password for %s (at least %d characters): ", name, AUTH_PASSWORD_MIN);
	rc = read_line(out, n);
	fprintf(stderr, "\nAgain: ");
	if (rc == 0)
		rc = read_line(again, sizeof again);
	fputc('\n', stderr);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (rc == 0 && strcmp(out, again) != 0) {
		fprintf(stderr,
		        "kakekomictl: user add: the two passwords differ; nothing was added\n");
		rc = -EINVAL;
	} else if (rc < 0) {
		fprintf(stderr, "kakekomictl: user add: no password read\n");
	}
	sodium_memzero(again, sizeof again);
	return rc < 0 ? -EINVAL : 0;
}

static int user_add(struct ctl *c, const char *name)
{
	struct ctl_user u = {name, ""};
	char password[AUTH_PASSWORD_MAX + 2];
	int rc;

	if (!auth_name_valid(name)) {
		fprintf(
		    stderr,
		    "kakekomictl: user add: \"%s\" is not a user name: use 1 to %d of a-z, 0-9, "
		    "'.', '_', '-'\n",
		    name, AUTH_NAME_MAX);
		return 1;
	}
	if (read_password(name, password, sizeof password) < 0)
		return 1;
	if (text_utf8_count(password) >= AUTH_PASSWORD_MIN && auth_password_weak(password, name)) {
		sodium_memzero(password, sizeof password);
		fprintf(stderr,
		        "kakekomictl: user add: that password is too easy to guess (a common word, "
		        "a name, a date or a keyboard run); try four unrelated words; nothing was "
		        "added\n");
		return 1;
	}
	rc = auth_password_hash(password, u.hash);
	sodium_memzero(password, sizeof password);
	if (rc == -EINVAL) {
		fprintf(stderr,
		        "kakekomictl: user add: the password needs at least %d characters (UTF-8, "
		        "at most %d bytes); nothing was added\n",
		        AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
		return 1;
	}
	if (rc == 0)
		rc = ctl_write(c, write_user_add, &u);
	if (rc == -EEXIST) {
		fprintf(stderr, "kakekomictl: user add: %s already exists\n", name);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "kakekomictl: user add: cannot write to %s: %s\n",
		        c->cfg->store_path, strerror(-rc));
		return 1;
	}
	printf("added user %s\n", name);
	return 0;
}

static int print_user(void *arg, const struct auth_user *u)
{
	char created[24], seen[24];

	(void)arg;
	text_jst_format(u->created_ms, "%Y-%m-%d %H:%M", created, sizeof created);
	if (u->last_login_ms != 0)
		text_jst_format(u->last_login_ms, "%Y-%m-%d %H:%M", seen, sizeof seen);
	else
		snprintf(seen, sizeof seen, "never");
	printf("%-20s %-8s created %s JST  last login %s%s\n", u->name,
	       u->disabled ? "disabled" : "active", created, seen,
	       u->last_login_ms != 0 ? " JST" : "");
	return 0;
}

static int cmd_user(struct ctl *c, int argc, char **argv)
{
	struct ctl_user u = {NULL, ""};
	int rc;

	if (argc == 2 && strcmp(argv[0], "add") == 0)
		return user_add(c, argv[1]);
	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		rc = auth_user_list(c->st, print_user, NULL);
		if (rc < 0)
			fprintf(stderr, "kakekomictl: user list: %s\n", strerror(-rc));
		return rc < 0 ? 1 : 0;
	}
	if (argc == 2 && strcmp(argv[0], "disable") == 0) {
		u.name = argv[1];
		rc = ctl_write(c, write_user_disable, &u);
		if (rc == -ENOENT)
			fprintf(stderr, "kakekomictl: user disable: no user %s\n", argv[1]);
		else if (rc < 0)
			fprintf(stderr, "kakekomictl: user disable: %s\n", strerror(-rc));
		else
			printf("disabled user %s; its sessions have ended\n", argv[1]);
		return rc < 0 ? 1 : 0;
	}
	return usage();
}

/* ---- main ---- */

static const struct ctl_command {
	const char *name;
	bool store;
	int (*run)(struct ctl *c, int argc, char **argv);
} commands[] = {
    {"playbook", false, cmd_playbook},
    {"roster", true, cmd_roster},
    {"rotation", true, cmd_rotation},
    {"override", true, cmd_override},
    {"oncall", true, cmd_oncall},
    {"coverage", true, cmd_coverage},
    {"deadlines", true, cmd_deadlines},
    {"purge", true, cmd_purge},
    {"user", true, cmd_user},
    {"key", true, cmd_key},
    {"report-draft", true, cmd_report_draft},
};

int main(int argc, char **argv)
{
	const struct ctl_command *cmd = NULL;
	struct ctl c;
	const char *path = NULL;
	int opt;
	int rc;

	memset(&c, 0, sizeof c);
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
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		return usage();
	if (sodium_init() < 0)
		return 1;
	if (load(path, &c.cfg, &c.pbs) < 0) {
		config_free(c.cfg);
		return 1;
	}
	/* Only problems go to the terminal, not the store's routine notes. */
	log_threshold = LOG_LEVEL_WARN;
	if (cmd->store) {
		rc = uv_loop_init(&c.loop);
		if (rc == 0)
			rc = store_open(&c.st, &c.loop, c.cfg->store_path, c.cfg->store_key_file);
		if (rc < 0) {
			fprintf(stderr, "kakekomictl: cannot open the store %s: %s\n",
			        c.cfg->store_path, uv_strerror(rc));
			uv_run(&c.loop, UV_RUN_DEFAULT);
			uv_loop_close(&c.loop);
			rc = 1;
			goto out;
		}
	}
	rc = cmd->run(&c, argc - 1, argv + 1);
	if (cmd->store) {
		store_close(c.st);
		uv_run(&c.loop, UV_RUN_DEFAULT);
		uv_loop_close(&c.loop);
	}
out:
	playbook_set_free(c.pbs);
	config_free(c.cfg);
	return rc;
}
