/* Internals shared by facts.c, facts_body.c and facts_bulk.c. */
#ifndef KEYD_SCIM_FACTS_INT_H
#define KEYD_SCIM_FACTS_INT_H

#include <jansson.h>

#include "keyd/scim/facts.h"

#define SCIM_URN_ENTERPRISE \
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SCIM_URN_PATCHOP	"urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SCIM_URN_SEARCH	"urn:ietf:params:scim:api:messages:2.0:SearchRequest"
#define SCIM_URN_BULK		"urn:ietf:params:scim:api:messages:2.0:BulkRequest"

/* One derivation in progress: the facts filled and where errors go. */
struct scim_fx {
	struct scim_facts	*f;
	char			*err;
	size_t			 errlen;
};

/* Write the formatted reason into X's error buffer; returns E. */
enum scim_facts_err scim_facts_fail(struct scim_fx *x, enum scim_facts_err e,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Add PATH to a list of X's facts, once (case-insensitively); past
 * SCIM_FACTS_MAX_ATTRS, SCIM_FACTS_TOO_LARGE. */
enum scim_facts_err scim_facts_add_written(struct scim_fx *x,
    const char *path);
enum scim_facts_err scim_facts_add_filtered(struct scim_fx *x,
    const char *path);

/* Record that the request sets ATTR to VALUE (once per pair). */
enum scim_facts_err scim_facts_add_value(struct scim_fx *x, const char *attr,
    const char *value);

/* OBJ's member named NAME, case-insensitively, or NULL; OBJ has passed
 * scim_facts_obj_check so there is at most one. */
json_t *scim_facts_get(const json_t *obj, const char *name);

/* Refuse an object with more than SCIM_FACTS_MAX_ATTRS members or two
 * names equal but for case. WHERE names the object in the error. */
enum scim_facts_err scim_facts_obj_check(struct scim_fx *x, const json_t *obj,
    const char *where);

/* 1 when the array SCHEMAS (or NULL) holds URN, case-insensitively. */
int scim_facts_schemas_has(const json_t *schemas, const char *urn);

/* The body of a POST (create) or PUT (replace): a resource. */
enum scim_facts_err scim_facts_resource(struct scim_fx *x, const json_t *body);

/* The body of a PATCH: a PatchOp message. */
enum scim_facts_err scim_facts_patch(struct scim_fx *x, const json_t *body);

/* The body of a POST /Bulk: a BulkRequest, each operation derived into
 * x->f->bulk. */
enum scim_facts_err scim_facts_bulk(struct scim_fx *x, const json_t *body);

/* Derive the facts of a request whose path is already parsed into X->f
 * (method, op, type) from its JSON BODY (NULL when it has none). */
enum scim_facts_err scim_facts_body(struct scim_fx *x, const json_t *body);

#endif
