/* Admin ops on the audit log (pubkey, tail, query; verify and export are
 * in admin_audit_walk.c), and the audit records of admin actions: every
 * op that changes something is recorded before its answer leaves, and is
 * refused while the audit log cannot be written. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "keyd/admin_int.h"
#include "keyd/audit.h"
#include "keyd/audit_store.h"
#include "keyd/keyd.h"
#include "policy/units.h"

#define TAIL_DEFAULT	20
#define PAGE_MAX	1000
#define PAGE_BYTES	(512 * 1024)	/* of JSON per answer, roughly */

/* Who is at the admin socket now ("uid:0"): the admin thread serves one
 * connection at a time. */
static __thread char peer[32];

/* Ops that only read: everything else is an action and is recorded,
 * including ops added later that nobody listed here. */
static const char *const readers[] = {
	"status", "client.list", "client.show", "key.list", "token.list",
	"admintoken.list", "policy.show", "policy.history", "policy.test",
	"upstream.list", "upstream.show",
};

void
admin_audit_peer(const char *who)
{
	snprintf(peer, sizeof(peer), "%s", who);
}

static int
op_reads(const char *op)
{
	size_t i;

	if (strncmp(op, "audit.", 6) == 0)
		return 1;
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (strcmp(op, readers[i]) == 0)
			return 1;
	return 0;
}

int
admin_audit_gate(struct keyd *k, const char *op, char *err, size_t errlen)
{
	if (k->audit == NULL || op_reads(op) || audit_ready(k->audit))
		return 0;
	snprintf(err, errlen, "the audit log cannot be written, so keyd "
	    "refuses every change until it can (see audit.failing in keyd's "
	    "log)");
	return -1;
}

