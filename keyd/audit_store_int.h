/* Inside audit.db's code: the connection, and what audit_store.c (the
 * schema and the writer's side) shares with audit_query.c (the readers'
 * queries). Nothing else includes this. */
#ifndef KEYD_AUDIT_STORE_INT_H
#define KEYD_AUDIT_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "keyd/audit_store.h"

#define COLS_MAX		1024
#define SPAN_CLIENTS_MAX	64	/* listed per segment, then SPAN_ANY */
#define SPAN_ANY		""	/* a segment to read for any client */

struct audit_store {
	sqlite3		*db;
	sqlite3_stmt	*ins;		/* writer: one record */
	sqlite3_stmt	*ins_cp;	/* writer: one checkpoint */
	sqlite3_stmt	*ins_span;	/* writer: one client_spans row */
	sqlite3_stmt	*begin, *commit;	/* writer: parsed once */
	pthread_mutex_t	 mu;
	char		 err[AUDIT_STORE_ERR_MAX];

	/* Writer: the clients of the open segment, the records after the
	 * last checkpoint, which client_spans does not cover yet. It may
	 * hold a client that a rolled-back transaction added (reading one
	 * segment too many is harmless); it must never miss one, so a
	 * rollback reloads it from what was committed. */
	int64_t		 span_lo;	/* the open segment's first seq */
	int		 span_n;
	int		 span_any;	/* more clients than the list holds */
	int		 span_stale;	/* reload before the next insert */
	char		 span_clients[SPAN_CLIENTS_MAX]
			    [sizeof(((struct audit_rec *)0)->client)];
};

/* "seq, time_us, …, body_digest, hash", made once from audit_fields. */
extern char as_cols[COLS_MAX];

/* Record what failed in AS's error; -1. */
int as_fail(struct audit_store *as, const char *what);
int as_exec(struct audit_store *as, const char *sql);
sqlite3_stmt *as_prepare(struct audit_store *as, const char *sql);

/* Fill R from a row selected with as_cols. */
void as_row_rec(sqlite3_stmt *stmt, struct audit_rec *r);

#endif
