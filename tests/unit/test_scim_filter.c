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

/* Print a mismatch; returns 1, to count it. Every mismatch of a table
 * is shown before the test fails. */
static int
report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	return 1;
}

/* Compare A with the '|'-separated list WANT; 1 on a mismatch. */
static int
check_attrs(const char *in, const struct scim_filter_attrs *a,
    const char *want)
{
	char got[4096];
	size_t i, n = 0;

	got[0] = '\0';
	for (i = 0; i < a->n; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s",
		    i ? "|" : "", a->path[i]);
	if (strcmp(got, want) == 0)
		return 0;
	return report("%s\n  want %s\n  got  %s\n", in, want, got);
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
		/* What identity providers send. */
		{ "externalId eq \"00u1abcd\"", "externalId" },
		{ "userName eq \"test@contoso.com\"", "userName" },
		{ "displayName eq \"Sales Team\"", "displayName" },
		{ "id eq \"2819c223\" and members[value eq \"08e1d05d\"]",
		  "id|members|members.value" },
		{ "members[value eq \"2819c223\"] and displayName pr",
		  "members|members.value|displayName" },
		{ "emails[type eq \"work\" and primary eq true].value eq "
		  "\"x@y\"", "emails|emails.type|emails.primary|emails.value" },
		{ "active eq true and meta.lastModified ge "
		  "\"2024-01-01T00:00:00Z\"", "active|meta.lastModified" },
		{ ENT ":manager.value eq \"26118915\" or " ENT
		  ":department eq \"R&D\"", ENT ":manager.value|" ENT
		  ":department" },
		{ ENT ":manager[value eq \"x\"]", ENT ":manager|" ENT
		  ":manager.value" },
		{ "not (userType eq \"Intern\") and not (active eq false)",
		  "userType|active" },
		{ "(a pr) or (b pr) or (c pr) or (d pr)", "a|b|c|d" },
		{ "a eq 1 and b eq 2 and c eq 3", "a|b|c" },
		{ "x gt 1e-3", "x" }, { "x ge 123456789012345678901234567890", "x" },
		{ "x le -0.0e0", "x" }, { "x ne \"\\u0041\"", "x" },
		{ "emails[value ew \".com\" and not (type eq \"home\")]",
		  "emails|emails.value|emails.type" },
		{ "addresses[postalCode sw \"9\"].locality co \"Holly\"",
		  "addresses|addresses.postalCode|addresses.locality" },
		{ "urn:ietf:params:scim:schemas:core:2.0:Group:members[value pr]",
		  "members|members.value" },
		{ "name.givenName eq \"\xe3\x81\x82\"", "name.givenName" },
	};
	struct scim_filter_attrs a;
	struct scim_filter_error e;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (parse_exact(t[i].in, strlen(t[i].in), &a, &e) != 0)
			bad += report("refused %s: %s\n", t[i].in, e.msg);
		else
			bad += check_attrs(t[i].in, &a, t[i].attrs);
	}
	print_message("filter: %zu accepted\n", i);
	assert_int_equal(bad, 0);
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
		{ "a eq \"x\" and emails[type eq \"w\"", 31, "expected ']' to close "
		  "the '[' at byte 19" },
		{ "emails[type eq \"work\"] eq \"x\"", 23, "unexpected \"eq\"" },
		{ "emails[type eq \"w\"].value", 25, "expected a space and an "
		  "operator" },
		{ "emails[type eq \"w\"].value pr x", 29, "unexpected \"x\"" },
		{ "a pr or", 7, "found the end" },
		{ "(a pr and)", 9, "expected an attribute, '(' or not(, found "
		  "\")\"" },
		{ "(a pr or )", 9, "found \")\"" },
		{ "a eq \"x\" andb pr", 9, "unexpected \"andb\"" },
		{ "a eq \"x\" or1 pr", 9, "unexpected \"or1\"" },
		{ "userName eq \"\xe0\x80\xaf\"", 13, "invalid UTF-8" },
		{ "userName eq \"\x80\"", 13, "invalid UTF-8" },
		{ "a eq \"\x7f\"", 6, "control character" },
	};
	struct scim_filter_attrs a;
	struct scim_filter_error e;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (parse_exact(t[i].in, strlen(t[i].in), &a, &e) == 0)
			bad += report("accepted %s\n", t[i].in);
		else if (strstr(e.msg, t[i].msg) == NULL || e.pos != t[i].pos)
			bad += report("%s\n  want %zu: %s\n  got  %zu: %s\n",
			    t[i].in, t[i].pos, t[i].msg, e.pos, e.msg);
		else if (strncmp(e.msg, "at byte ", 8) != 0)
			bad += report("%s: error lacks its position: %s\n",
			    t[i].in, e.msg);
	}
	print_message("filter: %zu refused\n", i);
	assert_int_equal(bad, 0);
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
		/* Attribute paths of the core schemas. */
		{ "userName", "userName", "", NULL },
		{ "displayName", "displayName", "", NULL },
		{ "active", "active", "", NULL },
		{ "externalId", "externalId", "", NULL },
		{ "id", "id", "", NULL },
		{ "emails", "emails", "", NULL },
		{ "phoneNumbers", "phoneNumbers", "", NULL },
		{ "groups", "groups", "", NULL },
		{ "x509Certificates", "x509Certificates", "", NULL },
		{ "name", "name", "", NULL },
		{ "name.givenName", "name.givenName", "", NULL },
		{ "name.formatted", "name.formatted", "", NULL },
		{ "name.honorificPrefix", "name.honorificPrefix", "", NULL },
		{ "meta.lastModified", "meta.lastModified", "", NULL },
		{ "members.value", "members.value", "", NULL },
		{ "emails.value", "emails.value", "", NULL },
		{ "Name.GivenName", "Name.GivenName", "", NULL },
		{ "a-b_c9", "a-b_c9", "", NULL },
		{ "a1.b-2_", "a1.b-2_", "", NULL },
		{ "$ref", "$ref", "", NULL },
		/* Core URNs dropped, any case; extension URNs kept. */
		{ "urn:ietf:params:scim:schemas:core:2.0:User:userName",
		  "userName", "", NULL },
		{ "urn:ietf:params:scim:schemas:core:2.0:Group:members",
		  "members", "", NULL },
		{ "urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
		  "displayName", "", NULL },
		{ "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:name.givenName",
		  "name.givenName", "", NULL },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "
		  "\"work\"].value", "emails", "emails.value", "emails.type" },
		{ "urn:ietf:params:scim:schemas:core:2.0:User",
		  "urn:ietf:params:scim:schemas:core:2.0:User", "", NULL },
		{ ENT ":employeeNumber", ENT ":employeeNumber", "", NULL },
		{ ENT ":costCenter", ENT ":costCenter", "", NULL },
		{ ENT ":organization", ENT ":organization", "", NULL },
		{ ENT ":division", ENT ":division", "", NULL },
		{ ENT ":department", ENT ":department", "", NULL },
		{ ENT ":manager.displayName", ENT ":manager.displayName", "",
		  NULL },
		{ ENT ":manager.$ref", ENT ":manager.$ref", "", NULL },
		{ "urn:okta:custom:user:1.0:costCenter",
		  "urn:okta:custom:user:1.0:costCenter", "", NULL },
		{ "urn:acme:2.0:User:badge.code", "urn:acme:2.0:User:badge.code",
		  "", NULL },
		{ ENT ":manager[value eq \"x\"]", ENT ":manager", "",
		  ENT ":manager.value" },
		/* Value filters, with and without a sub-attribute. */
		{ "emails[type eq \"work\"].value", "emails", "emails.value",
		  "emails.type" },
		{ "emails[primary eq true]", "emails", "", "emails.primary" },
		{ "emails[type eq \"work\" or type eq \"home\"]", "emails", "",
		  "emails.type" },
		{ "emails[not (type eq \"work\")]", "emails", "",
		  "emails.type" },
		{ "emails[(type eq \"work\")].display", "emails",
		  "emails.display", "emails.type" },
		{ "emails[value co \"@example.com\"].display", "emails",
		  "emails.display", "emails.value" },
		{ "emails[value co \"@example.com\"].value", "emails",
		  "emails.value", "emails.value" },
		{ "emails[type eq \"work\" and value ew \".com\" and primary eq "
		  "false]", "emails", "", "emails.type|emails.value|"
		  "emails.primary" },
		{ "emails[ type eq \"work\" ]", "emails", "", "emails.type" },
		{ "emails[TYPE EQ \"WORK\"].VALUE", "emails", "emails.VALUE",
		  "emails.TYPE" },
		{ "emails[type eq \"w\\\"x\"]", "emails", "", "emails.type" },
		{ "emails[type eq \"]\"].value", "emails", "emails.value",
		  "emails.type" },
		{ "emails[type eq \"a\" or value pr or TYPE pr].value", "emails",
		  "emails.value", "emails.type|emails.value" },
		{ "emails[value eq 1.5]", "emails", "", "emails.value" },
		{ "emails[value eq null]", "emails", "", "emails.value" },
		{ "phoneNumbers[type eq \"mobile\"].value", "phoneNumbers",
		  "phoneNumbers.value", "phoneNumbers.type" },
		{ "addresses[type eq \"home\"].postalCode", "addresses",
		  "addresses.postalCode", "addresses.type" },
		{ "addresses[type eq \"home\"].locality", "addresses",
		  "addresses.locality", "addresses.type" },
		{ "addresses[formatted pr].country", "addresses",
		  "addresses.country", "addresses.formatted" },
		{ "members[display sw \"Ba\"]", "members", "",
		  "members.display" },
		{ "members[type eq \"Group\" and value eq \"x\"]", "members",
		  "", "members.type|members.value" },
		{ "members[value eq \"2819c223\"].$ref", "members",
		  "members.$ref", "members.value" },
		{ "x509Certificates[value pr]", "x509Certificates", "",
		  "x509Certificates.value" },
		{ "roles[primary eq true and value ne \"admin\"].display",
		  "roles", "roles.display", "roles.primary|roles.value" },
		{ "entitlements[value eq \"a\"]", "entitlements", "",
		  "entitlements.value" },
		{ "ims[type eq \"xmpp\"].value", "ims", "ims.value",
		  "ims.type" },
		{ "photos[type eq \"photo\"].value", "photos", "photos.value",
		  "photos.type" },
		{ "groups[value eq \"e9e30dba\"]", "groups", "", "groups.value" },
	};
	struct scim_filter_path p;
	struct scim_filter_error e;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (path_exact(t[i].in, strlen(t[i].in), &p, &e) != 0) {
			bad += report("refused %s: %s\n", t[i].in, e.msg);
			continue;
		}
		if (strcmp(p.attr, t[i].attr) != 0 ||
		    strcmp(p.sub, t[i].sub) != 0 ||
		    p.has_filter != (t[i].filter != NULL))
			bad += report("%s\n  want %s sub %s filter %d\n  got  %s "
			    "sub %s filter %d\n", t[i].in, t[i].attr, t[i].sub,
			    t[i].filter != NULL, p.attr, p.sub, p.has_filter);
		bad += check_attrs(t[i].in, &p.filter,
		    t[i].filter != NULL ? t[i].filter : "");
	}
	print_message("path: %zu accepted\n", i);
	assert_int_equal(bad, 0);
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
		{ " ", 0, "expected an attribute name, found \"?\"" },
		{ "name.", 5, "expected a sub-attribute name after '.', found "
		  "the end" },
		{ "name..x", 5, "expected a sub-attribute name" },
		{ ".name", 0, "expected an attribute name" },
		{ "name.givenName.x", 14, "at most one sub-attribute" },
		{ "emails[]", 7, "expected an attribute, '(' or not(" },
		{ "emails[type]", 11, "expected a space and an operator" },
		{ "emails[type eq \"work\"]]", 22, "unexpected \"]\" after ']'" },
		{ "emails[type eq \"work\"].value[x pr]", 28, "at the end of the "
		  "path" },
		{ "emails[type eq \"work\"][value pr]", 22, "after ']'" },
		{ "emails[emails[type pr]]", 13, "value filters do not nest" },
		{ "emails[name.x pr]", 7, "without a URN or '.'" },
		{ "emails[urn:x:y:z pr]", 7, "inside [...] name a sub-attribute "
		  "of emails" },
		{ "emails [type pr]", 6, "unexpected \"?[type\" in path" },
		{ "emails[type pr] ", 15, "after ']'" },
		{ "emails\t", 6, "unexpected \"?\" in path" },
		{ "emails,", 6, "unexpected \",\" in path" },
		{ "emails;x", 6, "unexpected \";x\" in path" },
		{ "\"emails\"", 0, "expected an attribute name, found "
		  "\"\\\"emails\\\"\"" },
		{ "-x", 0, "expected an attribute name" },
		{ "_x", 0, "expected an attribute name" },
		{ "$x", 0, "expected an attribute name" },
		{ "urn:", 0, "names no attribute" },
		{ "urn:x:", 6, "expected an attribute name" },
		{ "urn::x", 3, "empty segment in schema URN" },
		{ "urn:a::b", 5, "empty segment" },
		{ "foo:bar", 3, "unexpected ':' in attribute path (a schema URN "
		  "starts with urn:)" },
		{ "emails:value", 6, "unexpected ':'" },
		{ "emails$ref", 6, "unexpected '$' in attribute path" },
		{ "emails[type eq 'work']", 15, "expected a value" },
		{ "emails[type eq work]", 15, "found \"work]\"" },
		{ "emails[type = \"work\"]", 12, "expected an operator" },
		{ "emails[type eq \"work\" and]", 25, "expected an attribute, '(' "
		  "or not(, found \"]\"" },
		{ "emails[type eq \"work\" or]", 24, "found \"]\"" },
		{ "emails[(type eq \"work\"]", 22, "expected ')' to close the '(' "
		  "at byte 7" },
		{ "emails[not type eq \"w\"]", 11, "found \"type\"" },
		{ "emails[type eq \"\\x\"]", 16, "invalid escape" },
		{ "emails[type eq \"\xff\"]", 16, "invalid UTF-8" },
		{ "emails[type eq \"a\tb\"]", 17, "control character" },
		{ "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName[x pr]",
		  57, "not a sub-attribute" },
		{ "emails[value eq 01]", 17, "unexpected \"1]\" after the value" },
		{ "emails[value eq 1.]", 16, "digits must follow '.'" },
		{ "emails[value eq tru]", 16, "expected a value" },
		{ "emails[type eq \"work\"].$x", 23, "expected a sub-attribute "
		  "name" },
		{ "emails.[x pr]", 7, "expected a sub-attribute name" },
		{ "emails[type pr", 14, "expected ']' to close the '[' at byte 6" },
		{ "emails[type pr)", 14, "expected ']'" },
		{ "members[value eq \"x\"].display.x", 29, "at the end of the "
		  "path" },
		{ "members[value eq \"x\"].display eq \"y\"", 29, "at the end "
		  "of the path" },
		{ "userName eq \"x\"", 8, "unexpected \"?eq\" in path" },
		{ "title pr", 5, "in path" },
		{ "a b", 1, "in path" },
		{ "emails[type eq \"work\"]x", 22, "unexpected \"x\" after ']'" },
		{ "emails[type eq \"work\"].1", 23, "expected a sub-attribute" },
		{ "emails[value eq \"\\ud800\"]", 17, "unpaired high "
		  "surrogate" },
		{ "emails[value eq \"\\u0000\"]", 17, "\\u0000 is not "
		  "allowed" },
	};
	struct scim_filter_path p;
	struct scim_filter_error e;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (path_exact(t[i].in, strlen(t[i].in), &p, &e) == 0)
			bad += report("accepted %s\n", t[i].in);
		else if (strstr(e.msg, t[i].msg) == NULL || e.pos != t[i].pos)
			bad += report("%s\n  want %zu: %s\n  got  %zu: %s\n",
			    t[i].in, t[i].pos, t[i].msg, e.pos, e.msg);
		else if (strncmp(e.msg, "at byte ", 8) != 0)
			bad += report("%s: error lacks its position: %s\n",
			    t[i].in, e.msg);
	}
	print_message("path: %zu refused\n", i);
	assert_int_equal(bad, 0);
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
