/* Bringing the daemon's state up and down: store, root key, keyring,
 * token cache, policy. Each failure says what to do about it. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/audit.h"
#include "keyd/authn.h"
#include "keyd/keyd.h"
#include "keyd/keyring.h"
#include "keyd/store.h"
#include "keyd/upstream.h"
#include "policy/policy.h"

#define PASS_MAX	KEYD_PASS_MAX
#define AUTHN_CACHE_MAX	100000

int64_t
keyd_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
keyd_mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int
keyd_grow(char **buf, size_t *cap, size_t keep, size_t need, size_t first,
    size_t max)
{
	size_t	 n;
	char	*nb;

	if (*cap >= need)
		return 0;
	if (max != 0 && need > max)
		return -1;
	for (n = *cap == 0 ? first : *cap; n < need; n *= 2)
		;
	if (max != 0 && n > max)
		n = max;
	if ((nb = malloc(n)) == NULL)
		return -1;
	if (*buf != NULL) {
		memcpy(nb, *buf, keep);
		sodium_memzero(*buf, *cap);
		free(*buf);
	}
	*buf = nb;
	*cap = n;
	return 0;
}

/* Read at most PASS_MAX bytes from FD into PASS, dropping one trailing
 * newline. Returns the length, or -1. */
static ssize_t
pass_read_fd(int fd, char *pass)
{
	ssize_t n, total = 0;

	while (total < PASS_MAX &&
	    (n = read(fd, pass + total, (size_t)(PASS_MAX - total))) > 0)
		total += n;
	if (total < 0 || total >= PASS_MAX)
		return -1;
	if (total > 0 && pass[total - 1] == '\n')
		total--;
	if (total > 0 && pass[total - 1] == '\r')
		total--;
	return total;
}

ssize_t
keyd_passphrase_read(const char *path, char *pass, char *err, size_t errlen)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open passphrase file %s: %s",
		    path, strerror(errno));
		return -1;
	}
	n = pass_read_fd(fd, pass);
	close(fd);
	if (n <= 0)
		snprintf(err, errlen, "passphrase file %s is empty or longer "
		    "than %d bytes", path, PASS_MAX - 1);
	return n <= 0 ? -1 : n;
}

static ssize_t
pass_from_tty(char *pass, char *err, size_t errlen)
{
	struct termios	old, quiet;
	ssize_t		n;
	int		fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "root_key = passphrase, but there is no "
		    "terminal: set KEYD_PASSPHRASE_FILE or a systemd "
		    "credential named keyd-passphrase");
		return -1;
	}
	(void)!write(fd, "keyd passphrase: ", 17);
	tcgetattr(fd, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	n = pass_read_fd(fd, pass);	/* one line: the terminal is canonical */
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	if (n <= 0)
		snprintf(err, errlen, "no passphrase given");
	return n <= 0 ? -1 : n;
}

/* The passphrase: KEYD_PASSPHRASE_FILE, a systemd credential, or a prompt. */
static ssize_t
pass_get(char *pass, char *err, size_t errlen)
{
	const char	*p;
	char		 path[PATH_MAX];

	if ((p = getenv("KEYD_PASSPHRASE_FILE")) != NULL && *p != '\0')
		return keyd_passphrase_read(p, pass, err, errlen);
	if ((p = getenv("CREDENTIALS_DIRECTORY")) != NULL && *p != '\0') {
		snprintf(path, sizeof(path), "%s/keyd-passphrase", p);
		if (access(path, R_OK) == 0)
			return keyd_passphrase_read(path, pass, err, errlen);
	}
	return pass_from_tty(pass, err, errlen);
}

static int
salt_read(const char *state_dir, unsigned char *salt, char *err,
    size_t errlen)
{
	char	path[PATH_MAX];
	int	fd, ok;

	snprintf(path, sizeof(path), "%s/passphrase.salt", state_dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s (root_key = "
		    "passphrase needs the salt keyd init wrote)", path,
		    strerror(errno));
		return -1;
	}
	ok = read(fd, salt, KEYRING_SALT_LEN) == KEYRING_SALT_LEN;
	close(fd);
	if (!ok)
		snprintf(err, errlen, "salt file %s is damaged", path);
	return ok ? 0 : -1;
}

