/* policy_load: validate a JSON policy document and compile each role's
 * scope view. Every refusal names the JSON path and the reason. */
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"
#include "policy/policy_int.h"
#include "policy/units.h"

#define POLICY_DOC_MAX (1u << 20)

static const char *const op_names[OP_COUNT] = {
	"create", "read", "search", "replace", "patch", "delete", "bulk",
	"discover"
};

/* Resource types a "*" in a rule stands for when listing scopes. */
static const char *const core_resources[] = { "User", "Group" };

/* Per role while compiling: which (resource, operation) pairs are allowed,
 * and which are denied without condition. */
struct grants {
	char		 res[POLICY_MAX_RESOURCES][POLICY_NAME_MAX + 1];
	unsigned	 allow[POLICY_MAX_RESOURCES];
	unsigned	 deny[POLICY_MAX_RESOURCES];
	size_t		 nres;
	unsigned	 flat_allow, flat_deny;	/* bulk, discover */
};

struct ctx {
	struct policy_error	*err;
	char			 path[POLICY_ERR_PATH];
};

static int fail(struct ctx *c, const char *suffix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct ctx *c, const char *suffix, const char *fmt, ...)
{
	va_list	ap;
	size_t	n = strlen(c->path);

	snprintf(c->err->path, sizeof(c->err->path), "%s", c->path);
	if (n < sizeof(c->err->path))
		snprintf(c->err->path + n, sizeof(c->err->path) - n, "%s",
		    suffix);
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
op_lookup(const char *s)
{
	int i;

	for (i = 0; i < OP_COUNT; i++)
		if (strcmp(s, op_names[i]) == 0)
			return i;
	return -1;
}

static int
name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > POLICY_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.' && s[i] != ':')
			return 0;
	return 1;
}

/* Check that V is an array of strings, each accepted by OK (may be NULL). */
static int
check_strings(struct ctx *c, const char *key, json_t *v,
    int (*ok)(const char *), const char *what)
{
	char	idx[POLICY_ERR_PATH];
	size_t	i;
	json_t	*e;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(c, key, "%s must be a non-empty array of strings",
		    key + 1);
	if (json_array_size(v) > POLICY_MAX_LIST)
		return fail(c, key, "%s has too many entries", key + 1);
	json_array_foreach(v, i, e) {
		snprintf(idx, sizeof(idx), "%s[%zu]", key, i);
		if (!json_is_string(e))
			return fail(c, idx, "%s", "must be a string");
		if (ok != NULL && !ok(json_string_value(e)))
			return fail(c, idx, "%s \"%s\"", what,
			    json_string_value(e));
	}
	return 0;
}

static int
op_ok(const char *s)
{
	return strcmp(s, "*") == 0 || op_lookup(s) != -1;
}

static int
resource_ok(const char *s)
{
	return strcmp(s, "*") == 0 || name_ok(s);
}

static int
attr_ok(const char *s)
{
	return s[0] != '\0' && strlen(s) <= 256;
}

static int
cidr_ok(const char *s)
{
	unsigned char	 buf[16];
	char		 addr[64], *slash, *end;
	long		 bits;

	if (strlen(s) >= sizeof(addr))
		return 0;
	memcpy(addr, s, strlen(s) + 1);
	if ((slash = strchr(addr, '/')) == NULL)
		return 0;
	*slash++ = '\0';
	if (*slash == '\0' || strlen(slash) > 3 ||
	    strspn(slash, "0123456789") != strlen(slash))
		return 0;
	bits = strtol(slash, &end, 10);
	if (inet_pton(AF_INET, addr, buf) == 1)
		return bits <= 32;
	return inet_pton(AF_INET6, addr, buf) == 1 && bits <= 128;
}

static int
grants_res(struct grants *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nres; i++)
		if (strcmp(g->res[i], name) == 0)
			return (int)i;
	if (g->nres == POLICY_MAX_RESOURCES)
		return -1;
	snprintf(g->res[g->nres], sizeof(g->res[0]), "%s", name);
	return (int)g->nres++;
}

