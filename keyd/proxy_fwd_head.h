/* An upstream answer's head, taken line by line as it comes off the
 * connection: the final status, what frames the body (Content-Length,
 * Transfer-Encoding), whether the connection closes after it, and the
 * end-to-end headers keyd passes on (hop-by-hop ones, Content-Length and
 * Date dropped: keyd writes its own). Every bound is checked, and framing
 * that could be read two ways (RFC 9112 §6.3) is refused. */
#ifndef KEYD_PROXY_FWD_HEAD_H
#define KEYD_PROXY_FWD_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "keyd/proxy_fwd.h"

struct fwd_head {
	int	 status;	/* of the last status line; 0 before one */
	int	 done;		/* the blank line after a final (>= 200) status */
	int	 bad;		/* malformed, or past a bound */
	size_t	 bytes;		/* of every line so far */
	size_t	 n;
	char	*name[FWD_HDRS_MAX];	/* malloc'd */
	char	*value[FWD_HDRS_MAX];
	int64_t	 clen;		/* Content-Length, -1: none */
	int	 te;		/* Transfer-Encoding was sent */
	int	 chunked;	/* … and its last coding is chunked */
	int	 close;		/* Connection: close, or HTTP/1.0 */
};

/* Take one line (DATA, N bytes, its CRLF included). A status line starts
 * a new answer (an interim 1xx one is forgotten). 0 to go on; -1 when the
 * line or the head is past FWD_HDR_MAX or FWD_HEAD_MAX: stop the transfer.
 * A malformed status line, a Content-Length that is not a number or
 * disagrees with another, or more than FWD_HDRS_MAX kept headers set
 * BAD. */
int fwd_head_line(struct fwd_head *h, const char *data, size_t n)
	__attribute__((warn_unused_result));

/* Free the kept headers and make H empty again (also to start one). */
void fwd_head_clear(struct fwd_head *h);

#endif
