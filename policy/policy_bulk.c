/* A bulk request: the envelope (the bulk operation, scope scim:bulk and
 * the role's max_bulk_operations), then each operation on its own, with
 * the envelope's upstream and token scope. */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

#define BULK_OPS ((1u << POLICY_OP_CREATE) | (1u << POLICY_OP_REPLACE) | \
	(1u << POLICY_OP_PATCH) | (1u << POLICY_OP_DELETE))

static int
deny(struct policy_decision *d, const char *reason)
{
	d->effect = POLICY_DENY;
	d->rule[0] = '\0';
	d->rule_index = -1;
	d->bulk_index = -1;
	snprintf(d->reason, sizeof(d->reason), "%s", reason);
	return -1;
}

int
policy_decide_bulk_envelope(const struct policy_set *set, const char *role,
    const struct policy_facts *bulk, size_t nops, struct policy_decision *d)
{
	const struct prole *r;

	if (bulk == NULL || bulk->op != POLICY_OP_BULK)
		return deny(d, "deny: malformed request facts (a bulk envelope "
		    "must have operation bulk)");
	if (policy_decide(set, role, bulk, d) == -1)
		return -1;
	r = prole_find(set, role);
	if (r->limits.max_bulk_operations == 0 ||
	    nops <= r->limits.max_bulk_operations)
		return 0;
	deny(d, "");
	snprintf(d->reason, sizeof(d->reason), "deny: the bulk request has "
	    "%zu operations; role %s allows at most %llu "
	    "(limits.max_bulk_operations)", nops, r->name,
	    (unsigned long long)r->limits.max_bulk_operations);
	return -1;
}

int
policy_decide_bulk_op(const struct policy_set *set, const char *role,
    const struct policy_facts *bulk, size_t index,
    const struct policy_facts *op, struct policy_decision *d)
{
	struct policy_decision	 one;

	if (bulk == NULL || op == NULL)
		return deny(d, "deny: malformed request facts (no bulk "
		    "envelope or operation)");
	if ((unsigned)op->op >= POLICY_OP_COUNT ||
	    !(BULK_OPS & (1u << op->op))) {
		deny(d, "");
		snprintf(d->reason, sizeof(d->reason), "deny: bulk operation "
		    "%zu: a bulk operation must be create, replace, patch or "
		    "delete, not %s", index, policy_op_name(op->op));
		d->bulk_index = (long)index;
		return -1;
	}
	if (pdecide(set, role, op, bulk->upstream, bulk->scope, &one) == 0) {
		*d = one;
		return 0;
	}
	*d = one;
	d->bulk_index = (long)index;
	snprintf(d->reason, sizeof(d->reason), "deny: bulk operation %zu: %.440s",
	    index, strncmp(one.reason, "deny: ", 6) == 0 ? one.reason + 6 :
	    one.reason);
	return -1;
}

int
policy_decide_bulk(const struct policy_set *set, const char *role,
    const struct policy_facts *bulk, const struct policy_facts *ops,
    size_t nops, struct policy_decision *d)
{
	struct policy_decision	 one;
	size_t			 i;

	if (policy_decide_bulk_envelope(set, role, bulk, nops, d) == -1)
		return -1;
	if (nops > 0 && ops == NULL)
		return deny(d, "deny: malformed request facts (no bulk "
		    "operations)");
	for (i = 0; i < nops; i++)
		if (policy_decide_bulk_op(set, role, bulk, i, &ops[i], &one) ==
		    -1) {
			*d = one;
			return -1;
		}
	snprintf(d->reason, sizeof(d->reason), "allow: rule %s allows bulk; "
	    "all %zu operations are allowed", d->rule, nops);
	return 0;
}
