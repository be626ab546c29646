/* Parsing of the units every keyd setting takes: durations and sizes.
 * Shared by keyd.conf and policy documents so both read "15m" alike. */
#ifndef POLICY_UNITS_H
#define POLICY_UNITS_H

#include <stdint.h>

/* Parse a duration: a positive decimal integer followed by one unit,
 * s, m, h or d ("30s", "15m", "90d"). No unit, an unknown unit, a sign,
 * spaces or overflow past 100 years fail. On success *SECS is seconds.
 * Returns 0, or -1 on a bad value. */
int units_parse_duration(const char *s, int64_t *secs)
	__attribute__((warn_unused_result));

/* Parse a size: a decimal integer followed by B, KiB or MiB ("1MiB",
 * "256KiB", "512B"). Past 1 GiB fails. Returns 0, or -1. */
int units_parse_size(const char *s, uint64_t *bytes)
	__attribute__((warn_unused_result));

#endif
