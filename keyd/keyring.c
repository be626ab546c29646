/* Envelope encryption: the root key wraps DEKs and the pepper; DEKs seal
 * secret columns. Why the AD carries table, row, column and DEK version: a
 * ciphertext copied to another row, column or version must not open. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/keyring.h"

#define SEAL_TAG   0x01
#define WRAP_TAG   0x02
#define NONCE_LEN  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define MAC_LEN    crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEAL_HDR   (1 + 4 + NONCE_LEN)
#define WRAP_HDR   (1 + NONCE_LEN)
#define AD_MAX     512
#define BLOB_MAX   (1u << 20)

struct dek {
	uint32_t	 version;
	unsigned char	*key;		/* sodium_malloc'd, read-only */
};

struct keyring {
	unsigned char	*root;		/* sodium_malloc'd */
	unsigned char	*pepper;	/* sodium_malloc'd, NULL until set */
	struct dek	 deks[KEYRING_MAX_DEKS];
	size_t		 ndeks;
	uint32_t	 current;
};

static unsigned char *
secret_alloc(size_t len)
{
	return sodium_malloc(len == 0 ? 1 : len);
}

void
keyring_secret_free(unsigned char **p)
{
	if (p == NULL || *p == NULL)
		return;
	sodium_free(*p);	/* wipes before freeing */
	*p = NULL;
}

static int
root_check_mode(const char *path, int fd, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot stat root key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "root key %s is not a regular file",
		    path);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "cannot use root key %s: mode %04o is "
		    "readable by others; run chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if (st.st_size != KEYRING_KEY_LEN) {
		snprintf(err, errlen, "root key %s is %lld bytes; a root key "
		    "file holds exactly %d random bytes", path,
		    (long long)st.st_size, KEYRING_KEY_LEN);
		return -1;
	}
	return 0;
}

int
keyring_root_read_file(const char *path, unsigned char **root, char *err,
    size_t errlen)
{
	unsigned char	*key = NULL;
	ssize_t		 n;
	int		 fd, rc = -1;

	*root = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errlen, "cannot open root key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (root_check_mode(path, fd, err, errlen) == -1)
		goto out;
	if ((key = secret_alloc(KEYRING_KEY_LEN)) == NULL) {
		snprintf(err, errlen, "out of guarded memory");
		goto out;
	}
	n = read(fd, key, KEYRING_KEY_LEN);
	if (n != KEYRING_KEY_LEN) {
		snprintf(err, errlen, "cannot read root key %s: short read",
		    path);
		goto out;
	}
	*root = key;
	key = NULL;
	rc = 0;
out:
	keyring_secret_free(&key);
	close(fd);
	return rc;
}

