/* The attributes a resource body (POST, PUT) or a PATCH writes, and the
 * values it names. facts.h describes what counts as written. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "keyd/scim/facts_int.h"

enum patch_kind { P_ADD, P_REMOVE, P_REPLACE };

/* One walk over a body or a PATCH value. */
struct flat {
	struct scim_fx		*x;
	const json_t		*schemas;	/* the body's, or NULL */
	int			 values;	/* record values for `where` */
	int			 skip_readonly;	/* POST/PUT: skip schemas, id, meta */
	enum scim_facts_err	 bad_key;	/* the error for a bad name */
};

static enum scim_facts_err flat_root(struct flat *, const json_t *, int);

/* 1 for "name", 2 for "name.givenName", the URN aside. */
static int
flat_depth(const char *path)
{
	const char *last = strrchr(path, ':');

	return strchr(last ? last + 1 : path, '.') != NULL ? 2 : 1;
}

/* Join A SEP B into OUT (SCIM_ATTR_PATH_MAX + 1 bytes). */
static enum scim_facts_err
flat_join(struct scim_fx *x, const char *a, const char *sep, const char *b,
    char *out)
{
	int n = snprintf(out, SCIM_ATTR_PATH_MAX + 1, "%s%s%s", a, sep, b);

	if (n < 0 || n > SCIM_ATTR_PATH_MAX)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "attribute "
		    "path %.64s%s%.64s... is longer than %d bytes", a, sep, b,
		    SCIM_ATTR_PATH_MAX);
	return SCIM_FACTS_OK;
}

/* Parse the body key K as an attribute path into P; no value filter. */
static enum scim_facts_err
flat_key(struct flat *fl, const char *k, struct scim_filter_path *p)
{
	struct scim_filter_error fe;

	if (scim_filter_parse_path(k, strlen(k), p, &fe) == -1)
		return scim_facts_fail(fl->x, fl->bad_key, "attribute name "
		    "\"%.64s\": %s", k, fe.msg);
	if (p->has_filter)
		return scim_facts_fail(fl->x, fl->bad_key, "attribute name "
		    "\"%.64s\" holds a value filter", k);
	return SCIM_FACTS_OK;
}

/* K, a key inside a complex value, must be a bare sub-attribute name:
 * ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_"), or "$ref". */
static enum scim_facts_err
flat_subname(struct flat *fl, const char *parent, const char *k)
{
	size_t i;
	int ok = strcmp(k, "$ref") == 0 || isalpha((unsigned char)k[0]);

	for (i = 1; ok && k[0] != '$' && k[i] != '\0'; i++)
		ok = isalnum((unsigned char)k[i]) || k[i] == '-' || k[i] == '_';
	if (!ok)
		return scim_facts_fail(fl->x, fl->bad_key, "\"%.64s\" inside "
		    "%.100s is not a sub-attribute name", k, parent);
	return SCIM_FACTS_OK;
}

/* The elements of the multi-valued PATH: each sub-attribute they set. */
static enum scim_facts_err
flat_elem(struct flat *fl, const char *path, const json_t *elem)
{
	char sub[SCIM_ATTR_PATH_MAX + 1];
	enum scim_facts_err rc;
	const char *k;
	json_t *v;

	if (!json_is_object(elem))
		return SCIM_FACTS_OK;
	if ((rc = scim_facts_obj_check(fl->x, elem, path)) != SCIM_FACTS_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)elem, k, v) {
		if ((rc = flat_subname(fl, path, k)) != SCIM_FACTS_OK ||
		    (rc = flat_join(fl->x, path, ".", k, sub)) != SCIM_FACTS_OK ||
		    (rc = scim_facts_add_written(fl->x, sub)) != SCIM_FACTS_OK)
			return rc;
	}
	return SCIM_FACTS_OK;
}

/* Each element of the array V, a multi-valued PATH's values. */
static enum scim_facts_err
flat_elems(struct flat *fl, const char *path, const json_t *v)
{
	enum scim_facts_err rc;
	size_t i;

	for (i = 0; i < json_array_size(v); i++)
		if ((rc = flat_elem(fl, path, json_array_get(v, i))) !=
		    SCIM_FACTS_OK)
			return rc;
	return SCIM_FACTS_OK;
}

