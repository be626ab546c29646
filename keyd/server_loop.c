/* The listener's threads (keyd/server_int.h has the model): each
 * worker's event loop, the mailboxes that bring work back to a worker,
 * and the pool of threads that may block. */
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/proxy_fwd.h"
#include "keyd/server_int.h"

#define EVENTS_MAX	64
#define STOP_POLL_MS	20

static int
epoll_add(int epfd, int fd, void *tag)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = tag;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int
worker_init(struct server *s, struct worker *w, size_t id, char *err,
    size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->id = id;
	w->epfd = w->mailfd = w->listen_fd = -1;
	pthread_mutex_init(&w->mail_mu, NULL);
	randombytes_buf(w->id_prefix, sizeof(w->id_prefix));
	randombytes_buf(w->id_key, sizeof(w->id_key));
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->mailfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    epoll_add(w->epfd, w->mailfd, &w->tag_mail) == -1) {
		snprintf(err, errlen, "cannot set up worker %zu: %s", id,
		    strerror(errno));
		return -1;
	}
	if (fwd_loop_new(w->epfd, &w->fl) == -1) {
		snprintf(err, errlen, "cannot set up worker %zu: libcurl", id);
		return -1;
	}
	return 0;
}

void
worker_post(struct worker *w, struct mail *m)
{
	uint64_t	one = 1;
	int		wake;

	m->next = NULL;
	pthread_mutex_lock(&w->mail_mu);
	wake = w->mail_head == NULL;
	if (w->mail_tail != NULL)
		w->mail_tail->next = m;
	else
		w->mail_head = m;
	w->mail_tail = m;
	pthread_mutex_unlock(&w->mail_mu);
	/* One wake-up per batch: the worker takes the whole list. */
	if (wake && write(w->mailfd, &one, sizeof(one)) == -1 &&
	    errno != EAGAIN)
		log_event(LOG_ERROR, "server.mailbox", "cannot wake worker "
		    "%zu: %s", w->id, strerror(errno));
}

static void
mail_drain(struct worker *w)
{
	struct mail	*m, *next;
	uint64_t	 n;

	if (read(w->mailfd, &n, sizeof(n)) == -1 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&w->mail_mu);
	m = w->mail_head;
	w->mail_head = w->mail_tail = NULL;
	pthread_mutex_unlock(&w->mail_mu);
	for (; m != NULL; m = next) {
		next = m->next;
		m->fn(w, m);
	}
}

/* How long epoll may wait: the connections' and the upstreams' timers,
 * and while stopping, a short poll of the drain. */
static int
worker_timeout(struct worker *w, int stopping)
{
	int t = fwd_loop_timeout(w->fl), ct = client_timeout(w);

	if (ct >= 0 && (t < 0 || ct < t))
		t = ct;
	if (stopping && (t < 0 || t > STOP_POLL_MS))
		t = STOP_POLL_MS;
	return t;
}

static int
worker_stopping(struct worker *w)
{
	int stop;

	pthread_mutex_lock(&w->mail_mu);
	stop = w->stop;
	pthread_mutex_unlock(&w->mail_mu);
	return stop;
}

static void
worker_round(struct worker *w, int timeout)
{
	struct epoll_event	 ev[EVENTS_MAX];
	void			*tag;
	int			 i, n;

	n = epoll_wait(w->epfd, ev, EVENTS_MAX, timeout);
	for (i = 0; i < n; i++) {
		tag = ev[i].data.ptr;
		if (tag == &w->tag_listen)
			client_accept(w);
		else if (tag == &w->tag_mail)
			mail_drain(w);
		else if (*(unsigned char *)tag == CLIENT_TAG)
			client_event(tag, ev[i].events);
		else
			fwd_loop_event(w->fl, tag, ev[i].events);
	}
	fwd_loop_timers(w->fl);
	/* answers to send, idle connections to cut */
	client_run(w);
	fwd_loop_settle(w->fl);
	log_flush();	/* the round's lines, before the loop may wait */
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	int64_t		 deadline = 0;
	int		 stopping = 0;
	char		 name[16];

	/* top -H and perf tell the threads apart by name */
	snprintf(name, sizeof(name), "keyd-worker%zu", w->id);
	(void)pthread_setname_np(pthread_self(), name);
	log_hold();
	for (;;) {
		worker_round(w, worker_timeout(w, stopping));
		if (!stopping && worker_stopping(w)) {
			stopping = 1;
			deadline = keyd_mono_ns() / 1000000 + w->s->grace_ms;
			client_quiesce(w);
		}
		if (!stopping)
			continue;
		if (server_worker_busy(w) == 0)
			break;
		/* Past the grace, only what another thread still holds
		 * (the pool, the audit writer) is waited for. */
		if (keyd_mono_ns() / 1000000 >= deadline && w->waiting == 0)
			break;
	}
	server_worker_abort(w);
	log_flush();
	return NULL;
}

