/* /scim/v2/{upstream}/{ResourceEndpoint}[/{id}] → upstream, resource
 * type, operation and id. Strict on purpose: the proxy forwards the raw
 * path, so anything an upstream might read differently from us (encoded
 * slashes, dot segments, path parameters) is refused, not guessed at. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyd/form.h"
#include "keyd/scim/path.h"

#define ALLOW_COLLECTION	"GET, POST"
#define ALLOW_ITEM		"GET, PUT, PATCH, DELETE"
#define ALLOW_GET		"GET"
#define ALLOW_POST		"POST"

/* What the endpoint is, before the method is looked at. */
enum kind {
	K_COLLECTION, K_ITEM, K_SEARCH, K_DISCOVER, K_BULK
};

/* The RFC 7644 endpoints, matched case-insensitively: an upstream that
 * routes /users to its Users must not get a request keyd decided on as
 * some other resource type. NOID: the endpoint takes no resource id. */
static const struct {
	const char	*endpoint;
	const char	*type;
	enum kind	 kind;
	int		 noid;
} types[] = {
	{ "Users", "User", K_COLLECTION, 0 },
	{ "Groups", "Group", K_COLLECTION, 0 },
	{ "ServiceProviderConfig", "ServiceProviderConfig", K_DISCOVER, 1 },
	{ "Schemas", "Schema", K_DISCOVER, 0 },
	{ "ResourceTypes", "ResourceType", K_DISCOVER, 0 },
	{ "Bulk", "", K_BULK, 1 },
};

static int
path_fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

static int
path_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
path_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* One segment S (LEN bytes) as an upstream name into OUT. */
static int
path_upstream(const char *s, size_t len, char *out, char *err, size_t errlen)
{
	size_t i;

	if (len == 0)
		return path_fail(err, errlen, "no upstream: expected "
		    "/scim/v2/{upstream}/{resource}");
	if (len > SCIM_UPSTREAM_MAX)
		return path_fail(err, errlen, "upstream name longer than 64 "
		    "bytes");
	for (i = 0; i < len; i++)
		if (!path_alpha(s[i]) && !path_digit(s[i]) &&
		    strchr("._-", s[i]) == NULL)
			return path_fail(err, errlen, "upstream name may hold "
			    "only A-Z, a-z, 0-9, '.', '_' and '-'");
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' &&
	    s[1] == '.'))
		return path_fail(err, errlen, "upstream name cannot be \".\" or "
		    "\"..\"");
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

static int
path_endpoint(const char *s, size_t len, char *out, char *err, size_t errlen)
{
	size_t i;

	if (len == 0)
		return path_fail(err, errlen, "no resource endpoint: expected "
		    "/scim/v2/{upstream}/Users, /Groups or another "
		    "resource");
	if (len > SCIM_ENDPOINT_MAX || !path_alpha(s[0]))
		goto bad;
	for (i = 1; i < len; i++)
		if (!path_alpha(s[i]) && !path_digit(s[i]) && s[i] != '_' &&
		    s[i] != '-')
			goto bad;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
bad:
	return path_fail(err, errlen, "a resource endpoint is a name of at "
	    "most 64 bytes: a letter, then letters, digits, '_' or '-'");
}

/* A raw id byte: RFC 3986 pchar less ';', which servers differ on (path
 * parameters), and '%', handled by the caller. */
static int
path_idchar(char c)
{
	return path_alpha(c) || path_digit(c) ||
	    (c != '\0' && strchr("-._~!$&'()*+,=:@", c) != NULL);
}

/* Percent-decode one byte at S[*I] into *C. */
static int
path_id_byte(const char *s, size_t len, size_t *i, char *c, char *err,
    size_t errlen)
{
	int hi, lo;

	if (s[*i] != '%') {
		if (s[*i] == ';')
			return path_fail(err, errlen, "resource id: ';' is "
			    "refused, encoded or not: servers differ on path "
			    "parameters");
		if (!path_idchar(s[*i]))
			return path_fail(err, errlen, "resource id: a character "
			    "that must be percent-encoded");
		*c = s[(*i)++];
		return 0;
	}
	if (len - *i < 3 || (hi = hex_digit(s[*i + 1])) < 0 ||
	    (lo = hex_digit(s[*i + 2])) < 0)
		return path_fail(err, errlen, "resource id: bad "
		    "percent-escape");
	*c = (char)(hi << 4 | lo);
	*i += 3;
	return 0;
}

