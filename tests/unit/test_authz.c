/* authz_decide end to end: a raw SCIM request (method, path, query, body)
 * derived by scim_facts_derive, then decided, as the proxy and `keyctl
 * policy test` do. The cases are the ones the policy issue names at the
 * request level: Entra ID's capitalised ops, PATCH with and without path,
 * a bulk with one forbidden operation, discovery, unknown types, scopes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/authz.h"

static const char doc_src[] =
"{'version': 1, 'roles': {"
" 'prov': {'rules': ["
"  {'effect': 'allow', 'upstreams': ['hr'], 'resources': ['User'],"
"   'operations': ['create', 'read', 'search', 'replace', 'patch']},"
"  {'effect': 'deny', 'resources': ['User'],"
"   'operations': ['create', 'replace', 'patch'],"
"   'attributes': ['roles', 'entitlements',"
"    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager']},"
"  {'effect': 'allow', 'resources': ['Group'],"
"   'operations': ['read', 'search', 'patch'],"
"   'attributes': ['members', 'displayName']},"
"  {'effect': 'deny', 'resources': ['Group'], 'operations': ['patch'],"
"   'where': {'id': ['admins-*']}},"
"  {'effect': 'allow', 'operations': ['bulk', 'discover']}],"
"  'limits': {'max_body': '2KiB', 'max_bulk_operations': 3}},"
" 'reader': {'rules': [{'effect': 'allow', 'resources': ['*'],"
"   'operations': ['read', 'search']}]}}}";

#define PATCHOP "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"]," \
		"\"Operations\":["
#define USER	"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
#define BULK	"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"]," \
		"\"Operations\":["
#define OKP(path) "{\"method\":\"PATCH\",\"path\":\"" path "\",\"data\":" PATCHOP \
		"{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}}"

struct acase {
	const char	*role, *scope, *method, *path, *query, *body;
	int		 allow;
	const char	*rule;		/* "" when no rule decided */
	const char	*why;		/* a substring of the reason */
	long		 bulk_index;
};

