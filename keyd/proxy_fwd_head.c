/* The upstream answer's head, line by line (keyd/proxy_fwd_head.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyd/http.h"
#include "keyd/proxy_fwd_head.h"

/* Hop-by-hop headers (RFC 9110 §7.6.1) and those keyd writes itself. */
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

	for (i = 0; i < h->n; i++)	/* the value is in it */
		free(h->name[i]);
	h->n = 0;
	h->status = 0;
	h->clen = -1;
	h->te = h->chunked = h->close = 0;
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
	if (n >= 8 && strncmp(line, "HTTP/1.0", 8) == 0)
		h->close = 1;
}

/* The last comma-separated token of V (VN bytes), blanks trimmed. */
static void
last_token(const char *v, size_t vn, const char **tok, size_t *tn)
{
	const char *end = v + vn, *p;

	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (p = end; p > v && p[-1] != ','; p--)
		;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*tok = p;
	*tn = (size_t)(end - p);
}

/* V (VN bytes) lists TOKEN among its comma-separated tokens. */
static int
has_token(const char *v, size_t vn, const char *token)
{
	size_t		 tn = strlen(token), k;
	const char	*p = v, *end = v + vn;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		for (k = 0; p + k < end && p[k] != ','; k++)
			;
		while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		if (k == tn && strncasecmp(p, token, tn) == 0)
			return 1;
		while (p < end && *p != ',')
			p++;
	}
	return 0;
}

/* Content-Length: digits only, and the same in every copy. */
static void
head_clen(struct fwd_head *h, const char *v, size_t vn)
{
	int64_t	n = 0;
	size_t	i;

	while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	for (i = 0; i < vn; i++) {
		if (v[i] < '0' || v[i] > '9' || n > (INT64_MAX - 9) / 10) {
			h->bad = 1;
			return;
		}
		n = n * 10 + (v[i] - '0');
	}
	if (vn == 0 || (h->clen >= 0 && h->clen != n))
		h->bad = 1;
	else
		h->clen = n;
}

static void
head_field(struct fwd_head *h, const char *name, size_t nn, const char *v,
    size_t vn)
{
	const char	*tok;
	size_t		 tn;

	if (nn == 14 && strncasecmp(name, "content-length", 14) == 0)
		head_clen(h, v, vn);
	if (nn == 17 && strncasecmp(name, "transfer-encoding", 17) == 0) {
		h->te = 1;
		last_token(v, vn, &tok, &tn);
		h->chunked = tn == 7 && strncasecmp(tok, "chunked", 7) == 0;
	}
	if (nn == 10 && strncasecmp(name, "connection", 10) == 0 &&
	    has_token(v, vn, "close"))
		h->close = 1;
	if (hdr_dropped(name, nn))
		return;
	if (h->n == FWD_HDRS_MAX) {
		h->bad = 1;
		return;
	}
	/* one allocation: the name, then the value; freed by its name */
	if ((h->name[h->n] = malloc(nn + vn + 2)) == NULL) {
		h->bad = 1;
		return;
	}
	memcpy(h->name[h->n], name, nn);
	h->name[h->n][nn] = '\0';
	h->value[h->n] = h->name[h->n] + nn + 1;
	memcpy(h->value[h->n], v, vn);
	h->value[h->n][vn] = '\0';
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
