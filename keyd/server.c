/* Each request's stages on its worker (keyd/server_int.h has the model):
 * the connection (server_client.c) hands over a parsed head and a bounded
 * body, then a SCIM request is admitted, forwarded and audited on the
 * worker while its connection waits; what may block goes to the pool and
 * comes back through the worker's mailbox; then the answer is written
 * out, whole or streamed. server_listen.c starts all this,
 * server_route.c answers the rest. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/audit_http.h"
#include "keyd/http.h"
#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/proxy.h"
#include "keyd/proxy_rewrite.h"
#include "keyd/server_int.h"
#include "keyd/upstream.h"

#define DRAIN_MAX	(16u * 1024 * 1024)
#define STREAM_BLOCK	(64 * 1024)

#define container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

enum stage {
	ST_READ,	/* the request is arriving */
	ST_POOL,	/* on the blocking pool */
	ST_UPSTREAM,	/* forwarded: waiting for the answer's head */
	ST_AUDIT,	/* waiting for its record to be durable */
	ST_ANSWER,	/* RESP is the answer: queue it */
	ST_STREAM,	/* the answer's body is being sent */
	ST_STREAM_WAIT,	/* … and the upstream has sent no more yet */
	ST_ABORT	/* keyd is stopping: cut the connection */
};

/* A request, from its head to the end of its answer. */
struct reqctx {
	struct worker	*w;
	struct client	*conn;
	char		*head;		/* the head's bytes: REQ points into them */
	size_t		 head_len;
	int		 minor;		/* HTTP/1.MINOR */
	int		 uri_too_long;
	int		 chunked;	/* the streamed answer goes out chunked */
	char		*body;
	size_t		 len, cap;
	int		 too_big;
	size_t		 drained;	/* bytes thrown away past max_body */
	int64_t		 start_ns;	/* keyd_mono_ns() */
	char		 request_id[33];
	char		 allow[32];	/* methods the path takes, for 405 */
	enum stage	 stage;
	struct http_req	 req;
	struct http_resp resp;
	struct audit_http ah;
	struct proxy_req *x;		/* a SCIM request's */
	int		 streamed;	/* the body comes from the upstream */
	int		 rewriting;	/* through RW (a JSON answer) */
	struct url_rewrite rw;
	struct mail	 mail;
	struct job	 job;
};

struct refresh_job {
	struct job	job;
	char		upstream[UPSTREAM_NAME_MAX + 1];
};

static int
body_append(struct reqctx *r, const char *data, size_t n, uint64_t max)
{
	if (r->len + n > max) {
		r->too_big = 1;
		return 0;
	}
	if (keyd_grow(&r->body, &r->cap, r->len, r->len + n + 1, 4096, 0) ==
	    -1)
		return -1;
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return 0;
}


static int
resp_empty(const struct http_resp *resp)
{
	return resp->body == NULL && resp->raw == NULL &&
	    resp->status != 204 && resp->status != 304;
}

/* A route's answer, and its audit record (written here, so this may
 * block). */
static void
route_finish(struct server *s, struct reqctx *r)
{
	struct route_state rs = { r->uri_too_long, r->too_big };

	server_route(s, &r->req, &rs, r->allow, sizeof(r->allow), &r->resp);
	if (resp_empty(&r->resp))
		http_error(&r->resp, 500, "server_error", NULL);
	audit_http_end(&r->ah, &r->resp);	/* before anything is sent */
}

/* --- moving a request along -------------------------------------------- */

static void
ready(struct reqctx *r)
{
	r->stage = ST_ANSWER;
	client_ready(r->conn);
}

static void
mail_ready(struct worker *w, struct mail *m)
{
	w->waiting--;
	ready(container_of(m, struct reqctx, mail));
}

static void
mail_recorded(struct worker *w, struct mail *m)
{
	struct reqctx *r = container_of(m, struct reqctx, mail);

	w->waiting--;
	proxy_recorded(r->x, m->val);
	ready(r);
}

/* The audit writer's thread: back to the request's worker. */
static void
on_recorded(void *cls, int ok)
{
	struct reqctx *r = cls;

	r->mail.fn = mail_recorded;
	r->mail.val = ok;
	worker_post(r->w, &r->mail);
}

