/* Rendering keyd's answers for people and for scripts. Values are
 * formatted into bounded cells; nothing here allocates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "client/output.h"

#define CELL_MAX	1024	/* longer values end in "..." */
#define KEY_MAX		64	/* "outer.inner" field keys */
#define COLS_MAX	16
#define GAP		"  "	/* between table columns */

struct cell {
	char	s[CELL_MAX];
	size_t	len;
	int	full;
};

static void
cell_reset(struct cell *c)
{
	c->s[0] = '\0';
	c->len = 0;
	c->full = 0;
}

static void
cell_put(struct cell *c, const char *s, size_t n)
{
	size_t	room = sizeof(c->s) - 1 - c->len;

	if (n > room) {
		n = room;
		c->full = 1;
	}
	memcpy(c->s + c->len, s, n);
	c->len += n;
	c->s[c->len] = '\0';
}

/* Mark a cut value, backing off to a UTF-8 character boundary first. */
static void
cell_finish(struct cell *c)
{
	if (!c->full)
		return;
	while (c->len > 0 && c->len > sizeof(c->s) - 4)
		c->len--;
	while (c->len > 0 && ((unsigned char)c->s[c->len] & 0xc0) == 0x80)
		c->len--;
	memcpy(c->s + c->len, "...", 4);
	c->len += 3;
}

/* C0 controls, DEL and the C1 controls (U+0080..U+009F, 0xc2 0x80..0x9f
 * in UTF-8) all become '?': some terminals act on any of them. */
static void
cell_put_clean(struct cell *c, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < n && !c->full; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			cell_put(c, "?", 1);
		else if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f) {
			cell_put(c, "?", 1);
			i++;
		} else
			cell_put(c, s + i, 1);
	}
}

static void
cell_printf(struct cell *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
cell_printf(struct cell *c, const char *fmt, ...)
{
	char	buf[64];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		cell_put(c, buf, strlen(buf));
}

static void
cell_time(struct cell *c, json_int_t secs)
{
	struct tm	tm;
	time_t		t = (time_t)secs;
	char		buf[32];

	if ((json_int_t)t != secs || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		cell_printf(c, "%" JSON_INTEGER_FORMAT, secs);
		return;
	}
	cell_put(c, buf, strlen(buf));
}

static void
cell_scalar(struct cell *c, const json_t *v, enum output_fmt fmt)
{
	if (v == NULL || json_is_null(v))
		cell_put(c, "-", 1);
	else if (json_is_string(v))
		cell_put_clean(c, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v) && fmt == OUTPUT_TIME)
		cell_time(c, json_integer_value(v));
	else if (json_is_integer(v))
		cell_printf(c, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		cell_printf(c, "%g", json_real_value(v));
	else if (json_is_true(v))
		cell_put(c, "true", 4);
	else if (json_is_false(v))
		cell_put(c, "false", 5);
	else if (json_is_array(v))
		cell_put(c, "[...]", 5);
	else
		cell_put(c, "{...}", 5);
}

/* Arrays (roles, scopes) read best as space-separated words. Nested
 * objects and arrays show as {...} and [...]: a person's view prints only
 * members a view names, so no unnamed member (a secret) can slip out;
 * --json has the rest. */
static void
cell_format(struct cell *c, const json_t *v, enum output_fmt fmt)
{
	size_t		 i;
	const json_t	*e;

	cell_reset(c);
	if (json_is_array(v) && json_array_size(v) == 0)
		cell_put(c, "-", 1);
	else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			e = json_array_get(v, i);
			if (i > 0)
				cell_put(c, " ", 1);
			cell_scalar(c, e, fmt);
		}
	} else
		cell_scalar(c, v, fmt);
	cell_finish(c);
}

