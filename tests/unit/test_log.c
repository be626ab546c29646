/* log: what a client sends never reaches the log as a line of its own,
 * a terminal control or invalid UTF-8 (log_clean), in text or JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "keyd/log.h"

struct clean_case {
	const char	*in;
	const char	*want;
};

static const struct clean_case cases[] = {
	{ "", "" },
	{ "plain ascii, with \"quotes\" and \\", "plain ascii, with \"quotes\" and \\" },
	{ "a\nb", "a\\x0ab" },
	{ "a\r\nfake 2026-01-01 info token.issued",
	    "a\\x0d\\x0afake 2026-01-01 info token.issued" },
	{ "tab\there", "tab\\x09here" },
	{ "esc \x1b[2J", "esc \\x1b[2J" },
	{ "del \x7f", "del \\x7f" },
	/* valid UTF-8 passes: é, €, 😀 */
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
	/* C1 controls (U+009B is a terminal's CSI) */
	{ "c1 \xc2\x9b", "c1 \\xc2\\x9b" },
	{ "nbsp \xc2\xa0", "nbsp \xc2\xa0" },
	/* invalid UTF-8 */
	{ "lone \xff", "lone \\xff" },
	{ "cont \x80", "cont \\x80" },
	{ "overlong \xc0\xaf", "overlong \\xc0\\xaf" },
	{ "overlong3 \xe0\x80\xaf", "overlong3 \\xe0\\x80\\xaf" },
	{ "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80" },
	{ "too big \xf4\x90\x80\x80", "too big \\xf4\\x90\\x80\\x80" },
	{ "cut \xe2\x82", "cut \\xe2\\x82" },
	{ "cut4 \xf0\x9f\x98", "cut4 \\xf0\\x9f\\x98" },
	{ "bad cont \xe2\x28\xa1", "bad cont \\xe2(\\xa1" },
};

static void
test_clean(void **state)
{
	char	out[256];
	size_t	i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = log_clean(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got [%s], want [%s]", i, out,
			    cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
}

/* Cut short at a whole character, never half an escape or half of a
 * multi-byte character, and always terminated. */
static void
test_clean_bounds(void **state)
{
	char	out[8];

	(void)state;
	assert_int_equal(log_clean("abcdefghij", out, sizeof(out)), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(log_clean("abcd\n", out, sizeof(out)), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(log_clean("abc\n", out, sizeof(out)), 7);
	assert_string_equal(out, "abc\\x0a");
	assert_int_equal(log_clean("abcde\xe2\x82\xac", out, sizeof(out)), 5);
	assert_string_equal(out, "abcde");
	assert_int_equal(log_clean("abcd\xe2\x82\xac", out, sizeof(out)), 7);
	assert_string_equal(out, "abcd\xe2\x82\xac");
	assert_int_equal(log_clean("x", out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(log_clean("x", out, 0), 0);
}

/* What log_event writes to stderr for MSG, as one string. */
static char *
logged(int json, const char *msg)
{
	int	p[2], saved;
	char	*buf;
	ssize_t	n;

	buf = calloc(1, 4096);
	assert_non_null(buf);
	assert_int_equal(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(p[1], STDERR_FILENO) >= 0);
	log_set_json(json);
	log_event(LOG_WARN, "test.event", "path=%s done", msg);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, 4095);
	close(p[0]);
	assert_true(n > 0);
	log_set_json(0);
	return buf;
}

/* A value between quotes in a text line can neither close them nor
 * fake a field after them, and a cut never leaves half an escape. */
static void
test_quote(void **state)
{
	static const struct {
		const char	*in;
		size_t		 outlen;
		const char	*want;
	} qcases[] = {
		{ "plain", 64, "plain" },
		{ "", 64, "" },
		{ "a\" status=200 b", 64, "a\\\" status=200 b" },
		{ "back\\slash", 64, "back\\\\slash" },
		{ "\"\"", 64, "\\\"\\\"" },
		{ "abcdef", 4, "abc" },
		/* the escape would not fit whole: cut before it */
		{ "ab\"cd", 4, "ab" },
		{ "ab\"cd", 5, "ab\\\"" },
		{ "\\", 2, "" },
		{ "x", 1, "" },
	};
	char	out[64];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(qcases) / sizeof(qcases[0]); i++) {
		memset(out, 'Z', sizeof(out));
		assert_ptr_equal(log_quote(qcases[i].in, out, qcases[i].outlen),
		    out);
		assert_string_equal(out, qcases[i].want);
	}
}

static void
test_event_one_line(void **state)
{
	char *s;

	(void)state;
	s = logged(0, "/x\n2026-01-01T00:00:00.000Z info  token.issued: forged");
	assert_non_null(strstr(s, "path=/x\\x0a2026-01-01T00:00:00.000Z info  "
	    "token.issued: forged done\n"));
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
	free(s);
}

static void
test_event_json_invalid_utf8(void **state)
{
	json_error_t	 e;
	json_t		*o;
	char		*s;

	(void)state;
	s = logged(1, "/Users/\xff\xfe\n");
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
	o = json_loads(s, 0, &e);
	if (o == NULL)
		fail_msg("not a JSON line: %s (%s)", s, e.text);
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
	    "path=/Users/\\xff\\xfe\\x0a done");
	assert_string_equal(json_string_value(json_object_get(o, "event")),
	    "test.event");
	json_decref(o);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_clean_bounds),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_event_one_line),
		cmocka_unit_test(test_event_json_invalid_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
