/* The policy engine: roles, their rules and limits, as a pure library (no
 * I/O, no globals, nothing from keyd/). docs/policy.md describes the
 * document.
 *
 * This is the foundation's cut: it loads and validates the whole document
 * shape, answers which OAuth scopes a role holds and its token TTL limit.
 * The attribute-level decision engine (policy_decide) arrives with the
 * policy engine issue on top of the same loader. */
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

#endif