/* Columns are as wide as their widest cell in characters, not bytes. */
static size_t
cell_width(const struct cell *c)
{
	size_t	i, w = 0;

	for (i = 0; i < c->len; i++)
		if (((unsigned char)c->s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

/* KEY, or "outer.inner" for a member of a nested object. */
static const json_t *
output_lookup(const json_t *obj, const char *key)
{
	const char	*dot = strchr(key, '.');
	char		 outer[KEY_MAX];
	size_t		 n;

	if (dot == NULL)
		return json_object_get(obj, key);
	n = (size_t)(dot - key);
	if (n >= sizeof(outer))
		return NULL;
	memcpy(outer, key, n);
	outer[n] = '\0';
	return json_object_get(json_object_get(obj, outer), dot + 1);
}

static void
output_fields(FILE *fp, const json_t *obj, const struct output_field *f)
{
	struct cell	 c;
	const json_t	*v;
	const char	*secret = NULL;

	/* An absent member drops its line: keyd may answer with fewer
	 * members than a view knows (key.revoke has no "client"). */
	for (; f->key != NULL; f++) {
		if ((v = output_lookup(obj, f->key)) == NULL)
			continue;
		if (f->fmt == OUTPUT_DOC) {
			fprintf(fp, "%s:\n", f->label);
			if (json_dumpf(v, fp, JSON_INDENT(2) |
			    JSON_PRESERVE_ORDER) == 0)
				fputc('\n', fp);
			continue;
		}
		cell_format(&c, v, f->fmt);
		fprintf(fp, "%s: %s\n", f->label, c.s);
		if (f->fmt == OUTPUT_SECRET && json_is_string(v))
			secret = f->label;
	}
	sodium_memzero(&c, sizeof(c));
	/* Only once the secret has really reached the output. */
	if (secret != NULL && fflush(fp) == 0 && !ferror(fp)) {
		output_error("the %s above is shown only this once: store it "
		    "now", secret);
	}
}

static void
output_cell(struct cell *c, const json_t *row, const struct output_field *f)
{
	if (f->fmt == OUTPUT_SECRET) {
		cell_reset(c);
		cell_put(c, "-", 1);
	} else
		cell_format(c, output_lookup(row, f->key), f->fmt);
}

static void
output_pad(FILE *fp, size_t have, size_t want)
{
	while (have++ < want)
		fputc(' ', fp);
}

/* Tables are static; past COLS_MAX columns the rest are not shown. */
static size_t
output_ncols(const struct output_field *cols)
{
	size_t	n = 0;

	while (n < COLS_MAX && cols[n].key != NULL)
		n++;
	return n;
}

static void
output_row(FILE *fp, const json_t *row, const struct output_field *cols,
    const size_t *width, size_t ncols)
{
	struct cell	c;
	size_t		i;

	for (i = 0; i < ncols; i++) {
		if (row != NULL)
			output_cell(&c, row, &cols[i]);
		else {
			cell_reset(&c);
			cell_put(&c, cols[i].label, strlen(cols[i].label));
		}
		if (i > 0)
			fputs(GAP, fp);
		fputs(c.s, fp);
		if (i + 1 < ncols)
			output_pad(fp, cell_width(&c), width[i]);
	}
	fputc('\n', fp);
}

/* Two passes: measure every cell, then print. Cheaper than holding them. */
void
output_rows(FILE *fp, const json_t *rows, const struct output_field *cols,
    int header)
{
	struct cell	 c;
	size_t		 width[COLS_MAX];
	size_t		 ncols = output_ncols(cols);
	size_t		 i, r, w;
	const json_t	*row;

	for (i = 0; i < ncols; i++)
		width[i] = strlen(cols[i].label);
	for (r = 0; r < json_array_size(rows); r++) {
		row = json_array_get(rows, r);
		for (i = 0; i < ncols; i++) {
			output_cell(&c, row, &cols[i]);
			if ((w = cell_width(&c)) > width[i])
				width[i] = w;
		}
	}
	if (header)
		output_row(fp, NULL, cols, width, ncols);
	for (r = 0; r < json_array_size(rows); r++)
		output_row(fp, json_array_get(rows, r), cols, width, ncols);
}

int
output_view(FILE *fp, const json_t *result, const struct output_view *v,
    char *err, size_t errlen)
{
	const json_t	*rows = NULL;

	if (v->list != NULL) {
		rows = json_object_get(result, v->list);
		if (!json_is_array(rows)) {
			snprintf(err, errlen, "keyd's answer has no \"%s\" list",
			    v->list);
			return -1;
		}
	}
	if (v->fields != NULL)
		output_fields(fp, result, v->fields);
	if (v->fields != NULL && rows != NULL)
		fputc('\n', fp);
	if (rows != NULL)
		output_rows(fp, rows, v->cols, 1);
	return 0;
}

int
output_json(FILE *fp, const json_t *result)
{
	if (json_dumpf(result, fp, JSON_COMPACT) == -1)
		return -1;
	if (fputc('\n', fp) == EOF)
		return -1;
	return 0;
}

void
output_error(const char *fmt, ...)
{
	struct cell	c;
	char		msg[CELL_MAX];
	va_list		ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cell_reset(&c);
	cell_put_clean(&c, msg, strlen(msg));
	cell_finish(&c);
	fprintf(stderr, "keyctl: %s\n", c.s);
}
