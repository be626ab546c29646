/* keyd's own HTTP/1.1 server side (keyd/server_int.h has the model): a
 * client connection from accept to close, as a state machine. Its bytes
 * in and out (GnuTLS for TLS) are server_client_io.c's; here are the
 * request's head (keyd/http_parse.c) and body (keyd/proxy_fwd_frame.c,
 * the same framing code the upstream side uses), then its answer out,
 * whole or streamed, to a client that may read slowly. One request at a
 * time per connection; pipelined ones wait in the input buffer.
 *
 * Why not libmicrohttpd: its 0.9 API cannot answer later without
 * suspending the connection, which cost two epoll changes and an empty
 * read per request, and a 64 KiB pool cleared after each one
 * (docs/benchmarks.md). Here a connection stays in epoll, level-triggered,
 * from accept to close, and is read once per request. */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <sodium.h>

#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/server_int.h"

#define LINGER_MS	2000			/* draining after a refusal */
/* One connection per wake-up: a burst of new connections is then shared
 * by the workers (each wakes for the next one) instead of landing on the
 * first one woken. Measured with wrk's 64 connections: the two workers'
 * CPU split 2.3:1 with 32 per wake-up, 1.2:1 with one, and 1.09-1.14
 * times the requests (docs/benchmarks.md). */
#define ACCEPT_BATCH	1
#define ACCEPT_PAUSE_MS	100			/* out of descriptors */

static int64_t
now_ms(void)
{
	return keyd_mono_ns() / 1000000;
}

/* How long a client may stay silent: client_timeout. */
static int64_t
idle_ms(const struct client *c)
{
	return c->w->s->k->cfg.client_timeout * 1000;
}

/* --- the worker's lists ------------------------------------------------- */

static void
idle_unlink(struct client *c)
{
	struct worker *w = c->w;

	if (!c->timed)
		return;
	if (c->iprev != NULL)
		c->iprev->inext = c->inext;
	else
		w->idle_head = c->inext;
	if (c->inext != NULL)
		c->inext->iprev = c->iprev;
	else
		w->idle_tail = c->iprev;
	c->iprev = c->inext = NULL;
	c->timed = 0;
}

/* C is cut MS from now unless something happens; the list stays in
 * deadline order (nearly always by appending). */
static void
idle_touch(struct client *c, int64_t ms)
{
	struct worker	*w = c->w;
	struct client	*p;

	idle_unlink(c);
	c->idle_at = now_ms() + ms;
	for (p = w->idle_tail; p != NULL && p->idle_at > c->idle_at;
	    p = p->iprev)
		;
	c->iprev = p;
	c->inext = p != NULL ? p->inext : w->idle_head;
	if (c->inext != NULL)
		c->inext->iprev = c;
	else
		w->idle_tail = c;
	if (p != NULL)
		p->inext = c;
	else
		w->idle_head = c;
	c->timed = 1;
}

static void
runq_remove(struct client *c)
{
	struct worker	*w = c->w;
	struct client	**pp, *prev = NULL;

	for (pp = &w->run_head; *pp != NULL; prev = *pp, pp = &(*pp)->rnext)
		if (*pp == c) {
			*pp = c->rnext;
			if (w->run_tail == c)
				w->run_tail = prev;
			break;
		}
	c->queued = 0;
}

void
client_ready(struct client *c)
{
	struct worker *w = c->w;

	if (c->queued)
		return;
	c->queued = 1;
	c->rnext = NULL;
	if (w->run_tail != NULL)
		w->run_tail->rnext = c;
	else
		w->run_head = c;
	w->run_tail = c;
}

/* --- open and close ----------------------------------------------------- */

static void
client_close(struct client *c)
{
	struct worker *w = c->w;

	request_free(&c->r);
	idle_unlink(c);
	if (c->queued)
		runq_remove(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->tls != NULL)
		gnutls_deinit(c->tls);
	close(c->fd);
	client_buffers_free(c);
	free(c);
	__atomic_fetch_sub(&w->nconns, 1, __ATOMIC_RELAXED);
}

