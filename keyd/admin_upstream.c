/* Admin ops on upstreams: add, list, show, remove, test. A credential
 * arrives once, in upstream.add, is sealed, and is never sent back: every
 * answer holds metadata only. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keyd/admin_int.h"
#include "keyd/keyd.h"
#include "keyd/upstream.h"

#define ARG_MAX		1024	/* a plain string argument */
#define SUBJECT_MAX	256

/* The members upstream.add takes, the longest each may be, and whether
 * it may be empty (a file's contents: the checks say what is wrong). */
static const struct {
	const char	*name;
	size_t		 max;
	int		 file;
} add_args[] = {
	{ "name", ARG_MAX, 0 }, { "url", UPSTREAM_URL_MAX, 0 },
	{ "bearer", UPSTREAM_BEARER_MAX + 2, 1 },
	{ "client_cert", UPSTREAM_PEM_MAX, 1 },
	{ "client_key", UPSTREAM_PEM_MAX, 1 }, { "ca", UPSTREAM_PEM_MAX, 1 },
	{ "pin", UPSTREAM_PIN_MAX, 0 }, { "timeout", 32, 0 },
};

#define NADD_ARGS (sizeof(add_args) / sizeof(add_args[0]))

/* Every member of ARGS is one add takes, a string, within its limit. */
static int
add_args_check(json_t *args, char *err, size_t errlen)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	json_object_foreach(args, key, v) {
		for (i = 0; i < NADD_ARGS; i++)
			if (strcmp(add_args[i].name, key) == 0)
				break;
		if (i == NADD_ARGS) {
			snprintf(err, errlen, "unknown argument \"%.32s\"", key);
			return -1;
		}
		if (!json_is_string(v) || (json_string_length(v) == 0 &&
		    !add_args[i].file)) {
			snprintf(err, errlen, "\"%s\" must be a non-empty "
			    "string", key);
			return -1;
		}
		if (json_string_length(v) > add_args[i].max) {
			snprintf(err, errlen, "\"%s\" is longer than %zu bytes",
			    key, add_args[i].max);
			return -1;
		}
	}
	return 0;
}

static const char *
str_or_null(json_t *args, const char *name, size_t *len)
{
	json_t *v = json_object_get(args, name);

	if (!json_is_string(v))
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

/* The request's copy of a credential dies with the request; wipe it now
 * rather than leave it to free(). */
static void
arg_wipe(json_t *args, const char *name)
{
	json_t *v = json_object_get(args, name);

	if (json_is_string(v))
		sodium_memzero((void *)(uintptr_t)json_string_value(v),
		    json_string_length(v));
}

static json_t *
timeout_json(int64_t ms)
{
	char buf[32];

	if (ms % 60000 == 0)
		snprintf(buf, sizeof(buf), "%lldm", (long long)(ms / 60000));
	else
		snprintf(buf, sizeof(buf), "%llds", (long long)(ms / 1000));
	return json_string(buf);
}

/* Metadata only: never the credential, nor anything derived from it. */
static json_t *
upstream_json(const struct upstream_rec *r)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:I, s:I, s:I, s:I}",
	    "name", r->name, "url", r->url, "auth", upstream_auth_name(r->auth),
	    "ca", r->ca_pem != NULL, "pin", r->pin[0] != '\0' ?
	    json_string(r->pin) : json_null(), "timeout",
	    timeout_json(r->timeout_ms), "timeout_ms", (json_int_t)r->timeout_ms,
	    "credential_version", (json_int_t)r->cred_version, "created_at",
	    (json_int_t)r->created_at, "updated_at", (json_int_t)r->updated_at);
}