static enum scim_facts_err
flat_scalar(struct flat *fl, const char *path, const json_t *v)
{
	enum scim_facts_err rc;

	if ((rc = scim_facts_add_written(fl->x, path)) != SCIM_FACTS_OK ||
	    !fl->values)
		return rc;
	if (json_is_string(v))
		return scim_facts_add_value(fl->x, path, json_string_value(v));
	if (json_is_boolean(v))
		return scim_facts_add_value(fl->x, path, json_is_true(v) ?
		    "true" : "false");
	return SCIM_FACTS_OK;
}

/* The attribute PATH (DEPTH 1 or 2) set to V. Below a sub-attribute
 * nothing is SCIM, so deeper values are written as their path. */
static enum scim_facts_err
flat_attr(struct flat *fl, const char *path, int depth, const json_t *v)
{
	char sub[SCIM_ATTR_PATH_MAX + 1];
	enum scim_facts_err rc;
	const char *k;
	json_t *vv;

	if (json_is_array(v)) {
		if ((rc = scim_facts_add_written(fl->x, path)) != SCIM_FACTS_OK)
			return rc;
		return depth == 1 ? flat_elems(fl, path, v) : SCIM_FACTS_OK;
	}
	if (!json_is_object(v) || depth > 1 || json_object_size(v) == 0)
		return flat_scalar(fl, path, v);
	if ((rc = scim_facts_obj_check(fl->x, v, path)) != SCIM_FACTS_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)v, k, vv) {
		if ((rc = flat_subname(fl, path, k)) != SCIM_FACTS_OK ||
		    (rc = flat_join(fl->x, path, ".", k, sub)) != SCIM_FACTS_OK ||
		    (rc = flat_attr(fl, sub, 2, vv)) != SCIM_FACTS_OK)
			return rc;
	}
	return SCIM_FACTS_OK;
}

/* Is K, a URN whose value is an object, a schema's object rather than a
 * URN-prefixed complex attribute? See facts.h. */
static int
flat_is_schema(const struct flat *fl, const char *k)
{
	const char *type = fl->x->f->resource_type, *last;

	if (strncasecmp(k, "urn:", 4) != 0)
		return 0;
	if (scim_facts_schemas_has(fl->schemas, k) ||
	    scim_filter_urn_is_core(k, strlen(k)) ||
	    strcasecmp(k, SCIM_URN_ENTERPRISE) == 0)
		return 1;
	last = strrchr(k, ':');
	return type[0] != '\0' && strcasecmp(last + 1, type) == 0;
}

/* An extension object: each member is URN:attr. */
static enum scim_facts_err
flat_extension(struct flat *fl, const char *urn, const json_t *obj)
{
	struct scim_filter_path p;
	char path[SCIM_ATTR_PATH_MAX + 1];
	enum scim_facts_err rc;
	const char *k;
	json_t *v;

	if ((rc = scim_facts_obj_check(fl->x, obj, urn)) != SCIM_FACTS_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)obj, k, v) {
		if (strchr(k, ':') != NULL)
			return scim_facts_fail(fl->x, fl->bad_key, "\"%.64s\" "
			    "inside %.100s is not an attribute name", k, urn);
		if ((rc = flat_key(fl, k, &p)) != SCIM_FACTS_OK ||
		    (rc = flat_join(fl->x, urn, ":", p.attr, path)) !=
		    SCIM_FACTS_OK ||
		    (rc = flat_attr(fl, path, flat_depth(p.attr), v)) !=
		    SCIM_FACTS_OK)
			return rc;
	}
	return SCIM_FACTS_OK;
}

/* A schema's object at the resource level: core attributes are the
 * resource's own, an extension's keep its URN. NESTED refuses a schema
 * object inside another. */
static enum scim_facts_err
flat_schema(struct flat *fl, const char *urn, const json_t *obj, int nested)
{
	if (nested)
		return scim_facts_fail(fl->x, fl->bad_key, "schema object "
		    "%.100s inside another", urn);
	if (scim_filter_urn_is_core(urn, strlen(urn)))
		return flat_root(fl, obj, 1);
	return flat_extension(fl, urn, obj);
}