/* The SCIM request's record; the answer waits until it is durable. */
static void
scim_record(struct reqctx *r)
{
	struct audit_rec	rec;
	int			rc;

	proxy_record(r->x, &rec);
	rc = audit_write_async(r->w->s->k->audit, &rec, on_recorded, r);
	if (rc == 0) {
		r->stage = ST_AUDIT;
		r->w->waiting++;
		return;
	}
	proxy_recorded(r->x, rc == 1);
	ready(r);
}

/* News of the request's upstream transfer. */
static void
on_upstream(void *cls)
{
	struct reqctx *r = cls;

	if (r->stage == ST_UPSTREAM) {
		proxy_forward_head(r->x);
		scim_record(r);
	} else if (r->stage == ST_STREAM_WAIT) {
		r->stage = ST_STREAM;
		client_ready(r->conn);
	}
}

static void
scim_admitted(struct reqctx *r, int rc)
{
	if (rc == 0 && proxy_forward_begin(r->x, r->w->fl, on_upstream, r) ==
	    0) {
		r->stage = ST_UPSTREAM;
		return;
	}
	scim_record(r);
}

static void
mail_admitted(struct worker *w, struct mail *m)
{
	w->waiting--;
	scim_admitted(container_of(m, struct reqctx, mail), m->val);
}

static void
job_admit(struct server *s, struct job *j)
{
	struct reqctx *r = container_of(j, struct reqctx, job);

	(void)s;
	r->mail.fn = mail_admitted;
	r->mail.val = proxy_admit(r->x, 1);
	worker_post(r->w, &r->mail);
}

static void
job_route(struct server *s, struct job *j)
{
	struct reqctx *r = container_of(j, struct reqctx, job);

	route_finish(s, r);
	r->mail.fn = mail_ready;
	worker_post(r->w, &r->mail);
}

static void
to_pool(struct reqctx *r, void (*run)(struct server *, struct job *))
{
	r->stage = ST_POOL;
	r->w->waiting++;
	r->job.run = run;
	pool_submit(r->w->s, &r->job);
}

static void
job_refresh(struct server *s, struct job *j)
{
	struct refresh_job *rj = container_of(j, struct refresh_job, job);

	proxy_schemas_refresh(s->proxy, s->k, rj->upstream);
	free(rj);
}

/* The upstream's schemas are past their time: fetch them anew on the
 * pool, once. */
static void
refresh_schemas(struct server *s, const char *upstream)
{
	struct refresh_job *rj;

	if ((rj = calloc(1, sizeof(*rj))) == NULL)
		return;
	snprintf(rj->upstream, sizeof(rj->upstream), "%s", upstream);
	rj->job.run = job_refresh;
	pool_submit(s, &rj->job);
}

static void
scim_start(struct reqctx *r)
{
	struct server	*s = r->w->s;
	const char	*stale;
	int		 rc;

	if ((r->x = proxy_req_new(s->proxy, s->k, &r->req, &r->resp)) ==
	    NULL) {
		http_scim_error(&r->resp, 500, NULL, "out of memory");
		ready(r);
		return;
	}
	if ((rc = proxy_admit(r->x, 0)) == 1) {
		to_pool(r, job_admit);
		return;
	}
	if ((stale = proxy_req_stale(r->x)) != NULL)
		refresh_schemas(s, stale);
	scim_admitted(r, rc);
}

/* The request is in: start it. Its answer comes through ready(). */
void
request_run(struct reqctx *r)
{
	struct server *s = r->w->s;

	r->req.body = r->body != NULL ? r->body : "";
	r->req.body_len = r->len;
	if (!audit_http_begin(s->k, &r->req, &r->ah, &r->resp))
		ready(r);	/* 503: the audit log is failing */
	else if (server_path_scim(r->req.path) && !r->too_big &&
	    !r->uri_too_long)
		scim_start(r);
	else if ((strcmp(r->req.method, "GET") == 0 ||
	    strcmp(r->req.method, "HEAD") == 0) &&
	    (strcmp(r->req.path, "/healthz") == 0 ||
	    strcmp(r->req.path, "/metrics") == 0)) {
		route_finish(s, r);	/* unaudited, never blocks */
		ready(r);
	} else
		to_pool(r, job_route);
}

/* --- answering ---------------------------------------------------------- */

/* A streamed JSON answer, with the upstream's URLs rewritten: what is
 * rewritten first, then more from the upstream. Bytes, 0 at the end,
 * FWD_AGAIN, or -1. */