int
worker_start(struct worker *w)
{
	struct epoll_event ev;

	/* one worker woken per new connection, not all of them */
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = &w->tag_listen;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->listen_fd, &ev) == -1)
		return -1;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return -1;
	w->running = 1;
	return 0;
}

void
worker_stop(struct worker *w)
{
	uint64_t one = 1;

	pthread_mutex_lock(&w->mail_mu);
	w->stop = 1;
	pthread_mutex_unlock(&w->mail_mu);
	if (w->mailfd != -1 && write(w->mailfd, &one, sizeof(one)) == -1)
		(void)0;	/* it polls while stopping anyway */
}

void
worker_join(struct worker *w)
{
	if (w->running)
		pthread_join(w->thread, NULL);
	w->running = 0;
	client_close_all(w);
	if (w->listen_fd != -1)
		close(w->listen_fd);
	w->listen_fd = -1;
	fwd_loop_free(&w->fl);
	if (w->mailfd != -1)
		close(w->mailfd);
	if (w->epfd != -1)
		close(w->epfd);
	w->mailfd = w->epfd = -1;
	pthread_mutex_destroy(&w->mail_mu);
}

/* --- the blocking pool -------------------------------------------------- */

static void *
pool_main(void *arg)
{
	struct server	*s = arg;
	struct job	*j;

	(void)pthread_setname_np(pthread_self(), "keyd-pool");
	pthread_mutex_lock(&s->pool_mu);
	for (;;) {
		while (s->jobs_head == NULL && !s->pool_stop)
			pthread_cond_wait(&s->pool_cv, &s->pool_mu);
		if ((j = s->jobs_head) == NULL)
			break;
		s->jobs_head = j->next;
		if (s->jobs_head == NULL)
			s->jobs_tail = NULL;
		pthread_mutex_unlock(&s->pool_mu);
		j->run(s, j);
		pthread_mutex_lock(&s->pool_mu);
	}
	pthread_mutex_unlock(&s->pool_mu);
	return NULL;
}

int
pool_start(struct server *s)
{
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_cond_init(&s->pool_cv, NULL);
	for (s->npool = 0; s->npool < SERVER_POOL_THREADS; s->npool++)
		if (pthread_create(&s->pool[s->npool], NULL, pool_main, s) != 0)
			return -1;
	return 0;
}

void
pool_submit(struct server *s, struct job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&s->pool_mu);
	if (s->jobs_tail != NULL)
		s->jobs_tail->next = j;
	else
		s->jobs_head = j;
	s->jobs_tail = j;
	pthread_cond_signal(&s->pool_cv);
	pthread_mutex_unlock(&s->pool_mu);
}

void
pool_stop(struct server *s)
{
	size_t i;

	if (s->npool == 0)
		return;
	pthread_mutex_lock(&s->pool_mu);
	s->pool_stop = 1;
	pthread_cond_broadcast(&s->pool_cv);
	pthread_mutex_unlock(&s->pool_mu);
	for (i = 0; i < s->npool; i++)
		pthread_join(s->pool[i], NULL);
	s->npool = 0;
	pthread_mutex_destroy(&s->pool_mu);
	pthread_cond_destroy(&s->pool_cv);
}
