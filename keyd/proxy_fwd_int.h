/* Private to proxy_fwd.c (transfers) and proxy_fwd_conn.c (connections).
 *
 * libcurl makes each upstream connection: DNS, TCP, TLS with the
 * upstream's CA, pin and client certificate, each in a multi handle of
 * its own (CURLOPT_CONNECT_ONLY) driven on the worker's epoll set. Once
 * connected, the connection's socket stays in that set for its whole
 * life, and keyd writes its HTTP/1.1 requests and reads the answers
 * through curl_easy_send and curl_easy_recv: no socket is added to or
 * taken from epoll, and no liveness poll is made, per request. An idle
 * connection that turns readable has been closed by the upstream (or
 * sent what it should not) and is dropped. */
#ifndef KEYD_PROXY_FWD_INT_H
#define KEYD_PROXY_FWD_INT_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "keyd/proxy_fwd.h"

#define NS_NEVER	INT64_MAX

/* What an epoll event's data.ptr points at: its first byte says which. */
enum fwd_tag { TAG_CSOCK = 1, TAG_CONN };

struct fwd_conn;
struct fwd_pool;
struct fwd_csock;

struct fwd_loop {
	int		 epfd;
	int64_t		 next_scan;	/* of transfer timeouts */
	int64_t		 next_idle;	/* of idle connections' age */
	struct fwd	*live;		/* transfers in flight */
	size_t		 nlive;
	struct fwd	*notify_head, *notify_tail;
	struct fwd	*kick;		/* to read now: unpaused */
	struct fwd_pool	*pools;		/* idle connections, by upstream */
	size_t		 nidle;
	struct fwd_conn	*connecting;
	struct fwd_conn	*dead;		/* freed after the round */
	struct fwd_csock *dead_socks;
	char		*rbuf;		/* FWD_RBUF bytes to receive into */
};

#define FWD_RBUF	(64 * 1024)

/* --- connections (proxy_fwd_conn.c) ------------------------------------ */

/* A connection to UP for F: one of the loop's idle ones (*REUSED = 1),
 * or, with FRESH or when none is idle, a new one being made (*REUSED =
 * 0), after which fwd_connected(F, …) is called from the loop. 0, or -1
 * with ERR. */
int conn_get(struct fwd_loop *fl, const struct upstream *up, struct fwd *f,
    int fresh, struct fwd_conn **out, int *reused, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Done with C: KEEP puts it back in its pool for the next request, else
 * (or when the pool is full, or its upstream gone) it is closed. */
void conn_release(struct fwd_conn *c, int keep);

/* Send from BUF: the count sent (0: the socket is full), or -1 when the
 * connection failed (ERR says how). */
ssize_t conn_send(struct fwd_conn *c, const char *buf, size_t n, char *err,
    size_t errlen);

/* Receive into BUF: the count, 0 at the upstream's close, FWD_AGAIN when
 * nothing is there, or -1 when the connection failed (ERR says how). */
ssize_t conn_recv(struct fwd_conn *c, char *buf, size_t n, char *err,
    size_t errlen);

/* Nothing is left to read on C, past the answer just read: always so
 * for plain TCP, whose leftover bytes make the idle socket readable
 * (and so dropped); for TLS, whose library may hold them where epoll
 * cannot see, one read is tried. */
int conn_drained(struct fwd_conn *c);

/* Watch C for writing too (the request is not all sent), or stop; and
 * stop watching it at all while its reader is paused, or again. */
void conn_want_write(struct fwd_conn *c, int on);
void conn_pause(struct fwd_conn *c, int on);

/* An epoll event on one of the loop's connections or connecting sockets. */
void conn_event(struct fwd_loop *fl, void *tag, uint32_t events);

/* Milliseconds until conn_timers must run, -1: no need; then run the
 * connecting handles' timers and drop connections idle too long. */
int64_t conn_next_ns(const struct fwd_loop *fl);
void conn_timers(struct fwd_loop *fl, int64_t now);

/* Free what this round closed; close everything (the loop's end). */
void conn_settle(struct fwd_loop *fl);
void conn_close_all(struct fwd_loop *fl);

/* --- transfers (proxy_fwd.c), told by the connections ------------------ */

/* F's new connection is up (ERR NULL), or could not be made (E, ERR). */
void fwd_connected(struct fwd *f, enum fwd_err e, const char *err);

/* F's connection has EVENTS (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP). */
void fwd_io(struct fwd *f, uint32_t events);

#endif
