/* audit_write_async: the record lands, DONE is called exactly once, from
 * the writer thread and outside its lock, in queue order; never with sync
 * off; with ok = 0 (or a refusal) when the log fails; before audit_close
 * returns; and a full queue refuses instead of making the caller wait. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"
#include "tests/unit/audit_fix.h"

#include <sys/resource.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/audit_int.h"	/* the writer's lock, to check DONE's context */
#include "keyd/audit_store.h"

#define NTHREADS	4
#define PER_THREAD	500
#define NCLOSE		5000
#define WAIT_S		20

enum gate { GATE_NONE, GATE_UNTIL_STOP, GATE_UNTIL_OPEN };

/* What the callbacks saw; every member under mu. */
struct tally {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	long		 calls, oks;
	long		 under_lock;	/* DONE ran with the writer's lock held */
	long		 on_caller;	/* DONE ran on the submitting thread */
	pthread_t	 caller;
	struct audit	*a;		/* for the lock check, or NULL */
	enum gate	 gate;		/* hold the writer in the first DONE */
	int		 open;
};

struct slot {
	struct tally	*t;
	int		 calls;
	int		 ok;
	long		 order;		/* t->calls once this one was called */
};

struct fix {
	struct audit_fix af;
	struct rlimit	 fsize;
	struct tally	 t;
};

static int
setup(void **state)
{
	struct fix *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if (getrlimit(RLIMIT_FSIZE, &f->fsize) == -1 ||
	    audit_fix_init(&f->af, "audit-async") == -1) {
		free(f);
		return -1;
	}
	pthread_mutex_init(&f->t.mu, NULL);
	pthread_cond_init(&f->t.cv, NULL);
	f->t.caller = pthread_self();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	setrlimit(RLIMIT_FSIZE, &f->fsize);
	audit_fix_fini(&f->af);
	pthread_mutex_destroy(&f->t.mu);
	pthread_cond_destroy(&f->t.cv);
	free(f);
	return 0;
}

/* Hold the writer in the first callback until audit_close has asked it to
 * stop, or until the test opens the gate; at most WAIT_S either way. */
static void
gate_hold(struct tally *t)
{
	int i, stop = 0;

	for (i = 0; i < WAIT_S * 1000 && !stop; i++) {
		usleep(1000);
		pthread_mutex_lock(&t->mu);
		stop = t->open;
		pthread_mutex_unlock(&t->mu);
		/* trylock: were DONE called under the lock, time out, not
		 * deadlock */
		if (t->gate == GATE_UNTIL_STOP && !stop &&
		    pthread_mutex_trylock(&t->a->mu) == 0) {
			stop = t->a->stop;
			pthread_mutex_unlock(&t->a->mu);
		}
	}
}

static void
on_done(void *cls, int ok)
{
	struct slot	*s = cls;
	struct tally	*t = s->t;
	int		 first, held = 0;

	if (t->a != NULL && t->gate == GATE_NONE) {
		if (pthread_mutex_trylock(&t->a->mu) == 0)
			pthread_mutex_unlock(&t->a->mu);
		else
			held = 1;
	}
	pthread_mutex_lock(&t->mu);
	t->under_lock += held;
	t->on_caller += pthread_equal(pthread_self(), t->caller) != 0;
	s->calls++;
	s->ok = ok;
	s->order = ++t->calls;
	t->oks += ok == 1;
	first = t->calls == 1;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	if (first && t->gate != GATE_NONE)
		gate_hold(t);
}

/* Wait until N callbacks ran (or WAIT_S passed); how many did. */
static long
tally_wait(struct tally *t, long n)
{
	struct timespec	ts;
	long		calls;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_S;
	pthread_mutex_lock(&t->mu);
	while (t->calls < n &&
	    pthread_cond_timedwait(&t->cv, &t->mu, &ts) != ETIMEDOUT)
		;
	calls = t->calls;
	pthread_mutex_unlock(&t->mu);
	return calls;
}

static long
tally_calls(struct tally *t)
{
	long calls;

	pthread_mutex_lock(&t->mu);
	calls = t->calls;
	pthread_mutex_unlock(&t->mu);
	return calls;
}

static void
rec_make(struct audit_rec *r, const char *client, int64_t status)
{
	audit_rec_init(r, "request");
	AUDIT_SET(r, client, client);
	AUDIT_SET(r, method, "POST");
	AUDIT_SET(r, path, "/oauth/token");
	AUDIT_SET(r, decision, "allow");
	r->status = status;
}

static int
last_cb(void *arg, const struct audit_rec *r, const struct audit_cp *cp)
{
	(void)cp;
	if (r != NULL)
		*(struct audit_rec *)arg = *r;
	return 0;
}

/* The record at SEQ, as audit.db has it. */
static void
rec_at(struct fix *f, int64_t seq, struct audit_rec *r)
{
	struct audit_store	*as = NULL;
	char			 err[512];

	memset(r, 0, sizeof(*r));
	assert_int_equal(audit_reader(f->af.a, &as, err, sizeof(err)), 0);
	assert_int_equal(audit_store_walk(as, seq, seq, 1, last_cb, r), 0);
	audit_store_close(&as);
}

