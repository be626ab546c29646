/* libmicrohttpd glue: accept, bound and collect the body, route, answer.
 *
 * Model: one thread per client connection (MHD_USE_THREAD_PER_CONNECTION).
 * The SCIM proxy forwards with a blocking libcurl transfer on that thread
 * and streams the upstream's body from it, while the connection pool to
 * each upstream is shared by every thread (proxy_fwd.c). An event loop of
 * suspended connections and a curl multi loop would save the threads, at
 * the price of a state machine in every handler; docs/architecture.md
 * records the measurements behind the choice. This file is the only one
 * that knows it. */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/audit_http.h"
#include "keyd/http.h"
#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/authn.h"
#include "keyd/metrics.h"
#include "keyd/oauth.h"
#include "keyd/proxy.h"
#include "keyd/server.h"

#define PEM_MAX		(64 * 1024)
#define CONN_MEM_LIMIT	(64 * 1024)	/* MHD zeroes it after each request */
#define CONN_TIMEOUT_S	30
#define DRAIN_MAX	(16u * 1024 * 1024)

struct server {
	struct MHD_Daemon	*mhd;
	struct keyd		*k;
	struct proxy		*proxy;
	char			*cert_pem;
	char			*key_pem;	/* sodium_malloc'd */
};

/* Per-request state between MHD's calls. */
struct reqctx {
	char		*uri;		/* the request target as sent */
	const char	*query;		/* into uri, past '?'; or NULL */
	int		 uri_too_long;
	int		 started;	/* on_request has seen the headers */
	char		*body;
	size_t		 len, cap;
	int		 too_big;
	size_t		 drained;	/* bytes thrown away past max_body */
	struct timespec	 start;
	char		 request_id[33];
	char		 allow[32];	/* methods the path takes, for 405 */
};

struct route {
	const char	*method;
	const char	*path;
	http_handler	 handler;
};

static void healthz(struct keyd *, const struct http_req *, struct http_resp *);

