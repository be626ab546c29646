/* policy: the default document, the scope view of a role, scope grants,
 * token TTLs, and a table of malformed documents with the path and reason
 * each is refused with. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define READER_SCOPES "scim:Group.read scim:Group.search scim:User.read " \
	"scim:User.search scim:discover"
#define PROVISIONER_SCOPES "scim:Group.patch scim:Group.read " \
	"scim:Group.search scim:User.create scim:User.patch scim:User.read " \
	"scim:User.replace scim:User.search scim:bulk scim:discover"
#define ADMIN_SCOPES "scim:Group.create scim:Group.delete scim:Group.patch " \
	"scim:Group.read scim:Group.replace scim:Group.search " \
	"scim:User.create scim:User.delete scim:User.patch scim:User.read " \
	"scim:User.replace scim:User.search scim:bulk scim:discover"

static struct policy_set *
load_ok(const char *doc)
{
	struct policy_set	*set = NULL;
	struct policy_error	 err;

	if (policy_load(doc, strlen(doc), &set, &err) != 0)
		fail_msg("policy_load: %s: %s", err.path, err.msg);
	assert_non_null(set);
	return set;
}

static int
setup_default(void **state)
{
	struct policy_set	*set = NULL;
	struct policy_error	 err;
	const char		*doc = policy_default_document();

	if (policy_load(doc, strlen(doc), &set, &err) != 0)
		return -1;
	*state = set;
	return 0;
}

static int
teardown_default(void **state)
{
	struct policy_set *set = *state;

	policy_free(&set);
	return 0;
}

static void
test_default_roles(void **state)
{
	static const char *const want[] = { "scim-admin", "scim-provisioner",
	    "scim-reader" };
	const struct policy_set	*set = *state;
	size_t			 i, j, found;

	assert_int_equal(policy_role_count(set), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(policy_role_exists(set, want[i]), 1);
		for (found = 0, j = 0; j < 3; j++)
			if (strcmp(policy_role_name(set, j), want[i]) == 0)
				found++;
		assert_int_equal(found, 1);
	}
	assert_null(policy_role_name(set, 3));
	assert_int_equal(policy_role_exists(set, "scim-root"), 0);
	assert_int_equal(policy_role_exists(set, ""), 0);
	assert_int_equal(policy_role_exists(set, "scim-reader "), 0);
}

static void
test_default_scopes(void **state)
{
	const struct policy_set	*set = *state;
	char			 out[POLICY_SCOPES_MAX];

	assert_int_equal(policy_role_scopes(set, "scim-reader", out,
	    sizeof(out)), 0);
	assert_string_equal(out, READER_SCOPES);
	assert_int_equal(policy_role_scopes(set, "scim-provisioner", out,
	    sizeof(out)), 0);
	assert_string_equal(out, PROVISIONER_SCOPES);
	/* The conditional deny on roles/entitlements leaves create in place;
	 * nothing grants delete. */
	assert_non_null(strstr(out, "scim:User.create"));
	assert_null(strstr(out, "scim:User.delete"));
	assert_null(strstr(out, "scim:Group.delete"));
	assert_int_equal(policy_role_scopes(set, "scim-admin", out,
	    sizeof(out)), 0);
	assert_string_equal(out, ADMIN_SCOPES);

	assert_int_equal(policy_role_scopes(set, "nobody", out, sizeof(out)),
	    -1);
	/* Too small a buffer is an error, not a silent truncation. */
	assert_int_equal(policy_role_scopes(set, "scim-reader", out,
	    strlen(READER_SCOPES)), -1);
	assert_int_equal(policy_role_scopes(set, "scim-reader", out,
	    strlen(READER_SCOPES) + 1), 0);
}