static unsigned
ops_mask(json_t *ops)
{
	unsigned	 m = 0;
	size_t		 i;
	json_t		*e;

	json_array_foreach(ops, i, e) {
		if (strcmp(json_string_value(e), "*") == 0)
			return (1u << OP_COUNT) - 1;
		m |= 1u << op_lookup(json_string_value(e));
	}
	return m;
}

static int
grants_apply_res(struct grants *g, const char *res, unsigned ops, int allow)
{
	int r;

	if ((r = grants_res(g, res)) == -1)
		return -1;
	if (allow)
		g->allow[r] |= ops;
	else
		g->deny[r] |= ops;
	return 0;
}

/* Record what a rule grants or takes away without condition. Returns -1
 * when the role names more resource types than POLICY_MAX_RESOURCES. */
static int
grants_apply(struct grants *g, json_t *rule)
{
	json_t		*res, *e;
	unsigned	 ops, flat = (1u << OP_BULK) | (1u << OP_DISCOVER);
	size_t		 i, k;
	int		 allow;

	allow = strcmp(json_string_value(json_object_get(rule, "effect")),
	    "allow") == 0;
	if (!allow && (json_object_get(rule, "attributes") != NULL ||
	    json_object_get(rule, "where") != NULL))
		return 0;	/* a conditional deny leaves the scope in place */
	ops = ops_mask(json_object_get(rule, "operations"));
	if (allow)
		g->flat_allow |= ops & flat;
	else
		g->flat_deny |= ops & flat;
	if ((res = json_object_get(rule, "resources")) == NULL)
		return 0;
	json_array_foreach(res, i, e) {
		if (strcmp(json_string_value(e), "*") != 0) {
			if (grants_apply_res(g, json_string_value(e), ops,
			    allow) == -1)
				return -1;
			continue;
		}
		for (k = 0; k < sizeof(core_resources) / sizeof(*core_resources);
		    k++)
			if (grants_apply_res(g, core_resources[k], ops, allow)
			    == -1)
				return -1;
	}
	return 0;
}

static int
where_check(struct ctx *c, json_t *where)
{
	const char	*k;
	json_t		*v;
	char		 key[POLICY_ERR_PATH];

	if (!json_is_object(where) || json_object_size(where) == 0)
		return fail(c, ".where", "%s", "where must be a non-empty "
		    "object of attribute: [values]");
	json_object_foreach(where, k, v) {
		snprintf(key, sizeof(key), ".where.%s", k);
		if (check_strings(c, key, v, NULL, "") == -1)
			return -1;
	}
	return 0;
}

static int
rule_check(struct ctx *c, json_t *rule)
{
	const char	*k, *effect;
	json_t		*v;

	if (!json_is_object(rule))
		return fail(c, "", "%s", "a rule must be an object");
	json_object_foreach(rule, k, v) {
		if (strcmp(k, "effect") != 0 && strcmp(k, "upstreams") != 0 &&
		    strcmp(k, "resources") != 0 &&
		    strcmp(k, "operations") != 0 &&
		    strcmp(k, "attributes") != 0 && strcmp(k, "where") != 0)
			return fail(c, "", "unknown key \"%s\"", k);
	}
	v = json_object_get(rule, "effect");
	effect = json_is_string(v) ? json_string_value(v) : NULL;
	if (effect == NULL || (strcmp(effect, "allow") != 0 &&
	    strcmp(effect, "deny") != 0))
		return fail(c, ".effect", "%s", "effect must be \"allow\" or "
		    "\"deny\"");
	if ((v = json_object_get(rule, "operations")) == NULL)
		return fail(c, "", "%s", "a rule needs \"operations\"");
	if (check_strings(c, ".operations", v, op_ok,
	    "unknown operation") == -1)
		return -1;
	if ((v = json_object_get(rule, "resources")) != NULL &&
	    check_strings(c, ".resources", v, resource_ok,
	    "bad resource type") == -1)
		return -1;
	if ((v = json_object_get(rule, "upstreams")) != NULL &&
	    check_strings(c, ".upstreams", v, resource_ok,
	    "bad upstream name") == -1)
		return -1;
	if ((v = json_object_get(rule, "attributes")) != NULL &&
	    check_strings(c, ".attributes", v, attr_ok,
	    "bad attribute") == -1)
		return -1;
	if ((v = json_object_get(rule, "where")) != NULL &&
	    where_check(c, v) == -1)
		return -1;
	return 0;
}

