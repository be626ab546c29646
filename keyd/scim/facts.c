/* scim_facts_derive: path, query and body of one SCIM request → the facts
 * the policy engine decides on. The body walkers live in facts_body.c
 * (resources, PATCH) and facts_bulk.c. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "keyd/form.h"
#include "keyd/scim/json_depth.h"
#include "keyd/scim/facts_int.h"

enum scim_facts_err
scim_facts_fail(struct scim_fx *x, enum scim_facts_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return e;
}

static enum scim_facts_err
facts_list_add(struct scim_fx *x, struct scim_facts_list *l, const char *path,
    const char *what)
{
	char **v;
	size_t i, cap;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], path) == 0)
			return SCIM_FACTS_OK;
	if (l->n == SCIM_FACTS_MAX_ATTRS)
		return scim_facts_fail(x, SCIM_FACTS_TOO_LARGE, "the request %s "
		    "more than %d attributes", what, SCIM_FACTS_MAX_ATTRS);
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 8;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
			return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of "
			    "memory");
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(path)) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	l->n++;
	return SCIM_FACTS_OK;
}

enum scim_facts_err
scim_facts_add_written(struct scim_fx *x, const char *path)
{
	return facts_list_add(x, &x->f->written, path, "writes");
}

enum scim_facts_err
scim_facts_add_filtered(struct scim_fx *x, const char *path)
{
	return facts_list_add(x, &x->f->filtered, path, "filters on");
}

enum scim_facts_err
scim_facts_add_value(struct scim_fx *x, const char *attr, const char *value)
{
	struct scim_facts *f = x->f;
	struct scim_facts_value *v;
	size_t i, cap;

	for (i = 0; i < f->nvalues; i++)
		if (strcasecmp(f->values[i].attr, attr) == 0 &&
		    strcmp(f->values[i].value, value) == 0)
			return SCIM_FACTS_OK;
	if (f->nvalues == SCIM_FACTS_MAX_ATTRS)
		return scim_facts_fail(x, SCIM_FACTS_TOO_LARGE, "the request "
		    "sets more than %d values", SCIM_FACTS_MAX_ATTRS);
	if (f->nvalues == f->values_cap) {
		cap = f->values_cap ? f->values_cap * 2 : 8;
		if ((v = reallocarray(f->values, cap, sizeof(*v))) == NULL)
			return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of "
			    "memory");
		f->values = v;
		f->values_cap = cap;
	}
	v = &f->values[f->nvalues];
	v->attr = strdup(attr);
	v->value = strdup(value);
	if (v->attr == NULL || v->value == NULL) {
		free(v->attr);
		free(v->value);
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	}
	f->nvalues++;
	return SCIM_FACTS_OK;
}

json_t *
scim_facts_get(const json_t *obj, const char *name)
{
	const char *k;
	json_t *v;

	/* json_object_foreach takes a non-const object; it only reads. */
	json_object_foreach((json_t *)(uintptr_t)obj, k, v)
		if (strcasecmp(k, name) == 0)
			return v;
	return NULL;
}

static int
facts_keycmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

enum scim_facts_err
scim_facts_obj_check(struct scim_fx *x, const json_t *obj, const char *where)
{
	const char *keys[SCIM_FACTS_MAX_ATTRS], *k;
	json_t *v;
	size_t i, n = 0;

	if (json_object_size(obj) > SCIM_FACTS_MAX_ATTRS)
		return scim_facts_fail(x, SCIM_FACTS_TOO_LARGE, "%.80s has more "
		    "than %d members", where, SCIM_FACTS_MAX_ATTRS);
	/* Attribute names are case-insensitive (RFC 7643 §2.1): two that
	 * differ only in case are one attribute set twice, and which one an
	 * upstream keeps is anyone's guess. Sorted, not compared pairwise:
	 * a body holds many objects. */
	json_object_foreach((json_t *)(uintptr_t)obj, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(keys[0]), facts_keycmp);
	for (i = 1; i < n; i++)
		if (strcasecmp(keys[i - 1], keys[i]) == 0)
			return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX,
			    "%.80s names \"%.64s\" twice (names are "
			    "case-insensitive)", where, keys[i]);
	return SCIM_FACTS_OK;
}

