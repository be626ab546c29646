/* The audit chain: canonical encoding, chain hash, checkpoint signatures
 * and the verifier. Pure: libsodium and the C library only, so keyctl can
 * verify an export without keyd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keyd/audit_chain.h"
#include "keyd/utf8.h"

#define REC_DOMAIN	"keyd/audit/record/v1"
#define CP_DOMAIN	"keyd/audit/checkpoint/v1"
#define TAG_NULL	0x00
#define TAG_INT		0x01
#define TAG_STR		0x02

#define F_INT(name) { #name, AUDIT_FT_INT, offsetof(struct audit_rec, name), 0 }
#define F_STR(name) { #name, AUDIT_FT_STR, offsetof(struct audit_rec, name), \
	sizeof(((struct audit_rec *)0)->name) }

const struct audit_field audit_fields[AUDIT_NFIELDS] = {
	F_INT(seq),
	F_INT(time_us),
	F_STR(event),
	F_STR(request_id),
	F_STR(remote),
	F_STR(client),
	F_STR(token_id),
	F_STR(upstream),
	F_STR(method),
	F_STR(path),
	F_STR(scim_op),
	F_STR(resource_id),
	F_STR(decision),
	F_STR(rule),
	F_STR(reason),
	F_INT(status),
	F_INT(upstream_status),
	F_INT(latency_us),
	F_STR(body_digest),
};

void
audit_rec_init(struct audit_rec *r, const char *event)
{
	memset(r, 0, sizeof(*r));
	r->status = r->upstream_status = r->latency_us = AUDIT_NULL;
	audit_str_set(r->event, sizeof(r->event), event);
}

void
audit_str_set(char *dst, size_t cap, const char *src)
{
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 n, i = 0, o = 0, len;

	if (cap == 0)
		return;
	n = src != NULL ? strlen(src) : 0;
	while (i < n) {
		/* A run of printable ASCII, nearly every field, at once. */
		for (len = 0; i + len < n && s[i + len] >= 0x20 &&
		    s[i + len] < 0x7f; len++)
			;
		if (len > 0) {
			if (o + len >= cap)
				len = cap - 1 - o;
			memcpy(dst + o, s + i, len);
			o += len;
			i += len;
			if (o + 1 >= cap)
				break;
			continue;
		}
		if ((len = utf8_printable(s + i, n - i)) == 0) {
			if (o + 1 >= cap)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + len >= cap)
			break;
		memcpy(dst + o, s + i, len);
		o += len;
		i += len;
	}
	dst[o] = '\0';
}

void
audit_field_set(struct audit_rec *r, size_t off, size_t cap, const char *src)
{
	if (r != NULL && off + cap <= sizeof(*r))
		audit_str_set((char *)r + off, cap, src);
}

