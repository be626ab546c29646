/* Verifying audit.db: find where to start (the first record, or the
 * newest checkpoint before a chosen seq), then feed the walk to the chain
 * verifier, a page at a time so that a long log never holds one reader
 * for long. */
#include <stdio.h>
#include <string.h>

#include "keyd/audit.h"
#include "keyd/audit_store.h"

static int
verify_cb(void *arg, const struct audit_rec *r, const struct audit_cp *cp)
{
	struct audit_verify *v = arg;

	if (r != NULL)
		return audit_verify_record(v, r) == 0 ? 0 : 1;
	return audit_verify_checkpoint(v, cp) == 0 ? 0 : 1;
}

/* A fresh verifier: anchor it at the checkpoint before START, if any. */
static int
verify_start(struct audit_store *as, struct audit_verify *v, int64_t from,
    int *empty)
{
	struct audit_cp	cp;
	int64_t		first = 0;
	int		r;

	*empty = 0;
	if ((r = audit_store_first_seq(as, &first)) == AUDIT_STORE_NONE) {
		*empty = 1;
		return 0;
	}
	if (r != 0)
		return -1;
	if (from < first)
		from = first;
	if (from <= 1)
		return 0;
	if ((r = audit_store_cp_at_or_before(as, from - 1, &cp)) == -1)
		return -1;
	if (r == 0 && audit_verify_checkpoint(v, &cp) == -1)
		return 0;
	v->next_seq = r == 0 ? cp.seq + 1 : first;
	return 0;
}

int
audit_verify_db(struct audit_store *as, struct audit_verify *v, int64_t from,
    int64_t to, int64_t max, int *done, char *err, size_t errlen)
{
	int64_t	before = v->records;
	int	empty = 0, r;

	*done = 1;
	if (!v->started && v->bad_seq == 0 && v->records == 0 &&
	    verify_start(as, v, from, &empty) == -1)
		goto fail;
	if (empty || v->bad_seq != 0)
		return 0;
	r = audit_store_walk(as, v->next_seq, to, max, verify_cb, v);
	if (r == -1)
		goto fail;
	*done = v->bad_seq != 0 || v->records - before < max ||
	    v->next_seq > to;
	return 0;
fail:
	snprintf(err, errlen, "%s", audit_store_errmsg(as));
	return -1;
}
