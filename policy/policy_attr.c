/* SCIM attribute paths as the policy compares them: case-insensitive (RFC
 * 7643 §2.1), the core schema URN prefix optional, a sub-attribute under
 * its parent and an extension's attributes under its URN. ASCII folding
 * only: attribute names are ASCII, and no locale may change a decision. */
#include <string.h>

#include "policy/policy_int.h"

#define CORE_URN	"urn:ietf:params:scim:schemas:core:2.0:"
#define CORE_URN_LEN	(sizeof(CORE_URN) - 1)

static unsigned char
fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

static int
ci_eq_n(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
			return 0;
	return 1;
}

int
pci_eq(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && ci_eq_n(a, b, n);
}

/* The attribute PATH names: cut at a value filter's "[", and past the
 * core schema URN ("urn:…:core:2.0:User:name.givenName" is name.givenName,
 * for any core resource type, so that no spelling slips past a deny). The
 * core URN alone names the whole resource: length 0. Extension URNs stay,
 * they are part of the attribute's name. */
void
pattr_view(const char *path, const char **p, size_t *n)
{
	size_t		 len = strcspn(path, "[");
	const char	*colon;

	*p = path;
	*n = len;
	if (len < CORE_URN_LEN || !ci_eq_n(path, CORE_URN, CORE_URN_LEN))
		return;
	colon = memchr(path + CORE_URN_LEN, ':', len - CORE_URN_LEN);
	if (colon == NULL) {
		*p = path + len;
		*n = 0;
		return;
	}
	*p = colon + 1;
	*n = len - (size_t)(*p - path);
}

/* RFC 7643 attribute names are ALPHA *(nameChar); paths add "." and URNs
 * add ":"; "$ref" is a sub-attribute. Anything else in a rule is a typo
 * or a filter, which a rule cannot hold. */
int
pattr_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > POLICY_ATTR_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.:$") == n && s[0] != '.' && s[n - 1] != '.';
}

/* 1 when ANC is P or an ancestor of it: "name" holds "name.givenName", an
 * extension URN holds "URN:attr". Length 0 holds everything. */
int
pattr_under(const char *anc, size_t alen, const char *p, size_t plen)
{
	if (alen == 0)
		return 1;
	if (plen < alen || !ci_eq_n(anc, p, alen))
		return 0;
	if (plen == alen || p[alen] == '.')
		return 1;
	return p[alen] == ':' && alen >= 4 && ci_eq_n(anc, "urn:", 4);
}

int
pattr_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && ci_eq_n(a, b, alen);
}

/* Match S against PAT, case-insensitively, "*" standing for any run of
 * characters. Iterative with one backtrack point: linear in practice and
 * never recursive, whatever the pattern. */
int
pglob_match(const char *pat, const char *s)
{
	const char *p = pat, *t = s, *star = NULL, *mark = NULL;

	while (*t != '\0') {
		if (*p == '*') {
			star = p++;
			mark = t;
		} else if (*p != '\0' && fold((unsigned char)*p) ==
		    fold((unsigned char)*t)) {
			p++;
			t++;
		} else if (star != NULL) {
			p = star + 1;
			t = ++mark;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
