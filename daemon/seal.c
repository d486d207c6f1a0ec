/* SPDX-License-Identifier: ISC */
/*
 * seal — reporters' details encrypted at rest; see seal.h.
 */
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEAL_MAGIC     0x4B
#define SEAL_NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_FILE_MAX  4096
#define SEAL_LABEL_MAX 64

struct seal_key {
	unsigned char key[SEAL_KEY_LEN];
	unsigned char id[SEAL_ID_LEN];
	unsigned char hash_key[crypto_generichash_KEYBYTES]; /* for seal_hash */
};

struct seal_ring {
	struct seal_key k[SEAL_KEYS_MAX];
	size_t n;
};

_Static_assert(SEAL_NONCE_LEN == 24, "the sealed format has a 24-byte nonce");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == 16, "and a 16-byte tag");
_Static_assert(SEAL_KEY_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key length");

static void key_id(const unsigned char key[SEAL_KEY_LEN], unsigned char id[SEAL_ID_LEN])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof h, key, SEAL_KEY_LEN, NULL, 0);
	memcpy(id, h, SEAL_ID_LEN);
}

static void add_key(struct seal_ring *r, const unsigned char key[SEAL_KEY_LEN])
{
	static const char context[] = "kakekomi seal_hash";

	memcpy(r->k[r->n].key, key, SEAL_KEY_LEN);
	key_id(key, r->k[r->n].id);
	crypto_generichash(r->k[r->n].hash_key, sizeof r->k[r->n].hash_key,
	                   (const unsigned char *)context, sizeof context - 1, key, SEAL_KEY_LEN);
	r->n++;
}

static struct seal_ring *ring_new(void)
{
	struct seal_ring *r = sodium_malloc(sizeof *r);

	if (r != NULL) {
		memset(r, 0, sizeof *r);
		sodium_mlock(r, sizeof *r);
	}
	return r;
}

void seal_ring_free(struct seal_ring *r)
{
	if (r != NULL)
		sodium_free(r); /* zeroes it */
}

int seal_ring_from_key(struct seal_ring **out, const unsigned char key[SEAL_KEY_LEN])
{
	struct seal_ring *r;

	if (sodium_init() < 0)
		return -EIO;
	r = ring_new();
	if (r == NULL)
		return -ENOMEM;
	add_key(r, key);
	*out = r;
	return 0;
}

