/* Upstreams: the SCIM services keyd protects (docs/upstreams.md).
 *
 * The registry holds every upstream in memory, loaded from the store at
 * start and changed by the admin ops (upstream.add, upstream.remove). Each
 * upstream's credential (a bearer token, or the key of a client
 * certificate) is opened once, into sodium_malloc'd memory, and stays there
 * until the upstream is removed and the last reference to it is released.
 *
 * The proxy, per request:
 *
 *	struct upstream *up;
 *	if (upstream_get(k->upstreams, name, &up) != 0)  -> 404
 *	curl_easy_setopt(h, CURLOPT_URL, <up->url + path>);
 *	if (upstream_curl_apply(h, up, &hdrs, err, sizeof(err)) == -1) ...
 *	... perform ...
 *	upstream_headers_free(&hdrs);	(wipes the Authorization header)
 *	upstream_release(&up);		(not before curl is done with it)
 *
 * Entries are immutable while referenced: an upstream removed meanwhile
 * stays valid for whoever holds it, and is wiped and freed on its last
 * release. Every function here is safe to call from any thread. */
#ifndef KEYD_UPSTREAM_H
#define KEYD_UPSTREAM_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "keyd/store.h"

#define UPSTREAM_NAME_MAX	STORE_NAME_MAX	/* [A-Za-z0-9._-]{1,64} */
#define UPSTREAM_URL_MAX	STORE_URL_MAX
#define UPSTREAM_PIN_MAX	STORE_PIN_MAX
#define UPSTREAM_PINS_MAX	8	/* sha256// pins in one --pin */
#define UPSTREAM_MAX		256	/* upstreams one keyd holds */
#define UPSTREAM_BEARER_MAX	4096	/* bytes of a bearer token */
#define UPSTREAM_PEM_MAX	(64 * 1024)	/* a CA bundle, cert or key */
#define UPSTREAM_TIMEOUT_DEFAULT_MS	10000
#define UPSTREAM_TIMEOUT_MAX_MS		300000
#define UPSTREAM_TEST_TIMEOUT_MAX_MS	20000	/* keyctl waits 30 s */
#define UPSTREAM_ERR_MAX	512

#define UPSTREAM_NOTFOUND	1
#define UPSTREAM_EXISTS		2

#define UPSTREAM_WUR __attribute__((warn_unused_result))

struct keyring;
struct store;
struct upstream_reg;
struct upstream_files;

/* One upstream, as the proxy uses it. Read-only for callers. */
struct upstream {
	char			 name[UPSTREAM_NAME_MAX + 1];
	char			 url[UPSTREAM_URL_MAX + 1]; /* no trailing '/' */
	enum upstream_auth	 auth;
	int64_t			 timeout_ms;	/* whole exchange */
	const char		*ca_pem;	/* NULL: the system's CAs */
	const char		*client_cert_pem; /* UPSTREAM_AUTH_MTLS only */
	char			 pin[UPSTREAM_PIN_MAX + 1]; /* "" when none */
	int64_t			 cred_version;
	int64_t			 created_at;
	/* Unique to this entry for the life of the process: a removed and
	 * re-added upstream gets a new one. (The CA, client certificate and
	 * key reach libcurl as "/proc/self/fd/N" paths that are never reused,
	 * so libcurl's shared pool never hands one entry's TLS connection or
	 * session to another.) */
	uint64_t		 generation;
	/* The credential in clear, NUL-terminated, in sodium_malloc'd
	 * memory: the bearer token (BEARER) or the client key PEM (MTLS);
	 * NULL for NONE. Never log it, copy it out, or put it in an error. */
	const char		*secret;
	size_t			 secret_len;
	/* Private to upstream*.c. */
	int			 refs;
	struct upstream_files	*files;
};

/* What upstream.add was given. Strings are borrowed; BEARER and
 * CLIENT_KEY are the credential in clear (the caller wipes them). NULL
 * means not given. */
