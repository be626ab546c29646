/* scim/facts for PATCH (paths, value filters, path-less values, Entra
 * ID's capitalised ops) and Bulk (each operation derived on its own), in
 * the table form of scim_facts_run.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/scim_facts_run.h"

static void
test_patch(void **state)
{
	static const struct fc t[] = {
		/* RFC 7644 §3.5.2's examples. */
		{ "PATCH", P "/Groups/acbf3ae7", NULL,
		  PATCH("{'op':'add','path':'members','value':[{'display':"
		  "'Babs Jensen','$ref':'https://example.com/v2/Users/2819c223',"
		  "'value':'2819c223'}]}"),
		  SCIM_FACTS_OK, "patch Group/acbf3ae7 w=members,members.display,"
		  "members.$ref,members.value" },
		{ "PATCH", P "/Users/2819c223", NULL,
		  PATCH("{'op':'add','value':{'emails':[{'value':'babs@jensen.org',"
		  "'type':'home'}],'nickname':'Babs'}}"),
		  SCIM_FACTS_OK, "patch User/2819c223 w=emails,emails.value,"
		  "emails.type,nickname v=nickname:Babs" },
		{ "PATCH", P "/Groups/acbf3ae7", NULL,
		  PATCH("{'op':'remove','path':'members[value eq "
		  "\\'2819c223-7f76-453a-919d-413861904646\\']'}"),
		  SCIM_FACTS_OK, "patch Group/acbf3ae7 w=members f=members.value" },
		{ "PATCH", P "/Groups/acbf3ae7", NULL,
		  PATCH("{'op':'remove','path':'members'}"),
		  SCIM_FACTS_OK, "patch Group/acbf3ae7 w=members" },
		{ "PATCH", P "/Users/2819c223", NULL,
		  PATCH("{'op':'remove','path':'emails[type eq \\'work\\' and "
		  "value ew \\'example.com\\']'}"),
		  SCIM_FACTS_OK, "patch User/2819c223 w=emails f=emails.type,"
		  "emails.value" },
		{ "PATCH", P "/Groups/acbf3ae7", NULL,
		  PATCH("{'op':'remove','path':'members[value eq \\'2819c223\\']'},"
		  "{'op':'add','path':'members','value':[{'display':'James Smith',"
		  "'value':'08e1d05d'}]}"),
		  SCIM_FACTS_OK, "patch Group/acbf3ae7 w=members,members.display,"
		  "members.value f=members.value" },
		{ "PATCH", P "/Users/2819c223", NULL,
		  PATCH("{'op':'replace','path':'members','value':[{'value':'a'}]}"),
		  SCIM_FACTS_OK, "patch User/2819c223 w=members,members.value" },
		{ "PATCH", P "/Users/2819c223", NULL,
		  PATCH("{'op':'replace','path':'addresses[type eq \\'work\\']',"
		  "'value':{'type':'work','streetAddress':'911 Universal City "
		  "Plaza','primary':true}}"),
		  SCIM_FACTS_OK, "patch User/2819c223 w=addresses,addresses.type,"
		  "addresses.streetAddress,addresses.primary f=addresses.type" },
		{ "PATCH", P "/Users/2819c223", NULL,
		  PATCH("{'op':'replace','path':'addresses[type eq \\'work\\']."
		  "streetAddress','value':'1010 Broadway Ave'}"),
		  SCIM_FACTS_OK, "patch User/2819c223 w=addresses,"
		  "addresses.streetAddress f=addresses.type" },
		{ "PATCH", P "/Users/2819c223", NULL,
		  PATCH("{'op':'replace','value':{'emails':[{'value':"
		  "'bjensen@example.com','type':'work','primary':true}],"
		  "'nickname':'Babs'}}"),
		  SCIM_FACTS_OK, "patch User/2819c223 w=emails,emails.value,"
		  "emails.type,emails.primary,nickname v=nickname:Babs" },
		/* Sub-attributes, with a value for `where`. */
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'name.familyName','value':"
		  "'Jensen'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=name.familyName "
		  "v=name.familyName:Jensen" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'name','value':{'givenName':'B',"
		  "'familyName':'J'}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=name,name.givenName,"
		  "name.familyName v=name.givenName:B,name.familyName:J" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'remove','path':'name.givenName'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=name.givenName" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'urn:ietf:params:scim:schemas:"
		  "core:2.0:User:name.givenName','value':'B'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=name.givenName "
		  "v=name.givenName:B" },
		/* A value filter: the attribute and the target written, the
		 * filter's names filtered on; no singular value. */
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'emails[type eq \\'work\\'].value',"
		  "'value':'bjensen@example.com'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=emails,emails.value "
		  "f=emails.type" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'Add','path':'emails[type eq \\'work\\'].value',"
		  "'value':'x@y'},{'op':'Replace','path':'displayName','value':"
		  "'X'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=emails,emails.value,displayName "
		  "f=emails.type v=displayName:X" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'emails[type eq \\'work\\' or "
		  "primary eq true].display','value':'w'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=emails,emails.display "
		  "f=emails.type,emails.primary" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'emails[type eq \\'work\\']',"
		  "'value':{'value':'x','primary':true}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=emails,emails.value,"
		  "emails.primary f=emails.type" },
		/* Fixed: an array after a value filter named no keys. */
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'emails[type eq \\'work\\']',"
		  "'value':[{'value':'x','primary':true}]}"),
		  SCIM_FACTS_OK, "patch User/u1 w=emails,emails.value,"
		  "emails.primary f=emails.type" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'remove','path':'emails[type eq \\'work\\'].value'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=emails,emails.value "
		  "f=emails.type" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'" ENT ":manager[value eq "
		  "\\'x\\']','value':{'value':'y'}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=" ENT ":manager," ENT
		  ":manager.value f=" ENT ":manager.value" },
		/* Entra ID: capitalised ops, path-less values keyed by paths. */
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'Replace','value':{'name.givenName':'Barbara',"
		  "'name.familyName':'Jensen','active':false,'displayName':"
		  "'Babs'}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=name.givenName,name.familyName,"
		  "active,displayName v=name.givenName:Barbara,"
		  "name.familyName:Jensen,active:false,displayName:Babs" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'Add','value':{'" ENT ":employeeNumber':'701984',"
		  "'" ENT ":manager':'26118915'}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=" ENT ":employeeNumber," ENT
		  ":manager v=" ENT ":employeeNumber:701984," ENT
		  ":manager:26118915" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'Replace','value':{'" ENT "':{'department':'R&D'}}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=" ENT ":department v=" ENT
		  ":department:R&D" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'Remove','path':'" ENT ":manager'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=" ENT ":manager" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'" ENT ":manager','value':{"
		  "'value':'m1'}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=" ENT ":manager," ENT
		  ":manager.value v=" ENT ":manager.value:m1" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'add','path':'" ENT "','value':{'employeeNumber':"
		  "'7'}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=" ENT ":employeeNumber v=" ENT
		  ":employeeNumber:7" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'OP':'REPLACE','PATH':'active','VALUE':'False'}"),
		  SCIM_FACTS_OK, "patch User/u1 w=active v=active:False" },
		/* A path-less value names readOnly attributes too: asking is
		 * the client's act. */
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','value':{'id':'x','meta':{'created':"
		  "'now'},'schemas':[]}}"),
		  SCIM_FACTS_OK, "patch User/u1 w=id,meta.created,schemas "
		  "v=id:x,meta.created:now" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'groups','value':[{'value':'g'}]}"),
		  SCIM_FACTS_OK, "patch User/u1 w=groups,groups.value" },
		/* Entra's Group member removal carries a value. */
		{ "PATCH", P "/Groups/g1", NULL,
		  PATCH("{'op':'Remove','path':'members','value':[{'value':"
		  "'2819c223'}]}"),
		  SCIM_FACTS_OK, "patch Group/g1 w=members,members.value" },
		{ "PATCH", P "/Groups/g1", NULL,
		  PATCH("{'op':'Replace','path':'displayName','value':'Admins'}"),
		  SCIM_FACTS_OK, "patch Group/g1 w=displayName "
		  "v=displayName:Admins" },
		{ "PATCH", P "/Groups/g1", NULL,
		  PATCH("{'op':'replace','value':{'displayName':'Ops',"
		  "'externalId':'e1'}}"),
		  SCIM_FACTS_OK, "patch Group/g1 w=displayName,externalId "
		  "v=displayName:Ops,externalId:e1" },
		{ "PATCH", P "/Groups/g1", NULL,
		  PATCH("{'op':'add','path':'members','value':[{'value':'a'},"
		  "{'value':'b'}]},{'op':'remove','path':'members[value eq "
		  "\\'c\\']'}"),
		  SCIM_FACTS_OK, "patch Group/g1 w=members,members.value "
		  "f=members.value" },
		/* Refused. */
		{ "PATCH", P "/Users/u1", NULL, PATCH("{'op':'remove'}"),
		  SCIM_FACTS_NO_TARGET, "Operations[0]: remove needs a path" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'Remove','value':{'x':1}}"),
		  SCIM_FACTS_NO_TARGET, "remove needs a path" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','path':'a','value':1},{'op':'move',"
		  "'path':'a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[1]: op \"move\" is not "
		  "add, remove or replace" },
		{ "PATCH", P "/Users/u1", NULL, PATCH("{'path':'a','value':1}"),
		  SCIM_FACTS_INVALID_SYNTAX, "op must be \"add\", \"remove\" or "
		  "\"replace\"" },
		{ "PATCH", P "/Users/u1", NULL, PATCH("{'op':1,'path':'a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "op must be" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'add','op ':'x','path':'a','value':1}"),
		  SCIM_FACTS_INVALID_SYNTAX, "unknown member \"op \"" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'add','Op':'remove','path':'a','value':1}"),
		  SCIM_FACTS_INVALID_SYNTAX, "an operation names \"" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'move','from':'a','path':'b'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "unknown member \"from\"" },
		{ "PATCH", P "/Users/u1", NULL, PATCH("{'op':'add','path':'a'}"),
		  SCIM_FACTS_INVALID_VALUE, "Operations[0]: add needs a value" },
		{ "PATCH", P "/Users/u1", NULL, PATCH("{'op':'replace'}"),
		  SCIM_FACTS_INVALID_VALUE, "replace needs a value" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'add','value':'x'}"),
		  SCIM_FACTS_INVALID_VALUE, "without a path, value must be an "
		  "object of attributes" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'add','path':1,'value':'x'}"),
		  SCIM_FACTS_INVALID_PATH, "Operations[0].path must be a string" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'add','path':'emails[type eq]','value':'x'}"),
		  SCIM_FACTS_INVALID_PATH, "Operations[0].path: at byte 14: "
		  "expected a space and a value" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'add','path':'','value':'x'}"),
		  SCIM_FACTS_INVALID_PATH, "empty path" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','value':{'a.b.c':'x'}}"),
		  SCIM_FACTS_INVALID_PATH, "attribute name \"a.b.c\"" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','value':{'name':{'x.y':1}}}"),
		  SCIM_FACTS_INVALID_PATH, "is not a sub-attribute name" },
		{ "PATCH", P "/Users/u1", NULL,
		  PATCH("{'op':'replace','value':{'nickName':'a','NICKNAME':'b'}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "twice" },
		{ "PATCH", P "/Users/u1", NULL, PATCH("'x'"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[0] is not an object" },
		{ "PATCH", P "/Users/u1", NULL,
		  "{'schemas':[" CU "],'Operations':[{'op':'remove','path':'a'}]}",
		  SCIM_FACTS_INVALID_SYNTAX, "a PATCH body's schemas must list "
		  "urn:ietf:params:scim:api:messages:2.0:PatchOp" },
		{ "PATCH", P "/Users/u1", NULL,
		  "{'Operations':[{'op':'remove','path':'a'}]}",
		  SCIM_FACTS_INVALID_SYNTAX, "schemas must list" },
		{ "PATCH", P "/Users/u1", NULL,
		  "{'schemas':'urn:ietf:params:scim:api:messages:2.0:PatchOp',"
		  "'Operations':[{'op':'remove','path':'a'}]}",
		  SCIM_FACTS_INVALID_SYNTAX, "schemas must list" },
		{ "PATCH", P "/Users/u1", NULL, "{" PO ",'Operations':[]}",
		  SCIM_FACTS_INVALID_SYNTAX, "a PATCH body needs a non-empty "
		  "Operations array" },
		{ "PATCH", P "/Users/u1", NULL, "{" PO ",'Operations':{}}",
		  SCIM_FACTS_INVALID_SYNTAX, "non-empty Operations array" },
		{ "PATCH", P "/Users/u1", NULL,
		  "{" PO ",'Operations':[{'op':'remove','path':'a'}],'x':1}",
		  SCIM_FACTS_INVALID_SYNTAX, "unknown member \"x\" in a PATCH "
		  "body" },
		{ "PATCH", P "/Users", NULL, PATCH("{'op':'remove','path':'a'}"),
		  SCIM_FACTS_METHOD, "PATCH is not allowed on /scim/v2/hr/Users" },
		{ "PATCH", P "/Users/u1", NULL, NULL,
		  SCIM_FACTS_INVALID_SYNTAX, "PATCH on /Users needs a JSON body" },
	};

	(void)state;
	/* both what is accepted and what is refused */
	assert_in_range(run_table(t, sizeof(t) / sizeof(t[0]), "patch"), 1,
	    sizeof(t) / sizeof(t[0]) - 1);
}

static void
test_bulk(void **state)
{
	static const struct fc t[] = {
		/* RFC 7644 §3.7.1's example, each operation on its own. */
		{ "POST", P "/Bulk", NULL,
		  "{" BR ",'failOnErrors':1,'Operations':["
		  "{'method':'POST','path':'/Users','bulkId':'qwerty','data':{"
		  "'schemas':[" CU "],'userName':'Alice'}},"
		  "{'method':'PUT','path':'/Users/b7c14771','version':"
		  "'W/\\'3694e05e9dff591\\'','data':{'schemas':[" CU "],'id':"
		  "'b7c14771','userName':'Bob'}},"
		  "{'method':'PATCH','path':'/Users/5d8d29d3','data':" PATCH(
		  "{'op':'add','path':'nickName','value':'Dave'}") "},"
		  "{'method':'DELETE','path':'/Users/e9025315','version':"
		  "'W/\\'0ee8add0a938e1a\\''}]}",
		  SCIM_FACTS_OK, "bulk Bulk {qwerty POST /Users: create User "
		  "w=userName v=userName:Alice} {PUT /Users/b7c14771: replace "
		  "User/b7c14771 w=userName v=userName:Bob} {PATCH /Users/5d8d29d3: "
		  "patch User/5d8d29d3 w=nickName v=nickName:Dave} {DELETE "
		  "/Users/e9025315: delete User/e9025315}" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'post','path':'/Groups','bulkId':'ytrewq',"
		  "'data':{'schemas':[" CG "],'displayName':'Tour Guides',"
		  "'members':[{'type':'User','value':'bulkId:qwerty'}]}},"
		  "{'Method':'patch','Path':'/Groups/g1','Data':" PATCH(
		  "{'op':'remove','path':'members[value eq \\'x\\']'}") "}"),
		  SCIM_FACTS_OK, "bulk Bulk {ytrewq POST /Groups: create Group "
		  "w=displayName,members,members.type,members.value "
		  "v=displayName:Tour Guides} {PATCH /Groups/g1: patch Group/g1 "
		  "w=members f=members.value}" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'/Groups/bulkId:ytrewq',"
		  "'bulkId':'d1'}"),
		  SCIM_FACTS_OK, "bulk Bulk {d1 DELETE /Groups/bulkId:ytrewq: "
		  "delete Group/bulkId:ytrewq}" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'PUT','path':'/users/u%201','data':{'" ENT "':"
		  "{'manager':{'value':'m'}}}}"),
		  SCIM_FACTS_OK, "bulk Bulk {PUT /users/u%201: replace User/u 1 "
		  "w=" ENT ":manager.value v=" ENT ":manager.value:m}" },
		/* Refused, naming the operation. */
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'POST','path':'/Users','bulkId':'a','data':{}},"
		  "{'method':'PUT','path':'/Users/a/b','data':{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[1]: unexpected path "
		  "segment after the resource id" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'POST','path':'/Users','data':{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[0]: a POST operation "
		  "needs a bulkId" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'POST','path':'/Users','bulkId':1,'data':{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "bulkId must be a string" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'GET','path':'/Users/a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[0]: method must be POST, "
		  "PUT, PATCH or DELETE" },
		{ "POST", P "/Bulk", NULL, BULK("{'path':'/Users/a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "method must be" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'Users/a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "path must be a string such as "
		  "\"/Users\"" },
		{ "POST", P "/Bulk", NULL, BULK("{'method':'DELETE'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "path must be a string" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'/Users/a?x=1'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "holds '?' or '#'" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'/Users/a\\u0000b'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "not valid JSON" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'/Users/a','data':{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "DELETE takes no data" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'PUT','path':'/Users/a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "PUT needs data, a JSON object" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'PUT','path':'/Users/a','data':[]}"),
		  SCIM_FACTS_INVALID_SYNTAX, "PUT needs data" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'POST','path':'/Bulk','bulkId':'b','data':"
		  "{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "a bulk operation creates, replaces, "
		  "patches or deletes; POST that path would bulk" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'POST','path':'/Users/.search','bulkId':'b',"
		  "'data':{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "would search" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'PUT','path':'/Users','data':{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[0]: PUT is not allowed "
		  "on /scim/v2/hr/Users" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'PATCH','path':'/Me','data':{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "/Me is not served" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'PATCH','path':'/Users/a','data':{'Operations':"
		  "[]}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[0]: a PATCH body's "
		  "schemas must list" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'PATCH','path':'/Users/a','data':" PATCH(
		  "{'op':'remove'}") "}"),
		  SCIM_FACTS_NO_TARGET, "Operations[0]: Operations[0]: remove "
		  "needs a path" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'POST','path':'/Users','bulkId':'a','data':{"
		  "'a':1,'A':2}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[0]: the resource names" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'POST','path':'/Users','bulkId':'a','data':{},"
		  "'response':{}}"),
		  SCIM_FACTS_INVALID_SYNTAX, "unknown member \"response\" (an "
		  "operation holds method" },
		/* A bulk path cannot leave its upstream. */
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'/../other/Users/a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[0]: a resource endpoint "
		  "is a name" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'//other/Users/a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "no resource endpoint" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'/scim/v2/other/Users/a'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "unexpected path segment" },
		{ "POST", P "/Bulk", NULL,
		  BULK("{'method':'DELETE','path':'/Users/..%2F..%2Fother'}"),
		  SCIM_FACTS_INVALID_SYNTAX, "'/' and '\\' are refused" },
		{ "POST", P "/Bulk", NULL, BULK("'x'"),
		  SCIM_FACTS_INVALID_SYNTAX, "Operations[0]: not an object" },
		{ "POST", P "/Bulk", NULL, "{" BR ",'Operations':[]}",
		  SCIM_FACTS_INVALID_SYNTAX, "a bulk request needs a non-empty "
		  "Operations array" },
		{ "POST", P "/Bulk", NULL, "{'Operations':[{'method':'DELETE',"
		  "'path':'/Users/a'}]}",
		  SCIM_FACTS_INVALID_SYNTAX, "a bulk request's schemas must list "
		  "urn:ietf:params:scim:api:messages:2.0:BulkRequest" },
		{ "POST", P "/Bulk", NULL,
		  "{" BR ",'Operations':[{'method':'DELETE','path':'/Users/a'}],"
		  "'failOnErrors':1,'extra':true}",
		  SCIM_FACTS_INVALID_SYNTAX, "unknown member \"extra\" in a bulk "
		  "request" },
	};

	(void)state;
	/* both what is accepted and what is refused */
	assert_in_range(run_table(t, sizeof(t) / sizeof(t[0]), "bulk"), 1,
	    sizeof(t) / sizeof(t[0]) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_bulk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
