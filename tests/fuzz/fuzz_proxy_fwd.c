/* libFuzzer target for what keyd reads off an upstream connection: the
 * answer's head, line by line (proxy_fwd_head.c), then its body through
 * the framing the head chose (proxy_fwd_frame.c), in pieces whose size
 * the first byte picks. Everything taken must come from the input, and a
 * done body never takes more. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/proxy_fwd_frame.h"
#include "keyd/proxy_fwd_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t		emitted;
static volatile char	sink;

/* Every byte handed over is read, so ASan sees one from past the input. */
static int
emit(void *cls, const char *p, size_t n)
{
	size_t i;

	(void)cls;
	for (i = 0; i < n; i++)
		sink ^= p[i];
	emitted += n;
	return 0;
}

static enum fwd_frame_mode
mode_of(const struct fwd_head *h, int head_only)
{
	if (head_only || h->status < 200 || h->status == 204 ||
	    h->status == 304)
		return FWD_FRAME_NONE;
	if (h->te)
		return h->chunked ? FWD_FRAME_CHUNKED : FWD_FRAME_CLOSE;
	return h->clen >= 0 ? FWD_FRAME_LENGTH : FWD_FRAME_CLOSE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwd_head		 h;
	struct fwd_frame	 fr;
	const char		*p, *nl, *end;
	size_t			 step, k;
	ssize_t			 t;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] & 0x3f) + 1;
	p = (const char *)data + 1;
	end = (const char *)data + size;
	memset(&h, 0, sizeof(h));
	fwd_head_clear(&h);
	while (p < end && !h.done) {
		nl = memchr(p, '\n', (size_t)(end - p));
		k = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (fwd_head_line(&h, p, k) == -1 || h.bad)
			goto out;
		p += k;
	}
	if (!h.done)
		goto out;
	if (h.status < 200 || h.status > 599)
		abort();
	fwd_frame_init(&fr, mode_of(&h, data[0] & 0x40),
	    h.clen > 0 ? (uint64_t)h.clen : 0);
	emitted = 0;
	while (p < end && !fr.done) {
		k = (size_t)(end - p) < step ? (size_t)(end - p) : step;
		if ((t = fwd_frame_feed(&fr, p, k, emit, NULL)) == -1) {
			if (!fr.bad)
				abort();
			goto out;
		}
		if ((size_t)t > k || ((size_t)t < k && !fr.done))
			abort();
		p += t;
		if ((size_t)t < k)
			break;
	}
	if (emitted > size)
		abort();
	(void)fwd_frame_eof(&fr);
out:
	fwd_head_clear(&h);
	return 0;
}
