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

struct proxy_req {
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
	const struct scim_schema_set *set;	/* NULL: the core */
	int			 schema_stale;
	char			*norm;		/* the body forwarded */
	size_t			 norm_len;
	struct scim_facts	 facts;
	struct policy_decision	 d;
	const char		*decision;	/* allow, deny, error */
	char			 reason[POLICY_REASON_MAX];
	struct fwd		*fwd;
	long			 upstream_us;
	int64_t			 latency_us;	/* when recorded */
	int			 upstream_status;	/* -1: not forwarded */
};

/* Answer X with a SCIM Error (status, scimType or NULL, detail) and keep
 * the detail as the audit reason. Returns -1. */
int proxy_refuse(struct proxy_req *x, unsigned status, const char *scim_type,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
