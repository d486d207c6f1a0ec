/* SPDX-License-Identifier: ISC */
/*
 * token — case references and reporters' status tokens.
 *
 * A reference ("KK-7Q3M-X9") is short enough to read out on the phone and
 * uses Crockford's base32 (no I, L, O, U). A status token carries 192
 * random bits, is shown to the reporter once and stored only as a BLAKE2b
 * hash. Requires sodium_init() to have run.
 */
#ifndef KK_TOKEN_H
#define KK_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_LEN      32 /* base64url characters for 24 random bytes */
#define TOKEN_HASH_LEN 32

/* Writes a new random reference into OUT[11]. */
void token_ref_new(char out[11]);
/* True when S has the shape of a reference (any case, checked alphabet). */
bool token_ref_valid(const char *s);
/* Writes a new token into OUT[TOKEN_LEN + 1] and its hash into HASH. */
void token_new(char out[TOKEN_LEN + 1], unsigned char hash[TOKEN_HASH_LEN]);
/* Hashes the token text S (any length) into HASH. */
void token_hash(const char *s, unsigned char hash[TOKEN_HASH_LEN]);
/* Constant-time comparison of two hashes. */
bool token_hash_equal(const unsigned char a[TOKEN_HASH_LEN], const unsigned char b[TOKEN_HASH_LEN]);

#endif
