/* SPDX-License-Identifier: ISC */
/*
 * support.c — the helpers of fuzz.h: playbooks loaded once, a private
 * temporary folder, whole-file reads and writes. Failures here are the
 * harness's, not the code's under test, and abort with a message.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "text.h"

static char tmpdir[4096];

void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

void fuzz_quiet(void)
{
	/* Above every level: the log would only slow the run down. */
	log_threshold = (enum log_level)(LOG_LEVEL_ERROR + 1);
}

void fuzz_src_path(const char *rel, char *out, size_t cap)
{
	const char *src = getenv("KK_SRC");
	int n;

	if (src == NULL || src[0] == '\0')
		src = ".";
	n = snprintf(out, cap, "%s/%s", src, rel);
	if (n < 0 || (size_t)n >= cap)
		fuzz_fail("KK_SRC is too long");
}

const struct playbook_set *fuzz_playbooks(void)
{
	static struct playbook_set *set;
	char dir[4096];
	struct buf errors;

	if (set != NULL)
		return set;
	fuzz_quiet();
	fuzz_src_path("playbooks", dir, sizeof dir);
	buf_init(&errors, 64 * 1024);
	if (playbook_set_load(dir, &set, &errors) < 0) {
		fprintf(stderr, "fuzz: cannot load %s (set KK_SRC to the repository):\n%s", dir,
		        errors.data != NULL ? errors.data : "");
		abort();
	}
	buf_fini(&errors);
	return set;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		fuzz_fail("out of memory");
	if (size != 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	if (tmpdir[0] != '\0')
		return tmpdir;
	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	n = snprintf(tmpdir, sizeof tmpdir, "%s/kakekomi-fuzz-XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof tmpdir || mkdtemp(tmpdir) == NULL)
		fuzz_fail("cannot make a temporary folder");
	atexit(remove_tmpdir);
	return tmpdir;
}

void fuzz_write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = data;

	if (fd < 0)
		fuzz_fail("cannot write a temporary file");
	while (size > 0) {
		ssize_t n = write(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fuzz_fail("cannot write a temporary file");
		p += n;
		size -= (size_t)n;
	}
	if (close(fd) != 0)
		fuzz_fail("cannot write a temporary file");
}

char *fuzz_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long len = -1;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0)
		len = ftell(f);
	if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "fuzz: cannot read %s: %s\n", path, strerror(errno));
		abort();
	}
	data = malloc((size_t)len + 1);
	if (data == NULL || fread(data, 1, (size_t)len, f) != (size_t)len)
		fuzz_fail("cannot read a file");
	fclose(f);
	data[len] = '\0';
	*size = (size_t)len;
	return data;
}

static void check_text(const char *s)
{
	if (s != NULL && !text_utf8_valid(s, strlen(s)))
		fuzz_fail("an accepted field is not valid UTF-8");
}

void fuzz_check_input(const struct playbook_set *set, const struct case_input *in)
{
	if (in->incident_type == NULL || playbook_find(set, in->incident_type) == NULL)
		fuzz_fail("accepted without a known incident type");
	if (playbook_prefecture(set, in->prefecture) == NULL)
		fuzz_fail("accepted without a known prefecture");
	if (in->company == NULL || in->name == NULL || in->phone == NULL)
		fuzz_fail("accepted without company, name or phone");
	if (in->noticed_at_ms > FUZZ_NOW_MS + 5 * 60 * 1000)
		fuzz_fail("accepted a time noticed in the future");
	check_text(in->company);
	check_text(in->name);
	check_text(in->phone);
	check_text(in->email);
	check_text(in->description);
}
