/* SPDX-License-Identifier: ISC */
/*
 * seal — reporters' details encrypted at rest: XChaCha20-Poly1305 (libsodium's
 * crypto_aead_xchacha20poly1305_ietf) under keys kept in a file apart from
 * the database, so that a copied database or backup reveals nobody.
 *
 * A sealed value is a BLOB:
 *   0x4B ('K') | key id (4 bytes) | nonce (24) | ciphertext | tag (16)
 * The key id is the first four bytes of BLAKE2b(key) and says which key of
 * the ring opens it; the column and the key id are the associated data, so
 * a value moved to another column does not open.
 *
 * The key file holds one key per line, 64 hex digits, '#' comments allowed;
 * the first key seals, every key opens (older keys stay until a rotation
 * has re-sealed everything under them). A ring is immutable once loaded and
 * may be used from any thread.
 */
#ifndef KK_SEAL_H
#define KK_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY_LEN    32
#define SEAL_ID_LEN     4
#define SEAL_OVERHEAD   (1 + SEAL_ID_LEN + 24 + 16)
#define SEAL_KEYS_MAX   8
#define SEAL_VALUE_MAX  (1024 * 1024) /* the longest plaintext sealed */
#define SEAL_ID_HEX_LEN (SEAL_ID_LEN * 2)

struct seal_ring;

/*
 * Reads the ring from PATH. When PATH does not exist and CREATE is true,
 * makes a new file (mode 0600, written and synced before the call
 * returns) with one fresh key, and sets *CREATED. Returns 0 with *OUT,
 * -ENOENT (missing, CREATE false), -EINVAL for a malformed file (a reason
 * in WHY, size N), or another negative errno.
 */
int seal_ring_load(struct seal_ring **out, const char *path, bool create, bool *created, char *why,
                   size_t n);

/* A ring of the single key KEY, for tests and for a rotation's new key. */
int seal_ring_from_key(struct seal_ring **out, const unsigned char key[SEAL_KEY_LEN]);

void seal_ring_free(struct seal_ring *r);

/* The ring's sealing key id, as 8 hex digits in OUT (at least 9 bytes). */
void seal_ring_current_id(const struct seal_ring *r, char *out);

/* Whether the ring holds the key of ID (8 hex digits). */
bool seal_ring_has(const struct seal_ring *r, const char *id);

/*
 * Seals PLAIN (LEN bytes, at most SEAL_VALUE_MAX) for the column LABEL
 * into OUT, which must hold LEN + SEAL_OVERHEAD bytes. Returns the sealed
 * length, or -E2BIG.
 */
long seal_box(const struct seal_ring *r, const char *label, const void *plain, size_t len,
              unsigned char *out);

/*
 * Whether BOX (LEN bytes) has the form of a sealed value; when it has,
 * its key id into ID (9 bytes) if not NULL.
 */
bool seal_is_sealed(const void *box, size_t len, char *id);

/*
 * Opens BOX (LEN bytes) sealed for LABEL into OUT (LEN - SEAL_OVERHEAD
 * bytes). Returns the plaintext length, -ENOKEY when no key of the ring
 * has its id, -EBADMSG when it does not authenticate (another column, a
 * damaged value), -EINVAL when BOX is not a sealed value.
 */
long seal_open(const struct seal_ring *r, const char *label, const void *box, size_t len,
               unsigned char *out);

/*
 * A keyed hash of IN (LEN bytes) under a key derived from the ring's first
 * key, as 32 hex digits in OUT (33 bytes): lets the store count messages
 * per address without keeping the address in plain text. A rotation
 * changes every hash.
 */
void seal_hash(const struct seal_ring *r, const void *in, size_t len, char *out);

/*
 * Writes a ring file at PATH (mode 0600, through a temporary file, synced
 * and renamed into place) holding KEYS (N keys, the first seals).
 */
int seal_ring_write(const char *path, const unsigned char *keys, size_t n);

/* The keys of R, sealing key first, into KEYS (SEAL_KEYS_MAX * SEAL_KEY_LEN
 * bytes); returns how many. */
size_t seal_ring_keys(const struct seal_ring *r, unsigned char *keys);

#endif
