/* Forwarding on an event loop (keyd/proxy_fwd.h; the connections and
 * why in keyd/proxy_fwd_int.h): each transfer writes its HTTP/1.1 request
 * whole onto a connection, reads the answer's head line by line
 * (proxy_fwd_head.c) and its body through its framing
 * (proxy_fwd_frame.c) into a bounded buffer, and hands the connection
 * back once the answer ended where its framing says. News (the head is
 * in, more body, the end) is queued and told to the caller after the
 * loop's own work, never from inside a fwd_* call of the caller's. */
#include <sys/epoll.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "keyd/keyd.h"
#include "keyd/proxy_fwd.h"
#include "keyd/proxy_fwd_frame.h"
#include "keyd/proxy_fwd_head.h"
#include "keyd/proxy_fwd_int.h"
#include "keyd/upstream.h"

#define FWD_BUF_MAX	(256 * 1024)	/* body bytes held before pausing */
#define FWD_SCAN_NS	(50 * 1000000LL)	/* timeout scan period */

struct fwd {
	struct fwd_loop		*fl;
	struct fwd_conn		*c;		/* while it has one */
	const struct upstream	*up;
	fwd_notify		 notify;
	void			*cls;
	int64_t			 t0;
	long			 upstream_us;
	char			*out;		/* the request; has the credential */
	size_t			 out_len, sent;
	int			 reused;	/* C served another request before */
	int			 retried;
	int			 head_only;	/* HEAD: no body comes back */
	size_t			 got;		/* bytes of the answer */
	char			*lbuf;		/* a head line cut by a read */
	size_t			 llen;
	struct fwd_head		 h;		/* the answer's status and headers */
	struct fwd_frame	 fr;		/* its body, once the head is in */
	int			 framed;
	int			 keep;		/* C may serve another request */
	int			 head_told;	/* the first notify is queued or done */
	int			 wants;		/* fwd_read said FWD_AGAIN */
	int			 queued;	/* on the loop's notify list */
	int			 kicked;	/* on the loop's kick list */
	int			 live;		/* on the loop's live list */
	int			 done;		/* ended: well when ERR is FWD_OK */
	enum fwd_err		 err;
	char			 errbuf[256];
	int			 paused;
	int64_t			 deadline;	/* NS_NEVER while paused */
	int64_t			 left_ns;	/* of the timeout, while paused */
	int64_t			 timeout_ns;
	char			*buf;		/* body bytes not yet read */
	size_t			 off, len, cap;
	struct fwd		*prev, *next;	/* the loop's live ones */
	struct fwd		*next_notify, *next_kick;
};

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
	if (!f->head_told && (f->framed || f->done)) {
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

static void
kick_unlink(struct fwd *f)
{
	struct fwd **pp;

	if (!f->kicked)
		return;
	for (pp = &f->fl->kick; *pp != NULL; pp = &(*pp)->next_kick)
		if (*pp == f) {
			*pp = f->next_kick;
			break;
		}
	f->kicked = 0;
}

/* --- ending ------------------------------------------------------------- */

static void
live_unlink(struct fwd *f)
{
	struct fwd_loop *fl = f->fl;

	if (!f->live)
		return;
	f->live = 0;
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

/* F ends: well (E is FWD_OK), or failed with E and TEXT. */
static void
finish(struct fwd *f, enum fwd_err e, const char *text)
{
	if (f->done)
		return;
	f->done = 1;
	f->err = e;
	if (text != NULL)
		snprintf(f->errbuf, sizeof(f->errbuf), "%s", text);
	if (f->c != NULL) {
		conn_release(f->c, e == FWD_OK && f->keep &&
		    f->sent == f->out_len && conn_drained(f->c));
		f->c = NULL;
	}
	kick_unlink(f);
	live_unlink(f);
	if (f->paused)
		pause_clock(f, 0);
	news(f);
}

static void send_some(struct fwd *f);

/* F's connection broke (TEXT says how). A reused connection the upstream
 * closed before any of the answer came is tried again once, on a new
 * one: the upstream dropped it idle, as HTTP/1.1 lets it (RFC 9112
 * §9.3.1), and never saw the request. */
static void
conn_broke(struct fwd *f, const char *text)
{
	char err[256];

	if (!f->reused || f->retried || f->got > 0) {
		finish(f, f->got > 0 ? FWD_PROTOCOL : FWD_CONNECT, text);
		return;
	}
	conn_release(f->c, 0);
	f->c = NULL;
	f->retried = 1;
	f->reused = 0;
	f->sent = 0;
	if (conn_get(f->fl, f->up, f, 1, &f->c, &f->reused, err,
	    sizeof(err)) == -1)
		finish(f, FWD_NOMEM, err);
}

void
fwd_connected(struct fwd *f, enum fwd_err e, const char *err)
{
	if (e != FWD_OK) {
		f->c = NULL;
		finish(f, e, err);
		return;
	}
	send_some(f);
}

/* --- the request -------------------------------------------------------- */

static void
send_some(struct fwd *f)
{
	char	err[256];
	ssize_t	n;

	while (!f->done && f->sent < f->out_len) {
		n = conn_send(f->c, f->out + f->sent, f->out_len - f->sent, err,
		    sizeof(err));
		if (n == -1) {
			conn_broke(f, err);
			return;
		}
		if (n == 0) {
			conn_want_write(f->c, 1);
			return;
		}
		f->sent += (size_t)n;
	}
	if (!f->done)
		conn_want_write(f->c, 0);
}

/* Bytes that would let a value end its line early or smuggle another. */
static int
text_ok(const char *s, int space)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f ||
		    (!space && (*p == ' ' || *p == '\t')))
			return 0;
	return 1;
}

