/* A resource body (POST create, PUT replace; RFC 7644 §3.3, §3.5.1)
 * against its resource type's schemas: schemas lists the base schema and
 * the extensions used, every attribute is known and well typed, required
 * attributes are there, readOnly ones are dropped (RFC 7643 §3.1: "SHALL
 * be ignored"). The same attribute walk serves path-less PATCH values. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/schema_int.h"

#define PATH_BUF	(SCIM_ATTR_PATH_MAX + 32)

static const char *
attr_name(char *buf, size_t len, const char *urn, const struct scim_attr *a)
{
	snprintf(buf, len, "%s%s%s", urn ? urn : "", urn ? ":" : "", a->name);
	return buf;
}

enum scim_valid_err
sv_attr_write(struct sv *v, const char *urn, const struct scim_attr *a,
    const json_t *in, enum sv_write w, json_t **out)
{
	char p[PATH_BUF];

	*out = NULL;
	attr_name(p, sizeof(p), urn, a);
	if (a->mut == SCIM_MUT_READONLY) {
		if (w == SV_WRITE_BODY)
			return SCIM_VALID_OK;
		return sv_fail(v, SCIM_VALID_MUTABILITY, "%s is readOnly: a "
		    "PATCH cannot change it", p);
	}
	if (a->mut == SCIM_MUT_IMMUTABLE && w == SV_WRITE_REPLACE)
		return sv_fail(v, SCIM_VALID_MUTABILITY, "%s is immutable: it "
		    "can be added, not replaced", p);
	return sv_value(v, a, in, p, 0, out);
}

/* Required attributes of S (or the base schema when URN is NULL) in OBJ,
 * a whole resource or extension object. */
static enum scim_valid_err
sv_required(struct sv *v, const struct scim_schema *s, const char *urn,
    const json_t *obj)
{
	const json_t *val;
	char p[PATH_BUF];
	size_t i;

	for (i = 0; i < s->nattrs; i++) {
		if (!(s->attrs[i].flags & SCIM_AF_REQUIRED))
			continue;
		val = json_object_get(obj, s->attrs[i].name);
		attr_name(p, sizeof(p), urn, &s->attrs[i]);
		if (val == NULL || json_is_null(val) || (json_is_array(val) &&
		    json_array_size(val) == 0))
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s is "
			    "required", p);
		if (json_is_string(val) && json_string_length(val) == 0)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s is "
			    "required and must not be empty", p);
	}
	return SCIM_VALID_OK;
}

enum scim_valid_err
sv_extension(struct sv *v, const struct scim_schema *s, const json_t *obj,
    enum sv_write w, json_t **out)
{
	const struct scim_attr *a;
	enum scim_valid_err rc;
	char buf[72];
	const char *k;
	json_t *val, *o;

	if (!json_is_object(obj))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must be an "
		    "object of that schema's attributes", s->urn);
	if ((rc = sv_members(v, obj, s->urn)) != SCIM_VALID_OK)
		return rc;
	if ((*out = json_object()) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	json_object_foreach((json_t *)(uintptr_t)obj, k, val) {
		if ((a = scim_schema_attr(s, k, strlen(k))) == NULL)
			rc = sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "unknown "
			    "attribute \"%s\" in %s", sv_safe(k, buf,
			    sizeof(buf)), s->urn);
		else if ((rc = sv_attr_write(v, s->urn, a, val, w, &o)) ==
		    SCIM_VALID_OK && o != NULL &&
		    json_object_set_new(*out, a->name, o) == -1)
			rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
		if (rc != SCIM_VALID_OK)
			break;
	}
	if (rc == SCIM_VALID_OK && w == SV_WRITE_BODY)
		rc = sv_required(v, s, s->urn, *out);
	if (rc != SCIM_VALID_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* A URN key K of a resource: an extension of v->rt. */
static enum scim_valid_err
sv_ext_key(struct sv *v, const char *k, const json_t *val, enum sv_write w,
    json_t *out)
{
	const struct scim_schema *s;
	enum scim_valid_err rc;
	char buf[72];
	json_t *o;

	if ((s = scim_rtype_ext(v->rt, k, strlen(k), NULL)) == NULL) {
		if (scim_set_schema(v->set, k, strlen(k)) != NULL)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "schema %s "
			    "does not extend resource type %s", sv_safe(k, buf,
			    sizeof(buf)), v->rt->name);
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "unknown schema or "
		    "attribute \"%s\": the upstream does not advertise it",
		    sv_safe(k, buf, sizeof(buf)));
	}
	if ((rc = sv_extension(v, s, val, w, &o)) != SCIM_VALID_OK)
		return rc;
	if (json_object_set_new(out, s->urn, o) == -1)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	return SCIM_VALID_OK;
}

enum scim_valid_err
sv_attrs(struct sv *v, const json_t *in, enum sv_write w, json_t *out)
{
	const struct scim_attr *a;
	enum scim_valid_err rc;
	char buf[72];
	const char *k;
	json_t *val, *o;

	json_object_foreach((json_t *)(uintptr_t)in, k, val) {
		if (strcasecmp(k, "schemas") == 0)
			continue;
		if (strncasecmp(k, "urn:", 4) == 0) {
			if ((rc = sv_ext_key(v, k, val, w, out)) !=
			    SCIM_VALID_OK)
				return rc;
			continue;
		}
		if ((a = scim_rtype_attr(v->rt, k, strlen(k))) == NULL)
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "unknown "
			    "attribute \"%s\" for resource type %s", sv_safe(k,
			    buf, sizeof(buf)), v->rt->name);
		if ((rc = sv_attr_write(v, NULL, a, val, w, &o)) !=
		    SCIM_VALID_OK)
			return rc;
		if (o != NULL && json_object_set_new(out, a->name, o) == -1)
			return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	}
	return SCIM_VALID_OK;
}

