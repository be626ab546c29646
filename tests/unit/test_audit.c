/* audit: the writer thread, group commit, checkpoints, reopening, the
 * key check, retention, and failing closed then recovering by itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"
#include "tests/unit/audit_fix.h"

#include <sys/resource.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "keyd/audit.h"
#include "keyd/audit_store.h"

static int
setup(void **state)
{
	return audit_fix_setup(state, "audit");
}

static int
teardown(void **state)
{
	return audit_fix_teardown(state);
}

static int
put(struct audit_fix *f, const char *client)
{
	struct audit_rec r;

	audit_rec_init(&r, "request");
	AUDIT_SET(&r, client, client);
	AUDIT_SET(&r, method, "POST");
	r.status = 200;
	return audit_write(f->a, &r);
}

static int
count_cb(void *arg, const struct audit_rec *r, const struct audit_cp *cp)
{
	int64_t *n = arg;

	(void)cp;
	n[r != NULL ? 0 : 1]++;
	return 0;
}

/* [0] records, [1] checkpoints in audit.db. */
static void
count(struct audit_fix *f, int64_t n[2])
{
	struct audit_store	*as = NULL;
	char			 err[512];

	n[0] = n[1] = 0;
	assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
	assert_int_equal(audit_store_walk(as, 0, INT64_MAX, INT64_MAX,
	    count_cb, n), 0);
	audit_store_close(&as);
}

static int
tally_cb(void *arg, const struct audit_rec *r, const struct audit_cp *cp)
{
	(void)r;
	(void)cp;
	(*(int64_t *)arg)++;
	return 0;
}

/* How many records audit_store_query finds for CLIENT. */
static int64_t
of_client(struct audit_fix *f, const char *client)
{
	struct audit_store	*as = NULL;
	struct audit_filter	 flt;
	char			 err[512];
	int64_t			 n = 0;

	memset(&flt, 0, sizeof(flt));
	flt.client = client;
	assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
	assert_int_equal(audit_store_query(as, &flt, 0, INT64_MAX, 0,
	    tally_cb, &n), 0);
	audit_store_close(&as);
	return n;
}

