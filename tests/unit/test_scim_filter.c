/* scim/filter: RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/scim/filter.h"

#define ENT "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

struct good {
	const char	*in;
	const char	*attrs;		/* expected paths, '|'-separated, in order */
};

struct bad {
	const char	*in;
	size_t		 pos;
	const char	*msg;		/* a substring of the error */
};

struct gpath {
	const char	*in;
	const char	*attr;
	const char	*sub;
	const char	*filter;	/* NULL: no value filter */
};

/* Parse a heap copy of exactly LEN bytes, so ASan sees any read past it. */
static int
parse_exact(const char *in, size_t len, struct scim_filter_attrs *a,
    struct scim_filter_error *e)
{
	char *buf;
	int rc;

	buf = malloc(len ? len : 1);
	assert_non_null(buf);
	memcpy(buf, in, len);
	rc = scim_filter_parse(buf, len, a, e);
	free(buf);
	return rc;
}

static int
path_exact(const char *in, size_t len, struct scim_filter_path *p,
    struct scim_filter_error *e)
{
	char *buf;
	int rc;

	buf = malloc(len ? len : 1);
	assert_non_null(buf);
	memcpy(buf, in, len);
	rc = scim_filter_parse_path(buf, len, p, e);
	free(buf);
	return rc;
}

/* Compare A with the '|'-separated list WANT. */
static void
check_attrs(const char *in, const struct scim_filter_attrs *a,
    const char *want)
{
	char got[4096];
	size_t i, n = 0;

	got[0] = '\0';
	for (i = 0; i < a->n; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s",
		    i ? "|" : "", a->path[i]);
	if (strcmp(got, want) != 0)
		fail_msg("%s\n  want %s\n  got  %s", in, want, got);
}

