/* proxy_fwd_head: an upstream answer's head, fed line by line as it
 * comes off the connection. Each case is a head (lines separated by \n, CRLF added)
 * and what must come of it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/proxy_fwd_head.h"

struct head_case {
	const char	*lines;		/* \n between lines; CRLF is added */
	int		 rc;		/* of the last line: 0 or -1 */
	int		 status, done, bad;
	int64_t		 clen;
	int		 chunked;
	const char	*kept;		/* "Name=value;…" in order */
	int		 te, close;
};

static const struct head_case cases[] = {
	{ "HTTP/1.1 200 OK\nContent-Type: application/scim+json\n"
	  "Content-Length: 12\n", 0, 200, 1, 0, 12, 0,
	  "Content-Type=application/scim+json;", 0, 0 },
	/* an interim answer is forgotten, headers and all */
	{ "HTTP/1.1 100 Continue\nX-Early: 1\n\nHTTP/1.1 201 Created\n"
	  "Location: /Users/1\n", 0, 201, 1, 0, -1, 0, "Location=/Users/1;", 0, 0 },
	{ "HTTP/1.1 100 Continue\n", 0, 100, 0, 0, -1, 0, "", 0, 0 },
	{ "HTTP/2 204\n", 0, 204, 1, 0, -1, 0, "", 0, 0 },
	/* hop-by-hop headers and Date never pass; Content-Length is read */
	{ "HTTP/1.1 200 OK\nConnection: keep-alive\nKeep-Alive: timeout=5\n"
	  "Transfer-Encoding: chunked\nDate: Mon, 23 Nov 2026 10:00:00 GMT\n"
	  "ETag: W/\"1\"\nUpgrade: h2c\nTE: trailers\nTrailer: X\n"
	  "Proxy-Authenticate: Basic\n", 0, 200, 1, 0, -1, 1, "ETag=W/\"1\";",
	  1, 0 },
	{ "HTTP/1.1 200 OK\ncontent-length: 5\n", 0, 200, 1, 0, 5, 0, "", 0, 0 },
	/* framing read one way only (RFC 9112 §6.3): a Content-Length
	 * that is not a number, or two that disagree, is no answer */
	{ "HTTP/1.1 200 OK\nContent-Length: -5\n", 0, 200, 0, 1, -1, 0, "", 0, 0 },
	{ "HTTP/1.1 200 OK\nContent-Length: x\n", 0, 200, 0, 1, -1, 0, "", 0, 0 },
	{ "HTTP/1.1 200 OK\nContent-Length: 5x\n", 0, 200, 0, 1, -1, 0, "", 0, 0 },
	{ "HTTP/1.1 200 OK\nContent-Length:\n", 0, 200, 0, 1, -1, 0, "", 0, 0 },
	{ "HTTP/1.1 200 OK\nContent-Length: 99999999999999999999\n", 0, 200,
	  0, 1, -1, 0, "", 0, 0 },
	{ "HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 6\n", 0, 200,
	  0, 1, 5, 0, "", 0, 0 },
	{ "HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 5 \n", 0, 200,
	  1, 0, 5, 0, "", 0, 0 },
	/* the last coding decides whether the body is chunked */
	{ "HTTP/1.1 200 OK\nTransfer-Encoding: gzip, Chunked \n", 0, 200, 1,
	  0, -1, 1, "", 1, 0 },
	{ "HTTP/1.1 200 OK\nTransfer-Encoding: chunked, gzip\n", 0, 200, 1,
	  0, -1, 0, "", 1, 0 },
	{ "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nContent-Length: 3\n",
	  0, 200, 1, 0, 3, 1, "", 1, 0 },
	/* whether the connection closes after the answer */
	{ "HTTP/1.1 200 OK\nConnection: keep-alive, Close\n", 0, 200, 1, 0,
	  -1, 0, "", 0, 1 },
	{ "HTTP/1.1 200 OK\nConnection: closed\n", 0, 200, 1, 0, -1, 0, "",
	  0, 0 },
	{ "HTTP/1.0 200 OK\n", 0, 200, 1, 0, -1, 0, "", 0, 1 },
	{ "HTTP/1.1 100 Continue\nConnection: close\n\nHTTP/1.1 200 OK\n", 0,
	  200, 1, 0, -1, 0, "", 0, 0 },
	/* values lose leading blanks; a line without a name is dropped */
	{ "HTTP/1.1 404 Not Found\nX-A:\t  v w\n: nameless\nfolded-no-colon\n",
	  0, 404, 1, 0, -1, 0, "X-A=v w;", 0, 0 },
	{ "HTTP/1.1 200 OK\nX-Empty:\n", 0, 200, 1, 0, -1, 0, "X-Empty=;", 0, 0 },
	/* a status line keyd cannot read: never done */
	{ "HTTP/1.1 abc\n", 0, 0, 0, 1, -1, 0, "", 0, 0 },
	{ "HTTP/1.1 600 Odd\n", 0, 0, 0, 1, -1, 0, "", 0, 0 },
	{ "HTTP/1.1\n", 0, 0, 0, 1, -1, 0, "", 0, 0 },
	{ "\n", 0, 0, 0, 0, -1, 0, "", 0, 0 },
};

