/* Private to audit.c and audit_writer.c: the queue the request threads
 * fill and the writer thread drains. */
#ifndef KEYD_AUDIT_INT_H
#define KEYD_AUDIT_INT_H

#include <limits.h>
#include <pthread.h>

#include "keyd/audit.h"

enum audit_item_kind { ITEM_RECORD, ITEM_CHECKPOINT };
enum audit_item_state { ITEM_PENDING, ITEM_DONE, ITEM_FAILED };

/* One request to the writer. A waiting submitter owns its item (on its
 * stack); a detached one (audit_sync = off, or audit_write_async) is
 * freed by the writer, after calling its DONE if it has one; an internal
 * one (the writer's own record) is neither. */
struct audit_item {
	struct audit_item	*next;
	enum audit_item_kind	 kind;
	enum audit_item_state	 state;
	int			 detached;
	int			 internal;
	audit_done_fn		 done;	/* detached only; NULL: none */
	void			*cls;
	struct audit_rec	 rec;	/* ITEM_CHECKPOINT: rec.seq answers */
};

struct audit {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* the writer waits */
	pthread_cond_t		 done;		/* submitters wait */
	pthread_cond_t		 space;		/* a full queue drained */
	struct audit_item	*qhead, *qtail;
	size_t			 queued;
	int			 stop;
	struct audit_status	 st;		/* published, under mu */
	int64_t			 busy_until_us;	/* a reader is walking */

	/* The writer thread's own; nobody else touches them once it runs. */
	struct audit_store	*w;
	int64_t			 seq;
	unsigned char		 hash[AUDIT_HASH_LEN];
	int64_t			 time_us;	/* the head's; none is earlier */
	int64_t			 cp_seq, cp_time_us;
	int64_t			 next_prune_us, next_probe_us;

	struct audit_opts	 o;
	char			 path[PATH_MAX];
	unsigned char		*sk;		/* sodium_malloc'd, read-only */
	unsigned char		 pk[AUDIT_PK_LEN];
	struct store		*store;		/* the main store, or NULL */
	pthread_t		 thread;
	int			 running;
};

/* Open audit.db for writing and check it: its key, its head, and the
 * checkpoint the main store remembers. Fills the writer's fields. */
int audit_writer_prepare(struct audit *a, char *err, size_t errlen);

/* The writer thread. */
void *audit_writer_main(void *arg);

#endif