static void
test_good(void **state)
{
	static const struct good t[] = {
		/* RFC 7644 §3.4.2.2's examples. */
		{ "userName eq \"bjensen\"", "userName" },
		{ "name.familyName co \"O'Malley\"", "name.familyName" },
		{ "userName sw \"J\"", "userName" },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\"",
		  "userName" },
		{ "title pr", "title" },
		{ "meta.lastModified gt \"2011-05-13T04:42:34Z\"",
		  "meta.lastModified" },
		{ "meta.lastModified ge \"2011-05-13T04:42:34Z\"",
		  "meta.lastModified" },
		{ "meta.lastModified lt \"2011-05-13T04:42:34Z\"",
		  "meta.lastModified" },
		{ "meta.lastModified le \"2011-05-13T04:42:34Z\"",
		  "meta.lastModified" },
		{ "title pr and userType eq \"Employee\"", "title|userType" },
		{ "title pr or userType eq \"Intern\"", "title|userType" },
		{ "schemas eq \"" ENT "\"", "schemas" },
		{ "userType eq \"Employee\" and (emails co \"example.com\" or "
		  "emails.value co \"example.org\")",
		  "userType|emails|emails.value" },
		{ "userType ne \"Employee\" and not (emails co \"example.com\" or "
		  "emails.value co \"example.org\")",
		  "userType|emails|emails.value" },
		{ "userType eq \"Employee\" and (emails.type eq \"work\")",
		  "userType|emails.type" },
		{ "userType eq \"Employee\" and emails[type eq \"work\" and "
		  "value co \"@example.com\"]",
		  "userType|emails|emails.type|emails.value" },
		{ "emails[type eq \"work\" and value co \"@example.com\"] or "
		  "ims[type eq \"xmpp\" and value co \"@foo.com\"]",
		  "emails|emails.type|emails.value|ims|ims.type|ims.value" },
		/* Every operator, and keywords in any case. */
		{ "a ne 1", "a" }, { "a ew \"x\"", "a" },
		{ "userName EQ \"x\" AND title PR", "userName|title" },
		{ "userName Eq \"x\" Or NOT (title pr)", "userName|title" },
		{ "a pR oR b Sw \"x\"", "a|b" },
		/* Precedence and grouping: and binds tighter; all accepted. */
		{ "a pr or b pr and c pr", "a|b|c" },
		{ "a pr and b pr or c pr and d pr", "a|b|c|d" },
		{ "(a pr or b pr) and c pr", "a|b|c" },
		{ "not(title pr)", "title" },
		{ "not (a pr) and not (b pr)", "a|b" },
		{ "((((userName eq \"a\"))))", "userName" },
		{ "( a pr )", "a" },
		{ "a pr or(b pr)", "a|b" },
		{ "not(not(not(a pr)))", "a" },
		/* Words that are keywords elsewhere are attribute names here. */
		{ "not pr", "not" }, { "and pr", "and" }, { "pr pr", "pr" },
		/* Numbers, booleans, null. */
		{ "age gt 30", "age" }, { "x eq -1.5e+10", "x" },
		{ "x eq 0", "x" }, { "x eq 0.5", "x" }, { "x eq 1E5", "x" },
		{ "x eq -0", "x" }, { "x lt 12.25E-3", "x" },
		{ "active eq true", "active" }, { "active eq False", "active" },
		{ "x eq NULL", "x" },
		/* Strings: escapes, UTF-8, delimiters inside. */
		{ "displayName eq \"a \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 "
		  "\\ud83d\\ude00\"", "displayName" },
		{ "displayName eq \"Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac "
		  "\xf0\x9f\x98\x80\"", "displayName" },
		{ "externalId eq \"a]b)c(d[ and or\"", "externalId" },
		{ "x eq \"\"", "x" },
		/* Schema URNs: core dropped (any case), extensions kept. */
		{ ENT ":employeeNumber eq \"701984\"", ENT ":employeeNumber" },
		{ ENT ":manager.value eq \"x\"", ENT ":manager.value" },
		{ "urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "
		  "\"x\"", "displayName" },
		{ "URN:IETF:params:scim:schemas:core:2.0:user:userName pr",
		  "userName" },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "
		  "\"work\"]", "emails|emails.type" },
		{ "urn:okta:custom:1.0:user:custom:x pr",
		  "urn:okta:custom:1.0:user:custom:x" },
		/* Value paths, Entra's attr[filter].sub form, $ref. */
		{ "emails[type eq \"work\"].value eq \"x@y\"",
		  "emails|emails.type|emails.value" },
		{ "members[value eq \"2819c223\"]", "members|members.value" },
		{ "members[$ref pr]", "members|members.$ref" },
		{ "emails[not (type eq \"work\")]", "emails|emails.type" },
		{ "emails[(type eq \"work\") or primary eq true]",
		  "emails|emails.type|emails.primary" },
		{ "emails[ type eq \"work\" ]", "emails|emails.type" },
		{ "emails[type eq \"w\"] and emails[value pr]",
		  "emails|emails.type|emails.value" },
		/* Each path once, the first spelling kept. */
		{ "userName eq \"a\" or USERNAME eq \"b\"", "userName" },
		{ "emails.type pr and emails[type pr]", "emails.type|emails" },
		/* Spaces, odd but valid names. */
		{ "  userName   eq   \"x\"   ", "userName" },
		{ "x-y_z9 pr", "x-y_z9" },
		{ "id eq \"2819c223-7f76-453a-919d-413861904646\"", "id" },
		{ "groups.value eq \"x\" and meta.resourceType eq \"User\"",
		  "groups.value|meta.resourceType" },
	};
	struct scim_filter_attrs a;
	struct scim_filter_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (parse_exact(t[i].in, strlen(t[i].in), &a, &e) != 0)
			fail_msg("refused %s: %s", t[i].in, e.msg);
		check_attrs(t[i].in, &a, t[i].attrs);
	}
	print_message("filter: %zu accepted\n", i);
}

