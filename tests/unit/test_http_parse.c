/* http_parse: a client's request head, strictly (RFC 9112 §2-§7, RFC
 * 9110). Each case is a raw head, CRLFs spelled out, and what must come of
 * it; every case is also found by http_head_end fed one byte at a time.
 * The bounds (request line, header line, header count, head) are tested
 * at the limit and one past it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/http_parse.h"

struct parse_case {
	const char	*head;
	int		 rc;
	const char	*method, *target;
	int		 minor;
	int64_t		 clen;
	int		 chunked, keep_alive, expect;
	const char	*host;		/* NULL: no Host */
	size_t		 nhdrs;
	size_t		 len;		/* of the head; 0: all of it */
	size_t		 raw;		/* bytes of HEAD; 0: strlen, for NULs */
};

#define BAD	HTTP_PARSE_BAD
#define H11	"GET / HTTP/1.1\r\nHost: a\r\n"
#define H10	"GET / HTTP/1.0\r\n"
#define FAIL(s, rc)	{ (s), (rc), NULL, NULL, 0, -1, 0, 0, 0, NULL, 0, 0, 0 }
#define FAILN(s, n, rc)	{ (s), (rc), NULL, NULL, 0, -1, 0, 0, 0, NULL, 0, 0, (n) }
/* HTTP/1.1 GET / with Host: a, the lines X and the blank line */
#define OK11(x, clen, ch, ka, ex, n) { H11 x "\r\n", HTTP_PARSE_OK, "GET", \
	"/", 1, (clen), (ch), (ka), (ex), "a", (n), 0, 0 }
#define F11(x, rc)	FAIL(H11 x "\r\n", rc)
/* HTTP/1.0 GET / without Host */
#define OK10(x, ka, n)	{ H10 x "\r\n", HTTP_PARSE_OK, "GET", "/", 0, -1, \
	0, (ka), 0, NULL, (n), 0, 0 }
#define M32	"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

