/* Checks on what an operator gives upstream.add: the name, the URL, the
 * pin, the timeout, the bearer token and the PEMs. Every refusal says what
 * is wrong and what would be right; none quotes a credential. */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <sodium.h>

#include "keyd/upstream.h"
#include "keyd/upstream_int.h"
#include "policy/units.h"

#define PIN_PREFIX	"sha256//"
#define PIN_B64_LEN	44	/* base64 of 32 bytes, padded */

int
upstream_name_valid(const char *name)
{
	size_t	i, n = strnlen(name, UPSTREAM_NAME_MAX + 1);

	if (n == 0 || n > UPSTREAM_NAME_MAX)
		return 0;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;	/* /scim/v2/../ is a path trick, not a name */
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", name[i]) == NULL)
			return 0;
	return 1;
}

/* "127.0.0.1", "[::1]", "localhost": the credential stays on this host. */
static int
host_is_loopback(const char *host)
{
	unsigned char	addr[16];
	char		buf[64];
	size_t		n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, addr) == 1)
		return addr[0] == 127;
	if (n < 3 || n - 2 >= sizeof(buf) || host[0] != '[' ||
	    host[n - 1] != ']')
		return 0;
	memcpy(buf, host + 1, n - 2);
	buf[n - 2] = '\0';
	return inet_pton(AF_INET6, buf, addr) == 1 &&
	    IN6_IS_ADDR_LOOPBACK((struct in6_addr *)addr);
}

/* The part P of U is absent. */
static int
url_lacks(CURLU *u, CURLUPart p)
{
	char	*v = NULL;
	int	 absent = curl_url_get(u, p, &v, 0) != CURLUE_OK || v == NULL;

	curl_free(v);
	return absent;
}

static int
url_parts_check(CURLU *u, const char *scheme, char *err, size_t errlen)
{
	char	*host = NULL;
	int	 rc = -1;

	if (!url_lacks(u, CURLUPART_USER) || !url_lacks(u, CURLUPART_PASSWORD))
		snprintf(err, errlen, "the URL must not hold a user or "
		    "password: give the credential with --bearer-file or "
		    "--client-cert");
	else if (!url_lacks(u, CURLUPART_QUERY))
		snprintf(err, errlen, "the URL must not have a query (?...)");
	else if (!url_lacks(u, CURLUPART_FRAGMENT))
		snprintf(err, errlen, "the URL must not have a fragment "
		    "(#...)");
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host == NULL || host[0] == '\0')
		snprintf(err, errlen, "the URL has no host");
	else if (strcmp(scheme, "http") == 0 && !host_is_loopback(host))
		snprintf(err, errlen, "http:// is allowed only to a loopback "
		    "host (127.0.0.0/8, [::1], localhost): the credential "
		    "would cross the network in clear; use https://");
	else
		rc = 0;
	curl_free(host);
	return rc;
}

/* Plain printable ASCII: no spaces, no controls, nothing curl would have
 * to encode. */
