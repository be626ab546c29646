/* Admin ops on policies: apply a new version atomically, show one, list
 * the history. A document is validated whole, and checked against the
 * clients that use its roles, before anything changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyd/admin_int.h"
#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/store.h"
#include "policy/policy.h"

#define POLICY_DOC_MAX (1024 * 1024)

struct role_check {
	const struct policy_set	*set;
	char			*err;
	size_t			 errlen;
};

static int
role_check_cb(void *arg, const struct client_rec *c)
{
	struct role_check *rc = arg;

	if (policy_role_exists(rc->set, c->role))
		return 0;
	snprintf(rc->err, rc->errlen, "the document drops role %s, which "
	    "client %s uses: keep the role, or move the client first",
	    c->role, c->name);
	return 1;
}

/* A short digest of DOC, so operators can tell versions apart. */
static void
doc_digest(const char *doc, size_t len, char out[33])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), (const unsigned char *)doc, len,
	    NULL, 0);
	sodium_bin2hex(out, 33, h, sizeof(h));
}

static json_t *
apply_checked(struct keyd *k, const char *doc, struct policy_set **set,
    char *err, size_t errlen)
{
	struct role_check	 rc = { *set, err, errlen };
	struct policy_set	*old;
	int64_t			 version;
	char			 digest[33];
	int			 r;

	if ((r = store_client_each(k->store, role_check_cb, &rc)) != 0) {
		if (r == -1)
			snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	if (store_policy_put(k->store, doc, &version) != 0) {
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	/* Requests holding the read lock finish under the old version. */
	pthread_rwlock_wrlock(&k->policy_lock);
	old = k->policy;
	k->policy = *set;
	k->policy_version = version;
	pthread_rwlock_unlock(&k->policy_lock);
	*set = old;
	doc_digest(doc, strlen(doc), digest);
	log_event(LOG_WARN, "policy.applied", "version=%lld digest=%s",
	    (long long)version, digest);
	return json_pack("{s:I, s:s, s:i}", "version", (json_int_t)version,
	    "digest", digest, "roles", (int)policy_role_count(k->policy));
}

json_t *
admin_policy_apply(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct policy_set	*set = NULL;
	struct policy_error	 perr;
	json_t			*doc, *r;

	doc = json_object_get(args, "document");
	if (!json_is_string(doc) || json_string_length(doc) == 0) {
		snprintf(err, errlen, "missing argument \"document\"");
		return NULL;
	}
	if (json_string_length(doc) > POLICY_DOC_MAX) {
		snprintf(err, errlen, "the document is larger than 1 MiB");
		return NULL;
	}
	if (policy_load(json_string_value(doc), json_string_length(doc), &set,
	    &perr) != 0) {
		snprintf(err, errlen, "%s%s%s", perr.path, perr.path[0] != '\0'
		    ? ": " : "", perr.msg);
		return NULL;
	}
	r = apply_checked(k, json_string_value(doc), &set, err, errlen);
	policy_free(&set);
	return r;
}

static json_t *
policy_json(const struct policy_rec *p, const char *doc)
{
	char digest[33];

	doc_digest(doc, strlen(doc), digest);
	return json_pack("{s:I, s:I, s:b, s:I, s:s}", "version",
	    (json_int_t)p->version, "created_at", (json_int_t)p->created_at,
	    "active", p->active, "size", (json_int_t)p->size, "digest",
	    digest);
}

json_t *
admin_policy_show(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct policy_rec	 p;
	json_t			*v, *meta, *parsed;
	char			*doc = NULL;
	int64_t			 version;
	int			 r;

	v = json_object_get(args, "version");
	if (v != NULL && !json_is_integer(v)) {
		snprintf(err, errlen, "\"version\" must be an integer");
		return NULL;
	}
	pthread_rwlock_rdlock(&k->policy_lock);
	version = v != NULL ? json_integer_value(v) : k->policy_version;
	pthread_rwlock_unlock(&k->policy_lock);
	if ((r = store_policy_get(k->store, version, &p, &doc)) != 0) {
		if (r == STORE_NOTFOUND)
			snprintf(err, errlen, "no policy version %lld",
			    (long long)version);
		else
			snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	meta = policy_json(&p, doc);
	parsed = json_loads(doc, 0, NULL);
	free(doc);
	if (parsed == NULL) {
		json_decref(meta);
		snprintf(err, errlen, "policy version %lld is damaged",
		    (long long)version);
		return NULL;
	}
	json_object_set_new(meta, "document", parsed);
	return meta;
}

static int
history_cb(void *arg, const struct policy_rec *p, const char *doc)
{
	return json_array_append_new(arg, policy_json(p, doc));
}

json_t *
admin_policy_history(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	json_t *list = json_array();

	(void)args;
	if (store_policy_each(k->store, history_cb, list) != 0) {
		json_decref(list);
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	return json_pack("{s:o}", "policies", list);
}
