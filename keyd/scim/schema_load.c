/* scim_schema_set_load: an upstream's GET /Schemas (RFC 7643 §7) and
 * GET /ResourceTypes (§6) answers → a schema set. Everything the set
 * holds lives in one arena, freed at once; the JSON is not kept. The
 * resource types are read in schema_load_rt.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/schema_load.h"

#define ARENA_MAX	(32u << 20)	/* bytes one set may hold */
#define NAME_MAX_LEN	64
#define CANON_MAX_LEN	128
#define SUB_DEPTH	2		/* complex in complex: one level */

struct anode {
	struct anode	*next;
	max_align_t	 data[];
};

struct scim_arena {
	struct anode	*head;
	size_t		 total;
};

int
ld_fail(struct ld *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->err, l->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void *
ld_alloc(struct ld *l, size_t n)
{
	struct scim_arena *ar = l->ar;
	struct anode *a;

	if (n > ARENA_MAX || ar->total + n > ARENA_MAX) {
		ld_fail(l, "the schemas need more than %u bytes", ARENA_MAX);
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a) + n)) == NULL) {
		ld_fail(l, "out of memory");
		return NULL;
	}
	a->next = ar->head;
	ar->head = a;
	ar->total += n;
	return a->data;
}

char *
ld_strdup(struct ld *l, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if ((p = ld_alloc(l, n)) != NULL)
		memcpy(p, s, n);
	return p;
}

static void
arena_free(struct scim_arena *ar)
{
	struct anode *a, *next;

	if (ar == NULL)
		return;
	for (a = ar->head; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(ar);
}

const json_t *
ld_get(const json_t *obj, const char *name)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)(uintptr_t)obj, k, v)
		if (strcasecmp(k, name) == 0)
			return v;
	return NULL;
}

/* A ListResponse's Resources, or DOC itself when it is an array. */
const json_t *
ld_resources(struct ld *l, const json_t *doc, const char *what)
{
	const json_t *r = json_is_array(doc) ? doc :
	    json_is_object(doc) ? ld_get(doc, "Resources") : NULL;

	if (!json_is_array(r)) {
		ld_fail(l, "%s: expected a ListResponse with Resources, or an "
		    "array", what);
		return NULL;
	}
	return r;
}

/* ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_"), or "$ref". */
static int
ld_attrname_ok(const char *s)
{
	size_t i;

	if (strcmp(s, "$ref") == 0)
		return 1;
	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return i <= NAME_MAX_LEN;
}

static int
ld_keyword(struct ld *l, const json_t *a, const char *member,
    const char *const *words, int dflt, const char *where)
{
	const json_t *v = ld_get(a, member);
	const char *s;
	int i;

	if (v == NULL)
		return dflt;
	if ((s = json_string_value(v)) != NULL)
		for (i = 0; words[i] != NULL; i++)
			if (strcasecmp(s, words[i]) == 0)
				return i;
	return ld_fail(l, "%s: unknown %s", where, member);
}

static int
ld_flag(struct ld *l, const json_t *a, const char *member, unsigned bit,
    unsigned *flags, const char *where)
{
	const json_t *v = ld_get(a, member);

	if (v == NULL || json_is_false(v))
		return 0;
	if (!json_is_true(v))
		return ld_fail(l, "%s: %s must be true or false", where, member);
	*flags |= bit;
	return 0;
}

