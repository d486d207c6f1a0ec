/* SPDX-License-Identifier: ISC */
/*
 * text.c — fuzz target: the text helpers every intake field goes through:
 * text_rfc3339_parse (API noticed_at), text_jst_local_parse (form
 * noticed_at), text_phone_normalize (phone), each fed the whole input as a
 * NUL-terminated string, the way intake_check calls them.
 *
 * Properties checked: a parsed RFC 3339 time formats and parses back to the
 * same millisecond; a JST local time is nine hours before the same
 * wall-clock time read as UTC; a normalised phone number is ASCII, fits,
 * and normalises to itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "intake.h"
#include "text.h"

static void rfc3339(const char *s)
{
	int64_t ms, again;
	char out[32];

	if (text_rfc3339_parse(s, &ms) < 0)
		return;
	text_rfc3339_format(ms, out);
	if (text_rfc3339_parse(out, &again) < 0 || again != ms)
		fuzz_fail("an RFC 3339 time does not survive format and parse");
}

static void jst(const char *s)
{
	size_t n = strlen(s);
	int64_t ms, utc;
	char z[24];

	if (text_jst_local_parse(s, &ms) < 0)
		return;
	if (n != 16 && n != 19)
		fuzz_fail("a JST time that is not YYYY-MM-DDTHH:MM[:SS] was accepted");
	/* The same wall-clock time read as UTC is nine hours later. */
	memcpy(z, s, n);
	z[10] = 'T';
	memcpy(z + n, n == 16 ? ":00Z" : "Z", n == 16 ? 5 : 2);
	if (text_rfc3339_parse(z, &utc) < 0 || utc - ms != TEXT_JST_OFFSET_MS)
		fuzz_fail("a JST time is not nine hours ahead of UTC");
}

static void phone(const char *s)
{
	char out[INTAKE_PHONE_MAX + 1], again[INTAKE_PHONE_MAX + 1];
	int rc = text_phone_normalize(s, out, sizeof out);

	if (rc < 0)
		return;
	if (strlen(out) >= sizeof out)
		fuzz_fail("a normalised phone number overflows");
	for (const char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			fuzz_fail("a normalised phone number is not ASCII");
	if (text_phone_normalize(out, again, sizeof again) < 0 || strcmp(out, again) != 0)
		fuzz_fail("a normalised phone number does not normalise to itself");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return 0;
	s = fuzz_strndup(data, size);
	rfc3339(s);
	jst(s);
	phone(s);
	free(s);
	return 0;
}
