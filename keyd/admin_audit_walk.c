/* Admin ops that walk the whole audit log, a page per call so that no
 * answer passes 1 MiB and no call holds the admin socket for long:
 * audit.verify (the client hands back the verifier's state to go on) and
 * audit.export (records and checkpoints from a signed anchor up to a
 * checkpoint signed for the export, so the file verifies on its own). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keyd/admin_int.h"
#include "keyd/audit.h"
#include "keyd/audit_store.h"
#include "keyd/keyd.h"

#define VERIFY_PAGE	200000		/* records per audit.verify call */
#define EXPORT_PAGE	5000		/* records per audit.export call */
#define PAGE_BYTES	(512 * 1024)
#define HEX_LEN		(AUDIT_HASH_LEN * 2 + 1)

static json_t *
hex_json(const unsigned char h[AUDIT_HASH_LEN])
{
	char hex[HEX_LEN];

	sodium_bin2hex(hex, sizeof(hex), h, AUDIT_HASH_LEN);
	return json_string(hex);
}

static int
hex_get(json_t *o, const char *key, unsigned char h[AUDIT_HASH_LEN])
{
	const char	*s = json_string_value(json_object_get(o, key));
	size_t		 n = 0;

	return s != NULL && sodium_hex2bin(h, AUDIT_HASH_LEN, s, strlen(s),
	    NULL, &n, NULL) == 0 && n == AUDIT_HASH_LEN ? 0 : -1;
}