/* Sync on: 0, then DONE once with ok = 1, from the writer thread outside
 * its lock; the record is in audit.db with what was asked, stamped now. */
static void
test_async_sync_on(void **state)
{
	struct fix		*f = *state;
	struct audit_verify	 v;
	struct audit_status	 st;
	struct audit_rec	 r, got;
	struct slot		 s = { .t = &f->t };
	int64_t			 t0, t1;

	audit_fix_start(&f->af);
	f->t.a = f->af.a;
	rec_make(&r, "okta", 201);
	t0 = audit_now_us();
	assert_int_equal(audit_write_async(f->af.a, &r, on_done, &s), 0);
	assert_int_equal(tally_wait(&f->t, 1), 1);
	t1 = audit_now_us();
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.ok, 1);
	assert_int_equal(f->t.under_lock, 0);
	assert_int_equal(f->t.on_caller, 0);
	audit_status(f->af.a, &st);
	assert_int_equal(st.head_seq, 1);
	rec_at(f, 1, &got);
	assert_int_equal(got.seq, 1);
	assert_string_equal(got.event, "request");
	assert_string_equal(got.client, "okta");
	assert_string_equal(got.method, "POST");
	assert_string_equal(got.path, "/oauth/token");
	assert_int_equal(got.status, 201);
	assert_true(got.time_us >= t0 && got.time_us <= t1);
	assert_int_equal(audit_fix_verify(&f->af, &v, 100), 0);
	assert_int_equal(v.records, 1);
	audit_close(&f->af.a);
	assert_int_equal(tally_calls(&f->t), 1);	/* and never again */
}

/* Sync off: 1 at once, DONE never called, the records land all the same. */
static void
test_async_sync_off(void **state)
{
	struct fix		*f = *state;
	struct audit_verify	 v;
	struct audit_rec	 r, got;
	struct slot		 s[10];
	int			 i;

	memset(s, 0, sizeof(s));
	f->af.o.sync = 0;
	audit_fix_start(&f->af);
	for (i = 0; i < 10; i++) {
		s[i].t = &f->t;
		rec_make(&r, "detached", 200 + i);
		assert_int_equal(audit_write_async(f->af.a, &r, on_done, &s[i]), 1);
	}
	audit_close(&f->af.a);
	assert_int_equal(tally_calls(&f->t), 0);
	audit_fix_start(&f->af);
	assert_int_equal(audit_fix_verify(&f->af, &v, 100), 0);
	assert_int_equal(v.records, 10);
	rec_at(f, 10, &got);
	assert_string_equal(got.client, "detached");
	assert_int_equal(got.status, 209);
	assert_int_equal(tally_calls(&f->t), 0);
}

struct burst {
	struct fix	*f;
	struct slot	 s[PER_THREAD];
	int		 refused;
};

static void *
burst_main(void *arg)
{
	struct burst		*b = arg;
	struct audit_rec	 r;
	int			 i;

	for (i = 0; i < PER_THREAD; i++) {
		b->s[i].t = &b->f->t;
		rec_make(&r, "burst", 200);
		if (audit_write_async(b->f->af.a, &r, on_done, &b->s[i]) != 0)
			b->refused++;
	}
	return NULL;
}

/* 4 threads x 500: each DONE once with ok = 1, each thread's in the order
 * it queued them, and the chain holds every record. */
