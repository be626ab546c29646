/* proxy_schema: the per-upstream schema cache, seen through
 * proxy_schemas_peek, without a network: proxy_schemas_get against a
 * loopback port that refuses connections fails at once and caches RFC
 * 7643's core (a NULL set) for PROXY_SCHEMA_RETRY_S. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/loopback.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "keyd/proxy_schema.h"
#include "keyd/upstream.h"

struct fix {
	struct proxy_schemas	*ps;
	int			 fd;	/* bound, not listening */
	int			 port;
};

static int
setup(void **state)
{
	struct fix *f;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->ps = proxy_schemas_new()) == NULL ||
	    (f->fd = loopback_bind(&f->port)) == -1)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	proxy_schemas_free(&f->ps);
	assert_null(f->ps);
	close(f->fd);
	free(f);
	return 0;
}

/* proxy_schemas_get for U: the fetch fails, the core is cached. */
static void
seed(struct fix *f, const struct upstream *u)
{
	struct schema_ref *ref = NULL;

	assert_null(proxy_schemas_get(f->ps, u, &ref));
	assert_non_null(ref);
	proxy_schemas_release(f->ps, &ref);
	assert_null(ref);
}

/* peek for U: its answer, and the reference given back. */
static int
peek(struct fix *f, const struct upstream *u, int *stale)
{
	const struct scim_schema_set	*set = (const void *)1;
	struct schema_ref		*ref = (void *)1;
	int				 r;

	r = proxy_schemas_peek(f->ps, u, &set, &ref, stale);
	assert_null(set);		/* the core, or nothing */
	if (r == 0)
		assert_null(ref);
	else
		assert_non_null(ref);
	proxy_schemas_release(f->ps, &ref);
	return r;
}

static void
test_peek(void **state)
{
	struct fix	*f = *state;
	struct upstream	 hr, crm;
	int		 stale = -1;

	loopback_upstream(&hr, "hr", f->port, NULL, 1);
	loopback_upstream(&crm, "crm", f->port, NULL, 2);
	assert_int_equal(peek(f, &hr, &stale), 0);
	assert_int_equal(stale, 0);
	seed(f, &hr);
	assert_int_equal(peek(f, &hr, &stale), 1);
	assert_int_equal(stale, 0);	/* retried in PROXY_SCHEMA_RETRY_S */
	assert_int_equal(peek(f, &crm, &stale), 0);
	seed(f, &crm);
	assert_int_equal(peek(f, &crm, &stale), 1);
	assert_int_equal(peek(f, &hr, &stale), 1);
}

/* "hr" removed and added again, within the same second (the same
 * created_at) and pointing elsewhere: a new upstream, whose cache entry
 * is empty until its own fetch. */
static void
test_peek_readded(void **state)
{
	struct fix	*f = *state;
	struct upstream	 old, readded;
	int		 stale;

	loopback_upstream(&old, "hr", f->port, NULL, 7);
	loopback_upstream(&readded, "hr", f->port, NULL, 8);
	assert_int_equal(old.created_at, readded.created_at);
	seed(f, &old);
	assert_int_equal(peek(f, &readded, &stale), 0);
	assert_int_equal(peek(f, &old, &stale), 1);	/* peek only looks */
	seed(f, &readded);
	assert_int_equal(peek(f, &readded, &stale), 1);
	assert_int_equal(peek(f, &old, &stale), 0);

	readded.created_at++;
	readded.generation++;
	assert_int_equal(peek(f, &readded, &stale), 0);
}

/* With every slot taken, peeking at one more upstream evicts nobody. */
static void
test_peek_full(void **state)
{
	struct fix	*f = *state;
	struct upstream	 u;
	char		 name[16];
	int		 i, stale, err, null;

	/* UPSTREAM_MAX warnings that the schemas are unavailable: mute them. */
	assert_true((err = dup(STDERR_FILENO)) >= 0);
	assert_true((null = open("/dev/null", O_WRONLY)) >= 0);
	assert_int_equal(dup2(null, STDERR_FILENO), STDERR_FILENO);
	for (i = 0; i < UPSTREAM_MAX; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		loopback_upstream(&u, name, f->port, NULL, (uint64_t)i + 1);
		seed(f, &u);
	}
	assert_int_equal(dup2(err, STDERR_FILENO), STDERR_FILENO);
	close(err);
	close(null);
	loopback_upstream(&u, "one-more", f->port, NULL, UPSTREAM_MAX + 1);
	assert_int_equal(peek(f, &u, &stale), 0);
	for (i = 0; i < UPSTREAM_MAX; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		loopback_upstream(&u, name, f->port, NULL, (uint64_t)i + 1);
		if (peek(f, &u, &stale) != 1)
			fail_msg("%s was evicted", name);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_peek),
		T(test_peek_readded),
		T(test_peek_full),
	};

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
