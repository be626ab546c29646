/* What policy_decide and policy_decide_bulk are handed: bulk requests
 * (each operation decided on its own, the envelope's upstream and scope),
 * malformed facts, which always deny, and the facts helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/policy_decide_run.h"

/* One bulk request: the envelope's upstream and scope, its operations. */
struct bop {
	enum policy_op	 op;
	const char	*res, *id, *w, *vals, *up;
};

struct bcase {
	const char	*role, *up, *scope;
	size_t		 nops;
	struct bop	 ops[5];
	enum policy_effect eff;
	long		 index;
	const char	*rule, *why;
};

#define UC(x)	{ .op = C, .res = "User", .w = (x) }
#define UP(x)	{ .op = P, .res = "User", .id = "u1", .w = (x) }

static const struct bcase bcases[] = {
	/* One forbidden operation among allowed ones. */
	{ .role = SP, .nops = 3, .ops = { UC("userName"), UP("active"),
	  UC("userName|roles") },
	  .eff = DENY, .index = 2, .rule = SP "#1",
	  .why = "deny: bulk operation 2: rule " SP "#1 forbids writing attribute roles" },
	{ .role = SP, .nops = 2, .ops = { UC("userName"), UP("active") },
	  .eff = ALLOW, .index = -1, .rule = SP "#4",
	  .why = "allow: rule " SP "#4 allows bulk; all 2 operations are allowed" },
	{ .role = SP, .nops = 0,
	  .eff = ALLOW, .index = -1, .rule = SP "#4", .why = "all 0 operations" },
	{ .role = SP, .nops = 4, .ops = { UC("userName"), UC("userName"),
	  UC("userName"), UC("userName") },
	  .eff = DENY, .index = -1, .rule = "",
	  .why = "deny: the bulk request has 4 operations; role " SP " allows at most 3 (limits.max_bulk_operations)" },
	{ .role = SP, .nops = 2, .ops = { UC("userName"),
	  { .op = D, .res = "User", .id = "u1" } },
	  .eff = DENY, .index = 1, .rule = "",
	  .why = "deny: bulk operation 1: no rule of role " SP " allows delete on User" },
	{ .role = SP, .nops = 2, .ops = { UC("userName"), { .op = S, .res = "User" } },
	  .eff = DENY, .index = 1, .rule = "",
	  .why = "bulk operation 1: a bulk operation must be create, replace, patch or delete, not search" },
	{ .role = SP, .nops = 1, .ops = { { .op = B } },
	  .eff = DENY, .index = 0, .rule = "", .why = "not bulk" },
	{ .role = SP, .nops = 1, .ops = { { .op = DI, .res = "Schemas" } },
	  .eff = DENY, .index = 0, .rule = "", .why = "not discover" },
	{ .role = SP, .nops = 1, .ops = { { .op = P, .res = "Group", .id = "g1", .w = "members" } },
	  .eff = DENY, .index = 0, .rule = SP "#3",
	  .why = "bulk operation 0: rule " SP "#3 forbids patch on Group where displayName matches" },
	{ .role = SP, .nops = 1, .ops = { { .op = P, .res = "Group", .id = "g1",
	  .w = "members", .vals = "^displayName=Sales" } },
	  .eff = ALLOW, .index = -1, .rule = SP "#4", .why = "all 1 operations" },
	{ .role = SP, .nops = 2, .ops = { UC("userName"), { .op = C, .res = "Widget" } },
	  .eff = DENY, .index = 1, .rule = "",
	  .why = "bulk operation 1: unknown resource type Widget" },
	{ .role = RD, .nops = 1, .ops = { UC("userName") },
	  .eff = DENY, .index = -1, .rule = "", .why = "deny: no rule of role " RD " allows bulk" },
	/* Token scopes: the envelope's, for every operation. */
	{ .role = SP, .scope = "scim:User.create", .nops = 1, .ops = { UC("userName") },
	  .eff = DENY, .index = -1, .rule = "", .why = "deny: token scope lacks scim:bulk" },
	{ .role = SP, .scope = "scim:bulk scim:User.create", .nops = 2,
	  .ops = { UC("userName"), UP("active") },
	  .eff = DENY, .index = 1, .rule = "",
	  .why = "deny: bulk operation 1: token scope lacks scim:User.patch" },
	{ .role = SP, .scope = "scim:bulk scim:User.create scim:User.patch", .nops = 2,
	  .ops = { UC("userName"), UP("active") },
	  .eff = ALLOW, .index = -1, .rule = SP "#4", .why = "allows bulk" },
	/* The envelope's upstream, whatever an operation says. */
	{ .role = HR, .nops = 1, .ops = { { .op = C, .res = "User", .w = "userName", .up = "crm" } },
	  .eff = ALLOW, .index = -1, .rule = HR "#5", .why = "allows bulk" },
	{ .role = HR, .up = "crm", .nops = 1, .ops = { UC("userName") },
	  .eff = DENY, .index = -1, .rule = "", .why = "no rule of role " HR " allows bulk" },
	{ .role = HR, .nops = 3, .ops = { UC("userName"),
	  { .op = D, .res = "User", .id = "admin-3" }, UP("active") },
	  .eff = DENY, .index = 1, .rule = HR "#3",
	  .why = "bulk operation 1: rule " HR "#3 forbids delete on User where id is \"admin-3\"" },
	/* No max_bulk_operations: no limit from the policy. */
	{ .role = AD, .nops = 5, .ops = { UC("roles"), { .op = D, .res = "Group", .id = "g" },
	  { .op = C, .res = "Device", .w = "serial" }, UP("x509Certificates"),
	  { .op = PUT, .res = "Group", .id = "g2", .w = "members" } },
	  .eff = ALLOW, .index = -1, .rule = AD "#0", .why = "all 5 operations" },
	{ .role = NK, .nops = 1, .ops = { UC("userName") },
	  .eff = DENY, .index = -1, .rule = NK "#1", .why = "forbids bulk" },
};

