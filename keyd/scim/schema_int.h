/* Internals of the schema module: the schema model (schema_core.c holds
 * the built-in tables, schema_load.c builds sets from an upstream's
 * documents) and one validation in progress (schema.c dispatches to
 * schema_resource.c, schema_patch.c, schema_query.c, schema_bulk.c; the
 * value checks are in schema_value.c, the rewrites in normalize.c). */
#ifndef KEYD_SCIM_SCHEMA_INT_H
#define KEYD_SCIM_SCHEMA_INT_H

#include <stddef.h>

#include <jansson.h>

#include "keyd/scim/filter.h"
#include "keyd/scim/schema.h"

#define SCIM_URN_USER		"urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_URN_GROUP		"urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_URN_ENT_USER \
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SCIM_URN_V1		"urn:scim:schemas:core:1.0"
#define SCIM_URN_PATCH_OP	"urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SCIM_URN_SEARCH_REQ \
	"urn:ietf:params:scim:api:messages:2.0:SearchRequest"
#define SCIM_URN_BULK_REQ	"urn:ietf:params:scim:api:messages:2.0:BulkRequest"
#define SCIM_URN_ERROR		"urn:ietf:params:scim:api:messages:2.0:Error"

enum scim_type {
	SCIM_TYPE_STRING, SCIM_TYPE_BOOLEAN, SCIM_TYPE_DECIMAL,
	SCIM_TYPE_INTEGER, SCIM_TYPE_DATETIME, SCIM_TYPE_REFERENCE,
	SCIM_TYPE_COMPLEX, SCIM_TYPE_BINARY
};

enum scim_mut {
	SCIM_MUT_READWRITE, SCIM_MUT_READONLY, SCIM_MUT_IMMUTABLE,
	SCIM_MUT_WRITEONLY
};

/* Sub-attributes of one attribute, a core one's and an upstream's
 * additions together. */
#define SCIM_SCHEMA_SUBS_CAP	(2 * SCIM_SCHEMA_MAX_SUBS)

#define SCIM_AF_MULTI	0x1u	/* multiValued */
#define SCIM_AF_REQUIRED 0x2u	/* required */
#define SCIM_AF_CLOSED	0x4u	/* canon is the whole value space */
#define SCIM_AF_NEVER	0x8u	/* returned "never": secret, no filter */

/* One attribute (RFC 7643 §7). canon is NULL-terminated, or NULL. */
struct scim_attr {
	const char		*name;
	enum scim_type		 type;
	enum scim_mut		 mut;
	unsigned		 flags;
	const char *const	*canon;
	const struct scim_attr	*sub;
	size_t			 nsub;
};

struct scim_schema {
	const char		*urn;
	const struct scim_attr	*attrs;
	size_t			 nattrs;
};

/* A resource type (RFC 7643 §6): endpoint without its '/', the base
 * schema and the extensions it takes. */
struct scim_rtype {
	const char		*name;
	const char		*endpoint;
	const struct scim_schema *base;
	const struct scim_schema *ext[SCIM_SCHEMA_MAX_EXT];
	int			 ext_required[SCIM_SCHEMA_MAX_EXT];
	size_t			 next;
};

struct scim_arena;

struct scim_schema_set {
	const struct scim_schema *const	*schemas;
	size_t				 nschemas;
	const struct scim_rtype		*rtypes;
	size_t				 nrtypes;
	struct scim_arena		*arena;	/* NULL for the static core */
};

/* schema_core.c: the common attributes (id, externalId, meta) every
 * resource has, and the core set's parts. */
const struct scim_schema *scim_schema_common(void);
const struct scim_schema *scim_schema_core_user(void);
const struct scim_schema *scim_schema_core_group(void);
const struct scim_schema *scim_schema_core_enterprise(void);

/* Lookups; names and URNs compare case-insensitively. LEN bytes of NAME. */
const struct scim_schema *scim_set_schema(const struct scim_schema_set *set,
    const char *urn, size_t len);
const struct scim_rtype *scim_set_rtype(const struct scim_schema_set *set,
    const char *endpoint);
const struct scim_attr *scim_schema_attr(const struct scim_schema *s,
    const char *name, size_t len);
const struct scim_attr *scim_attr_sub(const struct scim_attr *a,
    const char *name, size_t len);
/* The extension of RT named URN (LEN bytes), or NULL; *REQUIRED (may be
 * NULL) tells whether the resource type requires it. */
const struct scim_schema *scim_rtype_ext(const struct scim_rtype *rt,
    const char *urn, size_t len, int *required);
/* A top-level attribute of RT's base schema or a common attribute. */
const struct scim_attr *scim_rtype_attr(const struct scim_rtype *rt,
    const char *name, size_t len);

/* One validation in progress. */
struct sv {
	const struct scim_schema_set	*set;
	const struct scim_rtype		*rt;	/* NULL: not a resource */
	enum scim_op			 op;
	const char			*upstream;
	const char			*endpoint;	/* "Users" */
	const char			*id;		/* the resource's, or "" */
	size_t				 max_bulk_ops;
	struct scim_valid_error		*err;
};

