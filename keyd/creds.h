/* Credential lifecycle shared by the OAuth endpoints and the admin API:
 * clients, provisioning keys, access tokens, admin tokens. Each function
 * writes the store, keeps the token cache honest and logs the event (never
 * the secret). Errors are a message for the caller in ERR. */
#ifndef KEYD_CREDS_H
#define KEYD_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include "keyd/store.h"
#include "keyd/token.h"

struct keyd;

#define CREDS_ERR_MAX 256

/* Why a call failed, so callers can choose a status or an OAuth error. */
enum creds_err {
	CREDS_OK = 0,
	CREDS_EINVAL,		/* bad argument: ERR says which */
	CREDS_ENOTFOUND,	/* no such client or credential */
	CREDS_EEXISTS,		/* the name is taken */
	CREDS_ESCOPE,		/* a requested scope is unknown or not held */
	CREDS_EDISABLED,	/* the client is disabled */
	CREDS_EINTERNAL,	/* store or crypto failed; ERR is generic */
	CREDS_EAUDIT		/* the gate refused: nothing was stored */
};

/* Called with a new token's id once it is made and before it is stored;
 * non-zero refuses the token (CREDS_EAUDIT), and nothing is stored. The
 * audit log makes its record durable here, ahead of the effect. */
typedef int (*creds_gate)(void *arg, const char *token_id);

/* A freshly minted token. TOKEN is sodium_malloc'd; creds_issued_clear
 * wipes and frees it. */
struct creds_issued {
	char		*token;
	char		 id[TOKEN_ID_LEN + 1];
	char		 client[STORE_NAME_MAX + 1];
	char		 scope[STORE_SCOPE_MAX + 1];
	int64_t		 expires_in;	/* seconds; 0 for keys */
};

void creds_issued_clear(struct creds_issued *out);

/* Create client NAME with ROLE (which the active policy must define) and
 * its first provisioning key, in OUT. */
enum creds_err creds_client_create(struct keyd *k, const char *name,
    const char *role, struct creds_issued *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Enable or disable client NAME. */
enum creds_err creds_client_set_enabled(struct keyd *k, const char *name,
    int enabled, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Kill every access token of NAME at once (one epoch bump), and with KEYS
 * its provisioning keys too. *OUT holds the client after. */
enum creds_err creds_revoke_all(struct keyd *k, const char *name, int keys,
    struct client_rec *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Mint a new provisioning key for client NAME. */
enum creds_err creds_key_create(struct keyd *k, const char *name,
    struct creds_issued *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Mint an access token for client NAME. PARENT_KEY is the provisioning key
 * id it comes from ("" when an operator issues it). TTL_REQ (0: default) is
 * capped by access_token_ttl and the role's token_ttl. SCOPE (NULL or "":
 * all of the role's) must be a subset of the role's scopes. */
enum creds_err creds_token_issue(struct keyd *k, const char *name,
    const char *parent_key, int64_t ttl_req, const char *scope,
    struct creds_issued *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* creds_token_issue, passing GATE (with GATE_ARG) before the token is
 * stored. */
enum creds_err creds_token_issue_gated(struct keyd *k, const char *name,
    const char *parent_key, int64_t ttl_req, const char *scope,
    creds_gate gate, void *gate_arg, struct creds_issued *out, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Mint an admin token labelled NAME. */
enum creds_err creds_admin_token_create(struct keyd *k, const char *name,
    struct creds_issued *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Revoke credential ID (and the access tokens minted from it). *CHILDREN
 * counts those (may be NULL). */
enum creds_err creds_revoke(struct keyd *k, const char *id, int64_t *children,
    char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
