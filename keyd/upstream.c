/* The upstream registry: every upstream in memory, credentials opened into
 * guarded memory, looked up by name under a read lock. Entries are
 * reference-counted and immutable, so a lookup never copies a secret and
 * a removal never pulls one from under a request in flight. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyd/keyring.h"
#include "keyd/store.h"
#include "keyd/upstream.h"
#include "keyd/upstream_int.h"

#define TABLE	"upstreams"

static uint64_t generations;

struct upstream_reg {
	pthread_rwlock_t	 lock;		/* guards up[] and n */
	pthread_mutex_t	 	 admin;		/* one add or remove at a time */
	struct upstream		*up[UPSTREAM_MAX];
	size_t			 n;
};

int
upstream_reg_new(struct upstream_reg **regp)
{
	struct upstream_reg *reg;

	*regp = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	if ((reg = calloc(1, sizeof(*reg))) == NULL) {
		curl_global_cleanup();
		return -1;
	}
	pthread_rwlock_init(&reg->lock, NULL);
	pthread_mutex_init(&reg->admin, NULL);
	*regp = reg;
	return 0;
}

static void
reg_clear(struct upstream_reg *reg)
{
	size_t i;

	pthread_rwlock_wrlock(&reg->lock);
	for (i = 0; i < reg->n; i++)
		upstream_release(&reg->up[i]);
	reg->n = 0;
	pthread_rwlock_unlock(&reg->lock);
}

void
upstream_reg_free(struct upstream_reg **regp)
{
	struct upstream_reg *reg;

	if (regp == NULL || (reg = *regp) == NULL)
		return;
	reg_clear(reg);
	pthread_rwlock_destroy(&reg->lock);
	pthread_mutex_destroy(&reg->admin);
	free(reg);
	curl_global_cleanup();
	*regp = NULL;
}

size_t
upstream_reg_count(struct upstream_reg *reg)
{
	size_t n;

	pthread_rwlock_rdlock(&reg->lock);
	n = reg->n;
	pthread_rwlock_unlock(&reg->lock);
	return n;
}

/* The index of NAME in REG, or -1. Under the lock. */
static ssize_t
reg_find(const struct upstream_reg *reg, const char *name)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (strcmp(reg->up[i]->name, name) == 0)
			return (ssize_t)i;
	return -1;
}

int
upstream_get(struct upstream_reg *reg, const char *name, struct upstream **up)
{
	ssize_t i;

	*up = NULL;
	pthread_rwlock_rdlock(&reg->lock);
	if ((i = reg_find(reg, name)) >= 0) {
		*up = reg->up[i];
		__atomic_add_fetch(&(*up)->refs, 1, __ATOMIC_RELAXED);
	}
	pthread_rwlock_unlock(&reg->lock);
	return *up != NULL ? 0 : UPSTREAM_NOTFOUND;
}

static void
entry_free(struct upstream *u)
{
	upstream_files_close(&u->files);
	if (u->secret != NULL) {
		/* sodium_free wipes before it unmaps. */
		sodium_free((void *)(uintptr_t)u->secret);
	}
	free((void *)(uintptr_t)u->ca_pem);
	free((void *)(uintptr_t)u->client_cert_pem);
	free(u);
}

void
upstream_release(struct upstream **up)
{
	if (up == NULL || *up == NULL)
		return;
	if (__atomic_sub_fetch(&(*up)->refs, 1, __ATOMIC_ACQ_REL) == 0)
		entry_free(*up);
	*up = NULL;
}

static char *
dup_or_null(const char *s, int *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = 1;
	return d;
}

/* An entry for REC, holding a copy of the credential PT[0..PTLEN) in
 * guarded memory (NUL-terminated). NULL when memory runs out. */
