/* scim/schema: RFC 7643 resources, RFC 7644 PATCH, query parameters,
 * .search and Bulk, against the core set and upstream-loaded sets. Each
 * case asserts the exact error, its scimType and a detail substring; no
 * detail may echo a value (the bodies' values hold "s3cr3t"). Bodies are
 * written with ' for " to stay readable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/scim/schema.h"

#define U	"'schemas':['urn:ietf:params:scim:schemas:core:2.0:User']"
#define ENT	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define UE	"'schemas':['urn:ietf:params:scim:schemas:core:2.0:User','" ENT \
		"']"
#define G	"'schemas':['urn:ietf:params:scim:schemas:core:2.0:Group']"
#define ACME	"urn:acme:params:scim:schemas:extension:acme:2.0:User"
#define UA	"'schemas':['urn:ietf:params:scim:schemas:core:2.0:User','" \
		ACME "']"
#define DEV	"urn:acme:params:scim:schemas:core:1.0:Device"
#define PO	"'schemas':['urn:ietf:params:scim:api:messages:2.0:PatchOp']"
#define SR	"'schemas':['urn:ietf:params:scim:api:messages:2.0:SearchRequest']"
#define BR	"'schemas':['urn:ietf:params:scim:api:messages:2.0:BulkRequest']"
#define JB	"'userName':'s3cr3t-bjensen'"

#define USERS	"/scim/v2/hr/Users"
#define USER1	"/scim/v2/hr/Users/2819c223"
#define GROUPS	"/scim/v2/hr/Groups"
#define GROUP1	"/scim/v2/hr/Groups/e9e30dba"
#define SEARCH	"/scim/v2/hr/Users/.search"
#define BULK	"/scim/v2/hr/Bulk"

#define OK	SCIM_VALID_OK
#define FILT	SCIM_VALID_INVALID_FILTER
#define MANY	SCIM_VALID_TOO_MANY
#define MUT	SCIM_VALID_MUTABILITY
#define SYN	SCIM_VALID_INVALID_SYNTAX
#define PATH	SCIM_VALID_INVALID_PATH
#define NOTGT	SCIM_VALID_NO_TARGET
#define VAL	SCIM_VALID_INVALID_VALUE
#define VERS	SCIM_VALID_INVALID_VERS
#define SENS	SCIM_VALID_SENSITIVE
#define BIG	SCIM_VALID_TOO_LARGE
#define MEDIA	SCIM_VALID_MEDIA_TYPE

#define MAX_BODY	65536
#define MAX_BULK	3

/* An upstream's /Schemas: an extension of its own, and attributes it
 * adds to the core User (one says userName is optional: keyd keeps the
 * RFC's word). */
static const char acme_schemas[] =
"{'schemas':['urn:ietf:params:scim:api:messages:2.0:ListResponse'],"
"'totalResults':4,'Resources':["
"{'id':'urn:ietf:params:scim:schemas:core:2.0:User','name':'User',"
" 'attributes':[{'name':'userName','type':'string','required':false},"
"  {'name':'id','type':'string','mutability':'readWrite'},"
"  {'name':'pronouns','type':'string'},"
"  {'name':'emails','type':'complex','multiValued':true,'subAttributes':"
"   [{'name':'verified','type':'boolean'}]}]},"
"{'id':'" ACME "','name':'Acme','attributes':["
"  {'name':'badge','type':'string','required':true},"
"  {'name':'level','type':'integer'},"
"  {'name':'clearance','type':'string','canonicalValues':['Low','High']},"
"  {'name':'tags','type':'string','multiValued':true},"
"  {'name':'hired','type':'dateTime'},"
"  {'name':'ratio','type':'decimal'},"
"  {'name':'pin','type':'string','mutability':'writeOnly',"
"   'returned':'never'},"
"  {'name':'badgeId','type':'string','mutability':'readOnly'},"
"  {'name':'site','type':'complex','subAttributes':["
"   {'name':'code','type':'string','required':true},"
"   {'name':'floor','type':'integer'}]}]},"
"{'id':'" DEV "','name':'Device','attributes':["
"  {'name':'serial','type':'string','required':true},"
"  {'name':'owner','type':'reference','referenceTypes':['User']}]},"
"{'id':'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',"
" 'name':'Service Provider Configuration','attributes':[]}]}";

/* Its /ResourceTypes: the extension is required on User; a Device type. */
static const char acme_rtypes[] =
"{'Resources':["
"{'name':'User','endpoint':'/Users','schema':"
" 'urn:ietf:params:scim:schemas:core:2.0:User','schemaExtensions':["
" {'schema':'" ACME "','required':true},{'schema':'" ENT "'}]},"
"{'name':'Device','endpoint':'/Devices','schema':'" DEV "'}]}";

enum set { CORE, ACME1, ACME2 };

struct tcase {
	const char		*method;
	const char		*path;
	const char		*query;
	const char		*body;
	enum set		 set;
	enum scim_valid_err	 want;
	const char		*type;		/* scimType, NULL for none */
	const char		*detail;	/* a substring; NULL on OK */
};

static struct scim_schema_set *sets[3];

