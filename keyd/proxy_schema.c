/* The per-upstream schema cache. A set is shared by reference: a refresh
 * swaps in a new set, and the old one is freed by its last user. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyd/log.h"
#include "keyd/proxy_schema.h"
#include "keyd/upstream.h"

struct schema_ref {
	struct scim_schema_set	*set;		/* NULL: the core */
	int			 refs;		/* users, the cache included */
};

struct sentry {
	char			 name[UPSTREAM_NAME_MAX + 1];
	uint64_t		 generation;	/* tells a re-added upstream */
	struct schema_ref	*ref;
	time_t			 fresh_until;
	int			 fetching;
	int			 refresh_asked;	/* a peek said stale */
};

struct proxy_schemas {
	pthread_mutex_t	lock;
	struct sentry	e[UPSTREAM_MAX];
};

struct proxy_schemas *
proxy_schemas_new(void)
{
	struct proxy_schemas *ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	pthread_mutex_init(&ps->lock, NULL);
	return ps;
}

static void
ref_put(struct schema_ref **rp)
{
	struct schema_ref *r = *rp;

	*rp = NULL;
	if (r == NULL || --r->refs > 0)
		return;
	scim_schema_set_free(&r->set);
	free(r);
}

void
proxy_schemas_free(struct proxy_schemas **psp)
{
	struct proxy_schemas	*ps;
	size_t			 i;

	if (psp == NULL || (ps = *psp) == NULL)
		return;
	for (i = 0; i < UPSTREAM_MAX; i++)
		ref_put(&ps->e[i].ref);
	pthread_mutex_destroy(&ps->lock);
	free(ps);
	*psp = NULL;
}

/* GET {UP's url}/WHAT into a malloc'd, NUL-terminated buffer (*LEN
 * bytes); NULL on any failure, or an answer other than 200, with the
 * reason in ERR. */
static char *
fetch_doc(const struct upstream *up, const char *what, size_t *len,
    char *err, size_t errlen)
{
	char	*buf;
	long	 status;

	if (upstream_fetch(up, what, SCIM_SCHEMA_DOC_MAX, &buf, len, &status,
	    err, errlen) == -1)
		return NULL;
	if (status != 200) {
		snprintf(err, errlen, "GET /%s answered %ld", what, status);
		free(buf);
		return NULL;
	}
	return buf;
}

/* UP's set, or NULL (the core) when it cannot be had. */
static struct scim_schema_set *
fetch_set(const struct upstream *up)
{
	struct scim_schema_set	*set = NULL;
	char			*sch, *rt, err[256], q[512];
	size_t			 slen = 0, rlen = 0;

	if ((sch = fetch_doc(up, "Schemas", &slen, err, sizeof(err))) ==
	    NULL) {
		log_event(LOG_WARN, "proxy.schemas_unavailable", "upstream=%s "
		    "reason=\"%s\": validating against RFC 7643's core only",
		    up->name, log_quote(err, q, sizeof(q)));
		return NULL;
	}
	rt = fetch_doc(up, "ResourceTypes", &rlen, err, sizeof(err));
	if (scim_schema_set_load(sch, slen, rt, rlen, &set, err,
	    sizeof(err)) != 0) {
		log_event(LOG_WARN, "proxy.schemas_unusable", "upstream=%s "
		    "reason=\"%s\": validating against RFC 7643's core only",
		    up->name, log_quote(err, q, sizeof(q)));
		set = NULL;
	}
	free(sch);
	free(rt);
	return set;
}

/* The slot holding NAME, or NULL. */
static struct sentry *
entry_named(struct proxy_schemas *ps, const char *name)
{
	size_t i;

	for (i = 0; i < UPSTREAM_MAX; i++)
		if (strcmp(ps->e[i].name, name) == 0)
			return &ps->e[i];
	return NULL;
}

/* UP's slot, made when there is none: a free one, or else one taken from
 * another upstream (a removed one's, most likely). A slot left by an
 * earlier upstream of the same name is emptied: keyed by the generation,
 * not created_at, since a name removed and added again within a second
 * keeps its created_at but may point somewhere else. */
static struct sentry *
entry_find(struct proxy_schemas *ps, const struct upstream *up)
{
	struct sentry *e;

	if ((e = entry_named(ps, up->name)) != NULL) {
		if (e->generation != up->generation) {
			ref_put(&e->ref);
			e->generation = up->generation;
			e->fresh_until = 0;
		}
		return e;
	}
	if ((e = entry_named(ps, "")) == NULL)
		e = &ps->e[up->generation % UPSTREAM_MAX];
	ref_put(&e->ref);
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", up->name);
	e->generation = up->generation;
	return e;
}

const struct scim_schema_set *
proxy_schemas_get(struct proxy_schemas *ps, const struct upstream *up,
    struct schema_ref **refp)
{
	struct scim_schema_set	*set;
	struct schema_ref	*ref;
	struct sentry		*e;
	time_t			 now = time(NULL);

	*refp = NULL;
	pthread_mutex_lock(&ps->lock);
	e = entry_find(ps, up);
	if (e->ref != NULL && (now < e->fresh_until || e->fetching)) {
		e->ref->refs++;
		*refp = e->ref;
		pthread_mutex_unlock(&ps->lock);
		return (*refp)->set;
	}
	if (e->fetching) {		/* the first fetch is under way */
		pthread_mutex_unlock(&ps->lock);
		return NULL;
	}
	e->fetching = 1;
	pthread_mutex_unlock(&ps->lock);
	set = fetch_set(up);
	ref = calloc(1, sizeof(*ref));
	pthread_mutex_lock(&ps->lock);
	e = entry_find(ps, up);
	e->fetching = 0;
	if (ref == NULL) {
		pthread_mutex_unlock(&ps->lock);
		scim_schema_set_free(&set);
		return NULL;
	}
	ref->set = set;
	ref->refs = 2;			/* the cache's and the caller's */
	ref_put(&e->ref);
	e->ref = ref;
	e->fresh_until = now + (set != NULL ? PROXY_SCHEMA_TTL_S :
	    PROXY_SCHEMA_RETRY_S);
	e->refresh_asked = 0;
	*refp = ref;
	pthread_mutex_unlock(&ps->lock);
	return set;
}

int
proxy_schemas_peek(struct proxy_schemas *ps, const struct upstream *up,
    const struct scim_schema_set **set, struct schema_ref **refp,
    int *stale)
{
	struct sentry	*e;
	int		 found = 0;

	*set = NULL;
	*refp = NULL;
	*stale = 0;
	pthread_mutex_lock(&ps->lock);
	/* Look only: a miss must not take another upstream's slot. */
	e = entry_named(ps, up->name);
	if (e != NULL && e->generation == up->generation && e->ref != NULL) {
		e->ref->refs++;
		*refp = e->ref;
		*set = e->ref->set;
		/* Said once per staleness: one refresh, not one per request
		 * until it lands. */
		*stale = time(NULL) >= e->fresh_until && !e->fetching &&
		    !e->refresh_asked;
		e->refresh_asked |= *stale;
		found = 1;
	}
	pthread_mutex_unlock(&ps->lock);
	return found;
}

void
proxy_schemas_release(struct proxy_schemas *ps, struct schema_ref **refp)
{
	if (refp == NULL || *refp == NULL)
		return;
	pthread_mutex_lock(&ps->lock);
	ref_put(refp);
	pthread_mutex_unlock(&ps->lock);
}
