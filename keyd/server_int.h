/* Private to the listener's files (server*.c): its threads and connections.
 *
 * Model: `workers` event-loop threads (one per CPU by default), each with
 * its own epoll set holding the listening socket (shared, EPOLLEXCLUSIVE),
 * its client connections (keyd's own HTTP/1.1 server side, server_client.c,
 * with GnuTLS for TLS), its upstream connections (keyd/proxy_fwd.h) and a
 * mailbox (an eventfd). A SCIM request is run on its worker from the
 * first byte to the last without blocking: while it waits for the
 * upstream or for its audit record, its connection simply is not read,
 * and the worker serves others. What may block (the OAuth
 * endpoints' store writes and waits on the audit log, fetching an
 * upstream's schemas) runs on a small pool of blocking threads, which
 * post the result back to the worker's mailbox; so does the audit
 * writer, once per committed batch and worker. */
#ifndef KEYD_SERVER_INT_H
#define KEYD_SERVER_INT_H

#include <sys/socket.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "keyd/http_parse.h"
#include "keyd/proxy_fwd_frame.h"

struct keyd;
struct proxy;
struct fwd_loop;
struct worker;
struct server;
struct reqctx;
struct http_req;
struct http_resp;
struct client;

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
	int			 listen_fd;	/* a copy of the server's */
	struct fwd_loop		*fl;
	size_t			 waiting;	/* on the pool or the audit */
	size_t			 inflight;	/* requests begun, not ended */
	size_t			 nconns;	/* open client connections */
	size_t			 max_conns;
	struct client		*conns;		/* all of them */
	struct client		*idle_head, *idle_tail; /* timed, oldest first */
	struct client		*run_head, *run_tail;	/* answers to send */
	int			 stopping;	/* finish, accept no more */
	int64_t			 accept_at;	/* ms: accepting paused until */
	int			 stop;		/* under mail_mu */
	pthread_mutex_t		 mail_mu;
	struct mail		*mail_head, *mail_tail;
	char			 tag_listen, tag_mail;	/* epoll tags */
	time_t			 date_s;		/* DATE is for this second */
	char			 date[40];		/* RFC 9110 IMF-fixdate */
	uint64_t		 requests;		/* request ids */
	unsigned char		 id_prefix[8];
	unsigned char		 id_key[16];		/* crypto_shorthash */
};

#define SERVER_POOL_THREADS	4

