/* authn: bearer token checks over a real sqlite store and a peppered
 * keyring; every refusal reason, epochs, and the cache with its
 * invalidation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "keyd/authn.h"
#include "keyd/keyring.h"
#include "keyd/store.h"
#include "keyd/token.h"

#define NOW	1700000000
#define TTL	900

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct fix {
	char			 dir[64];
	char			 path[128];
	struct store		*st;
	struct keyring		*kr;
	struct authn		*a;
	struct client_rec	 client;
};

/* A minted token: the secret string in guarded memory, and its id. */
struct tok {
	char	*s;
	size_t	 len;
	char	 id[TOKEN_ID_LEN + 1];
};

static int
group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int
setup(void **state)
{
	unsigned char	 root[KEYRING_KEY_LEN], pepper[KEYRING_KEY_LEN];
	char		 err[STORE_ERR_MAX];
	struct fix	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if (testdir_make(f->dir, sizeof(f->dir), "authn") == -1)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/keyd.db", f->dir);
	if (store_open(f->path, &f->st, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	randombytes_buf(root, sizeof(root));
	randombytes_buf(pepper, sizeof(pepper));
	if ((f->kr = keyring_new(root)) == NULL ||
	    keyring_set_pepper(f->kr, pepper, sizeof(pepper)) != 0)
		return -1;
	sodium_memzero(root, sizeof(root));
	sodium_memzero(pepper, sizeof(pepper));
	if ((f->a = authn_new(f->st, f->kr, 64)) == NULL)
		return -1;
	if (store_client_create(f->st, "okta-prod", "scim-provisioner",
	    &f->client) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix	*f = *state;

	authn_free(&f->a);
	keyring_free(&f->kr);
	store_close(&f->st);
	testdir_remove(f->dir);
	free(f);
	return 0;
}

static void
tok_free(struct tok *t)
{
	if (t->s != NULL) {
		sodium_memzero(t->s, TOKEN_MAX_LEN + 1);
		sodium_free(t->s);
	}
	memset(t, 0, sizeof(*t));
}

/* A fresh token of KIND, not stored. */
static struct tok
tok_new(enum token_kind kind)
{
	struct token_ref	ref;
	struct tok		t;

	memset(&t, 0, sizeof(t));
	t.s = sodium_malloc(TOKEN_MAX_LEN + 1);
	assert_non_null(t.s);
	t.len = token_generate(kind, t.s);
	assert_int_equal(token_parse(t.s, t.len, &ref), TOKEN_OK);
	assert_int_equal(ref.kind, kind);
	memcpy(t.id, ref.id, sizeof(t.id));
	return t;
}

/* Mint a token of KIND for CLIENT_ID and store its keyed hash, as
 * creds.c does; EPOCH is the client's epoch (or key epoch) at issue. */
static struct tok
mint(struct fix *f, enum token_kind kind, int64_t client_id,
    const char *parent, int64_t epoch, int64_t expires)
{
	struct tok	t = tok_new(kind);
	struct cred_rec	c;

	memset(&c, 0, sizeof(c));
	memcpy(c.id, t.id, sizeof(c.id));
	c.kind = kind;
	c.client_id = client_id;
	snprintf(c.parent_id, sizeof(c.parent_id), "%s", parent);
	c.state = CRED_ACTIVE;
	assert_int_equal(keyring_token_hash(f->kr, t.s, t.len, c.hash), 0);
	c.epoch = epoch;
	snprintf(c.scope, sizeof(c.scope), "%s", kind == TOKEN_AT ?
	    "scim:User.read scim:User.search" : "");
	snprintf(c.name, sizeof(c.name), "%s", kind == TOKEN_ADM ? "ops" : "");
	c.created_at = NOW;
	c.expires_at = expires;
	assert_int_equal(store_cred_insert(f->st, &c), 0);
	return t;
}

static enum authn_result
check_at(struct fix *f, const struct tok *t, int64_t now)
{
	struct principal p;

	return authn_check(f->a, t->s, t->len, now, &p);
}

static enum authn_result
check(struct fix *f, const struct tok *t)
{
	return check_at(f, t, NOW);
}

/* Six base62 digits of CRC, big-endian, zero-padded (as token.c). */
static void
check_encode(uint32_t crc, char out[TOKEN_CHECK_LEN])
{
	int i;

	for (i = TOKEN_CHECK_LEN - 1; i >= 0; i--) {
		out[i] = b62[crc % 62];
		crc /= 62;
	}
}

/* Recompute T's check digits in place, for a body the test changed. */
static void
check_fix(char *t, size_t len)
{
	check_encode(token_crc32(t, len - TOKEN_CHECK_LEN),
	    t + len - TOKEN_CHECK_LEN);
}

/* A well-formed token with T's id but another secret. */
static struct tok
tok_other_secret(const struct tok *t)
{
	struct token_ref	ref;
	struct tok		o;
	size_t			plen = strlen(t->s) - TOKEN_ID_LEN -
	    TOKEN_SECRET_LEN - TOKEN_CHECK_LEN, i;

	memset(&o, 0, sizeof(o));
	o.s = sodium_malloc(TOKEN_MAX_LEN + 1);
	assert_non_null(o.s);
	memcpy(o.s, t->s, t->len + 1);
	o.len = t->len;
	for (i = plen + TOKEN_ID_LEN; i < plen + TOKEN_ID_LEN +
	    TOKEN_SECRET_LEN; i++)
		o.s[i] = b62[(strchr(b62, o.s[i]) - b62 + 1 + i) % 62];
	check_fix(o.s, o.len);
	assert_int_equal(token_parse(o.s, o.len, &ref), TOKEN_OK);
	assert_string_equal(ref.id, t->id);
	assert_memory_not_equal(o.s, t->s, o.len);
	memcpy(o.id, t->id, sizeof(o.id));
	return o;
}

static void
test_ok_access_token(void **state)
{
	struct fix		*f = *state;
	struct tok		 key, at;
	struct principal	 p;

	key = mint(f, TOKEN_PK, f->client.id, "", 0, 0);
	at = mint(f, TOKEN_AT, f->client.id, key.id, 0, NOW + TTL);
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(authn_check(f->a, at.s, at.len, NOW, &p), AUTHN_OK);
	assert_int_equal(p.kind, TOKEN_AT);
	assert_string_equal(p.cred_id, at.id);
	assert_string_equal(p.parent_id, key.id);
	assert_int_equal(p.client_id, f->client.id);
	assert_string_equal(p.client, "okta-prod");
	assert_string_equal(p.role, "scim-provisioner");
	assert_string_equal(p.scope, "scim:User.read scim:User.search");
	assert_int_equal(p.created_at, NOW);
	assert_int_equal(p.expires_at, NOW + TTL);
	/* Again, from the cache: the same answer. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(authn_check(f->a, at.s, at.len, NOW + 1, &p),
	    AUTHN_OK);
	assert_string_equal(p.cred_id, at.id);
	assert_string_equal(p.client, "okta-prod");
	tok_free(&key);
	tok_free(&at);
}

static void
test_ok_key_and_admin(void **state)
{
	struct fix		*f = *state;
	struct tok		 key, adm;
	struct principal	 p;

	key = mint(f, TOKEN_PK, f->client.id, "", 0, 0);
	assert_int_equal(authn_check(f->a, key.s, key.len, NOW, &p), AUTHN_OK);
	assert_int_equal(p.kind, TOKEN_PK);
	assert_string_equal(p.cred_id, key.id);
	assert_string_equal(p.parent_id, "");
	assert_string_equal(p.client, "okta-prod");
	assert_int_equal(p.expires_at, 0);

	adm = mint(f, TOKEN_ADM, 0, "", 0, 0);
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(authn_check(f->a, adm.s, adm.len, NOW, &p), AUTHN_OK);
	assert_int_equal(p.kind, TOKEN_ADM);
	assert_string_equal(p.cred_id, adm.id);
	assert_int_equal(p.client_id, 0);
	assert_string_equal(p.client, "");
	assert_string_equal(p.role, "");
	tok_free(&key);
	tok_free(&adm);
}

/* Junk and mis-checksummed tokens are refused before any lookup: this
 * authn has no store and no keyring, so a lookup or a hash would crash. */
static void
test_malformed(void **state)
{
	static const char *const junk[] = {
		"", "x", "kdat_", "kdat", "Bearer kdat_", "kdxx_AAAAAAAAAAAA",
		"kdat_0000000000000000000000000000000000000000000000000",
		"kdat_00000000000000000000000000000000000000000000000000",
		"kdat_000000000000000000000000000000000000000000000000000",
	};
	struct fix		*f = *state;
	struct authn		*blind;
	struct principal	 p;
	struct tok		 t, good;
	char			*m;
	size_t			 i;
	const char		*c;

	blind = authn_new(NULL, NULL, 4);
	assert_non_null(blind);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(authn_check(blind, junk[i], strlen(junk[i]),
		    NOW, &p), AUTHN_MALFORMED);

	/* A stored, valid token with any one character changed. */
	good = mint(f, TOKEN_AT, f->client.id, "", 0, NOW + TTL);
	m = sodium_malloc(TOKEN_MAX_LEN + 2);
	assert_non_null(m);
	for (i = 0; i < good.len; i++) {
		for (c = "0aZ_-k"; *c != '\0'; c++) {
			if (*c == good.s[i])
				continue;
			memcpy(m, good.s, good.len + 1);
			m[i] = *c;
			assert_int_equal(authn_check(blind, m, good.len, NOW,
			    &p), AUTHN_MALFORMED);
			assert_int_equal(authn_check(f->a, m, good.len, NOW,
			    &p), AUTHN_MALFORMED);
		}
	}
	/* Truncated, extended, or with a trailing newline. */
	assert_int_equal(authn_check(blind, good.s, good.len - 1, NOW, &p),
	    AUTHN_MALFORMED);
	memcpy(m, good.s, good.len);
	m[good.len] = '\n';
	assert_int_equal(authn_check(blind, m, good.len + 1, NOW, &p),
	    AUTHN_MALFORMED);
	m[good.len] = '0';
	assert_int_equal(authn_check(blind, m, good.len + 1, NOW, &p),
	    AUTHN_MALFORMED);
	/* The good one still works through the real authn. */
	assert_int_equal(check(f, &good), AUTHN_OK);

	/* A never-stored, well-formed token gets past the format check. */
	t = tok_new(TOKEN_AT);
	assert_int_equal(check(f, &t), AUTHN_UNKNOWN);
	sodium_memzero(m, TOKEN_MAX_LEN + 2);
	sodium_free(m);
	tok_free(&t);
	tok_free(&good);
	authn_free(&blind);
	assert_null(blind);
}

/* Same id, another secret, a valid checksum: the id is known, the keyed
 * hash is not. Checked on a cache miss and on a hit. */
static void
test_mismatch(void **state)
{
	struct fix	*f = *state;
	struct tok	 good, bad, swapped;

	good = mint(f, TOKEN_AT, f->client.id, "", 0, NOW + TTL);
	bad = tok_other_secret(&good);
	assert_int_equal(check(f, &bad), AUTHN_MISMATCH);	/* miss */
	assert_int_equal(check(f, &good), AUTHN_OK);
	assert_int_equal(check(f, &bad), AUTHN_MISMATCH);	/* hit */
	assert_int_equal(check(f, &good), AUTHN_OK);

	/* The same id and secret under another kind's prefix. */
	swapped = tok_new(TOKEN_PK);
	memcpy(swapped.s + 5, good.s + 5, good.len - 5 + 1);
	swapped.len = good.len;
	check_fix(swapped.s, swapped.len);
	memcpy(swapped.id, good.id, sizeof(swapped.id));
	assert_int_equal(check(f, &swapped), AUTHN_MISMATCH);

	tok_free(&good);
	tok_free(&bad);
	tok_free(&swapped);
}

static void
test_unknown(void **state)
{
	struct fix	*f = *state;
	struct tok	 t = tok_new(TOKEN_PK), u = tok_new(TOKEN_ADM);

	assert_int_equal(check(f, &t), AUTHN_UNKNOWN);
	assert_int_equal(check(f, &u), AUTHN_UNKNOWN);
	tok_free(&t);
	tok_free(&u);
}

static void
test_expired(void **state)
{
	struct fix	*f = *state;
	struct tok	 t, s;
	struct cred_rec	 c;

	t = mint(f, TOKEN_AT, f->client.id, "", 0, NOW + TTL);
	assert_int_equal(check_at(f, &t, NOW + TTL - 1), AUTHN_OK);
	assert_int_equal(check_at(f, &t, NOW + TTL), AUTHN_EXPIRED);
	assert_int_equal(check_at(f, &t, NOW + 10 * TTL), AUTHN_EXPIRED);
	authn_invalidate(f->a);
	assert_int_equal(check_at(f, &t, NOW + TTL), AUTHN_EXPIRED);

	/* A credential in state "expired" is expired whatever the time. */
	s = tok_new(TOKEN_PK);
	memset(&c, 0, sizeof(c));
	memcpy(c.id, s.id, sizeof(c.id));
	c.kind = TOKEN_PK;
	c.client_id = f->client.id;
	c.state = CRED_EXPIRED;
	assert_int_equal(keyring_token_hash(f->kr, s.s, s.len, c.hash), 0);
	c.created_at = NOW;
	assert_int_equal(store_cred_insert(f->st, &c), 0);
	assert_int_equal(check(f, &s), AUTHN_EXPIRED);
	tok_free(&t);
	tok_free(&s);
}

static void
test_revoked(void **state)
{
	struct fix	*f = *state;
	struct tok	 key, at, other;
	int64_t		 kids = -1;

	key = mint(f, TOKEN_PK, f->client.id, "", 0, 0);
	at = mint(f, TOKEN_AT, f->client.id, key.id, 0, NOW + TTL);
	other = mint(f, TOKEN_AT, f->client.id, "", 0, NOW + TTL);
	assert_int_equal(check(f, &at), AUTHN_OK);
	assert_int_equal(store_cred_revoke(f->st, other.id, NOW, NULL), 0);
	authn_invalidate(f->a);
	assert_int_equal(check(f, &other), AUTHN_REVOKED);
	assert_int_equal(check(f, &at), AUTHN_OK);

	/* Revoking the key kills the access token minted from it. */
	assert_int_equal(store_cred_revoke(f->st, key.id, NOW, &kids), 0);
	assert_int_equal(kids, 1);
	authn_invalidate(f->a);
	assert_int_equal(check(f, &key), AUTHN_REVOKED);
	assert_int_equal(check(f, &at), AUTHN_REVOKED);
	/* Revoked beats expired: the more useful reason. */
	assert_int_equal(check_at(f, &at, NOW + 2 * TTL), AUTHN_REVOKED);
	tok_free(&key);
	tok_free(&at);
	tok_free(&other);
}

/* An epoch bump revokes every access token at once; a key-epoch bump
 * revokes the provisioning keys too. */
static void
test_epoch_bump(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c;
	struct tok		 key, at, at2, adm;

	key = mint(f, TOKEN_PK, f->client.id, "", 0, 0);
	at = mint(f, TOKEN_AT, f->client.id, key.id, 0, NOW + TTL);
	adm = mint(f, TOKEN_ADM, 0, "", 0, 0);
	assert_int_equal(check(f, &key), AUTHN_OK);
	assert_int_equal(check(f, &at), AUTHN_OK);

	assert_int_equal(store_client_bump_epoch(f->st, f->client.id, 0, &c),
	    0);
	authn_invalidate(f->a);
	assert_int_equal(check(f, &at), AUTHN_REVOKED);
	assert_int_equal(check(f, &key), AUTHN_OK);	/* keys survive */
	assert_int_equal(check(f, &adm), AUTHN_OK);

	/* A token issued under the new epoch works. */
	at2 = mint(f, TOKEN_AT, f->client.id, key.id, c.epoch, NOW + TTL);
	assert_int_equal(check(f, &at2), AUTHN_OK);

	assert_int_equal(store_client_bump_epoch(f->st, f->client.id, 1, &c),
	    0);
	authn_invalidate(f->a);
	assert_int_equal(check(f, &key), AUTHN_REVOKED);
	assert_int_equal(check(f, &at2), AUTHN_REVOKED);
	assert_int_equal(check(f, &at), AUTHN_REVOKED);
	assert_int_equal(check(f, &adm), AUTHN_OK);	/* no client */
	tok_free(&key);
	tok_free(&at);
	tok_free(&at2);
	tok_free(&adm);
}

static void
test_disabled(void **state)
{
	struct fix	*f = *state;
	struct tok	 key, at, adm;

	key = mint(f, TOKEN_PK, f->client.id, "", 0, 0);
	at = mint(f, TOKEN_AT, f->client.id, key.id, 0, NOW + TTL);
	adm = mint(f, TOKEN_ADM, 0, "", 0, 0);
	assert_int_equal(check(f, &at), AUTHN_OK);
	assert_int_equal(store_client_set_enabled(f->st, f->client.id, 0), 0);
	authn_invalidate(f->a);
	assert_int_equal(check(f, &at), AUTHN_DISABLED);
	assert_int_equal(check(f, &key), AUTHN_DISABLED);
	assert_int_equal(check(f, &adm), AUTHN_OK);
	/* Expired wins over disabled. */
	assert_int_equal(check_at(f, &at, NOW + TTL), AUTHN_EXPIRED);
	assert_int_equal(store_client_set_enabled(f->st, f->client.id, 1), 0);
	authn_invalidate(f->a);
	assert_int_equal(check(f, &at), AUTHN_OK);
	assert_int_equal(check(f, &key), AUTHN_OK);
	tok_free(&key);
	tok_free(&at);
	tok_free(&adm);
}

/* The cache serves until invalidated: a store change alone is not seen,
 * which is why every revocation path must call authn_invalidate. */
static void
test_cache_until_invalidate(void **state)
{
	struct fix	*f = *state;
	struct tok	 at;

	at = mint(f, TOKEN_AT, f->client.id, "", 0, NOW + TTL);
	assert_int_equal(check(f, &at), AUTHN_OK);
	assert_int_equal(store_cred_revoke(f->st, at.id, NOW, NULL), 0);
	assert_int_equal(check(f, &at), AUTHN_OK);	/* served from cache */
	assert_int_equal(check(f, &at), AUTHN_OK);
	authn_invalidate(f->a);
	assert_int_equal(check(f, &at), AUTHN_REVOKED);
	assert_int_equal(check(f, &at), AUTHN_REVOKED);
	tok_free(&at);
}

/* A cache smaller than the working set still answers correctly. */
static void
test_cache_bound(void **state)
{
	struct fix	*f = *state;
	struct authn	*small;
	struct principal p;
	struct tok	 t[6];
	size_t		 i, round;

	small = authn_new(f->st, f->kr, 2);
	assert_non_null(small);
	for (i = 0; i < 6; i++)
		t[i] = mint(f, TOKEN_AT, f->client.id, "", 0, NOW + TTL);
	for (round = 0; round < 3; round++)
		for (i = 0; i < 6; i++) {
			assert_int_equal(authn_check(small, t[i].s, t[i].len,
			    NOW, &p), AUTHN_OK);
			assert_string_equal(p.cred_id, t[i].id);
		}
	assert_int_equal(store_cred_revoke(f->st, t[3].id, NOW, NULL), 0);
	authn_invalidate(small);
	for (i = 0; i < 6; i++)
		assert_int_equal(authn_check(small, t[i].s, t[i].len, NOW, &p),
		    i == 3 ? AUTHN_REVOKED : AUTHN_OK);
	for (i = 0; i < 6; i++)
		tok_free(&t[i]);
	authn_free(&small);
}

/* When the store fails, authn refuses (fails closed). */
static void
test_store_error_fails_closed(void **state)
{
	struct fix	*f = *state;
	struct tok	 t;
	sqlite3		*db;

	t = mint(f, TOKEN_AT, f->client.id, "", 0, NOW + TTL);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE credentials RENAME TO "
	    "credentials_gone", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(check(f, &t), AUTHN_ERROR);
	tok_free(&t);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(authn_strerror(AUTHN_OK), "ok");
	assert_string_equal(authn_strerror(AUTHN_MALFORMED), "malformed token");
	assert_string_equal(authn_strerror(AUTHN_REVOKED), "token revoked");
	assert_string_equal(authn_strerror(AUTHN_DISABLED), "client disabled");
	assert_string_equal(authn_strerror(AUTHN_ERROR), "store error");
	assert_string_equal(authn_strerror((enum authn_result)99), "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ok_access_token),
		T(test_ok_key_and_admin),
		T(test_malformed),
		T(test_mismatch),
		T(test_unknown),
		T(test_expired),
		T(test_revoked),
		T(test_epoch_bump),
		T(test_disabled),
		T(test_cache_until_invalidate),
		T(test_cache_bound),
		T(test_store_error_fails_closed),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
