/* Helpers shared by the public handlers: error bodies, Authorization
 * header parsing. */
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
