/* The listener's routes other than the SCIM proxy: the OAuth endpoints,
 * /healthz, /metrics, and the answers for what no route takes. They run on
 * the blocking pool (keyd/server_int.h), except GET /healthz and GET
 * /metrics, which never block and run on the worker. */
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>


#include "keyd/audit.h"
#include "keyd/authn.h"
#include "keyd/http.h"
#include "keyd/keyd.h"
#include "keyd/metrics.h"
#include "keyd/oauth.h"
#include "keyd/proxy.h"
#include "keyd/server_int.h"

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

/* Every path under this prefix goes to the proxy, whatever the method. */
#define SCIM_PREFIX	"/scim/v2/"

int
server_path_scim(const char *path)
{
	return strncmp(path, SCIM_PREFIX, strlen(SCIM_PREFIX)) == 0;
}

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


/* Find the route for METHOD and PATH (a GET route takes HEAD too, RFC
 * 9110 §9.3.2: the server leaves the body out); ALLOW gets the methods
 * PATH takes when METHOD is not one (405 rather than 404). */
static const struct route *
route_find(const char *method, const char *path, char *allow, size_t len)
{
	size_t i, n = 0;

	allow[0] = '\0';
	for (i = 0; i < NROUTES; i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 &&
		    strcmp(routes[i].method, "GET") == 0))
			return &routes[i];
		n += (size_t)snprintf(allow + n, len - n, "%s%s",
		    n > 0 ? ", " : "", routes[i].method);
		if (n >= len)
			break;
	}
	return NULL;
}


static size_t
open_connections(struct server *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nw; i++)
		n += __atomic_load_n(&s->w[i].nconns, __ATOMIC_RELAXED);
	return n;
}

/* GET /metrics: loopback peers only unless `metrics = on`. */
static void
metrics_answer(struct server *s, const struct http_req *req,
    struct http_resp *resp)
{
	struct metrics_sample	ms;
	struct audit_status	as;

	memset(&ms, 0, sizeof(ms));
	if (s->k->cfg.metrics == CONFIG_METRICS_OFF ||
	    (s->k->cfg.metrics == CONFIG_METRICS_LOCAL && !peer_loopback(req))) {
		http_error(resp, 404, "not_found", "no such endpoint");
		return;
	}
	authn_stats(s->k->authn, &ms.cache_hits, &ms.cache_misses);
	ms.open_connections = (unsigned)open_connections(s);
	if (s->k->audit != NULL) {
		audit_status(s->k->audit, &as);
		ms.audit_failing = as.failing != 0;
		ms.audit_commits = as.commits;
		ms.audit_records = as.written;
	}
	proxy_metrics(s->proxy, &ms, resp);
}

/* Everything but the SCIM proxy, on a thread that may block. */
void
server_route(struct server *s, const struct http_req *req,
    const struct route_state *rs, char *allow, size_t allowlen,
    struct http_resp *resp)
{
	const struct route *rt;

	if (rs->uri_too_long)
		http_error(resp, 414, "uri_too_long", "the request target is "
		    "longer than 8 KiB");
	else if (rs->too_big && server_path_scim(req->path))
		http_scim_error(resp, 413, NULL, "the body is larger than %llu "
		    "bytes (max_body in keyd.conf)",
		    (unsigned long long)s->k->cfg.max_body);
	else if (rs->too_big)
		http_error(resp, 413, "request_too_large", "the body is larger "
		    "than max_body");
	else if (strcmp(req->path, "/metrics") == 0 &&
	    (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0))
		metrics_answer(s, req, resp);
	else if ((rt = route_find(req->method, req->path, allow,
	    allowlen)) != NULL)
		rt->handler(s->k, req, resp);
	else if (allow[0] != '\0')
		http_error(resp, 405, "method_not_allowed", "this path does "
		    "not take that method");
	else
		http_error(resp, 404, "not_found", "no such endpoint");
}

