/* sqlite3 store: clients and credentials (keys, access and admin tokens). */
#include <stdio.h>
#include <string.h>

#include "keyd/store_sqlite.h"

#define CLIENT_COLS "id, name, role, enabled, epoch, key_epoch, created_at"
#define CRED_COLS "id, kind, coalesce(client_id, 0), coalesce(parent_id, ''), " \
	"state, hash, epoch, scope, name, created_at, expires_at, revoked_at"

static const char *const state_names[] = {
	"pending", "active", "retiring", "expired", "revoked"
};

const char *
store_cred_state_name(enum cred_state s)
{
	return (unsigned)s < 5 ? state_names[s] : "unknown";
}

static void
client_row(sqlite3_stmt *stmt, struct client_rec *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(stmt, 0);
	sq_text(stmt, 1, c->name, sizeof(c->name));
	sq_text(stmt, 2, c->role, sizeof(c->role));
	c->enabled = sqlite3_column_int(stmt, 3);
	c->epoch = sqlite3_column_int64(stmt, 4);
	c->key_epoch = sqlite3_column_int64(stmt, 5);
	c->created_at = sqlite3_column_int64(stmt, 6);
}

static void
cred_row(sqlite3_stmt *stmt, struct cred_rec *c)
{
	int n;

	memset(c, 0, sizeof(*c));
	sq_text(stmt, 0, c->id, sizeof(c->id));
	c->kind = (enum token_kind)sqlite3_column_int(stmt, 1);
	c->client_id = sqlite3_column_int64(stmt, 2);
	sq_text(stmt, 3, c->parent_id, sizeof(c->parent_id));
	c->state = (enum cred_state)sqlite3_column_int(stmt, 4);
	n = sqlite3_column_bytes(stmt, 5);
	if (n == (int)sizeof(c->hash))
		memcpy(c->hash, sqlite3_column_blob(stmt, 5), sizeof(c->hash));
	c->epoch = sqlite3_column_int64(stmt, 6);
	sq_text(stmt, 7, c->scope, sizeof(c->scope));
	sq_text(stmt, 8, c->name, sizeof(c->name));
	c->created_at = sqlite3_column_int64(stmt, 9);
	c->expires_at = sqlite3_column_int64(stmt, 10);
	c->revoked_at = sqlite3_column_int64(stmt, 11);
}

/* Run STMT expecting at most one row; ROW fills OUT. */
static int
step_one(struct store *st, sqlite3_stmt *stmt, void (*row)(sqlite3_stmt *,
    void *), void *out)
{
	int r = sqlite3_step(stmt);

	if (r == SQLITE_ROW) {
		row(stmt, out);
		return 0;
	}
	if (r == SQLITE_DONE)
		return STORE_NOTFOUND;
	return sq_fail(st, "query");
}

static void
client_row_v(sqlite3_stmt *stmt, void *out)
{
	client_row(stmt, out);
}

static void
cred_row_v(sqlite3_stmt *stmt, void *out)
{
	cred_row(stmt, out);
}

int
store_client_create(struct store *st, const char *name, const char *role,
    struct client_rec *out)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1, r;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "INSERT INTO clients(name, role) VALUES "
	    "(?, ?) RETURNING " CLIENT_COLS)) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	r = sqlite3_step(stmt);
	if (r == SQLITE_ROW) {
		client_row(stmt, out);
		rc = 0;
	} else if (sqlite3_extended_errcode(st->db) ==
	    SQLITE_CONSTRAINT_UNIQUE)
		rc = STORE_EXISTS;
	else
		sq_fail(st, "client create");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

static int
client_get(struct store *st, const char *sql, const char *name, int64_t id,
    struct client_rec *out)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, sql)) == NULL)
		goto out;
	if (name != NULL)
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(stmt, 1, id);
	rc = step_one(st, stmt, client_row_v, out);
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_client_get(struct store *st, const char *name, struct client_rec *out)
{
	return client_get(st, "SELECT " CLIENT_COLS " FROM clients "
	    "WHERE name = ?", name, 0, out);
}

int
store_client_get_by_id(struct store *st, int64_t id, struct client_rec *out)
{
	return client_get(st, "SELECT " CLIENT_COLS " FROM clients "
	    "WHERE id = ?", NULL, id, out);
}

