/* PATCH (RFC 7644 §3.5.2): a PatchOp message whose operations name
 * known attributes, respect their mutability and carry values of the
 * right type. op is forwarded in lower case; a path-less value has its
 * attribute-path keys nested (normalize.c); the path is forwarded as
 * sent. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/schema_int.h"

#define PATH_BUF	(SCIM_ATTR_PATH_MAX + 32)

enum pkind { P_ADD, P_REMOVE, P_REPLACE };

static const char *const pkind_names[] = { "add", "remove", "replace" };

/* What an operation's path resolves to. */
struct tgt {
	const struct scim_schema *ext;		/* path is this extension */
	const char		 *urn;		/* attr's extension, or NULL */
	const struct scim_attr	 *attr;		/* the top-level attribute */
	const struct scim_attr	 *sub;		/* its sub-attribute, or NULL */
	int			  filter;	/* attr[filter] */
	char			  name[PATH_BUF];	/* for details */
};

/* The sub-attribute each name a value filter holds ("emails.type") must
 * be one of ATTR's. */
static enum scim_valid_err
tgt_filter(struct sv *v, const struct scim_filter_path *p, struct tgt *t)
{
	const char *s, *dot;
	size_t i;

	if (!(t->attr->flags & SCIM_AF_MULTI))
		return sv_fail(v, SCIM_VALID_INVALID_PATH, "%s is single-valued: "
		    "a value filter needs a multi-valued attribute", t->name);
	for (i = 0; i < p->filter.n; i++) {
		s = p->filter.path[i];
		if (strcasecmp(s, p->attr) == 0)
			continue;
		dot = strrchr(s, '.');
		if (dot == NULL || (t->attr->type == SCIM_TYPE_COMPLEX ?
		    scim_attr_sub(t->attr, dot + 1, strlen(dot + 1)) == NULL :
		    strcasecmp(dot + 1, "value") != 0))
			return sv_fail(v, SCIM_VALID_INVALID_PATH, "the value "
			    "filter of %s names an unknown sub-attribute",
			    t->name);
	}
	t->filter = 1;
	return SCIM_VALID_OK;
}

/* NAME (after any URN): "attr" or "attr.sub", in schema S (NULL: the
 * resource type's base and common attributes). */
static enum scim_valid_err
tgt_attr(struct sv *v, const struct scim_schema *s, const char *name,
    struct tgt *t)
{
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);
	char buf[72];

	if (n == 7 && strncasecmp(name, "schemas", 7) == 0)
		return sv_fail(v, SCIM_VALID_MUTABILITY, "schemas cannot be "
		    "changed by a PATCH");
	t->attr = s ? scim_schema_attr(s, name, n) :
	    scim_rtype_attr(v->rt, name, n);
	if (t->attr == NULL)
		return sv_fail(v, SCIM_VALID_INVALID_PATH, "path names unknown "
		    "attribute \"%s\" of %s", sv_safe(name, buf, sizeof(buf)),
		    s ? s->urn : v->rt->name);
	snprintf(t->name, sizeof(t->name), "%s%s%s", t->urn ? t->urn : "",
	    t->urn ? ":" : "", t->attr->name);
	return SCIM_VALID_OK;
}

static enum scim_valid_err
tgt_sub(struct sv *v, const char *sub, struct tgt *t)
{
	char buf[72];
	size_t n = strlen(t->name);

	if (t->attr->type != SCIM_TYPE_COMPLEX ||
	    (t->sub = scim_attr_sub(t->attr, sub, strlen(sub))) == NULL)
		return sv_fail(v, SCIM_VALID_INVALID_PATH, "path names unknown "
		    "sub-attribute \"%s\" of %s", sv_safe(sub, buf,
		    sizeof(buf)), t->name);
	snprintf(t->name + n, sizeof(t->name) - n, ".%s", t->sub->name);
	return SCIM_VALID_OK;
}

