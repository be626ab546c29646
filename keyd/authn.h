/* Authentication of bearer tokens: format and checksum first (no lookup for
 * junk), then an in-memory cache keyed by token id, the store on a miss, a
 * constant-time compare of the keyed hash, and the state checks. */
#ifndef KEYD_AUTHN_H
#define KEYD_AUTHN_H

#include <stddef.h>
#include <stdint.h>

#include "keyd/store.h"
#include "keyd/token.h"

struct keyring;
struct authn;

enum authn_result {
	AUTHN_OK = 0,
	AUTHN_MALFORMED,	/* not a keyd token, or a bad checksum */
	AUTHN_UNKNOWN,		/* no such token id */
	AUTHN_MISMATCH,		/* id known, secret wrong */
	AUTHN_EXPIRED,
	AUTHN_REVOKED,		/* revoked itself, or by an epoch bump */
	AUTHN_DISABLED,		/* the client is disabled */
	AUTHN_ERROR		/* the store failed; fail closed */
};

/* Who a token belongs to, once it checks out. */
struct principal {
	enum token_kind	kind;
	char		cred_id[TOKEN_ID_LEN + 1];
	char		parent_id[TOKEN_ID_LEN + 1];
	int64_t		client_id;	/* 0 for an admin token */
	char		client[STORE_NAME_MAX + 1];
	char		role[STORE_NAME_MAX + 1];
	char		scope[STORE_SCOPE_MAX + 1];
	int64_t		created_at;
	int64_t		expires_at;	/* 0: never */
};

/* A cache over ST using KR's pepper; holds at most MAX_ENTRIES tokens.
 * NULL on out of memory. Free with authn_free. */
struct authn *authn_new(struct store *st, const struct keyring *kr,
    size_t max_entries);
void authn_free(struct authn **a);

/* Check TOKEN (LEN bytes) at time NOW; on AUTHN_OK fill P. Every other
 * result means "refuse". */
enum authn_result authn_check(struct authn *a, const char *token, size_t len,
    int64_t now, struct principal *p) __attribute__((warn_unused_result));

/* Drop every cached entry; call after any revocation, disable or epoch
 * bump so the next check reads the store. */
void authn_invalidate(struct authn *a);

/* How many lookups the cache answered, and how many went to the store. */
void authn_stats(struct authn *a, uint64_t *hits, uint64_t *misses);

/* A short, secret-free reason for R ("token revoked"). */
const char *authn_strerror(enum authn_result r);

#endif
