/* Counters and histograms for GET /metrics, in the Prometheus text
 * exposition format (version 0.0.4). Safe from any thread. */
#ifndef KEYD_METRICS_H
#define KEYD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_SERIES_MAX	2048	/* label sets of requests_total */

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics **m);

/* Count one proxied request: its upstream ("" when none was found), SCIM
 * operation, decision (allow, deny, error) and the status keyd answered;
 * KEYD_US is keyd's own time, UPSTREAM_US the upstream's (-1: not sent).
 * Past METRICS_SERIES_MAX label sets, new ones count under upstream
 * "other". */
void metrics_request(struct metrics *m, const char *upstream, const char *op,
    const char *decision, unsigned status, int64_t keyd_us,
    int64_t upstream_us);

/* Gauges and counters owned elsewhere, sampled at render time. */
struct metrics_sample {
	uint64_t	cache_hits;
	uint64_t	cache_misses;
	uint64_t	open_connections;
	uint64_t	audit_failing;
	uint64_t	audit_commits;		/* transactions since start */
	uint64_t	audit_records;		/* records since start */
};

/* Render everything into a malloc'd NUL-terminated buffer (*LEN bytes);
 * the caller frees it. NULL when memory runs out. */
char *metrics_render(struct metrics *m, const struct metrics_sample *s,
    size_t *len);

#endif
