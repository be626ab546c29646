/* scim_facts → policy_facts, then policy_decide. The policy facts borrow
 * every string from the SCIM facts, so nothing is copied or allocated. */
#include <stdio.h>
#include <string.h>

#include "keyd/authz.h"

static int
authz_deny(struct policy_decision *d, const char *why)
{
	memset(d, 0, sizeof(*d));
	d->effect = POLICY_DENY;
	d->rule_index = -1;
	d->bulk_index = -1;
	snprintf(d->reason, sizeof(d->reason), "deny: %s", why);
	return -1;
}

static int
authz_op(enum scim_op op, enum policy_op *out)
{
	switch (op) {
	case SCIM_OP_CREATE:	*out = POLICY_OP_CREATE;	return 0;
	case SCIM_OP_READ:	*out = POLICY_OP_READ;		return 0;
	case SCIM_OP_SEARCH:	*out = POLICY_OP_SEARCH;	return 0;
	case SCIM_OP_REPLACE:	*out = POLICY_OP_REPLACE;	return 0;
	case SCIM_OP_PATCH:	*out = POLICY_OP_PATCH;		return 0;
	case SCIM_OP_DELETE:	*out = POLICY_OP_DELETE;	return 0;
	case SCIM_OP_BULK:	*out = POLICY_OP_BULK;		return 0;
	case SCIM_OP_DISCOVER:	*out = POLICY_OP_DISCOVER;	return 0;
	case SCIM_OP_NONE:
		break;
	}
	return -1;
}

/* Fill P from S (a request, or one bulk operation with UPSTREAM, SCOPE
 * of its envelope). Returns 0, or -1 with the deny reason in D. */
static int
authz_facts(const struct scim_facts *s, const char *upstream,
    const char *scope, struct policy_facts *p, struct policy_decision *d)
{
	enum policy_op	op;
	size_t		i;

	if (authz_op(s->op, &op) == -1)
		return authz_deny(d, "the request names no SCIM operation");
	/* The policy names discovery by its endpoint ("Schemas"), where the
	 * path parser names the type a schema describes ("Schema"). */
	policy_facts_init(p, upstream, op == POLICY_OP_DISCOVER ? s->endpoint :
	    s->resource_type, op);
	p->id = s->id[0] != '\0' ? s->id : NULL;
	p->scope = scope;
	for (i = 0; i < s->written.n; i++)
		if (policy_facts_add_written(p, s->written.v[i]) == -1)
			return authz_deny(d, "the request writes more "
			    "attributes than a policy decides on at once; "
			    "split it");
	for (i = 0; i < s->filtered.n; i++)
		if (policy_facts_add_filtered(p, s->filtered.v[i]) == -1)
			return authz_deny(d, "the request filters on more "
			    "attributes than a policy decides on at once; "
			    "narrow the filter");
	for (i = 0; i < s->nvalues; i++)
		if (policy_facts_add_value(p, s->values[i].attr,
		    s->values[i].value, 0) == -1)
			return authz_deny(d, "the request names more values "
			    "than a policy decides on at once; split it");
	return 0;
}

static int
authz_bulk(const struct policy_set *set, const char *role,
    const struct policy_facts *env, const struct scim_facts *s,
    struct policy_decision *d)
{
	struct policy_facts	op;
	struct policy_decision	one;
	char			why[POLICY_REASON_MAX];
	size_t			i;

	if (policy_decide_bulk_envelope(set, role, env, s->nbulk, d) == -1)
		return -1;
	for (i = 0; i < s->nbulk; i++) {
		if (authz_facts(&s->bulk[i], env->upstream, env->scope, &op,
		    &one) == -1) {
			snprintf(why, sizeof(why), "bulk operation %zu: %.400s",
			    i, one.reason + strlen("deny: "));
			authz_deny(d, why);
			d->bulk_index = (long)i;
			return -1;
		}
		if (policy_decide_bulk_op(set, role, env, i, &op, &one) == -1) {
			*d = one;
			return -1;
		}
	}
	snprintf(d->reason, sizeof(d->reason), "allow: rule %s allows bulk; "
	    "all %zu operations are allowed", d->rule, s->nbulk);
	return 0;
}

size_t
authz_max_body(const struct policy_set *set, const char *role)
{
	struct policy_limits	l;

	if (policy_role_limits(set, role, &l) != 0 || l.max_body == 0)
		return AUTHZ_MAX_BODY_DEFAULT;
	return l.max_body < SCIM_FACTS_BODY_CEILING ? (size_t)l.max_body :
	    SCIM_FACTS_BODY_CEILING;
}

int
authz_decide(const struct policy_set *set, const char *role,
    const char *scope, const struct scim_facts *s, struct policy_decision *d)
{
	struct policy_facts p;

	if (set == NULL || role == NULL || s == NULL)
		return authz_deny(d, "no policy to decide by");
	if (authz_facts(s, s->upstream, scope, &p, d) == -1)
		return -1;
	if (p.op == POLICY_OP_BULK)
		return authz_bulk(set, role, &p, s, d);
	return policy_decide(set, role, &p, d);
}
