/* Building and writing the audit record of a public request. What the
 * record never holds: a secret (only token ids), the query string or the
 * body (SCIM carries personal data; the body's BLAKE2b-256 stands in). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/audit_http.h"
#include "keyd/http.h"
#include "keyd/keyd.h"

/* Probes and scrapes are not requests anyone needs to answer for. SCIM
 * requests are: the proxy writes their record itself, with what only it
 * knows, and says so (audit_http_handled); one it never reaches (413,
 * 414, or refused here while the log is failing) gets the generic one. */
static int
unaudited(const struct http_req *req)
{
	return strcmp(req->method, "GET") == 0 &&
	    (strcmp(req->path, "/healthz") == 0 ||
	    strcmp(req->path, "/metrics") == 0);
}

void
audit_http_digest(const struct http_req *req, char hex[65])
{
	unsigned char	h[32];

	hex[0] = '\0';
	if (req->body_len == 0)
		return;
	crypto_generichash(h, sizeof(h), (const unsigned char *)req->body,
	    req->body_len, NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

void
audit_http_unavailable(struct http_resp *resp)
{
	json_decref(resp->body);
	resp->body = NULL;
	if (resp->audit != NULL && resp->audit->scim)
		http_scim_error(resp, 503, NULL, "the audit log cannot be "
		    "written; keyd refuses requests it cannot record");
	else
		http_error(resp, 503, "temporarily_unavailable", "the audit "
		    "log cannot be written; keyd refuses requests it cannot "
		    "record");
	snprintf(resp->retry_after, sizeof(resp->retry_after), "1");
}

void
audit_http_handled(struct http_resp *resp)
{
	if (resp->audit != NULL)
		resp->audit->skip = 1;
}

int
audit_http_begin(struct keyd *k, const struct http_req *req,
    struct audit_http *ah, struct http_resp *resp)
{
	memset(ah, 0, sizeof(*ah));
	ah->k = k;
	ah->start_ns = keyd_mono_ns();
	ah->scim = strncmp(req->path, "/scim/", 6) == 0;
	resp->audit = ah;
	if (k->audit == NULL || unaudited(req)) {
		ah->skip = 1;
		return 1;
	}
	audit_rec_init(&ah->rec, "request");
	AUDIT_SET(&ah->rec, request_id, req->request_id);
	AUDIT_SET(&ah->rec, remote, req->remote);
	AUDIT_SET(&ah->rec, method, req->method);
	AUDIT_SET(&ah->rec, path, req->path);
	audit_http_digest(req, ah->rec.body_digest);
	if (audit_ready(k->audit))
		return 1;
	ah->skip = 1;	/* there is nowhere to write its record */
	audit_http_unavailable(resp);
	return 0;
}

struct audit_rec *
audit_http_rec(struct http_resp *resp)
{
	struct audit_http *ah = resp->audit;

	return ah != NULL && !ah->skip ? &ah->rec : NULL;
}

/* Unless the handler said, the decision follows the status, and the
 * reason is the error the body carries (OAuth or SCIM shape). */
static void
outcome_fill(struct audit_rec *r, const struct http_resp *resp)
{
	const char	*e, *d;
	char		 why[sizeof(r->reason)];

	r->status = resp->status;
	if (r->decision[0] == '\0')
		AUDIT_SET(r, decision, resp->status < 400 ? "allow" :
		    resp->status < 500 ? "deny" : "error");
	if (r->reason[0] != '\0' || resp->body == NULL || resp->status < 400)
		return;
	e = json_string_value(json_object_get(resp->body, "error"));
	d = json_string_value(json_object_get(resp->body, e != NULL ?
	    "error_description" : "detail"));
	if (e == NULL)
		e = json_string_value(json_object_get(resp->body, "scimType"));
	snprintf(why, sizeof(why), "%s%s%s", e != NULL ? e : "",
	    e != NULL && d != NULL ? ": " : "", d != NULL ? d : "");
	AUDIT_SET(r, reason, why);
}

static int
record_write(struct audit_http *ah, const struct http_resp *resp)
{
	struct audit_rec r = ah->rec;

	outcome_fill(&r, resp);
	r.latency_us = (keyd_mono_ns() - ah->start_ns) / 1000;
	r.time_us = 0;
	if (audit_write(ah->k->audit, &r) == -1)
		return -1;
	ah->rec.seq = r.seq;
	return 0;
}

int
audit_http_ahead(struct http_resp *resp, unsigned status)
{
	struct audit_http	*ah = resp->audit;
	struct http_resp	 as = *resp;

	if (ah == NULL || ah->skip)
		return 0;
	as.status = status;
	as.body = NULL;
	if (record_write(ah, &as) == -1) {
		ah->skip = 1;
		return -1;
	}
	ah->ahead_seq = ah->rec.seq;
	ah->ahead_status = status;
	return 0;
}

void
audit_http_end(struct audit_http *ah, struct http_resp *resp)
{
	char why[96];

	resp->audit = ah;	/* a handler may have replaced RESP */
	if (ah->skip) {
		resp->audit = NULL;
		return;
	}
	if (ah->ahead_seq != 0 && ah->ahead_status == resp->status)
		return;
	if (ah->ahead_seq != 0) {
		/* The effect failed after its record: say how it really
		 * ended, naming the record written ahead. */
		snprintf(why, sizeof(why), "ended otherwise than the record "
		    "written ahead (seq %lld) says", (long long)ah->ahead_seq);
		AUDIT_SET(&ah->rec, reason, why);
		AUDIT_SET(&ah->rec, decision, "error");
	}
	if (record_write(ah, resp) == -1)
		audit_http_unavailable(resp);
	resp->audit = NULL;
}