static int
url_chars_ok(const char *url)
{
	const unsigned char *p;

	for (p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

static int
url_scheme(const char *url, const char **scheme)
{
	if (strncasecmp(url, "http://", 7) == 0)
		*scheme = "http";
	else if (strncasecmp(url, "https://", 8) == 0)
		*scheme = "https";
	else
		return -1;
	return 0;
}

int
upstream_url_check(const char *url, char *out, size_t outlen, char *err,
    size_t errlen)
{
	const char	*scheme;
	CURLU		*u = NULL;
	char		*norm = NULL;
	size_t		 n;
	int		 rc = -1;

	if (strnlen(url, UPSTREAM_URL_MAX + 1) > UPSTREAM_URL_MAX) {
		snprintf(err, errlen, "the URL is longer than %d bytes",
		    UPSTREAM_URL_MAX);
		return -1;
	}
	if (url_scheme(url, &scheme) == -1) {
		snprintf(err, errlen, "the URL must start with http:// or "
		    "https://");
		return -1;
	}
	if (url[strlen(scheme) + 3] == '/' || url[strlen(scheme) + 3] == '\0') {
		/* curl would read https:///x as the host x. */
		snprintf(err, errlen, "the URL has no host");
		return -1;
	}
	if (!url_chars_ok(url)) {
		snprintf(err, errlen, "the URL holds a space or a character "
		    "outside printable ASCII: percent-encode it");
		return -1;
	}
	if ((u = curl_url()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "the URL does not parse (scheme://host"
		    "[:port][/path])");
		goto out;
	}
	if (url_parts_check(u, scheme, err, errlen) == -1)
		goto out;
	if (curl_url_get(u, CURLUPART_URL, &norm, 0) != CURLUE_OK) {
		snprintf(err, errlen, "the URL does not parse");
		goto out;
	}
	n = strlen(norm);
	while (n > 0 && norm[n - 1] == '/')
		n--;
	if (n >= outlen) {
		snprintf(err, errlen, "the URL is too long");
		goto out;
	}
	memcpy(out, norm, n);
	out[n] = '\0';
	rc = 0;
out:
	curl_free(norm);
	curl_url_cleanup(u);
	return rc;
}

int
upstream_url_is_https(const char *url)
{
	return strncmp(url, "https://", 8) == 0;
}

static int
pin_one(const char *p, size_t n)
{
	unsigned char	bin[32];
	size_t		binlen = 0;

	if (n != strlen(PIN_PREFIX) + PIN_B64_LEN ||
	    strncmp(p, PIN_PREFIX, strlen(PIN_PREFIX)) != 0)
		return -1;
	p += strlen(PIN_PREFIX);
	if (sodium_base642bin(bin, sizeof(bin), p, PIN_B64_LEN, NULL, &binlen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || binlen != 32)
		return -1;
	return 0;
}

int
upstream_pin_check(const char *pin, char *err, size_t errlen)
{
	const char	*p = pin, *semi;
	size_t		 n;
	int		 count = 0;

	if (strnlen(pin, UPSTREAM_PIN_MAX + 1) > UPSTREAM_PIN_MAX)
		goto bad;
	for (;;) {
		semi = strchr(p, ';');
		n = semi != NULL ? (size_t)(semi - p) : strlen(p);
		if (++count > UPSTREAM_PINS_MAX || pin_one(p, n) == -1)
			goto bad;
		if (semi == NULL)
			return 0;
		p = semi + 1;
	}
bad:
	snprintf(err, errlen, "bad --pin: give sha256// and the base64 "
	    "SHA-256 of the server's public key (44 characters), up to %d "
	    "separated by ';' (openssl x509 -pubkey | openssl pkey -pubin "
	    "-outform der | openssl dgst -sha256 -binary | base64)",
	    UPSTREAM_PINS_MAX);
	return -1;
}

int
upstream_timeout_parse(const char *s, int64_t *ms, char *err, size_t errlen)
{
	int64_t secs;

	if (units_parse_duration(s, &secs) == -1 || secs < 1 ||
	    secs > UPSTREAM_TIMEOUT_MAX_MS / 1000) {
		snprintf(err, errlen, "bad --timeout \"%.32s\": give 1s to %ds "
		    "with a unit (10s, 2m)", s, UPSTREAM_TIMEOUT_MAX_MS / 1000);
		return -1;
	}
	*ms = secs * 1000;
	return 0;
}

ssize_t
upstream_bearer_check(const char *buf, size_t len, char *err, size_t errlen)
{
	size_t i;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		snprintf(err, errlen, "the bearer token file is empty");
		return -1;
	}
	if (len > UPSTREAM_BEARER_MAX) {
		snprintf(err, errlen, "the bearer token is longer than %d "
		    "bytes", UPSTREAM_BEARER_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x21 || (unsigned char)buf[i] > 0x7e) {
			snprintf(err, errlen, "the bearer token file holds a "
			    "space, a control character or non-ASCII at byte "
			    "%zu: it must be the token alone, on one line", i);
			return -1;
		}
	return (ssize_t)len;
}

/* PEM only: curl reads the CA and client certificate as PEM. */
static int
pem_looks(const char *pem)
{
	return strstr(pem, "-----BEGIN ") != NULL;
}

static int
crt_parse(mbedtls_x509_crt *crt, const char *pem, const char *what,
    char *err, size_t errlen)
{
	int r;

	if (strlen(pem) > UPSTREAM_PEM_MAX) {
		snprintf(err, errlen, "the %s is larger than %d KiB", what,
		    UPSTREAM_PEM_MAX / 1024);
		return -1;
	}
	if (!pem_looks(pem) || strstr(pem, "-----BEGIN CERTIFICATE-----") ==
	    NULL) {
		snprintf(err, errlen, "the %s is not a PEM certificate "
		    "(-----BEGIN CERTIFICATE-----)", what);
		return -1;
	}
	r = mbedtls_x509_crt_parse(crt, (const unsigned char *)pem,
	    strlen(pem) + 1);
	if (r != 0) {
		snprintf(err, errlen, "the %s does not parse as X.509 "
		    "certificates%s", what, r > 0 ? " (some of them)" : "");
		return -1;
	}
	return 0;
}

int
upstream_ca_check(const char *pem, char *err, size_t errlen)
{
	mbedtls_x509_crt	crt;
	int			rc;

	mbedtls_x509_crt_init(&crt);
	rc = crt_parse(&crt, pem, "CA file", err, errlen);
	mbedtls_x509_crt_free(&crt);
	return rc;
}

static int
key_parse(mbedtls_pk_context *pk, const char *key, size_t keylen, char *err,
    size_t errlen)
{
	int r;

	if (keylen > UPSTREAM_PEM_MAX) {
		snprintf(err, errlen, "the client key is larger than %d KiB",
		    UPSTREAM_PEM_MAX / 1024);
		return -1;
	}
	if (!pem_looks(key)) {
		snprintf(err, errlen, "the client key is not PEM "
		    "(-----BEGIN PRIVATE KEY-----)");
		return -1;
	}
	r = mbedtls_pk_parse_key(pk, (const unsigned char *)key, keylen + 1,
	    NULL, 0);
	if (r == MBEDTLS_ERR_PK_PASSWORD_REQUIRED ||
	    r == MBEDTLS_ERR_PK_PASSWORD_MISMATCH) {
		snprintf(err, errlen, "the client key is encrypted: give it "
		    "unencrypted (keyd seals it itself)");
		return -1;
	}
	if (r != 0) {
		snprintf(err, errlen, "the client key does not parse as a "
		    "private key");
		return -1;
	}
	return 0;
}

int
upstream_client_check(const char *cert, const char *key, size_t keylen,
    char *err, size_t errlen)
{
	mbedtls_x509_crt	crt;
	mbedtls_pk_context	pk;
	int			rc = -1;

	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&pk);
	if (crt_parse(&crt, cert, "client certificate", err, errlen) == -1 ||
	    key_parse(&pk, key, keylen, err, errlen) == -1)
		goto out;
	if (mbedtls_x509_time_is_past(&crt.valid_to)) {
		snprintf(err, errlen, "the client certificate has expired");
		goto out;
	}
	if (mbedtls_pk_check_pair(&crt.pk, &pk) != 0) {
		snprintf(err, errlen, "the client key does not match the "
		    "client certificate");
		goto out;
	}
	rc = 0;
out:
	mbedtls_pk_free(&pk);		/* zeroises the key */
	mbedtls_x509_crt_free(&crt);
	return rc;
}

static int64_t
x509_time_unix(const mbedtls_x509_time *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return (int64_t)timegm(&tm);
}

int
upstream_cert_info(const char *pem, char *subject, size_t sublen,
    int64_t *not_after)
{
	mbedtls_x509_crt	crt;
	int			rc = -1;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem,
	    strlen(pem) + 1) != 0)
		goto out;
	if (mbedtls_x509_dn_gets(subject, sublen, &crt.subject) < 0)
		subject[0] = '\0';
	*not_after = x509_time_unix(&crt.valid_to);
	rc = 0;
out:
	mbedtls_x509_crt_free(&crt);
	return rc;
}

