/* A request head: where it ends, and what it says (keyd/http_parse.h). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "keyd/http_parse.h"

/* What the header lines said, for the checks that need all of them. */
struct field_state {
	int	 hosts;
	int	 te;		/* a Transfer-Encoding line was seen */
	int	 te_codings;	/* non-empty codings listed */
	int	 te_chunked;	/* times "chunked" was listed */
	int	 te_unknown;	/* another coding was listed */
	int	 te_last_chunked;
	int	 close;		/* Connection: close */
	int	 keep_alive;	/* Connection: keep-alive */
	int	 expect;	/* Expect: 100-continue */
};

/* RFC 9110 §5.6.2 */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar, SP and HTAB (RFC 9110 §5.5): every byte but CTLs and DEL. */
static int
is_field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* uri-host [ ":" port ] (RFC 3986 §3.2.2): reg-name, IP-literal, IPv4. */
static int
is_host_byte(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~!$&'()*+,;=%:[]", c) != NULL;
}

/* Past the empty lines a client may send before a request (RFC 9112
 * §2.2), at most HTTP_LEAD_MAX of them: past that the next one is taken
 * for an empty request line, and refused. */
static size_t
lead_skip(const char *buf, size_t len)
{
	size_t	i = 0;
	int	n;

	for (n = 0; n < HTTP_LEAD_MAX && i + 2 <= len && buf[i] == '\r' &&
	    buf[i + 1] == '\n'; n++)
		i += 2;
	return i;
}

size_t
http_head_end(const char *buf, size_t len, size_t *scan)
{
	size_t		 start = lead_skip(buf, len), i;
	const char	*p;

	/* the terminator may straddle the end of the last look */
	i = *scan > 3 ? *scan - 3 : 0;
	if (i < start)
		i = start;
	while (i + 4 <= len) {
		if ((p = memchr(buf + i, '\r', len - 3 - i)) == NULL)
			break;
		i = (size_t)(p - buf);
		if (memcmp(p, "\r\n\r\n", 4) == 0) {
			*scan = i;
			return i + 4;
		}
		i++;
	}
	*scan = len;
	return 0;
}

/* The length before CRLF of the line at BUF[POS..END) in *N. A bare LF
 * or a lone CR is BAD: a line ends in CRLF only (RFC 9112 §2.2). */
static int
line_len(const char *buf, size_t pos, size_t end, size_t *n)
{
	size_t i;

	for (i = pos; i < end; i++) {
		if (buf[i] == '\n')
			return HTTP_PARSE_BAD;
		if (buf[i] == '\r') {
			if (i + 1 >= end || buf[i + 1] != '\n')
				return HTTP_PARSE_BAD;
			*n = i - pos;
			return HTTP_PARSE_OK;
		}
	}
	return HTTP_PARSE_BAD;
}