struct wbuf {
	char	*p;
	size_t	 n;
};

static void
put(struct wbuf *w, const char *s, size_t n)
{
	if (w->p != NULL)
		memcpy(w->p + w->n, s, n);
	w->n += n;
}

static void
puts2(struct wbuf *w, const char *a, const char *b, const char *c)
{
	put(w, a, strlen(a));
	put(w, b, strlen(b));
	put(w, c, strlen(c));
}

/* The target and authority of URL, "http[s]://authority/target?query". */
static int
url_split(const char *url, const char **auth, size_t *alen,
    const char **target)
{
	const char *p = strstr(url, "://"), *end;

	if (p == NULL)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?");
	*auth = p;
	*alen = (size_t)(end - p);
	/* The default port is left out of Host, as libcurl does. */
	if (strncmp(url, "http:", 5) == 0 && *alen > 3 &&
	    strncmp(end - 3, ":80", 3) == 0)
		*alen -= 3;
	else if (strncmp(url, "https:", 6) == 0 && *alen > 4 &&
	    strncmp(end - 4, ":443", 4) == 0)
		*alen -= 4;
	*target = end;
	return *alen > 0 ? 0 : -1;
}

/* The request line, the headers and the body, into W (with W->p NULL,
 * only counted). */
static int
request_write(struct wbuf *w, const struct fwd_target *t,
    const struct fwd_request *req, char *err, size_t errlen)
{
	const char	*auth, *target;
	char		 num[32];
	size_t		 alen, i;
	ssize_t		 al;
	int		 accept = 0;

	if (url_split(t->url, &auth, &alen, &target) == -1 ||
	    !text_ok(target, 0) || !text_ok(req->method, 0)) {
		snprintf(err, errlen, "the request line is malformed");
		return -1;
	}
	puts2(w, req->method, " ", *target == '/' ? "" : "/");
	puts2(w, target, " HTTP/1.1\r\nHost: ", "");
	put(w, auth, alen);
	put(w, "\r\n", 2);
	for (i = 0; i < req->nhdrs; i++) {
		if (!text_ok(req->hdr_name[i], 0) ||
		    !text_ok(req->hdr_value[i], 1)) {
			snprintf(err, errlen, "a request header is malformed");
			return -1;
		}
		accept |= strcasecmp(req->hdr_name[i], "Accept") == 0;
		puts2(w, req->hdr_name[i], ": ", req->hdr_value[i]);
		put(w, "\r\n", 2);
	}
	if (!accept)
		puts2(w, "Accept: */*\r\n", "", "");
	if ((al = upstream_auth_line(t->up, w->p != NULL ? w->p + w->n : NULL,
	    SIZE_MAX)) == -1) {
		snprintf(err, errlen, "the upstream's credential is too long");
		return -1;
	}
	w->n += (size_t)al;
	if (req->body_len > 0 || strcmp(req->method, "POST") == 0 ||
	    strcmp(req->method, "PUT") == 0 ||
	    strcmp(req->method, "PATCH") == 0) {
		snprintf(num, sizeof(num), "%zu", req->body_len);
		puts2(w, "Content-Length: ", num, "\r\n");
	}
	put(w, "\r\n", 2);
	if (req->body_len > 0)
		put(w, req->body, req->body_len);
	return 0;
}