/* PATH → T, by the grammar of scim_filter_parse_path and the schemas. */
static enum scim_valid_err
tgt_resolve(struct sv *v, const char *path, struct tgt *t)
{
	struct scim_filter_path p;
	struct scim_filter_error fe;
	const struct scim_schema *s = NULL;
	enum scim_valid_err rc;
	char msg[SCIM_FILTER_ERR_MAX], buf[72], *name, *colon, *dot;
	size_t n;

	memset(t, 0, sizeof(*t));
	if ((t->ext = scim_rtype_ext(v->rt, path, strlen(path), NULL)) != NULL) {
		snprintf(t->name, sizeof(t->name), "%s", t->ext->urn);
		return SCIM_VALID_OK;
	}
	if (scim_filter_parse_path(path, strlen(path), &p, &fe) == -1)
		return sv_fail(v, SCIM_VALID_INVALID_PATH, "path %s",
		    sv_filter_msg(&fe, msg, sizeof(msg)));
	name = p.attr;
	if (strncasecmp(name, "urn:", 4) == 0) {
		colon = strrchr(name, ':');
		n = (size_t)(colon - name);
		if (strlen(v->rt->base->urn) == n &&
		    strncasecmp(v->rt->base->urn, name, n) == 0)
			s = NULL;
		else if ((s = scim_rtype_ext(v->rt, name, n, NULL)) == NULL)
			return sv_fail(v, SCIM_VALID_INVALID_PATH, "path names "
			    "a schema that does not extend %s: \"%s\"",
			    v->rt->name, sv_safe(name, buf, sizeof(buf)));
		t->urn = s ? s->urn : NULL;
		name = colon + 1;
	}
	if ((rc = tgt_attr(v, s, name, t)) != SCIM_VALID_OK)
		return rc;
	if (p.has_filter && (rc = tgt_filter(v, &p, t)) != SCIM_VALID_OK)
		return rc;
	/* Sub-attribute names hold no '.'; a URN may ("2.0"). */
	if ((dot = p.sub[0] ? strrchr(p.sub, '.') : strchr(name, '.')) != NULL)
		return tgt_sub(v, dot + 1, t);
	return SCIM_VALID_OK;
}

/* RFC 7644 §3.5.2: readOnly never changes; immutable may be added once. */
static enum scim_valid_err
tgt_mutability(struct sv *v, enum pkind k, const struct tgt *t)
{
	const struct scim_attr *fin = t->sub ? t->sub : t->attr;

	if (t->ext != NULL)
		return SCIM_VALID_OK;
	if (t->attr->mut == SCIM_MUT_READONLY || fin->mut == SCIM_MUT_READONLY)
		return sv_fail(v, SCIM_VALID_MUTABILITY, "%s is readOnly: a "
		    "PATCH cannot change it", t->name);
	if (k != P_ADD && (t->attr->mut == SCIM_MUT_IMMUTABLE ||
	    fin->mut == SCIM_MUT_IMMUTABLE))
		return sv_fail(v, SCIM_VALID_MUTABILITY, "%s is immutable: it "
		    "can be added, not replaced or removed", t->name);
	if (k == P_REMOVE && !t->sub && !t->filter &&
	    (t->attr->flags & SCIM_AF_REQUIRED))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s is required: "
		    "it cannot be removed", t->name);
	return SCIM_VALID_OK;
}

/* The value of an operation on a multi-valued attribute as a whole: an
 * array, or one value, which is forwarded as a one-value array. */
