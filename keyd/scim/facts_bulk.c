/* POST /Bulk (RFC 7644 §3.7): each operation becomes facts of its own,
 * derived by the same path parser and body walkers as a lone request. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "keyd/scim/facts_int.h"

static enum scim_facts_err
bulk_members(struct scim_fx *x, const json_t *op)
{
	static const char *names[] = { "method", "path", "bulkId", "version",
	    "data" };
	enum scim_facts_err rc;
	const char *k;
	json_t *v;
	size_t i;

	if ((rc = scim_facts_obj_check(x, op, "the operation")) != SCIM_FACTS_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)op, k, v) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(k, names[i]) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
			    "unknown member \"%.64s\" (an operation holds "
			    "method, path, bulkId, version and data)", k);
	}
	return SCIM_FACTS_OK;
}

/* method, normalised to upper case, into M. */
static enum scim_facts_err
bulk_method(struct scim_fx *x, const json_t *op, char *m, size_t mlen)
{
	static const char *methods[] = { "POST", "PUT", "PATCH", "DELETE" };
	const char *s = json_string_value(scim_facts_get(op, "method"));
	size_t i;

	for (i = 0; s != NULL && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcasecmp(s, methods[i]) == 0) {
			snprintf(m, mlen, "%s", methods[i]);
			return SCIM_FACTS_OK;
		}
	return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "method must be "
	    "POST, PUT, PATCH or DELETE");
}

/* path, relative to the upstream ("/Users/123"), parsed as the full
 * request path would be. */
static enum scim_facts_err
bulk_path(struct scim_fx *x, const json_t *op, const char *upstream,
    const char *method)
{
	struct scim_facts *f = x->f;
	struct scim_path p;
	char full[SCIM_PATH_MAX + 1];
	const json_t *path = scim_facts_get(op, "path");
	const char *s = json_string_value(path);

	if (s == NULL || s[0] != '/')
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "path must "
		    "be a string such as \"/Users\" or \"/Groups/{id}\"");
	if (json_string_length(path) > SCIM_FACTS_BULK_PATH_MAX ||
	    strlen(s) != json_string_length(path))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "path is "
		    "longer than %d bytes or holds a NUL",
		    SCIM_FACTS_BULK_PATH_MAX);
	snprintf(full, sizeof(full), "%s%s%s", SCIM_PATH_PREFIX, upstream, s);
	if (scim_path_parse(method, full, &p, x->err, x->errlen) !=
	    SCIM_PATH_OK)
		return SCIM_FACTS_INVALID_SYNTAX;
	if (p.op != SCIM_OP_CREATE && p.op != SCIM_OP_REPLACE &&
	    p.op != SCIM_OP_PATCH && p.op != SCIM_OP_DELETE)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "a bulk "
		    "operation creates, replaces, patches or deletes; %s %s "
		    "would %s", method, s[1] == '\0' ? "/" : "that path",
		    scim_path_op_name(p.op));
	snprintf(f->method, sizeof(f->method), "%s", method);
	memcpy(f->upstream, p.upstream, sizeof(f->upstream));
	memcpy(f->endpoint, p.endpoint, sizeof(f->endpoint));
	memcpy(f->resource_type, p.resource_type, sizeof(f->resource_type));
	memcpy(f->id, p.id, sizeof(f->id));
	f->op = p.op;
	f->allow = p.allow;
	if ((f->bulk_path = strdup(s)) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	return SCIM_FACTS_OK;
}

/* bulkId (REQUIRED for POST, §3.7) and data (none for DELETE). */
static enum scim_facts_err
bulk_id_data(struct scim_fx *x, const json_t *op, const json_t **data)
{
	struct scim_facts *f = x->f;
	const json_t *id = scim_facts_get(op, "bulkId");
	int del = strcmp(f->method, "DELETE") == 0;

	if (id != NULL && !json_is_string(id))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "bulkId "
		    "must be a string");
	if (id == NULL && f->op == SCIM_OP_CREATE)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "a POST "
		    "operation needs a bulkId");
	if (id != NULL && (f->bulk_id = strdup(json_string_value(id))) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	*data = scim_facts_get(op, "data");
	if (del && *data != NULL)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "DELETE "
		    "takes no data");
	if (!del && !json_is_object(*data))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "%s needs "
		    "data, a JSON object", f->method);
	return SCIM_FACTS_OK;
}

/* Operation OP into SUB; errors into X's buffer, prefixed with where. */
static enum scim_facts_err
bulk_op(struct scim_fx *x, size_t i, const json_t *op, struct scim_facts *sub)
{
	char err[SCIM_FACTS_ERR_MAX], method[8];
	struct scim_fx sx = { sub, err, sizeof(err) };
	const json_t *data = NULL;
	enum scim_facts_err rc;

	err[0] = '\0';
	if (!json_is_object(op))
		rc = scim_facts_fail(&sx, SCIM_FACTS_INVALID_SYNTAX, "not an "
		    "object");
	else if ((rc = bulk_members(&sx, op)) == SCIM_FACTS_OK &&
	    (rc = bulk_method(&sx, op, method, sizeof(method))) ==
	    SCIM_FACTS_OK &&
	    (rc = bulk_path(&sx, op, x->f->upstream, method)) ==
	    SCIM_FACTS_OK &&
	    (rc = bulk_id_data(&sx, op, &data)) == SCIM_FACTS_OK)
		rc = scim_facts_body(&sx, data);
	if (rc != SCIM_FACTS_OK)
		return scim_facts_fail(x, rc, "Operations[%zu]: %s", i, err);
	return SCIM_FACTS_OK;
}

static enum scim_facts_err
bulk_envelope(struct scim_fx *x, const json_t *body)
{
	enum scim_facts_err rc;
	const char *k;
	json_t *v;

	if ((rc = scim_facts_obj_check(x, body, "the body")) != SCIM_FACTS_OK)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)body, k, v)
		if (strcasecmp(k, "schemas") != 0 &&
		    strcasecmp(k, "Operations") != 0 &&
		    strcasecmp(k, "failOnErrors") != 0)
			return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
			    "unknown member \"%.64s\" in a bulk request (it "
			    "holds schemas, failOnErrors and Operations)", k);
	if (!scim_facts_schemas_has(scim_facts_get(body, "schemas"),
	    SCIM_URN_BULK))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "a bulk "
		    "request's schemas must list " SCIM_URN_BULK);
	return SCIM_FACTS_OK;
}

enum scim_facts_err
scim_facts_bulk(struct scim_fx *x, const json_t *body)
{
	enum scim_facts_err rc;
	const json_t *ops;
	size_t i, n;

	if ((rc = bulk_envelope(x, body)) != SCIM_FACTS_OK)
		return rc;
	ops = scim_facts_get(body, "Operations");
	if (!json_is_array(ops) || (n = json_array_size(ops)) == 0)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "a bulk "
		    "request needs a non-empty Operations array");
	if (n > SCIM_FACTS_MAX_OPS)
		return scim_facts_fail(x, SCIM_FACTS_TOO_LARGE, "a bulk request "
		    "holds %zu operations, more than %d", n,
		    SCIM_FACTS_MAX_OPS);
	if ((x->f->bulk = calloc(n, sizeof(*x->f->bulk))) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	/* Every element is zeroed, so scim_facts_free can free them all
	 * whichever fails. */
	x->f->nbulk = n;
	for (i = 0; i < n; i++)
		if ((rc = bulk_op(x, i, json_array_get(ops, i),
		    &x->f->bulk[i])) != SCIM_FACTS_OK)
			return rc;
	return SCIM_FACTS_OK;
}
