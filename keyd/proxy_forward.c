/* Forwarding an admitted request: the upstream URL from the client's own
 * path and query, the client's end-to-end headers without its
 * credential, keyd's request id, and the answer streamed back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/proxy_fwd.h"
#include "keyd/proxy.h"
#include "keyd/proxy_int.h"
#include "keyd/proxy_rewrite.h"
#include "keyd/upstream.h"

#define FWD_URL_MAX	(UPSTREAM_URL_MAX + HTTP_URI_MAX + 2)
#define LOCATION_MAX	(8 * 1024)

/* A token of the client's Connection header names another hop-by-hop
 * header. */
static int
in_connection(const char *conn, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = conn;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (strncasecmp(p, name, n) == 0 && (p[n] == '\0' ||
		    p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

/* Headers keyd never passes on: hop-by-hop ones (RFC 9110 §7.6.1), the
 * client's credential and cookies, those keyd sets, and any name with
 * an underscore: CGI-style servers (PHP, WSGI, Rack) read `X_Forwarded_For`
 * as `X-Forwarded-For`, which would let a client slip past this list
 * (nginx drops them too, underscores_in_headers off). */
static int
hdr_dropped(const char *name, const char *conn)
{
	static const char *const drop[] = { "host", "authorization", "cookie",
	    "content-length", "expect", "content-type", "x-request-id",
	    "x-forwarded-for", "x-forwarded-proto", "forwarded" };
	size_t i;

	if (http_hop_by_hop(name, strlen(name)) || strchr(name, '_') != NULL)
		return 1;
	for (i = 0; i < sizeof(drop) / sizeof(*drop); i++)
		if (strcasecmp(name, drop[i]) == 0)
			return 1;
	return conn != NULL && in_connection(conn, name);
}

struct fhdrs {
	const char	*name[HTTP_HDRS_MAX + 4];
	const char	*value[HTTP_HDRS_MAX + 4];
	size_t		 n;
};

static void
fhdrs_add(struct fhdrs *h, const char *name, const char *value)
{
	if (h->n < sizeof(h->name) / sizeof(h->name[0])) {
		h->name[h->n] = name;
		h->value[h->n++] = value;
	}
}

static void
fwd_request_build(struct proxy_req *x, struct fhdrs *h)
{
	const struct http_req	*req = x->req;
	const char		*conn = http_req_header(req, "Connection");
	size_t			 i;

	for (i = 0; i < req->hdrs.n; i++)
		if (!hdr_dropped(req->hdrs.name[i], conn))
			fhdrs_add(h, req->hdrs.name[i], req->hdrs.value[i]);
	/* The canonical media type for what keyd normalised (RFC 7644
	 * §3.1), whatever the client labelled it. */
	if (x->norm != NULL)
		fhdrs_add(h, "Content-Type",
		    "application/scim+json; charset=utf-8");
	fhdrs_add(h, "X-Request-Id", req->request_id);
	fhdrs_add(h, "X-Forwarded-For", req->remote);
	fhdrs_add(h, "X-Forwarded-Proto", x->k->cfg.tls ? "https" : "http");
}

int
proxy_forward_begin(struct proxy_req *x, struct fwd_loop *fl,
    fwd_notify notify, void *cls)
{
	struct fwd_request	 rq;
	struct fwd_target	 t;
	struct fhdrs		 h = { .n = 0 };
	const char		*rest;
	char			*url, err[256];
	enum fwd_err		 e;

	if ((url = malloc(FWD_URL_MAX)) == NULL)
		return proxy_refuse(x, 500, NULL, "out of memory");
	/* The path past /scim/v2/{upstream}, exactly as the client sent it. */
	rest = x->req->path + strlen("/scim/v2/") + strlen(x->path.upstream);
	snprintf(url, FWD_URL_MAX, "%s%s%s%s", x->up->url, rest,
	    x->req->query != NULL ? "?" : "",
	    x->req->query != NULL ? x->req->query : "");
	fwd_request_build(x, &h);
	rq.method = x->req->method;
	rq.hdr_name = h.name;
	rq.hdr_value = h.value;
	rq.nhdrs = h.n;
	rq.body = x->norm;
	rq.body_len = x->norm_len;
	t.url = url;
	t.up = x->up;
	e = fwd_begin(fl, &t, &rq, notify, cls, &x->fwd, err, sizeof(err));
	free(url);
	if (e != FWD_OK)
		return proxy_refuse(x, 500, NULL, "upstream %s: %s",
		    x->up->name, err);
	return 0;
}

/* The host the client asked for (its Host header, or the authority of an
 * absolute-form target), when it is a host[:port] keyd may echo. */
static const char *
client_host(const struct http_req *req)
{
	const char	*h = req->host;
	size_t		 n;

	if (h == NULL || (n = strlen(h)) == 0 || n > 255 ||
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") != n)
		return NULL;
	return h;
}

/* keyd's URL for the upstream's base: {public_url}/scim/v2/{name}, else
 * {scheme}://{Host}/scim/v2/{name}, or the path alone when the client
 * sent no usable Host. 0, or -1 when it does not fit. */
static int
keyd_base(const struct proxy_req *x, char *out, size_t outlen)
{
	const char	*host = client_host(x->req);
	int		 n;

	if (x->k->cfg.public_url[0] != '\0')
		n = snprintf(out, outlen, "%s/scim/v2/%s", x->k->cfg.public_url,
		    x->path.upstream);
	else
		n = snprintf(out, outlen, "%s%s%s/scim/v2/%s", host == NULL ?
		    "" : x->k->cfg.tls ? "https" : "http", host == NULL ? "" :
		    "://", host == NULL ? "" : host, x->path.upstream);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* An upstream's Location or Content-Location that points under its base
 * URL (absolute, or a path under the base's path) names a resource that
 * keyd serves at /scim/v2/{upstream}/…: OUT gets that, under keyd_base,
 * so that a client that follows it comes back through keyd (RFC 7644
 * §3.3 returns Location on create). 1 when
 * rewritten; 0 when VALUE points elsewhere and passes as it is. */
static int
location_rewrite(const struct proxy_req *x, const char *value, char *out,
    size_t outlen)
{
	const char	*base = x->up->url, *bpath, *rest = NULL;
	size_t		 alen, plen, blen;

	bpath = strstr(base, "://");
	bpath = bpath != NULL ? strchr(bpath + 3, '/') : NULL;
	if (bpath == NULL)
		bpath = base + strlen(base);
	alen = (size_t)(bpath - base);
	plen = strlen(bpath);
	if (strncasecmp(value, base, alen) == 0 &&
	    strncmp(value + alen, bpath, plen) == 0)
		rest = value + alen + plen;
	else if (value[0] == '/' && value[1] != '/' &&
	    strncmp(value, bpath, plen) == 0)
		rest = value + plen;
	if (rest == NULL || (*rest != '\0' && *rest != '/' && *rest != '?' &&
	    *rest != '#') || keyd_base(x, out, outlen) == -1)
		return 0;
	blen = strlen(out);
	if (blen + strlen(rest) >= outlen)
		return 0;
	memcpy(out + blen, rest, strlen(rest) + 1);
	return 1;
}

/* Is the media type VALUE JSON (RFC 7644 §3.1's, or plain JSON)? */
static int
media_json(const char *v)
{
	size_t n;

	n = strncasecmp(v, "application/scim+json", 21) == 0 ? 21 :
	    strncasecmp(v, "application/json", 16) == 0 ? 16 : 0;
	return n > 0 && (v[n] == '\0' || v[n] == ';' || v[n] == ' ' ||
	    v[n] == '\t');
}

int
proxy_answer_rewrite(struct proxy_req *x, const char *body, size_t len,
    struct url_rewrite *w)
{
	const char	*name, *value;
	char		 to[UPSTREAM_NAME_MAX + 320];
	size_t		 i;

	if (x->fwd == NULL || x->up == NULL || (body != NULL &&
	    !url_rewrite_may_match(x->up->url, body, len)))
		return 0;
	for (i = 0; i < fwd_header_count(x->fwd); i++) {
		fwd_header(x->fwd, i, &name, &value);
		if (strcasecmp(name, "Content-Type") == 0)
			break;
	}
	if (i == fwd_header_count(x->fwd) || !media_json(value) ||
	    keyd_base(x, to, sizeof(to)) == -1)
		return 0;
	return url_rewrite_init(w, x->up->url, to) == 0 ? 1 : -1;
}

void
proxy_forward_head(struct proxy_req *x)
{
	const char	*name, *value;
	char		 err[256], q[512], *loc = NULL;
	enum fwd_err	 e;
	size_t		 i;

	if ((e = fwd_head(x->fwd, &x->upstream_us, err, sizeof(err))) !=
	    FWD_OK) {
		fwd_free(&x->fwd);
		log_event(LOG_WARN, "proxy.upstream_failed", "id=%s upstream=%s "
		    "reason=\"%s\"", x->req->request_id, x->up->name,
		    log_quote(err, q, sizeof(q)));
		proxy_refuse(x, e == FWD_TIMEOUT ? 504 : 502, NULL,
		    "upstream %s: %s", x->up->name, fwd_strerror(e));
		return;
	}
	x->upstream_status = fwd_status(x->fwd);
	if (x->upstream_status == 401) {
		/* The client's credential was keyd's to check, and it passed:
		 * a 401 is about keyd's credential for the upstream. Passed
		 * on, it would tell the client to drop a valid token. */
		fwd_free(&x->fwd);
		log_event(LOG_WARN, "proxy.upstream_refused_credential",
		    "id=%s upstream=%s", x->req->request_id, x->up->name);
		proxy_refuse(x, 502, NULL, "upstream %s refused keyd's "
		    "credential for it (401); an operator can check it with "
		    "keyctl upstream test %s", x->up->name, x->up->name);
		return;
	}
	x->resp->status = (unsigned)x->upstream_status;
	for (i = 0; i < fwd_header_count(x->fwd); i++) {
		fwd_header(x->fwd, i, &name, &value);
		if (strcasecmp(name, "X-Request-Id") == 0)
			continue;
		if ((strcasecmp(name, "Location") == 0 ||
		    strcasecmp(name, "Content-Location") == 0) &&
		    (loc != NULL || (loc = malloc(LOCATION_MAX)) != NULL) &&
		    location_rewrite(x, value, loc, LOCATION_MAX))
			value = loc;
		http_header_add(x->resp, name, value);
	}
	free(loc);
}