static void
test_scope_grant(void **state)
{
	static const struct {
		const char	*role, *req, *out;
	} ok[] = {
		{ "scim-reader", NULL, READER_SCOPES },
		{ "scim-reader", "", READER_SCOPES },
		{ "scim-reader", "   ", READER_SCOPES },
		{ "scim-provisioner", NULL, PROVISIONER_SCOPES },
		{ "scim-reader", "scim:User.read", "scim:User.read" },
		/* A subset comes back sorted. */
		{ "scim-reader", "scim:discover scim:User.read scim:Group.read",
		  "scim:Group.read scim:User.read scim:discover" },
		/* Duplicates give one copy. */
		{ "scim-reader", "scim:User.read scim:User.read scim:User.read",
		  "scim:User.read" },
		{ "scim-reader", "  scim:User.search   scim:Group.search  ",
		  "scim:Group.search scim:User.search" },
		{ "scim-provisioner", "scim:bulk scim:User.create",
		  "scim:User.create scim:bulk" },
	};
	static const struct {
		const char	*role, *req, *bad;
	} refused[] = {
		{ "scim-reader", "scim:User.delete", "scim:User.delete" },
		{ "scim-reader", "scim:User.read scim:User.create",
		  "scim:User.create" },
		{ "scim-reader", "scim:User.read scim:Bogus.read scim:x",
		  "scim:Bogus.read" },
		{ "scim-provisioner", "scim:User.delete", "scim:User.delete" },
		/* Neither a prefix nor an extension of a held scope. */
		{ "scim-reader", "scim:User.rea", "scim:User.rea" },
		{ "scim-reader", "scim:User.reads", "scim:User.reads" },
		{ "scim-reader", "scim:User.read\tscim:discover",
		  "scim:User.read\tscim:discover" },
		{ "scim-reader", "openid", "openid" },
	};
	const struct policy_set	*set = *state;
	char			 out[POLICY_SCOPES_MAX], bad[160];
	size_t			 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(out, 'x', sizeof(out));
		snprintf(bad, sizeof(bad), "stale");	/* cleared each call */
		if (policy_scope_grant(set, ok[i].role, ok[i].req, out,
		    sizeof(out), bad, sizeof(bad)) != 0)
			fail_msg("grant %zu (%s) refused: bad \"%s\"", i,
			    ok[i].req, bad);
		assert_string_equal(out, ok[i].out);
		assert_string_equal(bad, "");
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		bad[0] = '\0';
		assert_int_equal(policy_scope_grant(set, refused[i].role,
		    refused[i].req, out, sizeof(out), bad, sizeof(bad)), -1);
		assert_string_equal(bad, refused[i].bad);
	}
	/* An unknown role, and too small a buffer. */
	assert_int_equal(policy_scope_grant(set, "nobody", NULL, out,
	    sizeof(out), bad, sizeof(bad)), -1);
	assert_int_equal(policy_scope_grant(set, "scim-reader", NULL, out, 8,
	    bad, sizeof(bad)), -1);
	assert_int_equal(policy_scope_grant(set, "scim-reader",
	    "scim:User.read scim:User.search", out, 10, bad, sizeof(bad)), -1);
}

static void
test_token_ttl(void **state)
{
	const struct policy_set	*set = *state;
	struct policy_set	*own;
	int64_t			 secs = -1;

	assert_int_equal(policy_role_token_ttl(set, "scim-reader", &secs), 0);
	assert_int_equal(secs, 15 * 60);
	assert_int_equal(policy_role_token_ttl(set, "scim-admin", &secs), 0);
	assert_int_equal(secs, 900);
	assert_int_equal(policy_role_token_ttl(set, "nobody", &secs), -1);

	own = load_ok("{\"version\":1,\"roles\":{"
	    "\"a\":{\"rules\":[],\"limits\":{\"token_ttl\":\"2h\"}},"
	    "\"b\":{\"rules\":[]},"
	    "\"c\":{\"rules\":[],\"limits\":{\"burst\":5}}}}");
	secs = -1;
	assert_int_equal(policy_role_token_ttl(own, "a", &secs), 0);
	assert_int_equal(secs, 7200);
	secs = -1;
	assert_int_equal(policy_role_token_ttl(own, "b", &secs), 1);
	assert_int_equal(secs, -1);	/* untouched when unset */
	assert_int_equal(policy_role_token_ttl(own, "c", &secs), 1);
	policy_free(&own);
	assert_null(own);
}

