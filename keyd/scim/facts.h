/* One SCIM request → the facts a policy decides on. keyctl policy test and
 * the proxy both call scim_facts_derive, so a test and a real request can
 * never be decided differently.
 *
 * Attribute paths, everywhere below: "attr", "attr.sub" or
 * "URN:attr[.sub]", in the client's spelling, each listed once (compared
 * case-insensitively, as RFC 7643 §2.1 compares names). The core User and
 * Group schema URNs are dropped ("userName"); extension URNs are kept
 * ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager").
 *
 * What counts as written:
 * - POST/PUT body: each attribute the resource sets. A singular complex
 *   attribute is listed by its sub-attributes ("name.givenName"; "name"
 *   alone when set to {} or null). A multi-valued attribute is listed by
 *   its name ("emails": the whole list is replaced) and also by each
 *   sub-attribute its elements set ("emails.value", "emails.type"). An
 *   extension object is flattened with its URN. "schemas", "id" and
 *   "meta" are not attributes written: schemas names the message, id and
 *   meta are readOnly and RFC 7643 §3.1 has the server ignore them.
 *   "groups", readOnly too (RFC 7643 §4.1.2), is counted: an upstream
 *   that honours it would change memberships, which policies guard.
 * - PATCH: each path an operation touches. A value filter's attribute is
 *   written ("emails[type eq \"work\"].value" → "emails", "emails.value"),
 *   the names inside the filter are filtered on ("emails.type"); an
 *   object value (or, after a value filter, an array of them) adds its
 *   keys under the path; a path-less add or replace
 *   is flattened like a POST body (readOnly names included: asking to
 *   change them is the client's act).
 * A URN key whose value is an object is an extension object when the
 * body's schemas lists it, it is a core or the enterprise schema URN, or
 * its last segment names the resource type (":User"); otherwise it is a
 * URN-prefixed attribute. Anything keyd cannot read without guessing (a
 * key differing only in case from another, an unknown PATCH member) is
 * refused rather than guessed at. */
#ifndef KEYD_SCIM_FACTS_H
#define KEYD_SCIM_FACTS_H

#include <stddef.h>

#include "keyd/scim/filter.h"
#include "keyd/scim/path.h"

#define SCIM_FACTS_MAX_ATTRS	256	/* per list, per request or bulk op */
#define SCIM_FACTS_MAX_OPS	1000	/* PATCH operations, bulk operations */
#define SCIM_FACTS_JSON_DEPTH	16	/* nested JSON arrays and objects */
#define SCIM_FACTS_BODY_CEILING	(16u << 20)	/* whatever the caller's max */
#define SCIM_FACTS_QUERY_MAX	16384	/* bytes of the raw query string */
#define SCIM_FACTS_BULK_PATH_MAX 1024	/* bytes of a bulk operation's path */
#define SCIM_FACTS_ERR_MAX	320	/* an ERRLEN that fits every message */

enum scim_facts_err {
	SCIM_FACTS_OK = 0,
	SCIM_FACTS_NOT_FOUND,		/* 404: not a SCIM path keyd serves */
	SCIM_FACTS_METHOD,		/* 405: facts->allow names the methods */
	SCIM_FACTS_TOO_LARGE,		/* 413: body, query, operations or
					 * attributes past a bound */
	SCIM_FACTS_INVALID_FILTER,	/* 400 invalidFilter */
	SCIM_FACTS_INVALID_PATH,	/* 400 invalidPath: a PATCH path */
	SCIM_FACTS_NO_TARGET,		/* 400 noTarget: remove without path */
	SCIM_FACTS_INVALID_SYNTAX,	/* 400 invalidSyntax: body structure */
	SCIM_FACTS_INVALID_VALUE,	/* 400 invalidValue */
	SCIM_FACTS_NOMEM,		/* 500 */
	SCIM_FACTS_NOT_IMPLEMENTED	/* 501: /Me, a search at the root */
};

/* A list of attribute paths. cap is the list's own bookkeeping. */
struct scim_facts_list {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

/* A string or boolean ("true"/"false") the request itself sets on a
 * singular attribute, for policy `where`: {"displayName", "Admins"}. */
struct scim_facts_value {
	char	*attr;
	char	*value;
};

struct scim_facts {
	char			 method[8];	/* "PATCH" */
	char			 upstream[SCIM_UPSTREAM_MAX + 1];
	char			 endpoint[SCIM_ENDPOINT_MAX + 1];
	char			 resource_type[SCIM_ENDPOINT_MAX + 1];
	enum scim_op		 op;
	char			 id[SCIM_ID_MAX + 1];	/* decoded, or "" */
	struct scim_facts_list	 written;	/* attributes written */
	struct scim_facts_list	 filtered;	/* filter=, a .search filter,
						 * sortBy, PATCH value filters */
	struct scim_facts_value	*values;	/* values the request names */
	size_t			 nvalues;
	size_t			 values_cap;
	struct scim_facts	*bulk;		/* a Bulk request's operations, */
	size_t			 nbulk;		/* each derived on its own */
	char			*bulk_id;	/* of a bulk operation, or NULL */
	char			*bulk_path;	/* of a bulk operation as sent,
						 * "/Users/123"; or NULL */
	const char		*allow;		/* static: the path's methods,
						 * "GET, POST"; NULL if unknown */
};

/* Derive FACTS from one request: METHOD ("GET"), PATH (the raw,
 * percent-encoded request path, no query), QUERY (raw, without '?'; may
 * be NULL), BODY (BODY_LEN bytes; may be NULL when 0). A body longer than
 * MAX_BODY (or SCIM_FACTS_BODY_CEILING) is refused before it is parsed.
 * Query parameters are form-decoded ('+' is a space); filter, sortBy,
 * attributes and excludedAttributes are matched case-insensitively and
 * refused when repeated; filter and sortBy name attributes filtered on,
 * the attribute lists are only checked. A raw ';' in the query is
 * refused (some servers split parameters on it).
 * Returns SCIM_FACTS_OK with FACTS filled, or an error with a reason a
 * person can act on in ERR (ERRLEN bytes, printable ASCII, safe to put in
 * a SCIM Error detail). FACTS is always left safe to scim_facts_free; on
 * error it holds nothing, except allow on SCIM_FACTS_METHOD. */
enum scim_facts_err scim_facts_derive(const char *method, const char *path,
    const char *query, const char *body, size_t body_len, size_t max_body,
    struct scim_facts *facts, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Free everything FACTS holds, bulk operations included, and zero it.
 * Safe on a zeroed or already freed struct. */
void scim_facts_free(struct scim_facts *facts);

/* The HTTP status for E (200 for SCIM_FACTS_OK), and the RFC 7644 Table 9
 * scimType for it, or NULL when the error has none. Static strings. */
int scim_facts_status(enum scim_facts_err e);
const char *scim_facts_scim_type(enum scim_facts_err e);

/* A short name for E, "invalid filter", for logs. Static. */
const char *scim_facts_strerror(enum scim_facts_err e);

#endif
