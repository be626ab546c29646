/* scim/facts: (method, path, query, body) → the facts a policy decides
 * on, or the exact refusal: resources, queries, bodies, bounds, errors.
 * Each case renders the whole of the facts to one line and compares it
 * exactly (scim_facts_run.h). PATCH and Bulk: test_scim_facts_patch.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/scim/facts.h"

#include "tests/unit/scim_facts_run.h"

static void
test_resources(void **state)
{
	static const struct fc t[] = {
		/* RFC 7644 §3.3's create, name by its sub-attributes. */
		{ "POST", P "/Users", NULL,
		  "{'schemas':[" CU "],'userName':'bjensen','externalId':"
		  "'bjensen','name':{'formatted':'Ms. Barbara J Jensen III',"
		  "'familyName':'Jensen','givenName':'Barbara'}}",
		  SCIM_FACTS_OK, "create User w=userName,externalId,"
		  "name.formatted,name.familyName,name.givenName "
		  "v=userName:bjensen,externalId:bjensen,name.formatted:Ms. "
		  "Barbara J Jensen III,name.familyName:Jensen,"
		  "name.givenName:Barbara" },
		/* Multi-valued: the list and each sub-attribute, no values. */
		{ "POST", P "/Users", NULL,
		  "{'userName':'b','emails':[{'value':'bjensen@example.com',"
		  "'type':'work','primary':true},{'value':'babs@jensen.org',"
		  "'type':'home','display':'x'}]}",
		  SCIM_FACTS_OK, "create User w=userName,emails,emails.value,"
		  "emails.type,emails.primary,emails.display v=userName:b" },
		{ "POST", P "/Users", NULL,
		  "{'phoneNumbers':[],'ims':['x',1,null],'photos':[{}]}",
		  SCIM_FACTS_OK, "create User w=phoneNumbers,ims,photos" },
		/* The enterprise extension, listed in schemas or not. */
		{ "POST", P "/Users", NULL,
		  "{'schemas':[" CU ",'" ENT "'],'userName':'b','" ENT "':{"
		  "'employeeNumber':'701984','manager':{'value':'26118915',"
		  "'$ref':'../Users/26118915'}}}",
		  SCIM_FACTS_OK, "create User w=userName," ENT ":employeeNumber,"
		  ENT ":manager.value," ENT ":manager.$ref v=userName:b,"
		  ENT ":employeeNumber:701984," ENT ":manager.value:26118915,"
		  ENT ":manager.$ref:../Users/26118915" },
		{ "POST", P "/Users", NULL,
		  "{'" ENT "':{'costCenter':'4130','organization':'Universal'}}",
		  SCIM_FACTS_OK, "create User w=" ENT ":costCenter," ENT
		  ":organization v=" ENT ":costCenter:4130," ENT
		  ":organization:Universal" },
		{ "POST", P "/Users", NULL,
		  "{'" ENT ":employeeNumber':'7','" ENT ":manager.value':'m'}",
		  SCIM_FACTS_OK, "create User w=" ENT ":employeeNumber," ENT
		  ":manager.value v=" ENT ":employeeNumber:7," ENT
		  ":manager.value:m" },
		/* readOnly id and meta, and schemas, are not written. */
		{ "POST", P "/Users", NULL,
		  "{'schemas':[" CU "],'id':'2819c223','meta':{'resourceType':"
		  "'User','created':'2010-01-23T04:56:22Z'},'userName':'b',"
		  "'ID':'x'}",
		  SCIM_FACTS_INVALID_SYNTAX, "names \"" },
		{ "POST", P "/Users", NULL,
		  "{'schemas':[" CU "],'id':'2819c223','meta':{'resourceType':"
		  "'User'},'userName':'b','meta.version':'W/1'}",
		  SCIM_FACTS_OK, "create User w=userName v=userName:b" },
		{ "POST", P "/Users", NULL,
		  "{'urn:ietf:params:scim:schemas:core:2.0:User:id':'x',"
		  "'urn:ietf:params:scim:schemas:core:2.0:User:userName':'u'}",
		  SCIM_FACTS_OK, "create User w=userName v=userName:u" },
		/* groups is readOnly too, but a lax upstream would honour it. */
		{ "POST", P "/Users", NULL,
		  "{'userName':'b','groups':[{'value':'e9e30dba','display':"
		  "'Admins'}]}",
		  SCIM_FACTS_OK, "create User w=userName,groups,groups.value,"
		  "groups.display v=userName:b" },
		/* The core schema as an object is the resource's own. */
		{ "POST", P "/Users", NULL,
		  "{" CU ":{'userName':'b','id':'x','name':{'givenName':'B'}}}",
		  SCIM_FACTS_OK, "create User w=userName,name.givenName "
		  "v=userName:b,name.givenName:B" },
		/* name set to {} or null is "name". */
		{ "POST", P "/Users", NULL,
		  "{'name':{},'nickName':null,'title':''}",
		  SCIM_FACTS_OK, "create User w=name,nickName,title v=title:" },
		{ "PUT", P "/Users/2819c223", NULL,
		  "{'schemas':[" CU "],'id':'2819c223','userName':'bjensen',"
		  "'active':true,'name':null,'x509Certificates':[{'value':"
		  "'MIIDQzCC'}],'nums':5}",
		  SCIM_FACTS_OK, "replace User/2819c223 w=userName,active,name,"
		  "x509Certificates,x509Certificates.value,nums "
		  "v=userName:bjensen,active:true" },
		{ "PUT", P "/Users/a%20b", NULL, "{'active':false}",
		  SCIM_FACTS_OK, "replace User/a b w=active v=active:false" },
		/* Deeper than a sub-attribute is only its path. */
		{ "POST", P "/Users", NULL,
		  "{'name':{'givenName':{'x':{'y':1}},'honorificPrefix':['Ms']}}",
		  SCIM_FACTS_OK, "create User w=name.givenName,"
		  "name.honorificPrefix" },
		/* A URN whose last segment is the type is an extension; any
		 * other URN object is an URN-prefixed complex attribute. */
		{ "POST", P "/Users", NULL,
		  "{'urn:acme:scim:2.0:User':{'badge':'7','site':{'code':'B1'}}}",
		  SCIM_FACTS_OK, "create User w=urn:acme:scim:2.0:User:badge,"
		  "urn:acme:scim:2.0:User:site.code v=urn:acme:scim:2.0:User:"
		  "badge:7,urn:acme:scim:2.0:User:site.code:B1" },
		{ "POST", P "/Users", NULL,
		  "{'schemas':['urn:acme:ext'],'urn:acme:ext':{'badge':'7'}}",
		  SCIM_FACTS_OK, "create User w=urn:acme:ext:badge "
		  "v=urn:acme:ext:badge:7" },
		{ "POST", P "/Users", NULL,
		  "{'urn:acme:x:thing':{'a':'1'}}",
		  SCIM_FACTS_OK, "create User w=urn:acme:x:thing.a "
		  "v=urn:acme:x:thing.a:1" },
		/* Group create: displayName is a value for `where`. */
		{ "POST", P "/Groups", NULL,
		  "{'schemas':[" CG "],'displayName':'Tour Guides','members':["
		  "{'value':'2819c223','$ref':'https://example.com/v2/Users/"
		  "2819c223','display':'Babs Jensen'}]}",
		  SCIM_FACTS_OK, "create Group w=displayName,members,"
		  "members.value,members.$ref,members.display "
		  "v=displayName:Tour Guides" },
		{ "POST", P "/Groups", NULL,
		  "{'displayName':'Administrators'}",
		  SCIM_FACTS_OK, "create Group w=displayName "
		  "v=displayName:Administrators" },
		{ "PUT", P "/Groups/e9e30dba", NULL,
		  "{'schemas':[" CG "],'id':'e9e30dba','displayName':'Admins',"
		  "'members':[]}",
		  SCIM_FACTS_OK, "replace Group/e9e30dba w=displayName,members "
		  "v=displayName:Admins" },
		{ "POST", P "/Groups", NULL,
		  "{" CG ":{'displayName':'Admins'}}",
		  SCIM_FACTS_OK, "create Group w=displayName "
		  "v=displayName:Admins" },
		/* Other resource types: as written. */
		{ "POST", P "/Devices", NULL, "{'serial':'x'}",
		  SCIM_FACTS_OK, "create Devices w=serial v=serial:x" },
		{ "POST", P "/users", NULL, "{'userName':'u'}",
		  SCIM_FACTS_OK, "create User w=userName v=userName:u" },
		/* Refused: names equal but for case, at any level. */
		{ "POST", P "/Users", NULL, "{'userName':'a','USERNAME':'b'}",
		  SCIM_FACTS_INVALID_SYNTAX, "the resource names \"" },
		{ "POST", P "/Users", NULL,
		  "{'name':{'givenName':'a','GivenName':'b'}}",
		  SCIM_FACTS_INVALID_SYNTAX, "name names \"" },
		{ "POST", P "/Users", NULL,
		  "{'emails':[{'value':'a'},{'value':'a','VALUE':'b'}]}",
		  SCIM_FACTS_INVALID_SYNTAX, "twice (names are "
		  "case-insensitive)" },
		{ "POST", P "/Users", NULL,
		  "{'" ENT "':{'manager':{'value':'a'},'Manager':{}}}",
		  SCIM_FACTS_INVALID_SYNTAX, ENT " names \"" },
		{ "POST", P "/Users", NULL,
		  "{'schemas':[],'SCHEMAS':[]}",
		  SCIM_FACTS_INVALID_SYNTAX, "twice" },
		/* Exact duplicates are refused by the JSON parser. */
		{ "POST", P "/Users", NULL, "{'userName':'a','userName':'b'}",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON: duplicate object "
		  "key" },
		/* Names keyd cannot read without guessing. */
		{ "POST", P "/Users", NULL, "{'name.givenName.x':'a'}",
		  SCIM_FACTS_INVALID_SYNTAX, "attribute name \"name.givenName.x\": "
		  "at byte 14: an attribute path has at most one sub-attribute" },
		{ "POST", P "/Users", NULL,
		  "{'emails[type eq \\'work\\'].value':'x'}",
		  SCIM_FACTS_INVALID_SYNTAX, "holds a value filter" },
		{ "POST", P "/Users", NULL, "{'1x':'a'}",
		  SCIM_FACTS_INVALID_SYNTAX, "attribute name \"1x\": at byte 0" },
		{ "POST", P "/Users", NULL, "{'':'a'}",
		  SCIM_FACTS_INVALID_SYNTAX, "empty path" },
		{ "POST", P "/Users", NULL, "{'name':{'given name':'x'}}",
		  SCIM_FACTS_INVALID_SYNTAX, "\"given name\" inside name is not a "
		  "sub-attribute name" },
		{ "POST", P "/Users", NULL, "{'emails':[{'type.x':'w'}]}",
		  SCIM_FACTS_INVALID_SYNTAX, "inside emails is not a "
		  "sub-attribute name" },
		{ "POST", P "/Users", NULL, "{'" ENT "':{'urn:x:y':{'a':1}}}",
		  SCIM_FACTS_INVALID_SYNTAX, "\"urn:x:y\" inside " ENT " is not "
		  "an attribute name" },
		{ "POST", P "/Users", NULL, "{" CU ":{'" ENT "':{'a':'1'}}}",
		  SCIM_FACTS_INVALID_SYNTAX, "schema object " ENT " inside "
		  "another" },
		{ "POST", P "/Users", NULL, "{'schemas':'" ENT "'}",
		  SCIM_FACTS_INVALID_SYNTAX, "schemas must be an array of schema "
		  "URNs" },
		{ "POST", P "/Users", NULL, "{'schemas':[" CU ",1]}",
		  SCIM_FACTS_INVALID_SYNTAX, "schemas must be an array" },
	};

	(void)state;
	/* both what is accepted and what is refused */
	assert_in_range(run_table(t, sizeof(t) / sizeof(t[0]), "resources"), 1,
	    sizeof(t) / sizeof(t[0]) - 1);
}

