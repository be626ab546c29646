/* Admin ops on policies: apply a new version atomically, show one, list
 * the history. A document is validated whole, and checked against the
 * clients that use its roles, before anything changes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyd/admin_int.h"
#include "keyd/authz.h"
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

/* ---- policy.test ----------------------------------------------------- */

#define TEST_PATH_MAX	(SCIM_PATH_MAX + SCIM_FACTS_QUERY_MAX + 1)

struct ptest {
	char		 role[STORE_NAME_MAX + 1];
	const char	*client;	/* or NULL: tested by role */
	int		 disabled;
	char		 method[8];
	char		 path[SCIM_PATH_MAX + 1];
	const char	*query;		/* into qbuf, or NULL */
	char		 qbuf[SCIM_FACTS_QUERY_MAX + 1];
	const char	*body;
	size_t		 body_len;
	const char	*scope;
};

static const char *
arg_str(json_t *args, const char *name)
{
	json_t *v = json_object_get(args, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Who is asking: exactly one of client and role. */
static int
ptest_who(struct keyd *k, json_t *args, struct ptest *t, char *err,
    size_t errlen)
{
	struct client_rec	 c;
	const char		*client = arg_str(args, "client");
	const char		*role = arg_str(args, "role");

	if ((client == NULL) == (role == NULL)) {
		snprintf(err, errlen, "give exactly one of --client NAME and "
		    "--role ROLE");
		return -1;
	}
	if (role != NULL) {
		if (strlen(role) > STORE_NAME_MAX) {
			snprintf(err, errlen, "role name too long");
			return -1;
		}
		snprintf(t->role, sizeof(t->role), "%s", role);
		return 0;
	}
	if (store_client_get(k->store, client, &c) != 0) {
		snprintf(err, errlen, "no client named %.64s", client);
		return -1;
	}
	snprintf(t->role, sizeof(t->role), "%s", c.role);
	t->client = client;
	t->disabled = !c.enabled;
	return 0;
}

/* The request: method (any case), path with an optional ?query, body. */
static int
ptest_request(json_t *args, struct ptest *t, char *err, size_t errlen)
{
	const char	*m = arg_str(args, "method"), *p = arg_str(args, "path");
	const char	*q;
	json_t		*b = json_object_get(args, "body");
	size_t		 i, plen;

	if (m == NULL || m[0] == '\0' || strlen(m) >= sizeof(t->method)) {
		snprintf(err, errlen, "missing or bad --method: give an HTTP "
		    "method such as GET, POST, PUT, PATCH or DELETE");
		return -1;
	}
	for (i = 0; m[i] != '\0'; i++) {
		if (!isalpha((unsigned char)m[i])) {
			snprintf(err, errlen, "--method must be letters only");
			return -1;
		}
		t->method[i] = (char)toupper((unsigned char)m[i]);
	}
	if (p == NULL || p[0] != '/') {
		snprintf(err, errlen, "missing or bad --path: give the path a "
		    "client would call, such as /scim/v2/hr/Users/2819c223");
		return -1;
	}
	q = strchr(p, '?');
	plen = q != NULL ? (size_t)(q - p) : strlen(p);
	if (plen > SCIM_PATH_MAX || (q != NULL && strlen(q + 1) >
	    SCIM_FACTS_QUERY_MAX)) {
		snprintf(err, errlen, "--path is too long");
		return -1;
	}
	memcpy(t->path, p, plen);
	t->path[plen] = '\0';
	if (q != NULL) {
		snprintf(t->qbuf, sizeof(t->qbuf), "%s", q + 1);
		t->query = t->qbuf;
	}
	if (b != NULL && !json_is_string(b)) {
		snprintf(err, errlen, "\"body\" must be a string");
		return -1;
	}
	t->body = b != NULL ? json_string_value(b) : NULL;
	t->body_len = b != NULL ? json_string_length(b) : 0;
	t->scope = arg_str(args, "scope");
	return 0;
}

static json_t *
ptest_list(const struct scim_facts_list *l)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *
ptest_facts(const struct scim_facts *f)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s*, s:o, s:o, s:I}",
	    "upstream", f->upstream, "operation", scim_path_op_name(f->op),
	    "endpoint", f->endpoint, "resource_type", f->resource_type, "id",
	    f->id[0] != '\0' ? f->id : NULL, "written",
	    ptest_list(&f->written), "filtered", ptest_list(&f->filtered),
	    "bulk_operations", (json_int_t)f->nbulk);
}

/* A request refused before the policy is asked: the answer keyd would
 * give, in the same shape as a decision. */
static json_t *
ptest_refused(const struct ptest *t, int status, const char *scim_type,
    const char *why)
{
	char reason[POLICY_REASON_MAX];

	snprintf(reason, sizeof(reason), "deny: refused before the policy "
	    "(%d%s%s): %s", status, scim_type != NULL ? " " : "",
	    scim_type != NULL ? scim_type : "", why);
	return json_pack("{s:s, s:n, s:s, s:i, s:s?, s:s, s:s*}", "decision",
	    "deny", "rule", "reason", reason, "status", status, "scimType",
	    scim_type, "role", t->role, "client", t->client);
}

static json_t *
ptest_decide(struct keyd *k, struct ptest *t)
{
	struct scim_facts	 f = { 0 };
	struct policy_decision	 d;
	enum scim_facts_err	 e;
	json_t			*r;
	char			 why[SCIM_FACTS_ERR_MAX];
	int			 allow;

	e = scim_facts_derive(t->method, t->path, t->query, t->body,
	    t->body_len, authz_max_body(k->policy, t->role), &f, why,
	    sizeof(why));
	if (e != SCIM_FACTS_OK) {
		r = ptest_refused(t, scim_facts_status(e),
		    scim_facts_scim_type(e), why);
		scim_facts_free(&f);
		return r;
	}
	allow = authz_decide(k->policy, t->role, t->scope, &f, &d) == 0;
	r = json_pack("{s:s, s:s?, s:s, s:o*, s:s, s:s*, s:o}", "decision",
	    allow ? "allow" : "deny", "rule", d.rule[0] != '\0' ? d.rule :
	    NULL, "reason", d.reason, "status", allow ? NULL : json_integer(
	    403), "role", t->role, "client", t->client, "request",
	    ptest_facts(&f));
	if (r != NULL && d.bulk_index >= 0)
		json_object_set_new(r, "bulk_index",
		    json_integer(d.bulk_index));
	scim_facts_free(&f);
	return r;
}

json_t *
admin_policy_test(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct ptest	*t;
	json_t		*r = NULL;

	err[0] = '\0';
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ptest_who(k, args, t, err, errlen) != 0 ||
	    ptest_request(args, t, err, errlen) != 0)
		goto out;
	pthread_rwlock_rdlock(&k->policy_lock);
	if (!policy_role_exists(k->policy, t->role))
		snprintf(err, errlen, "no role %s in the active policy "
		    "(version %lld)", t->role, (long long)k->policy_version);
	else if (t->disabled)
		r = ptest_refused(t, 401, NULL, "the client is disabled");
	else
		r = ptest_decide(k, t);
	pthread_rwlock_unlock(&k->policy_lock);
	if (r == NULL && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
out:
	free(t);
	return r;
}
