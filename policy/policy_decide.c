/* policy_decide: one request against one role. Default deny; any deny rule
 * that matches wins over every allow; every attribute the request writes
 * or filters on must be covered by an allow rule; an access token narrows
 * the result to its scope. Reads the compiled role only; allocates
 * nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

#define SHOW_MAX	128	/* bytes of a request string in a reason */

static const char *const discovery[] = {
	"ServiceProviderConfig", "Schemas", "ResourceTypes"
};

enum tri { T_FALSE, T_TRUE, T_UNKNOWN };

/* An attribute path as named (ORIG) and the part the policy compares. */
struct view {
	const char	*orig;
	const char	*p;
	size_t		 n;
};

struct dreq {
	const struct policy_set		*set;
	const struct prole		*role;
	const struct policy_facts	*f;
	const char			*upstream;
	const char			*scope;
	enum policy_op			 op;
	int				 type;	/* -1: bulk, discover */
	char				 what[POLICY_NAME_MAX + 24];
	struct view			 w[POLICY_FACTS_WRITTEN];
	size_t				 nw;
	struct view			 fl[POLICY_FACTS_FILTERED];
	size_t				 nf;
	struct view			 v[POLICY_FACTS_VALUES];
};

/* The outcome of a rule's "where": which key decided, on what value. */
struct wres {
	enum tri		 t;
	const struct pcond	*c;
	const char		*val;
};

