/* Internals shared by schema_load.c (schemas, the arena) and
 * schema_load_rt.c (resource types, the finished set). */
#ifndef KEYD_SCIM_SCHEMA_LOAD_H
#define KEYD_SCIM_SCHEMA_LOAD_H

#include <jansson.h>

#include "keyd/scim/schema_int.h"

/* One load in progress. Core schemas the upstream extends are replaced
 * by merged copies; the others are the static ones. */
struct ld {
	struct scim_arena		*ar;
	char				*err;
	size_t				 errlen;
	const struct scim_schema	*schemas[SCIM_SCHEMA_MAX_SCHEMAS + 3];
	size_t				 n;
	struct scim_rtype		 rtypes[SCIM_SCHEMA_MAX_RTYPES + 2];
	size_t				 nrt;
};

/* Write the reason into L's error buffer; returns -1. */
int ld_fail(struct ld *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* N zeroed bytes, or a copy of S, from L's arena; NULL with L's error
 * set past the arena's bound or out of memory. */
void *ld_alloc(struct ld *l, size_t n);
char *ld_strdup(struct ld *l, const char *s);

/* OBJ's member NAME, case-insensitively, or NULL. */
const json_t *ld_get(const json_t *obj, const char *name);

/* A ListResponse's Resources, or DOC when it is an array; NULL and L's
 * error set otherwise. WHAT names the document. */
const json_t *ld_resources(struct ld *l, const json_t *doc, const char *what);

/* Resource types from a /ResourceTypes document DOC, or, without one,
 * User and Group with the extensions their URNs name. 0 or -1. */
int ld_rtypes(struct ld *l, const json_t *doc);
int ld_rtypes_default(struct ld *l);

/* The set, allocated in L's arena, which it then owns. 0 or -1. */
int ld_finish(struct ld *l, struct scim_schema_set **out);

#endif