/* One integer from SQL run on audit.db directly. */
static int64_t
raw_int(struct audit_fix *f, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	int64_t		 v;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static void
test_write_and_verify(void **state)
{
	struct audit_fix		*f = *state;
	struct audit_verify	 v;
	struct audit_rec	 r;
	int			 i;

	audit_fix_start(f);
	for (i = 0; i < 20; i++)
		assert_int_equal(put(f, "okta"), 0);
	audit_rec_init(&r, "keyd.stop");
	assert_int_equal(audit_write(f->a, &r), 0);
	assert_int_equal(r.seq, 21);
	assert_true(r.time_us > 0);
	assert_int_equal(audit_fix_verify(f, &v, 7), 0);
	assert_int_equal(v.records, 21);
}

struct burst {
	struct audit_fix	*f;
	int		 n;
	int		 failed;
};

static void *
burst_main(void *arg)
{
	struct burst	*b = arg;
	int		 i;

	for (i = 0; i < b->n; i++)
		if (put(b->f, "burst") != 0)
			b->failed++;
	return NULL;
}

/* 32 threads waiting at once share commits: far fewer commits than
 * records, and every record still chains. */
static void
test_group_commit(void **state)
{
	struct audit_fix		*f = *state;
	struct audit_verify	 v;
	struct audit_status	 st;
	struct burst		 b[32];
	pthread_t		 t[32];
	int			 i;

	audit_fix_start(f);
	for (i = 0; i < 32; i++) {
		b[i].f = f;
		b[i].n = 50;
		b[i].failed = 0;
		assert_int_equal(pthread_create(&t[i], NULL, burst_main, &b[i]),
		    0);
	}
	for (i = 0; i < 32; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(b[i].failed, 0);
	}
	audit_status(f->a, &st);
	print_message("1600 records in %llu commits\n",
	    (unsigned long long)st.commits);
	assert_int_equal(st.head_seq, 1600);
	assert_true(st.commits < 1600 / 2);
	assert_int_equal(audit_fix_verify(f, &v, 7), 0);
	assert_int_equal(v.records, 1600);
}

static void
test_checkpoints(void **state)
{
	struct audit_fix	*f = *state;
	int64_t		 n[2], seq = 0;
	int		 i;

	f->o.cp_records = 10;
	audit_fix_start(f);
	for (i = 0; i < 35; i++)
		assert_int_equal(put(f, "c"), 0);
	count(f, n);
	assert_int_equal(n[0], 35);
	assert_int_equal(n[1], 3);	/* at 10, 20, 30 */
	assert_int_equal(audit_checkpoint_now(f->a, &seq), 0);
	assert_int_equal(seq, 35);
	assert_int_equal(audit_checkpoint_now(f->a, &seq), 0);
	assert_int_equal(seq, 35);	/* nothing new: no new checkpoint */
	count(f, n);
	assert_int_equal(n[1], 4);
}

static void
test_interval_checkpoint(void **state)
{
	struct audit_fix	*f = *state;
	int64_t		 n[2];
	int		 i;

	f->o.cp_interval_s = 1;
	audit_fix_start(f);
	assert_int_equal(put(f, "a"), 0);
	for (i = 0; i < 40; i++) {	/* the writer wakes by itself */
		count(f, n);
		if (n[1] == 1)
			break;
		usleep(50000);
	}
	assert_int_equal(n[1], 1);
}

static void
test_reopen_continues(void **state)
{
	struct audit_fix		*f = *state;
	struct audit_verify	 v;
	struct audit_status	 st;
	unsigned char		 pk2[crypto_sign_PUBLICKEYBYTES];
	unsigned char		 sk2[crypto_sign_SECRETKEYBYTES];
	char			 err[512] = "";

	audit_fix_start(f);
	assert_int_equal(put(f, "a"), 0);
	assert_int_equal(put(f, "b"), 0);
	audit_close(&f->a);
	audit_fix_start(f);
	assert_int_equal(put(f, "c"), 0);
	audit_status(f->a, &st);
	assert_int_equal(st.head_seq, 3);
	assert_int_equal(audit_fix_verify(f, &v, 7), 0);
	assert_int_equal(v.checkpoints, 1);	/* the one signed at close */
	audit_close(&f->a);
	/* another instance's key may not append to this log */
	crypto_sign_keypair(pk2, sk2);
	assert_int_equal(audit_open(&f->o, sk2, NULL, &f->a, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "signed by another key"));
}

static void
fsize_limit(rlim_t cur)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = cur;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* With no write possible (RLIMIT_FSIZE 0, as a full disk), a write fails,
 * the next is refused at once, and once writes work again the writer
 * recovers by itself and says so in the chain. */
static void
test_fail_closed_and_recover(void **state)
{
	struct audit_fix		*f = *state;
	struct audit_verify	 v;
	struct audit_status	 st;
	struct rlimit		 rl;
	int64_t			 cp;
	int			 i;

	audit_fix_start(f);
	assert_int_equal(put(f, "before"), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	signal(SIGXFSZ, SIG_IGN);
	fsize_limit(0);
	assert_int_equal(put(f, "lost"), -1);
	assert_int_equal(audit_ready(f->a), 0);
	assert_int_equal(put(f, "refused"), -1);
	audit_status(f->a, &st);
	assert_int_equal(st.failing, 1);
	assert_true(st.refused >= 1);
	assert_true(st.why[0] != '\0');
	fsize_limit(rl.rlim_cur);
	for (i = 0; i < 60 && !audit_ready(f->a); i++)
		usleep(50000);
	assert_int_equal(audit_ready(f->a), 1);
	assert_int_equal(put(f, "after"), 0);
	assert_int_equal(audit_fix_verify(f, &v, 7), 0);
	assert_int_equal(v.records, 3);	/* before, audit.recovered, after */
	/* the rolled-back commit left the open segment's clients right */
	assert_int_equal(audit_checkpoint_now(f->a, &cp), 0);
	assert_int_equal(of_client(f, "before"), 1);
	assert_int_equal(of_client(f, "after"), 1);
	assert_int_equal(of_client(f, "lost"), 0);
}

/* A log of schema 1 (the records' two indexes, no client_spans) is
 * converted at open: the indexes go, the spans are rebuilt from the
 * records, every record of a client is found, and the chain verifies. */
static void
test_migrate_schema1(void **state)
{
	struct audit_fix	*f = *state;
	struct audit_verify	 v;
	sqlite3			*db;
	int			 i;

	f->o.cp_records = 5;
	audit_fix_start(f);
	for (i = 0; i < 23; i++)
		assert_int_equal(put(f, i % 3 == 0 ? "okta" : "entra"), 0);
	audit_close(&f->a);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE client_spans;"
	    "CREATE INDEX records_time ON records(time_us);"
	    "CREATE INDEX records_client ON records(client, seq);"
	    "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	audit_fix_start(f);
	assert_int_equal(raw_int(f, "PRAGMA user_version"), 2);
	assert_int_equal(raw_int(f, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('records_time', 'records_client')"), 0);
	/* segments 1-5 … 16-20 and 21-23 (closed at close): okta in each */
	assert_int_equal(raw_int(f, "SELECT count(*) FROM client_spans "
	    "WHERE client = 'okta'"), 5);
	assert_int_equal(of_client(f, "okta"), 8);
	assert_int_equal(of_client(f, "entra"), 15);
	assert_int_equal(put(f, "okta"), 0);
	assert_int_equal(of_client(f, "okta"), 9);
	assert_int_equal(audit_fix_verify(f, &v, 7), 0);
	assert_int_equal(v.records, 24);
}

static void
test_retention(void **state)
{
	struct audit_fix		*f = *state;
	struct audit_verify	 v;
	struct audit_store	*as = NULL;
	char			 err[512];
	int64_t			 seq, first = 0;
	int			 i;

	f->o.retention_s = 1;
	audit_fix_start(f);
	for (i = 0; i < 5; i++)
		assert_int_equal(put(f, "old"), 0);
	assert_int_equal(audit_checkpoint_now(f->a, &seq), 0);
	usleep(1100000);		/* the checkpoint ages past 1s */
	for (i = 0; i < 40; i++) {	/* the writer prunes by itself */
		assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
		assert_int_equal(audit_store_first_seq(as, &first), 0);
		audit_store_close(&as);
		if (first > 1)
			break;
		usleep(100000);
	}
	assert_int_equal(first, 6);	/* the audit.pruned record */
	assert_int_equal(put(f, "new"), 0);
	assert_int_equal(audit_fix_verify(f, &v, 7), 0);
	assert_int_equal(v.first_seq, 6);
	assert_int_equal(v.records, 2);
	/* the pruned segment's client span went with it */
	assert_int_equal(of_client(f, "old"), 0);
	assert_int_equal(raw_int(f, "SELECT count(*) FROM client_spans WHERE "
	    "hi <= 5"), 0);
	assert_int_equal(of_client(f, "new"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_verify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_checkpoints, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_interval_checkpoint, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reopen_continues, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fail_closed_and_recover,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_schema1, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