static int
limit_duration(struct ctx *c, const char *k, json_t *v, int64_t *out)
{
	char key[80];

	snprintf(key, sizeof(key), ".%s", k);
	if (!json_is_string(v) || units_parse_duration(json_string_value(v),
	    out) == -1)
		return fail(c, key, "%s", "bad duration (use a unit: s, m, h, "
		    "d, as in \"15m\")");
	return 0;
}

static int
limit_check(struct ctx *c, const char *k, json_t *v, int64_t *ttl)
{
	int64_t		d;
	uint64_t	sz;
	char		key[80];

	snprintf(key, sizeof(key), ".%s", k);
	if (strcmp(k, "token_ttl") == 0)
		return limit_duration(c, k, v, ttl);
	if (strcmp(k, "key_max_age") == 0 || strcmp(k, "key_overlap") == 0)
		return limit_duration(c, k, v, &d);
	if (strcmp(k, "max_body") == 0)
		return json_is_string(v) && units_parse_size(
		    json_string_value(v), &sz) == 0 ? 0 : fail(c, key, "%s",
		    "bad size (use B, KiB or MiB, as in \"256KiB\")");
	if (strcmp(k, "burst") == 0 || strcmp(k, "max_bulk_operations") == 0)
		return json_is_integer(v) && json_integer_value(v) > 0 ? 0 :
		    fail(c, key, "%s", "must be a positive integer");
	if (strcmp(k, "rate") == 0) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		size_t n = strspn(s, "0123456789");

		return n > 0 && n < 10 && (strcmp(s + n, "/s") == 0 ||
		    strcmp(s + n, "/m") == 0) ? 0 : fail(c, key, "%s",
		    "bad rate (use N/s or N/m, as in \"50/s\")");
	}
	if (strcmp(k, "source") == 0)
		return check_strings(c, key, v, cidr_ok, "bad CIDR");
	return fail(c, key, "unknown limit \"%s\"", k);
}

static int
limits_check(struct ctx *c, json_t *limits, int64_t *ttl)
{
	const char	*k;
	json_t		*v;
	size_t		 base = strlen(c->path);

	if (!json_is_object(limits))
		return fail(c, ".limits", "%s", "limits must be an object");
	snprintf(c->path + base, sizeof(c->path) - base, ".limits");
	json_object_foreach(limits, k, v)
		if (limit_check(c, k, v, ttl) == -1)
			return -1;
	c->path[base] = '\0';
	return 0;
}

static int
scopes_append(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(out);

	if (n + strlen(s) + 2 > outlen)
		return -1;
	if (n > 0)
		out[n++] = ' ';
	memcpy(out + n, s, strlen(s) + 1);
	return 0;
}

static int
scope_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Render the role's scopes, sorted, into R->scopes. -1 when they do not
 * fit: a silently shortened scope list would be a different role. */
static int
scopes_render(const struct grants *g, struct prole *r)
{
	char		 buf[POLICY_MAX_RESOURCES * OP_COUNT + 2][96];
	const char	*sorted[POLICY_MAX_RESOURCES * OP_COUNT + 2];
	size_t		 i, n = 0;
	int		 op;

	for (i = 0; i < g->nres; i++)
		for (op = 0; op < OP_BULK; op++)
			if ((g->allow[i] & ~g->deny[i]) & (1u << op)) {
				snprintf(buf[n], sizeof(buf[0]),
				    "scim:%s.%s", g->res[i], op_names[op]);
				sorted[n] = buf[n];
				n++;
			}
	for (op = OP_BULK; op < OP_COUNT; op++)
		if ((g->flat_allow & ~g->flat_deny) & (1u << op)) {
			snprintf(buf[n], sizeof(buf[0]), "scim:%s",
			    op_names[op]);
			sorted[n] = buf[n];
			n++;
		}
	if (n > 0)
		qsort(sorted, n, sizeof(sorted[0]), scope_cmp);
	r->scopes[0] = '\0';
	for (i = 0; i < n; i++)
		if (scopes_append(r->scopes, sizeof(r->scopes), sorted[i]) ==
		    -1)
			return -1;
	return 0;
}

