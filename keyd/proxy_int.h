/* Private to proxy*.c: the proxy's state and one request's. */
#ifndef KEYD_PROXY_INT_H
#define KEYD_PROXY_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "keyd/authn.h"
#include "keyd/http.h"
#include "keyd/scim/facts.h"
#include "keyd/scim/path.h"
#include "policy/policy.h"

struct proxy {
	struct ratelimit	*rl;
	struct proxy_schemas	*schemas;
	struct metrics		*metrics;
};

struct pctx {
	struct proxy		*px;
	struct keyd		*k;
	const struct http_req	*req;
	struct http_resp	*resp;
	int64_t			 t0;		/* CLOCK_MONOTONIC ns */
	struct principal	 p;
	const char		*scope;		/* an access token's, or NULL */
	struct policy_limits	 limits;
	size_t			 max_body;
	struct scim_path	 path;
	struct upstream		*up;
	struct schema_ref	*sref;
	char			*norm;		/* the body forwarded */
	size_t			 norm_len;
	struct scim_facts	 facts;
	struct policy_decision	 d;
	const char		*decision;	/* allow, deny, error */
	char			 reason[POLICY_REASON_MAX];
	struct fwd		*fwd;
	long			 upstream_us;
	int			 upstream_status;	/* -1: not forwarded */
};

/* Answer X with a SCIM Error (status, scimType or NULL, detail) and keep
 * the detail as the audit reason. Returns -1. */
int proxy_refuse(struct pctx *x, unsigned status, const char *scim_type,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Send the admitted request X upstream; on return X->resp holds the
 * upstream's answer, streamed, or a 502/504 SCIM Error. */
void proxy_forward(struct pctx *x);

/* Hand X's upstream answer to RESP as its streamed body: the transfer
 * and the upstream reference move into it. 0, or -1 out of memory. */
int proxy_stream_attach(struct pctx *x) __attribute__((warn_unused_result));

/* Write X's audit record and metrics, once its answer is known; when the
 * record cannot be made durable the answer becomes a 503. */
void proxy_finish(struct pctx *x);

#endif
