/* The store: the one interface the rest of keyd calls for persistence.
 * No SQL lives outside store_*.c. Every function is safe to call from any
 * thread. Returns: 0 success, STORE_NOTFOUND, STORE_EXISTS, or -1 on an
 * error whose text store_errmsg gives. */
#ifndef KEYD_STORE_H
#define KEYD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "keyd/token.h"

#define STORE_NOTFOUND	1
#define STORE_EXISTS	2
#define STORE_NAME_MAX	64
#define STORE_SCOPE_MAX	1024
#define STORE_ERR_MAX	512

#define STORE_WUR __attribute__((warn_unused_result))

struct store;

struct client_rec {
	int64_t	id;
	char	name[STORE_NAME_MAX + 1];
	char	role[STORE_NAME_MAX + 1];
	int	enabled;
	int64_t	epoch;		/* access tokens issued under another epoch are dead */
	int64_t	key_epoch;	/* likewise for provisioning keys */
	int64_t	created_at;
};

/* Credential states; rotation adds pending and retiring. */
enum cred_state {
	CRED_PENDING, CRED_ACTIVE, CRED_RETIRING, CRED_EXPIRED, CRED_REVOKED
};

/* A provisioning key, an access token or an admin token. Only the keyed
 * hash of the token is stored; never the token. */
struct cred_rec {
	char		id[TOKEN_ID_LEN + 1];
	enum token_kind	kind;
	int64_t		client_id;	/* 0 for admin tokens */
	char		parent_id[TOKEN_ID_LEN + 1]; /* key an access token came from, or "" */
	enum cred_state	state;
	unsigned char	hash[32];
	int64_t		epoch;		/* the client's epoch at issue */
	char		scope[STORE_SCOPE_MAX + 1];
	char		name[STORE_NAME_MAX + 1];   /* admin tokens: a label */
	int64_t		created_at;
	int64_t		expires_at;	/* 0: never */
	int64_t		revoked_at;	/* 0: not revoked */
};

/* Open (creating) the sqlite store at PATH and apply pending migrations.
 * Refuses a store whose schema is newer than this keyd knows, naming the
 * fix in ERR. *ST is freed with store_close. Returns 0 or -1. */
int store_open(const char *path, struct store **st, char *err, size_t errlen)
	STORE_WUR;
void store_close(struct store **st);

/* The last error's text for this thread (never holds a secret). */
const char *store_errmsg(struct store *st);

/* The schema version in force, and the newest this build knows. */
int store_schema_version(struct store *st);
int store_schema_latest(void);

/* Small named blobs: wrapped root-level secrets (the token pepper).
 * *VAL is malloc'd; STORE_NOTFOUND when absent. */
int store_meta_get(struct store *st, const char *key, unsigned char **val,
    size_t *len) STORE_WUR;
int store_meta_put(struct store *st, const char *key,
    const unsigned char *val, size_t len) STORE_WUR;

/* Data encryption keys, wrapped by the root key. */
int store_dek_put(struct store *st, uint32_t version,
    const unsigned char *wrapped, size_t len) STORE_WUR;
typedef int (*store_dek_cb)(void *arg, uint32_t version,
    const unsigned char *wrapped, size_t len);
/* Call CB for each DEK in version order; a non-zero CB result stops the
 * walk and is returned. */
int store_dek_each(struct store *st, store_dek_cb cb, void *arg) STORE_WUR;

/* Clients. create: STORE_EXISTS when NAME is taken. */
int store_client_create(struct store *st, const char *name, const char *role,
    struct client_rec *out) STORE_WUR;
int store_client_get(struct store *st, const char *name,
    struct client_rec *out) STORE_WUR;
int store_client_get_by_id(struct store *st, int64_t id,
    struct client_rec *out) STORE_WUR;
typedef int (*store_client_cb)(void *arg, const struct client_rec *c);
int store_client_each(struct store *st, store_client_cb cb, void *arg)
	STORE_WUR;
int store_client_count(struct store *st, int64_t *n) STORE_WUR;
int store_client_set_enabled(struct store *st, int64_t id, int enabled)
	STORE_WUR;
/* Bump the client's access-token epoch, and its key epoch too when KEYS;
 * *OUT holds the client after. O(1): nothing is scanned. */
int store_client_bump_epoch(struct store *st, int64_t id, int keys,
    struct client_rec *out) STORE_WUR;

