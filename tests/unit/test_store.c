/* store (sqlite): schema and migrations, clients, credentials, meta, DEKs,
 * policies, and the constraints the schema enforces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "keyd/store.h"

struct fix {
	char		 dir[64];
	char		 path[128];
	struct store	*st;
};

static int
setup(void **state)
{
	struct fix	*f;
	char		 err[STORE_ERR_MAX];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if (testdir_make(f->dir, sizeof(f->dir), "store") == -1) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/keyd.db", f->dir);
	if (store_open(f->path, &f->st, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		testdir_remove(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix	*f = *state;

	store_close(&f->st);
	testdir_remove(f->dir);
	free(f);
	return 0;
}

static void
reopen(struct fix *f)
{
	char err[STORE_ERR_MAX] = "";

	store_close(&f->st);
	assert_null(f->st);
	if (store_open(f->path, &f->st, err, sizeof(err)) != 0)
		fail_msg("reopen: %s", err);
	assert_non_null(f->st);
}

/* Run SQL on the database file directly, outside the store. */
static int
raw_exec(const char *path, const char *sql)
{
	sqlite3	*db;
	int	 rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	sqlite3_close(db);
	return rc;
}

/* The first column of the first row of SQL, as an integer; -1 on none. */
static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt = NULL;
	int64_t		 v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static struct client_rec
client_new(struct store *st, const char *name, const char *role)
{
	struct client_rec c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_client_create(st, name, role, &c), 0);
	return c;
}

/* A credential record with every field set to something distinctive. */
static struct cred_rec
cred_make(const char *id, enum token_kind kind, int64_t client_id,
    const char *parent, int64_t epoch, int64_t created, int64_t expires)
{
	struct cred_rec c;
	size_t		i;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.kind = kind;
	c.client_id = client_id;
	snprintf(c.parent_id, sizeof(c.parent_id), "%s", parent);
	c.state = CRED_ACTIVE;
	for (i = 0; i < sizeof(c.hash); i++)
		c.hash[i] = (unsigned char)(id[i % strlen(id)] + i);
	c.epoch = epoch;
	snprintf(c.scope, sizeof(c.scope), "scim:User.read scim:discover");
	snprintf(c.name, sizeof(c.name), "label-%s", id);
	c.created_at = created;
	c.expires_at = expires;
	return c;
}

static void
cred_put(struct store *st, const struct cred_rec *c)
{
	int r = store_cred_insert(st, c);

	if (r != 0)
		fail_msg("insert %s: %d %s", c->id, r, store_errmsg(st));
}

static void
test_fresh_store_is_latest(void **state)
{
	struct fix	*f = *state;
	int64_t		 n = -1;

	assert_true(store_schema_latest() >= 1);
	assert_int_equal(store_schema_version(f->st), store_schema_latest());
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
	    store_schema_latest());
	assert_int_equal(store_client_count(f->st, &n), 0);
	assert_int_equal(n, 0);
}

