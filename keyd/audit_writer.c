/* The audit writer thread: takes what the request threads queued, gives
 * each record its seq and chain hash, inserts the batch and any checkpoint
 * in one transaction (one fsync), and settles every waiter. A failed
 * commit closes audit.db and marks the log failing; once a second the
 * writer reopens it and tries to write an audit.recovered record, and the
 * first success ends the outage. Retention runs here too, so that no
 * other connection ever writes audit.db. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "keyd/audit_int.h"
#include "keyd/audit_store.h"
#include "keyd/log.h"
#include "keyd/store.h"

#define BATCH_MAX	1024
#define PROBE_US	(1000LL * 1000)
#define PRUNE_MAX_US	(3600LL * 1000000)
#define ANCHOR_KEY	"audit_anchor"
#define ANCHOR_LEN	(8 + AUDIT_HASH_LEN)
#define PK_KEY		"public_key"
#define US		1000000LL

/* What one round did, applied to the shared state under the lock. */
struct round {
	int	ran;		/* a commit was attempted */
	int	ok;
	int	recovered;
	char	why[AUDIT_WHY_MAX];
};

static void
anchor_encode(const struct audit_cp *cp, unsigned char out[ANCHOR_LEN])
{
	uint64_t	v = (uint64_t)cp->seq;
	int		i;

	for (i = 7; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)(v & 0xff);
	memcpy(out + 8, cp->hash, AUDIT_HASH_LEN);
}

static void
anchor_put(struct audit *a, const struct audit_cp *cp)
{
	unsigned char b[ANCHOR_LEN];

	if (a->store == NULL)
		return;
	anchor_encode(cp, b);
	if (store_meta_put(a->store, ANCHOR_KEY, b, sizeof(b)) != 0)
		log_event(LOG_WARN, "audit.anchor", "cannot record checkpoint "
		    "seq %lld in the store: %s", (long long)cp->seq,
		    store_errmsg(a->store));
}

/* The store remembers the last checkpoint: audit.db must still hold it. */
static int
anchor_check(struct audit *a, char *err, size_t errlen)
{
	struct audit_cp	 cp;
	unsigned char	*b = NULL, want[ANCHOR_LEN], got[ANCHOR_LEN];
	size_t		 len = 0;
	int		 r, rc = -1;

	if (a->store == NULL ||
	    (r = store_meta_get(a->store, ANCHOR_KEY, &b, &len)) ==
	    STORE_NOTFOUND)
		return 0;
	if (r != 0 || len != ANCHOR_LEN) {
		snprintf(err, errlen, "cannot read the audit anchor from the "
		    "store: %s", r != 0 ? store_errmsg(a->store) : "damaged");
		goto out;
	}
	memcpy(want, b, ANCHOR_LEN);
	r = audit_store_cp_at_or_before(a->w, INT64_MAX, &cp);
	if (r == 0)
		anchor_encode(&cp, got);
	if (r != 0 || a->seq < cp.seq || sodium_memcmp(got, want,
	    ANCHOR_LEN) != 0) {
		snprintf(err, errlen, "audit log %s does not hold the checkpoint "
		    "keyd last signed (recorded in the store): it was cut short, "
		    "replaced or rolled back. keyd will not append to it; "
		    "restore it from a backup, and check it with keyctl audit "
		    "verify --file", a->path);
		goto out;
	}
	rc = 0;
out:
	free(b);
	return rc;
}