json_t *
admin_upstream_add(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct upstream_spec	 spec;
	struct upstream_rec	 rec;
	json_t			*r = NULL;

	memset(&spec, 0, sizeof(spec));
	if (args == NULL || add_args_check(args, err, errlen) == -1)
		goto out;
	spec.name = str_or_null(args, "name", NULL);
	spec.url = str_or_null(args, "url", NULL);
	spec.bearer = str_or_null(args, "bearer", &spec.bearer_len);
	spec.client_cert = str_or_null(args, "client_cert", NULL);
	spec.client_key = str_or_null(args, "client_key", &spec.client_key_len);
	spec.ca = str_or_null(args, "ca", NULL);
	spec.pin = str_or_null(args, "pin", NULL);
	spec.timeout = str_or_null(args, "timeout", NULL);
	if (spec.name == NULL) {
		snprintf(err, errlen, "missing argument \"name\"");
		goto out;
	}
	if (upstream_add(k->upstreams, k->store, k->kr, &spec, &rec, err,
	    errlen) != 0)
		goto out;
	r = upstream_json(&rec);
	store_upstream_rec_clear(&rec);
out:
	arg_wipe(args, "bearer");
	arg_wipe(args, "client_key");
	return r;
}

static int
list_cb(void *arg, const struct upstream_rec *r)
{
	return json_array_append_new(arg, upstream_json(r));
}

json_t *
admin_upstream_list(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	json_t *list = json_array();

	(void)args;
	if (store_upstream_each(k->store, list_cb, list) != 0) {
		json_decref(list);
		snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	return json_pack("{s:o}", "upstreams", list);
}

/* NAME from ARGS, checked, for the ops that take one. */
static const char *
name_arg(json_t *args, char *err, size_t errlen)
{
	const char *name = str_or_null(args, "name", NULL);

	if (name == NULL)
		snprintf(err, errlen, "missing argument \"name\"");
	else if (!upstream_name_valid(name)) {
		snprintf(err, errlen, "bad upstream name: use 1 to %d of A-Z "
		    "a-z 0-9 . _ -", UPSTREAM_NAME_MAX);
		name = NULL;
	}
	return name;
}

static void
cert_json(json_t *o, const char *pem)
{
	char	subject[SUBJECT_MAX];
	int64_t	not_after;

	if (upstream_cert_info(pem, subject, sizeof(subject), &not_after) != 0)
		return;
	json_object_set_new(o, "client_cert_subject", json_string(subject));
	json_object_set_new(o, "client_cert_expires_at",
	    json_integer(not_after));
}

json_t *
admin_upstream_show(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct upstream_rec	 rec;
	const char		*name;
	json_t			*o;
	int			 r;

	if ((name = name_arg(args, err, errlen)) == NULL)
		return NULL;
	if ((r = store_upstream_get(k->store, name, &rec)) != 0) {
		if (r == STORE_NOTFOUND)
			snprintf(err, errlen, "no upstream \"%s\"", name);
		else
			snprintf(err, errlen, "%s", store_errmsg(k->store));
		return NULL;
	}
	if ((o = upstream_json(&rec)) != NULL && rec.client_cert_pem != NULL)
		cert_json(o, rec.client_cert_pem);
	store_upstream_rec_clear(&rec);
	return o;
}

json_t *
admin_upstream_remove(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	const char *name;

	if ((name = name_arg(args, err, errlen)) == NULL ||
	    upstream_remove(k->upstreams, k->store, name, err, errlen) != 0)
		return NULL;
	return json_pack("{s:s, s:s}", "upstream", name, "state", "removed");
}

json_t *
admin_upstream_test(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct upstream_test_result	 res;
	struct upstream			*up = NULL;
	const char			*name;
	json_t				*r = NULL;

	if ((name = name_arg(args, err, errlen)) == NULL)
		return NULL;
	if (upstream_get(k->upstreams, name, &up) != 0) {
		snprintf(err, errlen, "no upstream \"%s\"", name);
		return NULL;
	}
	if (upstream_test(up, &res, err, errlen) == 0)
		r = json_pack("{s:s, s:s, s:I, s:f, s:b, s:b}", "upstream", name,
		    "url", res.url, "status", (json_int_t)res.status,
		    "latency_ms", (double)(res.latency_us / 100) / 10.0, "ok",
		    res.status >= 200 && res.status < 300, "scim", res.scim);
	upstream_release(&up);
	return r;
}
