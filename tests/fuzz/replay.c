/* SPDX-License-Identifier: ISC */
/*
 * replay.c — main() for the replay build of a fuzz target (`make test`):
 * runs each file named on the command line, and each file in each folder
 * named (in name order, dot files skipped), through LLVMFuzzerTestOneInput
 * once. Exits 0 when every input was handled and 2 for a path it cannot
 * read; a crash, an abort or a sanitizer report ends the process with
 * their own status, after a line naming the input at fault.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* Provided by the sanitizer runtime when there is one. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static char current[4096];

static void say_current(void)
{
	static const char pre[] = "replay: the input at fault: ";

	if (write(2, pre, sizeof pre - 1) < 0 || write(2, current, strlen(current)) < 0 ||
	    write(2, "\n", 1) < 0)
		return;
}

static void on_fatal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path, size_t *count)
{
	size_t size;
	char *data;
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (st.st_size > FUZZ_INPUT_MAX) {
		fprintf(stderr, "replay: %s: larger than %d bytes, skipped\n", path,
		        FUZZ_INPUT_MAX);
		return 0;
	}
	snprintf(current, sizeof current, "%s", path);
	data = fuzz_read_file(path, &size);
	LLVMFuzzerTestOneInput((const uint8_t *)data, size);
	free(data);
	(*count)++;
	return 0;
}

static int skip_dots(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static int run_path(const char *path, size_t *count)
{
	struct dirent **names;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	n = scandir(path, &names, skip_dots, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char file[4096];
		struct stat fst;
		int len = snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);

		if (rc == 0 && len > 0 && (size_t)len < sizeof file && stat(file, &fst) == 0 &&
		    S_ISREG(fst.st_mode))
			rc = run_file(file, count);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	size_t count = 0;

	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(say_current);
	else
		signal(SIGSEGV, on_fatal);
	signal(SIGABRT, on_fatal);
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			return 2;
	printf("replay %s: %zu inputs handled\n", name != NULL ? name + 1 : argv[0], count);
	return 0;
}
