/* RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths: a recursive-descent
 * parser that keeps no tree, only the attribute paths named. Recursion is
 * bounded by SCIM_FILTER_MAX_DEPTH; and/or chains are loops. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/filter.h"
#include "keyd/utf8.h"

#define CORE_USER	"urn:ietf:params:scim:schemas:core:2.0:User"
#define CORE_GROUP	"urn:ietf:params:scim:schemas:core:2.0:Group"
#define OPS_TEXT	"eq, ne, co, sw, ew, gt, lt, ge, le or pr"

struct fp {
	const char			*s;
	size_t				 len;
	size_t				 pos;
	int				 depth;
	const char			*parent;	/* inside [...]: "emails" */
	struct scim_filter_attrs	*out;
	struct scim_filter_error	*err;
};

/* A parsed attrPath: the normalised text and its shape. */
struct apath {
	char	text[SCIM_ATTR_PATH_MAX + 1];
	int	has_urn;
	int	has_sub;
};

static int fp_or(struct fp *);

static int
fp_fail(struct fp *p, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	p->err->pos = pos;
	n = snprintf(p->err->msg, sizeof(p->err->msg), "at byte %zu: ", pos);
	if (n < 0 || (size_t)n >= sizeof(p->err->msg))
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err->msg + n, sizeof(p->err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
fp_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
fp_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
fp_namechar(char c)
{
	return fp_alpha(c) || fp_digit(c) || c == '-' || c == '_';
}

static char
fp_peek(const struct fp *p)
{
	return p->pos < p->len ? p->s[p->pos] : '\0';
}

static int
fp_at_end(const struct fp *p)
{
	return p->pos >= p->len;
}

static size_t
fp_skip_sp(struct fp *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] == ' ')
		p->pos++;
	return p->pos - start;
}

/* What sits at POS, for an error: "the end", or up to 16 bytes quoted,
 * '"' as \" and other non-printable bytes as '?' so the text is safe to
 * echo. BUF holds at least 40 bytes. */
static const char *
fp_found(const struct fp *p, size_t pos, char *buf, size_t buflen)
{
	size_t i, n = 0;

	if (pos >= p->len)
		return "the end";
	buf[n++] = '"';
	for (i = pos; i < p->len && i < pos + 16 && n + 7 < buflen; i++) {
		char c = p->s[i];

		if (c == ' ' && i > pos)
			break;
		if (c == '"' || c == '\\')
			buf[n++] = '\\';
		buf[n++] = (c >= 0x21 && c <= 0x7e) ? c : '?';
	}
	if (i < p->len && p->s[i] != ' ' && i == pos + 16)
		buf[n++] = '.', buf[n++] = '.', buf[n++] = '.';
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

/* Case-insensitive: does the word W (alphabetic) start at POS and end
 * there, i.e. not followed by another name character? */
static int
fp_word_at(const struct fp *p, size_t pos, const char *w)
{
	size_t n = strlen(w);

	if (p->len - pos < n || strncasecmp(p->s + pos, w, n) != 0)
		return 0;
	return pos + n == p->len || !fp_namechar(p->s[pos + n]);
}

static int
fp_enter(struct fp *p)
{
	if (++p->depth > SCIM_FILTER_MAX_DEPTH)
		return fp_fail(p, p->pos, "nesting deeper than %d levels",
		    SCIM_FILTER_MAX_DEPTH);
	return 0;
}

static int
fp_append(struct fp *p, char *out, size_t *n, const char *s, size_t len)
{
	if (*n + len > SCIM_ATTR_PATH_MAX)
		return fp_fail(p, p->pos, "attribute path longer than %d bytes",
		    SCIM_ATTR_PATH_MAX);
	memcpy(out + *n, s, len);
	*n += len;
	out[*n] = '\0';
	return 0;
}

static int
fp_add(struct fp *p, const char *path)
{
	struct scim_filter_attrs *a = p->out;
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcasecmp(a->path[i], path) == 0)
			return 0;
	if (a->n == SCIM_FILTER_MAX_ATTRS)
		return fp_fail(p, p->pos, "more than %d attribute paths",
		    SCIM_FILTER_MAX_ATTRS);
	/* Both are at most SCIM_ATTR_PATH_MAX bytes plus the NUL. */
	memcpy(a->path[a->n], path, strlen(path) + 1);
	a->n++;
	return 0;
}

