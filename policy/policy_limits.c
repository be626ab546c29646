/* A role's limits: parsed once at load, read without allocating. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"
#include "policy/policy_int.h"
#include "policy/units.h"

/* 1 when the first BITS bits of A and B agree. */
static int
prefix_eq(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned	full = bits / 8, rem = bits % 8;
	unsigned char	mask;

	if (memcmp(a, b, full) != 0)
		return 0;
	if (rem == 0)
		return 1;
	mask = (unsigned char)(0xffu << (8 - rem));
	return (a[full] & mask) == (b[full] & mask);
}

static void
prefix_mask(unsigned char *a, size_t len, unsigned bits)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			a[i] &= (unsigned char)(0xffu << (8 - bits));
			bits = 0;
		}
	}
}

int
pcidr_parse(const char *s, struct policy_cidr *out)
{
	unsigned char	 net[16];
	char		 addr[64], *slash;
	size_t		 len;
	long		 bits;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(addr))
		return -1;
	memcpy(addr, s, strlen(s) + 1);
	if ((slash = strchr(addr, '/')) == NULL)
		return -1;
	*slash++ = '\0';
	if (*slash == '\0' || strlen(slash) > 3 ||
	    strspn(slash, "0123456789") != strlen(slash))
		return -1;
	bits = strtol(slash, NULL, 10);
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		len = 4;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		len = 16;
	} else
		return -1;
	if (bits > (long)(len * 8))
		return -1;
	out->bits = (unsigned)bits;
	memcpy(net, out->addr, len);
	prefix_mask(net, len, out->bits);
	return memcmp(net, out->addr, len) == 0 ? 0 : -2;
}

/* A CIDR with host bits set ("10.1.2.3/8") is refused: it is a typo for
 * /32 as often as for 10.0.0.0/8, and the two differ by 16M hosts. */
static int
source_parse(struct pctx *c, json_t *v, struct prole *r)
{
	struct policy_cidr	*cidrs;
	unsigned char		 net[16];
	char			 idx[48], text[INET6_ADDRSTRLEN];
	const char		*s;
	size_t			 i;
	int			 rc;

	if (pcheck_strings(c, ".source", v, NULL, "") == -1)
		return -1;
	if ((cidrs = parena_alloc(c->set, json_array_size(v) *
	    sizeof(*cidrs))) == NULL)
		return pfail(c, "", "%s", "out of memory");
	for (i = 0; i < json_array_size(v); i++) {
		s = json_string_value(json_array_get(v, i));
		snprintf(idx, sizeof(idx), ".source[%zu]", i);
		if ((rc = pcidr_parse(s, &cidrs[i])) == -1)
			return pfail(c, idx, "bad CIDR \"%s\"", s);
		if (rc == -2) {
			memcpy(net, cidrs[i].addr, sizeof(net));
			prefix_mask(net, sizeof(net), cidrs[i].bits);
			inet_ntop(cidrs[i].family, net, text, sizeof(text));
			return pfail(c, idx, "bad CIDR \"%s\": host bits are "
			    "set; the network is %s/%u", s, text,
			    cidrs[i].bits);
		}
	}
	r->limits.source = cidrs;
	r->limits.nsource = json_array_size(v);
	return 0;
}

static int
duration_parse(struct pctx *c, const char *key, json_t *v, int64_t *out)
{
	if (!json_is_string(v) || units_parse_duration(json_string_value(v),
	    out) == -1)
		return pfail(c, key, "%s", "bad duration (use a unit: s, m, "
		    "h, d, as in \"15m\")");
	return 0;
}

static int
count_parse(struct pctx *c, const char *key, json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return pfail(c, key, "%s", "must be a positive integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* "N/s" or "N/m", N 1 to 9 digits. */
static int
rate_parse(struct pctx *c, const char *key, json_t *v, struct policy_limits *l)
{
	const char	*s = json_is_string(v) ? json_string_value(v) : "";
	size_t		 n = strspn(s, "0123456789");
	uint64_t	 rate = 0;
	size_t		 i;

	for (i = 0; i < n && n < 10; i++)
		rate = rate * 10 + (uint64_t)(s[i] - '0');
	if (n == 0 || n >= 10 || rate == 0 || (strcmp(s + n, "/s") != 0 &&
	    strcmp(s + n, "/m") != 0))
		return pfail(c, key, "%s", "bad rate (use N/s or N/m, as in "
		    "\"50/s\")");
	l->rate = rate;
	l->rate_period = s[n + 1] == 's' ? 1 : 60;
	return 0;
}

static int
limit_parse(struct pctx *c, const char *k, json_t *v, struct prole *r)
{
	struct policy_limits	*l = &r->limits;
	char			 key[80];

	snprintf(key, sizeof(key), ".%s", k);
	if (strcmp(k, "token_ttl") == 0) {
		if (duration_parse(c, key, v, &l->token_ttl) == -1)
			return -1;
		r->token_ttl = l->token_ttl;
		return 0;
	}
	if (strcmp(k, "key_max_age") == 0)
		return duration_parse(c, key, v, &l->key_max_age);
	if (strcmp(k, "key_overlap") == 0)
		return duration_parse(c, key, v, &l->key_overlap);
	if (strcmp(k, "max_body") == 0)
		return json_is_string(v) && units_parse_size(
		    json_string_value(v), &l->max_body) == 0 ? 0 : pfail(c, key,
		    "%s", "bad size (use B, KiB or MiB, as in \"256KiB\")");
	if (strcmp(k, "burst") == 0)
		return count_parse(c, key, v, &l->burst);
	if (strcmp(k, "max_bulk_operations") == 0)
		return count_parse(c, key, v, &l->max_bulk_operations);
	if (strcmp(k, "rate") == 0)
		return rate_parse(c, key, v, l);
	if (strcmp(k, "source") == 0)
		return source_parse(c, v, r);
	return pfail(c, key, "unknown limit \"%s\"", k);
}

int
plimits_parse(struct pctx *c, json_t *limits, struct prole *r)
{
	const char	*k;
	json_t		*v;
	size_t		 base = strlen(c->path);

	if (!json_is_object(limits))
		return pfail(c, ".limits", "%s", "limits must be an object");
	snprintf(c->path + base, sizeof(c->path) - base, ".limits");
	json_object_foreach(limits, k, v)
		if (limit_parse(c, k, v, r) == -1)
			return -1;
	c->path[base] = '\0';
	return 0;
}

int
policy_role_limits(const struct policy_set *set, const char *role,
    struct policy_limits *out)
{
	const struct prole *r;

	if ((r = prole_find(set, role)) == NULL)
		return -1;
	*out = r->limits;
	return 0;
}

static int
cidrs_match(const struct prole *r, int family, const unsigned char *a)
{
	size_t i;

	for (i = 0; i < r->limits.nsource; i++)
		if (r->limits.source[i].family == family &&
		    prefix_eq(r->limits.source[i].addr, a,
		    r->limits.source[i].bits))
			return 1;
	return 0;
}

int
policy_source_allowed(const struct policy_set *set, const char *role,
    int family, const void *addr)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	const struct prole	*r;
	const unsigned char	*a = addr;

	if (set == NULL || role == NULL || addr == NULL ||
	    (r = prole_find(set, role)) == NULL)
		return 0;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (r->limits.nsource == 0)
		return 1;
	/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d. */
	if (family == AF_INET6 && memcmp(a, mapped, sizeof(mapped)) == 0)
		return cidrs_match(r, AF_INET, a + 12);
	return cidrs_match(r, family, a);
}
