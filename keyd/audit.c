/* The audit log's front: request threads submit records here and wait
 * for their batch (audit_writer.c commits it), or, with audit_write_async,
 * go on and are called back when it settles. While the log is failing a
 * write is refused at once, so no caller stalls on a full or broken disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "keyd/audit_int.h"
#include "keyd/audit_store.h"

#define QUEUE_MAX	16384	/* records waiting, audit_sync = off */
#define READ_GRACE_US	(60LL * 1000000)

int64_t
audit_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
sk_copy(struct audit *a, const unsigned char *sk)
{
	if ((a->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		return -1;
	memcpy(a->sk, sk, crypto_sign_SECRETKEYBYTES);
	sodium_mprotect_readonly(a->sk);
	crypto_sign_ed25519_sk_to_pk(a->pk, sk);
	return 0;
}

static struct audit *
audit_new(const struct audit_opts *o, struct store *st)
{
	struct audit *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_cond_init(&a->done, NULL);
	pthread_cond_init(&a->space, NULL);
	a->o = *o;
	a->store = st;
	if (a->o.cp_records < 1)
		a->o.cp_records = 1;
	if (a->o.cp_interval_s < 1)
		a->o.cp_interval_s = 1;
	return a;
}

static void
audit_free(struct audit *a)
{
	audit_store_close(&a->w);
	if (a->sk != NULL)
		sodium_free(a->sk);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->work);
	pthread_cond_destroy(&a->done);
	pthread_cond_destroy(&a->space);
	free(a);
}

int
audit_open(const struct audit_opts *o, const unsigned char *sk,
    struct store *st, struct audit **ap, char *err, size_t errlen)
{
	struct audit *a;

	*ap = NULL;
	if ((a = audit_new(o, st)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((size_t)snprintf(a->path, sizeof(a->path), "%s", o->path) >=
	    sizeof(a->path) || sk_copy(a, sk) == -1) {
		snprintf(err, errlen, "audit: path too long, or out of guarded "
		    "memory");
		goto fail;
	}
	a->o.path = a->path;
	if (audit_writer_prepare(a, err, errlen) == -1)
		goto fail;
	if (pthread_create(&a->thread, NULL, audit_writer_main, a) != 0) {
		snprintf(err, errlen, "cannot start the audit writer thread");
		goto fail;
	}
	a->running = 1;
	*ap = a;
	return 0;
fail:
	audit_free(a);
	return -1;
}

void
audit_close(struct audit **ap)
{
	struct audit *a;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	if (a->running) {
		pthread_mutex_lock(&a->mu);
		a->stop = 1;
		pthread_cond_signal(&a->work);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->thread, NULL);
	}
	audit_free(a);
	*ap = NULL;
}

static void
enqueue(struct audit *a, struct audit_item *it)
{
	it->next = NULL;
	if (a->qtail != NULL)
		a->qtail->next = it;
	else
		a->qhead = it;
	a->qtail = it;
	a->queued++;
	pthread_cond_signal(&a->work);
}

/* Queue IT (under mu) unless the log is failing or stopping, or the queue
 * is full and the caller may not wait for room (NOWAIT). 0 or -1. */
static int
submit_locked(struct audit *a, struct audit_item *it, int nowait)
{
	while (!nowait && a->queued >= QUEUE_MAX && !a->st.failing &&
	    !a->stop)
		pthread_cond_wait(&a->space, &a->mu);
	if (a->st.failing || a->stop) {
		a->st.refused++;
		return -1;
	}
	if (a->queued >= QUEUE_MAX)
		return -1;
	/* Timed under the lock, so that times rise with the queue's order. */
	if (it->rec.time_us == 0)
		it->rec.time_us = audit_now_us();
	enqueue(a, it);
	return 0;
}

/* Queue a heap copy of R that the writer frees once settled, after
 * calling DONE (when not NULL). 0 or -1. */
static int
write_detached(struct audit *a, const struct audit_rec *r, audit_done_fn done,
    void *cls, int nowait)
{
	struct audit_item	*it;
	int			 rc;

	if ((it = calloc(1, sizeof(*it))) == NULL)
		return -1;
	it->kind = ITEM_RECORD;
	it->detached = 1;
	it->done = done;
	it->cls = cls;
	it->rec = *r;
	pthread_mutex_lock(&a->mu);
	rc = submit_locked(a, it, nowait);
	pthread_mutex_unlock(&a->mu);
	if (rc == -1)
		free(it);
	return rc;
}

/* Queue IT and wait for the writer to settle it. */
static int
write_wait(struct audit *a, struct audit_item *it)
{
	int rc;

	pthread_mutex_lock(&a->mu);
	rc = submit_locked(a, it, 0);
	while (rc == 0 && it->state == ITEM_PENDING)
		pthread_cond_wait(&a->done, &a->mu);
	pthread_mutex_unlock(&a->mu);
	return rc == 0 && it->state == ITEM_DONE ? 0 : -1;
}

int
audit_write(struct audit *a, struct audit_rec *r)
{
	struct audit_item it;

	if (!a->o.sync)
		return write_detached(a, r, NULL, NULL, 0);
	memset(&it, 0, sizeof(it));
	it.kind = ITEM_RECORD;
	it.rec = *r;
	if (write_wait(a, &it) == -1)
		return -1;
	r->seq = it.rec.seq;
	r->time_us = it.rec.time_us;
	memcpy(r->hash, it.rec.hash, AUDIT_HASH_LEN);
	return 0;
}

int
audit_write_async(struct audit *a, const struct audit_rec *r,
    audit_done_fn done, void *cls)
{
	/* with sync off nothing waits for the commit, so DONE would only
	 * report what the caller has already been told */
	if (!a->o.sync)
		return write_detached(a, r, NULL, NULL, 1) == 0 ? 1 : -1;
	return write_detached(a, r, done, cls, 1);
}

int
audit_checkpoint_now(struct audit *a, int64_t *seq)
{
	struct audit_item it;

	memset(&it, 0, sizeof(it));
	it.kind = ITEM_CHECKPOINT;
	if (write_wait(a, &it) == -1)
		return -1;
	*seq = it.rec.seq;
	return 0;
}

int
audit_ready(struct audit *a)
{
	int ok;

	pthread_mutex_lock(&a->mu);
	ok = !a->st.failing;
	pthread_mutex_unlock(&a->mu);
	return ok;
}

void
audit_status(struct audit *a, struct audit_status *s)
{
	pthread_mutex_lock(&a->mu);
	*s = a->st;
	pthread_mutex_unlock(&a->mu);
}

void
audit_pubkey(const struct audit *a, unsigned char pk[AUDIT_PK_LEN])
{
	memcpy(pk, a->pk, AUDIT_PK_LEN);
}

void
audit_reading(struct audit *a)
{
	pthread_mutex_lock(&a->mu);
	a->busy_until_us = audit_now_us() + READ_GRACE_US;
	pthread_mutex_unlock(&a->mu);
}

int
audit_reader(struct audit *a, struct audit_store **as, char *err,
    size_t errlen)
{
	return audit_store_open(a->path, AUDIT_STORE_READ, 0, as, err, errlen);
}
