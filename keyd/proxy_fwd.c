/* libcurl forwarding: one easy handle per request on its own multi handle,
 * driven by the calling thread; the connection pool lives in a share
 * handle that every thread uses, behind one lock per kind of data. The
 * answer's body is buffered up to FWD_BUF_MAX and the transfer paused
 * past that, so a large body streams through a bounded buffer.
 *
 * Each thread keeps the handles of its last finished transfer (reset:
 * no option, header or credential of the last request survives) for its
 * next one, so that a kept-alive client connection, which keyd serves
 * on one thread, costs no handle set-up per request. A registry of the
 * threads' slots lets fwd_global_cleanup free them all before the share. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "keyd/http.h"
#include "keyd/proxy_fwd.h"
#include "keyd/upstream.h"

#define FWD_BUF_MAX	(256 * 1024)	/* body bytes held before pausing */
#define FWD_POLL_MS	100
/* Idle upstream connections the shared pool keeps. libcurl's default for
 * a multi handle is 4 per easy handle it holds, i.e. 4 here, and a pool
 * over that closes its oldest connection whenever a transfer ends: with
 * more than 4 requests in flight nearly every request then connected
 * anew. Sized for max_connections' default (one client connection holds
 * at most one upstream connection at a time). */
#define FWD_POOL_MAX	1024L

struct fwd {
	CURLM		*m;
	CURL		*e;
	struct curl_slist *hdrs;
	char		 errbuf[CURL_ERROR_SIZE];
	int		 status;
	int		 head_done;	/* a final status and its headers */
	int		 done;		/* the transfer ended */
	CURLcode	 result;
	int		 paused;
	int64_t		 waited_ns;	/* spent waiting for the upstream */
	int64_t		 timeout_ns;	/* the upstream's --timeout */
	int		 head_bad;	/* past the header bounds */
	size_t		 head_bytes;
	size_t		 nh;
	char		*hname[FWD_HDRS_MAX];
	char		*hvalue[FWD_HDRS_MAX];
	int64_t		 clen;
	int		 chunked;
	char		*buf;		/* body bytes not yet read */
	size_t		 off, len, cap;
};

static CURLSH		*fwd_share;
static pthread_mutex_t	 fwd_locks[CURL_LOCK_DATA_LAST];

/* A thread's idle handles: both set or both NULL. */
struct fwd_slot {
	pthread_mutex_t		 mu;	/* against fwd_global_cleanup */
	CURLM			*m;
	CURL			*e;
	struct fwd_slot		*prev, *next;
};

static pthread_key_t	 fwd_key;
static pthread_once_t	 fwd_key_once = PTHREAD_ONCE_INIT;
static int		 fwd_key_ok;
static pthread_mutex_t	 fwd_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fwd_slot	*fwd_reg;	/* every live thread's slot */

static void
handles_free(CURLM *m, CURL *e)
{
	if (e != NULL)
		curl_easy_cleanup(e);
	if (m != NULL)
		curl_multi_cleanup(m);
}

/* The thread ends: its slot goes, with any handles in it. */
static void
slot_destroy(void *arg)
{
	struct fwd_slot *sl = arg;

	pthread_mutex_lock(&fwd_reg_lock);
	if (sl->prev != NULL)
		sl->prev->next = sl->next;
	else
		fwd_reg = sl->next;
	if (sl->next != NULL)
		sl->next->prev = sl->prev;
	pthread_mutex_unlock(&fwd_reg_lock);
	handles_free(sl->m, sl->e);
	pthread_mutex_destroy(&sl->mu);
	free(sl);
}

static void
key_create(void)
{
	fwd_key_ok = pthread_key_create(&fwd_key, slot_destroy) == 0;
}

/* The calling thread's slot, made on first use; NULL without memory. */
static struct fwd_slot *
slot_get(void)
{
	struct fwd_slot *sl;

	pthread_once(&fwd_key_once, key_create);
	if (!fwd_key_ok)
		return NULL;
	if ((sl = pthread_getspecific(fwd_key)) != NULL)
		return sl;
	if ((sl = calloc(1, sizeof(*sl))) == NULL)
		return NULL;
	pthread_mutex_init(&sl->mu, NULL);
	if (pthread_setspecific(fwd_key, sl) != 0) {
		pthread_mutex_destroy(&sl->mu);
		free(sl);
		return NULL;
	}
	pthread_mutex_lock(&fwd_reg_lock);
	sl->next = fwd_reg;
	if (fwd_reg != NULL)
		fwd_reg->prev = sl;
	fwd_reg = sl;
	pthread_mutex_unlock(&fwd_reg_lock);
	return sl;
}

