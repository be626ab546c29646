/* SCIM request validation and normalisation (RFC 7643 schemas, RFC 7644
 * PATCH, query parameters, .search and Bulk): a pure module, jansson and
 * libc, no I/O. The proxy calls it after scim_path_parse and before
 * scim_facts_derive, so policy decides on what will be forwarded:
 *
 *	scim_path_parse(method, path, &p, ...)		404 / 405
 *	scim_validate_request(set, method, &p, query, ct, body, len, ...,
 *	    &norm, &norm_len, &err)
 *							400 / 409 / 413 / 415
 *	scim_facts_derive(method, path, query, norm, norm_len, ...)
 *	policy_decide(...), then forward norm (or nothing: no body)
 *
 * Attribute names are matched case-insensitively (RFC 7643 §2.1) and
 * forwarded in the schema's own spelling. docs/scim-compatibility.md lists
 * every client quirk accepted and what is forwarded instead. */
#ifndef KEYD_SCIM_SCHEMA_H
#define KEYD_SCIM_SCHEMA_H

#include <stddef.h>

#include "keyd/scim/path.h"

#define SCIM_SCHEMA_DOC_MAX	(1u << 20)	/* bytes of a /Schemas or
						 * /ResourceTypes document */
#define SCIM_SCHEMA_MAX_SCHEMAS	64	/* schemas in one set */
#define SCIM_SCHEMA_MAX_ATTRS	256	/* attributes of one schema */
#define SCIM_SCHEMA_MAX_SUBS	64	/* sub-attributes of one attribute */
#define SCIM_SCHEMA_MAX_CANON	64	/* canonical values of one attribute */
#define SCIM_SCHEMA_MAX_RTYPES	64	/* resource types */
#define SCIM_SCHEMA_MAX_EXT	16	/* extensions of one resource type */
#define SCIM_SCHEMA_ERR_MAX	256	/* an ERRLEN that fits every message */

#define SCIM_VALID_BODY_CEILING	(16u << 20)	/* whatever the caller's max */
#define SCIM_VALID_JSON_DEPTH	16	/* nested arrays and objects */
#define SCIM_VALID_MAX_MEMBERS	256	/* members of one JSON object */
#define SCIM_VALID_MAX_VALUES	10000	/* values of a multi-valued attribute */
#define SCIM_VALID_MAX_OPS	1000	/* PATCH operations; bulk ceiling */
#define SCIM_VALID_QUERY_MAX	16384	/* bytes of the raw query string */
#define SCIM_VALID_DETAIL_MAX	256	/* bytes of an error detail */

#define SCIM_SCHEMA_WUR __attribute__((warn_unused_result))

/* A set of schemas and resource types to validate against: the built-in
 * core (User, Group, EnterpriseUser) plus what one upstream advertises.
 * Immutable once built, so one set may serve many threads. */
struct scim_schema_set;

enum scim_valid_err {
	SCIM_VALID_OK = 0,
	SCIM_VALID_INVALID_FILTER,	/* 400 invalidFilter */
	SCIM_VALID_TOO_MANY,		/* 413 tooMany: bulk operations
					 * past the caller's maximum */
	SCIM_VALID_UNIQUENESS,		/* 409 uniqueness: never returned by
					 * validation (keyd cannot see what
					 * the upstream stores); here so one
					 * table maps every Table 9 type */
	SCIM_VALID_MUTABILITY,		/* 400 mutability */
	SCIM_VALID_INVALID_SYNTAX,	/* 400 invalidSyntax */
	SCIM_VALID_INVALID_PATH,	/* 400 invalidPath */
	SCIM_VALID_NO_TARGET,		/* 400 noTarget */
	SCIM_VALID_INVALID_VALUE,	/* 400 invalidValue */
	SCIM_VALID_INVALID_VERS,	/* 400 invalidVers: a SCIM 1.x body */
	SCIM_VALID_SENSITIVE,		/* 400 sensitive: a password in a URL */
	SCIM_VALID_TOO_LARGE,		/* 413, no scimType: body or query */
	SCIM_VALID_MEDIA_TYPE,		/* 415, no scimType */
	SCIM_VALID_NOMEM		/* 500 */
};

