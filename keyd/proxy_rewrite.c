/* Rewriting an upstream's base URL in an answer's body (proxy_rewrite.h).
 * Each piece is scanned with the bytes held from the last one in front
 * of it; the output is kept until taken. */
#include <stdlib.h>
#include <string.h>

#include "keyd/proxy_rewrite.h"

int
url_rewrite_init(struct url_rewrite *w, const char *from, const char *to)
{
	memset(w, 0, sizeof(*w));
	w->from_len = strlen(from);
	w->to_len = strlen(to);
	if (w->from_len == 0 || (w->from = strdup(from)) == NULL ||
	    (w->to = strdup(to)) == NULL ||
	    (w->held = malloc(w->from_len + 1)) == NULL) {
		url_rewrite_free(w);
		return -1;
	}
	return 0;
}

void
url_rewrite_free(struct url_rewrite *w)
{
	free(w->from);
	free(w->to);
	free(w->held);
	free(w->out);
	memset(w, 0, sizeof(*w));
}

static int
emit(struct url_rewrite *w, const char *p, size_t n)
{
	size_t	 cap;
	char	*o;

	if (n == 0)
		return 0;
	if (w->out_off > 0 && w->out_off == w->out_len)
		w->out_off = w->out_len = 0;
	if (w->out_len + n > w->out_cap) {
		cap = w->out_cap > 0 ? w->out_cap : 4096;
		while (cap < w->out_len + n)
			cap *= 2;
		if ((o = realloc(w->out, cap)) == NULL)
			return -1;
		w->out = o;
		w->out_cap = cap;
	}
	memcpy(w->out + w->out_len, p, n);
	w->out_len += n;
	return 0;
}

/* The longest proper prefix of FROM that S (N bytes) ends with. */
static size_t
tail_prefix(const struct url_rewrite *w, const char *s, size_t n)
{
	size_t k = n < w->from_len - 1 ? n : w->from_len - 1;

	for (; k > 0; k--)
		if (memcmp(s + n - k, w->from, k) == 0)
			return k;
	return 0;
}

static int
boundary(char c)
{
	return c == '/' || c == '?' || c == '#' || c == '"';
}

/* Scan S (N bytes: what was held, then the new piece). */
static int
scan(struct url_rewrite *w, const char *s, size_t n, int final)
{
	const char	*p;
	size_t		 i = 0, j, k;

	w->held_len = 0;
	while (i < n) {
		p = memmem(s + i, n - i, w->from, w->from_len);
		if (p == NULL) {
			k = final ? 0 : tail_prefix(w, s + i, n - i);
			if (emit(w, s + i, n - i - k) == -1)
				return -1;
			memcpy(w->held, s + n - k, k);
			w->held_len = k;
			return 0;
		}
		j = (size_t)(p - s);
		if (j + w->from_len == n && !final) {
			/* the byte that decides is in the next piece */
			if (emit(w, s + i, j - i) == -1)
				return -1;
			memcpy(w->held, p, w->from_len);
			w->held_len = w->from_len;
			return 0;
		}
		if (j + w->from_len == n || boundary(s[j + w->from_len])) {
			if (emit(w, s + i, j - i) == -1 ||
			    emit(w, w->to, w->to_len) == -1)
				return -1;
			w->count++;
			i = j + w->from_len;
		} else {
			if (emit(w, s + i, j + 1 - i) == -1)
				return -1;
			i = j + 1;
		}
	}
	return 0;
}

int
url_rewrite_feed(struct url_rewrite *w, const char *in, size_t n, int final)
{
	char	*s;
	int	 rc;

	if (w->done)
		return n == 0 ? 0 : -1;
	w->done = final;
	if (w->held_len == 0)
		return scan(w, in, n, final);
	if ((s = malloc(w->held_len + n)) == NULL)
		return -1;
	memcpy(s, w->held, w->held_len);
	if (n > 0)
		memcpy(s + w->held_len, in, n);
	rc = scan(w, s, w->held_len + n, final);
	free(s);
	return rc;
}

int
url_rewrite_whole(struct url_rewrite *w, char **buf, size_t *len)
{
	char	*out;
	size_t	 n;

	if (*len == 0 || memmem(*buf, *len, w->from, w->from_len) == NULL)
		return 0;
	if (url_rewrite_feed(w, *buf, *len, 1) == -1)
		return -1;
	if (w->count == 0)
		return 0;
	n = url_rewrite_pending(w);
	if ((out = malloc(n > 0 ? n : 1)) == NULL)
		return -1;
	url_rewrite_take(w, out, n);
	free(*buf);
	*buf = out;
	*len = n;
	return 0;
}

size_t
url_rewrite_pending(const struct url_rewrite *w)
{
	return w->out_len - w->out_off;
}

size_t
url_rewrite_take(struct url_rewrite *w, char *buf, size_t max)
{
	size_t n = url_rewrite_pending(w);

	if (n > max)
		n = max;
	if (n == 0)
		return 0;
	memcpy(buf, w->out + w->out_off, n);
	w->out_off += n;
	return n;
}
