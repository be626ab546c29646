/* Token authentication with an id-keyed cache. Any revocation, disable or
 * epoch bump clears the whole cache (authn_invalidate): those are rare, and
 * a clear can never leave a stale "valid" entry behind, which targeted
 * eviction could. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyd/authn.h"
#include "keyd/keyring.h"

#define AUTHN_BUCKETS 4096

struct entry {
	struct entry		*next;
	struct cred_rec		 cred;
	struct client_rec	 client;	/* zeroed for admin tokens */
};

struct authn {
	struct store		*st;
	const struct keyring	*kr;
	pthread_mutex_t		 mu;
	struct entry		*buckets[AUTHN_BUCKETS];
	size_t			 n, max;
	uint64_t		 gen;	/* bumped by every invalidation */
	uint64_t		 hits, misses;	/* under mu */
};

static const char *const reasons[] = {
	"ok", "malformed token", "unknown token", "token does not match",
	"token expired", "token revoked", "client disabled", "store error"
};

void
authn_stats(struct authn *a, uint64_t *hits, uint64_t *misses)
{
	pthread_mutex_lock(&a->mu);
	*hits = a->hits;
	*misses = a->misses;
	pthread_mutex_unlock(&a->mu);
}

const char *
authn_strerror(enum authn_result r)
{
	return (unsigned)r <= AUTHN_ERROR ? reasons[r] : "unknown";
}

struct authn *
authn_new(struct store *st, const struct keyring *kr, size_t max_entries)
{
	struct authn *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->st = st;
	a->kr = kr;
	a->max = max_entries;
	pthread_mutex_init(&a->mu, NULL);
	return a;
}

static void
cache_clear(struct authn *a)
{
	struct entry	*e, *next;
	size_t		 i;

	for (i = 0; i < AUTHN_BUCKETS; i++) {
		for (e = a->buckets[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
		a->buckets[i] = NULL;
	}
	a->n = 0;
}

void
authn_free(struct authn **ap)
{
	if (ap == NULL || *ap == NULL)
		return;
	cache_clear(*ap);
	pthread_mutex_destroy(&(*ap)->mu);
	free(*ap);
	*ap = NULL;
}

void
authn_invalidate(struct authn *a)
{
	pthread_mutex_lock(&a->mu);
	a->gen++;
	cache_clear(a);
	pthread_mutex_unlock(&a->mu);
}

static size_t
bucket_of(const char *id)
{
	uint32_t h = 2166136261u;	/* FNV-1a; ids are random already */

	while (*id != '\0')
		h = (h ^ (unsigned char)*id++) * 16777619u;
	return h % AUTHN_BUCKETS;
}

static int
cache_get(struct authn *a, const char *id, struct entry *out)
{
	struct entry	*e;
	int		 found = 0;

	pthread_mutex_lock(&a->mu);
	for (e = a->buckets[bucket_of(id)]; e != NULL; e = e->next)
		if (strcmp(e->cred.id, id) == 0) {
			*out = *e;
			found = 1;
			break;
		}
	if (found)
		a->hits++;
	else
		a->misses++;
	pthread_mutex_unlock(&a->mu);
	return found;
}

static uint64_t
cache_gen(struct authn *a)
{
	uint64_t g;

	pthread_mutex_lock(&a->mu);
	g = a->gen;
	pthread_mutex_unlock(&a->mu);
	return g;
}

/* Insert SRC unless an invalidation happened since GEN was read: the store
 * row SRC came from may predate a revocation. */
static void
cache_put(struct authn *a, const struct entry *src, uint64_t gen)
{
	struct entry	*e;
	size_t		 b = bucket_of(src->cred.id);

	if ((e = malloc(sizeof(*e))) == NULL)
		return;	/* the cache is an optimisation; the store answers */
	*e = *src;
	pthread_mutex_lock(&a->mu);
	if (gen != a->gen) {
		pthread_mutex_unlock(&a->mu);
		free(e);
		return;
	}
	if (a->n >= a->max)
		cache_clear(a);
	e->next = a->buckets[b];
	a->buckets[b] = e;
	a->n++;
	pthread_mutex_unlock(&a->mu);
}

static enum authn_result
entry_load(struct authn *a, const char *id, struct entry *e)
{
	uint64_t	gen = cache_gen(a);
	int		r;

	memset(e, 0, sizeof(*e));
	r = store_cred_get(a->st, id, &e->cred);
	if (r == STORE_NOTFOUND)
		return AUTHN_UNKNOWN;
	if (r != 0)
		return AUTHN_ERROR;
	if (e->cred.client_id != 0) {
		r = store_client_get_by_id(a->st, e->cred.client_id,
		    &e->client);
		if (r != 0)
			return r == STORE_NOTFOUND ? AUTHN_UNKNOWN :
			    AUTHN_ERROR;
	}
	cache_put(a, e, gen);
	return AUTHN_OK;
}

/* State checks, in the order that gives the most useful reason. */
static enum authn_result
entry_judge(const struct entry *e, int64_t now)
{
	const struct cred_rec	*c = &e->cred;
	int64_t			 epoch;

	if (c->state == CRED_REVOKED)
		return AUTHN_REVOKED;
	if (c->state == CRED_EXPIRED ||
	    (c->expires_at != 0 && now >= c->expires_at))
		return AUTHN_EXPIRED;
	if (c->kind == TOKEN_ADM)
		return AUTHN_OK;
	epoch = c->kind == TOKEN_PK ? e->client.key_epoch : e->client.epoch;
	if (c->epoch != epoch)
		return AUTHN_REVOKED;
	if (!e->client.enabled)
		return AUTHN_DISABLED;
	return AUTHN_OK;
}

static void
principal_fill(const struct entry *e, struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = e->cred.kind;
	memcpy(p->cred_id, e->cred.id, sizeof(p->cred_id));
	memcpy(p->parent_id, e->cred.parent_id, sizeof(p->parent_id));
	p->client_id = e->cred.client_id;
	memcpy(p->client, e->client.name, sizeof(p->client));
	memcpy(p->role, e->client.role, sizeof(p->role));
	memcpy(p->scope, e->cred.scope, sizeof(p->scope));
	p->created_at = e->cred.created_at;
	p->expires_at = e->cred.expires_at;
}

enum authn_result
authn_check(struct authn *a, const char *token, size_t len, int64_t now,
    struct principal *p)
{
	struct token_ref	 ref;
	struct entry		 e;
	unsigned char		 h[KEYRING_HASH_LEN];
	enum authn_result	 r;

	if (token_parse(token, len, &ref) != TOKEN_OK)
		return AUTHN_MALFORMED;
	if (!cache_get(a, ref.id, &e) &&
	    (r = entry_load(a, ref.id, &e)) != AUTHN_OK)
		return r;
	if (keyring_token_hash(a->kr, token, len, h) == -1)
		return AUTHN_ERROR;
	if (e.cred.kind != ref.kind ||
	    sodium_memcmp(h, e.cred.hash, sizeof(h)) != 0)
		return AUTHN_MISMATCH;
	if ((r = entry_judge(&e, now)) != AUTHN_OK)
		return r;
	principal_fill(&e, p);
	return AUTHN_OK;
}
