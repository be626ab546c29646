/* scim/schema normalisation: what real identity providers send, and the
 * exact canonical RFC 7643/7644 JSON keyd forwards instead. One case per
 * quirk in docs/scim-compatibility.md. Bodies use ' for ". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/scim/facts.h"
#include "keyd/scim/schema.h"

#define CORE_U	"urn:ietf:params:scim:schemas:core:2.0:User"
#define ENT	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define PATCHOP	"urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define U	"'schemas':['" CORE_U "']"
#define UE	"'schemas':['" CORE_U "','" ENT "']"
#define G	"'schemas':['urn:ietf:params:scim:schemas:core:2.0:Group']"
#define PO	"'schemas':['" PATCHOP "']"
#define OPS(x)	"{" PO ",'Operations':[" x "]}"

#define USERS	"/scim/v2/hr/Users"
#define USER1	"/scim/v2/hr/Users/2819c223"
#define GROUPS	"/scim/v2/hr/Groups"
#define GROUP1	"/scim/v2/hr/Groups/e9e30dba"

struct ncase {
	const char	*client;	/* who sends it */
	const char	*method;
	const char	*path;
	const char	*query;
	const char	*ct;
	const char	*in;
	const char	*out;		/* NULL: no body to forward */
	int		 up;		/* against the upstream's set */
};

static const char up_schemas[] = "[{\"id\":\"urn:acme:2.0:User\","
    "\"attributes\":[{\"name\":\"ratio\",\"type\":\"decimal\"},"
    "{\"name\":\"scale\",\"type\":\"decimal\"},{\"name\":\"count\","
    "\"type\":\"integer\"}]}]";

static struct scim_schema_set *up_set;

