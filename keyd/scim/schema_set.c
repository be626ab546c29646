/* Lookups in a schema set: schemas by URN, resource types by endpoint,
 * attributes by name. Every name compares case-insensitively (RFC 7643
 * §2.1), and so do endpoints, as scim_path_parse matches them. */
#include <string.h>
#include <strings.h>

#include "keyd/scim/schema_int.h"

static int
name_eq(const char *canon, const char *name, size_t len)
{
	return strlen(canon) == len && strncasecmp(canon, name, len) == 0;
}

const struct scim_schema *
scim_set_schema(const struct scim_schema_set *set, const char *urn,
    size_t len)
{
	size_t i;

	for (i = 0; i < set->nschemas; i++)
		if (name_eq(set->schemas[i]->urn, urn, len))
			return set->schemas[i];
	return NULL;
}

const struct scim_rtype *
scim_set_rtype(const struct scim_schema_set *set, const char *endpoint)
{
	size_t i;

	for (i = 0; i < set->nrtypes; i++)
		if (strcasecmp(set->rtypes[i].endpoint, endpoint) == 0)
			return &set->rtypes[i];
	return NULL;
}

const struct scim_attr *
scim_schema_attr(const struct scim_schema *s, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < s->nattrs; i++)
		if (name_eq(s->attrs[i].name, name, len))
			return &s->attrs[i];
	return NULL;
}

const struct scim_attr *
scim_attr_sub(const struct scim_attr *a, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < a->nsub; i++)
		if (name_eq(a->sub[i].name, name, len))
			return &a->sub[i];
	return NULL;
}

const struct scim_schema *
scim_rtype_ext(const struct scim_rtype *rt, const char *urn, size_t len,
    int *required)
{
	size_t i;

	for (i = 0; i < rt->next; i++)
		if (name_eq(rt->ext[i]->urn, urn, len)) {
			if (required != NULL)
				*required = rt->ext_required[i];
			return rt->ext[i];
		}
	return NULL;
}

const struct scim_attr *
scim_rtype_attr(const struct scim_rtype *rt, const char *name, size_t len)
{
	const struct scim_attr *a;

	/* id, externalId and meta are RFC 7643 §3.1's whatever an upstream's
	 * schema says of them: an id it calls readWrite is still dropped. */
	if ((a = scim_schema_attr(scim_schema_common(), name, len)) != NULL)
		return a;
	return scim_schema_attr(rt->base, name, len);
}

int
scim_schema_set_has(const struct scim_schema_set *set, const char *urn)
{
	if (set == NULL)
		set = scim_schema_core();
	return urn != NULL && scim_set_schema(set, urn, strlen(urn)) != NULL;
}
