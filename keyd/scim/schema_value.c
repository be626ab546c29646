/* One attribute value against its definition (RFC 7643 §2.3 data types,
 * §2.4 multi-valued attributes), copied into the normalised tree.
 * Details name the attribute and its type, never the value. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/schema_int.h"

#define PATH_BUF	(SCIM_ATTR_PATH_MAX + 32)

static const char *const type_names[] = {
	[SCIM_TYPE_STRING] = "a string",
	[SCIM_TYPE_BOOLEAN] = "true or false",
	[SCIM_TYPE_DECIMAL] = "a number",
	[SCIM_TYPE_INTEGER] = "an integer",
	[SCIM_TYPE_DATETIME] = "an xsd:dateTime string such as "
	    "\"2024-05-01T12:00:00Z\"",
	[SCIM_TYPE_REFERENCE] = "a URI string",
	[SCIM_TYPE_COMPLEX] = "an object of sub-attributes",
	[SCIM_TYPE_BINARY] = "a base64 string",
};

static int
digits(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

static int
month_days(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

/* [Z | (+|-)hh:mm] at the end of an xsd:dateTime, or nothing. */
static int
tz_ok(const char *s)
{
	int h, m;

	if (*s == '\0' || strcmp(s, "Z") == 0)
		return 1;
	if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':' ||
	    !digits(s + 1, 2, &h) || !digits(s + 4, 2, &m))
		return 0;
	return h <= 14 && m <= 59;
}

/* xsd:dateTime: YYYY-MM-DDThh:mm:ss[.s+][timezone] (RFC 7643 §2.3.5). */
static int
datetime_ok(const char *s)
{
	int y, mo, d, h, mi, sec;

	if (strlen(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &sec))
		return 0;
	if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return 0;
	s += 19;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return 0;
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	}
	return tz_ok(s);
}

/* RFC 4648 §4 base64, padded. */
static int
base64_ok(const char *s, size_t len)
{
	size_t i, pad = 0;

	if (len % 4 != 0)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '=') {
			if (++pad > 2 || i < len - 2)
				return 0;
		} else if (pad > 0 || !((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '+' || c == '/'))
			return 0;
	}
	return 1;
}

/* A URI or URI reference (RFC 7643 §2.3.7): no spaces or controls. */
static int
reference_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static enum scim_valid_err
type_fail(struct sv *v, const struct scim_attr *a, const char *path)
{
	return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must be %s", path,
	    type_names[a->type]);
}

static enum scim_valid_err
canon_fail(struct sv *v, const struct scim_attr *a, const char *path)
{
	char list[160];
	size_t i, n = 0;

	list[0] = '\0';
	for (i = 0; a->canon[i] != NULL && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i ? ", " : "", a->canon[i]);
	return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s must be one of %s",
	    path, list);
}

static enum scim_valid_err
sv_string(struct sv *v, const struct scim_attr *a, const json_t *in,
    const char *path, json_t **out)
{
	const char *s = json_string_value(in), *c;
	size_t len = json_string_length(in);
	int ok;

	if (s == NULL)
		return type_fail(v, a, path);
	switch (a->type) {
	case SCIM_TYPE_DATETIME:
		ok = datetime_ok(s);
		break;
	case SCIM_TYPE_BINARY:
		ok = base64_ok(s, len);
		break;
	case SCIM_TYPE_REFERENCE:
		ok = reference_ok(s, len);
		break;
	default:
		ok = 1;
	}
	if (!ok)
		return type_fail(v, a, path);
	if ((c = sv_norm_canon(a, s)) != NULL)
		*out = json_string(c);
	else if (a->canon != NULL && (a->flags & SCIM_AF_CLOSED))
		return canon_fail(v, a, path);
	else
		*out = json_copy((json_t *)(uintptr_t)in);
	return *out ? SCIM_VALID_OK : sv_fail(v, SCIM_VALID_NOMEM, "out of "
	    "memory");
}

static enum scim_valid_err sv_complex(struct sv *, const struct scim_attr *,
    const json_t *, const char *, json_t **);

static enum scim_valid_err
sv_scalar(struct sv *v, const struct scim_attr *a, const json_t *in,
    const char *path, json_t **out)
{
	switch (a->type) {
	case SCIM_TYPE_COMPLEX:
		return sv_complex(v, a, in, path, out);
	case SCIM_TYPE_BOOLEAN:
		if (json_is_boolean(in))
			*out = json_copy((json_t *)(uintptr_t)in);
		else if ((*out = sv_norm_bool(in)) == NULL)
			return type_fail(v, a, path);
		return SCIM_VALID_OK;
	case SCIM_TYPE_INTEGER:
		if (!json_is_integer(in))
			return type_fail(v, a, path);
		*out = json_copy((json_t *)(uintptr_t)in);
		break;
	case SCIM_TYPE_DECIMAL:
		if (!json_is_number(in))
			return type_fail(v, a, path);
		*out = json_copy((json_t *)(uintptr_t)in);
		break;
	default:
		return sv_string(v, a, in, path, out);
	}
	return *out ? SCIM_VALID_OK : sv_fail(v, SCIM_VALID_NOMEM, "out of "
	    "memory");
}

/* Required sub-attributes: only a whole value (POST, PUT) must hold
 * them; a PATCH may set some sub-attributes of a value. */