static size_t
put_int(unsigned char *out, int64_t v)
{
	uint64_t	u = (uint64_t)v;
	int		i;

	for (i = 7; i >= 0; i--) {
		out[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
	return 8;
}

static size_t
enc_field(const struct audit_rec *r, const struct audit_field *f,
    unsigned char *out)
{
	const char	*base = (const char *)r + f->off;
	const char	*s;
	int64_t		 v;
	size_t		 n;

	if (f->type == AUDIT_FT_INT) {
		memcpy(&v, base, sizeof(v));
		if (v == AUDIT_NULL) {
			out[0] = TAG_NULL;
			return 1;
		}
		out[0] = TAG_INT;
		return 1 + put_int(out + 1, v);
	}
	s = base;
	n = strnlen(s, f->cap - 1);
	if (n == 0) {
		out[0] = TAG_NULL;
		return 1;
	}
	out[0] = TAG_STR;
	out[1] = (unsigned char)(n >> 24);
	out[2] = (unsigned char)(n >> 16);
	out[3] = (unsigned char)(n >> 8);
	out[4] = (unsigned char)n;
	memcpy(out + 5, s, n);
	return 5 + n;
}

size_t
audit_rec_encode(const struct audit_rec *r, unsigned char *out)
{
	size_t	i, n = sizeof(REC_DOMAIN);	/* the NUL is the 0x00 */

	memcpy(out, REC_DOMAIN, sizeof(REC_DOMAIN));
	for (i = 0; i < AUDIT_NFIELDS; i++)
		n += enc_field(r, &audit_fields[i], out + n);
	return n;
}

void
audit_rec_hash(const unsigned char prev[AUDIT_HASH_LEN],
    const struct audit_rec *r, unsigned char out[AUDIT_HASH_LEN])
{
	crypto_generichash_state	st;
	unsigned char			enc[AUDIT_ENC_MAX];
	size_t				n;

	n = audit_rec_encode(r, enc);
	crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
	crypto_generichash_update(&st, prev, AUDIT_HASH_LEN);
	crypto_generichash_update(&st, enc, n);
	crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

static size_t
cp_message(const struct audit_cp *cp, unsigned char *m)
{
	size_t n = sizeof(CP_DOMAIN);

	memcpy(m, CP_DOMAIN, sizeof(CP_DOMAIN));
	n += put_int(m + n, cp->seq);
	n += put_int(m + n, cp->time_us);
	memcpy(m + n, cp->hash, AUDIT_HASH_LEN);
	return n + AUDIT_HASH_LEN;
}

void
audit_cp_sign(struct audit_cp *cp, const unsigned char *sk)
{
	unsigned char	m[sizeof(CP_DOMAIN) + 16 + AUDIT_HASH_LEN];
	size_t		n = cp_message(cp, m);

	crypto_sign_detached(cp->sig, NULL, m, n, sk);
}

int
audit_cp_check(const struct audit_cp *cp, const unsigned char pk[AUDIT_PK_LEN])
{
	unsigned char	m[sizeof(CP_DOMAIN) + 16 + AUDIT_HASH_LEN];
	size_t		n = cp_message(cp, m);

	return crypto_sign_verify_detached(cp->sig, m, n, pk) == 0 ? 0 : -1;
}

void
audit_pk_format(const unsigned char pk[AUDIT_PK_LEN],
    char out[AUDIT_PK_B64_LEN])
{
	sodium_bin2base64(out, AUDIT_PK_B64_LEN, pk, AUDIT_PK_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
}

int
audit_pk_parse(const char *s, unsigned char pk[AUDIT_PK_LEN])
{
	size_t	n = 0;

	if (strlen(s) != AUDIT_PK_B64_LEN - 1 ||
	    sodium_base642bin(pk, AUDIT_PK_LEN, s, strlen(s), NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || n != AUDIT_PK_LEN)
		return -1;
	return 0;
}

void
audit_verify_init(struct audit_verify *v, const unsigned char pk[AUDIT_PK_LEN])
{
	memset(v, 0, sizeof(*v));
	memcpy(v->pk, pk, AUDIT_PK_LEN);
	v->next_seq = 1;
}

int
audit_verify_fail(struct audit_verify *v, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (v->bad_seq != 0)
		return -1;
	v->bad_seq = seq > 0 ? seq : 1;
	va_start(ap, fmt);
	(void)vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
	return -1;
}

int
audit_verify_record(struct audit_verify *v, const struct audit_rec *r)
{
	unsigned char h[AUDIT_HASH_LEN];

	if (v->bad_seq != 0)
		return -1;
	/* Without an anchor, what is missing is whatever stood before. */
	if (!v->started && r->seq != 1)
		return audit_verify_fail(v, r->seq - 1, "seq %lld is missing: "
		    "no record or checkpoint before seq %lld anchors the chain "
		    "(the start was removed)", (long long)r->seq - 1,
		    (long long)r->seq);
	if (r->seq > v->next_seq)
		return audit_verify_fail(v, v->next_seq, "record missing: "
		    "expected seq %lld, found %lld (deleted or reordered)",
		    (long long)v->next_seq, (long long)r->seq);
	if (r->seq < v->next_seq)
		return audit_verify_fail(v, r->seq, "record out of place: seq "
		    "%lld after seq %lld (inserted, duplicated or reordered)",
		    (long long)r->seq, (long long)v->next_seq - 1);
	audit_rec_hash(v->prev, r, h);
	if (sodium_memcmp(h, r->hash, AUDIT_HASH_LEN) != 0)
		return audit_verify_fail(v, r->seq, "contents do not match the "
		    "chain hash (the record was altered, or one was inserted "
		    "before it)");
	if (!v->started)
		v->first_seq = r->seq;
	v->started = 1;
	memcpy(v->prev, h, AUDIT_HASH_LEN);
	v->next_seq = r->seq + 1;
	v->records++;
	return 0;
}

/* The first checkpoint seen before any record anchors the chain. */
static int
verify_anchor(struct audit_verify *v, const struct audit_cp *cp)
{
	if (cp->seq < 0)
		return audit_verify_fail(v, 1, "checkpoint with a negative seq");
	memcpy(v->prev, cp->hash, AUDIT_HASH_LEN);
	v->next_seq = cp->seq + 1;
	v->first_seq = cp->seq + 1;
	v->last_cp_seq = cp->seq;
	v->started = 1;
	v->checkpoints++;
	return 0;
}

int
audit_verify_checkpoint(struct audit_verify *v, const struct audit_cp *cp)
{
	if (v->bad_seq != 0)
		return -1;
	if (audit_cp_check(cp, v->pk) != 0)
		return audit_verify_fail(v, cp->seq, "checkpoint at seq %lld: "
		    "bad signature (forged, altered, or signed by another key)",
		    (long long)cp->seq);
	if (!v->started)
		return verify_anchor(v, cp);
	if (cp->seq >= v->next_seq)
		return audit_verify_fail(v, v->next_seq, "record missing: the "
		    "checkpoint at seq %lld covers seq %lld, which is absent",
		    (long long)cp->seq, (long long)v->next_seq);
	if (cp->seq < v->next_seq - 1)
		return audit_verify_fail(v, cp->seq, "checkpoint at seq %lld is "
		    "out of place (after seq %lld)", (long long)cp->seq,
		    (long long)v->next_seq - 1);
	if (sodium_memcmp(cp->hash, v->prev, AUDIT_HASH_LEN) != 0)
		return audit_verify_fail(v, v->last_cp_seq + 1, "records %lld to "
		    "%lld were rewritten: their hashes no longer lead to the "
		    "hash signed at seq %lld", (long long)v->last_cp_seq + 1,
		    (long long)cp->seq, (long long)cp->seq);
	v->last_cp_seq = cp->seq;
	v->checkpoints++;
	return 0;
}

int
audit_verify_end(struct audit_verify *v, int64_t head_seq,
    const unsigned char *head_hash, int signed_tail)
{
	int64_t last = v->next_seq - 1;

	if (v->bad_seq != 0)
		return -1;
	if (head_seq > last)
		return audit_verify_fail(v, last + 1, "records missing: the "
		    "chain ends at seq %lld, but keyd wrote up to seq %lld (the "
		    "tail was cut)", (long long)last, (long long)head_seq);
	if (head_seq > 0 && head_seq == last && head_hash != NULL &&
	    sodium_memcmp(head_hash, v->prev, AUDIT_HASH_LEN) != 0)
		return audit_verify_fail(v, last, "the chain hash at seq %lld is "
		    "not the one keyd wrote", (long long)last);
	if (signed_tail && v->started && v->last_cp_seq < last)
		return audit_verify_fail(v, v->last_cp_seq + 1, "records %lld "
		    "to %lld are not covered by a checkpoint (the input was cut "
		    "short: an export ends with one)",
		    (long long)v->last_cp_seq + 1, (long long)last);
	return 0;
}
