/* A client connection's bytes (keyd/server_int.h has the model): read
 * into its input buffer, with what TLS already holds; written from its
 * output buffer and an answer's body, in one sendmsg where it can, or
 * record by record over TLS. Every buffer is bounded, and wiped once
 * what it held is used: requests carry credentials, answers tokens. */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <sodium.h>

#include "keyd/keyd.h"
#include "keyd/server_int.h"

#define IN_FIRST	4096
#define IN_BODY		(16 * 1024)		/* room to read a body into */
#define OUT_KEEP	(128 * 1024)		/* a stream block fits; larger are freed */
#define OUT_IDLE	(32 * 1024)		/* kept between requests: a TLS record and its head */
#define TLS_RECORD	(16 * 1024)

ssize_t
client_recv(struct client *c, char *buf, size_t n)
{
	ssize_t r;

	if (c->tls != NULL) {
		r = gnutls_record_recv(c->tls, buf, n);
		if (r >= 0)
			return r;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			return CLIENT_AGAIN;
		return -1;
	}
	if ((r = recv(c->fd, buf, n, 0)) >= 0)
		return r;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ?
	    CLIENT_AGAIN : -1;
}

/* Room to read into: at least WANT bytes while CLIENT_IN_MAX allows. */
static size_t
in_room(struct client *c, size_t want)
{
	size_t need = c->in_len + want;

	if (need > CLIENT_IN_MAX)
		need = CLIENT_IN_MAX;
	keyd_grow(&c->in, &c->in_cap, c->in_len, need, IN_FIRST, CLIENT_IN_MAX);
	return c->in_cap - c->in_len;	/* what there is, if that failed */
}

/* Drop the first N bytes of the input. */
void
client_in_take(struct client *c, size_t n)
{
	if (n == 0)
		return;
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	/* what was taken may hold a credential: no copy stays behind */
	sodium_memzero(c->in + c->in_len, n);
}

/* Read what the client sent, and what TLS already holds: 1 when
 * something came, 0 when nothing did. A close or an error sets EOF. */
int
client_fill(struct client *c)
{
	size_t	room;
	ssize_t	n;
	int	got = 0;

	do {
		room = in_room(c, c->state == CS_BODY ? IN_BODY : 1024);
		if (room == 0)
			return got;
		n = client_recv(c, c->in + c->in_len, room);
		if (n == CLIENT_AGAIN)
			return got;
		if (n <= 0) {
			c->eof = 1;
			return got;
		}
		c->in_len += (size_t)n;
		got = 1;
	} while (c->tls != NULL && gnutls_record_check_pending(c->tls) > 0);
	return got;
}

static int
out_reserve(struct client *c, size_t n)
{
	return keyd_grow(&c->out, &c->out_cap, c->out_len, c->out_len + n,
	    1024, 0);
}

int
client_out(struct client *c, const void *data, size_t n)
{
	if (out_reserve(c, n) == -1)
		return -1;
	memcpy(c->out + c->out_len, data, n);
	c->out_len += n;
	return 0;
}

