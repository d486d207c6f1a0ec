/* SPDX-License-Identifier: ISC */
/*
 * playbook.c — fuzz target: the playbook loader (playbook_set_load) with
 * one file replaced. A private copy of playbooks/ is made once; each input
 * names the file it replaces with its first byte (modulo 14: the twelve
 * incident types in playbook_types order, then report_to.json, then
 * prefectures.json) and is that file's content from the second byte on.
 * The file is put back after the load, so every input meets an otherwise
 * good set, which is how a broken edit meets a SIGHUP reload.
 *
 * Properties checked: a set that loads has the twelve playbooks and the 47
 * prefectures, and each playbook is found by its id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "buf.h"
#include "fuzz.h"

#define PB_FILES (PLAYBOOK_TYPES + 2)

static char dir[4096];
static char names[PB_FILES][64];
static char *originals[PB_FILES];
static size_t original_sizes[PB_FILES];

static void path_of(size_t i, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", dir, names[i]);

	if (n < 0 || (size_t)n >= cap)
		fuzz_fail("path too long");
}

static void copy_playbooks(void)
{
	char src[4096], dst[4096], rel[128];
	int n;

	fuzz_quiet();
	n = snprintf(dir, sizeof dir, "%s/playbooks", fuzz_tmpdir());
	if (n < 0 || (size_t)n >= sizeof dir || mkdir(dir, 0700) != 0)
		fuzz_fail("cannot make the playbooks copy");
	for (size_t i = 0; i < PB_FILES; i++) {
		if (i < PLAYBOOK_TYPES)
			snprintf(names[i], sizeof names[i], "%s.json", playbook_types[i]);
		else
			snprintf(names[i], sizeof names[i], "%s",
			         i == PLAYBOOK_TYPES ? "report_to.json" : "prefectures.json");
		n = snprintf(rel, sizeof rel, "playbooks/%s", names[i]);
		if (n < 0 || (size_t)n >= sizeof rel)
			fuzz_fail("path too long");
		fuzz_src_path(rel, src, sizeof src);
		originals[i] = fuzz_read_file(src, &original_sizes[i]);
		path_of(i, dst, sizeof dst);
		fuzz_write_file(dst, originals[i], original_sizes[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct playbook_set *set = NULL;
	struct buf errors;
	char path[4096];
	size_t which;

	if (size < 1 || size > FUZZ_INPUT_MAX)
		return 0;
	if (dir[0] == '\0')
		copy_playbooks();
	which = data[0] % PB_FILES;
	path_of(which, path, sizeof path);
	fuzz_write_file(path, data + 1, size - 1);
	buf_init(&errors, 64 * 1024);
	if (playbook_set_load(dir, &set, &errors) == 0) {
		if (playbook_count(set) != PLAYBOOK_TYPES || playbook_prefecture_count(set) != 47)
			fuzz_fail("a set loaded without 12 playbooks and 47 prefectures");
		for (size_t i = 0; i < playbook_count(set); i++)
			if (playbook_find(set, playbook_at(set, i)->id) != playbook_at(set, i))
				fuzz_fail("a loaded playbook is not found by its id");
		playbook_set_free(set);
	} else if (errors.len == 0) {
		fuzz_fail("a set was refused without a reason");
	}
	buf_fini(&errors);
	fuzz_write_file(path, originals[which], original_sizes[which]);
	return 0;
}
