/* keyd_grow: the buffers of a request, its body and its answer grow
 * through it, keeping what they hold and never past their bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "keyd/keyd.h"

static void
test_grow_keeps_and_doubles(void **state)
{
	char	*buf = NULL;
	size_t	 cap = 0;

	(void)state;
	assert_int_equal(keyd_grow(&buf, &cap, 0, 10, 16, 0), 0);
	assert_int_equal(cap, 16);
	memcpy(buf, "0123456789", 10);
	/* enough already: nothing moves */
	assert_int_equal(keyd_grow(&buf, &cap, 10, 16, 16, 0), 0);
	assert_int_equal(cap, 16);
	/* doubled until it fits, the bytes in use kept */
	assert_int_equal(keyd_grow(&buf, &cap, 10, 100, 16, 0), 0);
	assert_int_equal(cap, 128);
	assert_memory_equal(buf, "0123456789", 10);
	free(buf);
}

static void
test_grow_bound(void **state)
{
	char	*buf = NULL;
	size_t	 cap = 0;

	(void)state;
	/* past MAX: refused, nothing allocated */
	assert_int_equal(keyd_grow(&buf, &cap, 0, 65, 16, 64), -1);
	assert_null(buf);
	assert_int_equal(cap, 0);
	/* doubling would pass MAX: capped at it */
	assert_int_equal(keyd_grow(&buf, &cap, 0, 40, 16, 48), 0);
	assert_int_equal(cap, 48);
	memcpy(buf, "abc", 3);
	assert_int_equal(keyd_grow(&buf, &cap, 3, 49, 16, 48), -1);
	assert_int_equal(cap, 48);
	assert_memory_equal(buf, "abc", 3);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_keeps_and_doubles),
		cmocka_unit_test(test_grow_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
