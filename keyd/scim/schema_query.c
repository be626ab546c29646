/* Query parameters (RFC 7644 §3.4.2, §3.9) and .search bodies (§3.4.3):
 * attribute paths that name known attributes, filters by the grammar of
 * filter.c, and the paging and sorting values. The query string is
 * checked, not rewritten; a .search body is forwarded normalised. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyd/form.h"
#include "keyd/scim/schema_int.h"

#define LIST_MAX	64	/* paths in attributes= or excludedAttributes= */

enum qparam { Q_ATTRS, Q_EXCL, Q_FILTER, Q_SORTBY, Q_SORTORDER, Q_START,
    Q_COUNT, Q_NONE };

static const char *const qnames[] = { "attributes", "excludedAttributes",
    "filter", "sortBy", "sortOrder", "startIndex", "count" };

/* PATH[.sub] in schema S, or in the resource type's base and common
 * attributes when S is NULL. */
static const struct scim_attr *
path_lookup(struct sv *v, const struct scim_schema *s, const char *name)
{
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);
	const struct scim_attr *a = s ? scim_schema_attr(s, name, n) :
	    scim_rtype_attr(v->rt, name, n);

	if (a == NULL || dot == NULL)
		return a;
	return scim_attr_sub(a, dot + 1, strlen(dot + 1));
}

/* Is URN (LEN bytes) the base schema or an extension of v->rt? Sets *S
 * to the extension, NULL for the base. */
static int
path_schema(struct sv *v, const char *urn, size_t len,
    const struct scim_schema **s)
{
	*s = NULL;
	if (strlen(v->rt->base->urn) == len &&
	    strncasecmp(v->rt->base->urn, urn, len) == 0)
		return 1;
	return (*s = scim_rtype_ext(v->rt, urn, len, NULL)) != NULL;
}

static enum scim_valid_err
path_resolve(struct sv *v, const char *text, const char *attr,
    enum scim_valid_err e, const struct scim_attr **out)
{
	const struct scim_schema *s = NULL;
	const struct scim_attr *a;
	const char *name = attr, *colon;
	char buf[72];

	if (strncasecmp(attr, "urn:", 4) == 0) {
		colon = strrchr(attr, ':');
		if (!path_schema(v, attr, (size_t)(colon - attr), &s))
			goto unknown;
		name = colon + 1;
	}
	if ((a = path_lookup(v, s, name)) == NULL)
		goto unknown;
	if (out != NULL)
		*out = a;
	return SCIM_VALID_OK;
unknown:
	return sv_fail(v, e, "unknown attribute \"%s\" of %s", sv_safe(text,
	    buf, sizeof(buf)), v->rt->name);
}

enum scim_valid_err
sv_attr_path(struct sv *v, const char *path, enum scim_valid_err e,
    const struct scim_attr **attr)
{
	const struct scim_schema *s;
	struct scim_filter_path p;
	struct scim_filter_error fe;
	char msg[SCIM_FILTER_ERR_MAX];

	if (attr != NULL)
		*attr = NULL;
	if (scim_filter_parse_path(path, strlen(path), &p, &fe) == -1) {
		/* A whole extension is an attribute set of its own. */
		if (v->rt != NULL && path_schema(v, path, strlen(path), &s))
			return SCIM_VALID_OK;
		return sv_fail(v, e, "attribute path %s", sv_filter_msg(&fe,
		    msg, sizeof(msg)));
	}
	if (p.has_filter)
		return sv_fail(v, e, "an attribute path here names an "
		    "attribute, not a value filter");
	if (v->rt == NULL || path_schema(v, path, strlen(path), &s))
		return SCIM_VALID_OK;
	return path_resolve(v, path, p.attr, e, attr);
}

/* A filter (LEN bytes); IN_URL: from the query string, where a secret
 * attribute is "sensitive" (RFC 7644 §3.12 Table 9). */