/* Scopes as rules combine: unconditional denies remove, conditional ones
 * do not, "*" stands for User and Group, bulk and discover are flat. */
static void
test_scope_rules(void **state)
{
	static const struct {
		const char	*rules, *scopes;
	} t[] = {
		{ "[]", "" },
		{ "[{\"effect\":\"allow\",\"resources\":[\"User\"],"
		  "\"operations\":[\"*\"]},"
		  "{\"effect\":\"deny\",\"resources\":[\"User\"],"
		  "\"operations\":[\"delete\",\"bulk\"]}]",
		  "scim:User.create scim:User.patch scim:User.read "
		  "scim:User.replace scim:User.search scim:discover" },
		{ "[{\"effect\":\"allow\",\"resources\":[\"User\"],"
		  "\"operations\":[\"*\"]},"
		  "{\"effect\":\"deny\",\"operations\":[\"bulk\"]}]",
		  "scim:User.create scim:User.delete scim:User.patch "
		  "scim:User.read scim:User.replace scim:User.search "
		  "scim:discover" },
		{ "[{\"effect\":\"allow\",\"resources\":[\"Group\"],"
		  "\"operations\":[\"read\"]},"
		  "{\"effect\":\"deny\",\"resources\":[\"Group\"],"
		  "\"operations\":[\"read\"],"
		  "\"where\":{\"displayName\":[\"admins\"]}}]",
		  "scim:Group.read" },
		{ "[{\"effect\":\"allow\",\"resources\":[\"*\"],"
		  "\"operations\":[\"read\"]},"
		  "{\"effect\":\"deny\",\"resources\":[\"*\"],"
		  "\"operations\":[\"read\"]}]", "" },
		{ "[{\"effect\":\"allow\",\"resources\":[\"Device\"],"
		  "\"operations\":[\"search\",\"read\"]}]",
		  "scim:Device.read scim:Device.search" },
		/* No resources is every resource type, as "*" is. */
		{ "[{\"effect\":\"allow\",\"operations\":[\"read\"]}]",
		  "scim:Group.read scim:User.read" },
		{ "[{\"effect\":\"allow\",\"resources\":[\"*\"],"
		  "\"operations\":[\"delete\",\"read\"]},"
		  "{\"effect\":\"deny\",\"operations\":[\"delete\"]}]",
		  "scim:Group.read scim:User.read" },
		/* "*" is every type the document names. */
		{ "[{\"effect\":\"allow\",\"resources\":[\"*\"],"
		  "\"operations\":[\"read\"]},"
		  "{\"effect\":\"allow\",\"resources\":[\"Device\"],"
		  "\"operations\":[\"search\"]}]",
		  "scim:Device.read scim:Device.search scim:Group.read "
		  "scim:User.read" },
		/* Type names are case-insensitive; the first spelling wins. */
		{ "[{\"effect\":\"allow\",\"resources\":[\"user\",\"USER\"],"
		  "\"operations\":[\"read\"]}]", "scim:User.read" },
		/* A deny on some upstreams leaves the scope: it is decided
		 * per request. */
		{ "[{\"effect\":\"allow\",\"resources\":[\"User\"],"
		  "\"operations\":[\"read\",\"delete\"]},"
		  "{\"effect\":\"deny\",\"upstreams\":[\"hr\"],"
		  "\"resources\":[\"User\"],\"operations\":[\"delete\"]},"
		  "{\"effect\":\"deny\",\"upstreams\":[\"*\"],"
		  "\"resources\":[\"User\"],\"operations\":[\"read\"]}]",
		  "scim:User.delete" },
		/* A conditional allow grants its scope; upstreams do not count. */
		{ "[{\"effect\":\"allow\",\"upstreams\":[\"hr\"],"
		  "\"resources\":[\"Group\"],\"operations\":[\"patch\"],"
		  "\"where\":{\"displayName\":[\"x\"]}}]",
		  "scim:Group.patch" },
	};
	struct policy_set	*set;
	char			 doc[1024], out[POLICY_SCOPES_MAX];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"version\":1,\"roles\":{\"r\":"
		    "{\"rules\":%s}}}", t[i].rules);
		set = load_ok(doc);
		assert_int_equal(policy_role_scopes(set, "r", out, sizeof(out)),
		    0);
		if (strcmp(out, t[i].scopes) != 0)
			fail_msg("rules %zu: got \"%s\", want \"%s\"", i, out,
			    t[i].scopes);
		policy_free(&set);
	}
}

