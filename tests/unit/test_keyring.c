/* keyring: wrapping under the root key, DEK versions, sealing secret
 * columns, the token pepper. Root key files: test_keyring_root.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/keyring.h"

/* Blob layouts from keyring.h: seal 0x01 | version (4) | nonce (24) | ct |
 * tag (16); wrap 0x02 | nonce (24) | ct | tag (16). */
#define SEAL_HDR	(1 + 4 + 24)
#define WRAP_HDR	(1 + 24)
#define TAG_LEN		16

static int
group_setup(void **state)
{
	(void)state;
	umask(022);	/* so the modes the tests see are the ones asked for */
	return sodium_init() < 0 ? -1 : 0;
}

/* A keyring over a fresh random root key, copied into ROOT when not NULL. */
static struct keyring *
kr_random(unsigned char root[KEYRING_KEY_LEN])
{
	unsigned char	 r[KEYRING_KEY_LEN];
	struct keyring	*kr;

	randombytes_buf(r, sizeof(r));
	if (root != NULL)
		memcpy(root, r, sizeof(r));
	kr = keyring_new(r);
	sodium_memzero(r, sizeof(r));
	assert_non_null(kr);
	return kr;
}

/* A keyring with a fresh root key and DEK VERSION current. */
static struct keyring *
kr_with_dek(uint32_t version)
{
	struct keyring	*kr = kr_random(NULL);
	unsigned char	*w = NULL;
	size_t		 wlen = 0;

	assert_int_equal(keyring_dek_create(kr, version, &w, &wlen), 0);
	assert_non_null(w);
	assert_int_equal(keyring_dek_current(kr), version);
	free(w);
	return kr;
}

/* 0 when BLOB opens for TABLE/ROW/COLUMN to exactly PT; -1 otherwise. */
static int
opens_to(const struct keyring *kr, const char *table, const char *row,
    const char *column, const unsigned char *blob, size_t bloblen,
    const unsigned char *pt, size_t ptlen)
{
	unsigned char	*out = (unsigned char *)1;
	size_t		 outlen = 0;
	int		 rc;

	if (keyring_open(kr, table, row, column, blob, bloblen, &out,
	    &outlen) != 0) {
		assert_null(out);	/* no half-opened plaintext */
		return -1;
	}
	assert_non_null(out);
	rc = outlen == ptlen && (ptlen == 0 || memcmp(out, pt, ptlen) == 0) ?
	    0 : -1;
	keyring_secret_free(&out);
	assert_null(out);
	return rc;
}

static void
seal(const struct keyring *kr, const char *table, const char *row,
    const char *column, const unsigned char *pt, size_t ptlen,
    unsigned char **blob, size_t *bloblen)
{
	*blob = NULL;
	assert_int_equal(keyring_seal(kr, table, row, column, pt, ptlen, blob,
	    bloblen), 0);
	assert_non_null(*blob);
}

static uint32_t
blob_version(const unsigned char *b)
{
	return (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 8 | b[4];
}

static void
blob_set_version(unsigned char *b, uint32_t v)
{
	b[1] = (unsigned char)(v >> 24);
	b[2] = (unsigned char)(v >> 16);
	b[3] = (unsigned char)(v >> 8);
	b[4] = (unsigned char)v;
}

static void
test_seal_open_round_trip(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 32, 255, 4096,
	    65535, 65536 };
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	*pt, *b1, *b2;
	size_t		 i, l1, l2;

	(void)state;
	pt = malloc(65536);
	assert_non_null(pt);
	randombytes_buf(pt, 65536);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		seal(kr, "upstreams", "42", "credential", pt, lens[i], &b1,
		    &l1);
		assert_int_equal(l1, SEAL_HDR + lens[i] + TAG_LEN);
		assert_int_equal(b1[0], 0x01);
		assert_int_equal(blob_version(b1), 1);
		/* The plaintext does not appear in the blob. */
		if (lens[i] >= 16)
			assert_null(memmem(b1, l1, pt, 16));
		assert_int_equal(opens_to(kr, "upstreams", "42", "credential",
		    b1, l1, pt, lens[i]), 0);
		/* A fresh nonce each time: the same input seals differently. */
		seal(kr, "upstreams", "42", "credential", pt, lens[i], &b2,
		    &l2);
		assert_int_equal(l1, l2);
		assert_memory_not_equal(b1 + 5, b2 + 5, 24);
		assert_memory_not_equal(b1, b2, l1);
		assert_int_equal(opens_to(kr, "upstreams", "42", "credential",
		    b2, l2, pt, lens[i]), 0);
		free(b1);
		free(b2);
	}
	free(pt);
	keyring_free(&kr);
	assert_null(kr);
}

