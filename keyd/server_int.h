/* Private to server.c and server_loop.c: the listener's threads.
 *
 * Model: `workers` event-loop threads (one per CPU by default), each with
 * its own epoll set holding its libmicrohttpd daemon (external epoll
 * mode, all daemons on one listening socket), its libcurl multi handle
 * (keyd/proxy_fwd.h) and a mailbox (an eventfd). A SCIM request is run on
 * its worker from the first byte to the last without blocking: while it
 * waits for the upstream or for its audit record, its connection is
 * suspended and the worker serves others. What may block (the OAuth
 * endpoints' store writes and waits on the audit log, fetching an
 * upstream's schemas) runs on a small pool of blocking threads, which
 * post the result back to the worker's mailbox; so does the audit
 * writer, once per committed batch and worker. */
#ifndef KEYD_SERVER_INT_H
#define KEYD_SERVER_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

struct keyd;
struct proxy;
struct fwd_loop;
struct worker;
struct server;
struct reqctx;
struct http_req;
struct http_resp;

/* A message to a worker, run on its thread by FN. */
struct mail {
	struct mail	*next;
	void		(*fn)(struct worker *w, struct mail *m);
	int		 val;
};

/* Work for the blocking pool: RUN owns J from then on. */
struct job {
	struct job	*next;
	void		(*run)(struct server *s, struct job *j);
};

struct worker {
	struct server		*s;
	size_t			 id;
	pthread_t		 thread;
	int			 running;
	int			 epfd;
	int			 mailfd;	/* eventfd */
	struct MHD_Daemon	*mhd;
	struct fwd_loop		*fl;
	int			 resumed;	/* MHD_run soon */
	size_t			 waiting;	/* on the pool or the audit */
	size_t			 inflight;	/* requests begun, not ended */
	struct reqctx		*susp;		/* suspended connections */
	int			 stop;		/* under mail_mu */
	pthread_mutex_t		 mail_mu;
	struct mail		*mail_head, *mail_tail;
	char			 tag_mhd, tag_mail;	/* epoll tags */
	uint64_t		 requests;		/* request ids */
	unsigned char		 id_prefix[8];
	unsigned char		 id_key[16];		/* crypto_shorthash */
};

#define SERVER_POOL_THREADS	4

struct server {
	struct keyd		*k;
	struct proxy		*proxy;
	char			*cert_pem;
	char			*key_pem;	/* sodium_malloc'd */
	int			 listen_fd;
	int			 grace_ms;
	struct worker		*w;
	size_t			 nw;
	pthread_t		 pool[SERVER_POOL_THREADS];
	size_t			 npool;
	pthread_mutex_t		 pool_mu;
	pthread_cond_t		 pool_cv;
	struct job		*jobs_head, *jobs_tail;
	int			 pool_stop;
};

/* server_loop.c */

/* W's epoll set, mailbox and libcurl loop. 0, or -1 with ERR. */
int worker_init(struct server *s, struct worker *w, size_t id, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Run W on its own thread once W->mhd is set. 0, or -1. */
int worker_start(struct worker *w) __attribute__((warn_unused_result));

/* Ask W to stop accepting, finish what is in flight (at most the
 * server's grace), and end; worker_join waits for that, then frees what
 * worker_init made. Safe on a worker never started. */
void worker_stop(struct worker *w);
void worker_join(struct worker *w);

/* Post M to W: FN runs on W's thread soon. From any thread. */
void worker_post(struct worker *w, struct mail *m);

/* The blocking pool: start, queue J (from any thread), stop (runs what
 * is queued first). */
int pool_start(struct server *s) __attribute__((warn_unused_result));
void pool_submit(struct server *s, struct job *j);
void pool_stop(struct server *s);

/* server_route.c: everything but the SCIM proxy. */
struct route_state {
	int	uri_too_long;
	int	too_big;	/* the body was past keyd.conf's max_body */
};

/* Answer REQ into RESP: 413, 414, the OAuth endpoints, /healthz, /metrics, 404 or
 * 405 (ALLOW gets the methods the path takes). May block, except for
 * GET /healthz and GET /metrics. */
void server_route(struct server *s, const struct http_req *req,
    const struct route_state *rs, char *allow, size_t allowlen,
    struct http_resp *resp);

/* 1 when PATH is under /scim/v2/, the proxy's. */
int server_path_scim(const char *path);

/* server.c: libmicrohttpd's callbacks (their CLS is the worker). */
void *server_on_uri(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result server_on_request(void *cls, struct MHD_Connection *c,
    const char *url, const char *method, const char *version,
    const char *data, size_t *data_size, void **con_cls);
void server_on_completed(void *cls, struct MHD_Connection *c,
    void **con_cls, enum MHD_RequestTerminationCode toe);

/* server.c, for the loop: connections W still has (open, or with work
 * outstanding), and the end of W's shutdown: connections still waiting
 * on the upstream are let go. */
size_t server_worker_busy(struct worker *w);
void server_worker_abort(struct worker *w);

#endif
