/* policy_decide: a table of (role, request) -> (effect, rule, reason)
 * against one realistic document (policy_doc.h), then bulk requests, the
 * facts helpers, malformed facts and combined where. Limits and source
 * addresses: test_policy_limits.c. */
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

static int
decide_where(const struct policy_set *set, const char *id, const char *dn,
    struct policy_decision *d)
{
	struct policy_facts f;

	policy_facts_init(&f, "hr", "Group", P);
	f.id = id;
	assert_int_equal(policy_facts_add_written(&f, "members"), 0);
	if (dn != NULL)
		assert_int_equal(policy_facts_add_value(&f, "displayName", dn,
		    1), 0);
	return policy_decide(set, "r", &f, d);
}

/* Every key of a where must hold: one false key is enough to set the rule
 * aside, even when another is unknown. Globs on ids. */
static void
test_where_combined(void **state)
{
	static const struct {
		const char	*id, *dn;
		int		 rc;
		const char	*why;
	} t[] = {
		{ "g-1", "x", -1, "where " },
		{ "g-1", "y", 0, "allows patch on Group" },
		{ "h-1", NULL, 0, "allows patch on Group" },
		{ "g-1", NULL, -1, "fetch the target" },
		{ NULL, "x", -1, "names no resource id" },
		{ NULL, "y", -1, "rule r#2 forbids patch on Group where id matches" },
		{ "a-b-c", "y", -1, "where id is \"a-b-c\"" },
		{ "abc", "y", -1, "where id is \"abc\"" },
		{ "ab", "y", 0, "allows" },
		{ "zz-admin", "y", -1, "where id is \"zz-admin\"" },
		{ "-admin", "y", -1, "where id is \"-admin\"" },
		{ "admin", "y", 0, "allows" },
		{ "literal*", "y", -1, "where id is \"literal*\"" },
		{ "literalX", "y", -1, "where id is \"literalX\"" },
	};
	struct policy_set	*set;
	struct policy_decision	 d;
	size_t			 i;

	(void)state;
	set = policy_doc_load_str("{'version':1,'roles':{'r':{'rules':["
	    "{'effect':'allow','resources':['Group'],'operations':['patch']},"
	    "{'effect':'deny','resources':['Group'],'operations':['patch'],"
	    " 'where':{'displayName':['x'],'id':['g-*']}},"
	    "{'effect':'deny','resources':['Group'],'operations':['patch'],"
	    " 'where':{'id':['a*b*c','*-admin','literal*']}}]}}}");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (decide_where(set, t[i].id, t[i].dn, &d) != t[i].rc ||
		    strstr(d.reason, t[i].why) == NULL)
			fail_msg("where case %zu: %s", i, d.reason);
	}
	policy_free(&set);
}

/* The role lookup: 256 roles, each allowed only on its own upstream. */
static void
test_many_roles(void **state)
{
	struct policy_set	*set = NULL;
	struct policy_error	 err;
	struct policy_facts	 f;
	struct policy_decision	 d;
	char			*doc, role[32], up[32];
	size_t			 n = 0, cap = 256 * 160;
	int			 i;

	(void)state;
	assert_non_null(doc = malloc(cap));
	n += (size_t)snprintf(doc + n, cap - n, "{\"version\":1,\"roles\":{");
	for (i = 0; i < 256; i++)
		n += (size_t)snprintf(doc + n, cap - n, "%s\"role-%d\":{\"rules\":"
		    "[{\"effect\":\"allow\",\"upstreams\":[\"up%d\"],"
		    "\"resources\":[\"User\"],\"operations\":[\"read\"]}]}",
		    i > 0 ? "," : "", i, i);
	snprintf(doc + n, cap - n, "}}");
	if (policy_load(doc, strlen(doc), &set, &err) != 0)
		fail_msg("%s: %s", err.path, err.msg);
	assert_int_equal(policy_role_count(set), 256);
	for (i = 0; i < 256; i++) {
		snprintf(role, sizeof(role), "role-%d", i);
		snprintf(up, sizeof(up), "up%d", i);
		assert_int_equal(policy_role_exists(set, role), 1);
		policy_facts_init(&f, up, "User", R);
		assert_int_equal(policy_decide(set, role, &f, &d), 0);
		snprintf(up, sizeof(up), "up%d", (i + 1) % 256);
		assert_int_equal(policy_decide(set, role, &f, &d), -1);
	}
	assert_int_equal(policy_role_exists(set, "role-256"), 0);
	assert_int_equal(policy_role_exists(set, "role-"), 0);
	policy_free(&set);
	free(doc);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_table),
		T(test_bulk),
		T(test_bulk_malformed),
		T(test_malformed_facts),
		cmocka_unit_test(test_facts_helpers),
		cmocka_unit_test(test_where_combined),
		cmocka_unit_test(test_many_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