const char *
upstream_auth_name(enum upstream_auth a)
{
	switch (a) {
	case UPSTREAM_AUTH_NONE:
		return "none";
	case UPSTREAM_AUTH_BEARER:
		return "bearer";
	case UPSTREAM_AUTH_MTLS:
		return "mtls";
	}
	return "unknown";
}

/* Which credential SPEC gives, and whether the rest fits the URL. */
static int
spec_auth(const struct upstream_spec *spec, int https, char *err,
    size_t errlen)
{
	if (spec->bearer != NULL && (spec->client_cert != NULL ||
	    spec->client_key != NULL))
		snprintf(err, errlen, "give either --bearer-file, or "
		    "--client-cert and --client-key, not both");
	else if ((spec->client_cert != NULL) != (spec->client_key != NULL))
		snprintf(err, errlen, "--client-cert and --client-key go "
		    "together");
	else if (!https && (spec->ca != NULL || spec->pin != NULL ||
	    spec->client_cert != NULL))
		snprintf(err, errlen, "--ca, --pin and --client-cert need an "
		    "https:// URL");
	else
		return 0;
	return -1;
}

static int
spec_plain(const struct upstream_spec *spec, struct upstream_rec *rec,
    char *err, size_t errlen)
{
	if (spec->name == NULL || !upstream_name_valid(spec->name)) {
		snprintf(err, errlen, "bad upstream name: use 1 to %d of "
		    "A-Z a-z 0-9 . _ - (not . or ..); it becomes the path "
		    "/scim/v2/NAME/", UPSTREAM_NAME_MAX);
		return -1;
	}
	snprintf(rec->name, sizeof(rec->name), "%s", spec->name);
	if (spec->url == NULL) {
		snprintf(err, errlen, "missing --url");
		return -1;
	}
	if (upstream_url_check(spec->url, rec->url, sizeof(rec->url), err,
	    errlen) == -1 ||
	    spec_auth(spec, upstream_url_is_https(rec->url), err, errlen) == -1)
		return -1;
	if (spec->pin != NULL) {
		if (upstream_pin_check(spec->pin, err, errlen) == -1)
			return -1;
		snprintf(rec->pin, sizeof(rec->pin), "%s", spec->pin);
	}
	rec->timeout_ms = UPSTREAM_TIMEOUT_DEFAULT_MS;
	if (spec->timeout != NULL && upstream_timeout_parse(spec->timeout,
	    &rec->timeout_ms, err, errlen) == -1)
		return -1;
	if (spec->ca != NULL && (upstream_ca_check(spec->ca, err, errlen) == -1
	    || (rec->ca_pem = strdup(spec->ca)) == NULL))
		return -1;
	return 0;
}

