/* units: durations and sizes, good and bad. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "policy/units.h"

#define YEAR100	((int64_t)36500 * 86400)
#define GIB	((uint64_t)1 << 30)

static void
test_duration_good(void **state)
{
	static const struct {
		const char	*in;
		int64_t		 secs;
	} t[] = {
		{ "1s", 1 },
		{ "30s", 30 },
		{ "15m", 900 },
		{ "1h", 3600 },
		{ "24h", 86400 },
		{ "90d", 90 * 86400 },
		{ "007s", 7 },
		{ "36500d", YEAR100 },
		{ "876000h", YEAR100 },
		{ "52560000m", YEAR100 },
		{ "3153600000s", YEAR100 },
	};
	int64_t secs;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		secs = -1;
		if (units_parse_duration(t[i].in, &secs) != 0)
			fail_msg("rejected \"%s\"", t[i].in);
		assert_int_equal(secs, t[i].secs);
	}
}

static void
test_duration_bad(void **state)
{
	static const char *const t[] = {
		"", "s", "15", "0s", "0d", "00m", "-1s", "+1s", " 1s", "1s ",
		"1 s", "1S", "1M", "1H", "1D", "1sec", "1ss", "1ms", "1w", "1y",
		"1.5h", "1e3s", "0x10s", "1h30m", "36501d", "876001h",
		"3153600001s", "18446744073709551615s",
		"18446744073709551616s", "99999999999999999999999999999d",
		/* 2^64 + 1 and 2^65 + 1: wrap to small, valid numbers */
		"18446744073709551617s", "36893488147419103233s",
		"1s\n", "\t1s", "1\0s",
	};
	int64_t secs = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (units_parse_duration(t[i], &secs) != -1)
			fail_msg("accepted \"%s\"", t[i]);
		assert_int_equal(secs, 42);
	}
	assert_int_equal(units_parse_duration(NULL, &secs), -1);
}

static void
test_size_good(void **state)
{
	static const struct {
		const char	*in;
		uint64_t	 bytes;
	} t[] = {
		{ "1B", 1 },
		{ "512B", 512 },
		{ "1KiB", 1024 },
		{ "256KiB", 256 * 1024 },
		{ "1MiB", 1 << 20 },
		{ "64MiB", (uint64_t)64 << 20 },
		{ "1024MiB", GIB },
		{ "1048576KiB", GIB },
		{ "1073741824B", GIB },
	};
	uint64_t bytes;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bytes = 0;
		if (units_parse_size(t[i].in, &bytes) != 0)
			fail_msg("rejected \"%s\"", t[i].in);
		assert_int_equal(bytes, t[i].bytes);
	}
}

static void
test_size_bad(void **state)
{
	static const char *const t[] = {
		"", "B", "1", "0B", "0KiB", "-1B", "+1B", " 1B", "1B ", "1 B",
		"1b", "1KB", "1kib", "1K", "1kB", "1M", "1MB", "1mib", "1GiB",
		"1.5MiB", "1025MiB", "1048577KiB", "1073741825B",
		"18446744073709551615B", "18446744073709551616B",
		"99999999999999999999999999999MiB", "1MiBB", "1KiBs",
		"18446744073709551617B", "36893488147419103233MiB",
	};
	uint64_t bytes = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (units_parse_size(t[i], &bytes) != -1)
			fail_msg("accepted \"%s\"", t[i]);
		assert_int_equal(bytes, 42);
	}
	assert_int_equal(units_parse_size(NULL, &bytes), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_good),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_size_good),
		cmocka_unit_test(test_size_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
