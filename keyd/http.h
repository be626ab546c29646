/* The request and response every public handler sees, independent of the
 * wire: server.c fills a request from a parsed head (keyd/http_parse.h)
 * and writes the response out. */
#ifndef KEYD_HTTP_H
#define KEYD_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct keyd;
struct audit_http;

#define HTTP_HDRS_MAX	64	/* request headers kept, response headers set */
#define HTTP_URI_MAX	8192	/* bytes of a request target */

/* Header lines: names and values. In a request they are borrowed from the
 * HTTP library for the handler's call; in a response they are owned. */
struct http_hdrs {
	size_t		 n;
	const char	*name[HTTP_HDRS_MAX];
	const char	*value[HTTP_HDRS_MAX];
};

struct http_req {
	const char	*method;
	const char	*path;		/* as sent: still percent-encoded */
	const char	*query;		/* as sent, without '?'; NULL: none */
	struct http_hdrs hdrs;		/* every request header, in order */
	const char	*authorization;	/* NULL when absent */
	const char	*content_type;	/* NULL when absent */
	const char	*host;		/* the target's authority, else Host; NULL: none */
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
	char		*raw;		/* owned bytes instead of BODY */
	size_t		 raw_len;
	const char	*content_type;	/* static; NULL: application/json */
	char		 www_authenticate[192];
	char		 retry_after[16];
	int		 no_store;	/* Cache-Control: no-store */
	struct http_hdrs hdrs;		/* more headers: strings owned */
	/* The request's audit record, borrowed: handlers fill it in and
	 * write it ahead of an effect (keyd/audit_http.h). */
	struct audit_http *audit;
};

typedef void (*http_handler)(struct keyd *k, const struct http_req *req,
    struct http_resp *resp);

/* Set RESP to STATUS with a JSON error body {"error": ERROR,
 * "error_description": DESC} (the OAuth shape, used for every non-SCIM
 * error). DESC may be NULL. Never put a secret in DESC. */
void http_error(struct http_resp *resp, unsigned status, const char *error,
    const char *desc);

/* Set RESP to STATUS with a SCIM Error body (RFC 7644 §3.12): schemas,
 * status as a string, scimType when SCIM_TYPE is not NULL, and DETAIL
 * formatted from FMT. Never put a secret or personal data in DETAIL. */
void http_scim_error(struct http_resp *resp, unsigned status,
    const char *scim_type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Add the header NAME: VALUE to RESP (both copied). -1 when full or out
 * of memory. */
int http_header_add(struct http_resp *resp, const char *name,
    const char *value);

/* 1 when NAME (LEN bytes) is a hop-by-hop header (RFC 9110 §7.6.1:
 * Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding,
 * Upgrade), which a proxy never passes on in either direction. */
int http_hop_by_hop(const char *name, size_t len);

/* The reason phrase of STATUS (RFC 9110 §15), "" for one keyd does
 * not know. Static. */
const char *http_reason(unsigned status);

/* The value of request header NAME (case-insensitive), or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);

/* Free what RESP owns (body, raw bytes, headers) and zero it; the
 * borrowed audit record stays. */
void http_resp_clear(struct http_resp *resp);

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
