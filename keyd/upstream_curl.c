/* Talking to an upstream with libcurl: the TLS settings, the credential,
 * and the blocking GETs (`upstream test`, upstream_fetch). The one place
 * that knows how an upstream's settings become curl options, so the
 * proxy, the schema fetch and the test agree. */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "keyd/keyd.h"
#include "keyd/upstream.h"
#include "keyd/upstream_int.h"

#define FD_PATH_MAX	32	/* "/proc/self/fd/2147483647" */
#define TEST_BODY_MAX	(64 * 1024)
#define FETCH_CHUNK	(16 * 1024)	/* a body's first allocation */
#define FETCH_PATH_MAX	256	/* bytes of upstream_fetch's WHAT */
#define SPC_SCHEMA	"urn:ietf:params:scim:schemas:core:2.0:" \
			"ServiceProviderConfig"
#define BEARER_PREFIX	"Authorization: Bearer "

struct upstream_file {
	int	fd;
	char	path[FD_PATH_MAX];
};

struct upstream_files {
	struct upstream_file	ca, cert, key;
};

static void
file_close(struct upstream_file *f)
{
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	f->path[0] = '\0';
}

/* Empty F's memfd but keep it open for good. libcurl matches pooled
 * connections and TLS sessions by the CA and key paths' text: were N
 * reused by a later upstream, a connection made with this one's client
 * certificate, or verified against its CA, could serve that one. A
 * removed upstream costs an fd; its content is gone. */
static void
file_retire(struct upstream_file *f)
{
	if (f->fd != -1 && f->path[0] != '\0' && ftruncate(f->fd, 0) == 0) {
		f->fd = -1;
		f->path[0] = '\0';
	}
	file_close(f);
}

/* DATA in a sealed memfd: no disk, and nothing can write to it once made
 * (file_retire only empties it). */
static int
file_open(struct upstream_file *f, const char *tag, const char *data,
    size_t len)
{
	ssize_t	w;
	size_t	off = 0;

	if (data == NULL)
		return 0;
	if ((f->fd = memfd_create(tag, MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1)
		return -1;
	while (off < len) {
		if ((w = write(f->fd, data + off, len - off)) <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	/* Not F_SEAL_SHRINK: file_retire empties it. */
	if (fcntl(f->fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_WRITE) == -1)
		goto fail;
	snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
	return 0;
fail:
	file_close(f);
	return -1;
}

int
upstream_files_open(const struct upstream *u, struct upstream_files **fp)
{
	struct upstream_files	*f;
	int			 mtls = u->auth == UPSTREAM_AUTH_MTLS;

	*fp = NULL;
	if (u->ca_pem == NULL && !mtls)
		return 0;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->ca.fd = f->cert.fd = f->key.fd = -1;
	if (file_open(&f->ca, "keyd-upstream-ca", u->ca_pem,
	    u->ca_pem != NULL ? strlen(u->ca_pem) : 0) == -1 ||
	    (mtls && (file_open(&f->cert, "keyd-upstream-cert",
	    u->client_cert_pem, strlen(u->client_cert_pem)) == -1 ||
	    file_open(&f->key, "keyd-upstream-key", u->secret,
	    u->secret_len) == -1))) {
		upstream_files_close(&f);
		return -1;
	}
	*fp = f;
	return 0;
}

void
upstream_files_close(struct upstream_files **fp)
{
	if (fp == NULL || *fp == NULL)
		return;
	file_retire(&(*fp)->ca);
	file_retire(&(*fp)->cert);
	file_retire(&(*fp)->key);
	free(*fp);
	*fp = NULL;
}

static const char *
path_or_null(const struct upstream_files *f, const struct upstream_file *x)
{
	return f != NULL && x->fd != -1 ? x->path : NULL;
}

const char *
upstream_files_ca(const struct upstream_files *f)
{
	return f != NULL ? path_or_null(f, &f->ca) : NULL;
}

const char *
upstream_files_cert(const struct upstream_files *f)
{
	return f != NULL ? path_or_null(f, &f->cert) : NULL;
}

const char *
upstream_files_key(const struct upstream_files *f)
{
	return f != NULL ? path_or_null(f, &f->key) : NULL;
}

/* "Authorization: Bearer TOKEN" appended to *HEADERS; the line is built in
 * guarded memory and wiped (curl_slist_append copies it). */
static int
bearer_header(const struct upstream *u, struct curl_slist **headers)
{
	struct curl_slist	*l;
	/* On the stack and wiped, not in sodium_malloc memory: a guarded
	 * allocation maps, locks and unmaps pages on every request (half of
	 * the proxy's CPU under load, docs/benchmarks.md), and libcurl copies
	 * the line into ordinary memory anyway, which upstream_headers_free
	 * wipes. */
	char			 line[sizeof(BEARER_PREFIX) + UPSTREAM_BEARER_MAX];
	size_t			 p = strlen(BEARER_PREFIX);

	if (u->secret_len > UPSTREAM_BEARER_MAX)
		return -1;
	memcpy(line, BEARER_PREFIX, p);
	memcpy(line + p, u->secret, u->secret_len);
	line[p + u->secret_len] = '\0';
	l = curl_slist_append(*headers, line);
	sodium_memzero(line, sizeof(line));
	if (l == NULL)
		return -1;
	*headers = l;
	return 0;
}

static int
tls_apply(CURL *h, const struct upstream *u)
{
	const char	*ca = upstream_files_ca(u->files);
	int		 bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
	if (ca != NULL) {
		/* Only this CA: no system directory beside it. */
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, ca) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_CAPATH, NULL) != CURLE_OK;
	}
	if (u->pin[0] != '\0')
		bad |= curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, u->pin) !=
		    CURLE_OK;
	if (u->auth == UPSTREAM_AUTH_MTLS) {
		bad |= curl_easy_setopt(h, CURLOPT_SSLCERT,
		    upstream_files_cert(u->files)) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM") !=
		    CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_SSLKEY,
		    upstream_files_key(u->files)) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM") !=
		    CURLE_OK;
	}
	return bad ? -1 : 0;
}

