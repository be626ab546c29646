/* Each request's stages on its worker (keyd/server_int.h has the model):
 * libmicrohttpd's callbacks collect the target and a bounded body, then
 * a SCIM request is admitted, forwarded and audited on the worker, its
 * connection suspended while it waits for the upstream or for its audit
 * record; what may block goes to the pool and comes back through the
 * worker's mailbox; then the answer is queued, whole or streamed.
 * server_listen.c starts all this, server_route.c answers the rest. */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
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

/* Per-request state between MHD's calls. */
struct reqctx {
	struct worker	*w;
	struct MHD_Connection *c;
	char		*uri;		/* the request target as sent */
	const char	*query;		/* into uri, past '?'; or NULL */
	int		 uri_too_long;
	int		 started;	/* on_request has seen the headers */
	char		*body;
	size_t		 len, cap;
	int		 too_big;
	size_t		 drained;	/* bytes thrown away past max_body */
	int64_t		 start_ns;	/* keyd_mono_ns() */
	char		 request_id[33];
	char		 allow[32];	/* methods the path takes, for 405 */
	enum stage	 stage;
	int		 suspended;
	struct reqctx	*sprev, *snext;	/* the worker's suspended ones */
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

/* The peer's address into REQ: as text for logs, as bytes for the
 * role's limits.source. */
static void
peer_addr(struct MHD_Connection *c, struct http_req *req)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const void			*a;

	snprintf(req->remote, sizeof(req->remote), "-");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		memcpy(req->peer, a, 4);
	} else if (sa->sa_family == AF_INET6) {
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		memcpy(req->peer, a, 16);
	} else
		return;
	req->peer_family = sa->sa_family;
	inet_ntop(sa->sa_family, a, req->remote, (socklen_t)sizeof(req->remote));
}


static enum MHD_Result
header_collect(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_hdrs *h = cls;

	(void)kind;
	if (h->n == HTTP_HDRS_MAX)
		return MHD_NO;
	h->name[h->n] = key;
	h->value[h->n++] = value != NULL ? value : "";
	return MHD_YES;
}


/* Refuse an announced oversize body before reading any of it. */
static void
reqctx_start(struct reqctx *r, struct MHD_Connection *c, uint64_t max)
{
	const char		*cl;
	char			*end;
	unsigned long long	 n;

	r->started = 1;
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno != 0 || *end != '\0' || n > max)
			r->too_big = 1;
	}
}


