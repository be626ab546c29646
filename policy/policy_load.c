/* policy_load: validate a JSON policy document, then compile it. The whole
 * document is checked before anything is compiled, and every refusal names
 * the JSON path and the reason. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

#define POLICY_DOC_MAX (1u << 20)

static const char *const op_names[POLICY_OP_COUNT] = {
	"create", "read", "search", "replace", "patch", "delete", "bulk",
	"discover"
};

/* Endpoints that are not resource types (RFC 7644 §3.7, §4). */
static const char *const not_types[] = {
	"ServiceProviderConfig", "Schemas", "ResourceTypes", "Bulk"
};

int
pfail(struct pctx *c, const char *suffix, const char *fmt, ...)
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

const char *
policy_op_name(enum policy_op op)
{
	return (unsigned)op < POLICY_OP_COUNT ? op_names[op] : "?";
}

int
pop_lookup(const char *s)
{
	int i;

	for (i = 0; i < POLICY_OP_COUNT; i++)
		if (strcmp(s, op_names[i]) == 0)
			return i;
	return -1;
}

/* Resource type names compare case-insensitively: a deny on "User" must
 * not miss a request that spells it "user". */
int
ptype_find(const struct policy_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->ntypes; i++)
		if (pci_eq(set->types[i], name))
			return (int)i;
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

int
pcheck_strings(struct pctx *c, const char *key, json_t *v,
    int (*ok)(const char *), const char *what)
{
	char	idx[POLICY_ERR_PATH];
	size_t	i;
	json_t	*e;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return pfail(c, key, "%s must be a non-empty array of strings",
		    key + 1);
	if (json_array_size(v) > POLICY_MAX_LIST)
		return pfail(c, key, "%s has too many entries", key + 1);
	json_array_foreach(v, i, e) {
		snprintf(idx, sizeof(idx), "%s[%zu]", key, i);
		if (!json_is_string(e))
			return pfail(c, idx, "%s", "must be a string");
		if (ok != NULL && !ok(json_string_value(e)))
			return pfail(c, idx, "%s \"%s\"", what,
			    json_string_value(e));
	}
	return 0;
}

static int
op_ok(const char *s)
{
	return strcmp(s, "*") == 0 || pop_lookup(s) != -1;
}

static int
resource_ok(const char *s)
{
	return strcmp(s, "*") == 0 || name_ok(s);
}

/* A where key is an attribute, or "id" for the resource id. */
static int
where_check(struct pctx *c, json_t *where)
{
	const char	*k;
	json_t		*v;
	char		 key[POLICY_ERR_PATH];

	if (!json_is_object(where) || json_object_size(where) == 0)
		return pfail(c, ".where", "%s", "where must be a non-empty "
		    "object of attribute: [values]");
	json_object_foreach(where, k, v) {
		snprintf(key, sizeof(key), ".where.%s", k);
		if (!pattr_ok(k))
			return pfail(c, key, "bad attribute \"%s\"", k);
		if (pcheck_strings(c, key, v, NULL, "") == -1)
			return -1;
	}
	return 0;
}

/* Discovery and Bulk are operations, not resource types: a rule naming
 * them as resources would silently match nothing. */
static int
resources_check(struct pctx *c, json_t *res)
{
	char	idx[POLICY_ERR_PATH];
	size_t	i, k;
	json_t	*e;

	if (pcheck_strings(c, ".resources", res, resource_ok,
	    "bad resource type") == -1)
		return -1;
	json_array_foreach(res, i, e) {
		for (k = 0; k < sizeof(not_types) / sizeof(*not_types); k++) {
			if (!pci_eq(json_string_value(e), not_types[k]))
				continue;
			snprintf(idx, sizeof(idx), ".resources[%zu]", i);
			return pfail(c, idx, "\"%s\" is not a resource type: "
			    "use the operation \"%s\"", json_string_value(e),
			    k < 3 ? "discover" : "bulk");
		}
	}
	return 0;
}

static int
rule_keys_check(struct pctx *c, json_t *rule)
{
	static const char *const keys[] = { "effect", "upstreams",
	    "resources", "operations", "attributes", "where" };
	const char	*k;
	json_t		*v;
	size_t		 i;

	json_object_foreach(rule, k, v) {
		for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == sizeof(keys) / sizeof(*keys))
			return pfail(c, "", "unknown key \"%s\"", k);
	}
	return 0;
}

static int
rule_check(struct pctx *c, json_t *rule)
{
	const char	*effect;
	json_t		*v;

	if (!json_is_object(rule))
		return pfail(c, "", "%s", "a rule must be an object");
	if (rule_keys_check(c, rule) == -1)
		return -1;
	v = json_object_get(rule, "effect");
	effect = json_is_string(v) ? json_string_value(v) : NULL;
	if (effect == NULL || (strcmp(effect, "allow") != 0 &&
	    strcmp(effect, "deny") != 0))
		return pfail(c, ".effect", "%s", "effect must be \"allow\" or "
		    "\"deny\"");
	if ((v = json_object_get(rule, "operations")) == NULL)
		return pfail(c, "", "%s", "a rule needs \"operations\"");
	if (pcheck_strings(c, ".operations", v, op_ok,
	    "unknown operation") == -1)
		return -1;
	if ((v = json_object_get(rule, "resources")) != NULL &&
	    resources_check(c, v) == -1)
		return -1;
	if ((v = json_object_get(rule, "upstreams")) != NULL &&
	    pcheck_strings(c, ".upstreams", v, resource_ok,
	    "bad upstream name") == -1)
		return -1;
	if ((v = json_object_get(rule, "attributes")) != NULL &&
	    pcheck_strings(c, ".attributes", v, pattr_ok,
	    "bad attribute") == -1)
		return -1;
	if ((v = json_object_get(rule, "where")) != NULL &&
	    where_check(c, v) == -1)
		return -1;
	return 0;
}

