/* Helpers shared by the public handlers: error bodies, Authorization
 * header parsing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "keyd/form.h"
#include "keyd/http.h"

#define AUTH_MAX 4096

void
http_error(struct http_resp *resp, unsigned status, const char *error,
    const char *desc)
{
	json_decref(resp->body);
	resp->status = status;
	resp->body = desc != NULL ?
	    json_pack("{s:s, s:s}", "error", error, "error_description", desc) :
	    json_pack("{s:s}", "error", error);
}

#define SCIM_ERROR_URN	"urn:ietf:params:scim:api:messages:2.0:Error"
#define DETAIL_MAX	512

void
http_scim_error(struct http_resp *resp, unsigned status, const char *scim_type,
    const char *fmt, ...)
{
	va_list	ap;
	char	detail[DETAIL_MAX], st[8];

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(st, sizeof(st), "%u", status);
	json_decref(resp->body);
	resp->status = status;
	resp->content_type = "application/scim+json";
	resp->body = json_pack("{s:[s], s:s, s:s*, s:s}", "schemas",
	    SCIM_ERROR_URN, "status", st, "scimType", scim_type, "detail",
	    detail);
}

int
http_header_add(struct http_resp *resp, const char *name, const char *value)
{
	struct http_hdrs	*h = &resp->hdrs;
	size_t			 nl = strlen(name), vl = strlen(value);
	char			*n;

	/* one allocation: the name, then the value; freed by its name */
	if (h->n == HTTP_HDRS_MAX || (n = malloc(nl + vl + 2)) == NULL)
		return -1;
	memcpy(n, name, nl + 1);
	memcpy(n + nl + 1, value, vl + 1);
	h->name[h->n] = n;
	h->value[h->n++] = n + nl + 1;
	return 0;
}

int
http_hop_by_hop(const char *name, size_t len)
{
	static const char *const hop[] = { "connection", "keep-alive",
	    "proxy-authenticate", "proxy-authorization", "proxy-connection",
	    "te", "trailer", "transfer-encoding", "upgrade" };
	size_t i;

	for (i = 0; i < sizeof(hop) / sizeof(*hop); i++)
		if (strlen(hop[i]) == len && strncasecmp(hop[i], name, len) == 0)
			return 1;
	return 0;
}

const char *
http_req_header(const struct http_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->hdrs.n; i++)
		if (strcasecmp(req->hdrs.name[i], name) == 0)
			return req->hdrs.value[i];
	return NULL;
}

void
http_resp_clear(struct http_resp *resp)
{
	struct audit_http	*audit = resp->audit;	/* borrowed, stays */
	size_t			 i;

	json_decref(resp->body);
	free(resp->raw);
	for (i = 0; i < resp->hdrs.n; i++)	/* the value is in it */
		free((char *)(uintptr_t)resp->hdrs.name[i]);
	memset(resp, 0, sizeof(*resp));
	resp->audit = audit;
}

void
http_json(struct http_resp *resp, json_t *body)
{
	json_decref(resp->body);
	resp->status = 200;
	resp->body = body;
}

const char *
http_bearer(const char *auth, size_t *len)
{
	const char *p;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	for (p = auth + 7; *p == ' '; p++)
		;
	*len = strnlen(p, AUTH_MAX);
	while (*len > 0 && p[*len - 1] == ' ')
		(*len)--;
	return p;
}

int
http_basic(const char *auth, char *user, size_t userlen, char *pass,
    size_t passlen)
{
	unsigned char	 raw[512];
	const char	*b64, *colon;
	size_t		 rawlen;
	int		 rc = -1;

	if (auth == NULL || strncasecmp(auth, "Basic ", 6) != 0)
		return 0;
	for (b64 = auth + 6; *b64 == ' '; b64++)
		;
	if (sodium_base642bin(raw, sizeof(raw) - 1, b64, strnlen(b64,
	    AUTH_MAX), NULL, &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL) !=
	    0)
		goto out;
	raw[rawlen] = '\0';
	if (memchr(raw, '\0', rawlen) != NULL ||
	    (colon = strchr((const char *)raw, ':')) == NULL)
		goto out;
	if (form_unescape((const char *)raw, (size_t)(colon - (const char *)raw),
	    user, userlen) == -1 || form_unescape(colon + 1,
	    rawlen - (size_t)(colon + 1 - (const char *)raw), pass, passlen)
	    == -1)
		goto out;
	rc = 1;
out:
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

const char *
http_reason(unsigned status)
{
	static const struct {
		unsigned	 status;
		const char	*phrase;
	} reasons[] = {
		{ 100, "Continue" }, { 200, "OK" }, { 201, "Created" },
		{ 202, "Accepted" }, { 204, "No Content" },
		{ 206, "Partial Content" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
		{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
		{ 408, "Request Timeout" }, { 409, "Conflict" }, { 410, "Gone" },
		{ 411, "Length Required" }, { 412, "Precondition Failed" },
		{ 413, "Content Too Large" }, { 414, "URI Too Long" },
		{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Content" },
		{ 428, "Precondition Required" }, { 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
		{ 507, "Insufficient Storage" },
	};
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].phrase;
	return "";	/* RFC 9112 §4: the reason phrase may be empty */
}
