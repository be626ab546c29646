/* Compile a validated role into the form policy_decide reads: rules with
 * operation and resource-type bitmasks, attribute paths lowercased and
 * URN-normalised, "where" patterns lowercased, and per operation the deny
 * and allow rules that mention it. Also the role's OAuth scopes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

/* A copy of S (N bytes) in SET's arena, lowercased when LOWER. */
static const char *
pstrdup(struct policy_set *set, const char *s, size_t n, int lower)
{
	char	*d;
	size_t	 i;

	if ((d = parena_alloc(set, n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = lower && s[i] >= 'A' && s[i] <= 'Z' ?
		    (char)(s[i] - 'A' + 'a') : s[i];
	d[n] = '\0';
	return d;
}

/* 1 when the string array A holds "*" (or is absent: the same). */
static int
has_star(json_t *a)
{
	json_t	*e;
	size_t	 i;

	if (a == NULL)
		return 1;
	json_array_foreach(a, i, e)
		if (strcmp(json_string_value(e), "*") == 0)
			return 1;
	return 0;
}

static unsigned
ops_mask(json_t *ops)
{
	unsigned	 m = 0;
	size_t		 i;
	json_t		*e;

	json_array_foreach(ops, i, e) {
		if (strcmp(json_string_value(e), "*") == 0)
			return OP_MASK_ALL;
		m |= 1u << pop_lookup(json_string_value(e));
	}
	return m;
}

static uint32_t
res_mask(const struct policy_set *set, json_t *res)
{
	uint32_t	 m = 0;
	size_t		 i;
	json_t		*e;

	if (has_star(res))
		return UINT32_MAX;
	json_array_foreach(res, i, e)
		m |= (uint32_t)1 << ptype_find(set, json_string_value(e));
	return m;
}

static int
upstreams_compile(struct policy_set *set, json_t *a, struct prule *r)
{
	json_t	*e;
	size_t	 i;

	if (has_star(a))
		return 0;
	if ((r->upstreams = parena_alloc(set, json_array_size(a) *
	    sizeof(*r->upstreams))) == NULL)
		return -1;
	json_array_foreach(a, i, e) {
		if ((r->upstreams[i] = pstrdup(set, json_string_value(e),
		    strlen(json_string_value(e)), 0)) == NULL)
			return -1;
	}
	r->nup = json_array_size(a);
	return 0;
}

static int
attr_compile(struct policy_set *set, const char *s, struct pattr *out)
{
	const char	*p;
	size_t		 n;

	pattr_view(s, &p, &n);
	if ((out->s = pstrdup(set, p, n, 1)) == NULL)
		return -1;
	out->len = n;
	return 0;
}

static int
attrs_compile(struct policy_set *set, json_t *a, struct prule *r)
{
	json_t	*e;
	size_t	 i;

	if (a == NULL)
		return 0;
	if ((r->attrs = parena_alloc(set, json_array_size(a) *
	    sizeof(*r->attrs))) == NULL)
		return -1;
	json_array_foreach(a, i, e)
		if (attr_compile(set, json_string_value(e), &r->attrs[i]) == -1)
			return -1;
	r->nattrs = json_array_size(a);
	return 0;
}

static int
cond_compile(struct policy_set *set, const char *key, json_t *pats,
    struct pcond *c)
{
	json_t	*e;
	size_t	 i;

	if ((c->name = pstrdup(set, key, strlen(key), 0)) == NULL ||
	    attr_compile(set, key, &c->key) == -1)
		return -1;
	c->is_id = strcmp(c->key.s, "id") == 0;
	if ((c->pats = parena_alloc(set, json_array_size(pats) *
	    sizeof(*c->pats))) == NULL)
		return -1;
	json_array_foreach(pats, i, e)
		if ((c->pats[i] = pstrdup(set, json_string_value(e),
		    strlen(json_string_value(e)), 1)) == NULL)
			return -1;
	c->npats = json_array_size(pats);
	return 0;
}

static int
where_compile(struct policy_set *set, json_t *w, struct prule *r)
{
	const char	*k;
	json_t		*v;
	size_t		 i = 0;

	if (w == NULL)
		return 0;
	if ((r->where = parena_alloc(set, json_object_size(w) *
	    sizeof(*r->where))) == NULL)
		return -1;
	json_object_foreach(w, k, v)
		if (cond_compile(set, k, v, &r->where[i++]) == -1)
			return -1;
	r->nwhere = i;
	return 0;
}

static int
rule_compile(struct policy_set *set, json_t *j, size_t index,
    struct prule *r)
{
	r->index = (int)index;
	r->deny = strcmp(json_string_value(json_object_get(j, "effect")),
	    "deny") == 0;
	r->ops = ops_mask(json_object_get(j, "operations"));
	r->resmask = res_mask(set, json_object_get(j, "resources"));
	if (upstreams_compile(set, json_object_get(j, "upstreams"), r) == -1 ||
	    attrs_compile(set, json_object_get(j, "attributes"), r) == -1 ||
	    where_compile(set, json_object_get(j, "where"), r) == -1)
		return -1;
	return 0;
}

/* For each operation, the deny rules and the allow rules that mention it,
 * in document order, so that a decision reads only its own. */
static int
oplists_build(struct policy_set *set, struct prole *r)
{
	size_t	 i, op, nd, na;

	for (op = 0; op < POLICY_OP_COUNT; op++) {
		for (nd = na = 0, i = 0; i < r->nrules; i++)
			if (r->rules[i].ops & (1u << op))
				*(r->rules[i].deny ? &nd : &na) += 1;
		if ((nd > 0 && (r->deny[op] = parena_alloc(set, nd *
		    sizeof(*r->deny[op]))) == NULL) ||
		    (na > 0 && (r->allow[op] = parena_alloc(set, na *
		    sizeof(*r->allow[op]))) == NULL))
			return -1;
		for (i = 0; i < r->nrules; i++) {
			if (!(r->rules[i].ops & (1u << op)))
				continue;
			if (r->rules[i].deny)
				r->deny[op][r->ndeny[op]++] = &r->rules[i];
			else
				r->allow[op][r->nallow[op]++] = &r->rules[i];
		}
	}
	return 0;
}

static int
scope_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Which (type, operation) pairs some allow rule grants and no
 * unconditional deny takes away; bulk and discover are flat. */
static void
grants_collect(const struct policy_set *set, const struct prole *r,
    unsigned *ops, unsigned *flat)
{
	unsigned	 deny[POLICY_MAX_RESOURCES] = { 0 }, flat_deny = 0;
	const struct prule *ru;
	size_t		 i, t;

	*flat = 0;
	memset(ops, 0, set->ntypes * sizeof(*ops));
	for (i = 0; i < r->nrules; i++) {
		ru = &r->rules[i];
		/* A deny limited by attributes, where or upstreams refuses
		 * only some requests: the scope stays, and a token holding
		 * all of a role's scopes is decided as the role is. */
		if (ru->deny && (ru->nattrs > 0 || ru->nwhere > 0 ||
		    ru->nup > 0))
			continue;
		*(ru->deny ? &flat_deny : flat) |= ru->ops & OP_MASK_FLAT;
		for (t = 0; t < set->ntypes; t++)
			if (ru->resmask & ((uint32_t)1 << t))
				*(ru->deny ? &deny[t] : &ops[t]) |= ru->ops;
	}
	for (t = 0; t < set->ntypes; t++)
		ops[t] &= ~deny[t];
	*flat &= ~flat_deny;
}

static int
scopes_join(char *out, size_t outlen, const char **sorted, size_t n)
{
	size_t i, len = 0, sl;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		sl = strlen(sorted[i]);
		if (len + sl + 2 > outlen)
			return -1;
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, sorted[i], sl + 1);
		len += sl;
	}
	return 0;
}

/* Render R's scopes, sorted, into R->scopes. -1 when they do not fit: a
 * silently shortened scope list would be a different role. */
static int
scopes_render(const struct policy_set *set, struct prole *r)
{
	char		 buf[POLICY_MAX_RESOURCES * POLICY_OP_BULK + 2][96];
	const char	*sorted[POLICY_MAX_RESOURCES * POLICY_OP_BULK + 2];
	unsigned	 ops[POLICY_MAX_RESOURCES], flat;
	size_t		 t, n = 0;
	int		 op;

	grants_collect(set, r, ops, &flat);
	for (t = 0; t < set->ntypes; t++)
		for (op = 0; op < POLICY_OP_BULK; op++)
			if (ops[t] & (1u << op)) {
				snprintf(buf[n], sizeof(buf[0]), "scim:%s.%s",
				    set->types[t], policy_op_name(op));
				sorted[n] = buf[n];
				n++;
			}
	for (op = POLICY_OP_BULK; op < POLICY_OP_COUNT; op++)
		if (flat & (1u << op)) {
			snprintf(buf[n], sizeof(buf[0]), "scim:%s",
			    policy_op_name(op));
			sorted[n] = buf[n];
			n++;
		}
	if (n > 0)
		qsort(sorted, n, sizeof(sorted[0]), scope_cmp);
	return scopes_join(r->scopes, sizeof(r->scopes), sorted, n);
}

int
pcompile_role(struct pctx *c, json_t *role, struct prole *r)
{
	json_t	*rules = json_object_get(role, "rules"), *rule;
	size_t	 i;

	if (json_array_size(rules) > 0 && (r->rules = parena_alloc(c->set,
	    json_array_size(rules) * sizeof(*r->rules))) == NULL)
		return pfail(c, "", "%s", "out of memory");
	json_array_foreach(rules, i, rule) {
		if (rule_compile(c->set, rule, i, &r->rules[i]) == -1)
			return pfail(c, "", "%s", "out of memory");
		r->nrules++;
	}
	if (oplists_build(c->set, r) == -1)
		return pfail(c, "", "%s", "out of memory");
	if (scopes_render(c->set, r) == -1)
		return pfail(c, "", "the role's scopes exceed %d bytes; split "
		    "the role", POLICY_SCOPES_MAX);
	return 0;
}
