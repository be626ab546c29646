/* The built-in schemas: RFC 7643 §4.1 User, §4.2 Group, §4.3 Enterprise
 * User, and the common attributes of §3.1, as §8.7.1 and §8.7.2 define
 * them. Where the prose and §8.7.1 disagree the prose wins: Group
 * displayName is REQUIRED (§4.2), members has the §2.4 default display
 * sub-attribute (clients send it), and every members sub-attribute is
 * immutable (§4.2). Canonical values are suggestions (§7: "MAY be used")
 * except photos.type, which §4.1.2 fixes ("i.e., photo or thumbnail"). */
#include <stddef.h>

#include "keyd/scim/schema_int.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

#define ATTR(n, t, m, f) \
	{ .name = (n), .type = SCIM_TYPE_##t, .mut = SCIM_MUT_##m, \
	  .flags = (f) }
#define CANON(n, m, f, c) \
	{ .name = (n), .type = SCIM_TYPE_STRING, .mut = SCIM_MUT_##m, \
	  .flags = (f), .canon = (c) }
#define COMPLEX(n, m, f, s) \
	{ .name = (n), .type = SCIM_TYPE_COMPLEX, .mut = SCIM_MUT_##m, \
	  .flags = (f), .sub = (s), .nsub = N(s) }

static const char *const email_types[] = { "work", "home", "other", NULL };
static const char *const phone_types[] = { "work", "home", "mobile", "fax",
    "pager", "other", NULL };
static const char *const im_types[] = { "aim", "gtalk", "icq", "xmpp",
    "msn", "skype", "qq", "yahoo", NULL };
static const char *const photo_types[] = { "photo", "thumbnail", NULL };
static const char *const group_types[] = { "direct", "indirect", NULL };
static const char *const member_types[] = { "User", "Group", NULL };

static const struct scim_attr meta_subs[] = {
	ATTR("resourceType", STRING, READONLY, 0),
	ATTR("created", DATETIME, READONLY, 0),
	ATTR("lastModified", DATETIME, READONLY, 0),
	ATTR("location", REFERENCE, READONLY, 0),
	ATTR("version", STRING, READONLY, 0),
};

static const struct scim_attr common_attrs[] = {
	ATTR("id", STRING, READONLY, 0),
	ATTR("externalId", STRING, READWRITE, 0),
	COMPLEX("meta", READONLY, 0, meta_subs),
};

static const struct scim_attr name_subs[] = {
	ATTR("formatted", STRING, READWRITE, 0),
	ATTR("familyName", STRING, READWRITE, 0),
	ATTR("givenName", STRING, READWRITE, 0),
	ATTR("middleName", STRING, READWRITE, 0),
	ATTR("honorificPrefix", STRING, READWRITE, 0),
	ATTR("honorificSuffix", STRING, READWRITE, 0),
};

static const struct scim_attr email_subs[] = {
	ATTR("value", STRING, READWRITE, 0),
	ATTR("display", STRING, READWRITE, 0),
	CANON("type", READWRITE, 0, email_types),
	ATTR("primary", BOOLEAN, READWRITE, 0),
};

static const struct scim_attr phone_subs[] = {
	ATTR("value", STRING, READWRITE, 0),
	ATTR("display", STRING, READWRITE, 0),
	CANON("type", READWRITE, 0, phone_types),
	ATTR("primary", BOOLEAN, READWRITE, 0),
};

static const struct scim_attr im_subs[] = {
	ATTR("value", STRING, READWRITE, 0),
	ATTR("display", STRING, READWRITE, 0),
	CANON("type", READWRITE, 0, im_types),
	ATTR("primary", BOOLEAN, READWRITE, 0),
};

static const struct scim_attr photo_subs[] = {
	ATTR("value", REFERENCE, READWRITE, 0),
	ATTR("display", STRING, READWRITE, 0),
	CANON("type", READWRITE, SCIM_AF_CLOSED, photo_types),
	ATTR("primary", BOOLEAN, READWRITE, 0),
};

static const struct scim_attr address_subs[] = {
	ATTR("formatted", STRING, READWRITE, 0),
	ATTR("streetAddress", STRING, READWRITE, 0),
	ATTR("locality", STRING, READWRITE, 0),
	ATTR("region", STRING, READWRITE, 0),
	ATTR("postalCode", STRING, READWRITE, 0),
	ATTR("country", STRING, READWRITE, 0),
	CANON("type", READWRITE, 0, email_types),
	ATTR("primary", BOOLEAN, READWRITE, 0),
};

static const struct scim_attr user_group_subs[] = {
	ATTR("value", STRING, READONLY, 0),
	ATTR("$ref", REFERENCE, READONLY, 0),
	ATTR("display", STRING, READONLY, 0),
	CANON("type", READONLY, 0, group_types),
};

