/* audit query: what audit_store_query and audit_store_seq_at_time select,
 * pinned against a brute force over audit_store_walk, so that how they
 * find records (indexes, per-segment client lists, time bounds turned
 * into seq bounds) may change while what they return does not. Every
 * expectation is computed from the walk; none is written out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"
#include "tests/unit/audit_fix.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/audit_store.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define S(s)		((s) != NULL ? (s) : "-")
#define T(t)		cmocka_unit_test_setup_teardown(t, setup, teardown)

/* Records (and checkpoint seqs) as a walk or a query hands them over. */
struct log {
	struct audit_rec	*r;
	size_t			 n, cap;
	int64_t			 cp[256];
	size_t			 ncp;
};

static int
setup(void **state)
{
	if (audit_fix_setup(state, "audit-query") == -1)
		return -1;
	/* segments end where the tests say */
	((struct audit_fix *)*state)->o.cp_interval_s = 3600;
	return 0;
}

static int
teardown(void **state)
{
	return audit_fix_teardown(state);
}

/* A record; NULL members stay null, TIME_US 0 is "now". */
static void
put(struct audit_fix *f, const char *client, const char *decision,
    const char *event, int64_t time_us)
{
	struct audit_rec r;

	audit_rec_init(&r, event != NULL ? event : "request");
	AUDIT_SET(&r, client, client);
	AUDIT_SET(&r, decision, decision);
	r.time_us = time_us;
	assert_int_equal(audit_write(f->a, &r), 0);
}

static void
cp_now(struct audit_fix *f)
{
	int64_t seq;

	assert_int_equal(audit_checkpoint_now(f->a, &seq), 0);
}

static int
log_cb(void *arg, const struct audit_rec *r, const struct audit_cp *cp)
{
	struct log	*l = arg;
	void		*p;

	if (cp != NULL) {
		if (l->ncp == nitems(l->cp))
			return -1;
		l->cp[l->ncp++] = cp->seq;
		return 0;
	}
	if (l->n == l->cap) {
		if ((p = reallocarray(l->r, l->cap * 2 + 8,
		    sizeof(*l->r))) == NULL)
			return -1;
		l->r = p;
		l->cap = l->cap * 2 + 8;
	}
	l->r[l->n++] = *r;
	return 0;
}

static void
log_free(struct log *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}

/* The whole log, through a fresh reader. Seqs go up by one, and time_us
 * never goes down along seq: the promise time bounds are searched by. */
static void
load(struct audit_fix *f, struct log *l)
{
	struct audit_store	*as = NULL;
	char			 err[512];
	size_t			 i;

	log_free(l);
	assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
	assert_int_equal(audit_store_walk(as, 0, INT64_MAX, INT64_MAX, log_cb,
	    l), 0);
	audit_store_close(&as);
	for (i = 1; i < l->n; i++) {
		assert_int_equal(l->r[i].seq, l->r[i - 1].seq + 1);
		assert_true(l->r[i].time_us >= l->r[i - 1].time_us);
	}
}

/* A string filter: NULL selects all, else only that value (a null
 * field, "" here, matches no string: SQL's "client = ?"). */
static int
str_match(const char *want, const char *have)
{
	return want == NULL || (have[0] != '\0' && strcmp(want, have) == 0);
}

static int
match(const struct audit_filter *q, int64_t after, const struct audit_rec *r)
{
	return r->seq > after && str_match(q->client, r->client) &&
	    str_match(q->decision, r->decision) &&
	    str_match(q->event, r->event) &&
	    (q->since_us == 0 || r->time_us >= q->since_us) &&
	    (q->until_us == 0 || r->time_us < q->until_us);
}

/* The same record: every field (its canonical encoding) and the hash. */
static int
same(const struct audit_rec *a, const struct audit_rec *b)
{
	unsigned char	ea[AUDIT_ENC_MAX], eb[AUDIT_ENC_MAX];
	size_t		n = audit_rec_encode(a, ea);

	return n == audit_rec_encode(b, eb) && memcmp(ea, eb, n) == 0 &&
	    memcmp(a->hash, b->hash, AUDIT_HASH_LEN) == 0;
}

/* One query against the brute force over L: the same records, in seq
 * order, no checkpoints, the first LIMIT that match or (NEWEST) the last
 * LIMIT. */
