/* Private to store_sqlite*.c: the connection and helpers they share. */
#ifndef KEYD_STORE_SQLITE_H
#define KEYD_STORE_SQLITE_H

#include <pthread.h>

#include <sqlite3.h>

#include "keyd/store.h"

struct store {
	sqlite3		*db;
	pthread_mutex_t	 mu;	/* one connection, serialised */
};

/* Prepare SQL on ST's connection; records the error on failure. */
sqlite3_stmt *sq_prepare(struct store *st, const char *sql);

/* Record sqlite's current error for store_errmsg; returns -1. */
int sq_fail(struct store *st, const char *what);

/* Run a statement that returns no rows. 0 or -1. */
int sq_exec(struct store *st, const char *sql);

/* Copy column COL of STMT as text into BUF (truncating safely). */
void sq_text(sqlite3_stmt *stmt, int col, char *buf, size_t len);

void sq_lock(struct store *st);
void sq_unlock(struct store *st);

#endif
