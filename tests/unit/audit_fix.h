/* The audit log under test, shared by test_audit*.c: a temp dir with
 * audit.db in it, a fresh signing key pair, options with sync on, and a
 * check of the whole chain against the writer's own head. Include after
 * cmocka.h and testdir.h. */
#ifndef KEYD_TESTS_AUDIT_FIX_H
#define KEYD_TESTS_AUDIT_FIX_H

#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/audit_store.h"

struct audit_fix {
	char		 dir[64];
	char		 path[128];
	unsigned char	 pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char	 sk[crypto_sign_SECRETKEYBYTES];
	struct audit_opts o;
	struct audit	*a;
};

/* A temp dir named after NAME and the options; the log is not open. */
static inline int
audit_fix_init(struct audit_fix *f, const char *name)
{
	if (testdir_make(f->dir, sizeof(f->dir), name) == -1)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/audit.db", f->dir);
	crypto_sign_keypair(f->pk, f->sk);
	f->o.path = f->path;
	f->o.sync = 1;
	f->o.cp_records = 1000;
	f->o.cp_interval_s = 10;
	return 0;
}

static inline void
audit_fix_fini(struct audit_fix *f)
{
	audit_close(&f->a);
	testdir_remove(f->dir);
}

/* cmocka setup and teardown for a test that needs only a struct
 * audit_fix: a fresh one named NAME in *STATE, and its end. */
static inline int
audit_fix_setup(void **state, const char *name)
{
	struct audit_fix *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if (audit_fix_init(f, name) == -1) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int
audit_fix_teardown(void **state)
{
	audit_fix_fini(*state);
	free(*state);
	return 0;
}

/* Open the log with F's options; a test failure when it does not open. */
static inline void
audit_fix_start(struct audit_fix *f)
{
	char err[512] = "";

	if (audit_open(&f->o, f->sk, NULL, &f->a, err, sizeof(err)) != 0)
		fail_msg("audit_open: %s", err);
}

/* Verify the whole of audit.db against the writer's own head, PER_CALL
 * records a call; the first bad seq, or 0. */
static inline int64_t
audit_fix_verify(struct audit_fix *f, struct audit_verify *v,
    int64_t per_call)
{
	struct audit_store	*as = NULL;
	struct audit_status	 st;
	char			 err[512];
	int			 done = 0;

	audit_verify_init(v, f->pk);
	assert_int_equal(audit_reader(f->a, &as, err, sizeof(err)), 0);
	while (!done)
		assert_int_equal(audit_verify_db(as, v, 0, INT64_MAX, per_call,
		    &done, err, sizeof(err)), 0);
	audit_status(f->a, &st);
	(void)!audit_verify_end(v, st.head_seq, st.head_hash, 0);
	audit_store_close(&as);
	if (v->bad_seq != 0)
		print_message("bad seq %lld: %s\n", (long long)v->bad_seq,
		    v->why);
	return v->bad_seq;
}

#endif
