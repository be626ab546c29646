/* Durations and sizes with a mandatory unit: "15m", "90d", "1MiB". */
#include <stddef.h>
#include <string.h>

#include "policy/units.h"

#define UNITS_DURATION_MAX	((uint64_t)36500 * 86400)	/* 100 years */
#define UNITS_SIZE_MAX		((uint64_t)1 << 30)		/* 1 GiB */

struct units_suffix {
	const char	*name;
	uint64_t	 scale;
};

static const struct units_suffix units_durations[] = {
	{ "s", 1 },
	{ "m", 60 },
	{ "h", 3600 },
	{ "d", 86400 },
	{ NULL, 0 }
};

static const struct units_suffix units_sizes[] = {
	{ "B", 1 },
	{ "KiB", (uint64_t)1 << 10 },
	{ "MiB", (uint64_t)1 << 20 },
	{ NULL, 0 }
};

/* Leading decimal digits of S into *N; *END points past them. Fails on no
 * digits or on overflow, so a 30-digit number cannot wrap to a small one. */
static int
units_digits(const char *s, uint64_t *n, const char **end)
{
	uint64_t v = 0, d;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		d = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == s)
		return -1;
	*n = v;
	*end = p;
	return 0;
}

/* NUMBER UNIT with UNIT from TABLE, 0 < result <= MAX. */
static int
units_parse(const char *s, const struct units_suffix *table, uint64_t max,
    uint64_t *out)
{
	const char *unit;
	uint64_t n;
	size_t i;

	if (s == NULL || units_digits(s, &n, &unit) == -1)
		return -1;
	for (i = 0; table[i].name != NULL; i++) {
		if (strcmp(unit, table[i].name) != 0)
			continue;
		if (n == 0 || n > max / table[i].scale)
			return -1;
		*out = n * table[i].scale;
		return 0;
	}
	return -1;
}

int
units_parse_duration(const char *s, int64_t *secs)
{
	uint64_t v;

	if (units_parse(s, units_durations, UNITS_DURATION_MAX, &v) == -1)
		return -1;
	*secs = (int64_t)v;
	return 0;
}

int
units_parse_size(const char *s, uint64_t *bytes)
{
	return units_parse(s, units_sizes, UNITS_SIZE_MAX, bytes);
}
