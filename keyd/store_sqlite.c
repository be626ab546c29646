/* sqlite3 store: opening, numbered migrations, meta, DEKs, policies.
 * One connection guarded by a mutex; the token cache in authn.c keeps the
 * hot path off it. WAL with synchronous=FULL: key material must survive a
 * crash. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/store_sqlite.h"

static __thread char errbuf[STORE_ERR_MAX];

static const char *const migrations[] = {
	/* 1: the foundation */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;"
	"CREATE TABLE deks ("
	"  version INTEGER PRIMARY KEY CHECK (version > 0),"
	"  wrapped BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL DEFAULT (unixepoch())) STRICT;"
	"CREATE TABLE clients ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL,"
	"  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
	"  epoch INTEGER NOT NULL DEFAULT 0,"
	"  key_epoch INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL DEFAULT (unixepoch())) STRICT;"
	"CREATE TABLE credentials ("
	"  id TEXT PRIMARY KEY,"
	"  kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),"
	"  client_id INTEGER REFERENCES clients(id) ON DELETE CASCADE,"
	"  parent_id TEXT REFERENCES credentials(id),"
	"  state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32),"
	"  epoch INTEGER NOT NULL,"
	"  scope TEXT NOT NULL DEFAULT '',"
	"  name TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL DEFAULT 0,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0) STRICT;"
	"CREATE INDEX credentials_client ON credentials(client_id, kind);"
	"CREATE INDEX credentials_parent ON credentials(parent_id);"
	"CREATE TABLE policies ("
	"  version INTEGER PRIMARY KEY,"
	"  doc TEXT NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),"
	"  created_at INTEGER NOT NULL DEFAULT (unixepoch())) STRICT;",
	/* 2: upstreams (store_sqlite_upstream.c) */
	"CREATE TABLE upstreams ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),"
	"  url TEXT NOT NULL,"
	"  auth INTEGER NOT NULL CHECK (auth IN (0, 1, 2)),"
	"  secret BLOB,"
	"  dek_version INTEGER NOT NULL DEFAULT 0,"
	"  ca_pem TEXT,"
	"  client_cert_pem TEXT,"
	"  pin TEXT NOT NULL DEFAULT '',"
	"  timeout_ms INTEGER NOT NULL CHECK (timeout_ms > 0),"
	"  cred_version INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
	"  updated_at INTEGER NOT NULL DEFAULT (unixepoch()),"
	"  CHECK ((auth = 0) = (secret IS NULL))) STRICT;"
	"CREATE INDEX upstreams_dek ON upstreams(dek_version);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
store_schema_latest(void)
{
	return NMIGRATIONS;
}

void
sq_lock(struct store *st)
{
	pthread_mutex_lock(&st->mu);
}

void
sq_unlock(struct store *st)
{
	pthread_mutex_unlock(&st->mu);
}

int
sq_fail(struct store *st, const char *what)
{
	snprintf(errbuf, sizeof(errbuf), "store: %s: %s", what,
	    st->db != NULL ? sqlite3_errmsg(st->db) : "no database");
	return -1;
}

const char *
store_errmsg(struct store *st)
{
	(void)st;
	return errbuf[0] != '\0' ? errbuf : "store: unknown error";
}

sqlite3_stmt *
sq_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		sq_fail(st, "prepare");
		return NULL;
	}
	return stmt;
}

int
sq_exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(errbuf, sizeof(errbuf), "store: %s",
		    msg != NULL ? msg : "exec failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

void
sq_text(sqlite3_stmt *stmt, int col, char *buf, size_t len)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	snprintf(buf, len, "%s", s != NULL ? (const char *)s : "");
}

static int
pragma_int(struct store *st, const char *sql, int *out)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	if ((stmt = sq_prepare(st, sql)) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*out = sqlite3_column_int(stmt, 0);
		rc = 0;
	} else
		sq_fail(st, sql);
	sqlite3_finalize(stmt);
	return rc;
}

int
store_schema_version(struct store *st)
{
	int v = -1;

	sq_lock(st);
	if (pragma_int(st, "PRAGMA user_version", &v) == -1)
		v = -1;
	sq_unlock(st);
	return v;
}

