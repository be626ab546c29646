/* OAuth 2.0 endpoints: token (RFC 6749 §4.4, client credentials),
 * introspection (RFC 7662) and revocation (RFC 7009). */
#ifndef KEYD_OAUTH_H
#define KEYD_OAUTH_H

#include "keyd/http.h"

/* POST /oauth/token */
void oauth_token(struct keyd *k, const struct http_req *req,
    struct http_resp *resp);

/* POST /oauth/introspect */
void oauth_introspect(struct keyd *k, const struct http_req *req,
    struct http_resp *resp);

/* POST /oauth/revoke */
void oauth_revoke(struct keyd *k, const struct http_req *req,
    struct http_resp *resp);

#endif