int
upstream_curl_connect_apply(CURL *h, const struct upstream *u, char *err,
    size_t errlen)
{
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	/* Straight to the upstream: libcurl would otherwise take a proxy
	 * from http_proxy, https_proxy or all_proxy in keyd's environment
	 * and hand it the upstream credential. */
	bad |= curl_easy_setopt(h, CURLOPT_PROXY, "") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)u->timeout_ms) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)u->timeout_ms) != CURLE_OK;
	if (bad || tls_apply(h, u) == -1) {
		snprintf(err, errlen, "libcurl refused a setting for upstream "
		    "\"%s\" (is it built with TLS?)", u->name);
		return -1;
	}
	return 0;
}

int
upstream_curl_apply(CURL *h, const struct upstream *u,
    struct curl_slist **headers, char *err, size_t errlen)
{
	if (upstream_curl_connect_apply(h, u, err, errlen) == -1)
		return -1;
	if (u->auth == UPSTREAM_AUTH_BEARER && bearer_header(u, headers) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

ssize_t
upstream_auth_line(const struct upstream *u, char *buf, size_t len)
{
	size_t p = strlen(BEARER_PREFIX), n;

	if (u->auth != UPSTREAM_AUTH_BEARER)
		return 0;
	if (u->secret_len > UPSTREAM_BEARER_MAX)
		return -1;
	n = p + u->secret_len + 2;
	if (buf == NULL)
		return (ssize_t)n;
	if (n > len)
		return -1;
	memcpy(buf, BEARER_PREFIX, p);
	memcpy(buf + p, u->secret, u->secret_len);
	memcpy(buf + p + u->secret_len, "\r\n", 2);
	return (ssize_t)n;
}

void
upstream_headers_free(struct curl_slist **headers)
{
	struct curl_slist *l;

	if (headers == NULL || *headers == NULL)
		return;
	for (l = *headers; l != NULL; l = l->next)
		sodium_memzero(l->data, strlen(l->data));
	curl_slist_free_all(*headers);
	*headers = NULL;
}

/* An answer's body, at most MAX bytes, with room for a NUL after them. */
struct body {
	char	*buf;
	size_t	 len, cap, max;
	int	 drop;		/* past MAX: 1 read and drop the rest, 0 fail */
	int	 over;		/* the answer ran past MAX */
	int	 nomem;
};

/* One GET: what to ask, and what came back. */
struct fetch {
	const char	*url;
	const char	*accept;	/* the whole Accept header line */
	long		 timeout_ms;
	struct body	 body;
	long		 status;
	curl_off_t	 us;		/* request sent to answer read */
};

/* Room in B for NEED bytes, never more than MAX + 1. */
static int
body_grow(struct body *b, size_t need)
{
	size_t	 cap = b->cap != 0 ? b->cap : FETCH_CHUNK;
	char	*p;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap - 1 > b->max)
		cap = b->max + 1;
	if ((p = realloc(b->buf, cap)) == NULL)
		return -1;
	b->buf = p;
	b->cap = cap;
	return 0;
}

/* Keep the first MAX bytes; past them, drop the rest or stop the
 * transfer (a short count makes libcurl fail it). */
static size_t
body_write(char *p, size_t size, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 len = size * n, room = b->max - b->len;
	size_t		 keep = len < room ? len : room;

	if (keep < len) {
		b->over = 1;
		if (!b->drop)
			return 0;
	}
	if (keep > 0 && body_grow(b, b->len + keep + 1) == -1) {
		b->nomem = 1;
		return 0;
	}
	if (keep > 0)
		memcpy(b->buf + b->len, p, keep);
	b->len += keep;
	return len;
}

/* The answer is a SCIM ServiceProviderConfig: its schemas name it. */
static int
body_is_spc(const struct body *b)
{
	json_t	*doc, *schemas, *s;
	size_t	 i;
	int	 yes = 0;

	if (b->len == 0 || (doc = json_loadb(b->buf, b->len, 0, NULL)) ==
	    NULL)
		return 0;
	schemas = json_object_get(doc, "schemas");
	json_array_foreach(schemas, i, s)
		if (json_is_string(s) && strcmp(json_string_value(s),
		    SPC_SCHEMA) == 0)
			yes = 1;
	json_decref(doc);
	return yes;
}

static const char *
fetch_hint(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return "cannot resolve the host";
	case CURLE_COULDNT_CONNECT:
		return "cannot connect: is the upstream running, and listening "
		    "there?";
	case CURLE_OPERATION_TIMEDOUT:
		return "no answer in time (raise --timeout, or check the "
		    "upstream)";
	case CURLE_PEER_FAILED_VERIFICATION:
		return "its TLS certificate is not trusted, or not for this "
		    "host (give its CA with --ca)";
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return "its public key does not match the pin";
	case CURLE_SSL_CERTPROBLEM:
		return "the client certificate was refused by the TLS library";
	case CURLE_SSL_CONNECT_ERROR:
		return "the TLS handshake failed (does it want a client "
		    "certificate? is it https?)";
	default:
		return curl_easy_strerror(c);
	}
}