#define TICKET_LIFETIME_S	3600

static int
client_tls(struct client *c)
{
	struct server *s = c->w->s;

	if (gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL) != GNUTLS_E_SUCCESS) {
		c->tls = NULL;
		return -1;
	}
	if (gnutls_priority_set(c->tls, s->prio) != GNUTLS_E_SUCCESS ||
	    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, s->cred) !=
	    GNUTLS_E_SUCCESS)
		return -1;
	/* A client that comes back within the hour resumes with a ticket
	 * rather than a full handshake. The key is random at each start and
	 * only in memory; GnuTLS derives the keys it encrypts with from it,
	 * a new one each TICKET_LIFETIME_S, so an old ticket stops working. */
	if (gnutls_session_ticket_enable_server(c->tls, &s->ticket_key) !=
	    GNUTLS_E_SUCCESS)
		return -1;
	gnutls_db_set_cache_expiration(c->tls, TICKET_LIFETIME_S);
	gnutls_certificate_server_set_request(c->tls, GNUTLS_CERT_IGNORE);
	gnutls_handshake_set_timeout(c->tls, 0);	/* client_timeout bounds it */
	gnutls_transport_set_int(c->tls, c->fd);
	c->handshaking = 1;
	return 0;
}

/* The peer's address: as text for logs, as bytes for a role's
 * limits.source; once per connection. */
static void
client_peer(struct client *c, const struct sockaddr_storage *ss)
{
	const void *a;

	snprintf(c->remote, sizeof(c->remote), "-");
	if (ss->ss_family == AF_INET) {
		a = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
		memcpy(c->peer, a, 4);
	} else if (ss->ss_family == AF_INET6) {
		a = &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
		memcpy(c->peer, a, 16);
	} else
		return;
	c->peer_family = ss->ss_family;
	inet_ntop(ss->ss_family, a, c->remote, (socklen_t)sizeof(c->remote));
}

static void
client_open(struct worker *w, int fd, const struct sockaddr_storage *ss)
{
	struct epoll_event	 ev;
	struct client		*c;
	int			 one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->tag = CLIENT_TAG;
	c->w = w;
	c->fd = fd;
	client_peer(c, ss);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	__atomic_fetch_add(&w->nconns, 1, __ATOMIC_RELAXED);
	memset(&ev, 0, sizeof(ev));
	ev.events = c->events = EPOLLIN;
	ev.data.ptr = c;
	if ((w->s->cred != NULL && client_tls(c) == -1) ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		log_event(LOG_ERROR, "http.accept", "cannot set up a "
		    "connection: %s", strerror(errno));
		client_close(c);
		return;
	}
	idle_touch(c, idle_ms(c));
}

/* Out of file descriptors (or kernel memory), the connection stays in
 * the backlog and the level-triggered listening socket would wake this
 * worker again at once: stop watching it for a moment. */
static void
accept_pause(struct worker *w, int err)
{
	if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->listen_fd, NULL) == -1)
		return;
	w->accept_at = now_ms() + ACCEPT_PAUSE_MS;
	log_event(LOG_ERROR, "http.accept", "cannot accept a connection: %s; "
	    "not accepting for %d ms (raise the open files limit, or lower "
	    "max_connections)", strerror(err), ACCEPT_PAUSE_MS);
}

static void
accept_resume(struct worker *w)
{
	struct epoll_event ev;

	if (w->accept_at == 0 || now_ms() < w->accept_at)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = &w->tag_listen;
	if (w->listen_fd != -1 && epoll_ctl(w->epfd, EPOLL_CTL_ADD,
	    w->listen_fd, &ev) == -1) {
		w->accept_at = now_ms() + ACCEPT_PAUSE_MS;
		return;
	}
	w->accept_at = 0;
}

