/* The SCIM proxy's request path, in order: authenticate, check the source
 * and the rate, parse the path, find the upstream, validate and normalise,
 * derive the facts, decide, forward, audit. Each step either passes or
 * answers with a SCIM Error and stops: a refused request never reaches
 * the upstream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/authn.h"
#include "keyd/authz.h"
#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/metrics.h"
#include "keyd/proxy.h"
#include "keyd/proxy_fwd.h"
#include "keyd/proxy_int.h"
#include "keyd/proxy_schema.h"
#include "keyd/ratelimit.h"
#include "keyd/scim/facts.h"
#include "keyd/scim/schema.h"
#include "keyd/upstream.h"
#include "policy/policy.h"

int
proxy_new(struct proxy **out)
{
	struct proxy *p;

	*out = NULL;
	if (fwd_global_init() == -1)
		return -1;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	if ((p->rl = ratelimit_new()) == NULL ||
	    (p->schemas = proxy_schemas_new()) == NULL ||
	    (p->metrics = metrics_new()) == NULL) {
		proxy_free(&p);
		return -1;
	}
	*out = p;
	return 0;
}

void
proxy_free(struct proxy **pp)
{
	struct proxy *p;

	if (pp == NULL || (p = *pp) == NULL)
		return;
	ratelimit_free(&p->rl);
	proxy_schemas_free(&p->schemas);
	metrics_free(&p->metrics);
	free(p);
	*pp = NULL;
	fwd_global_cleanup();
}

void
proxy_metrics(struct proxy *p, struct metrics_sample *sample,
    struct http_resp *resp)
{
	char	*text;
	size_t	 len;

	if ((text = metrics_render(p->metrics, sample, &len)) == NULL) {
		http_error(resp, 500, "server_error", NULL);
		return;
	}
	resp->status = 200;
	resp->raw = text;
	resp->raw_len = len;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* Refuse: a SCIM Error, and the reason for the audit record. */
int
proxy_refuse(struct proxy_req *x, unsigned status, const char *scim_type,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->reason, sizeof(x->reason), fmt, ap);
	va_end(ap);
	http_scim_error(x->resp, status, scim_type, "%s", x->reason);
	x->decision = status == 403 ? "deny" : "error";
	return -1;
}

/* 1. The bearer token: a provisioning key or an access token. */
static int
step_authn(struct proxy_req *x)
{
	const char		*tok;
	size_t			 len;
	enum authn_result	 r;

	if ((tok = http_bearer(x->req->authorization, &len)) == NULL) {
		snprintf(x->resp->www_authenticate,
		    sizeof(x->resp->www_authenticate), "Bearer realm=\"keyd\"");
		return proxy_refuse(x, 401, NULL, "a bearer token is required "
		    "(a provisioning key or an access token)");
	}
	r = authn_check(x->k->authn, tok, len, keyd_now(), &x->p);
	if (r == AUTHN_ERROR)
		return proxy_refuse(x, 503, NULL, "the credential store is "
		    "unavailable; retry");
	if (r != AUTHN_OK) {
		snprintf(x->resp->www_authenticate,
		    sizeof(x->resp->www_authenticate), "Bearer realm=\"keyd\", "
		    "error=\"invalid_token\"");
		return proxy_refuse(x, 401, NULL, "the bearer token is not "
		    "valid: %s", authn_strerror(r));
	}
	if (x->p.kind == TOKEN_ADM)
		return proxy_refuse(x, 403, NULL, "an admin token does not "
		    "grant SCIM access; use a client's key or access token");
	x->scope = x->p.kind == TOKEN_AT ? x->p.scope : NULL;
	return 0;
}

/* 2. The role's limits: where from. Reads the policy under the caller's
 * read lock. */
static int
step_source(struct proxy_req *x)
{
	if (policy_role_limits(x->k->policy, x->p.role, &x->limits) != 0)
		return proxy_refuse(x, 403, NULL, "role %s is not in the "
		    "active policy", x->p.role);
	if (!policy_source_allowed(x->k->policy, x->p.role,
	    x->req->peer_family, x->req->peer))
		return proxy_refuse(x, 403, NULL, "this client may not connect "
		    "from %s: not in limits.source of role %s", x->req->remote,
		    x->p.role);
	x->max_body = authz_max_body(x->k->policy, x->p.role);
	if (x->max_body > x->k->cfg.max_body)
		x->max_body = x->k->cfg.max_body;
	return 0;
}

/* 3. The path, and the upstream it names. */
static int
step_path(struct proxy_req *x)
{
	char			 err[SCIM_FACTS_ERR_MAX];
	enum scim_path_err	 e;

	e = scim_path_parse(x->req->method, x->req->path, &x->path, err,
	    sizeof(err));
	if (e == SCIM_PATH_METHOD) {
		if (x->path.allow != NULL)
			http_header_add(x->resp, "Allow", x->path.allow);
		return proxy_refuse(x, 405, NULL, "%s", err);
	}
	if (e == SCIM_PATH_NOT_IMPLEMENTED)
		return proxy_refuse(x, 501, NULL, "%s", err);
	if (e != SCIM_PATH_OK)
		return proxy_refuse(x, 404, NULL, "%s", err);
	if (upstream_get(x->k->upstreams, x->path.upstream, &x->up) != 0)
		return proxy_refuse(x, 404, NULL, "no upstream named %s",
		    x->path.upstream);
	return 0;
}

/* The upstream's schemas, which validation needs: 1 when they are not
 * cached and MAY_BLOCK is 0. */
