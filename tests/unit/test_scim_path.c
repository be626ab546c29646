/* scim/path: /scim/v2/{upstream}/{Endpoint}[/{id}] and the RFC 7644
 * special endpoints + method → operation, or 404 / 405 with Allow / 501. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/scim/path.h"

#define ITEM	"GET, PUT, PATCH, DELETE"
#define COLL	"GET, POST"

struct ok {
	const char	*method;
	const char	*path;
	enum scim_op	 op;
	const char	*upstream;
	const char	*endpoint;
	const char	*type;
	const char	*id;
	const char	*allow;
};

struct bad {
	const char		*method;
	const char		*path;
	enum scim_path_err	 rc;
	const char		*allow;	/* on SCIM_PATH_METHOD */
	const char		*msg;	/* a substring of the error */
};

static void
test_ok(void **state)
{
	static const struct ok t[] = {
		/* Collections and items, every method they take. */
		{ "GET", "/scim/v2/hr/Users", SCIM_OP_SEARCH, "hr", "Users",
		  "User", "", COLL },
		{ "POST", "/scim/v2/hr/Users", SCIM_OP_CREATE, "hr", "Users",
		  "User", "", COLL },
		{ "GET", "/scim/v2/hr/Users/2819c223-7f76-453a-919d-413861904646",
		  SCIM_OP_READ, "hr", "Users", "User",
		  "2819c223-7f76-453a-919d-413861904646", ITEM },
		{ "PUT", "/scim/v2/hr/Users/abc", SCIM_OP_REPLACE, "hr", "Users",
		  "User", "abc", ITEM },
		{ "PATCH", "/scim/v2/hr/Users/abc", SCIM_OP_PATCH, "hr", "Users",
		  "User", "abc", ITEM },
		{ "DELETE", "/scim/v2/hr/Users/abc", SCIM_OP_DELETE, "hr",
		  "Users", "User", "abc", ITEM },
		{ "GET", "/scim/v2/hr/Groups", SCIM_OP_SEARCH, "hr", "Groups",
		  "Group", "", COLL },
		{ "POST", "/scim/v2/hr/Groups", SCIM_OP_CREATE, "hr", "Groups",
		  "Group", "", COLL },
		{ "GET", "/scim/v2/hr/Groups/e9e30dba", SCIM_OP_READ, "hr",
		  "Groups", "Group", "e9e30dba", ITEM },
		{ "PATCH", "/scim/v2/hr/Groups/e9e30dba", SCIM_OP_PATCH, "hr",
		  "Groups", "Group", "e9e30dba", ITEM },
		{ "DELETE", "/scim/v2/hr/Groups/e9e30dba", SCIM_OP_DELETE, "hr",
		  "Groups", "Group", "e9e30dba", ITEM },
		{ "PUT", "/scim/v2/hr/Groups/e9e30dba", SCIM_OP_REPLACE, "hr",
		  "Groups", "Group", "e9e30dba", ITEM },
		/* .search: a search, with no id. */
		{ "POST", "/scim/v2/hr/Users/.search", SCIM_OP_SEARCH, "hr",
		  "Users", "User", "", "POST" },
		{ "POST", "/scim/v2/hr/Groups/.search", SCIM_OP_SEARCH, "hr",
		  "Groups", "Group", "", "POST" },
		{ "POST", "/scim/v2/hr/Users/.SEARCH", SCIM_OP_SEARCH, "hr",
		  "Users", "User", "", "POST" },
		{ "POST", "/scim/v2/hr/Users/%2Esearch", SCIM_OP_SEARCH, "hr",
		  "Users", "User", "", "POST" },
		{ "POST", "/scim/v2/hr/Devices/.search", SCIM_OP_SEARCH, "hr",
		  "Devices", "Devices", "", "POST" },
		/* Bulk and discovery. */
		{ "POST", "/scim/v2/hr/Bulk", SCIM_OP_BULK, "hr", "Bulk", "", "",
		  "POST" },
		{ "GET", "/scim/v2/hr/ServiceProviderConfig", SCIM_OP_DISCOVER,
		  "hr", "ServiceProviderConfig", "ServiceProviderConfig", "",
		  "GET" },
		{ "GET", "/scim/v2/hr/Schemas", SCIM_OP_DISCOVER, "hr", "Schemas",
		  "Schema", "", "GET" },
		{ "GET", "/scim/v2/hr/Schemas/urn:ietf:params:scim:schemas:core:"
		  "2.0:User", SCIM_OP_DISCOVER, "hr", "Schemas", "Schema",
		  "urn:ietf:params:scim:schemas:core:2.0:User", "GET" },
		{ "GET", "/scim/v2/hr/ResourceTypes", SCIM_OP_DISCOVER, "hr",
		  "ResourceTypes", "ResourceType", "", "GET" },
		{ "GET", "/scim/v2/hr/ResourceTypes/User", SCIM_OP_DISCOVER,
		  "hr", "ResourceTypes", "ResourceType", "User", "GET" },
		/* The RFC 7644 names in any case: the type as the RFC spells
		 * it, the endpoint as sent. */
		{ "GET", "/scim/v2/hr/users", SCIM_OP_SEARCH, "hr", "users",
		  "User", "", COLL },
		{ "PATCH", "/scim/v2/hr/GROUPS/x", SCIM_OP_PATCH, "hr", "GROUPS",
		  "Group", "x", ITEM },
		{ "POST", "/scim/v2/hr/bulk", SCIM_OP_BULK, "hr", "bulk", "", "",
		  "POST" },
		{ "GET", "/scim/v2/hr/serviceproviderconfig", SCIM_OP_DISCOVER,
		  "hr", "serviceproviderconfig", "ServiceProviderConfig", "",
		  "GET" },
		{ "GET", "/scim/v2/hr/schemas", SCIM_OP_DISCOVER, "hr", "schemas",
		  "Schema", "", "GET" },
		/* Other resource endpoints: the type as written. */
		{ "GET", "/scim/v2/hr/Devices", SCIM_OP_SEARCH, "hr", "Devices",
		  "Devices", "", COLL },
		{ "DELETE", "/scim/v2/hr/Entitlements/e1", SCIM_OP_DELETE, "hr",
		  "Entitlements", "Entitlements", "e1", ITEM },
		{ "GET", "/scim/v2/hr/x-Y_z9", SCIM_OP_SEARCH, "hr", "x-Y_z9",
		  "x-Y_z9", "", COLL },
		{ "GET", "/scim/v2/hr/Mee", SCIM_OP_SEARCH, "hr", "Mee", "Mee", "",
		  COLL },
		/* Upstream names. */
		{ "GET", "/scim/v2/okta-prod_2.eu/Users", SCIM_OP_SEARCH,
		  "okta-prod_2.eu", "Users", "User", "", COLL },
		{ "GET", "/scim/v2/.../Users", SCIM_OP_SEARCH, "...", "Users",
		  "User", "", COLL },
		{ "GET", "/scim/v2/"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "/Users", SCIM_OP_SEARCH,
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "Users", "User", "", COLL },
		/* Ids: percent-decoded, sub-delims and UTF-8 kept. */
		{ "GET", "/scim/v2/hr/Users/a%20b", SCIM_OP_READ, "hr", "Users",
		  "User", "a b", ITEM },
		{ "GET", "/scim/v2/hr/Users/%41%42c", SCIM_OP_READ, "hr", "Users",
		  "User", "ABc", ITEM },
		{ "GET", "/scim/v2/hr/Users/Zo%C3%AB", SCIM_OP_READ, "hr", "Users",
		  "User", "Zo\xc3\xab", ITEM },
		{ "GET", "/scim/v2/hr/Users/a-b._~!$&'()*+,=:@", SCIM_OP_READ,
		  "hr", "Users", "User", "a-b._~!$&'()*+,=:@", ITEM },
		{ "GET", "/scim/v2/hr/Users/...", SCIM_OP_READ, "hr", "Users",
		  "User", "...", ITEM },
		{ "GET", "/scim/v2/hr/Users/.x", SCIM_OP_READ, "hr", "Users",
		  "User", ".x", ITEM },
		{ "GET", "/scim/v2/hr/Users/%2E%2E%2E", SCIM_OP_READ, "hr",
		  "Users", "User", "...", ITEM },
		{ "GET", "/scim/v2/hr/Users/.searchx", SCIM_OP_READ, "hr",
		  "Users", "User", ".searchx", ITEM },
		{ "GET", "/scim/v2/hr/Users/bulkId:qwerty", SCIM_OP_READ, "hr",
		  "Users", "User", "bulkId:qwerty", ITEM },
		{ "GET", "/scim/v2/hr/Users/%25", SCIM_OP_READ, "hr", "Users",
		  "User", "%", ITEM },
		{ "GET", "/scim/v2/hr/Users/%7e", SCIM_OP_READ, "hr", "Users",
		  "User", "~", ITEM },
	};
	struct scim_path p;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&p, 0xa5, sizeof(p));
		if (scim_path_parse(t[i].method, t[i].path, &p, err,
		    sizeof(err)) != SCIM_PATH_OK)
			fail_msg("%s %s refused: %s", t[i].method, t[i].path,
			    err);
		if (p.op != t[i].op || strcmp(p.upstream, t[i].upstream) != 0 ||
		    strcmp(p.endpoint, t[i].endpoint) != 0 ||
		    strcmp(p.resource_type, t[i].type) != 0 ||
		    strcmp(p.id, t[i].id) != 0 || p.allow == NULL ||
		    strcmp(p.allow, t[i].allow) != 0)
			fail_msg("%s %s\n  want %s %s/%s type %s id %s allow %s\n"
			    "  got  %s %s/%s type %s id %s allow %s",
			    t[i].method, t[i].path, scim_path_op_name(t[i].op),
			    t[i].upstream, t[i].endpoint, t[i].type, t[i].id,
			    t[i].allow, scim_path_op_name(p.op), p.upstream,
			    p.endpoint, p.resource_type, p.id,
			    p.allow ? p.allow : "(null)");
	}
	print_message("path: %zu accepted\n", i);
}

