/* A role's limits, and limits.source against IPv4, IPv6 and mapped
 * addresses, on the realistic document and on small ones. */
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

static int
setup(void **state)
{
	*state = policy_doc_load();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct policy_set *set = *state;

	policy_free(&set);
	return 0;
}

static void
test_limits(void **state)
{
	const struct policy_set	*set = *state;
	struct policy_limits	 l;

	assert_int_equal(policy_role_limits(set, SP, &l), 0);
	assert_int_equal(l.rate, 50);
	assert_int_equal(l.rate_period, 1);
	assert_int_equal(l.burst, 100);
	assert_int_equal(l.max_body, 256 * 1024);
	assert_int_equal(l.max_bulk_operations, 3);
	assert_int_equal(l.token_ttl, 900);
	assert_int_equal(l.key_max_age, 90 * 86400);
	assert_int_equal(l.key_overlap, 7 * 86400);
	assert_int_equal(l.nsource, 3);
	assert_int_equal(l.source[0].family, AF_INET);
	assert_int_equal(l.source[0].bits, 8);
	assert_int_equal(l.source[0].addr[0], 10);
	assert_int_equal(l.source[2].family, AF_INET6);
	assert_int_equal(l.source[2].bits, 128);
	assert_int_equal(l.source[2].addr[15], 1);
	assert_int_equal(policy_role_limits(set, RD, &l), 0);
	assert_int_equal(l.rate, 10);
	assert_int_equal(l.rate_period, 60);
	assert_int_equal(l.burst + l.max_body + l.max_bulk_operations, 0);
	assert_int_equal(l.token_ttl + l.key_max_age + l.key_overlap, 0);
	assert_int_equal(l.nsource, 0);
	assert_null(l.source);
	assert_int_equal(policy_role_limits(set, "ghost", &l), -1);
}

static int
src_ok(const struct policy_set *set, const char *role, const char *addr)
{
	unsigned char	buf[16];
	int		af = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(af, addr, buf) != 1)
		fail_msg("bad test address %s", addr);
	return policy_source_allowed(set, role, af, buf);
}

static void
test_source(void **state)
{
	static const struct {
		const char	*role, *addr;
		int		 ok;
	} t[] = {
		{ SP, "10.1.2.3", 1 }, { SP, "10.255.255.255", 1 },
		{ SP, "11.0.0.1", 0 }, { SP, "9.255.255.255", 0 },
		{ SP, "127.0.0.1", 1 }, { SP, "192.168.1.1", 0 },
		{ SP, "::1", 1 }, { SP, "::2", 0 }, { SP, "fe80::1", 0 },
		/* A dual-stack listener's view of an IPv4 client. */
		{ SP, "::ffff:10.9.9.9", 1 }, { SP, "::ffff:192.168.0.1", 0 },
		{ SP, "::ffff:127.0.0.1", 1 },
		/* Not mapped: the IPv4-compatible form is IPv6. */
		{ SP, "::10.9.9.9", 0 },
		{ RD, "192.168.1.1", 1 }, { RD, "2001:db8::1", 1 },
		{ "ghost", "10.1.2.3", 0 },
	};
	const struct policy_set	*set = *state;
	unsigned char		 a[16] = { 10, 0, 0, 1 };
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (src_ok(set, t[i].role, t[i].addr) != t[i].ok)
			fail_msg("source %s for %s: want %d", t[i].addr,
			    t[i].role, t[i].ok);
	assert_int_equal(policy_source_allowed(set, SP, AF_UNIX, a), 0);
	assert_int_equal(policy_source_allowed(set, RD, AF_UNIX, a), 0);
	assert_int_equal(policy_source_allowed(set, SP, AF_INET, NULL), 0);
	assert_int_equal(policy_source_allowed(NULL, SP, AF_INET, a), 0);
	assert_int_equal(policy_source_allowed(set, SP, AF_INET, a), 1);
}

/* Prefix boundaries that are not whole bytes, and /0. */
static void
test_source_prefixes(void **state)
{
	static const struct {
		const char	*addr;
		int		 ok;
	} t[] = {
		{ "172.16.0.0", 1 }, { "172.31.255.255", 1 },
		{ "172.15.255.255", 0 }, { "172.32.0.0", 0 },
		{ "2001:db8::1", 1 }, { "2001:db8:ffff::1", 1 },
		{ "2001:db9::1", 0 }, { "192.0.2.7", 1 }, { "192.0.2.8", 0 },
	};
	struct policy_set	*set;
	size_t			 i;

	(void)state;
	set = policy_doc_load_str("{'version':1,'roles':{'r':{'rules':[],'limits':"
	    "{'source':['172.16.0.0/12','2001:db8::/32','192.0.2.7/32']}},"
	    "'any':{'rules':[],'limits':{'source':['0.0.0.0/0']}}}}");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (src_ok(set, "r", t[i].addr) != t[i].ok)
			fail_msg("source %s: want %d", t[i].addr, t[i].ok);
	assert_int_equal(src_ok(set, "any", "203.0.113.9"), 1);
	assert_int_equal(src_ok(set, "any", "::ffff:203.0.113.9"), 1);
	assert_int_equal(src_ok(set, "any", "2001:db8::1"), 0);
	policy_free(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_source_prefixes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
