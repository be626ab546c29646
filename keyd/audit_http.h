/* The audit record of one request on the public listener. server.c opens
 * it before the handler and writes it before the response is queued;
 * handlers fill in who and what (client, token id, resource id, decision,
 * rule, reason) and, before an effect that must not happen unrecorded
 * (minting a token), write it ahead. While the audit log is failing,
 * every audited request is answered 503 and its handler never runs. */
#ifndef KEYD_AUDIT_HTTP_H
#define KEYD_AUDIT_HTTP_H

#include <stdint.h>
#include <time.h>

#include "keyd/audit_chain.h"

struct keyd;
struct http_req;
struct http_resp;

struct audit_http {
	struct keyd	*k;
	struct audit_rec rec;
	int64_t		 start_ns;	/* keyd_mono_ns() */
	int		 skip;		/* not audited (/healthz, /metrics) */
	int		 scim;		/* a SCIM path: errors in SCIM shape */
	int64_t		 ahead_seq;	/* written ahead: its seq; 0: not */
	unsigned	 ahead_status;
};

/* Open AH for REQ and hang it on RESP (resp->audit). Returns 1 when the
 * handler may run; 0 when the audit log is failing and RESP holds 503. */
int audit_http_begin(struct keyd *k, const struct http_req *req,
    struct audit_http *ah, struct http_resp *resp)
	__attribute__((warn_unused_result));

/* The hex BLAKE2b-256 of REQ's body into HEX ("" when it has none): what
 * a record holds in place of the body. */
void audit_http_digest(const struct http_req *req, char hex[65]);

/* The record RESP's handler fills in, or NULL when there is none. */
struct audit_rec *audit_http_rec(struct http_resp *resp);

/* Write the record now, as the request will end with STATUS, and wait
 * until it is durable; call it right before the effect. 0: go on (also
 * when the request is not audited); -1: do nothing, answer with
 * audit_http_unavailable. */
int audit_http_ahead(struct http_resp *resp, unsigned status)
	__attribute__((warn_unused_result));

/* Write the record of how RESP ends (AH, as audit_http_begin opened it),
 * unless it was written ahead with the same status or the handler wrote
 * its own. If it cannot be written, RESP becomes 503. */
void audit_http_end(struct audit_http *ah, struct http_resp *resp);

/* The handler wrote the request's record itself (the SCIM proxy does,
 * with what only it knows): audit_http_end then writes none. */
void audit_http_handled(struct http_resp *resp);

/* RESP becomes 503 temporarily_unavailable (the audit log is failing),
 * a SCIM Error on a SCIM path. */
void audit_http_unavailable(struct http_resp *resp);

#endif