static json_int_t
int_get(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The verifier's state, for the client to hand back. */
static json_t *
state_json(const struct audit_verify *v, int64_t to,
    const unsigned char to_hash[AUDIT_HASH_LEN])
{
	return json_pack("{s:I, s:o, s:I, s:I, s:I, s:I, s:b, s:I, s:o}",
	    "next_seq", (json_int_t)v->next_seq, "prev", hex_json(v->prev),
	    "first_seq", (json_int_t)v->first_seq, "last_cp_seq",
	    (json_int_t)v->last_cp_seq, "records", (json_int_t)v->records,
	    "checkpoints", (json_int_t)v->checkpoints, "started", v->started,
	    "to", (json_int_t)to, "to_hash", hex_json(to_hash));
}

static int
state_load(json_t *s, struct audit_verify *v, int64_t *to,
    unsigned char to_hash[AUDIT_HASH_LEN])
{
	if (!json_is_object(s) || hex_get(s, "prev", v->prev) == -1 ||
	    hex_get(s, "to_hash", to_hash) == -1)
		return -1;
	v->next_seq = int_get(s, "next_seq");
	v->first_seq = int_get(s, "first_seq");
	v->last_cp_seq = int_get(s, "last_cp_seq");
	v->records = int_get(s, "records");
	v->checkpoints = int_get(s, "checkpoints");
	v->started = json_is_true(json_object_get(s, "started"));
	*to = int_get(s, "to");
	return v->next_seq > 0 && *to >= 0 ? 0 : -1;
}

static json_t *
verify_result(const struct audit_verify *v, int done, int64_t to,
    const unsigned char to_hash[AUDIT_HASH_LEN])
{
	json_t *o;

	if ((o = audit_verify_to_json(v)) == NULL)
		return NULL;
	if (json_object_set_new(o, "done", json_boolean(done)) == -1 ||
	    json_object_set_new(o, "head_seq", json_integer(to)) == -1) {
		json_decref(o);
		return NULL;
	}
	if (!done)
		json_object_set_new(o, "state", state_json(v, to, to_hash));
	return o;
}

json_t *
admin_audit_verify(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct audit_verify	 v;
	struct audit_status	 st;
	struct audit_store	*as = NULL;
	unsigned char		 pk[AUDIT_PK_LEN], to_hash[AUDIT_HASH_LEN];
	json_t			*state = json_object_get(args, "state");
	json_int_t		 from = int_get(args, "from");
	int64_t			 to;
	int			 done = 1;

	if (k->audit == NULL) {
		snprintf(err, errlen, "the audit log is not open");
		return NULL;
	}
	audit_pubkey(k->audit, pk);
	audit_verify_init(&v, pk);
	audit_status(k->audit, &st);
	to = st.head_seq;
	memcpy(to_hash, st.head_hash, AUDIT_HASH_LEN);
	if (state != NULL && state_load(state, &v, &to, to_hash) == -1) {
		snprintf(err, errlen, "\"state\" is not one audit.verify gave");
		return NULL;
	}
	audit_reading(k->audit);	/* no pruning under the walk */
	if (audit_reader(k->audit, &as, err, errlen) == -1)
		return NULL;
	if (audit_verify_db(as, &v, from, to, VERIFY_PAGE, &done, err,
	    errlen) == -1) {
		audit_store_close(&as);
		return NULL;
	}
	audit_store_close(&as);
	if (done)
		(void)!audit_verify_end(&v, to, to_hash, 0);
	return verify_result(&v, done, to, to_hash);
}

struct export {
	json_t	*items;
	size_t	 bytes;
	int64_t	 next;		/* the first record not taken */
	int64_t	 taken;		/* records in this page */
	int	 full;		/* stopped at PAGE_BYTES */
};

static int
export_cb(void *arg, const struct audit_rec *r, const struct audit_cp *cp)
{
	struct export	*e = arg;
	json_t		*o;

	if (r != NULL && e->bytes >= PAGE_BYTES) {
		e->full = 1;	/* before a record, never between it and its
				 * checkpoint */
		return 1;
	}
	if ((o = r != NULL ? audit_rec_to_json(r) : audit_cp_to_json(cp)) ==
	    NULL)
		return -1;
	e->bytes += json_dumpb(o, NULL, 0, JSON_COMPACT);
	if (r != NULL) {
		e->next = r->seq + 1;
		e->taken++;
	}
	return json_array_append_new(e->items, o);
}

/* Where an export starts: after the checkpoint before SINCE's first
 * record (or the first kept), which it carries as its anchor. */
static int
export_start(struct audit_store *as, const char *since, int64_t upto,
    struct export *e, char *err, size_t errlen)
{
	struct audit_cp	cp;
	int64_t		start = 0, us;
	int		r;

	if (since != NULL && admin_audit_when(since, &us) == -1) {
		snprintf(err, errlen, "bad since \"%.40s\"", since);
		return -1;
	}
	r = since != NULL ? audit_store_seq_at_time(as, us, &start) :
	    audit_store_first_seq(as, &start);
	if (r == -1)
		goto fail;
	if (r == AUDIT_STORE_NONE || start > upto)
		start = upto + 1;
	e->next = start;
	if (start <= 1)
		return 0;
	if ((r = audit_store_cp_at_or_before(as, start - 1, &cp)) == -1)
		goto fail;
	if (r == 0) {
		e->next = cp.seq + 1;
		return json_array_append_new(e->items, audit_cp_to_json(&cp));
	}
	return 0;
fail:
	snprintf(err, errlen, "%s", audit_store_errmsg(as));
	return -1;
}

/* The checkpoint an export ends on: one signed now, or (while the log
 * cannot be written) the last one there is. */
static int
export_upto(struct keyd *k, struct audit_store *as, int64_t *upto, char *err,
    size_t errlen)
{
	struct audit_cp cp;

	if (audit_checkpoint_now(k->audit, upto) == 0 && *upto > 0)
		return 0;
	if (audit_store_cp_at_or_before(as, INT64_MAX, &cp) == 0) {
		*upto = cp.seq;
		return 0;
	}
	snprintf(err, errlen, "the audit log has no checkpoint to end an "
	    "export on");
	return -1;
}

static json_t *
export_header(struct keyd *k, int64_t upto)
{
	unsigned char	pk[AUDIT_PK_LEN];
	char		b64[AUDIT_PK_B64_LEN];

	audit_pubkey(k->audit, pk);
	audit_pk_format(pk, b64);
	return json_pack("{s:s, s:s, s:s, s:I, s:I}", "type", "header",
	    "format", "keyd-audit-export/1", "public_key", b64, "upto_seq",
	    (json_int_t)upto, "exported_at", (json_int_t)audit_now_us());
}

static json_t *
export_page(struct keyd *k, struct audit_store *as, json_t *args, char *err,
    size_t errlen)
{
	struct export	 e = { json_array(), 0, int_get(args, "next"), 0, 0 };
	json_t		*header = NULL;
	int64_t		 upto = int_get(args, "upto");

	if (upto <= 0) {
		if (export_upto(k, as, &upto, err, errlen) == -1 ||
		    export_start(as, json_string_value(json_object_get(args,
		    "since")), upto, &e, err, errlen) == -1)
			goto fail;
		header = export_header(k, upto);
	}
	if (e.next < 1)
		e.next = 1;
	if (e.next <= upto && audit_store_walk(as, e.next, upto, EXPORT_PAGE,
	    export_cb, &e) == -1) {
		snprintf(err, errlen, "%s", audit_store_errmsg(as));
		goto fail;
	}
	/* A short page ends it: records missing under UPTO are the
	 * verifier's to report, not a reason to ask again. */
	return json_pack("{s:o*, s:o, s:I, s:I, s:b}", "header", header,
	    "items", e.items, "next", (json_int_t)e.next, "upto",
	    (json_int_t)upto, "done", e.next > upto || (!e.full &&
	    e.taken < EXPORT_PAGE));
fail:
	json_decref(e.items);
	json_decref(header);
	return NULL;
}

json_t *
admin_audit_export(struct keyd *k, json_t *args, char *err, size_t errlen)
{
	struct audit_store	*as = NULL;
	json_t			*r;

	if (k->audit == NULL) {
		snprintf(err, errlen, "the audit log is not open");
		return NULL;
	}
	audit_reading(k->audit);	/* no pruning under the walk */
	if (audit_reader(k->audit, &as, err, errlen) == -1)
		return NULL;
	r = export_page(k, as, args, err, errlen);
	audit_store_close(&as);
	return r;
}