static const char *
str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* What the action acted on: a credential's id, a policy version, a name. */
static void
admin_target(struct audit_rec *r, const char *op, json_t *args,
    json_t *result)
{
	const char	*s;
	char		 v[32];

	s = str_of(args, "client");
	if (s == NULL && strncmp(op, "client.", 7) == 0)
		s = str_of(args, "name");
	if (s == NULL)
		s = str_of(result, "client");
	AUDIT_SET(r, client, s);
	if (strncmp(op, "upstream.", 9) == 0)
		AUDIT_SET(r, upstream, str_of(args, "name"));
	if ((s = str_of(result, "key_id")) == NULL &&
	    (s = str_of(result, "token_id")) == NULL &&
	    (s = str_of(args, "key_id")) == NULL &&
	    (s = str_of(args, "token_id")) == NULL &&
	    strncmp(op, "client.", 7) != 0)
		s = str_of(args, "name");
	if (s == NULL && json_is_integer(json_object_get(result, "version"))) {
		snprintf(v, sizeof(v), "policy v%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(result, "version")));
		s = v;
	}
	AUDIT_SET(r, resource_id, s);
}

/* The arguments' digest: what was asked (a policy document, say) can be
 * matched later without the record holding it. */
static void
args_digest(struct audit_rec *r, json_t *args)
{
	unsigned char	 h[32];
	char		*s;

	if (args == NULL || (s = json_dumps(args, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL)
		return;
	crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s),
	    NULL, 0);
	sodium_bin2hex(r->body_digest, sizeof(r->body_digest), h, sizeof(h));
	free(s);
}

json_t *
admin_audit_record(struct keyd *k, const char *op, json_t *args,
    json_t *result, char *err, size_t errlen)
{
	struct audit_rec r;

	if (k->audit == NULL || op_reads(op))
		return result;
	audit_rec_init(&r, "admin");
	AUDIT_SET(&r, remote, peer);
	AUDIT_SET(&r, method, "ADMIN");
	AUDIT_SET(&r, path, op);
	AUDIT_SET(&r, decision, result != NULL ? "allow" : "error");
	if (result == NULL)
		AUDIT_SET(&r, reason, err);
	admin_target(&r, op, args, result);
	args_digest(&r, args);
	if (audit_write(k->audit, &r) == 0)
		return result;
	json_decref(result);
	snprintf(err, errlen, "the audit log cannot be written: the action "
	    "%s ran, but its answer is withheld; keyd refuses further changes "
	    "until the log can be written", op);
	return NULL;
}

void
admin_audit_denied(struct keyd *k, long uid)
{
	struct audit_rec	r;
	char			who[32];

	if (k->audit == NULL)
		return;
	snprintf(who, sizeof(who), "uid:%ld", uid);
	audit_rec_init(&r, "admin");
	AUDIT_SET(&r, remote, who);
	AUDIT_SET(&r, method, "ADMIN");
	AUDIT_SET(&r, decision, "deny");
	AUDIT_SET(&r, reason, "peer uid is neither keyd's nor root");
	(void)!audit_write(k->audit, &r);
}

void
admin_audit_status(struct keyd *k, json_t *o)
{
	struct audit_status	st;
	char			state[sizeof(st.why) + 16];

	if (o == NULL || k->audit == NULL)
		return;
	audit_status(k->audit, &st);
	snprintf(state, sizeof(state), "%s%s", st.failing ? "failing: " : "ok",
	    st.failing ? st.why : "");
	json_object_set_new(o, "audit", json_string(state));
	json_object_set_new(o, "audit_seq", json_integer(st.head_seq));
	json_object_set_new(o, "audit_checkpoint", json_integer(st.cp_seq));
}

json_t *
admin_audit_pubkey(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	unsigned char	pk[AUDIT_PK_LEN];
	char		b64[AUDIT_PK_B64_LEN];

	(void)args;
	if (k->audit == NULL) {
		snprintf(err, errlen, "the audit log is not open");
		return NULL;
	}
	audit_pubkey(k->audit, pk);
	audit_pk_format(pk, b64);
	return json_pack("{s:s, s:s}", "public_key", b64, "algorithm",
	    "ed25519");
}

/* Rows for an answer, cut at PAGE_BYTES of JSON. */
struct page {
	json_t	*list;
	size_t	 bytes;
	int64_t	 last;		/* seq of the last row */
	int	 full;
};

static int
page_cb(void *arg, const struct audit_rec *r, const struct audit_cp *cp)
{
	struct page	*p = arg;
	json_t		*o;

	(void)cp;
	if (r == NULL)
		return 0;
	if (p->bytes >= PAGE_BYTES) {
		p->full = 1;
		return 1;
	}
	if ((o = audit_rec_to_json(r)) == NULL)
		return -1;
	p->bytes += json_dumpb(o, NULL, 0, JSON_COMPACT);
	p->last = r->seq;
	return json_array_append_new(p->list, o);
}

static int
int_arg(json_t *args, const char *name, int64_t def, int64_t min, int64_t max,
    int64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, name);

	*out = def;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		snprintf(err, errlen, "\"%s\" must be an integer from %lld to "
		    "%lld", name, (long long)min, (long long)max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* A time: Unix seconds, 2026-11-23T10:00:00Z, or a duration ago ("1h"). */
int
admin_audit_when(const char *s, int64_t *us)
{
	struct tm	tm;
	int64_t		secs;
	const char	*end;
	char		*e;
	long long	v;

	if (units_parse_duration(s, &secs) == 0) {
		*us = audit_now_us() - secs * 1000000;
		return 0;
	}
	if (isdigit((unsigned char)s[0]) && strlen(s) <= 12) {
		v = strtoll(s, &e, 10);
		if (*e == '\0' && v >= 0) {
			*us = (int64_t)v * 1000000;
			return 0;
		}
	}
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL ||
	    strcmp(end, "Z") != 0)
		return -1;
	*us = (int64_t)timegm(&tm) * 1000000;
	return 0;
}

static int
when_arg(json_t *args, const char *name, int64_t *us, char *err,
    size_t errlen)
{
	const char *s = str_of(args, name);

	*us = 0;
	if (s == NULL)
		return 0;
	if (admin_audit_when(s, us) == 0)
		return 0;
	snprintf(err, errlen, "bad %s \"%.40s\": use Unix seconds, "
	    "2026-11-23T10:00:00Z (UTC), or a duration ago such as 1h", name,
	    s);
	return -1;
}

static json_t *
page_query(struct keyd *k, const struct audit_filter *f, int64_t after,
    int64_t limit, int newest, char *err, size_t errlen)
{
	struct audit_store	*as = NULL;
	struct audit_status	 st;
	struct page		 p = { json_array(), 0, after, 0 };
	int			 r;

	if (k->audit == NULL || audit_reader(k->audit, &as, err, errlen) ==
	    -1) {
		json_decref(p.list);
		if (k->audit == NULL)
			snprintf(err, errlen, "the audit log is not open");
		return NULL;
	}
	r = audit_store_query(as, f, after, limit, newest, page_cb, &p);
	if (r == -1)
		snprintf(err, errlen, "%s", audit_store_errmsg(as));
	audit_store_close(&as);
	if (r == -1) {
		json_decref(p.list);
		return NULL;
	}
	audit_status(k->audit, &st);
	return json_pack("{s:o, s:I, s:b, s:I}", "records", p.list, "next_after",
	    (json_int_t)p.last, "more", p.full || (int64_t)json_array_size(
	    p.list) == limit, "head_seq", (json_int_t)st.head_seq);
}

json_t *
admin_audit_tail(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct audit_filter	f;
	int64_t			n, after;

	memset(&f, 0, sizeof(f));
	if (int_arg(args, "n", TAIL_DEFAULT, 1, PAGE_MAX, &n, err, errlen) ==
	    -1 || int_arg(args, "after", -1, 0, INT64_MAX, &after, err,
	    errlen) == -1)
		return NULL;
	/* Without "after": the N newest. With it (--follow): what came
	 * since, oldest first. */
	if (after < 0)
		return page_query(k, &f, 0, n, 1, err, errlen);
	return page_query(k, &f, after, PAGE_MAX, 0, err, errlen);
}

json_t *
admin_audit_query(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct audit_filter	f;
	int64_t			after, limit;

	memset(&f, 0, sizeof(f));
	f.client = str_of(args, "client");
	f.decision = str_of(args, "decision");
	f.event = str_of(args, "event");
	if (when_arg(args, "since", &f.since_us, err, errlen) == -1 ||
	    when_arg(args, "until", &f.until_us, err, errlen) == -1 ||
	    int_arg(args, "after", 0, 0, INT64_MAX, &after, err, errlen) ==
	    -1 || int_arg(args, "limit", PAGE_MAX, 1, PAGE_MAX, &limit, err,
	    errlen) == -1)
		return NULL;
	return page_query(k, &f, after, limit, 0, err, errlen);
}
