/* The audit chain: what one record holds, its canonical encoding, the
 * hash chain, signed checkpoints, and a streaming verifier that names the
 * first bad seq. No I/O and no keyd state: keyctl links this file too, to
 * verify an export offline. docs/audit.md defines the encoding so that a
 * third party can re-implement the verifier.
 *
 *   enc(r)  = "keyd/audit/record/v1" 0x00, then each field of
 *             audit_fields[] in order: 0x00 (null) | 0x01 int64 BE |
 *             0x02 uint32 BE length, UTF-8 bytes
 *   hash_n  = BLAKE2b-256(hash_{n-1} || enc(r_n)), hash_0 = 32 zero bytes
 *   cp sig  = Ed25519("keyd/audit/checkpoint/v1" 0x00 || seq int64 BE ||
 *             time_us int64 BE || hash_seq) */
#ifndef KEYD_AUDIT_CHAIN_H
#define KEYD_AUDIT_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define AUDIT_HASH_LEN	32
#define AUDIT_SIG_LEN	64
#define AUDIT_PK_LEN	32
#define AUDIT_NULL	INT64_MIN	/* an integer field that is null */
#define AUDIT_ENC_MAX	4096		/* enc() of any record fits */
#define AUDIT_WHY_MAX	256
#define AUDIT_PK_B64_LEN 45		/* base64 of a public key, with NUL */

#define AUDIT_WUR __attribute__((warn_unused_result))

/* One record. A string field that is "" is null; so is an integer field
 * holding AUDIT_NULL. Never a secret, never a request body. */
struct audit_rec {
	int64_t		seq;
	int64_t		time_us;		/* Unix time, microseconds */
	char		event[48];		/* "request", "admin", "keyd.start" … */
	char		request_id[33];
	char		remote[64];		/* peer address, or "uid:N" */
	char		client[65];
	char		token_id[16];		/* the caller's credential id */
	char		upstream[65];
	char		method[16];
	char		path[512];
	char		scim_op[16];
	char		resource_id[256];	/* what the request acted on */
	char		decision[8];		/* allow, deny, error */
	char		rule[128];
	char		reason[256];
	int64_t		status;			/* what keyd answered */
	int64_t		upstream_status;
	int64_t		latency_us;
	char		body_digest[65];	/* hex BLAKE2b-256 of the body */
	unsigned char	hash[AUDIT_HASH_LEN];	/* chain hash through this one */
};

/* A signed checkpoint over the chain hash at SEQ. */
struct audit_cp {
	int64_t		seq;
	int64_t		time_us;
	unsigned char	hash[AUDIT_HASH_LEN];
	unsigned char	sig[AUDIT_SIG_LEN];
};

enum audit_ftype { AUDIT_FT_INT, AUDIT_FT_STR };

/* The record's fields in canonical order; the store's columns and the
 * JSON members carry the same names. */
struct audit_field {
	const char		*name;
	enum audit_ftype	 type;
	size_t			 off;	/* in struct audit_rec */
	size_t			 cap;	/* bytes of a string field, NUL included */
};

#define AUDIT_NFIELDS 19
extern const struct audit_field audit_fields[AUDIT_NFIELDS];

/* An empty record: every field null, EVENT set. */
void audit_rec_init(struct audit_rec *r, const char *event);

/* Copy SRC (NULL: null) into a string field of CAP bytes: invalid UTF-8,
 * control characters and DEL become '?', and a long value is cut at a
 * character boundary. Every string that enters a record goes through it,
 * so records are always valid UTF-8 JSON strings. */
void audit_str_set(char *dst, size_t cap, const char *src);

/* Set string FIELD of record R (NULL: nothing happens) to SRC, as
 * audit_str_set does. */
#define AUDIT_SET(r, field, src)					\
	audit_field_set((r), offsetof(struct audit_rec, field),		\
	    sizeof(((struct audit_rec *)0)->field), (src))

void audit_field_set(struct audit_rec *r, size_t off, size_t cap,
    const char *src);

/* The canonical encoding of R into OUT (AUDIT_ENC_MAX bytes); returns its
 * length. R->hash is not part of it. */
size_t audit_rec_encode(const struct audit_rec *r, unsigned char *out);

