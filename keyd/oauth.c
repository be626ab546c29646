/* OAuth endpoints. A client authenticates with its provisioning key, by
 * HTTP Basic (name:key) or client_id/client_secret form fields, never both;
 * introspection and revocation also take an admin token as Bearer. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "keyd/audit_http.h"
#include "keyd/authn.h"
#include "keyd/creds.h"
#include "keyd/form.h"
#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/oauth.h"
#include "policy/policy.h"

#define SECRET_MAX (TOKEN_MAX_LEN + 64)

/* Who is calling an OAuth endpoint. */
struct caller {
	struct principal	p;
	int			admin;
	int			scheme;	/* AUTH_NONE, AUTH_BASIC, AUTH_BEARER */
};

enum { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

static int
form_content_type(const char *ct)
{
	size_t n = strlen("application/x-www-form-urlencoded");

	return ct != NULL &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void
invalid_client(struct http_resp *resp, int scheme)
{
	http_error(resp, 401, "invalid_client", "client authentication "
	    "failed");
	/* RFC 6749 §5.2: a client that tried the Authorization header gets
	 * the scheme it used back; one that did not gets no challenge. */
	if (scheme == AUTH_BASIC)
		snprintf(resp->www_authenticate,
		    sizeof(resp->www_authenticate), "Basic realm=\"keyd\"");
	else if (scheme == AUTH_BEARER)
		snprintf(resp->www_authenticate,
		    sizeof(resp->www_authenticate),
		    "Bearer realm=\"keyd\", error=\"invalid_token\"");
}

/* Check NAME and SECRET as a client and its provisioning key. */
static int
client_verify(struct keyd *k, const char *name, const char *secret,
    struct principal *p)
{
	enum authn_result r;

	r = authn_check(k->authn, secret, strlen(secret), keyd_now(), p);
	if (r != AUTHN_OK) {
		log_event(LOG_WARN, "oauth.client_auth_failed", "client=%.64s "
		    "reason=%s", name, authn_strerror(r));
		return -1;
	}
	if (p->kind != TOKEN_PK || strcmp(p->client, name) != 0) {
		log_event(LOG_WARN, "oauth.client_auth_failed", "client=%.64s "
		    "reason=key belongs elsewhere", name);
		return -1;
	}
	return 0;
}

/* The role's limits.source: a client with a valid key, calling from an
 * address its role does not list, is refused. */
static int
source_check(struct keyd *k, const struct http_req *req,
    const struct principal *p, struct http_resp *resp)
{
	int ok;

	pthread_rwlock_rdlock(&k->policy_lock);
	ok = policy_source_allowed(k->policy, p->role, req->peer_family,
	    req->peer);
	pthread_rwlock_unlock(&k->policy_lock);
	if (ok)
		return 0;
	log_event(LOG_WARN, "oauth.source_refused", "client=%s role=%s "
	    "remote=%s", p->client, p->role, req->remote);
	http_error(resp, 403, "access_denied", "this client may not connect "
	    "from this address: it is not in limits.source of its role");
	return -1;
}

/* The audit record names the caller: who it proved to be, or else whom
 * it claimed to be (CLAIMED) and the id of the token it presented, which
 * is public. */
static void
audit_caller(struct http_resp *resp, const struct caller *c, int ok,
    const char *claimed, const char *presented)
{
	struct audit_rec	*r = audit_http_rec(resp);
	struct token_ref	 ref;

	if (ok) {
		AUDIT_SET(r, client, c->p.client);
		AUDIT_SET(r, token_id, c->p.cred_id);
		return;
	}
	AUDIT_SET(r, client, claimed);
	if (presented != NULL && token_parse(presented, strlen(presented),
	    &ref) == TOKEN_OK)
		AUDIT_SET(r, token_id, ref.id);
}

/* Authenticate the caller from Basic, form fields or (when ADMIN_OK) an
 * admin Bearer token. On failure RESP holds the error; returns -1. */
static int
caller_auth(struct keyd *k, const struct http_req *req, const struct form *f,
    int admin_ok, struct caller *c, struct http_resp *resp)
{
	char		 user[STORE_NAME_MAX + 1], *secret;
	const char	*bearer, *id, *sec;
	size_t		 blen;
	int		 basic, rc = -1;

	memset(c, 0, sizeof(*c));
	if ((secret = sodium_malloc(SECRET_MAX)) == NULL) {
		http_error(resp, 500, "server_error", NULL);
		return -1;
	}
	id = form_get(f, "client_id");
	sec = form_get(f, "client_secret");
	basic = http_basic(req->authorization, user, sizeof(user), secret,
	    SECRET_MAX);
	bearer = http_bearer(req->authorization, &blen);
	c->scheme = basic != 0 ? AUTH_BASIC : bearer != NULL ? AUTH_BEARER :
	    AUTH_NONE;
	if (admin_ok && c->scheme == AUTH_BEARER) {
		if (id != NULL || sec != NULL)
			goto multiple;
		if (authn_check(k->authn, bearer, blen, keyd_now(), &c->p) ==
		    AUTHN_OK && c->p.kind == TOKEN_ADM) {
			c->admin = 1;
			rc = 0;
		} else
			invalid_client(resp, AUTH_BEARER);
		goto out;
	}
	if (basic == 1 && (id != NULL || sec != NULL))
		goto multiple;
	if (basic == 0 && id != NULL && sec != NULL &&
	    strlen(id) <= STORE_NAME_MAX && strlen(sec) < SECRET_MAX) {
		snprintf(user, sizeof(user), "%s", id);
		snprintf(secret, SECRET_MAX, "%s", sec);
	} else if (basic != 1) {
		invalid_client(resp, c->scheme);
		goto out;
	}
	if (client_verify(k, user, secret, &c->p) != 0)
		invalid_client(resp, c->scheme);
	else if (source_check(k, req, &c->p, resp) == 0)
		rc = 0;
	goto out;
multiple:
	http_error(resp, 400, "invalid_request", "use one client "
	    "authentication method, not several");
out:
	audit_caller(resp, c, rc == 0, basic == 1 ? user : id,
	    c->scheme == AUTH_BEARER ? bearer : basic == 1 ? secret : sec);
	sodium_free(secret);
	return rc;
}

/* Parse the form body; on failure RESP holds the error. */
static int
body_form(const struct http_req *req, struct form *f, struct http_resp *resp)
{
	if (!form_content_type(req->content_type)) {
		http_error(resp, 400, "invalid_request", "the body must be "
		    "application/x-www-form-urlencoded");
		return -1;
	}
	if (form_parse(req->body, req->body_len, f) == -1) {
		http_error(resp, 400, "invalid_request", "malformed form body "
		    "(bad escape, repeated or too many parameters)");
		return -1;
	}
	return 0;
}

static void
token_reply(struct http_resp *resp, const struct creds_issued *is)
{
	http_json(resp, json_pack("{s:s, s:s, s:I, s:s}", "access_token",
	    is->token, "token_type", "Bearer", "expires_in",
	    (json_int_t)is->expires_in, "scope", is->scope));
}

/* Between making a token and storing it: its audit record, naming it,
 * becomes durable, or the token is never stored. */
static int
token_gate(void *arg, const char *token_id)
{
	struct http_resp *resp = arg;

	AUDIT_SET(audit_http_rec(resp), resource_id, token_id);
	return audit_http_ahead(resp, 200);
}

static void
token_issue_error(struct http_resp *resp, enum creds_err e, const char *err,
    int scheme)
{
	if (e == CREDS_EAUDIT)
		audit_http_unavailable(resp);
	else if (e == CREDS_ESCOPE)
		http_error(resp, 400, "invalid_scope", err);
	else if (e == CREDS_EDISABLED || e == CREDS_ENOTFOUND)
		invalid_client(resp, scheme);
	else
		http_error(resp, 500, "server_error", NULL);
}

void
oauth_token(struct keyd *k, const struct http_req *req,
    struct http_resp *resp)
{
	struct creds_issued	 is;
	struct caller		 c;
	struct form		 f;
	const char		*grant;
	char			 err[CREDS_ERR_MAX];
	enum creds_err		 e;

	memset(&f, 0, sizeof(f));
	memset(&is, 0, sizeof(is));
	resp->no_store = 1;
	if (body_form(req, &f, resp) == -1)
		goto out;
	if ((grant = form_get(&f, "grant_type")) == NULL) {
		http_error(resp, 400, "invalid_request", "grant_type is "
		    "missing");
		goto out;
	}
	if (caller_auth(k, req, &f, 0, &c, resp) == -1)
		goto out;
	if (strcmp(grant, "client_credentials") != 0) {
		http_error(resp, 400, "unsupported_grant_type", "only "
		    "client_credentials is supported");
		goto out;
	}
	/* The record is durable before the token exists. */
	e = creds_token_issue_gated(k, c.p.client, c.p.cred_id, 0, form_get(&f,
	    "scope"), token_gate, resp, &is, err, sizeof(err));
	if (e != CREDS_OK)
		token_issue_error(resp, e, err, c.scheme);
	else
		token_reply(resp, &is);
out:
	creds_issued_clear(&is);
	form_clear(&f);
}

static const char *
kind_type(enum token_kind kind)
{
	return kind == TOKEN_AT ? "access_token" : kind == TOKEN_PK ?
	    "provisioning_key" : "admin_token";
}

/* The token in the form, checked, if the caller may see it. */
static int
subject_lookup(struct keyd *k, const struct caller *c, const char *token,
    struct principal *t)
{
	if (authn_check(k->authn, token, strlen(token), keyd_now(), t) !=
	    AUTHN_OK)
		return -1;
	if (c->admin)
		return 0;
	/* A client sees only its own tokens, never an admin token. */
	return t->kind != TOKEN_ADM && t->client_id == c->p.client_id ? 0 : -1;
}

static json_t *
introspect_active(const struct principal *t)
{
	json_t *o;

	o = json_pack("{s:b, s:s, s:s, s:s, s:I, s:s}", "active", 1,
	    "token_type", "Bearer", "keyd_kind", kind_type(t->kind), "jti",
	    t->cred_id, "iat", (json_int_t)t->created_at, "iss", "keyd");
	if (o == NULL)
		return NULL;
	if (t->client_id != 0) {
		json_object_set_new(o, "client_id", json_string(t->client));
		json_object_set_new(o, "sub", json_string(t->client));
	}
	if (t->kind == TOKEN_AT)
		json_object_set_new(o, "scope", json_string(t->scope));
	if (t->expires_at != 0)
		json_object_set_new(o, "exp", json_integer(t->expires_at));
	return o;
}

/* The record names the token asked about by its id, which is public. */
static void
audit_subject(struct http_resp *resp, const char *token)
{
	struct token_ref ref;

	if (token_parse(token, strlen(token), &ref) == TOKEN_OK)
		AUDIT_SET(audit_http_rec(resp), resource_id, ref.id);
}

/* Both introspect and revoke: parse, authenticate, find the token field. */
static const char *
subject_request(struct keyd *k, const struct http_req *req, struct form *f,
    struct caller *c, struct http_resp *resp)
{
	const char *token;

	if (body_form(req, f, resp) == -1 ||
	    caller_auth(k, req, f, 1, c, resp) == -1)
		return NULL;
	if ((token = form_get(f, "token")) == NULL || *token == '\0') {
		http_error(resp, 400, "invalid_request", "token is missing");
		return NULL;
	}
	audit_subject(resp, token);
	return token;
}

void
oauth_introspect(struct keyd *k, const struct http_req *req,
    struct http_resp *resp)
{
	struct principal	 t;
	struct caller		 c;
	struct form		 f;
	const char		*token;

	memset(&f, 0, sizeof(f));
	resp->no_store = 1;
	if ((token = subject_request(k, req, &f, &c, resp)) == NULL)
		goto out;
	if (subject_lookup(k, &c, token, &t) == 0)
		http_json(resp, introspect_active(&t));
	else
		http_json(resp, json_pack("{s:b}", "active", 0));
out:
	form_clear(&f);
}

void
oauth_revoke(struct keyd *k, const struct http_req *req,
    struct http_resp *resp)
{
	struct principal	 t;
	struct caller		 c;
	struct form		 f;
	const char		*token;
	char			 err[CREDS_ERR_MAX];

	memset(&f, 0, sizeof(f));
	resp->no_store = 1;
	if ((token = subject_request(k, req, &f, &c, resp)) == NULL)
		goto out;
	/* RFC 7009 §2.2: an unknown, foreign or dead token still gets 200,
	 * so the endpoint tells a caller nothing about other tokens. */
	if (subject_lookup(k, &c, token, &t) == 0) {
		/* A revocation is an effect: its record goes first. */
		if (audit_http_ahead(resp, 200) == -1) {
			audit_http_unavailable(resp);
			goto out;
		}
		if (creds_revoke(k, t.cred_id, NULL, err, sizeof(err)) !=
		    CREDS_OK) {
			http_error(resp, 503, "temporarily_unavailable", NULL);
			goto out;
		}
	}
	http_json(resp, json_object());
out:
	form_clear(&f);
}