static void
bop_fill(const struct bop *o, struct tbuf *b, struct policy_facts *f)
{
	struct tcase t = { .up = o->up != NULL ? o->up : "nowhere",
	    .res = o->res, .op = o->op, .id = o->id, .w = o->w,
	    .vals = o->vals, .scope = "bogus" };

	facts_fill(&t, b, f);
}

static void
test_bulk(void **state)
{
	static struct tbuf	 bufs[5];
	const struct policy_set	*set = *state;
	struct policy_facts	 env, ops[5];
	struct policy_decision	 d, step;
	const struct bcase	*t;
	size_t			 i, k;
	int			 rc, src;

	for (i = 0; i < sizeof(bcases) / sizeof(bcases[0]); i++) {
		t = &bcases[i];
		policy_facts_init(&env, t->up != NULL ? t->up : "hr", NULL, B);
		env.scope = t->scope;
		for (k = 0; k < t->nops; k++)
			bop_fill(&t->ops[k], &bufs[k], &ops[k]);
		rc = policy_decide_bulk(set, t->role, &env, ops, t->nops, &d);
		check_decision(i, rc, &d, t->eff, t->rule, t->why);
		if (d.bulk_index != t->index)
			fail_msg("bulk case %zu: index %ld, want %ld", i,
			    d.bulk_index, t->index);
		/* The step API agrees. */
		src = policy_decide_bulk_envelope(set, t->role, &env, t->nops,
		    &step);
		for (k = 0; src == 0 && k < t->nops; k++)
			src = policy_decide_bulk_op(set, t->role, &env, k,
			    &ops[k], &step);
		assert_int_equal(src, rc);
		if (rc == -1)
			assert_string_equal(step.reason, d.reason);
	}
}

static void
test_bulk_malformed(void **state)
{
	const struct policy_set	*set = *state;
	struct policy_facts	 env, op;
	struct policy_decision	 d;

	policy_facts_init(&env, "hr", "User", C);
	assert_int_equal(policy_decide_bulk(set, SP, &env, NULL, 0, &d), -1);
	assert_non_null(strstr(d.reason, "must have operation bulk"));
	assert_int_equal(policy_decide_bulk(set, SP, NULL, NULL, 0, &d), -1);
	policy_facts_init(&env, "hr", NULL, B);
	assert_int_equal(policy_decide_bulk(set, SP, &env, NULL, 1, &d), -1);
	assert_non_null(strstr(d.reason, "no bulk operations"));
	assert_int_equal(policy_decide_bulk_op(set, SP, &env, 0, NULL, &d), -1);
	assert_int_equal(policy_decide_bulk_op(set, SP, NULL, 0, &env, &d), -1);
	policy_facts_init(&op, "hr", "User", (enum policy_op)99);
	assert_int_equal(policy_decide_bulk_op(set, SP, &env, 7, &op, &d), -1);
	assert_int_equal(d.bulk_index, 7);
	assert_non_null(strstr(d.reason, "bulk operation 7"));
}