static ssize_t
stream_rewritten(struct reqctx *r, struct fwd *f, char *buf, size_t max)
{
	ssize_t n;

	while (url_rewrite_pending(&r->rw) == 0 && !r->rw.done) {
		n = fwd_read(f, buf, max);
		if (n == FWD_AGAIN)
			return FWD_AGAIN;
		if (n < 0 || url_rewrite_feed(&r->rw, buf, (size_t)n,
		    n == 0) == -1)
			return -1;
	}
	if (url_rewrite_pending(&r->rw) > 0)
		return (ssize_t)url_rewrite_take(&r->rw, buf, max);
	return 0;
}

/* More of a streamed answer into the connection's output, chunked when
 * its length is not known: the chunk's size line goes in the room left
 * before the data. */
int
request_stream(struct reqctx *r)
{
	struct fwd	*f;
	char		*space, line[8];
	ssize_t		 n;
	int		 l;

	if (r->stage == ST_ABORT || r->x == NULL ||
	    (f = proxy_req_fwd(r->x)) == NULL)
		return -1;
	if ((space = client_out_space(r->conn, sizeof(line) + STREAM_BLOCK +
	    2)) == NULL)
		return -1;
	n = r->rewriting ? stream_rewritten(r, f, space + sizeof(line),
	    STREAM_BLOCK) : fwd_read(f, space + sizeof(line), STREAM_BLOCK);
	if (n == FWD_AGAIN) {
		r->stage = ST_STREAM_WAIT;
		return 2;
	}
	if (n < 0)
		return -1;
	if (n == 0)
		return r->chunked && client_out(r->conn, "0\r\n\r\n", 5) == -1 ?
		    -1 : 0;
	if (!r->chunked) {
		client_out_commit(r->conn, sizeof(line), (size_t)n);
		return 1;
	}
	l = snprintf(line, sizeof(line), "%zx\r\n", (size_t)n);
	memcpy(space + sizeof(line) - l, line, (size_t)l);
	memcpy(space + sizeof(line) + n, "\r\n", 2);
	client_out_commit(r->conn, sizeof(line) - (size_t)l, (size_t)l +
	    (size_t)n + 2);
	return 1;
}

/* A proxied answer's body: whole when the upstream is done, else
 * streamed as it comes; a JSON one with the upstream's URLs rewritten
 * to keyd's (left as they are only when memory runs out). */
static void
body_attach(struct reqctx *r)
{
	struct fwd	*f;
	char		*buf;
	size_t		 len;

	if (r->x == NULL || (f = proxy_req_fwd(r->x)) == NULL)
		return;
	if (fwd_body_take(f, &buf, &len)) {
		r->rewriting = proxy_answer_rewrite(r->x, buf, len, &r->rw) ==
		    1;
		if (r->rewriting && url_rewrite_whole(&r->rw, &buf, &len) == -1)
			log_event(LOG_WARN, "proxy.rewrite_failed", "id=%s: out "
			    "of memory: the answer's URLs are the upstream's",
			    r->request_id);
		r->resp.raw = buf;
		r->resp.raw_len = len;
		r->resp.content_type = NULL;	/* the upstream's header */
	} else {
		r->streamed = 1;
		r->rewriting = proxy_answer_rewrite(r->x, NULL, 0, &r->rw) == 1;
	}
}

/* RFC 9110 §6.6.1's Date, once a second per worker. */
static const char *
http_date(struct worker *w)
{
	time_t		now = time(NULL);
	struct tm	tm;

	if (now != w->date_s && gmtime_r(&now, &tm) != NULL &&
	    strftime(w->date, sizeof(w->date), "%a, %d %b %Y %H:%M:%S GMT",
	    &tm) > 0)
		w->date_s = now;
	return w->date;
}

/* Every answer's first lines: the status line, the Date and nosniff. */
static int
response_start(struct client *c, unsigned status)
{
	return client_outf(c, "HTTP/1.1 %u %s\r\nDate: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\n", status,
	    http_reason(status), http_date(c->w));
}

static int
status_has_body(unsigned status)
{
	return status >= 200 && status != 204 && status != 304;
}

/* The answer's body and how it is framed: Content-Length, chunked, or
 * (to an HTTP/1.0 client, length unknown) up to the close. 1 when it is
 * streamed, 0 when BODY (owned, may be NULL) holds it all, -1. */