static int reason(struct policy_decision *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Set D's reason; returns -1 for a deny, 0 for an allow, so that a caller
 * can return it. */
static int
reason(struct policy_decision *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	return d->effect == POLICY_ALLOW ? 0 : -1;
}

static void
decision_rule(struct policy_decision *d, const struct dreq *q,
    const struct prule *r, enum policy_effect effect)
{
	d->effect = effect;
	d->rule_index = r->index;
	snprintf(d->rule, sizeof(d->rule), "%s#%d", q->role->name, r->index);
}

static int
show_len(size_t n)
{
	return (int)(n > SHOW_MAX ? SHOW_MAX : n);
}

static int
facts_check(const struct policy_facts *f, const char *upstream)
{
	size_t i;

	if ((unsigned)f->op >= POLICY_OP_COUNT || upstream == NULL ||
	    f->nwritten > POLICY_FACTS_WRITTEN ||
	    f->nfiltered > POLICY_FACTS_FILTERED ||
	    f->nvalues > POLICY_FACTS_VALUES)
		return -1;
	for (i = 0; i < f->nwritten; i++)
		if (f->written[i] == NULL)
			return -1;
	for (i = 0; i < f->nfiltered; i++)
		if (f->filtered[i] == NULL)
			return -1;
	for (i = 0; i < f->nvalues; i++)
		if (f->values[i].attr == NULL || f->values[i].value == NULL)
			return -1;
	return 0;
}

static int
is_discovery(const char *res)
{
	size_t i;

	for (i = 0; i < sizeof(discovery) / sizeof(*discovery); i++)
		if (pci_eq(res, discovery[i]))
			return 1;
	return 0;
}

/* Settle the operation and the resource type. Discovery endpoints are
 * read-only: a read or search of one is discover, a write is refused. */
static int
target_resolve(struct dreq *q, struct policy_decision *d)
{
	const char *res = q->f->resource;

	q->op = q->f->op;
	q->type = -1;
	if (q->op == POLICY_OP_BULK)
		return 0;
	if (res != NULL && is_discovery(res)) {
		if (q->op == POLICY_OP_READ || q->op == POLICY_OP_SEARCH ||
		    q->op == POLICY_OP_DISCOVER) {
			q->op = POLICY_OP_DISCOVER;
			return 0;
		}
		return reason(d, "deny: %.*s is a discovery endpoint and "
		    "read-only; %s is refused", show_len(strlen(res)), res,
		    policy_op_name(q->op));
	}
	if (q->op == POLICY_OP_DISCOVER)
		return res == NULL ? 0 : reason(d, "deny: discover applies to "
		    "ServiceProviderConfig, Schemas and ResourceTypes, not "
		    "%.*s", show_len(strlen(res)), res);
	if (res == NULL)
		return reason(d, "deny: the request names no resource type");
	if ((q->type = ptype_find(q->set, res)) == -1)
		return reason(d, "deny: unknown resource type %.*s: no rule of "
		    "the policy names it", show_len(strlen(res)), res);
	return 0;
}

/* schemas names the body's schemas; id and meta are read-only (RFC 7643
 * §3.1): none of them is an attribute a request writes. */
static int
not_written(const struct view *v)
{
	return pattr_eq(v->p, v->n, "schemas", 7) ||
	    pattr_eq(v->p, v->n, "id", 2) || pattr_under("meta", 4, v->p, v->n);
}

static void
views_build(struct dreq *q)
{
	const struct policy_facts	*f = q->f;
	struct view			*v;
	size_t				 i;

	for (q->nw = 0, i = 0; i < f->nwritten; i++) {
		v = &q->w[q->nw];
		v->orig = f->written[i];
		pattr_view(v->orig, &v->p, &v->n);
		if (!not_written(v))
			q->nw++;
	}
	for (q->nf = 0, i = 0; i < f->nfiltered; i++) {
		v = &q->fl[q->nf++];
		v->orig = f->filtered[i];
		pattr_view(v->orig, &v->p, &v->n);
	}
	for (i = 0; i < f->nvalues; i++) {
		q->v[i].orig = f->values[i].attr;
		pattr_view(f->values[i].attr, &q->v[i].p, &q->v[i].n);
	}
}

/* "create on User", "bulk", "discover": what the request does. */
static void
what_build(struct dreq *q)
{
	if (q->type == -1)
		snprintf(q->what, sizeof(q->what), "%s",
		    policy_op_name(q->op));
	else
		snprintf(q->what, sizeof(q->what), "%s on %s",
		    policy_op_name(q->op), q->set->types[q->type]);
}

static int
rule_targets(const struct dreq *q, const struct prule *r)
{
	size_t i;

	if (q->type != -1 && !(r->resmask & ((uint32_t)1 << q->type)))
		return 0;
	if (r->nup == 0)
		return 1;
	for (i = 0; i < r->nup; i++)
		if (strcmp(r->upstreams[i], q->upstream) == 0)
			return 1;
	return 0;
}

static int
pats_match(const struct pcond *c, const char *s)
{
	size_t i;

	for (i = 0; i < c->npats; i++)
		if (pglob_match(c->pats[i], s))
			return 1;
	return 0;
}

/* One key of a "where". A value says what the target is when it was
 * fetched (stored) or when the request creates the target; a value the
 * request writes to an existing target can only prove a deny matches
 * (renaming a group into "Administrators"), never that it does not. */
static enum tri
cond_eval(const struct dreq *q, const struct pcond *c, int for_deny,
    const char **val)
{
	const struct policy_value	*pv;
	size_t				 i;
	int				 target, known = 0;

	if (c->is_id) {
		if (q->f->id == NULL)
			return T_UNKNOWN;
		*val = q->f->id;
		return pats_match(c, q->f->id) ? T_TRUE : T_FALSE;
	}
	for (i = 0; i < q->f->nvalues; i++) {
		if (!pattr_eq(c->key.s, c->key.len, q->v[i].p, q->v[i].n))
			continue;
		pv = &q->f->values[i];
		target = pv->stored || q->op == POLICY_OP_CREATE;
		if (!target && !for_deny)
			continue;
		known |= target;
		if (pats_match(c, pv->value)) {
			*val = pv->value;
			return T_TRUE;
		}
	}
	return known ? T_FALSE : T_UNKNOWN;
}

/* All keys must hold: one false key makes the rule not match; otherwise
 * one unknown key leaves it undecided. */
static struct wres
where_eval(const struct dreq *q, const struct prule *r, int for_deny)
{
	struct wres	 w = { T_TRUE, NULL, NULL }, u = { T_TRUE, NULL, NULL };
	const char	*val = NULL;
	size_t		 i;
	enum tri	 t;

	for (i = 0; i < r->nwhere; i++) {
		t = cond_eval(q, &r->where[i], for_deny, &val);
		if (t == T_FALSE) {
			w.t = T_FALSE;
			return w;
		}
		if (t == T_UNKNOWN && u.c == NULL) {
			u.t = T_UNKNOWN;
			u.c = &r->where[i];
		} else if (t == T_TRUE && w.c == NULL) {
			w.c = &r->where[i];
			w.val = val;
		}
	}
	return u.c != NULL ? u : w;
}

/* The first attribute the request writes or filters on that overlaps one
 * of R's: a deny on name.givenName refuses a write of the whole name. */
static const struct view *
attrs_overlap(const struct dreq *q, const struct prule *r, int *filtering)
{
	const struct view	*v;
	const struct pattr	*a;
	size_t			 i, k;

	for (i = 0; i < q->nw + q->nf; i++) {
		v = i < q->nw ? &q->w[i] : &q->fl[i - q->nw];
		for (k = 0; k < r->nattrs; k++) {
			a = &r->attrs[k];
			if (pattr_under(a->s, a->len, v->p, v->n) ||
			    pattr_under(v->p, v->n, a->s, a->len)) {
				*filtering = i >= q->nw;
				return v;
			}
		}
	}
	return NULL;
}

static int
deny_unknown(struct policy_decision *d, const struct dreq *q,
    const struct wres *w)
{
	if (w->c->is_id)
		return reason(d, "deny: rule %s forbids %s where id matches, "
		    "and the request names no resource id, so it cannot be "
		    "decided", d->rule, q->what);
	if (q->op == POLICY_OP_CREATE)
		return reason(d, "deny: rule %s forbids %s where %s matches, "
		    "and the request does not name %s, so it cannot be "
		    "decided", d->rule, q->what, w->c->name, w->c->name);
	return reason(d, "deny: rule %s forbids %s where %s matches, and the "
	    "request does not name the target's %s: keyd would have to fetch "
	    "the target to decide", d->rule, q->what, w->c->name, w->c->name);
}

/* Fill D when deny rule R matches the request; 1 then, 0 when it does not
 * apply. */
static int
deny_applies(const struct dreq *q, const struct prule *r,
    struct policy_decision *d)
{
	const struct view	*hit = NULL;
	struct wres		 w = { T_TRUE, NULL, NULL };
	char			 cond[SHOW_MAX + POLICY_ATTR_MAX + 32] = "";
	int			 filtering = 0;

	if (q->type == -1 && (r->nattrs > 0 || r->nwhere > 0))
		return 0;	/* conditions apply to the bulk's operations */
	if (r->nattrs > 0 && (hit = attrs_overlap(q, r, &filtering)) == NULL)
		return 0;
	if (r->nwhere > 0 && (w = where_eval(q, r, 1)).t == T_FALSE)
		return 0;
	decision_rule(d, q, r, POLICY_DENY);
	if (w.t == T_UNKNOWN) {
		deny_unknown(d, q, &w);
		return 1;
	}
	if (w.c != NULL)
		snprintf(cond, sizeof(cond), " where %s is \"%.*s\"",
		    w.c->name, show_len(strlen(w.val)), w.val);
	if (hit != NULL)
		reason(d, "deny: rule %s forbids %s attribute %.*s%s", d->rule,
		    filtering ? "filtering on" : "writing",
		    show_len(strlen(hit->orig)), hit->orig, cond);
	else
		reason(d, "deny: rule %s forbids %s%s", d->rule, q->what,
		    cond);
	return 1;
}

static int
deny_rules(const struct dreq *q, struct policy_decision *d)
{
	const struct prule	*const *rules = q->role->deny[q->op];
	size_t			 i;

	for (i = 0; i < q->role->ndeny[q->op]; i++)
		if (rule_targets(q, rules[i]) && deny_applies(q, rules[i], d))
			return -1;
	return 0;
}

/* Mark the attributes R covers; returns how many it newly covered. */
static size_t
attrs_cover(const struct dreq *q, const struct prule *r, uint64_t *covered)
{
	const struct view	*v;
	size_t			 i, k, n = 0;

	for (i = 0; i < q->nw + q->nf; i++) {
		if (covered[i / 64] & ((uint64_t)1 << (i % 64)))
			continue;
		v = i < q->nw ? &q->w[i] : &q->fl[i - q->nw];
		for (k = 0; k < r->nattrs; k++)
			if (pattr_under(r->attrs[k].s, r->attrs[k].len, v->p,
			    v->n)) {
				covered[i / 64] |= (uint64_t)1 << (i % 64);
				n++;
				break;
			}
	}
	return n;
}

static int
deny_no_rule(struct policy_decision *d, const struct dreq *q,
    const struct prule *unknown, const struct pcond *c)
{
	if (unknown == NULL)
		return reason(d, "deny: no rule of role %s allows %s",
		    q->role->name, q->what);
	return reason(d, "deny: no rule of role %s allows %s; rule %s#%d "
	    "would, but the request does not name the target's %s (keyd "
	    "would have to fetch the target)", q->role->name, q->what,
	    q->role->name, unknown->index, c->is_id ? "id" : c->name);
}

static int
deny_uncovered(struct policy_decision *d, const struct dreq *q,
    const uint64_t *covered)
{
	const struct view	*v;
	size_t			 i;

	for (i = 0; i < q->nw + q->nf; i++)
		if (!(covered[i / 64] & ((uint64_t)1 << (i % 64))))
			break;
	v = i < q->nw ? &q->w[i] : &q->fl[i - q->nw];
	return reason(d, "deny: no rule of role %s allows %s attribute %.*s "
	    "(%s)", q->role->name, i < q->nw ? "writing" : "filtering on",
	    show_len(strlen(v->orig)), v->orig, q->what);
}

static int
allow_rules(const struct dreq *q, struct policy_decision *d)
{
	const struct prule	*const *rules = q->role->allow[q->op], *r;
	const struct prule	*first = NULL, *unknown = NULL;
	const struct pcond	*ucond = NULL;
	uint64_t		 covered[(POLICY_FACTS_WRITTEN +
				    POLICY_FACTS_FILTERED + 63) / 64] = { 0 };
	size_t			 i, need = q->nw + q->nf, ncov = 0;
	struct wres		 w;

	for (i = 0; i < q->role->nallow[q->op]; i++) {
		if (!rule_targets(q, r = rules[i]))
			continue;
		if (q->type != -1 && r->nwhere > 0 &&
		    (w = where_eval(q, r, 0)).t != T_TRUE) {
			if (w.t == T_UNKNOWN && unknown == NULL) {
				unknown = r;
				ucond = w.c;
			}
			continue;
		}
		if (first == NULL)
			first = r;
		if (q->type == -1 || r->nattrs == 0)
			ncov = need;
		else
			ncov += attrs_cover(q, r, covered);
		if (ncov == need)
			break;
	}
	if (first == NULL)
		return deny_no_rule(d, q, unknown, ucond);
	if (ncov < need)
		return deny_uncovered(d, q, covered);
	decision_rule(d, q, first, POLICY_ALLOW);
	return reason(d, "allow: rule %s allows %s", d->rule, q->what);
}

/* 1 when the space-separated LIST holds the scope PREFIX + NAME [+ "." +
 * OP]. */
static int
scope_has(const char *list, const char *name, const char *op)
{
	size_t		 nl = strlen(name), ol = op != NULL ? strlen(op) : 0;
	size_t		 len = 5 + nl + (op != NULL ? 1 + ol : 0);
	const char	*p = list, *e;

	while (*p != '\0') {
		e = p + strcspn(p, " ");
		if ((size_t)(e - p) == len && memcmp(p, "scim:", 5) == 0 &&
		    memcmp(p + 5, name, nl) == 0 && (op == NULL ||
		    (p[5 + nl] == '.' && memcmp(p + 6 + nl, op, ol) == 0)))
			return 1;
		p = *e == ' ' ? e + 1 : e;
	}
	return 0;
}

/* The token holds a subset of the role's scopes: refuse what it lacks. */
static int
scope_check(const struct dreq *q, struct policy_decision *d)
{
	const char *op = policy_op_name(q->op);

	if (q->scope == NULL)
		return 0;
	if (q->type == -1 ? scope_has(q->scope, op, NULL) :
	    scope_has(q->scope, q->set->types[q->type], op))
		return 0;
	d->effect = POLICY_DENY;
	d->rule[0] = '\0';
	d->rule_index = -1;
	if (q->type == -1)
		return reason(d, "deny: token scope lacks scim:%s", op);
	return reason(d, "deny: token scope lacks scim:%s.%s",
	    q->set->types[q->type], op);
}

static void
decision_init(struct policy_decision *d)
{
	d->effect = POLICY_DENY;
	d->rule[0] = '\0';
	d->rule_index = -1;
	d->bulk_index = -1;
	d->reason[0] = '\0';
}

int
pdecide(const struct policy_set *set, const char *role,
    const struct policy_facts *f, const char *upstream, const char *scope,
    struct policy_decision *d)
{
	struct dreq q;

	decision_init(d);
	if (set == NULL || role == NULL || f == NULL)
		return reason(d, "deny: no policy, role or request to decide");
	if ((q.role = prole_find(set, role)) == NULL)
		return reason(d, "deny: unknown role %.*s",
		    show_len(strlen(role)), role);
	if (facts_check(f, upstream) == -1)
		return reason(d, "deny: malformed request facts (a NULL string "
		    "or a count past its array)");
	q.set = set;
	q.f = f;
	q.upstream = upstream;
	q.scope = scope;
	if (target_resolve(&q, d) == -1)
		return -1;
	what_build(&q);
	views_build(&q);
	if (deny_rules(&q, d) == -1 || allow_rules(&q, d) == -1)
		return -1;
	return scope_check(&q, d);
}

int
policy_decide(const struct policy_set *set, const char *role,
    const struct policy_facts *f, struct policy_decision *d)
{
	return pdecide(set, role, f, f != NULL ? f->upstream : NULL,
	    f != NULL ? f->scope : NULL, d);
}