/* Fill V's error with E and the formatted detail; returns E. */
enum scim_valid_err sv_fail(struct sv *v, enum scim_valid_err e,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* S as safe detail text: printable ASCII, '"' and '\' as '?', at most
 * 64 bytes with "..." past that. BUF holds at least 72 bytes. */
const char *sv_safe(const char *s, char *buf, size_t buflen);

/* OBJ's member named NAME case-insensitively, or NULL. */
json_t *sv_get(const json_t *obj, const char *name);

/* Refuse an object with more than SCIM_VALID_MAX_MEMBERS members or two
 * names equal but for case. WHERE names it in the detail. */
enum scim_valid_err sv_members(struct sv *v, const json_t *obj,
    const char *where);

/* Put PREFIX and ": " before V's detail ("Operations[2]: ..."). */
void sv_prefix(struct sv *v, const char *prefix);

/* FE's message with every quoted span (the parser quotes what it found,
 * which may be part of a value) replaced by "...", into BUF. */
const char *sv_filter_msg(const struct scim_filter_error *fe, char *buf,
    size_t buflen);

/* Join A "." B (or A alone when B is NULL) into OUT (OUTLEN bytes),
 * truncating: for details only. */
const char *sv_path(char *out, size_t outlen, const char *a, const char *b);

/* schema_value.c: V's value IN for attribute A, named PATH in details,
 * into *OUT (a new reference). ELEM: IN is one value of a multi-valued
 * attribute. NESTED readOnly sub-attributes are dropped. */
enum scim_valid_err sv_value(struct sv *v, const struct scim_attr *a,
    const json_t *in, const char *path, int elem, json_t **out);

/* Refuse a multi-valued ARR (of attribute PATH) with more than one
 * element holding "primary": true. */
enum scim_valid_err sv_primary(struct sv *v, const json_t *arr,
    const char *path);

/* schema_resource.c: a POST or PUT body for v->rt into *OUT. */
enum scim_valid_err sv_resource(struct sv *v, const json_t *in, json_t **out);

/* The refusal of a body for an endpoint keyd has no resource type for. */
enum scim_valid_err sv_no_rtype(struct sv *v);

/* How a top-level attribute is being written: in a POST or PUT body
 * (readOnly attributes are dropped), or by a PATCH add or replace
 * (readOnly is refused, and immutable on replace). */
enum sv_write { SV_WRITE_BODY, SV_WRITE_ADD, SV_WRITE_REPLACE };

/* The top-level attribute A of schema URN (NULL: the resource's base
 * schema) set to IN, into *OUT; *OUT is NULL when A is dropped. */
enum scim_valid_err sv_attr_write(struct sv *v, const char *urn,
    const struct scim_attr *a, const json_t *in, enum sv_write w,
    json_t **out);

/* The attributes of extension S given as OBJ, into *OUT. */
enum scim_valid_err sv_extension(struct sv *v, const struct scim_schema *s,
    const json_t *obj, enum sv_write w, json_t **out);

/* The members of a resource or of a path-less PATCH value, already
 * nested (sv_norm_nest), into OUT; "schemas" is left to the caller. */
enum scim_valid_err sv_attrs(struct sv *v, const json_t *in, enum sv_write w,
    json_t *out);

/* schema_patch.c, schema_query.c, schema_bulk.c */
enum scim_valid_err sv_patch(struct sv *v, const json_t *in, json_t **out);
enum scim_valid_err sv_query(struct sv *v, const char *query);
enum scim_valid_err sv_search(struct sv *v, const json_t *in, json_t **out);
enum scim_valid_err sv_bulk(struct sv *v, const json_t *in, json_t **out);

/* Check that the attribute path PATH (as scim_filter_parse_path gave it)
 * names an attribute of v->rt; E is the error when it does not. *ATTR
 * (may be NULL) is the attribute, its sub-attribute when PATH has one;
 * *WHOLE is set when PATH is an extension's URN alone. Without a
 * resource type every path is accepted. */
enum scim_valid_err sv_attr_path(struct sv *v, const char *path,
    enum scim_valid_err e, const struct scim_attr **attr);

/* normalize.c */
/* IN with every key that is an attribute path ("name.givenName",
 * "urn:…:User:department") nested into its canonical object, into *OUT.
 * Keys holding a value filter are refused with E_FILTER. */
enum scim_valid_err sv_norm_nest(struct sv *v, const json_t *in,
    json_t **out);
/* "True"/"false" (any case) for a boolean: the JSON boolean, or NULL. */
json_t *sv_norm_bool(const json_t *in);
/* A bare string given for the complex enterprise manager: {"value": IN},
 * a new reference; NULL when A and IN are not that case. */
json_t *sv_norm_wrap_value(const struct scim_attr *a, const json_t *in);
/* The canonical spelling of S among A's canonical values, or NULL. */
const char *sv_norm_canon(const struct scim_attr *a, const char *s);
/* The message schemas array IN of a PATCH, .search or Bulk body: it must
 * list URN (any case) and nothing else but the SCIM 1.0 core URN, which
 * is dropped. *OUT is [URN]. */
enum scim_valid_err sv_norm_msg_schemas(struct sv *v, const json_t *in,
    const char *urn, const char *what, json_t **out);
/* Drop "id" from a path-less PATCH value OBJ when it is the resource's
 * own id (Okta sends it when renaming a group); any other id is left for
 * the mutability check to refuse. */
void sv_norm_drop_own_id(const struct sv *v, json_t *obj);
/* 1 when S is the SCIM 1.0 core URN Google adds. */
int sv_norm_is_v1(const char *s);

#endif