static void
test_bad(void **state)
{
	static const struct bad t[] = {
		{ "", 0, "empty filter" },
		{ "   ", 3, "empty filter" },
		{ "userName", 8, "expected a space and an operator" },
		{ "userName eqq \"x\"", 9, "expected an operator (eq, ne" },
		{ "userName = \"x\"", 9, "found \"=\"" },
		{ "userName eq", 11, "expected a space and a value" },
		{ "userName eq ", 12, "expected a value" },
		{ "userName eq bjensen", 12, "found \"bjensen\"" },
		{ "userName eq 'x'", 12, "expected a value" },
		{ "userName eq\"x\"", 11, "expected a space and a value" },
		{ "userName eq \"bjensen", 12, "unterminated string" },
		{ "userName eq \"x\" and", 19, "expected an attribute" },
		{ "userName eq \"x\" or", 18, "found the end" },
		{ "(userName eq \"x\"", 16, "expected ')' to close the '(' at "
		  "byte 0" },
		{ "a pr and (b pr or (c pr)", 24, "to close the '(' at byte 9" },
		{ "userName eq \"x\")", 15, "unexpected \")\"" },
		{ "a pr xor b pr", 5, "unexpected \"xor\": expected and, or" },
		{ "userName pr \"x\"", 12, "unexpected \"\\\"x\\\"\"" },
		{ "()", 1, "expected an attribute, '(' or not(" },
		{ "not title pr", 4, "found \"title\"" },
		{ "1abc eq 1", 0, "expected an attribute" },
		{ "$foo pr", 0, "expected an attribute name" },
		{ "emails[type eq \"work\"", 21, "expected ']' to close the '['" },
		{ "emails[type eq \"work\"]]", 22, "unexpected \"]\"" },
		{ "emails[]", 7, "expected an attribute" },
		{ "emails[type[value eq 1]]", 11, "value filters do not nest" },
		{ "emails.value[type eq \"x\"]", 0, "not a sub-attribute" },
		{ "emails[" ENT ":x eq \"x\"]", 7, "inside [...] name a "
		  "sub-attribute of emails" },
		{ "emails[name.x eq 1]", 7, "without a URN or '.'" },
		{ "emails[type eq \"work\"].value", 28, "expected a space and an "
		  "operator" },
		{ "emails[type eq \"work\"]. eq 1", 23, "expected a sub-attribute" },
		{ "name.givenName.x eq 1", 14, "at most one sub-attribute" },
		{ "name. eq 1", 5, "expected a sub-attribute name" },
		{ "foo:bar eq 1", 3, "a schema URN starts with urn:" },
		{ "urn:foo eq 1", 0, "names no attribute" },
		{ "urn:a::b:x eq 1", 5, "empty segment in schema URN" },
		{ "urn:a:b: eq 1", 8, "expected an attribute name" },
		{ "userName eq \"\\x\"", 13, "invalid escape" },
		{ "userName eq \"\\u12\"", 13, "four hex digits" },
		{ "userName eq \"\\u0000\"", 13, "\\u0000 is not allowed" },
		{ "userName eq \"\\ud800\"", 13, "unpaired high surrogate" },
		{ "userName eq \"\\ud800\\u0041\"", 13, "unpaired high" },
		{ "userName eq \"\\udc00\"", 13, "unpaired low surrogate" },
		{ "userName eq \"a\tb\"", 14, "control character" },
		{ "userName eq \"\xff\"", 13, "invalid UTF-8" },
		{ "userName eq \"\xc0\xaf\"", 13, "invalid UTF-8" },
		{ "userName eq \"\xed\xa0\x80\"", 13, "invalid UTF-8" },
		{ "userName eq \"\xe6\x97\"", 13, "invalid UTF-8" },
		{ "userName eq \"\xf4\x90\x80\x80\"", 13, "invalid UTF-8" },
		{ "x eq 01", 6, "unexpected \"1\" after the value" },
		{ "x eq 1.", 5, "digits must follow '.'" },
		{ "x eq 1e", 5, "follow the exponent" },
		{ "x eq -", 5, "invalid number" },
		{ "x eq +1", 5, "expected a value" },
		{ "x eq truex", 5, "expected a value" },
		{ "x eq \"a\"b", 8, "unexpected \"b\" after the value" },
		{ "x eq 1 and", 10, "found the end" },
		{ "a pr and and b pr", 13, "found \"b\"" },
		{ "a pr\tand b pr", 4, "unexpected \"?and\"" },
		{ "a eq \"\\q\"", 6, "invalid escape" },
	};
	struct scim_filter_attrs a;
	struct scim_filter_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (parse_exact(t[i].in, strlen(t[i].in), &a, &e) == 0)
			fail_msg("accepted %s", t[i].in);
		if (strstr(e.msg, t[i].msg) == NULL || e.pos != t[i].pos)
			fail_msg("%s\n  want %zu: %s\n  got  %zu: %s", t[i].in,
			    t[i].pos, t[i].msg, e.pos, e.msg);
		if (strncmp(e.msg, "at byte ", 8) != 0)
			fail_msg("%s: error lacks its position: %s", t[i].in,
			    e.msg);
	}
	print_message("filter: %zu refused\n", i);
}