/* S with every ' turned into ", in a buffer the caller frees. */
static char *
dq(const char *s)
{
	char *d = strdup(s), *p;

	assert_non_null(d);
	for (p = d; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static struct scim_schema_set *
load(const char *schemas, const char *rtypes)
{
	struct scim_schema_set *set = NULL;
	char err[SCIM_SCHEMA_ERR_MAX], *s = dq(schemas), *r = NULL;

	if (rtypes != NULL)
		r = dq(rtypes);
	if (scim_schema_set_load(s, strlen(s), r, r ? strlen(r) : 0, &set, err,
	    sizeof(err)) == -1)
		fail_msg("load: %s", err);
	free(s);
	free(r);
	return set;
}

static int
setup(void **state)
{
	(void)state;
	sets[ACME1] = load(acme_schemas, NULL);
	sets[ACME2] = load(acme_schemas, acme_rtypes);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	scim_schema_set_free(&sets[ACME1]);
	scim_schema_set_free(&sets[ACME2]);
	return 0;
}

/* Run one request; returns the error, ERR filled, *OUT the body. */
static enum scim_valid_err
run(const struct scim_schema_set *set, const char *method, const char *path,
    const char *query, const char *ct, const char *body, size_t max_bulk,
    char **out, struct scim_valid_error *err)
{
	struct scim_path p;
	char perr[256];
	size_t n;

	if (scim_path_parse(method, path, &p, perr, sizeof(perr)) !=
	    SCIM_PATH_OK)
		fail_msg("%s %s: %s", method, path, perr);
	return scim_validate_request(set, method, &p, query, ct, body,
	    body ? strlen(body) : 0, MAX_BODY, max_bulk, out, &n, err);
}

static void
check(size_t i, const struct tcase *c)
{
	struct scim_valid_error err;
	char *body = c->body ? dq(c->body) : NULL, *out = NULL;
	enum scim_valid_err rc;
	size_t j;

	rc = run(sets[c->set], c->method, c->path, c->query,
	    "application/scim+json", body, MAX_BULK, &out, &err);
	if (rc != c->want)
		fail_msg("case %zu (%s %s): want %s, got %s: %s", i, c->method,
		    c->path, scim_valid_strerror(c->want),
		    scim_valid_strerror(rc), err.detail);
	assert_int_equal(err.status, scim_valid_status(c->want));
	if ((c->type == NULL) != (err.scim_type == NULL) || (c->type != NULL &&
	    strcmp(c->type, err.scim_type) != 0))
		fail_msg("case %zu: scimType %s, want %s", i,
		    err.scim_type ? err.scim_type : "(none)",
		    c->type ? c->type : "(none)");
	if (c->detail != NULL && strstr(err.detail, c->detail) == NULL)
		fail_msg("case %zu: detail \"%s\" lacks \"%s\"", i, err.detail,
		    c->detail);
	if (strstr(err.detail, "s3cr3t") != NULL)
		fail_msg("case %zu: detail echoes a value: %s", i, err.detail);
	for (j = 0; err.detail[j] != '\0'; j++)
		assert_true(err.detail[j] >= 0x20 && err.detail[j] <= 0x7e);
	if (rc == OK && body != NULL)
		assert_non_null(out);
	if (rc != OK)
		assert_null(out);
	free(out);
	free(body);
}

static void
check_all(const struct tcase *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check(i, &t[i]);
}

static const struct tcase user_cases[] = {
	{ "POST", USERS, NULL, "{" U "," JB "}", CORE, OK, NULL, NULL },
	{ "POST", USERS, NULL, "{" U "," JB ",'name':{'givenName':'s3cr3t',"
	  "'familyName':'J','formatted':'x','middleName':'m',"
	  "'honorificPrefix':'Ms.','honorificSuffix':'III'},"
	  "'displayName':'B','nickName':'Babs','profileUrl':"
	  "'https://login.example.com/bjensen','title':'t','userType':'Employee',"
	  "'preferredLanguage':'en-US','locale':'en-US','timezone':"
	  "'America/Los_Angeles','active':true,'password':'s3cr3t',"
	  "'emails':[{'value':'s3cr3t@example.com','type':'work',"
	  "'primary':true},{'value':'b@example.org','type':'home'}],"
	  "'phoneNumbers':[{'value':'tel:+1-201-555-0123','type':'mobile'}],"
	  "'ims':[{'value':'bj','type':'skype'}],'photos':[{'value':"
	  "'https://photos.example.com/b.jpg','type':'thumbnail'}],"
	  "'addresses':[{'streetAddress':'100 Universal City Plaza',"
	  "'locality':'Hollywood','region':'CA','postalCode':'91608',"
	  "'country':'US','type':'work','primary':true}],"
	  "'entitlements':[{'value':'e'}],'roles':[{'value':'r'}],"
	  "'x509Certificates':[{'value':'TUlJRHFEQ0NBcENn'}],"
	  "'externalId':'701984'}", CORE, OK, NULL, NULL },
	{ "POST", USERS, NULL, "{" U ",'displayName':'s3cr3t'}", CORE, VAL,
	  "invalidValue", "userName is required" },
	{ "POST", USERS, NULL, "{" U ",'userName':''}", CORE, VAL,
	  "invalidValue", "userName is required and must not be empty" },
	{ "POST", USERS, NULL, "{" U ",'userName':null}", CORE, VAL,
	  "invalidValue", "userName is required" },
	{ "POST", USERS, NULL, "{" U ",'userName':42}", CORE, VAL,
	  "invalidValue", "userName must be a string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'active':'s3cr3t'}", CORE, VAL,
	  "invalidValue", "active must be true or false" },
	{ "POST", USERS, NULL, "{" U "," JB ",'active':1}", CORE, VAL,
	  "invalidValue", "active must be true or false" },
	{ "POST", USERS, NULL, "{" U "," JB ",'name':'s3cr3t'}", CORE, VAL,
	  "invalidValue", "name must be an object of sub-attributes" },
	{ "POST", USERS, NULL, "{" U "," JB ",'name':{'givenName':7}}", CORE,
	  VAL, "invalidValue", "name.givenName must be a string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':{'value':'s3cr3t'}}",
	  CORE, VAL, "invalidValue", "emails is multi-valued: send an array" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':'s3cr3t@x'}", CORE, VAL,
	  "invalidValue", "emails is multi-valued" },
	{ "POST", USERS, NULL, "{" U "," JB ",'displayName':['s3cr3t']}", CORE,
	  VAL, "invalidValue", "displayName is single-valued" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':[{'value':'a',"
	  "'primary':true},{'value':'b','primary':true}]}", CORE, VAL,
	  "invalidValue", "emails has more than one value with primary true" },
	{ "POST", USERS, NULL, "{" U "," JB ",'phoneNumbers':[{'value':'1',"
	  "'primary':'True'},{'value':'2','primary':'true'}]}", CORE, VAL,
	  "invalidValue", "phoneNumbers has more than one value with primary" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':['s3cr3t@x']}", CORE, VAL,
	  "invalidValue", "emails must be an object of sub-attributes" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':[null]}", CORE, VAL,
	  "invalidValue", "a value of emails is null" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':[[{'value':'x'}]]}", CORE,
	  VAL, "invalidValue", "a value of emails is an array" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':[{'value':'x',"
	  "'label':'s3cr3t'}]}", CORE, SYN, "invalidSyntax",
	  "unknown sub-attribute \"label\" in emails" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':[{'value':'x',"
	  "'VALUE':'y'}]}", CORE, SYN, "invalidSyntax", "emails names \"VALUE\" "
	  "twice" },
	{ "POST", USERS, NULL, "{" U "," JB ",'favouriteColour':'s3cr3t'}", CORE,
	  SYN, "invalidSyntax", "unknown attribute \"favouriteColour\" for "
	  "resource type User" },
	{ "POST", USERS, NULL, "{'schemas':['urn:ietf:params:scim:schemas:core:"
	  "2.0:User','urn:example:unknown:1.0'']," JB "}", CORE, SYN,
	  "invalidSyntax", "not valid JSON" },
	{ "POST", USERS, NULL, "{'schemas':['urn:ietf:params:scim:schemas:core:"
	  "2.0:User','urn:example:unknown:1.0:User']," JB "}", CORE, SYN,
	  "invalidSyntax", "unknown schema \"urn:example:unknown:1.0:User\"" },
	{ "POST", USERS, NULL, "{" U "," JB ",'urn:example:x:2.0:User':"
	  "{'a':'s3cr3t'}}", CORE, SYN, "invalidSyntax", "unknown schema or "
	  "attribute \"urn:example:x:2.0:User\"" },
	{ "POST", USERS, NULL, "{" JB "}", CORE, VAL, "invalidValue",
	  "schemas is required" },
	{ "POST", USERS, NULL, "{'schemas':'urn:ietf:params:scim:schemas:core:"
	  "2.0:User'," JB "}", CORE, SYN, "invalidSyntax", "schemas must be an "
	  "array" },
	{ "POST", USERS, NULL, "{'schemas':[]," JB "}", CORE, SYN,
	  "invalidSyntax", "schemas must be an array" },
	{ "POST", USERS, NULL, "{" G "," JB "}", CORE, VAL, "invalidValue",
	  "does not apply to resource type User" },
	{ "POST", USERS, NULL, "{'schemas':['urn:scim:schemas:core:1.0']," JB
	  "}", CORE, VERS, "invalidVers", "a SCIM 1.x body" },
	{ "POST", USERS, NULL, "{'schemas':[7]," JB "}", CORE, SYN,
	  "invalidSyntax", "schemas must hold strings" },
	{ "POST", USERS, NULL, "{" U "," JB ",'photos':[{'value':'https://x/p',"
	  "'type':'s3cr3t'}]}", CORE, VAL, "invalidValue",
	  "photos.type must be one of photo, thumbnail" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':[{'value':'a',"
	  "'type':'s3cr3t-label'}]}", CORE, OK, NULL, NULL },
	{ "POST", USERS, NULL, "{" U "," JB ",'profileUrl':'https://x/s3cr3t "
	  "y'}", CORE, VAL, "invalidValue", "profileUrl must be a URI string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'profileUrl':5}", CORE, VAL,
	  "invalidValue", "profileUrl must be a URI string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'photos':[{'value':''}]}", CORE,
	  VAL, "invalidValue", "photos.value must be a URI string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'x509Certificates':[{'value':"
	  "'s3cr3t!'}]}", CORE, VAL, "invalidValue", "x509Certificates.value "
	  "must be a base64 string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'x509Certificates':[{'value':"
	  "'TUlJ='}]}", CORE, VAL, "invalidValue", "must be a base64 string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'id':7,'meta':{'created':"
	  "'s3cr3t'},'groups':[{'value':'g'}]}", CORE, OK, NULL, NULL },
	{ "POST", USERS, NULL, "{" U "," JB ",'password':5}", CORE, VAL,
	  "invalidValue", "password must be a string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'externalId':{'id':'s3cr3t'}}",
	  CORE, VAL, "invalidValue", "externalId must be a string" },
	{ "POST", USERS, NULL, "{" U "," JB ",'USERNAME':'s3cr3t'}", CORE, SYN,
	  "invalidSyntax", "names \"USERNAME\" twice" },
	{ "POST", USERS, NULL, "{" U "," JB "," JB "}", CORE, SYN,
	  "invalidSyntax", "a member is repeated" },
	{ "POST", USERS, NULL, "{" U "," JB ",}", CORE, SYN, "invalidSyntax",
	  "the body is not valid JSON (line 1" },
	{ "POST", USERS, NULL, "['s3cr3t']", CORE, SYN, "invalidSyntax",
	  "the body must be a JSON object" },
	{ "POST", USERS, NULL, "{" U "," JB ",'name.givenName':'s3cr3t',"
	  "'name':{'givenName':'B'}}", CORE, SYN, "invalidSyntax",
	  "\"name\" sets an attribute the body already sets" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails[type eq \\'work\\']."
	  "value':'s3cr3t'}", CORE, PATH, "invalidPath", "a value filter belongs "
	  "in a PATCH operation's path" },
	{ "POST", USERS, NULL, "{" U "," JB ",'foo bar':'s3cr3t'}", CORE, SYN,
	  "invalidSyntax", "\"foo bar\" is not an attribute name" },
	{ "POST", USERS, NULL, "{" U "," JB ",'urn:ietf:params:scim:schemas:core"
	  ":2.0:User:displayName':'B'}", CORE, OK, NULL, NULL },
	{ "PUT", USER1, NULL, "{" U ",'id':'2819c223'," JB ",'meta':"
	  "{'version':'W/\\'a\\''}}", CORE, OK, NULL, NULL },
	{ "PUT", USER1, NULL, "{" U ",'id':'2819c223','active':false}", CORE,
	  VAL, "invalidValue", "userName is required" },
	{ "POST", "/scim/v2/hr/Devices", NULL, "{'serial':'s3cr3t'}", CORE, VAL,
	  "invalidValue", "keyd knows no schema for /Devices" },
	{ "GET", USERS, NULL, "{" U "}", CORE, SYN, "invalidSyntax",
	  "a search request takes no body" },
	{ "DELETE", USER1, NULL, NULL, CORE, OK, NULL, NULL },
};

static void
test_user(void **state)
{
	(void)state;
	check_all(user_cases, sizeof(user_cases) / sizeof(user_cases[0]));
}

static const struct tcase eg_cases[] = {
	{ "POST", USERS, NULL, "{" UE "," JB ",'" ENT "':{'employeeNumber':'7',"
	  "'costCenter':'c','organization':'o','division':'d','department':'x',"
	  "'manager':{'value':'26118915','$ref':'../Users/26118915'}}}", CORE,
	  OK, NULL, NULL },
	{ "POST", USERS, NULL, "{" U "," JB ",'" ENT "':{'department':"
	  "'s3cr3t'}}", CORE, VAL, "invalidValue", "the body sets attributes of "
	  ENT ", which schemas does not list" },
	{ "POST", USERS, NULL, "{" UE "," JB ",'" ENT "':{'employeeNumber':7}}",
	  CORE, VAL, "invalidValue", ENT ":employeeNumber must be a string" },
	{ "POST", USERS, NULL, "{" UE "," JB ",'" ENT "':{'shoeSize':'s3cr3t'}}",
	  CORE, SYN, "invalidSyntax", "unknown attribute \"shoeSize\" in " ENT },
	{ "POST", USERS, NULL, "{" UE "," JB ",'" ENT "':{'manager':[{'value':"
	  "'s3cr3t'}]}}", CORE, VAL, "invalidValue", ENT ":manager is "
	  "single-valued" },
	{ "POST", USERS, NULL, "{" UE "," JB ",'" ENT "':{'manager':{'value':"
	  "5}}}", CORE, VAL, "invalidValue", ENT ":manager.value must be a "
	  "string" },
	{ "POST", USERS, NULL, "{" UE "," JB ",'" ENT "':'s3cr3t'}", CORE, VAL,
	  "invalidValue", ENT " must be an object of that schema's attributes" },
	{ "POST", USERS, NULL, "{" UE "," JB ",'" ENT "':{'manager':{'value':"
	  "'m','displayName':'s3cr3t'}}}", CORE, OK, NULL, NULL },
	{ "POST", USERS, NULL, "{" UE "," JB ",'" ENT "':{'department':'d',"
	  "'DEPARTMENT':'s3cr3t'}}", CORE, SYN, "invalidSyntax",
	  "names \"DEPARTMENT\" twice" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'Tour Guides','members':"
	  "[{'value':'2819c223','$ref':'https://x/Users/2819c223','type':"
	  "'User','display':'Babs'}]}", CORE, OK, NULL, NULL },
	{ "POST", GROUPS, NULL, "{" G ",'members':[]}", CORE, VAL,
	  "invalidValue", "displayName is required" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':true}", CORE, VAL,
	  "invalidValue", "displayName must be a string" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'G','members':{'value':"
	  "'s3cr3t'}}", CORE, VAL, "invalidValue", "members is multi-valued" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'G','members':[{'value':"
	  "'a','primary':true}]}", CORE, SYN, "invalidSyntax",
	  "unknown sub-attribute \"primary\" in members" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'G','members':[{'value':"
	  "12}]}", CORE, VAL, "invalidValue", "members.value must be a string" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'G'," JB "}", CORE, SYN,
	  "invalidSyntax", "unknown attribute \"userName\" for resource type "
	  "Group" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'G','members':[{'$ref':"
	  "'s3cr3t x'}]}", CORE, VAL, "invalidValue",
	  "members.$ref must be a URI string" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'G','" ENT "':{}}", CORE,
	  VAL, "invalidValue", "does not extend resource type Group" },
	{ "PUT", GROUP1, NULL, "{" G ",'id':'e9e30dba','displayName':'G',"
	  "'members':[]}", CORE, OK, NULL, NULL },
};

static void
test_enterprise_group(void **state)
{
	(void)state;
	check_all(eg_cases, sizeof(eg_cases) / sizeof(eg_cases[0]));
}

#define ACME_OK	"'" ACME "':{'badge':'B-1'}"

static const struct tcase loaded_cases[] = {
	{ "POST", USERS, NULL, "{" UA "," JB "," ACME_OK "}", CORE, SYN,
	  "invalidSyntax", "schemas lists an unknown schema \"" ACME "\"" },
	{ "POST", USERS, NULL, "{" U "," JB "," ACME_OK "}", CORE, SYN,
	  "invalidSyntax", "unknown schema or attribute \"" ACME "\"" },
	{ "POST", USERS, NULL, "{" UA "," JB "," ACME_OK "}", ACME1, OK, NULL,
	  NULL },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'level':3,"
	  "'badge':'b','clearance':'low','tags':['a','b'],'hired':"
	  "'2024-02-29T23:59:59.123+05:30','ratio':0.5,'pin':'s3cr3t',"
	  "'badgeId':'s3cr3t','site':{'code':'HQ','floor':-1}}}", ACME1, OK,
	  NULL, NULL },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'level':3}}", ACME1,
	  VAL, "invalidValue", ACME ":badge is required" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b','level':"
	  "'3'}}", ACME1, VAL, "invalidValue", ACME ":level must be an integer" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b','level':"
	  "3.5}}", ACME1, VAL, "invalidValue", "level must be an integer" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b','ratio':"
	  "'s3cr3t'}}", ACME1, VAL, "invalidValue", "ratio must be a number" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b','tags':"
	  "'s3cr3t'}}", ACME1, VAL, "invalidValue", ACME ":tags is "
	  "multi-valued" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b','tags':"
	  "[1]}}", ACME1, VAL, "invalidValue", ACME ":tags must be a string" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b','hired':"
	  "'2023-02-29T10:00:00Z'}}", ACME1, VAL, "invalidValue",
	  ACME ":hired must be an xsd:dateTime" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b','hired':"
	  "'2024-05-01 12:00:00'}}", ACME1, VAL, "invalidValue",
	  "hired must be an xsd:dateTime" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b','site':"
	  "{'floor':2}}}", ACME1, VAL, "invalidValue", ACME ":site.code is "
	  "required" },
	{ "POST", USERS, NULL, "{" UA "," JB ",'" ACME "':{'badge':'b',"
	  "'clearance':'s3cr3t'}}", ACME1, OK, NULL, NULL },
	{ "POST", USERS, NULL, "{" U "," JB ",'pronouns':'they'}", ACME1, OK,
	  NULL, NULL },
	{ "POST", USERS, NULL, "{" U "," JB ",'pronouns':'they'}", CORE, SYN,
	  "invalidSyntax", "unknown attribute \"pronouns\"" },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':[{'value':'a',"
	  "'verified':'True'}]}", ACME1, OK, NULL, NULL },
	{ "POST", USERS, NULL, "{" U "," JB ",'emails':[{'value':'a',"
	  "'verified':true}]}", CORE, SYN, "invalidSyntax",
	  "unknown sub-attribute \"verified\" in emails" },
	{ "POST", USERS, NULL, "{" U "," JB ",'id':5}", ACME1, OK, NULL, NULL },
	{ "PATCH", USER1, NULL, "{" PO ",'Operations':[{'op':'add','path':'id',"
	  "'value':'s3cr3t'}]}", ACME1, MUT, "mutability", "id is readOnly" },
	{ "POST", USERS, NULL, "{" U ",'pronouns':'they'}", ACME1, VAL,
	  "invalidValue", "userName is required" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'G','" ACME "':{}}", ACME1,
	  VAL, "invalidValue", "does not extend resource type Group" },
	{ "POST", USERS, NULL, "{" UA "," JB "," ACME_OK "}", ACME2, OK, NULL,
	  NULL },
	{ "POST", USERS, NULL, "{" U "," JB "}", ACME2, VAL, "invalidValue",
	  "resource type User requires the extension " ACME },
	{ "POST", "/scim/v2/hr/Devices", NULL, "{'schemas':['" DEV "'],"
	  "'serial':'s3cr3t','owner':'../Users/1'}", ACME2, OK, NULL, NULL },
	{ "POST", "/scim/v2/hr/Devices", NULL, "{'schemas':['" DEV "'],"
	  "'owner':'../Users/1'}", ACME2, VAL, "invalidValue", "serial is "
	  "required" },
	{ "POST", GROUPS, NULL, "{" G ",'displayName':'G'}", ACME2, OK, NULL,
	  NULL },
	{ "PATCH", USER1, NULL, "{" PO ",'Operations':[{'op':'replace','path':"
	  "'" ACME ":level','value':4}]}", ACME1, OK, NULL, NULL },
	{ "PATCH", USER1, NULL, "{" PO ",'Operations':[{'op':'replace','path':"
	  "'" ACME ":level','value':4}]}", CORE, PATH, "invalidPath",
	  "path names a schema that does not extend User" },
	{ "PATCH", USER1, NULL, "{" PO ",'Operations':[{'op':'replace','path':"
	  "'" ACME ":badgeId','value':'s3cr3t'}]}", ACME1, MUT, "mutability",
	  ACME ":badgeId is readOnly" },
	{ "GET", USERS, "filter=urn%3Aacme%3Aparams%3Ascim%3Aschemas%3A"
	  "extension%3Aacme%3A2.0%3AUser%3Apin%20eq%20%22s3cr3t%22", NULL,
	  ACME1, SENS, "sensitive", "the filter names pin" },
};

static void
test_loaded(void **state)
{
	(void)state;
	check_all(loaded_cases, sizeof(loaded_cases) / sizeof(loaded_cases[0]));
}

#define OPS(x)	"{" PO ",'Operations':[" x "]}"

static const struct tcase patch_cases[] = {
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'active','value':"
	  "'False'}"), CORE, OK, NULL, NULL },
	{ "PATCH", USER1, NULL, OPS("{'op':'Replace','path':'displayName',"
	  "'value':'s3cr3t'}"), CORE, OK, NULL, NULL },
	{ "PATCH", USER1, NULL, OPS("{'op':'copy','path':'displayName',"
	  "'value':'s3cr3t'}"), CORE, SYN, "invalidSyntax", "Operations[0]: op "
	  "must be add, remove or replace" },
	{ "PATCH", USER1, NULL, OPS("{'path':'displayName','value':'x'}"), CORE,
	  SYN, "invalidSyntax", "op must be add, remove or replace" },
	{ "PATCH", USER1, NULL, "{'schemas':['urn:ietf:params:scim:schemas:core"
	  ":2.0:User'],'Operations':[{'op':'add','path':'title','value':'x'}]}",
	  CORE, SYN, "invalidSyntax", "must list only urn:ietf:params:scim:api:"
	  "messages:2.0:PatchOp" },
	{ "PATCH", USER1, NULL, "{'Operations':[{'op':'add','path':'title',"
	  "'value':'x'}]}", CORE, SYN, "invalidSyntax", "a PATCH body's schemas "
	  "must list urn:ietf:params:scim:api:messages:2.0:PatchOp" },
	{ "PATCH", USER1, NULL, OPS(""), CORE, SYN, "invalidSyntax",
	  "a PATCH body needs a non-empty Operations array" },
	{ "PATCH", USER1, NULL, "{" PO "}", CORE, SYN, "invalidSyntax",
	  "non-empty Operations array" },
	{ "PATCH", USER1, NULL, "{" PO ",'Operations':[],'id':'s3cr3t'}", CORE,
	  SYN, "invalidSyntax", "unknown member \"id\" in a PATCH body" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'title','value':'x',"
	  "'from':'s3cr3t'}"), CORE, SYN, "invalidSyntax", "Operations[0]: "
	  "unknown member \"from\"" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'title','value':'x'},"
	  "{'op':'remove'}"), CORE, NOTGT, "noTarget", "Operations[1]: remove "
	  "needs a path" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'title'}"), CORE, VAL,
	  "invalidValue", "Operations[0]: add needs a value" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','value':'s3cr3t'}"), CORE,
	  VAL, "invalidValue", "without a path, value must be an object" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'emails[type eq',"
	  "'value':'s3cr3t'}"), CORE, PATH, "invalidPath", "path at byte " },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':"
	  "'emails[value eq \\'s3cr3t\\' junk]','value':'x'}"), CORE, PATH,
	  "invalidPath", "path at byte" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'favouriteColour',"
	  "'value':'s3cr3t'}"), CORE, PATH, "invalidPath", "path names unknown "
	  "attribute \"favouriteColour\" of User" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'name.nick',"
	  "'value':'s3cr3t'}"), CORE, PATH, "invalidPath", "unknown "
	  "sub-attribute \"nick\" of name" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'name[givenName eq "
	  "\\'s3cr3t\\']','value':{}}"), CORE, PATH, "invalidPath",
	  "name is single-valued: a value filter needs a multi-valued" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'emails[label eq "
	  "\\'s3cr3t\\'].value','value':'x'}"), CORE, PATH, "invalidPath",
	  "the value filter of emails names an unknown sub-attribute" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'id','value':"
	  "'s3cr3t'}"), CORE, MUT, "mutability", "id is readOnly" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'meta.created',"
	  "'value':'2024-01-01T00:00:00Z'}"), CORE, MUT, "mutability",
	  "meta.created is readOnly" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'groups','value':"
	  "[{'value':'s3cr3t'}]}"), CORE, MUT, "mutability", "groups is "
	  "readOnly" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','value':{'id':'s3cr3t',"
	  "'active':false}}"), CORE, MUT, "mutability", "id is readOnly" },
	{ "PATCH", GROUP1, NULL, OPS("{'op':'replace','value':{'ID':"
	  "'e9e30dbb','displayName':'s3cr3t'}}"), CORE, MUT, "mutability",
	  "id is readOnly" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'schemas','value':"
	  "['s3cr3t']}"), CORE, MUT, "mutability", "schemas cannot be changed" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','value':{'schemas':[]}}"),
	  CORE, MUT, "mutability", "schemas cannot be changed by a PATCH" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'active','value':"
	  "5}"), CORE, VAL, "invalidValue", "active must be true or false" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'emails[type eq "
	  "\\'work\\'].value','value':5}"), CORE, VAL, "invalidValue",
	  "emails.value must be a string" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'emails','value':"
	  "'s3cr3t@x'}"), CORE, VAL, "invalidValue", "emails must be an object" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'emails','value':"
	  "[{'value':'a','primary':true},{'value':'b','primary':true}]}"), CORE,
	  VAL, "invalidValue", "emails has more than one value with primary" },
	{ "PATCH", USER1, NULL, OPS("{'op':'remove','path':'userName'}"), CORE,
	  VAL, "invalidValue", "userName is required: it cannot be removed" },
	{ "PATCH", USER1, NULL, OPS("{'op':'remove','path':'title','value':"
	  "'s3cr3t'}"), CORE, VAL, "invalidValue", "remove of title takes no "
	  "value" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','value':{'shoeSize':"
	  "'s3cr3t'}}"), CORE, SYN, "invalidSyntax", "unknown attribute "
	  "\"shoeSize\" for resource type User" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'" ENT ":manager',"
	  "'value':{'value':'26118915'}}"), CORE, OK, NULL, NULL },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'" ENT ":shoeSize',"
	  "'value':'s3cr3t'}"), CORE, PATH, "invalidPath", "unknown attribute "
	  "\"shoeSize\" of " ENT },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'urn:example:x:1.0:User:"
	  "a','value':'s3cr3t'}"), CORE, PATH, "invalidPath", "path names a "
	  "schema that does not extend User" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'" ENT ":manager."
	  "displayName','value':'s3cr3t'}"), CORE, MUT, "mutability",
	  ENT ":manager.displayName is readOnly" },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'title','value':null}"),
	  CORE, VAL, "invalidValue", "add of title needs a value, not null" },
	{ "PATCH", USER1, NULL, OPS("{'op':'replace','path':'title','value':"
	  "null}"), CORE, OK, NULL, NULL },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'" ENT "','value':"
	  "{'department':'s3cr3t'}}"), CORE, OK, NULL, NULL },
	{ "PATCH", USER1, NULL, OPS("{'op':'add','path':'" ENT "','value':"
	  "{'costCentre':'s3cr3t'}}"), CORE, SYN, "invalidSyntax",
	  "unknown attribute \"costCentre\" in " ENT },
	{ "PATCH", GROUP1, NULL, OPS("{'op':'replace','path':'members[value eq "
	  "\\'s3cr3t\\'].value','value':'x'}"), CORE, MUT, "mutability",
	  "members.value is immutable" },
	{ "PATCH", GROUP1, NULL, OPS("{'op':'remove','path':'members[value eq "
	  "\\'2819c223\\']'},{'op':'add','path':'members','value':[{'value':"
	  "'902c246b','display':'s3cr3t'}]}"), CORE, OK, NULL, NULL },
	{ "PATCH", GROUP1, NULL, OPS("{'op':'replace','path':'displayName',"
	  "'value':['s3cr3t']}"), CORE, VAL, "invalidValue", "displayName is "
	  "single-valued" },
	{ "PATCH", "/scim/v2/hr/Devices/1", NULL, OPS("{'op':'add','path':"
	  "'serial','value':'s3cr3t'}"), CORE, VAL, "invalidValue",
	  "keyd knows no schema for /Devices" },
};

