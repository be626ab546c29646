/* audit.db in sqlite: its own schema and migrations, WAL, synchronous
 * FULL unless audit_sync = off. Records keep their fields as columns (so
 * that operators can read them with any sqlite tool) and their chain hash;
 * checkpoints keep their signature. Column lists come from audit_fields[],
 * the one list of a record's fields.
 *
 * Records have no secondary index: each would cost every request's commit
 * another B-tree page. Their times never decrease along seq (the writer
 * sees to it), so a time is found by binary search over seq; and each
 * checkpointed segment lists the clients in it (client_spans), so a query
 * by client reads only that client's segments and the open one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sqlite3.h>

#include "keyd/audit_store.h"
#include "keyd/audit_store_int.h"

#define BUSY_MS		5000


static const char *const migrations[] = {
	/* 1: records, checkpoints, meta */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;"
	"CREATE TABLE records ("
	"  seq INTEGER PRIMARY KEY CHECK (seq > 0),"
	"  time_us INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  request_id TEXT, remote TEXT, client TEXT, token_id TEXT,"
	"  upstream TEXT, method TEXT, path TEXT, scim_op TEXT,"
	"  resource_id TEXT, decision TEXT, rule TEXT, reason TEXT,"
	"  status INTEGER, upstream_status INTEGER, latency_us INTEGER,"
	"  body_digest TEXT,"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32)) STRICT;"
	"CREATE INDEX records_time ON records(time_us);"
	"CREATE INDEX records_client ON records(client, seq);"
	"CREATE TABLE checkpoints ("
	"  seq INTEGER PRIMARY KEY,"
	"  time_us INTEGER NOT NULL,"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32),"
	"  signature BLOB NOT NULL CHECK (length(signature) = 64)) STRICT;"
	"CREATE INDEX checkpoints_time ON checkpoints(time_us);",
	/* 2: client_spans in place of the records' two indexes. A segment
	 * is (the checkpoint before, a checkpoint]; SPAN_ANY stands for
	 * "too many clients to list". */
	"CREATE TABLE client_spans ("
	"  client TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,"
	"  PRIMARY KEY (client, lo)) WITHOUT ROWID, STRICT;"
	"INSERT INTO client_spans(client, lo, hi)"
	"  SELECT DISTINCT r.client,"
	"    coalesce((SELECT max(c.seq) FROM checkpoints c"
	"      WHERE c.seq < r.seq), 0) + 1,"
	"    (SELECT min(c.seq) FROM checkpoints c WHERE c.seq >= r.seq)"
	"  FROM records r WHERE r.client IS NOT NULL AND"
	"    EXISTS (SELECT 1 FROM checkpoints c WHERE c.seq >= r.seq);"
	"DROP INDEX records_time;"
	"DROP INDEX records_client;",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* "seq, time_us, …, body_digest, hash", made once from audit_fields. */
char		as_cols[COLS_MAX];
static char	marks[COLS_MAX];
static pthread_once_t cols_once = PTHREAD_ONCE_INIT;

static void
cols_make(void)
{
	size_t	i, n = 0, m = 0;

	for (i = 0; i < AUDIT_NFIELDS; i++) {
		n += (size_t)snprintf(as_cols + n, sizeof(as_cols) - n, "%s, ",
		    audit_fields[i].name);
		m += (size_t)snprintf(marks + m, sizeof(marks) - m, "?, ");
	}
	snprintf(as_cols + n, sizeof(as_cols) - n, "hash");
	snprintf(marks + m, sizeof(marks) - m, "?");
}

/* "disk I/O error" alone does not say what to fix. */
static const char *
io_detail(sqlite3 *db)
{
	int e = sqlite3_system_errno(db);

	if (e != 0)
		return strerror(e);
	switch (sqlite3_extended_errcode(db)) {
	case SQLITE_IOERR_WRITE:
		return "a write failed: disk full, file read-only or immutable, "
		    "or a file size limit";
	case SQLITE_IOERR_FSYNC:
	case SQLITE_IOERR_DIR_FSYNC:
		return "fsync failed";
	case SQLITE_IOERR_TRUNCATE:
		return "truncate failed";
	case SQLITE_IOERR_SHMOPEN:
	case SQLITE_IOERR_SHMSIZE:
	case SQLITE_IOERR_SHMMAP:
		return "the -shm file cannot be used";
	default:
		return NULL;
	}
}

