/* The upstream answer's head, line by line (keyd/proxy_fwd_head.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyd/http.h"
#include "keyd/proxy_fwd_head.h"

/* Hop-by-hop headers (RFC 9110 §7.6.1) and those MHD writes itself. */
static int
hdr_dropped(const char *name, size_t n)
{
	if (http_hop_by_hop(name, n))
		return 1;
	return (n == 14 && strncasecmp(name, "content-length", n) == 0) ||
	    (n == 4 && strncasecmp(name, "date", n) == 0);
}

static void
head_reset(struct fwd_head *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->name[i]);
		free(h->value[i]);
	}
	h->n = 0;
	h->status = 0;
	h->clen = -1;
	h->chunked = 0;
}

/* "HTTP/1.1 200 OK" or "HTTP/2 200": a new answer starts. */
static void
head_status(struct fwd_head *h, const char *line, size_t n)
{
	const char	*sp = memchr(line, ' ', n);
	int		 st = 0;

	head_reset(h);
	if (sp != NULL && (size_t)(sp - line) + 4 <= n &&
	    sp[1] >= '1' && sp[1] <= '5' && sp[2] >= '0' && sp[2] <= '9' &&
	    sp[3] >= '0' && sp[3] <= '9')
		st = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	if (st == 0)
		h->bad = 1;
	h->status = st;
}

static void
head_field(struct fwd_head *h, const char *name, size_t nn, const char *v,
    size_t vn)
{
	char *end;

	if (nn == 14 && strncasecmp(name, "content-length", 14) == 0) {
		errno = 0;
		h->clen = (int64_t)strtoll(v, &end, 10);
		if (errno != 0 || end == v || h->clen < 0)
			h->clen = -1;
	}
	if (nn == 17 && strncasecmp(name, "transfer-encoding", 17) == 0)
		h->chunked = 1;
	if (hdr_dropped(name, nn))
		return;
	if (h->n == FWD_HDRS_MAX) {
		h->bad = 1;
		return;
	}
	h->name[h->n] = strndup(name, nn);
	h->value[h->n] = strndup(v, vn);
	if (h->name[h->n] == NULL || h->value[h->n] == NULL) {
		free(h->name[h->n]);
		free(h->value[h->n]);
		h->bad = 1;
		return;
	}
	h->n++;
}

void
fwd_head_clear(struct fwd_head *h)
{
	head_reset(h);
	h->done = h->bad = 0;
	h->bytes = 0;
}

int
fwd_head_line(struct fwd_head *h, const char *data, size_t n)
{
	size_t		 len = n;
	const char	*colon, *v;

	h->bytes += n;
	if (n > FWD_HDR_MAX || h->bytes > FWD_HEAD_MAX) {
		h->bad = 1;
		return -1;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len == 0) {
		if (h->status >= 200 && !h->bad)
			h->done = 1;
		return 0;
	}
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		head_status(h, data, len);
		return 0;
	}
	if ((colon = memchr(data, ':', len)) == NULL || colon == data)
		return 0;	/* a folded or broken line: not passed on */
	for (v = colon + 1; v < data + len && (*v == ' ' || *v == '\t'); v++)
		;
	head_field(h, data, (size_t)(colon - data), v,
	    (size_t)(data + len - v));
	return 0;
}