static void
test_patch(void **state)
{
	(void)state;
	check_all(patch_cases, sizeof(patch_cases) / sizeof(patch_cases[0]));
}

static const struct tcase query_cases[] = {
	{ "GET", USERS, "filter=userName%20eq%20%22s3cr3t%22%20and%20(emails"
	  "%20co%20%22x%22%20or%20not%20(active%20eq%20true))", NULL, CORE, OK,
	  NULL, NULL },
	{ "GET", USERS, "filter=userName%20eq%20s3cr3t", NULL, CORE, FILT,
	  "invalidFilter", "filter at byte 12: expected a value" },
	{ "GET", USERS, "filter=shoeSize%20eq%20%22s3cr3t%22", NULL, CORE, FILT,
	  "invalidFilter", "unknown attribute \"shoeSize\" of User" },
	{ "GET", USERS, "filter=password%20eq%20%22s3cr3t%22", NULL, CORE, SENS,
	  "sensitive", "the filter names password" },
	{ "GET", USERS, "filter=active%20pr&FILTER=title%20pr", NULL, CORE, FILT,
	  "invalidFilter", "filter appears twice" },
	{ "GET", USERS, "attributes=userName,emails.value,%20name.givenName,"
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager,"
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,"
	  "meta.lastModified", NULL, CORE, OK, NULL, NULL },
	{ "GET", USERS, "attributes=userName,shoeSize", NULL, CORE, VAL,
	  "invalidValue", "attributes: unknown attribute \"shoeSize\"" },
	{ "GET", USERS, "attributes=userName%20,%20user%20Name", NULL, CORE,
	  VAL, "invalidValue", "attributes: attribute path at byte 4" },
	{ "POST", USERS, NULL, "{" U ",'" "urn:ietf:params:scim:schemas:core:"
	  "2.0:User':{'userName':'s3cr3t','USERNAME':'x'}}", CORE, SYN,
	  "invalidSyntax", "names \"USERNAME\" twice" },
	{ "POST", USERS, NULL, "{" U "," JB ",'" "urn:ietf:params:scim:schemas:"
	  "core:2.0:User':{'userName':'s3cr3t'}}", CORE, SYN, "invalidSyntax",
	  "sets an attribute the body already sets" },
	{ "POST", USERS, NULL, "{" U ",'" "urn:ietf:params:scim:schemas:core:"
	  "2.0:User':'s3cr3t'}", CORE, VAL, "invalidValue", "must be an object "
	  "of attributes" },
	{ "GET", USERS, "attributes=userName,,emails", NULL, CORE, VAL,
	  "invalidValue", "attributes must be up to 64 attribute paths" },
	{ "GET", GROUPS, "excludedAttributes=members", NULL, CORE, OK, NULL,
	  NULL },
	{ "GET", GROUPS, "excludedAttributes=emails", NULL, CORE, VAL,
	  "invalidValue", "excludedAttributes: unknown attribute \"emails\" of "
	  "Group" },
	{ "GET", USERS, "sortBy=name.familyName&sortOrder=descending", NULL,
	  CORE, OK, NULL, NULL },
	{ "GET", USERS, "sortBy=emails%5Btype%20eq%20%22work%22%5D", NULL, CORE,
	  VAL, "invalidValue", "names an attribute, not a value filter" },
	{ "GET", USERS, "sortOrder=upward", NULL, CORE, VAL, "invalidValue",
	  "sortOrder must be ascending or descending" },
	{ "GET", USERS, "startIndex=0&count=-5", NULL, CORE, OK, NULL, NULL },
	{ "GET", USERS, "startIndex=one", NULL, CORE, VAL, "invalidValue",
	  "startIndex must be an integer" },
	{ "GET", USERS, "count=1.5", NULL, CORE, VAL, "invalidValue",
	  "count must be an integer" },
	{ "GET", USERS, "count=", NULL, CORE, VAL, "invalidValue",
	  "count is empty" },
	{ "GET", USERS, "filter=userName%2", NULL, CORE, FILT, "invalidFilter",
	  "filter: a bad percent-escape" },
	{ "GET", USERS, "cursor=abc&foo=s3cr3t", NULL, CORE, OK, NULL, NULL },
	{ "GET", USER1, "attributes=userName", NULL, CORE, OK, NULL, NULL },
	{ "GET", "/scim/v2/hr/Devices", "filter=serial%20eq%20%22x%22", NULL,
	  CORE, OK, NULL, NULL },
	{ "POST", SEARCH, NULL, "{" SR ",'filter':'userName sw \\'s3cr3t\\'',"
	  "'attributes':['userName'],'excludedAttributes':['emails'],"
	  "'sortBy':'userName','sortOrder':'ascending','startIndex':1,"
	  "'count':10}", CORE, OK, NULL, NULL },
	{ "POST", SEARCH, NULL, "{'filter':'userName pr'}", CORE, SYN,
	  "invalidSyntax", "a .search body's schemas must list" },
	{ "POST", SEARCH, NULL, "{" SR ",'where':'s3cr3t'}", CORE, SYN,
	  "invalidSyntax", "unknown member \"where\" in a SearchRequest" },
	{ "POST", SEARCH, NULL, "{" SR ",'attributes':'userName'}", CORE, VAL,
	  "invalidValue", "attributes must be an array" },
	{ "POST", SEARCH, NULL, "{" SR ",'startIndex':'1'}", CORE, VAL,
	  "invalidValue", "startIndex must be an integer" },
	{ "POST", SEARCH, NULL, "{" SR ",'filter':'password eq \\'s3cr3t\\''}",
	  CORE, FILT, "invalidFilter", "password is never returned and cannot "
	  "be filtered on" },
	{ "POST", SEARCH, NULL, "{" SR ",'filter':5}", CORE, FILT,
	  "invalidFilter", "filter must be a string" },
	{ "POST", SEARCH, NULL, "{" SR ",'filter':'userName eq'}", CORE, FILT,
	  "invalidFilter", "filter at byte" },
};

