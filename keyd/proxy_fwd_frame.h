/* An upstream answer's body as it comes off the connection: how long it
 * is (RFC 9112 §6.3: none, Content-Length, chunked, or up to the close),
 * and the chunked coding taken off (§7.1). Fed in pieces of any size;
 * every bound is checked. Where the body ends, the connection may carry
 * the next answer, so a byte past it is reported, never taken. */
#ifndef KEYD_PROXY_FWD_FRAME_H
#define KEYD_PROXY_FWD_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FWD_CHUNK_LINE_MAX	4096	/* a chunk-size line, extensions too */
#define FWD_TRAILER_MAX		65536	/* bytes of the trailer section */

enum fwd_frame_mode {
	FWD_FRAME_NONE,		/* no body: HEAD, 1xx, 204, 304 */
	FWD_FRAME_LENGTH,	/* Content-Length bytes */
	FWD_FRAME_CHUNKED,	/* Transfer-Encoding: …, chunked */
	FWD_FRAME_CLOSE		/* until the upstream closes */
};

struct fwd_frame {
	enum fwd_frame_mode mode;
	uint64_t	 left;		/* of the body or of this chunk */
	int		 state;		/* the chunked parser's */
	size_t		 line;		/* bytes of this size or trailer line */
	size_t		 trailer;	/* bytes of the trailer section */
	int		 digits;	/* of this chunk size */
	int		 done;		/* the body is complete */
	int		 bad;		/* malformed or past a bound */
};

/* Body bytes the frame took: DATA[0..N), to keep. 0, or -1 to stop. */
typedef int (*fwd_frame_emit)(void *cls, const char *data, size_t n);

/* Start a body in MODE; CLEN is the Content-Length for LENGTH. A body of
 * no bytes is done at once. */
void fwd_frame_init(struct fwd_frame *fr, enum fwd_frame_mode mode,
    uint64_t clen);

/* Take what is needed of DATA (N bytes), handing the body's bytes to
 * EMIT(CLS, …): the count taken, which is less than N only once the
 * body is done (the rest lies past it), or -1 when the framing is
 * malformed (BAD is set) or EMIT refused. */
ssize_t fwd_frame_feed(struct fwd_frame *fr, const char *data, size_t n,
    fwd_frame_emit emit, void *cls) __attribute__((warn_unused_result));

/* The upstream closed the connection: 0 when that ends the body well
 * (CLOSE mode, or already done), -1 when the body was cut short. */
int fwd_frame_eof(struct fwd_frame *fr);

#endif