static int
path_id(const char *s, size_t len, char *out, char *err, size_t errlen)
{
	size_t i = 0, n = 0;
	char c;

	if (len == 0)
		return path_fail(err, errlen, "empty resource id (a trailing "
		    "'/'?)");
	while (i < len) {
		if (path_id_byte(s, len, &i, &c, err, errlen) == -1)
			return -1;
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return path_fail(err, errlen, "resource id: control "
			    "character or NUL");
		if (c == '/' || c == '\\')
			return path_fail(err, errlen, "resource id: '/' and "
			    "'\\' are refused, encoded or not");
		/* Decoded before routing, "a%3Bb" is "a" with a path
		 * parameter to some servers: not the id keyd decided on. */
		if (c == ';')
			return path_fail(err, errlen, "resource id: ';' is "
			    "refused, encoded or not: servers differ on path "
			    "parameters");
		if (n == SCIM_ID_MAX)
			return path_fail(err, errlen, "resource id longer than "
			    "256 bytes");
		out[n++] = c;
	}
	out[n] = '\0';
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		return path_fail(err, errlen, "resource id \".\" or \"..\" is "
		    "a dot segment");
	return 0;
}

static int
path_is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && strncasecmp(s, word, len) == 0;
}

/* The endpoints keyd knows and does not serve: /Me, whose subject
 * upstream would be keyd's own credential, and a search of every
 * resource type at once (GET /, POST /.search), which no per-type rule
 * could decide. S is what follows "{upstream}/", LEN its first
 * segment's length. */
static int
path_unserved(const char *s, size_t len, char *err, size_t errlen)
{
	if (path_is(s, len, "Me"))
		return path_fail(err, errlen, "/Me is not served: upstream it "
		    "would name keyd's own credential; use /Users/{id}");
	if ((len == 0 && s[0] == '\0') || (path_is(s, len, ".search") &&
	    s[len] == '\0'))
		return path_fail(err, errlen, "a search across every resource "
		    "type is not served: policy decides per type; search "
		    "/Users or /Groups (or their /.search)");
	return 0;
}

/* Split what follows the prefix into upstream, endpoint and id. */
static enum scim_path_err
path_split(const char *rest, struct scim_path *out, int *has_id, char *err,
    size_t errlen)
{
	const char *s2, *s3;
	size_t len;

	s2 = strchr(rest, '/');
	if (path_upstream(rest, s2 ? (size_t)(s2 - rest) : strlen(rest),
	    out->upstream, err, errlen) == -1)
		return SCIM_PATH_NOT_FOUND;
	s2 = s2 ? s2 + 1 : "";
	s3 = strchr(s2, '/');
	len = s3 ? (size_t)(s3 - s2) : strlen(s2);
	if (path_unserved(s2, len, err, errlen) == -1)
		return SCIM_PATH_NOT_IMPLEMENTED;
	if (path_endpoint(s2, len, out->endpoint, err, errlen) == -1)
		return SCIM_PATH_NOT_FOUND;
	*has_id = s3 != NULL;
	if (s3 == NULL)
		return SCIM_PATH_OK;
	s3++;
	if (strchr(s3, '/') != NULL) {
		path_fail(err, errlen, "unexpected path segment after the "
		    "resource id");
		return SCIM_PATH_NOT_FOUND;
	}
	if (path_id(s3, strlen(s3), out->id, err, errlen) == -1)
		return SCIM_PATH_NOT_FOUND;
	return SCIM_PATH_OK;
}

static int
path_kind(struct scim_path *out, int has_id, enum kind *k, char *err,
    size_t errlen)
{
	size_t i, n = sizeof(types) / sizeof(types[0]);

	for (i = 0; i < n; i++)
		if (strcasecmp(out->endpoint, types[i].endpoint) == 0)
			break;
	snprintf(out->resource_type, sizeof(out->resource_type), "%s",
	    i < n ? types[i].type : out->endpoint);
	*k = i < n ? types[i].kind : K_COLLECTION;
	if (i < n && types[i].noid && has_id) {
		snprintf(err, errlen, "/%s takes no resource id",
		    types[i].endpoint);
		return -1;
	}
	if (*k != K_COLLECTION || !has_id)
		return 0;
	/* /Users/.search is a search, not the resource ".search": no id. */
	if (strcasecmp(out->id, ".search") == 0) {
		*k = K_SEARCH;
		out->id[0] = '\0';
	} else
		*k = K_ITEM;
	return 0;
}

