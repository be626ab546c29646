/* libFuzzer target for what keyd reads off a client connection: the end
 * of a request head found whole and one byte at a time (the same), the
 * early bound check, and the head parsed in place. Everything parsed must
 * point inside the head, be NUL-terminated there, and frame the body one
 * way only; a head that parses is never refused early from a prefix. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* P is a NUL-terminated string inside BUF[0..LEN). */
static void
inside(const char *buf, size_t len, const char *p)
{
	if (p < buf || p >= buf + len || memchr(p, '\0',
	    (size_t)(buf + len - p)) == NULL)
		abort();
}

static void
check_head(const char *buf, size_t len, const struct http_head *h)
{
	size_t i;

	inside(buf, len, h->method);
	inside(buf, len, h->target);
	if (strlen(h->target) != h->target_len || h->target_len == 0 ||
	    strlen(h->method) == 0 || strlen(h->method) > HTTP_METHOD_MAX)
		abort();
	if (h->hdrs.n > HTTP_HDRS_MAX || (h->minor != 0 && h->minor != 1))
		abort();
	for (i = 0; i < h->hdrs.n; i++) {
		inside(buf, len, h->hdrs.name[i]);
		inside(buf, len, h->hdrs.value[i]);
	}
	if (h->host != NULL)
		inside(buf, len, h->host);
	/* an absolute-form target: its authority is the host, and lies
	 * wholly before the origin-form target made from it */
	if (h->authority != NULL && (h->host != h->authority ||
	    h->authority[0] == '\0' || h->target[0] != '/' ||
	    h->authority + strlen(h->authority) >= h->target))
		abort();
	if (h->minor == 1 && h->host == NULL)
		abort();
	if (h->clen < -1 || (h->chunked && h->clen >= 0) ||
	    (h->chunked && h->minor != 1))
		abort();
	if (h->expect_continue && h->minor != 1)
		abort();
}

/* A head that parses: none of its prefixes is refused early. */
static void
check_prefixes(const char *buf, size_t end)
{
	size_t k, step = end > 512 ? end / 64 : 1;

	for (k = 0; k < end; k += step)
		if (http_head_check(buf, k) != HTTP_PARSE_MORE)
			abort();
	if (http_head_check(buf, end - 1) != HTTP_PARSE_MORE)
		abort();
}

/* Parse the first N bytes of DATA in a copy of their own (in *OUT), so
 * that ASan sees a read past them; only NULs are written (and the bytes of
 * an absolute-form target, rearranged), and only inside the head's first
 * END bytes. */
static int
parse_copy(const uint8_t *data, size_t n, size_t end, struct http_head *h,
    char **out)
{
	char	*buf;
	size_t	 i;
	int	 rc;

	if ((buf = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	memcpy(buf, data, n);
	rc = http_head_parse(buf, n, h);
	if (rc < HTTP_PARSE_OK || rc > HTTP_PARSE_CODING)
		abort();
	/* only NULs are written, and only inside the head */
	for (i = 0; i < n; i++)
		if (buf[i] != (char)data[i] && ((buf[i] != '\0' &&
		    h->authority == NULL) || i >= end))
			abort();
	*out = buf;
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*in = (const char *)data;
	struct http_head	 h, h2;
	char			*buf = NULL, *buf2 = NULL;
	size_t			 scan = 0, end, k, end1 = 0;
	int			 rc, rc2, crc;

	end = http_head_end(in, size, &scan);
	for (k = 0, scan = 0; k <= size && end1 == 0; k++)
		end1 = http_head_end(in, k, &scan);
	if (end != end1 || end > size || (end != 0 && end < 4))
		abort();
	if (http_parse_strerror((int)size) == NULL)
		abort();
	if (end == 0) {
		crc = http_head_check(in, size);
		if (crc != HTTP_PARSE_MORE && crc != HTTP_PARSE_URI_LONG &&
		    crc != HTTP_PARSE_TOO_LARGE)
			abort();
		if (size > HTTP_HEAD_MAX && crc != HTTP_PARSE_TOO_LARGE)
			abort();
		rc = parse_copy(data, size, 0, &h, &buf);
		if (rc != crc)
			abort();
		goto out;
	}
	rc = parse_copy(data, size, end, &h, &buf);
	/* the bytes past the head change nothing */
	rc2 = parse_copy(data, end, end, &h2, &buf2);
	if (rc != rc2)
		abort();
	if (rc != HTTP_PARSE_OK)
		goto out;
	if (h.len != end || h2.len != end || h.clen != h2.clen ||
	    h.chunked != h2.chunked || h.keep_alive != h2.keep_alive ||
	    h.hdrs.n != h2.hdrs.n || h.target_len != h2.target_len)
		abort();
	check_head(buf, h.len, &h);
	check_prefixes(in, end);
out:
	free(buf);
	free(buf2);
	return 0;
}