/* Add the resource types RULE names to the document's. */
static int
types_collect(struct pctx *c, json_t *rule)
{
	struct policy_set	*set = c->set;
	json_t			*res, *e;
	const char		*s;
	size_t			 i;

	if ((res = json_object_get(rule, "resources")) == NULL)
		return 0;
	json_array_foreach(res, i, e) {
		s = json_string_value(e);
		if (strcmp(s, "*") == 0 || ptype_find(set, s) != -1)
			continue;
		if (set->ntypes == POLICY_MAX_RESOURCES)
			return pfail(c, "", "a policy may name at most %d "
			    "resource types, User and Group included",
			    POLICY_MAX_RESOURCES);
		snprintf(set->types[set->ntypes++], sizeof(set->types[0]),
		    "%s", s);
	}
	return 0;
}

static int
rules_check(struct pctx *c, json_t *rules)
{
	json_t	*rule;
	size_t	 i, base = strlen(c->path);

	if (!json_is_array(rules) || json_array_size(rules) > POLICY_MAX_RULES)
		return pfail(c, ".rules", "%s", "rules must be an array of at "
		    "most 256 rules");
	json_array_foreach(rules, i, rule) {
		snprintf(c->path + base, sizeof(c->path) - base,
		    ".rules[%zu]", i);
		if (rule_check(c, rule) == -1 || types_collect(c, rule) == -1)
			return -1;
	}
	c->path[base] = '\0';
	return 0;
}

/* Validate role NAME and fill what needs no compiling: name, limits. */
static int
role_check(struct pctx *c, const char *name, json_t *role, struct prole *r)
{
	const char	*k;
	json_t		*v;

	snprintf(c->path, sizeof(c->path), "roles.%s", name);
	if (!name_ok(name))
		return pfail(c, "", "%s", "a role name is 1-64 of A-Z a-z 0-9 "
		    "- _ . :");
	if (!json_is_object(role))
		return pfail(c, "", "%s", "a role must be an object");
	json_object_foreach(role, k, v)
		if (strcmp(k, "rules") != 0 && strcmp(k, "limits") != 0)
			return pfail(c, "", "unknown key \"%s\"", k);
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (rules_check(c, json_object_get(role, "rules")) == -1)
		return -1;
	if ((v = json_object_get(role, "limits")) != NULL &&
	    plimits_parse(c, v, r) == -1)
		return -1;
	return 0;
}

static int
doc_check(struct pctx *c, json_t *doc, json_t **roles)
{
	json_t		*v;
	const char	*k;

	if (!json_is_object(doc))
		return pfail(c, "", "%s", "the document must be a JSON object");
	json_object_foreach(doc, k, v)
		if (strcmp(k, "version") != 0 && strcmp(k, "roles") != 0)
			return pfail(c, "", "unknown key \"%s\"", k);
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return pfail(c, "version", "%s", "version must be 1");
	*roles = json_object_get(doc, "roles");
	if (!json_is_object(*roles) || json_object_size(*roles) == 0 ||
	    json_object_size(*roles) > POLICY_MAX_ROLES)
		return pfail(c, "roles", "%s", "roles must be an object of 1 "
		    "to 256 roles");
	return 0;
}

static struct policy_set *
set_new(size_t nroles)
{
	struct policy_set *set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	if ((set->roles = calloc(nroles, sizeof(*set->roles))) == NULL) {
		free(set);
		return NULL;
	}
	snprintf(set->types[0], sizeof(set->types[0]), "User");
	snprintf(set->types[1], sizeof(set->types[1]), "Group");
	set->ntypes = 2;
	return set;
}

/* Check every role, then compile every role: a "*" in any rule stands for
 * every resource type the whole document names. */
static int
roles_load(struct pctx *c, json_t *roles)
{
	struct policy_set	*set = c->set;
	json_t			*role;
	const char		*name;
	size_t			 i = 0;

	json_object_foreach(roles, name, role)
		if (role_check(c, name, role, &set->roles[i++]) == -1)
			return -1;
	json_object_foreach(roles, name, role) {
		snprintf(c->path, sizeof(c->path), "roles.%s", name);
		if (pcompile_role(c, role, &set->roles[set->nroles]) == -1)
			return -1;
		set->nroles++;
	}
	if (prole_index(set) == -1) {
		perr_set(c->err, "", "out of memory");
		return -1;
	}
	return 0;
}

int
policy_load(const char *json, size_t len, struct policy_set **setp,
    struct policy_error *err)
{
	struct pctx	 c = { .err = err };
	json_error_t	 jerr;
	json_t		*doc = NULL, *roles;
	int		 rc = -1;

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
	if ((c.set = set_new(json_object_size(roles))) == NULL) {
		perr_set(err, "", "out of memory");
		goto out;
	}
	if (roles_load(&c, roles) == -1)
		goto out;
	*setp = c.set;
	c.set = NULL;
	rc = 0;
out:
	policy_free(&c.set);
	json_decref(doc);
	return rc;
}