static int
request_build(struct fwd *f, const struct fwd_target *t,
    const struct fwd_request *req, char *err, size_t errlen)
{
	struct wbuf w = { NULL, 0 };

	if (request_write(&w, t, req, err, errlen) == -1)
		return -1;
	if ((w.p = malloc(w.n)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->out_len = w.n;
	w.n = 0;
	f->out = w.p;
	return request_write(&w, t, req, err, errlen);
}

/* --- the answer --------------------------------------------------------- */

static int
body_keep(void *cls, const char *data, size_t n)
{
	struct fwd	*f = cls;
	size_t		 cap;
	char		*nb;

	if (n == 0)
		return 0;
	if (f->off > 0 && f->off == f->len)
		f->off = f->len = 0;
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
				return -1;
			f->buf = nb;
			f->cap = cap;
		}
	}
	memcpy(f->buf + f->len, data, n);
	f->len += n;
	return 0;
}

/* The head is in: how the body is framed, and whether the connection
 * can carry another request after it (RFC 9112 §6.3, §9.3). */
static void
head_done(struct fwd *f)
{
	const struct fwd_head	*h = &f->h;
	enum fwd_frame_mode	 mode;

	if (f->head_only || h->status < 200 || h->status == 204 ||
	    h->status == 304)
		mode = FWD_FRAME_NONE;
	else if (h->te)
		mode = h->chunked ? FWD_FRAME_CHUNKED : FWD_FRAME_CLOSE;
	else if (h->clen >= 0)
		mode = FWD_FRAME_LENGTH;
	else
		mode = FWD_FRAME_CLOSE;
	f->keep = !h->close && mode != FWD_FRAME_CLOSE &&
	    !(h->te && h->clen >= 0);
	fwd_frame_init(&f->fr, mode, h->clen > 0 ? (uint64_t)h->clen : 0);
	f->framed = 1;
}

/* One line of the head, LINE (N bytes, its LF included). */
static int
head_line(struct fwd *f, const char *line, size_t n)
{
	if (fwd_head_line(&f->h, line, n) == -1 || f->h.bad) {
		finish(f, FWD_PROTOCOL, "the upstream's headers are malformed "
		    "or too large");
		return -1;
	}
	if (f->h.done)
		head_done(f);
	return 0;
}

/* Head bytes: whole lines go to head_line, a cut one waits in LBUF.
 * The count taken; -1 when F ended. */
static ssize_t
head_take(struct fwd *f, const char *data, size_t n)
{
	const char	*nl;
	size_t		 i = 0, k, len;

	while (i < n && !f->framed) {
		nl = memchr(data + i, '\n', n - i);
		k = nl != NULL ? (size_t)(nl - (data + i)) + 1 : n - i;
		if (nl != NULL && f->llen == 0) {
			if (head_line(f, data + i, k) == -1)
				return -1;
		} else {
			if (f->llen + k > FWD_HDR_MAX) {
				finish(f, FWD_PROTOCOL, "the upstream's headers "
				    "are malformed or too large");
				return -1;
			}
			if (f->lbuf == NULL &&
			    (f->lbuf = malloc(FWD_HDR_MAX)) == NULL) {
				finish(f, FWD_NOMEM, "out of memory");
				return -1;
			}
			memcpy(f->lbuf + f->llen, data + i, k);
			f->llen += k;
			if (nl != NULL) {
				len = f->llen;
				f->llen = 0;
				if (head_line(f, f->lbuf, len) == -1)
					return -1;
			}
		}
		i += k;
	}
	return (ssize_t)i;
}

