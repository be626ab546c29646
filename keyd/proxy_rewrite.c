/* Rewriting an upstream's base URL in an answer's body (proxy_rewrite.h).
 * Each piece is scanned with the bytes held from the last one in front
 * of it; the output is kept until taken. */
#include <stdlib.h>
#include <string.h>

#include "keyd/proxy_rewrite.h"

/* S with every '/' written as JSON's "\/", malloc'd. */
static char *
escape_slashes(const char *s, size_t *len)
{
	size_t	 n = 0, i;
	char	*o;

	for (i = 0; s[i] != '\0'; i++)
		n += s[i] == '/' ? 2 : 1;
	if ((o = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0, n = 0; s[i] != '\0'; i++) {
		if (s[i] == '/')
			o[n++] = '\\';
		o[n++] = s[i];
	}
	o[n] = '\0';
	*len = n;
	return o;
}

int
url_rewrite_init(struct url_rewrite *w, const char *from, const char *to)
{
	struct url_pat	*p = &w->pat[0], *e = &w->pat[1];

	memset(w, 0, sizeof(*w));
	p->from_len = strlen(from);
	p->to_len = strlen(to);
	e->escaped = 1;
	if (p->from_len == 0 || (p->from = strdup(from)) == NULL ||
	    (p->to = strdup(to)) == NULL ||
	    (e->from = escape_slashes(from, &e->from_len)) == NULL ||
	    (e->to = escape_slashes(to, &e->to_len)) == NULL ||
	    (w->held = malloc(e->from_len + 2)) == NULL) {
		url_rewrite_free(w);
		return -1;
	}
	return 0;
}

void
url_rewrite_free(struct url_rewrite *w)
{
	int i;

	for (i = 0; i < 2; i++) {
		free(w->pat[i].from);
		free(w->pat[i].to);
	}
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

/* The longest proper prefix of either form's FROM that S (N bytes) ends
 * with. */
static size_t
tail_prefix(const struct url_rewrite *w, const char *s, size_t n)
{
	const struct url_pat	*p;
	size_t			 k, best = 0;
	int			 i;

	for (i = 0; i < 2; i++) {
		p = &w->pat[i];
		k = n < p->from_len - 1 ? n : p->from_len - 1;
		for (; k > best; k--)
			if (memcmp(s + n - k, p->from, k) == 0) {
				best = k;
				break;
			}
	}
	return best;
}

enum { NO, YES, MORE };

/* Whether what follows a match of P at S[AT] (of N bytes) ends the base:
 * MORE when the byte that decides is in the next piece. */
static int
boundary(const struct url_pat *p, const char *s, size_t at, size_t n,
    int final)
{
	if (at == n)
		return final ? YES : MORE;
	if (s[at] == '?' || s[at] == '#' || s[at] == '"')
		return YES;
	if (!p->escaped)
		return s[at] == '/' ? YES : NO;
	if (s[at] != '\\')
		return NO;
	if (at + 1 == n)
		return final ? NO : MORE;
	return s[at + 1] == '/' ? YES : NO;
}

/* The first match of either form in S[I..N), or NULL. */
static const char *
first_match(const struct url_rewrite *w, const char *s, size_t i, size_t n,
    const struct url_pat **pp)
{
	const char	*m, *best = NULL;
	int		 k;

	for (k = 0; k < 2; k++) {
		m = memmem(s + i, n - i, w->pat[k].from, w->pat[k].from_len);
		if (m != NULL && (best == NULL || m < best)) {
			best = m;
			*pp = &w->pat[k];
		}
	}
	return best;
}

/* Scan S (N bytes: what was held, then the new piece). */
static int
scan(struct url_rewrite *w, const char *s, size_t n, int final)
{
	const struct url_pat	*p = NULL;
	const char		*m;
	size_t			 i = 0, j, k;

	w->held_len = 0;
	while (i < n) {
		if ((m = first_match(w, s, i, n, &p)) == NULL) {
			k = final ? 0 : tail_prefix(w, s + i, n - i);
			if (emit(w, s + i, n - i - k) == -1)
				return -1;
			memcpy(w->held, s + n - k, k);
			w->held_len = k;
			return 0;
		}
		j = (size_t)(m - s);
		switch (boundary(p, s, j + p->from_len, n, final)) {
		case MORE:	/* held whole: at most FROM and one byte */
			if (emit(w, s + i, j - i) == -1)
				return -1;
			memcpy(w->held, m, n - j);
			w->held_len = n - j;
			return 0;
		case YES:
			if (emit(w, s + i, j - i) == -1 ||
			    emit(w, p->to, p->to_len) == -1)
				return -1;
			w->count++;
			w->count_escaped += p->escaped;
			i = j + p->from_len;
			break;
		default:
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
url_rewrite_may_match(const char *from, const char *body, size_t len)
{
	const char	*a = strstr(from, "://"), *e;

	a = a != NULL ? a + 3 : from;
	if ((e = strchr(a, '/')) == NULL)
		e = a + strlen(a);
	return e > a && len > 0 && memmem(body, len, a, (size_t)(e - a)) !=
	    NULL;
}

int
url_rewrite_whole(struct url_rewrite *w, char **buf, size_t *len)
{
	char	*out;
	size_t	 n;

	if (*len == 0 || (memmem(*buf, *len, w->pat[0].from,
	    w->pat[0].from_len) == NULL && memmem(*buf, *len, w->pat[1].from,
	    w->pat[1].from_len) == NULL))
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
