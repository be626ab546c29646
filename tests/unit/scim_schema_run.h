/* The harness of test_scim_schema*.c: readable bodies (' for "), the
 * paths and error names, an upstream's /Schemas and /ResourceTypes
 * loaded into sets, and the case runner: each case asserts the exact
 * error, its scimType and a detail substring, and that no detail echoes
 * a value (the bodies' values hold "s3cr3t"). */
#ifndef KEYD_TESTS_SCIM_SCHEMA_RUN_H
#define KEYD_TESTS_SCIM_SCHEMA_RUN_H

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
static inline char *
dq(const char *s)
{
	char *d = strdup(s), *p;

	assert_non_null(d);
	for (p = d; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static inline struct scim_schema_set *
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

static inline int
setup(void **state)
{
	(void)state;
	sets[ACME1] = load(acme_schemas, NULL);
	sets[ACME2] = load(acme_schemas, acme_rtypes);
	return 0;
}

static inline int
teardown(void **state)
{
	(void)state;
	scim_schema_set_free(&sets[ACME1]);
	scim_schema_set_free(&sets[ACME2]);
	return 0;
}

/* Run one request; returns the error, ERR filled, *OUT the body. */
static inline enum scim_valid_err
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

static inline void
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

static inline void
check_all(const struct tcase *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check(i, &t[i]);
}


static inline void
expect(enum scim_valid_err rc, const struct scim_valid_error *err,
    enum scim_valid_err want, const char *detail)
{
	if (rc != want || strstr(err->detail, detail) == NULL)
		fail_msg("want %s \"%s\", got %s: %s", scim_valid_strerror(want),
		    detail, scim_valid_strerror(rc), err->detail);
}

#endif
