/* sqlite3 store: upstreams. The credential column holds only what
 * keyring_seal made; this file never sees a credential in clear. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/store_sqlite.h"

#define UPSTREAM_COLS "id, name, url, auth, secret, dek_version, ca_pem, " \
	"client_cert_pem, pin, timeout_ms, cred_version, created_at, " \
	"updated_at"

void
store_upstream_rec_clear(struct upstream_rec *r)
{
	if (r == NULL)
		return;
	free(r->secret);
	free(r->ca_pem);
	free(r->client_cert_pem);
	memset(r, 0, sizeof(*r));
}

/* A malloc'd copy of column COL, or NULL when it is NULL. -1 when memory
 * runs out. */
static int
col_dup(sqlite3_stmt *stmt, int col, void **out, size_t *len)
{
	const void	*p;
	int		 n;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return 0;
	p = sqlite3_column_blob(stmt, col);
	n = sqlite3_column_bytes(stmt, col);
	if ((*out = malloc((size_t)n + 1)) == NULL)
		return -1;
	if (n > 0)
		memcpy(*out, p, (size_t)n);
	((char *)*out)[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return 0;
}

static int
upstream_row(sqlite3_stmt *stmt, struct upstream_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(stmt, 0);
	sq_text(stmt, 1, r->name, sizeof(r->name));
	sq_text(stmt, 2, r->url, sizeof(r->url));
	r->auth = (enum upstream_auth)sqlite3_column_int(stmt, 3);
	r->dek_version = (uint32_t)sqlite3_column_int64(stmt, 5);
	sq_text(stmt, 8, r->pin, sizeof(r->pin));
	r->timeout_ms = sqlite3_column_int64(stmt, 9);
	r->cred_version = sqlite3_column_int64(stmt, 10);
	r->created_at = sqlite3_column_int64(stmt, 11);
	r->updated_at = sqlite3_column_int64(stmt, 12);
	if (col_dup(stmt, 4, (void **)&r->secret, &r->secret_len) == -1 ||
	    col_dup(stmt, 6, (void **)&r->ca_pem, NULL) == -1 ||
	    col_dup(stmt, 7, (void **)&r->client_cert_pem, NULL) == -1) {
		store_upstream_rec_clear(r);
		return -1;
	}
	return 0;
}

static void
bind_text_or_null(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, i);
}

int
store_upstream_insert(struct store *st, const struct upstream_rec *r,
    int64_t *created_at)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "INSERT INTO upstreams(name, url, auth, "
	    "secret, dek_version, ca_pem, client_cert_pem, pin, timeout_ms) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING created_at")) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, r->url, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, (int)r->auth);
	if (r->secret != NULL)
		sqlite3_bind_blob(stmt, 4, r->secret, (int)r->secret_len,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 4);
	sqlite3_bind_int64(stmt, 5, r->dek_version);
	bind_text_or_null(stmt, 6, r->ca_pem);
	bind_text_or_null(stmt, 7, r->client_cert_pem);
	sqlite3_bind_text(stmt, 8, r->pin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, r->timeout_ms);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		if (created_at != NULL)
			*created_at = sqlite3_column_int64(stmt, 0);
		rc = 0;
	} else if (sqlite3_extended_errcode(st->db) ==
	    SQLITE_CONSTRAINT_UNIQUE)
		rc = STORE_EXISTS;
	else
		sq_fail(st, "upstream insert");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_upstream_get(struct store *st, const char *name, struct upstream_rec *out)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1, r;

	memset(out, 0, sizeof(*out));
	sq_lock(st);
	if ((stmt = sq_prepare(st, "SELECT " UPSTREAM_COLS " FROM upstreams "
	    "WHERE name = ?")) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(stmt);
	if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else if (r != SQLITE_ROW)
		sq_fail(st, "upstream get");
	else if (upstream_row(stmt, out) == 0)
		rc = 0;
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_upstream_delete(struct store *st, const char *name)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "DELETE FROM upstreams WHERE name = ?")) ==
	    NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		sq_fail(st, "upstream delete");
	else
		rc = sqlite3_changes(st->db) > 0 ? 0 : STORE_NOTFOUND;
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_upstream_each(struct store *st, store_upstream_cb cb, void *arg)
{
	struct upstream_rec	 u;
	sqlite3_stmt		*stmt;
	int			 rc = 0, r;

	/* Rows are copied out under the lock; CB runs without it, so it may
	 * call the store itself. */
	sq_lock(st);
	stmt = sq_prepare(st, "SELECT " UPSTREAM_COLS " FROM upstreams "
	    "ORDER BY name");
	sq_unlock(st);
	if (stmt == NULL)
		return -1;
	for (;;) {
		sq_lock(st);
		r = sqlite3_step(stmt);
		if (r == SQLITE_ROW && upstream_row(stmt, &u) == -1)
			rc = sq_fail(st, "upstream walk: out of memory");
		else if (r != SQLITE_ROW && r != SQLITE_DONE)
			rc = sq_fail(st, "upstream walk");
		sq_unlock(st);
		if (r != SQLITE_ROW || rc != 0)
			break;
		rc = cb(arg, &u);
		store_upstream_rec_clear(&u);
		if (rc != 0)
			break;
	}
	sq_lock(st);
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}
