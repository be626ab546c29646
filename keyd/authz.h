/* Authorisation of one SCIM request: its derived facts (keyd/scim/facts.h)
 * decided by the policy engine. The proxy and `keyctl policy test` both
 * decide here, on facts from scim_facts_derive, so a test and a real
 * request can never be decided differently. */
#ifndef KEYD_AUTHZ_H
#define KEYD_AUTHZ_H

#include "keyd/scim/facts.h"
#include "policy/policy.h"

/* The largest request body of a role that sets no limits.max_body. */
#define AUTHZ_MAX_BODY_DEFAULT	(1024u * 1024u)

/* The body limit for ROLE: its limits.max_body, else the default, and
 * never above SCIM_FACTS_BODY_CEILING. */
size_t authz_max_body(const struct policy_set *set, const char *role);

/* Decide FACTS for ROLE in SET, narrowed to SCOPE (an access token's
 * granted scopes; NULL for a provisioning key used directly). A Bulk
 * request is decided as its envelope and then each operation, and is
 * allowed only if all are. Fills *D; returns 0 to allow, -1 to deny.
 * Facts that do not fit the engine's fixed arrays deny, with a reason.
 * The caller keeps SET alive (holds keyd's policy read lock). */
int authz_decide(const struct policy_set *set, const char *role,
    const char *scope, const struct scim_facts *facts,
    struct policy_decision *d) __attribute__((warn_unused_result));

#endif
