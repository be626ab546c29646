/* The rewrites keyd applies so an upstream sees canonical RFC 7643/7644
 * JSON whatever the client's dialect; docs/scim-compatibility.md names
 * the client behind each one. Attribute-name spelling, op case and
 * readOnly stripping happen where the values are checked; here are the
 * rewrites that stand on their own. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/schema_int.h"

json_t *
sv_norm_bool(const json_t *in)
{
	const char *s = json_string_value(in);

	/* Entra ID sends "True" and "False" for booleans. */
	if (s == NULL || strlen(s) != json_string_length(in))
		return NULL;
	if (strcasecmp(s, "true") == 0)
		return json_true();
	if (strcasecmp(s, "false") == 0)
		return json_false();
	return NULL;
}

const char *
sv_norm_canon(const struct scim_attr *a, const char *s)
{
	size_t i;

	for (i = 0; a->canon != NULL && a->canon[i] != NULL; i++)
		if (strcasecmp(a->canon[i], s) == 0)
			return a->canon[i];
	return NULL;
}

json_t *
sv_norm_wrap_value(const struct scim_attr *a, const json_t *in)
{
	/* Entra ID sets the enterprise manager to the manager's id alone:
	 * "manager": "26118915-6090-4610-87a4-49d0767ba6c0". */
	if (a->type != SCIM_TYPE_COMPLEX || (a->flags & SCIM_AF_MULTI) ||
	    strcasecmp(a->name, "manager") != 0 ||
	    scim_attr_sub(a, "value", 5) == NULL || !json_is_string(in))
		return NULL;
	return json_pack("{s:O}", "value", (json_t *)(uintptr_t)in);
}

void
sv_norm_drop_own_id(const struct sv *v, json_t *obj)
{
	const char *k;
	json_t *val;

	json_object_foreach(obj, k, val)
		if (strcasecmp(k, "id") == 0) {
			if (v->id != NULL && v->id[0] != '\0' &&
			    json_is_string(val) &&
			    strcmp(json_string_value(val), v->id) == 0)
				json_object_del(obj, k);
			return;
		}
}

int
sv_norm_is_v1(const char *s)
{
	return s != NULL && strcasecmp(s, SCIM_URN_V1) == 0;
}

enum scim_valid_err
sv_norm_msg_schemas(struct sv *v, const json_t *in, const char *urn,
    const char *what, json_t **out)
{
	const char *s;
	size_t i;
	int found = 0;

	*out = NULL;
	for (i = 0; json_is_array(in) && i < json_array_size(in); i++) {
		s = json_string_value(json_array_get(in, i));
		if (s != NULL && strcasecmp(s, urn) == 0)
			found = 1;
		else if (!sv_norm_is_v1(s))
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "a %s "
			    "body's schemas must list only %s", what, urn);
	}
	if (!found)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "a %s body's "
		    "schemas must list %s", what, urn);
	if ((*out = json_pack("[s]", urn)) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	return SCIM_VALID_OK;
}

/* Store VAL as OBJ's NAME, merging two objects member by member; a
 * value set twice is refused. KEY is the client's key, for the detail.
 * Objects are copied, so merging never touches the client's tree. */
static enum scim_valid_err
nest_put(struct sv *v, json_t *obj, const char *name, const json_t *val,
    const char *key)
{
	enum scim_valid_err rc;
	json_t *old = sv_get(obj, name), *mv;
	const char *k;
	char buf[72];

	if (old == NULL) {
		if (json_object_set_new(obj, name, json_is_object(val) ?
		    json_deep_copy(val) : json_incref((json_t *)(uintptr_t)val))
		    == -1)
			return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
		return SCIM_VALID_OK;
	}
	if (!json_is_object(old) || !json_is_object(val))
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "\"%s\" sets an "
		    "attribute the body already sets", sv_safe(key, buf,
		    sizeof(buf)));
	json_object_foreach((json_t *)(uintptr_t)val, k, mv)
		if ((rc = nest_put(v, old, k, mv, key)) != SCIM_VALID_OK)
			return rc;
	return SCIM_VALID_OK;
}