/* Credentials. insert: STORE_EXISTS on an id collision. */
int store_cred_insert(struct store *st, const struct cred_rec *c) STORE_WUR;
int store_cred_get(struct store *st, const char *id, struct cred_rec *out)
	STORE_WUR;
typedef int (*store_cred_cb)(void *arg, const struct cred_rec *c);
/* Walk credentials of KIND, of CLIENT_ID (0: all clients), newest first. */
int store_cred_each(struct store *st, enum token_kind kind, int64_t client_id,
    store_cred_cb cb, void *arg) STORE_WUR;
/* Count the client's credentials of KIND that are usable at NOW. */
int store_cred_count_live(struct store *st, const struct client_rec *c,
    enum token_kind kind, int64_t now, int64_t *n) STORE_WUR;
/* Revoke ID and, in the same transaction, every access token minted from
 * it; *CHILDREN counts those (may be NULL). STORE_NOTFOUND if no such id. */
int store_cred_revoke(struct store *st, const char *id, int64_t now,
    int64_t *children) STORE_WUR;

/* Policies, versioned. put: stores DOC as a new version and activates it. */
int store_policy_put(struct store *st, const char *doc, int64_t *version)
	STORE_WUR;
/* The active policy; *DOC is malloc'd. STORE_NOTFOUND when none. */
int store_policy_active(struct store *st, int64_t *version, char **doc)
	STORE_WUR;

struct policy_rec {
	int64_t	version;
	int64_t	created_at;
	int	active;
	size_t	size;		/* bytes of the document */
};

/* Policy VERSION; *DOC is malloc'd. STORE_NOTFOUND when no such version. */
int store_policy_get(struct store *st, int64_t version,
    struct policy_rec *rec, char **doc) STORE_WUR;

typedef int (*store_policy_cb)(void *arg, const struct policy_rec *p,
    const char *doc);
/* Walk every policy version, newest first; DOC is valid during CB only. */
int store_policy_each(struct store *st, store_policy_cb cb, void *arg)
	STORE_WUR;

/* Upstreams: the SCIM services keyd protects. SECRET is the credential as
 * keyring_seal made it (table "upstreams", row NAME, column "bearer" or
 * "client_key"), never the credential itself; NULL for UPSTREAM_AUTH_NONE.
 * The PEMs are public (a CA bundle, a client certificate). */
#define STORE_URL_MAX	2048
#define STORE_PIN_MAX	511

enum upstream_auth {
	UPSTREAM_AUTH_NONE = 0, UPSTREAM_AUTH_BEARER, UPSTREAM_AUTH_MTLS
};

struct upstream_rec {
	int64_t			 id;
	char			 name[STORE_NAME_MAX + 1];
	char			 url[STORE_URL_MAX + 1];
	enum upstream_auth	 auth;
	unsigned char		*secret;	/* sealed; malloc'd on read */
	size_t			 secret_len;
	uint32_t		 dek_version;	/* the DEK SECRET is sealed under */
	char			*ca_pem;	/* malloc'd on read, or NULL */
	char			*client_cert_pem; /* likewise */
	char			 pin[STORE_PIN_MAX + 1]; /* "" when none */
	int64_t			 timeout_ms;
	int64_t			 cred_version;	/* 1, bumped when it rotates */
	int64_t			 created_at;
	int64_t			 updated_at;
};

/* Free what a read put in R (not R itself) and zero it. */
void store_upstream_rec_clear(struct upstream_rec *r);
/* Insert R (id, versions and times are the store's); *CREATED_AT (may be
 * NULL) gets its creation time. STORE_EXISTS when the name is taken. */
int store_upstream_insert(struct store *st, const struct upstream_rec *r,
    int64_t *created_at) STORE_WUR;
/* NAME's row into *OUT (clear it with store_upstream_rec_clear). */
int store_upstream_get(struct store *st, const char *name,
    struct upstream_rec *out) STORE_WUR;
/* STORE_NOTFOUND when there is no such upstream. */
int store_upstream_delete(struct store *st, const char *name) STORE_WUR;
/* Call CB for each upstream by name; R is valid during CB only, and CB may
 * call the store. A non-zero CB result stops the walk and is returned. */
typedef int (*store_upstream_cb)(void *arg, const struct upstream_rec *r);
int store_upstream_each(struct store *st, store_upstream_cb cb, void *arg)
	STORE_WUR;

/* "active", "revoked", … */
const char *store_cred_state_name(enum cred_state s);

#endif
