/* proxy_rewrite: the upstream's base URL in an answer's body becomes
 * keyd's, whole or fed in pieces of any size, and nothing else changes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/proxy_rewrite.h"

#define FROM	"http://127.0.0.1:8080/scim/v2"
#define TO	"https://keyd.example:8443/scim/v2/hr"
/* the same in JSON's escaped form, as PHP's json_encode writes them */
#define FROM_E	"http:\\/\\/127.0.0.1:8080\\/scim\\/v2"
#define TO_E	"https:\\/\\/keyd.example:8443\\/scim\\/v2\\/hr"

struct rw_case {
	const char	*in;
	const char	*want;
	size_t		 count;
};

static const struct rw_case cases[] = {
	{ "", "", 0 },
	{ "{\"id\":\"1\"}", "{\"id\":\"1\"}", 0 },
	{ "{\"meta\":{\"location\":\"" FROM "/Users/1\"}}",
	    "{\"meta\":{\"location\":\"" TO "/Users/1\"}}", 1 },
	/* the base itself, a query, a fragment */
	{ "\"" FROM "\"", "\"" TO "\"", 1 },
	{ "\"" FROM "?x=1\"", "\"" TO "?x=1\"", 1 },
	{ "\"" FROM "#f\"", "\"" TO "#f\"", 1 },
	/* a longer name that starts the same is another URL */
	{ "\"" FROM "x/Users/1\"", "\"" FROM "x/Users/1\"", 0 },
	{ "\"" FROM "-old/Users\"", "\"" FROM "-old/Users\"", 0 },
	/* another host, another port, another scheme */
	{ "\"http://127.0.0.1:8081/scim/v2/Users/1\"",
	    "\"http://127.0.0.1:8081/scim/v2/Users/1\"", 0 },
	{ "\"https://127.0.0.1:8080/scim/v2/Users/1\"",
	    "\"https://127.0.0.1:8080/scim/v2/Users/1\"", 0 },
	/* a group's members, several per body */
	{ "{\"members\":[{\"value\":\"a\",\"$ref\":\"" FROM "/Users/a\"},"
	    "{\"value\":\"b\",\"$ref\":\"" FROM "/Users/b\"}]}",
	    "{\"members\":[{\"value\":\"a\",\"$ref\":\"" TO "/Users/a\"},"
	    "{\"value\":\"b\",\"$ref\":\"" TO "/Users/b\"}]}", 2 },
	/* a near miss right before a match */
	{ FROM "x" FROM "/Users", FROM "x" TO "/Users", 1 },
	{ "http://127.0.0.1:8080/scim/" FROM "/Users",
	    "http://127.0.0.1:8080/scim/" TO "/Users", 1 },
	/* at the very end of the body */
	{ "see " FROM, "see " TO, 1 },
	/* a prefix cut by the end of the body stays as it is */
	{ "see http://127.0.0.1:8080/sc", "see http://127.0.0.1:8080/sc", 0 },
	{ "h", "h", 0 },
	/* escaped slashes ("\/"), as PHP's json_encode writes them */
	{ "{\"meta\":{\"location\":\"" FROM_E "\\/Users\\/1\"}}",
	    "{\"meta\":{\"location\":\"" TO_E "\\/Users\\/1\"}}", 1 },
	{ "\"" FROM_E "\"", "\"" TO_E "\"", 1 },
	{ "\"" FROM_E "?x=1\"", "\"" TO_E "?x=1\"", 1 },
	{ "see " FROM_E, "see " TO_E, 1 },
	/* both forms in one body, each keeps its own */
	{ "[\"" FROM "/Users/a\",\"" FROM_E "\\/Users\\/b\"]",
	    "[\"" TO "/Users/a\",\"" TO_E "\\/Users\\/b\"]", 2 },
	/* escaped, then a longer name, or another escape than "\/" */
	{ "\"" FROM_E "x\\/Users\"", "\"" FROM_E "x\\/Users\"", 0 },
	{ "\"" FROM_E "\\u0041\"", "\"" FROM_E "\\u0041\"", 0 },
	{ "\"" FROM_E "\\", "\"" FROM_E "\\", 0 },
	/* half escaped is neither form */
	{ "\"http:\\/\\/127.0.0.1:8080/scim/v2/Users\"",
	    "\"http:\\/\\/127.0.0.1:8080/scim/v2/Users\"", 0 },
};

/* Feed IN in pieces of PIECE bytes (0: whole), take it out TAKE bytes at
 * a time, and return what came out. */
static char *
run(const char *in, size_t piece, size_t take, size_t *count)
{
	struct url_rewrite	 w;
	size_t			 n = strlen(in), off = 0, k, outlen = 0;
	char			*out, buf[64];

	assert_int_equal(url_rewrite_init(&w, FROM, TO), 0);
	out = calloc(1, 8 * n + 64);
	assert_non_null(out);
	do {
		k = piece == 0 || n - off < piece ? n - off : piece;
		assert_int_equal(url_rewrite_feed(&w, in + off, k,
		    off + k == n), 0);
		off += k;
		while (url_rewrite_pending(&w) > 0) {
			k = url_rewrite_take(&w, buf, take < sizeof(buf) ?
			    take : sizeof(buf));
			assert_true(k > 0);
			memcpy(out + outlen, buf, k);
			outlen += k;
		}
	} while (off < n);
	if (n == 0)
		assert_int_equal(url_rewrite_feed(&w, NULL, 0, 1), 0);
	*count = w.count;
	url_rewrite_free(&w);
	return out;
}