/* Bytes off the connection. 0, or -1 when F ended. */
static int
answer_take(struct fwd *f, const char *data, size_t n)
{
	ssize_t	i, k;

	f->got += n;
	if ((i = head_take(f, data, n)) == -1)
		return -1;
	if (f->framed && (size_t)i < n) {
		if ((k = fwd_frame_feed(&f->fr, data + i, n - (size_t)i,
		    body_keep, f)) == -1) {
			finish(f, f->fr.bad ? FWD_PROTOCOL : FWD_NOMEM,
			    f->fr.bad ? "the upstream's body is malformed "
			    "(chunked coding)" : "out of memory");
			return -1;
		}
		i += k;
	}
	if (f->framed && f->fr.done) {
		if ((size_t)i < n)
			f->keep = 0;	/* bytes past the answer */
		finish(f, FWD_OK, NULL);
		return -1;
	}
	news(f);
	return 0;
}

/* The upstream closed the connection. */
static void
answer_eof(struct fwd *f)
{
	if (f->framed && fwd_frame_eof(&f->fr) == 0) {
		f->keep = 0;
		finish(f, FWD_OK, NULL);
	} else if (f->got == 0)
		conn_broke(f, "the upstream closed the connection without "
		    "answering");
	else
		finish(f, FWD_PROTOCOL, "the upstream closed the connection "
		    "in the middle of its answer");
}

/* Read what the connection has, up to the bounded buffer. */
static void
read_some(struct fwd *f)
{
	char	*rb = f->fl->rbuf, err[256];
	ssize_t	 n;

	while (!f->done && f->c != NULL) {
		if (f->len - f->off >= FWD_BUF_MAX) {
			pause_clock(f, 1);
			conn_pause(f->c, 1);
			return;
		}
		n = conn_recv(f->c, rb, FWD_RBUF, err, sizeof(err));
		if (n == FWD_AGAIN)
			return;
		if (n == -1) {
			conn_broke(f, err);
			return;
		}
		if (n == 0) {
			answer_eof(f);
			return;
		}
		if (answer_take(f, rb, (size_t)n) == -1)
			return;
	}
}

