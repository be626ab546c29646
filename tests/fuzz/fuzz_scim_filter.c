/* libFuzzer target for the SCIM filter and PATCH path parser:
 *   clang -fsanitize=fuzzer,address -I. tests/fuzz/fuzz_scim_filter.c \
 *       keyd/scim/filter.c keyd/utf8.c
 * The first byte picks the entry point; the rest is the input, passed
 * with its exact length so a read past it trips ASan. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyd/scim/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every reported path is non-empty, NUL-terminated within bounds and
 * unique; an error carries its position. */
static void
check(int rc, const struct scim_filter_attrs *a,
    const struct scim_filter_error *e, size_t len)
{
	size_t i, j;

	if (rc != 0) {
		if (e->pos > len || strncmp(e->msg, "at byte ", 8) != 0)
			abort();
		return;
	}
	if (a->n > SCIM_FILTER_MAX_ATTRS)
		abort();
	for (i = 0; i < a->n; i++) {
		if (memchr(a->path[i], '\0', sizeof(a->path[i])) == NULL ||
		    a->path[i][0] == '\0')
			abort();
		for (j = 0; j < i; j++)
			if (strcasecmp(a->path[i], a->path[j]) == 0)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scim_filter_attrs a;
	static struct scim_filter_path p;
	struct scim_filter_error e;
	const char *s = (const char *)data + 1;
	int rc;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		rc = scim_filter_parse_path(s, size - 1, &p, &e);
		check(rc, &p.filter, &e, size - 1);
	} else {
		rc = scim_filter_parse(s, size - 1, &a, &e);
		check(rc, &a, &e, size - 1);
	}
	return 0;
}