/* One URN of a resource's schemas, canonical, appended to OUT once. */
static enum scim_valid_err
sv_schemas_urn(struct sv *v, const char *s, json_t *out, int *base)
{
	const struct scim_schema *sc;
	char buf[72];
	size_t i;

	if (strcasecmp(s, v->rt->base->urn) == 0) {
		sc = v->rt->base;
		*base = 1;
	} else if ((sc = scim_rtype_ext(v->rt, s, strlen(s), NULL)) == NULL) {
		if (scim_set_schema(v->set, s, strlen(s)) != NULL)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "schemas "
			    "lists %s, which does not apply to resource type %s",
			    sv_safe(s, buf, sizeof(buf)), v->rt->name);
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "schemas lists an "
		    "unknown schema \"%s\": the upstream does not advertise it",
		    sv_safe(s, buf, sizeof(buf)));
	}
	for (i = 0; i < json_array_size(out); i++)
		if (strcmp(json_string_value(json_array_get(out, i)),
		    sc->urn) == 0)
			return SCIM_VALID_OK;
	if (json_array_append_new(out, json_string(sc->urn)) == -1)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	return SCIM_VALID_OK;
}

/* schemas (RFC 7643 §3: REQUIRED): the URNs, canonical, each once; the
 * SCIM 1.0 URN Google adds is dropped. */
static enum scim_valid_err
sv_res_schemas(struct sv *v, const json_t *in, json_t **out)
{
	enum scim_valid_err rc = SCIM_VALID_OK;
	const char *s;
	size_t i;
	int base = 0, v1 = 0;

	if (in == NULL)
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "schemas is "
		    "required: list %s", v->rt->base->urn);
	if (!json_is_array(in) || json_array_size(in) == 0 ||
	    json_array_size(in) > SCIM_SCHEMA_MAX_EXT + 2)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "schemas must be an "
		    "array of up to %d schema URNs", SCIM_SCHEMA_MAX_EXT + 2);
	if ((*out = json_array()) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	for (i = 0; rc == SCIM_VALID_OK && i < json_array_size(in); i++) {
		if ((s = json_string_value(json_array_get(in, i))) == NULL)
			rc = sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "schemas "
			    "must hold strings");
		else if (sv_norm_is_v1(s))
			v1 = 1;
		else
			rc = sv_schemas_urn(v, s, *out, &base);
	}
	if (rc == SCIM_VALID_OK && !base)
		rc = v1 ? sv_fail(v, SCIM_VALID_INVALID_VERS, "a SCIM 1.x body: "
		    "keyd speaks SCIM 2.0; schemas must list %s",
		    v->rt->base->urn) : sv_fail(v, SCIM_VALID_INVALID_VALUE,
		    "schemas must list %s", v->rt->base->urn);
	if (rc != SCIM_VALID_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* Every extension used is listed in schemas, and every extension the
 * resource type requires is there. */
static enum scim_valid_err
sv_res_exts(struct sv *v, const json_t *schemas, const json_t *res)
{
	const struct scim_rtype *rt = v->rt;
	size_t i, j;
	int listed;

	for (i = 0; i < rt->next; i++) {
		listed = 0;
		for (j = 0; j < json_array_size(schemas); j++)
			listed |= strcmp(json_string_value(json_array_get(
			    schemas, j)), rt->ext[i]->urn) == 0;
		if (json_object_get(res, rt->ext[i]->urn) != NULL && !listed)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "the body "
			    "sets attributes of %s, which schemas does not "
			    "list", rt->ext[i]->urn);
		if (rt->ext_required[i] && json_object_get(res,
		    rt->ext[i]->urn) == NULL)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "resource "
			    "type %s requires the extension %s", rt->name,
			    rt->ext[i]->urn);
	}
	return SCIM_VALID_OK;
}

enum scim_valid_err
sv_no_rtype(struct sv *v)
{
	char buf[72];

	return sv_fail(v, SCIM_VALID_INVALID_VALUE, "keyd knows no schema for "
	    "/%s: the upstream's /Schemas and /ResourceTypes do not describe "
	    "it", sv_safe(v->endpoint ? v->endpoint : "", buf, sizeof(buf)));
}

enum scim_valid_err
sv_resource(struct sv *v, const json_t *in, json_t **out)
{
	enum scim_valid_err rc;
	json_t *nested = NULL, *schemas = NULL;

	*out = NULL;
	if (v->rt == NULL)
		return sv_no_rtype(v);
	if ((rc = sv_norm_nest(v, in, &nested)) != SCIM_VALID_OK ||
	    (rc = sv_res_schemas(v, sv_get(nested, "schemas"), &schemas)) !=
	    SCIM_VALID_OK)
		goto out;
	if ((*out = json_object()) == NULL ||
	    json_object_set(*out, "schemas", schemas) == -1) {
		rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = sv_attrs(v, nested, SV_WRITE_BODY, *out)) != SCIM_VALID_OK ||
	    (rc = sv_required(v, v->rt->base, NULL, *out)) != SCIM_VALID_OK)
		goto out;
	rc = sv_res_exts(v, schemas, *out);
out:
	if (rc != SCIM_VALID_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(nested);
	json_decref(schemas);
	return rc;
}