static enum scim_op
path_op(enum kind k, const char *m)
{
	switch (k) {
	case K_COLLECTION:
		return strcmp(m, "GET") == 0 ? SCIM_OP_SEARCH :
		    strcmp(m, "POST") == 0 ? SCIM_OP_CREATE : SCIM_OP_NONE;
	case K_ITEM:
		return strcmp(m, "GET") == 0 ? SCIM_OP_READ :
		    strcmp(m, "PUT") == 0 ? SCIM_OP_REPLACE :
		    strcmp(m, "PATCH") == 0 ? SCIM_OP_PATCH :
		    strcmp(m, "DELETE") == 0 ? SCIM_OP_DELETE : SCIM_OP_NONE;
	case K_SEARCH:
		return strcmp(m, "POST") == 0 ? SCIM_OP_SEARCH : SCIM_OP_NONE;
	case K_DISCOVER:
		return strcmp(m, "GET") == 0 ? SCIM_OP_DISCOVER : SCIM_OP_NONE;
	case K_BULK:
		return strcmp(m, "POST") == 0 ? SCIM_OP_BULK : SCIM_OP_NONE;
	}
	return SCIM_OP_NONE;
}

static const char *
path_allow(enum kind k)
{
	switch (k) {
	case K_COLLECTION:
		return ALLOW_COLLECTION;
	case K_ITEM:
		return ALLOW_ITEM;
	case K_DISCOVER:
		return ALLOW_GET;
	case K_SEARCH:
	case K_BULK:
		break;
	}
	return ALLOW_POST;
}

/* "PUT is not allowed on /scim/v2/hr/Users: it takes GET, POST". The id
 * is shown as {id}: it may be long, and is the client's own text. */
static void
path_method_error(const char *method, const struct scim_path *p, enum kind k,
    char *err, size_t errlen)
{
	size_t i, mlen = strlen(method);
	int plain = mlen > 0 && mlen <= 10;

	for (i = 0; i < mlen && plain; i++)
		plain = method[i] >= 'A' && method[i] <= 'Z';
	snprintf(err, errlen, "%s is not allowed on %s%s/%s%s: it takes %s",
	    plain ? method : "this method", SCIM_PATH_PREFIX, p->upstream,
	    p->endpoint, k == K_SEARCH ? "/.search" : k == K_ITEM ||
	    (k == K_DISCOVER && p->id[0] != '\0') ? "/{id}" : "", p->allow);
}

enum scim_path_err
scim_path_parse(const char *method, const char *path, struct scim_path *out,
    char *err, size_t errlen)
{
	size_t plen = strlen(SCIM_PATH_PREFIX);
	enum scim_path_err rc;
	int has_id = 0;
	enum kind k;

	memset(out, 0, sizeof(*out));
	if (strncmp(path, SCIM_PATH_PREFIX, plen) != 0) {
		path_fail(err, errlen, "not a SCIM path: expected "
		    "/scim/v2/{upstream}/{resource}[/{id}]");
		return SCIM_PATH_NOT_FOUND;
	}
	if (strpbrk(path, "?#") != NULL) {
		path_fail(err, errlen, "the path holds '?' or '#': pass the "
		    "query string on its own");
		return SCIM_PATH_NOT_FOUND;
	}
	if (strlen(path) > SCIM_PATH_MAX) {
		path_fail(err, errlen, "path longer than 2048 bytes");
		return SCIM_PATH_NOT_FOUND;
	}
	if ((rc = path_split(path + plen, out, &has_id, err, errlen)) !=
	    SCIM_PATH_OK || path_kind(out, has_id, &k, err, errlen) == -1) {
		memset(out, 0, sizeof(*out));
		return rc != SCIM_PATH_OK ? rc : SCIM_PATH_NOT_FOUND;
	}
	out->allow = path_allow(k);
	out->op = path_op(k, method);
	if (out->op == SCIM_OP_NONE) {
		path_method_error(method, out, k, err, errlen);
		return SCIM_PATH_METHOD;
	}
	return SCIM_PATH_OK;
}

const char *
scim_path_op_name(enum scim_op op)
{
	static const char *names[] = { "none", "create", "read", "search",
	    "replace", "patch", "delete", "bulk", "discover" };

	if ((unsigned)op >= sizeof(names) / sizeof(names[0]))
		return "none";
	return names[op];
}