/* OBJ's object member NAME, created when absent. */
static enum scim_valid_err
nest_child(struct sv *v, json_t *obj, const char *name, const char *key,
    json_t **child)
{
	char buf[72];

	if ((*child = sv_get(obj, name)) != NULL) {
		if (json_is_object(*child))
			return SCIM_VALID_OK;
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "\"%s\" sets a "
		    "sub-attribute of an attribute the body sets whole",
		    sv_safe(key, buf, sizeof(buf)));
	}
	if ((*child = json_object()) == NULL ||
	    json_object_set_new(obj, name, *child) == -1)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	return SCIM_VALID_OK;
}

/* The attribute path ATTR ("name.givenName", "urn:…:User:manager.value",
 * as scim_filter_parse_path gives it) of key KEY, set to VAL. A URN
 * keyd does not know is left in the key for the validator to name. */
static enum scim_valid_err
nest_path(struct sv *v, json_t *out, char *attr, const json_t *val,
    const char *key)
{
	const struct scim_schema *s = NULL;
	enum scim_valid_err rc;
	char *colon, *dot, *name = attr;
	json_t *target = out;

	if (strncasecmp(attr, "urn:", 4) == 0) {
		colon = strrchr(attr, ':');
		if ((s = scim_set_schema(v->set, attr,
		    (size_t)(colon - attr))) == NULL)
			return nest_put(v, out, key, val, key);
		if ((rc = nest_child(v, out, s->urn, key, &target)) !=
		    SCIM_VALID_OK)
			return rc;
		name = colon + 1;
	}
	if ((dot = strchr(name, '.')) != NULL) {
		*dot = '\0';
		if ((rc = nest_child(v, target, name, key, &target)) !=
		    SCIM_VALID_OK)
			return rc;
		name = dot + 1;
	}
	return nest_put(v, target, name, val, key);
}

static enum scim_valid_err nest_key(struct sv *, json_t *, const char *,
    const json_t *, int);

/* The resource type's own schema URN as a key: its members are the
 * resource's (scim_facts reads the body the same way). */
static enum scim_valid_err
nest_base(struct sv *v, json_t *out, const char *k, const json_t *val)
{
	enum scim_valid_err rc;
	const char *mk;
	char buf[72];
	json_t *mv;

	if (!json_is_object(val))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must be an "
		    "object of attributes", sv_safe(k, buf, sizeof(buf)));
	if ((rc = sv_members(v, val, v->rt->base->urn)) != SCIM_VALID_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)val, mk, mv)
		if ((rc = nest_key(v, out, mk, mv, 1)) != SCIM_VALID_OK)
			return rc;
	return SCIM_VALID_OK;
}

/* Key K set to VAL; NESTED: inside the base schema's object already. */
static enum scim_valid_err
nest_key(struct sv *v, json_t *out, const char *k, const json_t *val,
    int nested)
{
	const struct scim_schema *s;
	struct scim_filter_path p;
	struct scim_filter_error fe;
	char buf[72];

	if (strcasecmp(k, "schemas") == 0 && !nested)
		return nest_put(v, out, k, val, k);
	if ((s = scim_set_schema(v->set, k, strlen(k))) != NULL) {
		if (v->rt != NULL && s == v->rt->base && !nested)
			return nest_base(v, out, k, val);
		return nest_put(v, out, s->urn, val, k);
	}
	if (scim_filter_parse_path(k, strlen(k), &p, &fe) == -1)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "\"%s\" is not an "
		    "attribute name", sv_safe(k, buf, sizeof(buf)));
	if (p.has_filter)
		return sv_fail(v, SCIM_VALID_INVALID_PATH, "\"%s\": a value "
		    "filter belongs in a PATCH operation's path, not in a key",
		    sv_safe(k, buf, sizeof(buf)));
	return nest_path(v, out, p.attr, val, k);
}

enum scim_valid_err
sv_norm_nest(struct sv *v, const json_t *in, json_t **out)
{
	enum scim_valid_err rc;
	const char *k;
	json_t *val;

	if ((rc = sv_members(v, in, "the body")) != SCIM_VALID_OK)
		return rc;
	if ((*out = json_object()) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	json_object_foreach((json_t *)(uintptr_t)in, k, val)
		if ((rc = nest_key(v, *out, k, val, 0)) != SCIM_VALID_OK) {
			json_decref(*out);
			*out = NULL;
			return rc;
		}
	return SCIM_VALID_OK;
}
