/* SCIM request paths: /scim/v2/{upstream}/{ResourceEndpoint}[/{id}] and
 * the RFC 7644 special endpoints, mapped with the method to an operation
 * (RFC 7644 §3.2). */
#ifndef KEYD_SCIM_PATH_H
#define KEYD_SCIM_PATH_H

#include <stddef.h>

#define SCIM_PATH_PREFIX	"/scim/v2/"
#define SCIM_PATH_MAX		2048	/* bytes of a raw request path */
#define SCIM_UPSTREAM_MAX	64	/* [A-Za-z0-9._-] */
#define SCIM_ENDPOINT_MAX	64	/* [A-Za-z][A-Za-z0-9_-]* */
#define SCIM_ID_MAX		256	/* bytes, percent-decoded */

enum scim_op {
	SCIM_OP_NONE = 0,
	SCIM_OP_CREATE,		/* POST collection */
	SCIM_OP_READ,		/* GET id */
	SCIM_OP_SEARCH,		/* GET collection, POST collection/.search */
	SCIM_OP_REPLACE,	/* PUT id */
	SCIM_OP_PATCH,		/* PATCH id */
	SCIM_OP_DELETE,		/* DELETE id */
	SCIM_OP_BULK,		/* POST /Bulk */
	SCIM_OP_DISCOVER	/* GET ServiceProviderConfig, Schemas, ResourceTypes */
};

enum scim_path_err {
	SCIM_PATH_OK = 0,
	SCIM_PATH_NOT_FOUND,	/* not a path keyd serves: 404 */
	SCIM_PATH_METHOD,	/* the path exists, not with this method: 405 */
	SCIM_PATH_NOT_IMPLEMENTED	/* an RFC 7644 endpoint keyd does not
					 * serve (/Me, a search at the root): 501 */
};

struct scim_path {
	char		 upstream[SCIM_UPSTREAM_MAX + 1];	/* "hr" */
	char		 endpoint[SCIM_ENDPOINT_MAX + 1];	/* "Users" */
	/* "User", "Group", other endpoints as written; "ServiceProviderConfig",
	 * "Schema", "ResourceType" for discovery; "" for Bulk. The RFC 7644
	 * endpoint names are matched case-insensitively (an upstream may
	 * route them so), the type spelled as above whatever the case. */
	char		 resource_type[SCIM_ENDPOINT_MAX + 1];
	char		 id[SCIM_ID_MAX + 1];	/* decoded; "" for a collection
						 * and for .search */
	enum scim_op	 op;
	const char	*allow;	/* the methods the path takes, "GET, POST";
				 * static, set when the path itself parsed */
};

/* Parse PATH, the raw request path as the client sent it (still
 * percent-encoded, without the query string), for METHOD (case-sensitive,
 * "GET") into OUT. Only the id is percent-decoded; upstream and endpoint
 * names must be plain. An id is refused when it holds '/', '\', ';', a
 * control character or a NUL (raw or encoded), is "." or "..", or decodes
 * to more than SCIM_ID_MAX bytes. /Me (RFC 7644 §3.11: upstream, its
 * subject would be keyd's own credential) and searches across every
 * resource type (/, /.search) are SCIM_PATH_NOT_IMPLEMENTED: a policy
 * decides per resource type. Returns SCIM_PATH_OK, or an error with a
 * reason in ERR (ERRLEN bytes); on SCIM_PATH_METHOD, OUT->allow lists the
 * methods the path takes (for an Allow header). */
enum scim_path_err scim_path_parse(const char *method, const char *path,
    struct scim_path *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The policy name of OP: "create", "read", "search", "replace", "patch",
 * "delete", "bulk", "discover"; "none" for SCIM_OP_NONE. Static. */
const char *scim_path_op_name(enum scim_op op);

#endif
