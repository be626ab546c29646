/* Readers' questions of audit.db: the seq a time falls at, and records by
 * client, decision, event and time. The records table has no secondary
 * index (see audit_store.c), so a time becomes a seq by binary search (the
 * writer keeps times from decreasing along seq), and a client's records
 * are read from the segments client_spans lists for it and from the open
 * segment after the last checkpoint. Each query reads one snapshot. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/audit_store.h"
#include "keyd/audit_store_int.h"

/* Seqs lo to hi, both included. */
struct range {
	int64_t	lo, hi;
};

struct ranges {
	struct range	*v;
	size_t		 n, cap;
};

/* Add [LO, HI], after every range already in RS, merging with the last
 * one when they touch. */
static int
ranges_add(struct ranges *rs, int64_t lo, int64_t hi)
{
	struct range	*v;
	size_t		 cap;

	if (lo > hi)
		return 0;
	if (rs->n > 0 && lo - 1 <= rs->v[rs->n - 1].hi) {
		if (hi > rs->v[rs->n - 1].hi)
			rs->v[rs->n - 1].hi = hi;
		return 0;
	}
	if (rs->n == rs->cap) {
		cap = rs->cap != 0 ? rs->cap * 2 : 8;
		if ((v = reallocarray(rs->v, cap, sizeof(*v))) == NULL)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n].lo = lo;
	rs->v[rs->n++].hi = hi;
	return 0;
}

/* One integer from SQL that yields one row; -1 on an error. */
static int
int_of(struct audit_store *as, const char *sql, int64_t *v)
{
	sqlite3_stmt	*stmt;
	int		 r;

	if ((stmt = as_prepare(as, sql)) == NULL)
		return -1;
	r = sqlite3_step(stmt);
	*v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return r == SQLITE_ROW ? 0 : as_fail(as, "read");
}