static void
check(struct audit_store *as, const struct log *l,
    const struct audit_filter *q, int64_t after, int64_t limit, int newest)
{
	struct log	 got;
	size_t		*want, n = 0, from = 0, i;
	int		 ok;

	memset(&got, 0, sizeof(got));
	want = calloc(l->n + 1, sizeof(*want));
	assert_non_null(want);
	for (i = 0; i < l->n; i++)
		if (match(q, after, &l->r[i]))
			want[n++] = i;
	if (n > (size_t)limit) {
		from = newest ? n - (size_t)limit : 0;
		n = (size_t)limit;
	}
	assert_int_equal(audit_store_query(as, q, after, limit, newest, log_cb,
	    &got), 0);
	ok = got.n == n && got.ncp == 0;
	for (i = 0; ok && i < n; i++)
		ok = same(&got.r[i], &l->r[want[from + i]]);
	if (!ok)
		print_message("query client %s decision %s event %s since %lld "
		    "until %lld after %lld limit %lld newest %d: %zu records, "
		    "want %zu\n", S(q->client), S(q->decision), S(q->event),
		    (long long)q->since_us, (long long)q->until_us,
		    (long long)after, (long long)limit, newest, got.n, n);
	free(want);
	log_free(&got);
	assert_true(ok);
}

/* Load the log (NCP checkpoints in it, SIZE_MAX: any) and check() any
 * client and each of NAMES: oldest and newest, limits 1, 3 and 1000;
 * after 0 and, for any client and the first NFULL names, after around
 * each checkpoint (the segment edges) and around the head. */
static void
sweep(struct audit_fix *f, const char *const *names, size_t nnames,
    size_t nfull, size_t ncp)
{
	static const int64_t	 limits[] = { 1, 3, 1000 };
	struct audit_store	*as = NULL;
	struct audit_filter	 q;
	struct log		 l;
	int64_t			 after[3 * nitems(l.cp) + 5], head;
	char			 err[512];
	size_t			 na = 0, c, i, j;
	int			 newest;

	memset(&q, 0, sizeof(q));
	memset(&l, 0, sizeof(l));
	load(f, &l);
	if (ncp != SIZE_MAX)
		assert_int_equal(l.ncp, ncp);
	head = l.n > 0 ? l.r[l.n - 1].seq : 0;
	after[na++] = 0;
	after[na++] = l.n > 0 ? l.r[0].seq : 1;
	after[na++] = head - 1;
	after[na++] = head;
	after[na++] = head + 1;
	for (i = 0; i < l.ncp; i++) {
		after[na++] = l.cp[i] - 1;
		after[na++] = l.cp[i];
		after[na++] = l.cp[i] + 1;
	}
	assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
	for (c = 0; c <= nnames; c++) {
		q.client = c < nnames ? names[c] : NULL;
		for (newest = 0; newest <= 1; newest++)
			for (i = 0; i < nitems(limits); i++)
				for (j = 0; j < (c < nfull ||
				    c == nnames ? na : 1); j++)
					check(as, &l, &q, after[j], limits[i],
					    newest);
	}
	audit_store_close(&as);
	log_free(&l);
}

static const char *const ten[] = { "c0", "c1", "c2", "c3", "c4", "c5", "c6",
    "c7", "c8", "c9", "nobody", "" };

/* 300 records over 43 segments, ten clients from dense (c0, in every
 * segment) to sparse (c9, a few), some records with none: a query by
 * client finds exactly what a scan finds, at every segment edge, both
 * ways, with any limit. */
static void
test_clients_many_segments(void **state)
{
	struct audit_fix	*f = *state;
	uint32_t		 x = 12345, r;
	int			 i;

	f->o.cp_records = 7;
	audit_fix_start(f);
	for (i = 0; i < 300; i++) {
		x = x * 1103515245 + 12345;
		r = (x >> 16) % 100;
		put(f, r < 12 ? NULL : ten[(r - 12) * (r - 12) / 800], NULL,
		    NULL, 0);
	}
	sweep(f, ten, nitems(ten), nitems(ten), 300 / 7);
}

/* N records with clients m<FROM>.. (N distinct), every third twice, and
 * one with no client. */
static void
seg(struct audit_fix *f, int from, int n)
{
	char	name[16];
	int	i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "m%03d", from + i);
		put(f, name, NULL, NULL, 0);
		if (i % 3 == 0)
			put(f, name, NULL, NULL, 0);
	}
	put(f, NULL, NULL, NULL, 0);
}

/* Segments of 64 distinct clients (listed one by one), 65 and 100 (past
 * the limit: one wildcard row), then small segments: every client of an
 * overflowing segment is still found, in the open tail and once signed,
 * and so are clients of the segments around it. */