static int
response_body(struct reqctx *r, struct http_resp *resp, char **body,
    size_t *len)
{
	int64_t clen;

	*body = NULL;
	*len = 0;
	if (r->streamed) {
		/* rewritten, the body's length is not the upstream's */
		clen = r->rewriting ? -1 :
		    fwd_content_length(proxy_req_fwd(r->x));
		r->stage = ST_STREAM;
		if (clen >= 0)
			return client_outf(r->conn, "Content-Length: %lld\r\n",
			    (long long)clen) == -1 ? -1 : 1;
		if (r->minor == 0) {
			r->conn->keep_alive = 0;
			return 1;
		}
		r->chunked = 1;
		return client_outf(r->conn, "Transfer-Encoding: chunked\r\n") ==
		    -1 ? -1 : 1;
	}
	if (resp->raw != NULL) {
		*body = resp->raw;
		*len = resp->raw_len;
		resp->raw = NULL;
		if (resp->content_type != NULL && client_outf(r->conn,
		    "Content-Type: %s\r\n", resp->content_type) == -1)
			return -1;
	} else if (resp->body != NULL) {
		if ((*body = json_dumps(resp->body, JSON_COMPACT)) == NULL)
			return -1;
		*len = strlen(*body);
		if (client_outf(r->conn, "Content-Type: %s\r\n",
		    resp->content_type != NULL ? resp->content_type :
		    "application/json") == -1)
			return -1;
	}
	if (!status_has_body(resp->status))
		return 0;
	return client_outf(r->conn, "Content-Length: %zu\r\n", *len) == -1 ?
	    -1 : 0;
}

/* keyd's own headers on every answer. */
static int
response_headers(struct reqctx *r, const struct http_resp *resp)
{
	struct client	*c = r->conn;
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i < resp->hdrs.n; i++)
		rc |= client_header(c, resp->hdrs.name[i], resp->hdrs.value[i]);
	rc |= client_header(c, "X-Request-Id", r->request_id);
	if (resp->no_store)
		rc |= client_out(c, "Cache-Control: no-store\r\n"
		    "Pragma: no-cache\r\n", 43);
	if (resp->www_authenticate[0] != '\0')
		rc |= client_header(c, "WWW-Authenticate",
		    resp->www_authenticate);
	if (resp->retry_after[0] != '\0')
		rc |= client_header(c, "Retry-After", resp->retry_after);
	if (resp->status == 405 && r->allow[0] != '\0')
		rc |= client_header(c, "Allow", r->allow);
	return rc;
}

/* RESP onto the connection: 0 all of it, 1 a stream follows, -1. */
static int
respond(struct reqctx *r, struct http_resp *resp)
{
	struct client	*c = r->conn;
	char		*body;
	size_t		 len;
	int		 rc;

	if (response_start(c, resp->status) == -1 ||
	    response_headers(r, resp) == -1)
		return -1;
	if ((rc = response_body(r, resp, &body, &len)) == -1)
		return -1;
	if (!client_keep(c) ? client_outf(c, "Connection: close\r\n") == -1 :
	    r->minor == 0 && client_outf(c, "Connection: keep-alive\r\n") == -1)
		rc = -1;
	if (rc == -1 || client_out(c, "\r\n", 2) == -1) {
		free(body);
		return -1;
	}
	if (c->head_only || !status_has_body(resp->status)) {
		free(body);
		return 0;	/* a HEAD's stream is never read either */
	}
	client_out_body(c, body, len);
	return rc;
}

/* Write the answer the request reached; its record is already written. */
int
request_answer(struct reqctx *r)
{
	int rc;

	body_attach(r);
	if (!r->streamed && resp_empty(&r->resp))
		http_scim_error(&r->resp, 500, NULL, "no answer");
	if (r->x != NULL)
		audit_http_end(&r->ah, &r->resp);	/* the proxy wrote it */
	log_event(r->resp.status >= 500 ? LOG_ERROR : LOG_INFO,
	    "http.request", "id=%s remote=%s method=%.16s path=%.200s "
	    "status=%u us=%ld", r->request_id, r->req.remote, r->req.method,
	    r->req.path, r->resp.status,
	    (long)((keyd_mono_ns() - r->start_ns) / 1000));
	rc = respond(r, &r->resp);
	if (!r->streamed)
		http_resp_clear(&r->resp);
	return rc;
}

