/* Credential lifecycle. The only place that mints tokens: the secret exists
 * in guarded memory until handed to the caller once; the store keeps the
 * keyed hash. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keyd/authn.h"
#include "keyd/creds.h"
#include "keyd/keyd.h"
#include "keyd/keyring.h"
#include "keyd/log.h"
#include "policy/policy.h"

#define MINT_TRIES 3

void
creds_issued_clear(struct creds_issued *out)
{
	if (out->token != NULL)
		sodium_free(out->token);
	memset(out, 0, sizeof(*out));
}

static enum creds_err
fail(char *err, size_t errlen, enum creds_err code, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return code;
}

static enum creds_err
internal(struct keyd *k, char *err, size_t errlen)
{
	log_event(LOG_ERROR, "store.error", "%s", store_errmsg(k->store));
	return fail(err, errlen, CREDS_EINTERNAL, "internal error; see keyd's "
	    "log");
}

static int
name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > STORE_NAME_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") == n;
}

/* Mint a token of REC->kind, fill REC's id and hash, pass the GATE (if
 * any), insert it. A gated mint does not retry on an id collision: the
 * gate has already recorded that id. */
static enum creds_err
mint_gated(struct keyd *k, struct cred_rec *rec, creds_gate gate,
    void *gate_arg, struct creds_issued *out, char *err, size_t errlen)
{
	struct token_ref	ref;
	size_t			len;
	int			i, r = -1;

	if ((out->token = sodium_malloc(TOKEN_MAX_LEN + 1)) == NULL)
		return fail(err, errlen, CREDS_EINTERNAL, "out of memory");
	for (i = 0; i < MINT_TRIES; i++) {
		len = token_generate(rec->kind, out->token);
		if (token_parse(out->token, len, &ref) != TOKEN_OK)
			break;
		memcpy(rec->id, ref.id, sizeof(rec->id));
		if (keyring_token_hash(k->kr, out->token, len, rec->hash) ==
		    -1) {
			r = -1;
			break;
		}
		if (gate != NULL && gate(gate_arg, rec->id) != 0) {
			creds_issued_clear(out);
			return fail(err, errlen, CREDS_EAUDIT, "the audit log "
			    "cannot be written");
		}
		if ((r = store_cred_insert(k->store, rec)) != STORE_EXISTS ||
		    gate != NULL)
			break;
	}
	if (r != 0) {
		creds_issued_clear(out);
		return internal(k, err, errlen);
	}
	memcpy(out->id, rec->id, sizeof(out->id));
	return CREDS_OK;
}

static enum creds_err
mint(struct keyd *k, struct cred_rec *rec, struct creds_issued *out,
    char *err, size_t errlen)
{
	return mint_gated(k, rec, NULL, NULL, out, err, errlen);
}

static enum creds_err
client_lookup(struct keyd *k, const char *name, struct client_rec *c,
    char *err, size_t errlen)
{
	int r = store_client_get(k->store, name, c);

	if (r == STORE_NOTFOUND) {
		snprintf(err, errlen, "no client \"%.64s\"", name);
		return CREDS_ENOTFOUND;
	}
	return r == 0 ? CREDS_OK : internal(k, err, errlen);
}

static enum creds_err
key_mint(struct keyd *k, const struct client_rec *c, struct creds_issued *out,
    char *err, size_t errlen)
{
	struct cred_rec	rec;
	enum creds_err	e;

	memset(&rec, 0, sizeof(rec));
	rec.kind = TOKEN_PK;
	rec.client_id = c->id;
	rec.state = CRED_ACTIVE;
	rec.epoch = c->key_epoch;
	rec.created_at = keyd_now();
	if ((e = mint(k, &rec, out, err, errlen)) != CREDS_OK)
		return e;
	snprintf(out->client, sizeof(out->client), "%s", c->name);
	log_event(LOG_INFO, "key.created", "client=%s key_id=%s", c->name,
	    out->id);
	return CREDS_OK;
}