static void
test_query_search(void **state)
{
	(void)state;
	check_all(query_cases, sizeof(query_cases) / sizeof(query_cases[0]));
}

#define BOPS(x)	"{" BR ",'Operations':[" x "]}"
#define BPOST	"{'method':'POST','path':'/Users','bulkId':'q1','data':{" U \
		"," JB "}}"

static const struct tcase bulk_cases[] = {
	{ "POST", BULK, NULL, "{" BR ",'failOnErrors':1,'Operations':[" BPOST
	  ",{'method':'delete','path':'/Users/b7c14771'},{'method':'PATCH',"
	  "'path':'/Groups/e9e30dba','version':'W/\\'1\\'','data':" OPS("{'op':"
	  "'add','path':'members','value':[{'value':'bulkId:q1'}]}") "}]}",
	  CORE, OK, NULL, NULL },
	{ "POST", BULK, NULL, "{" PO ",'Operations':[" BPOST "]}", CORE, SYN,
	  "invalidSyntax", "a Bulk body's schemas must list" },
	{ "POST", BULK, NULL, BOPS(BPOST "," BPOST "," BPOST "," BPOST), CORE,
	  MANY, "tooMany", "holds 4 operations; at most 3 are accepted" },
	{ "POST", BULK, NULL, BOPS("{'method':'GET','path':'/Users'}"), CORE,
	  SYN, "invalidSyntax", "Operations[0]: method must be POST, PUT, PATCH "
	  "or DELETE" },
	{ "POST", BULK, NULL, BOPS("{'method':'POST','path':'/Users','data':{"
	  U "," JB "}}"), CORE, SYN, "invalidSyntax", "a POST operation needs a "
	  "bulkId" },
	{ "POST", BULK, NULL, BOPS("{'method':'DELETE','path':'/Users/1',"
	  "'data':{}}"), CORE, SYN, "invalidSyntax", "DELETE takes no data" },
	{ "POST", BULK, NULL, BOPS("{'method':'POST','path':'Users',"
	  "'bulkId':'q','data':{}}"), CORE, SYN, "invalidSyntax", "path must be "
	  "a string such as" },
	{ "POST", BULK, NULL, BOPS("{'method':'POST','path':'/Bulk','bulkId':"
	  "'q','data':{}}"), CORE, SYN, "invalidSyntax", "a bulk operation "
	  "creates, replaces, patches or deletes" },
	{ "POST", BULK, NULL, BOPS("{'method':'POST','path':'/Users','bulkId':"
	  "'q','data':{" U ",'displayName':'s3cr3t'}}"), CORE, VAL,
	  "invalidValue", "Operations[0]: userName is required" },
	{ "POST", BULK, NULL, BOPS(BPOST ",{'method':'PATCH','path':'/Users/1',"
	  "'data':" OPS("{'op':'replace','path':'id','value':'s3cr3t'}") "}"),
	  CORE, MUT, "mutability", "Operations[1]: Operations[0]: id is "
	  "readOnly" },
	{ "POST", BULK, NULL, "{" BR ",'failOnErrors':'1','Operations':[" BPOST
	  "]}", CORE, VAL, "invalidValue", "failOnErrors must be an integer" },
	{ "POST", BULK, NULL, BOPS(BPOST "," BPOST), CORE, VAL, "invalidValue",
	  "Operations[1]: bulkId is the same as Operations[0]'s" },
	{ "POST", BULK, NULL, BOPS("{'method':'DELETE','path':'/Users/1',"
	  "'location':'s3cr3t'}"), CORE, SYN, "invalidSyntax", "unknown member "
	  "\"location\" in the operation" },
	{ "POST", BULK, NULL, BOPS(""), CORE, SYN, "invalidSyntax", "a bulk "
	  "request needs a non-empty Operations array" },
	{ "POST", BULK, NULL, BOPS("{'method':'PUT','path':'/Users','data':{}}"),
	  CORE, SYN, "invalidSyntax", "path: PUT is not allowed" },
	{ "POST", BULK, NULL, BOPS("{'method':'POST','path':'/Devices','bulkId':"
	  "'d','data':{'serial':'s3cr3t'}}"), CORE, VAL, "invalidValue",
	  "keyd knows no schema for /Devices" },
};