/* audit.db names the key that signed it; it must be ours. */
static int
key_check(struct audit *a, char *err, size_t errlen)
{
	unsigned char	*pk = NULL;
	size_t		 len = 0;
	char		 theirs[AUDIT_PK_B64_LEN], ours[AUDIT_PK_B64_LEN];
	int		 r, rc = -1;

	r = audit_store_meta_get(a->w, PK_KEY, &pk, &len);
	if (r == AUDIT_STORE_NONE) {
		if (audit_store_meta_put(a->w, PK_KEY, a->pk, AUDIT_PK_LEN) == 0)
			return 0;
		snprintf(err, errlen, "%s", audit_store_errmsg(a->w));
		return -1;
	}
	if (r != 0)
		snprintf(err, errlen, "%s", audit_store_errmsg(a->w));
	else if (len != AUDIT_PK_LEN || memcmp(pk, a->pk, AUDIT_PK_LEN) != 0) {
		audit_pk_format(a->pk, ours);
		if (len == AUDIT_PK_LEN)
			audit_pk_format(pk, theirs);
		snprintf(err, errlen, "audit log %s was signed by another key "
		    "(%s), not this instance's (%s): point audit_path at this "
		    "instance's log", a->path, len == AUDIT_PK_LEN ? theirs :
		    "damaged", ours);
	} else
		rc = 0;
	free(pk);
	return rc;
}

/* The chain's head and last checkpoint, as audit.db has them. */
static int
head_load(struct audit_store *as, int64_t *seq,
    unsigned char hash[AUDIT_HASH_LEN], int64_t *time_us)
{
	struct audit_rec	last;
	int			r;

	if ((r = audit_store_last(as, &last)) == -1)
		return -1;
	*seq = r == 0 ? last.seq : 0;
	*time_us = r == 0 ? last.time_us : 0;
	if (r == 0)
		memcpy(hash, last.hash, AUDIT_HASH_LEN);
	else
		memset(hash, 0, AUDIT_HASH_LEN);
	return 0;
}

int
audit_writer_prepare(struct audit *a, char *err, size_t errlen)
{
	struct audit_cp	cp;
	int		r;

	if (audit_store_open(a->path, AUDIT_STORE_CREATE, a->o.sync, &a->w,
	    err, errlen) == -1 || key_check(a, err, errlen) == -1)
		return -1;
	if (head_load(a->w, &a->seq, a->hash, &a->time_us) == -1 ||
	    (r = audit_store_cp_at_or_before(a->w, INT64_MAX, &cp)) == -1) {
		snprintf(err, errlen, "%s", audit_store_errmsg(a->w));
		return -1;
	}
	a->cp_seq = r == 0 ? cp.seq : 0;
	a->cp_time_us = r == 0 ? cp.time_us : audit_now_us();
	if (anchor_check(a, err, errlen) == -1)
		return -1;
	a->st.head_seq = a->seq;
	memcpy(a->st.head_hash, a->hash, AUDIT_HASH_LEN);
	a->st.cp_seq = a->cp_seq;
	a->next_prune_us = audit_now_us();
	return 0;
}

/* The chain state a commit works on; adopted only if it commits. */
struct chain {
	int64_t		seq;
	unsigned char	hash[AUDIT_HASH_LEN];
	int64_t		time_us;
	int64_t		cp_seq, cp_time_us;
	struct audit_cp	cp;		/* the last checkpoint made */
	int		made_cp;
};

static int
chain_checkpoint(struct audit *a, struct chain *c)
{
	c->cp.seq = c->seq;
	c->cp.time_us = audit_now_us();
	memcpy(c->cp.hash, c->hash, AUDIT_HASH_LEN);
	audit_cp_sign(&c->cp, a->sk);
	if (audit_store_insert_cp(a->w, &c->cp) == -1)
		return -1;
	c->cp_seq = c->seq;
	c->cp_time_us = c->cp.time_us;
	c->made_cp = 1;
	return 0;
}

static int
chain_append(struct audit *a, struct chain *c, struct audit_rec *r)
{
	r->seq = ++c->seq;
	/* Times never decrease along seq, so that a time is found by binary
	 * search (audit_query.c). A record is timed as it is queued, under
	 * the queue's lock, so only a clock stepped back moves one here. */
	if (r->time_us == 0)
		r->time_us = audit_now_us();
	if (r->time_us < c->time_us)
		r->time_us = c->time_us;
	c->time_us = r->time_us;
	audit_rec_hash(c->hash, r, r->hash);
	memcpy(c->hash, r->hash, AUDIT_HASH_LEN);
	if (audit_store_insert(a->w, r) == -1)
		return -1;
	if (c->seq - c->cp_seq >= a->o.cp_records)
		return chain_checkpoint(a, c);
	return 0;
}