int
scim_facts_schemas_has(const json_t *schemas, const char *urn)
{
	size_t i;

	for (i = 0; i < json_array_size(schemas); i++) {
		const char *s = json_string_value(json_array_get(schemas, i));

		if (s != NULL && strcasecmp(s, urn) == 0)
			return 1;
	}
	return 0;
}

static enum scim_facts_err
facts_load(struct scim_fx *x, const char *body, size_t len, json_t **out)
{
	json_error_t je;

	*out = NULL;
	if (body == NULL || len == 0)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "%s on "
		    "/%s needs a JSON body", x->f->method, x->f->endpoint);
	if (!scim_json_depth_ok(body, len, SCIM_FACTS_JSON_DEPTH))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "the body "
		    "nests more than %d levels deep", SCIM_FACTS_JSON_DEPTH);
	/* Duplicate keys are refused: an upstream might keep the other. */
	if ((*out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "the body "
		    "is not valid JSON: %.120s (line %d, column %d)", je.text,
		    je.line, je.column);
	if (!json_is_object(*out))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "the body "
		    "must be a JSON object");
	return SCIM_FACTS_OK;
}

/* A filter's text (LEN bytes), from WHERE ("filter", ".search filter"). */
static enum scim_facts_err
facts_filter_text(struct scim_fx *x, const char *s, size_t len,
    const char *where)
{
	struct scim_filter_attrs *a;
	struct scim_filter_error fe;
	enum scim_facts_err rc = SCIM_FACTS_OK;
	size_t i;

	if ((a = malloc(sizeof(*a))) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	if (scim_filter_parse(s, len, a, &fe) == -1)
		rc = scim_facts_fail(x, SCIM_FACTS_INVALID_FILTER, "%s: %s",
		    where, fe.msg);
	for (i = 0; rc == SCIM_FACTS_OK && i < a->n; i++)
		rc = scim_facts_add_filtered(x, a->path[i]);
	free(a);
	return rc;
}

/* sortBy discloses the order of an attribute's values, so the attribute
 * counts as filtered on. */
static enum scim_facts_err
facts_sortby_text(struct scim_fx *x, const char *s, size_t len)
{
	struct scim_filter_path *p;
	struct scim_filter_error fe;
	enum scim_facts_err rc;

	if ((p = malloc(sizeof(*p))) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	if (scim_filter_parse_path(s, len, p, &fe) == -1)
		rc = scim_facts_fail(x, SCIM_FACTS_INVALID_VALUE, "sortBy: %s",
		    fe.msg);
	else if (p->has_filter)
		rc = scim_facts_fail(x, SCIM_FACTS_INVALID_VALUE, "sortBy names "
		    "an attribute, not a value filter");
	else
		rc = scim_facts_add_filtered(x, p->attr);
	free(p);
	return rc;
}

/* attributes= and excludedAttributes= (RFC 7644 §3.9): comma-separated
 * attribute paths. They name what a response holds, nothing a policy
 * decides on, but a list an upstream would read as something else is
 * refused rather than passed on. */
static enum scim_facts_err
facts_attrs_text(struct scim_fx *x, const char *name, const char *s)
{
	struct scim_filter_path *p;
	struct scim_filter_error fe;
	enum scim_facts_err rc = SCIM_FACTS_OK;
	size_t len;

	if (s[strspn(s, " ")] == '\0')
		return SCIM_FACTS_OK;	/* "attributes=": no list */
	if ((p = malloc(sizeof(*p))) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	for (;;) {
		s += strspn(s, " ");
		len = strcspn(s, ",");
		while (len > 0 && s[len - 1] == ' ')
			len--;
		if (scim_filter_parse_path(s, len, p, &fe) == -1) {
			rc = scim_facts_fail(x, SCIM_FACTS_INVALID_VALUE, "%s: "
			    "\"%.*s\": %s", name, (int)(len < 64 ? len : 64), s,
			    fe.msg);
			break;
		}
		if (p->has_filter) {
			rc = scim_facts_fail(x, SCIM_FACTS_INVALID_VALUE, "%s "
			    "names attributes, not value filters", name);
			break;
		}
		s += strcspn(s, ",");
		if (*s++ == '\0')
			break;
	}
	free(p);
	return rc;
}

/* The query parameters keyd reads; the rest name nothing policy decides
 * on (startIndex, count, sortOrder). */
enum qparam { Q_FILTER, Q_SORTBY, Q_ATTRS, Q_EXATTRS, Q_COUNT };

static const char *qnames[Q_COUNT] = { "filter", "sortBy", "attributes",
    "excludedAttributes" };

/* One query parameter's raw value (LEN bytes), form-decoded. */
static enum scim_facts_err
facts_query_param(struct scim_fx *x, enum qparam q, const char *raw,
    size_t len)
{
	enum scim_facts_err rc, bad = q == Q_FILTER ?
	    SCIM_FACTS_INVALID_FILTER : SCIM_FACTS_INVALID_VALUE;
	char *v;

	if ((v = malloc(len + 1)) == NULL)
		return scim_facts_fail(x, SCIM_FACTS_NOMEM, "out of memory");
	if (form_unescape(raw, len, v, len + 1) == -1)
		rc = scim_facts_fail(x, bad, "%s: a bad percent-escape or a NUL "
		    "in the query string", qnames[q]);
	else if (q == Q_FILTER)
		rc = facts_filter_text(x, v, strlen(v), "filter");
	else if (q == Q_SORTBY)
		rc = facts_sortby_text(x, v, strlen(v));
	else
		rc = facts_attrs_text(x, qnames[q], v);
	free(v);
	return rc;
}

/* The parameter NAME (LEN bytes, raw) is, or Q_COUNT. */
static enum qparam
facts_qparam(const char *raw, size_t len)
{
	char name[32];
	size_t i;

	if (form_unescape(raw, len, name, sizeof(name)) == -1)
		return Q_COUNT;
	for (i = 0; i < Q_COUNT; i++)
		if (strcasecmp(name, qnames[i]) == 0)
			return (enum qparam)i;
	return Q_COUNT;
}

/* filter=, sortBy=, attributes= and excludedAttributes= of the raw
 * query Q (matched case-insensitively). A parameter given twice is
 * refused: upstreams differ on which one they use. So is a raw ';',
 * which some servers still take as a separator: the filter they read
 * would not be the one keyd decided on. */
static enum scim_facts_err
facts_query(struct scim_fx *x, const char *q)
{
	enum scim_facts_err rc;
	const char *p, *end, *eq;
	int seen[Q_COUNT] = { 0 };
	enum qparam which;

	if (strlen(q) > SCIM_FACTS_QUERY_MAX)
		return scim_facts_fail(x, SCIM_FACTS_TOO_LARGE, "query string "
		    "longer than %d bytes", SCIM_FACTS_QUERY_MAX);
	if (strchr(q, ';') != NULL)
		return scim_facts_fail(x, SCIM_FACTS_INVALID_VALUE, "the query "
		    "string holds a raw ';': percent-encode it as %%3B "
		    "(servers differ on whether it separates parameters)");
	for (p = q; *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(end - p));
		if ((which = facts_qparam(p, (size_t)((eq ? eq : end) - p))) ==
		    Q_COUNT)
			continue;
		if (seen[which]++)
			return scim_facts_fail(x, which == Q_FILTER ?
			    SCIM_FACTS_INVALID_FILTER : SCIM_FACTS_INVALID_VALUE,
			    "%s appears twice in the query string",
			    qnames[which]);
		eq = eq ? eq + 1 : end;
		if ((rc = facts_query_param(x, which, eq,
		    (size_t)(end - eq))) != SCIM_FACTS_OK)
			return rc;
	}
	return SCIM_FACTS_OK;
}

/* POST …/.search: a SearchRequest (RFC 7644 §3.4.3). The other members
 * (attributes, startIndex, …) name nothing the policy decides on. */
static enum scim_facts_err
facts_search(struct scim_fx *x, const json_t *body)
{
	enum scim_facts_err rc;
	const json_t *v;

	if ((rc = scim_facts_obj_check(x, body, "the body")) != SCIM_FACTS_OK)
		return rc;
	if (!scim_facts_schemas_has(scim_facts_get(body, "schemas"),
	    SCIM_URN_SEARCH))
		return scim_facts_fail(x, SCIM_FACTS_INVALID_SYNTAX, "a .search "
		    "body's schemas must list " SCIM_URN_SEARCH);
	if ((v = scim_facts_get(body, "filter")) != NULL) {
		if (!json_is_string(v))
			return scim_facts_fail(x, SCIM_FACTS_INVALID_FILTER,
			    "filter must be a string");
		if ((rc = facts_filter_text(x, json_string_value(v),
		    json_string_length(v), ".search filter")) != SCIM_FACTS_OK)
			return rc;
	}
	if ((v = scim_facts_get(body, "sortBy")) != NULL) {
		if (!json_is_string(v))
			return scim_facts_fail(x, SCIM_FACTS_INVALID_VALUE,
			    "sortBy must be a string");
		return facts_sortby_text(x, json_string_value(v),
		    json_string_length(v));
	}
	return SCIM_FACTS_OK;
}

enum scim_facts_err
scim_facts_body(struct scim_fx *x, const json_t *body)
{
	switch (x->f->op) {
	case SCIM_OP_CREATE:
	case SCIM_OP_REPLACE:
		return scim_facts_resource(x, body);
	case SCIM_OP_PATCH:
		return scim_facts_patch(x, body);
	case SCIM_OP_SEARCH:
		return facts_search(x, body);
	case SCIM_OP_BULK:
		return scim_facts_bulk(x, body);
	default:
		return SCIM_FACTS_OK;
	}
}

static int
facts_takes_body(const struct scim_facts *f)
{
	return strcmp(f->method, "POST") == 0 || strcmp(f->method, "PUT") == 0 ||
	    strcmp(f->method, "PATCH") == 0;
}

static enum scim_facts_err
facts_from_path(struct scim_fx *x, const char *method, const char *path)
{
	struct scim_facts *f = x->f;
	struct scim_path p;

	switch (scim_path_parse(method, path, &p, x->err, x->errlen)) {
	case SCIM_PATH_OK:
		break;
	case SCIM_PATH_METHOD:
		f->allow = p.allow;
		return SCIM_FACTS_METHOD;
	case SCIM_PATH_NOT_IMPLEMENTED:
		return SCIM_FACTS_NOT_IMPLEMENTED;
	default:
		return SCIM_FACTS_NOT_FOUND;
	}
	snprintf(f->method, sizeof(f->method), "%s", method);
	memcpy(f->upstream, p.upstream, sizeof(f->upstream));
	memcpy(f->endpoint, p.endpoint, sizeof(f->endpoint));
	memcpy(f->resource_type, p.resource_type, sizeof(f->resource_type));
	memcpy(f->id, p.id, sizeof(f->id));
	f->op = p.op;
	f->allow = p.allow;
	return SCIM_FACTS_OK;
}

/* Errors may quote the client's text: keep them printable ASCII. */
static void
facts_clean_err(char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < errlen && err[i] != '\0'; i++)
		if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] > 0x7e)
			err[i] = '?';
}