static void
test_bulk(void **state)
{
	(void)state;
	check_all(bulk_cases, sizeof(bulk_cases) / sizeof(bulk_cases[0]));
}

static void
expect(enum scim_valid_err rc, const struct scim_valid_error *err,
    enum scim_valid_err want, const char *detail)
{
	if (rc != want || strstr(err->detail, detail) == NULL)
		fail_msg("want %s \"%s\", got %s: %s", scim_valid_strerror(want),
		    detail, scim_valid_strerror(rc), err->detail);
}

/* Content-Type, size and depth bounds, each before anything is parsed. */
static void
test_media_size(void **state)
{
	static const char *good[] = { "application/scim+json",
	    "application/json", "Application/SCIM+JSON", " application/json\t",
	    "application/scim+json; charset=utf-8",
	    "application/scim+json;charset=UTF-8",
	    "application/json ; charset = \"utf-8\" " };
	static const char *bad[] = { "text/plain", "", "application/xml",
	    "application/jsonx", "application/json; charset=latin1",
	    "application/json; charset=utf-8; charset=utf-8",
	    "application/json; boundary=x", "application/scim+json;",
	    "multipart/form-data" };
	struct scim_valid_error err;
	char *body = dq("{" U "," JB "}"), *out = NULL, *big;
	size_t i, n = 3 * SCIM_VALID_JSON_DEPTH;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(scim_content_type_check(good[i]), 0);
		assert_int_equal(run(NULL, "POST", USERS, NULL, good[i], body,
		    MAX_BULK, &out, &err), OK);
		free(out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(scim_content_type_check(bad[i]), -1);
		expect(run(NULL, "POST", USERS, NULL, bad[i], body, MAX_BULK,
		    &out, &err), &err, MEDIA, "Content-Type must be");
		assert_int_equal(err.status, 415);
		assert_null(err.scim_type);
	}
	expect(run(NULL, "POST", USERS, NULL, NULL, body, MAX_BULK, &out, &err),
	    &err, MEDIA, "application/scim+json");
	expect(run(NULL, "POST", USERS, NULL, "application/json", NULL,
	    MAX_BULK, &out, &err), &err, SYN, "needs a JSON body");
	big = malloc(MAX_BODY + 2);
	assert_non_null(big);
	memset(big, ' ', MAX_BODY + 1);
	big[MAX_BODY + 1] = '\0';
	expect(run(NULL, "POST", USERS, NULL, "text/plain", big, MAX_BULK, &out,
	    &err), &err, BIG, "over the limit of 65536");
	assert_int_equal(err.status, 413);
	for (i = 0; i < n; i++)
		big[i] = i < n / 2 ? '[' : ']';
	big[n] = '\0';
	expect(run(NULL, "POST", USERS, NULL, "application/json", big, MAX_BULK,
	    &out, &err), &err, SYN, "nests more than 16 levels");
	free(big);
	free(body);
}