/* Opening again applies nothing twice and keeps what was written. */
static void
test_reopen_keeps_data(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "okta-prod",
	    "scim-reader");
	struct client_rec	 got;
	struct cred_rec		 cr = cred_make("AAAAAAAAAAAA", TOKEN_PK, c.id,
	    "", 0, 100, 0), gcr;
	unsigned char		*val;
	size_t			 len;
	int64_t			 n;

	cred_put(f->st, &cr);
	assert_int_equal(store_meta_put(f->st, "salt",
	    (const unsigned char *)"0123456789abcdef", 16), 0);
	reopen(f);
	reopen(f);
	assert_int_equal(store_schema_version(f->st), store_schema_latest());
	assert_int_equal(store_client_get(f->st, "okta-prod", &got), 0);
	assert_int_equal(got.id, c.id);
	assert_string_equal(got.role, "scim-reader");
	assert_int_equal(store_client_count(f->st, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_cred_get(f->st, "AAAAAAAAAAAA", &gcr), 0);
	assert_memory_equal(gcr.hash, cr.hash, sizeof(cr.hash));
	assert_int_equal(store_meta_get(f->st, "salt", &val, &len), 0);
	assert_int_equal(len, 16);
	assert_memory_equal(val, "0123456789abcdef", 16);
	free(val);
	/* Exactly one credentials table, one migration's worth of schema. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name = 'credentials'"), 1);
}

static void
test_newer_schema_refused(void **state)
{
	struct fix	*f = *state;
	char		 sql[64], err[STORE_ERR_MAX] = "";
	struct store	*st = (struct store *)1;

	store_close(&f->st);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    store_schema_latest() + 1);
	assert_int_equal(raw_exec(f->path, sql), 0);
	assert_int_equal(store_open(f->path, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, "newer"));
	/* The refusal changed nothing. */
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
	    store_schema_latest() + 1);
	/* Put it back: the store opens again. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    store_schema_latest());
	assert_int_equal(raw_exec(f->path, sql), 0);
	reopen(f);
}

static void
test_open_bad_path(void **state)
{
	struct fix	*f = *state;
	struct store	*st = (struct store *)1;
	char		 path[192], err[STORE_ERR_MAX] = "";

	snprintf(path, sizeof(path), "%s/no/such/dir/keyd.db", f->dir);
	assert_int_equal(store_open(path, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, path));
}

/* Every table is STRICT and foreign keys are enforced. */
static void
test_strict_tables(void **state)
{
	static const char *const tables[] = { "meta", "deks", "clients",
	    "credentials", "policies" };
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "c1", "r");
	struct cred_rec		 cr = cred_make("BBBBBBBBBBBB", TOKEN_AT, c.id,
	    "", 0, 1, 0);
	char			 sql[160];
	size_t			 i;

	cred_put(f->st, &cr);	/* valid data goes in */
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT strict FROM "
		    "pragma_table_list WHERE name = '%s'", tables[i]);
		assert_int_equal(raw_int(f->path, sql), 1);
	}
	/* A STRICT table refuses text in an INTEGER column. */
	assert_int_equal(raw_exec(f->path, "PRAGMA foreign_keys = OFF; "
	    "INSERT INTO credentials(id, kind, state, hash, epoch, created_at) "
	    "VALUES ('CCCCCCCCCCCC', 1, 1, zeroblob(32), 0, 'yesterday')"), -1);
	/* The CHECKs hold: a short hash is refused. */
	assert_int_equal(raw_exec(f->path, "INSERT INTO credentials(id, kind, "
	    "state, hash, epoch, created_at) VALUES ('DDDDDDDDDDDD', 2, 1, "
	    "zeroblob(31), 0, 1)"), -1);
}

static void
test_foreign_keys(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "c1", "r");
	struct cred_rec		 cr, got;

	cr = cred_make("EEEEEEEEEEEE", TOKEN_PK, c.id + 1000, "", 0, 1, 0);
	assert_int_equal(store_cred_insert(f->st, &cr), -1);
	assert_non_null(strstr(store_errmsg(f->st), "FOREIGN KEY"));
	assert_int_equal(store_cred_get(f->st, cr.id, &got), STORE_NOTFOUND);
	/* A parent that does not exist is refused too. */
	cr = cred_make("FFFFFFFFFFFF", TOKEN_AT, c.id, "NOSUCHPARENT", 0, 1, 0);
	assert_int_equal(store_cred_insert(f->st, &cr), -1);
	assert_int_equal(store_cred_get(f->st, cr.id, &got), STORE_NOTFOUND);
}