void
request_refuse(struct client *c, unsigned status, const char *why)
{
	struct http_resp	 resp;
	char			*text;
	const char		*error;

	switch (status) {
	case 414:
		error = "uri_too_long";
		break;
	case 431:
		error = "request_header_fields_too_large";
		break;
	case 501:
		error = "not_implemented";
		break;
	case 505:
		error = "http_version_not_supported";
		break;
	default:
		error = "invalid_request";
	}
	memset(&resp, 0, sizeof(resp));
	http_error(&resp, status, error, why);
	text = resp.body != NULL ? json_dumps(resp.body, JSON_COMPACT) : NULL;
	log_event(LOG_INFO, "http.refused", "remote=%s status=%u: %s",
	    c->remote, status, why);
	if (response_start(c, status) == 0 && client_outf(c, "Content-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: "
	    "close\r\n\r\n", text != NULL ? strlen(text) : 0) == 0 &&
	    text != NULL)
		client_out_body(c, text, strlen(text));
	else
		free(text);
	http_resp_clear(&resp);
}

void
request_free(struct reqctx **rp)
{
	struct reqctx *r = *rp;

	if (r == NULL)
		return;
	r->w->inflight--;
	proxy_req_free(&r->x);
	if (r->rewriting)
		url_rewrite_free(&r->rw);
	http_resp_clear(&r->resp);
	if (r->body != NULL) {
		sodium_memzero(r->body, r->cap);	/* may hold a secret */
		free(r->body);
	}
	sodium_memzero(r->head, r->head_len);	/* Authorization */
	free(r->head);
	free(r);
	*rp = NULL;
}

/* A request id: the worker's random prefix, then a keyed hash of its
 * request counter. Unique in this process and not guessable, without a
 * getrandom(2) call per request. */
static void
request_id(struct worker *w, unsigned char id[16])
{
	unsigned char	ctr[8];
	uint64_t	n = w->requests++;
	int		i;

	for (i = 0; i < 8; i++, n >>= 8)
		ctr[i] = (unsigned char)(n & 0xff);
	memcpy(id, w->id_prefix, 8);
	crypto_shorthash(id + 8, ctr, sizeof(ctr), w->id_key);
}

/* The request as the handlers will see it, built once: the target kept
 * as sent, so that the proxy forwards exactly what the client sent and
 * the policy sees the same bytes; the body follows at request_run. */
struct reqctx *
request_new(struct client *c, char *head, const struct http_head *h)
{
	struct worker	*w = c->w;
	struct reqctx	*r;
	struct http_req	*req;
	unsigned char	 rnd[16];
	char		*q;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->w = w;
	r->conn = c;
	r->head = head;
	r->head_len = h->len;
	r->start_ns = keyd_mono_ns();
	request_id(w, rnd);
	sodium_bin2hex(r->request_id, sizeof(r->request_id), rnd, sizeof(rnd));
	r->minor = h->minor;
	req = &r->req;
	req->method = h->method;
	req->path = "/";
	if (h->target_len > HTTP_URI_MAX)
		r->uri_too_long = 1;
	else {
		req->path = q = head + (h->target - head);
		if ((q = strchr(q, '?')) != NULL) {
			*q = '\0';
			req->query = q + 1;
		}
	}
	req->hdrs = h->hdrs;
	req->authorization = http_req_header(req, "Authorization");
	req->content_type = http_req_header(req, "Content-Type");
	req->host = h->host;
	memcpy(req->remote, c->remote, sizeof(req->remote));
	req->peer_family = c->peer_family;
	memcpy(req->peer, c->peer, sizeof(req->peer));
	memcpy(req->request_id, r->request_id, sizeof(req->request_id));
	if (h->clen > 0 && (uint64_t)h->clen > w->s->k->cfg.max_body)
		r->too_big = 1;
	w->inflight++;
	return r;
}

int
request_too_big(const struct reqctx *r)
{
	return r->too_big;
}

/* An oversize chunked body is drained (not stored) and answered 413 at
 * its end; past DRAIN_MAX the connection is simply cut. */
int
request_body(struct reqctx *r, const char *data, size_t n)
{
	if (r->too_big) {
		r->drained += n;
		return r->drained > DRAIN_MAX ? -1 : 0;
	}
	return body_append(r, data, n, r->w->s->k->cfg.max_body);
}

size_t
server_worker_busy(struct worker *w)
{
	return w->inflight + w->waiting;
}

/* Connections still waiting on an upstream are cut, unanswered: nothing
 * leaves keyd without its record. */
void
server_worker_abort(struct worker *w)
{
	client_close_all(w);
}