/* Why a request was refused. detail is printable ASCII, names the
 * attribute (in the schema's spelling where keyd knows it) and never
 * holds an attribute value, so it is safe in a SCIM Error body and a log.
 * scim_type is static, NULL when the status has none. */
struct scim_valid_error {
	enum scim_valid_err	 code;
	int			 status;
	const char		*scim_type;
	char			 detail[SCIM_VALID_DETAIL_MAX];
};

/* The built-in set: RFC 7643 User with the EnterpriseUser extension, and
 * Group. Static; never free it (scim_schema_set_free ignores it). */
const struct scim_schema_set *scim_schema_core(void);

/* Build a set from an upstream's discovery documents: SCHEMAS (LEN bytes),
 * its GET /Schemas answer (a ListResponse, or a bare array of schema
 * resources, RFC 7643 §7), and optionally RESOURCE_TYPES (RTLEN bytes),
 * its GET /ResourceTypes answer (§6), or NULL. The set holds the core
 * plus every schema advertised: an unknown schema becomes known, and an
 * attribute the upstream adds to a core schema is accepted with the
 * upstream's definition; RFC 7643's definitions of core attributes stay.
 * Without RESOURCE_TYPES an extension binds to User or Group when its URN
 * ends in ":User" or ":Group", else to every resource type. The set keeps
 * no pointer into the inputs. Returns 0 with *OUT set (free it with
 * scim_schema_set_free), or -1 with a reason in ERR (ERRLEN bytes) and
 * *OUT NULL: malformed JSON, a document past SCIM_SCHEMA_DOC_MAX, or past
 * one of the SCIM_SCHEMA_MAX_* bounds. */
int scim_schema_set_load(const char *schemas, size_t len,
    const char *resource_types, size_t rtlen, struct scim_schema_set **out,
    char *err, size_t errlen) SCIM_SCHEMA_WUR;

/* Free *SET and set it NULL. Safe on NULL and on the core set. */
void scim_schema_set_free(struct scim_schema_set **set);

/* 1 when SET (NULL: the core) knows the schema URN, case-insensitively. */
int scim_schema_set_has(const struct scim_schema_set *set, const char *urn);

/* Validate one request and build the body to forward. SET is the
 * upstream's set (NULL: the core). METHOD ("POST") and PATH are the
 * request as scim_path_parse parsed it (PATH->op picks what is checked;
 * METHOD tells a POST .search from a GET search). QUERY is the raw query
 * string
 * without '?' (NULL or "" when none); CONTENT_TYPE the request's header
 * (NULL when absent); BODY is LEN bytes (NULL when LEN is 0). A body past
 * MAX_BODY (or SCIM_VALID_BODY_CEILING) is refused before it is parsed;
 * a Bulk request with more than MAX_BULK_OPS operations gets 413
 * tooMany (the ServiceProviderConfig bulk.maxOperations keyd advertises).
 * On SCIM_VALID_OK, *OUT is the normalised body, NUL-terminated, *OUTLEN
 * bytes, which the caller frees; both are NULL/0 for a request without a
 * body (GET, DELETE). On error *OUT is NULL and ERR says why. */
enum scim_valid_err scim_validate_request(const struct scim_schema_set *set,
    const char *method, const struct scim_path *path, const char *query,
    const char *content_type, const char *body, size_t len, size_t max_body,
    size_t max_bulk_ops, char **out, size_t *outlen,
    struct scim_valid_error *err) SCIM_SCHEMA_WUR;

/* 0 when CONTENT_TYPE is application/scim+json or application/json
 * (case-insensitive), with at most a charset=utf-8 parameter, spaces and
 * tabs around the parts tolerated; -1 otherwise (refuse with 415). */
int scim_content_type_check(const char *content_type) SCIM_SCHEMA_WUR;

/* The HTTP status of E (200 for SCIM_VALID_OK), its RFC 7644 Table 9
 * scimType (static, NULL when none) and a short name for logs. */
int scim_valid_status(enum scim_valid_err e);
const char *scim_valid_scim_type(enum scim_valid_err e);
const char *scim_valid_strerror(enum scim_valid_err e);

/* ERR as a SCIM Error body (RFC 7644 §3.12: schemas, status as a string,
 * scimType when there is one, detail). The caller frees the result; NULL
 * when out of memory. */
char *scim_valid_error_body(const struct scim_valid_error *err);

#endif
