/* Each upstream's schemas, fetched from its /Schemas and /ResourceTypes
 * on first use and kept for PROXY_SCHEMA_TTL_S: what the validator accepts
 * beyond RFC 7643's core. */
#ifndef KEYD_PROXY_SCHEMA_H
#define KEYD_PROXY_SCHEMA_H

#include "keyd/scim/schema.h"

#define PROXY_SCHEMA_TTL_S	600	/* refetch after ten minutes */
#define PROXY_SCHEMA_RETRY_S	30	/* after a failed fetch, core only */

struct upstream;
struct proxy_schemas;
struct schema_ref;

struct proxy_schemas *proxy_schemas_new(void);
void proxy_schemas_free(struct proxy_schemas **ps);

/* The schema set for UP, fetching it when missing or stale: *REF holds a
 * reference to give back with proxy_schemas_release, and the set is
 * valid until then. When the upstream cannot be asked, the core set is
 * used (and the fetch retried after PROXY_SCHEMA_RETRY_S). */
const struct scim_schema_set *proxy_schemas_get(struct proxy_schemas *ps,
    const struct upstream *up, struct schema_ref **ref);
void proxy_schemas_release(struct proxy_schemas *ps, struct schema_ref **ref);

#endif