static int
flat_readonly(const char *attr)
{
	size_t n = strcspn(attr, ".");

	return (n == 7 && strncasecmp(attr, "schemas", n) == 0) ||
	    (n == 2 && strncasecmp(attr, "id", n) == 0) ||
	    (n == 4 && strncasecmp(attr, "meta", n) == 0);
}

/* The members of a resource, or of a path-less PATCH value. */
static enum scim_facts_err
flat_root(struct flat *fl, const json_t *obj, int nested)
{
	struct scim_filter_path p;
	enum scim_facts_err rc;
	const char *k;
	json_t *v;

	if ((rc = scim_facts_obj_check(fl->x, obj, nested ? "a schema object" :
	    "the resource")) != SCIM_FACTS_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)obj, k, v) {
		if (json_is_object(v) && flat_is_schema(fl, k)) {
			if ((rc = flat_schema(fl, k, v, nested)) !=
			    SCIM_FACTS_OK)
				return rc;
			continue;
		}
		if ((rc = flat_key(fl, k, &p)) != SCIM_FACTS_OK)
			return rc;
		if (fl->skip_readonly && flat_readonly(p.attr))
			continue;
		if ((rc = flat_attr(fl, p.attr, flat_depth(p.attr), v)) !=
		    SCIM_FACTS_OK)
			return rc;
	}
	return SCIM_FACTS_OK;
}

enum scim_facts_err
scim_facts_resource(struct scim_fx *x, const json_t *body)
{
	struct flat fl = { x, NULL, 1, 1, SCIM_FACTS_INVALID_SYNTAX };
	enum scim_facts_err rc;
	const json_t *s;
	size_t i;

	if ((rc = scim_facts_obj_check(x, body, "the resource")) !=
	    SCIM_FACTS_OK)
		return rc;
	if ((s = scim_facts_get(body, "schemas")) != NULL) {
		for (i = 0; json_is_array(s) && i < json_array_size(s); i++)
			if (!json_is_string(json_array_get(s, i)))
				break;
		if (!json_is_array(s) || i < json_array_size(s))
			return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
			    "schemas must be an array of schema URNs");
	}
	fl.schemas = s;
	return flat_root(&fl, body, 0);
}

/* An operation with a path: what it writes, what its filter names. */
static enum scim_facts_err
patch_path(struct flat *fl, size_t i, const char *path, const json_t *value)
{
	struct scim_filter_path p;
	struct scim_filter_error fe;
	enum scim_facts_err rc = SCIM_FACTS_OK;
	size_t j;

	if (scim_filter_parse_path(path, strlen(path), &p, &fe) == -1)
		return scim_facts_fail(fl->x, SCIM_FACTS_INVALID_PATH,
		    "Operations[%zu].path: %s", i, fe.msg);
	for (j = 0; j < p.filter.n && rc == SCIM_FACTS_OK; j++)
		rc = scim_facts_add_filtered(fl->x, p.filter.path[j]);
	if (rc != SCIM_FACTS_OK)
		return rc;
	if (json_is_object(value) && !p.has_filter &&
	    flat_is_schema(fl, p.attr))
		return flat_schema(fl, p.attr, value, 0);
	if ((rc = scim_facts_add_written(fl->x, p.attr)) != SCIM_FACTS_OK)
		return rc;
	/* Inside a multi-valued attribute no value is singular. */
	if (p.has_filter)
		fl->values = 0;
	if (p.sub[0] != '\0')
		return value ? flat_attr(fl, p.sub, 2, value) :
		    scim_facts_add_written(fl->x, p.sub);
	if (p.has_filter && json_is_array(value))
		return flat_elems(fl, p.attr, value);
	if (p.has_filter)
		return flat_elem(fl, p.attr, value);
	return value ? flat_attr(fl, p.attr, flat_depth(p.attr), value) :
	    SCIM_FACTS_OK;
}