static void
test_segment_overflow(void **state)
{
	struct audit_fix	*f = *state;
	static const char *const later[] = { "m000", "m064", "m150", "m199",
	    "n0" };
	static const char *const edge[] = { "m000", "m032", "m063", "m064",
	    "m095", "m096", "m100", "m150", "m163", "m164", "m199", "n0",
	    "absent" };
	char			 names[200][16];
	const char		*np[nitems(edge) + 200];
	size_t			 ne = nitems(edge), i;

	for (i = 0; i < nitems(np); i++) {	/* the edges, then every name */
		np[i] = i < ne ? edge[i] : names[i - ne];
		if (i >= ne)
			snprintf(names[i - ne], sizeof(names[0]), "m%03d",
			    (int)(i - ne));
	}
	audit_fix_start(f);
	seg(f, 0, 64);
	cp_now(f);
	seg(f, 32, 65);
	cp_now(f);
	seg(f, 100, 100);
	sweep(f, np, nitems(np), ne, 2);
	cp_now(f);
	for (i = 0; i < 40; i++) {
		put(f, later[i % nitems(later)], NULL, NULL, 0);
		if (i % 7 == 6)
			cp_now(f);
	}
	sweep(f, np, nitems(np), ne, 3 + 5);
}

/* An unclean stop: reopen the log in a child, write N records for
 * CLIENT and exit without audit_close, so that no checkpoint closes
 * their segment; then reopen it here. */