static void
test_seal_without_dek(void **state)
{
	struct keyring	*kr = kr_random(NULL);
	unsigned char	*b = (unsigned char *)1;
	size_t		 blen = 0;

	(void)state;
	assert_int_equal(keyring_dek_current(kr), 0);
	assert_int_equal(keyring_seal(kr, "t", "1", "c",
	    (const unsigned char *)"x", 1, &b, &blen), -1);
	assert_null(b);
	keyring_free(&kr);
}

/* Every single flipped bit, in any part of the blob, makes it refuse. */
static void
test_seal_every_bit_flip(void **state)
{
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	 pt[40], *b, *m;
	size_t		 blen, i;
	int		 bit;

	(void)state;
	randombytes_buf(pt, sizeof(pt));
	seal(kr, "t", "row", "col", pt, sizeof(pt), &b, &blen);
	m = malloc(blen);
	assert_non_null(m);
	for (i = 0; i < blen; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(m, b, blen);
			m[i] ^= (unsigned char)(1u << bit);
			assert_int_equal(opens_to(kr, "t", "row", "col", m,
			    blen, pt, sizeof(pt)), -1);
		}
	/* The untouched blob still opens: the failures were the flips. */
	assert_int_equal(opens_to(kr, "t", "row", "col", b, blen, pt,
	    sizeof(pt)), 0);
	free(m);
	free(b);
	keyring_free(&kr);
}

static void
test_seal_truncated_or_extended(void **state)
{
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	 pt[20], *b, *m;
	size_t		 blen, n;

	(void)state;
	randombytes_buf(pt, sizeof(pt));
	seal(kr, "t", "row", "col", pt, sizeof(pt), &b, &blen);
	for (n = 0; n < blen; n++)
		assert_int_equal(opens_to(kr, "t", "row", "col", b, n, pt,
		    sizeof(pt)), -1);
	m = malloc(blen + 1);
	assert_non_null(m);
	memcpy(m, b, blen);
	m[blen] = 0;
	assert_int_equal(opens_to(kr, "t", "row", "col", m, blen + 1, pt,
	    sizeof(pt)), -1);
	free(m);
	free(b);
	keyring_free(&kr);
}

/* The AD binds table, row and column: a blob moved anywhere else fails. */
static void
test_seal_ad_binding(void **state)
{
	static const struct {
		const char *table, *row, *column;
	} other[] = {
		{ "upstreamz", "7", "credential" },
		{ "clients", "7", "credential" },
		{ "upstreams", "8", "credential" },
		{ "upstreams", "70", "credential" },
		{ "upstreams", "", "credential" },
		{ "upstreams", "7", "credentials" },
		{ "upstreams", "7", "client_cert" },
		{ "upstreams", "7", "" },
		{ "credential", "7", "upstreams" },
	};
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	 pt[] = "bearer upstream-secret";
	unsigned char	*b;
	size_t		 blen, i;

	(void)state;
	seal(kr, "upstreams", "7", "credential", pt, sizeof(pt), &b, &blen);
	assert_int_equal(opens_to(kr, "upstreams", "7", "credential", b, blen,
	    pt, sizeof(pt)), 0);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_int_equal(opens_to(kr, other[i].table, other[i].row,
		    other[i].column, b, blen, pt, sizeof(pt)), -1);
	free(b);
	keyring_free(&kr);
}

/* Regression: the AD once joined table, row and column with '|' and no
 * lengths, so ("t", "a|b", "c") and ("t|a", "b", "c") shared an AD and a
 * blob sealed for one opened for the other. */
static void
test_seal_ad_is_injective(void **state)
{
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	 pt[] = "secret";
	unsigned char	*b;
	size_t		 blen;

	(void)state;
	seal(kr, "t", "a|b", "c", pt, sizeof(pt), &b, &blen);
	assert_int_equal(opens_to(kr, "t|a", "b", "c", b, blen, pt,
	    sizeof(pt)), -1);
	assert_int_equal(opens_to(kr, "t", "a", "b|c", b, blen, pt,
	    sizeof(pt)), -1);
	free(b);
	keyring_free(&kr);
}