/* Every way a caller can hand over broken facts denies. */
static void
test_malformed_facts(void **state)
{
	const struct policy_set	*set = *state;
	struct policy_facts	 f;
	struct policy_decision	 d;

	policy_facts_init(&f, "hr", "User", R);
	assert_int_equal(policy_decide(set, SP, &f, &d), 0);
	assert_int_equal(policy_decide(NULL, SP, &f, &d), -1);
	assert_int_equal(d.effect, POLICY_DENY);
	assert_int_equal(policy_decide(set, NULL, &f, &d), -1);
	assert_int_equal(policy_decide(set, SP, NULL, &d), -1);
	f.upstream = NULL;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	assert_non_null(strstr(d.reason, "malformed request facts"));
	f.upstream = "hr";
	f.op = (enum policy_op)42;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	assert_non_null(strstr(d.reason, "malformed"));
	f.op = POLICY_OP_COUNT;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	f.op = C;
	f.nwritten = POLICY_FACTS_WRITTEN + 1;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	assert_non_null(strstr(d.reason, "malformed"));
	f.nwritten = 1;
	f.written[0] = NULL;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	f.written[0] = "userName";
	assert_int_equal(policy_decide(set, SP, &f, &d), 0);
	f.nfiltered = POLICY_FACTS_FILTERED + 1;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	f.nfiltered = 1;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	f.filtered[0] = "userName";
	f.nvalues = 1;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	f.values[0].attr = "displayName";
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	f.values[0].value = "x";
	assert_int_equal(policy_decide(set, SP, &f, &d), 0);
	f.nvalues = POLICY_FACTS_VALUES + 1;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	f.nvalues = 0;
	f.resource = NULL;
	assert_int_equal(policy_decide(set, SP, &f, &d), -1);
	assert_non_null(strstr(d.reason, "names no resource type"));
}

static void
test_facts_helpers(void **state)
{
	struct policy_facts	 f;
	char			 names[POLICY_FACTS_WRITTEN + 1][16];
	size_t			 i;

	(void)state;
	memset(&f, 0x5a, sizeof(f));
	policy_facts_init(&f, "hr", "User", P);
	assert_string_equal(f.upstream, "hr");
	assert_string_equal(f.resource, "User");
	assert_int_equal(f.op, P);
	assert_null(f.id);
	assert_null(f.scope);
	assert_int_equal(f.nwritten + f.nfiltered + f.nvalues, 0);
	/* One attribute, four spellings. */
	assert_int_equal(policy_facts_add_written(&f, "emails"), 0);
	assert_int_equal(policy_facts_add_written(&f, "Emails"), 0);
	assert_int_equal(policy_facts_add_written(&f,
	    "emails[type eq \"work\"]"), 0);
	assert_int_equal(policy_facts_add_written(&f, CORE_U ":EMAILS"), 0);
	assert_int_equal(f.nwritten, 1);
	/* A sub-attribute is another path. */
	assert_int_equal(policy_facts_add_written(&f, "emails.value"), 0);
	assert_int_equal(f.nwritten, 2);
	assert_int_equal(policy_facts_add_written(&f, NULL), -1);
	for (i = 0; i < POLICY_FACTS_WRITTEN + 1; i++)
		snprintf(names[i], sizeof(names[i]), "a%zu", i);
	for (i = 0; i < POLICY_FACTS_WRITTEN - 2; i++)
		assert_int_equal(policy_facts_add_written(&f, names[i]), 0);
	assert_int_equal(f.nwritten, POLICY_FACTS_WRITTEN);
	assert_int_equal(policy_facts_add_written(&f, "full"), -1);
	assert_int_equal(policy_facts_add_written(&f, "A0"), 0);	/* dup */
	assert_int_equal(f.nwritten, POLICY_FACTS_WRITTEN);
	for (i = 0; i < POLICY_FACTS_FILTERED; i++)
		assert_int_equal(policy_facts_add_filtered(&f, names[i]), 0);
	assert_int_equal(policy_facts_add_filtered(&f, "full"), -1);
	for (i = 0; i < POLICY_FACTS_VALUES; i++)
		assert_int_equal(policy_facts_add_value(&f, "displayName",
		    names[i], (int)(i % 2)), 0);
	assert_int_equal(policy_facts_add_value(&f, "x", "y", 0), -1);
	assert_int_equal(f.values[1].stored, 1);
	assert_int_equal(f.values[0].stored, 0);
	policy_facts_init(&f, "hr", "User", P);
	assert_int_equal(policy_facts_add_value(&f, NULL, "y", 0), -1);
	assert_int_equal(policy_facts_add_value(&f, "x", NULL, 0), -1);
	assert_int_equal(policy_facts_add_filtered(&f, NULL), -1);
	assert_string_equal(policy_op_name(DI), "discover");
	assert_string_equal(policy_op_name(C), "create");
	assert_string_equal(policy_op_name((enum policy_op)99), "?");
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bulk),
		T(test_bulk_malformed),
		T(test_malformed_facts),
		cmocka_unit_test(test_facts_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
