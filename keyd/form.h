/* application/x-www-form-urlencoded bodies (RFC 6749 requests). */
#ifndef KEYD_FORM_H
#define KEYD_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS 32

struct form_field {
	char	*name;
	char	*value;
};

struct form {
	struct form_field f[FORM_MAX_FIELDS];
	size_t	 n;
};

/* Decode BODY (LEN bytes) into F: '+' is space, %XX is decoded, a bad %
 * escape, an embedded NUL, more than FORM_MAX_FIELDS fields or a repeated
 * name (RFC 6749 §3.1) fail. F owns copies; free them with form_clear, which
 * wipes them (a form may carry client_secret). Returns 0 or -1. */
int form_parse(const char *body, size_t len, struct form *f)
	__attribute__((warn_unused_result));

/* The value of the hex digit C (either case), or -1. Shared by every
 * %XX and chunk-size reader. */
int hex_digit(char c);

/* Decode one form-urlencoded string S (LEN bytes) into OUT (OUTLEN bytes,
 * NUL-terminated). Fails on a bad escape, a NUL, or when OUT is too small;
 * OUT may then hold a partial value, which the caller wipes if secret.
 * Returns 0 or -1. */
int form_unescape(const char *s, size_t len, char *out, size_t outlen)
	__attribute__((warn_unused_result));

/* The value of NAME, or NULL. The pointer lives as long as F. */
const char *form_get(const struct form *f, const char *name);

/* Wipe and free every field; F may be reused after. */
void form_clear(struct form *f);

#endif