/* OUT = BLAKE2b-256(PREV || enc(R)). */
void audit_rec_hash(const unsigned char prev[AUDIT_HASH_LEN],
    const struct audit_rec *r, unsigned char out[AUDIT_HASH_LEN]);

/* Sign CP (seq, time_us, hash set) with SK (crypto_sign secret key, 64
 * bytes, the caller's guarded memory) into CP->sig. */
void audit_cp_sign(struct audit_cp *cp, const unsigned char *sk);

/* 0 when CP->sig is PK's signature over CP, else -1. */
int audit_cp_check(const struct audit_cp *cp,
    const unsigned char pk[AUDIT_PK_LEN]) AUDIT_WUR;

/* PK as base64 into OUT, and back. audit_pk_parse: 0, or -1 when S is
 * not a base64 Ed25519 public key. */
void audit_pk_format(const unsigned char pk[AUDIT_PK_LEN],
    char out[AUDIT_PK_B64_LEN]);
int audit_pk_parse(const char *s, unsigned char pk[AUDIT_PK_LEN]) AUDIT_WUR;

/* JSON forms, as the admin API and exports carry them:
 * {"type":"record", <every field>, "hash": hex} and
 * {"type":"checkpoint", "seq", "time_us", "hash": hex, "signature": b64}.
 * to_json returns a new reference (NULL: out of memory). from_json is
 * strict: a missing or unknown member, a wrong type or an oversize string
 * is -1 with the reason in WHY. */
json_t *audit_rec_to_json(const struct audit_rec *r);
json_t *audit_cp_to_json(const struct audit_cp *cp);
int audit_rec_from_json(const json_t *o, struct audit_rec *r, char *why,
    size_t whylen) AUDIT_WUR;
int audit_cp_from_json(const json_t *o, struct audit_cp *cp, char *why,
    size_t whylen) AUDIT_WUR;

/* The verifier: feed it records and checkpoints in seq order (a
 * checkpoint right after the record it covers). It starts at genesis
 * (the first record is seq 1, chained from zero) or at a checkpoint (its
 * signature checked, its hash trusted). The first problem sets bad_seq
 * and why; later input is ignored. */
struct audit_verify {
	unsigned char	pk[AUDIT_PK_LEN];
	int		started;
	int64_t		next_seq;	/* the seq the next record must have */
	unsigned char	prev[AUDIT_HASH_LEN];
	int64_t		first_seq;	/* the first record verified */
	int64_t		last_cp_seq;	/* the last good checkpoint, 0: none */
	int64_t		records;
	int64_t		checkpoints;
	int64_t		bad_seq;	/* 0 while all is well */
	char		why[AUDIT_WHY_MAX];
};

void audit_verify_init(struct audit_verify *v,
    const unsigned char pk[AUDIT_PK_LEN]);

/* Each: 0 while the chain holds, -1 once it is broken (see v->bad_seq). */
int audit_verify_record(struct audit_verify *v, const struct audit_rec *r)
	AUDIT_WUR;
int audit_verify_checkpoint(struct audit_verify *v, const struct audit_cp *cp)
	AUDIT_WUR;

/* At the end of the input. HEAD_SEQ (0: unknown) is the seq keyd last
 * wrote; a chain that ends before it lost its tail. With SIGNED_TAIL,
 * records after the last checkpoint count as cut short (an export always
 * ends in a checkpoint). HEAD_HASH (may be NULL) must be the hash at
 * HEAD_SEQ when the chain reaches it. */
int audit_verify_end(struct audit_verify *v, int64_t head_seq,
    const unsigned char *head_hash, int signed_tail) AUDIT_WUR;

/* What V found, as `keyctl audit verify` prints it: {"valid", "records",
 * "checkpoints", "first_seq", "last_seq", "last_checkpoint", "bad_seq",
 * "error"} (the last two null while valid). A new reference for the
 * caller to add its own members to; NULL when out of memory. */
json_t *audit_verify_to_json(const struct audit_verify *v);

/* Mark V broken at SEQ with a printf-style reason (for input the verifier
 * cannot parse). Always returns -1. */
int audit_verify_fail(struct audit_verify *v, int64_t seq, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

#endif