static const struct route routes[] = {
	{ "POST", "/oauth/token",	oauth_token },
	{ "POST", "/oauth/introspect",	oauth_introspect },
	{ "POST", "/oauth/revoke",	oauth_revoke },
	{ "GET",  "/healthz",		healthz },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static void
healthz(struct keyd *k, const struct http_req *req, struct http_resp *resp)
{
	(void)req;
	/* keyd refuses what it cannot record: a balancer should look away */
	if (k->audit != NULL && !audit_ready(k->audit)) {
		resp->status = 503;
		resp->body = json_pack("{s:s}", "status", "audit_unavailable");
		return;
	}
	http_json(resp, json_pack("{s:s}", "status", "ok"));
}

/* Find the route for METHOD and PATH; *KNOWN_PATH says whether PATH exists
 * under another method (405 rather than 404). */
static const struct route *
route_find(const char *method, const char *path, char *allow, size_t len)
{
	size_t i, n = 0;

	allow[0] = '\0';
	for (i = 0; i < NROUTES; i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		if (strcmp(routes[i].method, method) == 0)
			return &routes[i];
		n += (size_t)snprintf(allow + n, len - n, "%s%s",
		    n > 0 ? ", " : "", routes[i].method);
		if (n >= len)
			break;
	}
	return NULL;
}

static void
reqctx_free(struct reqctx **rp)
{
	struct reqctx *r = *rp;

	if (r == NULL)
		return;
	if (r->body != NULL) {
		sodium_memzero(r->body, r->cap);	/* may hold a secret */
		free(r->body);
	}
	free(r->uri);
	free(r);
	*rp = NULL;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	reqctx_free((struct reqctx **)con_cls);
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

struct stream {
	http_reader	 read;
	void		*cls;
	void		(*free_cls)(void *);
};

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream	*st = cls;
	ssize_t		 n;

	(void)pos;
	n = st->read(st->cls, buf, max);
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	return n < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : n;
}

static void
stream_free(void *cls)
{
	struct stream *st = cls;

	if (st->free_cls != NULL)
		st->free_cls(st->cls);
	free(st);
}

/* MHD allocates (and clears) one block per streamed response: size it to
 * the body when the body is small. */
static size_t
stream_block(int64_t len)
{
	if (len < 0 || len > 64 * 1024)
		return 64 * 1024;
	return len < 4096 ? 4096 : (size_t)len;
}

/* The MHD response for RESP: its streamed body, or its JSON body. */
static struct MHD_Response *
response_body(struct http_resp *resp)
{
	struct MHD_Response	*mr;
	struct stream		*st;
	char			*text = NULL;

	if (resp->reader != NULL) {
		if ((st = calloc(1, sizeof(*st))) == NULL)
			return NULL;
		st->read = resp->reader;
		st->cls = resp->reader_cls;
		st->free_cls = resp->reader_free;
		resp->reader_free = NULL;	/* MHD owns it now */
		mr = MHD_create_response_from_callback(resp->reader_len < 0 ?
		    MHD_SIZE_UNKNOWN : (uint64_t)resp->reader_len,
		    stream_block(resp->reader_len), stream_read, st,
		    stream_free);
		if (mr == NULL)
			stream_free(st);
		return mr;
	}
	if (resp->raw != NULL) {
		mr = MHD_create_response_from_buffer(resp->raw_len, resp->raw,
		    MHD_RESPMEM_MUST_FREE);
		if (mr != NULL) {
			resp->raw = NULL;	/* MHD frees it */
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
respond(struct MHD_Connection *c, const struct reqctx *r,
    struct http_resp *resp)
{
	struct MHD_Response	*mr;
	enum MHD_Result		 ret;
	size_t			 i;

	if ((mr = response_body(resp)) == NULL)
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

static long
elapsed_us(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000L +
	    (now.tv_nsec - start->tv_nsec) / 1000;
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

/* Every path under this prefix goes to the proxy, whatever the method. */
#define SCIM_PREFIX	"/scim/v2/"

static int
peer_loopback(const struct http_req *req)
{
	static const unsigned char v6lo[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (req->peer_family == AF_INET)
		return req->peer[0] == 127;
	if (req->peer_family != AF_INET6)
		return 0;
	return memcmp(req->peer, v6lo, 16) == 0 ||
	    (memcmp(req->peer, mapped, 12) == 0 && req->peer[12] == 127);
}

/* GET /metrics: loopback peers only unless `metrics = on`. */
static void
metrics_answer(struct server *s, const struct http_req *req,
    struct http_resp *resp)
{
	struct metrics_sample		 ms;
	const union MHD_DaemonInfo	*di;

	memset(&ms, 0, sizeof(ms));
	if (s->k->cfg.metrics == CONFIG_METRICS_OFF ||
	    (s->k->cfg.metrics == CONFIG_METRICS_LOCAL && !peer_loopback(req))) {
		http_error(resp, 404, "not_found", "no such endpoint");
		return;
	}
	authn_stats(s->k->authn, &ms.cache_hits, &ms.cache_misses);
	di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	ms.open_connections = di != NULL ? di->num_connections : 0;
	ms.audit_failing = s->k->audit != NULL && !audit_ready(s->k->audit);
	proxy_metrics(s->proxy, &ms, resp);
}

static void
route(struct server *s, struct reqctx *r, const struct http_req *req,
    struct http_resp *resp)
{
	const struct route *rt;

	if (r->uri_too_long)
		http_error(resp, 414, "uri_too_long", "the request target is "
		    "longer than 8 KiB");
	else if (r->too_big && strncmp(req->path, SCIM_PREFIX,
	    strlen(SCIM_PREFIX)) == 0)
		http_scim_error(resp, 413, NULL, "the body is larger than %llu "
		    "bytes (max_body in keyd.conf)",
		    (unsigned long long)s->k->cfg.max_body);
	else if (r->too_big)
		http_error(resp, 413, "request_too_large", "the body is larger "
		    "than max_body");
	else if (strncmp(req->path, SCIM_PREFIX, strlen(SCIM_PREFIX)) == 0)
		proxy_handle(s->proxy, s->k, req, resp);
	else if (strcmp(req->path, "/metrics") == 0 &&
	    strcmp(req->method, "GET") == 0)
		metrics_answer(s, req, resp);
	else if ((rt = route_find(req->method, req->path, r->allow,
	    sizeof(r->allow))) != NULL)
		rt->handler(s->k, req, resp);
	else if (r->allow[0] != '\0')
		http_error(resp, 405, "method_not_allowed", "this path does "
		    "not take that method");
	else
		http_error(resp, 404, "not_found", "no such endpoint");
}

static void
dispatch(struct server *s, struct MHD_Connection *c, struct reqctx *r,
    const char *method, struct http_resp *resp)
{
	struct http_req		 req;
	struct audit_http	 ah;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = r->uri != NULL ? r->uri : "/";
	req.query = r->query;
	req.body = r->body != NULL ? r->body : "";
	req.body_len = r->len;
	MHD_get_connection_values(c, MHD_HEADER_KIND, header_collect,
	    &req.hdrs);
	req.authorization = http_req_header(&req, "Authorization");
	req.content_type = http_req_header(&req, "Content-Type");
	peer_addr(c, &req);
	memcpy(req.request_id, r->request_id, sizeof(req.request_id));
	if (audit_http_begin(s->k, &req, &ah, resp))
		route(s, r, &req, resp);
	if (resp->body == NULL && resp->reader == NULL && resp->raw == NULL &&
	    resp->status != 204 && resp->status != 304)
		http_error(resp, 500, "server_error", NULL);
	audit_http_end(&ah, resp);	/* before anything is sent */
	log_event(resp->status >= 500 ? LOG_ERROR : LOG_INFO, "http.request",
	    "id=%s remote=%s method=%.16s path=%.200s status=%u us=%ld",
	    r->request_id, req.remote, method, req.path, resp->status,
	    elapsed_us(&r->start));
}

/* MHD hands over the request target as sent, before it splits and
 * decodes it: keep it, so that the proxy forwards exactly what the
 * client sent and the policy sees the same bytes. Its return value is the
 * request's first state. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct reqctx	*r;
	unsigned char	 rnd[16];
	char		*q;

	(void)cls;
	(void)c;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	randombytes_buf(rnd, sizeof(rnd));
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
	return r;
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

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *data_size, void **con_cls)
{
	struct server	*s = cls;
	struct reqctx	*r = *con_cls;
	struct http_resp resp;
	enum MHD_Result	 ret;

	(void)version;
	(void)url;
	if (r == NULL)
		return MHD_NO;
	if (!r->started) {
		reqctx_start(r, c, s->k->cfg.max_body);
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
		    s->k->cfg.max_body) == -1)
			return MHD_NO;
		*data_size = 0;
		return MHD_YES;
	}
	memset(&resp, 0, sizeof(resp));
	dispatch(s, c, r, method, &resp);
	ret = respond(c, r, &resp);
	http_resp_clear(&resp);
	return ret;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_event(LOG_WARN, "http.library", "%s", msg);
}

/* Read a PEM file (bounded) into a NUL-terminated buffer from ALLOC. */
static char *
pem_read(const char *path, int secret, char *err, size_t errlen)
{
	char	*buf;
	ssize_t	 n, total = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	buf = secret ? sodium_malloc(PEM_MAX) : malloc(PEM_MAX);
	while (buf != NULL && total < PEM_MAX - 1 &&
	    (n = read(fd, buf + total, (size_t)(PEM_MAX - 1 - total))) > 0)
		total += n;
	close(fd);
	if (buf == NULL || total == 0 || total >= PEM_MAX - 1) {
		snprintf(err, errlen, "cannot read %s: empty, unreadable or "
		    "larger than 64 KiB", path);
		if (buf != NULL)
			secret ? sodium_free(buf) : free(buf);
		return NULL;
	}
	buf[total] = '\0';
	return buf;
}

static int
listen_addr(const char *listen, struct sockaddr_storage *ss, char *err,
    size_t errlen)
{
	struct sockaddr_in	*v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*v6 = (struct sockaddr_in6 *)ss;
	char			 host[256];
	unsigned		 port;

	memset(ss, 0, sizeof(*ss));
	if (config_listen_split(listen, host, sizeof(host), &port) == -1)
		goto bad;
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return 0;
	}
bad:
	snprintf(err, errlen, "listen = %s: use an IP address and port, as in "
	    "127.0.0.1:8443 or [::1]:8443", listen);
	return -1;
}

/* Leave every byte of the target alone: the proxy and the policy read
 * the raw path and query (reqctx.uri), and MHD's decoded copies of the
 * arguments are never used. */
static size_t
no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static struct MHD_Daemon *
mhd_start(struct server *s, const struct sockaddr_storage *ss)
{
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (s->k->cfg.tls)
		flags |= MHD_USE_TLS;
	/* The logger goes first so MHD never prints on its own; the TLS
	 * options go last so that, with tls off, MHD_OPTION_END stops the
	 * list before them. */
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, s,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->k->cfg.max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEM_LIMIT,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    s->k->cfg.tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
	    s->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, s->key_pem,
	    MHD_OPTION_END);
}

int
server_start(struct keyd *k, struct server **sp, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	struct server		*s;

	*sp = NULL;
	if (listen_addr(k->cfg.listen, &ss, err, errlen) == -1)
		return -1;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->k = k;
	if (proxy_new(&s->proxy) == -1) {
		snprintf(err, errlen, "cannot set up the proxy (libcurl)");
		goto fail;
	}
	if (k->cfg.tls && ((s->cert_pem = pem_read(k->cfg.tls_cert, 0, err,
	    errlen)) == NULL || (s->key_pem = pem_read(k->cfg.tls_key, 1, err,
	    errlen)) == NULL))
		goto fail;
	if ((s->mhd = mhd_start(s, &ss)) == NULL) {
		snprintf(err, errlen, "cannot listen on %s: %s (in use, or a "
		    "bad TLS certificate or key?)", k->cfg.listen,
		    errno != 0 ? strerror(errno) : "libmicrohttpd refused");
		goto fail;
	}
	*sp = s;
	return 0;
fail:
	server_stop(&s, 0);
	return -1;
}

void
server_stop(struct server **sp, int grace_ms)
{
	struct server			*s;
	const union MHD_DaemonInfo	*di;
	MHD_socket			 fd;
	int				 waited = 0;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	if (s->mhd != NULL) {
		if ((fd = MHD_quiesce_daemon(s->mhd)) != MHD_INVALID_SOCKET)
			close(fd);
		while (waited < grace_ms && (di = MHD_get_daemon_info(s->mhd,
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS)) != NULL &&
		    di->num_connections > 0) {
			usleep(20000);
			waited += 20;
		}
		MHD_stop_daemon(s->mhd);
	}
	proxy_free(&s->proxy);
	free(s->cert_pem);
	if (s->key_pem != NULL)
		sodium_free(s->key_pem);
	free(s);
	*sp = NULL;
}