/* ATTRNAME = ALPHA *(nameChar); "$ref" (RFC 7643 §2.3.7) is the one
 * name outside that grammar. Returns its length, 0 when none starts
 * here. */
static size_t
fp_attrname(const struct fp *p, size_t pos)
{
	size_t i = pos;

	if (fp_word_at(p, pos, "$ref"))
		return 4;
	if (i >= p->len || !fp_alpha(p->s[i]))
		return 0;
	while (i < p->len && fp_namechar(p->s[i]))
		i++;
	return i - pos;
}

static int
fp_urnchar(char c)
{
	return fp_namechar(c) || c == '.' || c == ':';
}

/* The URN of "urn:…:attr": POS starts at 'u'; on success *ATTR is the
 * byte after its last ':'. Segments must be non-empty. */
static int
fp_urn(struct fp *p, size_t *attr)
{
	size_t end = p->pos, i, colon = 0;
	char buf[40];

	while (end < p->len && fp_urnchar(p->s[end]))
		end++;
	for (i = p->pos; i < end; i++) {
		if (p->s[i] != ':')
			continue;
		if (i + 1 < end && p->s[i + 1] == ':')
			return fp_fail(p, i, "empty segment in schema URN");
		colon = i;
	}
	if (colon <= p->pos + 4)
		return fp_fail(p, p->pos, "schema URN %s names no attribute: "
		    "write URN:attribute", fp_found(p, p->pos,
		    buf, sizeof(buf)));
	*attr = colon + 1;
	return 0;
}

/* ATTRNAME [ "." ATTRNAME ] at p->pos, appended to OUT. */
static int
fp_name_sub(struct fp *p, struct apath *a, size_t *n)
{
	size_t len;
	char buf[40];

	if ((len = fp_attrname(p, p->pos)) == 0)
		return fp_fail(p, p->pos, "expected an attribute name, found %s",
		    fp_found(p, p->pos, buf, sizeof(buf)));
	if (fp_append(p, a->text, n, p->s + p->pos, len) == -1)
		return -1;
	p->pos += len;
	if (fp_peek(p) != '.')
		return 0;
	if ((len = fp_attrname(p, p->pos + 1)) == 0)
		return fp_fail(p, p->pos + 1, "expected a sub-attribute name "
		    "after '.', found %s", fp_found(p, p->pos + 1, buf,
		    sizeof(buf)));
	if (fp_append(p, a->text, n, p->s + p->pos, len + 1) == -1)
		return -1;
	p->pos += len + 1;
	a->has_sub = 1;
	if (fp_peek(p) == '.')
		return fp_fail(p, p->pos, "an attribute path has at most one "
		    "sub-attribute");
	return 0;
}

/* attrPath = [URI ":"] ATTRNAME *1subAttr, with the core schema URNs
 * dropped. */
static int
fp_attrpath(struct fp *p, struct apath *a)
{
	size_t n = 0, attr = 0, start = p->pos;

	memset(a, 0, sizeof(*a));
	if (p->len - p->pos >= 4 && strncasecmp(p->s + p->pos, "urn:", 4) == 0) {
		if (fp_urn(p, &attr) == -1)
			return -1;
		if (!scim_filter_urn_is_core(p->s + start, attr - 1 - start)) {
			if (fp_append(p, a->text, &n, p->s + start,
			    attr - start) == -1)
				return -1;
			a->has_urn = 1;
		}
		p->pos = attr;
	}
	if (fp_name_sub(p, a, &n) == -1)
		return -1;
	if (fp_peek(p) == ':' || fp_peek(p) == '$')
		return fp_fail(p, p->pos, "unexpected '%c' in attribute path%s",
		    fp_peek(p), fp_peek(p) == ':' ? " (a schema URN starts "
		    "with urn:)" : "");
	return 0;
}

