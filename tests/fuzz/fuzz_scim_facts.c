/* libFuzzer target for scim_facts_derive (make fuzz builds it):
 *   clang -fsanitize=fuzzer,address,undefined -I. \
 *       tests/fuzz/fuzz_scim_facts.c keyd/scim/{path,filter,facts,
 *       facts_body,facts_bulk}.c keyd/form.c keyd/utf8.c -ljansson -lsodium
 * Input: one byte picking the method (low 3 bits) and whether the path
 * is taken as is or under /scim/v2/hr (bit 3), then
 * PATH '\n' QUERY '\n' BODY. The body is passed with its exact length so
 * a read past it trips ASan; a missing QUERY line means no query. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *methods[8] = { "GET", "POST", "PUT", "PATCH", "DELETE",
    "POST", "PATCH", "HEAD" };

/* S (LEN bytes) as a C string after PREFIX; stops at a NUL. */
static char *
fz_str(const char *prefix, const uint8_t *s, size_t len)
{
	size_t plen = strlen(prefix);
	char *out = malloc(plen + len + 1);

	if (out == NULL)
		abort();
	memcpy(out, prefix, plen);
	memcpy(out + plen, s, len);
	out[plen + len] = '\0';
	return out;
}

static void
fz_list(const struct scim_facts_list *l)
{
	size_t i, j;

	if (l->n > SCIM_FACTS_MAX_ATTRS || l->n > l->cap)
		abort();
	for (i = 0; i < l->n; i++) {
		if (l->v[i] == NULL || l->v[i][0] == '\0' ||
		    strlen(l->v[i]) > SCIM_ATTR_PATH_MAX)
			abort();
		for (j = 0; j < i; j++)
			if (strcasecmp(l->v[i], l->v[j]) == 0)
				abort();
	}
}

/* What every success must hold, bulk operations included. */
static void
fz_ok(const struct scim_facts *f, int nested)
{
	size_t i;

	if (f->op == SCIM_OP_NONE || f->allow == NULL ||
	    memchr(f->id, '\0', sizeof(f->id)) == NULL)
		abort();
	fz_list(&f->written);
	fz_list(&f->filtered);
	if (f->nvalues > SCIM_FACTS_MAX_ATTRS)
		abort();
	for (i = 0; i < f->nvalues; i++)
		if (f->values[i].attr == NULL || f->values[i].value == NULL)
			abort();
	if (f->nbulk > SCIM_FACTS_MAX_OPS || (f->nbulk > 0 &&
	    (nested || f->op != SCIM_OP_BULK)))
		abort();
	if (nested && (f->bulk_path == NULL || f->bulk_path[0] != '/' ||
	    (f->op != SCIM_OP_CREATE && f->op != SCIM_OP_REPLACE &&
	    f->op != SCIM_OP_PATCH && f->op != SCIM_OP_DELETE)))
		abort();
	for (i = 0; i < f->nbulk; i++)
		fz_ok(&f->bulk[i], 1);
}

static void
fz_err(enum scim_facts_err rc, const struct scim_facts *f, const char *err)
{
	const char *c;
	int st = scim_facts_status(rc);

	if (f->written.n || f->filtered.n || f->nvalues || f->nbulk ||
	    f->bulk || f->values || (rc != SCIM_FACTS_METHOD && f->allow))
		abort();
	if (err[0] == '\0' || (st != 400 && st != 404 && st != 405 &&
	    st != 413 && st != 500 && st != 501))
		abort();
	for (c = err; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p, *nl, *end = data + size;
	char *path, *query = NULL, *body, err[SCIM_FACTS_ERR_MAX];
	struct scim_facts f;
	enum scim_facts_err rc;
	size_t blen;

	if (size == 0)
		return 0;
	p = data + 1;
	nl = memchr(p, '\n', (size_t)(end - p));
	path = fz_str(data[0] & 8 ? "" : "/scim/v2/hr", p,
	    (size_t)((nl ? nl : end) - p));
	p = nl ? nl + 1 : end;
	if (nl != NULL && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		query = fz_str("", p, (size_t)(nl - p));
		p = nl + 1;
	}
	blen = (size_t)(end - p);
	if ((body = malloc(blen ? blen : 1)) == NULL)
		abort();
	memcpy(body, p, blen);
	rc = scim_facts_derive(methods[data[0] & 7], path, query,
	    blen ? body : NULL, blen, data[0] & 16 ? 64 : 1u << 20, &f, err,
	    sizeof(err));
	if (rc == SCIM_FACTS_OK)
		fz_ok(&f, 0);
	else
		fz_err(rc, &f, err);
	scim_facts_free(&f);
	if (f.written.v != NULL || f.bulk != NULL)
		abort();
	free(body);
	free(query);
	free(path);
	return 0;
}
