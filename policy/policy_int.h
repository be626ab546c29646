/* Private to policy/: the compiled form of a policy document. */
#ifndef POLICY_POLICY_INT_H
#define POLICY_POLICY_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "policy/policy.h"

#define POLICY_MAX_ROLES     256
#define POLICY_MAX_RULES     256
#define POLICY_MAX_RESOURCES 32
#define POLICY_MAX_LIST      256

enum pop {
	OP_CREATE, OP_READ, OP_SEARCH, OP_REPLACE, OP_PATCH, OP_DELETE,
	OP_BULK, OP_DISCOVER, OP_COUNT
};

struct prole {
	char	 name[POLICY_NAME_MAX + 1];
	int64_t	 token_ttl;		/* 0: not set */
	char	 scopes[POLICY_SCOPES_MAX];
};

struct policy_set {
	struct prole	*roles;
	size_t		 nroles;
};

void perr_set(struct policy_error *err, const char *path, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

#endif