static int
fp_hex4(const struct fp *p, size_t pos, unsigned *v)
{
	size_t i;

	*v = 0;
	if (p->len - pos < 4)
		return -1;
	for (i = pos; i < pos + 4; i++) {
		char c = p->s[i];
		unsigned d;

		if (fp_digit(c))
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* "\uXXXX" at p->pos (the backslash), with a surrogate pair taken
 * whole. */
static int
fp_escape_u(struct fp *p)
{
	size_t at = p->pos;
	unsigned v, lo;

	if (fp_hex4(p, at + 2, &v) == -1)
		return fp_fail(p, at, "\\u needs four hex digits");
	if (v == 0)
		return fp_fail(p, at, "\\u0000 is not allowed in a value");
	if (v >= 0xdc00 && v <= 0xdfff)
		return fp_fail(p, at, "unpaired low surrogate \\u%04x", v);
	p->pos = at + 6;
	if (v < 0xd800 || v > 0xdbff)
		return 0;
	if (p->len - p->pos < 2 || p->s[p->pos] != '\\' ||
	    p->s[p->pos + 1] != 'u' || fp_hex4(p, p->pos + 2, &lo) == -1 ||
	    lo < 0xdc00 || lo > 0xdfff)
		return fp_fail(p, at, "unpaired high surrogate \\u%04x", v);
	p->pos += 6;
	return 0;
}

static int
fp_escape(struct fp *p)
{
	char c = p->pos + 1 < p->len ? p->s[p->pos + 1] : '\0';

	if (c == 'u')
		return fp_escape_u(p);
	if (c == '\0' || strchr("\"\\/bfnrt", c) == NULL)
		return fp_fail(p, p->pos, "invalid escape in string: use \\\", "
		    "\\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX");
	p->pos += 2;
	return 0;
}

/* One UTF-8 sequence (RFC 3629: no overlongs, surrogates or values past
 * U+10FFFF) at p->pos. */
static int
fp_utf8(struct fp *p)
{
	size_t n = utf8_multi((const unsigned char *)p->s + p->pos,
	    p->len - p->pos);

	if (n == 0)
		return fp_fail(p, p->pos, "invalid UTF-8 in string");
	p->pos += n;
	return 0;
}

/* A JSON string (RFC 8259 §7) at p->pos. */
static int
fp_string(struct fp *p)
{
	size_t open = p->pos;
	unsigned char c;

	p->pos++;
	for (;;) {
		if (fp_at_end(p))
			return fp_fail(p, open, "unterminated string");
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c == '\\') {
			if (fp_escape(p) == -1)
				return -1;
		} else if (c < 0x20 || c == 0x7f) {
			return fp_fail(p, p->pos, "control character in string: "
			    "escape it");
		} else if (c >= 0x80) {
			if (fp_utf8(p) == -1)
				return -1;
		} else
			p->pos++;
	}
}

static size_t
fp_digits(struct fp *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && fp_digit(p->s[p->pos]))
		p->pos++;
	return p->pos - start;
}

/* number = [ "-" ] int [ frac ] [ exp ] (RFC 8259 §6). */
static int
fp_number(struct fp *p)
{
	size_t start = p->pos;

	if (fp_peek(p) == '-')
		p->pos++;
	if (fp_peek(p) == '0')
		p->pos++;
	else if (fp_digits(p) == 0)
		return fp_fail(p, start, "invalid number");
	if (fp_peek(p) == '.') {
		p->pos++;
		if (fp_digits(p) == 0)
			return fp_fail(p, start, "invalid number: digits must "
			    "follow '.'");
	}
	if (fp_peek(p) == 'e' || fp_peek(p) == 'E') {
		p->pos++;
		if (fp_peek(p) == '+' || fp_peek(p) == '-')
			p->pos++;
		if (fp_digits(p) == 0)
			return fp_fail(p, start, "invalid number: digits must "
			    "follow the exponent");
	}
	return 0;
}