int
upstream_spec_check(const struct upstream_spec *spec, struct upstream_rec *rec,
    const unsigned char **pt, size_t *ptlen, char *err, size_t errlen)
{
	ssize_t n;

	*pt = NULL;
	*ptlen = 0;
	memset(rec, 0, sizeof(*rec));
	err[0] = '\0';
	if (spec_plain(spec, rec, err, errlen) == -1)
		goto fail;
	if (spec->bearer != NULL) {
		if ((n = upstream_bearer_check(spec->bearer, spec->bearer_len,
		    err, errlen)) == -1)
			goto fail;
		rec->auth = UPSTREAM_AUTH_BEARER;
		*pt = (const unsigned char *)spec->bearer;
		*ptlen = (size_t)n;
	} else if (spec->client_cert != NULL) {
		if (upstream_client_check(spec->client_cert, spec->client_key,
		    spec->client_key_len, err, errlen) == -1 ||
		    (rec->client_cert_pem = strdup(spec->client_cert)) == NULL)
			goto fail;
		rec->auth = UPSTREAM_AUTH_MTLS;
		*pt = (const unsigned char *)spec->client_key;
		*ptlen = spec->client_key_len;
	}
	return 0;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	store_upstream_rec_clear(rec);
	*pt = NULL;
	*ptlen = 0;
	return -1;
}
