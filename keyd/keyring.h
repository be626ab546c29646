/* The keyring: the root key, the data encryption keys (DEKs) it wraps and
 * the token pepper. Every key lives in sodium_malloc'd, locked memory.
 *
 * Sealed blob (a secret column):  0x01 | dek_version (u32 BE) | nonce (24) |
 *   XChaCha20-Poly1305 ciphertext and tag,
 *   AD = "keyd/1|" len ":" table "|" len ":" row "|" len ":" column "|v"
 *   version, each part prefixed by its decimal length.
 * Root-wrapped blob (a DEK, the pepper):  0x02 | nonce (24) | ciphertext,
 *   AD = "keyd/1|root|" len ":" name. */
#ifndef KEYD_KEYRING_H
#define KEYD_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#define KEYRING_KEY_LEN	  32
#define KEYRING_SALT_LEN  16
#define KEYRING_HASH_LEN  32
#define KEYRING_MAX_DEKS  64
#define KEYRING_ERR_MAX   512

#define KEYRING_WUR __attribute__((warn_unused_result))

struct keyring;

/* Read the 32-byte root key file at PATH into *ROOT (sodium_malloc'd; free
 * with keyring_secret_free). Refuses a file that is not a regular file, is
 * group- or world-readable, or is not exactly 32 bytes, with a message in
 * ERR that names the fix. Returns 0 or -1. */
int keyring_root_read_file(const char *path, unsigned char **root, char *err,
    size_t errlen) KEYRING_WUR;

/* Create PATH (O_EXCL, mode 0600) holding 32 random bytes. 0 or -1. */
int keyring_root_create_file(const char *path, char *err, size_t errlen)
	KEYRING_WUR;

/* Derive the root key from PASS with Argon2id (moderate limits) and SALT
 * into *ROOT (sodium_malloc'd). Returns 0 or -1 (out of memory). */
int keyring_root_from_passphrase(const char *pass, size_t passlen,
    const unsigned char salt[KEYRING_SALT_LEN], unsigned char **root)
	KEYRING_WUR;

/* Wipe and free a secret made by this module; sets *P to NULL. */
void keyring_secret_free(unsigned char **p);

/* A keyring holding a copy of ROOT; the caller may free ROOT. NULL when
 * guarded memory cannot be had. Free with keyring_free. */
struct keyring *keyring_new(const unsigned char root[KEYRING_KEY_LEN]);
void keyring_free(struct keyring **kr);

/* Wrap PT under the root key for NAME; *OUT is malloc'd (not secret).
 * Returns 0 or -1. */
int keyring_wrap(const struct keyring *kr, const char *name,
    const unsigned char *pt, size_t ptlen, unsigned char **out,
    size_t *outlen) KEYRING_WUR;

/* Unwrap a blob made by keyring_wrap for NAME into *PT (sodium_malloc'd,
 * free with keyring_secret_free). -1 when the root key is wrong, the blob
 * was altered, or it was wrapped for another name. */
int keyring_unwrap(const struct keyring *kr, const char *name,
    const unsigned char *blob, size_t bloblen, unsigned char **pt,
    size_t *ptlen) KEYRING_WUR;

/* Make a new random DEK with VERSION, wrap it into *WRAPPED (malloc'd, for
 * the store) and make it current. Returns 0 or -1. */
int keyring_dek_create(struct keyring *kr, uint32_t version,
    unsigned char **wrapped, size_t *wlen) KEYRING_WUR;

/* Unwrap a stored DEK and add it; the highest version loaded is current.
 * -1 when the root key does not open it. */
int keyring_dek_load(struct keyring *kr, uint32_t version,
    const unsigned char *wrapped, size_t wlen) KEYRING_WUR;

/* The current DEK version, 0 when none is loaded. */
uint32_t keyring_dek_current(const struct keyring *kr);

/* Seal PT for TABLE/ROW/COLUMN under the current DEK; *OUT is malloc'd.
 * Returns 0, or -1 when no DEK is loaded. */
int keyring_seal(const struct keyring *kr, const char *table, const char *row,
    const char *column, const unsigned char *pt, size_t ptlen,
    unsigned char **out, size_t *outlen) KEYRING_WUR;

/* Open a sealed blob for TABLE/ROW/COLUMN into *PT (sodium_malloc'd; free
 * with keyring_secret_free). -1 when the blob was altered, belongs to
 * another row or column, or names a DEK version not loaded. */
int keyring_open(const struct keyring *kr, const char *table, const char *row,
    const char *column, const unsigned char *blob, size_t bloblen,
    unsigned char **pt, size_t *ptlen) KEYRING_WUR;

/* Install the 32-byte token pepper (copied into guarded memory). */
int keyring_set_pepper(struct keyring *kr, const unsigned char *pepper,
    size_t len) KEYRING_WUR;

/* OUT = BLAKE2b-256(key = pepper, TOKEN[0..LEN)). Returns 0, or -1 when
 * no pepper is installed (OUT is then random, so it matches nothing). */
int keyring_token_hash(const struct keyring *kr, const char *token,
    size_t len, unsigned char out[KEYRING_HASH_LEN]) KEYRING_WUR;

#endif
