/* token: generation, format and checksum checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyd/token.h"

#define NDISTINCT	10000

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static const enum token_kind kinds[] = { TOKEN_PK, TOKEN_AT, TOKEN_ADM };

static int
is_b62(int c)
{
	return c != '\0' && strchr(b62, c) != NULL;
}

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* Secret-bearing buffers live in sodium_malloc memory, as in keyd. */
static char *
tok_new(enum token_kind kind, size_t *len)
{
	char *t = sodium_malloc(TOKEN_MAX_LEN + 1);

	assert_non_null(t);
	*len = token_generate(kind, t);
	return t;
}

static void
tok_free(char *t)
{
	sodium_memzero(t, TOKEN_MAX_LEN + 1);
	sodium_free(t);
}

static enum token_err
parse(const char *s, size_t len)
{
	struct token_ref ref;

	return token_parse(s, len, &ref);
}

static void
test_crc32_check_values(void **state)
{
	static const struct {
		const char	*in;
		uint32_t	 crc;
	} t[] = {
		{ "", 0x00000000 },
		{ "a", 0xe8b7be43 },
		{ "123456789", 0xcbf43926 },
		{ "The quick brown fox jumps over the lazy dog", 0x414fa339 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(token_crc32(t[i].in, strlen(t[i].in)), t[i].crc);
}

/* Made with Python: zlib.crc32, then six base62 digits, big-endian. */
static void
test_known_vectors(void **state)
{
	static const struct {
		const char	*tok;
		enum token_kind	 kind;
		const char	*id;
	} t[] = {
		{ "kdpk_000000000000000000000000000000000000000000004X4wer",
		  TOKEN_PK, "000000000000" },
		{ "kdat_ABCDEFGHIJKLabcdefghijklmnopqrstuvwxyz01234544DCjg",
		  TOKEN_AT, "ABCDEFGHIJKL" },
		/* check 0x30cf8fdc encodes with a leading zero digit */
		{ "kdadm_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz0tQ3g4",
		  TOKEN_ADM, "zzzzzzzzzzzz" },
	};
	struct token_ref ref;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(token_parse(t[i].tok, strlen(t[i].tok), &ref),
		    TOKEN_OK);
		assert_int_equal(ref.kind, t[i].kind);
		assert_string_equal(ref.id, t[i].id);
	}
}

static void
test_round_trip(void **state)
{
	struct token_ref ref;
	const char *prefix;
	size_t i, k, len, plen;
	char *t;

	(void)state;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		prefix = token_kind_prefix(kinds[k]);
		plen = strlen(prefix);
		for (i = 0; i < 200; i++) {
			t = tok_new(kinds[k], &len);
			assert_int_equal(len, plen + 1 + TOKEN_ID_LEN +
			    TOKEN_SECRET_LEN + TOKEN_CHECK_LEN);
			assert_int_equal(strlen(t), len);
			assert_memory_equal(t, prefix, plen);
			assert_int_equal(t[plen], '_');
			assert_int_equal(token_parse(t, len, &ref), TOKEN_OK);
			assert_int_equal(ref.kind, kinds[k]);
			assert_memory_equal(ref.id, t + plen + 1, TOKEN_ID_LEN);
			assert_int_equal(ref.id[TOKEN_ID_LEN], '\0');
			tok_free(t);
		}
	}
	assert_int_equal(strlen(token_kind_prefix(TOKEN_ADM)) + 1 +
	    TOKEN_ID_LEN + TOKEN_SECRET_LEN + TOKEN_CHECK_LEN, TOKEN_MAX_LEN);
}

/* Every byte value at every position: the prefix and non-base62 bytes are
 * malformed; any other base62 char in the body breaks the checksum (CRC-32
 * catches every single-byte error). */
static void
test_every_single_change(void **state)
{
	enum token_err want;
	size_t k, pos, len, plen;
	char *t, orig;
	int c;

	(void)state;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		t = tok_new(kinds[k], &len);
		plen = strlen(token_kind_prefix(kinds[k])) + 1;
		for (pos = 0; pos < len; pos++) {
			orig = t[pos];
			for (c = 0; c < 256; c++) {
				if ((char)c == orig)
					continue;
				t[pos] = (char)c;
				want = pos >= plen && is_b62(c) ?
				    TOKEN_ECHECKSUM : TOKEN_EMALFORMED;
				assert_int_equal(parse(t, len), want);
			}
			t[pos] = orig;
		}
		assert_int_equal(parse(t, len), TOKEN_OK);
		tok_free(t);
	}
}

static void
test_wrong_prefix(void **state)
{
	static const char *const bad[] = {
		"", "_", "kdpk", "kdpk-", "KDPK_", "Kdpk_", "kdp_", "kdpkk_",
		"kd_", "kdadm", "kdadm-", "kdatm_", "kdam_", "xdpk_", "kdpk__",
		" kdpk_", "kdpk _", "ghp_", "kdpk:",
	};
	char buf[128];
	size_t i, len, n;
	char *t;

	(void)state;
	t = tok_new(TOKEN_PK, &len);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = strlen(bad[i]);
		memcpy(buf, bad[i], n);
		memcpy(buf + n, t + 5, len - 5);
		assert_int_equal(parse(buf, n + len - 5), TOKEN_EMALFORMED);
	}
	tok_free(t);
}

/* The prefix is under the checksum: relabelling a token's kind is caught. */
static void
test_prefix_swap(void **state)
{
	size_t len;
	char *t;

	(void)state;
	t = tok_new(TOKEN_AT, &len);
	memcpy(t, "kdpk", 4);
	assert_int_equal(parse(t, len), TOKEN_ECHECKSUM);
	memcpy(t, "kdat", 4);
	assert_int_equal(parse(t, len), TOKEN_OK);
	tok_free(t);
}

