/* libcurl forwarding on an event loop: one multi handle per worker
 * thread, driven through the socket API. Its sockets sit in the worker's
 * epoll set, its timer is the worker's epoll timeout, and its connection
 * cache is the pool every request of that worker shares. Transfer news
 * (the head is in, more body, the end) is queued while libcurl runs and
 * told to the caller afterwards, so that no caller's callback runs inside
 * libcurl. Easy handles are reset and kept for the next transfer. */
#include <sys/epoll.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "keyd/http.h"
#include "keyd/keyd.h"
#include "keyd/proxy_fwd.h"
#include "keyd/proxy_fwd_head.h"
#include "keyd/upstream.h"

#define FWD_BUF_MAX	(256 * 1024)	/* body bytes held before pausing */
/* Idle upstream connections a loop keeps: libcurl's default is 4 per
 * easy handle the multi holds, and a pool over its limit closes its
 * oldest connection whenever a transfer ends. */
#define FWD_POOL_MAX	1024L
#define FWD_IDLE_MAX	64		/* easy handles kept for reuse */
#define FWD_SCAN_NS	(50 * 1000000LL)	/* timeout scan period */
#define NS_NEVER	INT64_MAX

/* One of libcurl's sockets in the epoll set; freed after the round. */
struct fwd_sock {
	curl_socket_t		 fd;
	int			 dead;
	struct fwd_sock		*next_dead;
};

struct fwd {
	struct fwd_loop	*fl;
	CURL		*e;
	struct curl_slist *hdrs;
	char		 errbuf[CURL_ERROR_SIZE];
	fwd_notify	 notify;
	void		*cls;
	int64_t		 t0;
	long		 upstream_us;
	struct fwd_head	 h;		/* the answer's status and headers */
	int		 head_told;	/* the first notify is queued or done */
	int		 wants;		/* fwd_read said FWD_AGAIN */
	int		 queued;	/* on the loop's notify list */
	int		 running;	/* in the multi handle */
	int		 done;		/* the transfer ended */
	CURLcode	 result;
	int		 paused;
	int64_t		 deadline;	/* NS_NEVER while paused */
	int64_t		 left_ns;	/* of the timeout, while paused */
	int64_t		 timeout_ns;
	char		*buf;		/* body bytes not yet read */
	size_t		 off, len, cap;
	struct fwd	*prev, *next;	/* the loop's running transfers */
	struct fwd	*next_notify;
};

struct fwd_loop {
	CURLM		*m;
	int		 epfd;
	int64_t		 timer_at;	/* libcurl's, NS_NEVER: none */
	int64_t		 next_scan;
	struct fwd	*live;
	size_t		 nlive;
	struct fwd	*notify_head, *notify_tail;
	struct fwd_sock	*dead;
	CURL		*idle[FWD_IDLE_MAX];
	size_t		 nidle;
};

static CURLSH		*fwd_share;
static pthread_mutex_t	 fwd_locks[CURL_LOCK_DATA_LAST];

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

