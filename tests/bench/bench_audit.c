/* bench_audit: what the audit log costs. Usage: bench_audit [DIR]
 * (default: a scratch directory under /tmp; put it on the disk audit.db
 * will live on). Measures:
 *   - the CPU a record costs before any I/O: building it (fields, body
 *     digest) and hashing it into the chain;
 *   - fsync on DIR alone, the floor of any durable write;
 *   - records per second through the writer with 1, 8 and 64 threads each
 *     waiting for its record to be durable (group commit), and what one
 *     such wait costs a request (median and 99th percentile);
 *   - the same with audit_sync = off, where nobody waits.
 * Exits 1 only when the log cannot be opened or a write fails. */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/audit_chain.h"

#define RUN_NS		1500000000ull	/* per measurement */
#define SAMPLES_MAX	200000
#define BODY		"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:" \
			"User\"],\"userName\":\"alice@example.com\",\"name\":{" \
			"\"givenName\":\"Alice\",\"familyName\":\"Smith\"}," \
			"\"active\":true}"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A record as the request path builds one. */
static void
rec_make(struct audit_rec *r)
{
	unsigned char	h[32];

	audit_rec_init(r, "scim.request");
	AUDIT_SET(r, request_id, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
	AUDIT_SET(r, remote, "10.0.3.17");
	AUDIT_SET(r, client, "okta-prod");
	AUDIT_SET(r, token_id, "KasXvkncz4el");
	AUDIT_SET(r, upstream, "workday");
	AUDIT_SET(r, method, "POST");
	AUDIT_SET(r, path, "/scim/v2/workday/Users");
	AUDIT_SET(r, scim_op, "create");
	AUDIT_SET(r, decision, "allow");
	AUDIT_SET(r, rule, "roles.scim-provisioner.rules[0]");
	r->status = 201;
	r->upstream_status = 201;
	r->latency_us = 2400;
	crypto_generichash(h, sizeof(h), (const unsigned char *)BODY,
	    strlen(BODY), NULL, 0);
	sodium_bin2hex(r->body_digest, sizeof(r->body_digest), h, sizeof(h));
}

static void
bench_cpu(void)
{
	struct audit_rec	r;
	unsigned char		prev[32] = { 0 };
	uint64_t		t0, n = 0, iters = 1000;
	double			ns;

	do {
		t0 = now_ns();
		for (n = 0; n < iters; n++) {
			rec_make(&r);
			audit_rec_hash(prev, &r, prev);
		}
		ns = (double)(now_ns() - t0);
		iters *= 2;
	} while (ns < 2e8);
	printf("record CPU (build + digest + chain hash): %.2f us\n",
	    ns / (double)n / 1000.0);
}

static void
bench_fsync(const char *dir)
{
	char		path[512], buf[4096];
	uint64_t	t0, total = 0;
	int		fd, i, n = 50;

	snprintf(path, sizeof(path), "%s/fsync.probe", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return;
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < n; i++) {
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			break;
		t0 = now_ns();
		(void)fsync(fd);
		total += now_ns() - t0;
	}
	close(fd);
	unlink(path);
	printf("fsync of 4 KiB on %s: %.0f us (mean of %d)\n", dir,
	    (double)total / n / 1000.0, n);
}

struct run {
	struct audit	*a;
	uint64_t	 end;
	uint64_t	*lat;		/* this thread's waits, ns */
	size_t		 n, cap;
	int		 failed;
};

static void *
submitter(void *arg)
{
	struct run		*r = arg;
	struct audit_rec	 rec;
	uint64_t		 t0;

	while ((t0 = now_ns()) < r->end) {
		rec_make(&rec);
		if (audit_write(r->a, &rec) != 0) {
			r->failed = 1;
			break;
		}
		if (r->n < r->cap)
			r->lat[r->n++] = now_ns() - t0;
	}
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* NT threads writing for RUN_NS; prints records/s and the waits. */
static int
bench_writer(const char *dir, int sync, int nt)
{
	struct audit_opts	 o;
	struct audit_status	 st;
	struct audit		*a = NULL;
	struct run		 r[64];
	pthread_t		 t[64];
	unsigned char		 pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char		 sk[crypto_sign_SECRETKEYBYTES];
	uint64_t		*all, t0, el;
	char			 path[512], err[512];
	size_t			 i, n = 0, j;

	snprintf(path, sizeof(path), "%s/bench-%d-%d.db", dir, sync, nt);
	unlink(path);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.sync = sync;
	o.cp_records = 1000;
	o.cp_interval_s = 10;
	crypto_sign_keypair(pk, sk);
	if (audit_open(&o, sk, NULL, &a, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_audit: %s\n", err);
		return -1;
	}
	all = calloc(SAMPLES_MAX, sizeof(*all));
	t0 = now_ns();
	for (i = 0; i < (size_t)nt; i++) {
		r[i] = (struct run){ a, t0 + RUN_NS,
		    calloc(SAMPLES_MAX / (size_t)nt, sizeof(uint64_t)), 0,
		    SAMPLES_MAX / (size_t)nt, 0 };
		pthread_create(&t[i], NULL, submitter, &r[i]);
	}
	for (i = 0; i < (size_t)nt; i++)
		pthread_join(t[i], NULL);
	audit_close(&a);	/* with sync off: until the queue is written */
	el = now_ns() - t0;
	for (i = 0; i < (size_t)nt; i++) {
		for (j = 0; j < r[i].n && n < SAMPLES_MAX; j++)
			all[n++] = r[i].lat[j];
		free(r[i].lat);
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	memset(&st, 0, sizeof(st));
	printf("sync %-3s %2d writers: %8.0f records/s", sync ? "on" : "off",
	    nt, (double)n / ((double)el / 1e9));
	if (n > 0)
		printf("   wait per record: median %6.0f us, p99 %6.0f us",
		    (double)all[n / 2] / 1000.0,
		    (double)all[n * 99 / 100] / 1000.0);
	printf("\n");
	free(all);
	unlink(path);
	for (i = 0; i < (size_t)nt; i++)
		if (r[i].failed)
			return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static const int	 threads[] = { 1, 8, 64 };
	char			 tmp[] = "/tmp/keyd-bench-audit.XXXXXX";
	const char		*dir;
	char			 wal[600], shm[600];
	size_t			 i;
	int			 rc = 0;

	if (sodium_init() < 0)
		return 1;
	if (argc > 1)
		dir = argv[1];
	else if ((dir = mkdtemp(tmp)) == NULL)
		return 1;
	bench_cpu();
	bench_fsync(dir);
	for (i = 0; i < sizeof(threads) / sizeof(threads[0]) && rc == 0; i++)
		rc = bench_writer(dir, 1, threads[i]);
	for (i = 0; i < sizeof(threads) / sizeof(threads[0]) && rc == 0; i++)
		rc = bench_writer(dir, 0, threads[i]);
	snprintf(wal, sizeof(wal), "%s/bench-0-64.db-wal", dir);
	snprintf(shm, sizeof(shm), "%s/bench-0-64.db-shm", dir);
	unlink(wal);
	unlink(shm);
	if (argc <= 1)
		rmdir(dir);
	return rc == 0 ? 0 : 1;
}