/* Valid documents with every kind of limit load. */
static void
test_valid_limits(void **state)
{
	static const char doc[] = "{\"version\":1,\"roles\":{\"r\":{"
	    "\"rules\":[{\"effect\":\"allow\",\"upstreams\":[\"hr\"],"
	    "\"resources\":[\"User\"],\"operations\":[\"read\"],"
	    "\"attributes\":[\"userName\"],\"where\":{\"active\":[\"true\"]}}],"
	    "\"limits\":{\"token_ttl\":\"30s\",\"key_max_age\":\"90d\","
	    "\"key_overlap\":\"7d\",\"max_body\":\"256KiB\",\"burst\":10,"
	    "\"max_bulk_operations\":100,\"rate\":\"50/s\","
	    "\"source\":[\"10.0.0.0/8\",\"192.0.2.1/32\",\"::1/128\","
	    "\"2001:db8::/32\"]}}}}";
	struct policy_set	*set = load_ok(doc);
	int64_t			 secs;

	(void)state;
	assert_int_equal(policy_role_token_ttl(set, "r", &secs), 0);
	assert_int_equal(secs, 30);
	policy_free(&set);
}

/* Only LEN bytes are read: the document need not be NUL-terminated. */
static void
test_load_uses_len(void **state)
{
	static const char body[] = "{\"version\":1,\"roles\":{\"r\":"
	    "{\"rules\":[]}}}";
	struct policy_set	*set = NULL;
	struct policy_error	 err;
	char			*buf;
	size_t			 n = strlen(body);

	(void)state;
	buf = malloc(n + 8);
	assert_non_null(buf);
	memcpy(buf, body, n);
	memcpy(buf + n, "garbage!", 8);	/* no NUL anywhere */
	assert_int_equal(policy_load(buf, n, &set, &err), 0);
	assert_int_equal(policy_role_exists(set, "r"), 1);
	policy_free(&set);
	/* One byte short is invalid JSON. */
	assert_int_equal(policy_load(buf, n - 1, &set, &err), -1);
	assert_null(set);
	assert_non_null(strstr(err.msg, "invalid JSON"));
	free(buf);
}

static void
test_load_too_large(void **state)
{
	struct policy_set	*set = (struct policy_set *)1;
	struct policy_error	 err;
	size_t			 n = ((size_t)1 << 20) + 1;
	char			*buf;

	(void)state;
	buf = malloc(n);
	assert_non_null(buf);
	memset(buf, ' ', n);
	assert_int_equal(policy_load(buf, n, &set, &err), -1);
	assert_null(set);
	assert_non_null(strstr(err.msg, "larger than 1 MiB"));
	free(buf);
}

/* Wrap RULES (a JSON array body) into a one-role document. */
#define ROLE(body)	"{\"version\":1,\"roles\":{\"r\":" body "}}"
#define RULES(rules)	ROLE("{\"rules\":[" rules "]}")
#define LIMITS(limits)	ROLE("{\"rules\":[],\"limits\":{" limits "}}")
#define ALLOW_READ	"{\"effect\":\"allow\",\"operations\":[\"read\"]}"

