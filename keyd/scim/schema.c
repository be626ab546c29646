/* scim_validate_request: size, media type and JSON checks, then the
 * operation's own validator (schema_resource.c, schema_patch.c,
 * schema_query.c, schema_bulk.c), then the normalised body out. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/json_depth.h"
#include "keyd/scim/schema_int.h"

static const struct {
	int		 status;
	const char	*type;
	const char	*name;
} errs[] = {
	[SCIM_VALID_OK] = { 200, NULL, "ok" },
	[SCIM_VALID_INVALID_FILTER] = { 400, "invalidFilter", "invalid filter" },
	[SCIM_VALID_TOO_MANY] = { 413, "tooMany", "too many operations" },
	[SCIM_VALID_UNIQUENESS] = { 409, "uniqueness", "not unique" },
	[SCIM_VALID_MUTABILITY] = { 400, "mutability", "mutability" },
	[SCIM_VALID_INVALID_SYNTAX] = { 400, "invalidSyntax", "invalid syntax" },
	[SCIM_VALID_INVALID_PATH] = { 400, "invalidPath", "invalid path" },
	[SCIM_VALID_NO_TARGET] = { 400, "noTarget", "no target" },
	[SCIM_VALID_INVALID_VALUE] = { 400, "invalidValue", "invalid value" },
	[SCIM_VALID_INVALID_VERS] = { 400, "invalidVers", "invalid version" },
	[SCIM_VALID_SENSITIVE] = { 400, "sensitive", "sensitive" },
	[SCIM_VALID_TOO_LARGE] = { 413, NULL, "too large" },
	[SCIM_VALID_MEDIA_TYPE] = { 415, NULL, "unsupported media type" },
	[SCIM_VALID_NOMEM] = { 500, NULL, "out of memory" },
};

#define NERRS	(sizeof(errs) / sizeof(errs[0]))

int
scim_valid_status(enum scim_valid_err e)
{
	return (unsigned)e < NERRS ? errs[e].status : 500;
}

const char *
scim_valid_scim_type(enum scim_valid_err e)
{
	return (unsigned)e < NERRS ? errs[e].type : NULL;
}

const char *
scim_valid_strerror(enum scim_valid_err e)
{
	return (unsigned)e < NERRS ? errs[e].name : "unknown error";
}

enum scim_valid_err
sv_fail(struct sv *v, enum scim_valid_err e, const char *fmt, ...)
{
	struct scim_valid_error *err = v->err;
	va_list ap;
	size_t i;

	err->code = e;
	err->status = scim_valid_status(e);
	err->scim_type = scim_valid_scim_type(e);
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	/* Names come from the client: keep the detail printable. */
	for (i = 0; err->detail[i] != '\0'; i++)
		if ((unsigned char)err->detail[i] < 0x20 ||
		    (unsigned char)err->detail[i] > 0x7e)
			err->detail[i] = '?';
	return e;
}

const char *
sv_safe(const char *s, char *buf, size_t buflen)
{
	size_t i, n = 0;

	for (i = 0; s[i] != '\0' && n + 4 < buflen && i < 64; i++)
		buf[n++] = (s[i] >= 0x20 && s[i] <= 0x7e && s[i] != '"' &&
		    s[i] != '\\') ? s[i] : '?';
	if (s[i] != '\0' && n + 4 <= buflen) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

json_t *
sv_get(const json_t *obj, const char *name)
{
	const char *k;
	json_t *v;

	/* json_object_foreach takes a non-const object; it only reads. */
	json_object_foreach((json_t *)(uintptr_t)obj, k, v)
		if (strcasecmp(k, name) == 0)
			return v;
	return NULL;
}

enum scim_valid_err
sv_members(struct sv *v, const json_t *obj, const char *where)
{
	json_t *o = (json_t *)(uintptr_t)obj;
	char buf[72];
	void *i, *j;

	if (json_object_size(obj) > SCIM_VALID_MAX_MEMBERS)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "%s has more than "
		    "%d members", where, SCIM_VALID_MAX_MEMBERS);
	/* Two names equal but for case are one attribute set twice, and
	 * which one an upstream keeps is anyone's guess. */
	for (i = json_object_iter(o); i; i = json_object_iter_next(o, i))
		for (j = json_object_iter_next(o, i); j;
		    j = json_object_iter_next(o, j))
			if (strcasecmp(json_object_iter_key(i),
			    json_object_iter_key(j)) == 0)
				return sv_fail(v, SCIM_VALID_INVALID_SYNTAX,
				    "%s names \"%s\" twice (names are "
				    "case-insensitive)", where, sv_safe(
				    json_object_iter_key(j), buf, sizeof(buf)));
	return SCIM_VALID_OK;
}