int
client_outf(struct client *c, const char *fmt, ...)
{
	va_list	ap;
	size_t	room;
	int	n;

	/* one formatting pass in the common case: a header line fits */
	if (out_reserve(c, 256) == -1)
		return -1;
	room = c->out_cap - c->out_len;
	va_start(ap, fmt);
	n = vsnprintf(c->out + c->out_len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= room) {
		if (out_reserve(c, (size_t)n + 1) == -1)
			return -1;
		va_start(ap, fmt);
		vsnprintf(c->out + c->out_len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	c->out_len += (size_t)n;
	return 0;
}

int
client_header(struct client *c, const char *name, const char *value)
{
	size_t	 nl = strlen(name), vl = strlen(value);
	char	*p;

	if (out_reserve(c, nl + vl + 4) == -1)
		return -1;
	p = c->out + c->out_len;
	memcpy(p, name, nl);
	memcpy(p + nl, ": ", 2);
	memcpy(p + nl + 2, value, vl);
	memcpy(p + nl + 2 + vl, "\r\n", 2);
	c->out_len += nl + vl + 4;
	return 0;
}

char *
client_out_space(struct client *c, size_t n)
{
	if (out_reserve(c, n) == -1)
		return NULL;
	return c->out + c->out_len;
}

void
client_out_commit(struct client *c, size_t skip, size_t n)
{
	if (c->out_len == c->out_off) {
		c->out_off = c->out_len + skip;
	}
	c->out_len += skip + n;
}

void
client_out_body(struct client *c, char *body, size_t len)
{
	/* over TLS, a small body goes in the head's record */
	if (len == 0 || (c->tls != NULL && c->out_len - c->out_off + len <=
	    TLS_RECORD && client_out(c, body, len) == 0)) {
		free(body);
		return;
	}
	c->obody = body;
	c->ob_len = len;
	c->ob_off = 0;
}

static ssize_t
client_send_tls(struct client *c)
{
	const char	*p;
	size_t		 n;
	ssize_t		 r;

	if (c->out_off < c->out_len) {
		p = c->out + c->out_off;
		n = c->out_len - c->out_off;
	} else {
		p = c->obody + c->ob_off;
		n = c->ob_len - c->ob_off;
	}
	/* after EAGAIN, GnuTLS wants the same call again */
	if (c->tls_try != 0)
		n = c->tls_try;
	else if (n > TLS_RECORD)
		n = TLS_RECORD;
	r = gnutls_record_send(c->tls, p, n);
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
		c->tls_try = n;
		return CLIENT_AGAIN;
	}
	c->tls_try = 0;
	return r < 0 ? -1 : r;
}

static ssize_t
client_send(struct client *c)
{
	struct iovec	iov[2];
	struct msghdr	m;
	ssize_t		n;

	if (c->tls != NULL)
		return client_send_tls(c);
	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	if (c->out_off < c->out_len) {
		iov[m.msg_iovlen].iov_base = c->out + c->out_off;
		iov[m.msg_iovlen++].iov_len = c->out_len - c->out_off;
	}
	if (c->ob_off < c->ob_len) {
		iov[m.msg_iovlen].iov_base = c->obody + c->ob_off;
		iov[m.msg_iovlen++].iov_len = c->ob_len - c->ob_off;
	}
	if ((n = sendmsg(c->fd, &m, MSG_NOSIGNAL)) >= 0)
		return n;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ?
	    CLIENT_AGAIN : -1;
}

static void
out_sent(struct client *c, size_t n)
{
	size_t k = c->out_len - c->out_off;

	if (k > n)
		k = n;
	c->out_off += k;
	c->ob_off += n - k;
}

static void
out_reset(struct client *c)
{
	/* an answer may hold a token (/oauth/token): wiped once sent */
	if (c->out != NULL)
		sodium_memzero(c->out, c->out_len);
	c->out_len = c->out_off = 0;
	if (c->out_cap > OUT_KEEP) {
		sodium_memzero(c->out, c->out_cap);
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	if (c->obody != NULL) {
		sodium_memzero(c->obody, c->ob_len);
		free(c->obody);
		c->obody = NULL;
	}
	c->ob_len = c->ob_off = 0;
}

int
client_out_pending(const struct client *c)
{
	return c->out_off < c->out_len || c->ob_off < c->ob_len;
}

/* Send what is queued: 1 all of it, 0 the client is not reading (wait
 * for EPOLLOUT), -1 the connection failed. */
int
client_flush(struct client *c)
{
	ssize_t n;

	while (client_out_pending(c)) {
		if ((n = client_send(c)) == CLIENT_AGAIN)
			return 0;
		if (n <= 0)
			return -1;
		out_sent(c, (size_t)n);
	}
	out_reset(c);
	return 1;
}

/* Between requests a connection keeps small buffers only: what a large
 * body or a streamed answer grew is given back (wiped: it may hold a
 * credential). */
void
client_buffers_trim(struct client *c)
{
	if (c->out_cap > OUT_IDLE) {
		sodium_memzero(c->out, c->out_cap);
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	if (c->in_len == 0 && c->in_cap > IN_FIRST) {
		sodium_memzero(c->in, c->in_cap);
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
}

void
client_buffers_free(struct client *c)
{
	if (c->in != NULL) {
		sodium_memzero(c->in, c->in_cap);
		free(c->in);
	}
	if (c->out != NULL) {
		sodium_memzero(c->out, c->out_cap);
		free(c->out);
	}
	if (c->obody != NULL) {
		sodium_memzero(c->obody, c->ob_len);
		free(c->obody);
	}
	c->in = c->out = c->obody = NULL;
	c->in_cap = c->out_cap = c->ob_len = 0;
}