static void
test_client_create_get(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 a, b, got;
	int64_t			 n;

	memset(&a, 0, sizeof(a));
	assert_int_equal(store_client_create(f->st, "okta-prod",
	    "scim-provisioner", &a), 0);
	assert_true(a.id > 0);
	assert_string_equal(a.name, "okta-prod");
	assert_string_equal(a.role, "scim-provisioner");
	assert_int_equal(a.enabled, 1);
	assert_int_equal(a.epoch, 0);
	assert_int_equal(a.key_epoch, 0);
	assert_true(a.created_at > 1600000000);

	assert_int_equal(store_client_create(f->st, "okta-prod", "scim-reader",
	    &b), STORE_EXISTS);
	assert_int_equal(store_client_create(f->st, "hr-sync", "scim-reader",
	    &b), 0);
	assert_true(b.id != a.id);

	assert_int_equal(store_client_get(f->st, "okta-prod", &got), 0);
	assert_int_equal(got.id, a.id);
	/* The duplicate did not replace the role. */
	assert_string_equal(got.role, "scim-provisioner");
	assert_int_equal(got.created_at, a.created_at);
	assert_int_equal(store_client_get_by_id(f->st, b.id, &got), 0);
	assert_string_equal(got.name, "hr-sync");
	assert_string_equal(got.role, "scim-reader");

	assert_int_equal(store_client_get(f->st, "nobody", &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_client_get(f->st, "OKTA-PROD", &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_client_get_by_id(f->st, b.id + 100, &got),
	    STORE_NOTFOUND);
	assert_int_equal(store_client_count(f->st, &n), 0);
	assert_int_equal(n, 2);
}

static void
test_client_set_enabled(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "c1", "r"), got;

	assert_int_equal(store_client_set_enabled(f->st, c.id, 0), 0);
	assert_int_equal(store_client_get_by_id(f->st, c.id, &got), 0);
	assert_int_equal(got.enabled, 0);
	assert_int_equal(store_client_set_enabled(f->st, c.id, 7), 0);
	assert_int_equal(store_client_get_by_id(f->st, c.id, &got), 0);
	assert_int_equal(got.enabled, 1);
	assert_int_equal(store_client_set_enabled(f->st, c.id + 1, 0),
	    STORE_NOTFOUND);
}

static void
test_client_bump_epoch(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "c1", "r"), out, got;
	struct client_rec	 other = client_new(f->st, "c2", "r");

	memset(&out, 0, sizeof(out));
	assert_int_equal(store_client_bump_epoch(f->st, c.id, 0, &out), 0);
	assert_int_equal(out.id, c.id);
	assert_string_equal(out.name, "c1");
	assert_int_equal(out.epoch, 1);
	assert_int_equal(out.key_epoch, 0);
	assert_int_equal(store_client_bump_epoch(f->st, c.id, 1, &out), 0);
	assert_int_equal(out.epoch, 2);
	assert_int_equal(out.key_epoch, 1);
	assert_int_equal(store_client_bump_epoch(f->st, c.id, 0, &out), 0);
	assert_int_equal(out.epoch, 3);
	assert_int_equal(out.key_epoch, 1);
	assert_int_equal(store_client_get_by_id(f->st, c.id, &got), 0);
	assert_int_equal(got.epoch, 3);
	assert_int_equal(got.key_epoch, 1);
	/* Only that client moved. */
	assert_int_equal(store_client_get_by_id(f->st, other.id, &got), 0);
	assert_int_equal(got.epoch, 0);
	assert_int_equal(got.key_epoch, 0);
	assert_int_equal(store_client_bump_epoch(f->st, other.id + 10, 1,
	    &out), STORE_NOTFOUND);
}

struct walk {
	char	names[8][STORE_NAME_MAX + 1];
	char	ids[8][TOKEN_ID_LEN + 1];
	size_t	n;
	size_t	stop_after;	/* 0: never */
};

static int
client_cb(void *arg, const struct client_rec *c)
{
	struct walk *w = arg;

	assert_true(w->n < 8);
	snprintf(w->names[w->n++], sizeof(w->names[0]), "%s", c->name);
	return w->stop_after != 0 && w->n == w->stop_after ? 42 : 0;
}

static void
test_client_each(void **state)
{
	static const char *const order[] = { "alpha", "beta", "gamma", "zeta" };
	struct fix	*f = *state;
	struct walk	 w;
	size_t		 i;

	(void)client_new(f->st, "zeta", "r");
	(void)client_new(f->st, "alpha", "r");
	(void)client_new(f->st, "gamma", "r");
	(void)client_new(f->st, "beta", "r");
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_client_each(f->st, client_cb, &w), 0);
	assert_int_equal(w.n, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(w.names[i], order[i]);
	/* A non-zero callback result stops the walk and is returned. */
	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	assert_int_equal(store_client_each(f->st, client_cb, &w), 42);
	assert_int_equal(w.n, 2);
}