static struct upstream *
entry_new(const struct upstream_rec *rec, const unsigned char *pt,
    size_t ptlen)
{
	struct upstream	*u;
	char		*sec;
	int		 fail = 0;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->refs = 1;
	u->generation = __atomic_add_fetch(&generations, 1, __ATOMIC_RELAXED);
	memcpy(u->name, rec->name, sizeof(u->name));
	memcpy(u->url, rec->url, sizeof(u->url));
	memcpy(u->pin, rec->pin, sizeof(u->pin));
	u->auth = rec->auth;
	u->timeout_ms = rec->timeout_ms;
	u->cred_version = rec->cred_version;
	u->created_at = rec->created_at;
	u->ca_pem = dup_or_null(rec->ca_pem, &fail);
	u->client_cert_pem = dup_or_null(rec->client_cert_pem, &fail);
	if (pt != NULL && !fail) {
		if ((sec = sodium_malloc(ptlen + 1)) == NULL)
			fail = 1;
		else {
			memcpy(sec, pt, ptlen);
			sec[ptlen] = '\0';
			u->secret = sec;
			u->secret_len = ptlen;
		}
	}
	if (fail || upstream_files_open(u, &u->files) == -1) {
		entry_free(u);
		return NULL;
	}
	return u;
}

/* The AD column a credential of AUTH is sealed under. */
static const char *
secret_column(enum upstream_auth auth)
{
	return auth == UPSTREAM_AUTH_MTLS ? "client_key" : "bearer";
}

struct load {
	struct upstream_reg	*reg;
	const struct keyring	*kr;
	char			*err;
	size_t			 errlen;
};

static int
load_cb(void *arg, const struct upstream_rec *rec)
{
	struct load	*l = arg;
	struct upstream	*u;
	unsigned char	*pt = NULL;
	size_t		 ptlen = 0;

	if (l->reg->n == UPSTREAM_MAX) {
		snprintf(l->err, l->errlen, "the store holds more than %d "
		    "upstreams", UPSTREAM_MAX);
		return -1;
	}
	if ((rec->auth == UPSTREAM_AUTH_NONE) != (rec->secret == NULL) ||
	    (rec->secret != NULL && keyring_open(l->kr, TABLE, rec->name,
	    secret_column(rec->auth), rec->secret, rec->secret_len, &pt,
	    &ptlen) != 0)) {
		snprintf(l->err, l->errlen, "upstream \"%s\": its credential "
		    "does not open with this store's data keys: the row was "
		    "altered or comes from another store; restore a backup, "
		    "or delete the row and add the upstream again", rec->name);
		return -1;
	}
	u = entry_new(rec, pt, ptlen);
	keyring_secret_free(&pt);
	if (u == NULL) {
		snprintf(l->err, l->errlen, "upstream \"%s\": out of memory "
		    "(guarded memory: raise RLIMIT_MEMLOCK?)", rec->name);
		return -1;
	}
	l->reg->up[l->reg->n++] = u;
	return 0;
}

int
upstream_reg_load(struct upstream_reg *reg, struct store *st,
    const struct keyring *kr, char *err, size_t errlen)
{
	struct load	l = { reg, kr, err, errlen };
	int		r;

	err[0] = '\0';		/* set by load_cb, or by us below */
	reg_clear(reg);
	pthread_rwlock_wrlock(&reg->lock);
	r = store_upstream_each(st, load_cb, &l);
	pthread_rwlock_unlock(&reg->lock);
	if (r == 0)
		return 0;
	if (r != -1 || err[0] == '\0')
		snprintf(err, errlen, "cannot load upstreams: %s",
		    store_errmsg(st));
	reg_clear(reg);
	return -1;
}

/* Seal PT for REC into REC->secret. */
static int
seal(const struct keyring *kr, struct upstream_rec *rec,
    const unsigned char *pt, size_t ptlen, char *err, size_t errlen)
{
	if (pt == NULL)
		return 0;
	if (keyring_seal(kr, TABLE, rec->name, secret_column(rec->auth), pt,
	    ptlen, &rec->secret, &rec->secret_len) != 0) {
		snprintf(err, errlen, "cannot seal the credential: no data key "
		    "loaded");
		return -1;
	}
	rec->dek_version = keyring_dek_current(kr);
	return 0;
}