/* Handles for a transfer: the thread's idle ones, or new ones. */
static int
handles_take(CURLM **m, CURL **e)
{
	struct fwd_slot *sl;

	*m = NULL;
	*e = NULL;
	if ((sl = slot_get()) != NULL) {
		pthread_mutex_lock(&sl->mu);
		*m = sl->m;
		*e = sl->e;
		sl->m = NULL;
		sl->e = NULL;
		pthread_mutex_unlock(&sl->mu);
		if (*e != NULL)
			return 0;
	}
	if ((*m = curl_multi_init()) == NULL ||
	    curl_multi_setopt(*m, CURLMOPT_MAXCONNECTS, FWD_POOL_MAX) !=
	    CURLM_OK || (*e = curl_easy_init()) == NULL) {
		handles_free(*m, *e);
		*m = NULL;
		*e = NULL;
		return -1;
	}
	return 0;
}

/* Handles whose transfer ended cleanly, E out of M: reset, they wait in
 * the thread's slot for its next transfer (or are freed if it has some). */
static void
handles_put(CURLM *m, CURL *e)
{
	struct fwd_slot *sl;

	curl_easy_reset(e);
	if ((sl = slot_get()) != NULL) {
		pthread_mutex_lock(&sl->mu);
		if (sl->e == NULL && fwd_share != NULL) {
			sl->m = m;
			sl->e = e;
			m = NULL;
			e = NULL;
		}
		pthread_mutex_unlock(&sl->mu);
	}
	handles_free(m, e);
}

/* Every thread's idle handles, freed: none may outlive the share. */
static void
slots_drain(void)
{
	struct fwd_slot *sl;

	pthread_mutex_lock(&fwd_reg_lock);
	for (sl = fwd_reg; sl != NULL; sl = sl->next) {
		pthread_mutex_lock(&sl->mu);
		handles_free(sl->m, sl->e);
		sl->m = NULL;
		sl->e = NULL;
		pthread_mutex_unlock(&sl->mu);
	}
	pthread_mutex_unlock(&fwd_reg_lock);
}

static void
share_lock(CURL *e, curl_lock_data d, curl_lock_access a, void *u)
{
	(void)e;
	(void)a;
	(void)u;
	pthread_mutex_lock(&fwd_locks[d]);
}

static void
share_unlock(CURL *e, curl_lock_data d, void *u)
{
	(void)e;
	(void)u;
	pthread_mutex_unlock(&fwd_locks[d]);
}