static int
cp_due(const struct audit *a, int64_t seq, int64_t cp_seq, int64_t cp_time_us,
    int64_t now)
{
	return seq > cp_seq && now - cp_time_us >= a->o.cp_interval_s * US;
}

/* One transaction: prune up to PRUNE_UPTO (0: none), append the items,
 * checkpoint when due or FORCE_CP. 0, or -1 with nothing changed. */
static int
commit(struct audit *a, struct audit_item *items, int force_cp,
    int64_t prune_upto)
{
	struct audit_item	*it;
	struct chain		 c;
	int64_t			 pruned;

	memset(&c, 0, sizeof(c));
	c.seq = a->seq;
	memcpy(c.hash, a->hash, AUDIT_HASH_LEN);
	c.time_us = a->time_us;
	c.cp_seq = a->cp_seq;
	c.cp_time_us = a->cp_time_us;
	if (a->w == NULL || audit_store_begin(a->w) == -1)
		return -1;
	if (prune_upto > 0 && audit_store_prune(a->w, prune_upto, &pruned) ==
	    -1)
		goto fail;
	for (it = items; it != NULL; it = it->next)
		if (it->kind == ITEM_RECORD && chain_append(a, &c, &it->rec) ==
		    -1)
			goto fail;
	if ((force_cp || cp_due(a, c.seq, c.cp_seq, c.cp_time_us,
	    audit_now_us())) && c.seq > c.cp_seq &&
	    chain_checkpoint(a, &c) == -1)
		goto fail;
	if (audit_store_commit(a->w) == -1)
		goto fail;
	a->seq = c.seq;
	memcpy(a->hash, c.hash, AUDIT_HASH_LEN);
	a->time_us = c.time_us;
	a->cp_seq = c.cp_seq;
	a->cp_time_us = c.cp_time_us;
	for (it = items; it != NULL; it = it->next)
		if (it->kind == ITEM_CHECKPOINT)
			it->rec.seq = a->cp_seq;
	if (c.made_cp)
		anchor_put(a, &c.cp);
	return 0;
fail:
	audit_store_rollback(a->w);
	return -1;
}