static void
test_bad(void **state)
{
	static const struct bad t[] = {
		/* 405: the path exists, not with this method. */
		{ "PUT", "/scim/v2/hr/Users", SCIM_PATH_METHOD, COLL,
		  "PUT is not allowed on /scim/v2/hr/Users: it takes GET, POST" },
		{ "PATCH", "/scim/v2/hr/Users", SCIM_PATH_METHOD, COLL,
		  "it takes GET, POST" },
		{ "DELETE", "/scim/v2/hr/Groups", SCIM_PATH_METHOD, COLL,
		  "DELETE is not allowed on /scim/v2/hr/Groups:" },
		{ "POST", "/scim/v2/hr/Users/abc", SCIM_PATH_METHOD, ITEM,
		  "POST is not allowed on /scim/v2/hr/Users/{id}: it takes GET, "
		  "PUT, PATCH, DELETE" },
		{ "HEAD", "/scim/v2/hr/Users/abc", SCIM_PATH_METHOD, ITEM,
		  "HEAD is not allowed" },
		{ "get", "/scim/v2/hr/Users", SCIM_PATH_METHOD, COLL,
		  "this method is not allowed" },
		{ "GET", "/scim/v2/hr/Users/.search", SCIM_PATH_METHOD, "POST",
		  "GET is not allowed on /scim/v2/hr/Users/.search: it takes "
		  "POST" },
		{ "PUT", "/scim/v2/hr/Groups/.search", SCIM_PATH_METHOD, "POST",
		  "/Groups/.search" },
		{ "GET", "/scim/v2/hr/Bulk", SCIM_PATH_METHOD, "POST",
		  "GET is not allowed on /scim/v2/hr/Bulk: it takes POST" },
		{ "POST", "/scim/v2/hr/ServiceProviderConfig", SCIM_PATH_METHOD,
		  "GET", "it takes GET" },
		{ "DELETE", "/scim/v2/hr/Schemas/urn:x:y", SCIM_PATH_METHOD, "GET",
		  "DELETE is not allowed on /scim/v2/hr/Schemas/{id}" },
		{ "PUT", "/scim/v2/hr/ResourceTypes", SCIM_PATH_METHOD, "GET",
		  "/scim/v2/hr/ResourceTypes: it takes GET" },
		{ "OPTIONS", "/scim/v2/hr/Devices", SCIM_PATH_METHOD, COLL,
		  "OPTIONS is not allowed" },
		/* The method is the client's text: shown only when plain. */
		{ "G\nET", "/scim/v2/hr/Users", SCIM_PATH_METHOD, COLL,
		  "this method is not allowed" },
		{ "VERYLONGMETHOD", "/scim/v2/hr/Users", SCIM_PATH_METHOD, COLL,
		  "this method is not allowed" },
		{ "", "/scim/v2/hr/Users", SCIM_PATH_METHOD, COLL,
		  "this method is not allowed" },
		/* 501: endpoints keyd knows and does not serve. */
		{ "GET", "/scim/v2/hr/Me", SCIM_PATH_NOT_IMPLEMENTED, NULL,
		  "/Me is not served" },
		{ "PATCH", "/scim/v2/hr/me", SCIM_PATH_NOT_IMPLEMENTED, NULL,
		  "keyd's own credential" },
		{ "GET", "/scim/v2/hr/ME/x", SCIM_PATH_NOT_IMPLEMENTED, NULL,
		  "/Me is not served" },
		{ "POST", "/scim/v2/hr/.search", SCIM_PATH_NOT_IMPLEMENTED, NULL,
		  "a search across every resource type" },
		{ "POST", "/scim/v2/hr/.SEARCH", SCIM_PATH_NOT_IMPLEMENTED, NULL,
		  "policy decides per type" },
		{ "GET", "/scim/v2/hr", SCIM_PATH_NOT_IMPLEMENTED, NULL,
		  "across every resource type" },
		{ "GET", "/scim/v2/hr/", SCIM_PATH_NOT_IMPLEMENTED, NULL,
		  "across every resource type" },
		/* 404: not a path keyd serves. */
		{ "GET", "/", SCIM_PATH_NOT_FOUND, NULL, "not a SCIM path" },
		{ "GET", "", SCIM_PATH_NOT_FOUND, NULL, "not a SCIM path" },
		{ "GET", "/scim/v1/hr/Users", SCIM_PATH_NOT_FOUND, NULL,
		  "not a SCIM path" },
		{ "GET", "/SCIM/v2/hr/Users", SCIM_PATH_NOT_FOUND, NULL,
		  "not a SCIM path" },
		{ "GET", "/scim/v2", SCIM_PATH_NOT_FOUND, NULL, "not a SCIM path" },
		{ "GET", "/scim/v2/", SCIM_PATH_NOT_FOUND, NULL, "no upstream" },
		{ "GET", "/scim/v2//Users", SCIM_PATH_NOT_FOUND, NULL,
		  "no upstream" },
		{ "GET", "/scim/v2/hr//Users", SCIM_PATH_NOT_FOUND, NULL,
		  "no resource endpoint" },
		{ "GET", "/scim/v2/h r/Users", SCIM_PATH_NOT_FOUND, NULL,
		  "upstream name may hold only" },
		{ "GET", "/scim/v2/h%72/Users", SCIM_PATH_NOT_FOUND, NULL,
		  "upstream name may hold only" },
		{ "GET", "/scim/v2/../Users", SCIM_PATH_NOT_FOUND, NULL,
		  "cannot be \".\" or \"..\"" },
		{ "GET", "/scim/v2/./Users", SCIM_PATH_NOT_FOUND, NULL,
		  "cannot be \".\" or \"..\"" },
		{ "GET", "/scim/v2/"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "/Users", SCIM_PATH_NOT_FOUND, NULL, "longer than 64 bytes" },
		{ "GET", "/scim/v2/hr/Us%65rs", SCIM_PATH_NOT_FOUND, NULL,
		  "a resource endpoint is a name" },
		{ "GET", "/scim/v2/hr/1Users", SCIM_PATH_NOT_FOUND, NULL,
		  "a letter, then letters" },
		{ "GET", "/scim/v2/hr/Us.ers", SCIM_PATH_NOT_FOUND, NULL,
		  "a resource endpoint is a name" },
		{ "GET", "/scim/v2/hr/.search/x", SCIM_PATH_NOT_FOUND, NULL,
		  "a resource endpoint is a name" },
		{ "GET", "/scim/v2/hr/..", SCIM_PATH_NOT_FOUND, NULL,
		  "a resource endpoint is a name" },
		{ "GET", "/scim/v2/hr/"
		  "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  SCIM_PATH_NOT_FOUND, NULL, "at most 64 bytes" },
		{ "GET", "/scim/v2/hr/Users?filter=x", SCIM_PATH_NOT_FOUND, NULL,
		  "pass the query string on its own" },
		{ "GET", "/scim/v2/hr/Users#frag", SCIM_PATH_NOT_FOUND, NULL,
		  "holds '?' or '#'" },
		{ "GET", "/scim/v2/hr/ServiceProviderConfig/x",
		  SCIM_PATH_NOT_FOUND, NULL, "/ServiceProviderConfig takes no "
		  "resource id" },
		{ "POST", "/scim/v2/hr/Bulk/x", SCIM_PATH_NOT_FOUND, NULL,
		  "/Bulk takes no resource id" },
		{ "POST", "/scim/v2/hr/bulk/x", SCIM_PATH_NOT_FOUND, NULL,
		  "/Bulk takes no resource id" },
		/* Ids keyd will not pass on: empty, dot segments, separators
		 * raw or encoded, control characters, bad escapes, long. */
		{ "GET", "/scim/v2/hr/Users/", SCIM_PATH_NOT_FOUND, NULL,
		  "empty resource id" },
		{ "GET", "/scim/v2/hr/Users/a/b", SCIM_PATH_NOT_FOUND, NULL,
		  "unexpected path segment after the resource id" },
		{ "GET", "/scim/v2/hr/Users/a/", SCIM_PATH_NOT_FOUND, NULL,
		  "unexpected path segment" },
		{ "GET", "/scim/v2/hr/Users/..", SCIM_PATH_NOT_FOUND, NULL,
		  "is a dot segment" },
		{ "GET", "/scim/v2/hr/Users/.", SCIM_PATH_NOT_FOUND, NULL,
		  "is a dot segment" },
		{ "GET", "/scim/v2/hr/Users/%2e%2E", SCIM_PATH_NOT_FOUND, NULL,
		  "is a dot segment" },
		{ "GET", "/scim/v2/hr/Users/.%2e", SCIM_PATH_NOT_FOUND, NULL,
		  "is a dot segment" },
		{ "GET", "/scim/v2/hr/Users/%2E", SCIM_PATH_NOT_FOUND, NULL,
		  "is a dot segment" },
		{ "GET", "/scim/v2/hr/Users/a%2Fb", SCIM_PATH_NOT_FOUND, NULL,
		  "'/' and '\\' are refused" },
		{ "GET", "/scim/v2/hr/Users/a%2fb", SCIM_PATH_NOT_FOUND, NULL,
		  "encoded or not" },
		{ "GET", "/scim/v2/hr/Users/..%2F..%2Fadmin", SCIM_PATH_NOT_FOUND,
		  NULL, "'/' and '\\' are refused" },
		{ "GET", "/scim/v2/hr/Users/a%5Cb", SCIM_PATH_NOT_FOUND, NULL,
		  "'/' and '\\' are refused" },
		{ "GET", "/scim/v2/hr/Users/a\\b", SCIM_PATH_NOT_FOUND, NULL,
		  "must be percent-encoded" },
		{ "GET", "/scim/v2/hr/Users/a%00b", SCIM_PATH_NOT_FOUND, NULL,
		  "control character or NUL" },
		{ "GET", "/scim/v2/hr/Users/a%0Ab", SCIM_PATH_NOT_FOUND, NULL,
		  "control character or NUL" },
		{ "GET", "/scim/v2/hr/Users/a%0d%0aX-Evil:%201",
		  SCIM_PATH_NOT_FOUND, NULL, "control character" },
		{ "GET", "/scim/v2/hr/Users/a%7Fb", SCIM_PATH_NOT_FOUND, NULL,
		  "control character" },
		{ "GET", "/scim/v2/hr/Users/a%1fb", SCIM_PATH_NOT_FOUND, NULL,
		  "control character" },
		{ "GET", "/scim/v2/hr/Users/a\tb", SCIM_PATH_NOT_FOUND, NULL,
		  "must be percent-encoded" },
		{ "GET", "/scim/v2/hr/Users/a b", SCIM_PATH_NOT_FOUND, NULL,
		  "must be percent-encoded" },
		{ "GET", "/scim/v2/hr/Users/a;b", SCIM_PATH_NOT_FOUND, NULL,
		  "';' is refused" },
		{ "GET", "/scim/v2/hr/Users/a;jsessionid=1", SCIM_PATH_NOT_FOUND,
		  NULL, "path parameters" },
		{ "GET", "/scim/v2/hr/Users/a%3Bb", SCIM_PATH_NOT_FOUND, NULL,
		  "';' is refused, encoded or not" },
		{ "GET", "/scim/v2/hr/Users/a%3bjsessionid=1", SCIM_PATH_NOT_FOUND,
		  NULL, "';' is refused" },
		{ "GET", "/scim/v2/hr/Users/a\"b", SCIM_PATH_NOT_FOUND, NULL,
		  "must be percent-encoded" },
		{ "GET", "/scim/v2/hr/Users/Zo\xc3\xab", SCIM_PATH_NOT_FOUND,
		  NULL, "must be percent-encoded" },
		{ "GET", "/scim/v2/hr/Users/a%", SCIM_PATH_NOT_FOUND, NULL,
		  "bad percent-escape" },
		{ "GET", "/scim/v2/hr/Users/a%4", SCIM_PATH_NOT_FOUND, NULL,
		  "bad percent-escape" },
		{ "GET", "/scim/v2/hr/Users/a%G0", SCIM_PATH_NOT_FOUND, NULL,
		  "bad percent-escape" },
		{ "GET", "/scim/v2/hr/Users/%%41", SCIM_PATH_NOT_FOUND, NULL,
		  "bad percent-escape" },
	};
	struct scim_path p;
	enum scim_path_err rc;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		rc = scim_path_parse(t[i].method, t[i].path, &p, err,
		    sizeof(err));
		if (rc != t[i].rc)
			fail_msg("%s %s: want rc %d, got %d (%s)", t[i].method,
			    t[i].path, t[i].rc, rc, err);
		if (rc == SCIM_PATH_OK)
			continue;
		if (strstr(err, t[i].msg) == NULL)
			fail_msg("%s %s\n  want %s\n  got  %s", t[i].method,
			    t[i].path, t[i].msg, err);
		if (rc == SCIM_PATH_METHOD) {
			assert_non_null(p.allow);
			assert_string_equal(p.allow, t[i].allow);
			assert_int_equal(p.op, SCIM_OP_NONE);
		} else {
			/* Nothing of a refused path is left behind. */
			assert_null(p.allow);
			assert_string_equal(p.upstream, "");
			assert_string_equal(p.id, "");
		}
	}
	print_message("path: %zu refused\n", i);
}

