/* policy_decide: a table of (role, request) -> (effect, rule, reason)
 * against one realistic document (policy_doc.h), combined where, and the
 * role lookup among many roles. Bulk requests and the facts a caller
 * hands over: test_policy_facts.c. Limits and source addresses:
 * test_policy_limits.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/policy_decide_run.h"

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


int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_table),
		cmocka_unit_test(test_where_combined),
		cmocka_unit_test(test_many_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