static int
step_schemas(struct proxy_req *x, int may_block)
{
	if (may_block) {
		x->set = proxy_schemas_get(x->px->schemas, x->up, &x->sref);
		return 0;
	}
	if (proxy_schemas_peek(x->px->schemas, x->up, &x->set, &x->sref,
	    &x->schema_stale) == 0)
		return 1;
	return 0;
}

/* 4. How often: the role's token bucket. */
static int
step_rate(struct proxy_req *x)
{
	int64_t retry;

	if (ratelimit_take(x->px->rl, x->p.client_id, x->limits.rate,
	    x->limits.rate_period, x->limits.burst, keyd_mono_ns(), &retry) == 0)
		return 0;
	snprintf(x->resp->retry_after, sizeof(x->resp->retry_after), "%lld",
	    (long long)retry);
	return proxy_refuse(x, 429, NULL, "rate limit of role %s exceeded "
	    "(limits.rate); retry after %lld s", x->p.role, (long long)retry);
}

/* 5. RFC 7643/7644 validation, into the body that will be forwarded. */
static int
step_validate(struct proxy_req *x)
{
	struct scim_valid_error		 err;
	enum scim_valid_err		 e;

	if (x->req->body_len > x->max_body)
		return proxy_refuse(x, 413, NULL, "the body is larger than "
		    "%zu bytes (limits.max_body of role %s)", x->max_body,
		    x->p.role);
	e = scim_validate_request(x->set, x->req->method, &x->path,
	    x->req->query, x->req->content_type, x->req->body_len > 0 ?
	    x->req->body : NULL, x->req->body_len, x->max_body,
	    x->limits.max_bulk_operations ? x->limits.max_bulk_operations :
	    SCIM_VALID_MAX_OPS, &x->norm, &x->norm_len, &err);
	if (e != SCIM_VALID_OK)
		return proxy_refuse(x, (unsigned)err.status, err.scim_type,
		    "%s", err.detail);
	return 0;
}

/* 6. The facts the policy decides on, from what will be forwarded. */
static int
step_facts(struct proxy_req *x)
{
	char			 err[SCIM_FACTS_ERR_MAX];
	enum scim_facts_err	 e;

	e = scim_facts_derive(x->req->method, x->req->path, x->req->query,
	    x->norm, x->norm_len, x->max_body, &x->facts, err, sizeof(err));
	if (e != SCIM_FACTS_OK)
		return proxy_refuse(x, (unsigned)scim_facts_status(e),
		    scim_facts_scim_type(e), "%s", err);
	return 0;
}

/* 7. The decision. */
static int
step_decide(struct proxy_req *x)
{
	if (authz_decide(x->k->policy, x->p.role, x->scope, &x->facts,
	    &x->d) == 0) {
		x->decision = "allow";
		snprintf(x->reason, sizeof(x->reason), "%s", x->d.reason);
		return 0;
	}
	proxy_refuse(x, 403, NULL, "%s", x->d.reason);
	return -1;
}

/* What an earlier, blocked attempt left behind. */
static void
admit_reset(struct proxy_req *x)
{
	proxy_schemas_release(x->px->schemas, &x->sref);
	upstream_release(&x->up);
	x->set = NULL;
	x->schema_stale = 0;
	memset(&x->path, 0, sizeof(x->path));
	memset(&x->p, 0, sizeof(x->p));
	x->scope = NULL;
}

int
proxy_admit(struct proxy_req *x, int may_block)
{
	int rc = -1;

	admit_reset(x);
	if (!audit_ready(x->k->audit))
		return proxy_refuse(x, 503, NULL, "the audit log cannot be "
		    "written; nothing is forwarded until it can");
	if (step_authn(x) == -1)
		return -1;
	pthread_rwlock_rdlock(&x->k->policy_lock);
	if (step_source(x) == 0 && step_path(x) == 0) {
		if (step_schemas(x, may_block) == 1)
			rc = 1;
		else if (step_rate(x) == 0 && step_validate(x) == 0 &&
		    step_facts(x) == 0 && step_decide(x) == 0)
			rc = 0;
	}
	pthread_rwlock_unlock(&x->k->policy_lock);
	return rc;
}

const char *
proxy_req_stale(const struct proxy_req *x)
{
	return x->schema_stale && x->up != NULL ? x->up->name : NULL;
}

void
proxy_schemas_refresh(struct proxy *px, struct keyd *k, const char *name)
{
	struct upstream		*up = NULL;
	struct schema_ref	*ref = NULL;

	if (upstream_get(k->upstreams, name, &up) != 0)
		return;
	(void)proxy_schemas_get(px->schemas, up, &ref);
	proxy_schemas_release(px->schemas, &ref);
	upstream_release(&up);
}

struct proxy_req *
proxy_req_new(struct proxy *px, struct keyd *k, const struct http_req *req,
    struct http_resp *resp)
{
	struct proxy_req *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->px = px;
	x->k = k;
	x->req = req;
	x->resp = resp;
	x->t0 = keyd_mono_ns();
	x->decision = "error";
	x->upstream_status = -1;
	return x;
}

struct fwd *
proxy_req_fwd(struct proxy_req *x)
{
	return x->fwd;
}

void
proxy_req_free(struct proxy_req **xp)
{
	struct proxy_req *x;

	if (xp == NULL || (x = *xp) == NULL)
		return;
	fwd_free(&x->fwd);	/* before the upstream it refers to */
	scim_facts_free(&x->facts);
	if (x->norm != NULL) {
		sodium_memzero(x->norm, x->norm_len);
		free(x->norm);
	}
	proxy_schemas_release(x->px->schemas, &x->sref);
	upstream_release(&x->up);
	free(x);
	*xp = NULL;
}
