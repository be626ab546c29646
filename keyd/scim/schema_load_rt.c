/* Resource types of a loaded set: from the upstream's /ResourceTypes
 * (RFC 7643 §6) when the caller has it, else User and Group with the
 * extensions their URNs name. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/schema_load.h"

#define CORE_NS	"urn:ietf:params:scim:schemas:core:2.0:"

static const struct scim_schema *
ld_find(const struct ld *l, const char *urn)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->schemas[i]->urn, urn) == 0)
			return l->schemas[i];
	return NULL;
}

static int
ld_is_core(const struct scim_schema *s)
{
	const struct scim_schema_set *core = scim_schema_core();

	return scim_set_schema(core, s->urn, strlen(s->urn)) != NULL;
}

static int
ld_bind(struct ld *l, struct scim_rtype *rt, const struct scim_schema *s,
    int required)
{
	size_t i;

	for (i = 0; i < rt->next; i++)
		if (rt->ext[i] == s)
			return ld_fail(l, "resource type %s lists extension "
			    "%.100s twice", rt->name, s->urn);
	if (rt->next == SCIM_SCHEMA_MAX_EXT)
		return ld_fail(l, "resource type %s has more than %d "
		    "extensions", rt->name, SCIM_SCHEMA_MAX_EXT);
	rt->ext[rt->next] = s;
	rt->ext_required[rt->next++] = required;
	return 0;
}

/* Without /ResourceTypes: an extension binds to the resource type its
 * URN ends with, else to both. Schemas in the core namespace (the
 * upstream's ServiceProviderConfig, ResourceType, Schema) are no
 * extensions. */
static int
ld_binds(const struct scim_schema *s, const char *type)
{
	const char *last = strrchr(s->urn, ':');

	if (ld_is_core(s) || strncasecmp(s->urn, CORE_NS, strlen(CORE_NS)) ==
	    0)
		return 0;
	last = last ? last + 1 : s->urn;
	if (strcasecmp(last, "User") == 0 || strcasecmp(last, "Group") == 0)
		return strcasecmp(last, type) == 0;
	return 1;
}

static int
ld_rtype_core(struct ld *l, const char *name, const char *endpoint,
    const char *urn)
{
	struct scim_rtype *rt = &l->rtypes[l->nrt++];
	const struct scim_schema *ent;
	size_t i;

	memset(rt, 0, sizeof(*rt));
	rt->name = name;
	rt->endpoint = endpoint;
	rt->base = ld_find(l, urn);
	if (strcmp(name, "User") == 0 &&
	    (ent = ld_find(l, SCIM_URN_ENT_USER)) != NULL &&
	    ld_bind(l, rt, ent, 0) == -1)
		return -1;
	for (i = 0; i < l->n; i++)
		if (ld_binds(l->schemas[i], name) &&
		    ld_bind(l, rt, l->schemas[i], 0) == -1)
			return -1;
	return 0;
}

int
ld_rtypes_default(struct ld *l)
{
	if (ld_rtype_core(l, "User", "Users", SCIM_URN_USER) == -1 ||
	    ld_rtype_core(l, "Group", "Groups", SCIM_URN_GROUP) == -1)
		return -1;
	return 0;
}

static int
ld_has_endpoint(const struct ld *l, const char *endpoint)
{
	size_t i;

	for (i = 0; i < l->nrt; i++)
		if (strcmp(l->rtypes[i].endpoint, endpoint) == 0)
			return 1;
	return 0;
}

