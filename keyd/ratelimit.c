/* Token buckets in an open-addressing table under striped locks. A bucket
 * stores its level in millitokens, so rates below one per second refill
 * smoothly without floating point. */
#include <pthread.h>
#include <stdlib.h>

#include "keyd/ratelimit.h"

#define STRIPES		16
#define SLOTS		(RATELIMIT_CLIENTS_MAX / STRIPES)
#define MILLI		1000

struct bucket {
	int64_t	client_id;	/* 0: free slot */
	int64_t	milli;		/* tokens x 1000 */
	int64_t	at_ns;		/* when milli was last brought up to date */
};

struct stripe {
	pthread_mutex_t	lock;
	struct bucket	slot[SLOTS];
};

struct ratelimit {
	struct stripe	stripe[STRIPES];
};

struct ratelimit *
ratelimit_new(void)
{
	struct ratelimit	*rl;
	size_t			 i;

	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	for (i = 0; i < STRIPES; i++)
		pthread_mutex_init(&rl->stripe[i].lock, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit **rlp)
{
	size_t i;

	if (rlp == NULL || *rlp == NULL)
		return;
	for (i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&(*rlp)->stripe[i].lock);
	free(*rlp);
	*rlp = NULL;
}

static uint64_t
mix(int64_t id)
{
	uint64_t x = (uint64_t)id;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* CLIENT_ID's bucket in S, made full when new; NULL when S is full. */
static struct bucket *
bucket_find(struct stripe *s, int64_t client_id, uint64_t h, int64_t full,
    int64_t now_ns)
{
	size_t i, k;

	for (i = 0; i < SLOTS; i++) {
		k = (size_t)((h + i) % SLOTS);
		if (s->slot[k].client_id == client_id)
			return &s->slot[k];
		if (s->slot[k].client_id == 0) {
			s->slot[k].client_id = client_id;
			s->slot[k].milli = full;
			s->slot[k].at_ns = now_ns;
			return &s->slot[k];
		}
	}
	return NULL;
}

int
ratelimit_take(struct ratelimit *rl, int64_t client_id, uint64_t rate,
    uint64_t period_s, uint64_t burst, int64_t now_ns, int64_t *retry_s)
{
	struct stripe	*s;
	struct bucket	*b;
	uint64_t	 h;
	int64_t		 full, gained, need, per_token;
	double		 ns_per_milli;
	int		 rc = 0;

	*retry_s = 0;
	if (rate == 0 || client_id == 0)
		return 0;
	if (period_s == 0)
		period_s = 1;
	if (burst == 0)
		burst = rate;
	full = (int64_t)burst * MILLI;
	/* Exact, not millitokens per whole second: "1/m" truncated to 16
	 * millitokens a second refilled 4% slowly and said Retry-After: 63. */
	ns_per_milli = (double)period_s * 1e9 / ((double)rate * MILLI);
	h = mix(client_id);
	s = &rl->stripe[h % STRIPES];
	pthread_mutex_lock(&s->lock);
	if ((b = bucket_find(s, client_id, h / STRIPES, full, now_ns)) ==
	    NULL)
		goto out;
	if (now_ns - b->at_ns > (int64_t)3600 * 1000000000) {
		b->milli = full;	/* idle for an hour: no overflow */
		b->at_ns = now_ns;
	} else if (now_ns > b->at_ns) {
		gained = (int64_t)((double)(now_ns - b->at_ns) / ns_per_milli);
		if (gained > 0 && b->milli + gained >= full) {
			b->milli = full;
			b->at_ns = now_ns;
		} else if (gained > 0) {
			/* Keep the fraction of a millitoken already earned. */
			b->milli += gained;
			b->at_ns += (int64_t)((double)gained * ns_per_milli);
		}
	}
	if (b->milli > full)
		b->milli = full;	/* the role's burst shrank */
	if (b->milli >= MILLI) {
		b->milli -= MILLI;
		goto out;
	}
	need = MILLI - b->milli;
	per_token = (int64_t)((double)need * ns_per_milli);
	if (now_ns > b->at_ns)		/* the part of a millitoken earned */
		per_token -= now_ns - b->at_ns;
	*retry_s = (per_token + 999999999) / 1000000000;
	if (*retry_s < 1)
		*retry_s = 1;
	rc = -1;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}
