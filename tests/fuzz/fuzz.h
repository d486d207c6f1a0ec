/* SPDX-License-Identifier: ISC */
/*
 * fuzz.h — what the fuzz targets in tests/fuzz share.
 *
 * Each target file defines LLVMFuzzerTestOneInput and nothing else that is
 * global. It is linked two ways: with libFuzzer (clang -fsanitize=fuzzer,
 * `make fuzz`, binaries in build/fuzz/) and with replay.c's main(), which
 * runs every file of the corpus and crasher folders through it once (`make
 * test`, binaries in BUILD/fuzz-replay/, under ASan and UBSan in
 * build/asan). A target aborts, or a sanitizer reports, when it finds a
 * bug; returning means the input was handled.
 *
 * Paths are relative to KK_SRC (the repository root, default "."); the
 * playbooks are read from there once per process.
 */
#ifndef KK_TESTS_FUZZ_H
#define KK_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "playbook.h"

/* "Now" for intake checks, fixed so that a replay decides as the run did:
 * 2026-11-22T01:00:00Z. */
#define FUZZ_NOW_MS 1795309200000LL

/* Inputs longer than this are ignored by every target (libFuzzer's
 * -max_len is set lower per target in tests/fuzz/run). */
#define FUZZ_INPUT_MAX (1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Silences the daemon's log and loads $KK_SRC/playbooks once; aborts with
 * a message when they do not load. Returns the set (never freed). */
const struct playbook_set *fuzz_playbooks(void);

/* Silences the daemon's log (the targets that need no playbooks). */
void fuzz_quiet(void);

/* A malloc'd NUL-terminated copy of DATA; aborts when out of memory. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* $KK_SRC/REL into OUT (CAP bytes); aborts when it does not fit. */
void fuzz_src_path(const char *rel, char *out, size_t cap);

/*
 * A private folder under $TMPDIR (default /tmp), made on the first call
 * and removed with its files when the process exits normally. The same
 * path is returned every time.
 */
const char *fuzz_tmpdir(void);

/* Writes SIZE bytes of DATA to PATH (truncating); aborts on failure. */
void fuzz_write_file(const char *path, const void *data, size_t size);

/* Reads PATH whole into a malloc'd buffer (*SIZE bytes, NUL added); aborts on failure. */
char *fuzz_read_file(const char *path, size_t *size);

/*
 * What every accepted report must be, whatever the channel: a known
 * incident type and prefecture, company, name and phone present, no time
 * noticed in the future, every text valid UTF-8. Aborts otherwise.
 */
void fuzz_check_input(const struct playbook_set *set, const struct case_input *in);

/* Prints "fuzz: WHAT" on stderr and aborts: a property of the code under test failed. */
void fuzz_fail(const char *what) __attribute__((noreturn));

#endif
