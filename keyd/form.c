/* application/x-www-form-urlencoded decoding for the OAuth endpoints. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyd/form.h"

int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
form_unescape(const char *s, size_t len, char *out, size_t outlen)
{
	size_t	i, n = 0;
	int	hi, lo;

	/* A NUL, raw or as %00, would truncate the value for every later C
	 * string function, so it is refused rather than passed on. */
	for (i = 0; i < len; i++) {
		if (n + 1 >= outlen)
			return -1;
		if (s[i] == '+')
			out[n++] = ' ';
		else if (s[i] != '%')
			out[n++] = s[i];
		else {
			if (len - i < 3 || (hi = hex_digit(s[i + 1])) < 0 ||
			    (lo = hex_digit(s[i + 2])) < 0)
				return -1;
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		}
		if (out[n - 1] == '\0')
			return -1;
	}
	out[n] = '\0';
	return 0;
}

/* Decode S (LEN bytes) into a new NUL-terminated string in *OUT. */
static int
form_decode(const char *s, size_t len, char **out)
{
	char *d;

	if ((d = malloc(len + 1)) == NULL)
		return -1;
	if (form_unescape(s, len, d, len + 1) == -1) {
		sodium_memzero(d, len + 1);
		free(d);
		return -1;
	}
	*out = d;
	return 0;
}

static void
form_wipe_free(char **p)
{
	if (*p == NULL)
		return;
	sodium_memzero(*p, strlen(*p));
	free(*p);
	*p = NULL;
}

/* One "name[=value]" pair of LEN bytes, appended to F. */
static int
form_add(struct form *f, const char *s, size_t len)
{
	const char *eq;
	char *name = NULL, *value = NULL;
	size_t nlen;
	int rc = -1;

	eq = memchr(s, '=', len);
	nlen = eq != NULL ? (size_t)(eq - s) : len;
	/* A nameless field is never meaningful in an OAuth request. */
	if (nlen == 0 || f->n == FORM_MAX_FIELDS)
		goto out;
	if (form_decode(s, nlen, &name) == -1)
		goto out;
	if (form_decode(s + nlen + (eq != NULL),
	    len - nlen - (eq != NULL), &value) == -1)
		goto out;
	if (form_get(f, name) != NULL)
		goto out;
	f->f[f->n].name = name;
	f->f[f->n].value = value;
	f->n++;
	name = value = NULL;
	rc = 0;
out:
	form_wipe_free(&name);
	form_wipe_free(&value);
	return rc;
}

int
form_parse(const char *body, size_t len, struct form *f)
{
	const char *amp;
	size_t i = 0, seg;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	while (i < len) {
		amp = memchr(body + i, '&', len - i);
		seg = amp != NULL ? (size_t)(amp - (body + i)) : len - i;
		/* "a=1&&b=2" and a trailing '&' are empty pairs: skip them, as
		 * browsers and the WHATWG URL parser do. */
		if (seg > 0 && form_add(f, body + i, seg) == -1)
			goto out;
		i += seg + 1;
	}
	rc = 0;
out:
	if (rc == -1)
		form_clear(f);
	return rc;
}

const char *
form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return f->f[i].value;
	return NULL;
}

void
form_clear(struct form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		form_wipe_free(&f->f[i].name);
		form_wipe_free(&f->f[i].value);
	}
	f->n = 0;
}