static enum scim_valid_err
sv_filter(struct sv *v, const char *s, size_t len, int in_url)
{
	struct scim_filter_attrs *fa;
	struct scim_filter_error fe;
	const struct scim_attr *a;
	enum scim_valid_err rc = SCIM_VALID_OK;
	char msg[SCIM_FILTER_ERR_MAX];
	size_t i;

	if ((fa = malloc(sizeof(*fa))) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	if (scim_filter_parse(s, len, fa, &fe) == -1)
		rc = sv_fail(v, SCIM_VALID_INVALID_FILTER, "filter %s",
		    sv_filter_msg(&fe, msg, sizeof(msg)));
	for (i = 0; rc == SCIM_VALID_OK && i < fa->n; i++) {
		if ((rc = sv_attr_path(v, fa->path[i], SCIM_VALID_INVALID_FILTER,
		    &a)) != SCIM_VALID_OK || a == NULL ||
		    !(a->mut == SCIM_MUT_WRITEONLY || (a->flags & SCIM_AF_NEVER)))
			continue;
		rc = in_url ? sv_fail(v, SCIM_VALID_SENSITIVE, "the filter "
		    "names %s, which must not appear in a URL", a->name) :
		    sv_fail(v, SCIM_VALID_INVALID_FILTER, "%s is never returned "
		    "and cannot be filtered on", a->name);
	}
	free(fa);
	return rc;
}

static void
trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

/* "userName, emails.value": comma-separated attribute paths, spaces
 * around each tolerated. */
static enum scim_valid_err
sv_attr_list(struct sv *v, const char *what, char *s)
{
	enum scim_valid_err rc;
	char *item, *end;
	size_t n = 0;

	for (item = s; item != NULL; item = end ? end + 1 : NULL) {
		if ((end = strchr(item, ',')) != NULL)
			*end = '\0';
		while (*item == ' ')
			item++;
		trim_end(item);
		if (*item == '\0' || ++n > LIST_MAX)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must be "
			    "up to %d attribute paths separated by commas",
			    what, LIST_MAX);
		if ((rc = sv_attr_path(v, item, SCIM_VALID_INVALID_VALUE,
		    NULL)) != SCIM_VALID_OK) {
			sv_prefix(v, what);
			return rc;
		}
	}
	return SCIM_VALID_OK;
}

/* An integer of at most 9 digits, optionally signed: startIndex below 1
 * means 1 and count below 0 means 0 (RFC 7644 §3.4.2.4), which the
 * upstream applies. */
static enum scim_valid_err
sv_int_text(struct sv *v, const char *what, const char *s)
{
	size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0, start = i;

	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == start || s[i] != '\0' || i - start > 9)
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must be an "
		    "integer", what);
	return SCIM_VALID_OK;
}

static enum scim_valid_err
sv_sort_order(struct sv *v, const char *s)
{
	if (strcasecmp(s, "ascending") == 0 || strcasecmp(s, "descending") == 0)
		return SCIM_VALID_OK;
	return sv_fail(v, SCIM_VALID_INVALID_VALUE, "sortOrder must be "
	    "ascending or descending");
}

static enum scim_valid_err
sv_param(struct sv *v, enum qparam q, char *s, size_t len)
{
	switch (q) {
	case Q_ATTRS:
	case Q_EXCL:
		return sv_attr_list(v, qnames[q], s);
	case Q_FILTER:
		return sv_filter(v, s, len, 1);
	case Q_SORTBY:
		return sv_attr_path(v, s, SCIM_VALID_INVALID_VALUE, NULL);
	case Q_SORTORDER:
		return sv_sort_order(v, s);
	default:
		return sv_int_text(v, qnames[q], s);
	}
}

static enum qparam
sv_qparam(const char *raw, size_t len)
{
	char name[24];
	int i;

	if (form_unescape(raw, len, name, sizeof(name)) == -1)
		return Q_NONE;
	for (i = 0; i < Q_NONE; i++)
		if (strcasecmp(name, qnames[i]) == 0)
			return (enum qparam)i;
	return Q_NONE;
}