/* Parses TEXT (a key file) into R. */
static int parse(struct seal_ring *r, char *text, char *why, size_t n)
{
	int line = 0;

	for (char *l = text, *next; l != NULL; l = next) {
		unsigned char key[SEAL_KEY_LEN];
		size_t got = 0;
		const char *end;
		size_t len;

		next = strchr(l, '\n');
		if (next != NULL)
			*next++ = '\0';
		line++;
		while (*l == ' ' || *l == '\t')
			l++;
		len = strlen(l);
		while (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\t' || l[len - 1] == '\r'))
			l[--len] = '\0';
		if (len == 0 || l[0] == '#')
			continue;
		if (len != SEAL_KEY_LEN * 2 ||
		    sodium_hex2bin(key, sizeof key, l, len, NULL, &got, &end) != 0 ||
		    got != SEAL_KEY_LEN || *end != '\0') {
			snprintf(why, n, "line %d is not a key (64 hexadecimal digits)", line);
			sodium_memzero(key, sizeof key);
			return -EINVAL;
		}
		if (r->n == SEAL_KEYS_MAX) {
			snprintf(why, n, "more than %d keys", SEAL_KEYS_MAX);
			sodium_memzero(key, sizeof key);
			return -EINVAL;
		}
		add_key(r, key);
		sodium_memzero(key, sizeof key);
	}
	if (r->n == 0) {
		snprintf(why, n, "%s", "it holds no key");
		return -EINVAL;
	}
	return 0;
}

static int sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, rc = 0;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, "%s", ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int seal_ring_write(const char *path, const unsigned char *keys, size_t n)
{
	char tmp[PATH_MAX];
	char text[SEAL_KEYS_MAX * (SEAL_KEY_LEN * 2 + 1) + 200];
	size_t len;
	int fd, rc;

	if (n == 0 || n > SEAL_KEYS_MAX)
		return -EINVAL;
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	len = (size_t)snprintf(text, sizeof text, "%s",
	                       "# kakekomi: the keys that seal reporters' details in the store.\n"
	                       "# Keep a copy apart from the database's backups; without it the\n"
	                       "# details cannot be read. The first key seals; the others open.\n");
	for (size_t i = 0; i < n; i++) {
		sodium_bin2hex(text + len, sizeof text - len, keys + i * SEAL_KEY_LEN,
		               SEAL_KEY_LEN);
		len += SEAL_KEY_LEN * 2;
		text[len++] = '\n';
		text[len] = '\0';
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	rc = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (rc == 0)
		rc = write_all(fd, text, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	sodium_memzero(text, sizeof text);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return sync_dir_of(path);
}

int seal_ring_load(struct seal_ring **out, const char *path, bool create, bool *created, char *why,
                   size_t n)
{
	char text[SEAL_FILE_MAX + 1];
	struct seal_ring *r;
	ssize_t got;
	size_t len = 0;
	int fd, rc;

	if (created != NULL)
		*created = false;
	if (sodium_init() < 0)
		return -EIO;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		unsigned char key[SEAL_KEY_LEN];

		randombytes_buf(key, SEAL_KEY_LEN);
		rc = seal_ring_write(path, key, 1);
		if (rc == 0)
			rc = seal_ring_from_key(out, key);
		sodium_memzero(key, sizeof key);
		if (rc == 0 && created != NULL)
			*created = true;
		return rc;
	}
	if (fd < 0)
		return -errno;
	while (len < SEAL_FILE_MAX && (got = read(fd, text + len, SEAL_FILE_MAX - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			close(fd);
			return rc;
		}
		len += (size_t)got;
	}
	close(fd);
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		snprintf(why, n, "%s", "it is not a text file");
		return -EINVAL;
	}
	r = ring_new();
	if (r == NULL) {
		sodium_memzero(text, sizeof text);
		return -ENOMEM;
	}
	rc = parse(r, text, why, n);
	sodium_memzero(text, sizeof text);
	if (rc < 0) {
		seal_ring_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void id_hex(const unsigned char id[SEAL_ID_LEN], char *out)
{
	sodium_bin2hex(out, SEAL_ID_HEX_LEN + 1, id, SEAL_ID_LEN);
}

void seal_ring_current_id(const struct seal_ring *r, char *out)
{
	id_hex(r->k[0].id, out);
}

bool seal_ring_has(const struct seal_ring *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++) {
		char hex[SEAL_ID_HEX_LEN + 1];

		id_hex(r->k[i].id, hex);
		if (strcmp(hex, id) == 0)
			return true;
	}
	return false;
}

size_t seal_ring_keys(const struct seal_ring *r, unsigned char *keys)
{
	for (size_t i = 0; i < r->n; i++)
		memcpy(keys + i * SEAL_KEY_LEN, r->k[i].key, SEAL_KEY_LEN);
	return r->n;
}

/* The associated data: the column's label and the key id. */
static size_t aad_of(const char *label, const unsigned char id[SEAL_ID_LEN],
                     unsigned char aad[SEAL_LABEL_MAX + SEAL_ID_LEN])
{
	size_t l = strnlen(label, SEAL_LABEL_MAX);

	memcpy(aad, label, l);
	memcpy(aad + l, id, SEAL_ID_LEN);
	return l + SEAL_ID_LEN;
}

long seal_box(const struct seal_ring *r, const char *label, const void *plain, size_t len,
              unsigned char *out)
{
	const struct seal_key *k = &r->k[0];
	unsigned char aad[SEAL_LABEL_MAX + SEAL_ID_LEN];
	unsigned char *nonce = out + 1 + SEAL_ID_LEN;
	unsigned long long clen = 0;
	size_t alen;

	if (len > SEAL_VALUE_MAX)
		return -E2BIG;
	out[0] = SEAL_MAGIC;
	memcpy(out + 1, k->id, SEAL_ID_LEN);
	randombytes_buf(nonce, SEAL_NONCE_LEN);
	alen = aad_of(label, k->id, aad);
	crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + SEAL_NONCE_LEN, &clen, plain, len, aad,
	                                           alen, NULL, nonce, k->key);
	return (long)(1 + SEAL_ID_LEN + SEAL_NONCE_LEN + clen);
}

bool seal_is_sealed(const void *box, size_t len, char *id)
{
	const unsigned char *b = box;

	if (len < SEAL_OVERHEAD || b[0] != SEAL_MAGIC)
		return false;
	if (id != NULL)
		id_hex(b + 1, id);
	return true;
}

long seal_open(const struct seal_ring *r, const char *label, const void *box, size_t len,
               unsigned char *out)
{
	const unsigned char *b = box;
	unsigned char aad[SEAL_LABEL_MAX + SEAL_ID_LEN];
	unsigned long long plen = 0;
	const struct seal_key *k = NULL;
	size_t alen;

	if (!seal_is_sealed(box, len, NULL))
		return -EINVAL;
	for (size_t i = 0; i < r->n && k == NULL; i++)
		if (memcmp(r->k[i].id, b + 1, SEAL_ID_LEN) == 0)
			k = &r->k[i];
	if (k == NULL)
		return -ENOKEY;
	alen = aad_of(label, k->id, aad);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &plen, NULL,
	                                               b + 1 + SEAL_ID_LEN + SEAL_NONCE_LEN,
	                                               len - 1 - SEAL_ID_LEN - SEAL_NONCE_LEN, aad,
	                                               alen, b + 1 + SEAL_ID_LEN, k->key) != 0)
		return -EBADMSG;
	return (long)plen;
}

void seal_hash(const struct seal_ring *r, const void *in, size_t len, char *out)
{
	unsigned char h[16];

	crypto_generichash(h, sizeof h, in, len, r->k[0].hash_key, sizeof r->k[0].hash_key);
	sodium_bin2hex(out, 33, h, sizeof h);
}