static void
test_cred_round_trip(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "c1", "r");
	struct cred_rec		 key, at, adm, got;

	key = cred_make("KEY000000001", TOKEN_PK, c.id, "", 0, 1000, 5000);
	key.state = CRED_PENDING;
	key.epoch = 0;
	at = cred_make("TOK000000001", TOKEN_AT, c.id, "KEY000000001", 0, 1001,
	    1901);
	adm = cred_make("ADM000000001", TOKEN_ADM, 0, "", 0, 1002, 0);
	cred_put(f->st, &key);
	cred_put(f->st, &at);
	cred_put(f->st, &adm);

	assert_int_equal(store_cred_get(f->st, "KEY000000001", &got), 0);
	assert_string_equal(got.id, "KEY000000001");
	assert_int_equal(got.kind, TOKEN_PK);
	assert_int_equal(got.client_id, c.id);
	assert_string_equal(got.parent_id, "");
	assert_int_equal(got.state, CRED_PENDING);
	assert_memory_equal(got.hash, key.hash, sizeof(key.hash));
	assert_int_equal(got.epoch, 0);
	assert_string_equal(got.scope, key.scope);
	assert_string_equal(got.name, "label-KEY000000001");
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.expires_at, 5000);
	assert_int_equal(got.revoked_at, 0);

	assert_int_equal(store_cred_get(f->st, "TOK000000001", &got), 0);
	assert_int_equal(got.kind, TOKEN_AT);
	assert_string_equal(got.parent_id, "KEY000000001");
	assert_int_equal(got.state, CRED_ACTIVE);
	assert_memory_equal(got.hash, at.hash, sizeof(at.hash));
	assert_int_equal(got.expires_at, 1901);

	assert_int_equal(store_cred_get(f->st, "ADM000000001", &got), 0);
	assert_int_equal(got.kind, TOKEN_ADM);
	assert_int_equal(got.client_id, 0);	/* no client */
	assert_string_equal(got.name, "label-ADM000000001");
	assert_int_equal(got.expires_at, 0);

	assert_int_equal(store_cred_get(f->st, "NOSUCHID0000", &got),
	    STORE_NOTFOUND);
}

static void
test_cred_duplicate_id(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "c1", "r");
	struct cred_rec		 a = cred_make("DUPDUPDUPDUP", TOKEN_PK, c.id,
	    "", 0, 1, 0), b, got;

	cred_put(f->st, &a);
	b = cred_make("DUPDUPDUPDUP", TOKEN_AT, c.id, "", 0, 2, 0);
	b.hash[0] ^= 0xff;
	assert_int_equal(store_cred_insert(f->st, &b), STORE_EXISTS);
	/* The first one is untouched. */
	assert_int_equal(store_cred_get(f->st, "DUPDUPDUPDUP", &got), 0);
	assert_int_equal(got.kind, TOKEN_PK);
	assert_memory_equal(got.hash, a.hash, sizeof(a.hash));
}

static int
cred_cb(void *arg, const struct cred_rec *c)
{
	struct walk *w = arg;

	assert_true(w->n < 8);
	snprintf(w->ids[w->n++], sizeof(w->ids[0]), "%s", c->id);
	return w->stop_after != 0 && w->n == w->stop_after ? 7 : 0;
}

static void
test_cred_each(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c1 = client_new(f->st, "c1", "r");
	struct client_rec	 c2 = client_new(f->st, "c2", "r");
	struct cred_rec		 r;
	struct walk		 w;

	r = cred_make("PK1000000000", TOKEN_PK, c1.id, "", 0, 10, 0);
	cred_put(f->st, &r);
	r = cred_make("PK2000000000", TOKEN_PK, c2.id, "", 0, 20, 0);
	cred_put(f->st, &r);
	r = cred_make("PK3000000000", TOKEN_PK, c1.id, "", 0, 30, 0);
	cred_put(f->st, &r);
	r = cred_make("AT1000000000", TOKEN_AT, c1.id, "PK1000000000", 0, 40,
	    0);
	cred_put(f->st, &r);
	r = cred_make("AD1000000000", TOKEN_ADM, 0, "", 0, 50, 0);
	cred_put(f->st, &r);

	/* Keys of all clients, newest first. */
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_cred_each(f->st, TOKEN_PK, 0, cred_cb, &w), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.ids[0], "PK3000000000");
	assert_string_equal(w.ids[1], "PK2000000000");
	assert_string_equal(w.ids[2], "PK1000000000");
	/* Keys of c1 only. */
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_cred_each(f->st, TOKEN_PK, c1.id, cred_cb, &w),
	    0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.ids[0], "PK3000000000");
	assert_string_equal(w.ids[1], "PK1000000000");
	/* Access tokens of c2: none. */
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_cred_each(f->st, TOKEN_AT, c2.id, cred_cb, &w),
	    0);
	assert_int_equal(w.n, 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_cred_each(f->st, TOKEN_AT, 0, cred_cb, &w), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.ids[0], "AT1000000000");
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_cred_each(f->st, TOKEN_ADM, 0, cred_cb, &w), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.ids[0], "AD1000000000");
	/* A non-zero callback result stops the walk and is returned. */
	memset(&w, 0, sizeof(w));
	w.stop_after = 1;
	assert_int_equal(store_cred_each(f->st, TOKEN_PK, 0, cred_cb, &w), 7);
	assert_int_equal(w.n, 1);
}