static int
body_append(struct reqctx *r, const char *data, size_t n, uint64_t max)
{
	char	*nb;
	size_t	 cap;

	if (r->len + n > max) {
		r->too_big = 1;
		return 0;
	}
	if (r->len + n + 1 > r->cap) {
		cap = r->cap == 0 ? 4096 : r->cap;
		while (cap < r->len + n + 1)
			cap *= 2;
		if ((nb = malloc(cap)) == NULL)
			return -1;
		if (r->body != NULL) {
			memcpy(nb, r->body, r->len);
			sodium_memzero(r->body, r->cap);
			free(r->body);
		}
		r->body = nb;
		r->cap = cap;
	}
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
suspend(struct reqctx *r)
{
	struct worker	*w = r->w;
	struct reqctx	*head = w->susp;

	MHD_suspend_connection(r->c);
	r->suspended = 1;
	r->sprev = NULL;
	r->snext = head;
	if (head != NULL)
		head->sprev = r;
	w->susp = r;
}

static void
wake(struct reqctx *r)
{
	struct worker *w = r->w;

	if (!r->suspended)
		return;
	if (r->sprev != NULL)
		r->sprev->snext = r->snext;
	else
		w->susp = r->snext;
	if (r->snext != NULL)
		r->snext->sprev = r->sprev;
	r->sprev = r->snext = NULL;
	r->suspended = 0;
	MHD_resume_connection(r->c);
	w->resumed = 1;
}

static void
ready(struct reqctx *r)
{
	r->stage = ST_ANSWER;
	wake(r);
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
		wake(r);
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

/* The request as the handlers see it. */
static void
request_build(struct reqctx *r, struct MHD_Connection *c, const char *method)
{
	struct http_req *req = &r->req;

	memset(req, 0, sizeof(*req));
	req->method = method;
	req->path = r->uri != NULL ? r->uri : "/";
	req->query = r->query;
	req->body = r->body != NULL ? r->body : "";
	req->body_len = r->len;
	MHD_get_connection_values(c, MHD_HEADER_KIND, header_collect,
	    &req->hdrs);
	req->authorization = http_req_header(req, "Authorization");
	req->content_type = http_req_header(req, "Content-Type");
	peer_addr(c, req);
	memcpy(req->request_id, r->request_id, sizeof(req->request_id));
}

/* The request is in: start it. On return it is answered (ST_ANSWER) or
 * waits for something. */
static void
request_start(struct reqctx *r, struct MHD_Connection *c, const char *method)
{
	struct server *s = r->w->s;

	r->c = c;
	request_build(r, c, method);
	if (!audit_http_begin(s->k, &r->req, &r->ah, &r->resp))
		ready(r);	/* 503: the audit log is failing */
	else if (server_path_scim(r->req.path) && !r->too_big && !r->uri_too_long)
		scim_start(r);
	else if (strcmp(method, "GET") == 0 &&
	    (strcmp(r->req.path, "/healthz") == 0 ||
	    strcmp(r->req.path, "/metrics") == 0)) {
		route_finish(s, r);	/* unaudited, never blocks */
		ready(r);
	} else
		to_pool(r, job_route);
}

/* --- answering ---------------------------------------------------------- */

/* A streamed JSON answer, with the upstream's URLs rewritten: what is
 * rewritten first, then more from the upstream. */
static ssize_t
stream_rewritten(struct reqctx *r, struct fwd *f, char *buf, size_t max)
{
	ssize_t n;

	while (url_rewrite_pending(&r->rw) == 0 && !r->rw.done) {
		n = fwd_read(f, buf, max);
		if (n == FWD_AGAIN) {
			r->stage = ST_STREAM_WAIT;
			suspend(r);
			return 0;
		}
		if (n < 0 || url_rewrite_feed(&r->rw, buf, (size_t)n,
		    n == 0) == -1)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (url_rewrite_pending(&r->rw) > 0)
		return (ssize_t)url_rewrite_take(&r->rw, buf, max);
	return MHD_CONTENT_READER_END_OF_STREAM;
}

/* MHD asks for more of a streamed answer: what the upstream sent, or a
 * pause (the connection is suspended until it sends more). */
static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct reqctx	*r = cls;
	struct fwd	*f;
	ssize_t		 n;

	(void)pos;
	if (r->stage == ST_ABORT || r->x == NULL ||
	    (f = proxy_req_fwd(r->x)) == NULL)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (r->rewriting)
		return stream_rewritten(r, f, buf, max);
	n = fwd_read(f, buf, max);
	if (n == FWD_AGAIN) {
		r->stage = ST_STREAM_WAIT;
		suspend(r);
		return 0;
	}
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	return n < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : n;
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

static size_t
stream_block(int64_t len)
{
	if (len < 0 || len > STREAM_BLOCK)
		return STREAM_BLOCK;
	return len < 4096 ? 4096 : (size_t)len;
}

/* The MHD response for RESP: streamed, raw bytes, or its JSON body. */
static struct MHD_Response *
response_body(struct reqctx *r, struct http_resp *resp)
{
	struct MHD_Response	*mr;
	char			*text = NULL;
	int64_t			 clen;

	if (r->streamed) {
		/* rewritten, the body's length is not the upstream's */
		clen = r->rewriting ? -1 :
		    fwd_content_length(proxy_req_fwd(r->x));
		r->stage = ST_STREAM;
		return MHD_create_response_from_callback(clen < 0 ?
		    MHD_SIZE_UNKNOWN : (uint64_t)clen, stream_block(clen),
		    stream_read, r, NULL);
	}
	if (resp->raw != NULL) {
		mr = MHD_create_response_from_buffer(resp->raw_len, resp->raw,
		    MHD_RESPMEM_MUST_FREE);
		if (mr != NULL) {
			resp->raw = NULL;	/* MHD frees it */
			if (resp->content_type != NULL)
				MHD_add_response_header(mr, "Content-Type",
				    resp->content_type);
		}
		return mr;
	}
	if (resp->body != NULL)
		text = json_dumps(resp->body, JSON_COMPACT);
	mr = MHD_create_response_from_buffer(text != NULL ? strlen(text) : 0,
	    text != NULL ? text : (char *)"", text != NULL ?
	    MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (mr == NULL)
		free(text);
	else if (text != NULL)
		MHD_add_response_header(mr, "Content-Type",
		    resp->content_type != NULL ? resp->content_type :
		    "application/json");
	return mr;
}

static enum MHD_Result
respond(struct MHD_Connection *c, struct reqctx *r, struct http_resp *resp)
{
	struct MHD_Response	*mr;
	enum MHD_Result		 ret;
	size_t			 i;

	if ((mr = response_body(r, resp)) == NULL)
		return MHD_NO;
	for (i = 0; i < resp->hdrs.n; i++)
		MHD_add_response_header(mr, resp->hdrs.name[i],
		    resp->hdrs.value[i]);
	MHD_add_response_header(mr, "X-Request-Id", r->request_id);
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	if (resp->no_store) {
		MHD_add_response_header(mr, "Cache-Control", "no-store");
		MHD_add_response_header(mr, "Pragma", "no-cache");
	}
	if (resp->www_authenticate[0] != '\0')
		MHD_add_response_header(mr, "WWW-Authenticate",
		    resp->www_authenticate);
	if (resp->retry_after[0] != '\0')
		MHD_add_response_header(mr, "Retry-After", resp->retry_after);
	if (resp->status == 405 && r->allow[0] != '\0')
		MHD_add_response_header(mr, "Allow", r->allow);
	ret = MHD_queue_response(c, resp->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* Queue the answer the request reached; its record is already written. */
static enum MHD_Result
answer(struct MHD_Connection *c, struct reqctx *r)
{
	enum MHD_Result ret;

	body_attach(r);
	if (!r->streamed && resp_empty(&r->resp))
		http_scim_error(&r->resp, 500, NULL, "no answer");
	if (r->x != NULL)
		audit_http_end(&r->ah, &r->resp);	/* the proxy wrote it */
	log_event(r->resp.status >= 500 ? LOG_ERROR : LOG_INFO,
	    "http.request", "id=%s remote=%s method=%.16s path=%.200s "
	    "status=%u us=%ld", r->request_id, r->req.remote, r->req.method,
	    r->req.path, r->resp.status, (long)((keyd_mono_ns() - r->start_ns) / 1000));
	ret = respond(c, r, &r->resp);
	if (!r->streamed)
		http_resp_clear(&r->resp);
	return ret;
}

static void
reqctx_free(struct reqctx **rp)
{
	struct reqctx *r = *rp;

	if (r == NULL)
		return;
	proxy_req_free(&r->x);
	if (r->rewriting)
		url_rewrite_free(&r->rw);
	http_resp_clear(&r->resp);
	if (r->body != NULL) {
		sodium_memzero(r->body, r->cap);	/* may hold a secret */
		free(r->body);
	}
	free(r->uri);
	free(r);
	*rp = NULL;
}

void
server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct worker *w = cls;

	(void)c;
	(void)toe;
	if (*con_cls != NULL)
		w->inflight--;
	reqctx_free((struct reqctx **)con_cls);
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

/* MHD hands over the request target as sent, before it splits and
 * decodes it: keep it, so that the proxy forwards exactly what the
 * client sent and the policy sees the same bytes. Its return value is the
 * request's first state. */
void *
server_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct worker	*w = cls;
	struct reqctx	*r;
	unsigned char	 rnd[16];
	char		*q;

	(void)c;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->w = w;
	r->start_ns = keyd_mono_ns();
	request_id(w, rnd);
	sodium_bin2hex(r->request_id, sizeof(r->request_id), rnd, sizeof(rnd));
	if (strlen(uri) > HTTP_URI_MAX)
		r->uri_too_long = 1;
	else if ((r->uri = strdup(uri)) == NULL) {
		free(r);
		return NULL;
	} else if ((q = strchr(r->uri, '?')) != NULL) {
		*q = '\0';
		r->query = q + 1;
	}
	w->inflight++;
	return r;
}

enum MHD_Result
server_on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *data_size, void **con_cls)
{
	struct worker	*w = cls;
	struct reqctx	*r = *con_cls;

	(void)version;
	(void)url;
	if (r == NULL)
		return MHD_NO;
	if (r->stage == ST_ANSWER)
		return answer(c, r);
	if (r->stage != ST_READ)	/* ST_ABORT */
		return MHD_NO;
	if (!r->started) {
		reqctx_start(r, c, w->s->k->cfg.max_body);
		if (!r->too_big && !r->uri_too_long)
			return MHD_YES;
	}
	if (*data_size > 0) {
		/* MHD cannot answer in the middle of a chunked upload, so an
		 * oversize one is drained (not stored) and answered 413 at
		 * its end; past DRAIN_MAX the connection is simply cut. */
		if (r->too_big) {
			r->drained += *data_size;
			if (r->drained > DRAIN_MAX)
				return MHD_NO;
		} else if (body_append(r, data, *data_size,
		    w->s->k->cfg.max_body) == -1)
			return MHD_NO;
		*data_size = 0;
		return MHD_YES;
	}
	request_start(r, c, method);
	if (r->stage == ST_ANSWER)
		return answer(c, r);
	suspend(r);
	return MHD_YES;
}

size_t
server_worker_busy(struct worker *w)
{
	return w->inflight + w->waiting;
}

/* Connections still waiting on an upstream are cut, unanswered: nothing
 * leaves keyd without its record. Then MHD can be stopped. */
void
server_worker_abort(struct worker *w)
{
	struct reqctx *r;

	while ((r = w->susp) != NULL) {
		wake(r);
		r->stage = ST_ABORT;
	}
	MHD_run(w->mhd);
}

