/* The harness of the scim/facts table tests: a case, its rendering of the
 * facts to one line, and the runner that compares them exactly. */
#ifndef TESTS_UNIT_SCIM_FACTS_RUN_H
#define TESTS_UNIT_SCIM_FACTS_RUN_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/scim/facts.h"

#define P	"/scim/v2/hr"
#define ENT	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define CU	"'urn:ietf:params:scim:schemas:core:2.0:User'"
#define CG	"'urn:ietf:params:scim:schemas:core:2.0:Group'"
#define PO	"'schemas':['urn:ietf:params:scim:api:messages:2.0:PatchOp']"
#define SR	"'schemas':['urn:ietf:params:scim:api:messages:2.0:SearchRequest']"
#define BR	"'schemas':['urn:ietf:params:scim:api:messages:2.0:BulkRequest']"
#define PATCH(ops)	"{" PO ",'Operations':[" ops "]}"
#define BULK(ops)	"{" BR ",'Operations':[" ops "]}"
#define MAXB	(1024u * 1024u)

/* A request and what it must yield: on SCIM_FACTS_OK, WANT is the
 * rendered facts (see render); otherwise a substring of the error. BODY
 * is JSON written with ' for ", NULL for none. */
struct fc {
	const char		*method;
	const char		*path;
	const char		*query;
	const char		*body;
	enum scim_facts_err	 rc;
	const char		*want;
};

static inline size_t
put(char *out, size_t len, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline size_t
put(char *out, size_t len, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (n >= len)
		return n;
	va_start(ap, fmt);
	r = vsnprintf(out + n, len - n, fmt, ap);
	va_end(ap);
	return r < 0 ? n : n + (size_t)r;
}

static inline size_t
render_list(char *out, size_t len, size_t n, const char *tag,
    const struct scim_facts_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		n = put(out, len, n, "%s%s", i ? "," : tag, l->v[i]);
	return n;
}

/* "create User/id w=a,b f=c v=a:x,b:y {q1 POST /Users: create User …}" */
static inline size_t
render_one(const struct scim_facts *f, char *out, size_t len, size_t n)
{
	size_t i;

	n = put(out, len, n, "%s %s%s%s", scim_path_op_name(f->op),
	    f->op == SCIM_OP_BULK ? "Bulk" : f->resource_type,
	    f->id[0] ? "/" : "", f->id);
	n = render_list(out, len, n, " w=", &f->written);
	n = render_list(out, len, n, " f=", &f->filtered);
	for (i = 0; i < f->nvalues; i++)
		n = put(out, len, n, "%s%s:%s", i ? "," : " v=",
		    f->values[i].attr, f->values[i].value);
	for (i = 0; i < f->nbulk; i++) {
		const struct scim_facts *b = &f->bulk[i];

		n = put(out, len, n, " {%s%s%s %s: ", b->bulk_id ? b->bulk_id :
		    "", b->bulk_id ? " " : "", b->method,
		    b->bulk_path ? b->bulk_path : "?");
		n = render_one(b, out, len, n);
		n = put(out, len, n, "}");
	}
	return n;
}

static inline void
render(const struct scim_facts *f, char *out, size_t len)
{
	out[0] = '\0';
	render_one(f, out, len, 0);
}

/* S with every ' turned into ", in a heap buffer of exactly its length so
 * ASan sees a read past it. */
static inline char *
json_of(const char *s, size_t *len)
{
	char *b;
	size_t i;

	*len = strlen(s);
	b = malloc(*len ? *len : 1);
	assert_non_null(b);
	for (i = 0; i < *len; i++)
		b[i] = s[i] == '\'' ? '"' : s[i];
	return b;
}

static inline int
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Derive C with MAX as the body limit and check everything it yields. */
static inline void
run_case(const struct fc *c, size_t max)
{
	struct scim_facts f;
	enum scim_facts_err rc;
	char err[SCIM_FACTS_ERR_MAX], got[8192], *body = NULL;
	size_t len = 0;

	if (c->body != NULL)
		body = json_of(c->body, &len);
	memset(&f, 0x5a, sizeof(f));
	rc = scim_facts_derive(c->method, c->path, c->query, body, len, max,
	    &f, err, sizeof(err));
	free(body);
	if (rc != c->rc)
		fail_msg("%s %s ?%s %s\n  want %s, got %s: %s", c->method,
		    c->path, c->query ? c->query : "", c->body ? c->body : "",
		    scim_facts_strerror(c->rc), scim_facts_strerror(rc),
		    rc ? err : "");
	if (rc == SCIM_FACTS_OK) {
		render(&f, got, sizeof(got));
		if (strcmp(got, c->want) != 0)
			fail_msg("%s %s ?%s %s\n  want %s\n  got  %s", c->method,
			    c->path, c->query ? c->query : "",
			    c->body ? c->body : "", c->want, got);
		assert_string_equal(f.method, c->method);
		assert_string_equal(f.upstream, "hr");
	} else {
		if (strstr(err, c->want) == NULL)
			fail_msg("%s %s ?%s %s\n  want error with: %s\n  got: %s",
			    c->method, c->path, c->query ? c->query : "",
			    c->body ? c->body : "", c->want, err);
		if (!printable(err))
			fail_msg("error not printable ASCII: %s", err);
		/* A refusal leaves nothing but allow on a 405. */
		assert_int_equal(f.written.n, 0);
		assert_null(f.written.v);
		assert_int_equal(f.filtered.n, 0);
		assert_int_equal(f.nvalues, 0);
		assert_int_equal(f.nbulk, 0);
		assert_null(f.bulk);
		assert_int_equal(f.op, SCIM_OP_NONE);
		if (rc == SCIM_FACTS_METHOD)
			assert_non_null(f.allow);
		else
			assert_null(f.allow);
	}
	scim_facts_free(&f);
	scim_facts_free(&f);
}

/* Run every case of T (each failing the test on a mismatch); how many of
 * them derive facts rather than refuse, so that a caller can check its
 * table holds both. */
static inline size_t
run_table(const struct fc *t, size_t n, const char *what)
{
	size_t i, ok = 0;

	for (i = 0; i < n; i++) {
		run_case(&t[i], MAXB);
		ok += t[i].rc == SCIM_FACTS_OK;
	}
	print_message("facts %s: %zu cases, %zu accepted\n", what, n, ok);
	return ok;
}

#endif