void
client_accept(struct worker *w)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	int			fd, i;

	for (i = 0; i < ACCEPT_BATCH && w->listen_fd != -1; i++) {
		sl = sizeof(ss);
		fd = accept4(w->listen_fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				accept_pause(w, errno);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_event(LOG_ERROR, "http.accept", "%s",
				    strerror(errno));
			return;
		}
		if (w->stopping || w->nconns >= w->max_conns) {
			close(fd);	/* past max_connections */
			continue;
		}
		client_open(w, fd, &ss);
	}
}

/* --- events ------------------------------------------------------------- */

/* What epoll watches follows from C's state: input while there is room
 * for it and the client has not closed; output while some is blocked. */
static int
client_rewatch(struct client *c)
{
	struct epoll_event	ev;
	uint32_t		want = 0;
	int			op;

	if (c->handshaking)
		want = gnutls_record_get_direction(c->tls) == 1 ? EPOLLOUT :
		    EPOLLIN;
	else {
		if (!c->eof && c->in_len < CLIENT_IN_MAX)
			want |= EPOLLIN;
		if (client_out_pending(c))
			want |= EPOLLOUT;
	}
	if (want == c->events)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = want;
	ev.data.ptr = c;
	/* out of the set altogether: a closed socket reports EPOLLHUP
	 * whatever it is asked for, and level-triggered, it would spin */
	if (want == 0)
		op = EPOLL_CTL_DEL;
	else
		op = c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(c->w->epfd, op, c->fd, want == 0 ? NULL : &ev) == -1)
		return -1;
	c->events = want;
	return 0;
}

static void client_take(struct client *c);

/* Answered for good with input maybe left unread: half-close, then drop
 * what still comes until the client closes, so that it reads the answer
 * instead of a reset. */
static void
client_linger(struct client *c)
{
	c->state = CS_LINGER;
	if (c->tls != NULL)
		(void)gnutls_bye(c->tls, GNUTLS_SHUT_WR);
	(void)shutdown(c->fd, SHUT_WR);
	c->in_len = 0;
	idle_touch(c, LINGER_MS);
	if (c->eof || client_rewatch(c) == -1)
		client_close(c);
}

/* C's answer is out. */
static void
client_done(struct client *c)
{
	request_free(&c->r);
	c->more = 0;
	c->scan = 0;
	/* what follows a body left unread is that body, never a request */
	if (!client_keep(c)) {
		if (c->unread && !c->eof)
			client_linger(c);
		else
			client_close(c);
		return;
	}
	c->state = CS_HEAD;
	idle_touch(c, idle_ms(c));
	client_buffers_trim(c);
	if (c->in_len > 0)
		client_take(c);	/* pipelined */
	else if (c->eof)
		client_close(c);
	else if (client_rewatch(c) == -1)
		client_close(c);
}

/* Send C's answer, and more of it while request_stream has more. */
static void
client_pump(struct client *c)
{
	int rc;

	for (;;) {
		if ((rc = client_flush(c)) == -1) {
			client_close(c);
			return;
		}
		if (rc == 0) {
			idle_touch(c, idle_ms(c));	/* a reader that stalls */
			if (client_rewatch(c) == -1)
				client_close(c);
			return;
		}
		if (!c->more)
			break;
		if ((rc = request_stream(c->r)) == -1) {
			client_close(c);
			return;
		}
		if (rc == 2) {
			idle_unlink(c);	/* the upstream's timeout runs */
			if (client_rewatch(c) == -1)
				client_close(c);
			return;
		}
		c->more = rc == 1;
	}
	client_done(c);
}

/* From the run queue: the answer is ready, or a stream has more. */
static void
client_answer(struct client *c)
{
	int rc;

	if (c->state == CS_BUSY) {
		c->state = CS_SEND;
		if ((rc = request_answer(c->r)) == -1) {
			client_close(c);
			return;
		}
		c->more = rc == 1;
	} else if (c->state != CS_SEND || client_out_pending(c))
		return;
	client_pump(c);
}

