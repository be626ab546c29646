/* The daemon's shared state: configuration, store, keyring, token cache and
 * the active policy. One per process; handed to every module that needs it. */
#ifndef KEYD_KEYD_H
#define KEYD_KEYD_H

#include <sys/types.h>

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "keyd/config.h"

#define KEYD_VERSION "0.1.0"

struct store;
struct keyring;
struct authn;
struct policy_set;
struct audit;
struct upstream_reg;

struct keyd {
	struct config		 cfg;
	struct store		*store;
	struct keyring		*kr;
	struct authn		*authn;
	pthread_rwlock_t	 policy_lock;
	struct policy_set	*policy;	/* under policy_lock */
	int64_t			 policy_version;
	struct audit		*audit;		/* keyd/audit.h */
	struct upstream_reg	*upstreams;	/* keyd/upstream.h */
	time_t			 started;
};

/* Open the store, unlock the keyring with the configured root key, load
 * the DEKs, the pepper and the active policy. On failure ERR says what to
 * do and everything opened is closed. Returns 0 or -1. */
int keyd_open(struct keyd *k, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Close everything keyd_open opened; wipes keys. */
void keyd_close(struct keyd *k);

/* Read the root key named by k->cfg.root_key into *ROOT (sodium_malloc'd;
 * free with keyring_secret_free). Passphrase mode reads
 * $KEYD_PASSPHRASE_FILE, $CREDENTIALS_DIRECTORY/keyd-passphrase or the
 * terminal, and the salt from STATE/passphrase.salt. Returns 0 or -1 with ERR. */
int keyd_root_key(struct keyd *k, unsigned char **root, char *err,
    size_t errlen) __attribute__((warn_unused_result));

#define KEYD_PASS_MAX 1024

/* Read the passphrase file PATH into PASS (KEYD_PASS_MAX bytes of guarded
 * memory, the caller's), dropping one trailing newline (LF or CRLF). Used
 * by both `keyd init` and start-up, so both read a file alike. Returns the
 * length (> 0), or -1 with ERR when the file is unreadable, empty or
 * KEYD_PASS_MAX bytes or longer. */
ssize_t keyd_passphrase_read(const char *path, char *pass, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Seconds since the epoch. */
int64_t keyd_now(void);

/* CLOCK_MONOTONIC in nanoseconds: for durations and deadlines. */
int64_t keyd_mono_ns(void);

/* Grow *BUF (*CAP bytes, the first KEEP of them in use) to at least NEED
 * bytes, doubling from FIRST, but to no more than MAX (0: no bound); the
 * old buffer is wiped, as it may hold a secret, and freed. 0, or -1 when
 * out of memory or past MAX, with the buffer left as it was. */
int keyd_grow(char **buf, size_t *cap, size_t keep, size_t need,
    size_t first, size_t max);

#endif
