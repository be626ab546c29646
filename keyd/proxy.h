/* The authorising SCIM proxy: /scim/v2/{upstream}/{rest}. Each request is
 * authenticated, rate-limited, parsed and validated, decided by the
 * policy, forwarded with the upstream's credential, and audited
 * (docs/proxy.md). */
#ifndef KEYD_PROXY_H
#define KEYD_PROXY_H

#include "keyd/http.h"

struct keyd;
struct proxy;

/* The proxy's own state (rate buckets, schema cache, metrics) into *OUT;
 * sets libcurl up for forwarding. 0, or -1 when that fails. */
int proxy_new(struct proxy **out) __attribute__((warn_unused_result));
void proxy_free(struct proxy **p);

/* Answer REQ, a request under /scim/v2/, into RESP: a SCIM Error for
 * every refusal, or the upstream's answer with a streamed body. */
void proxy_handle(struct proxy *p, struct keyd *k, const struct http_req *req,
    struct http_resp *resp);

/* Answer GET /metrics: the proxy's counters and histograms, and SAMPLE
 * (the gauges other modules own), in the Prometheus text format. */
struct metrics_sample;
void proxy_metrics(struct proxy *p, struct metrics_sample *sample,
    struct http_resp *resp);

#endif
