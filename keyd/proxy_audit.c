/* The end of every proxied request: its audit record, durable before the
 * answer leaves (or the answer becomes a 503), its metrics and its log
 * line. A record names the request, never its body: a BLAKE2b digest
 * stands for it, as SCIM bodies carry personal data. */
#include <stdio.h>
#include <string.h>


#include "keyd/audit.h"
#include "keyd/audit_http.h"
#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/metrics.h"
#include "keyd/proxy_fwd.h"
#include "keyd/proxy.h"
#include "keyd/proxy_int.h"
#include "keyd/scim/path.h"

static void
record_fill(const struct proxy_req *x, struct audit_rec *r, int64_t latency_us)
{
	const char *op = x->path.op != SCIM_OP_NONE ?
	    scim_path_op_name(x->path.op) : NULL;

	audit_rec_init(r, "scim.request");
	AUDIT_SET(r, request_id, x->req->request_id);
	AUDIT_SET(r, remote, x->req->remote);
	AUDIT_SET(r, client, x->p.client);
	AUDIT_SET(r, token_id, x->p.cred_id);
	AUDIT_SET(r, upstream, x->path.upstream);
	AUDIT_SET(r, method, x->req->method);
	/* The path only: a query's filter names people. */
	AUDIT_SET(r, path, x->req->path);
	AUDIT_SET(r, scim_op, op);
	AUDIT_SET(r, resource_id, x->path.id);
	AUDIT_SET(r, decision, x->decision);
	AUDIT_SET(r, rule, x->d.rule);
	AUDIT_SET(r, reason, x->reason);
	r->status = x->resp->status;
	r->upstream_status = x->upstream_status >= 0 ? x->upstream_status :
	    AUDIT_NULL;
	r->latency_us = latency_us;
	audit_http_digest(x->req, r->body_digest);
}

void
proxy_record(struct proxy_req *x, struct audit_rec *r)
{
	x->latency_us = (keyd_mono_ns() - x->t0) / 1000;
	record_fill(x, r, x->latency_us);
	r->time_us = 0;
	audit_http_handled(x->resp);	/* this is the request's record */
}

void
proxy_recorded(struct proxy_req *x, int ok)
{
	int64_t	us = x->latency_us;
	char	q[402];	/* 200 bytes of the reason, each maybe escaped */

	if (!ok) {
		/* Nothing unrecorded leaves keyd: the upstream's answer, if
		 * any, is dropped with its connection. */
		fwd_free(&x->fwd);
		http_resp_clear(x->resp);
		x->decision = "error";
		http_scim_error(x->resp, 503, NULL, "the audit log cannot be "
		    "written; retry later");
		snprintf(x->resp->retry_after, sizeof(x->resp->retry_after),
		    "1");
	}
	metrics_request(x->px->metrics, x->path.upstream,
	    x->path.op != SCIM_OP_NONE ? scim_path_op_name(x->path.op) :
	    "none", x->decision, x->resp->status, us - (x->upstream_us > 0 ?
	    x->upstream_us : 0), x->upstream_status >= 0 ? x->upstream_us :
	    -1);
	if (strcmp(x->decision, "allow") != 0)
		log_event(LOG_INFO, "proxy.refused", "id=%s client=%s "
		    "status=%u reason=\"%s\"", x->req->request_id,
		    x->p.client[0] != '\0' ? x->p.client : "-",
		    x->resp->status, log_quote(x->reason, q, sizeof(q)));
}
