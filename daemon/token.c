/* SPDX-License-Identifier: ISC */
/*
 * token — references and status tokens; see token.h.
 */
#include "token.h"

#include <sodium.h>
#include <string.h>

static const char ref_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void token_ref_new(char out[11])
{
	static const int pos[6] = {3, 4, 5, 6, 8, 9};

	memcpy(out, "KK-XXXX-XX", 11);
	for (int i = 0; i < 6; i++)
		out[pos[i]] = ref_alphabet[randombytes_uniform(32)];
}

bool token_ref_valid(const char *s)
{
	if (strlen(s) != 10 || strncmp(s, "KK-", 3) != 0 || s[7] != '-')
		return false;
	for (int i = 3; i < 10; i++)
		if (i != 7 && (s[i] == '\0' || strchr(ref_alphabet, s[i]) == NULL))
			return false;
	return true;
}

void token_new(char out[TOKEN_LEN + 1], unsigned char hash[TOKEN_HASH_LEN])
{
	unsigned char raw[24];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	token_hash(out, hash);
}

void token_hash(const char *s, unsigned char hash[TOKEN_HASH_LEN])
{
	crypto_generichash(hash, TOKEN_HASH_LEN, (const unsigned char *)s, strlen(s), NULL, 0);
}

bool token_hash_equal(const unsigned char a[TOKEN_HASH_LEN], const unsigned char b[TOKEN_HASH_LEN])
{
	return sodium_memcmp(a, b, TOKEN_HASH_LEN) == 0;
}
