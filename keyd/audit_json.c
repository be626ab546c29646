/* The JSON form of records and checkpoints: what the admin API answers
 * and what an export holds, one object per line. Reading is strict, since
 * the verifier must see exactly what was hashed and nothing else. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keyd/audit_chain.h"

#define HEX_LEN		(AUDIT_HASH_LEN * 2 + 1)
#define SIG_B64_LEN	89	/* base64 of 64 bytes, with NUL */

static json_t *
field_json(const struct audit_rec *r, const struct audit_field *f)
{
	const char	*base = (const char *)r + f->off;
	int64_t		 v;

	if (f->type == AUDIT_FT_INT) {
		memcpy(&v, base, sizeof(v));
		return v == AUDIT_NULL ? json_null() : json_integer(v);
	}
	return base[0] == '\0' ? json_null() : json_string(base);
}

json_t *
audit_rec_to_json(const struct audit_rec *r)
{
	json_t	*o, *v;
	char	 hex[HEX_LEN];
	size_t	 i;

	if ((o = json_pack("{s:s}", "type", "record")) == NULL)
		return NULL;
	for (i = 0; i < AUDIT_NFIELDS; i++) {
		if ((v = field_json(r, &audit_fields[i])) == NULL ||
		    json_object_set_new(o, audit_fields[i].name, v) == -1)
			goto fail;
	}
	sodium_bin2hex(hex, sizeof(hex), r->hash, AUDIT_HASH_LEN);
	if (json_object_set_new(o, "hash", json_string(hex)) == -1)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *
audit_verify_to_json(const struct audit_verify *v)
{
	json_t *o;

	o = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I}", "valid",
	    v->bad_seq == 0, "records", (json_int_t)v->records,
	    "checkpoints", (json_int_t)v->checkpoints, "first_seq",
	    (json_int_t)v->first_seq, "last_seq", (json_int_t)(v->next_seq -
	    1), "last_checkpoint", (json_int_t)v->last_cp_seq);
	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "bad_seq", v->bad_seq != 0 ?
	    json_integer(v->bad_seq) : json_null()) == -1 ||
	    json_object_set_new(o, "error", v->bad_seq != 0 ?
	    json_string(v->why) : json_null()) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
audit_cp_to_json(const struct audit_cp *cp)
{
	char hex[HEX_LEN], sig[SIG_B64_LEN];

	sodium_bin2hex(hex, sizeof(hex), cp->hash, AUDIT_HASH_LEN);
	sodium_bin2base64(sig, sizeof(sig), cp->sig, AUDIT_SIG_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
	return json_pack("{s:s, s:I, s:I, s:s, s:s}", "type", "checkpoint",
	    "seq", (json_int_t)cp->seq, "time_us", (json_int_t)cp->time_us,
	    "hash", hex, "signature", sig);
}

static int
bad(char *why, size_t len, const char *what, const char *name)
{
	snprintf(why, len, "member \"%s\" %s", name, what);
	return -1;
}

static int
field_from(const json_t *v, struct audit_rec *r, const struct audit_field *f,
    char *why, size_t len)
{
	char	*base = (char *)r + f->off;
	int64_t	 i;

	if (v == NULL)
		return bad(why, len, "is missing", f->name);
	if (f->type == AUDIT_FT_INT) {
		if (json_is_null(v))
			i = AUDIT_NULL;
		else if (json_is_integer(v) && json_integer_value(v) !=
		    AUDIT_NULL)
			i = json_integer_value(v);
		else
			return bad(why, len, "is not an integer or null",
			    f->name);
		memcpy(base, &i, sizeof(i));
		return 0;
	}
	if (json_is_null(v)) {
		base[0] = '\0';
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= f->cap ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return bad(why, len, "is not a string of the allowed length",
		    f->name);
	memcpy(base, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int
hex_member(const json_t *o, unsigned char out[AUDIT_HASH_LEN], char *why,
    size_t len)
{
	const char	*s = json_string_value(json_object_get(o, "hash"));
	size_t		 n = 0;

	if (s == NULL || strlen(s) != AUDIT_HASH_LEN * 2 ||
	    sodium_hex2bin(out, AUDIT_HASH_LEN, s, strlen(s), NULL, &n,
	    NULL) != 0 || n != AUDIT_HASH_LEN)
		return bad(why, len, "is not 64 hex digits", "hash");
	return 0;
}

/* Every member must be one we know: an extra one would ride along
 * unhashed, and a reader could take it for part of the record. */
static int
members_known(const json_t *o, size_t want, char *why, size_t len)
{
	if (json_object_size(o) == want)
		return 0;
	snprintf(why, len, "%zu members where %zu belong: an unknown member "
	    "was added", json_object_size(o), want);
	return -1;
}

static int
type_is(const json_t *o, const char *type, char *why, size_t len)
{
	const char *t = json_string_value(json_object_get(o, "type"));

	if (!json_is_object(o) || t == NULL || strcmp(t, type) != 0) {
		snprintf(why, len, "not a %s object", type);
		return -1;
	}
	return 0;
}

int
audit_rec_from_json(const json_t *o, struct audit_rec *r, char *why,
    size_t len)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	if (type_is(o, "record", why, len) == -1)
		return -1;
	for (i = 0; i < AUDIT_NFIELDS; i++)
		if (field_from(json_object_get(o, audit_fields[i].name), r,
		    &audit_fields[i], why, len) == -1)
			return -1;
	if (hex_member(o, r->hash, why, len) == -1)
		return -1;
	return members_known(o, AUDIT_NFIELDS + 2, why, len);
}

int
audit_cp_from_json(const json_t *o, struct audit_cp *cp, char *why,
    size_t len)
{
	const json_t	*seq, *t;
	const char	*sig;
	size_t		 n = 0;

	memset(cp, 0, sizeof(*cp));
	if (type_is(o, "checkpoint", why, len) == -1)
		return -1;
	seq = json_object_get(o, "seq");
	t = json_object_get(o, "time_us");
	if (!json_is_integer(seq) || !json_is_integer(t))
		return bad(why, len, "is not an integer", !json_is_integer(seq) ?
		    "seq" : "time_us");
	cp->seq = json_integer_value(seq);
	cp->time_us = json_integer_value(t);
	if (hex_member(o, cp->hash, why, len) == -1)
		return -1;
	sig = json_string_value(json_object_get(o, "signature"));
	if (sig == NULL || sodium_base642bin(cp->sig, AUDIT_SIG_LEN, sig,
	    strlen(sig), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != AUDIT_SIG_LEN)
		return bad(why, len, "is not a base64 Ed25519 signature",
		    "signature");
	return members_known(o, 5, why, len);
}