/* One known parameter Q with its raw value (LEN bytes). */
static enum scim_valid_err
sv_qvalue(struct sv *v, enum qparam q, const char *raw, size_t len)
{
	enum scim_valid_err rc, e = q == Q_FILTER ? SCIM_VALID_INVALID_FILTER :
	    SCIM_VALID_INVALID_VALUE;
	char *s;

	if ((s = malloc(len + 1)) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	if (form_unescape(raw, len, s, len + 1) == -1)
		rc = sv_fail(v, e, "%s: a bad percent-escape or a NUL in the "
		    "query string", qnames[q]);
	else if (s[0] == '\0')
		rc = sv_fail(v, e, "%s is empty", qnames[q]);
	else
		rc = sv_param(v, q, s, strlen(s));
	free(s);
	return rc;
}

enum scim_valid_err
sv_query(struct sv *v, const char *query)
{
	enum scim_valid_err rc;
	const char *p, *end, *eq;
	unsigned seen = 0;
	enum qparam q;

	if (strlen(query) > SCIM_VALID_QUERY_MAX)
		return sv_fail(v, SCIM_VALID_TOO_LARGE, "the query string is "
		    "longer than %d bytes", SCIM_VALID_QUERY_MAX);
	for (p = query; *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(end - p));
		if ((q = sv_qparam(p, (size_t)((eq ? eq : end) - p))) == Q_NONE)
			continue;
		/* Upstreams differ on which of two they would use. */
		if (seen & (1u << q))
			return sv_fail(v, q == Q_FILTER ?
			    SCIM_VALID_INVALID_FILTER : SCIM_VALID_INVALID_VALUE,
			    "%s appears twice in the query string", qnames[q]);
		seen |= 1u << q;
		eq = eq ? eq + 1 : end;
		if ((rc = sv_qvalue(v, q, eq, (size_t)(end - eq))) !=
		    SCIM_VALID_OK)
			return rc;
	}
	return SCIM_VALID_OK;
}

/* A .search member Q with value IN, checked, into OUT. */
static enum scim_valid_err
search_member(struct sv *v, enum qparam q, const json_t *in, json_t *out)
{
	enum scim_valid_err rc = SCIM_VALID_OK;
	const char *s = json_string_value(in);
	size_t i;

	if (q == Q_ATTRS || q == Q_EXCL) {
		if (!json_is_array(in) || json_array_size(in) > LIST_MAX)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must be "
			    "an array of up to %d attribute paths", qnames[q],
			    LIST_MAX);
		for (i = 0; rc == SCIM_VALID_OK && i < json_array_size(in); i++)
			rc = (s = json_string_value(json_array_get(in, i))) ?
			    sv_attr_path(v, s, SCIM_VALID_INVALID_VALUE, NULL) :
			    sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must hold "
			    "strings", qnames[q]);
	} else if (q == Q_START || q == Q_COUNT) {
		if (!json_is_integer(in))
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must be "
			    "an integer", qnames[q]);
	} else if (s == NULL || strlen(s) != json_string_length(in))
		return sv_fail(v, q == Q_FILTER ? SCIM_VALID_INVALID_FILTER :
		    SCIM_VALID_INVALID_VALUE, "%s must be a string", qnames[q]);
	else if (q == Q_FILTER)
		rc = sv_filter(v, s, strlen(s), 0);
	else if (q == Q_SORTBY)
		rc = sv_attr_path(v, s, SCIM_VALID_INVALID_VALUE, NULL);
	else if ((rc = sv_sort_order(v, s)) == SCIM_VALID_OK)
		return json_object_set_new(out, qnames[q], json_string(
		    strcasecmp(s, "ascending") ? "descending" : "ascending")) ?
		    sv_fail(v, SCIM_VALID_NOMEM, "out of memory") : rc;
	if (rc == SCIM_VALID_OK && json_object_set(out, qnames[q],
	    (json_t *)(uintptr_t)in) == -1)
		rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	return rc;
}

static enum scim_valid_err
search_members(struct sv *v, const json_t *in, json_t *out)
{
	enum scim_valid_err rc;
	const char *k;
	char buf[72];
	json_t *m;
	int q;

	json_object_foreach((json_t *)(uintptr_t)in, k, m) {
		if (strcasecmp(k, "schemas") == 0)
			continue;
		for (q = 0; q < Q_NONE; q++)
			if (strcasecmp(k, qnames[q]) == 0)
				break;
		if (q == Q_NONE)
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "unknown "
			    "member \"%s\" in a SearchRequest", sv_safe(k, buf,
			    sizeof(buf)));
		if ((rc = search_member(v, (enum qparam)q, m, out)) !=
		    SCIM_VALID_OK)
			return rc;
	}
	return SCIM_VALID_OK;
}

enum scim_valid_err
sv_search(struct sv *v, const json_t *in, json_t **out)
{
	enum scim_valid_err rc;
	json_t *schemas = NULL;

	*out = NULL;
	if ((rc = sv_members(v, in, "the body")) != SCIM_VALID_OK ||
	    (rc = sv_norm_msg_schemas(v, sv_get(in, "schemas"),
	    SCIM_URN_SEARCH_REQ, ".search", &schemas)) != SCIM_VALID_OK)
		return rc;
	if ((*out = json_pack("{s:o}", "schemas", schemas)) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	if ((rc = search_members(v, in, *out)) != SCIM_VALID_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