static enum scim_valid_err
tgt_multi(struct sv *v, const struct tgt *t, const json_t *val, json_t **out)
{
	enum scim_valid_err rc;
	json_t *arr;

	if (json_is_array(val) || json_is_null(val))
		return sv_value(v, t->attr, val, t->name, 0, out);
	if ((arr = json_pack("[O]", (json_t *)(uintptr_t)val)) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	rc = sv_value(v, t->attr, arr, t->name, 0, out);
	json_decref(arr);
	return rc;
}

static enum scim_valid_err
tgt_value(struct sv *v, enum pkind k, const struct tgt *t, const json_t *val,
    json_t **out)
{
	*out = NULL;
	if (val == NULL)
		return SCIM_VALID_OK;
	/* A remove takes no value, but Entra ID names the members to remove
	 * in one: {"op":"Remove","path":"members","value":[{"value":id}]}. */
	if (k == P_REMOVE && (t->ext || t->sub || t->filter ||
	    !(t->attr->flags & SCIM_AF_MULTI)))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "remove of %s takes "
		    "no value", t->name);
	if (k == P_ADD && json_is_null(val))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "add of %s needs a "
		    "value, not null", t->name);
	if (t->ext != NULL)
		return sv_extension(v, t->ext, val, k == P_ADD ? SV_WRITE_ADD :
		    SV_WRITE_REPLACE, out);
	if (t->sub != NULL)
		return sv_value(v, t->sub, val, t->name, 0, out);
	if (t->filter)
		return sv_value(v, t->attr, val, t->name, 1, out);
	if (t->attr->flags & SCIM_AF_MULTI)
		return tgt_multi(v, t, val, out);
	return sv_value(v, t->attr, val, t->name, 0, out);
}

static enum scim_valid_err
patch_with_path(struct sv *v, enum pkind k, const char *path,
    const json_t *val, json_t **out)
{
	enum scim_valid_err rc;
	struct tgt t;

	if ((rc = tgt_resolve(v, path, &t)) != SCIM_VALID_OK ||
	    (rc = tgt_mutability(v, k, &t)) != SCIM_VALID_OK)
		return rc;
	return tgt_value(v, k, &t, val, out);
}

/* add or replace without a path: VAL holds the attributes to set. */
static enum scim_valid_err
patch_pathless(struct sv *v, enum pkind k, const json_t *val, json_t **out)
{
	enum scim_valid_err rc;
	json_t *nested = NULL;

	*out = NULL;
	if (!json_is_object(val))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "without a path, "
		    "value must be an object of attributes");
	if ((rc = sv_norm_nest(v, val, &nested)) != SCIM_VALID_OK)
		return rc;
	sv_norm_drop_own_id(v, nested);
	if (sv_get(nested, "schemas") != NULL)
		rc = sv_fail(v, SCIM_VALID_MUTABILITY, "schemas cannot be "
		    "changed by a PATCH");
	else if ((*out = json_object()) == NULL)
		rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	else
		rc = sv_attrs(v, nested, k == P_ADD ? SV_WRITE_ADD :
		    SV_WRITE_REPLACE, *out);
	json_decref(nested);
	if (rc != SCIM_VALID_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* op (any case: Entra ID sends "Replace"), path and value, and no other
 * member: an upstream might read one keyd did not check. */
static enum scim_valid_err
patch_members(struct sv *v, const json_t *op, enum pkind *k,
    const char **path, const json_t **val)
{
	enum scim_valid_err rc;
	const char *key, *s;
	char buf[72];
	json_t *m;
	int i;

	if (!json_is_object(op))
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "not an object");
	if ((rc = sv_members(v, op, "the operation")) != SCIM_VALID_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)op, key, m)
		if (strcasecmp(key, "op") && strcasecmp(key, "path") &&
		    strcasecmp(key, "value"))
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "unknown "
			    "member \"%s\" (an operation holds op, path and "
			    "value)", sv_safe(key, buf, sizeof(buf)));
	s = json_string_value(sv_get(op, "op"));
	for (i = 0; s != NULL && i < 3; i++)
		if (strcasecmp(s, pkind_names[i]) == 0)
			break;
	if (s == NULL || i == 3)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "op must be add, "
		    "remove or replace");
	*k = (enum pkind)i;
	m = sv_get(op, "path");
	if (m != NULL && (!json_is_string(m) || json_string_length(m) == 0 ||
	    strlen(json_string_value(m)) != json_string_length(m)))
		return sv_fail(v, SCIM_VALID_INVALID_PATH, "path must be a "
		    "non-empty string");
	*path = json_string_value(m);
	*val = sv_get(op, "value");
	return SCIM_VALID_OK;
}

