/* Forwarding requests to upstreams with libcurl, without blocking: each
 * worker thread has one fwd_loop, a curl multi handle whose sockets and
 * timer live in that thread's epoll set, and whose connection pool every
 * request of that thread shares. Everything on a fwd_loop and on its
 * transfers happens on that one thread. An answer's body is buffered up
 * to FWD_BUF_MAX and the transfer paused past that, so a large body
 * streams through a bounded buffer. */
#ifndef KEYD_PROXY_FWD_H
#define KEYD_PROXY_FWD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FWD_HDRS_MAX	64	/* response headers kept */
#define FWD_HDR_MAX	8192	/* bytes of one response header line */
#define FWD_HEAD_MAX	65536	/* bytes of all response headers */
#define FWD_AGAIN	(-2)	/* fwd_read: nothing yet, a notify follows */

enum fwd_err {
	FWD_OK = 0,
	FWD_CONNECT,	/* refused, unreachable, DNS, TLS, pin: 502 */
	FWD_TIMEOUT,	/* no answer within the timeout: 504 */
	FWD_PROTOCOL,	/* a malformed or oversize answer: 502 */
	FWD_NOMEM	/* 500 */
};

struct upstream;

/* Where and how to send: URL (the upstream's base, the rest of the path,
 * ?query) and UP, whose TLS settings, timeout and credential apply
 * (keyd/upstream.h). UP must stay referenced until fwd_free. */
struct fwd_target {
	const char		*url;
	const struct upstream	*up;
};

/* The request: METHOD, the headers to send (already filtered: no
 * hop-by-hop, no Authorization, no Host, no Content-Length), and BODY,
 * which must stay valid until fwd_free. */
struct fwd_request {
	const char	*method;
	const char	*const *hdr_name;
	const char	*const *hdr_value;
	size_t		 nhdrs;
	const char	*body;
	size_t		 body_len;
};

struct fwd;
struct fwd_loop;

/* Told that transfer news is there for CLS: see fwd_begin. */
typedef void (*fwd_notify)(void *cls);

/* Call once at start-up, before any loop exists. 0, or -1. */
int fwd_global_init(void);
void fwd_global_cleanup(void);

/* A loop on the calling thread whose sockets go into the epoll set EPFD,
 * each with a data.ptr the caller passes back to fwd_loop_event. 0, or
 * -1. fwd_loop_free ends every transfer still running (a notify follows
 * for none of them) and frees the loop; safe on NULL. */
int fwd_loop_new(int epfd, struct fwd_loop **out)
	__attribute__((warn_unused_result));
void fwd_loop_free(struct fwd_loop **fl);

/* An epoll event whose data.ptr is not the caller's own: it is one of
 * the loop's sockets. May call notifies. */
void fwd_loop_event(struct fwd_loop *fl, void *tag, uint32_t events);

/* Milliseconds until fwd_loop_timers must run (0: now), or -1: no need. */
int fwd_loop_timeout(const struct fwd_loop *fl);

/* Run libcurl's due timers and end transfers past their upstream's
 * timeout; may call notifies. Then, at the end of every round of epoll
 * events, fwd_loop_settle frees what the round left (call it always). */
void fwd_loop_timers(struct fwd_loop *fl);
void fwd_loop_settle(struct fwd_loop *fl);

/* Transfers in flight on FL. */
size_t fwd_loop_live(const struct fwd_loop *fl);

/* Start sending REQ to T on FL. On FWD_OK *OUT holds the transfer, and
 * NOTIFY(CLS) is called, on the loop's thread and never from inside a
 * fwd_* call of the caller's, once the answer's status and headers are
 * in or the transfer failed (fwd_head tells which); later, each time
 * fwd_read has returned FWD_AGAIN, once there is more to read. The
 * upstream's timeout counts the time keyd waits for it, not the time a
 * slow client takes to read. Else ERR says why (no secret in it). */
enum fwd_err fwd_begin(struct fwd_loop *fl, const struct fwd_target *t,
    const struct fwd_request *req, fwd_notify notify, void *cls,
    struct fwd **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* After the first notify: FWD_OK when the status and headers are in, or
 * why the transfer failed (ERR says more). *UPSTREAM_US is the time from
 * fwd_begin to then. */
enum fwd_err fwd_head(const struct fwd *f, long *upstream_us, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* The answer's status, and its end-to-end headers (hop-by-hop ones and
 * Content-Length are dropped). Valid until fwd_free. */
int fwd_status(const struct fwd *f);
size_t fwd_header_count(const struct fwd *f);
void fwd_header(const struct fwd *f, size_t i, const char **name,
    const char **value);

/* The answer's Content-Length, or -1 when it sent none (or encoded the
 * body in chunks). */
int64_t fwd_content_length(const struct fwd *f);

/* The whole body, when the transfer has ended well and nothing of it was
 * read: 1 with *BUF (malloc'd, the caller frees; *LEN bytes), else 0. */
int fwd_body_take(struct fwd *f, char **buf, size_t *len);

/* Up to MAX bytes of the body into BUF: the count, 0 at its end, -1 when
 * the transfer failed or timed out midway, or FWD_AGAIN when nothing is
 * there yet (a notify follows when there is). */
ssize_t fwd_read(struct fwd *f, char *buf, size_t max);

/* End the transfer (a connection still in use is closed, a finished one
 * stays in the loop's pool) and free *F; no notify follows. Safe on
 * NULL. */
void fwd_free(struct fwd **f);

/* "connection refused", for logs and error details. */
const char *fwd_strerror(enum fwd_err e);

#endif
