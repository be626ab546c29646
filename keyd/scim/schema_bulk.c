/* POST /Bulk (RFC 7644 §3.7): a BulkRequest whose operations each name a
 * method, a path under the same upstream and, but for DELETE, data that
 * is validated and normalised as the lone request would be. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/schema_int.h"

#define BULK_PATH_MAX	1024
#define BULK_ID_MAX	128

static const char *const bulk_methods[] = { "POST", "PUT", "PATCH",
    "DELETE" };

static enum scim_valid_err
bulk_keys(struct sv *v, const json_t *o, const char *const *names, size_t n,
    const char *what)
{
	enum scim_valid_err rc;
	const char *k;
	char buf[72];
	json_t *m;
	size_t i;

	if ((rc = sv_members(v, o, what)) != SCIM_VALID_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)o, k, m) {
		for (i = 0; i < n; i++)
			if (strcasecmp(k, names[i]) == 0)
				break;
		if (i == n)
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "unknown "
			    "member \"%s\" in %s", sv_safe(k, buf, sizeof(buf)),
			    what);
	}
	return SCIM_VALID_OK;
}

static enum scim_valid_err
bulk_method(struct sv *v, const json_t *op, const char **m)
{
	const char *s = json_string_value(sv_get(op, "method"));
	size_t i;

	for (i = 0; s != NULL && i < 4; i++)
		if (strcasecmp(s, bulk_methods[i]) == 0) {
			*m = bulk_methods[i];
			return SCIM_VALID_OK;
		}
	return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "method must be POST, PUT, "
	    "PATCH or DELETE");
}

/* path ("/Users", "/Groups/{id}") under v's upstream, parsed as the whole
 * request path would be, into P. */
static enum scim_valid_err
bulk_path(struct sv *v, const json_t *op, const char *method,
    struct scim_path *p)
{
	const json_t *path = sv_get(op, "path");
	const char *s = json_string_value(path);
	char full[SCIM_PATH_MAX + 1], msg[SCIM_VALID_DETAIL_MAX];

	if (s == NULL || s[0] != '/' || json_string_length(path) >
	    BULK_PATH_MAX || strlen(s) != json_string_length(path))
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "path must be a "
		    "string such as \"/Users\" or \"/Groups/{id}\", at most %d "
		    "bytes", BULK_PATH_MAX);
	snprintf(full, sizeof(full), "%s%s%s", SCIM_PATH_PREFIX, v->upstream,
	    s);
	if (scim_path_parse(method, full, p, msg, sizeof(msg)) != SCIM_PATH_OK)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "path: %s", msg);
	if (p->op != SCIM_OP_CREATE && p->op != SCIM_OP_REPLACE &&
	    p->op != SCIM_OP_PATCH && p->op != SCIM_OP_DELETE)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "a bulk operation "
		    "creates, replaces, patches or deletes; %s on that path "
		    "would %s", method, scim_path_op_name(p->op));
	return SCIM_VALID_OK;
}

/* bulkId: REQUIRED for POST (§3.7), a printable string. */
static enum scim_valid_err
bulk_id(struct sv *v, const json_t *op, const struct scim_path *p)
{
	const json_t *id = sv_get(op, "bulkId");
	const char *s = json_string_value(id);
	size_t i;

	if (id == NULL && p->op == SCIM_OP_CREATE)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "a POST operation "
		    "needs a bulkId");
	if (id == NULL)
		return SCIM_VALID_OK;
	for (i = 0; s != NULL && s[i] != '\0'; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			break;
	if (s == NULL || i == 0 || s[i] != '\0' || i > BULK_ID_MAX ||
	    i != json_string_length(id))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "bulkId must be a "
		    "string of 1 to %d printable characters", BULK_ID_MAX);
	return SCIM_VALID_OK;
}

/* data, validated for the operation's own resource type and op. */
static enum scim_valid_err
bulk_data(struct sv *v, const json_t *op, const struct scim_path *p,
    json_t **out)
{
	struct sv sub = { v->set, scim_set_rtype(v->set, p->endpoint), p->op,
	    v->upstream, p->endpoint, p->id, v->max_bulk_ops, v->err };
	const json_t *data = sv_get(op, "data");

	*out = NULL;
	if (p->op == SCIM_OP_DELETE) {
		if (data != NULL)
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "DELETE "
			    "takes no data");
		return SCIM_VALID_OK;
	}
	if (!json_is_object(data))
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "this operation "
		    "needs data, a JSON object");
	if (p->op == SCIM_OP_PATCH)
		return sv_patch(&sub, data, out);
	return sv_resource(&sub, data, out);
}

/* The normalised operation, members in RFC 7644 §3.7.1's order. */
static enum scim_valid_err
bulk_out(struct sv *v, const json_t *op, const char *method, json_t *data,
    json_t **out)
{
	const json_t *id = sv_get(op, "bulkId"), *ver = sv_get(op, "version");
	int bad;

	*out = json_pack("{s:s}", "method", method);
	bad = *out == NULL ||
	    (id && json_object_set(*out, "bulkId", (json_t *)(uintptr_t)id)) ||
	    (ver && json_object_set(*out, "version",
	    (json_t *)(uintptr_t)ver)) ||
	    json_object_set(*out, "path", sv_get(op, "path")) ||
	    (data && json_object_set(*out, "data", data));
	if (bad) {
		json_decref(*out);
		*out = NULL;
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	}
	return SCIM_VALID_OK;
}

