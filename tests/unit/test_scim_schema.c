/* scim/schema: RFC 7643 resources (User, EnterpriseUser, Group) against
 * the core set and upstream-loaded sets, loading those sets, and the SCIM
 * Error body. The requests around them (PATCH, queries, .search, Bulk,
 * media type and bounds) are in test_scim_schema_requests.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/scim_schema_run.h"

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
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_error_body),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