struct upstream_spec {
	const char	*name;
	const char	*url;
	const char	*bearer;	/* as read from the file */
	size_t		 bearer_len;
	const char	*client_cert;	/* PEM */
	const char	*client_key;	/* PEM, unencrypted */
	size_t		 client_key_len;
	const char	*ca;		/* PEM */
	const char	*pin;		/* "sha256//BASE64[;sha256//...]" */
	const char	*timeout;	/* a duration, "10s" */
};

/* What upstream_test saw. */
struct upstream_test_result {
	char	url[UPSTREAM_URL_MAX + 32];	/* what was fetched */
	long	status;				/* the HTTP status */
	int64_t	latency_us;			/* request sent to answer read */
	int	scim;				/* the body is a ServiceProviderConfig */
};

/* --- the registry ------------------------------------------------------ */

/* An empty registry in *REG (free with upstream_reg_free); initialises
 * libcurl once. Returns 0, or -1 when memory runs out. */
int upstream_reg_new(struct upstream_reg **reg) UPSTREAM_WUR;

/* Drop the registry's references and free it. Entries still held by
 * callers live until their upstream_release. Sets *REG to NULL. */
void upstream_reg_free(struct upstream_reg **reg);

/* Load every upstream in ST, opening each credential with KR. -1 with ERR
 * naming the upstream when a row does not open (altered, or from another
 * store) or memory runs out; the registry is then left empty. */
int upstream_reg_load(struct upstream_reg *reg, struct store *st,
    const struct keyring *kr, char *err, size_t errlen) UPSTREAM_WUR;

/* How many upstreams REG holds. */
size_t upstream_reg_count(struct upstream_reg *reg);

/* Look NAME up: 0 with *UP a reference the caller must give back with
 * upstream_release, or UPSTREAM_NOTFOUND with *UP NULL. */
int upstream_get(struct upstream_reg *reg, const char *name,
    struct upstream **up) UPSTREAM_WUR;

/* Give back a reference from upstream_get; the last one wipes and frees
 * the entry. Sets *UP to NULL; NULL and *UP == NULL are no-ops. */
void upstream_release(struct upstream **up);

/* Validate SPEC, seal its credential with KR (AD: "upstreams", NAME,
 * "bearer" or "client_key"), store it and add it to REG. On 0, *OUT (may be
 * NULL) holds the stored row without its sealed credential. Returns
 * UPSTREAM_EXISTS when the name is taken, -1 with ERR on anything else;
 * ERR never holds the credential. */
int upstream_add(struct upstream_reg *reg, struct store *st,
    const struct keyring *kr, const struct upstream_spec *spec,
    struct upstream_rec *out, char *err, size_t errlen) UPSTREAM_WUR;

/* Delete NAME from the store and the registry. UPSTREAM_NOTFOUND when
 * there is none, -1 with ERR on a store error. */
int upstream_remove(struct upstream_reg *reg, struct store *st,
    const char *name, char *err, size_t errlen) UPSTREAM_WUR;

/* --- talking to an upstream (libcurl) --------------------------------- */

/* Set up H to talk to UP: http and https only, no redirects, UP's timeout,
 * TLS verification with UP's CA (or the system's), pin and client
 * certificate, and UP's credential as an "Authorization: Bearer" header
 * appended to *HEADERS (create it empty: NULL), which the caller installs
 * with CURLOPT_HTTPHEADER and frees with upstream_headers_free. Sets no
 * URL. H must be fresh (curl_easy_init or curl_easy_reset): options UP
 * does not use are left alone, not cleared. UP must stay referenced until
 * H is done. Returns 0 or -1 with ERR. */
int upstream_curl_apply(CURL *h, const struct upstream *up,
    struct curl_slist **headers, char *err, size_t errlen) UPSTREAM_WUR;

/* The settings of upstream_curl_apply that make the connection (no
 * credential header): for a handle that only connects
 * (CURLOPT_CONNECT_ONLY), over which keyd writes its own requests. */
int upstream_curl_connect_apply(CURL *h, const struct upstream *up,
    char *err, size_t errlen) UPSTREAM_WUR;

/* The line that carries UP's credential in a request,
 * "Authorization: Bearer TOKEN\r\n", into BUF (LEN bytes; the caller
 * wipes it): its length, 0 when UP sends none (a client certificate, or
 * no credential), or -1 when it does not fit. With BUF NULL, the length
 * it needs. */