int
client_keep(const struct client *c)
{
	return c->keep_alive && !c->unread && !c->w->stopping;
}

/* What cannot be a request: answered, then the connection ends. */
static void
client_refuse(struct client *c, int rc)
{
	static const struct {
		int		rc;
		unsigned	status;
	} map[] = {
		{ HTTP_PARSE_BAD, 400 }, { HTTP_PARSE_URI_LONG, 414 },
		{ HTTP_PARSE_TOO_LARGE, 431 }, { HTTP_PARSE_VERSION, 505 },
		{ HTTP_PARSE_CODING, 501 },
	};
	unsigned	status = 400;
	size_t		i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].rc == rc)
			status = map[i].status;
	request_free(&c->r);
	c->keep_alive = 0;
	c->unread = 1;
	c->state = CS_SEND;
	request_refuse(c, status, http_parse_strerror(rc));
	client_pump(c);
}

static int
body_emit(void *cls, const char *data, size_t n)
{
	struct client *c = cls;

	return request_body(c->r, data, n);
}

/* The request is whole: it runs, unread and untimed, until its answer. */
static void
client_run_request(struct client *c)
{
	c->state = CS_BUSY;
	idle_unlink(c);
	request_run(c->r);
}

/* A head has arrived: the request starts. 1 to go on to its body. */
static int
client_head(struct client *c)
{
	struct http_head	 h;
	size_t			 end;
	char			*head;
	int			 rc;

	if ((end = http_head_end(c->in, c->in_len, &c->scan)) == 0) {
		if ((rc = http_head_check(c->in, c->in_len)) != HTTP_PARSE_MORE)
			client_refuse(c, rc);
		else if (c->eof)
			client_close(c);
		return 0;
	}
	if ((head = malloc(end + 1)) == NULL) {
		client_close(c);
		return 0;
	}
	memcpy(head, c->in, end);
	head[end] = '\0';
	client_in_take(c, end);
	c->scan = 0;
	if ((rc = http_head_parse(head, end, &h)) != HTTP_PARSE_OK) {
		sodium_memzero(head, end);
		free(head);
		client_refuse(c, rc);
		return 0;
	}
	if ((c->r = request_new(c, head, &h)) == NULL) {
		sodium_memzero(head, end);
		free(head);
		client_close(c);
		return 0;
	}
	c->keep_alive = h.keep_alive;
	c->head_only = strcmp(h.method, "HEAD") == 0;
	if (h.chunked)
		fwd_frame_init(&c->fr, FWD_FRAME_CHUNKED, 0);
	else
		fwd_frame_init(&c->fr, FWD_FRAME_LENGTH,
		    h.clen > 0 ? (uint64_t)h.clen : 0);
	if (request_too_big(c->r)) {
		/* announced too large: answered before a byte of it */
		c->unread = !c->fr.done;
		client_run_request(c);
		return 0;
	}
	c->state = CS_BODY;
	if (h.expect_continue && !c->fr.done && c->in_len == 0 &&
	    client_out(c, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0 &&
	    client_flush(c) == -1) {
		client_close(c);
		return 0;
	}
	return 1;
}

/* Body bytes from the input; the request runs once they are all in. */
static void
client_body(struct client *c)
{
	ssize_t n;

	if ((n = fwd_frame_feed(&c->fr, c->in, c->in_len, body_emit, c)) < 0) {
		if (c->fr.bad)
			client_refuse(c, HTTP_PARSE_BAD);
		else
			client_close(c);	/* past what keyd reads at all */
		return;
	}
	client_in_take(c, (size_t)n);
	if (c->fr.done)
		client_run_request(c);
	else if (c->eof)
		client_close(c);
	else if (client_rewatch(c) == -1)
		client_close(c);
}

/* Take what has been read: a head, then a body. */
static void
client_take(struct client *c)
{
	if (c->state == CS_HEAD && client_head(c) != 1)
		return;
	if (c->state == CS_BODY)
		client_body(c);
	else if (c->state == CS_HEAD && client_rewatch(c) == -1)
		client_close(c);
}

static int
client_handshake(struct client *c)
{
	int rc;

	rc = gnutls_handshake(c->tls);
	if (rc == GNUTLS_E_SUCCESS) {
		c->handshaking = 0;
		return 1;
	}
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED ||
	    !gnutls_error_is_fatal(rc))
		return client_rewatch(c) == -1 ? -1 : 0;
	log_event(LOG_INFO, "http.tls", "handshake failed: %s",
	    gnutls_strerror(rc));
	return -1;
}

