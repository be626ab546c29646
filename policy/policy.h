/* The policy engine: roles, their rules and limits, as a pure library (no
 * I/O, no globals, nothing from keyd/). docs/policy.md describes the
 * document and the semantics of a decision.
 *
 * A loaded set is read-only: any number of threads may decide against it
 * at once. No decision allocates; every buffer is the caller's. */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define POLICY_ERR_PATH	160
#define POLICY_ERR_MSG	256
#define POLICY_NAME_MAX	64
#define POLICY_SCOPES_MAX 2048	/* bytes of a space-separated scope list */

#define POLICY_WUR __attribute__((warn_unused_result))

struct policy_set;

struct policy_error {
	char	path[POLICY_ERR_PATH];	/* "roles.x.rules[2].operations[0]" */
	char	msg[POLICY_ERR_MSG];	/* "unknown operation \"delet\"" */
};

/* Parse and validate the JSON document JSON (LEN bytes) into *SET. On
 * failure returns -1 and fills ERR with the JSON path and the reason.
 * Free *SET with policy_free. */
int policy_load(const char *json, size_t len, struct policy_set **set,
    struct policy_error *err) POLICY_WUR;
void policy_free(struct policy_set **set);

/* 1 when ROLE is defined in SET. */
int policy_role_exists(const struct policy_set *set, const char *role);

/* Number of roles, and the name of role I (0-based), for listing. */
size_t policy_role_count(const struct policy_set *set);
const char *policy_role_name(const struct policy_set *set, size_t i);

/* Write ROLE's scopes, space-separated and sorted ("scim:Group.read
 * scim:User.create …"), into OUT. A scope scim:R.op is held when some
 * allow rule grants op on R and no unconditional deny takes it away.
 * Returns 0, or -1 for an unknown role or a too-small buffer. */
int policy_role_scopes(const struct policy_set *set, const char *role,
    char *out, size_t outlen) POLICY_WUR;

/* Check REQUESTED (space-separated scopes, may be NULL or empty: all the
 * role's scopes) against ROLE. On success writes the granted scopes,
 * sorted, into OUT and returns 0; returns -1 when a requested scope is
 * unknown or not held, with the offending scope in BAD. */
int policy_scope_grant(const struct policy_set *set, const char *role,
    const char *requested, char *out, size_t outlen, char *bad,
    size_t badlen) POLICY_WUR;

/* ROLE's limits.token_ttl in seconds into *SECS; returns 0, or 1 when the
 * role sets none, -1 for an unknown role. */
int policy_role_token_ttl(const struct policy_set *set, const char *role,
    int64_t *secs) POLICY_WUR;

/* The default document `keyd init` installs: scim-admin, scim-provisioner,
 * scim-reader. A static string. */
const char *policy_default_document(void);

/* ---- Limits ---------------------------------------------------------- */

struct policy_cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned	 bits;		/* prefix length */
	unsigned char	 addr[16];	/* network address, host bits zero */
};

/* A role's limits. Zero means the role sets none (keyd's own default
 * applies). Durations are seconds. */
struct policy_limits {
	uint64_t			 rate;		/* requests per period */
	uint64_t			 rate_period;	/* 1 ("/s") or 60 ("/m") */
	uint64_t			 burst;
	uint64_t			 max_body;	/* bytes */
	uint64_t			 max_bulk_operations;
	int64_t				 token_ttl;
	int64_t				 key_max_age;
	int64_t				 key_overlap;
	const struct policy_cidr	*source;	/* owned by the set */
	size_t				 nsource;	/* 0: any address */
};

/* Copy ROLE's limits into *OUT. OUT->source points into SET and is valid
 * until policy_free(SET). Returns 0, or -1 for an unknown role. */
int policy_role_limits(const struct policy_set *set, const char *role,
    struct policy_limits *out) POLICY_WUR;

/* 1 when a client of ROLE may connect from ADDR: the role sets no
 * limits.source, or ADDR lies in one of its CIDRs. FAMILY is AF_INET
 * (ADDR 4 bytes) or AF_INET6 (16 bytes, network order); an IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d) is checked as the IPv4 address. 0 for any
 * other address, an unknown role or an unknown family. */
int policy_source_allowed(const struct policy_set *set, const char *role,
    int family, const void *addr) POLICY_WUR;

/* ---- Decisions ------------------------------------------------------- */

/* SCIM operation kinds. Discover is a GET of ServiceProviderConfig,
 * Schemas or ResourceTypes; bulk is the POST /Bulk envelope. */
enum policy_op {
	POLICY_OP_CREATE, POLICY_OP_READ, POLICY_OP_SEARCH,
	POLICY_OP_REPLACE, POLICY_OP_PATCH, POLICY_OP_DELETE,
	POLICY_OP_BULK, POLICY_OP_DISCOVER, POLICY_OP_COUNT
};

/* The name a policy document uses for OP ("create" …), or "?" */
const char *policy_op_name(enum policy_op op);

#define POLICY_FACTS_WRITTEN	256	/* attributes a request may write */
#define POLICY_FACTS_FILTERED	64	/* attributes it may filter on */
#define POLICY_FACTS_VALUES	32	/* attribute values it may name */

