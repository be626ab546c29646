/* The harness of test_policy_decide.c and test_policy_facts.c: the
 * role and operation shorthands, one request as a table row (struct
 * tcase) turned into facts, the check of a decision, and the realistic
 * document (policy_doc.h) loaded as each test's state. */
#ifndef KEYD_TESTS_POLICY_DECIDE_RUN_H
#define KEYD_TESTS_POLICY_DECIDE_RUN_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "tests/unit/policy_doc.h"


#define SP	"scim-provisioner"
#define RD	"scim-reader"
#define AD	"scim-admin"
#define HR	"hr-sync"
#define TL	"team-lead"
#define DV	"device-reader"
#define NB	"nobody"
#define NK	"no-bulk"

#define ENT	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define CORE_U	"urn:ietf:params:scim:schemas:core:2.0:User"
#define CORE_G	"urn:ietf:params:scim:schemas:core:2.0:Group"

#define C	POLICY_OP_CREATE
#define R	POLICY_OP_READ
#define S	POLICY_OP_SEARCH
#define PUT	POLICY_OP_REPLACE
#define P	POLICY_OP_PATCH
#define D	POLICY_OP_DELETE
#define B	POLICY_OP_BULK
#define DI	POLICY_OP_DISCOVER

#define ALLOW	POLICY_ALLOW
#define DENY	POLICY_DENY

/* One request and its expected decision. Lists are "|"-separated; a value
 * is "attr=value", "^attr=value" for a stored (fetched) one. Upstream "hr"
 * unless UP says otherwise. */
struct tcase {
	const char	*role, *up, *res;
	enum policy_op	 op;
	const char	*id, *scope, *w, *fl, *vals;
	enum policy_effect eff;
	const char	*rule, *why;
};


static inline int
setup(void **state)
{
	*state = policy_doc_load();
	return *state == NULL ? -1 : 0;
}

static inline int
teardown(void **state)
{
	struct policy_set *set = *state;

	policy_free(&set);
	return 0;
}

/* Split the "|"-list LIST (copied into BUF) into OUT; returns the count. */
static inline size_t
split(const char *list, char *buf, size_t buflen, char **out, size_t max)
{
	size_t	 n = 0;
	char	*p = buf, *e;

	if (list == NULL)
		return 0;
	snprintf(buf, buflen, "%s", list);
	while (n < max) {
		out[n++] = p;
		if ((e = strchr(p, '|')) == NULL)
			break;
		*e = '\0';
		p = e + 1;
	}
	return n;
}

struct tbuf {
	char	 w[1024], fl[512], v[512];
	char	*wp[POLICY_FACTS_WRITTEN], *flp[POLICY_FACTS_FILTERED];
	char	*vp[POLICY_FACTS_VALUES];
};

static inline void
facts_fill(const struct tcase *t, struct tbuf *b, struct policy_facts *f)
{
	size_t	 i, n;
	char	*eq, *a;

	policy_facts_init(f, t->up != NULL ? t->up : "hr", t->res, t->op);
	f->id = t->id;
	f->scope = t->scope;
	n = split(t->w, b->w, sizeof(b->w), b->wp, POLICY_FACTS_WRITTEN);
	for (i = 0; i < n; i++)
		f->written[f->nwritten++] = b->wp[i];	/* keep duplicates */
	n = split(t->fl, b->fl, sizeof(b->fl), b->flp, POLICY_FACTS_FILTERED);
	for (i = 0; i < n; i++)
		assert_int_equal(policy_facts_add_filtered(f, b->flp[i]), 0);
	n = split(t->vals, b->v, sizeof(b->v), b->vp, POLICY_FACTS_VALUES);
	for (i = 0; i < n; i++) {
		a = b->vp[i] + (b->vp[i][0] == '^');
		assert_non_null(eq = strchr(a, '='));
		*eq = '\0';
		assert_int_equal(policy_facts_add_value(f, a, eq + 1,
		    b->vp[i][0] == '^'), 0);
	}
}

static inline void
check_decision(size_t i, int rc, const struct policy_decision *d,
    enum policy_effect eff, const char *rule, const char *why)
{
	if (d->effect != eff || rc != (eff == POLICY_ALLOW ? 0 : -1))
		fail_msg("case %zu: effect %d rc %d, want %d: %s", i,
		    d->effect, rc, eff, d->reason);
	if (strcmp(d->rule, rule) != 0)
		fail_msg("case %zu: rule \"%s\", want \"%s\": %s", i, d->rule,
		    rule, d->reason);
	if (strstr(d->reason, why) == NULL)
		fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, d->reason,
		    why);
	if (strncmp(d->reason, eff == POLICY_ALLOW ? "allow: " : "deny: ",
	    eff == POLICY_ALLOW ? 7 : 6) != 0)
		fail_msg("case %zu: reason \"%s\" lacks its effect", i,
		    d->reason);
	if ((d->rule[0] == '\0') != (d->rule_index == -1))
		fail_msg("case %zu: rule \"%s\" but index %d", i, d->rule,
		    d->rule_index);
}


#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif
