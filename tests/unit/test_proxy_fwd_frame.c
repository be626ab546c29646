/* proxy_fwd_frame: an upstream answer's body framing. Each case is the
 * bytes that follow a head, fed whole and then one byte at a time; what
 * the body must be, how many bytes the frame takes (the rest belongs to
 * the next answer), and whether it is done or malformed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/proxy_fwd_frame.h"

struct frame_case {
	enum fwd_frame_mode	 mode;
	uint64_t		 clen;
	const char		*in;
	const char		*body;	/* NULL: malformed */
	size_t			 taken;	/* of IN, when well formed */
	int			 done;
};

#define LEN	FWD_FRAME_LENGTH
#define CHK	FWD_FRAME_CHUNKED
#define CLOSE	FWD_FRAME_CLOSE

static const struct frame_case cases[] = {
	{ FWD_FRAME_NONE, 0, "HTTP/1.1 200 OK", "", 0, 1 },
	{ LEN, 0, "next", "", 0, 1 },
	{ LEN, 5, "hello", "hello", 5, 1 },
	{ LEN, 5, "hel", "hel", 3, 0 },
	/* what follows the body is the next answer's, never taken */
	{ LEN, 5, "helloHTTP/1.1", "hello", 5, 1 },
	{ CLOSE, 0, "all of it", "all of it", 9, 0 },
	{ CHK, 0, "5\r\nhello\r\n0\r\n\r\n", "hello", 15, 1 },
	{ CHK, 0, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nX", "hello world",
	  26, 1 },
	/* upper- and lower-case hex, leading zeros, extensions, bare LF */
	{ CHK, 0, "A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 20, 1 },
	{ CHK, 0, "a;name=\"v\"\r\n0123456789\r\n00\r\n\r\n", "0123456789",
	  30, 1 },
	{ CHK, 0, "0005 ;x\r\nhello\r\n0\r\n\r\n", "hello", 21, 1 },
	{ CHK, 0, "5\nhello\n0\n\n", "hello", 11, 1 },
	/* trailers are read and dropped */
	{ CHK, 0, "2\r\nok\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\nNEXT", "ok", 28,
	  1 },
	{ CHK, 0, "2\r\nok\r\n0\r\n", "ok", 10, 0 },
	{ CHK, 0, "2\r\nok", "ok", 5, 0 },
	/* malformed */
	{ CHK, 0, "\r\n", NULL, 0, 0 },
	{ CHK, 0, "x\r\n", NULL, 0, 0 },
	{ CHK, 0, "-1\r\n", NULL, 0, 0 },
	{ CHK, 0, ";ext\r\n", NULL, 0, 0 },
	{ CHK, 0, "5x\r\nhello\r\n", NULL, 0, 0 },
	{ CHK, 0, "2\r\nokX\r\n", NULL, 0, 0 },
	{ CHK, 0, "2\r\nok\r\r\n", NULL, 0, 0 },
	{ CHK, 0, "2;\x01\r\nok\r\n", NULL, 0, 0 },
	/* 16 hex digits could pass 2^63: refused */
	{ CHK, 0, "1000000000000000\r\n", NULL, 0, 0 },
	{ CHK, 0, "fffffffffffffff\r\n", "", 17, 0 },
};

struct sink {
	char	buf[256];
	size_t	len;
	int	refuse;
};

static int
emit(void *cls, const char *data, size_t n)
{
	struct sink *s = cls;

	if (s->refuse)
		return -1;
	if (s->len + n >= sizeof(s->buf))
		fail_msg("emit past the sink");
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return 0;
}

/* Feed IN in pieces of STEP bytes (0: whole); the count taken, -1 when
 * malformed. Feeding stops where the frame takes less than it is given. */
static ssize_t
run(const struct frame_case *c, size_t step, struct sink *s)
{
	struct fwd_frame	 fr;
	size_t			 n = strlen(c->in), i = 0, k;
	ssize_t			 t;

	memset(s, 0, sizeof(*s));
	fwd_frame_init(&fr, c->mode, c->clen);
	while (i < n) {
		k = step == 0 || n - i < step ? n - i : step;
		if ((t = fwd_frame_feed(&fr, c->in + i, k, emit, s)) == -1) {
			assert_true(fr.bad);
			return -1;
		}
		i += (size_t)t;
		if ((size_t)t < k)
			break;
	}
	if (fr.done != c->done)
		fail_msg("\"%s\" (step %zu): done %d", c->in, step, fr.done);
	return (ssize_t)i;
}

static void
test_table(void **state)
{
	static const size_t steps[] = { 0, 1, 2, 7 };
	struct sink	s;
	size_t		i, j;
	ssize_t		t;
	int		good = 0, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct frame_case *c = &cases[i];

		for (j = 0; j < sizeof(steps) / sizeof(steps[0]); j++) {
			t = run(c, steps[j], &s);
			if (c->body == NULL) {
				if (t != -1)
					fail_msg("case %zu (step %zu): taken "
					    "as well formed", i, steps[j]);
				continue;
			}
			if (t != (ssize_t)c->taken || s.len != strlen(c->body) ||
			    memcmp(s.buf, c->body, s.len) != 0)
				fail_msg("case %zu (step %zu): took %zd, body "
				    "\"%.*s\"", i, steps[j], t, (int)s.len,
				    s.buf);
		}
		if (c->body == NULL)
			bad++;
		else
			good++;
	}
	assert_true(good > 10 && bad > 5);
}

/* A size line or a trailer section past its bound is malformed. */
static void
test_bounds(void **state)
{
	struct fwd_frame	 fr;
	struct sink		 s;
	char			*big;
	size_t			 n = FWD_TRAILER_MAX + 16;

	(void)state;
	assert_non_null(big = malloc(n));
	memset(&s, 0, sizeof(s));
	memset(big, ' ', n);
	big[0] = '1';
	big[1] = ';';
	fwd_frame_init(&fr, CHK, 0);
	assert_int_equal(fwd_frame_feed(&fr, big, FWD_CHUNK_LINE_MAX + 1, emit,
	    &s), -1);

	fwd_frame_init(&fr, CHK, 0);
	assert_int_equal(fwd_frame_feed(&fr, "0\r\n", 3, emit, &s), 3);
	memset(big, 'x', n);
	assert_int_equal(fwd_frame_feed(&fr, big, n, emit, &s), -1);
	assert_true(fr.bad);
	free(big);
}

/* EOF ends a body read to the close, and cuts short any other. */
static void
test_eof(void **state)
{
	struct fwd_frame	fr;
	struct sink		s;

	(void)state;
	memset(&s, 0, sizeof(s));
	fwd_frame_init(&fr, CLOSE, 0);
	assert_int_equal(fwd_frame_feed(&fr, "abc", 3, emit, &s), 3);
	assert_int_equal(fwd_frame_eof(&fr), 0);
	assert_true(fr.done);

	fwd_frame_init(&fr, LEN, 4);
	assert_int_equal(fwd_frame_feed(&fr, "abc", 3, emit, &s), 3);
	assert_int_equal(fwd_frame_eof(&fr), -1);

	fwd_frame_init(&fr, CHK, 0);
	assert_int_equal(fwd_frame_feed(&fr, "3\r\nabc\r\n", 8, emit, &s), 8);
	assert_int_equal(fwd_frame_eof(&fr), -1);

	/* and a refusing sink stops the feed */
	s.refuse = 1;
	fwd_frame_init(&fr, LEN, 4);
	assert_int_equal(fwd_frame_feed(&fr, "abcd", 4, emit, &s), -1);
	assert_false(fr.done);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_eof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