/* Input while nothing is read from it: a request runs or its answer is
 * going out. Keep it (pipelined) within the buffer; a close is noted. */
static void
client_event_busy(struct client *c)
{
	(void)client_fill(c);
	if (client_rewatch(c) == -1) {
		/* never freed here: the pool or the audit writer may hold the
		 * request that runs; the connection ends after its answer */
		c->eof = 1;
		(void)epoll_ctl(c->w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		c->events = 0;
	}
}

static void
client_event_linger(struct client *c)
{
	char	buf[4096];
	ssize_t	n;

	while ((n = client_recv(c, buf, sizeof(buf))) > 0)
		;
	if (n != CLIENT_AGAIN)
		client_close(c);
}

void
client_event(struct client *c, uint32_t events)
{
	int rc;

	if (c->handshaking) {
		if ((rc = client_handshake(c)) == -1)
			client_close(c);
		if (rc != 1)
			return;
		events |= EPOLLIN;	/* TLS may hold the request already */
	}
	switch (c->state) {
	case CS_LINGER:
		client_event_linger(c);
		return;
	case CS_BUSY:
		client_event_busy(c);
		return;
	case CS_SEND:
		if (events & EPOLLOUT && client_out_pending(c)) {
			client_pump(c);
			return;	/* C may be gone */
		}
		client_event_busy(c);
		return;
	case CS_HEAD:
	case CS_BODY:
		if (events & EPOLLOUT && client_out_pending(c) && client_flush(c) == -1) {
			client_close(c);	/* a 100 Continue */
			return;
		}
		if (client_fill(c))
			idle_touch(c, idle_ms(c));
		client_take(c);
		return;
	}
}

/* --- the worker's round ------------------------------------------------- */

void
client_run(struct worker *w)
{
	struct client	*c;
	int64_t		 now;

	while ((c = w->run_head) != NULL) {
		w->run_head = c->rnext;
		if (w->run_head == NULL)
			w->run_tail = NULL;
		c->queued = 0;
		client_answer(c);
	}
	now = now_ms();
	while ((c = w->idle_head) != NULL && c->idle_at <= now)
		client_close(c);	/* silent past its time: no answer */
	accept_resume(w);
}

int
client_timeout(struct worker *w)
{
	int64_t t;

	if (w->run_head != NULL)
		return 0;
	if (w->idle_head == NULL && w->accept_at == 0)
		return -1;
	if (w->idle_head == NULL || (w->accept_at != 0 &&
	    w->accept_at < w->idle_head->idle_at))
		t = w->accept_at - now_ms();
	else
		t = w->idle_head->idle_at - now_ms();
	return t < 0 ? 0 : t > 60000 ? 60000 : (int)t;
}

void
client_quiesce(struct worker *w)
{
	struct client *c, *next;

	w->stopping = 1;
	w->accept_at = 0;
	if (w->listen_fd != -1) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->listen_fd, NULL);
		close(w->listen_fd);
		w->listen_fd = -1;
	}
	for (c = w->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == CS_HEAD && c->in_len == 0)
			client_close(c);	/* idle between requests */
	}
}

void
client_close_all(struct worker *w)
{
	while (w->conns != NULL)
		client_close(w->conns);
}