static int
fetch_setup(CURL *h, const struct upstream *u, struct fetch *x,
    struct curl_slist **headers, char *cerr, char *err, size_t errlen)
{
	struct curl_slist *l;

	if (upstream_curl_apply(h, u, headers, err, errlen) == -1)
		return -1;
	if ((l = curl_slist_append(*headers, x->accept)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*headers = l;
	if (curl_easy_setopt(h, CURLOPT_URL, x->url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, *headers) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT, "keyd/" KEYD_VERSION) !=
	    CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, x->timeout_ms) !=
	    CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write) !=
	    CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x->body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr) != CURLE_OK) {
		snprintf(err, errlen, "libcurl refused a setting");
		return -1;
	}
	return 0;
}

/* N bytes as a person writes them: "1 MiB", "64 KiB", "1000 bytes". */
static void
size_text(size_t n, char *buf, size_t len)
{
	if (n != 0 && n % (1024 * 1024) == 0)
		snprintf(buf, len, "%zu MiB", n / (1024 * 1024));
	else if (n != 0 && n % 1024 == 0)
		snprintf(buf, len, "%zu KiB", n / 1024);
	else
		snprintf(buf, len, "%zu bytes", n);
}

/* {U's url}/WHAT into URL (LEN bytes). 0, or -1 with ERR. */
static int
fetch_url(const struct upstream *u, const char *what, char *url, size_t len,
    char *err, size_t errlen)
{
	int n = snprintf(url, len, "%s/%s", u->url, what);

	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "upstream \"%s\": the path to GET is too "
		    "long", u->name);
		return -1;
	}
	return 0;
}

