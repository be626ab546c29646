/* audit chain: canonical encoding, hash chain, checkpoints, and the
 * verifier naming the first bad seq for each kind of tampering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keyd/audit_chain.h"

#define N	10	/* records in the test chain */
#define NCP	3	/* checkpoints at 4, 8 and 10 */

struct chain {
	unsigned char	pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char	sk[crypto_sign_SECRETKEYBYTES];
	struct audit_rec r[N + 2];	/* room for an insertion */
	struct audit_cp	cp[NCP];
	int		nr, ncp;
};

static const int64_t cp_at[NCP] = { 4, 8, 10 };

static void
rec_fill(struct audit_rec *r, int64_t seq)
{
	char path[64];

	audit_rec_init(r, "request");
	r->seq = seq;
	r->time_us = 1700000000000000LL + seq * 1000;
	snprintf(path, sizeof(path), "/oauth/token/%lld", (long long)seq);
	AUDIT_SET(r, path, path);
	AUDIT_SET(r, client, "okta-prod");
	AUDIT_SET(r, method, "POST");
	AUDIT_SET(r, decision, "allow");
	r->status = 200;
	r->latency_us = 812;
}

/* Hash R[FROM..NR) again from R[FROM-1], as a forger who knows the
 * algorithm would, and re-sign nothing. */
static void
rehash(struct chain *c, int from)
{
	unsigned char	prev[AUDIT_HASH_LEN] = { 0 };
	int		i;

	if (from > 0)
		memcpy(prev, c->r[from - 1].hash, AUDIT_HASH_LEN);
	for (i = from; i < c->nr; i++) {
		audit_rec_hash(prev, &c->r[i], c->r[i].hash);
		memcpy(prev, c->r[i].hash, AUDIT_HASH_LEN);
	}
}

static void
build(struct chain *c)
{
	int i, j;

	memset(c, 0, sizeof(*c));
	crypto_sign_keypair(c->pk, c->sk);
	for (i = 0; i < N; i++)
		rec_fill(&c->r[i], i + 1);
	c->nr = N;
	rehash(c, 0);
	for (j = 0; j < NCP; j++) {
		c->cp[j].seq = cp_at[j];
		c->cp[j].time_us = c->r[cp_at[j] - 1].time_us + 1;
		memcpy(c->cp[j].hash, c->r[cp_at[j] - 1].hash, AUDIT_HASH_LEN);
		audit_cp_sign(&c->cp[j], c->sk);
	}
	c->ncp = NCP;
}

/* Feed the chain as stored: each checkpoint after the record it covers
 * (by position, so a moved record drags no checkpoint along). Returns the
 * verifier's bad_seq, 0 when the chain holds. */
static int64_t
walk(const struct chain *c, int64_t head, int signed_tail)
{
	struct audit_verify	v;
	int			i, j = 0;

	audit_verify_init(&v, c->pk);
	/* a checkpoint standing before every record anchors the chain */
	while (j < c->ncp && (c->nr == 0 || c->cp[j].seq < c->r[0].seq))
		(void)!audit_verify_checkpoint(&v, &c->cp[j++]);
	for (i = 0; i < c->nr; i++) {
		(void)!audit_verify_record(&v, &c->r[i]);
		while (j < c->ncp && c->cp[j].seq <= c->r[i].seq)
			(void)!audit_verify_checkpoint(&v, &c->cp[j++]);
	}
	while (j < c->ncp)
		(void)!audit_verify_checkpoint(&v, &c->cp[j++]);
	(void)!audit_verify_end(&v, head, NULL, signed_tail);
	if (v.bad_seq != 0)
		print_message("bad seq %lld: %s\n", (long long)v.bad_seq, v.why);
	return v.bad_seq;
}

static void
remove_rec(struct chain *c, int idx)
{
	memmove(&c->r[idx], &c->r[idx + 1], sizeof(c->r[0]) *
	    (size_t)(c->nr - idx - 1));
	c->nr--;
}

static void
test_intact(void **state)
{
	struct chain c;

	(void)state;
	build(&c);
	assert_int_equal(walk(&c, N, 1), 0);
}

/* The encoding is a published format: a change to it must be deliberate.
 * This pins the hash of one record; docs/audit.md has the same vector. */
