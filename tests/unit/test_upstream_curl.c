/* upstream_curl: upstream_fetch and upstream_test against a one-shot HTTP
 * server on loopback: what they send (the credential, Accept, no
 * redirects), the body they return and its bound, and their errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/loopback.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "keyd/upstream.h"

#define TOKEN	"fetch-token-2b9e7d41c6a05f38"

/* One connection: read the request, send ANSWER whole, close. */
struct server {
	int		 fd;		/* listening */
	int		 port;
	char		*answer;	/* malloc'd */
	size_t		 answer_len;
	char		 req[8192];	/* what arrived, NUL-terminated */
	pthread_t	 th;
};

static void *
serve_one(void *arg)
{
	struct server	*s = arg;
	size_t		 n = 0, off = 0;
	ssize_t		 r;
	int		 c;

	if ((c = accept(s->fd, NULL, NULL)) == -1)
		return NULL;
	while (n < sizeof(s->req) - 1 && (r = read(c, s->req + n,
	    sizeof(s->req) - 1 - n)) > 0) {
		n += (size_t)r;
		s->req[n] = '\0';
		if (strstr(s->req, "\r\n\r\n") != NULL)
			break;
	}
	/* The client may hang up early (a body past its bound): no SIGPIPE. */
	while (off < s->answer_len && (r = send(c, s->answer + off,
	    s->answer_len - off, MSG_NOSIGNAL)) > 0)
		off += (size_t)r;
	close(c);
	return NULL;
}

/* Serve "HTTP/1.1 STATUS" with HEADERS (each ending in CRLF) and a body of
 * BODY_LEN bytes: BODY, or 'x's when BODY is NULL. */
static void
server_start(struct server *s, int status, const char *headers,
    const char *body, size_t body_len)
{
	struct timeval	tv = { 10, 0 };	/* never wait for ever */
	char		head[512];
	int		n;

	memset(s, 0, sizeof(*s));
	assert_true((s->fd = loopback_bind(&s->port)) >= 0);
	assert_int_equal(listen(s->fd, 1), 0);
	assert_int_equal(setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\n%sConnection: "
	    "close\r\n\r\n", status, headers);
	assert_true(n > 0 && (size_t)n < sizeof(head));
	assert_non_null(s->answer = malloc((size_t)n + body_len));
	memcpy(s->answer, head, (size_t)n);
	if (body != NULL)
		memcpy(s->answer + n, body, body_len);
	else
		memset(s->answer + n, 'x', body_len);
	s->answer_len = (size_t)n + body_len;
	assert_int_equal(pthread_create(&s->th, NULL, serve_one, s), 0);
}

static void
server_stop(struct server *s)
{
	pthread_join(s->th, NULL);
	close(s->fd);
	free(s->answer);
}

/* Fetch WHAT from S with MAX; the result in the out parameters. */
static int
fetch(struct server *s, const char *what, size_t max, char **body,
    size_t *len, long *status, char *err, size_t errlen)
{
	struct upstream	u;
	int		rc;

	loopback_upstream(&u, "hr", s->port, TOKEN, 1);
	rc = upstream_fetch(&u, what, max, body, len, status, err, errlen);
	server_stop(s);
	return rc;
}

static void
test_fetch_ok(void **state)
{
	struct server	 s;
	char		*body = NULL, err[512] = "";
	size_t		 len = 0;
	long		 status = 0;

	(void)state;
	server_start(&s, 200, "Content-Type: application/scim+json\r\n"
	    "Content-Length: 10\r\n", "0123456789", 10);
	if (fetch(&s, "Schemas", 10, &body, &len, &status, err,
	    sizeof(err)) != 0)
		fail_msg("fetch: %s", err);
	assert_int_equal(status, 200);
	assert_int_equal(len, 10);
	assert_string_equal(body, "0123456789");	/* NUL-terminated */
	free(body);
	assert_non_null(strstr(s.req, "GET /scim/Schemas HTTP/1.1\r\n"));
	assert_non_null(strstr(s.req, "\r\nAuthorization: Bearer " TOKEN
	    "\r\n"));
	assert_non_null(strstr(s.req, "\r\nAccept: application/scim+json"
	    "\r\n"));
	assert_non_null(strstr(s.req, "\r\nUser-Agent: keyd/"));
}

