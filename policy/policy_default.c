/* The policy `keyd init` installs. Three roles that cover the usual SCIM
 * clients; operators replace them with `keyctl policy apply`. */
#include "policy/policy.h"

static const char default_document[] =
"{\n"
"  \"version\": 1,\n"
"  \"roles\": {\n"
"    \"scim-admin\": {\n"
"      \"rules\": [\n"
"        {\"effect\": \"allow\", \"upstreams\": [\"*\"], \"resources\": [\"*\"],\n"
"         \"operations\": [\"*\"]}\n"
"      ],\n"
"      \"limits\": {\"token_ttl\": \"15m\", \"key_max_age\": \"90d\",\n"
"                 \"key_overlap\": \"7d\"}\n"
"    },\n"
"    \"scim-provisioner\": {\n"
"      \"rules\": [\n"
"        {\"effect\": \"allow\", \"upstreams\": [\"*\"], \"resources\": [\"User\"],\n"
"         \"operations\": [\"create\", \"read\", \"search\", \"replace\", \"patch\"]},\n"
"        {\"effect\": \"deny\", \"resources\": [\"User\"],\n"
"         \"operations\": [\"create\", \"replace\", \"patch\"],\n"
"         \"attributes\": [\"roles\", \"entitlements\", \"x509Certificates\"]},\n"
"        {\"effect\": \"allow\", \"upstreams\": [\"*\"], \"resources\": [\"Group\"],\n"
"         \"operations\": [\"read\", \"search\", \"patch\"]},\n"
"        {\"effect\": \"allow\", \"operations\": [\"bulk\", \"discover\"]}\n"
"      ],\n"
"      \"limits\": {\"token_ttl\": \"15m\", \"max_bulk_operations\": 100,\n"
"                 \"key_max_age\": \"90d\", \"key_overlap\": \"7d\"}\n"
"    },\n"
"    \"scim-reader\": {\n"
"      \"rules\": [\n"
"        {\"effect\": \"allow\", \"upstreams\": [\"*\"], \"resources\": [\"*\"],\n"
"         \"operations\": [\"read\", \"search\", \"discover\"]}\n"
"      ],\n"
"      \"limits\": {\"token_ttl\": \"15m\", \"key_max_age\": \"90d\",\n"
"                 \"key_overlap\": \"7d\"}\n"
"    }\n"
"  }\n"
"}\n";

const char *
policy_default_document(void)
{
	return default_document;
}