/* "op" of operation I, case-insensitively (Entra ID sends "Replace"). */
static enum scim_facts_err
patch_kind(struct scim_fx *x, size_t i, const json_t *op, enum patch_kind *k)
{
	const char *s = json_string_value(scim_facts_get(op, "op"));

	if (s == NULL)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
		    "Operations[%zu]: op must be \"add\", \"remove\" or "
		    "\"replace\"", i);
	if (strcasecmp(s, "add") == 0)
		*k = P_ADD;
	else if (strcasecmp(s, "remove") == 0)
		*k = P_REMOVE;
	else if (strcasecmp(s, "replace") == 0)
		*k = P_REPLACE;
	else
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
		    "Operations[%zu]: op \"%.32s\" is not add, remove or "
		    "replace", i, s);
	return SCIM_FACTS_OK;
}

/* The members an operation may hold; anything else could be read by an
 * upstream in a way keyd did not decide on. */
static enum scim_facts_err
patch_members(struct scim_fx *x, size_t i, const json_t *op)
{
	enum scim_facts_err rc;
	const char *k;
	json_t *v;

	if ((rc = scim_facts_obj_check(x, op, "an operation")) != SCIM_FACTS_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)op, k, v)
		if (strcasecmp(k, "op") != 0 && strcasecmp(k, "path") != 0 &&
		    strcasecmp(k, "value") != 0)
			return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
			    "Operations[%zu]: unknown member \"%.64s\" (an "
			    "operation holds op, path and value)", i, k);
	return SCIM_FACTS_OK;
}

static enum scim_facts_err
patch_op(struct scim_fx *x, size_t i, const json_t *op)
{
	struct flat fl = { x, NULL, 0, 0, SCIM_FACTS_INVALID_PATH };
	enum scim_facts_err rc;
	enum patch_kind k = P_ADD;
	const json_t *path, *value;
	static const char *names[] = { "add", "remove", "replace" };

	if (!json_is_object(op))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
		    "Operations[%zu] is not an object", i);
	if ((rc = patch_members(x, i, op)) != SCIM_FACTS_OK ||
	    (rc = patch_kind(x, i, op, &k)) != SCIM_FACTS_OK)
		return rc;
	path = scim_facts_get(op, "path");
	value = scim_facts_get(op, "value");
	if (path != NULL && !json_is_string(path))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_PATH,
		    "Operations[%zu].path must be a string", i);
	if (k == P_REMOVE && path == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NO_TARGET,
		    "Operations[%zu]: remove needs a path", i);
	if (k != P_REMOVE && value == NULL)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_VALUE,
		    "Operations[%zu]: %s needs a value", i, names[k]);
	fl.values = k != P_REMOVE;
	if (path != NULL)
		return patch_path(&fl, i, json_string_value(path), value);
	if (!json_is_object(value))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_VALUE,
		    "Operations[%zu]: without a path, value must be an object "
		    "of attributes", i);
	return flat_root(&fl, value, 0);
}

enum scim_facts_err
scim_facts_patch(struct scim_fx *x, const json_t *body)
{
	enum scim_facts_err rc;
	const json_t *ops;
	const char *k;
	json_t *v;
	size_t i;

	if ((rc = scim_facts_obj_check(x, body, "the body")) != SCIM_FACTS_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)body, k, v)
		if (strcasecmp(k, "schemas") != 0 &&
		    strcasecmp(k, "Operations") != 0)
			return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
			    "unknown member \"%.64s\" in a PATCH body (it "
			    "holds schemas and Operations)", k);
	if (!scim_facts_schemas_has(scim_facts_get(body, "schemas"),
	    SCIM_URN_PATCHOP))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "a PATCH "
		    "body's schemas must list " SCIM_URN_PATCHOP);
	ops = scim_facts_get(body, "Operations");
	if (!json_is_array(ops) || json_array_size(ops) == 0)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "a PATCH "
		    "body needs a non-empty Operations array");
	if (json_array_size(ops) > SCIM_FACTS_MAX_OPS)
		return scim_facts_fail(x, SCIM_FACTS_TOO_LARGE, "a PATCH holds "
		    "%zu operations, more than %d", json_array_size(ops),
		    SCIM_FACTS_MAX_OPS);
	for (i = 0; i < json_array_size(ops); i++)
		if ((rc = patch_op(x, i, json_array_get(ops, i))) !=
		    SCIM_FACTS_OK)
			return rc;
	return SCIM_FACTS_OK;
}
