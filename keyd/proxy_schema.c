/* The per-upstream schema cache. A set is shared by reference: a refresh
 * swaps in a new set, and the old one is freed by its last user. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyd/log.h"
#include "keyd/proxy_fwd.h"
#include "keyd/proxy_schema.h"
#include "keyd/upstream.h"

struct schema_ref {
	struct scim_schema_set	*set;		/* NULL: the core */
	int			 refs;		/* users, the cache included */
};

struct sentry {
	char			 name[UPSTREAM_NAME_MAX + 1];
	int64_t			 created_at;	/* tells a re-added upstream */
	struct schema_ref	*ref;
	time_t			 fresh_until;
	int			 fetching;
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

/* GET BASE/WHAT into a malloc'd buffer (*LEN bytes); NULL on any
 * failure, with the reason in ERR. */
static char *
fetch_doc(const struct upstream *up, const char *what, size_t *len,
    char *err, size_t errlen)
{
	static const char *const hn[] = { "Accept" };
	static const char *const hv[] = { "application/scim+json" };
	struct fwd_request	 rq = { "GET", hn, hv, 1, NULL, 0 };
	struct fwd_target	 t;
	struct fwd		*f = NULL;
	char			 url[UPSTREAM_URL_MAX + 32], *buf = NULL;
	size_t			 n = 0;
	ssize_t			 r;
	long			 us;

	snprintf(url, sizeof(url), "%s/%s", up->url, what);
	t.url = url;
	t.up = up;
	if (fwd_start(&t, &rq, &f, &us, err, errlen) != FWD_OK)
		return NULL;
	if (fwd_status(f) != 200) {
		snprintf(err, errlen, "GET /%s answered %d", what,
		    fwd_status(f));
		goto fail;
	}
	if ((buf = malloc(SCIM_SCHEMA_DOC_MAX + 1)) == NULL)
		goto fail;
	while ((r = fwd_read(f, buf + n, SCIM_SCHEMA_DOC_MAX - n)) > 0)
		if ((n += (size_t)r) == SCIM_SCHEMA_DOC_MAX) {
			snprintf(err, errlen, "GET /%s is larger than 1 MiB",
			    what);
			goto fail;
		}
	if (r < 0) {
		snprintf(err, errlen, "GET /%s broke off", what);
		goto fail;
	}
	buf[n] = '\0';
	*len = n;
	fwd_free(&f);
	return buf;
fail:
	free(buf);
	fwd_free(&f);
	return NULL;
}

/* UP's set, or NULL (the core) when it cannot be had. */
static struct scim_schema_set *
fetch_set(const struct upstream *up)
{
	struct scim_schema_set	*set = NULL;
	char			*sch, *rt, err[256];
	size_t			 slen = 0, rlen = 0;

	if ((sch = fetch_doc(up, "Schemas", &slen, err, sizeof(err))) ==
	    NULL) {
		log_event(LOG_WARN, "proxy.schemas_unavailable", "upstream=%s "
		    "reason=\"%s\": validating against RFC 7643's core only",
		    up->name, err);
		return NULL;
	}
	rt = fetch_doc(up, "ResourceTypes", &rlen, err, sizeof(err));
	if (scim_schema_set_load(sch, slen, rt, rlen, &set, err,
	    sizeof(err)) != 0) {
		log_event(LOG_WARN, "proxy.schemas_unusable", "upstream=%s "
		    "reason=\"%s\": validating against RFC 7643's core only",
		    up->name, err);
		set = NULL;
	}
	free(sch);
	free(rt);
	return set;
}

static struct sentry *
entry_find(struct proxy_schemas *ps, const struct upstream *up)
{
	struct sentry	*free_e = NULL;
	size_t		 i;

	for (i = 0; i < UPSTREAM_MAX; i++) {
		if (strcmp(ps->e[i].name, up->name) == 0) {
			if (ps->e[i].created_at != up->created_at) {
				ref_put(&ps->e[i].ref);
				ps->e[i].created_at = up->created_at;
				ps->e[i].fresh_until = 0;
			}
			return &ps->e[i];
		}
		if (free_e == NULL && ps->e[i].name[0] == '\0')
			free_e = &ps->e[i];
	}
	if (free_e == NULL)
		free_e = &ps->e[(size_t)up->created_at % UPSTREAM_MAX];
	ref_put(&free_e->ref);
	memset(free_e, 0, sizeof(*free_e));
	snprintf(free_e->name, sizeof(free_e->name), "%s", up->name);
	free_e->created_at = up->created_at;
	return free_e;
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
	*refp = ref;
	pthread_mutex_unlock(&ps->lock);
	return set;
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
