/* Bringing the audit log up with keyd: its Ed25519 signing key (a seed
 * made at the first start, wrapped by the root key like the token pepper,
 * kept in the store's meta table; in memory only in guarded pages) and
 * the writer, configured from keyd.conf. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/keyd.h"
#include "keyd/keyring.h"
#include "keyd/store.h"

#define KEY_NAME "audit_signing_key"

/* A new seed, wrapped and stored; *SEED is the caller's to free. */
static int
seed_create(struct keyd *k, unsigned char **seed)
{
	unsigned char	*blob = NULL;
	size_t		 len;
	int		 rc = -1;

	if ((*seed = sodium_malloc(crypto_sign_SEEDBYTES)) == NULL)
		return -1;
	randombytes_buf(*seed, crypto_sign_SEEDBYTES);
	if (keyring_wrap(k->kr, KEY_NAME, *seed, crypto_sign_SEEDBYTES, &blob,
	    &len) == 0 && store_meta_put(k->store, KEY_NAME, blob, len) == 0)
		rc = 0;
	free(blob);
	if (rc == -1)
		keyring_secret_free(seed);
	return rc;
}

static int
seed_load(struct keyd *k, unsigned char **seed, char *err, size_t errlen)
{
	unsigned char	*blob = NULL;
	size_t		 len = 0, slen = 0;
	int		 r;

	*seed = NULL;
	r = store_meta_get(k->store, KEY_NAME, &blob, &len);
	if (r == STORE_NOTFOUND) {
		if (seed_create(k, seed) == 0)
			return 0;
		snprintf(err, errlen, "cannot make the audit signing key: %s",
		    store_errmsg(k->store));
		return -1;
	}
	if (r != 0 || keyring_unwrap(k->kr, KEY_NAME, blob, len, seed, &slen)
	    != 0 || slen != crypto_sign_SEEDBYTES) {
		keyring_secret_free(seed);
		snprintf(err, errlen, "cannot open the audit signing key in %s: "
		    "the store is damaged or from another instance",
		    k->cfg.store);
		free(blob);
		return -1;
	}
	free(blob);
	return 0;
}

int
audit_boot(struct keyd *k, char *err, size_t errlen)
{
	struct audit_opts	 o;
	unsigned char		*seed = NULL, *sk = NULL;
	unsigned char		 pk[crypto_sign_PUBLICKEYBYTES];
	int			 rc = -1;

	if (seed_load(k, &seed, err, errlen) == -1)
		return -1;
	if ((sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL) {
		snprintf(err, errlen, "out of guarded memory");
		goto out;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	memset(&o, 0, sizeof(o));
	o.path = k->cfg.audit_path;
	o.sync = k->cfg.audit_sync;
	o.cp_records = k->cfg.audit_cp_records;
	o.cp_interval_s = k->cfg.audit_cp_interval;
	o.retention_s = k->cfg.audit_retention;
	rc = audit_open(&o, sk, k->store, &k->audit, err, errlen);
out:
	if (sk != NULL)
		sodium_free(sk);
	keyring_secret_free(&seed);
	return rc;
}

int
audit_event(struct audit *a, const char *event, const char *fmt, ...)
{
	struct audit_rec	r;
	char			reason[sizeof(r.reason)];
	va_list			ap;

	audit_rec_init(&r, event);
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	AUDIT_SET(&r, reason, reason);
	return audit_write(a, &r);
}