/* A value the request names for an attribute (displayName "Admins"), for
 * "where" conditions. STORED is 1 when the value is the target resource's
 * current value (the caller fetched it), 0 when the request body names it
 * (for a create, the body is the target; for replace and patch it is the
 * new value, which can prove a deny rule matches but never that it does
 * not). */
struct policy_value {
	const char	*attr;		/* "displayName", any case, URN or not */
	const char	*value;
	int		 stored;
};

/* What a request names. Every string is borrowed: the caller owns it and
 * keeps it alive across the decision. Fill with policy_facts_init and the
 * policy_facts_add_* functions (or directly, within the array bounds).
 *
 * Attribute paths are as the request names them: any case, with or
 * without a schema URN prefix ("Name.GivenName",
 * "urn:ietf:params:scim:schemas:core:2.0:User:emails",
 * "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager").
 * A value-path filter is cut at "[" (emails[type eq "work"].value counts
 * as emails). A PATCH contributes each op's path, or the keys of a
 * path-less value object. "schemas", "id" and "meta" (read-only per RFC
 * 7643) are not counted as written. */
struct policy_facts {
	const char		*upstream;	/* keyd's upstream name */
	const char		*resource;	/* resource type: "User", "Group";
						 * discovery endpoint for discover;
						 * ignored for bulk */
	enum policy_op		 op;
	const char		*id;		/* resource id from the path, or NULL */
	const char		*scope;		/* the access token's granted scopes,
						 * space-separated; NULL when a
						 * provisioning key is used directly */
	const char		*written[POLICY_FACTS_WRITTEN];
	size_t			 nwritten;
	const char		*filtered[POLICY_FACTS_FILTERED];
	size_t			 nfiltered;
	struct policy_value	 values[POLICY_FACTS_VALUES];
	size_t			 nvalues;
};

enum policy_effect { POLICY_DENY = 0, POLICY_ALLOW = 1 };

#define POLICY_RULE_MAX		(POLICY_NAME_MAX + 8)	/* "role#255" */
#define POLICY_REASON_MAX	512

struct policy_decision {
	enum policy_effect	 effect;
	char			 rule[POLICY_RULE_MAX];	/* "scim-provisioner#1",
							 * "" when no rule decided */
	int			 rule_index;		/* 0-based, -1: none */
	long			 bulk_index;		/* refused bulk op, -1: none */
	char			 reason[POLICY_REASON_MAX];
	/* "deny: rule scim-provisioner#1 forbids writing attribute roles" */
};

/* Zero F and set the request's upstream, resource type and operation. */
void policy_facts_init(struct policy_facts *f, const char *upstream,
    const char *resource, enum policy_op op);

/* Add PATH to the attributes F writes / filters on; a path already there
 * (same attribute, any spelling) is not added twice. Returns 0, or -1 when
 * the array is full: refuse the request (too many attributes). */
int policy_facts_add_written(struct policy_facts *f, const char *path)
    POLICY_WUR;
int policy_facts_add_filtered(struct policy_facts *f, const char *path)
    POLICY_WUR;

/* Add a value F names for ATTR (see struct policy_value). Returns 0, or -1
 * when the array is full. */
int policy_facts_add_value(struct policy_facts *f, const char *attr,
    const char *value, int stored) POLICY_WUR;

/* Decide the request F by ROLE's rules, and by F->scope when set: default
 * deny; any matching deny rule beats every allow; every written and
 * filtered attribute must be covered by an allow rule. Fills *D (effect,
 * rule, reason). Returns 0 to allow, -1 to deny: an unknown role, an
 * unknown resource type, malformed facts (NULL strings, counts past the
 * arrays) all deny. Allocates nothing. */
int policy_decide(const struct policy_set *set, const char *role,
    const struct policy_facts *f, struct policy_decision *d) POLICY_WUR;

/* A bulk request is allowed only if its envelope and every one of its
 * operations are. policy_decide_bulk decides all of it: the envelope BULK
 * (op POLICY_OP_BULK: the bulk operation and scope scim:bulk, NOPS against
 * limits.max_bulk_operations), then each OPS[i] in order. Each operation
 * is decided with BULK's upstream and scope (theirs are ignored) and must
 * be create, replace, patch or delete. On a refusal D->bulk_index names
 * the first refused operation and the reason starts "deny: bulk operation
 * N: ". Returns 0 to allow, -1 to deny. */
int policy_decide_bulk(const struct policy_set *set, const char *role,
    const struct policy_facts *bulk, const struct policy_facts *ops,
    size_t nops, struct policy_decision *d) POLICY_WUR;

/* The same in steps, for a caller that derives one operation at a time:
 * policy_decide_bulk_envelope decides BULK with NOPS operations; then
 * policy_decide_bulk_op decides operation INDEX of it. The request is
 * allowed only if every call returned 0. */
int policy_decide_bulk_envelope(const struct policy_set *set,
    const char *role, const struct policy_facts *bulk, size_t nops,
    struct policy_decision *d) POLICY_WUR;
int policy_decide_bulk_op(const struct policy_set *set, const char *role,
    const struct policy_facts *bulk, size_t index,
    const struct policy_facts *op, struct policy_decision *d) POLICY_WUR;

#endif
