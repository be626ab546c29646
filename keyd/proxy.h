/* The authorising SCIM proxy: /scim/v2/{upstream}/{rest}. Each request is
 * authenticated, rate-limited, parsed and validated, decided by the
 * policy, forwarded with the upstream's credential, and audited
 * (docs/proxy.md).
 *
 * A request goes through it in stages, so that an event loop can run it
 * without ever blocking (server.c drives them):
 *
 *	x = proxy_req_new(...)
 *	proxy_admit(x, may_block)	authenticate … decide
 *	proxy_forward_begin(x, ...)	send it; a notify says the head is in
 *	proxy_forward_head(x)		the upstream's status and headers
 *	proxy_record(x, &rec)		its audit record, to write durably
 *	proxy_recorded(x, ok)		written (or not: the answer is a 503)
 *	… the answer's body: proxy_req_fwd(x) …
 *	proxy_req_free(&x)
 *
 * After a refusal at any stage RESP holds the SCIM Error and the request
 * goes straight to proxy_record. */
#ifndef KEYD_PROXY_H
#define KEYD_PROXY_H

#include "keyd/audit_chain.h"
#include "keyd/http.h"
#include "keyd/proxy_fwd.h"

struct keyd;
struct proxy;
struct proxy_req;
struct url_rewrite;

/* The proxy's own state (rate buckets, schema cache, metrics) into *OUT;
 * sets libcurl up for forwarding. 0, or -1 when that fails. */
int proxy_new(struct proxy **out) __attribute__((warn_unused_result));
void proxy_free(struct proxy **p);

/* A request under /scim/v2/: REQ and RESP are borrowed and must outlive
 * it. NULL when out of memory. */
struct proxy_req *proxy_req_new(struct proxy *p, struct keyd *k,
    const struct http_req *req, struct http_resp *resp);

/* Free X, ending its transfer if one runs. Safe on NULL. */
void proxy_req_free(struct proxy_req **x);

/* Steps 1 to 6: authenticate, source, path, upstream, rate, validate,
 * facts, decide. 0 when admitted; -1 when refused (RESP holds the
 * error); 1 when, with MAY_BLOCK 0, the upstream's schemas must first be
 * fetched: nothing was taken (no rate token), and the same call with
 * MAY_BLOCK 1 on a thread that may block does it. */
int proxy_admit(struct proxy_req *x, int may_block)
	__attribute__((warn_unused_result));

/* The upstream whose cached schemas proxy_admit found past their time,
 * or NULL: have proxy_schemas_refresh run on a thread that may block. */
const char *proxy_req_stale(const struct proxy_req *x);

/* Fetch UPSTREAM's schemas anew if they are stale; blocks. */
void proxy_schemas_refresh(struct proxy *p, struct keyd *k,
    const char *upstream);

/* Send the admitted X to its upstream on FL. 0: NOTIFY(CLS) follows on
 * FL's thread when the answer's head is in (or the transfer failed), then
 * call proxy_forward_head; later notifies concern the body
 * (fwd_read). -1: RESP holds the error. */
int proxy_forward_begin(struct proxy_req *x, struct fwd_loop *fl,
    fwd_notify notify, void *cls) __attribute__((warn_unused_result));

/* RESP gets the upstream's status and headers, or a 502/504. */
void proxy_forward_head(struct proxy_req *x);

/* When X's answer is JSON, set W up to rewrite the upstream's base URL
 * in its body to keyd's (keyd/proxy_rewrite.h; free it with
 * url_rewrite_free). BODY (LEN bytes) is the whole body when it is at
 * hand, NULL while it streams: without the base in it, nothing is set
 * up. 1 when set up, 0 when the body passes as it is, -1 out of memory.
 * After proxy_forward_head. */
int proxy_answer_rewrite(struct proxy_req *x, const char *body, size_t len,
    struct url_rewrite *w)
	__attribute__((warn_unused_result));

/* The transfer whose body is the answer's, or NULL (an error answer). */
struct fwd *proxy_req_fwd(struct proxy_req *x);

/* The request's audit record, as it ends with RESP's status, into R. */
void proxy_record(struct proxy_req *x, struct audit_rec *r);

/* The record was written (OK 1) or could not be (0: RESP becomes a 503
 * and the upstream's answer is dropped); counts the metrics and logs a
 * refusal. */
void proxy_recorded(struct proxy_req *x, int ok);

/* Answer GET /metrics: the proxy's counters and histograms, and SAMPLE
 * (the gauges other modules own), in the Prometheus text format. */
struct metrics_sample;
void proxy_metrics(struct proxy *p, struct metrics_sample *sample,
    struct http_resp *resp);

#endif