static void
test_lengths(void **state)
{
	char buf[TOKEN_MAX_LEN + 8];
	size_t k, len;
	char *t;

	(void)state;
	assert_int_equal(parse("", 0), TOKEN_EMALFORMED);
	assert_int_equal(parse(NULL, 0), TOKEN_EMALFORMED);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		t = tok_new(kinds[k], &len);
		memcpy(buf, t, len);
		assert_int_equal(parse(buf, len - 1), TOKEN_EMALFORMED);
		buf[len] = 'A';
		assert_int_equal(parse(buf, len + 1), TOKEN_EMALFORMED);
		/* a trailing NUL counted in LEN is not the token */
		buf[len] = '\0';
		assert_int_equal(parse(buf, len + 1), TOKEN_EMALFORMED);
		assert_int_equal(parse(buf, len), TOKEN_OK);
		tok_free(t);
	}
}

static void
test_non_base62(void **state)
{
	static const char bad[] = {
		'-', '_', '+', '/', '=', ' ', '.', '~', '\t', '\n', '\0',
		(char)0x80, (char)0xc3, (char)0xff,
	};
	size_t i, j, len;
	size_t pos[3];
	char *t, orig;

	(void)state;
	t = tok_new(TOKEN_ADM, &len);
	pos[0] = 6;
	pos[1] = len / 2;
	pos[2] = len - 1;
	for (i = 0; i < sizeof(bad); i++) {
		for (j = 0; j < 3; j++) {
			orig = t[pos[j]];
			t[pos[j]] = bad[i];
			assert_int_equal(parse(t, len), TOKEN_EMALFORMED);
			t[pos[j]] = orig;
		}
	}
	tok_free(t);
}

/* Each prefix of a token, in a heap block of exactly its size with no NUL
 * after it: ASan reports any read past LEN. */
static void
test_no_read_past_len(void **state)
{
	size_t k, n, len;
	char *t, *buf;

	(void)state;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		t = tok_new(kinds[k], &len);
		for (n = 1; n <= len; n++) {
			buf = malloc(n);
			assert_non_null(buf);
			memcpy(buf, t, n);
			assert_int_equal(parse(buf, n),
			    n == len ? TOKEN_OK : TOKEN_EMALFORMED);
			sodium_memzero(buf, n);
			free(buf);
		}
		tok_free(t);
	}
}

static void
test_ref_untouched_on_error(void **state)
{
	struct token_ref ref, before;
	size_t len;
	char *t;

	(void)state;
	memset(&ref, 0x5a, sizeof(ref));
	before = ref;
	t = tok_new(TOKEN_PK, &len);
	t[len - 1] = t[len - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(token_parse(t, len, &ref), TOKEN_ECHECKSUM);
	assert_memory_equal(&ref, &before, sizeof(ref));
	assert_int_equal(token_parse(t, len - 1, &ref), TOKEN_EMALFORMED);
	assert_memory_equal(&ref, &before, sizeof(ref));
	tok_free(t);
}

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, TOKEN_ID_LEN);
}

static void
test_distinct_and_uniform(void **state)
{
	char (*ids)[TOKEN_ID_LEN];
	unsigned long count[62] = { 0 };
	double expect, chi2 = 0;
	size_t i, j, len;
	char *t;

	(void)state;
	ids = malloc(NDISTINCT * sizeof(*ids));
	assert_non_null(ids);
	t = sodium_malloc(TOKEN_MAX_LEN + 1);
	assert_non_null(t);
	for (i = 0; i < NDISTINCT; i++) {
		len = token_generate(TOKEN_AT, t);
		memcpy(ids[i], t + 5, TOKEN_ID_LEN);
		for (j = 5; j < len - TOKEN_CHECK_LEN; j++)
			count[strchr(b62, t[j]) - b62]++;
	}
	tok_free(t);
	qsort(ids, NDISTINCT, sizeof(*ids), cmp_id);
	for (i = 1; i < NDISTINCT; i++)
		assert_true(memcmp(ids[i - 1], ids[i], TOKEN_ID_LEN) != 0);
	free(ids);

	/* Chi-squared over 440k characters, 61 degrees of freedom. A byte
	 * taken modulo 62 makes '0'..'7' 25% likelier, which scores in the
	 * thousands; a fair source exceeds 140 about once in 2 * 10^7 runs. */
	expect = (double)NDISTINCT * (TOKEN_ID_LEN + TOKEN_SECRET_LEN) / 62;
	for (i = 0; i < 62; i++)
		chi2 += (count[i] - expect) * (count[i] - expect) / expect;
	assert_true(chi2 < 140);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(token_kind_prefix(TOKEN_PK), "kdpk");
	assert_string_equal(token_kind_prefix(TOKEN_AT), "kdat");
	assert_string_equal(token_kind_prefix(TOKEN_ADM), "kdadm");
	assert_null(token_kind_prefix((enum token_kind)3));
	assert_string_not_equal(token_strerror(TOKEN_EMALFORMED),
	    token_strerror(TOKEN_ECHECKSUM));
	assert_non_null(token_strerror((enum token_err)99));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_check_values),
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_single_change),
		cmocka_unit_test(test_wrong_prefix),
		cmocka_unit_test(test_prefix_swap),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_non_base62),
		cmocka_unit_test(test_no_read_past_len),
		cmocka_unit_test(test_ref_untouched_on_error),
		cmocka_unit_test(test_distinct_and_uniform),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