static void
test_malformed(void **state)
{
	static const struct {
		const char	*doc, *path, *msg;
	} t[] = {
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"delet\"]}"),
		  "roles.r.rules[0].operations[0]",
		  "unknown operation \"delet\"" },
		{ RULES(ALLOW_READ ",{\"effect\":\"allow\","
		  "\"operations\":[\"read\",\"*\",\"Read\"]}"),
		  "roles.r.rules[1].operations[2]",
		  "unknown operation \"Read\"" },
		{ "{\"version\":1,", "", "invalid JSON" },
		{ "", "", "invalid JSON" },
		{ "{\"version\":1,\"roles\":{\"r\":{\"rules\":[]}}} x", "",
		  "invalid JSON" },
		{ "[]", "", "must be a JSON object" },
		{ "{\"version\":2,\"roles\":{\"r\":{\"rules\":[]}}}", "version",
		  "version must be 1" },
		{ "{\"version\":\"1\",\"roles\":{\"r\":{\"rules\":[]}}}",
		  "version", "version must be 1" },
		{ "{\"roles\":{\"r\":{\"rules\":[]}}}", "version",
		  "version must be 1" },
		{ "{\"version\":1,\"roles\":{\"r\":{\"rules\":[]}},"
		  "\"extra\":true}", "", "unknown key \"extra\"" },
		{ "{\"version\":1,\"roles\":{}}", "roles",
		  "roles must be an object" },
		{ "{\"version\":1,\"roles\":[]}", "roles",
		  "roles must be an object" },
		{ "{\"version\":1,\"roles\":{\"r\":[]}}", "roles.r",
		  "a role must be an object" },
		{ "{\"version\":1,\"roles\":{\"bad name\":{\"rules\":[]}}}",
		  "roles.bad name", "a role name is" },
		{ ROLE("{\"rules\":[],\"owner\":\"x\"}"), "roles.r",
		  "unknown key \"owner\"" },
		{ ROLE("{}"), "roles.r.rules", "rules must be an array" },
		{ ROLE("{\"rules\":{}}"), "roles.r.rules",
		  "rules must be an array" },
		{ RULES("{\"effect\":\"maybe\",\"operations\":[\"read\"]}"),
		  "roles.r.rules[0].effect",
		  "effect must be \"allow\" or \"deny\"" },
		{ RULES("{\"operations\":[\"read\"]}"),
		  "roles.r.rules[0].effect",
		  "effect must be \"allow\" or \"deny\"" },
		{ RULES("{\"effect\":\"allow\"}"), "roles.r.rules[0]",
		  "a rule needs \"operations\"" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[]}"),
		  "roles.r.rules[0].operations",
		  "operations must be a non-empty array of strings" },
		{ RULES("{\"effect\":\"allow\",\"operations\":\"read\"}"),
		  "roles.r.rules[0].operations",
		  "operations must be a non-empty array of strings" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\",7]}"),
		  "roles.r.rules[0].operations[1]", "must be a string" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"resource\":[\"User\"]}"), "roles.r.rules[0]",
		  "unknown key \"resource\"" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"resources\":[\"Us er\"]}"),
		  "roles.r.rules[0].resources[0]",
		  "bad resource type \"Us er\"" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"upstreams\":[\"hr/prod\"]}"),
		  "roles.r.rules[0].upstreams[0]",
		  "bad upstream name \"hr/prod\"" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"attributes\":[\"\"]}"),
		  "roles.r.rules[0].attributes[0]", "bad attribute \"\"" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"where\":[\"active\"]}"), "roles.r.rules[0].where",
		  "where must be a non-empty object" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"where\":{}}"), "roles.r.rules[0].where",
		  "where must be a non-empty object" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"where\":{\"active\":\"true\"}}"),
		  "roles.r.rules[0].where.active",
		  "where.active must be a non-empty array of strings" },
		{ RULES("\"allow\""), "roles.r.rules[0]",
		  "a rule must be an object" },
		{ RULES(ALLOW_READ ",[]"), "roles.r.rules[1]",
		  "a rule must be an object" },
		{ LIMITS("\"token_ttl\":\"15\""), "roles.r.limits.token_ttl",
		  "bad duration" },
		{ LIMITS("\"token_ttl\":900"), "roles.r.limits.token_ttl",
		  "bad duration" },
		{ LIMITS("\"token_ttl\":\"0m\""), "roles.r.limits.token_ttl",
		  "bad duration" },
		{ LIMITS("\"key_max_age\":\"90 d\""),
		  "roles.r.limits.key_max_age", "bad duration" },
		{ LIMITS("\"max_body\":\"256\""), "roles.r.limits.max_body",
		  "bad size" },
		{ LIMITS("\"burst\":0"), "roles.r.limits.burst",
		  "must be a positive integer" },
		{ LIMITS("\"max_bulk_operations\":\"100\""),
		  "roles.r.limits.max_bulk_operations",
		  "must be a positive integer" },
		{ LIMITS("\"rate\":\"50/h\""), "roles.r.limits.rate",
		  "bad rate" },
		{ LIMITS("\"rate\":\"/s\""), "roles.r.limits.rate",
		  "bad rate" },
		{ LIMITS("\"source\":[\"10.0.0.0/33\"]"),
		  "roles.r.limits.source[0]", "bad CIDR \"10.0.0.0/33\"" },
		{ LIMITS("\"source\":[\"10.0.0.0/8\",\"10.0.0.1\"]"),
		  "roles.r.limits.source[1]", "bad CIDR \"10.0.0.1\"" },
		{ LIMITS("\"source\":[\"::1/129\"]"),
		  "roles.r.limits.source[0]", "bad CIDR \"::1/129\"" },
		{ LIMITS("\"source\":[\"10.0.0.0/ 8\"]"),
		  "roles.r.limits.source[0]", "bad CIDR \"10.0.0.0/ 8\"" },
		{ LIMITS("\"source\":[\"10.0.0.0/+8\"]"),
		  "roles.r.limits.source[0]", "bad CIDR \"10.0.0.0/+8\"" },
		{ LIMITS("\"source\":[\"10.0.0.300/8\"]"),
		  "roles.r.limits.source[0]", "bad CIDR" },
		{ LIMITS("\"source\":[\"10.0.0.0/\"]"),
		  "roles.r.limits.source[0]", "bad CIDR" },
		{ LIMITS("\"source\":\"10.0.0.0/8\""), "roles.r.limits.source",
		  "source must be a non-empty array of strings" },
		{ LIMITS("\"speed\":\"fast\""), "roles.r.limits.speed",
		  "unknown limit \"speed\"" },
		{ LIMITS("\"token_ttl\":\"15m\",\"tokenttl\":\"15m\""),
		  "roles.r.limits.tokenttl", "unknown limit \"tokenttl\"" },
		{ ROLE("{\"rules\":[],\"limits\":[]}"), "roles.r.limits",
		  "limits must be an object" },
		/* Duplicate keys, at the top and deeper down. */
		{ "{\"version\":1,\"version\":1,"
		  "\"roles\":{\"r\":{\"rules\":[]}}}", "",
		  "duplicate object key" },
		{ "{\"version\":1,\"roles\":{\"r\":{\"rules\":[]},"
		  "\"r\":{\"rules\":[]}}}", "", "duplicate object key" },
		{ RULES("{\"effect\":\"allow\",\"effect\":\"deny\","
		  "\"operations\":[\"read\"]}"), "", "duplicate object key" },
		/* Attributes and where keys are attribute paths, not filters. */
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"attributes\":[\"userName\",\"emails[type eq \\\"work\\\"]\"]}"),
		  "roles.r.rules[0].attributes[1]",
		  "bad attribute \"emails[type eq " },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"attributes\":[\"given name\"]}"),
		  "roles.r.rules[0].attributes[0]", "bad attribute \"given name\"" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"attributes\":[\".name\"]}"),
		  "roles.r.rules[0].attributes[0]", "bad attribute \".name\"" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"attributes\":[\"name.\"]}"),
		  "roles.r.rules[0].attributes[0]", "bad attribute \"name.\"" },
		{ RULES("{\"effect\":\"deny\",\"operations\":[\"delete\"],"
		  "\"where\":{\"display name\":[\"x\"]}}"),
		  "roles.r.rules[0].where.display name",
		  "bad attribute \"display name\"" },
		{ RULES("{\"effect\":\"deny\",\"operations\":[\"delete\"],"
		  "\"where\":{\"id\":[]}}"), "roles.r.rules[0].where.id",
		  "where.id must be a non-empty array of strings" },
		/* Discovery endpoints and Bulk are operations. */
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"resources\":[\"Schemas\"]}"), "roles.r.rules[0].resources[0]",
		  "\"Schemas\" is not a resource type: use the operation "
		  "\"discover\"" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"read\"],"
		  "\"resources\":[\"User\",\"serviceproviderconfig\"]}"),
		  "roles.r.rules[0].resources[1]",
		  "\"serviceproviderconfig\" is not a resource type" },
		{ RULES("{\"effect\":\"allow\",\"operations\":[\"*\"],"
		  "\"resources\":[\"Bulk\"]}"), "roles.r.rules[0].resources[0]",
		  "use the operation \"bulk\"" },
		/* Host bits set: a typo for /32 as often as for the network. */
		{ LIMITS("\"source\":[\"10.0.0.1/8\"]"),
		  "roles.r.limits.source[0]", "bad CIDR \"10.0.0.1/8\": host "
		  "bits are set; the network is 10.0.0.0/8" },
		{ LIMITS("\"source\":[\"::1/128\",\"2001:db8::1/32\"]"),
		  "roles.r.limits.source[1]", "the network is 2001:db8::/32" },
		{ LIMITS("\"source\":[\"172.16.0.0/11\"]"),
		  "roles.r.limits.source[0]", "the network is 172.0.0.0/11" },
		{ LIMITS("\"rate\":\"0/s\""), "roles.r.limits.rate", "bad rate" },
		{ LIMITS("\"rate\":\"1000000000/s\""), "roles.r.limits.rate",
		  "bad rate" },
		/* The error names the second role when the first is fine. */
		{ "{\"version\":1,\"roles\":{\"ok\":{\"rules\":[" ALLOW_READ
		  "]},\"bad\":{\"rules\":[" ALLOW_READ ",{\"effect\":\"deny\","
		  "\"operations\":[\"read\"],\"resources\":[\"\"]}]}}}",
		  "roles.bad.rules[1].resources[0]", "bad resource type \"\"" },
	};
	struct policy_set	*set;
	struct policy_error	 err;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		set = (struct policy_set *)1;
		memset(&err, 0, sizeof(err));
		if (policy_load(t[i].doc, strlen(t[i].doc), &set, &err) != -1)
			fail_msg("case %zu loaded: %s", i, t[i].doc);
		assert_null(set);
		if (strcmp(err.path, t[i].path) != 0)
			fail_msg("case %zu: path \"%s\", want \"%s\" (msg %s)",
			    i, err.path, t[i].path, err.msg);
		if (strstr(err.msg, t[i].msg) == NULL)
			fail_msg("case %zu: msg \"%s\" lacks \"%s\"", i,
			    err.msg, t[i].msg);
	}
}

