/* Upstream connections for the forwarder (keyd/proxy_fwd_int.h has the
 * model): made by libcurl, one multi handle each, on the worker's epoll
 * set; kept idle per upstream entry and reused; dropped when the
 * upstream closes them, when they have been idle too long, or when their
 * upstream entry is gone. */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "keyd/keyd.h"
#include "keyd/proxy_fwd_int.h"
#include "keyd/upstream.h"

#define POOL_MAX	256		/* idle connections per upstream */
#define LOOP_IDLE_MAX	1024		/* idle connections per loop */
#define IDLE_NS		(60 * 1000000000LL)	/* dropped past this */
#define IDLE_SCAN_NS	(1000000000LL)

/* A socket libcurl watches while it connects. */
struct fwd_csock {
	unsigned char	  kind;		/* TAG_CSOCK */
	struct fwd_conn	 *c;
	curl_socket_t	  fd;
	int		  dead;
	struct fwd_csock *next;		/* the connection's, or dead */
};

struct fwd_pool {
	uint64_t	 generation;	/* of its upstream entry */
	struct fwd_conn	*idle;		/* the last used first */
	size_t		 n;
	struct fwd_pool	*next;
};

struct fwd_conn {
	unsigned char	  kind;		/* TAG_CONN */
	struct fwd_loop	 *fl;
	uint64_t	  generation;
	CURLM		 *m;
	CURL		 *e;
	curl_socket_t	  fd;		/* once connected */
	int		  connected;
	int		  tls;
	int		  in_epoll;
	int		  want_write, paused;
	int64_t		  timer_at;	/* libcurl's, while connecting */
	int64_t		  idle_since;
	struct fwd	 *f;		/* the transfer it serves */
	struct fwd_pool	 *pool;		/* while idle */
	struct fwd_csock *socks;	/* while connecting */
	struct fwd_conn	 *prev, *next;	/* the pool's idle or the connecting */
	int		  dead;
	struct fwd_conn	 *next_dead;
	char		  errbuf[CURL_ERROR_SIZE];
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

/* DNS answers and TLS sessions are shared by every loop. */
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

/* --- the epoll set ------------------------------------------------------ */

static int
epoll_set(int epfd, int fd, uint32_t events, void *tag)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = tag;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

static uint32_t
conn_events(const struct fwd_conn *c)
{
	return EPOLLIN | (c->want_write ? EPOLLOUT : 0);
}

static void
conn_watch(struct fwd_conn *c)
{
	struct epoll_event ev;

	if (!c->connected || c->paused || c->dead)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = conn_events(c);
	ev.data.ptr = c;
	if (c->in_epoll)
		epoll_ctl(c->fl->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	else if (epoll_set(c->fl->epfd, c->fd, ev.events, c) == 0)
		c->in_epoll = 1;
}

static void
conn_unwatch(struct fwd_conn *c)
{
	if (c->in_epoll)
		epoll_ctl(c->fl->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	c->in_epoll = 0;
}

/* --- lists -------------------------------------------------------------- */

static void
connecting_unlink(struct fwd_conn *c)
{
	struct fwd_loop *fl = c->fl;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else if (fl->connecting == c)
		fl->connecting = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

static void
pool_unlink(struct fwd_conn *c)
{
	struct fwd_pool *p = c->pool;

	if (p == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		p->idle = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	c->pool = NULL;
	p->n--;
	c->fl->nidle--;
}

static struct fwd_pool *
pool_find(struct fwd_loop *fl, uint64_t generation, int make)
{
	struct fwd_pool *p;

	for (p = fl->pools; p != NULL; p = p->next)
		if (p->generation == generation)
			return p;
	if (!make || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->generation = generation;
	p->next = fl->pools;
	fl->pools = p;
	return p;
}

/* --- closing ------------------------------------------------------------ */

static void
socks_drop(struct fwd_conn *c)
{
	struct fwd_csock *s;

	while ((s = c->socks) != NULL) {
		c->socks = s->next;
		if (!c->connected || s->fd != c->fd)
			epoll_ctl(c->fl->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		curl_multi_assign(c->m, s->fd, NULL);
		s->dead = 1;
		s->next = c->fl->dead_socks;
		c->fl->dead_socks = s;
	}
}

static void
conn_close(struct fwd_conn *c)
{
	struct fwd_loop *fl = c->fl;

	if (c->dead)
		return;
	c->dead = 1;
	if (c->pool != NULL)
		pool_unlink(c);
	else if (!c->connected)
		connecting_unlink(c);
	conn_unwatch(c);
	socks_drop(c);
	if (c->m != NULL && c->e != NULL)
		curl_multi_remove_handle(c->m, c->e);
	if (c->e != NULL)
		curl_easy_cleanup(c->e);
	if (c->m != NULL)
		curl_multi_cleanup(c->m);	/* closes the connection */
	c->e = NULL;
	c->m = NULL;
	c->next_dead = fl->dead;
	fl->dead = c;	/* an event of this round may still name it */
}

/* --- connecting: libcurl's sockets and timer ---------------------------- */

static int
on_csock(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct fwd_conn		*c = userp;
	struct fwd_csock	*s = socketp, **pp;
	uint32_t		 ev;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s == NULL)
			return 0;
		if (!c->connected)
			epoll_ctl(c->fl->epfd, EPOLL_CTL_DEL, fd, NULL);
		curl_multi_assign(c->m, fd, NULL);
		for (pp = &c->socks; *pp != NULL; pp = &(*pp)->next)
			if (*pp == s) {
				*pp = s->next;
				break;
			}
		s->dead = 1;
		s->next = c->fl->dead_socks;
		c->fl->dead_socks = s;
		return 0;
	}
	ev = (what & CURL_POLL_IN ? EPOLLIN : 0) |
	    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->kind = TAG_CSOCK;
		s->c = c;
		s->fd = fd;
		s->next = c->socks;
		c->socks = s;
		curl_multi_assign(c->m, fd, s);
	}
	return epoll_set(c->fl->epfd, fd, ev, s) == 0 ? 0 : -1;
}

static int
on_ctimer(CURLM *m, long ms, void *userp)
{
	struct fwd_conn *c = userp;

	(void)m;
	c->timer_at = ms < 0 ? NS_NEVER : keyd_mono_ns() + (int64_t)ms * 1000000;
	return 0;
}

static void
connect_failed(struct fwd_conn *c, CURLcode rc)
{
	struct fwd	*f = c->f;
	char		 err[CURL_ERROR_SIZE];

	snprintf(err, sizeof(err), "%s", c->errbuf[0] != '\0' ? c->errbuf :
	    curl_easy_strerror(rc));
	c->f = NULL;
	conn_close(c);
	if (f != NULL)
		fwd_connected(f, rc == CURLE_OPERATION_TIMEDOUT ? FWD_TIMEOUT :
		    FWD_CONNECT, err);
}

/* libcurl is done connecting C, one way or the other. */
static void
connect_done(struct fwd_conn *c, CURLcode rc)
{
	curl_socket_t fd = CURL_SOCKET_BAD;

	if (rc == CURLE_OK && (curl_easy_getinfo(c->e, CURLINFO_ACTIVESOCKET,
	    &fd) != CURLE_OK || fd == CURL_SOCKET_BAD))
		rc = CURLE_COULDNT_CONNECT;
	if (rc != CURLE_OK) {
		connect_failed(c, rc);
		return;
	}
	connecting_unlink(c);
	c->connected = 1;
	c->fd = fd;
	c->timer_at = NS_NEVER;
	socks_drop(c);
	conn_watch(c);
	if (!c->in_epoll) {
		connect_failed(c, CURLE_OUT_OF_MEMORY);
		return;
	}
	if (c->f != NULL)
		fwd_connected(c->f, FWD_OK, NULL);
	else
		conn_close(c);
}

static void
connect_drive(struct fwd_conn *c, curl_socket_t fd, int flags)
{
	CURLMsg	*msg;
	int	 running, left;

	curl_multi_socket_action(c->m, fd, flags, &running);
	while (!c->dead && (msg = curl_multi_info_read(c->m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE) {
			connect_done(c, msg->data.result);
			return;
		}
}

static int
conn_new(struct fwd_loop *fl, const struct upstream *up, struct fwd *f,
    struct fwd_conn **out, char *err, size_t errlen)
{
	struct fwd_conn	*c;
	CURL		*e;
	int		 bad = 0;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	c->kind = TAG_CONN;
	c->fl = fl;
	c->generation = up->generation;
	c->tls = upstream_url_is_https(up->url);
	c->fd = CURL_SOCKET_BAD;
	c->timer_at = NS_NEVER;
	c->f = f;
	if ((c->m = curl_multi_init()) == NULL ||
	    (c->e = e = curl_easy_init()) == NULL) {
		curl_multi_cleanup(c->m);
		free(c);
		goto nomem;
	}
	bad |= curl_multi_setopt(c->m, CURLMOPT_SOCKETFUNCTION, on_csock);
	bad |= curl_multi_setopt(c->m, CURLMOPT_SOCKETDATA, c);
	bad |= curl_multi_setopt(c->m, CURLMOPT_TIMERFUNCTION, on_ctimer);
	bad |= curl_multi_setopt(c->m, CURLMOPT_TIMERDATA, c);
	bad |= curl_easy_setopt(e, CURLOPT_URL, up->url);
	bad |= curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_SHARE, fwd_share);
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	bad |= curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	/* ALPN offers http/1.1 alone: keyd speaks nothing else on it. */
	bad |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
	    CURL_HTTP_VERSION_1_1);
	if (bad || upstream_curl_connect_apply(e, up, err, errlen) == -1 ||
	    curl_multi_add_handle(c->m, e) != CURLM_OK) {
		if (bad)
			snprintf(err, errlen, "libcurl refused a setting");
		curl_easy_cleanup(e);
		curl_multi_cleanup(c->m);
		free(c);
		return -1;
	}
	c->next = fl->connecting;
	if (fl->connecting != NULL)
		fl->connecting->prev = c;
	fl->connecting = c;
	*out = c;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* --- what the transfers use --------------------------------------------- */

int
conn_get(struct fwd_loop *fl, const struct upstream *up, struct fwd *f,
    int fresh, struct fwd_conn **out, int *reused, char *err, size_t errlen)
{
	struct fwd_pool *p;
	struct fwd_conn *c;

	*out = NULL;
	*reused = 0;
	if (!fresh && (p = pool_find(fl, up->generation, 0)) != NULL &&
	    (c = p->idle) != NULL) {
		pool_unlink(c);
		c->f = f;
		*out = c;
		*reused = 1;
		return 0;
	}
	return conn_new(fl, up, f, out, err, errlen);
}

void
conn_release(struct fwd_conn *c, int keep)
{
	struct fwd_loop	*fl = c->fl;
	struct fwd_pool	*p;

	c->f = NULL;
	if (c->dead)
		return;
	if (!keep || !c->connected || c->paused ||
	    fl->nidle >= LOOP_IDLE_MAX ||
	    (p = pool_find(fl, c->generation, 1)) == NULL || p->n >= POOL_MAX) {
		conn_close(c);
		return;
	}
	conn_want_write(c, 0);
	c->pool = p;
	c->prev = NULL;
	c->next = p->idle;
	if (p->idle != NULL)
		p->idle->prev = c;
	p->idle = c;
	p->n++;
	c->idle_since = keyd_mono_ns();
	if (fl->nidle++ == 0)
		fl->next_idle = c->idle_since + IDLE_SCAN_NS;
}

/* Plain HTTP goes straight to the socket: libcurl's send and recv only
 * add a layer there. TLS goes through libcurl, which holds the session. */
ssize_t
conn_send(struct fwd_conn *c, const char *buf, size_t n, char *err,
    size_t errlen)
{
	CURLcode	rc;
	size_t		sent = 0;
	ssize_t		r;

	if (!c->tls) {
		while ((r = send(c->fd, buf, n, MSG_NOSIGNAL)) == -1 &&
		    errno == EINTR)
			;
		if (r >= 0)
			return r;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		snprintf(err, errlen, "send to the upstream: %s",
		    strerror(errno));
		return -1;
	}
	rc = curl_easy_send(c->e, buf, n, &sent);
	if (rc == CURLE_OK)
		return (ssize_t)sent;
	if (rc == CURLE_AGAIN)
		return 0;
	snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	return -1;
}

ssize_t
conn_recv(struct fwd_conn *c, char *buf, size_t n, char *err, size_t errlen)
{
	CURLcode	rc;
	size_t		got = 0;
	ssize_t		r;

	if (!c->tls) {
		while ((r = recv(c->fd, buf, n, 0)) == -1 && errno == EINTR)
			;
		if (r >= 0)
			return r;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return FWD_AGAIN;
		snprintf(err, errlen, "recv from the upstream: %s",
		    strerror(errno));
		return -1;
	}
	rc = curl_easy_recv(c->e, buf, n, &got);
	if (rc == CURLE_OK)
		return (ssize_t)got;
	if (rc == CURLE_AGAIN)
		return FWD_AGAIN;
	snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	return -1;
}

int
conn_drained(struct fwd_conn *c)
{
	char	b[1], err[8];

	return !c->tls || conn_recv(c, b, sizeof(b), err, sizeof(err)) ==
	    FWD_AGAIN;
}

void
conn_want_write(struct fwd_conn *c, int on)
{
	if (c->want_write == on)
		return;
	c->want_write = on;
	conn_watch(c);
}

void
conn_pause(struct fwd_conn *c, int on)
{
	if (c->paused == on)
		return;
	c->paused = on;
	/* Out of the set, not merely without EPOLLIN: a hang-up cannot be
	 * masked, and would wake the loop for nothing until resumed. */
	if (on)
		conn_unwatch(c);
	else
		conn_watch(c);
}

void
conn_event(struct fwd_loop *fl, void *tag, uint32_t events)
{
	struct fwd_csock	*s;
	struct fwd_conn		*c;
	int			 flags = 0;

	(void)fl;
	if (*(unsigned char *)tag == TAG_CSOCK) {
		s = tag;
		if (s->dead || s->c->dead)
			return;
		if (events & EPOLLIN)
			flags |= CURL_CSELECT_IN;
		if (events & EPOLLOUT)
			flags |= CURL_CSELECT_OUT;
		if (events & (EPOLLERR | EPOLLHUP))
			flags |= CURL_CSELECT_ERR;
		connect_drive(s->c, s->fd, flags);
		return;
	}
	c = tag;
	if (c->dead)
		return;
	if (c->f != NULL)
		fwd_io(c->f, events);
	else
		conn_close(c);	/* idle: closed, or sent what none asked */
}

int64_t
conn_next_ns(const struct fwd_loop *fl)
{
	const struct fwd_conn	*c;
	int64_t			 at = fl->nidle > 0 ? fl->next_idle : NS_NEVER;

	for (c = fl->connecting; c != NULL; c = c->next)
		if (c->timer_at < at)
			at = c->timer_at;
	return at;
}

static void
idle_scan(struct fwd_loop *fl, int64_t now)
{
	struct fwd_pool	*p, **pp;
	struct fwd_conn	*c, *next;

	for (pp = &fl->pools; (p = *pp) != NULL;) {
		for (c = p->idle; c != NULL; c = next) {
			next = c->next;
			if (now - c->idle_since > IDLE_NS)
				conn_close(c);
		}
		if (p->n == 0) {
			*pp = p->next;
			free(p);
		} else
			pp = &p->next;
	}
	fl->next_idle = fl->nidle > 0 ? now + IDLE_SCAN_NS : NS_NEVER;
}

void
conn_timers(struct fwd_loop *fl, int64_t now)
{
	struct fwd_conn *c, *next;

	/* Only C can leave the list while C is driven; a connection made
	 * meanwhile (a retry) goes in at its head. */
	for (c = fl->connecting; c != NULL; c = next) {
		next = c->next;
		if (c->timer_at > now)
			continue;
		c->timer_at = NS_NEVER;
		connect_drive(c, CURL_SOCKET_TIMEOUT, 0);
	}
	if (fl->nidle > 0 && fl->next_idle <= now)
		idle_scan(fl, now);
}

void
conn_settle(struct fwd_loop *fl)
{
	struct fwd_conn		*c;
	struct fwd_csock	*s;

	while ((c = fl->dead) != NULL) {
		fl->dead = c->next_dead;
		free(c);
	}
	while ((s = fl->dead_socks) != NULL) {
		fl->dead_socks = s->next;
		free(s);
	}
}

void
conn_close_all(struct fwd_loop *fl)
{
	struct fwd_pool *p;

	while (fl->connecting != NULL)
		conn_close(fl->connecting);
	for (p = fl->pools; p != NULL; p = p->next)
		while (p->idle != NULL)
			conn_close(p->idle);
	while ((p = fl->pools) != NULL) {
		fl->pools = p->next;
		free(p);
	}
	conn_settle(fl);
}