/* Any status is an answer; a redirect is not followed. */
static void
test_fetch_status(void **state)
{
	struct server	 s;
	char		*body = NULL, err[512] = "";
	size_t		 len = 0;
	long		 status = 0;

	(void)state;
	server_start(&s, 302, "Location: http://127.0.0.1:9/elsewhere\r\n"
	    "Content-Length: 0\r\n", NULL, 0);
	if (fetch(&s, "ResourceTypes", 100, &body, &len, &status, err,
	    sizeof(err)) != 0)
		fail_msg("fetch: %s", err);
	assert_int_equal(status, 302);
	assert_int_equal(len, 0);
	assert_non_null(body);
	assert_string_equal(body, "");
	free(body);

	server_start(&s, 404, "", NULL, 3000);	/* no length: to the close */
	if (fetch(&s, "Schemas", 1 << 20, &body, &len, &status, err,
	    sizeof(err)) != 0)
		fail_msg("fetch: %s", err);
	assert_int_equal(status, 404);
	assert_int_equal(len, 3000);
	assert_int_equal(strlen(body), 3000);
	free(body);
}

/* Exactly MAX bytes is an answer; one more, announced or not, is an
 * error that says the bound. */
static void
test_fetch_bound(void **state)
{
	struct server	 s;
	char		*body = NULL, err[512] = "";
	size_t		 len = 0;
	long		 status = 0;

	(void)state;
	server_start(&s, 200, "Content-Length: 10\r\n", "0123456789", 10);
	assert_int_equal(fetch(&s, "Schemas", 9, &body, &len, &status, err,
	    sizeof(err)), -1);
	assert_null(body);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err, "upstream \"hr\": GET http://127.0.0.1:"));
	assert_non_null(strstr(err, "/scim/Schemas: the answer is larger "
	    "than 9 bytes"));
	assert_null(strstr(err, TOKEN));

	server_start(&s, 200, "", NULL, (1 << 20) + 1);
	assert_int_equal(fetch(&s, "Schemas", 1 << 20, &body, &len, &status,
	    err, sizeof(err)), -1);
	assert_null(body);
	assert_non_null(strstr(err, "larger than 1 MiB"));

	server_start(&s, 200, "", NULL, 1 << 20);
	if (fetch(&s, "Schemas", 1 << 20, &body, &len, &status, err,
	    sizeof(err)) != 0)
		fail_msg("fetch: %s", err);
	assert_int_equal(len, 1 << 20);
	assert_int_equal(body[len], '\0');
	free(body);
}

static void
test_fetch_down(void **state)
{
	struct upstream	 u;
	char		*body = NULL, err[512] = "", what[UPSTREAM_URL_MAX + 300];
	size_t		 len = 0;
	long		 status = -1;
	int		 fd, port = 0;

	(void)state;
	assert_true((fd = loopback_bind(&port)) >= 0);
	loopback_upstream(&u, "hr", port, TOKEN, 1);
	assert_int_equal(upstream_fetch(&u, "Schemas", 100, &body, &len,
	    &status, err, sizeof(err)), -1);
	assert_null(body);
	assert_int_equal(status, 0);
	assert_non_null(strstr(err, "/scim/Schemas failed: cannot connect"));
	assert_null(strstr(err, TOKEN));

	memset(what, 'a', sizeof(what) - 1);
	what[sizeof(what) - 1] = '\0';
	assert_int_equal(upstream_fetch(&u, what, 100, &body, &len, &status,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	close(fd);
}

/* upstream_test goes the same way, with its own Accept, and still
 * reports the status of an answer past its 64 KiB. */
static void
test_test_same_path(void **state)
{
	static const char spc[] = "{\"schemas\":[\"urn:ietf:params:scim:"
	    "schemas:core:2.0:ServiceProviderConfig\"]}";
	struct upstream_test_result	 res;
	struct upstream			 u;
	struct server			 s;
	char				 err[512] = "";

	(void)state;
	server_start(&s, 200, "", spc, strlen(spc));
	loopback_upstream(&u, "hr", s.port, TOKEN, 1);
	if (upstream_test(&u, &res, err, sizeof(err)) != 0)
		fail_msg("test: %s", err);
	server_stop(&s);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.scim, 1);
	assert_non_null(strstr(s.req, "GET /scim/ServiceProviderConfig "));
	assert_non_null(strstr(s.req, "\r\nAccept: application/scim+json, "
	    "application/json\r\n"));
	assert_non_null(strstr(s.req, "\r\nAuthorization: Bearer " TOKEN
	    "\r\n"));

	server_start(&s, 404, "", NULL, 200 * 1024);
	loopback_upstream(&u, "hr", s.port, NULL, 1);
	if (upstream_test(&u, &res, err, sizeof(err)) != 0)
		fail_msg("test: %s", err);
	server_stop(&s);
	assert_int_equal(res.status, 404);
	assert_int_equal(res.scim, 0);
	assert_null(strstr(s.req, "Authorization"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_ok),
		cmocka_unit_test(test_fetch_status),
		cmocka_unit_test(test_fetch_bound),
		cmocka_unit_test(test_fetch_down),
		cmocka_unit_test(test_test_same_path),
	};

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