/* Regression: a role naming more resource types than the engine holds, or
 * with more scopes than fit, once loaded "successfully" with the extras
 * silently dropped. Both must be refused. */
static void
test_role_too_big_refused(void **state)
{
	struct policy_set	*set = NULL;
	struct policy_error	 err;
	char			 doc[8192];
	size_t			 n;
	int			 i;

	(void)state;
	n = (size_t)snprintf(doc, sizeof(doc), "{\"version\":1,\"roles\":{\"r\":"
	    "{\"rules\":[{\"effect\":\"allow\",\"operations\":[\"read\"],"
	    "\"resources\":[");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s\"R%02d\"",
		    i > 0 ? "," : "", i);
	snprintf(doc + n, sizeof(doc) - n, "]}]}}}");
	assert_int_equal(policy_load(doc, strlen(doc), &set, &err), -1);
	assert_null(set);
	assert_string_equal(err.path, "roles.r.rules[0]");
	assert_non_null(strstr(err.msg, "at most 32 resource types"));

	/* 30 resources with long names and every operation: > 2048 bytes */
	n = (size_t)snprintf(doc, sizeof(doc), "{\"version\":1,\"roles\":{\"r\":"
	    "{\"rules\":[{\"effect\":\"allow\",\"operations\":[\"*\"],"
	    "\"resources\":[");
	for (i = 0; i < 30; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n,
		    "%s\"AVeryLongResourceTypeName%02d\"", i > 0 ? "," : "", i);
	snprintf(doc + n, sizeof(doc) - n, "]}]}}}");
	assert_int_equal(policy_load(doc, strlen(doc), &set, &err), -1);
	assert_null(set);
	assert_string_equal(err.path, "roles.r");
	assert_non_null(strstr(err.msg, "scopes exceed"));
}

