/* An HTTP/1.1 request head as a client sends it to keyd (RFC 9112 §2-§7):
 * where it ends in the bytes read so far, and what it says. Pure: no I/O,
 * no allocation. Strict, because keyd sits in front of other servers: a
 * head that could be framed two ways (request smuggling) is refused, not
 * guessed at. */
#ifndef KEYD_HTTP_PARSE_H
#define KEYD_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "keyd/http.h"

#define HTTP_HEAD_MAX		(32 * 1024)	/* bytes of a request head, blank line included */
#define HTTP_REQLINE_MAX	(HTTP_URI_MAX + 64)	/* bytes of the request line, CRLF excluded */
#define HTTP_FIELD_LINE_MAX	8192	/* bytes of a header line, CRLF excluded */
#define HTTP_LEAD_MAX		8	/* empty lines skipped before the request line */
#define HTTP_METHOD_MAX		32	/* bytes of a method */

enum http_parse_rc {
	HTTP_PARSE_OK = 0,	/* H is filled in */
	HTTP_PARSE_MORE,	/* the head is not complete yet: read more */
	HTTP_PARSE_BAD,		/* 400: malformed */
	HTTP_PARSE_URI_LONG,	/* 414: the request line is past its bound */
	HTTP_PARSE_TOO_LARGE,	/* 431: the head or a header line is past its bound, or more than HTTP_HDRS_MAX headers */
	HTTP_PARSE_VERSION,	/* 505: a well-formed HTTP-version other than 1.0 and 1.1 */
	HTTP_PARSE_CODING	/* 501: a transfer coding keyd does not know */
};

struct http_head {
	const char	*method;	/* NUL-terminated, in BUF */
	const char	*target;	/* the request-target as sent, NUL-terminated, in BUF; of an absolute-form target, its path and query */
	size_t		 target_len;
	int		 minor;		/* HTTP/1.MINOR: 0 or 1 */
	struct http_hdrs hdrs;		/* every header line in order, names and values NUL-terminated in BUF, values trimmed of OWS */
	int64_t		 clen;		/* Content-Length, -1: none */
	int		 chunked;	/* Transfer-Encoding: chunked */
	int		 keep_alive;	/* the connection may carry another request after this one */
	int		 expect_continue;	/* Expect: 100-continue (HTTP/1.1 only) */
	const char	*authority;	/* of an absolute-form target, or NULL */
	const char	*host;		/* the authority of an absolute-form target, else the Host header's value, or NULL */
	size_t		 len;		/* bytes of the head in BUF, the blank line included (leading empty lines too) */
};

/* Find the end of a request head in BUF[0..LEN): the offset just past the
 * blank line, or 0 when it has not arrived. Up to HTTP_LEAD_MAX empty lines
 * before the request line are not the end of a head. *SCAN (start at 0)
 * remembers how far an earlier call looked, so that a head arriving in
 * pieces is scanned once; BUF must only have grown since that call. */
size_t http_head_end(const char *buf, size_t len, size_t *scan);

/* Parse the complete head at the start of BUF (LEN bytes, as given by
 * http_head_end; LEN may include bytes past the head: only the head is
 * parsed), in place: NULs are written into the head in BUF (on an error
 * too, so a head is parsed once), an absolute-form target is rearranged
 * into its authority and its origin-form, and H points into BUF, so BUF
 * must outlive H. Without a complete head, what http_head_check says. Returns an enum
 * http_parse_rc; H is only meaningful on HTTP_PARSE_OK. */
int http_head_parse(char *buf, size_t len, struct http_head *h)
	__attribute__((warn_unused_result));

/* Before a head is complete (http_head_end said 0): HTTP_PARSE_MORE while
 * BUF[0..LEN) may still become a head within the bounds, else
 * HTTP_PARSE_URI_LONG (the request line has no end within
 * HTTP_REQLINE_MAX) or HTTP_PARSE_TOO_LARGE (past HTTP_HEAD_MAX, or the
 * header line being read is past HTTP_FIELD_LINE_MAX). Lets the server
 * refuse a head early instead of buffering it. */
int http_head_check(const char *buf, size_t len);

/* A static phrase for RC, e.g. "malformed request head", for logs and
 * error bodies. */
const char *http_parse_strerror(int rc);

#endif