/* compValue = false / null / true / number / string, then a boundary. */
static int
fp_value(struct fp *p)
{
	size_t start = p->pos;
	char c = fp_peek(p), buf[40];
	int rc;

	if (c == '"')
		rc = fp_string(p);
	else if (c == '-' || fp_digit(c))
		rc = fp_number(p);
	else if (fp_word_at(p, start, "true") || fp_word_at(p, start, "null")) {
		p->pos += 4;
		rc = 0;
	} else if (fp_word_at(p, start, "false")) {
		p->pos += 5;
		rc = 0;
	} else
		return fp_fail(p, start, "expected a value (a string in double "
		    "quotes, a number, true, false or null), found %s",
		    fp_found(p, start, buf, sizeof(buf)));
	if (rc == 0 && !fp_at_end(p) && strchr(" )]", fp_peek(p)) == NULL)
		return fp_fail(p, p->pos, "unexpected %s after the value",
		    fp_found(p, p->pos, buf, sizeof(buf)));
	return rc;
}

static int
fp_is_op(const struct fp *p, size_t pos)
{
	static const char *ops[] = { "eq", "ne", "co", "sw", "ew", "gt", "lt",
	    "ge", "le" };
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (fp_word_at(p, pos, ops[i]))
			return 1;
	return 0;
}

/* SP ( "pr" / compareOp SP compValue ) after the attribute path NAME. */
static int
fp_compare(struct fp *p, const char *name)
{
	char buf[40];

	if (fp_skip_sp(p) == 0)
		return fp_fail(p, p->pos, "expected a space and an operator "
		    "(%s) after %s, found %s", OPS_TEXT, name,
		    fp_found(p, p->pos, buf, sizeof(buf)));
	if (fp_word_at(p, p->pos, "pr")) {
		p->pos += 2;
		if (!fp_at_end(p) && strchr(" )]", fp_peek(p)) == NULL)
			return fp_fail(p, p->pos, "unexpected %s after pr",
			    fp_found(p, p->pos, buf, sizeof(buf)));
		return 0;
	}
	if (!fp_is_op(p, p->pos))
		return fp_fail(p, p->pos, "expected an operator (%s) after %s, "
		    "found %s", OPS_TEXT, name, fp_found(p, p->pos, buf,
		    sizeof(buf)));
	p->pos += 2;
	if (fp_skip_sp(p) == 0)
		return fp_fail(p, p->pos, "expected a space and a value after "
		    "the operator, found %s", fp_found(p, p->pos, buf,
		    sizeof(buf)));
	return fp_value(p);
}

/* Join PARENT "." NAME (LEN bytes) into OUT. */
static int
fp_join(struct fp *p, const char *parent, const char *name, size_t len,
    char *out)
{
	size_t n = 0;

	out[0] = '\0';
	if (fp_append(p, out, &n, parent, strlen(parent)) == -1 ||
	    fp_append(p, out, &n, ".", 1) == -1 ||
	    fp_append(p, out, &n, name, len) == -1)
		return -1;
	return 0;
}

/* "." ATTRNAME at p->pos after "attr[...]": OUT is "attr.name". */
static int
fp_sub_after(struct fp *p, const char *attr, char *out)
{
	char buf[40];
	size_t len;

	if ((len = fp_attrname(p, p->pos + 1)) == 0)
		return fp_fail(p, p->pos + 1, "expected a sub-attribute name "
		    "after '.', found %s", fp_found(p, p->pos + 1, buf,
		    sizeof(buf)));
	if (fp_join(p, attr, p->s + p->pos + 1, len, out) == -1)
		return -1;
	p->pos += len + 1;
	return 0;
}

/* "[" valFilter "]" after the multi-valued attribute A; names inside
 * are relative to A. */
