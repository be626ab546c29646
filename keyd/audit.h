/* The audit log: one writer thread appends records to audit.db in batches
 * (group commit: one transaction and one fsync per batch), chains them,
 * signs a checkpoint every N records or T seconds, prunes old segments,
 * and fails closed: once a commit fails, every write is refused at once
 * (callers answer 503) until a retry succeeds, which the writer attempts
 * every second by itself. docs/audit.md is the operator's page. */
#ifndef KEYD_AUDIT_H
#define KEYD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "keyd/audit_chain.h"

struct audit;
struct audit_store;
struct keyd;
struct store;

struct audit_opts {
	const char	*path;		/* audit.db */
	int		 sync;		/* 1: a write returns once durable */
	int64_t		 cp_records;	/* checkpoint every N records */
	int64_t		 cp_interval_s;	/* … or T seconds */
	int64_t		 retention_s;	/* prune segments older; 0: keep */
};

/* Open (creating) the audit log and start its writer. SK is the Ed25519
 * signing key (crypto_sign secret key, 64 bytes; copied into guarded
 * memory). ST, when not NULL, is the main store: keyd records the last
 * checkpoint there, and refuses an audit.db that lacks it (cut or
 * replaced), or that was signed by another key. 0, or -1 with ERR. Stop
 * with audit_close. */
int audit_open(const struct audit_opts *o, const unsigned char *sk,
    struct store *st, struct audit **a, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* keyd's audit log from its config: load (at the first start, make and
 * store) the signing key, then audit_open into k->audit. 0, or -1 with
 * ERR. */
int audit_boot(struct keyd *k, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Write a lifecycle record (keyd.start, keyd.stop …) whose reason is
 * formatted from FMT; never pass a secret. 0, or -1 as audit_write. */
int audit_event(struct audit *a, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), warn_unused_result));

/* Write what is queued, sign a last checkpoint, stop the writer, close.
 * Safe with *A == NULL. */
void audit_close(struct audit **a);

/* Append R (its seq, hash and, when 0, time_us are set here) and, with
 * sync on, wait until its batch is committed. 0 once it is durable (or
 * queued, with sync off), -1 when the audit log cannot be written: the
 * caller must not act on the request and answers 503. */
int audit_write(struct audit *a, struct audit_rec *r)
	__attribute__((warn_unused_result));

/* Called once, on the writer thread, when the record's batch is settled:
 * OK is 1 once it is durable, 0 when its commit failed. It must be quick
 * and must not block or call back into the audit log. */
typedef void (*audit_done_fn)(void *cls, int ok);

/* Append a copy of R without waiting for it. Returns 1 when the caller may
 * go on at once (audit_sync = off: the record is queued; DONE is never
 * called); 0 when R is queued and DONE(CLS, ok) will be called exactly
 * once, from the writer thread, after its batch commits or fails; -1 when
 * the log is failing or stopping: nothing is queued, DONE is not called,
 * and the caller answers 503. R's time_us, when 0, is set now. It is -1
 * too when the queue is full (16384 records waiting), where audit_write
 * would wait for room. */
int audit_write_async(struct audit *a, const struct audit_rec *r,
    audit_done_fn done, void *cls) __attribute__((warn_unused_result));

/* 1 while records can be written, 0 while the log is failing. */
int audit_ready(struct audit *a);

/* Sign a checkpoint at the current head now (if anything is unsigned)
 * and wait for it; *SEQ is the newest checkpoint's seq (0: none). 0, or
 * -1 while failing. */
int audit_checkpoint_now(struct audit *a, int64_t *seq)
	__attribute__((warn_unused_result));

struct audit_status {
	int	 failing;
	int64_t	 failing_since;		/* Unix seconds, 0 when healthy */
	uint64_t refused;		/* writes refused while failing */
	int64_t	 head_seq;		/* the last record written */
	unsigned char head_hash[AUDIT_HASH_LEN];
	int64_t	 cp_seq;		/* the last checkpoint */
	uint64_t commits;		/* transactions since start */
	uint64_t written;		/* records since start */
	char	 why[AUDIT_WHY_MAX];	/* the failure, "" when healthy */
};

void audit_status(struct audit *a, struct audit_status *s);

/* The public key that verifies this log's checkpoints. */
void audit_pubkey(const struct audit *a, unsigned char pk[AUDIT_PK_LEN]);

/* A read-only connection to audit.db for queries and verification,
 * separate from the writer's; close with audit_store_close. 0, or -1
 * with ERR. A walk through the whole log (verify, export) calls
 * audit_reading at least once a minute, so that retention does not cut
 * the records under it; a query or a tail need not. */
int audit_reader(struct audit *a, struct audit_store **as, char *err,
    size_t errlen) __attribute__((warn_unused_result));
void audit_reading(struct audit *a);

/* Verify audit.db through AS into V (audit_verify_init'ed by the caller;
 * pass the same V back to go on). A fresh V starts at FROM (0: the first
 * record kept) from the newest checkpoint before it. At most MAX records
 * per call, up to seq TO. *DONE is 1 once TO or the end is reached, or V
 * is broken (V->bad_seq). 0, or -1 with ERR when audit.db cannot be
 * read. */
int audit_verify_db(struct audit_store *as, struct audit_verify *v,
    int64_t from, int64_t to, int64_t max, int *done, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Microseconds since the epoch. */
int64_t audit_now_us(void);

#endif
