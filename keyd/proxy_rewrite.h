/* The upstream's own URLs in a JSON answer, rewritten to keyd's as the
 * body passes: meta.location, a member's $ref, a Bulk answer's location.
 * A client that follows one comes back through keyd, and never learns
 * where the upstream is. Fed in pieces, so that a URL cut between two
 * reads is still found; no allocation grows past the pieces fed. */
#ifndef KEYD_PROXY_REWRITE_H
#define KEYD_PROXY_REWRITE_H

#include <stddef.h>

/* One form of the base URL: as written, or as JSON may escape it, with
 * every '/' written "\/" (PHP's json_encode and the frameworks on it do). */
struct url_pat {
	char	*from, *to;		/* owned */
	size_t	 from_len, to_len;
	int	 escaped;
};

struct url_rewrite {
	struct url_pat	 pat[2];	/* as written, then escaped */
	char	*held;			/* a possible match cut by a piece's end */
	size_t	 held_len;
	char	*out;			/* rewritten, not yet taken */
	size_t	 out_len, out_off, out_cap;
	size_t	 count;			/* URLs rewritten so far */
	size_t	 count_escaped;		/* of them, in the escaped form */
	int	 done;			/* fed with FINAL */
};

/* Rewrite FROM (an upstream's base URL, no trailing '/') to TO wherever
 * FROM is followed by '/', '?', '#', '"' or the body's end: the URL itself
 * or one under it, never a longer name that starts the same
 * (https://h/scim/v2x). The same for FROM in JSON's escaped form ("\/"
 * for '/'), followed by "\/", '?', '#', '"' or the end, which becomes TO
 * escaped alike. 0, or -1 out of memory. */
int url_rewrite_init(struct url_rewrite *w, const char *from, const char *to)
	__attribute__((warn_unused_result));
void url_rewrite_free(struct url_rewrite *w);

/* The next N bytes of the body; FINAL when it ends after them (N may be
 * 0). What can be decided goes to the output; a possible match at the
 * end is held until the next piece. 0, or -1 out of memory. */
int url_rewrite_feed(struct url_rewrite *w, const char *in, size_t n,
    int final) __attribute__((warn_unused_result));

/* Whether BODY (LEN bytes) may hold FROM in either form: a cheap test
 * before a rewriter is made, true when it holds FROM's host and port. */
int url_rewrite_may_match(const char *from, const char *body, size_t len);

/* Rewrite a whole body, *BUF (*LEN bytes, malloc'd): when anything
 * changes, *BUF is replaced by a new allocation and the old one freed.
 * W must be fresh. 0, or -1 out of memory (*BUF unchanged). */
int url_rewrite_whole(struct url_rewrite *w, char **buf, size_t *len)
	__attribute__((warn_unused_result));

/* Rewritten bytes waiting to be taken. */
size_t url_rewrite_pending(const struct url_rewrite *w);

/* Take up to MAX of them into BUF. Returns how many. */
size_t url_rewrite_take(struct url_rewrite *w, char *buf, size_t max);

#endif