/* "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3). */
static int
version(const char *v, size_t n, struct http_head *h)
{
	if (n != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' ||
	    v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
		return HTTP_PARSE_BAD;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return HTTP_PARSE_VERSION;
	h->minor = v[7] - '0';
	return HTTP_PARSE_OK;
}

/* The absolute-form of a target (§3.2.2), which a server must accept
 * though clients send it to proxies: "http" or "https", "://", an
 * authority of host characters (no userinfo), then the path and query.
 * Rewritten in place: the authority moves to the start of T, NUL-ended,
 * and the origin-form after it becomes the target ("/" for an empty path,
 * written where the scheme was). Any other target is left as it is. */
static int
absolute_form(char *t, size_t tn, struct http_head *h)
{
	size_t	s, e;

	if (t[0] == '/')	/* origin-form: nearly every request */
		return HTTP_PARSE_OK;
	if (tn >= 7 && strncasecmp(t, "http://", 7) == 0)
		s = 7;
	else if (tn >= 8 && strncasecmp(t, "https://", 8) == 0)
		s = 8;
	else
		return HTTP_PARSE_OK;
	for (e = s; e < tn && t[e] != '/' && t[e] != '?'; e++)
		if (!is_host_byte((unsigned char)t[e]))
			return HTTP_PARSE_BAD;
	if (e == s)
		return HTTP_PARSE_BAD;
	memmove(t, t + s, e - s);
	t[e - s] = '\0';		/* e - s + 1 < e: the path is untouched */
	h->authority = t;
	if (e == tn || t[e] != '/')
		t[--e] = '/';
	h->target = t + e;
	h->target_len = tn - e;
	return HTTP_PARSE_OK;
}

/* method SP request-target SP HTTP-version, single spaces (§3). */
static int
request_line(char *l, size_t n, struct http_head *h)
{
	const unsigned char	*u = (const unsigned char *)l;
	size_t			 m, t;
	int			 rc;

	for (m = 0; m < n && is_tchar(u[m]); m++)
		;
	if (m == 0 || m > HTTP_METHOD_MAX || m == n || u[m] != ' ')
		return HTTP_PARSE_BAD;
	for (t = m + 1; t < n && u[t] > 0x20 && u[t] < 0x7f; t++)
		;
	if (t == m + 1 || t == n || u[t] != ' ')
		return HTTP_PARSE_BAD;
	if ((rc = version(l + t + 1, n - t - 1, h)) != HTTP_PARSE_OK)
		return rc;
	l[m] = '\0';
	l[t] = '\0';
	h->method = l;
	h->target = l + m + 1;
	h->target_len = t - m - 1;
	return absolute_form(l + m + 1, t - m - 1, h);
}

/* The next element of the comma-separated list at *P (up to END), OWS
 * trimmed, in *E and *EN; *P moves past it (NULL after the last one).
 * Empty elements are returned too: the caller decides about them. */
static int
list_next(const char **p, const char *end, const char **e, size_t *en)
{
	const char *s = *p, *c;

	if (s == NULL)
		return 0;
	c = memchr(s, ',', (size_t)(end - s));
	*p = c != NULL ? c + 1 : NULL;
	if (c == NULL)
		c = end;
	while (s < c && (*s == ' ' || *s == '\t'))
		s++;
	while (c > s && (c[-1] == ' ' || c[-1] == '\t'))
		c--;
	*e = s;
	*en = (size_t)(c - s);
	return 1;
}

/* One Host line only, of host characters; it may be empty (§3.2). */
static int
field_host(struct http_head *h, struct field_state *st, const char *v,
    size_t vn)
{
	size_t i;

	if (++st->hosts > 1)
		return HTTP_PARSE_BAD;
	for (i = 0; i < vn; i++)
		if (!is_host_byte((unsigned char)v[i]))
			return HTTP_PARSE_BAD;
	h->host = v;
	return HTTP_PARSE_OK;
}

/* 1*DIGIT, or a list of them, and the same in every copy (RFC 9110
 * §8.6). 18 digits cannot overflow an int64_t. */
static int
field_clen(struct http_head *h, const char *v, size_t vn)
{
	const char	*p = v, *e;
	size_t		 en, i;
	int64_t		 n;

	while (list_next(&p, v + vn, &e, &en)) {
		if (en == 0 || en > 18)
			return HTTP_PARSE_BAD;
		for (n = 0, i = 0; i < en; i++) {
			if (e[i] < '0' || e[i] > '9')
				return HTTP_PARSE_BAD;
			n = n * 10 + (e[i] - '0');
		}
		if (h->clen >= 0 && h->clen != n)
			return HTTP_PARSE_BAD;
		h->clen = n;
	}
	return HTTP_PARSE_OK;
}

/* transfer-coding = token *( OWS ";" OWS transfer-parameter ), listed
 * across every Transfer-Encoding line in order (RFC 9112 §6.1, §7). A
 * coding with parameters is one keyd does not know. */
static int
field_te(struct field_state *st, const char *v, size_t vn)
{
	const char	*p = v, *e;
	size_t		 en, tn, k;

	st->te = 1;
	while (list_next(&p, v + vn, &e, &en)) {
		if (en == 0)
			continue;
		for (tn = 0; tn < en && is_tchar((unsigned char)e[tn]); tn++)
			;
		for (k = tn; k < en && (e[k] == ' ' || e[k] == '\t'); k++)
			;
		if (tn == 0 || (tn < en && e[k] != ';'))
			return HTTP_PARSE_BAD;
		st->te_codings++;
		st->te_last_chunked = tn == en && tn == 7 &&
		    strncasecmp(e, "chunked", 7) == 0;
		if (st->te_last_chunked)
			st->te_chunked++;
		else
			st->te_unknown = 1;
	}
	return HTTP_PARSE_OK;
}

/* Connection options (RFC 9112 §9.3); ones keyd does not know are no
 * error. */
static void
field_connection(struct field_state *st, const char *v, size_t vn)
{
	const char	*p = v, *e;
	size_t		 en;

	while (list_next(&p, v + vn, &e, &en)) {
		if (en == 5 && strncasecmp(e, "close", 5) == 0)
			st->close = 1;
		if (en == 10 && strncasecmp(e, "keep-alive", 10) == 0)
			st->keep_alive = 1;
	}
}

static int
field_meaning(struct http_head *h, struct field_state *st, const char *name,
    const char *v, size_t vn)
{
	if (strcasecmp(name, "host") == 0)
		return field_host(h, st, v, vn);
	if (strcasecmp(name, "content-length") == 0)
		return field_clen(h, v, vn);
	if (strcasecmp(name, "transfer-encoding") == 0)
		return field_te(st, v, vn);
	if (strcasecmp(name, "connection") == 0)
		field_connection(st, v, vn);
	else if (strcasecmp(name, "expect") == 0 &&
	    strcasecmp(v, "100-continue") == 0)
		st->expect = 1;
	return HTTP_PARSE_OK;
}

/* field-name ":" OWS field-value OWS (RFC 9112 §5). A line starting with
 * SP or HTAB (obs-fold) or with a blank before the colon has no name made
 * of tchars, and is refused with the rest. */
static int
field_line(char *l, size_t n, struct http_head *h, struct field_state *st)
{
	const unsigned char	*u = (const unsigned char *)l;
	size_t			 c, v, e, i;

	for (c = 0; c < n && is_tchar(u[c]); c++)
		;
	if (c == 0 || c == n || u[c] != ':')
		return HTTP_PARSE_BAD;
	for (v = c + 1; v < n && (u[v] == ' ' || u[v] == '\t'); v++)
		;
	for (e = n; e > v && (u[e - 1] == ' ' || u[e - 1] == '\t'); e--)
		;
	for (i = v; i < e; i++)
		if (!is_field_byte(u[i]))
			return HTTP_PARSE_BAD;
	if (h->hdrs.n == HTTP_HDRS_MAX)
		return HTTP_PARSE_TOO_LARGE;
	/* l[n] is the line's CR, still inside the head */
	l[c] = '\0';
	l[e] = '\0';
	h->hdrs.name[h->hdrs.n] = l;
	h->hdrs.value[h->hdrs.n] = l + v;
	h->hdrs.n++;
	return field_meaning(h, st, l, l + v, e - v);
}

/* What only all the lines together say: Host is there in HTTP/1.1, and
 * the body is framed one way only (RFC 9112 §6.1, §6.3). */
static int
head_finish(struct http_head *h, const struct field_state *st)
{
	if (h->minor == 1 && st->hosts == 0)
		return HTTP_PARSE_BAD;
	if (st->te) {
		if (h->minor == 0 || h->clen >= 0 || st->te_codings == 0 ||
		    st->te_chunked > 1)
			return HTTP_PARSE_BAD;
		if (st->te_unknown || !st->te_last_chunked)
			return HTTP_PARSE_CODING;
		h->chunked = 1;
	}
	if (h->authority != NULL)	/* §3.2.2: it, not the Host header */
		h->host = h->authority;
	h->keep_alive = !st->close && (h->minor == 1 || st->keep_alive);
	h->expect_continue = h->minor == 1 && st->expect;
	return HTTP_PARSE_OK;
}

int
http_head_parse(char *buf, size_t len, struct http_head *h)
{
	struct field_state	 st;
	size_t			 scan = 0, end, pos, n;
	int			 rc;

	memset(h, 0, sizeof(*h));
	memset(&st, 0, sizeof(st));
	h->clen = -1;
	if ((end = http_head_end(buf, len, &scan)) == 0)
		return http_head_check(buf, len);
	if (end > HTTP_HEAD_MAX)
		return HTTP_PARSE_TOO_LARGE;
	pos = lead_skip(buf, end);
	if ((rc = line_len(buf, pos, end, &n)) != HTTP_PARSE_OK)
		return rc;
	if (n > HTTP_REQLINE_MAX)
		return HTTP_PARSE_URI_LONG;
	if ((rc = request_line(buf + pos, n, h)) != HTTP_PARSE_OK)
		return rc;
	for (pos += n + 2;; pos += n + 2) {
		if ((rc = line_len(buf, pos, end, &n)) != HTTP_PARSE_OK)
			return rc;
		if (n == 0)
			break;
		if (n > HTTP_FIELD_LINE_MAX)
			return HTTP_PARSE_TOO_LARGE;
		if ((rc = field_line(buf + pos, n, h, &st)) != HTTP_PARSE_OK)
			return rc;
	}
	h->len = pos + 2;
	return head_finish(h, &st);
}

/* Bytes of a line not yet ended: N, less a CR that may start its CRLF. */
static size_t
partial_len(const char *p, size_t n)
{
	return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

int
http_head_check(const char *buf, size_t len)
{
	size_t		 start, first, from, i;
	const char	*nl;

	if (len > HTTP_HEAD_MAX)
		return HTTP_PARSE_TOO_LARGE;
	start = lead_skip(buf, len);
	if ((nl = memchr(buf + start, '\n', len - start)) == NULL) {
		if (partial_len(buf + start, len - start) > HTTP_REQLINE_MAX)
			return HTTP_PARSE_URI_LONG;
		return HTTP_PARSE_MORE;
	}
	/* the header line being read: look back no further than its bound */
	first = (size_t)(nl - buf) + 1;
	from = len - first > HTTP_FIELD_LINE_MAX + 2 ?
	    len - (HTTP_FIELD_LINE_MAX + 2) : first;
	for (i = len; i > from && buf[i - 1] != '\n'; i--)
		;
	if ((i == from && from > first) ||
	    partial_len(buf + i, len - i) > HTTP_FIELD_LINE_MAX)
		return HTTP_PARSE_TOO_LARGE;
	return HTTP_PARSE_MORE;
}

const char *
http_parse_strerror(int rc)
{
	switch (rc) {
	case HTTP_PARSE_OK:
		return "request head parsed";
	case HTTP_PARSE_MORE:
		return "request head incomplete";
	case HTTP_PARSE_BAD:
		return "malformed request head";
	case HTTP_PARSE_URI_LONG:
		return "request line too long";
	case HTTP_PARSE_TOO_LARGE:
		return "request head or header line too large";
	case HTTP_PARSE_VERSION:
		return "HTTP version not supported";
	case HTTP_PARSE_CODING:
		return "a transfer coding other than chunked, which keyd "
		    "does not take";
	}
	return "unknown request head error";
}