/* Do X with U's settings: 0 when the upstream answered (X's status, us
 * and body, whose buffer the caller frees), or -1 with ERR and the body
 * freed. */
static int
fetch_run(const struct upstream *u, struct fetch *x, char *err,
    size_t errlen)
{
	struct curl_slist	*headers = NULL;
	CURLcode		 c;
	CURL			*h;
	char			 cerr[CURL_ERROR_SIZE] = "", max[32];
	int			 rc = -1;

	if ((h = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (fetch_setup(h, u, x, &headers, cerr, err, errlen) == -1)
		goto out;
	c = curl_easy_perform(h);
	if (x->body.nomem) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (x->body.over && !x->body.drop) {
		size_text(x->body.max, max, sizeof(max));
		snprintf(err, errlen, "upstream \"%s\": GET %s: the answer is "
		    "larger than %s", u->name, x->url, max);
		goto out;
	}
	if (c != CURLE_OK) {
		snprintf(err, errlen, "upstream \"%s\": GET %s failed: %s%s%s%s",
		    u->name, x->url, fetch_hint(c), cerr[0] != '\0' ? " (" :
		    "", cerr, cerr[0] != '\0' ? ")" : "");
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &x->us);
	rc = 0;
out:
	upstream_headers_free(&headers);
	curl_easy_cleanup(h);
	if (rc == -1) {
		free(x->body.buf);
		x->body.buf = NULL;
	}
	return rc;
}

int
upstream_fetch(const struct upstream *u, const char *what, size_t max,
    char **body, size_t *len, long *status, char *err, size_t errlen)
{
	struct fetch	 x;
	char		 url[UPSTREAM_URL_MAX + FETCH_PATH_MAX];

	*body = NULL;
	*len = 0;
	*status = 0;
	if (fetch_url(u, what, url, sizeof(url), err, errlen) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	x.url = url;
	x.accept = "Accept: application/scim+json";
	x.timeout_ms = (long)u->timeout_ms;
	x.body.max = max;
	if (fetch_run(u, &x, err, errlen) == -1)
		return -1;
	if (body_grow(&x.body, x.body.len + 1) == -1) {	/* an empty body */
		free(x.body.buf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x.body.buf[x.body.len] = '\0';
	*body = x.body.buf;
	*len = x.body.len;
	*status = x.status;
	return 0;
}

int
upstream_test(const struct upstream *u, struct upstream_test_result *res,
    char *err, size_t errlen)
{
	struct fetch	x;

	memset(res, 0, sizeof(*res));
	if (fetch_url(u, "ServiceProviderConfig", res->url, sizeof(res->url),
	    err, errlen) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	x.url = res->url;
	x.accept = "Accept: application/scim+json, application/json";
	x.timeout_ms = (long)(u->timeout_ms < UPSTREAM_TEST_TIMEOUT_MAX_MS ?
	    u->timeout_ms : UPSTREAM_TEST_TIMEOUT_MAX_MS);
	/* Enough for any ServiceProviderConfig; a larger answer is read to
	 * its end, so the test still reports its status. */
	x.body.max = TEST_BODY_MAX;
	x.body.drop = 1;
	if (fetch_run(u, &x, err, errlen) == -1)
		return -1;
	res->status = x.status;
	res->latency_us = (int64_t)x.us;
	res->scim = body_is_spc(&x.body);
	free(x.body.buf);
	return 0;
}