/* 1001 PATCH operations, a query past its bound. */
static void
test_bounds(void **state)
{
	struct scim_valid_error err;
	char *body, *out = NULL, *q;
	size_t i, n = 0, cap = 64 * 1024;

	(void)state;
	body = malloc(cap);
	assert_non_null(body);
	n = (size_t)snprintf(body, cap, "{\"schemas\":[\"urn:ietf:params:scim:"
	    "api:messages:2.0:PatchOp\"],\"Operations\":[");
	for (i = 0; i <= SCIM_VALID_MAX_OPS; i++)
		n += (size_t)snprintf(body + n, cap - n, "%s{\"op\":\"remove\","
		    "\"path\":\"title\"}", i ? "," : "");
	snprintf(body + n, cap - n, "]}");
	expect(run(NULL, "PATCH", USER1, NULL, "application/json", body,
	    MAX_BULK, &out, &err), &err, BIG, "1001 operations, more than 1000");
	free(body);
	q = malloc(SCIM_VALID_QUERY_MAX + 16);
	assert_non_null(q);
	memset(q, 'a', SCIM_VALID_QUERY_MAX + 8);
	memcpy(q, "count=1&", 8);
	q[SCIM_VALID_QUERY_MAX + 8] = '\0';
	expect(run(NULL, "GET", USERS, q, NULL, NULL, MAX_BULK, &out, &err),
	    &err, BIG, "longer than 16384 bytes");
	free(q);
}

