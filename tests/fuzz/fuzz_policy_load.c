/* libFuzzer target for policy_load: any input either loads or is refused
 * with a path and a reason; a loaded set answers every accessor and a
 * handful of decisions without crashing, and those decisions keep their
 * invariants (a reason that starts with the effect, a rule on every
 * allow, a token holding all of a role's scopes decided as the role). */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ENT "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

static void
check(const struct policy_decision *d, int rc)
{
	if ((rc == 0) != (d->effect == POLICY_ALLOW))
		abort();
	if (memchr(d->reason, '\0', sizeof(d->reason)) == NULL ||
	    memchr(d->rule, '\0', sizeof(d->rule)) == NULL)
		abort();
	if (strncmp(d->reason, rc == 0 ? "allow: " : "deny: ",
	    rc == 0 ? 7 : 6) != 0)
		abort();
	if (rc == 0 && (d->rule[0] == '\0' || d->rule_index < 0))
		abort();
}

/* Decide F as ROLE with no token, then with a token holding all of the
 * role's scopes: the two must agree. */
static void
decide_both(const struct policy_set *set, const char *role,
    struct policy_facts *f, const char *scopes)
{
	struct policy_decision	d;
	int			rc, rc2;

	f->scope = NULL;
	rc = policy_decide(set, role, f, &d);
	check(&d, rc);
	f->scope = scopes;
	rc2 = policy_decide(set, role, f, &d);
	check(&d, rc2);
	if (rc != rc2)
		abort();
	f->scope = NULL;
}

static void
requests(const struct policy_set *set, const char *role, const char *scopes)
{
	static const char *const res[] = { "User", "Group", "Device",
	    "Schemas", "Widget" };
	struct policy_facts	f;
	size_t			i;
	int			op;

	for (i = 0; i < sizeof(res) / sizeof(*res); i++)
		for (op = 0; op < POLICY_OP_COUNT; op++) {
			policy_facts_init(&f, i % 2 ? "hr" : "crm", res[i],
			    (enum policy_op)op);
			f.id = op == POLICY_OP_CREATE ? NULL : "admin-1";
			if (policy_facts_add_written(&f, "userName") ||
			    policy_facts_add_written(&f, "Name.GivenName") ||
			    policy_facts_add_written(&f, ENT ":manager") ||
			    policy_facts_add_filtered(&f,
			    "emails[type eq \"work\"].value") ||
			    policy_facts_add_value(&f, "displayName",
			    "Administrators", op % 2))
				abort();
			decide_both(set, role, &f, scopes);
			f.nwritten = f.nfiltered = f.nvalues = 0;
			decide_both(set, role, &f, scopes);
		}
}

static void
bulk(const struct policy_set *set, const char *role)
{
	struct policy_facts	env, ops[2];
	struct policy_decision	d;
	int			rc;

	policy_facts_init(&env, "hr", NULL, POLICY_OP_BULK);
	policy_facts_init(&ops[0], NULL, "User", POLICY_OP_CREATE);
	policy_facts_init(&ops[1], NULL, "Group", POLICY_OP_DELETE);
	ops[1].id = "g1";
	rc = policy_decide_bulk(set, role, &env, ops, 2, &d);
	check(&d, rc);
	if (rc == -1 && d.bulk_index > 1)
		abort();
}

static void
accessors(const struct policy_set *set, const char *role)
{
	static const unsigned char a4[4] = { 10, 1, 2, 3 };
	static const unsigned char a6[16] = { [10] = 0xff, [11] = 0xff,
	    [12] = 127, [15] = 1 };
	struct policy_limits	l;
	char			out[POLICY_SCOPES_MAX], bad[160];
	int64_t			ttl;

	if (policy_role_exists(set, role) != 1 ||
	    policy_role_limits(set, role, &l) != 0 ||
	    policy_role_scopes(set, role, out, sizeof(out)) != 0 ||
	    policy_scope_grant(set, role, out, out, sizeof(out), bad,
	    sizeof(bad)) != 0)
		abort();
	(void)policy_role_token_ttl(set, role, &ttl);
	(void)policy_source_allowed(set, role, AF_INET, a4);
	(void)policy_source_allowed(set, role, AF_INET6, a6);
	if (l.nsource > 0 && l.source == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_set	*set = NULL;
	struct policy_error	 err;
	char			 scopes[POLICY_SCOPES_MAX];
	const char		*role;
	size_t			 i;

	if (policy_load((const char *)data, size, &set, &err) != 0) {
		if (set != NULL || err.msg[0] == '\0' ||
		    memchr(err.msg, '\0', sizeof(err.msg)) == NULL ||
		    memchr(err.path, '\0', sizeof(err.path)) == NULL)
			abort();
		return 0;
	}
	for (i = 0; i < policy_role_count(set) && i < 4; i++) {
		role = policy_role_name(set, i);
		accessors(set, role);
		if (policy_role_scopes(set, role, scopes, sizeof(scopes)) != 0)
			abort();
		requests(set, role, scopes);
		bulk(set, role);
	}
	policy_free(&set);
	return 0;
}