static void
test_queries(void **state)
{
	static const struct fc t[] = {
		{ "GET", P "/Users", "filter=userName%20eq%20%22bjensen%22",
		  NULL, SCIM_FACTS_OK, "search User f=userName" },
		{ "GET", P "/Users", "filter=userName+eq+\"bjensen\"", NULL,
		  SCIM_FACTS_OK, "search User f=userName" },
		{ "GET", P "/Users", "startIndex=1&count=10&filter=name.familyName"
		  "+co+%22O%27Malley%22&sortOrder=ascending", NULL,
		  SCIM_FACTS_OK, "search User f=name.familyName" },
		{ "GET", P "/Users",
		  "filter=emails%5Btype+eq+%22work%22+and+value+co+"
		  "%22%40example.com%22%5D", NULL,
		  SCIM_FACTS_OK, "search User f=emails,emails.type,emails.value" },
		{ "GET", P "/Users", "filter=" ENT ":employeeNumber+eq+%22701984%22"
		  "&sortBy=meta.lastModified", NULL,
		  SCIM_FACTS_OK, "search User f=" ENT ":employeeNumber,"
		  "meta.lastModified" },
		{ "GET", P "/Users", "sortBy=name.familyName", NULL,
		  SCIM_FACTS_OK, "search User f=name.familyName" },
		{ "GET", P "/Users", "filter=title+pr&sortBy=Title&attributes="
		  "userName,emails.value&excludedAttributes=groups", NULL,
		  SCIM_FACTS_OK, "search User f=title" },
		{ "GET", P "/Users", "attributes=userName,%20name.givenName+,"
		  ENT ":manager," ENT, NULL, SCIM_FACTS_OK, "search User" },
		{ "GET", P "/Groups/g1", "excludedAttributes=members", NULL,
		  SCIM_FACTS_OK, "read Group/g1" },
		{ "GET", P "/Users", "attributes=&excludedAttributes=+", NULL,
		  SCIM_FACTS_OK, "search User" },
		{ "GET", P "/Groups", "filter=displayName+eq+%22Admins%22", NULL,
		  SCIM_FACTS_OK, "search Group f=displayName" },
		{ "GET", P "/Users", "FILTER=userName+pr", NULL,
		  SCIM_FACTS_OK, "search User f=userName" },
		{ "GET", P "/Users", "%66ilter=userName+pr&SORTBY=x", NULL,
		  SCIM_FACTS_OK, "search User f=userName,x" },
		{ "GET", P "/Users", "", NULL, SCIM_FACTS_OK, "search User" },
		{ "GET", P "/Users", "&&filterx=1&=2&count", NULL,
		  SCIM_FACTS_OK, "search User" },
		{ "GET", P "/Users/2819c223", NULL, NULL, SCIM_FACTS_OK,
		  "read User/2819c223" },
		{ "DELETE", P "/Users/2819c223", NULL, NULL, SCIM_FACTS_OK,
		  "delete User/2819c223" },
		{ "GET", P "/ServiceProviderConfig", NULL, NULL, SCIM_FACTS_OK,
		  "discover ServiceProviderConfig" },
		{ "GET", P "/Schemas/" ENT, NULL, NULL, SCIM_FACTS_OK,
		  "discover Schema/" ENT },
		/* POST .search: its filter and sortBy. */
		{ "POST", P "/Users/.search", NULL,
		  "{" SR ",'attributes':['displayName','userName'],'filter':"
		  "'displayName sw \\'smith\\'','startIndex':1,'count':10,"
		  "'sortBy':'name.familyName'}",
		  SCIM_FACTS_OK, "search User f=displayName,name.familyName" },
		{ "POST", P "/Groups/.search", "filter=externalId+pr",
		  "{" SR ",'filter':'members[value eq \\'x\\']'}",
		  SCIM_FACTS_OK, "search Group f=externalId,members,members.value" },
		{ "POST", P "/Users/.search", NULL, "{" SR "}",
		  SCIM_FACTS_OK, "search User" },
		/* Refused. */
		{ "GET", P "/Users", "filter=a+pr&filter=b+pr", NULL,
		  SCIM_FACTS_INVALID_FILTER, "filter appears twice in the query "
		  "string" },
		{ "GET", P "/Users", "filter=a+pr&Filter=b+pr", NULL,
		  SCIM_FACTS_INVALID_FILTER, "filter appears twice" },
		{ "GET", P "/Users", "sortBy=a&sortby=b", NULL,
		  SCIM_FACTS_INVALID_VALUE, "sortBy appears twice" },
		{ "GET", P "/Users", "attributes=a&attributes=b", NULL,
		  SCIM_FACTS_INVALID_VALUE, "attributes appears twice" },
		{ "GET", P "/Users", "filter=userName+eq+bjensen", NULL,
		  SCIM_FACTS_INVALID_FILTER, "filter: at byte 12: expected a "
		  "value" },
		{ "GET", P "/Users", "filter=", NULL,
		  SCIM_FACTS_INVALID_FILTER, "filter: at byte 0: empty filter" },
		{ "GET", P "/Users", "filter", NULL,
		  SCIM_FACTS_INVALID_FILTER, "empty filter" },
		{ "GET", P "/Users", "filter=a%ZZ", NULL,
		  SCIM_FACTS_INVALID_FILTER, "filter: a bad percent-escape or a "
		  "NUL" },
		{ "GET", P "/Users", "filter=a+eq+%22x%00%22", NULL,
		  SCIM_FACTS_INVALID_FILTER, "bad percent-escape or a NUL" },
		{ "GET", P "/Users", "filter=a+eq+%22%FF%22", NULL,
		  SCIM_FACTS_INVALID_FILTER, "invalid UTF-8" },
		{ "GET", P "/Users", "sortBy=emails[type+eq+%22work%22]", NULL,
		  SCIM_FACTS_INVALID_VALUE, "sortBy names an attribute, not a "
		  "value filter" },
		{ "GET", P "/Users", "sortBy=a.b.c", NULL,
		  SCIM_FACTS_INVALID_VALUE, "sortBy: at byte 3" },
		{ "GET", P "/Users", "attributes=userName,,emails", NULL,
		  SCIM_FACTS_INVALID_VALUE, "attributes: \"\": at byte 0: empty "
		  "path" },
		{ "GET", P "/Users", "excludedAttributes=emails[type+pr]", NULL,
		  SCIM_FACTS_INVALID_VALUE, "excludedAttributes names attributes, "
		  "not value filters" },
		{ "GET", P "/Users", "attributes=userName,", NULL,
		  SCIM_FACTS_INVALID_VALUE, "attributes: \"\": at byte 0: empty "
		  "path" },
		{ "GET", P "/Users", "attributes=1x", NULL,
		  SCIM_FACTS_INVALID_VALUE, "attributes: \"1x\": at byte 0" },
		/* Fixed: a raw ';' splits parameters for some servers. */
		{ "GET", P "/Users", "x=1;filter=password+pr", NULL,
		  SCIM_FACTS_INVALID_VALUE, "raw ';': percent-encode it as %3B" },
		{ "GET", P "/Users", "filter=a+eq+%22x;y%22", NULL,
		  SCIM_FACTS_INVALID_VALUE, "raw ';'" },
		{ "GET", P "/Users", "filter=a+eq+%22x%3By%22", NULL,
		  SCIM_FACTS_OK, "search User f=a" },
		{ "GET", P "/Users", NULL, "{}",
		  SCIM_FACTS_INVALID_SYNTAX, "GET takes no body" },
		{ "DELETE", P "/Users/u1", NULL, "{}",
		  SCIM_FACTS_INVALID_SYNTAX, "DELETE takes no body" },
		{ "POST", P "/Users/.search", NULL, "{'filter':'a pr'}",
		  SCIM_FACTS_INVALID_SYNTAX, "a .search body's schemas must list "
		  "urn:ietf:params:scim:api:messages:2.0:SearchRequest" },
		{ "POST", P "/Users/.search", NULL, "{" SR ",'filter':1}",
		  SCIM_FACTS_INVALID_FILTER, "filter must be a string" },
		{ "POST", P "/Users/.search", NULL, "{" SR ",'filter':'a eq'}",
		  SCIM_FACTS_INVALID_FILTER, ".search filter: at byte 4" },
		{ "POST", P "/Users/.search", NULL, "{" SR ",'sortBy':['a']}",
		  SCIM_FACTS_INVALID_VALUE, "sortBy must be a string" },
		{ "POST", P "/Users/.search", NULL,
		  "{" SR ",'filter':'a pr','FILTER':'b pr'}",
		  SCIM_FACTS_INVALID_SYNTAX, "twice" },
		{ "POST", P "/Users/.search", NULL, NULL,
		  SCIM_FACTS_INVALID_SYNTAX, "POST on /Users needs a JSON body" },
	};

	(void)state;
	/* both what is accepted and what is refused */
	assert_in_range(run_table(t, sizeof(t) / sizeof(t[0]), "queries"), 1,
	    sizeof(t) / sizeof(t[0]) - 1);
}