static int
migrate(struct store *st, char *err, size_t errlen)
{
	char	sql[64];
	int	v, i;

	if (pragma_int(st, "PRAGMA user_version", &v) == -1)
		goto fail;
	if (v > NMIGRATIONS) {
		snprintf(err, errlen, "the store was written by a newer keyd "
		    "(schema %d; this keyd knows up to %d): run that keyd "
		    "version or newer, or restore a backup", v, NMIGRATIONS);
		return -1;
	}
	for (i = v; i < NMIGRATIONS; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (sq_exec(st, "BEGIN IMMEDIATE") == -1)
			goto fail;
		if (sq_exec(st, migrations[i]) == -1 ||
		    sq_exec(st, sql) == -1 || sq_exec(st, "COMMIT") == -1) {
			(void)sq_exec(st, "ROLLBACK");
			goto fail;
		}
	}
	return 0;
fail:
	snprintf(err, errlen, "%s", store_errmsg(st));
	return -1;
}

static int
store_configure(struct store *st)
{
	int v;

	sqlite3_busy_timeout(st->db, 5000);
	if (sq_exec(st, "PRAGMA journal_mode = WAL") == -1 ||
	    sq_exec(st, "PRAGMA synchronous = FULL") == -1 ||
	    sq_exec(st, "PRAGMA foreign_keys = ON") == -1 ||
	    sq_exec(st, "PRAGMA secure_delete = ON") == -1)
		return -1;
	if (pragma_int(st, "PRAGMA foreign_keys", &v) == -1 || v != 1)
		return sq_fail(st, "foreign keys unavailable");
	return 0;
}

int
store_open(const char *path, struct store **stp, char *err, size_t errlen)
{
	struct store	*st;
	int		 flags;

	*stp = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&st->mu, NULL);
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open store %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	if (store_configure(st) == -1) {
		snprintf(err, errlen, "cannot open store %s: %s", path,
		    store_errmsg(st));
		goto fail;
	}
	if (migrate(st, err, errlen) == -1)
		goto fail;
	*stp = st;
	return 0;
fail:
	store_close(&st);
	return -1;
}

void
store_close(struct store **stp)
{
	struct store *st;

	if (stp == NULL || (st = *stp) == NULL)
		return;
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->mu);
	free(st);
	*stp = NULL;
}

static int
blob_copy(sqlite3_stmt *stmt, int col, unsigned char **val, size_t *len)
{
	const void	*p = sqlite3_column_blob(stmt, col);
	int		 n = sqlite3_column_bytes(stmt, col);

	if ((*val = malloc(n > 0 ? (size_t)n : 1)) == NULL)
		return -1;
	if (n > 0)
		memcpy(*val, p, (size_t)n);
	*len = (size_t)n;
	return 0;
}