/* Regression: keyring_seal once accepted plaintexts up to 1 MiB while
 * keyring_open refused blobs over 1 MiB: a plaintext in (1 MiB - 45,
 * 1 MiB] sealed but never opened. Whatever seals must open. */
static void
test_seal_whatever_seals_opens(void **state)
{
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	*pt, *b = NULL;
	size_t		 len = (size_t)1 << 20, blen;

	(void)state;
	pt = calloc(1, len);
	assert_non_null(pt);
	if (keyring_seal(kr, "t", "1", "c", pt, len, &b, &blen) == 0)
		assert_int_equal(opens_to(kr, "t", "1", "c", b, blen, pt, len),
		    0);
	free(b);
	free(pt);
	keyring_free(&kr);
}

/* Oversize plaintexts are refused, not sealed. */
static void
test_seal_too_large(void **state)
{
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	*pt, *b = (unsigned char *)1;
	size_t		 len = ((size_t)1 << 20) + 1, blen;

	(void)state;
	pt = calloc(1, len);
	assert_non_null(pt);
	assert_int_equal(keyring_seal(kr, "t", "1", "c", pt, len, &b, &blen),
	    -1);
	assert_null(b);
	free(pt);
	keyring_free(&kr);
}

/* Seal under v1, load v2 (now current): the v1 blob still opens, but the
 * same blob relabelled as v2 does not (the version is in the AD, and the
 * key differs). New seals use v2. */
static void
test_dek_version_rewrite(void **state)
{
	unsigned char	 root[KEYRING_KEY_LEN], pt[] = "column value";
	struct keyring	*kr, *other;
	unsigned char	*w1, *w2, *b, *b2;
	size_t		 w1len, w2len, blen, b2len;

	(void)state;
	kr = kr_random(root);
	assert_int_equal(keyring_dek_create(kr, 1, &w1, &w1len), 0);
	assert_int_equal(keyring_dek_current(kr), 1);
	seal(kr, "t", "1", "c", pt, sizeof(pt), &b, &blen);
	assert_int_equal(blob_version(b), 1);

	/* v2 made by another keyring over the same root, as a peer would. */
	other = keyring_new(root);
	assert_non_null(other);
	assert_int_equal(keyring_dek_create(other, 2, &w2, &w2len), 0);
	assert_int_equal(keyring_dek_load(kr, 2, w2, w2len), 0);
	assert_int_equal(keyring_dek_current(kr), 2);

	assert_int_equal(opens_to(kr, "t", "1", "c", b, blen, pt, sizeof(pt)),
	    0);
	blob_set_version(b, 2);
	assert_int_equal(opens_to(kr, "t", "1", "c", b, blen, pt, sizeof(pt)),
	    -1);
	blob_set_version(b, 1);
	assert_int_equal(opens_to(kr, "t", "1", "c", b, blen, pt, sizeof(pt)),
	    0);

	seal(kr, "t", "1", "c", pt, sizeof(pt), &b2, &b2len);
	assert_int_equal(blob_version(b2), 2);
	assert_int_equal(opens_to(kr, "t", "1", "c", b2, b2len, pt,
	    sizeof(pt)), 0);
	/* The peer holds only v2: it opens the v2 blob, not the v1 one. */
	assert_int_equal(opens_to(other, "t", "1", "c", b2, b2len, pt,
	    sizeof(pt)), 0);
	assert_int_equal(opens_to(other, "t", "1", "c", b, blen, pt,
	    sizeof(pt)), -1);
	blob_set_version(b2, 1);
	assert_int_equal(opens_to(kr, "t", "1", "c", b2, b2len, pt,
	    sizeof(pt)), -1);

	free(w1);
	free(w2);
	free(b);
	free(b2);
	keyring_free(&other);
	keyring_free(&kr);
	sodium_memzero(root, sizeof(root));
}

