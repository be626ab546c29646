/* Token buckets, one per client: a role's limits.rate refills it, its
 * limits.burst is its depth. Safe from any thread. */
#ifndef KEYD_RATELIMIT_H
#define KEYD_RATELIMIT_H

#include <stdint.h>

#define RATELIMIT_CLIENTS_MAX	65536	/* buckets held at once */

struct ratelimit;

/* A new set of buckets, or NULL when memory runs out. */
struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit **rl);

/* Take one token from CLIENT_ID's bucket, which refills RATE tokens every
 * PERIOD_S seconds up to BURST (0: RATE), at NOW_NS (CLOCK_MONOTONIC).
 * RATE 0 is no limit. Returns 0 when the request may go, -1 when the
 * bucket is empty, with *RETRY_S the whole seconds until a token is back
 * (at least 1). A full table (RATELIMIT_CLIENTS_MAX clients) lets the
 * request go rather than keep one client out for another's sake. */
int ratelimit_take(struct ratelimit *rl, int64_t client_id, uint64_t rate,
    uint64_t period_s, uint64_t burst, int64_t now_ns, int64_t *retry_s)
	__attribute__((warn_unused_result));

#endif