static enum scim_valid_err
bulk_op(struct sv *v, const json_t *op, json_t **out)
{
	static const char *const names[] = { "method", "bulkId", "version",
	    "path", "data" };
	enum scim_valid_err rc;
	const char *method = NULL;
	const json_t *ver;
	struct scim_path p;
	json_t *data = NULL;

	if (!json_is_object(op))
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "not an object");
	if ((rc = bulk_keys(v, op, names, 5, "the operation")) !=
	    SCIM_VALID_OK ||
	    (rc = bulk_method(v, op, &method)) != SCIM_VALID_OK ||
	    (rc = bulk_path(v, op, method, &p)) != SCIM_VALID_OK ||
	    (rc = bulk_id(v, op, &p)) != SCIM_VALID_OK)
		return rc;
	if ((ver = sv_get(op, "version")) != NULL && !json_is_string(ver))
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "version must be a "
		    "string (an ETag)");
	if ((rc = bulk_data(v, op, &p, &data)) != SCIM_VALID_OK)
		return rc;
	rc = bulk_out(v, op, method, data, out);
	json_decref(data);
	return rc;
}

/* bulkIds are unique: a bulkId:… reference must name one operation. */
static enum scim_valid_err
bulk_ids_unique(struct sv *v, const json_t *ops, size_t i)
{
	const char *a = json_string_value(sv_get(json_array_get(ops, i),
	    "bulkId")), *b;
	size_t j;

	for (j = 0; a != NULL && j < i; j++)
		if ((b = json_string_value(sv_get(json_array_get(ops, j),
		    "bulkId"))) != NULL && strcmp(a, b) == 0)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "bulkId is "
			    "the same as Operations[%zu]'s", j);
	return SCIM_VALID_OK;
}

static enum scim_valid_err
bulk_ops(struct sv *v, const json_t *ops, json_t *out)
{
	enum scim_valid_err rc;
	char where[48];
	size_t i, n = json_array_size(ops);
	json_t *o;

	if (!json_is_array(ops) || n == 0)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "a bulk request "
		    "needs a non-empty Operations array");
	if (n > v->max_bulk_ops || n > SCIM_VALID_MAX_OPS)
		return sv_fail(v, SCIM_VALID_TOO_MANY, "the bulk request holds "
		    "%zu operations; at most %zu are accepted (maxOperations)",
		    n, v->max_bulk_ops < SCIM_VALID_MAX_OPS ? v->max_bulk_ops :
		    (size_t)SCIM_VALID_MAX_OPS);
	for (i = 0; i < n; i++) {
		if ((rc = bulk_op(v, json_array_get(ops, i), &o)) ==
		    SCIM_VALID_OK && (rc = bulk_ids_unique(v, ops, i)) !=
		    SCIM_VALID_OK)
			json_decref(o);
		if (rc != SCIM_VALID_OK) {
			snprintf(where, sizeof(where), "Operations[%zu]", i);
			sv_prefix(v, where);
			return rc;
		}
		if (json_array_append_new(out, o) == -1)
			return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	}
	return SCIM_VALID_OK;
}

static enum scim_valid_err
bulk_fail_on_errors(struct sv *v, const json_t *in, json_t *out)
{
	const json_t *f = sv_get(in, "failOnErrors");

	if (f == NULL)
		return SCIM_VALID_OK;
	if (!json_is_integer(f) || json_integer_value(f) < 1)
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "failOnErrors must "
		    "be an integer of at least 1");
	if (json_object_set(out, "failOnErrors", (json_t *)(uintptr_t)f) == -1)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	return SCIM_VALID_OK;
}

enum scim_valid_err
sv_bulk(struct sv *v, const json_t *in, json_t **out)
{
	static const char *const names[] = { "schemas", "failOnErrors",
	    "Operations" };
	enum scim_valid_err rc;
	json_t *schemas = NULL, *ops = NULL;

	*out = NULL;
	if ((rc = bulk_keys(v, in, names, 3, "a bulk request")) !=
	    SCIM_VALID_OK || (rc = sv_norm_msg_schemas(v, sv_get(in,
	    "schemas"), SCIM_URN_BULK_REQ, "Bulk", &schemas)) != SCIM_VALID_OK)
		return rc;
	if ((*out = json_pack("{s:o}", "schemas", schemas)) == NULL ||
	    (ops = json_array()) == NULL)
		rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	else if ((rc = bulk_fail_on_errors(v, in, *out)) == SCIM_VALID_OK &&
	    (rc = bulk_ops(v, sv_get(in, "Operations"), ops)) ==
	    SCIM_VALID_OK && json_object_set(*out, "Operations", ops) == -1)
		rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	json_decref(ops);
	if (rc != SCIM_VALID_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