static void
test_pinned_vector(void **state)
{
	struct audit_rec	r;
	unsigned char		zero[AUDIT_HASH_LEN] = { 0 }, h[AUDIT_HASH_LEN];
	unsigned char		enc[AUDIT_ENC_MAX];
	char			hex[AUDIT_HASH_LEN * 2 + 1];

	(void)state;
	audit_rec_init(&r, "keyd.start");
	r.seq = 1;
	r.time_us = 1700000000000000LL;
	AUDIT_SET(&r, reason, "version=0.1.0");
	assert_int_equal(audit_rec_encode(&r, enc), 21 + 2 * 9 + 15 + 18 +
	    15);
	audit_rec_hash(zero, &r, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	assert_string_equal(hex, "f340cd224c01e892fef157fdc5b1f6a1"
	    "e57b3a680e035faad215e86f53089d85");
}

static void
test_edit_field(void **state)
{
	struct chain c;

	(void)state;
	build(&c);
	AUDIT_SET(&c.r[5], client, "mallory");
	assert_int_equal(walk(&c, N, 1), 6);
	build(&c);
	c.r[2].status = 500;
	assert_int_equal(walk(&c, N, 1), 3);
	build(&c);
	c.r[6].status = AUDIT_NULL;	/* a field made null */
	assert_int_equal(walk(&c, N, 1), 7);
	build(&c);
	c.r[7].hash[0] ^= 1;		/* the stored hash itself */
	assert_int_equal(walk(&c, N, 1), 8);
}

static void
test_delete(void **state)
{
	struct chain c;

	(void)state;
	build(&c);
	remove_rec(&c, 5);		/* seq 6 */
	assert_int_equal(walk(&c, N, 1), 6);
	build(&c);
	remove_rec(&c, 0);		/* the first */
	assert_int_equal(walk(&c, N, 1), 1);
}

static void
test_insert(void **state)
{
	struct chain c;

	(void)state;
	/* a forged seq 6 chained correctly onto seq 5: the real seq 6 that
	 * follows is then out of place */
	build(&c);
	memmove(&c.r[6], &c.r[5], sizeof(c.r[0]) * (N - 5));
	c.nr++;
	rec_fill(&c.r[5], 6);
	AUDIT_SET(&c.r[5], client, "ghost");
	audit_rec_hash(c.r[4].hash, &c.r[5], c.r[5].hash);
	assert_int_equal(walk(&c, N, 1), 6);
	/* the forged record renumbered in: seq 6 is the forgery, and its
	 * successors no longer hash */
	build(&c);
	memmove(&c.r[6], &c.r[5], sizeof(c.r[0]) * (N - 5));
	c.nr++;
	rec_fill(&c.r[5], 6);
	AUDIT_SET(&c.r[5], client, "ghost");
	c.r[5].hash[0] ^= 0x55;
	assert_int_equal(walk(&c, N, 1), 6);
}

static void
test_swap(void **state)
{
	struct chain		c;
	struct audit_rec	t;
	int64_t			s;

	(void)state;
	/* rows exchanged whole (seq and all) */
	build(&c);
	t = c.r[3];
	c.r[3] = c.r[6];
	c.r[6] = t;
	assert_int_equal(walk(&c, N, 1), 4);
	/* contents exchanged under the seqs, as an UPDATE would */
	build(&c);
	t = c.r[3];
	c.r[3] = c.r[6];
	c.r[6] = t;
	s = c.r[3].seq;
	c.r[3].seq = c.r[6].seq;
	c.r[6].seq = s;
	assert_int_equal(walk(&c, N, 1), 4);
}

static void
test_truncate(void **state)
{
	struct chain c;

	(void)state;
	/* keyd knows it wrote 10 */
	build(&c);
	c.nr = 8;
	c.ncp = 2;
	assert_int_equal(walk(&c, N, 0), 9);
	/* offline: an export must end in a checkpoint */
	build(&c);
	c.nr = 9;
	c.ncp = 2;
	assert_int_equal(walk(&c, 0, 1), 9);
	/* the last checkpoint kept, records under it cut */
	build(&c);
	c.nr = 9;
	assert_int_equal(walk(&c, 0, 1), 10);
}

static void
test_bad_signature(void **state)
{
	struct chain	c;
	unsigned char	pk2[crypto_sign_PUBLICKEYBYTES];
	unsigned char	sk2[crypto_sign_SECRETKEYBYTES];

	(void)state;
	build(&c);
	c.cp[0].sig[10] ^= 1;
	assert_int_equal(walk(&c, N, 1), 4);
	build(&c);
	c.cp[1].seq = 7;		/* moved onto another record */
	assert_int_equal(walk(&c, N, 1), 7);
	/* signed by someone else's key */
	build(&c);
	crypto_sign_keypair(pk2, sk2);
	audit_cp_sign(&c.cp[2], sk2);
	assert_int_equal(walk(&c, N, 1), 10);
}

/* A forger who edits seq 6 and recomputes every later hash passes the
 * hash checks, but not the next signed checkpoint: the verifier names
 * the first seq the signature no longer vouches for. */
static void
test_rehash_caught_by_checkpoint(void **state)
{
	struct chain c;

	(void)state;
	build(&c);
	AUDIT_SET(&c.r[5], client, "mallory");
	rehash(&c, 5);
	assert_int_equal(walk(&c, N, 1), 5);
}

static void
test_start_at_checkpoint(void **state)
{
	struct chain	c;
	int		i;

	(void)state;
	/* retention removed seq 1-4; checkpoint 4 anchors the rest */
	build(&c);
	for (i = 0; i < 4; i++)
		remove_rec(&c, 0);
	assert_int_equal(walk(&c, N, 1), 0);
	/* and without the anchor, seq 5 stands on nothing */
	build(&c);
	for (i = 0; i < 4; i++)
		remove_rec(&c, 0);
	memmove(&c.cp[0], &c.cp[1], sizeof(c.cp[0]) * 2);
	c.ncp = 2;
	assert_int_equal(walk(&c, N, 1), 4);
}

static void
test_json_roundtrip(void **state)
{
	struct chain		 c;
	struct audit_rec	 r;
	struct audit_cp		 cp;
	json_t			*o;
	char			 why[AUDIT_WHY_MAX];

	(void)state;
	build(&c);
	o = audit_rec_to_json(&c.r[3]);
	assert_non_null(o);
	assert_true(json_is_null(json_object_get(o, "upstream")));
	assert_int_equal(audit_rec_from_json(o, &r, why, sizeof(why)), 0);
	assert_memory_equal(&r, &c.r[3], sizeof(r));
	json_object_set_new(o, "extra", json_string("x"));
	assert_int_equal(audit_rec_from_json(o, &r, why, sizeof(why)), -1);
	json_object_del(o, "extra");
	json_object_del(o, "client");
	assert_int_equal(audit_rec_from_json(o, &r, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "client"));
	json_decref(o);
	o = audit_cp_to_json(&c.cp[1]);
	assert_int_equal(audit_cp_from_json(o, &cp, why, sizeof(why)), 0);
	assert_memory_equal(&cp, &c.cp[1], sizeof(cp));
	assert_int_equal(audit_cp_check(&cp, c.pk), 0);
	json_decref(o);
}

static void
test_str_set(void **state)
{
	char	small[8], buf[64];

	(void)state;
	audit_str_set(buf, sizeof(buf), "a\x01" "b\x7f" "c\n");
	assert_string_equal(buf, "a?b?c?");
	audit_str_set(buf, sizeof(buf), "caf\xc3\xa9 \xff\xc3");
	assert_string_equal(buf, "caf\xc3\xa9 ??");
	audit_str_set(buf, sizeof(buf), "\xc2\x85" "x");	/* C1 NEL */
	assert_string_equal(buf, "??x");
	audit_str_set(small, sizeof(small), "abcdef\xc3\xa9");
	assert_string_equal(small, "abcdef");	/* no half character */
	audit_str_set(small, sizeof(small), NULL);
	assert_string_equal(small, "");
	/* cuts inside and at the end of an ASCII run */
	audit_str_set(small, sizeof(small), "abcdefghij");
	assert_string_equal(small, "abcdefg");
	audit_str_set(small, sizeof(small), "abcdefg");
	assert_string_equal(small, "abcdefg");
	audit_str_set(small, sizeof(small), "\xc3\xa9" "abcdefgh");
	assert_string_equal(small, "\xc3\xa9" "abcde");
	audit_str_set(small, sizeof(small), "abcdef\x01zz");
	assert_string_equal(small, "abcdef?");
	audit_str_set(small, sizeof(small), "abcdefg\x01");
	assert_string_equal(small, "abcdefg");
	audit_str_set(buf, sizeof(buf), "\x7f\x7f" "ok " "\xe2\x82\xac" " \x1b[0m");
	assert_string_equal(buf, "??ok \xe2\x82\xac ?[0m");
	audit_str_set(small, 1, "abc");
	assert_string_equal(small, "");
}

static void
test_pubkey_text(void **state)
{
	unsigned char	pk[AUDIT_PK_LEN], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char	back[AUDIT_PK_LEN];
	char		s[AUDIT_PK_B64_LEN];

	(void)state;
	crypto_sign_keypair(pk, sk);
	audit_pk_format(pk, s);
	assert_int_equal(audit_pk_parse(s, back), 0);
	assert_memory_equal(pk, back, sizeof(pk));
	assert_int_equal(audit_pk_parse("not a key", back), -1);
	s[3] = '*';
	assert_int_equal(audit_pk_parse(s, back), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact),
		cmocka_unit_test(test_pinned_vector),
		cmocka_unit_test(test_edit_field),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_rehash_caught_by_checkpoint),
		cmocka_unit_test(test_start_at_checkpoint),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_str_set),
		cmocka_unit_test(test_pubkey_text),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