/* Record the error, with what the OS said where sqlite knows it. */
int
as_fail(struct audit_store *as, const char *what)
{
	const char *d = as->db != NULL ? io_detail(as->db) : NULL;

	snprintf(as->err, sizeof(as->err), "audit.db: %s: %s%s%s%s", what,
	    as->db != NULL ? sqlite3_errmsg(as->db) : "not open",
	    d != NULL ? " (" : "", d != NULL ? d : "", d != NULL ? ")" : "");
	return -1;
}

const char *
audit_store_errmsg(const struct audit_store *as)
{
	return as->err[0] != '\0' ? as->err : "audit.db: unknown error";
}

int
as_exec(struct audit_store *as, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(as->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	sqlite3_free(msg);
	return as_fail(as, "exec");
}

sqlite3_stmt *
as_prepare(struct audit_store *as, const char *sql)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(as->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		as_fail(as, "prepare");
		return NULL;
	}
	return stmt;
}

static int
user_version(struct audit_store *as, int *v)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	if ((stmt = as_prepare(as, "PRAGMA user_version")) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*v = sqlite3_column_int(stmt, 0);
		rc = 0;
	} else
		as_fail(as, "user_version");
	sqlite3_finalize(stmt);
	return rc;
}

static int
migrate(struct audit_store *as, int create)
{
	char	sql[64];
	int	v, i;

	if (user_version(as, &v) == -1)
		return -1;
	if (v > NMIGRATIONS) {
		snprintf(as->err, sizeof(as->err), "audit.db was written by a "
		    "newer keyd (schema %d; this keyd knows up to %d)", v,
		    NMIGRATIONS);
		return -1;
	}
	if (v < NMIGRATIONS && !create) {
		snprintf(as->err, sizeof(as->err), "audit.db has schema %d, "
		    "not %d: it is not the file keyd opened", v, NMIGRATIONS);
		return -1;
	}
	for (i = v; i < NMIGRATIONS; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (as_exec(as, "BEGIN IMMEDIATE") == -1)
			return -1;
		if (as_exec(as, migrations[i]) == -1 ||
		    as_exec(as, sql) == -1 || as_exec(as, "COMMIT") == -1) {
			audit_store_rollback(as);
			return -1;
		}
	}
	return 0;
}