static int
role_compile(struct ctx *c, const char *name, json_t *role, struct prole *r)
{
	struct grants	*g;
	json_t		*rules, *rule, *v;
	const char	*k;
	size_t		 i, base;
	int		 rc = -1;

	snprintf(c->path, sizeof(c->path), "roles.%s", name);
	if (!name_ok(name))
		return fail(c, "", "%s", "a role name is 1-64 of A-Z a-z 0-9 "
		    "- _ . :");
	if (!json_is_object(role))
		return fail(c, "", "%s", "a role must be an object");
	json_object_foreach(role, k, v)
		if (strcmp(k, "rules") != 0 && strcmp(k, "limits") != 0)
			return fail(c, "", "unknown key \"%s\"", k);
	rules = json_object_get(role, "rules");
	if (!json_is_array(rules) || json_array_size(rules) > POLICY_MAX_RULES)
		return fail(c, ".rules", "%s", "rules must be an array of at "
		    "most 256 rules");
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return fail(c, "", "%s", "out of memory");
	snprintf(r->name, sizeof(r->name), "%s", name);
	base = strlen(c->path);
	json_array_foreach(rules, i, rule) {
		snprintf(c->path + base, sizeof(c->path) - base,
		    ".rules[%zu]", i);
		if (rule_check(c, rule) == -1)
			goto out;
		if (grants_apply(g, rule) == -1) {
			fail(c, "", "a role may name at most %d resource types",
			    POLICY_MAX_RESOURCES);
			goto out;
		}
	}
	c->path[base] = '\0';
	if ((v = json_object_get(role, "limits")) != NULL &&
	    limits_check(c, v, &r->token_ttl) == -1)
		goto out;
	if (scopes_render(g, r) == -1) {
		fail(c, "", "the role's scopes exceed %d bytes; split the role",
		    POLICY_SCOPES_MAX);
		goto out;
	}
	rc = 0;
out:
	free(g);
	return rc;
}

static int
doc_check(struct ctx *c, json_t *doc, json_t **roles)
{
	json_t		*v;
	const char	*k;

	if (!json_is_object(doc))
		return fail(c, "", "%s", "the document must be a JSON object");
	json_object_foreach(doc, k, v)
		if (strcmp(k, "version") != 0 && strcmp(k, "roles") != 0)
			return fail(c, "", "unknown key \"%s\"", k);
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return fail(c, "version", "%s", "version must be 1");
	*roles = json_object_get(doc, "roles");
	if (!json_is_object(*roles) || json_object_size(*roles) == 0 ||
	    json_object_size(*roles) > POLICY_MAX_ROLES)
		return fail(c, "roles", "%s", "roles must be an object of 1 to "
		    "256 roles");
	return 0;
}

int
policy_load(const char *json, size_t len, struct policy_set **setp,
    struct policy_error *err)
{
	struct policy_set	*set = NULL;
	struct ctx		 c = { .err = err };
	json_error_t		 jerr;
	json_t			*doc = NULL, *roles, *role;
	const char		*name;
	int			 rc = -1;

	*setp = NULL;
	memset(err, 0, sizeof(*err));
	if (len > POLICY_DOC_MAX) {
		perr_set(err, "", "the document is larger than 1 MiB");
		return -1;
	}
	if ((doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		perr_set(err, "", "invalid JSON at line %d column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (doc_check(&c, doc, &roles) == -1)
		goto out;
	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (set->roles = calloc(json_object_size(roles),
	    sizeof(*set->roles))) == NULL) {
		perr_set(err, "", "out of memory");
		goto out;
	}
	json_object_foreach(roles, name, role) {
		if (role_compile(&c, name, role, &set->roles[set->nroles]) ==
		    -1)
			goto out;
		set->nroles++;
	}
	*setp = set;
	set = NULL;
	rc = 0;
out:
	policy_free(&set);
	json_decref(doc);
	return rc;
}