static void
test_cases(void **state)
{
	static const size_t pieces[] = { 0, 1, 2, 3, 7, 29, 30, 31 };
	static const size_t takes[] = { 64, 1, 5 };
	size_t	i, p, t, count;
	char	*out;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++)
			for (t = 0; t < sizeof(takes) / sizeof(takes[0]); t++) {
				out = run(cases[i].in, pieces[p], takes[t],
				    &count);
				if (strcmp(out, cases[i].want) != 0 ||
				    count != cases[i].count)
					fail_msg("case %zu, pieces of %zu, "
					    "taken %zu at a time: got [%s] "
					    "(%zu), want [%s] (%zu)", i,
					    pieces[p], takes[t], out, count,
					    cases[i].want, cases[i].count);
				free(out);
			}
}

/* A large body with a URL every 1000 bytes, fed in 4 KiB reads: every
 * one rewritten, every other byte kept. */
static void
test_large(void **state)
{
	size_t	 i, n = 0, count, cap = 300 * 1100;
	char	*in, *want, *out, fill[1000];

	(void)state;
	memset(fill, 'x', sizeof(fill) - 1);
	fill[sizeof(fill) - 1] = '\0';
	in = calloc(1, cap);
	want = calloc(1, cap + 300 * 16);
	assert_non_null(in);
	assert_non_null(want);
	for (i = 0; i < 300; i++) {
		n += (size_t)snprintf(in + n, cap - n, "%.*s\"" FROM
		    "/Users/%zu\"", (int)(i % 900), fill, i);
		snprintf(want + strlen(want), cap + 300 * 16 - strlen(want),
		    "%.*s\"" TO "/Users/%zu\"", (int)(i % 900), fill, i);
	}
	out = run(in, 4096, 64, &count);
	assert_int_equal(count, 300);
	assert_string_equal(out, want);
	free(out);
	free(in);
	free(want);
}

/* Nothing more is taken once the body has ended. */
static void
test_after_final(void **state)
{
	struct url_rewrite w;

	(void)state;
	assert_int_equal(url_rewrite_init(&w, FROM, TO), 0);
	assert_int_equal(url_rewrite_feed(&w, "ab", 2, 1), 0);
	assert_int_equal(url_rewrite_feed(&w, NULL, 0, 1), 0);
	assert_int_equal(url_rewrite_feed(&w, "c", 1, 0), -1);
	assert_int_equal(url_rewrite_pending(&w), 2);
	url_rewrite_free(&w);
	assert_int_equal(url_rewrite_init(&w, "", TO), -1);
}

/* A whole body: rewritten into a new buffer with its new length; one
 * without the base, or empty, stays the very buffer it was. */
/* The cheap test before a rewriter is made: the base's host and port,
 * in either form of the URL; a body without them is left alone. */
static void
test_may_match(void **state)
{
	(void)state;
	assert_true(url_rewrite_may_match(FROM, "x" FROM "/Users",
	    strlen("x" FROM "/Users")));
	assert_true(url_rewrite_may_match(FROM, FROM_E, strlen(FROM_E)));
	assert_false(url_rewrite_may_match(FROM, "http://127.0.0.1:8081/",
	    22));
	assert_false(url_rewrite_may_match(FROM, "127.0.0.1:80", 12));
	assert_false(url_rewrite_may_match(FROM, "", 0));
}

static void
test_whole(void **state)
{
	static const char	 in[] = "{\"$ref\":\"" FROM "/Users/1\"}";
	static const char	 want[] = "{\"$ref\":\"" TO "/Users/1\"}";
	struct url_rewrite	 w;
	char			*buf, *orig;
	size_t			 len;

	(void)state;
	buf = strdup(in);
	assert_non_null(buf);
	len = strlen(in);
	assert_int_equal(url_rewrite_init(&w, FROM, TO), 0);
	assert_int_equal(url_rewrite_whole(&w, &buf, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(buf, want, len);
	url_rewrite_free(&w);
	free(buf);

	buf = orig = strdup("{\"id\":\"1\"}");
	assert_non_null(buf);
	len = strlen(buf);
	assert_int_equal(url_rewrite_init(&w, FROM, TO), 0);
	assert_int_equal(url_rewrite_whole(&w, &buf, &len), 0);
	assert_ptr_equal(buf, orig);
	assert_int_equal(len, 10);
	len = 0;
	assert_int_equal(url_rewrite_whole(&w, &buf, &len), 0);
	assert_ptr_equal(buf, orig);
	assert_int_equal(len, 0);
	url_rewrite_free(&w);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_after_final),
		cmocka_unit_test(test_may_match),
		cmocka_unit_test(test_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