static void
load_fails(const char *schemas, const char *rtypes, const char *detail)
{
	struct scim_schema_set *set = NULL;
	char err[SCIM_SCHEMA_ERR_MAX], *s = dq(schemas), *r = NULL;

	if (rtypes != NULL)
		r = dq(rtypes);
	assert_int_equal(scim_schema_set_load(s, strlen(s), r,
	    r ? strlen(r) : 0, &set, err, sizeof(err)), -1);
	assert_null(set);
	if (strstr(err, detail) == NULL)
		fail_msg("load error \"%s\" lacks \"%s\"", err, detail);
	free(s);
	free(r);
}

#define SCH(a)	"[{'id':'urn:x:1.0:User','attributes':[" a "]}]"

static void
test_load_errors(void **state)
{
	struct scim_schema_set *set;
	const struct scim_schema_set *core = scim_schema_core();

	(void)state;
	load_fails("{", NULL, "/Schemas: not valid JSON");
	load_fails("{'Resources':{}}", NULL, "expected a ListResponse");
	load_fails("[{'attributes':[]}]", NULL, "a schema needs an id");
	load_fails("[{'id':'x:y','attributes':[]}]", NULL, "needs an id");
	load_fails("[{'id':'urn:x:1.0:User'},{'id':'URN:X:1.0:USER'}]", NULL,
	    "listed twice");
	load_fails(SCH("{'name':'a','type':'text'}"), NULL,
	    "urn:x:1.0:User:a: unknown type");
	load_fails(SCH("{'name':'a','mutability':'sometimes'}"), NULL,
	    "unknown mutability");
	load_fails(SCH("{'name':'9a'}"), NULL, "an attribute needs a name");
	load_fails(SCH("{'name':'a'},{'name':'A'}"), NULL, "attribute A is "
	    "defined twice");
	load_fails(SCH("{'name':'a','multiValued':'yes'}"), NULL,
	    "multiValued must be true or false");
	load_fails(SCH("{'name':'a','canonicalValues':[1]}"), NULL,
	    "canonicalValues must be strings");
	load_fails(SCH("{'name':'a','type':'complex','subAttributes':[{'name':"
	    "'b','type':'complex','subAttributes':[{'name':'c','type':'complex',"
	    "'subAttributes':[]}]}]}"), NULL, "nest too deep");
	load_fails(SCH("{'name':'a'}"), "{'Resources':[{'name':'Thing',"
	    "'endpoint':'/Things','schema':'urn:none:1.0:Thing'}]}",
	    "resource type Thing: schema urn:none:1.0:Thing is not in /Schemas");
	load_fails(SCH("{'name':'a'}"), "[{'name':'User','endpoint':'Users',"
	    "'schema':'urn:x:1.0:User'}]", "an endpoint such as");
	load_fails(SCH("{'name':'a'}"), "[{'name':'User','endpoint':'/Users',"
	    "'schema':'urn:x:1.0:User','schemaExtensions':[{'schema':"
	    "'urn:gone:1.0:User'}]}]", "extension urn:gone:1.0:User is not in");
	assert_true(scim_schema_set_has(NULL, ENT));
	assert_false(scim_schema_set_has(core, ACME));
	assert_true(scim_schema_set_has(sets[ACME1], ACME));
	assert_true(scim_schema_set_has(sets[ACME1],
	    "urn:ietf:params:scim:schemas:core:2.0:group"));
	set = (struct scim_schema_set *)(uintptr_t)core;
	scim_schema_set_free(&set);	/* the core set is static: a no-op */
	assert_null(set);
	assert_true(scim_schema_set_has(core, ENT));
}

static void
test_error_body(void **state)
{
	struct scim_valid_error err;
	char *body = dq("{" U "}"), *out = NULL, *e;

	(void)state;
	expect(run(NULL, "POST", USERS, NULL, "application/json", body,
	    MAX_BULK, &out, &err), &err, VAL, "userName is required");
	e = scim_valid_error_body(&err);
	assert_non_null(e);
	assert_string_equal(e, "{\"schemas\":[\"urn:ietf:params:scim:api:"
	    "messages:2.0:Error\"],\"status\":\"400\",\"detail\":\"userName is "
	    "required\",\"scimType\":\"invalidValue\"}");
	free(e);
	free(body);
	assert_string_equal(scim_valid_scim_type(SCIM_VALID_UNIQUENESS),
	    "uniqueness");
	assert_int_equal(scim_valid_status(SCIM_VALID_UNIQUENESS), 409);
	assert_int_equal(scim_valid_status(SCIM_VALID_NOMEM), 500);
	assert_string_equal(scim_valid_strerror((enum scim_valid_err)99),
	    "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_enterprise_group),
		cmocka_unit_test(test_loaded),
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_query_search),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_media_size),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_error_body),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
