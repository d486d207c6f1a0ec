/* SPDX-License-Identifier: ISC */
/* Unit tests: the sealed values of reporters' details and the key file. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal.h"

static struct seal_ring *ring_of(unsigned char fill)
{
	unsigned char key[SEAL_KEY_LEN];
	struct seal_ring *r = NULL;

	memset(key, fill, sizeof key);
	cr_assert_eq(seal_ring_from_key(&r, key), 0);
	return r;
}

Test(seal, a_value_opens_under_its_key_and_column_only)
{
	struct seal_ring *a = ring_of(1), *b = ring_of(2);
	const char *plain = "山田 花子 06-1234-5678";
	unsigned char box[256], out[256], again[256];
	long n = seal_box(a, "cases.name", plain, strlen(plain), box);
	long m;

	cr_assert_eq(n, (long)(strlen(plain) + SEAL_OVERHEAD));
	cr_assert(seal_is_sealed(box, (size_t)n, NULL));
	cr_assert_null(memmem(box, (size_t)n, "06-1234", 7), "the phone shows through");
	m = seal_open(a, "cases.name", box, (size_t)n, out);
	cr_assert_eq(m, (long)strlen(plain));
	cr_assert_eq(memcmp(out, plain, (size_t)m), 0);
	/* Each sealing has its own nonce. */
	cr_assert_eq(seal_box(a, "cases.name", plain, strlen(plain), again), n);
	cr_assert_neq(memcmp(box, again, (size_t)n), 0);

	cr_assert_eq(seal_open(a, "cases.phone", box, (size_t)n, out), -EBADMSG,
	             "a value moved to another column must not open");
	cr_assert_eq(seal_open(b, "cases.name", box, (size_t)n, out), -ENOKEY);
	box[n - 1] ^= 1;
	cr_assert_eq(seal_open(a, "cases.name", box, (size_t)n, out), -EBADMSG);
	cr_assert_eq(seal_open(a, "cases.name", "plain text", 10, out), -EINVAL);
	seal_ring_free(a);
	seal_ring_free(b);
}

Test(seal, a_key_file_is_made_owner_only_and_read_back_with_every_key)
{
	char dir[] = "/tmp/kk-seal-XXXXXX", path[64], why[200];
	unsigned char keys[2 * SEAL_KEY_LEN], box[64], out[64];
	struct seal_ring *made = NULL, *read = NULL, *two = NULL;
	char id[SEAL_ID_HEX_LEN + 1], old_id[SEAL_ID_HEX_LEN + 1];
	bool created = false;
	struct stat sb;
	long n;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/k", dir);
	cr_assert_eq(seal_ring_load(&made, path, false, NULL, why, sizeof why), -ENOENT);
	cr_assert_eq(seal_ring_load(&made, path, true, &created, why, sizeof why), 0);
	cr_assert(created);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(seal_ring_load(&read, path, true, &created, why, sizeof why), 0);
	cr_assert_not(created, "an existing key file must be read, not replaced");
	n = seal_box(made, "x", "abc", 3, box);
	cr_assert_eq(seal_open(read, "x", box, (size_t)n, out), 3);

	/* A rotation's file: the new key first, the old one still opening. */
	memset(keys, 7, SEAL_KEY_LEN);
	cr_assert_eq(seal_ring_keys(read, keys + SEAL_KEY_LEN), 1u);
	cr_assert_eq(seal_ring_write(path, keys, 2), 0);
	cr_assert_eq(seal_ring_load(&two, path, false, NULL, why, sizeof why), 0);
	cr_assert_eq(seal_open(two, "x", box, (size_t)n, out), 3, "the old key must still open");
	n = seal_box(two, "x", "abc", 3, box);
	cr_assert(seal_is_sealed(box, (size_t)n, id));
	seal_ring_current_id(read, old_id);
	cr_assert_str_neq(id, old_id, "a new value is sealed under the new key");
	seal_ring_free(made);
	seal_ring_free(read);
	seal_ring_free(two);
	unlink(path);
	rmdir(dir);
}

Test(seal, a_broken_key_file_says_which_line)
{
	char dir[] = "/tmp/kk-seal-XXXXXX", path[64], why[200] = "";
	struct seal_ring *r = NULL;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/k", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("# comment\n\n0123456789abcdef\n", f);
	fclose(f);
	cr_assert_eq(seal_ring_load(&r, path, true, NULL, why, sizeof why), -EINVAL);
	cr_assert_not_null(strstr(why, "line 3"), "%s", why);
	f = fopen(path, "w");
	fputs("# only a comment\n", f);
	fclose(f);
	cr_assert_eq(seal_ring_load(&r, path, true, NULL, why, sizeof why), -EINVAL);
	cr_assert_not_null(strstr(why, "no key"), "%s", why);
	unlink(path);
	rmdir(dir);
}

Test(seal, the_hash_of_an_address_is_stable_under_one_key_and_differs_under_another)
{
	struct seal_ring *a = ring_of(1), *b = ring_of(2);
	char h1[33], h2[33], h3[33];

	seal_hash(a, "victim@example.jp", 17, h1);
	seal_hash(a, "victim@example.jp", 17, h2);
	seal_hash(b, "victim@example.jp", 17, h3);
	cr_assert_str_eq(h1, h2);
	cr_assert_str_neq(h1, h3);
	cr_assert_eq(strlen(h1), 32u);
	cr_assert_null(strstr(h1, "victim"));
	seal_ring_free(a);
	seal_ring_free(b);
}