/* The resource types are the document's: "*" in one role covers a type
 * only another role names, and past 32 types the document is refused at
 * the rule that names the 33rd. */
static void
test_document_types(void **state)
{
	struct policy_set	*set;
	struct policy_error	 err;
	char			 doc[4096], out[POLICY_SCOPES_MAX];
	size_t			 n;
	int			 i;

	(void)state;
	set = load_ok("{\"version\":1,\"roles\":{"
	    "\"a\":{\"rules\":[{\"effect\":\"allow\",\"resources\":[\"*\"],"
	    "\"operations\":[\"delete\"]}]},"
	    "\"b\":{\"rules\":[{\"effect\":\"allow\","
	    "\"resources\":[\"Device\"],\"operations\":[\"read\"]}]}}}");
	assert_int_equal(policy_role_scopes(set, "a", out, sizeof(out)), 0);
	assert_string_equal(out, "scim:Device.delete scim:Group.delete "
	    "scim:User.delete");
	policy_free(&set);

	n = (size_t)snprintf(doc, sizeof(doc), "{\"version\":1,\"roles\":{");
	for (i = 0; i < 30; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s\"r%d\":"
		    "{\"rules\":[{\"effect\":\"allow\",\"resources\":"
		    "[\"User\",\"T%d\"],\"operations\":[\"read\"]}]}",
		    i > 0 ? "," : "", i, i);
	snprintf(doc + n, sizeof(doc) - n, "}}");
	set = load_ok(doc);
	policy_free(&set);
	snprintf(doc + n, sizeof(doc) - n, ",\"last\":{\"rules\":["
	    "{\"effect\":\"allow\",\"operations\":[\"read\"]},"
	    "{\"effect\":\"allow\",\"resources\":[\"t0\",\"T99\"],"
	    "\"operations\":[\"read\"]}]}}}");
	assert_int_equal(policy_load(doc, strlen(doc), &set, &err), -1);
	assert_null(set);
	assert_string_equal(err.path, "roles.last.rules[1]");
	assert_non_null(strstr(err.msg, "at most 32 resource types, User and "
	    "Group included"));
}

static void
test_free_null(void **state)
{
	struct policy_set *set = NULL;

	(void)state;
	policy_free(&set);
	policy_free(NULL);
	assert_null(set);
}

#define D(fn) cmocka_unit_test_setup_teardown(fn, setup_default, \
	teardown_default)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		D(test_default_roles),
		D(test_default_scopes),
		D(test_scope_grant),
		D(test_token_ttl),
		cmocka_unit_test(test_scope_rules),
		cmocka_unit_test(test_valid_limits),
		cmocka_unit_test(test_load_uses_len),
		cmocka_unit_test(test_load_too_large),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_role_too_big_refused),
		cmocka_unit_test(test_document_types),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