static int64_t
count_live(struct store *st, int64_t client_id, enum token_kind kind,
    int64_t now)
{
	struct client_rec	c;
	int64_t			n = -1;

	assert_int_equal(store_client_get_by_id(st, client_id, &c), 0);
	assert_int_equal(store_cred_count_live(st, &c, kind, now, &n), 0);
	return n;
}

static void
test_cred_count_live(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "c1", "r");
	struct client_rec	 o = client_new(f->st, "c2", "r"), out;
	struct cred_rec		 r;

	/* Live: active, no expiry or expiry ahead. */
	r = cred_make("LIVE00000001", TOKEN_AT, c.id, "", 0, 1, 0);
	cred_put(f->st, &r);
	r = cred_make("LIVE00000002", TOKEN_AT, c.id, "", 0, 1, 2000);
	cred_put(f->st, &r);
	/* Not live: expired by time, in state expired, revoked, an older
	 * epoch; and not counted: another kind, another client. */
	r = cred_make("DEAD00000001", TOKEN_AT, c.id, "", 0, 1, 1000);
	cred_put(f->st, &r);
	r = cred_make("DEAD00000002", TOKEN_AT, c.id, "", 0, 1, 0);
	r.state = CRED_EXPIRED;
	cred_put(f->st, &r);
	r = cred_make("DEAD00000003", TOKEN_AT, c.id, "", 0, 1, 0);
	r.state = CRED_REVOKED;
	cred_put(f->st, &r);
	r = cred_make("DEAD00000004", TOKEN_AT, c.id, "", 0, 1, 0);
	cred_put(f->st, &r);
	assert_int_equal(store_cred_revoke(f->st, r.id, 5, NULL), 0);
	r = cred_make("DEAD00000005", TOKEN_AT, c.id, "", -1, 1, 0);
	cred_put(f->st, &r);
	r = cred_make("OTHR00000001", TOKEN_PK, c.id, "", 0, 1, 0);
	cred_put(f->st, &r);
	r = cred_make("OTHR00000002", TOKEN_AT, o.id, "", 0, 1, 0);
	cred_put(f->st, &r);

	assert_int_equal(count_live(f->st, c.id, TOKEN_AT, 1000), 2);
	assert_int_equal(count_live(f->st, c.id, TOKEN_AT, 999), 3);
	assert_int_equal(count_live(f->st, c.id, TOKEN_AT, 2000), 1);
	assert_int_equal(count_live(f->st, c.id, TOKEN_PK, 1000), 1);
	assert_int_equal(count_live(f->st, o.id, TOKEN_AT, 1000), 1);

	/* A retiring key still works during the overlap. */
	r = cred_make("RETIRING0001", TOKEN_PK, c.id, "", 0, 1, 0);
	r.state = CRED_RETIRING;
	cred_put(f->st, &r);
	assert_int_equal(count_live(f->st, c.id, TOKEN_PK, 1000), 2);

	/* An epoch bump kills the access tokens, not the keys; a key bump
	 * kills both. */
	assert_int_equal(store_client_bump_epoch(f->st, c.id, 0, &out), 0);
	assert_int_equal(count_live(f->st, c.id, TOKEN_AT, 1000), 0);
	assert_int_equal(count_live(f->st, c.id, TOKEN_PK, 1000), 2);
	r = cred_make("NEWEPOCH0001", TOKEN_AT, c.id, "", out.epoch, 1, 0);
	cred_put(f->st, &r);
	assert_int_equal(count_live(f->st, c.id, TOKEN_AT, 1000), 1);
	assert_int_equal(store_client_bump_epoch(f->st, c.id, 1, &out), 0);
	assert_int_equal(count_live(f->st, c.id, TOKEN_AT, 1000), 0);
	assert_int_equal(count_live(f->st, c.id, TOKEN_PK, 1000), 0);
	assert_int_equal(count_live(f->st, o.id, TOKEN_AT, 1000), 1);
}