static enum scim_valid_err
sv_required_subs(struct sv *v, const struct scim_attr *a, const json_t *out,
    const char *path)
{
	char p[PATH_BUF];
	const json_t *s;
	size_t i;

	if (v->op != SCIM_OP_CREATE && v->op != SCIM_OP_REPLACE)
		return SCIM_VALID_OK;
	for (i = 0; i < a->nsub; i++) {
		if (!(a->sub[i].flags & SCIM_AF_REQUIRED))
			continue;
		s = json_object_get(out, a->sub[i].name);
		if (s == NULL || json_is_null(s))
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s is "
			    "required", sv_path(p, sizeof(p), path,
			    a->sub[i].name));
	}
	return SCIM_VALID_OK;
}

/* Each member of a complex value; readOnly sub-attributes are dropped
 * (RFC 7643 §2.2: the service provider ignores them). A name given
 * twice, in any case, is refused: each must be a known sub-attribute,
 * so a table of those seen finds it in one pass, however many values a
 * multi-valued attribute holds. */
static enum scim_valid_err
sv_subs(struct sv *v, const struct scim_attr *a, const json_t *in,
    const char *path, json_t *out)
{
	unsigned char seen[SCIM_SCHEMA_SUBS_CAP] = { 0 };
	const struct scim_attr *sub;
	enum scim_valid_err rc;
	char p[PATH_BUF], buf[72];
	const char *k;
	json_t *val, *o;

	json_object_foreach((json_t *)(uintptr_t)in, k, val) {
		if ((sub = scim_attr_sub(a, k, strlen(k))) == NULL ||
		    (size_t)(sub - a->sub) >= sizeof(seen))
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "unknown "
			    "sub-attribute \"%s\" in %s", sv_safe(k, buf,
			    sizeof(buf)), path);
		if (seen[sub - a->sub]++)
			return sv_fail(v, SCIM_VALID_INVALID_SYNTAX, "%s names "
			    "\"%s\" twice (names are case-insensitive)", path,
			    sv_safe(k, buf, sizeof(buf)));
		if (sub->mut == SCIM_MUT_READONLY)
			continue;
		sv_path(p, sizeof(p), path, sub->name);
		if ((rc = sv_value(v, sub, val, p, 0, &o)) != SCIM_VALID_OK)
			return rc;
		if (json_object_set_new(out, sub->name, o) == -1)
			return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	}
	return sv_required_subs(v, a, out, path);
}

static enum scim_valid_err
sv_complex(struct sv *v, const struct scim_attr *a, const json_t *in,
    const char *path, json_t **out)
{
	enum scim_valid_err rc;
	json_t *wrapped = NULL;

	/* Entra ID sends the enterprise manager as a bare id. */
	if (json_is_string(in) && (wrapped = sv_norm_wrap_value(a, in)) != NULL)
		in = wrapped;
	if (!json_is_object(in)) {
		json_decref(wrapped);
		return type_fail(v, a, path);
	}
	if ((*out = json_object()) == NULL)
		rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	else if ((rc = sv_subs(v, a, in, path, *out)) != SCIM_VALID_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(wrapped);
	return rc;
}

enum scim_valid_err
sv_primary(struct sv *v, const json_t *arr, const char *path)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(arr); i++)
		if (json_is_true(sv_get(json_array_get(arr, i), "primary")) &&
		    ++n > 1)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s has more "
			    "than one value with primary true (RFC 7643 §2.4)",
			    path);
	return SCIM_VALID_OK;
}

static enum scim_valid_err
sv_multi(struct sv *v, const struct scim_attr *a, const json_t *in,
    const char *path, json_t **out)
{
	enum scim_valid_err rc = SCIM_VALID_OK;
	json_t *o;
	size_t i;

	if (!json_is_array(in))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s is multi-valued: "
		    "send an array", path);
	if (json_array_size(in) > SCIM_VALID_MAX_VALUES)
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, "%s has more than %d "
		    "values", path, SCIM_VALID_MAX_VALUES);
	if ((*out = json_array()) == NULL)
		return sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	for (i = 0; rc == SCIM_VALID_OK && i < json_array_size(in); i++)
		if ((rc = sv_value(v, a, json_array_get(in, i), path, 1, &o)) ==
		    SCIM_VALID_OK && json_array_append_new(*out, o) == -1)
			rc = sv_fail(v, SCIM_VALID_NOMEM, "out of memory");
	if (rc == SCIM_VALID_OK && a->type == SCIM_TYPE_COMPLEX)
		rc = sv_primary(v, *out, path);
	if (rc != SCIM_VALID_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

enum scim_valid_err
sv_value(struct sv *v, const struct scim_attr *a, const json_t *in,
    const char *path, int elem, json_t **out)
{
	*out = NULL;
	if (json_is_null(in)) {
		/* null is "unassigned" (RFC 7643 §2.5), but not a value. */
		if (elem)
			return sv_fail(v, SCIM_VALID_INVALID_VALUE, "a value of "
			    "%s is null", path);
		*out = json_null();
		return SCIM_VALID_OK;
	}
	if ((a->flags & SCIM_AF_MULTI) && !elem)
		return sv_multi(v, a, in, path, out);
	if (json_is_array(in))
		return sv_fail(v, SCIM_VALID_INVALID_VALUE, elem ? "a value of "
		    "%s is an array: multi-valued attributes hold values, not "
		    "arrays" : "%s is single-valued: send one value, not an "
		    "array", path);
	return sv_scalar(v, a, in, path, out);
}