/* A blob naming a DEK version that is not loaded does not open. */
static void
test_dek_version_not_loaded(void **state)
{
	static const uint32_t versions[] = { 0, 2, 3, 0x100, 0x01000001,
	    0xffffffffu };
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	 pt[] = "x";
	unsigned char	*b;
	size_t		 blen, i;

	(void)state;
	seal(kr, "t", "1", "c", pt, sizeof(pt), &b, &blen);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		blob_set_version(b, versions[i]);
		assert_int_equal(opens_to(kr, "t", "1", "c", b, blen, pt,
		    sizeof(pt)), -1);
	}
	free(b);
	keyring_free(&kr);
}

/* The current DEK is the highest loaded, whatever the load order. */
static void
test_dek_current_is_highest(void **state)
{
	unsigned char	 root[KEYRING_KEY_LEN];
	struct keyring	*maker, *kr;
	unsigned char	*w[3];
	size_t		 wl[3];
	uint32_t	 v;

	(void)state;
	maker = kr_random(root);
	for (v = 1; v <= 3; v++)
		assert_int_equal(keyring_dek_create(maker, v, &w[v - 1],
		    &wl[v - 1]), 0);
	kr = keyring_new(root);
	assert_non_null(kr);
	assert_int_equal(keyring_dek_load(kr, 3, w[2], wl[2]), 0);
	assert_int_equal(keyring_dek_current(kr), 3);
	assert_int_equal(keyring_dek_load(kr, 1, w[0], wl[0]), 0);
	assert_int_equal(keyring_dek_current(kr), 3);
	assert_int_equal(keyring_dek_load(kr, 2, w[1], wl[1]), 0);
	assert_int_equal(keyring_dek_current(kr), 3);
	/* Loading a version twice is refused. */
	assert_int_equal(keyring_dek_load(kr, 2, w[1], wl[1]), -1);
	/* A DEK wrapped as v1 does not load as v2: the name is in the AD. */
	keyring_free(&kr);
	kr = keyring_new(root);
	assert_non_null(kr);
	assert_int_equal(keyring_dek_load(kr, 2, w[0], wl[0]), -1);
	assert_int_equal(keyring_dek_current(kr), 0);
	/* Version 0 means "none" and cannot be created. */
	free(w[0]);
	assert_int_equal(keyring_dek_create(kr, 0, &w[0], &wl[0]), -1);
	assert_null(w[0]);
	free(w[1]);
	free(w[2]);
	keyring_free(&kr);
	keyring_free(&maker);
}

static void
test_dek_load_wrong_root(void **state)
{
	struct keyring	*a = kr_random(NULL), *b = kr_random(NULL);
	unsigned char	*w;
	size_t		 wlen;

	(void)state;
	assert_int_equal(keyring_dek_create(a, 1, &w, &wlen), 0);
	assert_int_equal(keyring_dek_load(b, 1, w, wlen), -1);
	assert_int_equal(keyring_dek_current(b), 0);
	/* An altered wrapped DEK is refused too. */
	w[wlen - 1] ^= 1;
	assert_int_equal(keyring_dek_load(a, 5, w, wlen), -1);
	free(w);
	keyring_free(&a);
	keyring_free(&b);
}

static void
test_dek_limit(void **state)
{
	struct keyring	*kr = kr_random(NULL);
	unsigned char	*w;
	size_t		 wlen;
	uint32_t	 v;

	(void)state;
	for (v = 1; v <= KEYRING_MAX_DEKS; v++) {
		assert_int_equal(keyring_dek_create(kr, v, &w, &wlen), 0);
		free(w);
	}
	assert_int_equal(keyring_dek_create(kr, v, &w, &wlen), -1);
	assert_null(w);
	assert_int_equal(keyring_dek_current(kr), KEYRING_MAX_DEKS);
	keyring_free(&kr);
}