/* FILL repeated to LEN bytes after PREFIX, then SUFFIX. */
static char *
build(const char *prefix, const char *fill, size_t n, const char *suffix)
{
	size_t len = strlen(prefix) + strlen(fill) * n + strlen(suffix) + 1;
	char *s = malloc(len);
	size_t i, off = 0;

	assert_non_null(s);
	off += (size_t)snprintf(s + off, len - off, "%s", prefix);
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, len - off, "%s", fill);
	snprintf(s + off, len - off, "%s", suffix);
	return s;
}

static void
test_bounds(void **state)
{
	struct scim_filter_attrs a;
	struct scim_filter_error e;
	char *s, *t;
	size_t i, off;

	(void)state;
	/* Exactly 4096 bytes parses; 4097 is refused at byte 4096. */
	s = build("x eq \"", "a", 4096 - 7, "\"");
	assert_int_equal(strlen(s), 4096);
	assert_int_equal(parse_exact(s, strlen(s), &a, &e), 0);
	free(s);
	s = build("x eq \"", "a", 4096 - 6, "\"");
	assert_int_equal(parse_exact(s, strlen(s), &a, &e), -1);
	assert_int_equal(e.pos, 4096);
	assert_non_null(strstr(e.msg, "longer than 4096 bytes"));
	free(s);

	/* Depth 32 of "(" parses; 33 is refused at the 33rd. */
	t = build("", "(", 32, "a pr");
	s = build(t, ")", 32, "");
	assert_int_equal(parse_exact(s, strlen(s), &a, &e), 0);
	free(s);
	free(t);
	t = build("", "not(", 33, "a pr");
	s = build(t, ")", 33, "");
	assert_int_equal(parse_exact(s, strlen(s), &a, &e), -1);
	assert_int_equal(e.pos, 32 * 4 + 3);	/* the 33rd '(' */
	assert_non_null(strstr(e.msg, "nesting deeper than 32 levels"));
	free(s);
	free(t);
	/* A value filter counts as a level. */
	t = build("", "(", 32, "e[a pr]");
	s = build(t, ")", 32, "");
	assert_int_equal(parse_exact(s, strlen(s), &a, &e), -1);
	assert_non_null(strstr(e.msg, "nesting deeper"));
	free(s);
	free(t);

	/* 64 distinct paths parse, a 65th is refused; repeats are free. */
	s = malloc(4096);
	assert_non_null(s);
	for (i = 0, off = 0; i < 65; i++)
		off += (size_t)snprintf(s + off, 4096 - off, "%sa%zu pr",
		    i ? " or " : "", i);
	assert_int_equal(parse_exact(s, off - strlen(" or a64 pr"), &a, &e),
	    0);
	assert_int_equal(a.n, 64);
	assert_int_equal(parse_exact(s, off, &a, &e), -1);
	assert_non_null(strstr(e.msg, "more than 64 attribute paths"));
	for (i = 0, off = 0; i < 200; i++)
		off += (size_t)snprintf(s + off, 4096 - off, "%sa pr",
		    i ? " or " : "");
	assert_int_equal(parse_exact(s, off, &a, &e), 0);
	assert_int_equal(a.n, 1);
	free(s);

	/* A path of 255 bytes is the longest. */
	s = build("urn:x:", "y", 255 - 6 - 2, ":a pr");
	assert_int_equal(parse_exact(s, strlen(s), &a, &e), 0);
	assert_int_equal(strlen(a.path[0]), 255);
	free(s);
	s = build("urn:x:", "y", 255 - 6 - 1, ":a pr");
	assert_int_equal(parse_exact(s, strlen(s), &a, &e), -1);
	assert_non_null(strstr(e.msg, "longer than 255 bytes"));
	free(s);
	s = build("e[", "a", 260, " pr]");
	assert_int_equal(parse_exact(s, strlen(s), &a, &e), -1);
	assert_non_null(strstr(e.msg, "longer than 255 bytes"));
	free(s);
}