const char *
sv_path(char *out, size_t outlen, const char *a, const char *b)
{
	snprintf(out, outlen, "%s%s%s", a, b ? "." : "", b ? b : "");
	return out;
}

static enum scim_valid_err
sv_load(struct sv *v, const char *body, size_t len, json_t **out)
{
	json_error_t je;

	if (!scim_json_depth_ok(body, len, SCIM_VALID_JSON_DEPTH))
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "the body nests "
		    "more than %d levels deep", SCIM_VALID_JSON_DEPTH);
	/* jansson's message may quote the text; give only where. */
	if ((*out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "the body is not "
		    "valid JSON (line %d, column %d)%s", je.line, je.column,
		    strstr(je.text, "duplicate") ? ": a member is repeated" :
		    "");
	if (!json_is_object(*out))
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "the body must be "
		    "a JSON object");
	return SCIM_VALID_OK;
}

static int
sv_takes_body(const char *method, const struct scim_path *p)
{
	switch (p->op) {
	case SCIM_OP_CREATE:
	case SCIM_OP_REPLACE:
	case SCIM_OP_PATCH:
	case SCIM_OP_BULK:
		return 1;
	case SCIM_OP_SEARCH:
		return method != NULL && strcmp(method, "POST") == 0;
	default:
		return 0;
	}
}

static enum scim_valid_err
sv_dispatch(struct sv *v, const json_t *in, json_t **out)
{
	switch (v->op) {
	case SCIM_OP_CREATE:
	case SCIM_OP_REPLACE:
		return sv_resource(v, in, out);
	case SCIM_OP_PATCH:
		return sv_patch(v, in, out);
	case SCIM_OP_SEARCH:
		return sv_search(v, in, out);
	case SCIM_OP_BULK:
		return sv_bulk(v, in, out);
	default:
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "this operation "
		    "takes no body");
	}
}

/* The body checks, up to the normalised tree in *TREE. */
static enum scim_valid_err
sv_body(struct sv *v, const char *ct, const char *body, size_t len,
    size_t max, json_t **tree)
{
	enum scim_valid_err rc;
	json_t *in = NULL;

	if (len > max)
		return sv_fail(v, SCIM_VALID_TOO_LARGE, "the body is %zu bytes, "
		    "over the limit of %zu", len, max);
	if (body == NULL || len == 0)
		return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "this request "
		    "needs a JSON body");
	if (scim_content_type_check(ct) == -1)
		return sv_fail(v, SCIM_VALID_MEDIA_TYPE, "Content-Type must be "
		    "application/scim+json or application/json, optionally "
		    "with charset=utf-8");
	if ((rc = sv_load(v, body, len, &in)) == SCIM_VALID_OK)
		rc = sv_dispatch(v, in, tree);
	json_decref(in);
	return rc;
}