/* A path of P + N copies of C. */
static char *
build(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t len = strlen(prefix) + n + strlen(suffix) + 1;
	char *s = malloc(len);

	assert_non_null(s);
	memcpy(s, prefix, strlen(prefix));
	memset(s + strlen(prefix), c, n);
	memcpy(s + strlen(prefix) + n, suffix, strlen(suffix) + 1);
	return s;
}

static void
test_bounds(void **state)
{
	struct scim_path p;
	char err[256], *s;
	size_t i;

	(void)state;
	/* An id of 256 decoded bytes is the longest; raw or encoded. */
	s = build("/scim/v2/hr/Users/", 'a', 256, "");
	assert_int_equal(scim_path_parse("GET", s, &p, err, sizeof(err)),
	    SCIM_PATH_OK);
	assert_int_equal(strlen(p.id), 256);
	free(s);
	s = build("/scim/v2/hr/Users/", 'a', 257, "");
	assert_int_equal(scim_path_parse("GET", s, &p, err, sizeof(err)),
	    SCIM_PATH_NOT_FOUND);
	assert_non_null(strstr(err, "resource id longer than 256 bytes"));
	free(s);
	s = malloc(18 + 256 * 3 + 1);
	assert_non_null(s);
	memcpy(s, "/scim/v2/hr/Users/", 18);
	for (i = 0; i < 256; i++)
		memcpy(s + 18 + i * 3, "%41", 3);
	s[18 + 256 * 3] = '\0';
	assert_int_equal(scim_path_parse("GET", s, &p, err, sizeof(err)),
	    SCIM_PATH_OK);
	assert_int_equal(strlen(p.id), 256);
	assert_int_equal(p.id[255], 'A');
	free(s);

	/* The raw path is bounded at 2048 bytes before anything else. */
	s = build("/scim/v2/hr/Users/", 'a', 2048 - 18, "");
	assert_int_equal(scim_path_parse("GET", s, &p, err, sizeof(err)),
	    SCIM_PATH_NOT_FOUND);
	assert_non_null(strstr(err, "resource id longer than 256 bytes"));
	free(s);
	s = build("/scim/v2/hr/Users/", 'a', 2049 - 18, "");
	assert_int_equal(scim_path_parse("GET", s, &p, err, sizeof(err)),
	    SCIM_PATH_NOT_FOUND);
	assert_non_null(strstr(err, "path longer than 2048 bytes"));
	free(s);

	/* Endpoint of exactly 64 bytes is a name; 65 is not. */
	s = build("/scim/v2/hr/", 'E', 64, "");
	assert_int_equal(scim_path_parse("GET", s, &p, err, sizeof(err)),
	    SCIM_PATH_OK);
	assert_int_equal(strlen(p.resource_type), 64);
	free(s);

	/* A small error buffer is filled, truncated, terminated. */
	assert_int_equal(scim_path_parse("PUT", "/scim/v2/hr/Users", &p, err,
	    8), SCIM_PATH_METHOD);
	assert_string_equal(err, "PUT is ");
	assert_int_equal(scim_path_parse("PUT", "/x", &p, NULL, 0),
	    SCIM_PATH_NOT_FOUND);
}

static void
test_op_names(void **state)
{
	(void)state;
	assert_string_equal(scim_path_op_name(SCIM_OP_NONE), "none");
	assert_string_equal(scim_path_op_name(SCIM_OP_CREATE), "create");
	assert_string_equal(scim_path_op_name(SCIM_OP_READ), "read");
	assert_string_equal(scim_path_op_name(SCIM_OP_SEARCH), "search");
	assert_string_equal(scim_path_op_name(SCIM_OP_REPLACE), "replace");
	assert_string_equal(scim_path_op_name(SCIM_OP_PATCH), "patch");
	assert_string_equal(scim_path_op_name(SCIM_OP_DELETE), "delete");
	assert_string_equal(scim_path_op_name(SCIM_OP_BULK), "bulk");
	assert_string_equal(scim_path_op_name(SCIM_OP_DISCOVER), "discover");
	assert_string_equal(scim_path_op_name((enum scim_op)99), "none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_op_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