static void
crash(struct audit_fix *f, const char *client, int n)
{
	struct audit_rec	r;
	char			err[512];
	pid_t			pid;
	int			st, i;

	audit_close(&f->a);
	if ((pid = fork()) == 0) {
		if (audit_open(&f->o, f->sk, NULL, &f->a, err,
		    sizeof(err)) != 0)
			_exit(1);
		for (i = 0; i < n; i++) {
			audit_rec_init(&r, "request");
			AUDIT_SET(&r, client, client);
			if (audit_write(f->a, &r) != 0)
				_exit(1);
		}
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	audit_fix_start(f);
}

/* The open tail: records after the last checkpoint are found, and still
 * found once a checkpoint closes their segment, whether that happens
 * before a clean restart (audit_close signs one), after it, or after an
 * unclean stop (the writer must learn the tail's clients back from the
 * records themselves). */
static void
test_tail_and_restart(void **state)
{
	struct audit_fix	*f = *state;
	static const char *const names[] = { "a", "b", "tail", "crash" };
	int			 i;

	f->o.cp_records = 5;
	audit_fix_start(f);
	for (i = 0; i < 12; i++)
		put(f, i % 2 ? "a" : "b", NULL, NULL, 0);
	put(f, "tail", NULL, NULL, 0);
	put(f, "tail", NULL, NULL, 0);		/* 11..14 after cp 10 */
	sweep(f, names, nitems(names), nitems(names), 2);
	audit_close(&f->a);
	audit_fix_start(f);
	put(f, "tail", NULL, NULL, 0);
	for (i = 0; i < 4; i++)
		put(f, "a", NULL, NULL, 0);	/* cp 14 (close), cp 19 */
	sweep(f, names, nitems(names), nitems(names), 4);
	crash(f, "crash", 3);
	put(f, "b", NULL, NULL, 0);		/* 20..23 open */
	sweep(f, names, nitems(names), nitems(names), 4);
	put(f, "a", NULL, NULL, 0);		/* cp 24 over 20..24 */
	put(f, "crash", NULL, NULL, 0);
	sweep(f, names, nitems(names), nitems(names), 5);
}

/* Bursts 20ms apart and three records at one time_us: each bound, with
 * and without a client, selects exactly what since <= time_us < until
 * selects, for bounds before the first record, at each record's exact
 * time, between records and bursts and past the last; and seq_at_time is
 * the first seq at or after t, AUDIT_STORE_NONE past the last. */
static void
test_time_bounds(void **state)
{
	struct audit_fix	*f = *state;
	struct audit_store	*as = NULL;
	struct audit_filter	 q;
	struct log		 l;
	static const char *const who[] = { NULL, "t1", "t2" };
	int64_t			 t[80], seq, want, tie;
	char			 err[512];
	size_t			 nt = 0, i, j, c;
	int			 b, k, rc;

	memset(&q, 0, sizeof(q));
	memset(&l, 0, sizeof(l));
	f->o.cp_records = 7;
	audit_fix_start(f);
	for (b = 0; b < 5; b++) {
		if (b > 0)
			usleep(20000);
		if (b == 3) {
			tie = audit_now_us();
			for (k = 0; k < 3; k++)
				put(f, k % 2 ? "t1" : "t2", NULL, NULL, tie);
		}
		for (k = 0; k < 5; k++)
			put(f, k % 2 ? "t1" : "t2", NULL, NULL, 0);
	}
	load(f, &l);
	assert_int_equal(l.n, 28);
	t[nt++] = 0;
	t[nt++] = l.r[0].time_us - 1000;
	for (i = 0; i < l.n; i++) {
		t[nt++] = l.r[i].time_us;
		if (i + 1 < l.n)
			t[nt++] = (l.r[i].time_us + l.r[i + 1].time_us) / 2;
	}
	t[nt++] = l.r[l.n - 1].time_us + 1;
	assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
	for (i = 0; i < nt; i++) {
		for (j = 0; j < nt; j++) {
			if (i != 0 && j != 0 && (i % 3 != 0 || j % 3 != 0))
				continue;	/* one bound: all; both: some */
			q.since_us = t[i];
			q.until_us = t[j];
			for (c = 0; c < nitems(who); c++) {
				q.client = who[c];
				check(as, &l, &q, 0, 1000, 0);
				check(as, &l, &q, 0, 2, 1);
				check(as, &l, &q, 9, 2, 0);
			}
		}
		for (j = 0, want = 0; j < l.n && want == 0; j++)
			if (l.r[j].time_us >= t[i])
				want = l.r[j].seq;
		seq = -1;
		rc = audit_store_seq_at_time(as, t[i], &seq);
		assert_int_equal(rc, want != 0 ? 0 : AUDIT_STORE_NONE);
		if (want != 0)
			assert_int_equal(seq, want);
	}
	audit_store_close(&as);
	log_free(&l);
}

/* Client, decision, event, since and until together select what each
 * selects alone, intersected. */
static void
test_combined(void **state)
{
	struct audit_fix	*f = *state;
	struct audit_store	*as = NULL;
	struct audit_filter	 q;
	struct log		 l;
	static const char *const cl[] = { NULL, "p", "q", "r" };
	static const char *const dec[] = { NULL, "allow", "deny", "error" };
	static const char *const ev[] = { "request", "admin", "keyd.start" };
	int64_t			 mid, until[3];
	char			 err[512];
	uint32_t		 x = 777;
	int			 b, i, k;

	memset(&q, 0, sizeof(q));
	memset(&l, 0, sizeof(l));
	f->o.cp_records = 5;
	audit_fix_start(f);
	for (b = 0; b < 2; b++) {
		if (b > 0)
			usleep(20000);
		for (i = 0; i < 40; i++) {
			x = x * 1103515245 + 12345;
			put(f, cl[(x >> 16) % 4], dec[(x >> 20) % 4],
			    ev[(x >> 24) % 3], 0);
		}
	}
	load(f, &l);
	mid = (l.r[39].time_us + l.r[40].time_us) / 2;
	until[0] = 0;
	until[1] = l.r[60].time_us;
	until[2] = l.r[l.n - 1].time_us + 1;
	assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
	for (k = 0; k < 5 * 4 * 4 * 2 * 3; k++) {	/* every combination */
		q.client = k % 5 < 4 ? cl[k % 5] : "absent";
		q.decision = dec[k / 5 % 4];
		q.event = k / 20 % 4 < 3 ? ev[k / 20 % 4] : NULL;
		q.since_us = k / 80 % 2 ? mid : 0;
		q.until_us = until[k / 160];
		check(as, &l, &q, 0, 1000, 0);
		check(as, &l, &q, 10, 3, 1);
		check(as, &l, &q, 30, 2, 0);
	}
	audit_store_close(&as);
	log_free(&l);
}

/* Retention cuts whole segments: once the writer prunes by itself, the
 * records kept (the segment signed after the cut, the open one) are
 * found by client exactly as a scan finds them, then and after a
 * restart. */
static void
test_retention(void **state)
{
	struct audit_fix	*f = *state;
	struct audit_store	*as = NULL;
	static const char *const names[] = { "x", "y", "z" };
	char			 err[512];
	int64_t			 first = 0;
	int			 i;

	f->o.cp_records = 5;
	f->o.retention_s = 1;
	audit_fix_start(f);
	for (i = 0; i < 17; i++) {		/* cp 5, 10 | cp 15; open */
		if (i == 10)
			usleep(800000);
		put(f, names[i % 3], NULL, NULL, 0);
	}
	for (i = 0; i < 40 && first < 11; i++) {
		usleep(100000);		/* cp 10, not 15, ages past 1s */
		assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
		assert_int_equal(audit_store_first_seq(as, &first), 0);
		audit_store_close(&as);
	}
	assert_int_equal(first, 11);
	sweep(f, names, nitems(names), nitems(names), SIZE_MAX);
	audit_close(&f->a);
	f->o.retention_s = 0;		/* no second cut while we compare */
	audit_fix_start(f);
	for (i = 0; i < 6; i++)
		put(f, names[i % 2], NULL, NULL, 0);
	sweep(f, names, nitems(names), nitems(names), SIZE_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_clients_many_segments),
		T(test_segment_overflow),
		T(test_tail_and_restart),
		T(test_time_bounds),
		T(test_combined),
		T(test_retention),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