static enum scim_valid_err
sv_dump(struct sv *v, const json_t *tree, char **out, size_t *outlen)
{
	/* 15 significant digits give back a decimal as the client wrote it
	 * (0.1, not 0.10000000000000001) for any up to that precision. */
	if ((*out = json_dumps(tree, JSON_COMPACT | JSON_REAL_PRECISION(15))) ==
	    NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	*outlen = strlen(*out);
	return SCIM_VALID_OK;
}

enum scim_valid_err
scim_validate_request(const struct scim_schema_set *set,
    const char *method, const struct scim_path *path, const char *query,
    const char *content_type, const char *body, size_t len, size_t max_body,
    size_t max_bulk_ops, char **out, size_t *outlen,
    struct scim_valid_error *err)
{
	struct sv v = { set ? set : scim_schema_core(), NULL, path->op,
	    path->upstream, path->endpoint, path->id, max_bulk_ops, NULL };
	size_t max = max_body < SCIM_VALID_BODY_CEILING ? max_body :
	    SCIM_VALID_BODY_CEILING;
	enum scim_valid_err rc;
	json_t *tree = NULL;

	memset(err, 0, sizeof(*err));
	err->status = 200;
	v.err = err;
	*out = NULL;
	*outlen = 0;
	v.rt = scim_set_rtype(v.set, path->endpoint);
	if (query != NULL && query[0] != '\0' &&
	    (rc = sv_query(&v, query)) != SCIM_VALID_OK)
		return rc;
	if (!sv_takes_body(method, path)) {
		if (len > 0)
			return sv_fail(&v, SCIM_VALID_INVALID_SYNTAX, "a %s "
			    "request takes no body", scim_path_op_name(path->op));
		return SCIM_VALID_OK;
	}
	if ((rc = sv_body(&v, content_type, body, len, max, &tree)) ==
	    SCIM_VALID_OK)
		rc = sv_dump(&v, tree, out, outlen);
	json_decref(tree);
	return rc;
}

char *
scim_valid_error_body(const struct scim_valid_error *err)
{
	char status[16];
	json_t *o;
	char *s;

	snprintf(status, sizeof(status), "%d", err->status);
	o = json_pack("{s:[s],s:s,s:s}", "schemas", SCIM_URN_ERROR, "status",
	    status, "detail", err->detail);
	if (o != NULL && err->scim_type != NULL &&
	    json_object_set_new(o, "scimType", json_string(err->scim_type)) ==
	    -1) {
		json_decref(o);
		return NULL;
	}
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static const char *
ct_skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Does WORD (case-insensitive) start at *S? Advances past it. */
static int
ct_word(const char **s, const char *word)
{
	size_t n = strlen(word);

	if (strncasecmp(*s, word, n) != 0)
		return 0;
	*s += n;
	return 1;
}

/* The parameter after ';': only charset=utf-8, the value maybe quoted. */
static int
ct_param(const char **s)
{
	const char *p = ct_skip_ows(*s);
	int quoted;

	if (!ct_word(&p, "charset"))
		return -1;
	p = ct_skip_ows(p);
	if (*p++ != '=')
		return -1;
	p = ct_skip_ows(p);
	quoted = *p == '"';
	p += quoted;
	if (!ct_word(&p, "utf-8"))
		return -1;
	if (quoted && *p++ != '"')
		return -1;
	*s = ct_skip_ows(p);
	return 0;
}

int
scim_content_type_check(const char *ct)
{
	const char *p;
	int charset = 0;

	if (ct == NULL)
		return -1;
	p = ct_skip_ows(ct);
	if (!ct_word(&p, "application/scim+json") &&
	    !ct_word(&p, "application/json"))
		return -1;
	p = ct_skip_ows(p);
	while (*p == ';') {
		p++;
		if (charset++ || ct_param(&p) == -1)
			return -1;
	}
	return *p == '\0' ? 0 : -1;
}

void
sv_prefix(struct sv *v, const char *prefix)
{
	char tmp[SCIM_VALID_DETAIL_MAX + 64];

	snprintf(tmp, sizeof(tmp), "%.60s: %s", prefix, v->err->detail);
	snprintf(v->err->detail, sizeof(v->err->detail), "%.*s",
	    (int)sizeof(v->err->detail) - 1, tmp);
}

const char *
sv_filter_msg(const struct scim_filter_error *fe, char *buf, size_t buflen)
{
	const char *m = fe->msg;
	size_t n = 0;

	while (*m != '\0' && n + 6 < buflen) {
		if (*m != '"') {
			buf[n++] = *m++;
			continue;
		}
		for (m++; *m != '\0' && *m != '"'; m++)
			if (*m == '\\' && m[1] != '\0')
				m++;
		if (*m == '"')
			m++;
		memcpy(buf + n, "\"...\"", 5);
		n += 5;
	}
	buf[n] = '\0';
	return buf;
}