static int
fp_valfilter(struct fp *p, const char *attr)
{
	size_t open = p->pos;

	if (fp_enter(p) == -1)
		return -1;
	p->parent = attr;
	p->pos++;
	fp_skip_sp(p);
	if (fp_or(p) == -1)
		return -1;
	fp_skip_sp(p);
	if (fp_peek(p) != ']')
		return fp_fail(p, p->pos, "expected ']' to close the '[' at "
		    "byte %zu", open);
	p->pos++;
	p->parent = NULL;
	p->depth--;
	return 0;
}

/* valuePath = attrPath "[" valFilter "]", optionally followed by
 * ".sub" and a comparison, which Entra ID sends:
 * emails[type eq "work"].value eq "x". */
static int
fp_valuepath(struct fp *p, const struct apath *a, size_t start)
{
	char sub[SCIM_ATTR_PATH_MAX + 1];

	if (p->parent != NULL)
		return fp_fail(p, p->pos, "value filters do not nest");
	if (a->has_sub)
		return fp_fail(p, start, "a value filter follows a multi-valued "
		    "attribute, not a sub-attribute");
	if (fp_add(p, a->text) == -1 || fp_valfilter(p, a->text) == -1)
		return -1;
	if (fp_peek(p) != '.')
		return 0;
	if (fp_sub_after(p, a->text, sub) == -1 || fp_add(p, sub) == -1)
		return -1;
	return fp_compare(p, sub);
}

/* attrExp or valuePath. */
static int
fp_attrexp(struct fp *p)
{
	struct apath a;
	char full[SCIM_ATTR_PATH_MAX + 1];
	size_t start = p->pos;

	if (fp_attrpath(p, &a) == -1)
		return -1;
	if (fp_peek(p) == '[')
		return fp_valuepath(p, &a, start);
	if (p->parent != NULL) {
		if (a.has_urn || a.has_sub)
			return fp_fail(p, start, "inside [...] name a "
			    "sub-attribute of %s, without a URN or '.'",
			    p->parent);
		if (fp_join(p, p->parent, a.text, strlen(a.text), full) == -1)
			return -1;
	} else
		memcpy(full, a.text, sizeof(full));
	if (fp_add(p, full) == -1)
		return -1;
	return fp_compare(p, full);
}

/* "(" FILTER ")", the '(' at p->pos. */
static int
fp_group(struct fp *p)
{
	size_t open = p->pos;

	if (fp_enter(p) == -1)
		return -1;
	p->pos++;
	fp_skip_sp(p);
	if (fp_or(p) == -1)
		return -1;
	fp_skip_sp(p);
	if (fp_peek(p) != ')')
		return fp_fail(p, p->pos, "expected ')' to close the '(' at "
		    "byte %zu", open);
	p->pos++;
	p->depth--;
	return 0;
}

static int
fp_unary(struct fp *p)
{
	size_t save = p->pos;
	char buf[40];

	if (fp_word_at(p, p->pos, "not")) {
		p->pos += 3;
		fp_skip_sp(p);
		if (fp_peek(p) == '(')
			return fp_group(p);
		/* "not" is also a valid attribute name: "not pr". */
		p->pos = save;
	}
	if (fp_peek(p) == '(')
		return fp_group(p);
	if (fp_peek(p) == '$' || fp_alpha(fp_peek(p)))
		return fp_attrexp(p);
	return fp_fail(p, p->pos, "expected an attribute, '(' or not(, "
	    "found %s", fp_found(p, p->pos, buf, sizeof(buf)));
}

/* SP KW SP, for and/or: consumed and 1 when present, else 0 and
 * p->pos unchanged. "or(" is taken as "or (", and a dangling "or" (at
 * the end, before ')' or ']') is consumed so the error says what is
 * missing after it. */
static int
fp_keyword(struct fp *p, const char *kw)
{
	size_t save = p->pos, n = strlen(kw);

	if (fp_skip_sp(p) > 0 && p->len - p->pos >= n &&
	    strncasecmp(p->s + p->pos, kw, n) == 0 &&
	    (p->len - p->pos == n || strchr(" ()]", p->s[p->pos + n]) !=
	    NULL)) {
		p->pos += n;
		fp_skip_sp(p);
		return 1;
	}
	p->pos = save;
	return 0;
}