/* The first record at or after FROM: its seq and time. */
static int
rec_from(struct audit_store *as, sqlite3_stmt *stmt, int64_t from,
    int64_t *seq, int64_t *t)
{
	int r;

	sqlite3_bind_int64(stmt, 1, from);
	r = sqlite3_step(stmt);
	if (r == SQLITE_ROW) {
		*seq = sqlite3_column_int64(stmt, 0);
		*t = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (r == SQLITE_ROW)
		return 0;
	return r == SQLITE_DONE ? AUDIT_STORE_NONE :
	    as_fail(as, "read");
}

/* The smallest seq whose time is at least T, or AUDIT_STORE_NONE. A binary
 * search over seq for the first x whose next record has time >= T; a gap
 * in seq (only a damaged log has one) belongs to the record after it. */
static int
time_seq(struct audit_store *as, int64_t t, int64_t *seq)
{
	sqlite3_stmt	*stmt;
	int64_t		 lo, hi, mid, s, tm;
	int		 r;

	if (int_of(as, "SELECT coalesce((SELECT min(seq) FROM records), 1)",
	    &lo) == -1 || int_of(as, "SELECT coalesce((SELECT max(seq) FROM "
	    "records), 0) + 1", &hi) == -1)
		return -1;
	if ((stmt = as_prepare(as, "SELECT seq, time_us FROM records "
	    "WHERE seq >= ? ORDER BY seq LIMIT 1")) == NULL)
		return -1;
	r = 0;
	while (r == 0 && lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((r = rec_from(as, stmt, mid, &s, &tm)) == 0) {
			if (tm >= t)
				hi = mid;
			else
				lo = s + 1;
		}
	}
	if (r == 0)
		r = rec_from(as, stmt, lo, seq, &tm);
	sqlite3_finalize(stmt);
	return r;
}

int
audit_store_seq_at_time(struct audit_store *as, int64_t time_us,
    int64_t *seq)
{
	int r;

	pthread_mutex_lock(&as->mu);
	if ((r = as_exec(as, "BEGIN")) == 0) {
		r = time_seq(as, time_us, seq);
		(void)sqlite3_exec(as->db, "COMMIT", NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&as->mu);
	return r;
}

/* The seqs F's times and AFTER allow, as [*lo, *hi]; empty when lo > hi. */
static int
time_bounds(struct audit_store *as, const struct audit_filter *f,
    int64_t after, int64_t *lo, int64_t *hi)
{
	int64_t	s;
	int	r;

	*lo = after < INT64_MAX ? after + 1 : INT64_MAX;
	*hi = INT64_MAX;
	if (f->since_us != 0) {
		if ((r = time_seq(as, f->since_us, &s)) == -1)
			return -1;
		if (r == AUDIT_STORE_NONE)
			s = INT64_MAX;
		if (s > *lo)
			*lo = s;
	}
	if (f->until_us != 0) {
		if ((r = time_seq(as, f->until_us, &s)) == -1)
			return -1;
		if (r == 0)
			*hi = s - 1;
	}
	return 0;
}

/* The seq ranges that can hold F's records, in order: all of [LO, HI],
 * or for a client its segments and the open one, clipped to it. */
static int
query_ranges(struct audit_store *as, const struct audit_filter *f,
    int64_t lo, int64_t hi, struct ranges *rs)
{
	sqlite3_stmt	*stmt;
	int64_t		 open_lo;
	int		 r;

	if (f->client == NULL)
		return ranges_add(rs, lo, hi);
	if (int_of(as, "SELECT coalesce((SELECT max(seq) FROM checkpoints), "
	    "0) + 1", &open_lo) == -1 || (stmt = as_prepare(as,
	    "SELECT lo, hi FROM client_spans WHERE client IN (?1, '"
	    SPAN_ANY "') AND hi >= ?2 AND lo <= ?3 ORDER BY lo")) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, f->client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, lo);
	sqlite3_bind_int64(stmt, 3, hi);
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW)
		if (ranges_add(rs, sqlite3_column_int64(stmt, 0) > lo ?
		    sqlite3_column_int64(stmt, 0) : lo,
		    sqlite3_column_int64(stmt, 1) < hi ?
		    sqlite3_column_int64(stmt, 1) : hi) == -1)
			break;
	sqlite3_finalize(stmt);
	if (r == SQLITE_ROW) {
		snprintf(as->err, sizeof(as->err), "audit.db: out of memory");
		return -1;
	}
	if (r != SQLITE_DONE)
		return as_fail(as, "client spans");
	return ranges_add(rs, open_lo > lo ? open_lo : lo, hi);
}

/* F's clauses after the seq range (?1, ?8); values are bound, never
 * spliced into the SQL. */
static void
filter_sql(const struct audit_filter *f, char *buf, size_t len)
{
	snprintf(buf, len, "seq >= ?1 AND seq <= ?8%s%s%s%s%s",
	    f->client != NULL ? " AND client = ?2" : "",
	    f->decision != NULL ? " AND decision = ?3" : "",
	    f->event != NULL ? " AND event = ?4" : "",
	    f->since_us != 0 ? " AND time_us >= ?5" : "",
	    f->until_us != 0 ? " AND time_us < ?6" : "");
}

static void
filter_bind(sqlite3_stmt *stmt, const struct audit_filter *f,
    const struct range *rg, int64_t limit)
{
	sqlite3_reset(stmt);
	sqlite3_bind_int64(stmt, 1, rg->lo);
	if (f->client != NULL)
		sqlite3_bind_text(stmt, 2, f->client, -1, SQLITE_STATIC);
	if (f->decision != NULL)
		sqlite3_bind_text(stmt, 3, f->decision, -1, SQLITE_STATIC);
	if (f->event != NULL)
		sqlite3_bind_text(stmt, 4, f->event, -1, SQLITE_STATIC);
	if (f->since_us != 0)
		sqlite3_bind_int64(stmt, 5, f->since_us);
	if (f->until_us != 0)
		sqlite3_bind_int64(stmt, 6, f->until_us);
	sqlite3_bind_int64(stmt, 7, limit);
	sqlite3_bind_int64(stmt, 8, rg->hi);
}

/* The seq of the LIMIT-th newest match: walk the ranges from the end. */
static int
newest_start(struct audit_store *as, const struct audit_filter *f,
    const struct ranges *rs, int64_t limit, int64_t *start)
{
	sqlite3_stmt	*stmt;
	char		 where[256], sql[512];
	int64_t		 n = 0;
	size_t		 i;
	int		 r = SQLITE_DONE;

	filter_sql(f, where, sizeof(where));
	snprintf(sql, sizeof(sql), "SELECT seq FROM records WHERE %s ORDER BY "
	    "seq DESC LIMIT ?7", where);
	if ((stmt = as_prepare(as, sql)) == NULL)
		return -1;
	*start = INT64_MAX;
	for (i = rs->n; i > 0 && n < limit; i--) {
		filter_bind(stmt, f, &rs->v[i - 1], limit - n);
		while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
			*start = sqlite3_column_int64(stmt, 0);
			n++;
		}
		if (r != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(stmt);
	return r == SQLITE_DONE ? 0 : as_fail(as, "query");
}

/* Up to LIMIT of F's records from the ranges, from seq START on. */
static int
emit(struct audit_store *as, const struct audit_filter *f,
    const struct ranges *rs, int64_t start, int64_t limit, audit_store_cb cb,
    void *arg)
{
	struct audit_rec	 rec;
	struct range		 rg;
	sqlite3_stmt		*stmt;
	char			 where[256], sql[COLS_MAX + 512];
	int64_t			 n = 0;
	size_t			 i;
	int			 r = SQLITE_DONE, rc = 0;

	filter_sql(f, where, sizeof(where));
	snprintf(sql, sizeof(sql), "SELECT %s FROM records WHERE %s ORDER BY "
	    "seq LIMIT ?7", as_cols, where);
	if ((stmt = as_prepare(as, sql)) == NULL)
		return -1;
	for (i = 0; i < rs->n && n < limit && rc == 0; i++) {
		if ((rg = rs->v[i]).hi < start)
			continue;
		if (rg.lo < start)
			rg.lo = start;
		filter_bind(stmt, f, &rg, limit - n);
		while (rc == 0 && (r = sqlite3_step(stmt)) == SQLITE_ROW) {
			as_row_rec(stmt, &rec);
			n++;
			rc = cb(arg, &rec, NULL);
		}
		if (rc == 0 && r != SQLITE_DONE)
			rc = as_fail(as, "query");
	}
	sqlite3_finalize(stmt);
	return rc;
}

int
audit_store_query(struct audit_store *as, const struct audit_filter *f,
    int64_t after, int64_t limit, int newest, audit_store_cb cb, void *arg)
{
	struct ranges	rs = { NULL, 0, 0 };
	int64_t		lo, hi, start;
	int		rc = -1;

	pthread_mutex_lock(&as->mu);
	if (as_exec(as, "BEGIN") == -1)
		goto out;
	if (limit <= 0 || time_bounds(as, f, after, &lo, &hi) == -1 ||
	    query_ranges(as, f, lo, hi, &rs) == -1)
		goto end;
	start = lo;
	if (newest && newest_start(as, f, &rs, limit, &start) == -1)
		goto end;
	rc = emit(as, f, &rs, start, limit, cb, arg);
end:
	if (limit <= 0)
		rc = 0;
	(void)sqlite3_exec(as->db, "COMMIT", NULL, NULL, NULL);
out:
	free(rs.v);
	pthread_mutex_unlock(&as->mu);
	return rc;
}