int
store_meta_get(struct store *st, const char *key, unsigned char **val,
    size_t *len)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1, r;

	*val = NULL;
	sq_lock(st);
	if ((stmt = sq_prepare(st, "SELECT value FROM meta WHERE key = ?")) ==
	    NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(stmt);
	if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else if (r != SQLITE_ROW)
		sq_fail(st, "meta get");
	else
		rc = blob_copy(stmt, 0, val, len);
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_meta_put(struct store *st, const char *key, const unsigned char *val,
    size_t len)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st, "INSERT INTO meta(key, value) VALUES (?, ?)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value")) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, val, (int)len, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		rc = 0;
	else
		sq_fail(st, "meta put");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_dek_put(struct store *st, uint32_t version, const unsigned char *wrapped,
    size_t len)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	sq_lock(st);
	if ((stmt = sq_prepare(st,
	    "INSERT INTO deks(version, wrapped) VALUES (?, ?)")) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, version);
	sqlite3_bind_blob(stmt, 2, wrapped, (int)len, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		rc = 0;
	else
		sq_fail(st, "dek put");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_dek_each(struct store *st, store_dek_cb cb, void *arg)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1, r;

	sq_lock(st);
	if ((stmt = sq_prepare(st,
	    "SELECT version, wrapped FROM deks ORDER BY version")) == NULL)
		goto out;
	rc = 0;
	while (rc == 0 && (r = sqlite3_step(stmt)) == SQLITE_ROW)
		rc = cb(arg, (uint32_t)sqlite3_column_int64(stmt, 0),
		    sqlite3_column_blob(stmt, 1),
		    (size_t)sqlite3_column_bytes(stmt, 1));
	if (rc == 0 && r != SQLITE_DONE)
		rc = sq_fail(st, "dek walk");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_policy_put(struct store *st, const char *doc, int64_t *version)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc = -1;

	sq_lock(st);
	if (sq_exec(st, "BEGIN IMMEDIATE") == -1)
		goto out;
	if (sq_exec(st, "UPDATE policies SET active = 0 WHERE active = 1") ==
	    -1)
		goto rollback;
	if ((stmt = sq_prepare(st,
	    "INSERT INTO policies(doc, active) VALUES (?, 1)")) == NULL)
		goto rollback;
	sqlite3_bind_text(stmt, 1, doc, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		sq_fail(st, "policy put");
		goto rollback;
	}
	*version = sqlite3_last_insert_rowid(st->db);
	if (sq_exec(st, "COMMIT") == -1)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	(void)sq_exec(st, "ROLLBACK");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_policy_active(struct store *st, int64_t *version, char **doc)
{
	sqlite3_stmt	*stmt;
	const char	*s;
	int		 rc = -1, r;

	*doc = NULL;
	sq_lock(st);
	if ((stmt = sq_prepare(st, "SELECT version, doc FROM policies "
	    "WHERE active = 1")) == NULL)
		goto out;
	r = sqlite3_step(stmt);
	if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else if (r != SQLITE_ROW)
		sq_fail(st, "policy get");
	else {
		*version = sqlite3_column_int64(stmt, 0);
		s = (const char *)sqlite3_column_text(stmt, 1);
		if ((*doc = strdup(s != NULL ? s : "")) != NULL)
			rc = 0;
	}
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

static void
policy_row(sqlite3_stmt *stmt, struct policy_rec *p)
{
	p->version = sqlite3_column_int64(stmt, 0);
	p->created_at = sqlite3_column_int64(stmt, 1);
	p->active = sqlite3_column_int(stmt, 2);
	p->size = (size_t)sqlite3_column_bytes(stmt, 3);
}

int
store_policy_get(struct store *st, int64_t version, struct policy_rec *rec,
    char **doc)
{
	sqlite3_stmt	*stmt;
	const char	*s;
	int		 rc = -1, r;

	*doc = NULL;
	sq_lock(st);
	if ((stmt = sq_prepare(st, "SELECT version, created_at, active, doc "
	    "FROM policies WHERE version = ?")) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, version);
	r = sqlite3_step(stmt);
	if (r == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else if (r != SQLITE_ROW)
		sq_fail(st, "policy get");
	else {
		policy_row(stmt, rec);
		s = (const char *)sqlite3_column_text(stmt, 3);
		if ((*doc = strdup(s != NULL ? s : "")) != NULL)
			rc = 0;
	}
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}

int
store_policy_each(struct store *st, store_policy_cb cb, void *arg)
{
	struct policy_rec	 p;
	sqlite3_stmt		*stmt;
	const char		*doc;
	int			 rc = -1, r = SQLITE_DONE;

	/* Policies are few and small: walk under the lock. CB must not call
	 * the store. */
	sq_lock(st);
	if ((stmt = sq_prepare(st, "SELECT version, created_at, active, doc "
	    "FROM policies ORDER BY version DESC")) == NULL)
		goto out;
	rc = 0;
	while (rc == 0 && (r = sqlite3_step(stmt)) == SQLITE_ROW) {
		policy_row(stmt, &p);
		doc = (const char *)sqlite3_column_text(stmt, 3);
		rc = cb(arg, &p, doc != NULL ? doc : "");
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = sq_fail(st, "policy walk");
out:
	sqlite3_finalize(stmt);
	sq_unlock(st);
	return rc;
}
