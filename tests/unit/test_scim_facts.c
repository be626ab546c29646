/* scim/facts: (method, path, query, body) → the facts a policy decides
 * on, or the exact refusal. Each case renders the whole of the facts to
 * one line and compares it exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/scim/facts.h"

#define P	"/scim/v2/hr"
#define ENT	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define CU	"'urn:ietf:params:scim:schemas:core:2.0:User'"
#define CG	"'urn:ietf:params:scim:schemas:core:2.0:Group'"
#define PO	"'schemas':['urn:ietf:params:scim:api:messages:2.0:PatchOp']"
#define SR	"'schemas':['urn:ietf:params:scim:api:messages:2.0:SearchRequest']"
#define BR	"'schemas':['urn:ietf:params:scim:api:messages:2.0:BulkRequest']"
#define PATCH(ops)	"{" PO ",'Operations':[" ops "]}"
#define BULK(ops)	"{" BR ",'Operations':[" ops "]}"
#define MAXB	(1024u * 1024u)

/* A request and what it must yield: on SCIM_FACTS_OK, WANT is the
 * rendered facts (see render); otherwise a substring of the error. BODY
 * is JSON written with ' for ", NULL for none. */
struct fc {
	const char		*method;
	const char		*path;
	const char		*query;
	const char		*body;
	enum scim_facts_err	 rc;
	const char		*want;
};

static size_t
put(char *out, size_t len, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t
put(char *out, size_t len, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (n >= len)
		return n;
	va_start(ap, fmt);
	r = vsnprintf(out + n, len - n, fmt, ap);
	va_end(ap);
	return r < 0 ? n : n + (size_t)r;
}

static size_t
render_list(char *out, size_t len, size_t n, const char *tag,
    const struct scim_facts_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		n = put(out, len, n, "%s%s", i ? "," : tag, l->v[i]);
	return n;
}

/* "create User/id w=a,b f=c v=a:x,b:y {q1 POST /Users: create User …}" */
static size_t
render_one(const struct scim_facts *f, char *out, size_t len, size_t n)
{
	size_t i;

	n = put(out, len, n, "%s %s%s%s", scim_path_op_name(f->op),
	    f->op == SCIM_OP_BULK ? "Bulk" : f->resource_type,
	    f->id[0] ? "/" : "", f->id);
	n = render_list(out, len, n, " w=", &f->written);
	n = render_list(out, len, n, " f=", &f->filtered);
	for (i = 0; i < f->nvalues; i++)
		n = put(out, len, n, "%s%s:%s", i ? "," : " v=",
		    f->values[i].attr, f->values[i].value);
	for (i = 0; i < f->nbulk; i++) {
		const struct scim_facts *b = &f->bulk[i];

		n = put(out, len, n, " {%s%s%s %s: ", b->bulk_id ? b->bulk_id :
		    "", b->bulk_id ? " " : "", b->method,
		    b->bulk_path ? b->bulk_path : "?");
		n = render_one(b, out, len, n);
		n = put(out, len, n, "}");
	}
	return n;
}

static void
render(const struct scim_facts *f, char *out, size_t len)
{
	out[0] = '\0';
	render_one(f, out, len, 0);
}

/* S with every ' turned into ", in a heap buffer of exactly its length so
 * ASan sees a read past it. */
static char *
json_of(const char *s, size_t *len)
{
	char *b;
	size_t i;

	*len = strlen(s);
	b = malloc(*len ? *len : 1);
	assert_non_null(b);
	for (i = 0; i < *len; i++)
		b[i] = s[i] == '\'' ? '"' : s[i];
	return b;
}

static int
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Derive C with MAX as the body limit and check everything it yields. */
static void
run_case(const struct fc *c, size_t max)
{
	struct scim_facts f;
	enum scim_facts_err rc;
	char err[SCIM_FACTS_ERR_MAX], got[8192], *body = NULL;
	size_t len = 0;

	if (c->body != NULL)
		body = json_of(c->body, &len);
	memset(&f, 0x5a, sizeof(f));
	rc = scim_facts_derive(c->method, c->path, c->query, body, len, max,
	    &f, err, sizeof(err));
	free(body);
	if (rc != c->rc)
		fail_msg("%s %s ?%s %s\n  want %s, got %s: %s", c->method,
		    c->path, c->query ? c->query : "", c->body ? c->body : "",
		    scim_facts_strerror(c->rc), scim_facts_strerror(rc),
		    rc ? err : "");
	if (rc == SCIM_FACTS_OK) {
		render(&f, got, sizeof(got));
		if (strcmp(got, c->want) != 0)
			fail_msg("%s %s ?%s %s\n  want %s\n  got  %s", c->method,
			    c->path, c->query ? c->query : "",
			    c->body ? c->body : "", c->want, got);
		assert_string_equal(f.method, c->method);
		assert_string_equal(f.upstream, "hr");
	} else {
		if (strstr(err, c->want) == NULL)
			fail_msg("%s %s ?%s %s\n  want error with: %s\n  got: %s",
			    c->method, c->path, c->query ? c->query : "",
			    c->body ? c->body : "", c->want, err);
		if (!printable(err))
			fail_msg("error not printable ASCII: %s", err);
		/* A refusal leaves nothing but allow on a 405. */
		assert_int_equal(f.written.n, 0);
		assert_null(f.written.v);
		assert_int_equal(f.filtered.n, 0);
		assert_int_equal(f.nvalues, 0);
		assert_int_equal(f.nbulk, 0);
		assert_null(f.bulk);
		assert_int_equal(f.op, SCIM_OP_NONE);
		if (rc == SCIM_FACTS_METHOD)
			assert_non_null(f.allow);
		else
			assert_null(f.allow);
	}
	scim_facts_free(&f);
	scim_facts_free(&f);
}

static void
run_table(const struct fc *t, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_case(&t[i], MAXB);
	print_message("facts %s: %zu cases\n", what, n);
}

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
	run_table(t, sizeof(t) / sizeof(t[0]), "resources");
}

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
	run_table(t, sizeof(t) / sizeof(t[0]), "patch");
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
	run_table(t, sizeof(t) / sizeof(t[0]), "queries");
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
	run_table(t, sizeof(t) / sizeof(t[0]), "bulk");
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
	run_table(t, sizeof(t) / sizeof(t[0]), "bodies");
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
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nulls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