/* DNS answers and TLS sessions are shared by every loop; connections
 * belong to each loop's own multi handle. */
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
	curl_share_setopt(fwd_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(fwd_share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

void
fwd_global_cleanup(void)
{
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

/* --- news for the caller ---------------------------------------------- */

static void
notify_queue(struct fwd *f)
{
	struct fwd_loop *fl = f->fl;

	if (f->queued)
		return;
	f->queued = 1;
	f->next_notify = NULL;
	if (fl->notify_tail != NULL)
		fl->notify_tail->next_notify = f;
	else
		fl->notify_head = f;
	fl->notify_tail = f;
}

static void
notify_unqueue(struct fwd *f)
{
	struct fwd_loop	*fl = f->fl;
	struct fwd	*p, *prev = NULL;

	if (!f->queued)
		return;
	for (p = fl->notify_head; p != NULL; prev = p, p = p->next_notify)
		if (p == f)
			break;
	if (p == NULL)
		return;
	if (prev != NULL)
		prev->next_notify = f->next_notify;
	else
		fl->notify_head = f->next_notify;
	if (fl->notify_tail == f)
		fl->notify_tail = prev;
	f->queued = 0;
}

/* Something happened to F: queue a notify if its caller waits for it. */
static void
news(struct fwd *f)
{
	if (!f->head_told && (f->h.done || f->done)) {
		f->head_told = 1;
		f->upstream_us = (long)((keyd_mono_ns() - f->t0) / 1000);
		notify_queue(f);
	} else if (f->head_told && f->wants && (f->len > f->off || f->done)) {
		f->wants = 0;
		notify_queue(f);
	}
}

/* Tell each caller its news; a notify may free any transfer. */
static void
notify_run(struct fwd_loop *fl)
{
	struct fwd *f;

	while ((f = fl->notify_head) != NULL) {
		fl->notify_head = f->next_notify;
		if (fl->notify_head == NULL)
			fl->notify_tail = NULL;
		f->queued = 0;
		f->notify(f->cls);
	}
}

/* --- the answer's body -------------------------------------------------- */

static size_t
on_header(char *data, size_t size, size_t nitems, void *cls)
{
	struct fwd	*f = cls;
	size_t		 n = size * nitems;
	int		 was = f->h.done;

	if (fwd_head_line(&f->h, data, n) == -1)
		return 0;	/* aborts the transfer */
	if (!was && f->h.done)
		news(f);
	return n;
}

static void
pause_clock(struct fwd *f, int paused)
{
	int64_t now = keyd_mono_ns();

	if (paused && !f->paused) {
		f->left_ns = f->deadline - now;
		f->deadline = NS_NEVER;
	} else if (!paused && f->paused)
		f->deadline = now + f->left_ns;
	f->paused = paused;
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
		pause_clock(f, 1);
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
		cap = f->cap ? f->cap : f->h.clen > 0 && f->h.clen <= FWD_BUF_MAX ?
		    (size_t)f->h.clen : 16384;
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
	news(f);
	return n;
}

/* --- libcurl's sockets and timer in the epoll set ---------------------- */

static int
on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct fwd_loop		*fl = userp;
	struct fwd_sock		*ws = socketp;
	struct epoll_event	 ev;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (ws != NULL) {
			epoll_ctl(fl->epfd, EPOLL_CTL_DEL, s, NULL);
			curl_multi_assign(fl->m, s, NULL);
			ws->dead = 1;	/* an event of this round may name it */
			ws->next_dead = fl->dead;
			fl->dead = ws;
		}
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
	    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (ws != NULL) {
		ev.data.ptr = ws;
		return epoll_ctl(fl->epfd, EPOLL_CTL_MOD, s, &ev) == 0 ? 0 : -1;
	}
	if ((ws = calloc(1, sizeof(*ws))) == NULL)
		return -1;
	ws->fd = s;
	ev.data.ptr = ws;
	if (epoll_ctl(fl->epfd, EPOLL_CTL_ADD, s, &ev) == -1 &&
	    (errno != EEXIST || epoll_ctl(fl->epfd, EPOLL_CTL_MOD, s, &ev) ==
	    -1)) {
		free(ws);
		return -1;
	}
	curl_multi_assign(fl->m, s, ws);
	return 0;
}

static int
on_timer(CURLM *m, long ms, void *userp)
{
	struct fwd_loop *fl = userp;

	(void)m;
	fl->timer_at = ms < 0 ? NS_NEVER : keyd_mono_ns() + (int64_t)ms * 1000000;
	return 0;
}

static void
live_unlink(struct fwd *f)
{
	struct fwd_loop *fl = f->fl;

	if (!f->running)
		return;
	curl_multi_remove_handle(fl->m, f->e);
	f->running = 0;
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		fl->live = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	f->prev = f->next = NULL;
	fl->nlive--;
}

static void
finish(struct fwd *f, CURLcode result)
{
	live_unlink(f);
	f->done = 1;
	f->result = result;
	if (f->paused)
		pause_clock(f, 0);
	news(f);
}

/* The transfers libcurl says have ended, then everybody's news. */
static void
loop_after(struct fwd_loop *fl)
{
	CURLMsg		*msg;
	struct fwd	*f;
	int		 left;

	while ((msg = curl_multi_info_read(fl->m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		f = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &f);
		if (f != NULL)
			finish(f, msg->data.result);
	}
	notify_run(fl);
}

void
fwd_loop_event(struct fwd_loop *fl, void *tag, uint32_t events)
{
	struct fwd_sock	*ws = tag;
	int		 flags = 0, running;

	if (ws->dead)
		return;
	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(fl->m, ws->fd, flags, &running);
	loop_after(fl);
}

int
fwd_loop_timeout(const struct fwd_loop *fl)
{
	int64_t at = fl->timer_at, now;

	if (fl->nlive > 0 && fl->next_scan < at)
		at = fl->next_scan;
	if (at == NS_NEVER)
		return -1;
	now = keyd_mono_ns();
	return at <= now ? 0 : (int)((at - now + 999999) / 1000000);
}

/* The upstream's --timeout, counted while keyd waits for it. */
static void
timeouts_scan(struct fwd_loop *fl, int64_t now)
{
	struct fwd *f, *next;

	fl->next_scan = now + FWD_SCAN_NS;
	for (f = fl->live; f != NULL; f = next) {
		next = f->next;
		if (f->timeout_ns <= 0 || f->deadline > now)
			continue;
		snprintf(f->errbuf, sizeof(f->errbuf), "no complete answer "
		    "within %lld ms", (long long)(f->timeout_ns / 1000000));
		finish(f, CURLE_OPERATION_TIMEDOUT);
	}
}

void
fwd_loop_timers(struct fwd_loop *fl)
{
	int64_t	now = keyd_mono_ns();
	int	running;

	if (fl->timer_at <= now) {
		fl->timer_at = NS_NEVER;
		curl_multi_socket_action(fl->m, CURL_SOCKET_TIMEOUT, 0,
		    &running);
	}
	if (fl->nlive > 0 && fl->next_scan <= now)
		timeouts_scan(fl, now);
	loop_after(fl);
}

void
fwd_loop_settle(struct fwd_loop *fl)
{
	struct fwd_sock *ws;

	while ((ws = fl->dead) != NULL) {
		fl->dead = ws->next_dead;
		free(ws);
	}
}

size_t
fwd_loop_live(const struct fwd_loop *fl)
{
	return fl->nlive;
}

int
fwd_loop_new(int epfd, struct fwd_loop **out)
{
	struct fwd_loop *fl;

	*out = NULL;
	if ((fl = calloc(1, sizeof(*fl))) == NULL)
		return -1;
	fl->epfd = epfd;
	fl->timer_at = NS_NEVER;
	fl->next_scan = NS_NEVER;
	if ((fl->m = curl_multi_init()) == NULL ||
	    curl_multi_setopt(fl->m, CURLMOPT_MAXCONNECTS, FWD_POOL_MAX) !=
	    CURLM_OK ||
	    curl_multi_setopt(fl->m, CURLMOPT_SOCKETFUNCTION, on_socket) !=
	    CURLM_OK ||
	    curl_multi_setopt(fl->m, CURLMOPT_SOCKETDATA, fl) != CURLM_OK ||
	    curl_multi_setopt(fl->m, CURLMOPT_TIMERFUNCTION, on_timer) !=
	    CURLM_OK ||
	    curl_multi_setopt(fl->m, CURLMOPT_TIMERDATA, fl) != CURLM_OK) {
		fwd_loop_free(&fl);
		return -1;
	}
	*out = fl;
	return 0;
}

void
fwd_loop_free(struct fwd_loop **flp)
{
	struct fwd_loop	*fl;
	size_t		 i;

	if (flp == NULL || (fl = *flp) == NULL)
		return;
	while (fl->live != NULL)	/* their owners free them later */
		live_unlink(fl->live);
	fl->notify_head = fl->notify_tail = NULL;
	for (i = 0; i < fl->nidle; i++)
		curl_easy_cleanup(fl->idle[i]);
	if (fl->m != NULL)
		curl_multi_cleanup(fl->m);	/* calls on_socket REMOVE */
	fwd_loop_settle(fl);
	free(fl);
	*flp = NULL;
}

/* --- one transfer ------------------------------------------------------ */

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
	curl_easy_setopt(e, CURLOPT_PRIVATE, f);
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
	 * to read and cut a large answer midway: the loop keeps the
	 * upstream's timeout instead, stopped while the transfer waits for
	 * the client (paused). */
	f->timeout_ns = t->up->timeout_ms * 1000000;
	return curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 0L) == CURLE_OK ? 0 :
	    -1;
}

static CURL *
handle_take(struct fwd_loop *fl)
{
	if (fl->nidle > 0)
		return fl->idle[--fl->nidle];
	return curl_easy_init();
}

enum fwd_err
fwd_begin(struct fwd_loop *fl, const struct fwd_target *t,
    const struct fwd_request *req, fwd_notify notify, void *cls,
    struct fwd **out, char *err, size_t errlen)
{
	struct fwd *f;

	*out = NULL;
	snprintf(err, errlen, "out of memory");
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return FWD_NOMEM;
	f->fl = fl;
	fwd_head_clear(&f->h);
	f->notify = notify;
	f->cls = cls;
	f->t0 = keyd_mono_ns();
	if ((f->e = handle_take(fl)) == NULL ||
	    fwd_setup(f, t, req, err, errlen) == -1 ||
	    curl_multi_add_handle(fl->m, f->e) != CURLM_OK) {
		fwd_free(&f);
		return FWD_NOMEM;
	}
	f->running = 1;
	f->deadline = f->timeout_ns > 0 ? f->t0 + f->timeout_ns : NS_NEVER;
	f->next = fl->live;
	if (fl->live != NULL)
		fl->live->prev = f;
	fl->live = f;
	if (fl->nlive++ == 0)
		fl->next_scan = f->t0 + FWD_SCAN_NS;
	*out = f;
	return FWD_OK;
}

static enum fwd_err
fwd_result(const struct fwd *f)
{
	switch (f->result) {
	case CURLE_OK:
		return f->h.done ? FWD_OK : FWD_PROTOCOL;
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

enum fwd_err
fwd_head(const struct fwd *f, long *upstream_us, char *err, size_t errlen)
{
	enum fwd_err rc;

	*upstream_us = f->upstream_us;
	if (f->h.done && !f->h.bad)
		return FWD_OK;
	rc = f->h.bad ? FWD_PROTOCOL : fwd_result(f);
	if (rc == FWD_OK)
		rc = FWD_PROTOCOL;
	snprintf(err, errlen, "%s", f->h.bad ? "the upstream's headers "
	    "are malformed or too large" : f->errbuf[0] != '\0' ? f->errbuf :
	    curl_easy_strerror(f->result));
	return rc;
}

int
fwd_status(const struct fwd *f)
{
	return f->h.status;
}

size_t
fwd_header_count(const struct fwd *f)
{
	return f->h.n;
}

void
fwd_header(const struct fwd *f, size_t i, const char **name,
    const char **value)
{
	*name = f->h.name[i];
	*value = f->h.value[i];
}

int64_t
fwd_content_length(const struct fwd *f)
{
	return f->h.chunked ? -1 : f->h.clen;
}

int
fwd_body_take(struct fwd *f, char **buf, size_t *len)
{
	if (!f->done || f->result != CURLE_OK || f->off != 0)
		return 0;
	if (f->buf == NULL && (f->buf = malloc(1)) == NULL)
		return 0;
	*buf = f->buf;
	*len = f->len;
	f->buf = NULL;
	f->len = f->cap = 0;
	return 1;
}

ssize_t
fwd_read(struct fwd *f, char *buf, size_t max)
{
	size_t n;

	if (f->len > f->off) {
		n = f->len - f->off < max ? f->len - f->off : max;
		memcpy(buf, f->buf + f->off, n);
		f->off += n;
		if (f->paused && f->len - f->off < FWD_BUF_MAX / 2) {
			pause_clock(f, 0);
			curl_easy_pause(f->e, CURLPAUSE_CONT);
		}
		return (ssize_t)n;
	}
	if (f->done)
		return f->result == CURLE_OK ? 0 : -1;
	f->wants = 1;
	return FWD_AGAIN;
}

void
fwd_free(struct fwd **fp)
{
	struct fwd	*f;
	struct fwd_loop	*fl;
	int		 clean;

	if (fp == NULL || (f = *fp) == NULL)
		return;
	fl = f->fl;
	notify_unqueue(f);
	/* A transfer cut short (running, failed, or whose answer was not
	 * read to its end) takes its handle with it. */
	clean = f->done && f->result == CURLE_OK && !f->h.bad;
	live_unlink(f);
	if (f->e != NULL && clean && fl->nidle < FWD_IDLE_MAX) {
		curl_easy_reset(f->e);
		fl->idle[fl->nidle++] = f->e;
	} else if (f->e != NULL)
		curl_easy_cleanup(f->e);
	upstream_headers_free(&f->hdrs);	/* wipes the credential */
	fwd_head_clear(&f->h);
	free(f->buf);
	free(f);
	*fp = NULL;
}