enum scim_facts_err
scim_facts_derive(const char *method, const char *path, const char *query,
    const char *body, size_t body_len, size_t max_body,
    struct scim_facts *facts, char *err, size_t errlen)
{
	struct scim_fx x = { facts, err, errlen };
	enum scim_facts_err rc;
	json_t *json = NULL;
	size_t max = max_body < SCIM_FACTS_BODY_CEILING ? max_body :
	    SCIM_FACTS_BODY_CEILING;

	memset(facts, 0, sizeof(*facts));
	if (errlen > 0)
		err[0] = '\0';
	if ((rc = facts_from_path(&x, method ? method : "", path ? path :
	    "")) != SCIM_FACTS_OK)
		goto out;
	if (body_len > max) {
		rc = scim_facts_fail(&x, SCIM_FACTS_TOO_LARGE, "the body is %zu "
		    "bytes, over the limit of %zu", body_len, max);
		goto out;
	}
	if (query != NULL && (rc = facts_query(&x, query)) != SCIM_FACTS_OK)
		goto out;
	if (!facts_takes_body(facts)) {
		if (body_len > 0)
			rc = scim_facts_fail(&x, SCIM_FACTS_INVALID_SYNTAX,
			    "%s takes no body", facts->method);
		goto out;
	}
	if ((rc = facts_load(&x, body, body_len, &json)) != SCIM_FACTS_OK)
		goto out;
	rc = scim_facts_body(&x, json);
out:
	json_decref(json);
	if (rc != SCIM_FACTS_OK) {
		const char *allow = rc == SCIM_FACTS_METHOD ? facts->allow :
		    NULL;

		scim_facts_free(facts);
		facts->allow = allow;
		facts_clean_err(err, errlen);
	}
	return rc;
}

