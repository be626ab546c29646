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

/* UP's schema set from the cache, never fetching: for an event loop
 * that must not block. 1 when the cache holds a set for UP, fresh or
 * stale: *SET (NULL means RFC 7643's core only) and *REFP (release it with
 * proxy_schemas_release), and *STALE is 1 when the set is past its time
 * and no fetch is under way, to one caller only until the set is fetched
 * anew: that caller should have proxy_schemas_get called on a thread that
 * may block, which refreshes it. 0 when the
 * cache holds nothing for UP yet (*SET and *REFP NULL): the caller must
 * call proxy_schemas_get on a thread that may block first. An upstream
 * removed and added again under the same name is a new one: 0 until its
 * own set is fetched. */
int proxy_schemas_peek(struct proxy_schemas *ps, const struct upstream *up,
    const struct scim_schema_set **set, struct schema_ref **refp,
    int *stale);

/* Give back a reference from proxy_schemas_get or proxy_schemas_peek;
 * sets *REF to NULL (NULL and *REF == NULL are no-ops). */
void proxy_schemas_release(struct proxy_schemas *ps, struct schema_ref **ref);

#endif
