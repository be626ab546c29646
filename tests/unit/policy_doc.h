/* The realistic policy document the policy unit tests decide against (' for
 * " so that it reads as JSON), and loaders for it and for small documents
 * written the same way. */
#ifndef TESTS_UNIT_POLICY_DOC_H
#define TESTS_UNIT_POLICY_DOC_H

#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

/* The document, with ' for " so that it reads as JSON. */
static const char policy_doc_src[] =
"{'version': 1, 'roles': {"
" 'scim-provisioner': {'rules': ["
"  {'effect': 'allow', 'upstreams': ['*'], 'resources': ['User'],"
"   'operations': ['create', 'read', 'search', 'replace', 'patch']},"
"  {'effect': 'deny', 'resources': ['User'],"
"   'operations': ['create', 'replace', 'patch'],"
"   'attributes': ['roles', 'entitlements', 'x509Certificates',"
"    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager']},"
"  {'effect': 'allow', 'resources': ['Group'],"
"   'operations': ['read', 'search', 'patch'],"
"   'attributes': ['members', 'displayName']},"
"  {'effect': 'deny', 'resources': ['Group'], 'operations': ['patch', 'delete'],"
"   'where': {'displayName': ['Administrators', 'Domain Admins']}},"
"  {'effect': 'allow', 'operations': ['bulk', 'discover']}],"
"  'limits': {'rate': '50/s', 'burst': 100, 'max_body': '256KiB',"
"   'max_bulk_operations': 3, 'token_ttl': '15m', 'key_max_age': '90d',"
"   'key_overlap': '7d', 'source': ['10.0.0.0/8', '127.0.0.0/8', '::1/128']}},"
" 'scim-reader': {'rules': ["
"  {'effect': 'allow', 'resources': ['*'],"
"   'operations': ['read', 'search', 'discover']}],"
"  'limits': {'rate': '10/m'}},"
" 'scim-admin': {'rules': ["
"  {'effect': 'allow', 'resources': ['*'], 'operations': ['*']}]},"
" 'hr-sync': {'rules': ["
"  {'effect': 'allow', 'upstreams': ['hr'], 'resources': ['User'],"
"   'operations': ['create', 'replace', 'patch'],"
"   'attributes': ['userName', 'name', 'emails', 'active', 'externalId',"
"    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']},"
"  {'effect': 'allow', 'upstreams': ['hr'], 'resources': ['User'],"
"   'operations': ['read', 'search', 'delete']},"
"  {'effect': 'deny', 'resources': ['User'], 'operations': ['search', 'read'],"
"   'attributes': ['x509Certificates', 'emails.value']},"
"  {'effect': 'deny', 'resources': ['User'], 'operations': ['delete', 'patch'],"
"   'where': {'id': ['admin-*', 'root']}},"
"  {'effect': 'deny', 'upstreams': ['hr'], 'resources': ['User'],"
"   'operations': ['patch', 'replace'], 'attributes': ['name.familyName']},"
"  {'effect': 'allow', 'upstreams': ['hr'], 'operations': ['bulk']}]},"
" 'team-lead': {'rules': ["
"  {'effect': 'allow', 'resources': ['Group'],"
"   'operations': ['patch', 'delete', 'replace'],"
"   'where': {'displayName': ['team-*']}},"
"  {'effect': 'allow', 'resources': ['Group'],"
"   'operations': ['create', 'read', 'search']},"
"  {'effect': 'deny', 'resources': ['Group'],"
"   'operations': ['read', 'patch', 'delete', 'replace'],"
"   'where': {'id': ['sys-*']}},"
"  {'effect': 'deny', 'resources': ['Group'], 'operations': ['create'],"
"   'where': {'displayName': ['Administrators']}}]},"
" 'device-reader': {'rules': ["
"  {'effect': 'allow', 'resources': ['Device'], 'operations': ['read', 'search']}]},"
" 'nobody': {'rules': []},"
" 'no-bulk': {'rules': ["
"  {'effect': 'allow', 'operations': ['*']},"
"  {'effect': 'deny', 'operations': ['bulk', 'delete']}]}"
"}}";

/* SRC with ' turned into ", loaded; the test fails when it does not load. */
static inline struct policy_set *
policy_doc_load_str(const char *src)
{
	struct policy_set	*set = NULL;
	struct policy_error	 err;
	char			*doc = strdup(src), *p;

	assert_non_null(doc);
	for (p = doc; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	if (policy_load(doc, strlen(doc), &set, &err) != 0)
		fail_msg("policy_load: %s: %s", err.path, err.msg);
	free(doc);
	return set;
}

static inline struct policy_set *
policy_doc_load(void)
{
	return policy_doc_load_str(policy_doc_src);
}

#endif
