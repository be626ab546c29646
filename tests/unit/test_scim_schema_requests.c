/* scim/schema: RFC 7644 requests: PATCH (§3.5.2), query parameters and
 * .search (§3.4), Bulk (§3.7), the media type, and the size and depth
 * bounds checked before anything is parsed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/scim_schema_run.h"


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


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_query_search),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_media_size),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