static void
facts_list_free(struct scim_facts_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void
scim_facts_free(struct scim_facts *f)
{
	size_t i;

	if (f == NULL)
		return;
	facts_list_free(&f->written);
	facts_list_free(&f->filtered);
	for (i = 0; i < f->nvalues; i++) {
		free(f->values[i].attr);
		free(f->values[i].value);
	}
	free(f->values);
	for (i = 0; i < f->nbulk; i++)
		scim_facts_free(&f->bulk[i]);
	free(f->bulk);
	free(f->bulk_id);
	free(f->bulk_path);
	memset(f, 0, sizeof(*f));
}

int
scim_facts_status(enum scim_facts_err e)
{
	switch (e) {
	case SCIM_FACTS_OK:
		return 200;
	case SCIM_FACTS_NOT_FOUND:
		return 404;
	case SCIM_FACTS_METHOD:
		return 405;
	case SCIM_FACTS_TOO_LARGE:
		return 413;
	case SCIM_FACTS_NOMEM:
		return 500;
	case SCIM_FACTS_NOT_IMPLEMENTED:
		return 501;
	default:
		return 400;
	}
}

const char *
scim_facts_scim_type(enum scim_facts_err e)
{
	switch (e) {
	case SCIM_FACTS_INVALID_FILTER:
		return "invalidFilter";
	case SCIM_FACTS_INVALID_PATH:
		return "invalidPath";
	case SCIM_FACTS_NO_TARGET:
		return "noTarget";
	case SCIM_FACTS_INVALID_SYNTAX:
		return "invalidSyntax";
	case SCIM_FACTS_INVALID_VALUE:
		return "invalidValue";
	default:
		return NULL;
	}
}

const char *
scim_facts_strerror(enum scim_facts_err e)
{
	static const char *names[] = { "ok", "not found", "method not allowed",
	    "too large", "invalid filter", "invalid path", "no target",
	    "invalid syntax", "invalid value", "out of memory",
	    "not implemented" };

	if ((unsigned)e >= sizeof(names) / sizeof(names[0]))
		return "unknown error";
	return names[e];
}