static int
fp_and(struct fp *p)
{
	if (fp_unary(p) == -1)
		return -1;
	while (fp_keyword(p, "and"))
		if (fp_unary(p) == -1)
			return -1;
	return 0;
}

static int
fp_or(struct fp *p)
{
	if (fp_and(p) == -1)
		return -1;
	while (fp_keyword(p, "or"))
		if (fp_and(p) == -1)
			return -1;
	return 0;
}

static int
fp_init(struct fp *p, const char *s, size_t len,
    struct scim_filter_attrs *out, struct scim_filter_error *err)
{
	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	p->s = s;
	p->len = len;
	p->out = out;
	p->err = err;
	out->n = 0;
	if (len > SCIM_FILTER_MAX_LEN)
		return fp_fail(p, SCIM_FILTER_MAX_LEN, "longer than %d bytes",
		    SCIM_FILTER_MAX_LEN);
	return 0;
}

int
scim_filter_parse(const char *filter, size_t len,
    struct scim_filter_attrs *out, struct scim_filter_error *err)
{
	struct fp p;
	char buf[40];

	if (fp_init(&p, filter, len, out, err) == -1)
		return -1;
	fp_skip_sp(&p);
	if (fp_at_end(&p))
		return fp_fail(&p, p.pos, "empty filter");
	if (fp_or(&p) == -1)
		return -1;
	fp_skip_sp(&p);
	if (!fp_at_end(&p))
		return fp_fail(&p, p.pos, "unexpected %s: expected and, or, "
		    "or the end of the filter", fp_found(&p, p.pos, buf,
		    sizeof(buf)));
	return 0;
}

/* The value filter and optional ".sub" of a PATCH valuePath. */
static int
fp_path_filter(struct fp *p, struct scim_filter_path *out)
{
	char buf[40];

	out->has_filter = 1;
	if (fp_valfilter(p, out->attr) == -1)
		return -1;
	if (fp_at_end(p))
		return 0;
	if (fp_peek(p) != '.')
		return fp_fail(p, p->pos, "unexpected %s after ']'",
		    fp_found(p, p->pos, buf, sizeof(buf)));
	return fp_sub_after(p, out->attr, out->sub);
}

int
scim_filter_parse_path(const char *s, size_t len,
    struct scim_filter_path *out, struct scim_filter_error *err)
{
	struct fp p;
	struct apath a;
	char buf[40];

	memset(out, 0, sizeof(*out));
	if (fp_init(&p, s, len, &out->filter, err) == -1)
		return -1;
	if (len == 0)
		return fp_fail(&p, 0, "empty path");
	if (fp_peek(&p) != '$' && !fp_alpha(fp_peek(&p)))
		return fp_fail(&p, 0, "expected an attribute name, found %s",
		    fp_found(&p, 0, buf, sizeof(buf)));
	if (fp_attrpath(&p, &a) == -1)
		return -1;
	memcpy(out->attr, a.text, sizeof(out->attr));
	if (fp_at_end(&p))
		return 0;
	if (fp_peek(&p) != '[')
		return fp_fail(&p, p.pos, "unexpected %s in path",
		    fp_found(&p, p.pos, buf, sizeof(buf)));
	if (a.has_sub)
		return fp_fail(&p, p.pos, "a value filter follows a "
		    "multi-valued attribute, not a sub-attribute");
	if (fp_path_filter(&p, out) == -1)
		return -1;
	if (!fp_at_end(&p))
		return fp_fail(&p, p.pos, "unexpected %s at the end of the path",
		    fp_found(&p, p.pos, buf, sizeof(buf)));
	return 0;
}

int
scim_filter_urn_is_core(const char *urn, size_t len)
{
	return (len == strlen(CORE_USER) &&
	    strncasecmp(urn, CORE_USER, len) == 0) ||
	    (len == strlen(CORE_GROUP) &&
	    strncasecmp(urn, CORE_GROUP, len) == 0);
}