/* entitlements, roles: the §2.4 default sub-attributes. */
static const struct scim_attr plain_subs[] = {
	ATTR("value", STRING, READWRITE, 0),
	ATTR("display", STRING, READWRITE, 0),
	ATTR("type", STRING, READWRITE, 0),
	ATTR("primary", BOOLEAN, READWRITE, 0),
};

static const struct scim_attr cert_subs[] = {
	ATTR("value", BINARY, READWRITE, 0),
	ATTR("display", STRING, READWRITE, 0),
	ATTR("type", STRING, READWRITE, 0),
	ATTR("primary", BOOLEAN, READWRITE, 0),
};

static const struct scim_attr user_attrs[] = {
	ATTR("userName", STRING, READWRITE, SCIM_AF_REQUIRED),
	COMPLEX("name", READWRITE, 0, name_subs),
	ATTR("displayName", STRING, READWRITE, 0),
	ATTR("nickName", STRING, READWRITE, 0),
	ATTR("profileUrl", REFERENCE, READWRITE, 0),
	ATTR("title", STRING, READWRITE, 0),
	ATTR("userType", STRING, READWRITE, 0),
	ATTR("preferredLanguage", STRING, READWRITE, 0),
	ATTR("locale", STRING, READWRITE, 0),
	ATTR("timezone", STRING, READWRITE, 0),
	ATTR("active", BOOLEAN, READWRITE, 0),
	ATTR("password", STRING, WRITEONLY, SCIM_AF_NEVER),
	COMPLEX("emails", READWRITE, SCIM_AF_MULTI, email_subs),
	COMPLEX("phoneNumbers", READWRITE, SCIM_AF_MULTI, phone_subs),
	COMPLEX("ims", READWRITE, SCIM_AF_MULTI, im_subs),
	COMPLEX("photos", READWRITE, SCIM_AF_MULTI, photo_subs),
	COMPLEX("addresses", READWRITE, SCIM_AF_MULTI, address_subs),
	COMPLEX("groups", READONLY, SCIM_AF_MULTI, user_group_subs),
	COMPLEX("entitlements", READWRITE, SCIM_AF_MULTI, plain_subs),
	COMPLEX("roles", READWRITE, SCIM_AF_MULTI, plain_subs),
	COMPLEX("x509Certificates", READWRITE, SCIM_AF_MULTI, cert_subs),
};

static const struct scim_attr member_subs[] = {
	ATTR("value", STRING, IMMUTABLE, 0),
	ATTR("$ref", REFERENCE, IMMUTABLE, 0),
	CANON("type", IMMUTABLE, 0, member_types),
	ATTR("display", STRING, IMMUTABLE, 0),
};

static const struct scim_attr group_attrs[] = {
	ATTR("displayName", STRING, READWRITE, SCIM_AF_REQUIRED),
	COMPLEX("members", READWRITE, SCIM_AF_MULTI, member_subs),
};

static const struct scim_attr manager_subs[] = {
	ATTR("value", STRING, READWRITE, 0),
	ATTR("$ref", REFERENCE, READWRITE, 0),
	ATTR("displayName", STRING, READONLY, 0),
};

static const struct scim_attr enterprise_attrs[] = {
	ATTR("employeeNumber", STRING, READWRITE, 0),
	ATTR("costCenter", STRING, READWRITE, 0),
	ATTR("organization", STRING, READWRITE, 0),
	ATTR("division", STRING, READWRITE, 0),
	ATTR("department", STRING, READWRITE, 0),
	COMPLEX("manager", READWRITE, 0, manager_subs),
};

static const struct scim_schema common = {
	"urn:ietf:params:scim:schemas:common", common_attrs, N(common_attrs)
};
static const struct scim_schema user = {
	SCIM_URN_USER, user_attrs, N(user_attrs)
};
static const struct scim_schema group = {
	SCIM_URN_GROUP, group_attrs, N(group_attrs)
};
static const struct scim_schema enterprise = {
	SCIM_URN_ENT_USER, enterprise_attrs, N(enterprise_attrs)
};

static const struct scim_schema *const core_schemas[] = {
	&user, &group, &enterprise
};

static const struct scim_rtype core_rtypes[] = {
	{ "User", "Users", &user, { &enterprise }, { 0 }, 1 },
	{ "Group", "Groups", &group, { NULL }, { 0 }, 0 },
};

static const struct scim_schema_set core_set = {
	core_schemas, N(core_schemas), core_rtypes, N(core_rtypes), NULL
};

const struct scim_schema_set *
scim_schema_core(void)
{
	return &core_set;
}

const struct scim_schema *
scim_schema_common(void)
{
	return &common;
}

const struct scim_schema *
scim_schema_core_user(void)
{
	return &user;
}

const struct scim_schema *
scim_schema_core_group(void)
{
	return &group;
}

const struct scim_schema *
scim_schema_core_enterprise(void)
{
	return &enterprise;
}