static const struct acase cases[] = {
	{ "prov", NULL, "GET", "/scim/v2/hr/Users/2819c223", NULL, NULL, 1,
	  "prov#0", "allows read on User", -1 },
	{ "prov", NULL, "GET", "/scim/v2/crm/Users/2819c223", NULL, NULL, 0,
	  "", "no rule of role prov allows read on User", -1 },
	{ "prov", NULL, "PATCH", "/scim/v2/hr/Users/1", NULL, PATCHOP
	  "{\"op\":\"Replace\",\"path\":\"roles\",\"value\":[{\"value\":\"a\"}]}]}",
	  0, "prov#1", "deny: rule prov#1 forbids writing attribute roles", -1 },
	{ "prov", NULL, "PATCH", "/scim/v2/hr/Users/1", NULL, PATCHOP
	  "{\"op\":\"Add\",\"path\":\"emails[type eq \\\"work\\\"].value\","
	  "\"value\":\"x@example.com\"}]}", 1, "prov#0", "allows patch on User",
	  -1 },
	{ "prov", NULL, "PATCH", "/scim/v2/hr/Users/1", NULL, PATCHOP
	  "{\"op\":\"Replace\",\"value\":{\"name.givenName\":\"B\","
	  "\"active\":\"False\"}}]}", 1, "prov#0", "allows patch on User", -1 },
	{ "prov", NULL, "PATCH", "/scim/v2/hr/Users/1", NULL, PATCHOP
	  "{\"op\":\"replace\",\"value\":{\"entitlements\":[]}}]}", 0, "prov#1",
	  "forbids writing attribute entitlements", -1 },
	{ "prov", NULL, "PATCH", "/scim/v2/hr/Users/1", NULL, PATCHOP
	  "{\"op\":\"Remove\",\"path\":\"roles[value eq \\\"a\\\"]\"}]}", 0,
	  "prov#1", "forbids writing attribute roles", -1 },
	{ "prov", NULL, "PUT", "/scim/v2/hr/Users/1", NULL, USER
	  "\"userName\":\"b\",\"urn:ietf:params:scim:schemas:extension:"
	  "enterprise:2.0:User\":{\"manager\":{\"value\":\"m\"}}}", 0, "prov#1",
	  "enterprise:2.0:User:manager", -1 },
	{ "prov", NULL, "POST", "/scim/v2/hr/Users", NULL, USER
	  "\"userName\":\"b\",\"id\":\"ignored\",\"meta\":{\"version\":\"1\"}}",
	  1, "prov#0", "allows create on User", -1 },
	{ "prov", NULL, "DELETE", "/scim/v2/hr/Users/1", NULL, NULL, 0, "",
	  "no rule of role prov allows delete on User", -1 },
	{ "prov", NULL, "GET", "/scim/v2/hr/Users", "filter=userName%20eq%20%22b%22",
	  NULL, 1, "prov#0", "allows search on User", -1 },
	{ "prov", NULL, "POST", "/scim/v2/hr/Users/.search", NULL,
	  "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:SearchRequest\"],"
	  "\"filter\":\"roles.value eq \\\"x\\\"\"}", 1, "prov#0",
	  "allows search on User", -1 },
	{ "prov", NULL, "GET", "/scim/v2/hr/Groups", "filter=externalId%20pr",
	  NULL, 0, "", "no rule of role prov allows filtering on attribute "
	  "externalId", -1 },
	{ "prov", NULL, "GET", "/scim/v2/hr/Groups",
	  "filter=displayName%20sw%20%22S%22&sortBy=displayName", NULL, 1,
	  "prov#2", "allows search on Group", -1 },
	{ "prov", NULL, "PATCH", "/scim/v2/hr/Groups/g1", NULL, PATCHOP
	  "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"1\"}]}]}",
	  1, "prov#2", "allows patch on Group", -1 },
	{ "prov", NULL, "PATCH", "/scim/v2/hr/Groups/admins-1", NULL, PATCHOP
	  "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"1\"}]}]}",
	  0, "prov#3", "where id is \"admins-1\"", -1 },
	{ "prov", NULL, "PATCH", "/scim/v2/hr/Groups/g1", NULL, PATCHOP
	  "{\"op\":\"replace\",\"path\":\"externalId\",\"value\":\"x\"}]}", 0,
	  "", "no rule of role prov allows writing attribute externalId", -1 },
	{ "prov", NULL, "GET", "/scim/v2/hr/ServiceProviderConfig", NULL, NULL,
	  1, "prov#4", "allows discover", -1 },
	{ "prov", NULL, "GET", "/scim/v2/hr/Schemas", NULL, NULL, 1, "prov#4",
	  "allows discover", -1 },
	{ "reader", NULL, "GET", "/scim/v2/hr/ResourceTypes", NULL, NULL, 0,
	  "", "no rule of role reader allows discover", -1 },
	{ "prov", NULL, "GET", "/scim/v2/hr/Widgets/1", NULL, NULL, 0, "",
	  "unknown resource type Widgets", -1 },
	{ "reader", NULL, "GET", "/scim/v2/hr/Groups/g1", NULL, NULL, 1,
	  "reader#0", "allows read on Group", -1 },
	{ "reader", NULL, "PATCH", "/scim/v2/hr/Users/1", NULL, PATCHOP
	  "{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}", 0, "",
	  "no rule of role reader allows patch on User", -1 },
	/* A token's scope narrows the role. */
	{ "prov", "scim:User.search", "GET", "/scim/v2/hr/Users", NULL, NULL, 1,
	  "prov#0", "allows search on User", -1 },
	{ "prov", "scim:User.search", "GET", "/scim/v2/hr/Users/1", NULL, NULL,
	  0, "", "scim:User.read", -1 },
	/* Bulk: allowed only when every operation is. */
	{ "prov", NULL, "POST", "/scim/v2/hr/Bulk", NULL, BULK OKP("/Users/1")
	  "," OKP("/Users/2") "]}", 1, "prov#4", "all 2 operations", -1 },
	{ "prov", NULL, "POST", "/scim/v2/hr/Bulk", NULL, BULK OKP("/Users/1")
	  ",{\"method\":\"POST\",\"bulkId\":\"q\",\"path\":\"/Users\",\"data\":"
	  USER "\"userName\":\"x\",\"roles\":[{\"value\":\"r\"}]}}," OKP("/Users/2")
	  "]}", 0, "prov#1", "bulk operation 1: rule prov#1 forbids writing "
	  "attribute roles", 1 },
	{ "prov", NULL, "POST", "/scim/v2/hr/Bulk", NULL, BULK OKP("/Users/1")
	  ",{\"method\":\"DELETE\",\"path\":\"/Users/2\"}]}", 0, "",
	  "bulk operation 1", 1 },
	{ "prov", NULL, "POST", "/scim/v2/hr/Bulk", NULL, BULK OKP("/Users/1")
	  "," OKP("/Users/2") "," OKP("/Users/3") "," OKP("/Users/4") "]}", 0,
	  "", "max_bulk_operations", -1 },
	{ "reader", NULL, "POST", "/scim/v2/hr/Bulk", NULL, BULK OKP("/Users/1")
	  "]}", 0, "", "no rule of role reader allows bulk", -1 },
};