int
keyring_root_create_file(const char *path, char *err, size_t errlen)
{
	unsigned char	 key[KEYRING_KEY_LEN];
	int		 fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		snprintf(err, errlen, "cannot create root key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	randombytes_buf(key, sizeof(key));
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write root key %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(key, sizeof(key));
	close(fd);
	if (rc == -1)
		unlink(path);
	return rc;
}

int
keyring_root_from_passphrase(const char *pass, size_t passlen,
    const unsigned char salt[KEYRING_SALT_LEN], unsigned char **root)
{
	unsigned char *key;

	*root = NULL;
	if ((key = secret_alloc(KEYRING_KEY_LEN)) == NULL)
		return -1;
	if (crypto_pwhash(key, KEYRING_KEY_LEN, pass, passlen, salt,
	    crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		keyring_secret_free(&key);
		return -1;
	}
	*root = key;
	return 0;
}

static unsigned char *
secret_copy(const unsigned char *src, size_t len)
{
	unsigned char *p;

	if ((p = secret_alloc(len)) == NULL)
		return NULL;
	memcpy(p, src, len);
	sodium_mprotect_readonly(p);
	return p;
}

struct keyring *
keyring_new(const unsigned char root[KEYRING_KEY_LEN])
{
	struct keyring *kr;

	if ((kr = calloc(1, sizeof(*kr))) == NULL)
		return NULL;
	if ((kr->root = secret_copy(root, KEYRING_KEY_LEN)) == NULL) {
		free(kr);
		return NULL;
	}
	return kr;
}

void
keyring_free(struct keyring **krp)
{
	struct keyring	*kr;
	size_t		 i;

	if (krp == NULL || (kr = *krp) == NULL)
		return;
	for (i = 0; i < kr->ndeks; i++)
		keyring_secret_free(&kr->deks[i].key);
	keyring_secret_free(&kr->root);
	keyring_secret_free(&kr->pepper);
	free(kr);
	*krp = NULL;
}

static int
ad_build(char *ad, size_t adlen, const char *table, const char *row,
    const char *column, uint32_t version)
{
	int n;

	/* Each part carries its length, so no choice of names (a row id
	 * holding '|') can make two places share an AD. */
	n = snprintf(ad, adlen, "keyd/1|%zu:%s|%zu:%s|%zu:%s|v%u",
	    strlen(table), table, strlen(row), row, strlen(column), column,
	    version);
	return n < 0 || (size_t)n >= adlen ? -1 : n;
}

static int
aead_encrypt(const unsigned char *key, const char *ad, size_t adlen,
    const unsigned char *pt, size_t ptlen, size_t hdrlen,
    unsigned char **out, size_t *outlen)
{
	unsigned char	*buf;
	size_t		 len;

	if (ptlen > BLOB_MAX - hdrlen - MAC_LEN)
		return -1;	/* it could be sealed but never opened */
	len = hdrlen + ptlen + MAC_LEN;
	if ((buf = malloc(len)) == NULL)
		return -1;
	randombytes_buf(buf + hdrlen - NONCE_LEN, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(buf + hdrlen, NULL, pt,
	    ptlen, (const unsigned char *)ad, adlen, NULL,
	    buf + hdrlen - NONCE_LEN, key);
	*out = buf;
	*outlen = len;
	return 0;
}

static int
aead_decrypt(const unsigned char *key, const char *ad, size_t adlen,
    const unsigned char *blob, size_t bloblen, size_t hdrlen,
    unsigned char **pt, size_t *ptlen)
{
	unsigned char	*buf;
	size_t		 len;

	*pt = NULL;
	if (bloblen < hdrlen + MAC_LEN || bloblen > BLOB_MAX)
		return -1;
	len = bloblen - hdrlen - MAC_LEN;
	if ((buf = secret_alloc(len)) == NULL)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, NULL, NULL,
	    blob + hdrlen, bloblen - hdrlen, (const unsigned char *)ad, adlen,
	    blob + hdrlen - NONCE_LEN, key) != 0) {
		keyring_secret_free(&buf);
		return -1;
	}
	*pt = buf;
	*ptlen = len;
	return 0;
}

int
keyring_wrap(const struct keyring *kr, const char *name,
    const unsigned char *pt, size_t ptlen, unsigned char **out,
    size_t *outlen)
{
	char	ad[AD_MAX];
	int	n;

	n = snprintf(ad, sizeof(ad), "keyd/1|root|%zu:%s", strlen(name), name);
	if (n < 0 || (size_t)n >= sizeof(ad))
		return -1;
	if (aead_encrypt(kr->root, ad, (size_t)n, pt, ptlen, WRAP_HDR, out,
	    outlen) == -1)
		return -1;
	(*out)[0] = WRAP_TAG;
	return 0;
}

int
keyring_unwrap(const struct keyring *kr, const char *name,
    const unsigned char *blob, size_t bloblen, unsigned char **pt,
    size_t *ptlen)
{
	char	ad[AD_MAX];
	int	n;

	*pt = NULL;
	n = snprintf(ad, sizeof(ad), "keyd/1|root|%zu:%s", strlen(name), name);
	if (n < 0 || (size_t)n >= sizeof(ad) || bloblen < 1 ||
	    blob[0] != WRAP_TAG)
		return -1;
	return aead_decrypt(kr->root, ad, (size_t)n, blob, bloblen, WRAP_HDR,
	    pt, ptlen);
}

static void
dek_name(char *buf, size_t len, uint32_t version)
{
	snprintf(buf, len, "dek|v%u", version);
}

static int
dek_add(struct keyring *kr, uint32_t version, const unsigned char *key)
{
	size_t i;

	if (kr->ndeks == KEYRING_MAX_DEKS || version == 0)
		return -1;
	for (i = 0; i < kr->ndeks; i++)
		if (kr->deks[i].version == version)
			return -1;
	if ((kr->deks[kr->ndeks].key = secret_copy(key, KEYRING_KEY_LEN)) ==
	    NULL)
		return -1;
	kr->deks[kr->ndeks++].version = version;
	if (version > kr->current)
		kr->current = version;
	return 0;
}

int
keyring_dek_create(struct keyring *kr, uint32_t version,
    unsigned char **wrapped, size_t *wlen)
{
	unsigned char	 key[KEYRING_KEY_LEN];
	char		 name[32];
	int		 rc = -1;

	*wrapped = NULL;
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	dek_name(name, sizeof(name), version);
	if (keyring_wrap(kr, name, key, sizeof(key), wrapped, wlen) == -1)
		goto out;
	if (dek_add(kr, version, key) == -1) {
		free(*wrapped);
		*wrapped = NULL;
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(key, sizeof(key));
	return rc;
}

int
keyring_dek_load(struct keyring *kr, uint32_t version,
    const unsigned char *wrapped, size_t wlen)
{
	unsigned char	*key = NULL;
	size_t		 len;
	char		 name[32];
	int		 rc = -1;

	dek_name(name, sizeof(name), version);
	if (keyring_unwrap(kr, name, wrapped, wlen, &key, &len) == -1)
		return -1;
	if (len == KEYRING_KEY_LEN && dek_add(kr, version, key) == 0)
		rc = 0;
	keyring_secret_free(&key);
	return rc;
}

uint32_t
keyring_dek_current(const struct keyring *kr)
{
	return kr->current;
}

static const unsigned char *
dek_find(const struct keyring *kr, uint32_t version)
{
	size_t i;

	for (i = 0; i < kr->ndeks; i++)
		if (kr->deks[i].version == version)
			return kr->deks[i].key;
	return NULL;
}

int
keyring_seal(const struct keyring *kr, const char *table, const char *row,
    const char *column, const unsigned char *pt, size_t ptlen,
    unsigned char **out, size_t *outlen)
{
	const unsigned char	*key;
	char			 ad[AD_MAX];
	int			 n;

	*out = NULL;
	if ((key = dek_find(kr, kr->current)) == NULL)
		return -1;
	if ((n = ad_build(ad, sizeof(ad), table, row, column, kr->current)) ==
	    -1)
		return -1;
	if (aead_encrypt(key, ad, (size_t)n, pt, ptlen, SEAL_HDR, out,
	    outlen) == -1)
		return -1;
	(*out)[0] = SEAL_TAG;
	(*out)[1] = (unsigned char)(kr->current >> 24);
	(*out)[2] = (unsigned char)(kr->current >> 16);
	(*out)[3] = (unsigned char)(kr->current >> 8);
	(*out)[4] = (unsigned char)kr->current;
	return 0;
}

int
keyring_open(const struct keyring *kr, const char *table, const char *row,
    const char *column, const unsigned char *blob, size_t bloblen,
    unsigned char **pt, size_t *ptlen)
{
	const unsigned char	*key;
	uint32_t		 version;
	char			 ad[AD_MAX];
	int			 n;

	*pt = NULL;
	if (bloblen < SEAL_HDR || blob[0] != SEAL_TAG)
		return -1;
	version = (uint32_t)blob[1] << 24 | (uint32_t)blob[2] << 16 |
	    (uint32_t)blob[3] << 8 | blob[4];
	if ((key = dek_find(kr, version)) == NULL)
		return -1;
	if ((n = ad_build(ad, sizeof(ad), table, row, column, version)) == -1)
		return -1;
	return aead_decrypt(key, ad, (size_t)n, blob, bloblen, SEAL_HDR, pt,
	    ptlen);
}

int
keyring_set_pepper(struct keyring *kr, const unsigned char *pepper,
    size_t len)
{
	if (len != KEYRING_KEY_LEN || kr->pepper != NULL)
		return -1;
	kr->pepper = secret_copy(pepper, len);
	return kr->pepper == NULL ? -1 : 0;
}

int
keyring_token_hash(const struct keyring *kr, const char *token, size_t len,
    unsigned char out[KEYRING_HASH_LEN])
{
	if (kr->pepper == NULL) {
		/* Fail closed: an output nobody can match. */
		randombytes_buf(out, KEYRING_HASH_LEN);
		return -1;
	}
	crypto_generichash(out, KEYRING_HASH_LEN, (const unsigned char *)token,
	    len, kr->pepper, KEYRING_KEY_LEN);
	return 0;
}
