/* Request counters keyed by their labels in a fixed table, and two
 * histograms with fixed buckets, all under one mutex: a request takes it
 * once, for well under a microsecond. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyd/metrics.h"

#define LABEL_MAX	65

static const int64_t bounds_us[] = { 100, 250, 500, 1000, 2500, 5000, 10000,
    25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
    10000000 };
#define NBOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))

struct series {
	char		upstream[LABEL_MAX];
	char		op[16];
	char		decision[8];
	unsigned	status;
	uint64_t	count;
};

struct histo {
	uint64_t	bucket[NBOUNDS];	/* counts <= bound, not cumulative */
	uint64_t	count;
	double		sum_s;
};

struct metrics {
	pthread_mutex_t	 mu;
	struct series	*s;
	size_t		 n;
	struct histo	 keyd, upstream;
};

struct metrics *
metrics_new(void)
{
	struct metrics *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->s = calloc(METRICS_SERIES_MAX, sizeof(*m->s))) == NULL) {
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->mu, NULL);
	return m;
}

void
metrics_free(struct metrics **mp)
{
	if (mp == NULL || *mp == NULL)
		return;
	pthread_mutex_destroy(&(*mp)->mu);
	free((*mp)->s);
	free(*mp);
	*mp = NULL;
}

static void
histo_add(struct histo *h, int64_t us)
{
	size_t i;

	for (i = 0; i < NBOUNDS; i++)
		if (us <= bounds_us[i]) {
			h->bucket[i]++;
			break;
		}
	h->count++;
	h->sum_s += (double)us / 1e6;
}

static struct series *
series_find(struct metrics *m, const char *up, const char *op,
    const char *decision, unsigned status)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->s[i].status == status &&
		    strcmp(m->s[i].upstream, up) == 0 &&
		    strcmp(m->s[i].op, op) == 0 &&
		    strcmp(m->s[i].decision, decision) == 0)
			return &m->s[i];
	if (m->n == METRICS_SERIES_MAX)
		return strcmp(up, "other") == 0 ? &m->s[m->n - 1] :
		    series_find(m, "other", op, decision, status);
	snprintf(m->s[m->n].upstream, LABEL_MAX, "%s", up);
	snprintf(m->s[m->n].op, sizeof(m->s[0].op), "%s", op);
	snprintf(m->s[m->n].decision, sizeof(m->s[0].decision), "%s",
	    decision);
	m->s[m->n].status = status;
	return &m->s[m->n++];
}

void
metrics_request(struct metrics *m, const char *upstream, const char *op,
    const char *decision, unsigned status, int64_t keyd_us,
    int64_t upstream_us)
{
	pthread_mutex_lock(&m->mu);
	series_find(m, upstream, op, decision, status)->count++;
	histo_add(&m->keyd, keyd_us);
	if (upstream_us >= 0)
		histo_add(&m->upstream, upstream_us);
	pthread_mutex_unlock(&m->mu);
}

/* A growing text buffer; once out of memory it stays failed. */
struct out {
	char	*b;
	size_t	 len, cap;
	int	 failed;
};

static void out_add(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
out_add(struct out *o, const char *fmt, ...)
{
	va_list	 ap;
	char	*nb;
	int	 n;

	for (;;) {
		if (o->failed)
			return;
		va_start(ap, fmt);
		n = vsnprintf(o->b + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		if (n < 0 || (nb = realloc(o->b, o->cap * 2)) == NULL) {
			o->failed = 1;
			return;
		}
		o->b = nb;
		o->cap *= 2;
	}
}

static void
histo_render(struct out *o, const char *name, const char *help,
    const struct histo *h)
{
	uint64_t	cum = 0;
	size_t		i;

	out_add(o, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (i = 0; i < NBOUNDS; i++) {
		cum += h->bucket[i];
		out_add(o, "%s_bucket{le=\"%g\"} %llu\n", name,
		    (double)bounds_us[i] / 1e6, (unsigned long long)cum);
	}
	out_add(o, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n",
	    name, (unsigned long long)h->count, name, h->sum_s, name,
	    (unsigned long long)h->count);
}

/* One metric of one value: its HELP and TYPE lines, then the value. */
static void
value_render(struct out *o, const char *name, const char *type,
    const char *help, uint64_t v)
{
	out_add(o, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name,
	    type, name, (unsigned long long)v);
}

static void
sample_render(struct out *o, const struct metrics_sample *s)
{
	value_render(o, "keyd_token_cache_hits_total", "counter",
	    "Token checks the cache answered.", s->cache_hits);
	value_render(o, "keyd_token_cache_misses_total", "counter",
	    "Token checks that read the store.", s->cache_misses);
	value_render(o, "keyd_open_connections", "gauge",
	    "Client connections open now.", s->open_connections);
	value_render(o, "keyd_audit_failing", "gauge",
	    "1 while the audit log cannot be written.", s->audit_failing);
	value_render(o, "keyd_audit_commits_total", "counter",
	    "Audit log transactions (one fsync each with audit_sync on).",
	    s->audit_commits);
	value_render(o, "keyd_audit_records_total", "counter",
	    "Audit records written.", s->audit_records);
}

char *
metrics_render(struct metrics *m, const struct metrics_sample *s,
    size_t *len)
{
	struct out	o = { NULL, 0, 8192, 0 };
	size_t		i;

	if ((o.b = malloc(o.cap)) == NULL)
		return NULL;
	o.b[0] = '\0';
	pthread_mutex_lock(&m->mu);
	out_add(&o, "# HELP keyd_scim_requests_total SCIM requests answered, "
	    "by upstream, operation, decision and status.\n"
	    "# TYPE keyd_scim_requests_total counter\n");
	for (i = 0; i < m->n; i++)
		out_add(&o, "keyd_scim_requests_total{upstream=\"%s\","
		    "operation=\"%s\",decision=\"%s\",status=\"%u\"} %llu\n",
		    m->s[i].upstream, m->s[i].op, m->s[i].decision,
		    m->s[i].status, (unsigned long long)m->s[i].count);
	histo_render(&o, "keyd_request_seconds", "Time keyd spent on a SCIM "
	    "request, the upstream's time excluded.", &m->keyd);
	histo_render(&o, "keyd_upstream_seconds", "Time from forwarding to "
	    "the upstream's answer headers.", &m->upstream);
	pthread_mutex_unlock(&m->mu);
	sample_render(&o, s);
	if (o.failed) {
		free(o.b);
		return NULL;
	}
	*len = o.len;
	return o.b;
}