static const struct ncase cases[] = {
	/* Entra ID: capitalised op, boolean as a string. */
	{ "entra", "PATCH", USER1, NULL, "application/scim+json",
	  OPS("{'op':'Replace','path':'active','value':'False'}"),
	  OPS("{'op':'replace','path':'active','value':false}"), 0 },
	{ "entra", "PATCH", USER1, NULL, "application/scim+json",
	  OPS("{'op':'Add','path':'emails[type eq \\'work\\'].value','value':"
	  "'bjensen@example.com'},{'op':'Remove','path':'title'}"),
	  OPS("{'op':'add','path':'emails[type eq \\'work\\'].value','value':"
	  "'bjensen@example.com'},{'op':'remove','path':'title'}"), 0 },
	{ "entra", "POST", USERS, NULL, "application/scim+json",
	  "{" U ",'userName':'bjensen','active':'True','emails':[{'value':"
	  "'b@example.com','type':'work','primary':'true'}]}",
	  "{" U ",'userName':'bjensen','active':true,'emails':[{'value':"
	  "'b@example.com','type':'work','primary':true}]}", 0 },
	/* Entra ID: path-less replace keyed by attribute paths, rewritten
	 * into the canonical nesting (RFC 7644 §3.5.2.3 merges
	 * sub-attributes, so the meaning is the same). */
	{ "entra", "PATCH", USER1, NULL, "application/scim+json",
	  OPS("{'op':'Replace','value':{'displayName':'Babs','name.givenName':"
	  "'Barbara','name.familyName':'Jensen','" ENT ":department':'Tour',"
	  "'" ENT ":manager':'26118915','active':'False'}}"),
	  OPS("{'op':'replace','value':{'displayName':'Babs','name':"
	  "{'givenName':'Barbara','familyName':'Jensen'},'" ENT "':"
	  "{'department':'Tour','manager':{'value':'26118915'}},'active':"
	  "false}}"), 0 },
	/* Entra ID: the enterprise manager as a bare id. */
	{ "entra", "PATCH", USER1, NULL, "application/scim+json",
	  OPS("{'op':'Add','path':'" ENT ":manager','value':'26118915'}"),
	  OPS("{'op':'add','path':'" ENT ":manager','value':{'value':"
	  "'26118915'}}"), 0 },
	/* Entra ID: remove members named in value. */
	{ "entra", "PATCH", GROUP1, NULL, "application/scim+json",
	  OPS("{'op':'Remove','path':'members','value':[{'value':'2819c223'}]}"),
	  OPS("{'op':'remove','path':'members','value':[{'value':"
	  "'2819c223'}]}"), 0 },
	/* Entra ID: attr[filter].sub comparisons and excludedAttributes. */
	{ "entra", "GET", USERS, "filter=emails%5Btype%20eq%20%22work%22%5D."
	  "value%20eq%20%22b%40example.com%22", NULL, NULL, NULL, 0 },
	{ "entra", "GET", GROUPS, "filter=displayName%20eq%20%22Tour%22&"
	  "excludedAttributes=members", NULL, NULL, NULL, 0 },
	/* Okta: charset in the media type; id and meta in a PUT body, which
	 * RFC 7643 §3.1 has the server ignore: stripped. */
	{ "okta", "PUT", USER1, NULL, "application/scim+json; charset=utf-8",
	  "{" U ",'id':'2819c223','userName':'bjensen','meta':{'resourceType':"
	  "'User','created':'2024-01-01T00:00:00Z'},'groups':[{'value':'g1',"
	  "'display':'Tour'}],'active':true}",
	  "{" U ",'userName':'bjensen','active':true}", 0 },
	{ "okta", "PATCH", USER1, NULL, "application/scim+json; charset=utf-8",
	  OPS("{'op':'replace','value':{'active':false}}"),
	  OPS("{'op':'replace','value':{'active':false}}"), 0 },
	{ "okta", "PATCH", GROUP1, NULL, "application/scim+json; charset=utf-8",
	  OPS("{'op':'add','path':'members','value':[{'value':'2819c223',"
	  "'display':'bjensen@example.com'}]}"),
	  OPS("{'op':'add','path':'members','value':[{'value':'2819c223',"
	  "'display':'bjensen@example.com'}]}"), 0 },
	/* Okta: a group rename sends the group's own id beside the new
	 * name; the id changes nothing and is dropped (another id is a
	 * mutability error). */
	{ "okta", "PATCH", GROUP1, NULL, "application/scim+json; charset=utf-8",
	  OPS("{'op':'replace','value':{'id':'e9e30dba','displayName':"
	  "'Tour Guides'}}"),
	  OPS("{'op':'replace','value':{'displayName':'Tour Guides'}}"), 0 },
	/* Google: application/json and the SCIM 1.0 URN beside 2.0's. */
	{ "google", "POST", USERS, NULL, "application/json",
	  "{'schemas':['" CORE_U "','urn:scim:schemas:core:1.0'],'userName':"
	  "'bjensen'}", "{" U ",'userName':'bjensen'}", 0 },
	/* Any client: names in any case, canonical values in any case,
	 * schema URNs in any case, forwarded in the schema's spelling. */
	{ "any", "POST", USERS, NULL, "application/scim+json",
	  "{'schemas':['URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER','" ENT "',"
	  "'" ENT "'],'USERNAME':'bjensen','Emails':[{'Value':'b@example.com',"
	  "'TYPE':'Work'}],'photos':[{'value':'https://x/p.jpg','type':"
	  "'Thumbnail'}],'urn:ietf:params:scim:schemas:extension:enterprise:"
	  "2.0:user':{'Department':'Tour'}}",
	  "{" UE ",'userName':'bjensen','emails':[{'value':'b@example.com',"
	  "'type':'work'}],'photos':[{'value':'https://x/p.jpg','type':"
	  "'thumbnail'}],'" ENT "':{'department':'Tour'}}", 0 },
	/* Any client: the core URN on an attribute name, a readOnly
	 * sub-attribute, a null (unassigned) value. */
	{ "any", "POST", USERS, NULL, "application/scim+json",
	  "{" UE ",'" CORE_U ":userName':'bjensen','nickName':null,'" ENT "':"
	  "{'manager':{'value':'26118915','displayName':'Jim'}}}",
	  "{" UE ",'userName':'bjensen','nickName':null,'" ENT "':{'manager':"
	  "{'value':'26118915'}}}", 0 },
	/* Any client: the core attributes inside an object named by the
	 * resource's own schema URN. */
	{ "any", "POST", USERS, NULL, "application/scim+json",
	  "{" U ",'" CORE_U "':{'userName':'bjensen','name':{'givenName':'B'}},"
	  "'displayName':'Babs'}",
	  "{" U ",'userName':'bjensen','name':{'givenName':'B'},'displayName':"
	  "'Babs'}", 0 },
	/* Any client: one value added to a multi-valued attribute. */
	{ "any", "PATCH", USER1, NULL, "application/scim+json",
	  "{'schemas':['" PATCHOP "'],'operations':[{'OP':'add','PATH':"
	  "'emails','Value':{'value':'b@example.com','type':'Home'}}]}",
	  OPS("{'op':'add','path':'emails','value':[{'value':'b@example.com',"
	  "'type':'home'}]}"), 0 },
	{ "any", "POST", "/scim/v2/hr/Users/.search", NULL, "application/json",
	  "{'schemas':['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],"
	  "'Filter':'userName sw \\'b\\'','sortorder':'Descending','COUNT':5}",
	  "{'schemas':['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],"
	  "'filter':'userName sw \\'b\\'','sortOrder':'descending','count':5}", 0 },
	{ "any", "POST", "/scim/v2/hr/Bulk", NULL, "application/scim+json",
	  "{'schemas':['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],"
	  "'Operations':[{'Path':'/Users','Method':'post','BulkId':'q1','Data':"
	  "{" U ",'userName':'bjensen','active':'True','id':'x'}},{'method':"
	  "'patch','path':'/Groups/e9e30dba','data':" OPS("{'op':'Add','path':"
	  "'members','value':[{'value':'bulkId:q1'}]}") "}]}",
	  "{'schemas':['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],"
	  "'Operations':[{'method':'POST','bulkId':'q1','path':'/Users','data':"
	  "{" U ",'userName':'bjensen','active':true}},{'method':'PATCH',"
	  "'path':'/Groups/e9e30dba','data':" OPS("{'op':'add','path':"
	  "'members','value':[{'value':'bulkId:q1'}]}") "}]}", 0 },
	{ "any", "POST", GROUPS, NULL, "application/scim+json",
	  "{" G ",'displayName':'Tour','members':[{'value':'2819c223','type':"
	  "'user'}]}",
	  "{" G ",'displayName':'Tour','members':[{'value':'2819c223','type':"
	  "'User'}]}", 0 },
	/* Any client: a decimal as written, not as its nearest double. */
	{ "any", "POST", USERS, NULL, "application/scim+json",
	  "{'schemas':['" CORE_U "','urn:acme:2.0:User'],'userName':'b',"
	  "'urn:acme:2.0:User':{'ratio':0.1,'scale':1.5e-7,'count':7}}",
	  "{'schemas':['" CORE_U "','urn:acme:2.0:User'],'userName':'b',"
	  "'urn:acme:2.0:User':{'ratio':0.1,'scale':1.5e-7,'count':7}}", 1 },
	{ "any", "DELETE", USER1, NULL, NULL, NULL, NULL, 0 },
};

