/* Filling a request's facts within their fixed arrays. */
#include <string.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

void
policy_facts_init(struct policy_facts *f, const char *upstream,
    const char *resource, enum policy_op op)
{
	memset(f, 0, sizeof(*f));
	f->upstream = upstream;
	f->resource = resource;
	f->op = op;
}

/* 1 when LIST (N paths) already names the attribute PATH names. */
static int
paths_have(const char *const *list, size_t n, const char *path)
{
	const char	*p, *q;
	size_t		 pn, qn, i;

	pattr_view(path, &p, &pn);
	for (i = 0; i < n; i++) {
		pattr_view(list[i], &q, &qn);
		if (pattr_eq(p, pn, q, qn))
			return 1;
	}
	return 0;
}

static int
paths_add(const char **list, size_t *n, size_t max, const char *path)
{
	if (path == NULL)
		return -1;
	if (paths_have(list, *n, path))
		return 0;
	if (*n >= max)
		return -1;
	list[(*n)++] = path;
	return 0;
}

int
policy_facts_add_written(struct policy_facts *f, const char *path)
{
	return paths_add(f->written, &f->nwritten, POLICY_FACTS_WRITTEN, path);
}

int
policy_facts_add_filtered(struct policy_facts *f, const char *path)
{
	return paths_add(f->filtered, &f->nfiltered, POLICY_FACTS_FILTERED,
	    path);
}

int
policy_facts_add_value(struct policy_facts *f, const char *attr,
    const char *value, int stored)
{
	if (attr == NULL || value == NULL ||
	    f->nvalues >= POLICY_FACTS_VALUES)
		return -1;
	f->values[f->nvalues].attr = attr;
	f->values[f->nvalues].value = value;
	f->values[f->nvalues].stored = stored != 0;
	f->nvalues++;
	return 0;
}