int
fwd_global_init(void)
{
	size_t i;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&fwd_locks[i], NULL);
	if ((fwd_share = curl_share_init()) == NULL)
		return -1;
	curl_share_setopt(fwd_share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(fwd_share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(fwd_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(fwd_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(fwd_share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

void
fwd_global_cleanup(void)
{
	slots_drain();
	if (fwd_share != NULL)
		curl_share_cleanup(fwd_share);
	fwd_share = NULL;
	curl_global_cleanup();
}

const char *
fwd_strerror(enum fwd_err e)
{
	switch (e) {
	case FWD_OK:		return "ok";
	case FWD_CONNECT:	return "cannot reach the upstream";
	case FWD_TIMEOUT:	return "the upstream did not answer in time";
	case FWD_PROTOCOL:	return "the upstream's answer is malformed";
	case FWD_NOMEM:		return "out of memory";
	}
	return "unknown error";
}

static int64_t
mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Hop-by-hop headers (RFC 9110 §7.6.1) and those MHD writes itself. */
static int
hdr_dropped(const char *name, size_t n)
{
	if (http_hop_by_hop(name, n))
		return 1;
	return (n == 14 && strncasecmp(name, "content-length", n) == 0) ||
	    (n == 4 && strncasecmp(name, "date", n) == 0);
}

static void
head_reset(struct fwd *f)
{
	size_t i;

	for (i = 0; i < f->nh; i++) {
		free(f->hname[i]);
		free(f->hvalue[i]);
	}
	f->nh = 0;
	f->status = 0;
	f->clen = -1;
	f->chunked = 0;
}

/* "HTTP/1.1 200 OK" or "HTTP/2 200": a new answer starts. */
static void
head_status(struct fwd *f, const char *line, size_t n)
{
	const char	*sp = memchr(line, ' ', n);
	int		 st = 0;

	head_reset(f);
	if (sp != NULL && (size_t)(sp - line) + 4 <= n &&
	    sp[1] >= '1' && sp[1] <= '5' && sp[2] >= '0' && sp[2] <= '9' &&
	    sp[3] >= '0' && sp[3] <= '9')
		st = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	if (st == 0)
		f->head_bad = 1;
	f->status = st;
}

static void
head_field(struct fwd *f, const char *name, size_t nn, const char *v,
    size_t vn)
{
	char *end;

	if (nn == 14 && strncasecmp(name, "content-length", 14) == 0) {
		errno = 0;
		f->clen = (int64_t)strtoll(v, &end, 10);
		if (errno != 0 || end == v || f->clen < 0)
			f->clen = -1;
	}
	if (nn == 17 && strncasecmp(name, "transfer-encoding", 17) == 0)
		f->chunked = 1;
	if (hdr_dropped(name, nn))
		return;
	if (f->nh == FWD_HDRS_MAX) {
		f->head_bad = 1;
		return;
	}
	f->hname[f->nh] = strndup(name, nn);
	f->hvalue[f->nh] = strndup(v, vn);
	if (f->hname[f->nh] == NULL || f->hvalue[f->nh] == NULL) {
		free(f->hname[f->nh]);
		free(f->hvalue[f->nh]);
		f->head_bad = 1;
		return;
	}
	f->nh++;
}

static size_t
on_header(char *data, size_t size, size_t nitems, void *cls)
{
	struct fwd	*f = cls;
	size_t		 n = size * nitems, len = n;
	const char	*colon, *v;

	f->head_bytes += n;
	if (n > FWD_HDR_MAX || f->head_bytes > FWD_HEAD_MAX) {
		f->head_bad = 1;
		return 0;	/* aborts the transfer */
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len == 0) {
		if (f->status >= 200)
			f->head_done = 1;
		return n;
	}
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		head_status(f, data, len);
		return n;
	}
	if ((colon = memchr(data, ':', len)) == NULL || colon == data)
		return n;	/* a folded or broken line: not forwarded */
	for (v = colon + 1; v < data + len && (*v == ' ' || *v == '\t'); v++)
		;
	head_field(f, data, (size_t)(colon - data), v,
	    (size_t)(data + len - v));
	return n;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *cls)
{
	struct fwd	*f = cls;
	size_t		 n = size * nmemb, cap;
	char		*nb;

	if (f->off > 0 && f->off == f->len)
		f->off = f->len = 0;
	if (f->len - f->off >= FWD_BUF_MAX) {
		f->paused = 1;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (f->len + n > f->cap) {
		if (f->off > 0) {
			memmove(f->buf, f->buf + f->off, f->len - f->off);
			f->len -= f->off;
			f->off = 0;
		}
		/* First: what Content-Length announced (a small answer
		 * takes a small block), else 16 KiB. */
		cap = f->cap ? f->cap : f->clen > 0 && f->clen <= FWD_BUF_MAX ?
		    (size_t)f->clen : 16384;
		while (cap < f->len + n)
			cap *= 2;
		if (cap != f->cap) {
			if ((nb = realloc(f->buf, cap)) == NULL)
				return 0;
			f->buf = nb;
			f->cap = cap;
		}
	}
	memcpy(f->buf + f->len, data, n);
	f->len += n;
	return n;
}

/* One round of the transfer: perform, note the end, wait a little. */
static void
fwd_step(struct fwd *f)
{
	CURLMsg	*msg;
	int	 running, left;
	int64_t	 t0 = mono_ns();

	curl_multi_perform(f->m, &running);
	while ((msg = curl_multi_info_read(f->m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE) {
			f->done = 1;
			f->result = msg->data.result;
		}
	if (!f->done && !(f->head_done && f->len > f->off))
		curl_multi_poll(f->m, NULL, 0, FWD_POLL_MS, NULL);
	/* The upstream's --timeout counts only the time spent here, waiting
	 * for it: not the time a slow client takes to read what came. */
	f->waited_ns += mono_ns() - t0;
	if (!f->done && f->timeout_ns > 0 && f->waited_ns > f->timeout_ns) {
		f->done = 1;
		f->result = CURLE_OPERATION_TIMEDOUT;
		snprintf(f->errbuf, sizeof(f->errbuf), "no complete answer "
		    "within %lld ms", (long long)(f->timeout_ns / 1000000));
	}
}

static int
fwd_headers(struct fwd *f, const struct fwd_target *t,
    const struct fwd_request *req, char *err, size_t errlen)
{
	struct curl_slist	*l;
	char			 line[FWD_HDR_MAX];
	size_t			 i;

	for (i = 0; i < req->nhdrs; i++) {
		snprintf(line, sizeof(line), "%s: %s", req->hdr_name[i],
		    req->hdr_value[i]);
		if ((l = curl_slist_append(f->hdrs, line)) == NULL)
			goto nomem;
		f->hdrs = l;
	}
	/* No 100-continue round trip: the body is already here. */
	if ((l = curl_slist_append(f->hdrs, "Expect:")) == NULL)
		goto nomem;
	f->hdrs = l;
	/* TLS, timeout, no redirects, and the credential last. */
	if (upstream_curl_apply(f->e, t->up, &f->hdrs, err, errlen) == -1)
		return -1;
	return curl_easy_setopt(f->e, CURLOPT_HTTPHEADER, f->hdrs) ==
	    CURLE_OK ? 0 : -1;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static void
fwd_method(struct fwd *f, const struct fwd_request *req)
{
	CURL *e = f->e;

	if (strcmp(req->method, "GET") == 0 && req->body_len == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		return;
	}
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		return;
	}
	if (strcmp(req->method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body_len > 0 || strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS,
		    req->body != NULL ? req->body : "");
	}
}

static int
fwd_setup(struct fwd *f, const struct fwd_target *t,
    const struct fwd_request *req, char *err, size_t errlen)
{
	CURL *e = f->e;

	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_SHARE, fwd_share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	fwd_method(f, req);
	if (fwd_headers(f, t, req, err, errlen) == -1)
		return -1;
	/* libcurl's total timeout would count the time a slow client takes
	 * to read and cut a large answer midway: fwd_step keeps the
	 * upstream's timeout instead. */
	f->timeout_ns = t->up->timeout_ms * 1000000;
	return curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 0L) == CURLE_OK ? 0 :
	    -1;
}

static enum fwd_err
fwd_result(const struct fwd *f)
{
	switch (f->result) {
	case CURLE_OK:
		return f->head_done ? FWD_OK : FWD_PROTOCOL;
	case CURLE_OPERATION_TIMEDOUT:
		return FWD_TIMEOUT;
	case CURLE_OUT_OF_MEMORY:
		return FWD_NOMEM;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		return FWD_CONNECT;
	default:
		return FWD_PROTOCOL;
	}
}

static long
since_us(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000000L +
	    (now.tv_nsec - t0->tv_nsec) / 1000;
}

enum fwd_err
fwd_start(const struct fwd_target *t, const struct fwd_request *req,
    struct fwd **out, long *upstream_us, char *err, size_t errlen)
{
	struct timespec	 t0;
	struct fwd	*f;
	enum fwd_err	 rc;

	*out = NULL;
	*upstream_us = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return FWD_NOMEM;
	f->clen = -1;
	snprintf(err, errlen, "out of memory");
	if (handles_take(&f->m, &f->e) == -1 ||
	    fwd_setup(f, t, req, err, errlen) == -1 ||
	    curl_multi_add_handle(f->m, f->e) != CURLM_OK) {
		fwd_free(&f);
		return FWD_NOMEM;
	}
	while (!f->head_done && !f->done)
		fwd_step(f);
	*upstream_us = since_us(&t0);
	if (f->head_done && !f->head_bad) {
		*out = f;
		return FWD_OK;
	}
	rc = f->head_bad ? FWD_PROTOCOL : fwd_result(f);
	if (rc == FWD_OK)
		rc = FWD_PROTOCOL;
	snprintf(err, errlen, "%s", f->head_bad ? "the upstream's headers "
	    "are malformed or too large" : f->errbuf[0] != '\0' ? f->errbuf :
	    curl_easy_strerror(f->result));
	fwd_free(&f);
	return rc;
}

int
fwd_status(const struct fwd *f)
{
	return f->status;
}

size_t
fwd_header_count(const struct fwd *f)
{
	return f->nh;
}

void
fwd_header(const struct fwd *f, size_t i, const char **name,
    const char **value)
{
	*name = f->hname[i];
	*value = f->hvalue[i];
}

int64_t
fwd_content_length(const struct fwd *f)
{
	return f->chunked ? -1 : f->clen;
}

ssize_t
fwd_read(struct fwd *f, char *buf, size_t max)
{
	size_t n;

	for (;;) {
		if (f->len > f->off) {
			n = f->len - f->off < max ? f->len - f->off : max;
			memcpy(buf, f->buf + f->off, n);
			f->off += n;
			if (f->paused && f->len - f->off < FWD_BUF_MAX / 2) {
				f->paused = 0;
				curl_easy_pause(f->e, CURLPAUSE_CONT);
			}
			return (ssize_t)n;
		}
		if (f->done)
			return f->result == CURLE_OK ? 0 : -1;
		fwd_step(f);
	}
}

void
fwd_free(struct fwd **fp)
{
	struct fwd		*f;

	if (fp == NULL || (f = *fp) == NULL)
		return;
	if (f->m != NULL && f->e != NULL)
		curl_multi_remove_handle(f->m, f->e);
	/* Handles of a transfer cut short (paused, failed, or whose answer
	 * was not read to its end) are not worth the doubt: freed. */
	if (f->m != NULL && f->e != NULL && f->done &&
	    f->result == CURLE_OK && !f->head_bad && !f->paused &&
	    f->off == f->len)
		handles_put(f->m, f->e);
	else
		handles_free(f->m, f->e);
	upstream_headers_free(&f->hdrs);	/* wipes the credential */
	head_reset(f);
	free(f->buf);
	free(f);
	*fp = NULL;
}