static void
test_path_good(void **state)
{
	static const struct gpath t[] = {
		/* RFC 7644 §3.5.2's examples. */
		{ "members", "members", "", NULL },
		{ "name.familyName", "name.familyName", "", NULL },
		{ "addresses[type eq \"work\"]", "addresses", "",
		  "addresses.type" },
		{ "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]",
		  "members", "", "members.value" },
		{ "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"
		  ".displayName", "members", "members.displayName",
		  "members.value" },
		{ "addresses[type eq \"work\"].streetAddress", "addresses",
		  "addresses.streetAddress", "addresses.type" },
		/* URNs: extension kept, core dropped. */
		{ ENT ":manager", ENT ":manager", "", NULL },
		{ ENT ":manager.value", ENT ":manager.value", "", NULL },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
		  "name.givenName", "", NULL },
		{ ENT, ENT, "", NULL },
		{ "emails[type eq \"work\" and primary eq true].value", "emails",
		  "emails.value", "emails.type|emails.primary" },
		{ "emails[Type EQ \"work\"]", "emails", "", "emails.Type" },
		{ "members[$ref pr]", "members", "", "members.$ref" },
		{ "members.$ref", "members.$ref", "", NULL },
		{ "x", "x", "", NULL },
	};
	struct scim_filter_path p;
	struct scim_filter_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (path_exact(t[i].in, strlen(t[i].in), &p, &e) != 0)
			fail_msg("refused %s: %s", t[i].in, e.msg);
		assert_string_equal(p.attr, t[i].attr);
		assert_string_equal(p.sub, t[i].sub);
		assert_int_equal(p.has_filter, t[i].filter != NULL);
		check_attrs(t[i].in, &p.filter,
		    t[i].filter != NULL ? t[i].filter : "");
	}
	print_message("path: %zu accepted\n", i);
}

static void
test_path_bad(void **state)
{
	static const struct bad t[] = {
		{ "", 0, "empty path" },
		{ " members", 0, "expected an attribute name" },
		{ "members ", 7, "unexpected \"?\" in path" },
		{ "name.givenName[type eq \"x\"]", 14, "not a sub-attribute" },
		{ "emails[type eq \"work\"].value.x", 28, "at the end of the "
		  "path" },
		{ "emails[type eq \"work\"]value", 22, "after ']'" },
		{ "emails[type eq]", 14, "expected a space and a value" },
		{ "emails[", 7, "expected an attribute" },
		{ "emails]", 6, "in path" },
		{ "a.b.c", 3, "at most one sub-attribute" },
		{ "1a", 0, "expected an attribute name" },
		{ "emails[type eq \"work\"].", 23, "expected a sub-attribute" },
		{ "emails[type eq \"work\"", 21, "expected ']'" },
		{ "emails[x[y pr]]", 8, "value filters do not nest" },
		{ "urn:x", 0, "names no attribute" },
		{ "emails[type eq \"a\"] or x pr", 19, "after ']'" },
	};
	struct scim_filter_path p;
	struct scim_filter_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (path_exact(t[i].in, strlen(t[i].in), &p, &e) == 0)
			fail_msg("accepted %s", t[i].in);
		if (strstr(e.msg, t[i].msg) == NULL || e.pos != t[i].pos)
			fail_msg("%s\n  want %zu: %s\n  got  %zu: %s", t[i].in,
			    t[i].pos, t[i].msg, e.pos, e.msg);
	}
	print_message("path: %zu refused\n", i);
}

/* An embedded NUL is a byte like any other: refused, never a
 * terminator. */
static void
test_nul(void **state)
{
	struct scim_filter_attrs a;
	struct scim_filter_error e;

	(void)state;
	assert_int_equal(parse_exact("a pr\0 or b pr", 13, &a, &e), -1);
	assert_int_equal(e.pos, 4);
	assert_int_equal(parse_exact("a eq \"x\0\"", 9, &a, &e), -1);
	assert_non_null(strstr(e.msg, "control character"));
	assert_int_equal(scim_filter_urn_is_core(
	    "urn:ietf:params:scim:schemas:core:2.0:GROUP", 43), 1);
	assert_int_equal(scim_filter_urn_is_core(ENT, strlen(ENT)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_path_good),
		cmocka_unit_test(test_path_bad),
		cmocka_unit_test(test_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
