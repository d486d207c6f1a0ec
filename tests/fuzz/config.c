/* SPDX-License-Identifier: ISC */
/*
 * config.c — fuzz target: the configuration reader. Each input is written
 * as the INI file and read with config_load, as `kakekomid -c FILE` and
 * SIGHUP do.
 *
 * Properties checked: a refusal says why, a line per problem; an accepted
 * configuration has a listen address, a public URL starting with http://
 * or https://, at least one escalation step and a burst of at least one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4096];
	struct config *cfg = NULL;
	struct buf errors;
	int rc;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	if (path[0] == '\0') {
		fuzz_quiet();
		snprintf(path, sizeof path, "%s/kakekomi.conf", fuzz_tmpdir());
	}
	fuzz_write_file(path, data, size);
	buf_init(&errors, 1024 * 1024);
	rc = config_load(path, &cfg, &errors);
	if (rc == 0) {
		if (cfg->http_addrlen == 0 || cfg->esc_nwaits == 0 || cfg->http_rate_burst == 0)
			fuzz_fail("an accepted configuration lacks a listen address, a step or a "
			          "burst");
		if (strncmp(cfg->http_public_url, "http://", 7) != 0 &&
		    strncmp(cfg->http_public_url, "https://", 8) != 0)
			fuzz_fail("an accepted public_url is not http:// or https://");
		config_free(cfg);
	} else if (rc == -EINVAL && errors.len == 0) {
		fuzz_fail("a configuration was refused without a reason");
	}
	buf_fini(&errors);
	return 0;
}