static int
configure(struct audit_store *as, enum audit_store_mode mode, int sync)
{
	char	sql[2 * COLS_MAX + 64];

	sqlite3_busy_timeout(as->db, BUSY_MS);
	if (mode == AUDIT_STORE_READ)
		return as_exec(as, "PRAGMA query_only = ON");
	if (as_exec(as, "PRAGMA journal_mode = WAL") == -1 ||
	    as_exec(as, sync ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL") == -1 ||
	    migrate(as, mode == AUDIT_STORE_CREATE) == -1)
		return -1;
	snprintf(sql, sizeof(sql), "INSERT INTO records(%s) VALUES (%s)",
	    as_cols, marks);
	if ((as->ins = as_prepare(as, sql)) == NULL ||
	    (as->ins_cp = as_prepare(as, "INSERT INTO checkpoints(seq, "
	    "time_us, hash, signature) VALUES (?, ?, ?, ?)")) == NULL ||
	    (as->ins_span = as_prepare(as, "INSERT INTO "
	    "client_spans(client, lo, hi) VALUES (?, ?, ?)")) == NULL ||
	    (as->begin = as_prepare(as, "BEGIN IMMEDIATE")) == NULL ||
	    (as->commit = as_prepare(as, "COMMIT")) == NULL)
		return -1;
	as->span_stale = 1;
	return 0;
}

int
audit_store_open(const char *path, enum audit_store_mode mode, int sync,
    struct audit_store **asp, char *err, size_t errlen)
{
	struct audit_store	*as;
	int			 flags = SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_FULLMUTEX;

	*asp = NULL;
	pthread_once(&cols_once, cols_make);
	if ((as = calloc(1, sizeof(*as))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&as->mu, NULL);
	flags |= mode == AUDIT_STORE_READ ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if (mode == AUDIT_STORE_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &as->db, flags, NULL) != SQLITE_OK) {
		as_fail(as, "open");
		goto fail;
	}
	if (configure(as, mode, sync) == -1)
		goto fail;
	*asp = as;
	return 0;
fail:
	snprintf(err, errlen, "cannot open audit log %s: %s", path, as->err);
	audit_store_close(&as);
	return -1;
}

void
audit_store_close(struct audit_store **asp)
{
	struct audit_store *as;

	if (asp == NULL || (as = *asp) == NULL)
		return;
	sqlite3_finalize(as->ins);
	sqlite3_finalize(as->ins_cp);
	sqlite3_finalize(as->ins_span);
	sqlite3_finalize(as->begin);
	sqlite3_finalize(as->commit);
	sqlite3_close(as->db);
	pthread_mutex_destroy(&as->mu);
	free(as);
	*asp = NULL;
}

static int
step_done(struct audit_store *as, sqlite3_stmt *stmt, const char *what)
{
	int r = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return r == SQLITE_DONE ? 0 : as_fail(as, what);
}

static void
span_add(struct audit_store *as, const char *client)
{
	int i;

	if (client[0] == '\0' || as->span_any)
		return;
	for (i = 0; i < as->span_n; i++)
		if (strcmp(as->span_clients[i], client) == 0)
			return;
	if (as->span_n == SPAN_CLIENTS_MAX) {
		as->span_any = 1;
		return;
	}
	snprintf(as->span_clients[as->span_n++], sizeof(as->span_clients[0]),
	    "%s", client);
}

/* The open segment's clients, from what is committed: at open, and after
 * a rollback. In the writer's transaction. */
static int
span_reload(struct audit_store *as)
{
	sqlite3_stmt	*stmt;
	int		 r;

	as->span_n = as->span_any = 0;
	if ((stmt = as_prepare(as, "SELECT coalesce((SELECT max(seq) "
	    "FROM checkpoints), 0) + 1")) == NULL)
		return -1;
	r = sqlite3_step(stmt);
	as->span_lo = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (r != SQLITE_ROW)
		return as_fail(as, "open segment");
	if ((stmt = as_prepare(as, "SELECT DISTINCT client FROM "
	    "records WHERE seq >= ? AND client IS NOT NULL")) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, as->span_lo);
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW)
		span_add(as, (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	if (r != SQLITE_DONE)
		return as_fail(as, "open segment");
	as->span_stale = 0;
	return 0;
}

/* Close the open segment at checkpoint HI: one row per client in it. */
static int
span_close(struct audit_store *as, int64_t hi)
{
	int i, n = as->span_any ? 1 : as->span_n;

	for (i = 0; i < n; i++) {
		sqlite3_bind_text(as->ins_span, 1, as->span_any ? SPAN_ANY :
		    as->span_clients[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(as->ins_span, 2, as->span_lo);
		sqlite3_bind_int64(as->ins_span, 3, hi);
		if (step_done(as, as->ins_span, "insert client span") == -1)
			return -1;
	}
	as->span_lo = hi + 1;
	as->span_n = as->span_any = 0;
	return 0;
}

int
audit_store_begin(struct audit_store *as)
{
	if (step_done(as, as->begin, "begin") == -1)
		return -1;
	if (as->span_stale && span_reload(as) == -1) {
		audit_store_rollback(as);
		return -1;
	}
	return 0;
}

int
audit_store_commit(struct audit_store *as)
{
	return step_done(as, as->commit, "commit");
}

void
audit_store_rollback(struct audit_store *as)
{
	/* Keep the reason the transaction failed, not the rollback's. */
	if (as->ins != NULL)
		as->span_stale = 1;
	if (sqlite3_get_autocommit(as->db) == 0)
		(void)sqlite3_exec(as->db, "ROLLBACK", NULL, NULL, NULL);
}

static void
bind_field(sqlite3_stmt *stmt, int col, const struct audit_rec *r,
    const struct audit_field *f)
{
	const char	*base = (const char *)r + f->off;
	int64_t		 v;

	if (f->type == AUDIT_FT_INT) {
		memcpy(&v, base, sizeof(v));
		if (v == AUDIT_NULL)
			sqlite3_bind_null(stmt, col);
		else
			sqlite3_bind_int64(stmt, col, v);
	} else if (base[0] == '\0')
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_text(stmt, col, base, -1, SQLITE_STATIC);
}

int
audit_store_insert(struct audit_store *as, const struct audit_rec *r)
{
	int i;

	for (i = 0; i < AUDIT_NFIELDS; i++)
		bind_field(as->ins, i + 1, r, &audit_fields[i]);
	sqlite3_bind_blob(as->ins, AUDIT_NFIELDS + 1, r->hash, AUDIT_HASH_LEN,
	    SQLITE_STATIC);
	if (step_done(as, as->ins, "insert record") == -1)
		return -1;
	span_add(as, r->client);
	return 0;
}

int
audit_store_insert_cp(struct audit_store *as, const struct audit_cp *cp)
{
	sqlite3_bind_int64(as->ins_cp, 1, cp->seq);
	sqlite3_bind_int64(as->ins_cp, 2, cp->time_us);
	sqlite3_bind_blob(as->ins_cp, 3, cp->hash, AUDIT_HASH_LEN,
	    SQLITE_STATIC);
	sqlite3_bind_blob(as->ins_cp, 4, cp->sig, AUDIT_SIG_LEN,
	    SQLITE_STATIC);
	if (step_done(as, as->ins_cp, "insert checkpoint") == -1)
		return -1;
	return span_close(as, cp->seq);
}

/* Read a column as stored. A value that does not fit its field (only a
 * tampered row has one) is cut, so its hash no longer matches. */
static void
column_field(sqlite3_stmt *stmt, int col, struct audit_rec *r,
    const struct audit_field *f)
{
	char		*base = (char *)r + f->off;
	const void	*p;
	int64_t		 v = AUDIT_NULL;
	size_t		 n;

	if (f->type == AUDIT_FT_INT) {
		if (sqlite3_column_type(stmt, col) != SQLITE_NULL)
			v = sqlite3_column_int64(stmt, col);
		memcpy(base, &v, sizeof(v));
		return;
	}
	p = sqlite3_column_text(stmt, col);
	n = (size_t)sqlite3_column_bytes(stmt, col);
	if (p == NULL)
		n = 0;
	if (n >= f->cap)
		n = f->cap - 1;
	if (n > 0)
		memcpy(base, p, n);
	base[n] = '\0';
}

void
as_row_rec(sqlite3_stmt *stmt, struct audit_rec *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < AUDIT_NFIELDS; i++)
		column_field(stmt, i, r, &audit_fields[i]);
	if (sqlite3_column_bytes(stmt, AUDIT_NFIELDS) == AUDIT_HASH_LEN)
		memcpy(r->hash, sqlite3_column_blob(stmt, AUDIT_NFIELDS),
		    AUDIT_HASH_LEN);
}

static void
row_cp(sqlite3_stmt *stmt, struct audit_cp *cp)
{
	memset(cp, 0, sizeof(*cp));
	cp->seq = sqlite3_column_int64(stmt, 0);
	cp->time_us = sqlite3_column_int64(stmt, 1);
	if (sqlite3_column_bytes(stmt, 2) == AUDIT_HASH_LEN)
		memcpy(cp->hash, sqlite3_column_blob(stmt, 2), AUDIT_HASH_LEN);
	if (sqlite3_column_bytes(stmt, 3) == AUDIT_SIG_LEN)
		memcpy(cp->sig, sqlite3_column_blob(stmt, 3), AUDIT_SIG_LEN);
}

/* Run SQL (with up to two integer parameters) expecting at most one row;
 * ROW reads it. AUDIT_STORE_NONE when there is none. */
static int
one_row(struct audit_store *as, const char *sql, int nargs, int64_t a,
    int64_t b, void (*row)(sqlite3_stmt *, void *), void *out)
{
	sqlite3_stmt	*stmt;
	int		 r, rc = -1;

	pthread_mutex_lock(&as->mu);
	if ((stmt = as_prepare(as, sql)) == NULL)
		goto out;
	if (nargs > 0)
		sqlite3_bind_int64(stmt, 1, a);
	if (nargs > 1)
		sqlite3_bind_int64(stmt, 2, b);
	r = sqlite3_step(stmt);
	if (r == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		row(stmt, out);
		rc = 0;
	} else if (r == SQLITE_ROW || r == SQLITE_DONE)
		rc = AUDIT_STORE_NONE;
	else
		as_fail(as, "read");
out:
	sqlite3_finalize(stmt);
	pthread_mutex_unlock(&as->mu);
	return rc;
}

static void
rec_cb(sqlite3_stmt *stmt, void *out)
{
	as_row_rec(stmt, out);
}

static void
cp_cb(sqlite3_stmt *stmt, void *out)
{
	row_cp(stmt, out);
}

static void
int_cb(sqlite3_stmt *stmt, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(stmt, 0);
}

int
audit_store_last(struct audit_store *as, struct audit_rec *r)
{
	char sql[COLS_MAX + 64];

	snprintf(sql, sizeof(sql), "SELECT %s FROM records ORDER BY seq DESC "
	    "LIMIT 1", as_cols);
	return one_row(as, sql, 0, 0, 0, rec_cb, r);
}

int
audit_store_first_seq(struct audit_store *as, int64_t *seq)
{
	return one_row(as, "SELECT min(seq) FROM records", 0, 0, 0, int_cb,
	    seq);
}

int
audit_store_cp_at_or_before(struct audit_store *as, int64_t seq,
    struct audit_cp *cp)
{
	return one_row(as, "SELECT seq, time_us, hash, signature FROM "
	    "checkpoints WHERE seq <= ? ORDER BY seq DESC LIMIT 1", 1, seq, 0,
	    cp_cb, cp);
}

int
audit_store_cp_before_time(struct audit_store *as, int64_t time_us,
    struct audit_cp *cp)
{
	return one_row(as, "SELECT seq, time_us, hash, signature FROM "
	    "checkpoints WHERE time_us <= ? ORDER BY seq DESC LIMIT 1", 1,
	    time_us, 0, cp_cb, cp);
}

static int
run_int(struct audit_store *as, const char *sql, int64_t a)
{
	sqlite3_stmt *stmt;

	if ((stmt = as_prepare(as, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, a);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		sqlite3_finalize(stmt);
		return as_fail(as, "prune");
	}
	sqlite3_finalize(stmt);
	return 0;
}

int
audit_store_prune(struct audit_store *as, int64_t upto, int64_t *n)
{
	*n = 0;
	if (run_int(as, "DELETE FROM records WHERE seq <= ?", upto) == -1)
		return -1;
	*n = sqlite3_changes(as->db);
	if (run_int(as, "DELETE FROM client_spans WHERE hi <= ?", upto) == -1)
		return -1;
	return run_int(as, "DELETE FROM checkpoints WHERE seq < ?", upto);
}

int
audit_store_meta_get(struct audit_store *as, const char *key,
    unsigned char **val, size_t *len)
{
	sqlite3_stmt	*stmt;
	int		 r, rc = -1, n;

	*val = NULL;
	pthread_mutex_lock(&as->mu);
	if ((stmt = as_prepare(as, "SELECT value FROM meta WHERE key = ?")) ==
	    NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(stmt)) == SQLITE_DONE)
		rc = AUDIT_STORE_NONE;
	else if (r != SQLITE_ROW)
		as_fail(as, "meta");
	else if ((n = sqlite3_column_bytes(stmt, 0)) >= 0 &&
	    (*val = malloc((size_t)n + 1)) != NULL) {
		if (n > 0)
			memcpy(*val, sqlite3_column_blob(stmt, 0), (size_t)n);
		*len = (size_t)n;
		rc = 0;
	}
out:
	sqlite3_finalize(stmt);
	pthread_mutex_unlock(&as->mu);
	return rc;
}

int
audit_store_meta_put(struct audit_store *as, const char *key,
    const unsigned char *val, size_t len)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	pthread_mutex_lock(&as->mu);
	if ((stmt = as_prepare(as, "INSERT INTO meta(key, value) VALUES (?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value")) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, val, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : as_fail(as, "meta put");
out:
	sqlite3_finalize(stmt);
	pthread_mutex_unlock(&as->mu);
	return rc;
}

/* Merge records and checkpoints by seq, each checkpoint after the record
 * it covers. A full page stops at its last record; the last page also
 * hands over the checkpoints past it, which a cut tail leaves behind. */
static int
walk_merge(struct audit_store *as, sqlite3_stmt *rs, sqlite3_stmt *cs,
    int64_t limit, audit_store_cb cb, void *arg)
{
	struct audit_rec	r;
	struct audit_cp		cp;
	int64_t			n = 0, last = 0;
	int			rr, cr, rc = 0;

	rr = sqlite3_step(rs);
	cr = sqlite3_step(cs);
	while (rc == 0 && (rr == SQLITE_ROW || cr == SQLITE_ROW)) {
		if (rr == SQLITE_ROW && (cr != SQLITE_ROW ||
		    sqlite3_column_int64(rs, 0) <= sqlite3_column_int64(cs, 0))) {
			as_row_rec(rs, &r);
			last = r.seq;
			n++;
			rc = cb(arg, &r, NULL);
			rr = sqlite3_step(rs);
			continue;
		}
		if (n == limit && sqlite3_column_int64(cs, 0) > last)
			break;
		row_cp(cs, &cp);
		rc = cb(arg, NULL, &cp);
		cr = sqlite3_step(cs);
	}
	if (rc == 0 && ((rr != SQLITE_DONE && rr != SQLITE_ROW) ||
	    (cr != SQLITE_DONE && cr != SQLITE_ROW)))
		rc = as_fail(as, "walk");
	return rc;
}

int
audit_store_walk(struct audit_store *as, int64_t from, int64_t to,
    int64_t limit, audit_store_cb cb, void *arg)
{
	sqlite3_stmt	*rs = NULL, *cs = NULL;
	char		 sql[COLS_MAX + 128];
	int		 rc = -1;

	pthread_mutex_lock(&as->mu);
	snprintf(sql, sizeof(sql), "SELECT %s FROM records WHERE seq >= ? AND "
	    "seq <= ? ORDER BY seq LIMIT ?", as_cols);
	if (as_exec(as, "BEGIN") == -1)
		goto out;
	if ((rs = as_prepare(as, sql)) == NULL || (cs = as_prepare(as,
	    "SELECT seq, time_us, hash, signature FROM checkpoints WHERE "
	    "seq >= ? AND seq <= ? ORDER BY seq")) == NULL)
		goto end;
	sqlite3_bind_int64(rs, 1, from);
	sqlite3_bind_int64(rs, 2, to);
	sqlite3_bind_int64(rs, 3, limit);
	sqlite3_bind_int64(cs, 1, from);
	sqlite3_bind_int64(cs, 2, to);
	rc = walk_merge(as, rs, cs, limit, cb, arg);
end:
	sqlite3_finalize(rs);
	sqlite3_finalize(cs);
	(void)sqlite3_exec(as->db, "COMMIT", NULL, NULL, NULL);
out:
	pthread_mutex_unlock(&as->mu);
	return rc;
}