static enum scim_valid_err
patch_op(struct sv *v, const json_t *op, json_t **out)
{
	enum scim_valid_err rc;
	enum pkind k = P_ADD;
	const char *path = NULL;
	const json_t *val = NULL;
	json_t *nval = NULL;

	*out = NULL;
	if ((rc = patch_members(v, op, &k, &path, &val)) != SCIM_VALID_OK)
		return rc;
	if (k == P_REMOVE && path == NULL)
		return sv_fail(v, SCIM_VALID_NO_TARGET, "remove needs a path");
	if (k != P_REMOVE && val == NULL)
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s needs a value",
		    pkind_names[k]);
	rc = path ? patch_with_path(v, k, path, val, &nval) :
	    patch_pathless(v, k, val, &nval);
	if (rc != SCIM_VALID_OK)
		return rc;
	*out = json_pack("{s:s}", "op", pkind_names[k]);
	if (*out == NULL || (path && json_object_set_new(*out, "path",
	    json_string(path)) == -1) || (nval && json_object_set_new(*out,
	    "value", nval) == -1)) {
		json_decref(*out);
		*out = NULL;
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	}
	return SCIM_VALID_OK;
}

static enum scim_valid_err
patch_ops(struct sv *v, const json_t *ops, json_t *out)
{
	enum scim_valid_err rc;
	char where[48];
	json_t *o;
	size_t i;

	if (!json_is_array(ops) || json_array_size(ops) == 0)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "a PATCH body needs "
		    "a non-empty Operations array");
	if (json_array_size(ops) > SCIM_VALID_MAX_OPS)
		return sv_fail(v, SCIM_VALID_TOO_LARGE, "a PATCH holds %zu "
		    "operations, more than %d", json_array_size(ops),
		    SCIM_VALID_MAX_OPS);
	for (i = 0; i < json_array_size(ops); i++) {
		if ((rc = patch_op(v, json_array_get(ops, i), &o)) !=
		    SCIM_VALID_OK) {
			snprintf(where, sizeof(where), "Operations[%zu]", i);
			sv_prefix(v, where);
			return rc;
		}
		if (json_array_append_new(out, o) == -1)
			return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	}
	return SCIM_VALID_OK;
}

enum scim_valid_err
sv_patch(struct sv *v, const json_t *in, json_t **out)
{
	enum scim_valid_err rc;
	json_t *schemas = NULL, *ops = NULL;
	const char *k;
	char buf[72];
	json_t *m;

	*out = NULL;
	if (v->rt == NULL)
		return sv_no_rtype(v);
	if ((rc = sv_members(v, in, "the body")) != SCIM_VALID_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)in, k, m)
		if (strcasecmp(k, "schemas") && strcasecmp(k, "Operations"))
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "unknown "
			    "member \"%s\" in a PATCH body (it holds schemas and "
			    "Operations)", sv_safe(k, buf, sizeof(buf)));
	if ((rc = sv_norm_msg_schemas(v, sv_get(in, "schemas"),
	    SCIM_URN_PATCH_OP, "PATCH", &schemas)) != SCIM_VALID_OK)
		return rc;
	if ((ops = json_array()) == NULL)
		rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	else if ((rc = patch_ops(v, sv_get(in, "Operations"), ops)) ==
	    SCIM_VALID_OK && (*out = json_pack("{s:O,s:O}", "schemas",
	    schemas, "Operations", ops)) == NULL)
		rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	json_decref(schemas);
	json_decref(ops);
	return rc;
}
