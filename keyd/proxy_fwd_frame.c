/* An upstream answer's body framing (keyd/proxy_fwd_frame.h). */
#include <string.h>

#include "keyd/form.h"
#include "keyd/proxy_fwd_frame.h"

enum {
	CH_SIZE,	/* hex digits of a chunk size */
	CH_EXT,		/* the rest of the size line: extensions, CR */
	CH_DATA,	/* the chunk's bytes */
	CH_DATA_END,	/* the CRLF after them */
	CH_TRAILER,	/* the start of a trailer line, or the last CRLF */
	CH_TRAILER_LINE	/* the rest of a trailer line */
};

void
fwd_frame_init(struct fwd_frame *fr, enum fwd_frame_mode mode, uint64_t clen)
{
	memset(fr, 0, sizeof(*fr));
	fr->mode = mode;
	fr->state = CH_SIZE;
	if (mode == FWD_FRAME_LENGTH)
		fr->left = clen;
	fr->done = mode == FWD_FRAME_NONE ||
	    (mode == FWD_FRAME_LENGTH && clen == 0);
}

static ssize_t
bad(struct fwd_frame *fr)
{
	fr->bad = 1;
	return -1;
}

/* One byte of a chunk-size line. 0, or -1 when malformed. */
static int
size_byte(struct fwd_frame *fr, char c)
{
	int v;

	if (++fr->line > FWD_CHUNK_LINE_MAX)
		return -1;
	if (fr->state == CH_SIZE && (v = hex_digit(c)) >= 0) {
		/* 15 hex digits: below 2^60, no overflow */
		if (++fr->digits > 15)
			return -1;
		fr->left = fr->left * 16 + (uint64_t)v;
		return 0;
	}
	if (fr->digits == 0)
		return -1;
	if (c == '\n') {
		fr->line = 0;
		fr->digits = 0;
		fr->state = fr->left > 0 ? CH_DATA : CH_TRAILER;
		return 0;
	}
	/* ";ext=val", blanks before it, and the CR: not kept */
	if (fr->state == CH_SIZE && c != ';' && c != ' ' && c != '\t' &&
	    c != '\r')
		return -1;
	fr->state = CH_EXT;
	return (unsigned char)c < 0x20 && c != '\t' && c != '\r' ? -1 : 0;
}

/* One byte of the trailer section: 1 when it (and the body) ended. */
static int
trailer_byte(struct fwd_frame *fr, char c)
{
	if (++fr->trailer > FWD_TRAILER_MAX)
		return -1;
	if (c == '\n') {
		if (fr->state == CH_TRAILER)
			return 1;	/* the empty line */
		fr->state = CH_TRAILER;
		fr->line = 0;
		return 0;
	}
	if (c == '\r' && fr->state == CH_TRAILER && fr->line == 0)
		return 0;
	fr->line++;
	fr->state = CH_TRAILER_LINE;
	return 0;
}

static ssize_t
feed_chunked(struct fwd_frame *fr, const char *data, size_t n,
    fwd_frame_emit emit, void *cls)
{
	size_t	i = 0, k;
	int	rc;

	while (i < n && !fr->done) {
		switch (fr->state) {
		case CH_SIZE:
		case CH_EXT:
			if (size_byte(fr, data[i++]) == -1)
				return bad(fr);
			break;
		case CH_DATA:
			k = n - i < fr->left ? n - i : (size_t)fr->left;
			if (emit(cls, data + i, k) == -1)
				return -1;
			i += k;
			if ((fr->left -= k) == 0) {
				fr->state = CH_DATA_END;
				fr->line = 0;
			}
			break;
		case CH_DATA_END:
			if (data[i] == '\r' && fr->line++ == 0) {
				i++;
				break;
			}
			if (data[i++] != '\n')
				return bad(fr);
			fr->state = CH_SIZE;
			fr->line = 0;
			break;
		default:
			if ((rc = trailer_byte(fr, data[i++])) == -1)
				return bad(fr);
			fr->done = rc;
		}
	}
	return (ssize_t)i;
}

ssize_t
fwd_frame_feed(struct fwd_frame *fr, const char *data, size_t n,
    fwd_frame_emit emit, void *cls)
{
	size_t k;

	if (fr->bad)
		return -1;
	if (fr->done || n == 0)
		return 0;
	switch (fr->mode) {
	case FWD_FRAME_LENGTH:
		k = n < fr->left ? n : (size_t)fr->left;
		if (emit(cls, data, k) == -1)
			return -1;
		fr->left -= k;
		fr->done = fr->left == 0;
		return (ssize_t)k;
	case FWD_FRAME_CLOSE:
		return emit(cls, data, n) == -1 ? -1 : (ssize_t)n;
	case FWD_FRAME_CHUNKED:
		return feed_chunked(fr, data, n, emit, cls);
	default:
		return 0;
	}
}

int
fwd_frame_eof(struct fwd_frame *fr)
{
	if (fr->done)
		return 0;
	if (fr->mode == FWD_FRAME_CLOSE && !fr->bad) {
		fr->done = 1;
		return 0;
	}
	return -1;
}