static int
reg_has_room(struct upstream_reg *reg, const char *name, char *err,
    size_t errlen)
{
	int rc = 0;

	pthread_rwlock_rdlock(&reg->lock);
	if (reg_find(reg, name) >= 0)
		rc = UPSTREAM_EXISTS;
	else if (reg->n == UPSTREAM_MAX) {
		snprintf(err, errlen, "keyd holds %d upstreams, the most it "
		    "can: remove one first", UPSTREAM_MAX);
		rc = -1;
	}
	pthread_rwlock_unlock(&reg->lock);
	return rc;
}

static int
store_put(struct store *st, struct upstream_rec *rec, char *err,
    size_t errlen)
{
	int r = store_upstream_insert(st, rec, &rec->created_at);

	if (r == STORE_EXISTS)
		return UPSTREAM_EXISTS;
	if (r != 0) {
		snprintf(err, errlen, "%s", store_errmsg(st));
		return -1;
	}
	rec->cred_version = 1;
	rec->updated_at = rec->created_at;
	return 0;
}

/* Store REC with PT sealed and add its entry: both or neither. */
static int
add_checked(struct upstream_reg *reg, struct store *st,
    const struct keyring *kr, struct upstream_rec *rec,
    const unsigned char *pt, size_t ptlen, char *err, size_t errlen)
{
	struct upstream	*u = NULL;
	int		 rc;

	if ((rc = reg_has_room(reg, rec->name, err, errlen)) != 0)
		return rc;
	if (seal(kr, rec, pt, ptlen, err, errlen) == -1)
		return -1;
	if ((u = entry_new(rec, pt, ptlen)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((rc = store_put(st, rec, err, errlen)) != 0) {
		upstream_release(&u);
		return rc;
	}
	u->created_at = rec->created_at;
	u->cred_version = rec->cred_version;
	pthread_rwlock_wrlock(&reg->lock);
	reg->up[reg->n++] = u;
	pthread_rwlock_unlock(&reg->lock);
	return 0;
}

int
upstream_add(struct upstream_reg *reg, struct store *st,
    const struct keyring *kr, const struct upstream_spec *spec,
    struct upstream_rec *out, char *err, size_t errlen)
{
	struct upstream_rec	 rec;
	const unsigned char	*pt = NULL;
	size_t			 ptlen = 0;
	int			 rc;

	memset(&rec, 0, sizeof(rec));
	if (upstream_spec_check(spec, &rec, &pt, &ptlen, err, errlen) == -1)
		return -1;
	pthread_mutex_lock(&reg->admin);
	rc = add_checked(reg, st, kr, &rec, pt, ptlen, err, errlen);
	pthread_mutex_unlock(&reg->admin);
	if (rc == UPSTREAM_EXISTS)
		snprintf(err, errlen, "upstream \"%s\" already exists: remove "
		    "it first", spec->name);
	free(rec.secret);	/* sealed: not secret */
	rec.secret = NULL;
	rec.secret_len = 0;
	if (rc == 0 && out != NULL)
		*out = rec;
	else
		store_upstream_rec_clear(&rec);
	return rc;
}

int
upstream_remove(struct upstream_reg *reg, struct store *st, const char *name,
    char *err, size_t errlen)
{
	struct upstream	*gone = NULL;
	ssize_t		 i;
	int		 r;

	pthread_mutex_lock(&reg->admin);
	r = store_upstream_delete(st, name);
	if (r == 0) {
		pthread_rwlock_wrlock(&reg->lock);
		if ((i = reg_find(reg, name)) >= 0) {
			gone = reg->up[i];
			reg->up[i] = reg->up[--reg->n];
		}
		pthread_rwlock_unlock(&reg->lock);
	}
	pthread_mutex_unlock(&reg->admin);
	upstream_release(&gone);	/* freed now, or by its last holder */
	if (r == STORE_NOTFOUND)
		snprintf(err, errlen, "no upstream \"%.64s\"", name);
	else if (r != 0)
		snprintf(err, errlen, "%s", store_errmsg(st));
	return r == 0 ? 0 : r == STORE_NOTFOUND ? UPSTREAM_NOTFOUND : -1;
}