int
store_client_each(struct store *st, store_client_cb cb, void *arg)
{
	struct client_rec	 c;
	sqlite3_stmt		*stmt;
	int			 rc = -1, r = SQLITE_DONE;

	/* Rows are copied out under the lock; CB runs without it so it may
	 * call the store itself. */
	sq_lock(st);
	stmt = sq_prepare(st, "SELECT " CLIENT_COLS " FROM clients "
	    "ORDER BY name");
	sq_unlock(st);
	if (stmt == NULL)
		return -1;
	rc = 0;
	for (;;) {
		sq_lock(st);
		r = sqlite3_step(stmt);
		if (r == SQLITE_ROW)
			client_row(stmt, &c);
		else if (r != SQLITE_DONE)
			rc = sq_fail(st, "client walk");
		sq_unlock(st);
		if (r != SQLITE_ROW || (rc = cb(arg, &c)) != 0)
			break;
	}
	sq_lock(st);
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_client_count(struct store *st, int64_t *n)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "SELECT count(*) FROM clients")) == NULL)
		goto out;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*n = sqlite3_column_int64(stmt, 0);
		rc = 0;
	} else
		sq_fail(st, "client count");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_client_set_enabled(struct store *st, int64_t id, int enabled)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "UPDATE clients SET enabled = ? "
	    "WHERE id = ?")) == NULL)
		goto out;
	sqlite3_bind_int(stmt, 1, enabled ? 1 : 0);
	sqlite3_bind_int64(stmt, 2, id);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		sq_fail(st, "client update");
	else
		rc = sqlite3_changes(st->db) == 1 ? 0 : STORE_NOTFOUND;
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_client_bump_epoch(struct store *st, int64_t id, int keys,
    struct client_rec *out)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "UPDATE clients SET epoch = epoch + 1, "
	    "key_epoch = key_epoch + ? WHERE id = ? RETURNING "
	    CLIENT_COLS)) == NULL)
		goto out;
	sqlite3_bind_int(stmt, 1, keys ? 1 : 0);
	sqlite3_bind_int64(stmt, 2, id);
	rc = step_one(st, stmt, client_row_v, out);
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_cred_insert(struct store *st, const struct cred_rec *c)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "INSERT INTO credentials(id, kind, "
	    "client_id, parent_id, state, hash, epoch, scope, name, "
	    "created_at, expires_at) VALUES (?, ?, nullif(?, 0), "
	    "nullif(?, ''), ?, ?, ?, ?, ?, ?, ?)")) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, (int)c->kind);
	sqlite3_bind_int64(stmt, 3, c->client_id);
	sqlite3_bind_text(stmt, 4, c->parent_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, (int)c->state);
	sqlite3_bind_blob(stmt, 6, c->hash, sizeof(c->hash), SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, c->epoch);
	sqlite3_bind_text(stmt, 8, c->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 10, c->created_at);
	sqlite3_bind_int64(stmt, 11, c->expires_at);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		rc = 0;
	else if (sqlite3_extended_errcode(st->db) ==
	    SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = STORE_EXISTS;
	else
		sq_fail(st, "credential insert");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_cred_get(struct store *st, const char *id, struct cred_rec *out)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "SELECT " CRED_COLS " FROM credentials "
	    "WHERE id = ?")) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = step_one(st, stmt, cred_row_v, out);
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_cred_each(struct store *st, enum token_kind kind, int64_t client_id,
    store_cred_cb cb, void *arg)
{
	struct cred_rec	 c;
	sqlite3_stmt	*stmt;
	int		 rc = -1, r;

	sq_lock(st);
	stmt = sq_prepare(st, "SELECT " CRED_COLS " FROM credentials WHERE "
	    "kind = ? AND (? = 0 OR client_id = ?) "
	    "ORDER BY created_at DESC, rowid DESC");
	if (stmt != NULL) {
		sqlite3_bind_int(stmt, 1, (int)kind);
		sqlite3_bind_int64(stmt, 2, client_id);
		sqlite3_bind_int64(stmt, 3, client_id);
	}
	sq_unlock(st);
	if (stmt == NULL)
		return -1;
	rc = 0;
	for (;;) {
		sq_lock(st);
		r = sqlite3_step(stmt);
		if (r == SQLITE_ROW)
			cred_row(stmt, &c);
		else if (r != SQLITE_DONE)
			rc = sq_fail(st, "credential walk");
		sq_unlock(st);
		if (r != SQLITE_ROW || (rc = cb(arg, &c)) != 0)
			break;
	}
	sq_lock(st);
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_cred_count_live(struct store *st, const struct client_rec *cl,
    enum token_kind kind, int64_t now, int64_t *n)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "SELECT count(*) FROM credentials WHERE "
	    "client_id = ? AND kind = ? AND state IN (0, 1, 2) AND epoch = ? "
	    "AND (expires_at = 0 OR expires_at > ?)")) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, cl->id);
	sqlite3_bind_int(stmt, 2, (int)kind);
	sqlite3_bind_int64(stmt, 3, kind == TOKEN_PK ? cl->key_epoch :
	    cl->epoch);
	sqlite3_bind_int64(stmt, 4, now);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*n = sqlite3_column_int64(stmt, 0);
		rc = 0;
	} else
		sq_fail(st, "credential count");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

static int
revoke_run(struct store *st, const char *sql, const char *id, int64_t now,
    int64_t *changed)
{
	sqlite3_stmt *stmt;

	if ((stmt = sq_prepare(st, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		sqlite3_finalize(stmt);
		return sq_fail(st, "revoke");
	}
	*changed = sqlite3_changes(st->db);
	sqlite3_finalize(stmt);
	return 0;
}

int
store_cred_revoke(struct store *st, const char *id, int64_t now,
    int64_t *children)
{
	int64_t	self = 0, kids = 0;
	int	rc = -1;

	sq_lock(st);
	if (sq_exec(st, "BEGIN IMMEDIATE") == -1)
		goto out;
	if (revoke_run(st, "UPDATE credentials SET state = 4, revoked_at = ? "
	    "WHERE id = ? AND state <> 4", id, now, &self) == -1 ||
	    revoke_run(st, "UPDATE credentials SET state = 4, revoked_at = ? "
	    "WHERE parent_id = ? AND state <> 4", id, now, &kids) == -1 ||
	    sq_exec(st, "COMMIT") == -1) {
		(void)sq_exec(st, "ROLLBACK");
		goto out;
	}
	rc = 0;
out:
	sq_unlock(st);
	if (rc == 0 && children != NULL)
		*children = kids;
	if (rc == 0 && self == 0) {
		struct cred_rec c;

		/* Already revoked is success; unknown is not. */
		if (store_cred_get(st, id, &c) != 0)
			rc = STORE_NOTFOUND;
	}
	return rc;
}