static char *
dq(const char *s)
{
	char *d, *p;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	assert_non_null(d);
	for (p = d; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static void
check(size_t i, const struct ncase *c)
{
	struct scim_valid_error err;
	struct scim_path p;
	char perr[256], *in = dq(c->in), *want = dq(c->out), *out = NULL;
	size_t n = 1;

	assert_int_equal(scim_path_parse(c->method, c->path, &p, perr,
	    sizeof(perr)), SCIM_PATH_OK);
	if (scim_validate_request(c->up ? up_set : NULL, c->method, &p,
	    c->query, c->ct, in, in ? strlen(in) : 0, 1 << 20, 10, &out, &n,
	    &err) != SCIM_VALID_OK)
		fail_msg("case %zu (%s): %s", i, c->client, err.detail);
	if (want == NULL) {
		assert_null(out);
		assert_int_equal(n, 0);
	} else if (out == NULL || strcmp(out, want) != 0)
		fail_msg("case %zu (%s):\n  want %s\n  got  %s", i, c->client,
		    want, out ? out : "(null)");
	else
		assert_int_equal(n, strlen(out));
	free(in);
	free(want);
	free(out);
}

static void
test_clients(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(i, &cases[i]);
}

/* The normalised body is itself valid and normalises to itself. */
static void
test_idempotent(void **state)
{
	struct scim_valid_error err;
	struct scim_path p;
	char perr[256], *in, *once = NULL, *twice = NULL;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].in == NULL)
			continue;
		in = dq(cases[i].in);
		assert_int_equal(scim_path_parse(cases[i].method, cases[i].path,
		    &p, perr, sizeof(perr)), SCIM_PATH_OK);
		assert_int_equal(scim_validate_request(cases[i].up ? up_set :
		    NULL, cases[i].method, &p, NULL, "application/scim+json", in,
		    strlen(in), 1 << 20, 10, &once, &n, &err), SCIM_VALID_OK);
		if (scim_validate_request(cases[i].up ? up_set : NULL,
		    cases[i].method, &p, NULL, "application/scim+json", once, n,
		    1 << 20, 10, &twice, &n, &err) != SCIM_VALID_OK)
			fail_msg("case %zu: %s", i, err.detail);
		assert_string_equal(once, twice);
		free(in);
		free(once);
		free(twice);
	}
}

/* The proxy derives policy facts from what it forwards: every
 * normalised body must be one scim_facts_derive reads. */
static void
test_facts_read_it(void **state)
{
	struct scim_valid_error err;
	struct scim_facts f;
	struct scim_path p;
	char perr[256], ferr[SCIM_FACTS_ERR_MAX], *in, *out = NULL;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in = dq(cases[i].in);
		assert_int_equal(scim_path_parse(cases[i].method, cases[i].path,
		    &p, perr, sizeof(perr)), SCIM_PATH_OK);
		assert_int_equal(scim_validate_request(cases[i].up ? up_set :
		    NULL, cases[i].method, &p, cases[i].query, cases[i].ct, in,
		    in ? strlen(in) : 0, 1 << 20, 10, &out, &n, &err),
		    SCIM_VALID_OK);
		if (scim_facts_derive(cases[i].method, cases[i].path,
		    cases[i].query, out, n, 1 << 20, &f, ferr, sizeof(ferr)) !=
		    SCIM_FACTS_OK)
			fail_msg("case %zu: facts: %s", i, ferr);
		scim_facts_free(&f);
		free(in);
		free(out);
	}
}

static int
setup(void **state)
{
	char err[SCIM_SCHEMA_ERR_MAX];

	(void)state;
	return scim_schema_set_load(up_schemas, sizeof(up_schemas) - 1, NULL,
	    0, &up_set, err, sizeof(err));
}

static int
teardown(void **state)
{
	(void)state;
	scim_schema_set_free(&up_set);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clients),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_facts_read_it),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
