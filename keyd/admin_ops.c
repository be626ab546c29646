/* Admin operations, one function each, behind one table. Every op returns
 * its result object, or NULL with a message for the operator in ERR. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keyd/admin.h"
#include "keyd/admin_int.h"
#include "keyd/creds.h"
#include "keyd/keyd.h"
#include "keyd/keyring.h"
#include "keyd/log.h"
#include "keyd/store.h"
#include "policy/policy.h"
#include "policy/units.h"

#define ERR_MAX 512


static json_t *
time_or_null(int64_t t)
{
	return t != 0 ? json_integer(t) : json_null();
}

/* A required string argument; NULL with ERR set when absent. */
static const char *
arg_str(json_t *args, const char *name, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, name);

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > 1024) {
		snprintf(err, errlen, "missing argument \"%s\"", name);
		return NULL;
	}
	return json_string_value(v);
}

static const char *
arg_opt(json_t *args, const char *name)
{
	json_t *v = json_object_get(args, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *
issued_json(const struct creds_issued *is, const char *idkey,
    const char *tokkey)
{
	return json_pack("{s:s, s:s, s:s}", "client", is->client, idkey,
	    is->id, tokkey, is->token);
}

static json_t *
op_status(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	json_t	*roles, *o;
	int64_t	 n = 0;
	size_t	 i;

	(void)args;
	if (store_client_count(k->store, &n) != 0) {
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	roles = json_array();
	pthread_rwlock_rdlock(&k->policy_lock);
	for (i = 0; i < policy_role_count(k->policy); i++)
		json_array_append_new(roles, json_string(policy_role_name(
		    k->policy, i)));
	pthread_rwlock_unlock(&k->policy_lock);
	o = json_pack("{s:s, s:I, s:I, s:s, s:b, s:i, s:I, s:I, s:I, s:o}",
	    "version", KEYD_VERSION, "pid", (json_int_t)getpid(), "uptime",
	    (json_int_t)(time(NULL) - k->started), "listen", k->cfg.listen,
	    "tls", k->cfg.tls, "store_schema", store_schema_version(k->store),
	    "dek_version", (json_int_t)keyring_dek_current(k->kr),
	    "policy_version", (json_int_t)k->policy_version, "clients",
	    (json_int_t)n, "roles", roles);
	admin_audit_status(k, o);
	return o;
}

static json_t *
op_client_create(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct creds_issued	 is;
	const char		*name, *role;
	json_t			*r = NULL;

	if ((name = arg_str(args, "name", err, errlen)) == NULL ||
	    (role = arg_str(args, "role", err, errlen)) == NULL)
		return NULL;
	if (creds_client_create(k, name, role, &is, err, errlen) == CREDS_OK)
		r = issued_json(&is, "key_id", "key");
	creds_issued_clear(&is);
	return r;
}

static json_t *
client_json(struct keyd *k, const struct client_rec *c)
{
	int64_t keys = 0, tokens = 0, now = keyd_now();

	if (store_cred_count_live(k->store, c, TOKEN_PK, now, &keys) != 0 ||
	    store_cred_count_live(k->store, c, TOKEN_AT, now, &tokens) != 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "name",
	    c->name, "role", c->role, "state", c->enabled ? "enabled" :
	    "disabled", "epoch", (json_int_t)c->epoch, "created_at",
	    (json_int_t)c->created_at, "keys", (json_int_t)keys, "tokens",
	    (json_int_t)tokens);
}

struct walk {
	struct keyd		*k;
	json_t			*list;
	const struct client_rec	*client;	/* NULL: look each up */
};

static int
client_list_cb(void *arg, const struct client_rec *c)
{
	struct walk	*w = arg;
	json_t		*o;

	if ((o = client_json(w->k, c)) == NULL)
		return -1;
	return json_array_append_new(w->list, o);
}

static json_t *
op_client_list(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct walk w = { k, json_array(), NULL };

	(void)args;
	if (store_client_each(k->store, client_list_cb, &w) != 0) {
		json_decref(w.list);
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	return json_pack("{s:o}", "clients", w.list);
}

static const char *
cred_state(const struct cred_rec *c, const struct client_rec *cl,
    int64_t now)
{
	int64_t epoch = c->kind == TOKEN_PK ? cl->key_epoch : cl->epoch;

	if (c->state == CRED_REVOKED || (cl->id != 0 && c->epoch != epoch))
		return "revoked";
	if (c->expires_at != 0 && now >= c->expires_at)
		return "expired";
	return store_cred_state_name(c->state);
}

static int
key_list_cb(void *arg, const struct cred_rec *c)
{
	struct walk *w = arg;

	return json_array_append_new(w->list, json_pack("{s:s, s:s, s:s, "
	    "s:I, s:o}", "key_id", c->id, "client", w->client->name, "state",
	    cred_state(c, w->client, keyd_now()), "created_at",
	    (json_int_t)c->created_at, "expires_at",
	    time_or_null(c->expires_at)));
}

static int
client_find(struct keyd *k, const char *name, struct client_rec *c, char *err,
    size_t errlen)
{
	int r = store_client_get(k->store, name, c);

	if (r == STORE_NOTFOUND)
		snprintf(err, errlen, "no client \"%.64s\"", name);
	else if (r != 0)
		snprintf(err, errlen, "%s", store_errmsg(k->store));
	return r == 0 ? 0 : -1;
}

static json_t *
keys_of(struct keyd *k, const struct client_rec *c, char *err, size_t errlen)
{
	struct walk w = { k, json_array(), c };

	if (store_cred_each(k->store, TOKEN_PK, c->id, key_list_cb, &w) != 0) {
		json_decref(w.list);
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	return w.list;
}

static json_t *
op_client_show(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct client_rec	 c;
	const char		*name;
	json_t			*keys, *cj;
	char			 scopes[POLICY_SCOPES_MAX];

	if ((name = arg_str(args, "name", err, errlen)) == NULL ||
	    client_find(k, name, &c, err, errlen) == -1 ||
	    (keys = keys_of(k, &c, err, errlen)) == NULL)
		return NULL;
	if ((cj = client_json(k, &c)) == NULL) {
		json_decref(keys);
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	pthread_rwlock_rdlock(&k->policy_lock);
	if (policy_role_scopes(k->policy, c.role, scopes, sizeof(scopes)) != 0)
		scopes[0] = '\0';
	pthread_rwlock_unlock(&k->policy_lock);
	return json_pack("{s:o, s:o, s:s}", "client", cj, "keys", keys,
	    "scopes", scopes);
}

static json_t *
client_enable(struct keyd *k, json_t *args, int on, char *err, size_t errlen)
{
	const char *name;

	if ((name = arg_str(args, "name", err, errlen)) == NULL ||
	    creds_client_set_enabled(k, name, on, err, errlen) != CREDS_OK)
		return NULL;
	return json_pack("{s:s, s:s}", "client", name, "state", on ?
	    "enabled" : "disabled");
}

static json_t *
op_client_disable(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	return client_enable(k, args, 0, err, errlen);
}

static json_t *
op_client_enable(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	return client_enable(k, args, 1, err, errlen);
}

static json_t *
revoke_all(struct keyd *k, const char *name, int keys, char *err,
    size_t errlen)
{
	struct client_rec c;

	if (creds_revoke_all(k, name, keys, &c, err, errlen) != CREDS_OK)
		return NULL;
	return json_pack("{s:s, s:I, s:I}", "client", name, "epoch",
	    (json_int_t)c.epoch, "key_epoch", (json_int_t)c.key_epoch);
}

static json_t *
op_client_revoke_all(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	const char *name = arg_str(args, "name", err, errlen);

	return name != NULL ? revoke_all(k, name, 1, err, errlen) : NULL;
}

static json_t *
op_token_revoke_all(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	const char *name = arg_str(args, "client", err, errlen);

	return name != NULL ? revoke_all(k, name, 0, err, errlen) : NULL;
}

static json_t *
op_key_list(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct client_rec	 c;
	const char		*name;
	json_t			*keys;

	if ((name = arg_str(args, "client", err, errlen)) == NULL ||
	    client_find(k, name, &c, err, errlen) == -1 ||
	    (keys = keys_of(k, &c, err, errlen)) == NULL)
		return NULL;
	return json_pack("{s:o}", "keys", keys);
}

static json_t *
op_key_create(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct creds_issued	 is;
	const char		*name;
	json_t			*r = NULL;

	if ((name = arg_str(args, "client", err, errlen)) == NULL)
		return NULL;
	if (creds_key_create(k, name, &is, err, errlen) == CREDS_OK)
		r = issued_json(&is, "key_id", "key");
	creds_issued_clear(&is);
	return r;
}

static const char *const kind_words[] = {
	"provisioning key", "access token", "admin token"
};

/* Revoke the credential named by ARGS[IDKEY], which must be of KIND: a
 * key id typed into `token revoke` is refused, not obeyed. */
static json_t *
revoke_one(struct keyd *k, json_t *args, const char *idkey,
    enum token_kind kind, char *err, size_t errlen)
{
	struct cred_rec		 c;
	struct client_rec	 cl;
	const char		*id;
	int64_t			 kids = 0;
	int			 r;

	if ((id = arg_str(args, idkey, err, errlen)) == NULL)
		return NULL;
	r = store_cred_get(k->store, id, &c);
	if (r != 0 || c.kind != kind) {
		snprintf(err, errlen, "no %s \"%.32s\"", kind_words[kind], id);
		if (r == 0)
			snprintf(err + strlen(err), errlen - strlen(err),
			    " (%.12s is a %s)", id, kind_words[c.kind]);
		return NULL;
	}
	if (creds_revoke(k, id, &kids, err, errlen) != CREDS_OK)
		return NULL;
	memset(&cl, 0, sizeof(cl));
	if (c.client_id != 0 &&
	    store_client_get_by_id(k->store, c.client_id, &cl) != 0)
		cl.name[0] = '\0';
	return json_pack("{s:s, s:s, s:s, s:I}", idkey, id, "client",
	    cl.name, "state", "revoked", "tokens_revoked", (json_int_t)kids);
}

static json_t *
op_key_revoke(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	return revoke_one(k, args, "key_id", TOKEN_PK, err, errlen);
}

static json_t *
op_token_revoke(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	return revoke_one(k, args, "token_id", TOKEN_AT, err, errlen);
}

static json_t *
op_admintoken_revoke(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	return revoke_one(k, args, "token_id", TOKEN_ADM, err, errlen);
}

static json_t *
op_token_issue(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct creds_issued	 is;
	const char		*name, *ttl_s;
	int64_t			 ttl = 0;
	json_t			*r = NULL;

	if ((name = arg_str(args, "client", err, errlen)) == NULL)
		return NULL;
	if ((ttl_s = arg_opt(args, "ttl")) != NULL &&
	    units_parse_duration(ttl_s, &ttl) == -1) {
		snprintf(err, errlen, "bad ttl \"%.32s\" (use a unit: s, m, h, "
		    "d, as in 5m)", ttl_s);
		return NULL;
	}
	if (creds_token_issue(k, name, "", ttl, arg_opt(args, "scope"), &is,
	    err, errlen) == CREDS_OK)
		r = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "access_token",
		    is.token, "token_id", is.id, "token_type", "Bearer",
		    "expires_in", (json_int_t)is.expires_in, "scope", is.scope,
		    "client", is.client);
	creds_issued_clear(&is);
	return r;
}

struct token_walk {
	struct keyd		*k;
	json_t			*list;
	struct client_rec	 c;	/* cache of the last client seen */
};

static int
token_list_cb(void *arg, const struct cred_rec *t)
{
	struct token_walk *w = arg;

	if (w->c.id != t->client_id &&
	    store_client_get_by_id(w->k->store, t->client_id, &w->c) != 0)
		return -1;
	return json_array_append_new(w->list, json_pack("{s:s, s:s, s:s, s:s, "
	    "s:s, s:I, s:o}", "token_id", t->id, "client", w->c.name,
	    "key_id", t->parent_id, "scope", t->scope, "state",
	    cred_state(t, &w->c, keyd_now()), "issued_at",
	    (json_int_t)t->created_at, "expires_at",
	    time_or_null(t->expires_at)));
}

static json_t *
op_token_list(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct token_walk	 w;
	const char		*name;

	memset(&w, 0, sizeof(w));
	w.k = k;
	if ((name = arg_opt(args, "client")) != NULL &&
	    client_find(k, name, &w.c, err, errlen) == -1)
		return NULL;
	w.list = json_array();
	if (store_cred_each(k->store, TOKEN_AT, w.c.id, token_list_cb, &w) !=
	    0) {
		json_decref(w.list);
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	return json_pack("{s:o}", "tokens", w.list);
}

static json_t *
op_admintoken_create(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct creds_issued	 is;
	const char		*name;
	json_t			*r = NULL;

	if ((name = arg_str(args, "name", err, errlen)) == NULL)
		return NULL;
	if (creds_admin_token_create(k, name, &is, err, errlen) == CREDS_OK)
		r = json_pack("{s:s, s:s, s:s}", "name", name, "token_id",
		    is.id, "token", is.token);
	creds_issued_clear(&is);
	return r;
}

static int
admintoken_list_cb(void *arg, const struct cred_rec *t)
{
	struct walk		*w = arg;
	struct client_rec	 none;

	memset(&none, 0, sizeof(none));
	return json_array_append_new(w->list, json_pack("{s:s, s:s, s:s, "
	    "s:I}", "token_id", t->id, "name", t->name, "state",
	    cred_state(t, &none, keyd_now()), "created_at",
	    (json_int_t)t->created_at));
}

static json_t *
op_admintoken_list(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct walk w = { k, json_array(), NULL };

	(void)args;
	if (store_cred_each(k->store, TOKEN_ADM, 0, admintoken_list_cb, &w) !=
	    0) {
		json_decref(w.list);
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	return json_pack("{s:o}", "admin_tokens", w.list);
}

static const struct {
	const char	*name;
	admin_op	 fn;
} ops[] = {
	{ "status",		op_status },
	{ "client.create",	op_client_create },
	{ "client.list",	op_client_list },
	{ "client.show",	op_client_show },
	{ "client.disable",	op_client_disable },
	{ "client.enable",	op_client_enable },
	{ "client.revoke-all",	op_client_revoke_all },
	{ "key.list",		op_key_list },
	{ "key.create",		op_key_create },
	{ "key.revoke",		op_key_revoke },
	{ "token.issue",	op_token_issue },
	{ "token.list",		op_token_list },
	{ "token.revoke",	op_token_revoke },
	{ "token.revoke-all",	op_token_revoke_all },
	{ "admintoken.create",	op_admintoken_create },
	{ "admintoken.list",	op_admintoken_list },
	{ "admintoken.revoke",	op_admintoken_revoke },
	{ "policy.apply",	admin_policy_apply },
	{ "policy.show",	admin_policy_show },
	{ "policy.history",	admin_policy_history },
	{ "policy.test",	admin_policy_test },
	{ "audit.verify",	admin_audit_verify },
	{ "audit.tail",		admin_audit_tail },
	{ "audit.query",	admin_audit_query },
	{ "audit.export",	admin_audit_export },
	{ "audit.pubkey",	admin_audit_pubkey },
	{ "upstream.add",	admin_upstream_add },
	{ "upstream.list",	admin_upstream_list },
	{ "upstream.show",	admin_upstream_show },
	{ "upstream.remove",	admin_upstream_remove },
	{ "upstream.test",	admin_upstream_test },
};

json_t *
admin_dispatch(struct keyd *k, json_t *req)
{
	const char	*op;
	json_t		*args, *result;
	char		 err[ERR_MAX] = "";
	size_t		 i;

	op = json_string_value(json_object_get(req, "op"));
	if (op == NULL)
		return json_pack("{s:b, s:s}", "ok", 0, "error",
		    "the request has no \"op\"");
	args = json_object_get(req, "args");
	if (args != NULL && !json_is_object(args))
		return json_pack("{s:b, s:s}", "ok", 0, "error",
		    "\"args\" must be an object");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, op) != 0)
			continue;
		result = admin_audit_gate(k, op, err, sizeof(err)) == 0 ?
		    ops[i].fn(k, args, err, sizeof(err)) : NULL;
		result = admin_audit_record(k, op, args, result, err,
		    sizeof(err));
		log_event(result != NULL ? LOG_INFO : LOG_WARN, "admin.op",
		    "op=%s ok=%s", op, result != NULL ? "true" : "false");
		if (result == NULL)
			return json_pack("{s:b, s:s}", "ok", 0, "error",
			    err[0] != '\0' ? err : "internal error");
		return json_pack("{s:b, s:o}", "ok", 1, "result", result);
	}
	snprintf(err, sizeof(err), "unknown op \"%.64s\"", op);
	return json_pack("{s:b, s:s}", "ok", 0, "error", err);
}