static int
role_defined(struct keyd *k, const char *role)
{
	int ok;

	pthread_rwlock_rdlock(&k->policy_lock);
	ok = k->policy != NULL && policy_role_exists(k->policy, role);
	pthread_rwlock_unlock(&k->policy_lock);
	return ok;
}

enum creds_err
creds_client_create(struct keyd *k, const char *name, const char *role,
    struct creds_issued *out, char *err, size_t errlen)
{
	struct client_rec	c;
	int			r;

	memset(out, 0, sizeof(*out));
	if (!name_valid(name))
		return fail(err, errlen, CREDS_EINVAL, "a client name is 1-64 "
		    "of A-Z a-z 0-9 . _ -");
	if (!role_defined(k, role)) {
		snprintf(err, errlen, "no role \"%.64s\" in the active policy",
		    role);
		return CREDS_EINVAL;
	}
	r = store_client_create(k->store, name, role, &c);
	if (r == STORE_EXISTS) {
		snprintf(err, errlen, "client \"%s\" already exists", name);
		return CREDS_EEXISTS;
	}
	if (r != 0)
		return internal(k, err, errlen);
	log_event(LOG_INFO, "client.created", "client=%s role=%s", name, role);
	return key_mint(k, &c, out, err, errlen);
}

enum creds_err
creds_client_set_enabled(struct keyd *k, const char *name, int enabled,
    char *err, size_t errlen)
{
	struct client_rec	c;
	enum creds_err		e;

	if ((e = client_lookup(k, name, &c, err, errlen)) != CREDS_OK)
		return e;
	if (store_client_set_enabled(k->store, c.id, enabled) != 0)
		return internal(k, err, errlen);
	authn_invalidate(k->authn);
	log_event(LOG_INFO, enabled ? "client.enabled" : "client.disabled",
	    "client=%s", name);
	return CREDS_OK;
}

enum creds_err
creds_revoke_all(struct keyd *k, const char *name, int keys,
    struct client_rec *out, char *err, size_t errlen)
{
	struct client_rec	c;
	enum creds_err		e;

	if ((e = client_lookup(k, name, &c, err, errlen)) != CREDS_OK)
		return e;
	if (store_client_bump_epoch(k->store, c.id, keys, out) != 0)
		return internal(k, err, errlen);
	authn_invalidate(k->authn);
	log_event(LOG_WARN, keys ? "client.revoked_all" : "token.revoked_all",
	    "client=%s epoch=%lld key_epoch=%lld", name,
	    (long long)out->epoch, (long long)out->key_epoch);
	return CREDS_OK;
}

enum creds_err
creds_key_create(struct keyd *k, const char *name, struct creds_issued *out,
    char *err, size_t errlen)
{
	struct client_rec	c;
	enum creds_err		e;

	memset(out, 0, sizeof(*out));
	if ((e = client_lookup(k, name, &c, err, errlen)) != CREDS_OK)
		return e;
	return key_mint(k, &c, out, err, errlen);
}

/* The TTL a token gets: the request, capped by the role and the config. */
static int64_t
ttl_effective(struct keyd *k, const char *role, int64_t req)
{
	int64_t	ttl = k->cfg.access_token_ttl, role_ttl;
	int	r;

	pthread_rwlock_rdlock(&k->policy_lock);
	r = k->policy != NULL ? policy_role_token_ttl(k->policy, role,
	    &role_ttl) : 1;
	pthread_rwlock_unlock(&k->policy_lock);
	if (r == 0 && role_ttl < ttl)
		ttl = role_ttl;
	if (req > 0 && req < ttl)
		ttl = req;
	return ttl;
}

static enum creds_err
scope_grant(struct keyd *k, const char *role, const char *scope, char *out,
    size_t outlen, char *err, size_t errlen)
{
	char	bad[160];
	int	r;

	pthread_rwlock_rdlock(&k->policy_lock);
	r = k->policy != NULL ? policy_scope_grant(k->policy, role, scope,
	    out, outlen, bad, sizeof(bad)) : -1;
	pthread_rwlock_unlock(&k->policy_lock);
	if (r == 0)
		return CREDS_OK;
	if (bad[0] == '\0')
		snprintf(err, errlen, "role %s grants no scopes", role);
	else
		snprintf(err, errlen, "scope \"%s\" is not granted to role %s",
		    bad, role);
	return CREDS_ESCOPE;
}