struct server {
	struct keyd		*k;
	struct proxy		*proxy;
	gnutls_certificate_credentials_t cred;	/* NULL: plain HTTP */
	gnutls_priority_t	 prio;
	gnutls_datum_t		 ticket_key;	/* session tickets' master key */
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

/* Run W on its own thread once its listening socket is set. 0, or -1. */
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

/* --- server_client.c: a client connection ------------------------------- */

#define CLIENT_TAG	0x5c	/* first byte of a struct client (epoll data.ptr) */

enum conn_state {
	CS_HEAD,	/* waiting for a request's head */
	CS_BODY,	/* … its body */
	CS_BUSY,	/* the request runs: nothing is read */
	CS_SEND,	/* its answer goes out */
	CS_LINGER	/* answered for good: input is dropped until EOF */
};

struct client {
	unsigned char	 tag;		/* CLIENT_TAG */
	struct worker	*w;
	int		 fd;
	gnutls_session_t tls;		/* NULL: plain HTTP */
	int		 handshaking;
	uint32_t	 events;	/* what epoll watches */
	struct client	*prev, *next;	/* the worker's connections */
	struct client	*iprev, *inext;	/* … timed by idleness */
	int		 timed;
	int64_t		 idle_at;	/* ms, keyd_mono_ns() / 1e6 */
	struct client	*rnext;		/* the worker's run queue */
	int		 queued;
	char		*in;		/* read, not yet taken: IN[0..IN_LEN) */
	size_t		 in_len, in_cap, scan;
	enum conn_state	 state;
	struct reqctx	*r;		/* the request being read or answered */
	struct fwd_frame fr;		/* R's body, in CS_BODY */
	int		 keep_alive;	/* the client may send another request */
	int		 head_only;	/* HEAD: an answer without its body */
	char		*out;		/* to send: OUT[out_off..out_len) */
	size_t		 out_len, out_off, out_cap;
	char		*obody;		/* then OBODY[ob_off..ob_len), owned */
	size_t		 ob_len, ob_off;
	size_t		 tls_try;	/* a TLS send to repeat as it was */
	int		 more;		/* request_stream has more */
	int		 eof;		/* the client closed its side */
	int		 unread;	/* refused with input left unread */
	char		 remote[64];	/* the peer's address, for logs */
	int		 peer_family;	/* AF_INET, AF_INET6; 0: unknown */
	unsigned char	 peer[16];	/* … in network order */
};

/* server_client_io.c: C's bytes. CLIENT_AGAIN: nothing to read or room
 * to write now. client_recv: bytes, 0 at the close, CLIENT_AGAIN, -1.
 * client_fill: read what came (and what TLS holds) into the input, 1
 * when something did; a close or an error sets EOF. client_in_take:
 * drop (and wipe) the first N bytes of input. client_flush: send what is
 * queued: 1 all of it, 0 the client is not reading, -1 failed. Between
 * requests client_buffers_trim gives back what a large body or answer
 * grew; client_buffers_free wipes and frees them all. */
#define CLIENT_AGAIN	(-2)
#define CLIENT_IN_MAX	(HTTP_HEAD_MAX + 16 * 1024)
ssize_t client_recv(struct client *c, char *buf, size_t n);
int client_fill(struct client *c);
void client_in_take(struct client *c, size_t n);
int client_flush(struct client *c);
int client_out_pending(const struct client *c);
void client_buffers_trim(struct client *c);
void client_buffers_free(struct client *c);

/* Accept what is waiting on W's listening socket. Out of file
 * descriptors, W stops watching it for a moment instead of spinning. */
void client_accept(struct worker *w);

/* An epoll event on C. */
void client_event(struct client *c, uint32_t events);

/* C's request can be answered, or its streamed answer has more: send
 * it when the round's events are done. From W's thread. */
void client_ready(struct client *c);

/* Run W's queued answers and cut connections idle past their time;
 * then how long epoll may wait for the next deadline (ms, -1: none). */
void client_run(struct worker *w);
int client_timeout(struct worker *w);

/* Stop accepting, close idle connections; the rest close after their
 * answer. Then, at the very end, cut every connection still open. */
void client_quiesce(struct worker *w);
void client_close_all(struct worker *w);

/* For server.c, building an answer: whether C stays open after it;
 * append to what C sends (-1: out of memory); hand over BODY (owned) to
 * follow it. */
int client_keep(const struct client *c);
int client_out(struct client *c, const void *data, size_t n)
	__attribute__((warn_unused_result));
int client_outf(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));
void client_out_body(struct client *c, char *body, size_t len);

/* Append the header line NAME: VALUE (no formatting: the answer's
 * headers are written on every request). -1: out of memory. */
int client_header(struct client *c, const char *name, const char *value)
	__attribute__((warn_unused_result));

/* Room for N more bytes of output (NULL: out of memory), valid until
 * the next client_out*; then, with nothing else queued, send the N bytes
 * at offset OFF of that room. */
char *client_out_space(struct client *c, size_t n);
void client_out_commit(struct client *c, size_t off, size_t n);

/* --- server.c: a request's stages -------------------------------------- */

/* A new request on C from its parsed head H (HEAD owns the bytes H points
 * into: the request takes it). NULL when out of memory. */
struct reqctx *request_new(struct client *c, char *head,
    const struct http_head *h);

/* Body bytes: kept up to max_body, then dropped (the answer is 413);
 * -1 past what keyd will read at all. 1 when the body announced is
 * already known to be too large (answer it at once). */
int request_body(struct reqctx *r, const char *data, size_t n);
int request_too_big(const struct reqctx *r);

/* The request is whole: run it. Its answer comes through client_ready. */
void request_run(struct reqctx *r);

/* Queue R's answer on its connection: 0 when all of it is queued, 1 when
 * request_stream has more, -1 to cut the connection. request_stream:
 * 1 more, 0 the end, 2 waiting for the upstream (client_ready follows),
 * -1 cut. */
int request_answer(struct reqctx *r);
int request_stream(struct reqctx *r);

/* A connection's refusal of what cannot be a request (STATUS, a phrase);
 * and the end of a request, answered or cut. */
void request_refuse(struct client *c, unsigned status, const char *why);
void request_free(struct reqctx **r);

/* server.c, for the loop: connections W still has (open, or with work
 * outstanding), and the end of W's shutdown: requests still waiting
 * on the upstream are let go. */
size_t server_worker_busy(struct worker *w);
void server_worker_abort(struct worker *w);

#endif
