/* form: application/x-www-form-urlencoded decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/form.h"

#define MAXPAIRS 4

struct good {
	const char	*body;
	size_t		 n;
	const char	*pairs[MAXPAIRS][2];	/* name, value, in order */
};

/* Parse a heap copy of exactly strlen(BODY) bytes, so ASan sees any read
 * past LEN. */
static int
parse_exact(const char *body, size_t len, struct form *f)
{
	char *buf;
	int rc;

	buf = malloc(len ? len : 1);
	assert_non_null(buf);
	memcpy(buf, body, len);
	rc = form_parse(buf, len, f);
	free(buf);
	return rc;
}

static void
test_decode(void **state)
{
	static const struct good t[] = {
		{ "", 0, { { NULL, NULL } } },
		{ "a=1", 1, { { "a", "1" } } },
		{ "grant_type=client_credentials&scope=scim.read+scim.write", 2,
		  { { "grant_type", "client_credentials" },
		    { "scope", "scim.read scim.write" } } },
		{ "a=%41%42%43&b=%2B%26%3D%25", 2,
		  { { "a", "ABC" }, { "b", "+&=%" } } },
		{ "a=%c3%a9%C3%A9", 1, { { "a", "\xc3\xa9\xc3\xa9" } } },
		{ "a", 1, { { "a", "" } } },
		{ "a=", 1, { { "a", "" } } },
		{ "a&b=2", 2, { { "a", "" }, { "b", "2" } } },
		{ "a==b", 1, { { "a", "=b" } } },
		{ "a=1&&b=2&", 2, { { "a", "1" }, { "b", "2" } } },
		{ "&&&", 0, { { NULL, NULL } } },
		{ "my+name=a+b+", 1, { { "my name", "a b " } } },
		{ "%61=x", 1, { { "a", "x" } } },
		{ "a=%20", 1, { { "a", " " } } },
		{ "A=1&a=2", 2, { { "A", "1" }, { "a", "2" } } },
	};
	struct form f;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (parse_exact(t[i].body, strlen(t[i].body), &f) != 0)
			fail_msg("rejected \"%s\"", t[i].body);
		assert_int_equal(f.n, t[i].n);
		for (j = 0; j < t[i].n; j++) {
			assert_string_equal(f.f[j].name, t[i].pairs[j][0]);
			assert_string_equal(f.f[j].value, t[i].pairs[j][1]);
		}
		form_clear(&f);
		assert_int_equal(f.n, 0);
	}
}

static void
test_refused(void **state)
{
	static const char *const t[] = {
		"a=%", "a=%4", "a=%G1", "a=%1G", "a=%%41", "%=1", "a=1%",
		"a=%00", "%00=1", "a=1&b=%x0",
		"a=1&a=2", "a=1&b=2&a=3", "a&a", "a=&a=", "%61=1&a=2",
		"=1", "=", "a=1&=2",
	};
	struct form f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (parse_exact(t[i], strlen(t[i]), &f) != -1)
			fail_msg("accepted \"%s\"", t[i]);
		assert_int_equal(f.n, 0);
	}
}

static void
test_raw_nul(void **state)
{
	static const char body[] = "a=1\0b=2";
	struct form f;

	(void)state;
	assert_int_equal(parse_exact(body, sizeof(body) - 1, &f), -1);
	assert_int_equal(f.n, 0);
	/* LEN bounds the body, not a NUL: stopping before it is fine */
	assert_int_equal(parse_exact(body, 3, &f), 0);
	assert_string_equal(form_get(&f, "a"), "1");
	form_clear(&f);
}

/* A '%' escape cut short by LEN must not borrow bytes past it. */
static void
test_escape_at_len(void **state)
{
	struct form f;

	(void)state;
	assert_int_equal(parse_exact("a=%41", 4, &f), -1);
	assert_int_equal(parse_exact("a=%41", 3, &f), -1);
	assert_int_equal(parse_exact("a=%41", 5, &f), 0);
	assert_string_equal(form_get(&f, "a"), "A");
	form_clear(&f);
}

static void
test_field_limit(void **state)
{
	char body[16 * (FORM_MAX_FIELDS + 2)];
	struct form f;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < FORM_MAX_FIELDS; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%sf%zu=%zu",
		    i ? "&" : "", i, i);
	assert_int_equal(parse_exact(body, n, &f), 0);
	assert_int_equal(f.n, FORM_MAX_FIELDS);
	assert_string_equal(form_get(&f, "f31"), "31");
	form_clear(&f);

	n += (size_t)snprintf(body + n, sizeof(body) - n, "&extra=1");
	assert_int_equal(parse_exact(body, n, &f), -1);
	assert_int_equal(f.n, 0);
}

static void
test_get(void **state)
{
	static const char body[] =
	    "grant_type=client_credentials&client_id=okta-prod&"
	    "client_secret=kdpk_x&scope=";
	struct form f;

	(void)state;
	assert_int_equal(parse_exact(body, strlen(body), &f), 0);
	assert_string_equal(form_get(&f, "grant_type"), "client_credentials");
	assert_string_equal(form_get(&f, "client_id"), "okta-prod");
	assert_string_equal(form_get(&f, "client_secret"), "kdpk_x");
	assert_string_equal(form_get(&f, "scope"), "");
	assert_null(form_get(&f, "Scope"));
	assert_null(form_get(&f, "client"));
	assert_null(form_get(&f, ""));
	form_clear(&f);
	assert_null(form_get(&f, "client_id"));

	assert_int_equal(form_parse(NULL, 0, &f), 0);
	assert_int_equal(f.n, 0);

	/* reusable after form_clear */
	assert_int_equal(parse_exact("x=y", 3, &f), 0);
	assert_string_equal(form_get(&f, "x"), "y");
	form_clear(&f);
	form_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_raw_nul),
		cmocka_unit_test(test_escape_at_len),
		cmocka_unit_test(test_field_limit),
		cmocka_unit_test(test_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
