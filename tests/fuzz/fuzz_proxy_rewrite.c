/* libFuzzer target for the answer-body URL rewriter (keyd/proxy_rewrite.c),
 * differential: the body fed in pieces must come out exactly as the body
 * fed whole, and no byte may come out that was neither in the body nor in
 * the replacement. make fuzz builds and runs it.
 * Input: one byte, the piece size (1 to 256), then the body. The base URL
 * is short, so that the fuzzer finds it and its near misses often. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/proxy_rewrite.h"

#define FROM	"http://u/v2"
#define TO	"https://k/scim/v2/hr"
#define FROM_E	"http:\\/\\/u\\/v2"	/* JSON's escaped form of each */
#define TO_E	"https:\\/\\/k\\/scim\\/v2\\/hr"

static char *
rewrite(const uint8_t *in, size_t n, size_t piece, size_t *outlen,
    size_t *count, size_t *escaped)
{
	struct url_rewrite	 w;
	size_t			 off = 0, k, len = 0;
	char			*out;

	if (url_rewrite_init(&w, FROM, TO) == -1 ||
	    (out = malloc(n * strlen(TO_E) + 1)) == NULL)
		abort();
	do {
		k = n - off < piece ? n - off : piece;
		if (url_rewrite_feed(&w, (const char *)in + off, k,
		    off + k == n) == -1)
			abort();
		off += k;
		len += url_rewrite_take(&w, out + len,
		    url_rewrite_pending(&w));
	} while (off < n);
	if (url_rewrite_pending(&w) != 0)
		abort();
	*count = w.count;
	*escaped = w.count_escaped;
	*outlen = len;
	url_rewrite_free(&w);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 piece, la, lb, ca, cb, ea, eb, n;
	char	*a, *b, *whole;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] + 1;
	data++;
	size--;
	a = rewrite(data, size, size > 0 ? size : 1, &la, &ca, &ea);
	b = rewrite(data, size, piece, &lb, &cb, &eb);
	if (la != lb || ca != cb || ea != eb || ea > ca ||
	    memcmp(a, b, la) != 0)
		abort();
	/* Each rewrite adds strlen(TO) - strlen(FROM) bytes, or the same of
	 * the escaped forms, nothing else. */
	if (la != size + (ca - ea) * (strlen(TO) - strlen(FROM)) +
	    ea * (strlen(TO_E) - strlen(FROM_E)))
		abort();
	/* url_rewrite_whole agrees with the streamed result. */
	n = size;
	if ((whole = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	memcpy(whole, data, n);
	{
		struct url_rewrite w;

		if (url_rewrite_init(&w, FROM, TO) == -1 ||
		    url_rewrite_whole(&w, &whole, &n) == -1)
			abort();
		url_rewrite_free(&w);
	}
	if (n != la || memcmp(whole, a, la) != 0)
		abort();
	free(whole);
	free(a);
	free(b);
	return 0;
}