static struct policy_set *set;

static int
setup(void **state)
{
	struct policy_error	 err;
	char			*doc, *p;

	(void)state;
	if ((doc = strdup(doc_src)) == NULL)
		return -1;
	for (p = doc; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	if (policy_load(doc, strlen(doc), &set, &err) != 0) {
		fprintf(stderr, "%s: %s\n", err.path, err.msg);
		free(doc);
		return -1;
	}
	free(doc);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	policy_free(&set);
	return 0;
}

static void
test_cases(void **state)
{
	struct policy_decision	 d;
	struct scim_facts	 f;
	const struct acase	*c;
	char			 err[SCIM_FACTS_ERR_MAX];
	size_t			 i;
	int			 r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		c = &cases[i];
		memset(&f, 0, sizeof(f));
		if (scim_facts_derive(c->method, c->path, c->query, c->body,
		    c->body != NULL ? strlen(c->body) : 0,
		    authz_max_body(set, c->role), &f, err, sizeof(err)) !=
		    SCIM_FACTS_OK)
			fail_msg("case %zu: %s %s: %s", i, c->method, c->path,
			    err);
		r = authz_decide(set, c->role, c->scope, &f, &d);
		if ((r == 0) != c->allow || strcmp(d.rule, c->rule) != 0 ||
		    strstr(d.reason, c->why) == NULL ||
		    d.bulk_index != c->bulk_index)
			fail_msg("case %zu: %s %s: got %d rule [%s] bulk %ld "
			    "reason [%s]", i, c->method, c->path, r, d.rule,
			    d.bulk_index, d.reason);
		assert_int_equal(d.effect, c->allow ? POLICY_ALLOW :
		    POLICY_DENY);
		scim_facts_free(&f);
	}
}

/* The role's max_body is the facts' limit; a role without one gets 1 MiB. */
static void
test_max_body(void **state)
{
	struct scim_facts	 f = { 0 };
	char			 err[SCIM_FACTS_ERR_MAX], *body;
	size_t			 n = 3000;

	(void)state;
	assert_int_equal(authz_max_body(set, "prov"), 2048);
	assert_int_equal(authz_max_body(set, "reader"), AUTHZ_MAX_BODY_DEFAULT);
	assert_int_equal(authz_max_body(set, "nobody"), AUTHZ_MAX_BODY_DEFAULT);
	assert_non_null(body = malloc(n + 1));
	memset(body, ' ', n);
	body[n] = '\0';
	assert_int_equal(scim_facts_derive("POST", "/scim/v2/hr/Users", NULL,
	    body, n, authz_max_body(set, "prov"), &f, err, sizeof(err)),
	    SCIM_FACTS_TOO_LARGE);
	scim_facts_free(&f);
	free(body);
}

/* Unknown roles and missing inputs deny, never allow. */
static void
test_fail_closed(void **state)
{
	struct policy_decision	 d;
	struct scim_facts	 f = { 0 };
	char			 err[SCIM_FACTS_ERR_MAX];

	(void)state;
	assert_int_equal(scim_facts_derive("GET", "/scim/v2/hr/Users/1", NULL,
	    NULL, 0, 1024, &f, err, sizeof(err)), SCIM_FACTS_OK);
	assert_int_equal(authz_decide(set, "nobody", NULL, &f, &d), -1);
	assert_int_equal(d.effect, POLICY_DENY);
	assert_int_equal(authz_decide(NULL, "prov", NULL, &f, &d), -1);
	assert_int_equal(authz_decide(set, NULL, NULL, &f, &d), -1);
	assert_int_equal(authz_decide(set, "prov", NULL, NULL, &d), -1);
	scim_facts_free(&f);
	memset(&f, 0, sizeof(f));
	assert_int_equal(authz_decide(set, "prov", NULL, &f, &d), -1);
	assert_non_null(strstr(d.reason, "no SCIM operation"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_max_body),
		cmocka_unit_test(test_fail_closed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