ssize_t upstream_auth_line(const struct upstream *up, char *buf, size_t len);

/* Wipe every header in *HEADERS, free the list, set *HEADERS to NULL. */
void upstream_headers_free(struct curl_slist **headers);

/* GET {url}/ServiceProviderConfig with UP's credential and TLS settings,
 * waiting at most min(UP's timeout, UPSTREAM_TEST_TIMEOUT_MAX_MS). 0 when
 * the upstream answered (any status, in RES), -1 with ERR saying what went
 * wrong when it did not (cannot resolve or connect, timeout, TLS, pin). */
int upstream_test(const struct upstream *up, struct upstream_test_result *res,
    char *err, size_t errlen) UPSTREAM_WUR;

/* GET {U's url}/{WHAT} with U's credential, TLS settings (CA, pin, client
 * certificate) and timeout, blocking the calling thread; no redirects.
 * On 0: *STATUS is the answer's status and *BODY a malloc'd,
 * NUL-terminated copy of its body (*LEN bytes, at most MAX: a larger body
 * is an error), which the caller frees. -1 with ERR (never a secret) when
 * the upstream cannot be reached, timed out, or sent more than MAX bytes,
 * or WHAT is too long for a URL; *BODY is then NULL. */
int upstream_fetch(const struct upstream *u, const char *what, size_t max,
    char **body, size_t *len, long *status, char *err, size_t errlen)
	UPSTREAM_WUR;

/* --- checks (upstream_check.c) --------------------------------------- */

/* 1 when NAME is [A-Za-z0-9._-]{1,64} and neither "." nor "..". */
int upstream_name_valid(const char *name);

/* Check URL (http:// or https://, a host, no user, query or fragment;
 * http:// only to a loopback host) and write its normal form, without a
 * trailing '/', into OUT. Returns 0, or -1 with ERR. */
int upstream_url_check(const char *url, char *out, size_t outlen, char *err,
    size_t errlen) UPSTREAM_WUR;

/* 1 when URL (as upstream_url_check wrote it) is https://. */
int upstream_url_is_https(const char *url);

/* Check PIN: one to UPSTREAM_PINS_MAX "sha256//" + base64 of 32 bytes,
 * separated by ';'. Returns 0, or -1 with ERR. */
int upstream_pin_check(const char *pin, char *err, size_t errlen)
	UPSTREAM_WUR;

/* Parse a timeout ("10s", "2m") into *MS, 1 s to UPSTREAM_TIMEOUT_MAX_MS.
 * Returns 0, or -1 with ERR. */
int upstream_timeout_parse(const char *s, int64_t *ms, char *err,
    size_t errlen) UPSTREAM_WUR;

/* The length of the bearer token in BUF[0..LEN) once one trailing newline
 * (LF or CRLF) is dropped; -1 with ERR when it is empty, longer than
 * UPSTREAM_BEARER_MAX, or holds a byte outside VCHAR (0x21-0x7e). ERR
 * never quotes the token. */
ssize_t upstream_bearer_check(const char *buf, size_t len, char *err,
    size_t errlen);

/* Check a CA bundle: PEM, every certificate parses. 0 or -1 with ERR. */
int upstream_ca_check(const char *pem, char *err, size_t errlen) UPSTREAM_WUR;

/* Check a client certificate (PEM, first one the leaf, not expired) and
 * its unencrypted PEM key KEY (NUL-terminated, KEYLEN bytes), and that
 * they are a pair. 0 or -1 with ERR (never quoting the key). */
int upstream_client_check(const char *cert, const char *key, size_t keylen,
    char *err, size_t errlen) UPSTREAM_WUR;

/* The subject and expiry (Unix seconds) of the first certificate in PEM,
 * for show. Returns 0 or -1. */
int upstream_cert_info(const char *pem, char *subject, size_t sublen,
    int64_t *not_after) UPSTREAM_WUR;

/* "none", "bearer", "mtls". */
const char *upstream_auth_name(enum upstream_auth a);

#endif