void
fwd_io(struct fwd *f, uint32_t events)
{
	if ((events & EPOLLOUT) && f->sent < f->out_len)
		send_some(f);
	if (!f->done && f->c != NULL &&
	    (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		read_some(f);
}

/* --- the loop ----------------------------------------------------------- */

void
fwd_loop_event(struct fwd_loop *fl, void *tag, uint32_t events)
{
	conn_event(fl, tag, events);
	notify_run(fl);
}

int
fwd_loop_timeout(const struct fwd_loop *fl)
{
	int64_t at = conn_next_ns(fl), now;

	if (fl->notify_head != NULL || fl->kick != NULL)
		return 0;
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
	struct fwd	*f, *next;
	char		 err[64];

	fl->next_scan = now + FWD_SCAN_NS;
	for (f = fl->live; f != NULL; f = next) {
		next = f->next;
		if (f->timeout_ns <= 0 || f->deadline > now)
			continue;
		snprintf(err, sizeof(err), "no complete answer within %lld ms",
		    (long long)(f->timeout_ns / 1000000));
		finish(f, FWD_TIMEOUT, err);
	}
}

void
fwd_loop_timers(struct fwd_loop *fl)
{
	int64_t		 now = keyd_mono_ns();
	struct fwd	*f;

	if (conn_next_ns(fl) <= now)
		conn_timers(fl, now);
	if (fl->nlive > 0 && fl->next_scan <= now)
		timeouts_scan(fl, now);
	while ((f = fl->kick) != NULL) {
		fl->kick = f->next_kick;
		f->kicked = 0;
		read_some(f);
	}
	notify_run(fl);
}

void
fwd_loop_settle(struct fwd_loop *fl)
{
	conn_settle(fl);
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
	if ((fl->rbuf = malloc(FWD_RBUF)) == NULL) {
		free(fl);
		return -1;
	}
	fl->epfd = epfd;
	fl->next_scan = NS_NEVER;
	fl->next_idle = NS_NEVER;
	*out = fl;
	return 0;
}

void
fwd_loop_free(struct fwd_loop **flp)
{
	struct fwd_loop	*fl;
	struct fwd	*f;

	if (flp == NULL || (fl = *flp) == NULL)
		return;
	/* Their owners free them later; no notify follows. */
	while ((f = fl->live) != NULL) {
		if (f->c != NULL)
			conn_release(f->c, 0);
		f->c = NULL;
		f->done = 1;
		f->err = FWD_CONNECT;
		f->queued = f->kicked = 0;
		live_unlink(f);
	}
	fl->notify_head = fl->notify_tail = NULL;
	fl->kick = NULL;
	conn_close_all(fl);
	free(fl->rbuf);
	free(fl);
	*flp = NULL;
}

/* --- one transfer ------------------------------------------------------- */

enum fwd_err
fwd_begin(struct fwd_loop *fl, const struct fwd_target *t,
    const struct fwd_request *req, fwd_notify notify, void *cls,
    struct fwd **out, char *err, size_t errlen)
{
	struct fwd *f;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return FWD_NOMEM;
	}
	f->fl = fl;
	f->up = t->up;
	fwd_head_clear(&f->h);
	f->notify = notify;
	f->cls = cls;
	f->t0 = keyd_mono_ns();
	f->head_only = strcmp(req->method, "HEAD") == 0;
	f->timeout_ns = t->up->timeout_ms * 1000000;
	f->deadline = f->timeout_ns > 0 ? f->t0 + f->timeout_ns : NS_NEVER;
	if (request_build(f, t, req, err, errlen) == -1 ||
	    conn_get(fl, t->up, f, 0, &f->c, &f->reused, err, errlen) == -1) {
		fwd_free(&f);
		return FWD_NOMEM;
	}
	f->live = 1;
	f->next = fl->live;
	if (fl->live != NULL)
		fl->live->prev = f;
	fl->live = f;
	if (fl->nlive++ == 0)
		fl->next_scan = f->t0 + FWD_SCAN_NS;
	if (f->reused)
		send_some(f);	/* a new connection sends once it is up */
	*out = f;
	return FWD_OK;
}

enum fwd_err
fwd_head(const struct fwd *f, long *upstream_us, char *err, size_t errlen)
{
	*upstream_us = f->upstream_us;
	/* A body found broken before anything was answered is a 502, not
	 * half an answer. */
	if (f->framed && (!f->done || f->err == FWD_OK))
		return FWD_OK;
	snprintf(err, errlen, "%s", f->errbuf[0] != '\0' ? f->errbuf :
	    "no answer");
	return f->done && f->err != FWD_OK ? f->err : FWD_PROTOCOL;
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
	return f->h.te ? -1 : f->h.clen;
}

int
fwd_body_take(struct fwd *f, char **buf, size_t *len)
{
	if (!f->done || f->err != FWD_OK || f->off != 0)
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
		if (f->paused && f->c != NULL &&
		    f->len - f->off < FWD_BUF_MAX / 2) {
			pause_clock(f, 0);
			conn_pause(f->c, 0);
			/* TLS may hold bytes the socket no longer shows:
			 * read on the loop's next round, not on an event. */
			if (!f->kicked) {
				f->kicked = 1;
				f->next_kick = f->fl->kick;
				f->fl->kick = f;
			}
		}
		return (ssize_t)n;
	}
	if (f->done)
		return f->err == FWD_OK ? 0 : -1;
	f->wants = 1;
	return FWD_AGAIN;
}

void
fwd_free(struct fwd **fp)
{
	struct fwd *f;

	if (fp == NULL || (f = *fp) == NULL)
		return;
	notify_unqueue(f);
	kick_unlink(f);
	/* A connection in the middle of an answer cannot serve another. */
	if (f->c != NULL)
		conn_release(f->c, 0);
	live_unlink(f);
	if (f->out != NULL) {
		sodium_memzero(f->out, f->out_len);	/* the credential */
		free(f->out);
	}
	fwd_head_clear(&f->h);
	free(f->lbuf);
	free(f->buf);
	free(f);
	*fp = NULL;
}