static void
test_bodies(void **state)
{
	static const struct fc t[] = {
		/* Not JSON, not UTF-8, not an object. */
		{ "POST", P "/Users", NULL, "{", SCIM_FACTS_INVALID_SYNTAX,
		  "the body is not valid JSON" },
		{ "POST", P "/Users", NULL, "{'a':1}x", SCIM_FACTS_INVALID_SYNTAX,
		  "not valid JSON: end of file expected" },
		{ "POST", P "/Users", NULL, "{'a':'\xff'}",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		{ "POST", P "/Users", NULL, "{'a':'\xc0\xaf'}",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		{ "POST", P "/Users", NULL, "{'a':'\xed\xa0\x80'}",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		{ "POST", P "/Users", NULL, "{'\xff':1}",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		{ "POST", P "/Users", NULL, "{'a':'x\\u0000'}",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		{ "POST", P "/Users", NULL, "{'a':'\\ud800'}",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		{ "POST", P "/Users", NULL, "[]", SCIM_FACTS_INVALID_SYNTAX,
		  "the body must be a JSON object" },
		{ "POST", P "/Users", NULL, "[{'userName':'a'}]",
		  SCIM_FACTS_INVALID_SYNTAX, "must be a JSON object" },
		{ "POST", P "/Users", NULL, "'userName'",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		{ "POST", P "/Users", NULL, "null", SCIM_FACTS_INVALID_SYNTAX,
		  "not valid JSON" },
		{ "POST", P "/Users", NULL, "", SCIM_FACTS_INVALID_SYNTAX,
		  "POST on /Users needs a JSON body" },
		{ "PUT", P "/Users/a", NULL, "{'a':1,}",
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		/* Depth: 16 levels parse, 17 are refused before parsing. */
		{ "POST", P "/Users", NULL,
		  "{'a':[[[[[[[[[[[[[[['x']]]]]]]]]]]]]]]}",
		  SCIM_FACTS_OK, "create User w=a" },
		{ "POST", P "/Users", NULL,
		  "{'a':[[[[[[[[[[[[[[[['x']]]]]]]]]]]]]]]]}",
		  SCIM_FACTS_INVALID_SYNTAX, "the body nests more than 16 levels "
		  "deep" },
		{ "POST", P "/Users", NULL,
		  "{'a':[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		  SCIM_FACTS_INVALID_SYNTAX, "nests more than 16 levels" },
		{ "POST", P "/Users", NULL,
		  "{'a':'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\'{{{{{{{{{{{{{{{{{{{{'}",
		  SCIM_FACTS_OK, "create User w=a v=a:[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "[[[\"{{{{{{{{{{{{{{{{{{{{" },
		/* The path first, then the size: before parsing. */
		{ "POST", "/scim/v2/hr/Nope/a/b", NULL, "{",
		  SCIM_FACTS_NOT_FOUND, "unexpected path segment" },
		{ "GET", P "/Me", NULL, NULL, SCIM_FACTS_NOT_IMPLEMENTED,
		  "/Me is not served" },
		{ "POST", P "/.search", NULL, "{" SR "}",
		  SCIM_FACTS_NOT_IMPLEMENTED, "a search across every resource" },
		{ "PUT", P "/Users", NULL, "{}", SCIM_FACTS_METHOD,
		  "PUT is not allowed on /scim/v2/hr/Users: it takes GET, POST" },
		{ "GET", "/oauth/token", NULL, NULL, SCIM_FACTS_NOT_FOUND,
		  "not a SCIM path" },
	};
	size_t i;

	(void)state;
	/* both what is accepted and what is refused */
	assert_in_range(run_table(t, sizeof(t) / sizeof(t[0]), "bodies"), 1,
	    sizeof(t) / sizeof(t[0]) - 1);
	/* SCIM_FACTS_METHOD keeps allow, for the Allow header. */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct scim_facts f;
		char err[SCIM_FACTS_ERR_MAX];

		if (t[i].rc != SCIM_FACTS_METHOD)
			continue;
		assert_int_equal(scim_facts_derive(t[i].method, t[i].path, NULL,
		    "{}", 2, MAXB, &f, err, sizeof(err)), SCIM_FACTS_METHOD);
		assert_string_equal(f.allow, "GET, POST");
		scim_facts_free(&f);
	}
}

/* Bodies past max_body are refused before they are read: an invalid
 * body and a NULL pointer say so, not "invalid JSON". */
static void
test_too_large(void **state)
{
	struct scim_facts f;
	char err[SCIM_FACTS_ERR_MAX];

	(void)state;
	assert_int_equal(scim_facts_derive("POST", P "/Users", NULL, "{{{{{{",
	    6, 5, &f, err, sizeof(err)), SCIM_FACTS_TOO_LARGE);
	assert_non_null(strstr(err, "the body is 6 bytes, over the limit of "
	    "5"));
	assert_int_equal(scim_facts_status(SCIM_FACTS_TOO_LARGE), 413);
	scim_facts_free(&f);
	assert_int_equal(scim_facts_derive("POST", P "/Users", NULL, "{}",
	    2, 2, &f, err, sizeof(err)), SCIM_FACTS_OK);
	scim_facts_free(&f);
	/* The ceiling holds whatever the caller allows; NULL is never
	 * read. */
	assert_int_equal(scim_facts_derive("POST", P "/Users", NULL, NULL,
	    SCIM_FACTS_BODY_CEILING + 1, (size_t)-1, &f, err, sizeof(err)),
	    SCIM_FACTS_TOO_LARGE);
	assert_non_null(strstr(err, "over the limit of 16777216"));
	scim_facts_free(&f);
	assert_int_equal(scim_facts_derive("GET", P "/Users", NULL, NULL,
	    1000, 10, &f, err, sizeof(err)), SCIM_FACTS_TOO_LARGE);
	scim_facts_free(&f);
}

/* A body built of N copies of ITEM joined by ',' between HEAD and TAIL. */
static char *
repeat(const char *head, const char *item, size_t n, const char *tail,
    size_t *len)
{
	size_t cap = strlen(head) + (strlen(item) + 16) * n + strlen(tail) + 1;
	char *s = malloc(cap), *it;
	size_t i, off = 0;

	assert_non_null(s);
	off += (size_t)snprintf(s + off, cap - off, "%s", head);
	for (i = 0; i < n; i++) {
		off += (size_t)snprintf(s + off, cap - off, "%s", i ? "," : "");
		/* %zu in ITEM becomes i. */
		if ((it = strstr(item, "%zu")) != NULL) {
			off += (size_t)snprintf(s + off, cap - off, "%.*s%zu%s",
			    (int)(it - item), item, i, it + 3);
		} else
			off += (size_t)snprintf(s + off, cap - off, "%s", item);
	}
	off += (size_t)snprintf(s + off, cap - off, "%s", tail);
	*len = off;
	return s;
}

static enum scim_facts_err
derive_built(const char *method, const char *path, char *body, size_t len,
    struct scim_facts *f, char *err)
{
	enum scim_facts_err rc;

	rc = scim_facts_derive(method, path, NULL, body, len, 16u << 20, f,
	    err, SCIM_FACTS_ERR_MAX);
	free(body);
	return rc;
}

static void
test_bounds(void **state)
{
	struct scim_facts f;
	char err[SCIM_FACTS_ERR_MAX], *s, *q;
	size_t len;

	(void)state;
	/* 256 attributes written; a 257th is refused. */
	s = repeat("{", "\"a%zu\":1", 256, "}", &len);
	assert_int_equal(derive_built("POST", P "/Users", s, len, &f, err),
	    SCIM_FACTS_OK);
	assert_int_equal(f.written.n, 256);
	scim_facts_free(&f);
	s = repeat("{", "\"a%zu\":1", 257, "}", &len);
	assert_int_equal(derive_built("POST", P "/Users", s, len, &f, err),
	    SCIM_FACTS_TOO_LARGE);
	assert_non_null(strstr(err, "the resource has more than 256 members"));
	scim_facts_free(&f);
	s = repeat("{\"n\":{\"a\":1},\"x\":[", "{\"s%zu\":1}", 256, "]}", &len);
	assert_int_equal(derive_built("POST", P "/Users", s, len, &f, err),
	    SCIM_FACTS_TOO_LARGE);
	assert_non_null(strstr(err, "the request writes more than 256 "
	    "attributes"));
	scim_facts_free(&f);

	/* 1000 PATCH operations, not 1001. */
	s = repeat("{" "\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
	    "PatchOp\"],\"Operations\":[", "{\"op\":\"remove\",\"path\":\"a\"}",
	    1000, "]}", &len);
	assert_int_equal(derive_built("PATCH", P "/Users/a", s, len, &f, err),
	    SCIM_FACTS_OK);
	assert_int_equal(f.written.n, 1);
	scim_facts_free(&f);
	s = repeat("{" "\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
	    "PatchOp\"],\"Operations\":[", "{\"op\":\"remove\",\"path\":\"a\"}",
	    1001, "]}", &len);
	assert_int_equal(derive_built("PATCH", P "/Users/a", s, len, &f, err),
	    SCIM_FACTS_TOO_LARGE);
	assert_non_null(strstr(err, "a PATCH holds 1001 operations, more "
	    "than 1000"));
	scim_facts_free(&f);

	/* 1000 bulk operations, not 1001; each its own facts. */
	s = repeat("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
	    "BulkRequest\"],\"Operations\":[", "{\"method\":\"DELETE\","
	    "\"path\":\"/Users/u%zu\"}", 1000, "]}", &len);
	assert_int_equal(derive_built("POST", P "/Bulk", s, len, &f, err),
	    SCIM_FACTS_OK);
	assert_int_equal(f.nbulk, 1000);
	assert_string_equal(f.bulk[999].id, "u999");
	assert_string_equal(f.bulk[999].bulk_path, "/Users/u999");
	scim_facts_free(&f);
	s = repeat("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
	    "BulkRequest\"],\"Operations\":[", "{\"method\":\"DELETE\","
	    "\"path\":\"/Users/u%zu\"}", 1001, "]}", &len);
	assert_int_equal(derive_built("POST", P "/Bulk", s, len, &f, err),
	    SCIM_FACTS_TOO_LARGE);
	assert_non_null(strstr(err, "holds 1001 operations"));
	scim_facts_free(&f);

	/* A bulk path over 1024 bytes is refused before it is parsed. */
	q = malloc(2048);
	assert_non_null(q);
	memset(q, 'a', 1025 - 7);
	q[1025 - 7] = '\0';
	len = (size_t)snprintf(NULL, 0, "{%s,\"Operations\":[{\"method\":"
	    "\"DELETE\",\"path\":\"/Users/%s\"}]}", "\"schemas\":[\"urn:ietf:"
	    "params:scim:api:messages:2.0:BulkRequest\"]", q);
	s = malloc(len + 1);
	assert_non_null(s);
	snprintf(s, len + 1, "{%s,\"Operations\":[{\"method\":\"DELETE\","
	    "\"path\":\"/Users/%s\"}]}", "\"schemas\":[\"urn:ietf:params:scim:"
	    "api:messages:2.0:BulkRequest\"]", q);
	free(q);
	assert_int_equal(derive_built("POST", P "/Bulk", s, len, &f, err),
	    SCIM_FACTS_INVALID_SYNTAX);
	assert_non_null(strstr(err, "path is longer than 1024 bytes"));
	scim_facts_free(&f);

	/* The query string: 16384 bytes, not 16385. */
	q = malloc(16386);
	assert_non_null(q);
	memcpy(q, "count=", 6);
	memset(q + 6, '1', 16384 - 6);
	q[16384] = '\0';
	assert_int_equal(scim_facts_derive("GET", P "/Users", q, NULL, 0, MAXB,
	    &f, err, sizeof(err)), SCIM_FACTS_OK);
	scim_facts_free(&f);
	q[16384] = '1';
	q[16385] = '\0';
	assert_int_equal(scim_facts_derive("GET", P "/Users", q, NULL, 0, MAXB,
	    &f, err, sizeof(err)), SCIM_FACTS_TOO_LARGE);
	assert_non_null(strstr(err, "query string longer than 16384 bytes"));
	scim_facts_free(&f);
	free(q);

	/* 256 distinct values; the 257th is refused. */
	s = repeat("{" "\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
	    "PatchOp\"],\"Operations\":[", "{\"op\":\"add\",\"path\":\"a\","
	    "\"value\":\"v%zu\"}", 257, "]}", &len);
	assert_int_equal(derive_built("PATCH", P "/Users/a", s, len, &f, err),
	    SCIM_FACTS_TOO_LARGE);
	assert_non_null(strstr(err, "sets more than 256 values"));
	scim_facts_free(&f);
}

/* Statuses and scimTypes a SCIM Error carries (RFC 7644 Table 9). */
static void
test_errors(void **state)
{
	static const struct {
		enum scim_facts_err	 e;
		int			 status;
		const char		*type;
		const char		*name;
	} t[] = {
		{ SCIM_FACTS_OK, 200, NULL, "ok" },
		{ SCIM_FACTS_NOT_FOUND, 404, NULL, "not found" },
		{ SCIM_FACTS_METHOD, 405, NULL, "method not allowed" },
		{ SCIM_FACTS_TOO_LARGE, 413, NULL, "too large" },
		{ SCIM_FACTS_INVALID_FILTER, 400, "invalidFilter",
		  "invalid filter" },
		{ SCIM_FACTS_INVALID_PATH, 400, "invalidPath", "invalid path" },
		{ SCIM_FACTS_NO_TARGET, 400, "noTarget", "no target" },
		{ SCIM_FACTS_INVALID_SYNTAX, 400, "invalidSyntax",
		  "invalid syntax" },
		{ SCIM_FACTS_INVALID_VALUE, 400, "invalidValue",
		  "invalid value" },
		{ SCIM_FACTS_NOMEM, 500, NULL, "out of memory" },
		{ SCIM_FACTS_NOT_IMPLEMENTED, 501, NULL, "not implemented" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(scim_facts_status(t[i].e), t[i].status);
		if (t[i].type == NULL)
			assert_null(scim_facts_scim_type(t[i].e));
		else
			assert_string_equal(scim_facts_scim_type(t[i].e),
			    t[i].type);
		assert_string_equal(scim_facts_strerror(t[i].e), t[i].name);
	}
	assert_string_equal(scim_facts_strerror((enum scim_facts_err)99),
	    "unknown error");
}

/* NULL method, path and query, a zero-length error buffer: no crash. */
static void
test_nulls(void **state)
{
	struct scim_facts f;
	char err[4];

	(void)state;
	assert_int_equal(scim_facts_derive(NULL, NULL, NULL, NULL, 0, 0, &f,
	    NULL, 0), SCIM_FACTS_NOT_FOUND);
	scim_facts_free(&f);
	scim_facts_free(NULL);
	assert_int_equal(scim_facts_derive("GET", P "/Users", "filter=x", NULL,
	    0, 0, &f, err, sizeof(err)), SCIM_FACTS_INVALID_FILTER);
	assert_int_equal(strlen(err), 3);
	scim_facts_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nulls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