static int
ld_canon(struct ld *l, const json_t *a, struct scim_attr *out,
    const char *where)
{
	const json_t *c = ld_get(a, "canonicalValues");
	const char **v;
	size_t i, n;

	if (c == NULL || (n = json_array_size(c)) == 0)
		return 0;
	if (n > SCIM_SCHEMA_MAX_CANON)
		return ld_fail(l, "%s: more than %d canonicalValues", where,
		    SCIM_SCHEMA_MAX_CANON);
	if ((v = ld_alloc(l, (n + 1) * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(c, i));

		if (s == NULL || strlen(s) > CANON_MAX_LEN)
			return ld_fail(l, "%s: canonicalValues must be strings "
			    "of at most %d bytes", where, CANON_MAX_LEN);
		if ((v[i] = ld_strdup(l, s)) == NULL)
			return -1;
	}
	out->canon = v;
	return 0;
}

static int ld_attrs(struct ld *, const json_t *, const char *, int,
    const struct scim_attr **, size_t *);

/* One attribute definition A of WHERE ("urn:…", "urn:…:emails") into OUT. */
static int
ld_attr(struct ld *l, const json_t *a, const char *where, int depth,
    struct scim_attr *out)
{
	static const char *const types[] = { "string", "boolean", "decimal",
	    "integer", "dateTime", "reference", "complex", "binary", NULL };
	static const char *const muts[] = { "readWrite", "readOnly",
	    "immutable", "writeOnly", NULL };
	static const char *const rets[] = { "default", "always", "request",
	    "never", NULL };
	const char *name = json_string_value(ld_get(a, "name"));
	char here[SCIM_SCHEMA_ERR_MAX / 2];
	int t, m, r;

	if (!json_is_object(a) || name == NULL || !ld_attrname_ok(name))
		return ld_fail(l, "%.100s: an attribute needs a name of at most "
		    "%d bytes: a letter, then letters, digits, '-' or '_'",
		    where, NAME_MAX_LEN);
	snprintf(here, sizeof(here), "%.60s:%s", where, name);
	if ((t = ld_keyword(l, a, "type", types, 0, here)) == -1 ||
	    (m = ld_keyword(l, a, "mutability", muts, 0, here)) == -1 ||
	    (r = ld_keyword(l, a, "returned", rets, 0, here)) == -1)
		return -1;
	if ((out->name = ld_strdup(l, name)) == NULL)
		return -1;
	out->type = (enum scim_type)t;
	out->mut = (enum scim_mut)m;
	if (r == 3)
		out->flags |= SCIM_AF_NEVER;
	if (ld_flag(l, a, "multiValued", SCIM_AF_MULTI, &out->flags, here) ==
	    -1 || ld_flag(l, a, "required", SCIM_AF_REQUIRED, &out->flags,
	    here) == -1 || ld_canon(l, a, out, here) == -1)
		return -1;
	if (out->type != SCIM_TYPE_COMPLEX)
		return 0;
	if (depth >= SUB_DEPTH)
		return ld_fail(l, "%s: complex attributes nest too deep", here);
	return ld_attrs(l, ld_get(a, "subAttributes"), here, depth + 1,
	    &out->sub, &out->nsub);
}

/* The attribute list DEFS (NULL: none) into *OUT, *N. */
static int
ld_attrs(struct ld *l, const json_t *defs, const char *where, int depth,
    const struct scim_attr **out, size_t *n)
{
	struct scim_attr *v;
	size_t i, j, max = depth ? SCIM_SCHEMA_MAX_SUBS : SCIM_SCHEMA_MAX_ATTRS;

	*out = NULL;
	*n = json_array_size(defs);
	if (defs != NULL && !json_is_array(defs))
		return ld_fail(l, "%.100s: attributes must be an array", where);
	if (*n == 0)
		return 0;
	if (*n > max)
		return ld_fail(l, "%.100s: more than %zu attributes", where,
		    max);
	if ((v = ld_alloc(l, *n * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < *n; i++) {
		if (ld_attr(l, json_array_get(defs, i), where, depth, &v[i]) ==
		    -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcasecmp(v[i].name, v[j].name) == 0)
				return ld_fail(l, "%.100s: attribute %s is "
				    "defined twice", where, v[i].name);
	}
	*out = v;
	return 0;
}

/* Core attribute CORE with the sub-attributes UP adds, into OUT. */
static int
ld_merge_subs(struct ld *l, const struct scim_attr *core,
    const struct scim_attr *up, struct scim_attr *out)
{
	struct scim_attr *subs;
	size_t i, n = core->nsub;

	*out = *core;
	if (core->type != SCIM_TYPE_COMPLEX || up->type != SCIM_TYPE_COMPLEX)
		return 0;
	if ((subs = ld_alloc(l, (core->nsub + up->nsub) * sizeof(*subs) +
	    1)) == NULL)
		return -1;
	memcpy(subs, core->sub, core->nsub * sizeof(*subs));
	for (i = 0; i < up->nsub; i++)
		if (scim_attr_sub(core, up->sub[i].name,
		    strlen(up->sub[i].name)) == NULL)
			subs[n++] = up->sub[i];
	if (n > SCIM_SCHEMA_SUBS_CAP)
		return ld_fail(l, "%s: more than %d sub-attributes", core->name,
		    SCIM_SCHEMA_SUBS_CAP);
	out->sub = subs;
	out->nsub = n;
	return 0;
}

/* A core schema CORE as the upstream UP extends it: RFC 7643's
 * definitions, then the attributes and sub-attributes UP adds. */
static int
ld_merge(struct ld *l, const struct scim_schema *core,
    struct scim_schema *up)
{
	struct scim_attr *v;
	const struct scim_attr *c;
	size_t i, n = 0;

	if (core->nattrs + up->nattrs > SCIM_SCHEMA_MAX_ATTRS)
		return ld_fail(l, "%s: more than %d attributes", core->urn,
		    SCIM_SCHEMA_MAX_ATTRS);
	if ((v = ld_alloc(l, (core->nattrs + up->nattrs) * sizeof(*v))) ==
	    NULL)
		return -1;
	for (i = 0; i < core->nattrs; i++) {
		const struct scim_attr *u = scim_schema_attr(up,
		    core->attrs[i].name, strlen(core->attrs[i].name));

		if (u == NULL)
			v[n++] = core->attrs[i];
		else if (ld_merge_subs(l, &core->attrs[i], u, &v[n++]) == -1)
			return -1;
	}
	for (i = 0; i < up->nattrs; i++) {
		c = &up->attrs[i];
		if (scim_schema_attr(core, c->name, strlen(c->name)) == NULL)
			v[n++] = *c;
	}
	up->urn = core->urn;
	up->attrs = v;
	up->nattrs = n;
	return 0;
}

static const struct scim_schema *
ld_core_schema(const char *urn)
{
	const struct scim_schema_set *core = scim_schema_core();

	return scim_set_schema(core, urn, strlen(urn));
}

/* One schema resource R into l->schemas. */
static int
ld_schema(struct ld *l, const json_t *r)
{
	const char *urn = json_string_value(ld_get(r, "id"));
	const struct scim_schema *core;
	struct scim_schema *s;
	size_t i;

	if (!json_is_object(r) || urn == NULL || strncasecmp(urn, "urn:", 4) !=
	    0 || strlen(urn) > SCIM_ATTR_PATH_MAX / 2)
		return ld_fail(l, "a schema needs an id: a URN of at most %d "
		    "bytes", SCIM_ATTR_PATH_MAX / 2);
	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->schemas[i]->urn, urn) == 0)
			return ld_fail(l, "schema %.100s is listed twice", urn);
	if (l->n == SCIM_SCHEMA_MAX_SCHEMAS)
		return ld_fail(l, "more than %d schemas",
		    SCIM_SCHEMA_MAX_SCHEMAS);
	if ((s = ld_alloc(l, sizeof(*s))) == NULL ||
	    (s->urn = ld_strdup(l, urn)) == NULL ||
	    ld_attrs(l, ld_get(r, "attributes"), urn, 0, &s->attrs,
	    &s->nattrs) == -1)
		return -1;
	if ((core = ld_core_schema(urn)) != NULL && ld_merge(l, core, s) == -1)
		return -1;
	l->schemas[l->n++] = s;
	return 0;
}

/* The core schemas the upstream did not list, kept as they are. */
static int
ld_add_core(struct ld *l)
{
	const struct scim_schema_set *core = scim_schema_core();
	size_t i, j;

	for (i = 0; i < core->nschemas; i++) {
		for (j = 0; j < l->n; j++)
			if (l->schemas[j]->urn == core->schemas[i]->urn)
				break;
		if (j < l->n)
			continue;
		if (l->n == SCIM_SCHEMA_MAX_SCHEMAS + 3)
			return ld_fail(l, "too many schemas");
		l->schemas[l->n++] = core->schemas[i];
	}
	return 0;
}

static int
ld_doc(struct ld *l, const char *s, size_t len, const char *what,
    json_t **out)
{
	json_error_t je;

	*out = NULL;
	if (s == NULL || len == 0)
		return ld_fail(l, "%s: empty document", what);
	if (len > SCIM_SCHEMA_DOC_MAX)
		return ld_fail(l, "%s: %zu bytes, over the limit of %u", what,
		    len, SCIM_SCHEMA_DOC_MAX);
	if ((*out = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return ld_fail(l, "%s: not valid JSON: %.100s (line %d)", what,
		    je.text, je.line);
	return 0;
}

static int
ld_schemas(struct ld *l, const char *s, size_t len)
{
	const json_t *r;
	json_t *doc;
	size_t i;
	int rc = -1;

	if (ld_doc(l, s, len, "/Schemas", &doc) == -1)
		return -1;
	if ((r = ld_resources(l, doc, "/Schemas")) == NULL)
		goto out;
	for (i = 0; i < json_array_size(r); i++)
		if (ld_schema(l, json_array_get(r, i)) == -1)
			goto out;
	rc = ld_add_core(l);
out:
	json_decref(doc);
	return rc;
}

static int
ld_rtypes_doc(struct ld *l, const char *s, size_t len)
{
	json_t *doc;
	int rc;

	if (s == NULL)
		return ld_rtypes_default(l);
	if (ld_doc(l, s, len, "/ResourceTypes", &doc) == -1)
		return -1;
	rc = ld_rtypes(l, doc);
	json_decref(doc);
	return rc;
}

int
scim_schema_set_load(const char *schemas, size_t len,
    const char *resource_types, size_t rtlen, struct scim_schema_set **out,
    char *err, size_t errlen)
{
	struct scim_schema_set *set = NULL;
	struct ld *l;
	int rc = -1;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->ar = calloc(1, sizeof(*l->ar))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	l->err = err;
	l->errlen = errlen;
	if (ld_schemas(l, schemas, len) == -1 ||
	    ld_rtypes_doc(l, resource_types, rtlen) == -1 ||
	    ld_finish(l, &set) == -1)
		goto out;
	l->ar = NULL;
	*out = set;
	rc = 0;
out:
	if (l != NULL)
		arena_free(l->ar);
	free(l);
	return rc;
}

void
scim_schema_set_free(struct scim_schema_set **set)
{
	struct scim_arena *ar;

	if (set == NULL || *set == NULL)
		return;
	/* The set itself lives in its arena; the core set has none. */
	ar = (*set)->arena;
	*set = NULL;
	arena_free(ar);
}
