/* policy_decide: a table of (role, request) -> (effect, rule, reason)
 * against one realistic document, then bulk requests, limits, source
 * addresses, the facts helpers and malformed facts. */
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

/* The document, with ' for " so that it reads as JSON. */
static const char doc_src[] =
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

static const struct tcase cases[] = {
	/* scim-provisioner: the role. Every operation on User. */
	{ .role = SP, .res = "User", .op = C, .w = "userName|name.givenName|emails",
	  .eff = ALLOW, .rule = SP "#0", .why = "allow: rule " SP "#0 allows create on User" },
	{ .role = SP, .res = "User", .op = R, .id = "2819c223",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows read on User" },
	{ .role = SP, .res = "User", .op = S, .fl = "userName",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows search on User" },
	{ .role = SP, .res = "User", .op = PUT, .id = "u1", .w = "userName|active",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows replace on User" },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = "active",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows patch on User" },
	{ .role = SP, .res = "User", .op = D, .id = "u1",
	  .eff = DENY, .rule = "", .why = "deny: no rule of role " SP " allows delete on User" },
	/* Deny beats allow, on attributes in any spelling. */
	{ .role = SP, .res = "User", .op = C, .w = "userName|roles",
	  .eff = DENY, .rule = SP "#1", .why = "deny: rule " SP "#1 forbids writing attribute roles" },
	{ .role = SP, .res = "User", .op = C, .w = "Roles",
	  .eff = DENY, .rule = SP "#1", .why = "forbids writing attribute Roles" },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = CORE_U ":roles",
	  .eff = DENY, .rule = SP "#1", .why = "forbids writing attribute " CORE_U ":roles" },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = "roles[primary eq true].value",
	  .eff = DENY, .rule = SP "#1", .why = "attribute roles[primary eq true].value" },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = "roles.value",
	  .eff = DENY, .rule = SP "#1", .why = "attribute roles.value" },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = "active|" ENT ":manager",
	  .eff = DENY, .rule = SP "#1", .why = "attribute " ENT ":manager" },
	{ .role = SP, .res = "User", .op = P, .id = "u1",
	  .w = "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:MANAGER",
	  .eff = DENY, .rule = SP "#1", .why = "forbids writing attribute URN:IETF" },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = ENT ":manager.value",
	  .eff = DENY, .rule = SP "#1", .why = ":manager.value" },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = ENT,
	  .eff = DENY, .rule = SP "#1", .why = "forbids writing attribute " ENT },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = ENT ":department",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows patch on User" },
	{ .role = SP, .res = "User", .op = PUT, .id = "u1", .w = "userName|entitlements",
	  .eff = DENY, .rule = SP "#1", .why = "attribute entitlements" },
	{ .role = SP, .res = "User", .op = C, .w = "x509certificates",
	  .eff = DENY, .rule = SP "#1", .why = "attribute x509certificates" },
	{ .role = SP, .res = "User", .op = C, .w = "userName|X509Certificates.value",
	  .eff = DENY, .rule = SP "#1", .why = "attribute X509Certificates.value" },
	{ .role = SP, .res = "User", .op = R, .id = "u1", .fl = "roles",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows read on User" },
	{ .role = SP, .res = "User", .op = S, .fl = "roles.value|userName",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows search on User" },
	/* A bare "manager" is a core attribute, not the extension's. */
	{ .role = SP, .res = "User", .op = C, .w = "manager",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows create on User" },
	{ .role = SP, .res = "User", .op = C, .w = "name|Name.GivenName|NAME.familyName",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows create on User" },
	{ .role = SP, .res = "User", .op = P, .id = "u1", .w = "emails[type eq \"work\"].value",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows patch on User" },
	/* schemas, id and meta are not written attributes. */
	{ .role = SP, .res = "User", .op = C, .w = "schemas|userName|id|meta.created|Meta",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows create on User" },
	/* The core URN alone is the whole resource: it overlaps every deny. */
	{ .role = SP, .res = "User", .op = PUT, .id = "u1", .w = CORE_U,
	  .eff = DENY, .rule = SP "#1", .why = "forbids writing attribute " CORE_U },
	{ .role = SP, .res = "User", .op = PUT, .id = "u1", .w = CORE_U ":",
	  .eff = DENY, .rule = SP "#1", .why = "forbids writing attribute" },
	/* Groups: an allow rule with attributes, a deny with where. */
	{ .role = SP, .res = "Group", .op = R, .id = "g1",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows read on Group" },
	{ .role = SP, .res = "Group", .op = S, .fl = "displayName",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows search on Group" },
	{ .role = SP, .res = "Group", .op = S, .fl = "displayName|externalId",
	  .eff = DENY, .rule = "", .why = "deny: no rule of role " SP " allows filtering on attribute externalId (search on Group)" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .vals = "^displayName=Engineering",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows patch on Group" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .eff = DENY, .rule = SP "#3", .why = "request does not name the target's displayName: keyd would have to fetch the target" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .vals = "^displayName=Administrators",
	  .eff = DENY, .rule = SP "#3", .why = "deny: rule " SP "#3 forbids patch on Group where displayName is \"Administrators\"" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .vals = "^displayName=ADMINISTRATORS",
	  .eff = DENY, .rule = SP "#3", .why = "where displayName is \"ADMINISTRATORS\"" },
	/* Renaming into a protected name is caught from the request. */
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "displayName",
	  .vals = "displayName=domain admins|^displayName=Sales",
	  .eff = DENY, .rule = SP "#3", .why = "where displayName is \"domain admins\"" },
	/* A new name alone says nothing of the current one. */
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "displayName",
	  .vals = "displayName=Engineering",
	  .eff = DENY, .rule = SP "#3", .why = "would have to fetch the target" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "displayName",
	  .vals = "displayName=Engineering|^displayName=Sales",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows patch on Group" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "externalId",
	  .vals = "^displayName=Sales",
	  .eff = DENY, .rule = "", .why = "deny: no rule of role " SP " allows writing attribute externalId (patch on Group)" },
	{ .role = SP, .res = "Group", .op = D, .id = "g1",
	  .eff = DENY, .rule = SP "#3", .why = "forbids delete on Group where displayName matches, and the request does not name the target's displayName: keyd would have to fetch the target to decide" },
	{ .role = SP, .res = "Group", .op = D, .id = "g1", .vals = "^displayName=Sales",
	  .eff = DENY, .rule = "", .why = "no rule of role " SP " allows delete on Group" },
	{ .role = SP, .res = "Group", .op = D, .id = "g1", .vals = "^displayName=Domain Admins",
	  .eff = DENY, .rule = SP "#3", .why = "forbids delete on Group where displayName is \"Domain Admins\"" },
	{ .role = SP, .res = "Group", .op = C, .w = "displayName", .vals = "displayName=x",
	  .eff = DENY, .rule = "", .why = "no rule of role " SP " allows create on Group" },
	{ .role = SP, .res = "Group", .op = PUT, .id = "g1", .w = "displayName",
	  .vals = "^displayName=Sales",
	  .eff = DENY, .rule = "", .why = "no rule of role " SP " allows replace on Group" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "Members",
	  .vals = "^DisplayName=Sales",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows patch on Group" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "members[value eq \"2819c223\"]",
	  .vals = "^displayName=Sales",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows patch on Group" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "members.value|members.display",
	  .vals = "^displayName=Sales",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows patch on Group" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = CORE_G ":displayName",
	  .vals = CORE_G ":displayName=Sales Team|^displayName=Sales",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows patch on Group" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "displayName",
	  .vals = CORE_G ":displayName=Administrators|^displayName=Sales",
	  .eff = DENY, .rule = SP "#3", .why = "where displayName is \"Administrators\"" },
	/* Bulk and discovery for the provisioner. */
	{ .role = SP, .op = B,
	  .eff = ALLOW, .rule = SP "#4", .why = "allow: rule " SP "#4 allows bulk" },
	{ .role = SP, .res = "Schemas", .op = DI,
	  .eff = ALLOW, .rule = SP "#4", .why = "allows discover" },
	{ .role = SP, .op = DI,
	  .eff = ALLOW, .rule = SP "#4", .why = "allows discover" },
	{ .role = SP, .res = "ServiceProviderConfig", .op = R,
	  .eff = ALLOW, .rule = SP "#4", .why = "allows discover" },
	{ .role = SP, .res = "resourcetypes", .op = S,
	  .eff = ALLOW, .rule = SP "#4", .why = "allows discover" },
	{ .role = SP, .res = "Schemas", .op = PUT,
	  .eff = DENY, .rule = "", .why = "deny: Schemas is a discovery endpoint and read-only; replace is refused" },
	{ .role = SP, .res = "ResourceTypes", .op = C,
	  .eff = DENY, .rule = "", .why = "discovery endpoint and read-only; create is refused" },
	{ .role = SP, .res = "ServiceProviderConfig", .op = D,
	  .eff = DENY, .rule = "", .why = "read-only; delete is refused" },
	{ .role = SP, .res = "User", .op = DI,
	  .eff = DENY, .rule = "", .why = "discover applies to ServiceProviderConfig, Schemas and ResourceTypes, not User" },
	/* Token scopes narrow the role. */
	{ .role = SP, .res = "User", .op = R, .id = "u1", .scope = "scim:User.read",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows read on User" },
	{ .role = SP, .res = "User", .op = C, .w = "userName", .scope = "scim:User.read scim:User.search",
	  .eff = DENY, .rule = "", .why = "deny: token scope lacks scim:User.create" },
	{ .role = SP, .res = "User", .op = C, .w = "userName",
	  .scope = "scim:User.read scim:User.create scim:bulk",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows create on User" },
	{ .role = SP, .res = "User", .op = C, .w = "roles", .scope = "scim:User.read",
	  .eff = DENY, .rule = SP "#1", .why = "forbids writing attribute roles" },
	{ .role = SP, .res = "User", .op = R, .id = "u1", .scope = "scim:User.readx scim:Users.read",
	  .eff = DENY, .rule = "", .why = "token scope lacks scim:User.read" },
	{ .role = SP, .res = "User", .op = R, .id = "u1", .scope = "scim:user.read",
	  .eff = DENY, .rule = "", .why = "token scope lacks scim:User.read" },
	{ .role = SP, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .vals = "^displayName=Sales", .scope = "scim:Group.read",
	  .eff = DENY, .rule = "", .why = "token scope lacks scim:Group.patch" },
	{ .role = SP, .res = "Schemas", .op = DI, .scope = "scim:User.read",
	  .eff = DENY, .rule = "", .why = "token scope lacks scim:discover" },
	{ .role = SP, .res = "Schemas", .op = DI, .scope = "scim:discover",
	  .eff = ALLOW, .rule = SP "#4", .why = "allows discover" },
	{ .role = SP, .op = B, .scope = "",
	  .eff = DENY, .rule = "", .why = "token scope lacks scim:bulk" },
	{ .role = SP, .op = B, .scope = "scim:bulk",
	  .eff = ALLOW, .rule = SP "#4", .why = "allows bulk" },
	{ .role = SP, .res = "User", .op = S, .scope = "  scim:User.search  ",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows search on User" },
	/* Resource types: unknown, known to others, any case. */
	{ .role = SP, .res = "Widget", .op = R, .id = "w1",
	  .eff = DENY, .rule = "", .why = "deny: unknown resource type Widget: no rule of the policy names it" },
	{ .role = AD, .res = "Widgets", .op = C,
	  .eff = DENY, .rule = "", .why = "unknown resource type Widgets" },
	{ .role = SP, .res = "Device", .op = R, .id = "d1",
	  .eff = DENY, .rule = "", .why = "no rule of role " SP " allows read on Device" },
	{ .role = SP, .res = "user", .op = C, .w = "userName",
	  .eff = ALLOW, .rule = SP "#0", .why = "allows create on User" },
	{ .role = SP, .res = "GROUP", .op = R, .id = "g1",
	  .eff = ALLOW, .rule = SP "#2", .why = "allows read on Group" },
	{ .role = SP, .res = "Users", .op = R, .id = "u1",
	  .eff = DENY, .rule = "", .why = "unknown resource type Users" },
	{ .role = "ghost", .res = "User", .op = R,
	  .eff = DENY, .rule = "", .why = "deny: unknown role ghost" },
	{ .role = "Scim-Reader", .res = "User", .op = R,
	  .eff = DENY, .rule = "", .why = "unknown role Scim-Reader" },

	/* scim-reader: read-only everywhere. */
	{ .role = RD, .res = "User", .op = R, .id = "u1",
	  .eff = ALLOW, .rule = RD "#0", .why = "allows read on User" },
	{ .role = RD, .res = "User", .op = S, .fl = "userName|emails.value|roles",
	  .eff = ALLOW, .rule = RD "#0", .why = "allows search on User" },
	{ .role = RD, .res = "Group", .op = S, .fl = "displayName",
	  .eff = ALLOW, .rule = RD "#0", .why = "allows search on Group" },
	{ .role = RD, .res = "Device", .op = R, .id = "d1",
	  .eff = ALLOW, .rule = RD "#0", .why = "allows read on Device" },
	{ .role = RD, .res = "User", .op = C, .w = "userName",
	  .eff = DENY, .rule = "", .why = "deny: no rule of role " RD " allows create on User" },
	{ .role = RD, .res = "User", .op = PUT, .id = "u1", .w = "userName",
	  .eff = DENY, .rule = "", .why = "allows replace on User" },
	{ .role = RD, .res = "User", .op = P, .id = "u1", .w = "active",
	  .eff = DENY, .rule = "", .why = "allows patch on User" },
	{ .role = RD, .res = "User", .op = D, .id = "u1",
	  .eff = DENY, .rule = "", .why = "allows delete on User" },
	{ .role = RD, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .eff = DENY, .rule = "", .why = "allows patch on Group" },
	{ .role = RD, .res = "Group", .op = D, .id = "g1",
	  .eff = DENY, .rule = "", .why = "allows delete on Group" },
	{ .role = RD, .res = "ResourceTypes", .op = DI,
	  .eff = ALLOW, .rule = RD "#0", .why = "allows discover" },
	{ .role = RD, .res = "Schemas", .op = R, .id = CORE_U,
	  .eff = ALLOW, .rule = RD "#0", .why = "allows discover" },
	{ .role = RD, .op = B,
	  .eff = DENY, .rule = "", .why = "deny: no rule of role " RD " allows bulk" },
	{ .role = RD, .res = "Schemas", .op = C,
	  .eff = DENY, .rule = "", .why = "read-only" },
	{ .role = RD, .res = "User", .op = S, .scope = "scim:User.read",
	  .eff = DENY, .rule = "", .why = "token scope lacks scim:User.search" },
	/* A token cannot hold more than its role. */
	{ .role = RD, .res = "User", .op = D, .id = "u1", .scope = "scim:User.delete",
	  .eff = DENY, .rule = "", .why = "no rule of role " RD " allows delete on User" },

	/* scim-admin: everything, on every type. */
	{ .role = AD, .res = "User", .op = C, .w = "roles|entitlements|" ENT ":manager",
	  .eff = ALLOW, .rule = AD "#0", .why = "allows create on User" },
	{ .role = AD, .res = "User", .op = D, .id = "admin-1",
	  .eff = ALLOW, .rule = AD "#0", .why = "allows delete on User" },
	{ .role = AD, .res = "User", .op = PUT, .id = "u1", .w = CORE_U,
	  .eff = ALLOW, .rule = AD "#0", .why = "allows replace on User" },
	{ .role = AD, .res = "Group", .op = D, .id = "g1",
	  .eff = ALLOW, .rule = AD "#0", .why = "allows delete on Group" },
	{ .role = AD, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .eff = ALLOW, .rule = AD "#0", .why = "allows patch on Group" },
	{ .role = AD, .res = "Device", .op = C, .w = "serial",
	  .eff = ALLOW, .rule = AD "#0", .why = "allows create on Device" },
	{ .role = AD, .op = B,
	  .eff = ALLOW, .rule = AD "#0", .why = "allows bulk" },
	{ .role = AD, .res = "ServiceProviderConfig", .op = DI,
	  .eff = ALLOW, .rule = AD "#0", .why = "allows discover" },
	{ .role = AD, .res = "User", .op = S, .fl = "x509Certificates",
	  .eff = ALLOW, .rule = AD "#0", .why = "allows search on User" },
	{ .role = AD, .res = "Group", .op = D, .id = "g1", .scope = "scim:Group.read scim:Group.search",
	  .eff = DENY, .rule = "", .why = "token scope lacks scim:Group.delete" },
	{ .role = AD, .res = "Device", .op = R, .id = "d1", .scope = "scim:Device.read",
	  .eff = ALLOW, .rule = AD "#0", .why = "allows read on Device" },
	{ .role = AD, .res = "User", .op = R, .id = "u1", .up = "crm",
	  .eff = ALLOW, .rule = AD "#0", .why = "allows read on User" },

	/* hr-sync: one upstream, an attribute allow-list, where on id. */
	{ .role = HR, .res = "User", .op = C,
	  .w = "userName|name.givenName|emails[type eq \"work\"].value|active",
	  .eff = ALLOW, .rule = HR "#0", .why = "allow: rule " HR "#0 allows create on User" },
	{ .role = HR, .res = "User", .op = C, .up = "crm", .w = "userName",
	  .eff = DENY, .rule = "", .why = "no rule of role " HR " allows create on User" },
	{ .role = HR, .res = "User", .op = C, .up = "HR", .w = "userName",
	  .eff = DENY, .rule = "", .why = "no rule of role " HR " allows create on User" },
	{ .role = HR, .res = "User", .op = C, .w = "userName|roles",
	  .eff = DENY, .rule = "", .why = "deny: no rule of role " HR " allows writing attribute roles (create on User)" },
	{ .role = HR, .res = "User", .op = C, .w = "userName|" ENT ":manager",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows create on User" },
	{ .role = HR, .res = "User", .op = C, .w = ENT ":department|" ENT ":manager.value",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows create on User" },
	{ .role = HR, .res = "User", .op = C,
	  .w = "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:employeeNumber",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows create on User" },
	{ .role = HR, .res = "User", .op = C, .w = ENT,
	  .eff = ALLOW, .rule = HR "#0", .why = "allows create on User" },
	{ .role = HR, .res = "User", .op = C,
	  .w = "userName|urn:ietf:params:scim:schemas:extension:acme:1.0:User:badge",
	  .eff = DENY, .rule = "", .why = "writing attribute urn:ietf:params:scim:schemas:extension:acme:1.0:User:badge (create on User)" },
	/* An extension URN that merely starts like the allowed one. */
	{ .role = HR, .res = "User", .op = C, .w = ENT "x:badge",
	  .eff = DENY, .rule = "", .why = "writing attribute " ENT "x:badge" },
	{ .role = HR, .res = "User", .op = C, .w = "nameX",
	  .eff = DENY, .rule = "", .why = "writing attribute nameX" },
	{ .role = HR, .res = "User", .op = C, .w = "Name.GivenName|NAME.FAMILYNAME",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows create on User" },
	{ .role = HR, .res = "User", .op = C, .w = CORE_U ":name.givenName|" CORE_U ":userName",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows create on User" },
	{ .role = HR, .res = "User", .op = C, .w = CORE_U,
	  .eff = DENY, .rule = "", .why = "writing attribute " CORE_U " (create on User)" },
	{ .role = HR, .res = "User", .op = P, .id = "u1", .w = "name.familyName",
	  .eff = DENY, .rule = HR "#4", .why = "deny: rule " HR "#4 forbids writing attribute name.familyName" },
	{ .role = HR, .res = "User", .op = P, .id = "u1", .w = "Name",
	  .eff = DENY, .rule = HR "#4", .why = "forbids writing attribute Name" },
	{ .role = HR, .res = "User", .op = P, .id = "u1", .w = CORE_U ":name",
	  .eff = DENY, .rule = HR "#4", .why = "forbids writing attribute " CORE_U ":name" },
	{ .role = HR, .res = "User", .op = PUT, .id = "u1", .w = "userName|name.familyName",
	  .eff = DENY, .rule = HR "#4", .why = "forbids writing attribute name.familyName" },
	{ .role = HR, .res = "User", .op = P, .id = "u1", .w = "name.givenName",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows patch on User" },
	{ .role = HR, .res = "User", .op = P, .id = "u1", .w = "name.familyNameX",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows patch on User" },
	/* The deny on name.familyName is for upstream hr only. */
	{ .role = HR, .res = "User", .op = P, .id = "u1", .up = "crm", .w = "active",
	  .eff = DENY, .rule = "", .why = "no rule of role " HR " allows patch on User" },
	{ .role = HR, .res = "User", .op = P, .id = "admin-7", .w = "active",
	  .eff = DENY, .rule = HR "#3", .why = "deny: rule " HR "#3 forbids patch on User where id is \"admin-7\"" },
	{ .role = HR, .res = "User", .op = P, .id = "ADMIN-7", .w = "active",
	  .eff = DENY, .rule = HR "#3", .why = "where id is \"ADMIN-7\"" },
	{ .role = HR, .res = "User", .op = P, .id = "admin-", .w = "active",
	  .eff = DENY, .rule = HR "#3", .why = "where id is \"admin-\"" },
	{ .role = HR, .res = "User", .op = P, .id = "xadmin-1", .w = "active",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows patch on User" },
	{ .role = HR, .res = "User", .op = D, .id = "root",
	  .eff = DENY, .rule = HR "#3", .why = "forbids delete on User where id is \"root\"" },
	{ .role = HR, .res = "User", .op = D, .id = "rooted",
	  .eff = ALLOW, .rule = HR "#1", .why = "allows delete on User" },
	{ .role = HR, .res = "User", .op = D, .id = "u-17",
	  .eff = ALLOW, .rule = HR "#1", .why = "allows delete on User" },
	{ .role = HR, .res = "User", .op = D,
	  .eff = DENY, .rule = HR "#3", .why = "where id matches, and the request names no resource id" },
	{ .role = HR, .res = "User", .op = S, .fl = "userName",
	  .eff = ALLOW, .rule = HR "#1", .why = "allows search on User" },
	{ .role = HR, .res = "User", .op = S, .fl = "userName|emails.value",
	  .eff = DENY, .rule = HR "#2", .why = "deny: rule " HR "#2 forbids filtering on attribute emails.value" },
	{ .role = HR, .res = "User", .op = S, .fl = "Emails",
	  .eff = DENY, .rule = HR "#2", .why = "forbids filtering on attribute Emails" },
	{ .role = HR, .res = "User", .op = S, .fl = "emails[type eq \"work\"]",
	  .eff = DENY, .rule = HR "#2", .why = "forbids filtering on attribute emails[" },
	{ .role = HR, .res = "User", .op = S, .fl = "emails.type",
	  .eff = ALLOW, .rule = HR "#1", .why = "allows search on User" },
	{ .role = HR, .res = "User", .op = S, .fl = CORE_U ":emails.VALUE",
	  .eff = DENY, .rule = HR "#2", .why = "forbids filtering on attribute " CORE_U ":emails.VALUE" },
	{ .role = HR, .res = "User", .op = R, .id = "u1",
	  .eff = ALLOW, .rule = HR "#1", .why = "allows read on User" },
	{ .role = HR, .res = "User", .op = R, .id = "u1", .fl = "x509certificates.value",
	  .eff = DENY, .rule = HR "#2", .why = "forbids filtering on attribute x509certificates.value" },
	{ .role = HR, .res = "User", .op = PUT, .id = "u1", .w = "userName|name.givenName",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows replace on User" },
	{ .role = HR, .res = "User", .op = PUT, .id = "u1", .w = "userName|nickName",
	  .eff = DENY, .rule = "", .why = "allows writing attribute nickName (replace on User)" },
	/* A PATCH: paths, keys of a path-less value, value-path filters. */
	{ .role = HR, .res = "User", .op = P, .id = "u1", .w = "active|externalId|emails",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows patch on User" },
	{ .role = HR, .res = "User", .op = P, .id = "u1", .w = "emails",
	  .fl = "emails.type",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows patch on User" },
	{ .role = HR, .res = "User", .op = P, .id = "u1", .w = "emails",
	  .fl = "x509Certificates.type",
	  .eff = DENY, .rule = "", .why = "allows filtering on attribute x509Certificates.type (patch on User)" },
	{ .role = HR, .res = "User", .op = P, .id = "u1",
	  .w = "userName|" ENT ":employeeNumber|" ENT ":manager",
	  .eff = ALLOW, .rule = HR "#0", .why = "allows patch on User" },
	{ .role = HR, .res = "Group", .op = R, .id = "g1",
	  .eff = DENY, .rule = "", .why = "no rule of role " HR " allows read on Group" },
	{ .role = HR, .op = B,
	  .eff = ALLOW, .rule = HR "#5", .why = "allows bulk" },
	{ .role = HR, .op = B, .up = "crm",
	  .eff = DENY, .rule = "", .why = "no rule of role " HR " allows bulk" },
	{ .role = HR, .res = "Schemas", .op = DI,
	  .eff = DENY, .rule = "", .why = "no rule of role " HR " allows discover" },

	/* team-lead: allow where, deny where on id, deny create by value. */
	{ .role = TL, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .vals = "^displayName=team-alpha",
	  .eff = ALLOW, .rule = TL "#0", .why = "allows patch on Group" },
	{ .role = TL, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .vals = "^displayName=TEAM-Beta",
	  .eff = ALLOW, .rule = TL "#0", .why = "allows patch on Group" },
	{ .role = TL, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .vals = "^displayName=Sales",
	  .eff = DENY, .rule = "", .why = "deny: no rule of role " TL " allows patch on Group" },
	{ .role = TL, .res = "Group", .op = P, .id = "g1", .w = "members",
	  .eff = DENY, .rule = "", .why = "rule " TL "#0 would, but the request does not name the target's displayName" },
	/* A value the request writes does not prove what the target is. */
	{ .role = TL, .res = "Group", .op = P, .id = "g1", .w = "displayName",
	  .vals = "displayName=team-x",
	  .eff = DENY, .rule = "", .why = "rule " TL "#0 would" },
	{ .role = TL, .res = "Group", .op = P, .id = "g1", .w = "displayName",
	  .vals = "displayName=team-x|^displayName=Administrators",
	  .eff = DENY, .rule = "", .why = "no rule of role " TL " allows patch on Group" },
	{ .role = TL, .res = "Group", .op = D, .id = "sys-1", .vals = "^displayName=team-a",
	  .eff = DENY, .rule = TL "#2", .why = "forbids delete on Group where id is \"sys-1\"" },
	{ .role = TL, .res = "Group", .op = D, .id = "g1", .vals = "^displayName=team-a",
	  .eff = ALLOW, .rule = TL "#0", .why = "allows delete on Group" },
	{ .role = TL, .res = "Group", .op = R, .id = "sys-1",
	  .eff = DENY, .rule = TL "#2", .why = "where id is \"sys-1\"" },
	{ .role = TL, .res = "Group", .op = R, .id = "g1",
	  .eff = ALLOW, .rule = TL "#1", .why = "allows read on Group" },
	{ .role = TL, .res = "Group", .op = S, .fl = "displayName",
	  .eff = ALLOW, .rule = TL "#1", .why = "allows search on Group" },
	{ .role = TL, .res = "Group", .op = C, .w = "displayName",
	  .vals = "displayName=Administrators",
	  .eff = DENY, .rule = TL "#3", .why = "deny: rule " TL "#3 forbids create on Group where displayName is \"Administrators\"" },
	{ .role = TL, .res = "Group", .op = C, .w = "displayName",
	  .vals = "displayName=administrators",
	  .eff = DENY, .rule = TL "#3", .why = "where displayName is \"administrators\"" },
	{ .role = TL, .res = "Group", .op = C, .w = "displayName|members",
	  .vals = "displayName=team-z",
	  .eff = ALLOW, .rule = TL "#1", .why = "allows create on Group" },
	{ .role = TL, .res = "Group", .op = C, .w = "members",
	  .eff = DENY, .rule = TL "#3", .why = "the request does not name displayName" },
	{ .role = TL, .res = "Group", .op = PUT, .id = "g2", .w = "displayName|members",
	  .vals = "displayName=team-b|^displayName=team-a",
	  .eff = ALLOW, .rule = TL "#0", .why = "allows replace on Group" },
	{ .role = TL, .res = "Group", .op = PUT, .id = "sys-2", .w = "displayName",
	  .vals = "^displayName=team-a",
	  .eff = DENY, .rule = TL "#2", .why = "where id is \"sys-2\"" },
	{ .role = TL, .res = "User", .op = R, .id = "u1",
	  .eff = DENY, .rule = "", .why = "no rule of role " TL " allows read on User" },

	/* device-reader: a resource type beyond User and Group. */
	{ .role = DV, .res = "Device", .op = R, .id = "d1",
	  .eff = ALLOW, .rule = DV "#0", .why = "allows read on Device" },
	{ .role = DV, .res = "device", .op = S, .fl = "serialNumber",
	  .eff = ALLOW, .rule = DV "#0", .why = "allows search on Device" },
	{ .role = DV, .res = "Device", .op = C, .w = "serialNumber",
	  .eff = DENY, .rule = "", .why = "no rule of role " DV " allows create on Device" },
	{ .role = DV, .res = "User", .op = R, .id = "u1",
	  .eff = DENY, .rule = "", .why = "no rule of role " DV " allows read on User" },
	{ .role = DV, .res = "Device", .op = R, .id = "d1", .scope = "scim:Device.read",
	  .eff = ALLOW, .rule = DV "#0", .why = "allows read on Device" },
	{ .role = DV, .res = "Device", .op = S, .scope = "scim:Device.read",
	  .eff = DENY, .rule = "", .why = "token scope lacks scim:Device.search" },

	/* nobody: default deny everywhere. */
	{ .role = NB, .res = "User", .op = R, .id = "u1",
	  .eff = DENY, .rule = "", .why = "deny: no rule of role nobody allows read on User" },
	{ .role = NB, .res = "Group", .op = S,
	  .eff = DENY, .rule = "", .why = "no rule of role nobody allows search on Group" },
	{ .role = NB, .res = "Schemas", .op = DI,
	  .eff = DENY, .rule = "", .why = "no rule of role nobody allows discover" },
	{ .role = NB, .op = B,
	  .eff = DENY, .rule = "", .why = "no rule of role nobody allows bulk" },

	/* no-bulk: rules without resources cover every type. */
	{ .role = NK, .res = "User", .op = R, .id = "u1",
	  .eff = ALLOW, .rule = NK "#0", .why = "allows read on User" },
	{ .role = NK, .res = "Device", .op = C, .w = "serial",
	  .eff = ALLOW, .rule = NK "#0", .why = "allows create on Device" },
	{ .role = NK, .res = "User", .op = D, .id = "u1",
	  .eff = DENY, .rule = NK "#1", .why = "deny: rule " NK "#1 forbids delete on User" },
	{ .role = NK, .res = "Group", .op = D, .id = "g1",
	  .eff = DENY, .rule = NK "#1", .why = "forbids delete on Group" },
	{ .role = NK, .op = B,
	  .eff = DENY, .rule = NK "#1", .why = "deny: rule " NK "#1 forbids bulk" },
	{ .role = NK, .res = "Schemas", .op = DI,
	  .eff = ALLOW, .rule = NK "#0", .why = "allows discover" },
};

static struct policy_set *
load_doc(void)
{
	struct policy_set	*set = NULL;
	struct policy_error	 err;
	char			 doc[sizeof(doc_src)];
	size_t			 i;

	for (i = 0; i < sizeof(doc_src); i++)
		doc[i] = doc_src[i] == '\'' ? '"' : doc_src[i];
	if (policy_load(doc, strlen(doc), &set, &err) != 0)
		fail_msg("policy_load: %s: %s", err.path, err.msg);
	return set;
}

static int
setup(void **state)
{
	*state = load_doc();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct policy_set *set = *state;

	policy_free(&set);
	return 0;
}

/* Split the "|"-list LIST (copied into BUF) into OUT; returns the count. */
static size_t
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

static void
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

static void
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

static void
test_table(void **state)
{
	const struct policy_set	*set = *state;
	struct policy_facts	 f;
	struct policy_decision	 d;
	struct tbuf		 b;
	size_t			 i;
	int			 rc;

	assert_true(sizeof(cases) / sizeof(cases[0]) >= 150);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		facts_fill(&cases[i], &b, &f);
		memset(&d, 0x5a, sizeof(d));	/* every field is written */
		rc = policy_decide(set, cases[i].role, &f, &d);
		check_decision(i, rc, &d, cases[i].eff, cases[i].rule,
		    cases[i].why);
		assert_int_equal(d.bulk_index, -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