static void
test_async_threads(void **state)
{
	struct fix		*f = *state;
	struct audit_verify	 v;
	struct audit_status	 st;
	struct burst		*b;
	pthread_t		 th[NTHREADS];
	int			 i, j;

	assert_non_null(b = calloc(NTHREADS, sizeof(*b)));
	audit_fix_start(&f->af);
	for (i = 0; i < NTHREADS; i++) {
		b[i].f = f;
		assert_int_equal(pthread_create(&th[i], NULL, burst_main, &b[i]),
		    0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(b[i].refused, 0);
	}
	assert_int_equal(tally_wait(&f->t, NTHREADS * PER_THREAD),
	    NTHREADS * PER_THREAD);
	for (i = 0; i < NTHREADS; i++)
		for (j = 0; j < PER_THREAD; j++) {
			assert_int_equal(b[i].s[j].calls, 1);
			assert_int_equal(b[i].s[j].ok, 1);
			if (j > 0)
				assert_true(b[i].s[j].order >
				    b[i].s[j - 1].order);
		}
	audit_status(f->af.a, &st);
	assert_int_equal(st.head_seq, NTHREADS * PER_THREAD);
	assert_int_equal(audit_fix_verify(&f->af, &v, 100), 0);
	assert_int_equal(v.records, NTHREADS * PER_THREAD);
	audit_close(&f->af.a);
	assert_int_equal(tally_calls(&f->t), NTHREADS * PER_THREAD);
	free(b);
}

/* With no write possible (RLIMIT_FSIZE 0, as test_audit's full disk):
 * every record is refused (-1, no DONE) or reported lost (ok = 0), never
 * a success, and none of them is in the chain after the recovery. */
static void
test_async_failing(void **state)
{
	struct fix		*f = *state;
	struct audit_verify	 v;
	struct audit_rec	 r;
	struct slot		 s[50];
	struct rlimit		 rl;
	long			 queued = 0;
	int			 i, rc;

	memset(s, 0, sizeof(s));
	audit_fix_start(&f->af);
	rec_make(&r, "before", 200);
	assert_int_equal(audit_write(f->af.a, &r), 0);
	signal(SIGXFSZ, SIG_IGN);
	rl = f->fsize;			/* teardown restores f->fsize */
	rl.rlim_cur = 0;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	for (i = 0; i < 50; i++) {
		s[i].t = &f->t;
		rec_make(&r, "lost", 200);
		rc = audit_write_async(f->af.a, &r, on_done, &s[i]);
		assert_true(rc == 0 || rc == -1);
		if (i == 0)
			assert_int_equal(rc, 0);	/* still healthy: queued */
		queued += rc == 0;
	}
	assert_int_equal(tally_wait(&f->t, queued), queued);
	assert_int_equal(f->t.oks, 0);
	for (i = 0; i < 50; i++)
		assert_true(s[i].calls == 0 || s[i].ok == 0);
	assert_int_equal(audit_ready(f->af.a), 0);
	assert_int_equal(audit_write_async(f->af.a, &r, on_done, &s[0]), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &f->fsize), 0);
	for (i = 0; i < 60 && !audit_ready(f->af.a); i++)
		usleep(50000);
	assert_int_equal(audit_ready(f->af.a), 1);
	assert_int_equal(audit_fix_verify(&f->af, &v, 100), 0);
	assert_int_equal(v.records, 2);		/* before, audit.recovered */
	audit_close(&f->af.a);
	assert_int_equal(tally_calls(&f->t), queued);
}

/* audit_close with thousands of records still queued (the writer is held
 * in the first DONE until close asks it to stop) commits them all and
 * calls every DONE before it returns; each was stamped when queued. */
static void
test_async_close_drains(void **state)
{
	struct fix		*f = *state;
	struct audit_verify	 v;
	struct audit_rec	 r;
	struct slot		*s;
	long			 before;
	int64_t			 t_close;
	int			 i;

	assert_non_null(s = calloc(NCLOSE, sizeof(*s)));
	audit_fix_start(&f->af);
	f->t.a = f->af.a;
	f->t.gate = GATE_UNTIL_STOP;
	for (i = 0; i < NCLOSE; i++) {
		s[i].t = &f->t;
		rec_make(&r, "close", 200);
		assert_int_equal(audit_write_async(f->af.a, &r, on_done, &s[i]), 0);
	}
	before = tally_calls(&f->t);
	t_close = audit_now_us();
	audit_close(&f->af.a);
	assert_true(before <= 1);	/* the rest were still queued */
	assert_int_equal(tally_calls(&f->t), NCLOSE);
	assert_int_equal(f->t.oks, NCLOSE);
	for (i = 0; i < NCLOSE; i++)
		assert_int_equal(s[i].calls, 1);
	f->t.a = NULL;
	audit_fix_start(&f->af);
	assert_int_equal(audit_fix_verify(&f->af, &v, 100), 0);
	assert_int_equal(v.records, NCLOSE);
	rec_at(f, NCLOSE, &r);		/* stamped when queued, not committed */
	assert_true(r.time_us > 0 && r.time_us <= t_close);
	free(s);
}

/* The event loop never waits: with the writer held, a full queue refuses
 * at once, and what was queued still settles once the writer goes on. */
static void
test_async_full_queue(void **state)
{
	struct fix		*f = *state;
	struct audit_status	 st;
	struct audit_rec	 r;
	struct slot		*s;
	long			 queued = 0;
	int			 i, n = 20000, rc = 0;
	int64_t			 t0;

	assert_non_null(s = calloc((size_t)n, sizeof(*s)));
	audit_fix_start(&f->af);
	f->t.gate = GATE_UNTIL_OPEN;
	t0 = audit_now_us();
	for (i = 0; i < n && rc != -1; i++) {
		s[i].t = &f->t;
		rec_make(&r, "full", 200);
		if ((rc = audit_write_async(f->af.a, &r, on_done, &s[i])) == 0)
			queued++;
	}
	assert_int_equal(rc, -1);
	assert_true(audit_now_us() - t0 < (int64_t)WAIT_S / 2 * 1000000);
	assert_int_equal(s[i - 1].calls, 0);
	assert_int_equal(audit_ready(f->af.a), 1);	/* full is not failing */
	pthread_mutex_lock(&f->t.mu);
	f->t.open = 1;
	pthread_mutex_unlock(&f->t.mu);
	assert_int_equal(tally_wait(&f->t, queued), queued);
	assert_int_equal(f->t.oks, queued);
	audit_status(f->af.a, &st);
	assert_int_equal(st.head_seq, queued);
	audit_close(&f->af.a);
	assert_int_equal(tally_calls(&f->t), queued);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_async_sync_on, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_async_sync_off, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_async_threads, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_async_failing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_async_close_drains, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_async_full_queue, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