static const struct parse_case cases[] = {
	/* the plainest heads */
	OK11("", -1, 0, 1, 0, 1),
	OK10("", 0, 0),
	{ H10 "Host: example.com\r\n\r\n", HTTP_PARSE_OK, "GET", "/", 0, -1,
	  0, 0, 0, "example.com", 1, 0, 0 },
	/* request-target forms (RFC 9112 §3.2) */
	{ "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_PARSE_OK, "OPTIONS",
	  "*", 1, -1, 0, 1, 0, "a", 1, 0, 0 },
	/* absolute-form (§3.2.2): the path and query are the target, and the
	 * authority, not the Host header, is the host */
	{ "GET http://example.com/x?y=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
	  HTTP_PARSE_OK, "GET", "/x?y=1", 1, -1, 0, 1, 0,
	  "example.com", 1, 0, 0 },
	{ "GET HTTPS://keyd.example:8443/scim/v2/hr/Users HTTP/1.1\r\n"
	  "Host: other\r\n\r\n",
	  HTTP_PARSE_OK, "GET", "/scim/v2/hr/Users", 1, -1, 0, 1, 0,
	  "keyd.example:8443", 1, 0, 0 },
	{ "GET http://h HTTP/1.1\r\nHost: h\r\n\r\n",
	  HTTP_PARSE_OK, "GET", "/", 1, -1, 0, 1, 0, "h", 1, 0, 0 },
	{ "GET http://h?a=b HTTP/1.1\r\nHost: h\r\n\r\n",
	  HTTP_PARSE_OK, "GET", "/?a=b", 1, -1, 0, 1, 0, "h", 1, 0, 0 },
	{ "GET http://[::1]:80/ HTTP/1.0\r\n\r\n",
	  HTTP_PARSE_OK, "GET", "/", 0, -1, 0, 0, 0, "[::1]:80", 0, 0, 0 },
	{ "GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n",
	  HTTP_PARSE_OK, "GET", "ftp://h/x", 1, -1, 0, 1, 0, "h", 1, 0, 0 },
	FAIL("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", BAD),
	FAIL("GET http://user@h/x HTTP/1.1\r\nHost: h\r\n\r\n", BAD),
	FAIL("GET http://h\"/x HTTP/1.1\r\nHost: h\r\n\r\n", BAD),
	FAIL("GET http://h#f HTTP/1.1\r\nHost: h\r\n\r\n", BAD),
	FAIL("GET http://h/x HTTP/1.1\r\n\r\n", BAD),	/* 1.1 needs Host still */
	{ "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
	  HTTP_PARSE_OK, "CONNECT", "example.com:443", 1, -1, 0, 1, 0,
	  "example.com:443", 1, 0, 0 },
	{ "GET /scim/v2/Users?filter=userName%20eq%20%22a%22 HTTP/1.1\r\n"
	  "Host: a\r\n\r\n", HTTP_PARSE_OK, "GET",
	  "/scim/v2/Users?filter=userName%20eq%20%22a%22", 1, -1, 0, 1, 0, "a",
	  1, 0, 0 },
	{ "M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_PARSE_OK, "M-SEARCH",
	  "*", 1, -1, 0, 1, 0, "a", 1, 0, 0 },
	/* methods are case-sensitive tokens: "get" is another method */
	{ "get / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_PARSE_OK, "get", "/", 1,
	  -1, 0, 1, 0, "a", 1, 0, 0 },
	{ M32 " / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_PARSE_OK, M32, "/", 1, -1,
	  0, 1, 0, "a", 1, 0, 0 },
	FAIL(M32 "6 / HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	/* leading empty lines are skipped (§2.2), a few of them */
	{ "\r\n" H11 "\r\n", HTTP_PARSE_OK, "GET", "/", 1, -1, 0, 1, 0, "a", 1,
	  0, 0 },
	{ "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n" H11 "\r\n", HTTP_PARSE_OK, "GET",
	  "/", 1, -1, 0, 1, 0, "a", 1, 0, 0 },
	FAIL("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n" H11 "\r\n", BAD),
	FAIL("\n" H11 "\r\n", BAD),
	FAIL("\r\n\n" H11 "\r\n", BAD),
	/* the request line: single spaces, a token, visible bytes */
	FAIL("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", BAD),
	FAIL("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET /\tHTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET  HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL(" / HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("G\xc3\x89T / HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET /\r\n\r\n", BAD),
	FAIL("GET\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\n\r\n", BAD),
	/* HTTP-version: exactly "HTTP/" DIGIT "." DIGIT (§2.3) */
	FAIL("GET / HTTP/1.2\r\nHost: a\r\n\r\n", HTTP_PARSE_VERSION),
	FAIL("GET / HTTP/2.0\r\nHost: a\r\n\r\n", HTTP_PARSE_VERSION),
	FAIL("GET / HTTP/3.0\r\n\r\n", HTTP_PARSE_VERSION),
	FAIL("GET / HTTP/0.9\r\n\r\n", HTTP_PARSE_VERSION),
	FAIL("PRI * HTTP/2.0\r\n\r\n", HTTP_PARSE_VERSION),
	FAIL("GET / http/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / Http/1.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTP/1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTP/2\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTP/11.1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.10\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.x\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTP/1,1\r\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTPS/1.1\r\nHost: a\r\n\r\n", BAD),
	/* lines end in CRLF only; no NUL anywhere */
	FAIL("GET / HTTP/1.1\nHost: a\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nHost: a\n\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", BAD),
	FAIL(H11 "X: a\rb\r\n\r\n", BAD),
	FAILN(H11 "X: a\0b\r\n\r\n", sizeof(H11 "X: a\0b\r\n\r\n") - 1, BAD),
	FAILN(H11 "X\0: b\r\n\r\n", sizeof(H11 "X\0: b\r\n\r\n") - 1, BAD),
	FAILN("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n",
	    sizeof("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n") - 1, BAD),
	FAILN("\0GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    sizeof("\0GET / HTTP/1.1\r\nHost: a\r\n\r\n") - 1, BAD),
	/* header lines (RFC 9112 §5) */
	OK11("X-Empty:\r\n", -1, 0, 1, 0, 2),
	OK11("X-Empty:   \t\r\n", -1, 0, 1, 0, 2),
	OK11("X: caf\xc3\xa9\r\n", -1, 0, 1, 0, 2),
	OK11("X: a\tb  c\r\n", -1, 0, 1, 0, 2),
	OK11("X-A: 1\r\nx-a: 2\r\nX-A: 3\r\n", -1, 0, 1, 0, 4),
	OK11("!#$%&'*+-.^_`|~09azAZ: v\r\n", -1, 0, 1, 0, 2),
	F11("Host : a\r\n", BAD),
	F11("X-A\t: 1\r\n", BAD),
	F11("X-A 1\r\n", BAD),
	F11(": nameless\r\n", BAD),
	F11("X@Y: 1\r\n", BAD),
	F11("X\"Y: 1\r\n", BAD),
	F11("X: a\x01" "b\r\n", BAD),
	F11("X: a\x7f" "b\r\n", BAD),
	F11("X: a\x1b[0m\r\n", BAD),
	/* obs-fold (§5.2) */
	F11("X: a\r\n b\r\n", BAD),
	F11("X: a\r\n\tb\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\n Host: a\r\n\r\n", BAD),
	/* Host (§3.2) */
	FAIL("GET / HTTP/1.1\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", BAD),
	F11("Host: a\r\n", BAD),
	F11("Host: b\r\n", BAD),
	FAIL(H10 "Host: a\r\nHost: a\r\n\r\n", BAD),
	{ "GET / HTTP/1.1\r\nHost:\r\n\r\n", HTTP_PARSE_OK, "GET", "/", 1, -1,
	  0, 1, 0, "", 1, 0, 0 },
	{ "GET / HTTP/1.1\r\nHOST: [::1]:8080\r\n\r\n", HTTP_PARSE_OK, "GET",
	  "/", 1, -1, 0, 1, 0, "[::1]:8080", 1, 0, 0 },
	{ "GET / HTTP/1.1\r\nhost:  Keyd.Example_1~x  \r\n\r\n", HTTP_PARSE_OK,
	  "GET", "/", 1, -1, 0, 1, 0, "Keyd.Example_1~x", 1, 0, 0 },
	{ "GET / HTTP/1.1\r\nHost: 10.0.0.1%25eth0!$&'()*+,;=\r\n\r\n",
	  HTTP_PARSE_OK, "GET", "/", 1, -1, 0, 1, 0,
	  "10.0.0.1%25eth0!$&'()*+,;=", 1, 0, 0 },
	FAIL("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nHost: a\"\r\n\r\n", BAD),
	FAIL("GET / HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n", BAD),
	/* Content-Length (RFC 9110 §8.6) */
	OK11("Content-Length: 5\r\n", 5, 0, 1, 0, 2),
	OK11("content-length: 0\r\n", 0, 0, 1, 0, 2),
	OK11("Content-Length:  5 \t\r\n", 5, 0, 1, 0, 2),
	OK11("Content-Length: 5, 5\r\n", 5, 0, 1, 0, 2),
	OK11("Content-Length: 5\r\nContent-Length: 5\r\n", 5, 0, 1, 0, 3),
	OK11("Content-Length: 999999999999999999\r\n", 999999999999999999LL, 0,
	    1, 0, 2),
	OK11("Content-Length: 000000000000000007\r\n", 7, 0, 1, 0, 2),
	F11("Content-Length: 5\r\nContent-Length: 6\r\n", BAD),
	F11("Content-Length: 5, 6\r\n", BAD),
	F11("Content-Length: 5,\r\n", BAD),
	F11("Content-Length: ,5\r\n", BAD),
	F11("Content-Length: +5\r\n", BAD),
	F11("Content-Length: -5\r\n", BAD),
	F11("Content-Length: 0x5\r\n", BAD),
	F11("Content-Length: 5 5\r\n", BAD),
	F11("Content-Length: 5.0\r\n", BAD),
	F11("Content-Length: 5e3\r\n", BAD),
	F11("Content-Length:\r\n", BAD),
	F11("Content-Length: 1000000000000000000\r\n", BAD),
	F11("Content-Length: 99999999999999999999999\r\n", BAD),
	F11("Content-Length : 5\r\n", BAD),
	/* Transfer-Encoding (RFC 9112 §6.1, §7) */
	OK11("Transfer-Encoding: chunked\r\n", -1, 1, 1, 0, 2),
	OK11("transfer-encoding: Chunked\r\n", -1, 1, 1, 0, 2),
	OK11("Transfer-Encoding:\tCHUNKED\t\r\n", -1, 1, 1, 0, 2),
	OK11("Transfer-Encoding: chunked,\r\n", -1, 1, 1, 0, 2),
	OK11("Transfer-Encoding: , chunked , \r\n", -1, 1, 1, 0, 2),
	F11("Transfer-Encoding: gzip, chunked\r\n", HTTP_PARSE_CODING),
	F11("Transfer-Encoding: chunked, gzip\r\n", HTTP_PARSE_CODING),
	F11("Transfer-Encoding: gzip\r\n", HTTP_PARSE_CODING),
	F11("Transfer-Encoding: identity\r\n", HTTP_PARSE_CODING),
	F11("Transfer-Encoding: xchunked\r\n", HTTP_PARSE_CODING),
	F11("Transfer-Encoding: chunkedx\r\n", HTTP_PARSE_CODING),
	F11("Transfer-Encoding: chunked;q=1\r\n", HTTP_PARSE_CODING),
	F11("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
	    HTTP_PARSE_CODING),
	F11("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
	    HTTP_PARSE_CODING),
	F11("Transfer-Encoding: chunked, chunked\r\n", BAD),
	F11("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
	    BAD),
	F11("Transfer-Encoding:\r\n", BAD),
	F11("Transfer-Encoding: ,\r\n", BAD),
	F11("Transfer-Encoding: \"chunked\"\r\n", BAD),
	F11("Transfer-Encoding: chunked x\r\n", BAD),
	F11("Transfer-Encoding: chu nked\r\n", BAD),
	F11("Transfer-Encoding: \x0b" "chunked\r\n", BAD),
	F11("Transfer-Encoding : chunked\r\n", BAD),
	F11("Transfer-Encoding\t: chunked\r\n", BAD),
	F11("X: 1\r\n Transfer-Encoding: chunked\r\n", BAD),
	F11("Transfer-Encoding:\r\n chunked\r\n", BAD),
	/* a name that only looks alike is another header */
	OK11("Transfer_Encoding: chunked\r\n", -1, 0, 1, 0, 2),
	OK11("X-Transfer-Encoding: chunked\r\n", -1, 0, 1, 0, 2),
	/* framing read two ways is refused (CL.TE, TE.CL, §6.3) */
	F11("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", BAD),
	F11("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n", BAD),
	F11("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", BAD),
	F11("Transfer-Encoding: gzip\r\nContent-Length: 6\r\n", BAD),
	FAIL(H10 "Transfer-Encoding: chunked\r\n\r\n", BAD),
	/* Connection (RFC 9112 §9.3) */
	OK11("Connection: close\r\n", -1, 0, 0, 0, 2),
	OK11("Connection: CLOSE\r\n", -1, 0, 0, 0, 2),
	OK11("Connection: keep-alive, Upgrade\r\n", -1, 0, 1, 0, 2),
	OK11("Connection: closed\r\n", -1, 0, 1, 0, 2),
	OK11("Connection: , close ,\r\n", -1, 0, 0, 0, 2),
	OK11("Connection: x\r\nConnection: close\r\n", -1, 0, 0, 0, 3),
	OK10("Connection: keep-alive\r\n", 1, 1),
	OK10("Connection: Keep-Alive\r\n", 1, 1),
	OK10("Connection: keep-alive, close\r\n", 0, 1),
	OK10("Connection: x-keep-alive\r\n", 0, 1),
	/* Expect (RFC 9110 §10.1.1) */
	OK11("Expect: 100-continue\r\n", -1, 0, 1, 1, 2),
	OK11("Expect: 100-Continue\r\n", -1, 0, 1, 1, 2),
	OK11("Expect: 200-ok\r\n", -1, 0, 1, 0, 2),
	OK11("Expect: 100-continue, x\r\n", -1, 0, 1, 0, 2),
	OK11("Expect:\r\n", -1, 0, 1, 0, 2),
	OK10("Expect: 100-continue\r\n", 0, 1),
	/* a POST as a client sends it */
	{ "POST /oauth/token HTTP/1.1\r\nHost: keyd.example:8443\r\n"
	  "User-Agent: curl/8.5.0\r\nAccept: */*\r\n"
	  "Content-Type: application/x-www-form-urlencoded\r\n"
	  "Content-Length: 29\r\nExpect: 100-continue\r\n\r\n", HTTP_PARSE_OK,
	  "POST", "/oauth/token", 1, 29, 0, 1, 1, "keyd.example:8443", 6, 0,
	  0 },
	/* the head ends at the first blank line: what follows is body */
	{ H11 "\r\nGET /x HTTP/1.1\r\n\r\n", HTTP_PARSE_OK, "GET", "/", 1, -1,
	  0, 1, 0, "a", 1, sizeof(H11 "\r\n") - 1, 0 },
	/* not there yet */
	FAIL("", HTTP_PARSE_MORE),
	FAIL("\r\n\r\n", HTTP_PARSE_MORE),
	FAIL(H11, HTTP_PARSE_MORE),
	FAIL(H11 "\r", HTTP_PARSE_MORE),
	FAIL("GET / HTTP/1.1\n\n", HTTP_PARSE_MORE),
};

static const char *
str_or_null(const char *s)
{
	return s != NULL ? s : "(null)";
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The end of BUF fed one byte at a time. */
static size_t
end_bytewise(const char *buf, size_t n)
{
	size_t k, scan = 0, end = 0;

	for (k = 0; k <= n && end == 0; k++)
		end = http_head_end(buf, k, &scan);
	return end;
}

static void
check_case(size_t i, const struct parse_case *c)
{
	struct http_head	 h;
	size_t			 n = c->raw != 0 ? c->raw : strlen(c->head);
	size_t			 scan = 0, end, want = c->len != 0 ? c->len : n;
	char			*buf;
	int			 rc;

	assert_non_null(buf = malloc(n + 1));
	memcpy(buf, c->head, n);
	end = http_head_end(buf, n, &scan);
	if (end != end_bytewise(buf, n))
		fail_msg("case %zu: end %zu whole, %zu byte by byte", i, end,
		    end_bytewise(buf, n));
	if (c->rc == HTTP_PARSE_MORE ? end != 0 : end == 0)
		fail_msg("case %zu: end %zu", i, end);
	if ((rc = http_head_parse(buf, n, &h)) != c->rc)
		fail_msg("case %zu (%s): rc %d (%s), want %d", i, c->head, rc,
		    http_parse_strerror(rc), c->rc);
	if (rc == HTTP_PARSE_OK && (!str_eq(h.method, c->method) ||
	    !str_eq(h.target, c->target) || h.target_len != strlen(c->target) ||
	    h.minor != c->minor || h.clen != c->clen ||
	    h.chunked != c->chunked || h.keep_alive != c->keep_alive ||
	    h.expect_continue != c->expect || !str_eq(h.host, c->host) ||
	    h.hdrs.n != c->nhdrs || h.len != want || end != want))
		fail_msg("case %zu (%s): %s %s 1.%d clen %lld chunked %d ka %d "
		    "expect %d host %s hdrs %zu len %zu", i, c->head,
		    str_or_null(h.method), str_or_null(h.target), h.minor,
		    (long long)h.clen, h.chunked, h.keep_alive,
		    h.expect_continue, str_or_null(h.host), h.hdrs.n, h.len);
	free(buf);
}

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(i, &cases[i]);
	print_message("http_parse: %zu table cases\n", i);
}

/* Every line is kept, in order, names as sent, values trimmed. */
static void
test_hdrs(void **state)
{
	char			 buf[] = "POST /x HTTP/1.1\r\nhOsT: a:1\r\n"
	    "X-A:  one two \t\r\nx-a:\r\nContent-Length: 2\r\n\r\nhi";
	struct http_head	 h;

	(void)state;
	assert_int_equal(http_head_parse(buf, sizeof(buf) - 1, &h),
	    HTTP_PARSE_OK);
	assert_int_equal(h.hdrs.n, 4);
	assert_string_equal(h.hdrs.name[0], "hOsT");
	assert_string_equal(h.hdrs.value[0], "a:1");
	assert_string_equal(h.hdrs.name[1], "X-A");
	assert_string_equal(h.hdrs.value[1], "one two");
	assert_string_equal(h.hdrs.name[2], "x-a");
	assert_string_equal(h.hdrs.value[2], "");
	assert_string_equal(h.hdrs.name[3], "Content-Length");
	assert_string_equal(h.hdrs.value[3], "2");
	assert_ptr_equal(h.host, h.hdrs.value[0]);
	assert_int_equal(h.clen, 2);
	/* the body is left as it came */
	assert_int_equal(h.len, sizeof(buf) - 3);
	assert_memory_equal(buf + h.len, "hi", 2);
}

/* A head and its body in one read: LEN points at the body. */
static void
test_body_after(void **state)
{
	char			 buf[] = "\r\nPOST /t HTTP/1.1\r\nHost: k\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
	char			 copy[sizeof(buf)];
	struct http_head	 h;
	size_t			 scan = 0, end;

	(void)state;
	memcpy(copy, buf, sizeof(buf));
	end = http_head_end(buf, sizeof(buf) - 1, &scan);
	assert_int_equal(end, strstr(buf, "5\r\n") - buf);
	assert_int_equal(http_head_parse(buf, sizeof(buf) - 1, &h),
	    HTTP_PARSE_OK);
	assert_int_equal(h.len, end);
	assert_int_equal(h.chunked, 1);
	assert_int_equal(h.clen, -1);
	assert_memory_equal(buf + h.len, "5\r\nhello\r\n0\r\n\r\n", 15);
	/* parsing only the head's bytes says the same (a fresh copy: the
	 * first parse wrote NULs into BUF) */
	assert_int_equal(http_head_parse(copy, end, &h), HTTP_PARSE_OK);
	assert_int_equal(h.len, end);
	assert_string_equal(h.target, "/t");
}

/* The same end however the head arrives, and SCAN moves forward. */
static void
test_end_pieces(void **state)
{
	const char	*head = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n"
	    "\r\n\r\nbody";
	size_t		 n = strlen(head), piece, k, scan, end, want, last;

	(void)state;
	want = strstr(head, "body") - head - 4;
	for (piece = 1; piece <= n; piece++) {
		scan = 0;
		last = 0;
		end = 0;
		for (k = piece; end == 0; k += piece) {
			end = http_head_end(head, k < n ? k : n, &scan);
			assert_true(end != 0 || scan >= last);
			last = scan;
		}
		assert_int_equal(end, want);
	}
	/* leading empty lines alone are no head */
	scan = 0;
	assert_int_equal(http_head_end("\r\n\r\n\r\n", 6, &scan), 0);
	scan = 0;
	assert_int_equal(http_head_end("\r\n\r\n\r\nG\r\n\r\n", 11, &scan),
	    11);
	/* past HTTP_LEAD_MAX empty lines the next is an empty request line */
	scan = 0;
	assert_int_equal(http_head_end("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n",
	    20, &scan), 20);
}

/* Fill BUF with "GET /<target> HTTP/1.1" where the line is N bytes, the
 * target all 'a' after its slash; returns the target's length. */
static size_t
reqline(char *buf, size_t n)
{
	size_t t = n - strlen("GET  HTTP/1.1");

	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', t - 1);
	memcpy(buf + 4 + t, " HTTP/1.1", 9);
	return t;
}

/* The request line up to HTTP_REQLINE_MAX, the target past HTTP_URI_MAX
 * (the server answers 414 itself from target_len), then URI_LONG. */
static void
test_uri_bound(void **state)
{
	struct http_head	 h;
	char			*buf;
	const char		*tail = "\r\nHost: a\r\n\r\n";
	size_t			 n, t;
	const size_t		 sizes[] = { HTTP_URI_MAX + 13,
	    HTTP_URI_MAX + 14, HTTP_REQLINE_MAX, HTTP_REQLINE_MAX + 1 };
	int			 i;

	(void)state;
	assert_non_null(buf = malloc(HTTP_REQLINE_MAX + 64));
	for (i = 0; i < 4; i++) {
		n = sizes[i];
		t = reqline(buf, n);
		memcpy(buf + n, tail, strlen(tail));
		assert_int_equal(http_head_check(buf, n),
		    i == 3 ? HTTP_PARSE_URI_LONG : HTTP_PARSE_MORE);
		assert_int_equal(http_head_check(buf, n + 1),
		    i == 3 ? HTTP_PARSE_URI_LONG : HTTP_PARSE_MORE);
		if (i == 3) {
			assert_int_equal(http_head_parse(buf,
			    n + strlen(tail), &h), HTTP_PARSE_URI_LONG);
			continue;
		}
		assert_int_equal(http_head_parse(buf, n + strlen(tail), &h),
		    HTTP_PARSE_OK);
		assert_int_equal(h.target_len, t);
		assert_int_equal(strlen(h.target), t);
	}
	assert_int_equal(reqline(buf, HTTP_URI_MAX + 13), HTTP_URI_MAX);
	/* partial first lines */
	assert_int_equal(http_head_check("", 0), HTTP_PARSE_MORE);
	assert_int_equal(http_head_check("GET / HT", 8), HTTP_PARSE_MORE);
	memset(buf, 'a', HTTP_REQLINE_MAX + 1);
	assert_int_equal(http_head_check(buf, HTTP_REQLINE_MAX),
	    HTTP_PARSE_MORE);
	buf[HTTP_REQLINE_MAX] = '\r';
	assert_int_equal(http_head_check(buf, HTTP_REQLINE_MAX + 1),
	    HTTP_PARSE_MORE);
	buf[HTTP_REQLINE_MAX] = 'a';
	assert_int_equal(http_head_check(buf, HTTP_REQLINE_MAX + 1),
	    HTTP_PARSE_URI_LONG);
	free(buf);
}

/* Up to HTTP_HDRS_MAX header lines, Host among them. */
static void
test_hdrs_max(void **state)
{
	struct http_head	 h;
	char			 buf[4096];
	size_t			 o;
	int			 i, total;

	(void)state;
	for (total = HTTP_HDRS_MAX; total <= HTTP_HDRS_MAX + 1; total++) {
		o = (size_t)snprintf(buf, sizeof(buf), H11);
		for (i = 1; i < total; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			    "X-%d: %d\r\n", i, i);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\r\n");
		assert_true(o < sizeof(buf));
		assert_int_equal(http_head_parse(buf, o, &h),
		    total == HTTP_HDRS_MAX ? HTTP_PARSE_OK :
		    HTTP_PARSE_TOO_LARGE);
		if (total == HTTP_HDRS_MAX) {
			assert_int_equal(h.hdrs.n, HTTP_HDRS_MAX);
			assert_string_equal(h.hdrs.value[HTTP_HDRS_MAX - 1],
			    "63");
		}
	}
}

/* A header line up to HTTP_FIELD_LINE_MAX bytes, then TOO_LARGE. */
static void
test_field_line_bound(void **state)
{
	struct http_head	 h;
	char			*buf;
	size_t			 o, n;

	(void)state;
	assert_non_null(buf = malloc(HTTP_FIELD_LINE_MAX + 64));
	for (n = HTTP_FIELD_LINE_MAX; n <= HTTP_FIELD_LINE_MAX + 1; n++) {
		o = strlen(H11);
		memcpy(buf, H11, o);
		memcpy(buf + o, "X: ", 3);
		memset(buf + o + 3, 'v', n - 3);
		o += n;
		assert_int_equal(http_head_check(buf, o),
		    n == HTTP_FIELD_LINE_MAX ? HTTP_PARSE_MORE :
		    HTTP_PARSE_TOO_LARGE);
		memcpy(buf + o, "\r", 1);
		assert_int_equal(http_head_check(buf, o + 1),
		    n == HTTP_FIELD_LINE_MAX ? HTTP_PARSE_MORE :
		    HTTP_PARSE_TOO_LARGE);
		memcpy(buf + o, "\r\n\r\n", 4);
		if (n > HTTP_FIELD_LINE_MAX) {
			assert_int_equal(http_head_parse(buf, o + 4, &h),
			    HTTP_PARSE_TOO_LARGE);
			continue;
		}
		assert_int_equal(http_head_parse(buf, o + 4, &h),
		    HTTP_PARSE_OK);
		assert_int_equal(strlen(h.hdrs.value[1]), n - 3);
	}
	free(buf);
}

/* A head of exactly TOTAL bytes in BUF: H11, filler lines, blank line. */
static void
make_head(char *buf, size_t total)
{
	size_t	o = strlen(H11), left = total - o - 2, line;
	int	i;

	memcpy(buf, H11, o);
	for (i = 0; left > 0; i++) {
		line = left >= 1200 ? 600 : left > 600 ? left / 2 : left;
		memcpy(buf + o, "X00: ", 5);
		buf[o + 1] = (char)('0' + i / 10 % 10);
		buf[o + 2] = (char)('0' + i % 10);
		memset(buf + o + 5, 'v', line - 7);
		memcpy(buf + o + line - 2, "\r\n", 2);
		o += line;
		left -= line;
	}
	memcpy(buf + o, "\r\n", 2);
}

/* The whole head up to HTTP_HEAD_MAX, blank line included. */
static void
test_head_max(void **state)
{
	struct http_head	 h;
	char			*buf;
	size_t			 scan = 0;

	(void)state;
	assert_non_null(buf = malloc(HTTP_HEAD_MAX + 2));
	make_head(buf, HTTP_HEAD_MAX);
	assert_int_equal(http_head_end(buf, HTTP_HEAD_MAX, &scan),
	    HTTP_HEAD_MAX);
	assert_int_equal(http_head_check(buf, HTTP_HEAD_MAX - 2),
	    HTTP_PARSE_MORE);
	assert_int_equal(http_head_parse(buf, HTTP_HEAD_MAX, &h),
	    HTTP_PARSE_OK);
	assert_int_equal(h.len, HTTP_HEAD_MAX);
	assert_true(h.hdrs.n <= HTTP_HDRS_MAX);

	make_head(buf, HTTP_HEAD_MAX + 1);
	scan = 0;
	assert_int_equal(http_head_end(buf, HTTP_HEAD_MAX + 1, &scan),
	    HTTP_HEAD_MAX + 1);
	assert_int_equal(http_head_parse(buf, HTTP_HEAD_MAX + 1, &h),
	    HTTP_PARSE_TOO_LARGE);
	/* before its end has come */
	assert_int_equal(http_head_check(buf, HTTP_HEAD_MAX),
	    HTTP_PARSE_MORE);
	buf[HTTP_HEAD_MAX - 1] = 'v';
	assert_int_equal(http_head_check(buf, HTTP_HEAD_MAX + 1),
	    HTTP_PARSE_TOO_LARGE);
	assert_int_equal(http_head_parse(buf, HTTP_HEAD_MAX + 1, &h),
	    HTTP_PARSE_TOO_LARGE);
	free(buf);
}

static void
test_strerror(void **state)
{
	int rc;

	(void)state;
	for (rc = HTTP_PARSE_OK; rc <= HTTP_PARSE_CODING; rc++)
		assert_non_null(http_parse_strerror(rc));
	assert_string_equal(http_parse_strerror(HTTP_PARSE_BAD),
	    "malformed request head");
	assert_non_null(http_parse_strerror(-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_hdrs),
		cmocka_unit_test(test_body_after),
		cmocka_unit_test(test_end_pieces),
		cmocka_unit_test(test_uri_bound),
		cmocka_unit_test(test_hdrs_max),
		cmocka_unit_test(test_field_line_bound),
		cmocka_unit_test(test_head_max),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
