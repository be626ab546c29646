/* The request and response every public handler sees, independent of the
 * HTTP library: server.c fills a request from libmicrohttpd and turns the
 * response back into one. */
#ifndef KEYD_HTTP_H
#define KEYD_HTTP_H

#include <stddef.h>

#include <jansson.h>

struct keyd;

struct http_req {
	const char	*method;
	const char	*path;
	const char	*authorization;	/* NULL when absent */
	const char	*content_type;	/* NULL when absent */
	const char	*body;		/* NUL-terminated; may hold NULs */
	size_t		 body_len;
	char		 remote[64];	/* peer address, for logs */
	int		 peer_family;	/* AF_INET, AF_INET6; 0: unknown */
	unsigned char	 peer[16];	/* its address, network order */
	char		 request_id[33];
};

struct http_resp {
	unsigned	 status;
	json_t		*body;		/* owned; NULL: empty body */
	char		 www_authenticate[192];
	int		 no_store;	/* Cache-Control: no-store */
};

typedef void (*http_handler)(struct keyd *k, const struct http_req *req,
    struct http_resp *resp);

/* Set RESP to STATUS with a JSON error body {"error": ERROR,
 * "error_description": DESC} (the OAuth shape, used for every non-SCIM
 * error). DESC may be NULL. Never put a secret in DESC. */
void http_error(struct http_resp *resp, unsigned status, const char *error,
    const char *desc);

/* Set RESP to 200 with BODY (stolen reference). */
void http_json(struct http_resp *resp, json_t *body);

/* The Bearer credential in AUTH ("Bearer x" → x, its length in *LEN), or
 * NULL when AUTH is not a Bearer header. */
const char *http_bearer(const char *auth, size_t *len);

/* Parse "Basic base64(user:pass)" from AUTH into USER and PASS (both
 * form-urlencoding-decoded, RFC 6749 §2.3.1). PASS may hold a secret: the
 * caller wipes it. Returns 1 when AUTH is Basic and well-formed, 0 when it
 * is not Basic, -1 when it is Basic but malformed. */
int http_basic(const char *auth, char *user, size_t userlen, char *pass,
    size_t passlen) __attribute__((warn_unused_result));

#endif