enum creds_err
creds_token_issue(struct keyd *k, const char *name, const char *parent_key,
    int64_t ttl_req, const char *scope, struct creds_issued *out, char *err,
    size_t errlen)
{
	return creds_token_issue_gated(k, name, parent_key, ttl_req, scope,
	    NULL, NULL, out, err, errlen);
}

enum creds_err
creds_token_issue_gated(struct keyd *k, const char *name,
    const char *parent_key, int64_t ttl_req, const char *scope,
    creds_gate gate, void *gate_arg, struct creds_issued *out, char *err,
    size_t errlen)
{
	struct client_rec	c;
	struct cred_rec		rec;
	enum creds_err		e;

	memset(out, 0, sizeof(*out));
	memset(&rec, 0, sizeof(rec));
	if ((e = client_lookup(k, name, &c, err, errlen)) != CREDS_OK)
		return e;
	if (!c.enabled)
		return fail(err, errlen, CREDS_EDISABLED, "client is disabled");
	if ((e = scope_grant(k, c.role, scope, rec.scope, sizeof(rec.scope),
	    err, errlen)) != CREDS_OK)
		return e;
	rec.kind = TOKEN_AT;
	rec.client_id = c.id;
	snprintf(rec.parent_id, sizeof(rec.parent_id), "%s", parent_key);
	rec.state = CRED_ACTIVE;
	rec.epoch = c.epoch;
	rec.created_at = keyd_now();
	out->expires_in = ttl_effective(k, c.role, ttl_req);
	rec.expires_at = rec.created_at + out->expires_in;
	if ((e = mint_gated(k, &rec, gate, gate_arg, out, err, errlen)) !=
	    CREDS_OK)
		return e;
	snprintf(out->client, sizeof(out->client), "%s", c.name);
	memcpy(out->scope, rec.scope, sizeof(out->scope));
	log_event(LOG_INFO, "token.issued", "client=%s token_id=%s key_id=%s "
	    "ttl=%llds scope=\"%s\"", c.name, out->id,
	    parent_key[0] != '\0' ? parent_key : "-",
	    (long long)out->expires_in, rec.scope);
	return CREDS_OK;
}

enum creds_err
creds_admin_token_create(struct keyd *k, const char *name,
    struct creds_issued *out, char *err, size_t errlen)
{
	struct cred_rec	rec;
	enum creds_err	e;

	memset(out, 0, sizeof(*out));
	if (!name_valid(name))
		return fail(err, errlen, CREDS_EINVAL, "an admin token name is "
		    "1-64 of A-Z a-z 0-9 . _ -");
	memset(&rec, 0, sizeof(rec));
	rec.kind = TOKEN_ADM;
	rec.state = CRED_ACTIVE;
	rec.created_at = keyd_now();
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	if ((e = mint(k, &rec, out, err, errlen)) != CREDS_OK)
		return e;
	log_event(LOG_INFO, "admintoken.created", "name=%s token_id=%s", name,
	    out->id);
	return CREDS_OK;
}

enum creds_err
creds_revoke(struct keyd *k, const char *id, int64_t *children, char *err,
    size_t errlen)
{
	int64_t	kids = 0;
	int	r;

	if (strlen(id) != TOKEN_ID_LEN) {
		snprintf(err, errlen, "no credential \"%.32s\"", id);
		return CREDS_ENOTFOUND;
	}
	r = store_cred_revoke(k->store, id, keyd_now(), &kids);
	if (r == STORE_NOTFOUND) {
		snprintf(err, errlen, "no credential \"%s\"", id);
		return CREDS_ENOTFOUND;
	}
	if (r != 0)
		return internal(k, err, errlen);
	authn_invalidate(k->authn);
	if (children != NULL)
		*children = kids;
	log_event(LOG_WARN, "credential.revoked", "id=%s derived_revoked=%lld",
	    id, (long long)kids);
	return CREDS_OK;
}
