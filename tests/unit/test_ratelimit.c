/* ratelimit: per-client token buckets, their refill and Retry-After. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "keyd/ratelimit.h"

#define S	1000000000LL	/* ns */

static int
take(struct ratelimit *rl, int64_t id, uint64_t rate, uint64_t period,
    uint64_t burst, int64_t now, int64_t *retry)
{
	return ratelimit_take(rl, id, rate, period, burst, now, retry);
}

/* "1/m", burst 2: two go, the third waits exactly 60 s (it said 63: the
 * refill was truncated to 16 millitokens a second). */
static void
test_per_minute(void **state)
{
	struct ratelimit	*rl = ratelimit_new();
	int64_t			 retry;

	(void)state;
	assert_non_null(rl);
	assert_int_equal(take(rl, 7, 1, 60, 2, 1 * S, &retry), 0);
	assert_int_equal(take(rl, 7, 1, 60, 2, 1 * S, &retry), 0);
	assert_int_equal(take(rl, 7, 1, 60, 2, 1 * S, &retry), -1);
	assert_int_equal(retry, 60);
	assert_int_equal(take(rl, 7, 1, 60, 2, 31 * S, &retry), -1);
	assert_int_equal(retry, 30);
	assert_int_equal(take(rl, 7, 1, 60, 2, 60 * S, &retry), -1);
	assert_int_equal(retry, 1);
	assert_int_equal(take(rl, 7, 1, 60, 2, 61 * S, &retry), 0);
	assert_int_equal(take(rl, 7, 1, 60, 2, 61 * S, &retry), -1);
	ratelimit_free(&rl);
	assert_null(rl);
}

/* A call every second must not lose the fraction of a millitoken each one
 * earned: at "1/m", 120 one-second steps refill exactly two tokens (they
 * refilled one: 16 millitokens a second, the rest dropped). */
static void
test_no_drift(void **state)
{
	struct ratelimit	*rl = ratelimit_new();
	int64_t			 retry, t;
	int			 ok = 0;

	(void)state;
	assert_non_null(rl);
	assert_int_equal(take(rl, 9, 1, 60, 1, 0, &retry), 0);
	for (t = 1; t <= 120; t++)
		if (take(rl, 9, 1, 60, 1, t * S, &retry) == 0)
			ok++;
	assert_int_equal(ok, 2);
	ratelimit_free(&rl);
}

/* Rate 0 is no limit; clients do not share a bucket. */
static void
test_unlimited_and_separate(void **state)
{
	struct ratelimit	*rl = ratelimit_new();
	int64_t			 retry;
	int			 i;

	(void)state;
	assert_non_null(rl);
	for (i = 0; i < 100; i++)
		assert_int_equal(take(rl, 1, 0, 1, 0, 0, &retry), 0);
	assert_int_equal(take(rl, 2, 1, 1, 1, 0, &retry), 0);
	assert_int_equal(take(rl, 2, 1, 1, 1, 0, &retry), -1);
	assert_int_equal(retry, 1);
	assert_int_equal(take(rl, 3, 1, 1, 1, 0, &retry), 0);
	ratelimit_free(&rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_minute),
		cmocka_unit_test(test_no_drift),
		cmocka_unit_test(test_unlimited_and_separate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
