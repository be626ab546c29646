/* audit.db: the audit log's own sqlite file (records, checkpoints, meta),
 * apart from the main store so that its writes, its fsyncs and its
 * failures are its own. The only SQL for the audit lives in audit_store.c.
 * One struct audit_store is one connection: the writer thread keeps one,
 * readers (the admin ops) another. Returns: 0, AUDIT_STORE_NONE where
 * noted, or -1 with audit_store_errmsg. */
#ifndef KEYD_AUDIT_STORE_H
#define KEYD_AUDIT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "keyd/audit_chain.h"

#define AUDIT_STORE_NONE	1
#define AUDIT_STORE_ERR_MAX	512

#define AUDIT_STORE_WUR __attribute__((warn_unused_result))

struct audit_store;

enum audit_store_mode {
	AUDIT_STORE_CREATE,	/* writer at start: create and migrate */
	AUDIT_STORE_WRITE,	/* writer reopening: the file must exist */
	AUDIT_STORE_READ	/* a reader */
};

/* Open PATH in MODE; SYNC selects synchronous=FULL (else NORMAL). A file
 * whose schema is newer than this keyd knows is refused. *AS is freed
 * with audit_store_close. 0, or -1 with ERR. */
int audit_store_open(const char *path, enum audit_store_mode mode, int sync,
    struct audit_store **as, char *err, size_t errlen) AUDIT_STORE_WUR;
void audit_store_close(struct audit_store **as);

/* The last error on this connection (never holds a secret). */
const char *audit_store_errmsg(const struct audit_store *as);

/* A write transaction: begin, inserts, commit (one fsync), or rollback. */
int audit_store_begin(struct audit_store *as) AUDIT_STORE_WUR;
int audit_store_commit(struct audit_store *as) AUDIT_STORE_WUR;
void audit_store_rollback(struct audit_store *as);
int audit_store_insert(struct audit_store *as, const struct audit_rec *r)
	AUDIT_STORE_WUR;
int audit_store_insert_cp(struct audit_store *as, const struct audit_cp *cp)
	AUDIT_STORE_WUR;

/* The last record (seq and hash are what matter): AUDIT_STORE_NONE when
 * there is none. */
int audit_store_last(struct audit_store *as, struct audit_rec *r)
	AUDIT_STORE_WUR;

/* The first record's seq: AUDIT_STORE_NONE when empty. */
int audit_store_first_seq(struct audit_store *as, int64_t *seq)
	AUDIT_STORE_WUR;

/* The checkpoint with the greatest seq <= SEQ (INT64_MAX: the last one):
 * AUDIT_STORE_NONE when there is none. */
int audit_store_cp_at_or_before(struct audit_store *as, int64_t seq,
    struct audit_cp *cp) AUDIT_STORE_WUR;

/* The newest checkpoint made at or before TIME_US: AUDIT_STORE_NONE when
 * there is none. Retention cuts there. */
int audit_store_cp_before_time(struct audit_store *as, int64_t time_us,
    struct audit_cp *cp) AUDIT_STORE_WUR;

/* The first record at or after TIME_US: its seq, AUDIT_STORE_NONE if
 * none. */
int audit_store_seq_at_time(struct audit_store *as, int64_t time_us,
    int64_t *seq) AUDIT_STORE_WUR;

/* Delete the records with seq <= UPTO and the checkpoints before UPTO:
 * UPTO must be a checkpoint's seq, which stays to anchor what is kept
 * (retention cuts whole segments only). *N counts the records deleted.
 * Inside the caller's transaction. */
int audit_store_prune(struct audit_store *as, int64_t upto, int64_t *n)
	AUDIT_STORE_WUR;

/* Small named values (the public key). *VAL is malloc'd. */
int audit_store_meta_get(struct audit_store *as, const char *key,
    unsigned char **val, size_t *len) AUDIT_STORE_WUR;
int audit_store_meta_put(struct audit_store *as, const char *key,
    const unsigned char *val, size_t len) AUDIT_STORE_WUR;

/* Called for each item of a walk: exactly one of R and CP is set. A
 * non-zero return stops the walk and is returned. */
typedef int (*audit_store_cb)(void *arg, const struct audit_rec *r,
    const struct audit_cp *cp);

/* Records with FROM <= seq <= TO, at most LIMIT, in seq order, each
 * checkpoint right after the record it covers; one read transaction. */
int audit_store_walk(struct audit_store *as, int64_t from, int64_t to,
    int64_t limit, audit_store_cb cb, void *arg) AUDIT_STORE_WUR;

/* What audit query selects; NULL or 0 members select everything. */
struct audit_filter {
	const char	*client;
	const char	*decision;
	const char	*event;
	int64_t		 since_us;	/* time_us >= since_us */
	int64_t		 until_us;	/* time_us < until_us, 0: no bound */
};

/* Records matching F with seq > AFTER, at most LIMIT, in seq order (with
 * NEWEST, the LIMIT newest, still in seq order). */
int audit_store_query(struct audit_store *as, const struct audit_filter *f,
    int64_t after, int64_t limit, int newest, audit_store_cb cb, void *arg)
	AUDIT_STORE_WUR;

#endif
