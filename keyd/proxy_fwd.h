/* Forwarding one request to an upstream with libcurl, and streaming its
 * answer back. Blocking: the caller's thread drives the transfer. The
 * connection pool, DNS cache and TLS sessions are shared by every thread,
 * so a keep-alive connection to an upstream serves whichever thread asks
 * next. */
#ifndef KEYD_PROXY_FWD_H
#define KEYD_PROXY_FWD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FWD_HDRS_MAX	64	/* response headers kept */
#define FWD_HDR_MAX	8192	/* bytes of one response header line */
#define FWD_HEAD_MAX	65536	/* bytes of all response headers */

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
 * (keyd/upstream.h). UP stays referenced until fwd_free. */
struct fwd_target {
	const char		*url;
	const struct upstream	*up;
};

/* The request: METHOD, the headers to send (already filtered: no
 * hop-by-hop, no Authorization, no Host, no Content-Length), and BODY. */
struct fwd_request {
	const char	*method;
	const char	*const *hdr_name;
	const char	*const *hdr_value;
	size_t		 nhdrs;
	const char	*body;
	size_t		 body_len;
};

struct fwd;

/* Call once at start-up, before any thread forwards. 0, or -1. */
int fwd_global_init(void);
void fwd_global_cleanup(void);

/* Send REQ to T and wait for the answer's status and headers. On FWD_OK
 * *OUT holds the transfer: read its status, headers and body, then
 * fwd_free it. On error ERR says why (no secret in it) and *OUT is NULL.
 * *UPSTREAM_US is the time to the answer's headers. */
enum fwd_err fwd_start(const struct fwd_target *t, const struct fwd_request *req,
    struct fwd **out, long *upstream_us, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The answer's status, and its end-to-end headers (hop-by-hop ones and
 * Content-Length are dropped). Valid until fwd_free. */
int fwd_status(const struct fwd *f);
size_t fwd_header_count(const struct fwd *f);
void fwd_header(const struct fwd *f, size_t i, const char **name,
    const char **value);

/* The answer's Content-Length, or -1 when it sent none (or encoded the
 * body in chunks). */
int64_t fwd_content_length(const struct fwd *f);

/* Read up to MAX bytes of the answer's body into BUF, waiting for them.
 * Returns the count, 0 at the end, -1 when the transfer failed or timed
 * out mid-body. */
ssize_t fwd_read(struct fwd *f, char *buf, size_t max);

/* End the transfer (a connection still in use is closed, a finished one
 * goes back to the pool) and free F. Safe on NULL. */
void fwd_free(struct fwd **f);

/* "connection refused", for logs and error details. */
const char *fwd_strerror(enum fwd_err e);

#endif