static void
fmt_time(int64_t us, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t = (time_t)(us / US);

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* Retention: the newest checkpoint older than audit_retention, if any
 * record still stands at or before it. 0: nothing to prune. */
static int64_t
prune_target(struct audit *a, int64_t now)
{
	struct audit_cp	cp;
	int64_t		first = 0, busy;

	if (a->o.retention_s <= 0 || now < a->next_prune_us || a->w == NULL)
		return 0;
	a->next_prune_us = now + (a->o.retention_s * US / 4 < PRUNE_MAX_US ?
	    a->o.retention_s * US / 4 : PRUNE_MAX_US);
	pthread_mutex_lock(&a->mu);
	busy = a->busy_until_us;
	pthread_mutex_unlock(&a->mu);
	if (busy > now ||
	    audit_store_cp_before_time(a->w, now - a->o.retention_s * US,
	    &cp) != 0 || audit_store_first_seq(a->w, &first) != 0 ||
	    first > cp.seq)
		return 0;
	return cp.seq;
}

static void
pruned_record(struct audit_item *it, int64_t upto, int64_t retention_s)
{
	char reason[AUDIT_WHY_MAX];

	memset(it, 0, sizeof(*it));
	it->kind = ITEM_RECORD;
	it->internal = 1;
	audit_rec_init(&it->rec, "audit.pruned");
	snprintf(reason, sizeof(reason), "retention %llds: records up to seq "
	    "%lld removed; the chain continues from the checkpoint at seq %lld",
	    (long long)retention_s, (long long)upto, (long long)upto);
	AUDIT_SET(&it->rec, reason, reason);
}

/* While failing: reopen audit.db, check it is still the one keyd wrote,
 * and write the record that ends the outage. 0 once recovered. */
static int
recover(struct audit *a, struct round *rd)
{
	struct audit_item	it;
	struct audit_status	st;
	unsigned char		hash[AUDIT_HASH_LEN];
	char			since[32], reason[AUDIT_WHY_MAX];
	int64_t			seq, time_us, now = audit_now_us();

	if (now < a->next_probe_us)
		return -1;
	a->next_probe_us = now + PROBE_US;
	if (a->w == NULL && audit_store_open(a->path, AUDIT_STORE_WRITE,
	    a->o.sync, &a->w, rd->why, sizeof(rd->why)) == -1)
		return -1;
	if (head_load(a->w, &seq, hash, &time_us) == -1 || seq != a->seq ||
	    sodium_memcmp(hash, a->hash, AUDIT_HASH_LEN) != 0) {
		snprintf(rd->why, sizeof(rd->why), "audit log %.100s changed while "
		    "it could not be written: its last record is not the one "
		    "keyd wrote (seq %lld)", a->path, (long long)a->seq);
		audit_store_close(&a->w);
		return -1;
	}
	memset(&it, 0, sizeof(it));
	it.kind = ITEM_RECORD;
	it.internal = 1;
	audit_rec_init(&it.rec, "audit.recovered");
	audit_status(a, &st);
	fmt_time(st.failing_since * US, since, sizeof(since));
	snprintf(reason, sizeof(reason), "the audit log could not be written "
	    "from %s for %llds (%.120s); %llu requests were refused", since,
	    (long long)(now / US - st.failing_since), st.why,
	    (unsigned long long)st.refused);
	AUDIT_SET(&it.rec, reason, reason);
	rd->ran = 1;
	if (commit(a, &it, 0, 0) == -1) {
		snprintf(rd->why, sizeof(rd->why), "%s",
		    audit_store_errmsg(a->w));
		return -1;
	}
	rd->recovered = 1;
	return 0;
}

/* Do what this round needs. Items of a failed round are settled FAILED. */
static void
writer_round(struct audit *a, struct audit_item *batch, int stopping,
    struct round *rd)
{
	struct audit_item	 pr, *items = batch;
	int64_t			 now = audit_now_us(), upto;
	int			 force = stopping;

	memset(rd, 0, sizeof(*rd));
	if (a->st.failing && recover(a, rd) == -1) {
		rd->ok = 0;
		return;
	}
	for (; batch != NULL; batch = batch->next)
		force |= batch->kind == ITEM_CHECKPOINT;
	if ((upto = prune_target(a, now)) > 0) {
		pruned_record(&pr, upto, a->o.retention_s);
		pr.next = items;
		items = &pr;
	}
	if (items == NULL && !force && !cp_due(a, a->seq, a->cp_seq,
	    a->cp_time_us, now)) {
		rd->ok = 1;
		return;
	}
	rd->ran = 1;
	rd->ok = commit(a, items, force, upto) == 0;
	if (!rd->ok)
		snprintf(rd->why, sizeof(rd->why), "%s", a->w != NULL ?
		    audit_store_errmsg(a->w) : "audit.db is closed");
}

/* Under the lock: settle the batch, publish the head, and enter or leave
 * the failing state, logging each change once. Returns the batch's items
 * that have a callback, in queue order, for async_settle. */
static struct audit_item *
round_apply(struct audit *a, struct audit_item *batch, const struct round *rd)
{
	struct audit_item	*it, *next, *cbs = NULL, **tail = &cbs;
	int			 waiters = 0;

	for (it = batch; it != NULL; it = next) {
		next = it->next;
		it->state = rd->ok ? ITEM_DONE : ITEM_FAILED;
		if (it->done != NULL) {
			it->next = NULL;
			*tail = it;
			tail = &it->next;
		} else if (it->detached)
			free(it);
		else if (!it->internal)
			waiters = 1;
	}
	if (rd->recovered) {
		log_event(LOG_WARN, "audit.recovered", "the audit log %s is "
		    "writable again after %llds; %llu requests were refused",
		    a->path, (long long)(audit_now_us() / US -
		    a->st.failing_since), (unsigned long long)a->st.refused);
		a->st.failing = 0;
		a->st.failing_since = 0;
		a->st.refused = 0;
		a->st.why[0] = '\0';
	}
	if (rd->ran && !rd->ok && !a->st.failing) {
		a->st.failing = 1;
		a->st.failing_since = audit_now_us() / US;
		snprintf(a->st.why, sizeof(a->st.why), "%s", rd->why);
		log_event(LOG_ERROR, "audit.failing", "cannot write the audit "
		    "log %s: %s; requests that need a record are refused (503) "
		    "until it can be written again", a->path, rd->why);
		a->next_probe_us = audit_now_us() + PROBE_US;
	}
	if (rd->ran && !rd->ok)
		audit_store_close(&a->w);	/* reopened by recover() */
	if (rd->ran && rd->ok)
		a->st.commits++;
	a->st.written += (uint64_t)(a->seq - a->st.head_seq);
	a->st.head_seq = a->seq;
	memcpy(a->st.head_hash, a->hash, AUDIT_HASH_LEN);
	a->st.cp_seq = a->cp_seq;
	if (waiters)	/* nobody else sleeps on done */
		pthread_cond_broadcast(&a->done);
	pthread_cond_broadcast(&a->space);
	return cbs;
}

/* Outside the lock, so that a callback may take its own locks or queue
 * more: tell each async submitter how its record ended, then free it. */
static void
async_settle(struct audit_item *cbs)
{
	struct audit_item *it, *next;

	for (it = cbs; it != NULL; it = next) {
		next = it->next;
		it->done(it->cls, it->state == ITEM_DONE);
		free(it);
	}
}

/* The next time the writer must wake with an empty queue. */
static int64_t
writer_deadline(const struct audit *a)
{
	int64_t t = a->next_prune_us;

	if (a->o.retention_s <= 0)
		t = INT64_MAX;
	if (a->seq > a->cp_seq &&
	    a->cp_time_us + a->o.cp_interval_s * US < t)
		t = a->cp_time_us + a->o.cp_interval_s * US;
	if (a->st.failing && a->next_probe_us < t)
		t = a->next_probe_us;
	return t;
}

static void
writer_wait(struct audit *a)
{
	struct timespec	ts;
	int64_t		t;

	while (a->qhead == NULL && !a->stop &&
	    (t = writer_deadline(a)) > audit_now_us()) {
		if (t == INT64_MAX) {
			pthread_cond_wait(&a->work, &a->mu);
			continue;
		}
		ts.tv_sec = (time_t)(t / US);
		ts.tv_nsec = (long)(t % US) * 1000;
		pthread_cond_timedwait(&a->work, &a->mu, &ts);
	}
}

static struct audit_item *
queue_take(struct audit *a)
{
	struct audit_item	*head = a->qhead, *it = head;
	size_t			 n = 1;

	if (head == NULL)
		return NULL;
	while (n < BATCH_MAX && it->next != NULL) {
		it = it->next;
		n++;
	}
	a->qhead = it->next;
	if (a->qhead == NULL)
		a->qtail = NULL;
	it->next = NULL;
	a->queued -= n;
	return head;
}

void *
audit_writer_main(void *arg)
{
	struct audit		*a = arg;
	struct audit_item	*batch, *cbs;
	struct round		 rd;
	int			 stopping;

	(void)pthread_setname_np(pthread_self(), "keyd-audit");
	do {
		pthread_mutex_lock(&a->mu);
		writer_wait(a);
		batch = queue_take(a);
		stopping = a->stop && a->qhead == NULL;
		pthread_mutex_unlock(&a->mu);
		writer_round(a, batch, stopping, &rd);
		pthread_mutex_lock(&a->mu);
		cbs = round_apply(a, batch, &rd);
		pthread_mutex_unlock(&a->mu);
		async_settle(cbs);
	} while (!stopping);
	return NULL;
}