/* Feed LINES to H; the last line's return. The blank line that ends a
 * head is added unless LINES ends at an interim answer's. */
static int
feed(struct fwd_head *h, const char *lines)
{
	char		 buf[FWD_HDR_MAX + 8];
	const char	*p = lines, *nl;
	int		 rc = 0;
	size_t		 n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		snprintf(buf, sizeof(buf), "%.*s\r\n", (int)n, p);
		rc = fwd_head_line(h, buf, strlen(buf));
		p += n + (nl != NULL);
	}
	if (rc == 0 && h->status >= 200)
		rc = fwd_head_line(h, "\r\n", 2);
	return rc;
}

static void
kept(const struct fwd_head *h, char *out, size_t len)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < h->n && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s=%s;", h->name[i],
		    h->value[i]);
}

static void
test_table(void **state)
{
	struct fwd_head	h;
	char		got[1024];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct head_case *c = &cases[i];

		memset(&h, 0, sizeof(h));
		fwd_head_clear(&h);
		if (feed(&h, c->lines) != c->rc || h.status != c->status ||
		    h.done != c->done || h.bad != c->bad || h.clen != c->clen ||
		    h.chunked != c->chunked || h.te != c->te ||
		    h.close != c->close)
			fail_msg("case %zu (%s): rc/status %d done %d bad %d clen "
			    "%lld chunked %d te %d close %d", i, c->lines,
			    h.status, h.done, h.bad, (long long)h.clen, h.chunked,
			    h.te, h.close);
		kept(&h, got, sizeof(got));
		if (strcmp(got, c->kept) != 0)
			fail_msg("case %zu: kept \"%s\", want \"%s\"", i, got,
			    c->kept);
		fwd_head_clear(&h);
		assert_int_equal(h.n, 0);
	}
}

/* Past FWD_HDRS_MAX kept headers the head is bad, and never done. */
static void
test_too_many_headers(void **state)
{
	struct fwd_head	h;
	char		line[64];
	int		i;

	(void)state;
	memset(&h, 0, sizeof(h));
	fwd_head_clear(&h);
	assert_int_equal(fwd_head_line(&h, "HTTP/1.1 200 OK\r\n", 17), 0);
	for (i = 0; i <= FWD_HDRS_MAX; i++) {
		snprintf(line, sizeof(line), "X-%d: v\r\n", i);
		assert_int_equal(fwd_head_line(&h, line, strlen(line)), 0);
	}
	assert_int_equal(h.n, FWD_HDRS_MAX);
	assert_int_equal(h.bad, 1);
	assert_int_equal(fwd_head_line(&h, "\r\n", 2), 0);
	assert_int_equal(h.done, 0);
	fwd_head_clear(&h);
}

/* One line past FWD_HDR_MAX, or a head past FWD_HEAD_MAX, stops it. */
static void
test_bounds(void **state)
{
	struct fwd_head	 h;
	char		*big;
	int		 i, rc = 0;

	(void)state;
	assert_non_null(big = malloc(FWD_HDR_MAX + 2));
	memset(big, 'a', FWD_HDR_MAX + 1);
	memcpy(big, "X: ", 3);
	big[FWD_HDR_MAX + 1] = '\0';
	memset(&h, 0, sizeof(h));
	fwd_head_clear(&h);
	assert_int_equal(fwd_head_line(&h, "HTTP/1.1 200 OK\r\n", 17), 0);
	assert_int_equal(fwd_head_line(&h, big, FWD_HDR_MAX + 1), -1);
	assert_int_equal(h.bad, 1);
	fwd_head_clear(&h);

	/* exactly FWD_HDR_MAX is fine */
	assert_int_equal(fwd_head_line(&h, "HTTP/1.1 200 OK\r\n", 17), 0);
	assert_int_equal(fwd_head_line(&h, big, FWD_HDR_MAX), 0);
	fwd_head_clear(&h);

	/* 9 lines of 8000 bytes: past the 64 KiB head */
	assert_int_equal(fwd_head_line(&h, "HTTP/1.1 200 OK\r\n", 17), 0);
	for (i = 0; i < 9 && rc == 0; i++)
		rc = fwd_head_line(&h, big, 8000);
	assert_int_equal(rc, -1);
	assert_int_equal(i, 9);
	fwd_head_clear(&h);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_too_many_headers),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