static void
test_cred_revoke(void **state)
{
	struct fix		*f = *state;
	struct client_rec	 c = client_new(f->st, "c1", "r");
	struct cred_rec		 r, got;
	int64_t			 children = -1;

	r = cred_make("KEYAAAAAAAAA", TOKEN_PK, c.id, "", 0, 1, 0);
	cred_put(f->st, &r);
	r = cred_make("KEYBBBBBBBBB", TOKEN_PK, c.id, "", 0, 1, 0);
	cred_put(f->st, &r);
	r = cred_make("ATA000000001", TOKEN_AT, c.id, "KEYAAAAAAAAA", 0, 2, 0);
	cred_put(f->st, &r);
	r = cred_make("ATA000000002", TOKEN_AT, c.id, "KEYAAAAAAAAA", 0, 3, 0);
	cred_put(f->st, &r);
	r = cred_make("ATA000000003", TOKEN_AT, c.id, "KEYAAAAAAAAA", 0, 4, 0);
	cred_put(f->st, &r);
	r = cred_make("ATB000000001", TOKEN_AT, c.id, "KEYBBBBBBBBB", 0, 5, 0);
	cred_put(f->st, &r);
	/* One child revoked on its own first: it is not counted again. */
	assert_int_equal(store_cred_revoke(f->st, "ATA000000003", 50,
	    &children), 0);
	assert_int_equal(children, 0);

	assert_int_equal(store_cred_revoke(f->st, "KEYAAAAAAAAA", 100,
	    &children), 0);
	assert_int_equal(children, 2);
	assert_int_equal(store_cred_get(f->st, "KEYAAAAAAAAA", &got), 0);
	assert_int_equal(got.state, CRED_REVOKED);
	assert_int_equal(got.revoked_at, 100);
	assert_int_equal(store_cred_get(f->st, "ATA000000001", &got), 0);
	assert_int_equal(got.state, CRED_REVOKED);
	assert_int_equal(got.revoked_at, 100);
	assert_int_equal(store_cred_get(f->st, "ATA000000002", &got), 0);
	assert_int_equal(got.state, CRED_REVOKED);
	assert_int_equal(store_cred_get(f->st, "ATA000000003", &got), 0);
	assert_int_equal(got.revoked_at, 50);	/* first revocation kept */
	/* The other key and its token are untouched. */
	assert_int_equal(store_cred_get(f->st, "KEYBBBBBBBBB", &got), 0);
	assert_int_equal(got.state, CRED_ACTIVE);
	assert_int_equal(got.revoked_at, 0);
	assert_int_equal(store_cred_get(f->st, "ATB000000001", &got), 0);
	assert_int_equal(got.state, CRED_ACTIVE);

	/* Twice is fine and changes nothing. */
	children = -1;
	assert_int_equal(store_cred_revoke(f->st, "KEYAAAAAAAAA", 200,
	    &children), 0);
	assert_int_equal(children, 0);
	assert_int_equal(store_cred_get(f->st, "KEYAAAAAAAAA", &got), 0);
	assert_int_equal(got.revoked_at, 100);
	/* CHILDREN may be NULL. */
	assert_int_equal(store_cred_revoke(f->st, "ATB000000001", 300, NULL),
	    0);
	/* Unknown. */
	assert_int_equal(store_cred_revoke(f->st, "NOSUCHID0000", 300,
	    &children), STORE_NOTFOUND);
}