/* "/Devices" → "Devices": a letter, then letters, digits, '_', '-'. */
static const char *
ld_endpoint(const char *s)
{
	size_t i;

	if (s == NULL || s[0] != '/' || !isalpha((unsigned char)s[1]))
		return NULL;
	for (i = 2; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return NULL;
	return i - 1 <= SCIM_ENDPOINT_MAX ? s + 1 : NULL;
}

static int
ld_rtype_exts(struct ld *l, struct scim_rtype *rt, const json_t *exts)
{
	const struct scim_schema *s;
	const json_t *e, *req;
	const char *urn;
	size_t i;

	if (exts != NULL && !json_is_array(exts))
		return ld_fail(l, "resource type %s: schemaExtensions must be "
		    "an array", rt->name);
	for (i = 0; i < json_array_size(exts); i++) {
		e = json_array_get(exts, i);
		urn = json_string_value(ld_get(e, "schema"));
		req = ld_get(e, "required");
		if (urn == NULL || (s = ld_find(l, urn)) == NULL)
			return ld_fail(l, "resource type %s: extension %.100s "
			    "is not in /Schemas", rt->name, urn ? urn : "(none)");
		if (req != NULL && !json_is_boolean(req))
			return ld_fail(l, "resource type %s: required must be "
			    "true or false", rt->name);
		if (ld_bind(l, rt, s, json_is_true(req)) == -1)
			return -1;
	}
	return 0;
}

/* One ResourceType resource R. */
static int
ld_rtype(struct ld *l, const json_t *r)
{
	const char *name = json_string_value(ld_get(r, "name"));
	const char *ep = ld_endpoint(json_string_value(ld_get(r, "endpoint")));
	const char *urn = json_string_value(ld_get(r, "schema"));
	struct scim_rtype *rt;

	if (name == NULL || strlen(name) > SCIM_ENDPOINT_MAX || ep == NULL)
		return ld_fail(l, "a resource type needs a name and an endpoint "
		    "such as \"/Users\"");
	if (ld_has_endpoint(l, ep))
		return ld_fail(l, "endpoint /%s is listed twice", ep);
	if (l->nrt == SCIM_SCHEMA_MAX_RTYPES)
		return ld_fail(l, "more than %d resource types",
		    SCIM_SCHEMA_MAX_RTYPES);
	rt = &l->rtypes[l->nrt];
	memset(rt, 0, sizeof(*rt));
	if ((rt->name = ld_strdup(l, name)) == NULL ||
	    (rt->endpoint = ld_strdup(l, ep)) == NULL)
		return -1;
	if (urn == NULL || (rt->base = ld_find(l, urn)) == NULL)
		return ld_fail(l, "resource type %s: schema %.100s is not in "
		    "/Schemas", rt->name, urn ? urn : "(none)");
	l->nrt++;
	return ld_rtype_exts(l, rt, ld_get(r, "schemaExtensions"));
}

int
ld_rtypes(struct ld *l, const json_t *doc)
{
	const json_t *r;
	size_t i;

	if ((r = ld_resources(l, doc, "/ResourceTypes")) == NULL)
		return -1;
	for (i = 0; i < json_array_size(r); i++) {
		if (!json_is_object(json_array_get(r, i)))
			return ld_fail(l, "/ResourceTypes: a resource type must "
			    "be an object");
		if (ld_rtype(l, json_array_get(r, i)) == -1)
			return -1;
	}
	/* User and Group stay known even when the upstream leaves them out:
	 * keyd validates them, the upstream answers for their absence. */
	if (!ld_has_endpoint(l, "Users") &&
	    ld_rtype_core(l, "User", "Users", SCIM_URN_USER) == -1)
		return -1;
	if (!ld_has_endpoint(l, "Groups") &&
	    ld_rtype_core(l, "Group", "Groups", SCIM_URN_GROUP) == -1)
		return -1;
	return 0;
}

int
ld_finish(struct ld *l, struct scim_schema_set **out)
{
	struct scim_schema_set *set;
	const struct scim_schema **schemas;
	struct scim_rtype *rtypes;

	if ((set = ld_alloc(l, sizeof(*set))) == NULL ||
	    (schemas = ld_alloc(l, l->n * sizeof(*schemas))) == NULL ||
	    (rtypes = ld_alloc(l, l->nrt * sizeof(*rtypes))) == NULL)
		return -1;
	memcpy(schemas, l->schemas, l->n * sizeof(*schemas));
	memcpy(rtypes, l->rtypes, l->nrt * sizeof(*rtypes));
	set->schemas = schemas;
	set->nschemas = l->n;
	set->rtypes = rtypes;
	set->nrtypes = l->nrt;
	set->arena = l->ar;
	*out = set;
	return 0;
}