static void
test_wrap_unwrap(void **state)
{
	unsigned char	 root[KEYRING_KEY_LEN], pt[KEYRING_KEY_LEN];
	struct keyring	*kr, *same, *other;
	unsigned char	*b, *out = NULL;
	size_t		 blen, outlen = 0;

	(void)state;
	kr = kr_random(root);
	same = keyring_new(root);
	assert_non_null(same);
	other = kr_random(NULL);
	randombytes_buf(pt, sizeof(pt));

	assert_int_equal(keyring_wrap(kr, "token_pepper", pt, sizeof(pt), &b,
	    &blen), 0);
	assert_int_equal(blen, WRAP_HDR + sizeof(pt) + TAG_LEN);
	assert_int_equal(b[0], 0x02);
	assert_null(memmem(b, blen, pt, sizeof(pt)));

	/* The same root key, in another keyring, unwraps it. */
	assert_int_equal(keyring_unwrap(same, "token_pepper", b, blen, &out,
	    &outlen), 0);
	assert_int_equal(outlen, sizeof(pt));
	assert_memory_equal(out, pt, sizeof(pt));
	keyring_secret_free(&out);
	assert_null(out);

	/* A different root key does not. */
	out = (unsigned char *)1;
	assert_int_equal(keyring_unwrap(other, "token_pepper", b, blen, &out,
	    &outlen), -1);
	assert_null(out);
	/* Nor another name. */
	out = (unsigned char *)1;
	assert_int_equal(keyring_unwrap(kr, "audit_key", b, blen, &out,
	    &outlen), -1);
	assert_null(out);
	assert_int_equal(keyring_unwrap(kr, "token_peppe", b, blen, &out,
	    &outlen), -1);
	assert_int_equal(keyring_unwrap(kr, "", b, blen, &out, &outlen), -1);

	free(b);
	keyring_free(&kr);
	keyring_free(&same);
	keyring_free(&other);
	sodium_memzero(root, sizeof(root));
}

static void
test_wrap_empty_and_bit_flips(void **state)
{
	struct keyring	*kr = kr_random(NULL);
	unsigned char	 pt[8] = "abcdefg";
	unsigned char	*b, *m, *out;
	size_t		 blen, outlen, i;
	int		 bit;

	(void)state;
	assert_int_equal(keyring_wrap(kr, "n", pt, 0, &b, &blen), 0);
	assert_int_equal(blen, WRAP_HDR + TAG_LEN);
	assert_int_equal(keyring_unwrap(kr, "n", b, blen, &out, &outlen), 0);
	assert_int_equal(outlen, 0);
	keyring_secret_free(&out);
	free(b);

	assert_int_equal(keyring_wrap(kr, "n", pt, sizeof(pt), &b, &blen), 0);
	m = malloc(blen);
	assert_non_null(m);
	for (i = 0; i < blen; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(m, b, blen);
			m[i] ^= (unsigned char)(1u << bit);
			out = (unsigned char *)1;
			assert_int_equal(keyring_unwrap(kr, "n", m, blen, &out,
			    &outlen), -1);
			assert_null(out);
		}
	for (i = 0; i < blen; i++)
		assert_int_equal(keyring_unwrap(kr, "n", b, i, &out, &outlen),
		    -1);
	free(m);
	free(b);
	keyring_free(&kr);
}

/* A wrapped blob is not a sealed blob, and the reverse. */
static void
test_wrap_and_seal_do_not_mix(void **state)
{
	struct keyring	*kr = kr_with_dek(1);
	unsigned char	 pt[] = "p";
	unsigned char	*b, *out;
	size_t		 blen, outlen;

	(void)state;
	assert_int_equal(keyring_wrap(kr, "n", pt, sizeof(pt), &b, &blen), 0);
	assert_int_equal(keyring_open(kr, "t", "1", "c", b, blen, &out,
	    &outlen), -1);
	assert_null(out);
	free(b);
	seal(kr, "t", "1", "c", pt, sizeof(pt), &b, &blen);
	assert_int_equal(keyring_unwrap(kr, "n", b, blen, &out, &outlen), -1);
	assert_null(out);
	free(b);
	keyring_free(&kr);
}

static struct keyring *
kr_with_pepper(unsigned char pepper[KEYRING_KEY_LEN])
{
	struct keyring *kr = kr_random(NULL);

	randombytes_buf(pepper, KEYRING_KEY_LEN);
	assert_int_equal(keyring_set_pepper(kr, pepper, KEYRING_KEY_LEN), 0);
	return kr;
}