static void
test_meta(void **state)
{
	struct fix	*f = *state;
	unsigned char	 blob[300], *val = (unsigned char *)1;
	size_t		 len = 0, i;

	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)i;	/* NULs included */
	assert_int_equal(store_meta_get(f->st, "token_pepper", &val, &len),
	    STORE_NOTFOUND);
	assert_null(val);
	assert_int_equal(store_meta_put(f->st, "token_pepper", blob,
	    sizeof(blob)), 0);
	assert_int_equal(store_meta_get(f->st, "token_pepper", &val, &len), 0);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(val, blob, sizeof(blob));
	free(val);
	/* Overwrite, shorter. */
	assert_int_equal(store_meta_put(f->st, "token_pepper",
	    (const unsigned char *)"xyz", 3), 0);
	assert_int_equal(store_meta_get(f->st, "token_pepper", &val, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(val, "xyz", 3);
	free(val);
	/* Keys are independent. */
	assert_int_equal(store_meta_put(f->st, "salt",
	    (const unsigned char *)"s", 1), 0);
	assert_int_equal(store_meta_get(f->st, "token_pepper", &val, &len), 0);
	assert_int_equal(len, 3);
	free(val);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM meta"), 2);
}

struct dek_walk {
	uint32_t	versions[8];
	unsigned char	first[8];
	size_t		lens[8];
	size_t		n;
};

static int
dek_cb(void *arg, uint32_t version, const unsigned char *wrapped, size_t len)
{
	struct dek_walk *w = arg;

	assert_true(w->n < 8);
	w->versions[w->n] = version;
	w->first[w->n] = len > 0 ? wrapped[0] : 0;
	w->lens[w->n++] = len;
	return 0;
}

static int
dek_stop_cb(void *arg, uint32_t version, const unsigned char *wrapped,
    size_t len)
{
	(void)arg;
	(void)wrapped;
	(void)len;
	return version == 2 ? -5 : 0;
}

static void
test_deks(void **state)
{
	struct fix	*f = *state;
	struct dek_walk	 w;
	unsigned char	 blob[73];
	size_t		 i;

	memset(&w, 0, sizeof(w));
	assert_int_equal(store_dek_each(f->st, dek_cb, &w), 0);
	assert_int_equal(w.n, 0);
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(0x80 + i);
	blob[0] = 3;
	assert_int_equal(store_dek_put(f->st, 3, blob, 73), 0);
	blob[0] = 1;
	assert_int_equal(store_dek_put(f->st, 1, blob, 71), 0);
	blob[0] = 2;
	assert_int_equal(store_dek_put(f->st, 2, blob, 72), 0);
	/* A version is stored once. */
	assert_true(store_dek_put(f->st, 2, blob, 72) != 0);

	memset(&w, 0, sizeof(w));
	assert_int_equal(store_dek_each(f->st, dek_cb, &w), 0);
	assert_int_equal(w.n, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(w.versions[i], i + 1);
		assert_int_equal(w.first[i], i + 1);
		assert_int_equal(w.lens[i], 71 + i);
	}
	assert_int_equal(store_dek_each(f->st, dek_stop_cb, NULL), -5);
}

static void
test_policy(void **state)
{
	struct fix	*f = *state;
	int64_t		 v1 = 0, v2 = 0, v = 0;
	char		*doc = (char *)1;

	assert_int_equal(store_policy_active(f->st, &v, &doc), STORE_NOTFOUND);
	assert_null(doc);
	assert_int_equal(store_policy_put(f->st, "{\"version\":1}", &v1), 0);
	assert_int_equal(v1, 1);
	assert_int_equal(store_policy_active(f->st, &v, &doc), 0);
	assert_int_equal(v, 1);
	assert_string_equal(doc, "{\"version\":1}");
	free(doc);
	assert_int_equal(store_policy_put(f->st, "{\"second\":true}", &v2), 0);
	assert_int_equal(v2, 2);
	assert_int_equal(store_policy_active(f->st, &v, &doc), 0);
	assert_int_equal(v, 2);
	assert_string_equal(doc, "{\"second\":true}");
	free(doc);
	/* Both versions kept, exactly one active. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM policies"), 2);
	assert_int_equal(raw_int(f->path,
	    "SELECT count(*) FROM policies WHERE active = 1"), 1);
	reopen(f);
	assert_int_equal(store_policy_active(f->st, &v, &doc), 0);
	assert_int_equal(v, 2);
	free(doc);
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(store_cred_state_name(CRED_PENDING), "pending");
	assert_string_equal(store_cred_state_name(CRED_ACTIVE), "active");
	assert_string_equal(store_cred_state_name(CRED_RETIRING), "retiring");
	assert_string_equal(store_cred_state_name(CRED_EXPIRED), "expired");
	assert_string_equal(store_cred_state_name(CRED_REVOKED), "revoked");
	assert_string_equal(store_cred_state_name((enum cred_state)9),
	    "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fresh_store_is_latest),
		T(test_reopen_keeps_data),
		T(test_newer_schema_refused),
		T(test_open_bad_path),
		T(test_strict_tables),
		T(test_foreign_keys),
		T(test_client_create_get),
		T(test_client_set_enabled),
		T(test_client_bump_epoch),
		T(test_client_each),
		T(test_cred_round_trip),
		T(test_cred_duplicate_id),
		T(test_cred_each),
		T(test_cred_count_live),
		T(test_cred_revoke),
		T(test_meta),
		T(test_deks),
		T(test_policy),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