int
keyd_root_key(struct keyd *k, unsigned char **root, char *err, size_t errlen)
{
	unsigned char	 salt[KEYRING_SALT_LEN];
	char		*pass;
	ssize_t		 n;
	int		 rc = -1;

	*root = NULL;
	if (strncmp(k->cfg.root_key, "file:", 5) == 0)
		return keyring_root_read_file(k->cfg.root_key + 5, root, err,
		    errlen);
	if (salt_read(k->cfg.state_dir, salt, err, errlen) == -1)
		return -1;
	if ((pass = sodium_malloc(PASS_MAX)) == NULL) {
		snprintf(err, errlen, "out of guarded memory");
		return -1;
	}
	if ((n = pass_get(pass, err, errlen)) > 0) {
		if (keyring_root_from_passphrase(pass, (size_t)n, salt, root)
		    == 0)
			rc = 0;
		else
			snprintf(err, errlen, "cannot derive the root key: out "
			    "of memory");
	}
	sodium_free(pass);
	return rc;
}

static int
dek_load_cb(void *arg, uint32_t version, const unsigned char *w, size_t len)
{
	return keyring_dek_load(arg, version, w, len) == 0 ? 0 : 1;
}

static int
keyring_unlock(struct keyd *k, char *err, size_t errlen)
{
	unsigned char	*blob = NULL, *pepper = NULL;
	size_t		 len, plen;
	int		 r, rc = -1;

	r = store_dek_each(k->store, dek_load_cb, k->kr);
	if (r == 1) {
		snprintf(err, errlen, "the root key does not open this store's "
		    "data keys: wrong root key (check root_key = %s, or the "
		    "passphrase)", k->cfg.root_key);
		return -1;
	}
	if (r != 0 || keyring_dek_current(k->kr) == 0) {
		snprintf(err, errlen, "store %s holds no data keys: was it made "
		    "by keyd init?", k->cfg.store);
		return -1;
	}
	if (store_meta_get(k->store, "token_pepper", &blob, &len) != 0 ||
	    keyring_unwrap(k->kr, "token_pepper", blob, len, &pepper, &plen)
	    != 0 || keyring_set_pepper(k->kr, pepper, plen) != 0) {
		snprintf(err, errlen, "cannot open the token pepper in %s: the "
		    "store is damaged or from another instance", k->cfg.store);
		goto out;
	}
	rc = 0;
out:
	free(blob);
	keyring_secret_free(&pepper);
	return rc;
}

static int
policy_load_active(struct keyd *k, char *err, size_t errlen)
{
	struct policy_error	 perr;
	char			*doc = NULL;
	int			 rc = -1;

	if (store_policy_active(k->store, &k->policy_version, &doc) != 0) {
		snprintf(err, errlen, "store %s has no active policy",
		    k->cfg.store);
		return -1;
	}
	if (policy_load(doc, strlen(doc), &k->policy, &perr) != 0)
		snprintf(err, errlen, "the active policy (version %lld) does "
		    "not load: %s: %s", (long long)k->policy_version,
		    perr.path, perr.msg);
	else
		rc = 0;
	free(doc);
	return rc;
}

static int
state_check(const struct keyd *k, char *err, size_t errlen)
{
	struct stat st;

	if (stat(k->cfg.state_dir, &st) == -1) {
		snprintf(err, errlen, "cannot use state_dir %s: %s (create it "
		    "with keyd init --state %s)", k->cfg.state_dir,
		    strerror(errno), k->cfg.state_dir);
		return -1;
	}
	if (stat(k->cfg.store, &st) == -1) {
		snprintf(err, errlen, "no store at %s: run keyd init first",
		    k->cfg.store);
		return -1;
	}
	return 0;
}

int
keyd_open(struct keyd *k, char *err, size_t errlen)
{
	unsigned char *root = NULL;

	pthread_rwlock_init(&k->policy_lock, NULL);
	k->started = time(NULL);
	if (state_check(k, err, errlen) == -1 ||
	    store_open(k->cfg.store, &k->store, err, errlen) == -1 ||
	    keyd_root_key(k, &root, err, errlen) == -1)
		goto fail;
	k->kr = keyring_new(root);
	keyring_secret_free(&root);
	if (k->kr == NULL) {
		snprintf(err, errlen, "out of guarded memory (raise "
		    "RLIMIT_MEMLOCK?)");
		goto fail;
	}
	if (keyring_unlock(k, err, errlen) == -1 ||
	    policy_load_active(k, err, errlen) == -1)
		goto fail;
	if (upstream_reg_new(&k->upstreams) == -1) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (upstream_reg_load(k->upstreams, k->store, k->kr, err, errlen) ==
	    -1)
		goto fail;
	if ((k->authn = authn_new(k->store, k->kr, AUTHN_CACHE_MAX)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (audit_boot(k, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	keyd_close(k);
	return -1;
}

void
keyd_close(struct keyd *k)
{
	audit_close(&k->audit);		/* its last checkpoint goes to the store */
	authn_free(&k->authn);
	upstream_reg_free(&k->upstreams);
	policy_free(&k->policy);
	keyring_free(&k->kr);
	store_close(&k->store);
	pthread_rwlock_destroy(&k->policy_lock);
}