static void
test_token_hash(void **state)
{
	static const char t1[] = "kdat_AAAAAAAAAAAA"
	    "secretsecretsecretsecretsecret12000000";
	static const char t2[] = "kdat_AAAAAAAAAAAA"
	    "secretsecretsecretsecretsecret13000000";
	unsigned char	 p1[KEYRING_KEY_LEN], p2[KEYRING_KEY_LEN];
	unsigned char	 h1[KEYRING_HASH_LEN], h2[KEYRING_HASH_LEN];
	unsigned char	 h3[KEYRING_HASH_LEN], want[KEYRING_HASH_LEN];
	struct keyring	*a, *b;

	(void)state;
	a = kr_with_pepper(p1);
	b = kr_with_pepper(p2);
	assert_memory_not_equal(p1, p2, sizeof(p1));

	assert_int_equal(keyring_token_hash(a, t1, strlen(t1), h1), 0);
	assert_int_equal(keyring_token_hash(a, t1, strlen(t1), h2), 0);
	assert_memory_equal(h1, h2, sizeof(h1));	/* deterministic */
	/* It is BLAKE2b-256 keyed with the pepper, over the whole token. */
	assert_int_equal(crypto_generichash(want, sizeof(want),
	    (const unsigned char *)t1, strlen(t1), p1, sizeof(p1)), 0);
	assert_memory_equal(h1, want, sizeof(h1));

	assert_int_equal(keyring_token_hash(b, t1, strlen(t1), h2), 0);	/* another pepper */
	assert_memory_not_equal(h1, h2, sizeof(h1));
	assert_int_equal(keyring_token_hash(a, t2, strlen(t2), h3), 0);	/* another token */
	assert_memory_not_equal(h1, h3, sizeof(h1));
	assert_int_equal(keyring_token_hash(a, t1, strlen(t1) - 1, h3), 0);	/* a prefix of it */
	assert_memory_not_equal(h1, h3, sizeof(h1));

	keyring_free(&a);
	keyring_free(&b);
	sodium_memzero(p1, sizeof(p1));
	sodium_memzero(p2, sizeof(p2));
}

static void
test_set_pepper(void **state)
{
	static const char tok[] = "kdpk_token";
	unsigned char	 p[KEYRING_KEY_LEN + 1], q[KEYRING_KEY_LEN];
	unsigned char	 h1[KEYRING_HASH_LEN], h2[KEYRING_HASH_LEN];
	struct keyring	*kr = kr_random(NULL);

	(void)state;
	randombytes_buf(p, sizeof(p));
	randombytes_buf(q, sizeof(q));
	assert_int_equal(keyring_set_pepper(kr, p, 0), -1);
	assert_int_equal(keyring_set_pepper(kr, p, KEYRING_KEY_LEN - 1), -1);
	assert_int_equal(keyring_set_pepper(kr, p, KEYRING_KEY_LEN + 1), -1);
	assert_int_equal(keyring_set_pepper(kr, p, KEYRING_KEY_LEN), 0);
	assert_int_equal(keyring_token_hash(kr, tok, strlen(tok), h1), 0);
	/* A second pepper is refused and does not replace the first. */
	assert_int_equal(keyring_set_pepper(kr, q, KEYRING_KEY_LEN), -1);
	assert_int_equal(keyring_set_pepper(kr, p, KEYRING_KEY_LEN), -1);
	assert_int_equal(keyring_token_hash(kr, tok, strlen(tok), h2), 0);
	assert_memory_equal(h1, h2, sizeof(h1));
	keyring_free(&kr);
}

static void
test_free_null(void **state)
{
	struct keyring	*kr = NULL;
	unsigned char	*p = NULL;

	(void)state;
	keyring_free(&kr);
	keyring_free(NULL);
	keyring_secret_free(&p);
	keyring_secret_free(NULL);
	assert_null(kr);
	assert_null(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_open_round_trip),
		cmocka_unit_test(test_seal_without_dek),
		cmocka_unit_test(test_seal_every_bit_flip),
		cmocka_unit_test(test_seal_truncated_or_extended),
		cmocka_unit_test(test_seal_ad_binding),
		cmocka_unit_test(test_seal_ad_is_injective),
		cmocka_unit_test(test_seal_whatever_seals_opens),
		cmocka_unit_test(test_seal_too_large),
		cmocka_unit_test(test_dek_version_rewrite),
		cmocka_unit_test(test_dek_version_not_loaded),
		cmocka_unit_test(test_dek_current_is_highest),
		cmocka_unit_test(test_dek_load_wrong_root),
		cmocka_unit_test(test_dek_limit),
		cmocka_unit_test(test_wrap_unwrap),
		cmocka_unit_test(test_wrap_empty_and_bit_flips),
		cmocka_unit_test(test_wrap_and_seal_do_not_mix),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_set_pepper),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
