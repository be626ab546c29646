/* bench_policy: decisions per second on a realistic 20-role policy.
 * Usage: bench_policy POLICY.json. Each request kind runs for about half a
 * second (doubling the iteration count until it does), then the four kinds
 * interleaved. Exits 1 when a decision is not the one expected or the
 * policy does not load; speed alone never fails it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/policy.h"

#define ENT	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define DOC_MAX	(1u << 20)
#define RUN_NS	500000000ull	/* per measurement */
#define GOAL_NS	1000.0

struct kind {
	const char		*name, *role;
	struct policy_facts	 f;
	int			 want;	/* 0 allow, -1 deny */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(DOC_MAX)) != NULL) {
		*len = fread(buf, 1, DOC_MAX, fp);
		if (ferror(fp) || *len == DOC_MAX) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

static void
add(struct policy_facts *f, const char *path)
{
	if (policy_facts_add_written(f, path) == -1)
		abort();
}

/* GET /Users/{id}; POST /Users with 10 attributes; PATCH /Users/{id}
 * with 5 paths; a PATCH writing roles, refused; a Group PATCH whose
 * target's displayName the caller fetched. */
static size_t
kinds_build(struct kind *k)
{
	static const char *const create[] = { "userName", "name.givenName",
	    "name.familyName", "displayName", "emails", "active",
	    "externalId", "title", ENT ":employeeNumber", ENT ":department" };
	static const char *const patch[] = { "active",
	    "emails[type eq \"work\"].value", "title", ENT ":department",
	    "name.givenName" };
	size_t i;

	k[0] = (struct kind){ .name = "read (GET /Users/{id})",
	    .role = "okta-prod", .want = 0 };
	policy_facts_init(&k[0].f, "corp", "User", POLICY_OP_READ);
	k[0].f.id = "2819c223-7f76-453a-919d-413861904646";
	k[1] = (struct kind){ .name = "create, 10 attributes",
	    .role = "entra-prod", .want = 0 };
	policy_facts_init(&k[1].f, "corp", "User", POLICY_OP_CREATE);
	for (i = 0; i < sizeof(create) / sizeof(*create); i++)
		add(&k[1].f, create[i]);
	k[2] = (struct kind){ .name = "PATCH, 5 paths",
	    .role = "workday-hr", .want = 0 };
	policy_facts_init(&k[2].f, "hr", "User", POLICY_OP_PATCH);
	k[2].f.id = "2819c223";
	k[2].f.scope = "scim:User.create scim:User.patch scim:User.read "
	    "scim:User.replace scim:User.search scim:discover";
	for (i = 0; i < sizeof(patch) / sizeof(*patch); i++)
		add(&k[2].f, patch[i]);
	k[3] = (struct kind){ .name = "denied (PATCH roles)",
	    .role = "sailpoint", .want = -1 };
	policy_facts_init(&k[3].f, "corp", "User", POLICY_OP_PATCH);
	k[3].f.id = "2819c223";
	add(&k[3].f, "active");
	add(&k[3].f, "roles[primary eq true].value");
	k[4] = (struct kind){ .name = "Group PATCH, where known",
	    .role = "group-sync", .want = 0 };
	policy_facts_init(&k[4].f, "corp", "Group", POLICY_OP_PATCH);
	k[4].f.id = "e9e30dba";
	add(&k[4].f, "members");
	if (policy_facts_add_value(&k[4].f, "displayName", "Engineering", 1))
		abort();
	return 5;
}

static int
verify(const struct policy_set *set, const struct kind *k, size_t n)
{
	struct policy_decision	d;
	size_t			i;
	int			rc = 0;

	for (i = 0; i < n; i++) {
		if (policy_decide(set, k[i].role, &k[i].f, &d) != k[i].want) {
			fprintf(stderr, "bench_policy: %s: unexpected: %s\n",
			    k[i].name, d.reason);
			rc = -1;
		}
	}
	return rc;
}

/* Run ITERS decisions over the N kinds at K, round robin; ns elapsed. */
static uint64_t
run(const struct policy_set *set, const struct kind *k, size_t n,
    uint64_t iters, unsigned *sink)
{
	struct policy_decision	d;
	uint64_t		i, t0 = now_ns();

	for (i = 0; i < iters; i++) {
		*sink += (unsigned)policy_decide(set, k[i % n].role,
		    &k[i % n].f, &d);
		*sink += (unsigned char)d.reason[0];
	}
	return now_ns() - t0;
}

static double
measure(const struct policy_set *set, const struct kind *k, size_t n,
    const char *name, unsigned *sink)
{
	uint64_t	iters = 10000, ns;
	double		per;

	while ((ns = run(set, k, n, iters, sink)) < RUN_NS &&
	    iters < (1ull << 32))
		iters *= 2;
	per = (double)ns / (double)iters;
	printf("  %-28s %10.0f decisions/s %8.1f ns/decision  (%llu runs)\n",
	    name, 1e9 / per, per, (unsigned long long)iters);
	return per;
}

int
main(int argc, char **argv)
{
	struct policy_set	*set = NULL;
	struct policy_error	 err;
	struct kind		 k[5];
	size_t			 len, n, i;
	unsigned		 sink = 0;
	char			*doc;
	double			 worst = 0, per;

	if (argc != 2 || (doc = slurp(argv[1], &len)) == NULL) {
		fprintf(stderr, "usage: bench_policy POLICY.json (readable, "
		    "under 1 MiB)\n");
		return 1;
	}
	if (policy_load(doc, len, &set, &err) != 0) {
		fprintf(stderr, "bench_policy: %s: %s: %s\n", argv[1],
		    err.path, err.msg);
		free(doc);
		return 1;
	}
	free(doc);
	n = kinds_build(k);
	if (verify(set, k, n) == -1) {
		policy_free(&set);
		return 1;
	}
	printf("policy bench: %zu roles from %s\n", policy_role_count(set),
	    argv[1]);
	for (i = 0; i < n; i++)
		if ((per = measure(set, &k[i], 1, k[i].name, &sink)) > worst)
			worst = per;
	per = measure(set, k, 4, "mix of the first four", &sink);
	printf("goal < %.0f ns/decision: %s (slowest kind %.1f ns, mix "
	    "%.1f ns)  [sink %u]\n", GOAL_NS, worst < GOAL_NS ? "met" :
	    "NOT met", worst, per, sink & 1);
	policy_free(&set);
	return 0;
}
